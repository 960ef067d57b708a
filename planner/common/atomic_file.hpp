#pragma once
// Outputs are written atomically: a temporary file beside the target, then rename(2). An
// interrupted run never leaves a half-written file that a controller or CI job could read.

#include <filesystem>
#include <string_view>

namespace weldcell {

/// Writes `contents` to `path` atomically, creating parent folders. Throws std::runtime_error
/// naming the path when the file system refuses.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace weldcell
