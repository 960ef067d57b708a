#include "planner/motion/weld_sequence.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/common/check.hpp"

namespace weldcell::motion {
namespace {

// SplitMix64: derives independent per-move seeds from one seed and an index.
std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Added to a move's seed index when it is searched from the retreat pose.
constexpr std::uint64_t kRetreatSeedOffset = 1ULL << 40;

bool Same(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).cwiseAbs().maxCoeff() <= 1e-12;
}

}  // namespace

SequenceResult Reversed(const SequenceResult& sequence) {
  WELDCELL_CHECK(sequence.skipped.empty() && !sequence.abandoned);
  SequenceResult out = sequence;
  out.trajectory = sequence.trajectory.Reversed();
  std::reverse(out.alternative_used.begin(), out.alternative_used.end());
  std::reverse(out.travel_paths.begin(), out.travel_paths.end());
  for (TravelPath& p : out.travel_paths) {
    std::swap(p.start, p.goal);
    std::reverse(p.waypoints.begin(), p.waypoints.end());
  }
  return out;
}

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

// A free waypoint path, timed: blended where the blends are free (`*unblended` = false), else
// exactly (`*unblended` = true when blends were tried).
MotionProfile TimePath(SegmentPlanner& planner, const std::vector<Eigen::VectorXd>& path,
                       double resolution, const JointLimits& limits, const TimingOptions& timing,
                       bool* unblended) {
  const TimingOptions exact{.speed_scale = timing.speed_scale, .blend_tolerance = 0.0};
  *unblended = false;
  if (path.size() > 2 && timing.blend_tolerance > 0) {
    MotionProfile blended = TimeParameterize(path, limits, timing);
    if (BlendsAreFree(planner, blended, resolution)) return blended;
    *unblended = true;
  }
  return TimeParameterize(path, limits, exact);
}

// One plan of the move, timed: blended where the blends are free, else exactly.
TravelMove PlanAndTime(SegmentPlanner& planner, const SegmentRequest& segment,
                       const JointLimits& limits, const TimingOptions& timing) {
  TravelMove out;
  out.path = planner.Plan(segment);
  if (!out.path.solved()) return out;
  out.profile =
      TimePath(planner, out.path.path, segment.resolution, limits, timing, &out.unblended);
  return out;
}

// A path planned before (SequenceRequest::known_path) for start → goal, timed as PlanTravelMove
// times its plans.
TravelMove TimeKnownPath(SegmentPlanner& planner, const std::vector<Eigen::VectorXd>& path,
                         const Eigen::VectorXd& start, const Eigen::VectorXd& goal,
                         const SequenceRequest& request) {
  WELDCELL_CHECK(path.size() >= 2 && Same(path.front(), start) && Same(path.back(), goal));
  TravelMove out;
  out.path.status = SegmentStatus::kSolved;
  out.path.path = path;
  out.path.direct = path.size() == 2;
  out.profile =
      TimePath(planner, path, request.resolution, request.limits, request.timing, &out.unblended);
  out.plan_durations = {out.profile.duration()};
  return out;
}

}  // namespace

TravelMove PlanTravelMove(SegmentPlanner& planner, const SegmentRequest& segment,
                          const JointLimits& limits, const TimingOptions& timing) {
  TravelMove best = PlanAndTime(planner, segment, limits, timing);
  int states = best.path.planner_states;
  std::vector<double> durations;
  if (best.path.solved()) durations.push_back(best.profile.duration());
  // Moves that only the wider searches solved are not planned again (their searches are the
  // expensive ones, and a retry may well fail).
  if (!best.path.solved() || best.path.direct || best.path.wide ||
      best.path.planner_states > segment.max_planner_states) {
    best.planner_states = states;
    best.plan_durations = std::move(durations);
    return best;
  }
  for (int k = 1; k < kTravelPlans; ++k) {
    const auto [fastest, longest] = std::minmax_element(durations.begin(), durations.end());
    if (k >= kTravelPlansFirst && *longest <= (1 + kTravelPlansAgree) * *fastest) break;
    SegmentRequest again = segment;
    again.seed = DeriveSeed(segment.seed, 0x7261'7665'6c00ULL + static_cast<std::uint64_t>(k));
    TravelMove other = PlanAndTime(planner, again, limits, timing);
    states += other.path.planner_states;
    if (!other.path.solved()) continue;
    durations.push_back(other.profile.duration());
    if (other.profile.duration() < best.profile.duration()) best = std::move(other);
  }
  best.planner_states = states;
  best.plan_durations = std::move(durations);
  return best;
}

