// cell.yaml → Cell (docs/formats.md).

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <sstream>

#include "planner/cell/internal/load_context.hpp"
#include "planner/cell/internal/welds.hpp"
#include "planner/cell/load.hpp"
#include "planner/cell/weld_frame.hpp"

namespace weldcell::cell {

namespace fs = std::filesystem;
using internal::IndexKey;
using internal::JoinKey;
using internal::YamlReader;

namespace {

constexpr const auto& kDialects = kControllerDialects;

std::string Format(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

/// Home: size and limits. `home_node` is nullopt for the default (all zero).
std::optional<Eigen::VectorXd> ReadHome(YamlReader& reader,
                                        const std::optional<YAML::Node>& home_node,
                                        const YAML::Node& robot_node, const std::string& key,
                                        const RobotModel& model, const internal::Units& units) {
  const int dof = model.dof();
  const std::vector<int> movable = model.movable_joint_indices();
  Eigen::VectorXd home = Eigen::VectorXd::Zero(dof);
  std::vector<double> raw(static_cast<std::size_t>(dof), 0.0);
  if (home_node) {
    auto values = reader.Numbers(*home_node, key, static_cast<std::size_t>(dof),
                                 "one per movable joint of " + model.name);
    if (!values) return std::nullopt;
    raw = *values;
  }
  bool ok = true;
  for (int i = 0; i < dof; ++i) {
    const Joint& joint =
        model.joints[static_cast<std::size_t>(movable[static_cast<std::size_t>(i)])];
    const bool prismatic = joint.type == JointType::kPrismatic;
    const double unit = prismatic ? units.length : units.angle;
    const std::string& unit_name = prismatic ? units.length_name : units.angle_name;
    home[i] = raw[static_cast<std::size_t>(i)] * unit;
    // A value written as the limit itself (e.g. 185 deg for 3.2288 rad) must pass.
    const double slack = 1e-9 * std::max(1.0, std::abs(home[i]));
    if (home[i] < joint.lower - slack || home[i] > joint.upper + slack) {
      const YAML::Node& at = home_node ? (*home_node)[static_cast<std::size_t>(i)] : robot_node;
      reader.Error(at, home_node ? IndexKey(key, static_cast<std::size_t>(i)) : key,
                   std::string(home_node ? "" : "the default home (all zero): ") + "joint " +
                       joint.name + " value " + Format(raw[static_cast<std::size_t>(i)]) + " " +
                       unit_name + " is outside its limits [" + Format(joint.lower / unit) + ", " +
                       Format(joint.upper / unit) + "] " + unit_name);
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return home;
}

/// Points this much (m) inside an obstacle's surface, or less, count as on it: welds lie on
/// sheets given as thin boxes, and robots stand on pedestals.
constexpr double kInsideTolerance = 1e-3;

/// What a point inside an obstacle is reported against.
struct Solid {
  const Obstacle* obstacle = nullptr;
  Eigen::AlignedBox3d mesh_bounds;  ///< Mesh frame; closed meshes only.
};

std::vector<Solid> Solids(const std::vector<Obstacle>& obstacles) {
  std::vector<Solid> out;
  for (const Obstacle& o : obstacles) {
    Solid solid{.obstacle = &o, .mesh_bounds = {}};
    if (o.geometry.shape.kind == ShapeKind::kMesh) {
      if (!o.closed_mesh) continue;  // an open surface has no inside
      for (const Eigen::Vector3d& v : o.geometry.shape.mesh->vertices) solid.mesh_bounds.extend(v);
    }
    out.push_back(solid);
  }
  return out;
}

/// m by which p_W lies inside the solid (≤ 0 outside). For a mesh, the distance to its surface
/// when the winding number says inside.
double Depth(const Solid& solid, const Eigen::Vector3d& p_W) {
  const Geometry& g = solid.obstacle->geometry;
  const Eigen::Vector3d p = g.X_FG.inverse() * p_W;
  const Shape& s = g.shape;
  switch (s.kind) {
    case ShapeKind::kBox:
      return (0.5 * s.box_size - p.cwiseAbs()).minCoeff();
    case ShapeKind::kCylinder:
      return std::min(s.radius - p.head<2>().norm(), 0.5 * s.length - std::abs(p.z()));
    case ShapeKind::kSphere:
      return s.radius - p.norm();
    case ShapeKind::kMesh:
      if (!solid.mesh_bounds.contains(p) || !MeshContainsPoint(*s.mesh, p)) return 0.0;
      return DistanceToMesh(*s.mesh, p);
  }
  return 0.0;
}

std::string Describe(const Obstacle& o) {
  switch (o.geometry.shape.kind) {
    case ShapeKind::kBox:
      return "box";
    case ShapeKind::kCylinder:
      return "cylinder";
    case ShapeKind::kSphere:
      return "sphere";
    case ShapeKind::kMesh:
      return "closed mesh " + o.geometry.shape.mesh->source;
  }
  return "?";
}

std::string FormatPoint(const Eigen::Vector3d& p) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(3);
  out << "[" << p.x() << ", " << p.y() << ", " << p.z() << "] m";
  return out.str();
}

std::string FormatMm(double metres) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << metres * 1000.0 << " mm";
  return out.str();
}

std::string Compact(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// A setting that must lie in [lo, hi] (SI; or be 0 with allow_zero), read in the file's `unit`.
std::optional<double> Bounded(YamlReader& reader, const YAML::Node& node, const std::string& key,
                              double unit, const std::string& unit_name, double lo, double hi,
                              bool allow_zero, const std::string& why) {
  std::optional<double> x = reader.Positive(node, key, unit, allow_zero);
  if (!x || (allow_zero && *x == 0.0)) return x;
  if (*x < lo * (1.0 - 1e-12) || *x > hi * (1.0 + 1e-12)) {
    reader.Error(node, key,
                 std::string("must be ") + (allow_zero ? "0 or " : "") + "between " +
                     Compact(lo / unit) + " and " + Compact(hi / unit) + " " + unit_name + " (" +
                     why + "), got " + node.Scalar());
    return std::nullopt;
  }
  return x;
}

void ReadSettings(YamlReader& reader, const YAML::Node& node, const internal::Units& units,
                  Settings& settings) {
  if (!reader.CheckMap(node, "settings", {}, {"seed", "reach", "motion"})) return;
  if (auto v = YamlReader::Get(node, "seed")) {
    if (auto seed = reader.UnsignedInteger(*v, "settings.seed")) settings.seed = *seed;
  }
  if (auto reach = YamlReader::Get(node, "reach")) {
    if (reader.CheckMap(*reach, "settings.reach", {},
                        {"spin_step", "tilt_step", "min_clearance"})) {
      if (auto v = YamlReader::Get(*reach, "spin_step")) {
        if (auto x =
                Bounded(reader, *v, "settings.reach.spin_step", units.angle, units.angle_name,
                        kMinSpinStep, kMaxSpinStep, false, "at most 3600 gun spins per weld")) {
          settings.reach.spin_step = *x;
        }
      }
      if (auto v = YamlReader::Get(*reach, "tilt_step")) {
        if (auto x = Bounded(reader, *v, "settings.reach.tilt_step", units.angle, units.angle_name,
                             kMinTiltStep, kMaxTiltStep, true, "0 samples only the normal")) {
          settings.reach.tilt_step = *x;
        }
      }
      if (auto v = YamlReader::Get(*reach, "min_clearance")) {
        if (auto x = reader.Length(*v, "settings.reach.min_clearance", units, true)) {
          settings.reach.min_clearance = *x;
        }
      }
    }
  }
  if (auto motion = YamlReader::Get(node, "motion")) {
    if (reader.CheckMap(*motion, "settings.motion", {},
                        {"resolution", "speed_scale", "planning_time"})) {
      if (auto v = YamlReader::Get(*motion, "resolution")) {
        if (auto x =
                Bounded(reader, *v, "settings.motion.resolution", units.length, units.length_name,
                        kMinResolution, kMaxResolution, false, "travel between collision checks")) {
          settings.motion.resolution = *x;
        }
      }
      if (auto v = YamlReader::Get(*motion, "speed_scale")) {
        if (auto x = reader.Positive(*v, "settings.motion.speed_scale")) {
          if (*x < kMinSpeedScale || *x > 1.0) {
            reader.Error(*v, "settings.motion.speed_scale",
                         "must be between " + Compact(kMinSpeedScale) +
                             " and 1 (the share of the joints' velocity limits; a controller's "
                             "lowest speed override is 1 %), got " +
                             v->Scalar());
          } else {
            settings.motion.speed_scale = *x;
          }
        }
      }
      if (auto v = YamlReader::Get(*motion, "planning_time")) {
        if (auto x = reader.Time(*v, "settings.motion.planning_time")) {
          settings.motion.planning_time = *x;
        }
      }
    }
  }
}

// Where each robot's base was given and its key path (for containment messages), per robot.
using RobotWhere = std::vector<std::pair<SourceLocation, std::string>>;

// Reads the entries of `robots:` into Robots. The steps share the cell file's reader, folder
// and units, the loaders' context and the robot names seen so far (each with where it was
// given: names are unique, and an obstacle may not take one).
class RobotEntries {
 public:
  RobotEntries(YamlReader& reader, const fs::path& dir, const internal::Units& units,
               internal::LoadContext& context, DiagnosticSink& sink,
               std::map<std::string, SourceLocation>& names)
      : reader_(reader), dir_(dir), units_(units), context_(context), sink_(sink), names_(names) {}

  // The `robots:` list: every valid entry appended to cell->robots, its base's place to `where`.
  void ReadAll(const YAML::Node& robots, Cell* cell, RobotWhere* where) {
    if (!robots.IsSequence() || robots.size() == 0) {
      reader_.Error(robots, "robots", "expected a list of at least one robot");
      return;
    }
    for (std::size_t i = 0; i < robots.size(); ++i) {
      const YAML::Node node = robots[i];
      const std::string key = IndexKey("robots", i);
      std::optional<Robot> robot = Read(node, key);
      if (!robot) continue;
      auto base = YamlReader::Get(node, "base");
      where->emplace_back(reader_.Where(base ? *base : node), base ? JoinKey(key, "base") : key);
      cell->robots.push_back(std::move(*robot));
    }
  }

 private:
  // One entry (`key`: robots[i]): the robot, or none when any part of it is wrong.
  std::optional<Robot> Read(const YAML::Node& node, const std::string& key) {
    if (!reader_.CheckMap(node, key, {"name", "model", "tool"}, {"base", "home", "controller"})) {
      return std::nullopt;
    }
    Robot robot;
    bool ok = true;
    if (!ReadName(node, key, &robot)) ok = false;
    ReadModel(node, key, &robot);
    if (!robot.model) ok = false;
    if (!ReadGun(node, key, &robot)) ok = false;
    if (!ReadBase(node, key, &robot)) ok = false;
    if (!ReadHomeEntry(node, key, &robot)) ok = false;
    if (!ReadController(node, key, &robot)) ok = false;
    if (!ok) return std::nullopt;
    return robot;
  }

  // `name`: required, a valid name no earlier robot has.
  bool ReadName(const YAML::Node& node, const std::string& key, Robot* robot) {
    auto v = YamlReader::Get(node, "name");
    if (!v) return false;
    auto name = reader_.Name(*v, JoinKey(key, "name"));
    if (!name) return false;
    robot->name = *name;
    auto [it, inserted] = names_.emplace(*name, reader_.Where(*v));
    if (!inserted) {
      reader_.Error(*v, JoinKey(key, "name"),
                    "duplicate robot name '" + *name + "' (first at line " +
                        std::to_string(it->second.line) + ")");
      return false;
    }
    return true;
  }

  // `model`: the robot.yaml (relative to the cell file) read into robot->model (none if wrong).
  void ReadModel(const YAML::Node& node, const std::string& key, Robot* robot) {
    auto v = YamlReader::Get(node, "model");
    if (!v) return;
    if (auto path = reader_.String(*v, JoinKey(key, "model"))) {
      robot->model =
          internal::ReadRobotModel(internal::ResolveRelative(dir_, *path),
                                   {reader_.Where(*v), JoinKey(key, "model")}, context_, sink_);
    }
  }

  // `tool`: required, the weld gun's YAML (relative to the cell file).
  bool ReadGun(const YAML::Node& node, const std::string& key, Robot* robot) {
    auto v = YamlReader::Get(node, "tool");
    if (!v) return false;
    auto path = reader_.String(*v, JoinKey(key, "tool"));
    if (!path) return false;
    std::optional<Tool> tool =
        internal::ReadTool(internal::ResolveRelative(dir_, *path),
                           {reader_.Where(*v), JoinKey(key, "tool")}, context_, sink_);
    if (!tool) return false;
    robot->tool = std::move(*tool);
    return true;
  }

  // `base`: the base pose in the world frame, X_WB (default identity).
  bool ReadBase(const YAML::Node& node, const std::string& key, Robot* robot) {
    auto v = YamlReader::Get(node, "base");
    if (!v) return true;
    auto X = reader_.Pose(*v, JoinKey(key, "base"), units_);
    if (!X) return false;
    robot->X_WB = *X;
    return true;
  }

  // `home`: joint values (rad or m after the units) within the limits, all zero by default;
  // where it was given (the entry without one). Checked only against a model that loaded.
  bool ReadHomeEntry(const YAML::Node& node, const std::string& key, Robot* robot) {
    if (auto h = YamlReader::Get(node, "home")) {
      robot->home_where = reader_.Where(*h);
    } else {
      robot->home_where = reader_.Where(node);
    }
    if (!robot->model) return true;
    auto home = ReadHome(reader_, YamlReader::Get(node, "home"), node, JoinKey(key, "home"),
                         *robot->model, units_);
    if (!home) return false;
    robot->home = *home;
    return true;
  }

  // `controller: {dialect, program}`, and where its program and dialect were given (the
  // entry, the controller, or the keys themselves). False on an unknown dialect only.
  bool ReadController(const YAML::Node& node, const std::string& key, Robot* robot) {
    robot->controller_where = reader_.Where(node);
    robot->dialect_where = robot->controller_where;
    auto v = YamlReader::Get(node, "controller");
    if (!v) return true;
    robot->controller_where = reader_.Where(*v);
    if (auto p = YamlReader::Get(*v, "program")) robot->controller_where = reader_.Where(*p);
    robot->dialect_where = robot->controller_where;
    if (auto d = YamlReader::Get(*v, "dialect")) robot->dialect_where = reader_.Where(*d);
    const std::string ckey = JoinKey(key, "controller");
    if (!reader_.CheckMap(*v, ckey, {"dialect"}, {"program"})) return true;
    bool ok = true;
    if (auto d = YamlReader::Get(*v, "dialect")) {
      if (auto dialect = reader_.String(*d, JoinKey(ckey, "dialect"))) {
        if (std::find(kDialects.begin(), kDialects.end(), *dialect) == kDialects.end()) {
          reader_.Error(*d, JoinKey(ckey, "dialect"),
                        "unknown dialect '" + *dialect +
                            "' (expected kuka_krl, abb_rapid, fanuc_ls, yaskawa_inform or "
                            "ur_script)");
          ok = false;
        } else {
          robot->controller.dialect = *dialect;
        }
      }
    }
    if (auto p = YamlReader::Get(*v, "program")) {
      if (auto program = reader_.Name(*p, JoinKey(ckey, "program"))) {
        robot->controller.program = *program;
      }
    }
    return ok;
  }

  YamlReader& reader_;
  const fs::path& dir_;
  const internal::Units& units_;
  internal::LoadContext& context_;
  DiagnosticSink& sink_;
  std::map<std::string, SourceLocation>& names_;
};

// `welds:`: a mapping {file, defaults} of a welds CSV (relative to the cell file), or a list of
// inline welds; the entries keep where each weld was given.
std::vector<internal::WeldEntry> ReadWeldEntries(YamlReader& reader, const YAML::Node& node,
                                                 const fs::path& dir, const internal::Units& units,
                                                 DiagnosticSink& sink) {
  std::vector<internal::WeldEntry> welds;
  if (node.IsMap()) {
    if (reader.CheckMap(node, "welds", {"file"}, {"defaults"})) {
      internal::WeldDefaults defaults;
      if (auto d = YamlReader::Get(node, "defaults")) {
        defaults = internal::ReadWeldDefaults(reader, *d, "welds.defaults", units);
      }
      if (auto f = YamlReader::Get(node, "file")) {
        if (auto path = reader.String(*f, "welds.file")) {
          welds = internal::ReadWeldsCsv(internal::ResolveRelative(dir, *path), reader.Where(*f),
                                         "welds.file", defaults, units, sink);
        }
      }
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (auto entry = internal::ReadInlineWeld(reader, node[i], IndexKey("welds", i), units)) {
        welds.push_back(std::move(*entry));
      }
    }
  } else {
    reader.Error(node, "welds", "expected a list of welds or a mapping {file, defaults}");
  }
  return welds;
}

// `obstacles:`: a list of shape entries, each with a name that no other obstacle and no robot
// (`robot_names`) has; the valid ones appended to cell->obstacles.
void ReadObstacles(YamlReader& reader, const YAML::Node& node, const fs::path& dir,
                   const internal::Units& units, internal::LoadContext& context,
                   const std::map<std::string, SourceLocation>& robot_names, Cell* cell) {
  if (!node.IsSequence()) {
    reader.Error(node, "obstacles", "expected a list of obstacles");
    return;
  }
  std::map<std::string, SourceLocation> names;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node entry = node[i];
    const std::string key = IndexKey("obstacles", i);
    std::optional<Geometry> geometry =
        internal::ReadShapeEntry(reader, entry, key, units, dir, context, {"name"}, false);
    if (!entry.IsMap()) continue;
    auto n = YamlReader::Get(entry, "name");
    std::optional<std::string> name;
    if (!n) {
      reader.Error(entry, JoinKey(key, "name"), "missing required key 'name'");
    } else if ((name = reader.Name(*n, JoinKey(key, "name")))) {
      auto [it, inserted] = names.emplace(*name, reader.Where(*n));
      if (!inserted) {
        reader.Error(*n, JoinKey(key, "name"),
                     "duplicate obstacle name '" + *name + "' (first at line " +
                         std::to_string(it->second.line) + ")");
      } else if (const auto robot = robot_names.find(*name); robot != robot_names.end()) {
        reader.Error(*n, JoinKey(key, "name"),
                     "obstacle name '" + *name + "' is the name of a robot (line " +
                         std::to_string(robot->second.line) +
                         "); collisions and reports name both, so give it another");
      }
    }
    if (geometry && name) {
      const bool closed = geometry->shape.kind == ShapeKind::kMesh && geometry->shape.mesh &&
                          IsClosedMesh(*geometry->shape.mesh);
      cell->obstacles.push_back(
          {.name = *name, .geometry = std::move(*geometry), .visual = {}, .closed_mesh = closed});
    }
  }
}

// Reach tries every spin × tilt pose of a weld: bound the work per weld (the steps are bounded
// above, but a fine spin and tilt step together with a wide tilt tolerance multiply up). One
// error, at the first weld over the bound, counting the others.
void CheckPoseSampleCounts(const Cell& cell, const std::vector<internal::WeldEntry>& welds,
                           DiagnosticSink& sink) {
  std::size_t too_many = 0;
  for (std::size_t w = 0; w < cell.welds.size() && w < welds.size(); ++w) {
    const PoseSampleCount count = CountPoseSamples(cell.welds[w], cell.settings.reach);
    if (count.total() <= kMaxPoseSamplesPerWeld) continue;
    if (too_many++ > 0) continue;
    const internal::WeldEntry& entry = welds[w];
    std::size_t others = 0;
    for (std::size_t o = w + 1; o < cell.welds.size(); ++o) {
      others +=
          CountPoseSamples(cell.welds[o], cell.settings.reach).total() > kMaxPoseSamplesPerWeld;
    }
    sink.Error(entry.where, entry.key_path.empty() ? entry.id_key : entry.key_path,
               "reach would try " + std::to_string(count.total()) + " gun poses for weld " +
                   cell.welds[w].id + " (" + std::to_string(count.spins) + " spins x " +
                   std::to_string(1 + 4 * count.tilt_rings) + " tilts" +
                   (others > 0 ? "; " + std::to_string(others) + " more welds likewise" : "") +
                   "), more than " + std::to_string(kMaxPoseSamplesPerWeld) +
                   ": use a larger settings.reach.spin_step or tilt_step, or a smaller tilt "
                   "tolerance");
  }
}

// Beyond these an obstacle is not of a welding station's size: a car-body station is some
// metres across, its smallest fixtures centimetres. A mesh in millimetres read as metres (no
// `scale: 0.001`) is 1000 times too large and still within the length bound of 1 km; a DAE
// whose unit is applied and then scaled by 0.001 again is 1000 times too small.
constexpr double kMaxObstacleSize = 40.0;   // m
constexpr double kMinObstacleSize = 0.005;  // m
// A weld farther than this from every obstacle's bounding box sits on no part (a weld in another
// length unit than the part, a part placed elsewhere).
constexpr double kMaxWeldOffPart = 0.1;  // m

// The world-frame axis-aligned box of a geometry.
Eigen::AlignedBox3d WorldBox(const Geometry& g) {
  Eigen::AlignedBox3d box;
  const Shape& s = g.shape;
  Eigen::Vector3d half = Eigen::Vector3d::Zero();
  switch (s.kind) {
    case ShapeKind::kBox:
      half = s.box_size / 2;
      break;
    case ShapeKind::kCylinder:
      half = {s.radius, s.radius, s.length / 2};
      break;
    case ShapeKind::kSphere:
      half = Eigen::Vector3d::Constant(s.radius);
      break;
    case ShapeKind::kMesh:
      if (s.mesh) {
        for (const Eigen::Vector3d& v : s.mesh->vertices) box.extend(g.X_FG * v);
      }
      return box;
  }
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d sign(corner & 1 ? 1 : -1, corner & 2 ? 1 : -1, corner & 4 ? 1 : -1);
    box.extend(g.X_FG * sign.cwiseProduct(half).eval());
  }
  return box;
}

std::string SizeText(const Eigen::Vector3d& size, double unit, const char* name) {
  return fmt::format("{:.4g} x {:.4g} x {:.4g} {}", size.x() / unit, size.y() / unit,
                     size.z() / unit, name);
}

// Sizes and places that are valid but most likely a unit mistake, each a warning (the plan of
// such a station "fits" without a word: a hood in mm, 1.2 km wide, floated 200 m above the
// welds, which every robot then reached): an obstacle larger than any station or smaller than
// any fixture, welds that lie on no obstacle. Only for a cell without errors (the obstacles are
// those of `obstacles`, in its order; cell.welds the valid entries of `welds`, in theirs).
void WarnOfImplausibleSizes(const YamlReader& reader, const YAML::Node* obstacles,
                            const internal::Units& units, const Cell& cell,
                            const std::vector<internal::WeldEntry>& welds, DiagnosticSink& sink) {
  // A primitive's size is in the cell's length unit: mm without `units` is the likely mistake
  // only where the cell gives none.
  const char* primitive_hint = units.length == 1.0
                                   ? "sizes in millimetres without `units: {length: mm}`?"
                                   : "check its size";
  std::vector<Eigen::AlignedBox3d> boxes;
  for (std::size_t i = 0; i < cell.obstacles.size(); ++i) {
    const Obstacle& o = cell.obstacles[i];
    boxes.push_back(WorldBox(o.geometry));
    if (boxes.back().isEmpty() || obstacles == nullptr || i >= obstacles->size()) continue;
    const Eigen::Vector3d size = boxes.back().sizes();
    const std::string key = IndexKey("obstacles", i);
    if (size.maxCoeff() > kMaxObstacleSize) {
      sink.Warning(reader.Where((*obstacles)[i]), key,
                   fmt::format("'{}' spans {}, larger than any welding station: {}", o.name,
                               SizeText(size, 1.0, "m"),
                               o.geometry.shape.kind == ShapeKind::kMesh
                                   ? "a mesh in millimetres needs `scale: 0.001`"
                                   : primitive_hint));
    } else if (size.maxCoeff() < kMinObstacleSize) {
      sink.Warning(reader.Where((*obstacles)[i]), key,
                   fmt::format("'{}' spans {}, smaller than any fixture: {}", o.name,
                               SizeText(size, 0.001, "mm"),
                               o.geometry.shape.kind == ShapeKind::kMesh
                                   ? "a mesh in metres scaled by 0.001, or one whose file gives "
                                     "its unit (DAE) scaled again?"
                                   : "check its size and unit"));
    }
  }
  if (boxes.empty()) return;  // a station of robots and welds only: nothing to sit on
  std::size_t off = 0;
  const internal::WeldEntry* first = nullptr;
  const Weld* first_weld = nullptr;
  double first_distance = 0.0;
  std::size_t nearest = 0;
  std::size_t w = 0;
  for (const internal::WeldEntry& e : welds) {
    if (!e.valid) continue;
    const Weld& weld = cell.welds[w++];
    double distance = std::numeric_limits<double>::infinity();
    std::size_t at = 0;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      if (boxes[i].isEmpty()) continue;
      const double d = boxes[i].exteriorDistance(weld.p_W);
      if (d < distance) distance = d, at = i;
    }
    if (!std::isfinite(distance) || distance <= kMaxWeldOffPart || off++ > 0) continue;
    first = &e;
    first_weld = &weld;
    first_distance = distance;
    nearest = at;
  }
  if (first == nullptr) return;
  sink.Warning(
      first->where, first->id_key,
      fmt::format("weld {} lies {:.3g} m from the nearest obstacle ('{}'){}: a weld sits "
                  "on a part; its position in another length unit than the part's, or "
                  "the part placed elsewhere?",
                  first_weld->id, first_distance, cell.obstacles[nearest].name,
                  off > 1
                      ? fmt::format(", and {} more {} more than {:g} m from every obstacle",
                                    off - 1, off > 2 ? "welds lie" : "weld lies", kMaxWeldOffPart)
                      : ""));
}

// A weld that allows a tilt while settings.reach.tilt_step is left at its default, 0, is
// reached only along its normal: its tolerance is never used (a fresh user's `tilt: 10` left
// seven welds unreached that `tilt_step: 5` reached). One warning, at the first such weld; none
// where `tilt_step: 0` is written (the normal only, on purpose).
void WarnOfUnusedTilt(const YamlReader& reader, const YAML::Node& root, const Cell& cell,
                      const std::vector<internal::WeldEntry>& welds, DiagnosticSink& sink) {
  const auto settings = YamlReader::Get(root, "settings");
  const auto reach =
      settings && settings->IsMap() ? YamlReader::Get(*settings, "reach") : std::nullopt;
  if ((reach && reach->IsMap() && YamlReader::Get(*reach, "tilt_step")) ||
      cell.settings.reach.tilt_step > 0.0) {
    return;
  }
  std::size_t tilted = 0;
  const Weld* first = nullptr;
  const internal::WeldEntry* first_entry = nullptr;
  std::size_t w = 0;
  for (const internal::WeldEntry& e : welds) {
    if (!e.valid) continue;
    const Weld& weld = cell.welds[w++];
    if (weld.tilt_tolerance <= 0.0 || tilted++ > 0) continue;
    first = &weld;
    first_entry = &e;
  }
  if (first == nullptr) return;
  // Said where the tilt is most likely written: `welds.defaults.tilt` when the cell gives one
  // (the weld CSV's rows then leave it empty), else at the first such weld.
  SourceLocation where = first_entry->where;
  std::string key = first_entry->id_key;
  if (const auto list = YamlReader::Get(root, "welds"); list && list->IsMap()) {
    if (const auto defaults = YamlReader::Get(*list, "defaults"); defaults && defaults->IsMap()) {
      if (const auto tilt = YamlReader::Get(*defaults, "tilt")) {
        where = reader.Where(*tilt);
        key = "welds.defaults.tilt";
      }
    }
  }
  sink.Warning(where, key,
               fmt::format("weld {}{} allows a tilt of {:g} deg, but settings.reach.tilt_step is "
                           "not given (0): reach tries the normal only (give a tilt_step, e.g. "
                           "5 deg, to use the tolerance, or 0 to say so)",
                           first->id,
                           tilted > 1 ? fmt::format(" (and {} more {})", tilted - 1,
                                                    tilted > 2 ? "welds" : "weld")
                                      : "",
                           first->tilt_tolerance * 180.0 / std::numbers::pi));
}

// Solids: meshes are surfaces for motion checks, so a base or a weld inside a closed mesh
// (or a primitive) would pass every collision check while being physically impossible. An
// error for every robot base and weld deeper than kInsideTolerance (m) inside an obstacle.
void CheckOutsideSolids(const Cell& cell, const RobotWhere& robot_where,
                        const std::vector<internal::WeldEntry>& welds, DiagnosticSink& sink) {
  const std::vector<Solid> solids = Solids(cell.obstacles);
  for (std::size_t r = 0; r < cell.robots.size() && r < robot_where.size(); ++r) {
    const Robot& robot = cell.robots[r];
    const Eigen::Vector3d p_W = robot.X_WB.translation();
    for (const Solid& solid : solids) {
      const double depth = Depth(solid, p_W);
      if (depth > kInsideTolerance) {
        sink.Error(robot_where[r].first, robot_where[r].second,
                   "the base of robot " + robot.name + " at " + FormatPoint(p_W) +
                       " lies inside obstacle '" + solid.obstacle->name + "' (" +
                       Describe(*solid.obstacle) + "), " + FormatMm(depth) +
                       " from its surface: move the robot or the obstacle");
      }
    }
  }
  for (std::size_t w = 0; w < cell.welds.size(); ++w) {
    const Weld& weld = cell.welds[w];
    const internal::WeldEntry& entry = welds[w];
    for (const Solid& solid : solids) {
      const double depth = Depth(solid, weld.p_W);
      if (depth > kInsideTolerance) {
        sink.Error(entry.where, entry.key_path.empty() ? entry.id_key : entry.key_path,
                   "weld " + weld.id + " at " + FormatPoint(weld.p_W) + " lies " + FormatMm(depth) +
                       " inside obstacle '" + solid.obstacle->name + "' (" +
                       Describe(*solid.obstacle) +
                       "): a gun cannot reach it (welds may lie on an obstacle's surface, "
                       "within 1 mm)");
      }
    }
  }
}

}  // namespace

