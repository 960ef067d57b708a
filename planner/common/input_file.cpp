#include "planner/common/input_file.hpp"

#include <system_error>

namespace weldcell {

std::optional<std::string> InputFileProblem(const std::filesystem::path& file,
                                            const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
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
  return std::nullopt;
}

}  // namespace weldcell
