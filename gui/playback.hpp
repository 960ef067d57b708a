#pragma once
// The station at a moment of a plan, for drawing: each robot's configuration, what it is doing
// and what it waits for, and which welds are done. Qt-free.
//
// Configurations are interpolated linearly between the plan's samples, as the plan's contract
// defines them (planner/plan/plan.hpp: the samples are dense enough for linear interpolation),
// and as the verifier reads them. Units: s, rad / m.

#include <Eigen/Core>
#include <string>
#include <vector>

#include "planner/plan/plan.hpp"

namespace weldcell::gui {

struct RobotMoment {
  Eigen::VectorXd q;  ///< Empty when the robot plan has no samples.
  plan::SegmentKind activity = plan::SegmentKind::kWait;
  int segment = -1;  ///< Index into RobotPlan::segments; -1 before the first or after the last.
  bool finished = false;  ///< After its last segment (back home).
  /// While waiting: the ids of the zones it waits to acquire (and "after W..." for weld
  /// signals), from the segment that follows the wait.
  std::vector<std::string> waiting_for;
  bool operator==(const RobotMoment&) const = default;
};

struct StationMoment {
  std::vector<RobotMoment> robots;      ///< Index = plan.robots index.
  std::vector<std::string> welds_done;  ///< Welds whose dwell ended at or before t.
  bool operator==(const StationMoment&) const = default;
};

/// Linear interpolation of a robot's sampled timeline at time t (s, station clock), clamped to
/// its first and last sample; *segment (if given) receives the segment index, -1 outside.
Eigen::VectorXd ConfigurationAt(const plan::RobotPlan& robot, double t, int* segment = nullptr);

/// Everything drawn at time t.
StationMoment MomentAt(const plan::Plan& plan, double t);

/// s: the end of the plan's last segment (0 for an empty plan).
double PlanDuration(const plan::Plan& plan);

}  // namespace weldcell::gui
