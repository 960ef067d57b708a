#include "cli/interrupt.hpp"

#include <signal.h>

#include <cstdio>

#include "cli/exit_codes.hpp"
#include "cli/progress.hpp"

namespace weldcell::cli {
namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free,
              "the SIGINT handler may only store to a lock-free atomic");

void OnInterrupt(int /*signal*/) { g_interrupted.store(true); }

}  // namespace

const std::atomic<bool>& CatchInterrupt() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the second Ctrl-C gets the default action (terminate) if the first one is
  // not answered quickly enough.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  return g_interrupted;
}

bool StopIfInterrupted(const std::atomic<bool>& interrupted, StageBars* bars, int* exit_code) {
  if (!interrupted.load()) return false;
  bars->Finish();
  std::fputs("interrupted\n", stderr);
  *exit_code = kExitInterrupted;
  return true;
}

}  // namespace weldcell::cli
