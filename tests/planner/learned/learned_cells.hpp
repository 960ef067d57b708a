#pragma once
// Small cells for the learned travel-time tests: one test arm, welds on two tables, and (when
// asked) a wall between them that the straight joint move from one table to the other crosses.

#include "tests/planner/pipeline/pipeline_cells.hpp"

namespace weldcell::testing {

inline cell::Cell TablesCell(bool wall) {
  cell::Cell c = DetourCell();
  c.name = wall ? "tables_wall" : "tables";
  if (!wall) std::erase_if(c.obstacles, [](const cell::Obstacle& o) { return o.name == "wall"; });
  return c;
}

}  // namespace weldcell::testing
