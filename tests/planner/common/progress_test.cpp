#include "planner/common/progress.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace weldcell {
namespace {

TEST(ProgressTest, DefaultReportsNowhereAndIsNeverCancelled) {
  const Progress progress;
  progress.Report("reach", 1, 2);  // no callback: nothing happens
  EXPECT_FALSE(progress.cancelled());
}

TEST(ProgressTest, CancelledFollowsTheCallersFlagInEveryCopy) {
  std::atomic<bool> cancel{false};
  const Progress progress({}, &cancel);
  const Progress copy = progress;
  EXPECT_FALSE(copy.cancelled());
  cancel = true;
  EXPECT_TRUE(progress.cancelled());
  EXPECT_TRUE(copy.cancelled());
}

TEST(ProgressTest, CopiesShareOneCallback) {
  std::vector<std::string> seen;
  const Progress progress([&](std::string_view stage, std::int64_t done, std::int64_t total) {
    seen.push_back(std::string(stage) + " " + std::to_string(done) + "/" + std::to_string(total));
  });
  const Progress copy = progress;
  progress.Report("reach", 1, 3);
  copy.Report("motion", 2, 4);
  EXPECT_EQ(seen, (std::vector<std::string>{"reach 1/3", "motion 2/4"}));
}

TEST(ProgressTest, SilentReportsNowhereButIsCancelledWithTheOriginal) {
  std::atomic<bool> cancel{false};
  std::vector<std::string> seen;
  const Progress progress(
      [&](std::string_view stage, std::int64_t, std::int64_t) { seen.emplace_back(stage); },
      &cancel);
  const Progress silent = progress.Silent();
  silent.Report("allocate", 1, 2);
  EXPECT_TRUE(seen.empty());
  EXPECT_FALSE(silent.cancelled());
  cancel = true;
  EXPECT_TRUE(silent.cancelled());
  progress.Report("motion", 1, 2);  // the original still reports
  EXPECT_EQ(seen, (std::vector<std::string>{"motion"}));
}

// The callback is never entered by two threads at once: an unguarded counter it increments
// (with a read-yield-write that races without the lock) ends exact.
TEST(ProgressTest, ReportsFromManyThreadsAreSerialised) {
  std::int64_t calls = 0;
  std::atomic<int> inside{0};
  int overlaps = 0;
  const Progress progress([&](std::string_view, std::int64_t, std::int64_t) {
    if (inside.fetch_add(1) != 0) ++overlaps;
    const std::int64_t c = calls;
    std::this_thread::yield();
    calls = c + 1;
    inside.fetch_sub(1);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&progress] {
      for (int i = 0; i < 500; ++i) progress.Report("reach", i, 500);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(calls, 2000);
  EXPECT_EQ(overlaps, 0);
}

}  // namespace
}  // namespace weldcell
