#pragma once
// Checks of the command line's output paths and numeric options, done before any work: a
// mistake in them is bad usage (exit 2) named at once, not an error after a long run.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

namespace weldcell::cli {

/// Throws InputError (naming `option` and the path) unless `file` can be written atomically:
/// a non-empty name that is not a folder nor a special file, whose folder exists or can be
/// created (the nearest existing ancestor is a folder we may write into).
void CheckOutputFile(const std::filesystem::path& file, const std::string& option);

/// The same for a folder that will receive outputs (`plan -o OUT`): not a file, creatable.
void CheckOutputFolder(const std::filesystem::path& folder, const std::string& option);

/// CLI11 check of a resolution in mm: 0 (use the cell's) or a finite number within the bounds
/// of settings.motion.resolution (cell::kMinResolution to cell::kMaxResolution).
CLI::Validator ResolutionMm();

}  // namespace weldcell::cli
