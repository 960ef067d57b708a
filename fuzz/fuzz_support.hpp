#pragma once
// Shared by the fuzz targets: a scratch copy of the seed fixture per process, and writing the
// fuzz input into it as one of its files (the loaders read files, not memory).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace weldcell::fuzz {

/// The scratch folder: `$TMPDIR/weldcell_fuzz_<pid>/`, a copy of tests/planner/cell/good/ made
/// on first use and removed at exit. Not thread-safe (libFuzzer runs one input at a time).
const std::filesystem::path& ScratchDir();

/// Writes `data` to `ScratchDir() / relative` (replacing it) and returns that path.
std::filesystem::path WriteScratchFile(std::string_view relative, const std::uint8_t* data,
                                       std::size_t size);

}  // namespace weldcell::fuzz
