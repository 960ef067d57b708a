#include "planner/coordination/critical_path.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "planner/coordination/coordinate.hpp"

namespace weldcell::coordination {
namespace {

// A robot's timeline of dwells (weld id, s) and waits (id "wait", s), standing still throughout.
motion::RobotTrajectory Timeline(const std::vector<std::pair<std::string, double>>& steps) {
  motion::RobotTrajectory t(Eigen::VectorXd::Zero(1));
  for (const auto& [id, seconds] : steps) {
    if (id == "wait") {
      t.AppendWait("here", seconds);
    } else {
      t.AppendWeldDwell(id, seconds);
    }
  }
  return t;
}

ZoneUse Use(int robot, int acquire_segment, double release_time) {
  return {.robot = robot,
          .acquire_segment = acquire_segment,
          .release_segment = acquire_segment + 1,
          .release_time = release_time};
}

std::vector<int> Critical(const CoordinationResult& result) {
  std::vector<int> out;
  const std::vector<char> critical = CriticalRobots(result);
  for (std::size_t r = 0; r < critical.size(); ++r) {
    if (critical[r]) out.push_back(static_cast<int>(r));
  }
  return out;
}

// R0 finishes last (6 s) after waiting until 4 s for R1's release; R1 waited until 3 s for R2.
// R1 also waits later (4–5 s) for R3, but after the release R0 waited for: R3 is not on the path,
// nor R4, which nobody waits for.
CoordinationResult Chain() {
  CoordinationResult c;
  c.trajectories = {
      Timeline({{"A", 1}, {"wait", 3}, {"B", 2}}),  // R0: 0–1, wait 1–4, 4–6
      Timeline({{"C", 1}, {"wait", 2}, {"D", 1}, {"wait", 1}, {"E", 0.5}}),  // R1: release 4
      Timeline({{"F", 3}}),                                                  // R2: releases at 3
      Timeline({{"G", 5}}),                                                  // R3: releases at 5
      Timeline({{"H", 5.5}}),                                                // R4
  };
  c.zones = {{.id = "Z1", .uses = {Use(1, 2, 4.0), Use(0, 2, 6.0)}},
             {.id = "Z2", .uses = {Use(2, 0, 3.0), Use(1, 2, 4.0)}},
             {.id = "Z3", .uses = {Use(3, 0, 5.0), Use(1, 4, 5.5)}}};
  c.conflict_free = true;
  return c;
}

TEST(CriticalRobotsTest, FollowsTheBindingWaitsBackInTime) {
  EXPECT_EQ(Critical(Chain()), (std::vector<int>{0, 1, 2}));
}

TEST(CriticalRobotsTest, TheLatestReleaseBindsAndAWeldSignalCounts) {
  CoordinationResult c = Chain();
  // R0's wait now also acquires a zone R4 released at 2 s (not binding: R1's release at 4 s is).
  c.zones.push_back({.id = "Z4", .uses = {Use(4, 0, 2.0), Use(0, 2, 6.0)}});
  EXPECT_EQ(Critical(c), (std::vector<int>{0, 1, 2}));
  // Without Z1, R0 waited for R4 (2 s) and nothing explains the rest of its wait.
  c.zones.erase(c.zones.begin());
  EXPECT_EQ(Critical(c), (std::vector<int>{0, 4}));
  // A weld signal where R0's wait ends: R2's weld F ends at 3 s, later than R4's release; R3's
  // weld G ends at 5 s, after the wait, so it did not hold R0 up.
  c.weld_signals.push_back({.robot = 0, .segment = 2, .weld = "F"});
  c.weld_signals.push_back({.robot = 0, .segment = 2, .weld = "G"});
  EXPECT_EQ(Critical(c), (std::vector<int>{0, 2}));
}

TEST(CriticalRobotsTest, RobotsFinishingWithinTheTieAreCriticalAndUnexplainedWaitsAreSteppedOver) {
  CoordinationResult c = Chain();
  c.trajectories[4] = Timeline({{"H", 6.0 - kCriticalTie / 2}});
  EXPECT_EQ(Critical(c), (std::vector<int>{0, 1, 2, 4}));
  c.trajectories[4] = Timeline({{"H", 6.0 - 2 * kCriticalTie}});
  EXPECT_EQ(Critical(c), (std::vector<int>{0, 1, 2}));
  // R0's wait explained by nothing: the walk goes on before it (and finds no other wait).
  c.zones.erase(c.zones.begin());
  EXPECT_EQ(Critical(c), (std::vector<int>{0}));
  // An unexplained last wait (3–4 s) is stepped over to the wait before it (1–2 s), which R1's
  // release at 2 s explains.
  CoordinationResult stepped;
  stepped.trajectories = {
      Timeline({{"A", 1}, {"wait", 1}, {"B", 1}, {"wait", 1}, {"C", 2}}),  // R0: ends at 6
      Timeline({{"D", 2}}),                                                // R1: releases at 2
  };
  stepped.zones = {{.id = "Z1", .uses = {Use(1, 0, 2.0), Use(0, 2, 3.0)}}};
  EXPECT_EQ(Critical(stepped), (std::vector<int>{0, 1}));
  // No robot with a timeline: nobody.
  EXPECT_EQ(Critical(CoordinationResult{}), std::vector<int>{});
}

}  // namespace
}  // namespace weldcell::coordination