namespace {

// The searches for one stop's poses, at index k + 1 (k = -1 the stop's own pose, k >= 0 its
// alternatives): why each was not reached, which lie in a pocket, and whether a search from
// the retreat pose ran.
struct StopSearch {
  std::vector<SegmentResult> failures;
  std::vector<char> pocket;
  bool retreat_searched = false;
};

// Approach configuration of a stop's pose k (-1: its own pose, else alternative k).
const Eigen::VectorXd& ApproachOf(const WeldStop& stop, int k) {
  return k < 0 ? stop.q_approach : stop.alternatives[static_cast<std::size_t>(k)].q_approach;
}

// Plans one robot's sequence (PlanWeldSequence): from home to every stop's approach pose, in
// along the normal, the weld, out again, and back home. The steps share the request, the
// result so far, where the robot leaves from, its way back to the retreat pose and the
// approach poses that no search reached.
class SequencePlanner {
 public:
  SequencePlanner(SegmentPlanner& planner, const SequenceRequest& request)
      : planner_(planner),
        request_(request),
        exact_{.speed_scale = request.timing.speed_scale, .blend_tolerance = 0.0},
        q_leave_(request.home) {
    result_.trajectory = RobotTrajectory(request.home);
  }

  // The sequence: every stop reached and welded, or skipped with why, then home; partial when
  // cancelled or abandoned over the shared budget of skipped stops.
  SequenceResult Run() {
    result_.alternative_used.assign(request_.stops.size(), -1);
    for (std::size_t i = 0; i < request_.stops.size(); ++i) {
      if (Interrupted()) return std::move(result_);
      WeldStopAt(i);
    }
    if (Interrupted()) return std::move(result_);
    ReturnHome();
    return std::move(result_);
  }

 private:
  // Cancelled, or over the shared budget of skipped stops (SequenceRequest::skipped_total:
  // the sequence is then abandoned).
  bool Interrupted() {
    if (request_.progress.cancelled()) return true;
    if (request_.skipped_total &&
        request_.skipped_total->load(std::memory_order_relaxed) > request_.max_skipped_total) {
      result_.abandoned = true;
      return true;
    }
    return false;
  }

  void Skip(SkippedStop stop) {
    result_.skipped.push_back(std::move(stop));
    if (request_.skipped_total) request_.skipped_total->fetch_add(1, std::memory_order_relaxed);
  }

  // A straight, exactly stopped move to `to` (none when the robot stands there).
  void MoveExact(const Eigen::VectorXd& to, const std::string& from_id, const std::string& to_id) {
    if (Same(result_.trajectory.end(), to)) return;
    result_.trajectory.AppendMotion(
        TimeParameterize({result_.trajectory.end(), to}, request_.limits, exact_), from_id, to_id);
  }

  // The way back (waypoints, free) from the retreat pose — where the robot stood before its
  // last planned (not straight) travel move, or home — to q_leave. A robot that came through a
  // narrow passage may stand where the planner finds no way on within its budget (on station L
  // one robot failed 77 searches from one such pose); the way it came is a known way out.
  bool CanRetreat() const { return way_back_.size() >= 2; }

  // Approach configurations of skipped stops: no search from where the robot stood reached
  // them. Every start of this sequence is connected to home (the robot moved there), so a pose
  // joined to one of them by a free straight move could only be reached if that one could.
  bool InUnreachedPocket(const Eigen::VectorXd& q) const {
    for (auto it = unreached_.rbegin(); it != unreached_.rend(); ++it) {
      if ((q - *it).cwiseAbs().maxCoeff() <= kPocketLink &&
          planner_.PathIsFree({q, *it}, request_.resolution)) {
        return true;
      }
    }
    return false;
  }

  // The travel move from start to goal: a path planned before (SequenceRequest::known_path)
  // timed, else planned with the seed of move `index`.
  TravelMove PlanMove(const Eigen::VectorXd& start, const Eigen::VectorXd& goal,
                      std::uint64_t index, SegmentSearch search, bool from_retreat) {
    const std::vector<Eigen::VectorXd>* known =
        !from_retreat && request_.known_path ? request_.known_path(start, goal) : nullptr;
    return known ? TimeKnownPath(planner_, *known, start, goal, request_)
                 : PlanTravelMove(planner_,
                                  {.start = start,
                                   .goal = goal,
                                   .resolution = request_.resolution,
                                   .seed = DeriveSeed(request_.seed, index),
                                   .max_planning_time = request_.max_planning_time,
                                   .max_planner_states = request_.max_planner_states,
                                   .search = search,
                                   .context = request_.context},
                                  request_.limits, request_.timing);
  }

