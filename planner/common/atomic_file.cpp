#include "planner/common/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace weldcell {

namespace {

// The reason of the last failed POSIX call, read before anything else can change errno.
std::string LastError() { return std::error_code(errno, std::generic_category()).message(); }

// Writes `contents` to a temporary beside `path` (creating parent folders) and returns the
// temporary's path; throws FileWriteError (the temporary removed) when that fails.
std::filesystem::path WriteTemporary(const std::filesystem::path& path, std::string_view contents) {
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
  return tmp;
}

void RenameIntoPlace(const std::filesystem::path& tmp, const std::filesystem::path& path) {
  std::error_code rename_ec, ec;
  std::filesystem::rename(tmp, path, rename_ec);
  if (rename_ec) {
    std::filesystem::remove(tmp, ec);  // its own error code: the message reports the rename's
    throw FileWriteError("cannot write " + path.string() + " (renaming the temporary " +
                         tmp.string() + " onto it): " + rename_ec.message());
  }
}

}  // namespace

void WriteFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  RenameIntoPlace(WriteTemporary(path, contents), path);
}

void WriteFilesTogether(const std::vector<FileToWrite>& files) {
  namespace fs = std::filesystem;
  std::vector<fs::path> temporaries;
  auto remove_temporaries = [&] {
    std::error_code ec;
    for (const fs::path& t : temporaries) fs::remove(t, ec);
  };
  try {
    for (const FileToWrite& f : files) temporaries.push_back(WriteTemporary(f.path, f.contents));
    for (const FileToWrite& f : files) {
      std::error_code ec;
      const fs::file_status st = fs::symlink_status(f.path, ec);
      if (fs::exists(st) && !fs::is_regular_file(st) && !fs::is_symlink(st)) {
        throw FileWriteError("cannot write " + f.path.string() + ": " +
                             (fs::is_directory(st) ? "a folder" : "something other than a file") +
                             " is in the way (nothing written)");
      }
    }
  } catch (...) {
    remove_temporaries();
    throw;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    try {
      RenameIntoPlace(temporaries[i], files[i].path);
    } catch (...) {
      std::error_code ec;
      for (std::size_t k = i + 1; k < files.size(); ++k) fs::remove(temporaries[k], ec);
      throw;
    }
  }
}

}  // namespace weldcell
