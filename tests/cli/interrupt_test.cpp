#include "cli/interrupt.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/scratch.hpp"

namespace weldcell::cli {
namespace {

namespace fs = std::filesystem;

// How a forked child that runs `body` ended: its wait status.
template <typename Body>
int InChild(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

// A CI job cancelled (SIGTERM) while `plan` renamed its outputs into place left the new
// plan.json beside the last run's junit.xml. A fatal signal that comes while a
// FatalSignalsDeferred lives ends the process only when it goes: after the outputs, and with
// the clean-up of the folders this run made but did not fill.
TEST(FatalSignalsDeferredTest, ASignalWhileOutputsAreWrittenEndsTheProcessAfterThem) {
  const fs::path dir = weldcell::testing::FreshDirectory("deferred_signal");
  for (const int signal_number : {SIGTERM, SIGHUP}) {
    SCOPED_TRACE(signal_number);
    fs::create_directories(dir / "made");
    fs::remove(dir / "written");
    const int status = InChild([&] {
      RemoveOnFatalSignal({dir / "made"});
      {
        const FatalSignalsDeferred outer;
        {
          const FatalSignalsDeferred inner;  // nested: the outer one still holds it off
          ::raise(signal_number);
        }
        std::ofstream(dir / "written") << "all outputs\n";
      }
      ::_exit(0);  // not reached: the signal ends the process here
    });
    EXPECT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(WTERMSIG(status), signal_number);
    EXPECT_TRUE(fs::exists(dir / "written"));
    EXPECT_FALSE(fs::exists(dir / "made")) << "the clean-up ran too";
  }
  // Also where no folder was made (a run into output folders that all existed installed no
  // handler: SIGTERM ended it between two renames).
  fs::remove(dir / "written");
  const int existing = InChild([&] {
    {
      const FatalSignalsDeferred deferred;
      ::raise(SIGTERM);
      std::ofstream(dir / "written") << "all outputs\n";
    }
    ::_exit(0);
  });
  EXPECT_TRUE(WIFSIGNALED(existing)) << existing;
  EXPECT_EQ(WTERMSIG(existing), SIGTERM);
  EXPECT_TRUE(fs::exists(dir / "written"));
  // Without it, the signal ends the process at once.
  fs::remove(dir / "written");
  const int status = InChild([&] {
    RemoveOnFatalSignal({dir / "made2"});
    ::raise(SIGTERM);
    std::ofstream(dir / "written") << "too late\n";
  });
  EXPECT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_FALSE(fs::exists(dir / "written"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace weldcell::cli
