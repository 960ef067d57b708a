#include "planner/pipeline/transfers.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace weldcell::pipeline {
namespace {

Eigen::VectorXd Q(double q) { return Eigen::VectorXd::Constant(1, q); }

// One joint, 1 s per rad: the estimate is the distance.
double Distance(int /*robot*/, const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).norm();
}

// A route through `at` (1 s of pieces per weld), each move taking `detour` × its estimate.
RunRoute Route(double home, const std::vector<int>& welds, const std::vector<double>& at,
               double detour = 1.0) {
  RunRoute r{.home = Q(home), .welds = welds, .may_change = true};
  double previous = home;
  for (const double a : at) {
    r.at.push_back(Q(a));
    r.travel.push_back(detour * std::abs(a - previous));
    r.own.push_back(1.0);
    previous = a;
  }
  r.travel.push_back(detour * std::abs(home - previous));
  for (const double t : r.travel) r.finish += t;
  for (const double o : r.own) r.finish += o;
  return r;
}

// Robot 0 (home 0) welds at 1, 2 and 10 and finishes at 23 s; robot 1 (home 10) welds at 9 and
// 11 and finishes at 6 s. Robot 1 may weld 2 (at 10) and 0 (at 1).
std::vector<WeldOption> Options() {
  return {{.weld = 0, .robot = 1, .candidate = 5, .at = Q(1.0), .duration = 1.0},
          {.weld = 2, .robot = 1, .candidate = 7, .at = Q(10.0), .duration = 1.0}};
}

TEST(RankWeldTransfersTest, GivesTheLastRobotsFarWeldToTheRobotBesideIt) {
  const std::vector<RunRoute> routes{Route(0, {0, 1, 2}, {1, 2, 10}), Route(10, {3, 4}, {9, 11})};
  ASSERT_DOUBLE_EQ(routes[0].finish, 23.0);
  ASSERT_DOUBLE_EQ(routes[1].finish, 6.0);
  const std::vector<WeldTransfer> ranked = RankWeldTransfers(routes, Options(), Distance);
  // Weld 2: robot 0 then goes 0 → 1 → 2 → 0 (6 s); robot 1 adds 1 s of pieces and no travel,
  // first at its start (7 s). Weld 0 would leave robot 0 at 22 s and robot 1 at 23 s: no gain.
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(ranked[0], (WeldTransfer{.weld = 2,
                                     .from = 0,
                                     .to = 1,
                                     .position = 0,
                                     .candidate = 7,
                                     .makespan_before = 23.0,
                                     .makespan_after = 7.0,
                                     .taker_finish = 7.0}));
  // A gain of 16 s is left out when more is asked for.
  EXPECT_EQ(RankWeldTransfers(routes, Options(), Distance, /*min_gain=*/15.9).size(), 1u);
  EXPECT_TRUE(RankWeldTransfers(routes, Options(), Distance, /*min_gain=*/16.1).empty());
}

// The receiver's moves took twice their estimate: its new moves are priced so too.
TEST(RankWeldTransfersTest, NewMovesTakeTheReceiversOwnDetour) {
  const std::vector<RunRoute> routes{Route(0, {0, 1, 2}, {1, 2, 10}),
                                     Route(10, {3, 4}, {9, 11}, /*detour=*/2.0)};
  const std::vector<WeldTransfer> ranked = RankWeldTransfers(routes, Options(), Distance);
  ASSERT_EQ(ranked.size(), 1u);
  // 10 s, plus 2 × (0 + 1) s of new moves, 1 s of pieces, less the 2 s move it replaces.
  EXPECT_DOUBLE_EQ(ranked[0].makespan_after, 11.0);
}

// Three robots; the giver's moves took twice their estimate. Robot 1 may weld weld 2 two ways:
// both leave the giver last, so the one cheaper for robot 1 is chosen, in the middle of its
// route; robot 2 may take it too, for more.
TEST(RankWeldTransfersTest, ChoosesTheTakersCheapestOptionAndPlace) {
  std::vector<RunRoute> routes{Route(0, {0, 1, 2}, {1, 2, 10}, /*detour=*/2.0),
                               Route(10, {3, 4}, {9, 11}), Route(20, {5, 6}, {19, 21})};
  ASSERT_DOUBLE_EQ(routes[0].finish, 43.0);
  const std::vector<WeldOption> options{
      {.weld = 2, .robot = 1, .candidate = 8, .at = Q(12.0), .duration = 1.0},
      {.weld = 2, .robot = 1, .candidate = 7, .at = Q(10.5), .duration = 1.0},
      {.weld = 2, .robot = 2, .candidate = 9, .at = Q(11.5), .duration = 1.0}};
  std::vector<WeldTransfer> ranked = RankWeldTransfers(routes, options, Distance);
  // The giver: 43 − (16 + 1 + 20) s + 2 × 2 s for its new move 2 → home = 10 s. Robot 1 at 10.5
  // between its welds: 6 + (1.5 + 0.5) + 1 − 2 = 7 s (at 12: 9 s). Robot 2 at its start: 22 s.
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0], (WeldTransfer{.weld = 2,
                                     .from = 0,
                                     .to = 1,
                                     .position = 1,
                                     .candidate = 7,
                                     .makespan_before = 43.0,
                                     .makespan_after = 10.0,
                                     .taker_finish = 7.0}));
  EXPECT_EQ(ranked[1].to, 2);
  EXPECT_EQ(ranked[1].position, 0);
  EXPECT_DOUBLE_EQ(ranked[1].makespan_after, 22.0);
  // A third robot's finish bounds the prediction: robot 1 at 30 s.
  routes[1].finish = 30.0;
  ranked = RankWeldTransfers(routes, options, Distance);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].to, 2);
  EXPECT_DOUBLE_EQ(ranked[0].makespan_after, 30.0);
  EXPECT_DOUBLE_EQ(ranked[1].makespan_after, 31.0);
}

TEST(RankWeldTransfersTest, OnlyTheLastRobotGivesAndOnlyToARobotThatMayChange) {
  std::vector<RunRoute> routes{Route(0, {0, 1, 2}, {1, 2, 10}), Route(10, {3, 4}, {9, 11})};
  routes[1].may_change = false;
  EXPECT_TRUE(RankWeldTransfers(routes, Options(), Distance).empty());
  routes[1].may_change = true;
  routes[1].finish = 30.0;  // robot 1 finishes last: robot 0 welds none of its welds
  EXPECT_TRUE(RankWeldTransfers(routes, Options(), Distance).empty());
}

}  // namespace
}  // namespace weldcell::pipeline