  // Travel from the current leave point (or, `from_retreat`, back along way_back and on from
  // the retreat pose) to `goal`; false (with reason) when no path exists.
  bool Travel(const Eigen::VectorXd& goal, const std::string& to_id, std::uint64_t index,
              SegmentSearch search, SegmentResult* failure, bool from_retreat = false) {
    const Eigen::VectorXd& start = from_retreat ? way_back_.front() : q_leave_;
    TravelMove move = PlanMove(start, goal, index, search, from_retreat);
    result_.planner_states += move.planner_states;
    if (!move.path.solved()) {
      result_.failed_planner_states += move.planner_states;
      ++result_.failed_searches;
      *failure = std::move(move.path);
      return false;
    }
    std::vector<Eigen::VectorXd>& path = move.path.path;
    if (from_retreat) {
      // One motion: back to the retreat pose, then the new path (the turn there is a stop).
      std::vector<Eigen::VectorXd> whole = WayBackThen(path);
      move.profile = TimePath(planner_, whole, request_.resolution, request_.limits,
                              request_.timing, &move.unblended);
      result_.travel_paths.push_back({.start = q_leave_, .goal = goal, .waypoints = whole});
      ++result_.retreats;
    } else {
      result_.travel_paths.push_back({.start = start, .goal = goal, .waypoints = path});
    }
    (move.path.direct && !from_retreat ? result_.direct_moves : result_.planned_moves)++;
    result_.unblended_moves += move.unblended;
    if (from_retreat || !move.path.direct || way_back_.empty()) {
      way_back_ = std::move(path);  // the retreat pose is this move's start
    } else if (!Same(way_back_.back(), goal)) {
      way_back_.push_back(goal);
    }
    MotionProfile& profile = move.profile;
    if (profile.duration() > 0 || at_ != to_id) {
      result_.trajectory.AppendMotion(std::move(profile), at_, to_id);
    }
    return true;
  }

  // The way back to the retreat pose followed by `path` from there, without repeated points.
  std::vector<Eigen::VectorXd> WayBackThen(const std::vector<Eigen::VectorXd>& path) const {
    std::vector<Eigen::VectorXd> whole;
    auto add = [&](const Eigen::VectorXd& q) {
      if (whole.empty() || !Same(whole.back(), q)) whole.push_back(q);
    };
    std::for_each(way_back_.rbegin(), way_back_.rend(), add);
    std::for_each(path.begin(), path.end(), add);
    return whole;
  }

  // Stop i: reached by one of its poses, then approached along the normal, welded and left
  // the same way; or skipped with why.
  void WeldStopAt(std::size_t i) {
    const WeldStop& stop = request_.stops[i];
    StopSearch search;
    const std::optional<WeldPose> pose = ReachStop(i, stop, &search);
    if (!pose) {
      SkipUnreached(i, stop, search);
      return;
    }
    MoveExact(pose->q, stop.id, stop.id);  // approach along the normal
    result_.trajectory.AppendWeldDwell(stop.id, stop.dwell);
    MoveExact(pose->q_approach, stop.id, stop.id);  // retract along the normal
    at_ = stop.id;
    q_leave_ = pose->q_approach;
  }

  // The stop's own pose, then its alternatives (each move's seed differs by alternative):
  // first each pose with the near search alone, and only when none was reached, each pose
  // once more from the whole joint ranges, then, last, with the third attempt (another seed,
  // eight times the budget: a weld otherwise left unplanned; not for a weld another robot
  // reaches, WeldStop::others_reach). A pose in the pocket of one
  // no search reached before is only tried directly. On stations M and L every pose that the
  // near search missed was either reached by another pose's near search at once (the
  // allocation's spin on the flange's far side from where the robot stood) or missed by the
  // wider searches too (a pocket): they cost nine times the near search and found nothing. An
  // open pose can still be hard to find (a generated station's: the near search two tries in
  // three, the whole-range one seven in eight) while the own pose lies in a pocket, so the
  // whole-range search is not spent on the own pose alone. Returns the pose travelled to (its
  // index in result.alternative_used[i]), or none.
  std::optional<WeldPose> ReachStop(std::size_t i, const WeldStop& stop, StopSearch* s) {
    const WeldPose* pose = nullptr;
    WeldPose own{.q = stop.q, .q_approach = stop.q_approach};
    const int poses = 1 + static_cast<int>(stop.alternatives.size());
    auto pose_of = [&](int k) -> const WeldPose& {
      return k < 0 ? own : stop.alternatives[static_cast<std::size_t>(k)];
    };
    s->failures.resize(static_cast<std::size_t>(poses));
    s->pocket.assign(static_cast<std::size_t>(poses), 0);
    for (int k = -1; k + 1 < poses; ++k) {
      s->pocket[static_cast<std::size_t>(k + 1)] = InUnreachedPocket(pose_of(k).q_approach);
    }
    // The passes: near searches from where the robot stands; when none reached a pose, near
    // searches from the retreat pose (after going back the way it came); then every pose from
    // the whole ranges; then every pose with the long search.
    struct Pass {
      SegmentSearch search;
      bool from_retreat;
    };
    std::vector<Pass> passes{{SegmentSearch::kNear, false}};
    if (CanRetreat()) passes.push_back({SegmentSearch::kNear, true});
    passes.push_back({SegmentSearch::kWhole, false});
    if (!stop.others_reach) passes.push_back({SegmentSearch::kLong, false});
    for (const Pass& pass : passes) {
      for (int k = -1; k + 1 < poses && !pose; ++k) {
        const auto at = static_cast<std::size_t>(k + 1);
        SegmentSearch search = s->pocket[at] ? SegmentSearch::kDirect : pass.search;
        if (pass.from_retreat || pass.search != SegmentSearch::kNear) {
          // In collision or in a pocket (tried directly already).
          if (s->failures[at].status != SegmentStatus::kNoPathFound || s->pocket[at]) continue;
        }
        const WeldPose& p = pose_of(k);
        const std::uint64_t index = i + (static_cast<std::uint64_t>(k + 1) << 32) +
                                    (pass.from_retreat ? kRetreatSeedOffset : 0);
        const int states_before = s->failures[at].planner_states;
        SegmentResult retreat_failure;
        s->retreat_searched = s->retreat_searched || pass.from_retreat;
        if (Travel(p.q_approach, stop.id, index, search,
                   pass.from_retreat ? &retreat_failure : &s->failures[at], pass.from_retreat)) {
          pose = &p;
          result_.alternative_used[i] = k;
        } else if (pass.from_retreat) {
          s->failures[at].planner_states += retreat_failure.planner_states;
        } else {
          s->failures[at].planner_states += states_before;
        }
      }
    }
    if (!pose) return std::nullopt;
    return *pose;
  }

