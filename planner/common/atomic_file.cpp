#include "planner/common/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace weldcell {

namespace {

// The reason of the last failed POSIX call, read before anything else can change errno.
std::string LastError() { return std::error_code(errno, std::generic_category()).message(); }

}  // namespace

void WriteFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) {
    throw FileWriteError("cannot create folder " + path.parent_path().string() + " for " +
                         path.string() + ": " + ec.message());
  }
  // The pid keeps two concurrent writers of the same target from sharing a temporary.
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    throw FileWriteError("cannot write " + path.string() + " (temporary " + tmp.string() +
                         "): " + LastError());
  }
  std::string_view rest = contents;
  std::string problem;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      problem = n < 0 ? LastError() : "nothing written";
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0 && problem.empty()) problem = LastError();
  if (!problem.empty()) {
    fs::remove(tmp, ec);
    throw FileWriteError("cannot write " + path.string() + " (temporary " + tmp.string() +
                         "): " + problem);
  }
  std::error_code rename_ec;
  fs::rename(tmp, path, rename_ec);
  if (rename_ec) {
    fs::remove(tmp, ec);  // its own error code: the message reports the rename's
    throw FileWriteError("cannot write " + path.string() + " (renaming the temporary " +
                         tmp.string() + " onto it): " + rename_ec.message());
  }
}

}  // namespace weldcell
