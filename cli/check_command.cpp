// `weldcell check cell.yaml`: load, validate and summarise a station.

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "planner/cell/load.hpp"

namespace weldcell::cli {
namespace {

constexpr double kDeg = 180.0 / std::numbers::pi;

std::size_t TriangleCount(const std::vector<cell::Geometry>& geometries) {
  std::size_t n = 0;
  for (const cell::Geometry& g : geometries) n += g.shape.triangle_count();
  return n;
}

const char* ShapeName(cell::ShapeKind kind) {
  switch (kind) {
    case cell::ShapeKind::kBox: return "box";
    case cell::ShapeKind::kCylinder: return "cylinder";
    case cell::ShapeKind::kSphere: return "sphere";
    case cell::ShapeKind::kMesh: return "mesh";
  }
  return "?";
}

// Limits are shown in the units an engineer reads on a datasheet: degrees for revolute joints.
std::string JointLine(const cell::Joint& j) {
  const bool revolute = j.type == cell::JointType::kRevolute;
  const double scale = revolute ? kDeg : 1.0;
  return fmt::format("{:<10} [{:8.1f}, {:8.1f}] {}  v {:6.1f} {}/s  a {:6.1f} {}/s²", j.name,
                     j.lower * scale, j.upper * scale, revolute ? "deg" : "m  ",
                     j.max_velocity * scale, revolute ? "deg" : "m", j.max_acceleration * scale,
                     revolute ? "deg" : "m");
}

void PrintText(const cell::Cell& c) {
  std::cout << fmt::format("cell {} ({})\n", c.name, c.source_file);
  std::cout << fmt::format("cycle time {:.1f} s, seed {}\n", c.cycle_time, c.settings.seed);
  std::cout << fmt::format("{} robot(s):\n", c.robots.size());
  for (const cell::Robot& r : c.robots) {
    const cell::RobotModel& m = *r.model;
    const Eigen::Vector3d p = r.X_WB.translation();
    std::cout << fmt::format("  {}: {} ({} joints), base at [{:.3f}, {:.3f}, {:.3f}] m, "
                             "controller {} program {}\n",
                             r.name, m.name, m.dof(), p.x(), p.y(), p.z(),
                             r.controller.dialect.empty() ? "-" : r.controller.dialect,
                             r.controller.program.empty() ? "-" : r.controller.program);
    for (const cell::Joint& j : m.joints) {
      if (j.movable()) std::cout << "      " << JointLine(j) << '\n';
    }
    std::size_t link_triangles = 0;
    for (const cell::Link& l : m.links) link_triangles += TriangleCount(l.collision);
    std::cout << fmt::format("      {} links, {} collision triangles\n", m.links.size(),
                             link_triangles);
    const cell::Tool& t = r.tool;
    std::cout << fmt::format("    tool {}: TCP at [{:.3f}, {:.3f}, {:.3f}] m from the flange, "
                             "approach {:.3f} m, close {:.2f} s, open {:.2f} s, {} shapes\n",
                             t.name, t.X_FT.translation().x(), t.X_FT.translation().y(),
                             t.X_FT.translation().z(), t.approach_distance, t.close_time,
                             t.open_time, t.collision.size());
  }
  double weld_time = 0;
  for (const cell::Weld& w : c.welds) weld_time += w.weld_time;
  std::cout << fmt::format("{} weld(s), {:.1f} s of weld time in total\n", c.welds.size(),
                           weld_time);
  std::cout << fmt::format("{} obstacle(s):\n", c.obstacles.size());
  for (const cell::Obstacle& o : c.obstacles) {
    const Eigen::Vector3d p = o.geometry.X_FG.translation();
    std::cout << fmt::format("  {:<16} {:<8} {:>8} triangles at [{:.3f}, {:.3f}, {:.3f}] m\n",
                             o.name, ShapeName(o.geometry.shape.kind),
                             o.geometry.shape.triangle_count(), p.x(), p.y(), p.z());
  }
}

nlohmann::ordered_json ToJson(const cell::Cell& c, const std::vector<Diagnostic>& warnings) {
  nlohmann::ordered_json j;
  j["cell"] = c.name;
  j["file"] = c.source_file;
  j["cycle_time"] = c.cycle_time;
  j["robots"] = nlohmann::ordered_json::array();
  for (const cell::Robot& r : c.robots) {
    j["robots"].push_back({{"name", r.name},
                           {"model", r.model->name},
                           {"dof", r.model->dof()},
                           {"tool", r.tool.name},
                           {"dialect", r.controller.dialect}});
  }
  j["welds"] = c.welds.size();
  j["obstacles"] = nlohmann::ordered_json::array();
  for (const cell::Obstacle& o : c.obstacles) {
    j["obstacles"].push_back({{"name", o.name},
                              {"shape", ShapeName(o.geometry.shape.kind)},
                              {"triangles", o.geometry.shape.triangle_count()}});
  }
  j["warnings"] = nlohmann::ordered_json::array();
  for (const Diagnostic& d : warnings) j["warnings"].push_back(d.ToString());
  return j;
}

}  // namespace

void RegisterCheck(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "check", "Load and validate a cell: print a summary, or every error (exit 2)");
  auto cell_file = std::make_shared<std::string>();
  cmd->add_option("cell", *cell_file, "The cell YAML")->required();
  cmd->callback([&global, exit_code, cell_file] {
    const cell::Loaded<cell::Cell> loaded = cell::LoadCell(*cell_file);
    for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
    if (global.json) {
      PrintJson(ToJson(loaded.value, loaded.warnings), std::cout);
    } else if (!global.quiet) {
      PrintText(loaded.value);
      std::cout << "ok\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace weldcell::cli
