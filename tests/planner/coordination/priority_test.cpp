#include "planner/coordination/internal/priority.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace weldcell::coordination::internal {
namespace {

using Clock = std::vector<std::vector<double>>;

// Two robots of three 1 s pieces each whose middle pieces share a zone.
TEST(PrioritizedSchedulerTest, TheSecondRobotWaitsAtTheStandstillUntilTheFirstReleases) {
  const EventGraph graph({{1, 1, 1}, {1, 1, 1}});
  const std::vector<ZoneSpan> zones = {{.a = 0, .b = 1, .a0 = 1, .a1 = 1, .b0 = 1, .b1 = 1}};
  const PrioritizedScheduler scheduler(graph, zones);
  double makespan = 0;
  const Clock a_first = scheduler.Clock({0, 1}, &makespan);
  EXPECT_EQ(a_first, (Clock{{0, 1, 2}, {0, 2, 3}}));
  EXPECT_DOUBLE_EQ(makespan, 4.0);
  EXPECT_EQ(scheduler.OrderOn(a_first), std::vector<char>{1});
  const Clock b_first = scheduler.Clock({1, 0}, &makespan);
  EXPECT_EQ(b_first, (Clock{{0, 2, 3}, {0, 1, 2}}));
  EXPECT_EQ(scheduler.OrderOn(b_first), std::vector<char>{0});
}

TEST(PrioritizedSchedulerTest, ALaterRobotGoesFirstWhereItFitsAhead) {
  // Robot 1's only piece touches robot 0's last: it fits before robot 0 gets there.
  const EventGraph graph({{1, 1, 1}, {1}});
  const std::vector<ZoneSpan> zones = {{.a = 0, .b = 1, .a0 = 2, .a1 = 2, .b0 = 0, .b1 = 0}};
  const PrioritizedScheduler scheduler(graph, zones);
  double makespan = 0;
  const Clock clock = scheduler.Clock({0, 1}, &makespan);
  EXPECT_EQ(clock, (Clock{{0, 1, 2}, {0}}));
  EXPECT_DOUBLE_EQ(makespan, 3.0);
  EXPECT_EQ(scheduler.OrderOn(clock), std::vector<char>{0});
}

TEST(PrioritizedSchedulerTest, AHoldReleasedOnDepartureThatAWaitMakesLateGoesAfterInstead) {
  // Robot 1 (pieces 1 s, 1 s) against robot 0's middle piece [1, 2]: its first piece there,
  // and, standing after it, in the way until it moves on; its second piece there too. Going
  // first with its first piece, it would have to wait for robot 0 before its second, standing
  // in the way: so both go after robot 0.
  const EventGraph graph({{1, 1, 1}, {1, 1}});
  std::vector<ZoneSpan> zones = {
      {.a = 0, .b = 1, .a0 = 1, .a1 = 1, .b0 = 0, .b1 = 0, .b_departs = true},
      {.a = 0, .b = 1, .a0 = 1, .a1 = 1, .b0 = 1, .b1 = 1}};
  double makespan = 0;
  const Clock departs = PrioritizedScheduler(graph, zones).Clock({0, 1}, &makespan);
  EXPECT_EQ(departs[1], (std::vector<double>{2, 3}));
  EXPECT_DOUBLE_EQ(makespan, 4.0);
  // Released as it arrives, the first piece goes ahead and robot 1 waits clear of robot 0.
  zones[0].b_departs = false;
  const Clock arrives = PrioritizedScheduler(graph, zones).Clock({0, 1}, &makespan);
  EXPECT_EQ(arrives[1], (std::vector<double>{0, 2}));
  EXPECT_DOUBLE_EQ(makespan, 3.0);
}

TEST(PrioritizedSchedulerTest, ARobotThatMustGoFirstIsNeverOvertaken) {
  // Robot 1's piece would fit ahead of robot 0's last piece, but robot 0 must go first.
  const EventGraph graph({{1, 1, 1}, {1}});
  const std::vector<ZoneSpan> zones = {
      {.a = 0, .b = 1, .a0 = 2, .a1 = 2, .b0 = 0, .b1 = 0, .forced_first = 0}};
  const PrioritizedScheduler scheduler(graph, zones);
  double makespan = 0;
  const Clock clock = scheduler.Clock({0, 1}, &makespan);
  EXPECT_EQ(clock[1], std::vector<double>{3});
  EXPECT_EQ(scheduler.OrderOn(clock), std::vector<char>{1});
}

TEST(PrioritizedSchedulerTest, ARobotThatStaysInTheWayAtItsEndGoesLast) {
  // Robot 0 stands in the way of robot 1's piece once it has finished (released on departure
  // from its last piece: never). Scheduled first, it leaves robot 1 no start; second, it waits.
  const EventGraph graph({{1, 1}, {1, 1}});
  const std::vector<ZoneSpan> zones = {
      {.a = 0, .b = 1, .a0 = 1, .a1 = 1, .b0 = 1, .b1 = 1, .a_departs = true}};
  const PrioritizedScheduler scheduler(graph, zones);
  double makespan = 0;
  const Clock stays_first = scheduler.Clock({0, 1}, &makespan);
  EXPECT_EQ(makespan, std::numeric_limits<double>::infinity());
  EXPECT_EQ(stays_first[1][0], 0.0);
  const Clock stays_last = scheduler.Clock({1, 0}, &makespan);
  EXPECT_EQ(stays_last, (Clock{{0, 2}, {0, 1}}));
  EXPECT_DOUBLE_EQ(makespan, 3.0);
  EXPECT_EQ(scheduler.OrderOn(stays_last), std::vector<char>{0});
}

}  // namespace
}  // namespace weldcell::coordination::internal
