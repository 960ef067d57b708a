#pragma once
// Input files are regular files of a sane size: a device (`/dev/zero`), a FIFO or a runaway file
// given as a cell, robot, welds CSV, mesh or plan is refused at once instead of being read until
// memory runs out (or forever). One check for the loaders, the command line and the viewer.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace weldcell {

/// Most bytes an input file may have (256 MiB).
inline constexpr std::uintmax_t kMaxInputBytes = 256u << 20;

/// What is wrong with `file` as an input, or nullopt when it is a regular file of at most
/// kMaxInputBytes that can be opened for reading: "file not found", "cannot be read: permission
/// denied" (or the system's other reason), "is a directory", "is not a regular file (a device,
/// FIFO or socket)" or "is N MiB, more than ...", each followed by ", expected the <what>" (`what`
/// names the file: "cell YAML", "plan (plan.json)"). The path itself is not in the message.
/// Thread-safe.
std::optional<std::string> InputFileProblem(const std::filesystem::path& file,
                                            const std::string& what);

}  // namespace weldcell
