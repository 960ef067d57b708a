#pragma once
// Robots, guns and cells built in code for the reach, motion and verification tests: small
// enough to reason about by hand, so that the expected outcome of every test is known.

#include <Eigen/Geometry>
#include <memory>
#include <numbers>
#include <string>

#include "planner/cell/cell.hpp"
#include "tests/planner/kinematics/test_robots.hpp"

namespace weldcell::testing {

inline constexpr double kPi = std::numbers::pi;

/// Pose from xyz and roll-pitch-yaw (URDF convention); one definition for all planner tests.
inline Eigen::Isometry3d Pose(double x, double y, double z, double roll = 0, double pitch = 0,
                              double yaw = 0) {
  return kinematics::testing::XyzRpy(x, y, z, roll, pitch, yaw);
}

inline cell::Geometry Box(double sx, double sy, double sz, const Eigen::Isometry3d& X) {
  return {.shape = cell::Shape::Box({sx, sy, sz}), .X_FG = X};
}
inline cell::Geometry Cylinder(double r, double l, const Eigen::Isometry3d& X) {
  return {.shape = cell::Shape::Cylinder(r, l), .X_FG = X};
}
inline cell::Geometry Sphere(double r, const Eigen::Isometry3d& X) {
  return {.shape = cell::Shape::Sphere(r), .X_FG = X};
}

struct ArmLimits {
  double j1 = kPi;         ///< ± for joint 1
  double j2_lower = -1.2;  ///< leaning back
  double j2_upper = 1.4;   ///< leaning forward
};

/// A 2 m-class spot-welding arm with OPW geometry (FANUC-like zero pose: upper arm vertical,
/// forearm horizontal): a1 = 0.3, a2 = −0.2, c1 = 0.65, c2 = 1.0, c3 = 1.1, c4 = 0.2, with a
/// box/cylinder envelope per link. tool0 has z out of the flange (along the forearm at zero).
inline std::shared_ptr<const cell::RobotModel> MakeTestArm(const ArmLimits& limits = {}) {
  auto m = std::make_shared<cell::RobotModel>();
  m->name = "test_arm";
  m->links.push_back({.name = "base_link", .collision = {Cylinder(0.35, 0.45, Pose(0, 0, 0.225))}});
  auto add = [&](const std::string& joint, cell::JointType type, const Eigen::Isometry3d& X_PJ,
                 const Eigen::Vector3d& axis, double lower, double upper, double velocity,
                 double acceleration, const std::string& link,
                 std::vector<cell::Geometry> collision) {
    m->joints.push_back({.name = joint,
                         .type = type,
                         .X_PJ = X_PJ,
                         .axis = axis,
                         .lower = lower,
                         .upper = upper,
                         .max_velocity = velocity,
                         .max_acceleration = acceleration});
    m->links.push_back({.name = link, .collision = std::move(collision)});
  };
  using cell::JointType;
  add("joint_1", JointType::kRevolute, Pose(0, 0, 0.65), {0, 0, 1}, -limits.j1, limits.j1, 1.9, 4.0,
      "link_1", {Box(0.45, 0.4, 0.3, Pose(0.1, 0, -0.1))});
  add("joint_2", JointType::kRevolute, Pose(0.3, 0, 0), {0, 1, 0}, limits.j2_lower, limits.j2_upper,
      1.7, 3.5, "link_2", {Box(0.2, 0.25, 1.0, Pose(0, 0, 0.5))});
  add("joint_3", JointType::kRevolute, Pose(0, 0, 1.0), {0, 1, 0}, -1.4, 2.5, 1.8, 4.0, "link_3",
      {Box(0.3, 0.3, 0.35, Pose(0.05, 0, 0.1))});
  add("joint_4", JointType::kRevolute, Pose(0.5, 0, 0.2), {1, 0, 0}, -kPi, kPi, 3.8, 8.0, "link_4",
      {Cylinder(0.09, 0.55, Pose(0.3, 0, 0, 0, kPi / 2, 0))});
  add("joint_5", JointType::kRevolute, Pose(0.6, 0, 0), {0, 1, 0}, -2.1, 2.1, 3.8, 8.0, "link_5",
      {Sphere(0.1, Pose(0, 0, 0))});
  add("joint_6", JointType::kRevolute, Pose(0.2, 0, 0), {1, 0, 0}, -2 * kPi, 2 * kPi, 5.0, 10.0,
      "link_6", {Cylinder(0.07, 0.04, Pose(-0.02, 0, 0, 0, kPi / 2, 0))});
  add("joint_6-tool0", JointType::kFixed, Pose(0, 0, 0, 0, kPi / 2, 0), {0, 0, 1}, 0, 0, 0, 0,
      "tool0", {});
  return m;
}

/// A C-type gun: body at the flange, an arm reaching 0.25 m sideways (+x of the flange) and the
/// electrode pointing along +z to the TCP at (0.25, 0, 0.35). The electrode ends 5 mm before
/// the TCP, so touching the sheet is not a collision. Approach distance 0.1 m.
inline cell::Tool MakeTestGun() {
  return {.name = "test_c_gun",
          .X_FT = Pose(0.25, 0, 0.35),
          .collision = {Box(0.18, 0.18, 0.28, Pose(0, 0, 0.14)),
                        Box(0.29, 0.06, 0.04, Pose(0.125, 0, 0.29)),
                        Cylinder(0.012, 0.035, Pose(0.25, 0, 0.3275))},
          .approach_distance = 0.1,
          .close_time = 0.1,
          .open_time = 0.1,
          .weld_time = 0.5};
}

inline cell::Robot MakeTestRobot(const std::string& name, const Eigen::Isometry3d& X_WB,
                                 const ArmLimits& limits = {}) {
  auto model = MakeTestArm(limits);
  return {.name = name,
          .model = model,
          .X_WB = X_WB,
          .tool = MakeTestGun(),
          .home = Eigen::VectorXd::Zero(model->dof()),
          .controller = {.dialect = "fanuc_ls", .program = name + "_WELD"}};
}

/// Two test arms facing each other 3.6 m apart, no obstacles: A at the origin, B at x = 3.6
/// turned by π, both at home (0, −0.5, −0.5, 0, 0, 0) rad, leaning back and far apart; reaching
/// forward into the middle their forearms cross.
inline cell::Cell MakeFacingCell() {
  cell::Cell c;
  c.name = "facing";
  c.cycle_time = 60;
  c.robots.push_back(MakeTestRobot("A", Eigen::Isometry3d::Identity()));
  c.robots.push_back(MakeTestRobot("B", Pose(3.6, 0, 0, 0, 0, kPi)));
  for (cell::Robot& r : c.robots) {
    r.home = Eigen::VectorXd::Zero(6);
    r.home[1] = -0.5;
    r.home[2] = -0.5;
  }
  return c;
}

inline cell::Weld MakeWeld(const std::string& id, const Eigen::Vector3d& p,
                           const Eigen::Vector3d& n = Eigen::Vector3d::UnitZ()) {
  return {.id = id, .p_W = p, .n_W = n.normalized(), .weld_time = 0.5};
}

inline cell::Obstacle MakeObstacle(const std::string& name, cell::Geometry geometry) {
  return {.name = name, .geometry = std::move(geometry)};
}

}  // namespace weldcell::testing
