#pragma once
// Ctrl-C (SIGINT) as a request to stop: the first one sets a flag that long work polls through
// weldcell::Progress, so that the command stops cleanly, writes nothing and exits with
// kExitInterrupted; a second one terminates the process at once (the default action).

#include <atomic>

namespace weldcell::cli {

/// Installs the SIGINT handler (idempotent) and returns the flag it sets. The handler only
/// stores to this lock-free atomic (async-signal-safe) and restores the default action.
const std::atomic<bool>& CatchInterrupt();

class StageBars;

/// When `interrupted` is set: ends the progress bars, prints "interrupted" on stderr, sets
/// *exit_code to kExitInterrupted and returns true (the command then returns, writing nothing).
bool StopIfInterrupted(const std::atomic<bool>& interrupted, StageBars* bars, int* exit_code);

}  // namespace weldcell::cli