Loaded<Cell> LoadCell(const fs::path& cell_yaml, const LoadOptions& options) {
  internal::LoadContext context(options);
  DiagnosticSink sink;
  YamlReader reader(cell_yaml.string(), sink);
  std::optional<YAML::Node> parsed = reader.Parse(cell_yaml, {}, {}, "weldcell/1");
  if (!parsed) sink.ThrowIfErrors();
  const YAML::Node& root = *parsed;
  const fs::path dir = cell_yaml.parent_path();

  reader.CheckMap(root, "", {"format", "name", "cycle_time", "robots", "welds"},
                  {"units", "obstacles", "settings"});
  reader.CheckFormat(root, "weldcell/1");
  const std::optional<internal::Units> read_units = reader.ReadKnownUnits(root, true, true);
  // Every number of the file would be read in the wrong unit (and checked against its bounds).
  if (!read_units) sink.ThrowIfErrors();
  const internal::Units& units = *read_units;

  Cell cell;
  cell.source_file = cell_yaml.string();
  if (auto v = YamlReader::Get(root, "name")) {
    if (auto name = reader.Name(*v, "name")) cell.name = *name;
  }
  if (auto v = YamlReader::Get(root, "cycle_time")) {
    if (auto t = reader.Time(*v, "cycle_time")) cell.cycle_time = *t;
    cell.cycle_time_where = reader.Where(*v);
  }

  // Robots, with where each one's base was given (for containment messages).
  RobotWhere robot_where;
  // Robot names, where each was given: an obstacle may not take one (collisions name both).
  std::map<std::string, SourceLocation> robot_names;
  if (auto robots = YamlReader::Get(root, "robots")) {
    RobotEntries(reader, dir, units, context, sink, robot_names)
        .ReadAll(*robots, &cell, &robot_where);
  }

  // Welds, and where each was given.
  std::vector<internal::WeldEntry> welds;
  if (auto node = YamlReader::Get(root, "welds")) {
    welds = ReadWeldEntries(reader, *node, dir, units, sink);
    // An empty list (or a CSV of its header alone) plans into a station that "fits" and passes
    // every requirement: said, so that a CI job does not take it for a planned station.
    if (welds.empty() && !sink.has_errors()) {
      sink.Warning(reader.Where(*node), "welds",
                   "the station has no welds: there is nothing to plan (an empty list, or a "
                   "weld CSV with its header alone?)");
    }
  }
  internal::CheckWeldSet(welds, sink);
  cell.welds.reserve(welds.size());
  for (internal::WeldEntry& e : welds) {
    if (!e.valid) continue;  // its errors are reported
    e.weld.where = e.where;
    cell.welds.push_back(std::move(e.weld));
  }

  if (auto node = YamlReader::Get(root, "obstacles")) {
    ReadObstacles(reader, *node, dir, units, context, robot_names, &cell);
  }

  if (auto node = YamlReader::Get(root, "settings")) {
    ReadSettings(reader, *node, units, cell.settings);
  }

  CheckPoseSampleCounts(cell, welds, sink);
  CheckOutsideSolids(cell, robot_where, welds, sink);
  if (!sink.has_errors()) {
    const std::optional<YAML::Node> obstacles = YamlReader::Get(root, "obstacles");
    WarnOfImplausibleSizes(reader, obstacles ? &*obstacles : nullptr, units, cell, welds, sink);
    WarnOfUnusedTilt(reader, root, cell, welds, sink);
  }

  sink.ThrowIfErrors();
  return {.value = std::move(cell), .warnings = sink.warnings()};
}

}  // namespace weldcell::cell
