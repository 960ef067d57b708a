#pragma once
// Small cells for the learned travel-time tests: one test arm, welds on two tables, and (when
// asked) a wall between them that the straight joint move from one table to the other crosses.

#include "tests/planner/test_cells.hpp"

namespace weldcell::testing {

inline cell::Cell TablesCell(bool wall) {
  cell::Cell c;
  c.name = wall ? "tables_wall" : "tables";
  c.cycle_time = 60;
  c.robots.push_back(MakeTestRobot("R1", Eigen::Isometry3d::Identity()));
  c.robots[0].home = Eigen::VectorXd::Zero(6);
  c.robots[0].home[1] = -0.3;
  c.welds = {MakeWeld("L1", {1.2, -0.9, 0.6}), MakeWeld("L2", {1.4, -0.7, 0.6}),
             MakeWeld("R1", {1.2, 0.9, 0.6}), MakeWeld("R2", {1.4, 0.7, 0.6})};
  c.obstacles = {
      MakeObstacle("table_left", Box(0.6, 0.6, 0.6, Pose(1.3, -0.8, 0.3))),
      MakeObstacle("table_right", Box(0.6, 0.6, 0.6, Pose(1.3, 0.8, 0.3))),
  };
  if (wall) c.obstacles.push_back(MakeObstacle("wall", Box(1.0, 0.05, 1.0, Pose(1.5, 0, 0.5))));
  c.settings.reach.spin_step = 45.0 * kPi / 180.0;
  return c;
}

}  // namespace weldcell::testing
