#include "allocation/problem.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "allocation/generate.hpp"
#include "allocation/travel_time.hpp"
#include "tests/allocation/test_support.hpp"

namespace weldcell::allocation {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

Problem TwoTasks() {
  return testing::LineProblem({0.0, 10.0}, {{{1.0}, {2.0, 3.0}}, {{}, {9.0}}}, {0.5, 1.0});
}

TEST(CheckProblem, AcceptsAWellFormedProblem) { EXPECT_NO_THROW(CheckProblem(TwoTasks())); }

TEST(CheckProblem, ReportsEveryProblemWithItsPlace) {
  Problem p = TwoTasks();
  p.tasks[0].capabilities.clear();
  p.tasks[1].capabilities[0].options[1].duration = -2.0;
  p.tasks[1].capabilities[1].robot = RobotId{7};
  p.precedences = {{.before = TaskId{0}, .after = TaskId{5}}};
  try {
    CheckProblem(p);
    FAIL() << "expected ProblemError";
  } catch (const ProblemError& e) {
    const std::string text = e.what();
    EXPECT_THAT(text, HasSubstr("tasks[0] 't0': no robot can do it"));
    EXPECT_THAT(text, HasSubstr("tasks[1] 't1': robot 0 option 1: duration -2"));
    EXPECT_THAT(text, HasSubstr("tasks[1] 't1': robot id 7 out of range [0, 2)"));
    EXPECT_THAT(text, HasSubstr("precedences[0]: task id out of range (0 -> 5)"));
  }
}

TEST(CheckProblem, RejectsCyclicPrecedences) {
  Problem p = TwoTasks();
  p.precedences = {{.before = TaskId{0}, .after = TaskId{1}},
                   {.before = TaskId{1}, .after = TaskId{0}}};
  EXPECT_THROW(
      {
        try {
          CheckProblem(p);
        } catch (const ProblemError& e) {
          EXPECT_THAT(e.what(), MatchesRegex("precedences: cycle among 2 tasks"));
          throw;
        }
      },
      ProblemError);
}

TEST(CheckProblem, RejectsSitesThatAreNotFinite) {
  Problem p = TwoTasks();
  p.tasks[1].site = Site{0.0, std::numeric_limits<double>::quiet_NaN(), 0.0};
  p.robots[0].site = Site{std::numeric_limits<double>::infinity(), 0.0, 0.0};
  try {
    CheckProblem(p);
    FAIL() << "expected ProblemError";
  } catch (const ProblemError& e) {
    EXPECT_THAT(e.what(), HasSubstr("tasks[1]"));
    EXPECT_THAT(e.what(), HasSubstr("robots[0]: site is not finite"));
  }
}

// Task 1 is done by robots 0 (3 m away) and 1 (1.41 m away): robot 0 works 1.59 m farther.
// Task 0 only robot 0 does: no excess. Without every site, no excess.
TEST(SpatialExcess, IsTheDistanceBeyondTheNearestCapableRobot) {
  Problem p = TwoTasks();
  p.robots[0].site = Site{0.0, 0.0, 0.0};
  p.robots[1].site = Site{1.0, 3.0, 1.0};
  p.tasks[0].site = Site{5.0, 5.0, 5.0};
  p.tasks[1].site = Site{0.0, 3.0, 0.0};
  const double to_robot_1 = std::sqrt(2.0);
  EXPECT_NEAR(SpatialExcess(p, TaskId{1}, RobotId{0}), 3.0 - to_robot_1, 1e-12);
  EXPECT_EQ(SpatialExcess(p, TaskId{1}, RobotId{1}), 0.0);
  EXPECT_EQ(SpatialExcess(p, TaskId{0}, RobotId{0}), 0.0);
  EXPECT_EQ(SpatialExcess(p, TaskId{0}, RobotId{1}), 0.0);  // cannot do it
  p.robots[1].site.reset();
  EXPECT_EQ(SpatialExcess(p, TaskId{1}, RobotId{0}), 0.0);
}

TEST(CheckProblem, RejectsAMissingOracle) {
  Problem p = TwoTasks();
  p.travel = nullptr;
  EXPECT_THROW(CheckProblem(p), ProblemError);
}

TEST(NodeLayout, NumbersHomeThenOptionsInTaskOrder) {
  const Problem p = TwoTasks();
  const NodeLayout r0(p.tasks, RobotId{0});
  EXPECT_EQ(r0.num_nodes(), 4);
  EXPECT_EQ(r0.FirstNode(TaskId{0}), 1);
  EXPECT_EQ(r0.FirstNode(TaskId{1}), 2);
  EXPECT_EQ(r0.Node(Stop{.task = TaskId{1}, .option = 1}), 3);
  EXPECT_EQ(r0.StopOf(3), (Stop{.task = TaskId{1}, .option = 1}));
  EXPECT_TRUE(r0.StopOf(0).is_home());
  const NodeLayout r1(p.tasks, RobotId{1});
  EXPECT_EQ(r1.num_nodes(), 2);
  EXPECT_EQ(r1.FirstNode(TaskId{0}), -1);
}

TEST(EuclideanTravelTime, IsDistanceOverSpeed) {
  const Problem p = TwoTasks();
  const Stop a{.task = TaskId{0}, .option = 0};
  const Stop b{.task = TaskId{1}, .option = 1};
  EXPECT_DOUBLE_EQ(p.travel->Seconds(RobotId{0}, Stop::Home(), a), 1.0);
  EXPECT_DOUBLE_EQ(p.travel->Seconds(RobotId{0}, a, b), 2.0);
  EXPECT_DOUBLE_EQ(
      p.travel->Seconds(RobotId{1}, Stop::Home(), Stop{.task = TaskId{1}, .option = 0}), 1.0);
  std::vector<EuclideanRobot> bad(1);
  bad[0].home = Eigen::VectorXd::Zero(2);
  bad[0].speed = 0.0;
  EXPECT_THROW(EuclideanTravelTime{bad}, ProblemError);
}

TEST(DenseTravelTime, FromOracleReproducesTheOracle) {
  const Problem p =
      GenerateProblem({.num_robots = 3, .num_tasks = 12, .max_options = 3, .seed = 5});
  const DenseTravelTime dense = DenseTravelTime::FromOracle(p);
  for (int r = 0; r < p.num_robots(); ++r) {
    const NodeLayout layout(p.tasks, RobotId{r});
    for (int a = 0; a < layout.num_nodes(); ++a) {
      for (int b = 0; b < layout.num_nodes(); ++b) {
        if (a == b) continue;
        EXPECT_DOUBLE_EQ(dense.Seconds(RobotId{r}, layout.StopOf(a), layout.StopOf(b)),
                         p.travel->Seconds(RobotId{r}, layout.StopOf(a), layout.StopOf(b)));
      }
    }
  }
}

TEST(DenseTravelTime, RejectsWrongSizes) {
  const Problem p = TwoTasks();
  EXPECT_THROW(DenseTravelTime(p.tasks, {Eigen::MatrixXd::Zero(3, 3), Eigen::MatrixXd::Zero(2, 2)}),
               ProblemError);
  EXPECT_NO_THROW(
      DenseTravelTime(p.tasks, {Eigen::MatrixXd::Zero(4, 4), Eigen::MatrixXd::Zero(2, 2)}));
}

TEST(GenerateProblem, IsDeterministicAndWellFormed) {
  const GenerateConfig config{.num_robots = 4,
                              .num_tasks = 60,
                              .max_options = 5,
                              .reach_fraction = 0.5,
                              .num_precedences = 10,
                              .seed = 11};
  const Problem a = GenerateProblem(config);
  const Problem b = GenerateProblem(config);
  EXPECT_NO_THROW(CheckProblem(a));
  EXPECT_EQ(a.tasks, b.tasks);
  EXPECT_EQ(a.precedences, b.precedences);
  EXPECT_EQ(a.precedences.size(), 10u);
  int restricted = 0;
  for (const Task& t : a.tasks) {
    EXPECT_GE(t.capabilities.size(), 1u);
    for (const Capability& c : t.capabilities) EXPECT_LE(c.options.size(), 5u);
    restricted += t.capabilities.size() < 4 ? 1 : 0;
  }
  EXPECT_GT(restricted, 0) << "some tasks should be out of reach of some robots";
}

}  // namespace
}  // namespace weldcell::allocation
