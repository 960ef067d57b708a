#pragma once
// Checks of the command line's output paths and numeric options, done before any work: a
// mistake in them is bad usage (exit 2) named at once, not an error after a long run.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "planner/common/diagnostics.hpp"

namespace weldcell::cli {

/// A mistake on the command line, said as "weldcell train: error: --moves: MESSAGE" (exit 2):
/// `command` names the command, `option` the option or argument.
InputError CommandLineError(const std::string& command, const std::string& option,
                            const std::string& message);

/// Throws InputError (naming `option` and the path) unless `file` can be written atomically:
/// a non-empty name that is not a folder nor a special file, whose folder exists or can be
/// created (the nearest existing ancestor is a folder we may write into).
void CheckOutputFile(const std::filesystem::path& file, const std::string& option);

/// Throws InputError at `file` unless it is a regular file (not a folder, device, FIFO or
/// socket) of at most weldcell::kMaxInputBytes (planner/common/input_file.hpp, the check the
/// loaders make too); `what` names it ("site file", "plan").
void CheckInputFile(const std::filesystem::path& file, const std::string& what);

/// CheckInputFile, then the file's bytes.
std::string ReadInputFile(const std::filesystem::path& file, const std::string& what);

/// `text` with control characters other than line feed and tab shown as `\xNN`: an error that
/// quotes a binary input never sends escape sequences to the terminal.
std::string Printable(std::string_view text);

/// Makes an output folder at once (throws InputError naming `option` when the file system
/// refuses it or a file cannot be created in it) and removes it again on destruction, if it
/// made it, unless Keep() was called and as long as it is empty. A signal that ends the process
/// before Keep() (a second Ctrl-C, SIGTERM, SIGHUP) removes them too (RemoveOnFatalSignal).
/// Holds the folder's lock (flock on the folder itself, exclusive) while it lives: a second
/// weldcell writing into the same folder (two CI jobs with one `-o`) throws InputError at once
/// instead of mixing its files with the first's. The lock goes with the process (no lock file
/// is left behind); a file system without locks is written unlocked.
class OutputFolder {
 public:
  OutputFolder(const std::filesystem::path& folder, const std::string& option);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;
  void Keep() const;

 private:
  /// The folders made here, innermost first (the output folder, up to the topmost one that was
  /// missing); empty when the output folder existed.
  std::vector<std::filesystem::path> made_;
  mutable bool keep_ = false;
  int fatal_signal_slot_ = -1;  ///< RemoveOnFatalSignal's slot for the folders made here.
  int lock_fd_ = -1;            ///< The folder, open and locked; -1 without a lock.
};

/// The same for a folder that will receive outputs (`plan -o OUT`): not a file, creatable.
void CheckOutputFolder(const std::filesystem::path& folder, const std::string& option);

/// The folder's own name, also for `dir/`, `.` and `..` (from its absolute path): what a
/// station or model made there is called by default.
std::string FolderName(const std::filesystem::path& folder);

/// CLI11 check of an input file's name (`--site`): not empty (an unset variable in a CI script
/// would silently mean "none") and without control characters (the name is recorded in files
/// written line by line, such as the programs' manifest).
CLI::Validator FileName();

/// How a site file given as `--site` is named in the programs' manifest
/// (exporters::WriteOptions::site_file): its absolute, normalised path; "" for none.
std::string SiteFileName(const std::string& site);

/// CLI11 check of a resolution in mm: 0 (use the cell's) or a finite number within the bounds
/// of settings.motion.resolution (cell::kMinResolution to cell::kMaxResolution).
CLI::Validator ResolutionMm();

/// CLI11 check of a whole number from `min` to `max` (`-j`: 0 to kMaxJobs, `--seed`: 0 to
/// kMaxSeed, counts such as `--robots`), decimal (leading zeros allowed: the text is rewritten
/// without them, since CLI11 reads "010" as octal): says "expected a whole number from 0 to 1024,
/// got '-1'" (CLI::NonNegativeNumber printed its range up to the largest double, 300 digits;
/// CLI::Range said "Value 2.5 not in range 1 to 40" of a fraction; a number past the option's
/// type got CLI11's own message).
CLI::Validator WholeNumber(std::uint64_t min, std::uint64_t max);

/// The most worker threads `-j` accepts (0: one per hardware thread).
inline constexpr std::uint64_t kMaxJobs = 1024;
/// The largest `--seed`: any 64-bit seed, as `settings.seed` takes.
inline constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();

/// CLI11 check of a finite number in [lo, hi] (`--spatial-weight`, `--exclusion-clearance`,
/// `--eta`; `unit` may be empty):
/// says "expected a number from 0 to 10 m, got 'nan'" (CLI::Range let nan through: every
/// comparison with it is false).
CLI::Validator FiniteRange(double lo, double hi, const std::string& unit);

}  // namespace weldcell::cli
