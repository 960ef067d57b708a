// The time left that the progress lines show (cli/progress.hpp).

#include "cli/progress.hpp"

#include <gtest/gtest.h>

namespace weldcell::cli {
namespace {

TEST(TimeLeftTest, ExtrapolatesTheRateSoFar) {
  // 37 of 145 moves in 12 s: 108 more at 0.324 s each.
  EXPECT_EQ(TimeLeft(37, 145, 12.0), ", about 35 s left");
  EXPECT_EQ(TimeLeft(37, 145, 120.0), ", about 6 min left");
  EXPECT_EQ(TimeLeft(1, 4, 10.0), ", about 30 s left");
}

TEST(TimeLeftTest, LongStagesAreInMinutes) {
  // 1 of 145 in 12.5 s: 1800 s more.
  EXPECT_EQ(TimeLeft(1, 145, 12.5), ", about 30 min left");
  EXPECT_EQ(TimeLeft(1, 3, 59.0), ", about 118 s left");
  EXPECT_EQ(TimeLeft(1, 3, 60.0), ", about 2 min left");
}

TEST(TimeLeftTest, NothingBeforeAStepOrASecondAfterTheEndOrUnderASecond) {
  EXPECT_EQ(TimeLeft(0, 10, 5.0), "");
  EXPECT_EQ(TimeLeft(3, 10, 0.5), "");
  EXPECT_EQ(TimeLeft(10, 10, 5.0), "");
  EXPECT_EQ(TimeLeft(12, 10, 5.0), "");
  EXPECT_EQ(TimeLeft(19, 20, 10.0), "");  // 0.53 s left
}

}  // namespace
}  // namespace weldcell::cli
