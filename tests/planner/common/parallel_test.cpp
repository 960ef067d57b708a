#include "planner/common/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace weldcell {
namespace {

TEST(ParallelForTest, EveryItemOnceWithValidWorkerIds) {
  for (int threads : {1, 2, 4}) {
    std::vector<std::atomic<int>> hits(1000);
    std::atomic<int> bad_worker{0};
    ParallelFor(1000, threads, [&](int item, int worker) {
      hits[item]++;
      if (worker < 0 || worker >= threads) bad_worker++;
    });
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(hits[i].load(), 1) << "item " << i;
    EXPECT_EQ(bad_worker.load(), 0);
  }
}

TEST(ParallelForTest, RethrowsTheFirstErrorAndStops) {
  std::atomic<int> done{0};
  EXPECT_THROW(ParallelFor(100000, 2,
                           [&](int item, int) {
                             if (item == 10) throw std::runtime_error("boom");
                             done++;
                           }),
               std::runtime_error);
  EXPECT_LT(done.load(), 100000);
}

TEST(ParallelForTest, CancellationStopsNewItems) {
  std::atomic<int> done{0};
  ParallelFor(
      100000, 2, [&](int, int) { done++; }, [&] { return done.load() >= 50; });
  EXPECT_LT(done.load(), 100000);
  EXPECT_GE(done.load(), 50);
}

}  // namespace
}  // namespace weldcell