  // Skips stop i that no pose was reached of: every pose the searches could not reach (not
  // those in collision) joins the pockets; the reason is the own pose's, with the searches'
  // effort.
  void SkipUnreached(std::size_t i, const WeldStop& stop, const StopSearch& s) {
    const int poses = 1 + static_cast<int>(stop.alternatives.size());
    for (int k = -1; k + 1 < poses; ++k) {
      if (s.failures[static_cast<std::size_t>(k + 1)].status == SegmentStatus::kNoPathFound) {
        unreached_.push_back(ApproachOf(stop, k));
      }
    }
    std::string reason = s.failures[0].message;
    if (s.pocket[0]) {
      reason += "; in the pocket of a skipped weld's pose, so not searched";
    } else if (s.failures[0].status == SegmentStatus::kNoPathFound) {
      const std::string near = s.retreat_searched ? "near, retreat" : "near";
      reason += "; " + std::to_string(s.failures[0].planner_states) + " tree extensions in the " +
                (stop.others_reach ? near +
                                         " and whole-range searches (not the long one: "
                                         "another robot reaches the weld)"
                                   : near + ", whole-range and long searches");
    }
    if (!stop.alternatives.empty()) {
      reason += " (and no path to any of its " + std::to_string(stop.alternatives.size()) +
                " other poses)";
    }
    Skip({static_cast<int>(i), reason});
  }

  // Home: all three attempts from where the robot stands; with a retreat pose, the near search
  // from here, then all three from the retreat pose, then the wider ones from here.
  void ReturnHome() {
    SegmentResult failure, retreat_failure;
    const std::uint64_t home_index = request_.stops.size();
    const bool home_reached =
        CanRetreat() ? Travel(request_.home, "home", home_index, SegmentSearch::kNear, &failure) ||
                           Travel(request_.home, "home", home_index + kRetreatSeedOffset,
                                  SegmentSearch::kFull, &retreat_failure, true) ||
                           Travel(request_.home, "home", home_index, SegmentSearch::kWide, &failure)
                     : Travel(request_.home, "home", home_index, SegmentSearch::kFull, &failure);
    if (!home_reached) {
      // Going home must always be possible from where the robot welded last; if not, the
      // trajectory is incomplete and the verifier will say so (it must end at home).
      Skip({static_cast<int>(request_.stops.size()), "return home: " + failure.message});
    }
  }

  SegmentPlanner& planner_;
  const SequenceRequest& request_;
  const TimingOptions exact_;  // exact stops at the request's speed scale
  SequenceResult result_;
  std::string at_ = "home";  // the id of the stop the robot is at
  Eigen::VectorXd q_leave_;  // where it leaves from (after retracting)
  std::vector<Eigen::VectorXd> way_back_;
  std::vector<Eigen::VectorXd> unreached_;
};

}  // namespace

SequenceResult PlanWeldSequence(SegmentPlanner& planner, const SequenceRequest& request) {
  return SequencePlanner(planner, request).Run();
}

}  // namespace weldcell::motion
