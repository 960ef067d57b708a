#include "planner/coordination/critical_path.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <utility>

#include "planner/coordination/coordinate.hpp"

namespace weldcell::coordination {
namespace {

// s: times on the planned clock that are equal within this.
constexpr double kSameTime = 1e-6;

// Who robot `robot` waited for last in the wait that ends where its segment `next` starts, at
// `end`: the robot and when it let this one go. Nothing when the plan's events do not say.
std::optional<std::pair<int, double>> WaitedFor(const CoordinationResult& result, int robot,
                                                int next, double end) {
  std::optional<std::pair<int, double>> last;
  auto consider = [&](int other, double ready) {
    if (other == robot || ready > end + kSameTime) return;
    if (!last || ready > last->second) last = {other, ready};
  };
  for (const Zone& zone : result.zones) {
    for (std::size_t u = 0; u < zone.uses.size(); ++u) {
      if (zone.uses[u].robot != robot || zone.uses[u].acquire_segment != next) continue;
      for (std::size_t v = 0; v < u; ++v) consider(zone.uses[v].robot, zone.uses[v].release_time);
    }
  }
  for (const WeldSignal& signal : result.weld_signals) {
    if (signal.robot != robot || signal.segment != next) continue;
    for (std::size_t r = 0; r < result.trajectories.size(); ++r) {
      for (const motion::TrajectorySegment& s : result.trajectories[r].segments()) {
        if (s.kind == motion::SegmentKind::kWeldDwell && s.from == signal.weld) {
          consider(static_cast<int>(r), s.end_time());
        }
      }
    }
  }
  return last;
}

// The index of robot `robot`'s last wait longer than 0 that ends no later than `time`, or -1.
int LastWaitBefore(const motion::RobotTrajectory& trajectory, double time) {
  const std::vector<motion::TrajectorySegment>& segments = trajectory.segments();
  for (int k = static_cast<int>(segments.size()) - 1; k >= 0; --k) {
    const motion::TrajectorySegment& s = segments[static_cast<std::size_t>(k)];
    if (s.kind == motion::SegmentKind::kWait && s.duration() > 0.0 &&
        s.end_time() <= time + kSameTime) {
      return k;
    }
  }
  return -1;
}

}  // namespace

std::vector<char> CriticalRobots(const CoordinationResult& result) {
  const std::size_t n = result.trajectories.size();
  std::vector<char> critical(n, 0);
  double makespan = 0.0;
  for (const motion::RobotTrajectory& t : result.trajectories) {
    makespan = std::max(makespan, t.duration());
  }
  std::set<std::pair<int, int>> walked;  // (robot, wait segment): each wait followed once
  for (std::size_t last = 0; last < n; ++last) {
    if (result.trajectories[last].segments().empty() ||
        result.trajectories[last].duration() < makespan - kCriticalTie) {
      continue;
    }
    int robot = static_cast<int>(last);
    double time = result.trajectories[last].duration();
    while (true) {
      critical[static_cast<std::size_t>(robot)] = 1;
      const motion::RobotTrajectory& trajectory =
          result.trajectories[static_cast<std::size_t>(robot)];
      const int k = LastWaitBefore(trajectory, time);
      if (k < 0 || !walked.insert({robot, k}).second) break;
      const motion::TrajectorySegment& wait = trajectory.segments()[static_cast<std::size_t>(k)];
      const std::optional<std::pair<int, double>> by =
          WaitedFor(result, robot, k + 1, wait.end_time());
      if (!by) {
        time = wait.start_time;  // unexplained: step over it
        continue;
      }
      robot = by->first;
      time = by->second;
    }
  }
  return critical;
}

}  // namespace weldcell::coordination
