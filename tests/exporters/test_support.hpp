#pragma once
// What the exporter tests share: a cell every dialect can be written for, and the check of a
// read-back program's weld poses.

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <memory>
#include <numbers>
#include <string>

#include "exporters/program.hpp"
#include "planner/cell/cell.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::exporters::testing {

/// The cell with robot models that do not say which controller drives them (robot.yaml's
/// `controller_joints.dialect`, which refuses the other dialects): as a user's own models may.
inline cell::Cell WithoutOwnControllers(const cell::Cell& in) {
  cell::Cell c = in;
  for (cell::Robot& r : c.robots) {
    auto m = std::make_shared<cell::RobotModel>(*r.model);
    m->controller.dialect.clear();
    m->controller.dialect_where = {};
    r.model = m;
  }
  return c;
}

/// The cell with every robot model given a Yaskawa pulse calibration (non-trivial scale, sign
/// and zero per axis) and no declared controller (WithoutOwnControllers), so that every
/// dialect can be written for every robot: the tests check each dialect's writing and reading
/// on real kinematics, not what a controller would run.
inline cell::Cell WithPulses(const cell::Cell& in) {
  cell::Cell c = WithoutOwnControllers(in);
  for (cell::Robot& r : c.robots) {
    auto m = std::make_shared<cell::RobotModel>(*r.model);
    m->controller.pulses_per_degree = {1434.25, -1311.5, 1290.75, -820.5, 915.0, -612.25};
    m->controller.pulse_zero = {120, -3400, 0, 77, -15000, 9};
    r.model = m;
  }
  return c;
}

struct WeldPoseErrors {
  int welds = 0;         ///< Weld calls checked.
  double worst_mm = 0;   ///< Largest TCP position error.
  double worst_deg = 0;  ///< Largest TCP orientation error.
};

/// FK of the read-back joints at every weld call (the last move before it) against FK of the
/// planned weld visit `rp` holds: each within 0.1 mm and 0.01° (EXPECTs, naming the weld).
inline WeldPoseErrors CheckWeldPoses(const Program& program, const cell::Robot& robot,
                                     const plan::RobotPlan& rp) {
  constexpr double kDeg = std::numbers::pi / 180.0;
  const kinematics::Chain chain(*robot.model);
  WeldPoseErrors out;
  const Eigen::VectorXd* last = nullptr;
  for (const Instruction& i : program.instructions) {
    if (i.kind == InstructionKind::kMove) last = &i.q;
    if (i.kind != InstructionKind::kWeld) continue;
    const plan::WeldVisit* visit = nullptr;
    for (const plan::WeldVisit& v : rp.welds) {
      if (v.weld_id == i.weld_id) visit = &v;
    }
    if (last == nullptr || visit == nullptr) {
      ADD_FAILURE() << i.weld_id << (last == nullptr ? ": no move before it" : ": not planned");
      continue;
    }
    const Eigen::Isometry3d X_got = robot.X_WB * chain.TcpPose(*last, robot.tool.X_FT);
    const Eigen::Isometry3d X_want = robot.X_WB * chain.TcpPose(visit->q, robot.tool.X_FT);
    const double mm = 1000 * (X_got.translation() - X_want.translation()).norm();
    const double deg =
        Eigen::AngleAxisd(X_got.linear().transpose() * X_want.linear()).angle() / kDeg;
    EXPECT_LE(mm, 0.1) << i.weld_id;
    EXPECT_LE(deg, 0.01) << i.weld_id;
    out.worst_mm = std::max(out.worst_mm, mm);
    out.worst_deg = std::max(out.worst_deg, deg);
    ++out.welds;
  }
  return out;
}

/// A one-joint robot (±3 rad, 1 rad/s, 1 rad/s²) for hand-written programs.
inline cell::Robot OneJointRobot() {
  cell::Robot robot;
  auto model = std::make_shared<cell::RobotModel>();
  model->links.resize(2);
  model->joints.push_back({.name = "j",
                           .type = cell::JointType::kRevolute,
                           .lower = -3,
                           .upper = 3,
                           .max_velocity = 1,
                           .max_acceleration = 1});
  robot.model = model;
  robot.home = Eigen::VectorXd::Zero(1);
  return robot;
}

}  // namespace weldcell::exporters::testing
