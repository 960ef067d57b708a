#pragma once
// Cells for the pipeline tests: small, but with obstacles that force detours and robots that
// share space.

#include "tests/planner/test_cells.hpp"

namespace weldcell::testing {

/// One robot, four welds on two tables on either side of a wall: going from one side to the
/// other needs a detour around the wall.
inline cell::Cell DetourCell() {
  cell::Cell c;
  c.name = "detour";
  c.cycle_time = 60;
  c.robots.push_back(MakeTestRobot("R1", Eigen::Isometry3d::Identity()));
  c.robots[0].home = Eigen::VectorXd::Zero(6);
  c.robots[0].home[1] = -0.3;
  c.welds = {MakeWeld("L1", {1.2, -0.9, 0.6}), MakeWeld("L2", {1.4, -0.7, 0.6}),
             MakeWeld("R1", {1.2, 0.9, 0.6}), MakeWeld("R2", {1.4, 0.7, 0.6})};
  c.obstacles = {
      MakeObstacle("table_left", Box(0.6, 0.6, 0.6, Pose(1.3, -0.8, 0.3))),
      MakeObstacle("table_right", Box(0.6, 0.6, 0.6, Pose(1.3, 0.8, 0.3))),
      MakeObstacle("wall", Box(1.0, 0.05, 1.0, Pose(1.5, 0, 0.5))),
  };
  c.settings.reach.spin_step = 45.0 * kPi / 180.0;
  return c;
}

/// Two robots facing each other across a table; the middle welds suit both.
inline cell::Cell SharedCell() {
  cell::Cell c;
  c.name = "shared";
  c.cycle_time = 60;
  c.robots.push_back(MakeTestRobot("A", Eigen::Isometry3d::Identity()));
  c.robots.push_back(MakeTestRobot("B", Pose(3.2, 0, 0, 0, 0, kPi)));
  for (cell::Robot& r : c.robots) {
    r.home = Eigen::VectorXd::Zero(6);
    r.home[1] = -0.5;
    r.home[2] = -0.5;
  }
  for (int i = 0; i < 6; ++i) {
    c.welds.push_back(
        MakeWeld("W" + std::to_string(i), {1.1 + 0.2 * i, 0.3 * (i % 2 ? 1 : -1), 0.7}));
  }
  c.obstacles = {MakeObstacle("table", Box(1.4, 1.0, 0.7, Pose(1.6, 0, 0.35)))};
  c.settings.reach.spin_step = 45.0 * kPi / 180.0;
  return c;
}

}  // namespace weldcell::testing
