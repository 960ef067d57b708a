#include "allocation/problem.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
