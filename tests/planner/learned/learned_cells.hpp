#pragma once
// Small cells for the learned travel-time tests: one test arm, welds on two tables, and (when
// asked) a wall between them that the straight joint move from one table to the other crosses.

#include "tests/planner/pipeline/pipeline_cells.hpp"

namespace weldcell::testing {

// The detour cell's wall stands 1.6 m high here (1 m there): the arm cannot lift the gun over
// it with a small detour, which the fastest of several plans (motion::kTravelPlans) finds over
// the lower one, so the planned move is clearly longer than the straight one.
inline cell::Cell TablesCell(bool wall) {
  cell::Cell c = DetourCell();
  c.name = wall ? "tables_wall" : "tables";
  std::erase_if(c.obstacles, [](const cell::Obstacle& o) { return o.name == "wall"; });
  if (wall) c.obstacles.push_back(MakeObstacle("wall", Box(1.0, 0.05, 1.6, Pose(1.5, 0, 0.8))));
  return c;
}

}  // namespace weldcell::testing
