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
  /// signals), from the segment that follows the wait; not a zone it is the first user of,
  /// which no robot holds before it (plan::WaitInterval::free_zones).
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

/// s: the step of a time axis over [0, span] s, a "nice" 1, 2 or 5 × 10^k s, the smallest
/// with at most `max_labels` (>= 1) steps in the span, so that a 3600 s or 1e300 s span gets as
/// few labels as a 20 s one. 1 for a span <= 0 or not finite.
double NiceTickStep(double span, int max_labels);

/// The tick times of that axis: 0, step, 2 step, ... <= span; at most max_labels + 1 of them
/// whatever the span (a loop adding the step to a time never ends once the step is below the
/// time's resolution, e.g. 20 s at 1e300 s).
std::vector<double> AxisTicks(double span, int max_labels);

/// Seconds as the viewer writes them: `decimals` fixed decimals below 1e6 s ("21.35"), above in
/// scientific notation with four significant digits ("1.000e+09"), never hundreds of digits.
std::string FormatSeconds(double t, int decimals = 2);

/// s: half the unit of the last digit FormatSeconds(t, decimals) writes: times within it of t
/// are written as t is (21.35 for 21.3476).
double DisplayedResolution(double t, int decimals = 2);

}  // namespace weldcell::gui
