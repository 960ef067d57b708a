#include "cli/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/exit_codes.hpp"
#include "cli/progress.hpp"

namespace weldcell::cli {
namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free,
              "the SIGINT handler may only store to a lock-free atomic");

// Folders to remove at a fatal signal: fixed storage, so that the handler reads no memory
// another thread may be reallocating. A slot is filled, then published by `active`.
constexpr int kSlots = 4;
constexpr int kFoldersPerSlot = 16;
constexpr std::size_t kMaxPath = 4096;
struct Slot {
  std::atomic<bool> active{false};
  int count = 0;
  std::array<std::array<char, kMaxPath>, kFoldersPerSlot> paths{};
};
std::array<Slot, kSlots> g_slots;
std::atomic<int> g_next_slot{0};

// FatalSignalsDeferred: how many live, and the signal that came meanwhile (0: none).
std::atomic<int> g_deferring{0};
std::atomic<int> g_deferred_signal{0};
static_assert(std::atomic<int>::is_always_lock_free,
              "the signal handlers may only use lock-free atomics");

// Async-signal-safe: rmdir, signal, raise (POSIX.1-2008 §2.4.3).
// Slots last made first: a folder made inside another one (OUT/programs in OUT) goes before it.
void OnFatal(int signal_number) {
  if (g_deferring.load() > 0) {
    g_deferred_signal.store(signal_number);
    return;
  }
  for (int k = kSlots - 1; k >= 0; --k) {
    Slot& slot = g_slots[static_cast<std::size_t>(k)];
    if (!slot.active.load()) continue;
    for (int i = 0; i < slot.count; ++i) {
      if (::rmdir(slot.paths[static_cast<std::size_t>(i)].data()) != 0) break;  // not empty
    }
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void OnInterrupt(int signal_number) {
  if (g_interrupted.exchange(true)) OnFatal(signal_number);
}

void Install(int signal_number, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  sigaction(signal_number, &action, nullptr);
}

// Leaves a signal the caller ignores (nohup's SIGHUP) ignored.
void InstallUnlessIgnored(int signal_number, void (*handler)(int)) {
  struct sigaction current {};
  sigaction(signal_number, nullptr, &current);
  if (current.sa_handler != SIG_IGN) Install(signal_number, handler);
}

// The handlers that end the process after the clean-up (OnFatal): SIGTERM, SIGHUP, SIGPIPE (a
// pipe closed by its reader: `weldcell plan … | head -2`), and SIGINT until CatchInterrupt
// replaces it. Signals the caller ignores (nohup's SIGHUP) stay ignored.
void InstallFatalHandlers() {
  InstallUnlessIgnored(SIGTERM, OnFatal);
  InstallUnlessIgnored(SIGHUP, OnFatal);
  InstallUnlessIgnored(SIGPIPE, OnFatal);
  struct sigaction current {};
  sigaction(SIGINT, nullptr, &current);
  if (current.sa_handler == SIG_DFL) Install(SIGINT, OnFatal);
}

}  // namespace

const std::atomic<bool>& CatchInterrupt() {
  Install(SIGINT, OnInterrupt);
  return g_interrupted;
}

int RemoveOnFatalSignal(const std::vector<std::filesystem::path>& folders) {
  if (folders.empty() || folders.size() > kFoldersPerSlot) return -1;
  for (const std::filesystem::path& f : folders) {
    if (f.native().size() >= kMaxPath) return -1;
  }
  const int index = g_next_slot.fetch_add(1);
  if (index >= kSlots) return -1;
  Slot& slot = g_slots[static_cast<std::size_t>(index)];
  slot.count = static_cast<int>(folders.size());
  for (std::size_t i = 0; i < folders.size(); ++i) {
    const std::string& path = folders[i].native();
    std::memcpy(slot.paths[i].data(), path.c_str(), path.size() + 1);
  }
  slot.active.store(true);
  InstallFatalHandlers();
  return index;
}

FatalSignalsDeferred::FatalSignalsDeferred() {
  // Counted first, then caught: a run whose output folders all existed had installed no
  // handler, and SIGTERM ended it between two renames (a fresh user, with strace).
  g_deferring.fetch_add(1);
  InstallFatalHandlers();
}

FatalSignalsDeferred::~FatalSignalsDeferred() {
  // Cleared first: a signal from now on is handled at once; one that came before is raised here.
  if (g_deferring.fetch_sub(1) != 1) return;
  if (const int signal_number = g_deferred_signal.exchange(0); signal_number != 0) {
    OnFatal(signal_number);
  }
}

void KeepOnFatalSignal(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[static_cast<std::size_t>(slot)].active.store(false);
}

bool StopIfInterrupted(const std::atomic<bool>& interrupted, StageBars* bars, int* exit_code) {
  if (!interrupted.load()) return false;
  bars->Finish();
  std::fputs("interrupted\n", stderr);
  *exit_code = kExitInterrupted;
  return true;
}

}  // namespace weldcell::cli
