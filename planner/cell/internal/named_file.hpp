#pragma once
// Files a cell names (robot models, guns, URDFs, the weld CSV, meshes): what is wrong with one,
// in the same words whichever it is. Internal to planner/cell.

#include <filesystem>
#include <optional>
#include <string>

namespace weldcell::cell::internal {

/// What is wrong with `file` as the `what` ("YAML file", "welds CSV", "URDF", "mesh"), ending
/// with the path: "file not found: <file>", "is a directory, expected a <what>: <file>", "is not
/// a regular file (a device, FIFO or socket), expected the <what>: <file>", or the other
/// problems of InputFileProblem (too large, unreadable); nullopt when it is a regular file that
/// can be read. Nothing but a regular file is opened (opening a FIFO would block).
std::optional<std::string> NamedFileProblem(const std::filesystem::path& file,
                                            const std::string& what);

}  // namespace weldcell::cell::internal
