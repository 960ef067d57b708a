#include "allocation/solution.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/allocation/test_support.hpp"

namespace weldcell::allocation {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Robot 0 at 0 does A (x=1, 2 s) then C (x=3, 1 s); robot 1 at 10 does B (x=9, 1 s), which must
// wait for A.
Problem WaitExample() {
  return testing::LineProblem({0.0, 10.0}, {{{1.0}, {}, {3.0}}, {{}, {9.0}, {}}}, {2.0, 1.0, 1.0},
                              {{.before = TaskId{0}, .after = TaskId{1}}});
}

Solution WaitSolution() {
  return Solution{.routes = {{{.task = TaskId{0}, .option = 0}, {.task = TaskId{2}, .option = 0}},
                             {{.task = TaskId{1}, .option = 0}}}};
}

TEST(Evaluate, SimulatesTravelWorkAndWaits) {
  const Evaluation e = Evaluate(WaitExample(), WaitSolution());
  ASSERT_TRUE(e.feasible);
  // Robot 0: out 1, A 1..3, move 2, C 5..6, back 3 -> 9. Robot 1: arrives at 1, waits until A
  // ends at 3, B 3..4, back 1 -> 5.
  EXPECT_THAT(e.start, ElementsAre(1.0, 3.0, 5.0));
  EXPECT_EQ(e.robots[0], (RobotTimes{.travel = 6.0, .work = 3.0, .wait = 0.0, .end = 9.0}));
  EXPECT_EQ(e.robots[1], (RobotTimes{.travel = 2.0, .work = 1.0, .wait = 2.0, .end = 5.0}));
  EXPECT_EQ(e.cost, (Cost{.makespan = 9.0, .total = 12.0}));
}

// The wait example without the precedence, with A and B exclusive: B's robot, whose visit
// (travel in and work, from t = 0) would overlap A's (0..3), departs when A ends.
TEST(Evaluate, ExclusiveVisitsDoNotOverlapInTime) {
  Problem p =
      testing::LineProblem({0.0, 10.0}, {{{1.0}, {}, {3.0}}, {{}, {9.0}, {}}}, {2.0, 1.0, 1.0});
  const Evaluation blind = Evaluate(p, WaitSolution());
  EXPECT_THAT(blind.start, ElementsAre(1.0, 1.0, 5.0));
  p.exclusions =
      std::make_shared<testing::TaskExclusions>(std::vector<std::pair<int, int>>{{0, 1}});
  const Evaluation e = Evaluate(p, WaitSolution());
  ASSERT_TRUE(e.feasible);
  // Robot 0 (the lower index at equal clocks) goes first: A 1..3, C 5..6, home at 9. Robot 1
  // waits at home until 3, arrives at 4, B 4..5, home at 6.
  EXPECT_THAT(e.start, ElementsAre(1.0, 4.0, 5.0));
  EXPECT_EQ(e.robots[0], (RobotTimes{.travel = 6.0, .work = 3.0, .wait = 0.0, .end = 9.0}));
  EXPECT_EQ(e.robots[1], (RobotTimes{.travel = 2.0, .work = 1.0, .wait = 3.0, .end = 6.0}));
  EXPECT_EQ(e.cost, (Cost{.makespan = 9.0, .total = 12.0}));
}

// Exclusive visits that do not overlap in time (B over 0..2, C over 3..6) wait for nothing.
TEST(Evaluate, ExclusiveVisitsApartInTimeDoNotWait) {
  Problem p =
      testing::LineProblem({0.0, 10.0}, {{{1.0}, {}, {3.0}}, {{}, {9.0}, {}}}, {2.0, 1.0, 1.0});
  p.exclusions =
      std::make_shared<testing::TaskExclusions>(std::vector<std::pair<int, int>>{{1, 2}});
  const Evaluation e = Evaluate(p, WaitSolution());
  EXPECT_THAT(e.start, ElementsAre(1.0, 1.0, 5.0));
  EXPECT_EQ(e.robots[1].wait, 0.0);
  EXPECT_EQ(e.cost, (Cost{.makespan = 9.0, .total = 12.0}));
}

TEST(Evaluate, EmptyRobotsStayHome) {
  const Problem p = testing::LineProblem({0.0, 5.0}, {{{2.0}}, {{3.0}}}, {1.0});
  const Evaluation e = Evaluate(p, Solution{.routes = {{{.task = TaskId{0}, .option = 0}}, {}}});
  EXPECT_EQ(e.robots[1], RobotTimes{});
  EXPECT_EQ(e.cost, (Cost{.makespan = 5.0, .total = 5.0}));
}

TEST(Validate, AcceptsAValidSolutionAndRecomputesItsCost) {
  const Validation v = Validate(WaitExample(), WaitSolution());
  EXPECT_TRUE(v.ok()) << ::testing::PrintToString(v.errors);
  EXPECT_EQ(v.evaluation.cost, (Cost{.makespan = 9.0, .total = 12.0}));
}

TEST(Validate, ReportsMissingDuplicateIneligibleAndBadOptions) {
  Solution s = WaitSolution();
  s.routes[1].push_back({.task = TaskId{0}, .option = 0});  // twice, and robot 1 cannot do it
  s.routes[0][1].option = 4;                                // C has one option
  s.routes[0].push_back({.task = TaskId{9}, .option = 0});  // no such task
  const Validation v = Validate(WaitExample(), s);
  EXPECT_FALSE(v.ok());
  const std::string all = ::testing::PrintToString(v.errors);
  EXPECT_THAT(all, HasSubstr("routes[1][1]: task 0: robot 1 cannot do it"));
  EXPECT_THAT(all, HasSubstr("routes[0][1]: task 2: option 4 out of range [0, 1)"));
  EXPECT_THAT(all, HasSubstr("routes[0][2]: task 9: no such task"));
  EXPECT_THAT(all, HasSubstr("task 0 't0' is visited 2 times, expected once"));

  Solution missing = WaitSolution();
  missing.routes[0].pop_back();
  EXPECT_THAT(::testing::PrintToString(Validate(WaitExample(), missing).errors),
              HasSubstr("task 2 't2' is visited 0 times"));
  EXPECT_FALSE(Validate(WaitExample(), Solution{.routes = {{}}}).ok());
}

TEST(Validate, DetectsDeadlockBetweenRoutesAndPrecedences) {
  // C before B and B before A, but robot 0 does A before C: every robot would wait forever.
  Problem p = WaitExample();
  p.precedences = {{.before = TaskId{2}, .after = TaskId{1}},
                   {.before = TaskId{1}, .after = TaskId{0}}};
  const Validation v = Validate(p, WaitSolution());
  EXPECT_FALSE(v.ok());
  EXPECT_FALSE(v.evaluation.feasible);
  EXPECT_THAT(::testing::PrintToString(v.errors), HasSubstr("form a cycle"));
  // Same robot: a precedence against the route order is a deadlock too.
  Problem q = WaitExample();
  q.precedences = {{.before = TaskId{2}, .after = TaskId{0}}};
  EXPECT_FALSE(Validate(q, WaitSolution()).ok());
}

TEST(Better, IsLexicographicWithTolerance) {
  EXPECT_TRUE(Better({.makespan = 1.0, .total = 9.0}, {.makespan = 2.0, .total = 1.0}));
  EXPECT_TRUE(Better({.makespan = 2.0, .total = 1.0}, {.makespan = 2.0, .total = 3.0}));
  EXPECT_FALSE(Better({.makespan = 2.0, .total = 3.0}, {.makespan = 2.0, .total = 3.0}));
  EXPECT_FALSE(Better({.makespan = 2.0 - 1e-13, .total = 3.0}, {.makespan = 2.0, .total = 3.0}));
}

}  // namespace
}  // namespace weldcell::allocation
