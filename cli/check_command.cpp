// `weldcell check cell.yaml`: load, validate and summarise a station.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/kinematics/ik.hpp"
#include "planner/kinematics/opw_ik.hpp"
#include "planner/verify/station_check.hpp"
#include "planner/verify/verify.hpp"
#include "report/requirements.hpp"

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
    case cell::ShapeKind::kBox:
      return "box";
    case cell::ShapeKind::kCylinder:
      return "cylinder";
    case cell::ShapeKind::kSphere:
      return "sphere";
    case cell::ShapeKind::kMesh:
      return "mesh";
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

// Which IK solver a robot gets (kinematics::MakeIkSolver) and why.
struct IkInfo {
  std::string solver;  // "opw" or "numeric"
  std::optional<kinematics::OpwParameters> opw;
  std::string why_numeric;
};

IkInfo DescribeIk(const kinematics::Chain& chain) {
  IkInfo info;
  const std::unique_ptr<kinematics::IkSolver> solver =
      kinematics::MakeIkSolver(chain, &info.why_numeric);
  info.solver = std::string(solver->name());
  if (const auto* opw = dynamic_cast<const kinematics::OpwIk*>(solver.get())) {
    info.opw = opw->parameters();
    info.why_numeric.clear();
  }
  return info;
}

std::string IkText(const IkInfo& ik) {
  if (!ik.opw) {
    return "numeric (Levenberg–Marquardt with seeded restarts): not OPW: " + ik.why_numeric;
  }
  const kinematics::OpwParameters& p = *ik.opw;
  std::string offsets, signs;
  for (int i = 0; i < 6; ++i) {
    // Extraction noise (1e-15 rad) shown as the 0 it is.
    const double deg = std::abs(p.offsets[i]) < 1e-9 ? 0.0 : p.offsets[i] * kDeg;
    offsets += fmt::format("{}{:.6g}", i ? ", " : "", deg);
    signs += fmt::format("{}{:g}", i ? ", " : "", p.signs[i]);
  }
  return fmt::format(
      "analytic OPW: a1 {:.1f}, a2 {:.1f}, b {:.1f}, c1 {:.1f}, c2 {:.1f}, c3 {:.1f}, c4 {:.1f} "
      "mm; "
      "offsets [{}] deg, signs [{}]",
      p.a1 * 1000, p.a2 * 1000, p.b * 1000, p.c1 * 1000, p.c2 * 1000, p.c3 * 1000, p.c4 * 1000,
      offsets, signs);
}

// Short body name within its robot: the link name, or "gun".
std::string BodyName(const collision::CollisionWorld& world, int robot, int body) {
  const collision::BodyRef ref = world.robot_body(robot, body);
  const std::string_view name = ref.name;
  return std::string(name.substr(name.find('/') + 1));
}

std::string ReasonText(collision::AllowedReason reason, int samples) {
  if (reason == collision::AllowedReason::kNeverColliding) {
    return fmt::format("never in contact in {} samples", samples);
  }
  return std::string(collision::ToString(reason));
}

// The excused self pairs of a robot, grouped by reason, in the order the rule applies them.
struct ExcusedPairs {
  collision::AllowedReason reason;
  std::vector<std::pair<std::string, std::string>> pairs;
};

std::vector<ExcusedPairs> Excused(const collision::CollisionWorld& world, int robot) {
  using collision::AllowedReason;
  const collision::AllowedCollisionMatrix& acm = world.allowed_collisions(robot);
  std::vector<ExcusedPairs> out;
  for (const AllowedReason reason :
       {AllowedReason::kAdjacent, AllowedReason::kRigid, AllowedReason::kNoGeometry,
        AllowedReason::kDeclared, AllowedReason::kCollidingAtHome,
        AllowedReason::kNeverColliding}) {
    ExcusedPairs group{.reason = reason, .pairs = {}};
    for (int a = 0; a < acm.body_count(); ++a) {
      for (int b = a + 1; b < acm.body_count(); ++b) {
        if (acm.reason(a, b) == reason) {
          group.pairs.emplace_back(BodyName(world, robot, a), BodyName(world, robot, b));
        }
      }
    }
    if (!group.pairs.empty()) out.push_back(std::move(group));
  }
  return out;
}

// Per robot (cell order) the name of its program ("" without a controller).
std::vector<std::string> ProgramNames(const cell::Cell& c,
                                      const exporters::CellPrograms& programs) {
  std::vector<std::string> names(c.robots.size());
  for (const exporters::CellProgram& p : programs.programs) {
    names.at(static_cast<std::size_t>(p.robot)) = p.name;
  }
  return names;
}

