#include "planner/common/input_file.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <system_error>

namespace weldcell {

std::optional<std::string> InputFileProblem(const std::filesystem::path& file,
                                            const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  // The system's reason, in lower case: "permission denied" (a file of mode 000, a folder on
  // the way without x), "too many levels of symbolic links" ...
  auto reason = [](int code) {
    std::string r = std::error_code(code, std::generic_category()).message();
    if (!r.empty()) r[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(r[0])));
    return r;
  };
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
    return "cannot be read: " + reason(ec.value()) + " (expected the " + what + ")";
  }
  if (!fs::exists(status)) return "file not found (expected the " + what + ")";
  if (fs::is_directory(status)) return "is a directory, expected the " + what + " (a file)";
  if (!fs::is_regular_file(status)) {
    return "is not a regular file (a device, FIFO or socket), expected the " + what;
  }
  const std::uintmax_t size = fs::file_size(file, ec);
  if (!ec && size > kMaxInputBytes) {
    return "is " + std::to_string(size >> 20) + " MiB, more than the " +
           std::to_string(kMaxInputBytes >> 20) + " MiB an input file may have (expected the " +
           what + ")";
  }
  // It exists, but may still be unreadable (mode 000, another user's file): said now, with the
  // reason, instead of a loader's "file not found" or "cannot open".
  if (std::FILE* f = std::fopen(file.c_str(), "rb"); f == nullptr) {
    return "cannot be read: " + reason(errno) + " (expected the " + what + ")";
  } else {
    std::fclose(f);
  }
  return std::nullopt;
}

}  // namespace weldcell
