#pragma once
// Ctrl-C (SIGINT) as a request to stop: the first one sets a flag that long work polls through
// weldcell::Progress, so that the command stops cleanly, writes nothing and exits with
// kExitInterrupted. A second one, SIGTERM or SIGHUP end the process at once (the default
// action), first removing the output folders this run made that are still empty
// (RemoveOnFatalSignal), so that a killed run leaves no trace either.

#include <atomic>
#include <filesystem>
#include <vector>

namespace weldcell::cli {

/// Installs the SIGINT handler (idempotent) and returns the flag it sets. The handler only
/// stores to this lock-free atomic (async-signal-safe); at the second SIGINT it ends the process
/// as SIGTERM does.
const std::atomic<bool>& CatchInterrupt();

/// Registers `folders` (innermost first: OUT/programs, then OUT) as made by this run for its
/// outputs: a signal that ends the process (a second SIGINT, SIGTERM, SIGHUP) removes those
/// still empty, with rmdir (async-signal-safe), before it ends the process. Installs the
/// handlers for SIGTERM and SIGHUP (and SIGINT until CatchInterrupt replaces it). Returns a slot
/// for KeepOnFatalSignal; -1 when all slots are taken or a path is too long (then nothing is
/// removed).
int RemoveOnFatalSignal(const std::vector<std::filesystem::path>& folders);

/// Forgets the folders of `slot` (the outputs went into them, or the owner removed them). -1
/// is ignored.
void KeepOnFatalSignal(int slot);

/// While one lives, a signal that would end the process (a second SIGINT, SIGTERM, SIGHUP,
/// SIGPIPE) waits: it takes effect when the last one is destroyed. Held while a command renames
/// its outputs into place, so that a CI job cancelled in that moment leaves all of this run's
/// outputs or none, never the plan.json of this run beside the junit.xml of the last. Only for
/// steps that take milliseconds: the signal is not lost, but the process ends that much later.
class FatalSignalsDeferred {
 public:
  FatalSignalsDeferred();
  ~FatalSignalsDeferred();
  FatalSignalsDeferred(const FatalSignalsDeferred&) = delete;
  FatalSignalsDeferred& operator=(const FatalSignalsDeferred&) = delete;
};

class StageBars;

/// When `interrupted` is set: ends the progress bars, prints "interrupted" on stderr, sets
/// *exit_code to kExitInterrupted and returns true (the command then returns, writing nothing).
bool StopIfInterrupted(const std::atomic<bool>& interrupted, StageBars* bars, int* exit_code);

}  // namespace weldcell::cli
