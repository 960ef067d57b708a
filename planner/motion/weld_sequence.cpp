#include "planner/motion/weld_sequence.hpp"

#include <algorithm>
#include <cmath>

#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"

namespace weldcell::motion {
namespace {

// SplitMix64: derives independent per-move seeds from one seed and an index.
std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool Same(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).cwiseAbs().maxCoeff() <= 1e-12;
}

}  // namespace

bool BlendsAreFree(SegmentPlanner& planner, const MotionProfile& profile, double resolution) {
  for (const PathPiece& piece : profile.pieces()) {
    if (piece.kind != PathPiece::Kind::kArc) continue;
    // Chords of at most `resolution / 4` joint-space length deviate from the arc by far less
    // than the resolution; each chord is then checked at the resolution.
    const int n = std::max(2, static_cast<int>(std::ceil(piece.length / 0.01)));
    Eigen::VectorXd previous = piece.Position(0.0);
    for (int i = 1; i <= n; ++i) {
      const Eigen::VectorXd next = piece.Position(piece.length * i / n);
      if (!planner.PathIsFree({previous, next}, resolution)) return false;
      previous = next;
    }
  }
  return true;
}

namespace {

// One plan of the move, timed: blended where the blends are free, else exactly.
TravelMove PlanAndTime(SegmentPlanner& planner, const SegmentRequest& segment,
                       const JointLimits& limits, const TimingOptions& timing) {
  TravelMove out;
  out.path = planner.Plan(segment);
  if (!out.path.solved()) return out;
  const TimingOptions exact{.speed_scale = timing.speed_scale, .blend_tolerance = 0.0};
  if (out.path.path.size() > 2 && timing.blend_tolerance > 0) {
    out.profile = TimeParameterize(out.path.path, limits, timing);
    if (!BlendsAreFree(planner, out.profile, segment.resolution)) {
      out.unblended = true;
      out.profile = TimeParameterize(out.path.path, limits, exact);
    }
  } else {
    out.profile = TimeParameterize(out.path.path, limits, exact);
  }
  return out;
}

}  // namespace

TravelMove PlanTravelMove(SegmentPlanner& planner, const SegmentRequest& segment,
                          const JointLimits& limits, const TimingOptions& timing) {
  TravelMove best = PlanAndTime(planner, segment, limits, timing);
  // Moves that only the wider searches solved are not planned again (their searches are the
  // expensive ones, and a retry may well fail).
  if (!best.path.solved() || best.path.direct ||
      best.path.planner_states > segment.max_planner_states) {
    return best;
  }
  for (int k = 1; k < kTravelPlans; ++k) {
    SegmentRequest again = segment;
    again.seed = DeriveSeed(segment.seed, 0x7261'7665'6c00ULL + static_cast<std::uint64_t>(k));
    TravelMove other = PlanAndTime(planner, again, limits, timing);
    if (other.path.solved() && other.profile.duration() < best.profile.duration()) {
      best = std::move(other);
    }
  }
  return best;
}

SequenceResult PlanWeldSequence(SegmentPlanner& planner, const SequenceRequest& request) {
  SequenceResult result;
  result.trajectory = RobotTrajectory(request.home);
  const TimingOptions exact{.speed_scale = request.timing.speed_scale, .blend_tolerance = 0.0};
  std::string at = "home";
  Eigen::VectorXd q_leave = request.home;  // where it leaves from (after retracting)
  auto move_exact = [&](const Eigen::VectorXd& to, const std::string& from_id,
                        const std::string& to_id) {
    if (Same(result.trajectory.end(), to)) return;
    result.trajectory.AppendMotion(
        TimeParameterize({result.trajectory.end(), to}, request.limits, exact), from_id, to_id);
  };
  // Travel from the current leave point to `goal`; false (with reason) when no path exists.
  auto travel = [&](const Eigen::VectorXd& goal, const std::string& to_id, std::uint64_t index,
                    std::string* reason) {
    TravelMove move = PlanTravelMove(planner,
                                     {.start = q_leave,
                                      .goal = goal,
                                      .resolution = request.resolution,
                                      .seed = DeriveSeed(request.seed, index),
                                      .max_planning_time = request.max_planning_time,
                                      .context = request.context},
                                     request.limits, request.timing);
    if (!move.path.solved()) {
      *reason = move.path.message;
      return false;
    }
    (move.path.direct ? result.direct_moves : result.planned_moves)++;
    result.unblended_moves += move.unblended;
    MotionProfile& profile = move.profile;
    if (profile.duration() > 0) result.trajectory.AppendMotion(std::move(profile), at, to_id);
    return true;
  };

  result.alternative_used.assign(request.stops.size(), -1);
  for (std::size_t i = 0; i < request.stops.size(); ++i) {
    if (request.progress.cancelled()) return result;
    const WeldStop& stop = request.stops[i];
    std::string reason;
    // The stop's own pose, then its alternatives (each move's seed differs by alternative).
    const WeldPose* pose = nullptr;
    WeldPose own{.q = stop.q, .q_approach = stop.q_approach};
    for (int k = -1; k < static_cast<int>(stop.alternatives.size()) && !pose; ++k) {
      const WeldPose& p = k < 0 ? own : stop.alternatives[static_cast<std::size_t>(k)];
      std::string why;
      const std::uint64_t index = i + (static_cast<std::uint64_t>(k + 1) << 32);
      if (travel(p.q_approach, stop.id, index, &why)) {
        pose = &p;
        result.alternative_used[i] = k;
      } else if (k < 0) {
        reason = why;
      }
    }
    if (!pose) {
      if (!stop.alternatives.empty()) {
        reason += " (and no path to any of its " + std::to_string(stop.alternatives.size()) +
                  " other poses)";
      }
      result.skipped.push_back({static_cast<int>(i), reason});
      continue;
    }
    move_exact(pose->q, stop.id, stop.id);  // approach along the normal
    result.trajectory.AppendWeldDwell(stop.id, stop.dwell);
    move_exact(pose->q_approach, stop.id, stop.id);  // retract along the normal
    at = stop.id;
    q_leave = pose->q_approach;
  }
  if (request.progress.cancelled()) return result;
  std::string reason;
  if (!travel(request.home, "home", request.stops.size(), &reason)) {
    // Going home must always be possible from where the robot welded last; if not, the
    // trajectory is incomplete and the verifier will say so (it must end at home).
    result.skipped.push_back({static_cast<int>(request.stops.size()), "return home: " + reason});
  }
  return result;
}

}  // namespace weldcell::motion
