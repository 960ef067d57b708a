// Every shipped robot, gun and station loads without errors (robots/, cells/).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numbers>

#include "planner/cell/load.hpp"

namespace weldcell::cell {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Glob(const fs::path& dir, const std::string& file_name,
                           const std::string& extension) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!file_name.empty() && entry.is_directory() &&
        fs::is_regular_file(entry.path() / file_name)) {
      out.push_back(entry.path() / file_name);
    } else if (!extension.empty() && entry.is_regular_file() &&
               entry.path().extension() == extension) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Warnings(const std::vector<Diagnostic>& warnings) {
  std::string out;
  for (const Diagnostic& d : warnings) out += d.ToString() + "\n";
  return out;
}

TEST(ShippedDataTest, EveryRobotModelLoads) {
  const std::vector<fs::path> robots = Glob("robots", "robot.yaml", "");
  EXPECT_GE(robots.size(), 3u) << "the product ships at least three robots";
  for (const fs::path& file : robots) {
    SCOPED_TRACE(file.string());
    Loaded<std::shared_ptr<const RobotModel>> loaded;
    ASSERT_NO_THROW(loaded = LoadRobotModel(file)) << file;
    const RobotModel& model = *loaded.value;
    EXPECT_EQ(model.dof(), 6);
    EXPECT_EQ(model.name, file.parent_path().filename().string());
    EXPECT_TRUE((model.acceleration_limits().array() > 0.0).all());
    EXPECT_TRUE((model.velocity_limits().array() > 0.0).all());
    EXPECT_TRUE((model.lower_limits().array() < model.upper_limits().array()).all());
    EXPECT_EQ(model.controller.offsets.size(), 6u);
    EXPECT_EQ(model.controller.signs.size(), 6u);
    EXPECT_TRUE(loaded.warnings.empty()) << Warnings(loaded.warnings);
  }
}

TEST(ShippedDataTest, EveryToolLoads) {
  const std::vector<fs::path> tools = Glob("robots/tools", "", ".yaml");
  EXPECT_GE(tools.size(), 2u) << "the product ships at least two guns";
  for (const fs::path& file : tools) {
    SCOPED_TRACE(file.string());
    Loaded<Tool> loaded;
    ASSERT_NO_THROW(loaded = LoadTool(file)) << file;
    const Tool& tool = loaded.value;
    EXPECT_FALSE(tool.collision.empty());
    EXPECT_GT(tool.X_FT.translation().norm(), 0.05);  // the TCP is well in front of the flange
    EXPECT_GT(tool.approach_distance, 0.0);
    EXPECT_GT(tool.weld_time, 0.0);
    EXPECT_TRUE(loaded.warnings.empty()) << Warnings(loaded.warnings);
  }
}

TEST(ShippedDataTest, EveryCellLoadsAndTheDemoStationExists) {
  EXPECT_TRUE(fs::is_regular_file("cells/demo/cell.yaml"));
  const std::vector<fs::path> cells = Glob("cells", "cell.yaml", "");
  EXPECT_FALSE(cells.empty());
  for (const fs::path& file : cells) {
    SCOPED_TRACE(file.string());
    Loaded<Cell> loaded;
    ASSERT_NO_THROW(loaded = LoadCell(file)) << file;
    const Cell& cell = loaded.value;
    EXPECT_GT(cell.cycle_time, 0.0);
    EXPECT_FALSE(cell.robots.empty());
    EXPECT_FALSE(cell.welds.empty());
    for (const Robot& robot : cell.robots) {
      ASSERT_TRUE(robot.model);
      EXPECT_EQ(robot.home.size(), robot.model->dof());
      EXPECT_FALSE(robot.tool.collision.empty());
    }
    for (const Weld& weld : cell.welds) {
      EXPECT_NEAR(weld.n_W.norm(), 1.0, 1e-12) << weld.id;
      EXPECT_LE(weld.spin_min, weld.spin_max) << weld.id;
    }
    EXPECT_TRUE(loaded.warnings.empty()) << Warnings(loaded.warnings);
  }
}

TEST(ShippedDataTest, DemoStation) {
  const Loaded<Cell> loaded = LoadCell("cells/demo/cell.yaml");
  const Cell& cell = loaded.value;
  EXPECT_EQ(cell.name, "demo");
  ASSERT_EQ(cell.robots.size(), 2u);
  EXPECT_NE(cell.robots[0].name, cell.robots[1].name);
  EXPECT_FALSE(cell.robots[0].controller.dialect.empty());
  // Stations are written in mm: a base at metres from the origin, not kilometres.
  for (const Robot& robot : cell.robots) {
    EXPECT_LT(robot.X_WB.translation().norm(), 10.0) << robot.name;
    EXPECT_LE(robot.home.cwiseAbs().maxCoeff(), 2 * std::numbers::pi) << robot.name;
  }
  for (const Weld& weld : cell.welds) EXPECT_LT(weld.p_W.norm(), 10.0) << weld.id;
}

}  // namespace
}  // namespace weldcell::cell
