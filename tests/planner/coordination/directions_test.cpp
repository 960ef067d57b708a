#include "planner/coordination/directions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "planner/coordination/internal/diagram.hpp"

namespace weldcell::coordination {
namespace {

// Robots with three pieces of 1 s each; extended piece k + 1 is piece k.
const std::vector<double> kThree = {1.0, 1.0, 1.0};

TEST(PairDiagramBoundTest, FreeRobotsTakeTheLongerOfTheirOwnDurations) {
  EXPECT_NEAR(PairDiagramBound(kThree, {2.0, 2.5}, {}, false, 0.1), 4.5, 1e-9);
  EXPECT_NEAR(PairDiagramBound(kThree, {2.0, 2.5}, {}, true, 0.1), 4.5, 1e-9);
}

TEST(PairDiagramBoundTest, TouchingPiecesAtTheSameTimeCostOneOfThemAWait) {
  // Both middle pieces run over [1, 2] s: one robot waits for the other's, 1 s.
  EXPECT_NEAR(PairDiagramBound(kThree, kThree, {{2, 2}}, false, 0.05), 4.0, 0.051);
  // Robot a's first piece against b's last: apart in time forward, at once with b reversed.
  EXPECT_NEAR(PairDiagramBound(kThree, kThree, {{1, 3}}, false, 0.05), 3.0, 0.051);
  EXPECT_NEAR(PairDiagramBound(kThree, kThree, {{1, 3}}, true, 0.05), 4.0, 0.051);
}

TEST(PairDiagramBoundTest, EndsInEachOthersWayHaveNoPath) {
  // Where each robot stands at its end, the other stands at its own: they cannot both finish.
  EXPECT_EQ(PairDiagramBound(kThree, kThree, {{4, 4}}, false, 0.1),
            std::numeric_limits<double>::infinity());
  // Standing at the end in the way of the other's last piece: the other finishes that first.
  EXPECT_NEAR(PairDiagramBound(kThree, kThree, {{4, 3}}, false, 0.05), 3.0, 0.051);
}

TEST(PairDiagramBoundTest, ACoarsenedGridCountsItsOwnSteps) {
  // 300 s each, one piece each, touching: one after the other, 600 s, on a grid coarsened from
  // 0.05 s to 0.15 s (at most 2,000 points per axis).
  EXPECT_NEAR(PairDiagramBound({300.0}, {300.0}, {{1, 1}}, false, 0.05), 600.0, 0.31);
}

// The shortest path passes each obstacle on one side: the robot whose piece it runs first.
TEST(PairDiagramTest, TheShortestPathSaysWhichRobotGoesFirst) {
  // Robot a: 1 s, then 3 s; robot b: 3 s, then 1 s.
  const std::vector<double> a = {1.0, 3.0}, b = {3.0, 1.0};
  // Both first pieces touch: a first costs b 1 s (5 s), b first costs a 3 s (7 s).
  const internal::PairDiagram firsts(a, b, {{1, 1}}, false, 0.05);
  EXPECT_NEAR(firsts.Bound(), 5.0, 0.051);
  EXPECT_TRUE(firsts.AFirst(1, 1));
  // a's second piece [1, 4] s against b's first [0, 3] s: a first makes b wait 4 s (8 s), b
  // first makes a wait 2 s (6 s).
  const internal::PairDiagram second(a, b, {{2, 1}}, false, 0.05);
  EXPECT_NEAR(second.Bound(), 6.0, 0.051);
  EXPECT_FALSE(second.AFirst(2, 1));
  // With b reversed its 3 s piece comes second, [1, 4] s, against a's first [0, 1] s: apart.
  const internal::PairDiagram reversed(a, b, {{1, 1}}, true, 0.05);
  EXPECT_NEAR(reversed.Bound(), 4.0, 0.051);
  EXPECT_TRUE(reversed.AFirst(1, 1));
}

TEST(ChooseRouteDirectionsTest, ReversesTheRobotThatTakesTheWaitsAwayAndNoOther) {
  // Robots 0 and 1 work where they meet with their first pieces, robots 1 and 2 with their
  // last ones: turning robot 1 round parts both pairs; robot 2 is free of both others.
  const std::vector<std::vector<double>> durations = {kThree, kThree, kThree, kThree};
  const std::vector<TouchingPieces> touching = {{.a = 0, .b = 1, .pieces = {{1, 1}}},
                                                {.a = 1, .b = 2, .pieces = {{3, 3}}}};
  const RouteDirections d = ChooseRouteDirections(durations, touching);
  EXPECT_NEAR(d.bound_before, 4.0, 0.11);
  EXPECT_NEAR(d.bound_after, 3.0, 0.11);
  EXPECT_EQ(d.reverse, (std::vector<char>{0, 1, 0, 0}));
  // Kept forward, robot 1 cannot turn: turning 0 and 2 instead parts the pairs as well.
  const RouteDirections kept = ChooseRouteDirections(durations, touching, {0, 1, 0, 0});
  EXPECT_EQ(kept.reverse, (std::vector<char>{1, 0, 1, 0}));
  EXPECT_NEAR(kept.bound_after, 3.0, 0.11);
  // Nothing to gain: all forward.
  const RouteDirections none = ChooseRouteDirections(durations, {});
  EXPECT_EQ(none.reverse, (std::vector<char>(4, 0)));
  EXPECT_NEAR(none.bound_before, 3.0, 1e-9);
  EXPECT_NEAR(none.bound_after, 3.0, 1e-9);
}

// Beyond 16 robots the choice flips single robots; a chain where every second robot turning
// parts every pair is found that way too.
TEST(ChooseRouteDirectionsTest, ManyRobotsAreTurnedOneAtATime) {
  const int n = 20;
  const std::vector<std::vector<double>> durations(n, kThree);
  std::vector<TouchingPieces> touching;
  // Neighbours' first pieces touch: at once when both run the same way.
  for (int r = 0; r + 1 < n; ++r) touching.push_back({.a = r, .b = r + 1, .pieces = {{1, 1}}});
  const RouteDirections d = ChooseRouteDirections(durations, touching);
  EXPECT_NEAR(d.bound_before, 4.0, 0.11);
  EXPECT_NEAR(d.bound_after, 3.0, 0.11);
  for (int r = 0; r + 1 < n; ++r) EXPECT_NE(d.reverse[r], d.reverse[r + 1]) << "robot " << r;
}

}  // namespace
}  // namespace weldcell::coordination
