#include "planner/plan/cell_hash.hpp"

#include <gtest/gtest.h>

namespace weldcell::plan {
namespace {

cell::Cell TinyCell() {
  cell::Cell c;
  c.name = "tiny";
  c.cycle_time = 10;
  c.welds.push_back({.id = "W1", .p_W = {1, 0, 0.5}, .n_W = {0, 0, 1}, .weld_time = 0.5});
  c.obstacles.push_back({.name = "box", .geometry = {.shape = cell::Shape::Box({0.1, 0.2, 0.3})}});
  return c;
}

TEST(CellHashTest, StableAndSensitiveToEveryPlanningInput) {
  const cell::Cell a = TinyCell();
  const std::string h = CellHash(a);
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(CellHash(TinyCell()), h);

  cell::Cell moved_weld = a;
  moved_weld.welds[0].p_W.x() += 1e-6;
  EXPECT_NE(CellHash(moved_weld), h);

  cell::Cell bigger_box = a;
  bigger_box.obstacles[0].geometry.shape.box_size.z() = 0.31;
  EXPECT_NE(CellHash(bigger_box), h);

  cell::Cell other_seed = a;
  other_seed.settings.seed = 2;
  EXPECT_NE(CellHash(other_seed), h);

  cell::Cell other_file = a;
  other_file.source_file = "elsewhere/cell.yaml";  // where it came from does not matter
  EXPECT_EQ(CellHash(other_file), h);
}

}  // namespace
}  // namespace weldcell::plan