// `programs`: per robot its program's name (ProgramNames).
void PrintText(const cell::Cell& c, const collision::CollisionWorld& planner_world,
               const collision::CollisionWorld& verifier_world,
               const std::vector<std::string>& programs) {
  std::cout << fmt::format("cell {} ({})\n", c.name, c.source_file);
  std::cout << fmt::format("cycle time {} s, seed {}\n", report::CycleTimeText(c.cycle_time),
                           c.settings.seed);
  std::cout << fmt::format("{} robot(s):\n", c.robots.size());
  for (std::size_t i = 0; i < c.robots.size(); ++i) {
    const cell::Robot& r = c.robots[i];
    const int r_index = static_cast<int>(i);
    const cell::RobotModel& m = *r.model;
    const Eigen::Vector3d p = r.X_WB.translation();
    std::cout << fmt::format(
        "  {}: {} ({} joints), base at [{:.3f}, {:.3f}, {:.3f}] m, "
        "controller {} program {}\n",
        r.name, m.name, m.dof(), p.x(), p.y(), p.z(),
        r.controller.dialect.empty() ? "-" : r.controller.dialect,
        programs[i].empty() ? "-" : programs[i]);
    for (const cell::Joint& j : m.joints) {
      if (j.movable()) std::cout << "      " << JointLine(j) << '\n';
    }
    // Primitive shapes (boxes, cylinders, spheres) have no triangles: count shapes as well.
    std::size_t link_shapes = 0, link_triangles = 0;
    for (const cell::Link& l : m.links) {
      link_shapes += l.collision.size();
      link_triangles += TriangleCount(l.collision);
    }
    std::cout << fmt::format("      {} links, {} collision shapes ({} mesh triangles)\n",
                             m.links.size(), link_shapes, link_triangles);
    std::cout << "      IK: " << IkText(DescribeIk(planner_world.chain(r_index))) << '\n';
    const collision::AllowedCollisionMatrix& acm = planner_world.allowed_collisions(r_index);
    const int pairs = acm.body_count() * (acm.body_count() - 1) / 2;
    std::cout << fmt::format(
        "      self-collision pairs (links and gun): {} of {} checked by the planner, {} by "
        "the verifier; excused:\n",
        acm.checked_pair_count(), pairs,
        verifier_world.allowed_collisions(r_index).checked_pair_count());
    for (const ExcusedPairs& group : Excused(planner_world, r_index)) {
      std::string list;
      for (const auto& [a, b] : group.pairs) {
        list.append(list.empty() ? "" : ", ").append(a).append("–").append(b);
      }
      std::cout << fmt::format(
          "        {}{}: {}\n", ReasonText(group.reason, planner_world.options().acm_samples),
          collision::IsStructural(group.reason) ? "" : " (planner only)", list);
    }
    const cell::Tool& t = r.tool;
    std::cout << fmt::format(
        "    tool {}: TCP at [{:.3f}, {:.3f}, {:.3f}] m from the flange, "
        "approach {:.3f} m, close {:.2f} s, open {:.2f} s, {} shapes\n",
        t.name, t.X_FT.translation().x(), t.X_FT.translation().y(), t.X_FT.translation().z(),
        t.approach_distance, t.close_time, t.open_time, t.collision.size());
  }
  // A weld without its own time takes the default of the gun that welds it: before allocation
  // the total is known only within the guns' range.
  double least = 0, most = 0;
  for (const cell::Weld& w : c.welds) {
    double lo = c.robots.empty() ? w.weld_time : std::numeric_limits<double>::infinity();
    double hi = c.robots.empty() ? w.weld_time : 0.0;
    for (const cell::Robot& r : c.robots) {
      lo = std::min(lo, cell::EffectiveWeldTime(w, r.tool));
      hi = std::max(hi, cell::EffectiveWeldTime(w, r.tool));
    }
    least += lo;
    most += hi;
  }
  if (most - least < 1e-9 * std::max(1.0, most)) {
    std::cout << fmt::format("{} weld(s), {:.2f} s of weld time in total\n", c.welds.size(), most);
  } else {
    std::cout << fmt::format(
        "{} weld(s), {:.2f} to {:.2f} s of weld time in total (welds without a weld_time take "
        "the default of the gun that welds them)\n",
        c.welds.size(), least, most);
  }
  std::cout << fmt::format("{} obstacle(s):\n", c.obstacles.size());
  for (const cell::Obstacle& o : c.obstacles) {
    const Eigen::Vector3d p = o.geometry.X_FG.translation();
    const bool mesh = o.geometry.shape.kind == cell::ShapeKind::kMesh;
    std::cout << fmt::format(
        "  {:<16} {:<8} {:>18} at [{:.3f}, {:.3f}, {:.3f}] m{}\n", o.name,
        ShapeName(o.geometry.shape.kind),
        mesh ? fmt::format("{} triangles", o.geometry.shape.triangle_count()) : std::string(),
        p.x(), p.y(), p.z(),
        !mesh           ? ""
        : o.closed_mesh ? ", closed mesh (solid for containment checks)"
                        : ", open surface");
  }
}

