// tests/scratch.hpp: a test's scratch folder is removed when its owner is done with it, kept
// on request, and never removed by a forked child.
#include "tests/scratch.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace weldcell::testing {
namespace {

namespace fs = std::filesystem;

TEST(ScratchFolder, IsEmptiedWhenMadeAndRemovedWhenDone) {
  const fs::path dir = ScratchPath("folder");
  fs::create_directories(dir / "old");
  {
    const ScratchFolder folder(dir);
    EXPECT_TRUE(fs::is_empty(dir)) << dir;
    std::ofstream(dir / "out.txt") << "x";
    fs::create_directories(dir / "sub" / "deeper");
  }
  EXPECT_FALSE(fs::exists(dir)) << dir;
}

TEST(ScratchFolder, IsKeptWhenAskedTo) {
  const fs::path dir = ScratchPath("kept");
  ::setenv("WELDCELL_KEEP_TEST_FILES", "1", 1);
  { const ScratchFolder folder(dir); }
  ::unsetenv("WELDCELL_KEEP_TEST_FILES");
  EXPECT_TRUE(fs::is_directory(dir)) << dir;
}

TEST(ScratchRoot, IsNotRemovedByAForkedChildThatExits) {
  const fs::path file = ScratchPath("parent.txt");
  std::ofstream(file) << "the parent's";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) std::exit(0);  // runs the static destructors, ScratchRoot's among them
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_TRUE(fs::exists(file)) << file;
  EXPECT_EQ(ScratchRoot().filename(), "weldcell_test_" + std::to_string(::getpid()));
}

}  // namespace
}  // namespace weldcell::testing
