#pragma once
// Outputs are written atomically: a temporary file beside the target, then rename(2). An
// interrupted run never leaves a half-written file that a controller or CI job could read.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weldcell {

/// A file could not be written where it was asked for (a folder or file in the way, no
/// permission, a full disk). what() names the path and the operating system's reason.
class FileWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes `contents` to `path` atomically, creating parent folders. Throws FileWriteError naming
/// the path and the reason when the file system refuses; the target is then left as it was.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view contents);

/// A file for WriteFilesTogether: its path and its contents.
struct FileToWrite {
  std::filesystem::path path;
  std::string contents;
};

/// Writes every file of `files` (creating parent folders): first each to a temporary beside its
/// target, then checks that no target is anything but a regular file or absent (a folder in the
/// way), then renames them all into place. A failure before the renames (a temporary that
/// cannot be written, a target in the way) removes the temporaries and leaves every target as
/// it was; only a rename refused by the file system after that (rare: the checks passed) can
/// leave the earlier files replaced. Throws FileWriteError naming the path and the reason.
void WriteFilesTogether(const std::vector<FileToWrite>& files);

}  // namespace weldcell