nlohmann::ordered_json IkJson(const IkInfo& ik) {
  nlohmann::ordered_json j;
  j["solver"] = ik.solver;
  if (ik.opw) {
    const kinematics::OpwParameters& p = *ik.opw;
    j["opw"] = {{"a1", p.a1}, {"a2", p.a2},           {"b", p.b},
                {"c1", p.c1}, {"c2", p.c2},           {"c3", p.c3},
                {"c4", p.c4}, {"offsets", p.offsets}, {"signs", p.signs}};
  } else {
    j["reason"] = "not OPW: " + ik.why_numeric;
  }
  return j;
}

nlohmann::ordered_json PairsJson(const collision::CollisionWorld& planner_world,
                                 const collision::CollisionWorld& verifier_world, int robot) {
  nlohmann::ordered_json j;
  j["checked_by_planner"] = planner_world.allowed_collisions(robot).checked_pair_count();
  j["checked_by_verifier"] = verifier_world.allowed_collisions(robot).checked_pair_count();
  j["samples"] = planner_world.options().acm_samples;
  j["excused"] = nlohmann::ordered_json::array();
  for (const ExcusedPairs& group : Excused(planner_world, robot)) {
    for (const auto& [a, b] : group.pairs) {
      j["excused"].push_back({{"a", a},
                              {"b", b},
                              {"reason", collision::ToString(group.reason)},
                              {"planner_only", !collision::IsStructural(group.reason)}});
    }
  }
  return j;
}

nlohmann::ordered_json ToJson(const cell::Cell& c, const collision::CollisionWorld& planner_world,
                              const collision::CollisionWorld& verifier_world,
                              const std::vector<std::string>& programs,
                              const std::vector<Diagnostic>& warnings) {
  nlohmann::ordered_json j;
  j["cell"] = c.name;
  j["file"] = c.source_file;
  j["cycle_time"] = c.cycle_time;
  j["robots"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < c.robots.size(); ++i) {
    const cell::Robot& r = c.robots[i];
    const int index = static_cast<int>(i);
    j["robots"].push_back({{"name", r.name},
                           {"model", r.model->name},
                           {"dof", r.model->dof()},
                           {"tool", r.tool.name},
                           {"dialect", r.controller.dialect},
                           {"program", programs[i]},
                           {"ik", IkJson(DescribeIk(planner_world.chain(index)))},
                           {"self_pairs", PairsJson(planner_world, verifier_world, index)}});
  }
  j["welds"] = c.welds.size();
  j["obstacles"] = nlohmann::ordered_json::array();
  for (const cell::Obstacle& o : c.obstacles) {
    j["obstacles"].push_back({{"name", o.name},
                              {"shape", ShapeName(o.geometry.shape.kind)},
                              {"triangles", o.geometry.shape.triangle_count()},
                              {"closed_mesh", o.closed_mesh}});
  }
  j["warnings"] = nlohmann::ordered_json::array();
  for (const Diagnostic& d : warnings) j["warnings"].push_back(d.ToString());
  return j;
}

}  // namespace

exporters::CellPrograms CheckStation(const cell::Cell& cell,
                                     const collision::CollisionWorld& verifier_world,
                                     const exporters::Site& site) {
  std::vector<Diagnostic> problems = verify::CheckHomes(cell, verifier_world);
  exporters::CellPrograms programs;
  try {
    programs = exporters::CheckCellPrograms(cell, site);
    for (const std::string& w : programs.warnings) std::cerr << "weldcell: warning: " << w << '\n';
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  return programs;
}

void RegisterCheck(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "check", "Load and validate a cell: print a summary, or every error (exit 2)");
  auto cell_file = std::make_shared<std::string>();
  cmd->add_option("cell", *cell_file, "The cell YAML")->required();
  cmd->callback([&global, exit_code, cell_file] {
    const cell::Loaded<cell::Cell> loaded = cell::LoadCell(*cell_file, CellLoadOptions(global));
    for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
    const cell::Cell& c = loaded.value;
    // The verifier's world judges the homes; the planner's shows which pairs planning skips.
    const collision::CollisionWorld verifier_world = verify::MakeVerifierWorld(c);
    const std::vector<std::string> programs = ProgramNames(c, CheckStation(c, verifier_world));
    const collision::CollisionWorld planner_world(c);
    if (global.json) {
      PrintJson(ToJson(c, planner_world, verifier_world, programs, loaded.warnings), std::cout);
    } else if (!global.quiet) {
      PrintText(c, planner_world, verifier_world, programs);
      std::cout << "ok\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace weldcell::cli
