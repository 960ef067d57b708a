#pragma once
// Tiny robots and cells built in code for the collision tests.

#include <Eigen/Geometry>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"

namespace weldcell::collision::testing {

inline cell::Geometry At(cell::Shape shape, const Eigen::Vector3d& p,
                         const Eigen::Matrix3d& R = Eigen::Matrix3d::Identity()) {
  cell::Geometry g{.shape = std::move(shape), .X_FG = Eigen::Isometry3d::Identity()};
  g.X_FG.linear() = R;
  g.X_FG.translation() = p;
  return g;
}

inline Eigen::Isometry3d Pose(const Eigen::Vector3d& p,
                              const Eigen::Matrix3d& R = Eigen::Matrix3d::Identity()) {
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.linear() = R;
  X.translation() = p;
  return X;
}

inline cell::Joint Revolute(std::string name, const Eigen::Vector3d& origin,
                            const Eigen::Vector3d& axis, double lower, double upper) {
  return {.name = std::move(name),
          .type = cell::JointType::kRevolute,
          .X_PJ = Pose(origin),
          .axis = axis,
          .lower = lower,
          .upper = upper,
          .max_velocity = 2.0,
          .max_acceleration = 5.0};
}

/// A 4-axis arm, about 1.4 m tall when stretched up:
///   base (box 0.3 × 0.3 × 0.2 on the floor) —J1 (z, at 0.2)— link_1 (cylinder r 0.08, 0.3 long)
///   —J2 (y, at 0.3)— link_2 upper arm (box 0.1 × 0.1 × 0.6, starting 0.05 below J2 so that it
///   overlaps link_1's cylinder at every J2 angle: a "joint housing")
///   —J3 (y, at 0.6)— link_3 forearm (box 0.08 × 0.08 × 0.5)
///   —J4 (z, at 0.5)— link_4 flange (cylinder r 0.04, 0.06 long).
/// J2 within ±1.8 rad keeps the upper arm above the base; J3 within ±3.1 rad lets the forearm
/// fold back down along the upper arm.
inline std::shared_ptr<const cell::RobotModel> TinyArm() {
  auto model = std::make_shared<cell::RobotModel>();
  model->name = "tiny_arm";
  const double pi = std::numbers::pi;
  model->links = {
      {.name = "base",
       .collision = {At(cell::Shape::Box({0.3, 0.3, 0.2}), {0, 0, 0.1})},
       .visual = {}},
      {.name = "link_1",
       .collision = {At(cell::Shape::Cylinder(0.08, 0.3), {0, 0, 0.15})},
       .visual = {}},
      {.name = "link_2",
       .collision = {At(cell::Shape::Box({0.1, 0.1, 0.65}), {0, 0, 0.275})},
       .visual = {}},
      {.name = "link_3",
       .collision = {At(cell::Shape::Box({0.08, 0.08, 0.5}), {0, 0, 0.25})},
       .visual = {}},
      {.name = "link_4",
       .collision = {At(cell::Shape::Cylinder(0.04, 0.06), {0, 0, 0.03})},
       .visual = {}},
  };
  model->joints = {
      Revolute("joint_1", {0, 0, 0.2}, Eigen::Vector3d::UnitZ(), -pi, pi),
      Revolute("joint_2", {0, 0, 0.3}, Eigen::Vector3d::UnitY(), -1.8, 1.8),
      Revolute("joint_3", {0, 0, 0.6}, Eigen::Vector3d::UnitY(), -3.1, 3.1),
      Revolute("joint_4", {0, 0, 0.5}, Eigen::Vector3d::UnitZ(), -pi, pi),
  };
  return model;
}

/// A gun: a box 0.06 × 0.06 × 0.2 from 0.06 to 0.26 along the flange z axis; TCP at 0.3.
inline cell::Tool TinyGun() {
  cell::Tool tool;
  tool.name = "tiny_gun";
  tool.X_FT = Pose({0, 0, 0.3});
  tool.collision = {At(cell::Shape::Box({0.06, 0.06, 0.2}), {0, 0, 0.16})};
  return tool;
}

inline cell::Robot TinyRobot(std::string name, const Eigen::Isometry3d& X_WB) {
  return {.name = std::move(name),
          .model = TinyArm(),
          .X_WB = X_WB,
          .tool = TinyGun(),
          .home = Eigen::VectorXd::Zero(4),
          .controller = {}};
}

/// A box 0.24 × 0.12 × 0.06 m turned every way about its base origin: three revolute joints
/// there (z, then y, then x; ±π each) and the box centred 0.15 m along the last link's x axis.
/// No gun geometry.
inline cell::Robot TumblingBox(std::string name, const Eigen::Isometry3d& X_WB) {
  auto model = std::make_shared<cell::RobotModel>();
  model->name = "tumbling_box";
  const double pi = std::numbers::pi;
  model->links = {{.name = "base", .collision = {}, .visual = {}},
                  {.name = "yaw", .collision = {}, .visual = {}},
                  {.name = "pitch", .collision = {}, .visual = {}},
                  {.name = "box",
                   .collision = {At(cell::Shape::Box({0.24, 0.12, 0.06}), {0.15, 0, 0})},
                   .visual = {}}};
  model->joints = {Revolute("joint_z", {0, 0, 0}, Eigen::Vector3d::UnitZ(), -pi, pi),
                   Revolute("joint_y", {0, 0, 0}, Eigen::Vector3d::UnitY(), -pi, pi),
                   Revolute("joint_x", {0, 0, 0}, Eigen::Vector3d::UnitX(), -pi, pi)};
  cell::Tool tool;
  tool.name = "no_gun";
  tool.X_FT = Eigen::Isometry3d::Identity();
  return {.name = std::move(name),
          .model = std::move(model),
          .X_WB = X_WB,
          .tool = std::move(tool),
          .home = Eigen::VectorXd::Zero(3),
          .controller = {}};
}

/// A robot whose only geometry is a sphere of `radius` on link_1 (joint: revolute about z), for
/// placing a sphere anywhere with CheckRobotAtPoses; no gun geometry.
inline cell::Robot SphereProbe(std::string name, double radius) {
  auto model = std::make_shared<cell::RobotModel>();
  model->name = "probe";
  model->links = {
      {.name = "base", .collision = {}, .visual = {}},
      {.name = "ball", .collision = {At(cell::Shape::Sphere(radius), {0, 0, 0})}, .visual = {}}};
  model->joints = {Revolute("joint_1", {0, 0, 0}, Eigen::Vector3d::UnitZ(), -1, 1)};
  cell::Robot robot{.name = std::move(name),
                    .model = model,
                    .X_WB = Eigen::Isometry3d::Identity(),
                    .tool = {},
                    .home = Eigen::VectorXd::Zero(1),
                    .controller = {}};
  return robot;
}

inline cell::Obstacle BoxObstacle(std::string name, const Eigen::Vector3d& size,
                                  const Eigen::Isometry3d& X_WG) {
  return {.name = std::move(name),
          .geometry = {.shape = cell::Shape::Box(size), .X_FG = X_WG},
          .visual = {}};
}

/// A closed box surface of 12 triangles, centred at the origin, as a Mesh.
inline std::shared_ptr<const cell::Mesh> BoxMesh(const Eigen::Vector3d& size) {
  auto mesh = std::make_shared<cell::Mesh>();
  const Eigen::Vector3d h = 0.5 * size;
  for (int i = 0; i < 8; ++i) {
    mesh->vertices.emplace_back((i & 1) ? h.x() : -h.x(), (i & 2) ? h.y() : -h.y(),
                                (i & 4) ? h.z() : -h.z());
  }
  mesh->triangles = {{0, 2, 1}, {1, 2, 3}, {4, 5, 6}, {5, 7, 6}, {0, 1, 4}, {1, 5, 4},
                     {2, 6, 3}, {3, 6, 7}, {0, 4, 2}, {2, 4, 6}, {1, 3, 5}, {3, 7, 5}};
  return mesh;
}

}  // namespace weldcell::collision::testing
