#pragma once
// Outputs are written atomically: a temporary file beside the target, then rename(2). An
// interrupted run never leaves a half-written file that a controller or CI job could read.

#include <filesystem>
#include <stdexcept>
#include <string_view>

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

}  // namespace weldcell
