#pragma once
// The station: robots with their guns, welds, obstacles and the cycle time. Immutable value
// types in SI units (m, rad, s); built by LoadCell() or in code (tests). Shared by const&.

#include <Eigen/Geometry>
#include <cstdint>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "planner/cell/geometry.hpp"
#include "planner/cell/robot_model.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::cell {

/// A spot-welding gun mounted on the robot flange.
struct Tool {
  std::string name;
  std::string source_file;
  /// TCP (the point between the electrode tips) in the flange frame. The TCP's z axis is the gun
  /// axis: it points from the gun into the sheet, i.e. it is aligned with -normal at a weld.
  Eigen::Isometry3d X_FT = Eigen::Isometry3d::Identity();
  std::vector<Geometry> collision;  ///< In the flange frame.
  std::vector<Geometry> visual;     ///< In the flange frame; empty means "draw collision".
  double approach_distance = 0.0;   ///< m: the gun enters and leaves along the normal.
  double close_time = 0.0;          ///< s: gun closing before the weld current.
  double open_time = 0.0;           ///< s: gun opening after it.
  double weld_time = 0.0;           ///< s: default weld time for welds that give none.
};

struct Controller {
  std::string dialect;  ///< kuka_krl | abb_rapid | fanuc_ls | yaskawa_inform | ur_script
  std::string program;  ///< Program name in the controller.
  bool operator==(const Controller&) const = default;
};

struct Robot {
  std::string name;
  std::shared_ptr<const RobotModel> model;
  Eigen::Isometry3d X_WB = Eigen::Isometry3d::Identity();  ///< Base link in the world.
  Tool tool;
  Eigen::VectorXd home;  ///< Home configuration (size model->dof()).
  Controller controller;
  /// Where the home is written (its `home:` value, or the robot entry when the default is
  /// used), for messages; empty when built in code.
  SourceLocation home_where;
  /// Where the robot's `controller.program` (else `controller`, else the robot entry) is
  /// written, for messages about its program; empty when built in code.
  SourceLocation controller_where;
  /// Where the robot's `controller.dialect` is written (else as controller_where), for messages
  /// about what the dialect refuses of the robot (exporters::CheckCellPrograms); empty when
  /// built in code.
  SourceLocation dialect_where;
};

struct Weld {
  std::string id;
  Eigen::Vector3d p_W = Eigen::Vector3d::Zero();   ///< Weld point in the world.
  Eigen::Vector3d n_W = Eigen::Vector3d::UnitZ();  ///< Unit surface normal, pointing to the gun.
  double weld_time = 0.0;       ///< s (dwell with the gun closed, excluding close/open).
  double tilt_tolerance = 0.0;  ///< rad: the gun axis may deviate this much from the normal.
  double spin_min = -std::numbers::pi;  ///< rad: allowed rotation of the gun about the normal.
  double spin_max = std::numbers::pi;
  std::string group;               ///< Optional grouping label (e.g. a part or a gun).
  std::vector<std::string> after;  ///< Ids of welds that must be done before this one.
  /// Where the weld's id is written (cell.yaml or welds.csv), for messages; empty when built in
  /// code.
  SourceLocation where;
};

/// s the gun dwells closed on `weld`: the weld's own time, or the gun's default when the weld
/// gives none (weld_time 0, see docs/formats.md).
inline double EffectiveWeldTime(const Weld& weld, const Tool& tool) {
  return weld.weld_time > 0 ? weld.weld_time : tool.weld_time;
}

struct Obstacle {
  std::string name;
  Geometry geometry;             ///< X_FG is the pose in the world.
  std::vector<Geometry> visual;  ///< Optional; empty means "draw collision".
  /// A mesh obstacle whose mesh is closed (IsClosedMesh): besides its surface, which motions are
  /// checked against like any mesh, its inside is solid for containment checks (robot bases,
  /// welds and homes must not lie in it). False for primitives and open meshes.
  bool closed_mesh = false;
};

// Sanity bounds on the settings (docs/formats.md), enforced by LoadCell: finer steps make reach
// or collision checking run for hours without a better answer.
inline constexpr double kMinSpinStep = 0.1 * std::numbers::pi / 180.0;  ///< rad: ≤ 3600 spins.
inline constexpr double kMaxSpinStep = 2.0 * std::numbers::pi;          ///< rad: one turn.
inline constexpr double kMinTiltStep = 0.1 * std::numbers::pi / 180.0;  ///< rad (or 0).
inline constexpr double kMaxTiltStep = 0.5 * std::numbers::pi;          ///< rad: 90°.
inline constexpr double kMinResolution = 1e-4;                          ///< m (0.1 mm).
inline constexpr double kMaxResolution = 0.1;                           ///< m (100 mm).
/// The lowest speed_scale: a controller's lowest speed override is 1 %. Slower motions only
/// stretch the plan's timeline (its 10 ms samples grow with it) without changing any path.
inline constexpr double kMinSpeedScale = 0.01;
/// The longest a robot may move in a plan. A plan holds its motions sampled every 10 ms
/// (docs/plan-format.md), and verification, the report and the programs go through those
/// samples: a station whose robot moves for hours (joints slowed to their sanity bounds) is
/// refused, not sampled. Shorter motions that exceed the cycle time are a plan that misses its
/// cycle time (a failing requirement), not bad input.
inline constexpr double kMaxMotionSeconds = 1800.0;
/// Gun poses reach may try per weld and robot (spins × tilts), about 4 s of work at a few
/// thousand IK + collision checks per second.
inline constexpr std::int64_t kMaxPoseSamplesPerWeld = 20000;

struct ReachSettings {
  double spin_step =
      15.0 * std::numbers::pi / 180.0;  ///< rad between sampled gun spins about the normal.
  double tilt_step = 0.0;               ///< rad; 0 = only the normal itself.
  double min_clearance = 0.0;           ///< m required between robot+gun and obstacles.
};

struct MotionSettings {
  double resolution = 0.005;  ///< m of TCP / link-point travel between collision checks.
  double speed_scale = 1.0;   ///< Scales every joint velocity limit [kMinSpeedScale, 1].
  /// s: a safety net per sampling-based planning attempt. Results are made reproducible by the
  /// planner's extension budget; a search stopped by this time depends on the machine's speed.
  double planning_time = 10.0;
};

struct Settings {
  std::uint64_t seed = 1;
  ReachSettings reach;
  MotionSettings motion;
};

struct Cell {
  std::string name;
  std::string source_file;          ///< The cell YAML (for messages); empty when built in code.
  double cycle_time = 0.0;          ///< s
  SourceLocation cycle_time_where;  ///< Where `cycle_time` is written (for messages).
  std::vector<Robot> robots;
  std::vector<Weld> welds;
  std::vector<Obstacle> obstacles;
  Settings settings;
};

}  // namespace weldcell::cell
