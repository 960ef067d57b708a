#include "planner/verify/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <set>

#include "planner/cell/weld_frame.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/robustness.hpp"

namespace weldcell::verify {

std::string_view ToString(StationVerdict verdict) {
  switch (verdict) {
    case StationVerdict::kFits:
      return "fits";
    case StationVerdict::kIncomplete:
      return "incomplete";
    case StationVerdict::kTooLong:
      return "too long";
    case StationVerdict::kInvalid:
      return "invalid";
  }
  return "?";
}

StationVerdict Judge(const plan::Plan& plan, const VerifyReport& report) {
  if (!plan.unreachable.empty()) return StationVerdict::kIncomplete;
  const bool over_cycle_time =
      std::any_of(report.violations.begin(), report.violations.end(),
                  [](const Violation& v) { return v.kind == ViolationKind::kCycleTime; });
  if (!plan.within_cycle_time || over_cycle_time) return StationVerdict::kTooLong;
  return report.ok() ? StationVerdict::kFits : StationVerdict::kInvalid;
}

std::string_view ToString(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::kPlanMismatch:
      return "plan mismatch";
    case ViolationKind::kTiming:
      return "timing";
    case ViolationKind::kJointPosition:
      return "joint position";
    case ViolationKind::kJointVelocity:
      return "joint velocity";
    case ViolationKind::kJointAcceleration:
      return "joint acceleration";
    case ViolationKind::kCollision:
      return "collision";
    case ViolationKind::kSelfCollision:
      return "self-collision";
    case ViolationKind::kRobotCollision:
      return "robot collision";
    case ViolationKind::kWeld:
      return "weld";
    case ViolationKind::kPrecedence:
      return "precedence";
    case ViolationKind::kCycleTime:
      return "cycle time";
    case ViolationKind::kDeadlock:
      return "deadlock";
    case ViolationKind::kRobustness:
      return "robustness";
    case ViolationKind::kUnorderedContact:
      return "unordered contact";
  }
  return "?";
}

std::string ToString(const Violation& v) {
  // A broken plan may hold any double: never print hundreds of digits.
  const std::string time =
      std::abs(v.time) < 1e9 ? fmt::format("{:9.3f}", v.time) : fmt::format("{:9.3g}", v.time);
  return fmt::format("{} s  {:<6} {}: {}", time, v.robot.empty() ? "-" : v.robot, ToString(v.kind),
                     v.message);
}

std::map<ViolationKind, int> VerifyReport::CountByKind() const {
  std::map<ViolationKind, int> counts;
  for (const Violation& v : violations) ++counts[v.kind];
  return counts;
}

std::vector<std::string> SummaryLines(const VerifyReport& report, int max_per_kind) {
  std::map<std::pair<std::string, ViolationKind>, int> total, shown;
  for (const Violation& v : report.violations) ++total[{v.robot, v.kind}];
  std::vector<std::string> lines;
  for (const Violation& v : report.violations) {
    const std::pair<std::string, ViolationKind> key{v.robot, v.kind};
    const int n = ++shown[key];
    if (n <= max_per_kind) lines.push_back(ToString(v));
    if (n == max_per_kind && total[key] > max_per_kind) {
      lines.push_back(fmt::format("{:>9}    {:<6} {}: … and {} more {} violations ({} in all)", "",
                                  v.robot.empty() ? "-" : v.robot, ToString(v.kind),
                                  total[key] - max_per_kind, ToString(v.kind), total[key]));
    }
  }
  const ConcurrencyFigures& c = report.concurrency;
  if (c.capped) {
    lines.push_back(fmt::format(
        "{:>9}    {:<6} {}: the check stopped after the first {} (in piece order): {} of {} "
        "unordered piece pairs were not checked, more may touch",
        "", "-", ToString(ViolationKind::kUnorderedContact),
        report.CountByKind()[ViolationKind::kUnorderedContact], c.unordered_pairs - c.checked_pairs,
        c.unordered_pairs));
  }
  return lines;
}

namespace {

constexpr double kDeg = 180.0 / std::numbers::pi;

// Seconds in messages: µs resolution, but never hundreds of digits for a broken value.
std::string Sec(double t) {
  return std::abs(t) < 1e6 ? fmt::format("{:.6f}", t) : fmt::format("{:.6g}", t);
}

class Collector {
 public:
  explicit Collector(std::string robot, std::string other_robot = {})
      : robot_(std::move(robot)), other_robot_(std::move(other_robot)) {}
  void Add(ViolationKind kind, double time, std::string message) {
    out_.push_back({kind, time, robot_, std::move(message), false, other_robot_});
  }
  void Add(ViolationKind kind, double time, std::string robot, std::string message) {
    out_.push_back({kind, time, std::move(robot), std::move(message)});
  }
  // A weld the plan leaves out (Violation::omission).
  void AddOmission(std::string message) {
    out_.push_back({ViolationKind::kWeld, 0.0, robot_, std::move(message), /*omission=*/true});
  }
  std::vector<Violation> Finish() {
    std::stable_sort(out_.begin(), out_.end(), [](const Violation& a, const Violation& b) {
      return a.kind != b.kind ? a.kind < b.kind : a.time < b.time;
    });
    return std::move(out_);
  }

 private:
  std::string robot_, other_robot_;
  std::vector<Violation> out_;
};

// The robot's busy and waiting times as the plan states them (the report, the summaries and
// the cycle-time breakdown read them) against its segments: motion and weld segments are busy,
// wait segments waiting.
void CheckTimeTotals(const plan::RobotPlan& rp, Collector* out) {
  double busy = 0.0, wait = 0.0;
  for (const plan::Segment& segment : rp.segments) {
    if (segment.times.empty()) continue;
    const double duration = segment.times.back() - segment.times.front();
    (segment.kind == plan::SegmentKind::kWait ? wait : busy) += duration;
  }
  constexpr double kTolerance = 1e-6;  // s
  if (std::abs(rp.busy_time - busy) > kTolerance) {
    out->Add(ViolationKind::kTiming, 0.0,
             fmt::format("busy time {} s, but its motion and weld segments take {} s",
                         Sec(rp.busy_time), Sec(busy)));
  }
  if (std::abs(rp.wait_time - wait) > kTolerance) {
    out->Add(ViolationKind::kTiming, 0.0,
             fmt::format("wait time {} s, but its wait segments take {} s", Sec(rp.wait_time),
                         Sec(wait)));
  }
}

// A robot's samples flattened over its segments (boundary duplicates merged).
struct Samples {
  std::vector<double> t;
  std::vector<Eigen::VectorXd> q;

  // Linear interpolation at time t; before the first / after the last sample the robot stands.
  Eigen::VectorXd At(double time, std::size_t* hint) const {
    if (time <= t.front()) return q.front();
    if (time >= t.back()) return q.back();
    std::size_t i = *hint;
    if (i >= t.size() - 1 || t[i] > time) i = 0;
    while (i + 1 < t.size() && t[i + 1] < time) ++i;
    *hint = i;
    const double span = t[i + 1] - t[i];
    const double f = span > 0 ? (time - t[i]) / span : 1.0;
    return q[i] + f * (q[i + 1] - q[i]);
  }
};

std::string_view KindName(plan::SegmentKind kind) {
  switch (kind) {
    case plan::SegmentKind::kMotion:
      return "motion";
    case plan::SegmentKind::kWeld:
      return "weld";
    case plan::SegmentKind::kWait:
      return "wait";
  }
  return "?";
}

// The robot's samples, checking the segment contract of docs/plan-format.md on the way:
// segments contiguous in time, times not decreasing, motion segments sampled at least every
// `max_interval` s, waits standing still.
Samples Flatten(const plan::RobotPlan& rp, int dof, double max_interval, Collector* out) {
  Samples s;
  bool have_end = false;
  double previous_end = 0.0;  // last time of the previous segment with samples
  for (std::size_t k = 0; k < rp.segments.size(); ++k) {
    const plan::Segment& seg = rp.segments[k];
    const std::string name =
        fmt::format("{} segment {} ({} → {})", KindName(seg.kind), k, seg.from, seg.to);
    if (seg.times.empty()) {
      out->Add(ViolationKind::kTiming, s.t.empty() ? 0.0 : s.t.back(),
               fmt::format("{} has no samples", name));
      continue;
    }
    const double begin = seg.times.front();
    if (have_end && std::isfinite(begin) && std::abs(begin - previous_end) > 1e-9) {
      out->Add(ViolationKind::kTiming, std::min(begin, previous_end),
               fmt::format("{} starts at {} s, the previous segment ends at {} s: segments must "
                           "be contiguous ({} of {} s)",
                           name, Sec(begin), Sec(previous_end),
                           begin > previous_end ? "a gap" : "an overlap",
                           fmt::format("{:.6g}", std::abs(begin - previous_end))));
    }
    have_end = true;
    previous_end = seg.times.back();
    if (seg.kind == plan::SegmentKind::kMotion && seg.times.size() < 2) {
      out->Add(ViolationKind::kTiming, begin,
               fmt::format("{} has a single sample; a motion needs samples at both ends", name));
    }
    int backwards = 0, sparse = 0, moving = 0;
    double first_backwards = 0.0, widest = 0.0, widest_at = 0.0;
    for (std::size_t i = 0; i < seg.times.size(); ++i) {
      const double t = seg.times[i];
      const Eigen::VectorXd& q = seg.q[i];
      if (q.size() != dof) {
        out->Add(ViolationKind::kPlanMismatch, t,
                 fmt::format("segment {} sample {} has {} joint values, the robot has {}", k, i,
                             q.size(), dof));
        return {};
      }
      if (!std::isfinite(t) || !q.allFinite()) {
        out->Add(ViolationKind::kTiming, t,
                 fmt::format("segment {} sample {} is not finite", k, i));
        return {};
      }
      if (i > 0) {
        const double dt = t - seg.times[i - 1];
        if (seg.kind == plan::SegmentKind::kMotion && dt > max_interval * 1.01) {
          if (sparse++ == 0 || dt > widest) {
            widest = dt;
            widest_at = seg.times[i - 1];
          }
        }
        if (seg.kind == plan::SegmentKind::kWait && (q - seg.q[0]).cwiseAbs().maxCoeff() > 1e-9) {
          ++moving;
        }
      }
      if (!s.t.empty()) {
        if (t < s.t.back()) {
          if (backwards++ == 0) first_backwards = t;
          continue;
        }
        // Samples closer than a nanosecond are one instant: rounding of segment boundaries must
        // not turn into enormous finite-difference accelerations.
        if (t - s.t.back() < 1e-9) {
          if ((q - s.q.back()).cwiseAbs().maxCoeff() > 1e-9) {
            out->Add(ViolationKind::kTiming, t,
                     fmt::format("the configuration jumps at {} s (segment {} sample {})", Sec(t),
                                 k, i));
          }
          continue;
        }
      }
      s.t.push_back(t);
      s.q.push_back(q);
    }
    if (backwards > 0) {
      out->Add(ViolationKind::kTiming, first_backwards,
               fmt::format("time goes backwards in {}: {} sample(s) before the latest time so "
                           "far, the first at {} s",
                           name, backwards, Sec(first_backwards)));
    }
    if (sparse > 0) {
      out->Add(ViolationKind::kTiming, widest_at,
               fmt::format("{}: {} interval(s) between samples longer than {:.6g} s, the longest "
                           "{:.6g} s from {} s (linear interpolation over it is not the motion)",
                           name, sparse, max_interval, widest, Sec(widest_at)));
    }
    if (moving > 0) {
      out->Add(ViolationKind::kTiming, begin,
               fmt::format("{}: the robot moves while waiting", name));
    }
  }
  return s;
}

std::string JointName(const kinematics::Chain& chain, int j) { return chain.joint_names()[j]; }

// Joint values in messages in the units of `weldcell check`: degrees for revolute joints, m for
// prismatic ones. `order` 0: position, 1: velocity, 2: acceleration.
std::string JointValue(const kinematics::Chain& chain, int j, double value, int order) {
  const bool revolute = chain.joint_type(j) == cell::JointType::kRevolute;
  static constexpr std::array<std::string_view, 3> kPer = {"", "/s", "/s²"};
  const std::string_view per = kPer[static_cast<std::size_t>(order)];
  if (!revolute) return fmt::format("{:.6g} m{}", value, per);
  // A value whose degrees overflow (a hand-edited 1e308) is said in the file's radians.
  if (!std::isfinite(value * kDeg)) return fmt::format("{:.6g} rad{}", value, per);
  return fmt::format("{:.6g} deg{}", value * kDeg, per);
}

// An angle of a plan's record in degrees ("12.34°"), or as the file has it in rad when its
// degrees overflow (a hand-edited 1e308: not "inf°").
std::string RecordAngle(double rad) {
  if (!std::isfinite(rad * kDeg)) return fmt::format("{:.6g} rad", rad);
  return fmt::format("{:.2f}°", rad * kDeg);
}

void CheckLimits(const kinematics::Chain& chain, const Samples& s, double speed_scale,
                 double tolerance, Collector* out) {
  const Eigen::VectorXd& lo = chain.lower();
  const Eigen::VectorXd& hi = chain.upper();
  const Eigen::VectorXd vmax = chain.velocity_limits() * speed_scale;
  const Eigen::VectorXd& amax = chain.acceleration_limits();
  const int dof = chain.dof();
  for (std::size_t k = 0; k < s.t.size(); ++k) {
    for (int j = 0; j < dof; ++j) {
      const double q = s.q[k][j];
      if (q < lo[j] - 1e-9 || q > hi[j] + 1e-9) {
        out->Add(ViolationKind::kJointPosition, s.t[k],
                 fmt::format("{} at {}, limits [{}, {}]", JointName(chain, j),
                             JointValue(chain, j, q, 0), JointValue(chain, j, lo[j], 0),
                             JointValue(chain, j, hi[j], 0)));
      }
    }
  }
  // Finite differences: a first divided difference is the velocity at some instant of the
  // interval (mean value theorem), a second one a weighted mean of the acceleration over the two
  // intervals, so neither can exceed a limit that the motion respects.
  for (std::size_t k = 1; k < s.t.size(); ++k) {
    const double dt = s.t[k] - s.t[k - 1];
    const Eigen::VectorXd v = (s.q[k] - s.q[k - 1]) / dt;
    for (int j = 0; j < dof; ++j) {
      if (std::abs(v[j]) > vmax[j] * (1 + tolerance)) {
        // A step the double range cannot divide (a hand-edited ±1e308) is said as the step.
        const std::string speed = std::isfinite(v[j])
                                      ? fmt::format("at {}", JointValue(chain, j, v[j], 1))
                                      : fmt::format("moves from {} to {} in {:.6g} s",
                                                    JointValue(chain, j, s.q[k - 1][j], 0),
                                                    JointValue(chain, j, s.q[k][j], 0), dt);
        out->Add(ViolationKind::kJointVelocity, s.t[k - 1],
                 fmt::format("{} {}, limit {}", JointName(chain, j), speed,
                             JointValue(chain, j, vmax[j], 1)));
      }
    }
    if (k + 1 < s.t.size() && amax.size() == dof && (amax.array() > 0).all()) {
      const double dt2 = s.t[k + 1] - s.t[k];
      const Eigen::VectorXd v2 = (s.q[k + 1] - s.q[k]) / dt2;
      const Eigen::VectorXd a = 2.0 * (v2 - v) / (dt + dt2);
      for (int j = 0; j < dof; ++j) {
        if (std::abs(a[j]) > amax[j] * (1 + tolerance)) {
          const std::string rate =
              std::isfinite(a[j])
                  ? fmt::format("at {}", JointValue(chain, j, a[j], 2))
                  : fmt::format(
                        "passes {}, {}, {} at {:.6g}, {:.6g}, {:.6g} s",
                        JointValue(chain, j, s.q[k - 1][j], 0), JointValue(chain, j, s.q[k][j], 0),
                        JointValue(chain, j, s.q[k + 1][j], 0), s.t[k - 1], s.t[k], s.t[k + 1]);
          out->Add(ViolationKind::kJointAcceleration, s.t[k],
                   fmt::format("{} {}, limit {}", JointName(chain, j), rate,
                               JointValue(chain, j, amax[j], 2)));
        }
      }
    }
  }
}

ViolationKind KindOf(const collision::Contact& c) {
  return c.second.kind == collision::BodyKind::kObstacle ? ViolationKind::kCollision
                                                         : ViolationKind::kSelfCollision;
}

std::string ContactText(const collision::Contact& c) {
  return std::string(c.first.name) + " – " + std::string(c.second.name);
}

// Dense environment and self checks along the sampled motion. One violation per contact
// episode (a run of colliding intervals with the same pair).
long long CheckCollisions(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                          int robot, const Samples& s, double resolution, Collector* out) {
  long long checks = 0;
  std::string open_episode;
  for (std::size_t k = 0; k + 1 < s.t.size() || (k == 0 && s.t.size() == 1); ++k) {
    const Eigen::VectorXd& a = s.q[k];
    const Eigen::VectorXd& b = s.t.size() == 1 ? a : s.q[k + 1];
    const collision::SegmentCheckResult r =
        collision::CheckJointSegment(world, ctx, robot, a, b,
                                     {.resolution = resolution,
                                      .scope = collision::CheckScope::kEnvironmentAndSelf,
                                      // Independent of the planner's adaptive sampling.
                                      .sampling = collision::SegmentSampling::kUniform});
    checks += r.samples;
    if (r.free()) {
      open_episode.clear();
      continue;
    }
    const collision::Contact& c = r.collision.contacts.front();
    const std::string text = ContactText(c);
    if (text == open_episode) continue;
    open_episode = text;
    const double t = s.t.size() == 1 ? s.t[0] : s.t[k] + r.fraction * (s.t[k + 1] - s.t[k]);
    out->Add(KindOf(c), t, text);
  }
  return checks;
}

// Two robots on one clock: between consecutive sample times of either, both move linearly in
// joint space; the interval is split so that neither robot's points travel more than the
// resolution in total between checks.
long long CheckPair(const collision::CollisionWorld& world, collision::CollisionContext& ctx, int a,
                    const Samples& sa, int b, const Samples& sb, double resolution,
                    Collector* out) {
  std::vector<double> times = sa.t;
  times.insert(times.end(), sb.t.begin(), sb.t.end());
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  const collision::DisplacementBound& bound_a = world.displacement_bound(a);
  const collision::DisplacementBound& bound_b = world.displacement_bound(b);
  std::size_t hint_a = 0, hint_b = 0;
  long long checks = 0;
  std::string open_episode;
  Eigen::VectorXd qa0 = sa.At(times.front(), &hint_a), qb0 = sb.At(times.front(), &hint_b);
  auto check = [&](double t, const Eigen::VectorXd& qa, const Eigen::VectorXd& qb) {
    ++checks;
    const collision::CollisionResult r = world.CheckRobotPair(ctx, a, qa, b, qb);
    if (!r.in_collision()) {
      open_episode.clear();
      return;
    }
    const std::string text = ContactText(r.contacts.front());
    if (text == open_episode) return;
    open_episode = text;
    out->Add(ViolationKind::kRobotCollision, t, text);
  };
  check(times.front(), qa0, qb0);
  for (std::size_t k = 1; k < times.size(); ++k) {
    const Eigen::VectorXd qa1 = sa.At(times[k], &hint_a), qb1 = sb.At(times[k], &hint_b);
    const double travel = bound_a.MaxTravel(qa0, qa1) + bound_b.MaxTravel(qb0, qb1);
    const int n = std::max(1, static_cast<int>(std::ceil(travel / resolution)));
    for (int i = 1; i <= n; ++i) {
      const double f = static_cast<double>(i) / n;
      check(times[k - 1] + f * (times[k] - times[k - 1]), qa0 + f * (qa1 - qa0),
            qb0 + f * (qb1 - qb0));
    }
    qa0 = qa1;
    qb0 = qb1;
  }
  return checks;
}

// The gun on `weld` at configuration q of robot r: how far off (position, tilt, spin) and
// whether that is within the tolerances.
struct GunOnWeld {
  cell::WeldPoseError error;
  bool on = false;
};
GunOnWeld MeasureGun(const cell::Robot& robot, const kinematics::Chain& chain,
                     const cell::Weld& weld, const Eigen::VectorXd& q, double tolerance) {
  const Eigen::Isometry3d tcp_in_world = robot.X_WB * chain.FlangePose(q) * robot.tool.X_FT;
  const cell::WeldPoseError e = cell::MeasureWeldPose(weld, tcp_in_world);
  return {.error = e,
          .on = e.position <= tolerance && e.tilt <= weld.tilt_tolerance + 1e-6 &&
                cell::SpinAllowed(weld, e.spin)};
}

// One weld record of a robot: its dwell (a weld segment at it, standing still for close + weld
// + open, at the record's times), the gun on the weld there, and the record's spin and tilt
// those of the pose.
void CheckWeldVisit(const plan::RobotPlan& rp, const plan::WeldVisit& v, const cell::Weld& weld,
                    const cell::Robot& robot, const kinematics::Chain& chain, double tolerance,
                    Collector* out) {
  // The dwell: a weld segment at this weld, standing still at the planned configuration.
  const plan::Segment* dwell = nullptr;
  for (const plan::Segment& s : rp.segments) {
    if (s.kind == plan::SegmentKind::kWeld && s.from == v.weld_id) dwell = &s;
  }
  if (dwell == nullptr || dwell->times.empty() || v.q.size() != chain.dof()) {
    out->Add(ViolationKind::kWeld, v.start_time,
             fmt::format("{}: no weld dwell at {}", rp.robot, v.weld_id));
    return;
  }
  if (std::abs(v.start_time - dwell->times.front()) > 1e-6 ||
      std::abs(v.end_time - dwell->times.back()) > 1e-6) {
    out->Add(ViolationKind::kWeld, dwell->times.front(),
             fmt::format("{}: the weld record of {} says {}–{} s, its dwell is at {}–{} s",
                         rp.robot, v.weld_id, Sec(v.start_time), Sec(v.end_time),
                         Sec(dwell->times.front()), Sec(dwell->times.back())));
  }
  const double duration = dwell->times.back() - dwell->times.front();
  const double needed =
      cell::EffectiveWeldTime(weld, robot.tool) + robot.tool.close_time + robot.tool.open_time;
  if (duration < needed - 1e-9) {
    out->Add(ViolationKind::kWeld, dwell->times.front(),
             fmt::format("{}: dwell at {} lasts {} s, {} s needed (close + weld + open)", rp.robot,
                         v.weld_id, Sec(duration), Sec(needed)));
  }
  // The dwell stands still, and where the weld record says.
  const Eigen::VectorXd& stand = dwell->q.front();
  for (const Eigen::VectorXd& q : dwell->q) {
    if (q.size() != stand.size() || (q - stand).cwiseAbs().maxCoeff() > 1e-9) {
      out->Add(ViolationKind::kWeld, dwell->times.front(),
               fmt::format("{}: the robot moves during the weld dwell at {}", rp.robot, v.weld_id));
      break;
    }
  }
  if (stand.size() == v.q.size() && (stand - v.q).cwiseAbs().maxCoeff() > 1e-9) {
    Eigen::Index joint = 0;
    (stand - v.q).cwiseAbs().maxCoeff(&joint);
    out->Add(ViolationKind::kWeld, dwell->times.front(),
             fmt::format("{}: the weld record of {} is not where its dwell stands: {} is {} "
                         "in the record, {} in the dwell",
                         rp.robot, v.weld_id, JointName(chain, static_cast<int>(joint)),
                         JointValue(chain, static_cast<int>(joint), v.q[joint], 0),
                         JointValue(chain, static_cast<int>(joint), stand[joint], 0)));
  }
  const GunOnWeld gun = MeasureGun(robot, chain, weld, v.q, tolerance);
  const cell::WeldPoseError& e = gun.error;
  if (!gun.on) {
    out->Add(ViolationKind::kWeld, dwell->times.front(),
             fmt::format("{}: gun not on {}: {:.2f} mm off, tilt {:.2f}° (allowed {:.2f}°), "
                         "spin {:.1f}°{}",
                         rp.robot, v.weld_id, e.position * 1000, e.tilt * kDeg,
                         weld.tilt_tolerance * kDeg, e.spin * kDeg,
                         cell::SpinAllowed(weld, e.spin) ? "" : " (not allowed)"));
  }
  // The record's spin and tilt are what reports and programs show: those of the pose.
  constexpr double kAngleTolerance = 1e-3;  // rad
  const double spin_off = std::remainder(v.spin - e.spin, 2.0 * std::numbers::pi);
  if (std::abs(spin_off) > kAngleTolerance || std::abs(v.tilt - e.tilt) > kAngleTolerance) {
    out->Add(ViolationKind::kWeld, dwell->times.front(),
             fmt::format("{}: the weld record of {} says spin {}, tilt {}; its "
                         "configuration welds it at spin {:.2f}°, tilt {:.2f}°",
                         rp.robot, v.weld_id, RecordAngle(v.spin), RecordAngle(v.tilt),
                         e.spin * kDeg, e.tilt * kDeg));
  }
}

// What a robot's segments name: controllers and exporters take a weld segment's ids as the
// weld it welds, so every id must be a weld of the cell (or home), the segments must join up
// from home to home, a weld segment must name one weld, and its configuration must put the gun
// on it.
void CheckSegmentLabels(const plan::RobotPlan& rp, const cell::Cell& cell,
                        const std::map<std::string, int>& weld_index, const cell::Robot& robot,
                        const kinematics::Chain& chain, double tolerance, Collector* out) {
  const auto known_id = [&](const std::string& id) {
    return id == "home" || weld_index.count(id) > 0;
  };
  for (std::size_t k = 0; k < rp.segments.size(); ++k) {
    const plan::Segment& s = rp.segments[k];
    const double t = s.times.empty() ? 0.0 : s.times.front();
    // Each segment starts where the one before it ended (home first and last): programs
    // comment every move with these labels.
    // (An id the cell lacks is said below, once.)
    const std::string& came_from = k == 0 ? std::string("home") : rp.segments[k - 1].to;
    if (s.from != came_from && known_id(s.from) && known_id(came_from)) {
      out->Add(ViolationKind::kWeld, t,
               fmt::format("{}: segment {} ({}→{}) starts at {}, but the segment before it "
                           "ends at {}",
                           rp.robot, k, s.from, s.to, s.from, came_from));
    }
    if (k + 1 == rp.segments.size() && s.to != "home") {
      out->Add(ViolationKind::kWeld, t,
               fmt::format("{}: the last segment ({}→{}) ends at {}, not home", rp.robot, s.from,
                           s.to, s.to));
    }
    bool known = true;
    for (const std::string* id : {&s.from, &s.to}) {
      if (known_id(*id)) continue;
      known = false;
      out->Add(ViolationKind::kWeld, t,
               fmt::format("{}: segment {} ({}→{}) names weld {}, which is not in the cell",
                           rp.robot, k, s.from, s.to, *id));
    }
    if (s.kind != plan::SegmentKind::kWeld || !known) continue;
    if (s.from != s.to || s.from == "home") {
      out->Add(ViolationKind::kWeld, t,
               fmt::format("{}: weld segment {} is from {} to {}: a weld segment welds one weld",
                           rp.robot, k, s.from, s.to));
      continue;
    }
    const cell::Weld& weld = cell.welds[weld_index.at(s.from)];
    for (const Eigen::VectorXd& q : s.q) {
      if (q.size() != chain.dof() || !q.allFinite()) break;  // Flatten reports it
      const GunOnWeld gun = MeasureGun(robot, chain, weld, q, tolerance);
      if (!gun.on) {
        const cell::WeldPoseError& e = gun.error;
        out->Add(ViolationKind::kWeld, t,
                 fmt::format("{}: weld segment {} names {}, but its configuration does not "
                             "weld {}: the gun is {:.2f} mm off, tilt {:.2f}°, spin {:.1f}°",
                             rp.robot, k, s.from, s.from, e.position * 1000, e.tilt * kDeg,
                             e.spin * kDeg));
        break;
      }
    }
  }
}

// Weld segments whose weld the robot's weld records do not list (a record removed by hand):
// weld id -> the first such segment ("R1 segment 36").
struct UnrecordedWeld {
  std::string segment;
};
std::map<std::string, UnrecordedWeld> UnrecordedWelds(
    const plan::Plan& plan, const std::vector<int>& robot_of_plan,
    const std::map<std::string, std::string>& welded_by) {
  std::map<std::string, UnrecordedWeld> out;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    if (robot_of_plan[p] < 0) continue;
    const plan::RobotPlan& rp = plan.robots[p];
    for (std::size_t k = 0; k < rp.segments.size(); ++k) {
      const plan::Segment& s = rp.segments[k];
      if (s.kind != plan::SegmentKind::kWeld || s.from != s.to || welded_by.count(s.from)) {
        continue;
      }
      out.emplace(s.from, UnrecordedWeld{.segment = fmt::format("{} segment {}", rp.robot, k)});
    }
  }
  return out;
}

// The plan's list of welds not planned decides the verdict (incomplete) and what export leaves
// out: each must be a weld of the cell that no robot welds. Every weld of the cell no robot
// welds is an omission (with the plan's reason, or, when a weld segment welds it without a weld
// record, `unrecorded`, saying so). Returns true when every weld is welded.
bool CheckUnplannedList(const plan::Plan& plan, const cell::Cell& cell,
                        const std::map<std::string, int>& weld_index,
                        const std::map<std::string, std::string>& welded_by,
                        const std::map<std::string, UnrecordedWeld>& unrecorded, Collector* out) {
  std::map<std::string, std::string> reasons;
  for (const plan::UnreachableWeld& u : plan.unreachable) {
    reasons[u.weld_id] = u.reason;
    if (!weld_index.count(u.weld_id)) {
      out->Add(ViolationKind::kPlanMismatch, 0.0,
               fmt::format("unreachable: {} is not a weld of the cell", u.weld_id));
    } else if (auto w = welded_by.find(u.weld_id); w != welded_by.end()) {
      out->Add(ViolationKind::kPlanMismatch, 0.0,
               fmt::format("unreachable: {} is listed as not planned ({}), but {} welds it",
                           u.weld_id, u.reason, w->second));
    }
  }
  bool all = true;
  for (const cell::Weld& w : cell.welds) {
    if (welded_by.count(w.id)) continue;
    all = false;
    // Welded by a segment, but not in the plan's records, which are what counts it as done
    // (the requirements, the report): not done, and said as it is.
    if (auto u = unrecorded.find(w.id); u != unrecorded.end()) {
      out->AddOmission(
          fmt::format("{} is not welded by the plan's records: {} welds it, but no "
                      "robot's welds list has a record of it",
                      w.id, u->second.segment));
      continue;
    }
    auto r = reasons.find(w.id);
    out->AddOmission(fmt::format("{} is not welded{}", w.id,
                                 r == reasons.end() ? "" : " (plan: " + r->second + ")"));
  }
  return all;
}

// Returns true when every weld of the cell is welded by the plan.
bool CheckWelds(const plan::Plan& plan, const cell::Cell& cell,
                const collision::CollisionWorld& world, const std::vector<int>& robot_of_plan,
                double tolerance, Collector* out) {
  std::map<std::string, int> weld_index;
  for (std::size_t w = 0; w < cell.welds.size(); ++w)
    weld_index[cell.welds[w].id] = static_cast<int>(w);
  std::map<std::string, std::string> welded_by;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    const int r = robot_of_plan[p];
    if (r < 0) continue;
    const plan::RobotPlan& rp = plan.robots[p];
    for (const plan::WeldVisit& v : rp.welds) {
      auto it = weld_index.find(v.weld_id);
      if (it == weld_index.end()) {
        out->Add(ViolationKind::kWeld, v.start_time,
                 fmt::format("{}: weld {} is not in the cell", rp.robot, v.weld_id));
        continue;
      }
      if (auto [prev, inserted] = welded_by.emplace(v.weld_id, rp.robot); !inserted) {
        out->Add(
            ViolationKind::kWeld, v.start_time,
            fmt::format("{} welds {} again (already by {})", rp.robot, v.weld_id, prev->second));
      }
      CheckWeldVisit(rp, v, cell.welds[it->second], cell.robots[r], world.chain(r), tolerance, out);
    }
  }
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    const int r = robot_of_plan[p];
    if (r < 0) continue;
    CheckSegmentLabels(plan.robots[p], cell, weld_index, cell.robots[r], world.chain(r), tolerance,
                       out);
  }
  return CheckUnplannedList(plan, cell, weld_index, welded_by,
                            UnrecordedWelds(plan, robot_of_plan, welded_by), out);
}

// Zones and weld signals are well formed: robots of the plan, at least two uses by different
// robots, each over segments [acquire, release) that start and end with a motion or weld
// segment, with the times where they start and end (docs/plan-format.md).
void CheckZones(const plan::Plan& plan, const std::vector<int>& robot_of_plan, Collector* out) {
  std::map<std::string, const plan::RobotPlan*> robots;
  std::set<std::string> listed;  // every robot the plan lists, of the cell or not
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    listed.insert(plan.robots[p].robot);
    if (robot_of_plan[p] >= 0) robots.emplace(plan.robots[p].robot, &plan.robots[p]);
  }
  // A robot the plan lists that is not the cell's is said once, as "robot R9 is not in the
  // cell"; one the plan does not list is not a robot of the plan.
  auto unknown = [&](const std::string& robot) {
    return listed.count(robot) ? robot + " is not a robot of the cell"
                               : robot + " is not a robot of the plan";
  };
  // The start (or end) time of the robot's segment k, or nullopt when k does not name a motion
  // or weld segment.
  auto time_of = [](const plan::RobotPlan& r, int k, bool end) -> std::optional<double> {
    if (k < 0 || k >= static_cast<int>(r.segments.size()) ||
        r.segments[k].kind == plan::SegmentKind::kWait || r.segments[k].times.empty()) {
      return std::nullopt;
    }
    return end ? r.segments[k].times.back() : r.segments[k].times.front();
  };
  std::set<std::string> ids;
  for (const plan::Zone& z : plan.zones) {
    const std::string name = "zone " + z.id;
    if (!ids.insert(z.id).second) {
      out->Add(ViolationKind::kPlanMismatch, 0.0, fmt::format("{} is listed twice", name));
    }
    if (z.uses.size() < 2) {
      out->Add(ViolationKind::kPlanMismatch, 0.0,
               fmt::format("{} has {} use(s), a zone is shared by at least two robots", name,
                           z.uses.size()));
    }
    std::set<std::string> users;
    for (const plan::ZoneUse& u : z.uses) {
      auto r = robots.find(u.robot);
      if (r == robots.end()) {
        out->Add(ViolationKind::kPlanMismatch, 0.0, fmt::format("{}: {}", name, unknown(u.robot)));
        continue;
      }
      if (!users.insert(u.robot).second) {
        out->Add(ViolationKind::kPlanMismatch, 0.0,
                 fmt::format("{}: {} uses it twice", name, u.robot));
      }
      const std::optional<double> acquire = time_of(*r->second, u.acquire_segment, false);
      const std::optional<double> release = time_of(*r->second, u.release_segment - 1, true);
      if (!acquire || !release || u.release_segment <= u.acquire_segment) {
        out->Add(ViolationKind::kPlanMismatch, 0.0,
                 fmt::format("{}: {} holds it over segments [{}, {}) of {}; needs a motion or "
                             "weld segment to acquire at and one to release after, not before",
                             name, u.robot, u.acquire_segment, u.release_segment,
                             r->second->segments.size()));
        continue;
      }
      // On departure: when the robot next starts a motion or weld segment, or finishes.
      double released = *release;
      if (u.release_on_departure) {
        const std::vector<plan::Segment>& seg = r->second->segments;
        auto next = static_cast<std::size_t>(u.release_segment);
        while (next < seg.size() && seg[next].kind == plan::SegmentKind::kWait) ++next;
        released = next < seg.size() ? seg[next].times.front() : seg.back().times.back();
      }
      if (std::abs(*acquire - u.acquire_time) > 1e-6 ||
          std::abs(released - u.release_time) > 1e-6) {
        out->Add(
            ViolationKind::kTiming, *acquire,
            fmt::format("{}: {} acquires at {} s and releases at {} s, but segment {} "
                        "starts at {} s and the release (on {} after segment {}) is at {} s",
                        name, u.robot, Sec(u.acquire_time), Sec(u.release_time), u.acquire_segment,
                        Sec(*acquire), u.release_on_departure ? "departure" : "arrival",
                        u.release_segment - 1, Sec(released)));
      }
    }
  }
  // A weld signal is taken at the standstill where a motion or weld segment starts: each way
  // the plan misses one is said as what it is.
  for (const plan::WeldSignal& w : plan.weld_signals) {
    const std::string name = fmt::format("weld signal {} for {}", w.weld, w.robot);
    auto r = robots.find(w.robot);
    if (r == robots.end()) {
      out->Add(ViolationKind::kPlanMismatch, 0.0, fmt::format("{}: {}", name, unknown(w.robot)));
      continue;
    }
    const std::vector<plan::Segment>& seg = r->second->segments;
    const int count = static_cast<int>(seg.size());
    if (w.segment < 0 || w.segment >= count) {
      out->Add(ViolationKind::kPlanMismatch, 0.0,
               fmt::format("{}: segment {} is past {}'s timeline ({})", name, w.segment, w.robot,
                           count == 0 ? std::string("no segments")
                                      : fmt::format("segments 0 to {}", count - 1)));
    } else if (seg[w.segment].kind == plan::SegmentKind::kWait) {
      out->Add(ViolationKind::kPlanMismatch, 0.0,
               fmt::format("{}: {}'s segment {} is a wait segment; a weld signal is taken where "
                           "a motion or weld segment starts",
                           name, w.robot, w.segment));
    } else if (seg[w.segment].times.empty()) {
      out->Add(ViolationKind::kPlanMismatch, 0.0,
               fmt::format("{}: {}'s segment {} has no samples, so no time to take it at", name,
                           w.robot, w.segment));
    }
  }
}

// `after:` precedences on the station clock: a weld's dwell (the weld segment of the robot that
// welds it, as sampled) starts no earlier than the dwells of all its predecessors have ended.
// Derived from the segments, not from the weld records, so a record cannot hide a violation.
void CheckPrecedences(const plan::Plan& plan, const cell::Cell& cell,
                      const std::vector<int>& robot_of_plan, Collector* out) {
  struct Dwell {
    std::string robot;
    double start = 0.0, end = 0.0;
  };
  // A weld welded twice (reported by CheckWelds) counts from its first start to its last end.
  std::map<std::string, Dwell> dwells;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    if (robot_of_plan[p] < 0) continue;
    for (const plan::Segment& seg : plan.robots[p].segments) {
      if (seg.kind != plan::SegmentKind::kWeld || seg.times.empty()) continue;
      const auto [lo, hi] = std::minmax_element(seg.times.begin(), seg.times.end());
      auto [it, inserted] = dwells.emplace(seg.from, Dwell{plan.robots[p].robot, *lo, *hi});
      if (!inserted) {
        it->second.start = std::min(it->second.start, *lo);
        it->second.end = std::max(it->second.end, *hi);
      }
    }
  }
  for (const cell::Weld& w : cell.welds) {
    auto self = dwells.find(w.id);
    if (self == dwells.end()) continue;  // not welded: CheckWelds says so
    for (const std::string& before : w.after) {
      auto pred = dwells.find(before);
      if (pred == dwells.end()) {
        out->Add(ViolationKind::kPrecedence, self->second.start, self->second.robot,
                 fmt::format("{} ({}) is welded at {} s, but {}, which must be welded before it, "
                             "is never welded",
                             w.id, self->second.robot, Sec(self->second.start), before));
      } else if (self->second.start < pred->second.end - 1e-9) {
        out->Add(ViolationKind::kPrecedence, self->second.start, self->second.robot,
                 fmt::format("{} ({}) starts welding at {} s, before {} ({}) has finished at {} "
                             "s; {} must be welded after {}",
                             w.id, self->second.robot, Sec(self->second.start), before,
                             pred->second.robot, Sec(pred->second.end), w.id, before));
      }
    }
  }
}

// The plan without its idle robots (no motion or weld segment: no weld was given to them), for
// the event checks (re-simulation under random timing, concurrency). An idle robot stands at
// its home the whole cycle, so whether another robot touches it does not depend on timing:
// the dense check on the planned clock above decides it. Robots that a zone or weld signal
// names stay (such a plan is checked as it is). Empty `plan` when no robot is left out.
struct MovingRobots {
  std::optional<plan::Plan> plan;
  std::vector<int> robot_of_plan;
};
MovingRobots WithoutIdleRobots(const plan::Plan& plan, const std::vector<int>& robot_of_plan) {
  std::set<std::string> named;
  for (const plan::Zone& z : plan.zones) {
    for (const plan::ZoneUse& u : z.uses) named.insert(u.robot);
  }
  for (const plan::WeldSignal& w : plan.weld_signals) named.insert(w.robot);
  std::vector<std::size_t> kept;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    const plan::RobotPlan& r = plan.robots[p];
    const bool idle =
        !r.segments.empty() && named.count(r.robot) == 0 &&
        std::none_of(r.segments.begin(), r.segments.end(),
                     [](const plan::Segment& s) { return s.kind != plan::SegmentKind::kWait; });
    if (!idle) kept.push_back(p);
  }
  MovingRobots out;
  if (kept.size() == plan.robots.size()) return out;
  out.plan = plan;
  out.plan->robots.clear();
  for (const std::size_t p : kept) {
    out.plan->robots.push_back(plan.robots[p]);
    out.robot_of_plan.push_back(robot_of_plan[p]);
  }
  return out;
}

// Which cell robot each robot plan is for (-1: none); a plan of a robot not in the cell, a
// robot planned twice or a cell robot left out (it would not be checked against the others,
// even standing at home) is a plan mismatch.
std::vector<int> RobotsOfPlan(const plan::Plan& plan, const cell::Cell& cell, Collector* general) {
  std::vector<int> robot_of_plan(plan.robots.size(), -1);
  std::set<std::string> planned;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    for (std::size_t r = 0; r < cell.robots.size(); ++r) {
      if (cell.robots[r].name == plan.robots[p].robot) robot_of_plan[p] = static_cast<int>(r);
    }
    if (robot_of_plan[p] < 0) {
      general->Add(ViolationKind::kPlanMismatch, 0.0,
                   fmt::format("robot {} is not in the cell", plan.robots[p].robot));
    } else if (!planned.insert(plan.robots[p].robot).second) {
      general->Add(ViolationKind::kPlanMismatch, 0.0,
                   fmt::format("robot {} is planned twice", plan.robots[p].robot));
      robot_of_plan[p] = -1;
    }
  }
  for (const cell::Robot& r : cell.robots) {
    if (!planned.count(r.name)) {
      general->Add(ViolationKind::kPlanMismatch, 0.0,
                   fmt::format("robot {} of the cell is not in the plan", r.name));
    }
  }
  return robot_of_plan;
}

// Robot plan p (cell robot r): its samples (to *samples), its timing (from 0 s, from home to
// home, to its finish time, its totals) and its joint limits; returns its last sample's time
// (s), or none without samples.
std::optional<double> CheckRobotPlan(const plan::Plan& plan, const cell::Cell& cell,
                                     const collision::CollisionWorld& world,
                                     const VerifyOptions& options, int p, int r, Samples* samples,
                                     Collector* out) {
  *samples = Flatten(plan.robots[p], world.chain(r).dof(), options.max_sample_interval, out);
  const Samples& s = *samples;
  if (s.t.empty()) {
    out->Add(ViolationKind::kTiming, 0.0, "the robot has no trajectory samples");
    return std::nullopt;
  }
  const cell::Robot& robot = cell.robots[r];
  if (std::abs(s.t.front()) > 1e-9) {
    out->Add(ViolationKind::kTiming, s.t.front(), "the trajectory does not start at 0 s");
  }
  if ((s.q.front() - robot.home).cwiseAbs().maxCoeff() > 1e-6 ||
      (s.q.back() - robot.home).cwiseAbs().maxCoeff() > 1e-6) {
    out->Add(ViolationKind::kTiming, s.t.front(),
             "the trajectory does not start and end at the home configuration");
  }
  if (std::abs(s.t.back() - plan.robots[p].finish_time) > 1e-6) {
    out->Add(ViolationKind::kTiming, s.t.back(),
             fmt::format("finish time {} s, but the last sample is at {} s",
                         Sec(plan.robots[p].finish_time), Sec(s.t.back())));
  }
  CheckTimeTotals(plan.robots[p], out);
  const double finish = s.t.back();
  CheckLimits(world.chain(r), s, cell.settings.motion.speed_scale, options.limit_tolerance, out);
  return finish;
}

// Whether robot plan `rp` can be checked for collisions: no sample of its segments (a
// segment's first too, which Flatten drops as the previous one's end) has a joint further than
// internal::kCheckableBeyondLimits beyond its limits; if one has, the violation that says so.
bool CollisionCheckable(const kinematics::Chain& chain, const plan::RobotPlan& rp, Collector* out) {
  for (const plan::Segment& seg : rp.segments) {
    for (std::size_t k = 0; k < seg.q.size() && k < seg.times.size(); ++k) {
      const Eigen::VectorXd& q = seg.q[k];
      if (q.size() != chain.dof()) continue;  // Flatten reports it
      const std::optional<int> j = internal::JointBeyondCheckable(chain, q);
      if (!j) continue;
      out->Add(ViolationKind::kJointPosition, seg.times[k],
               fmt::format("collisions (and the timing-robustness runs) not checked: {} at {} is "
                           "more than {:g} {} beyond its limits [{}, {}], a configuration the "
                           "robot cannot take",
                           JointName(chain, *j), JointValue(chain, *j, q[*j], 0),
                           internal::kCheckableBeyondLimits,
                           chain.joint_type(*j) == cell::JointType::kRevolute ? "rad" : "m",
                           JointValue(chain, *j, chain.lower()[*j], 0),
                           JointValue(chain, *j, chain.upper()[*j], 0)));
      return false;
    }
  }
  return true;
}

// One collision check of the verifier: robot plan a against the environment and itself
// (b < 0), or robot plans a and b against each other.
struct CollisionTask {
  int a, b;
};

// The collision checks: one per robot (environment + self), then one per robot pair, of the
// robot plans marked in `checkable` (a cell robot, samples, CollisionCheckable).
std::vector<CollisionTask> CollisionTasks(const std::vector<char>& checkable) {
  const int n = static_cast<int>(checkable.size());
  std::vector<CollisionTask> tasks;
  for (int p = 0; p < n; ++p) {
    if (checkable[p]) tasks.push_back({p, -1});
  }
  for (int p = 0; p < n; ++p) {
    for (int q = p + 1; q < n; ++q) {
      if (checkable[p] && checkable[q]) tasks.push_back({p, q});
    }
  }
  return tasks;
}

// Runs the collision tasks in parallel (one context per worker), each into its collector in
// `out` (made here, in task order); returns each task's count of configurations checked.
std::vector<long long> RunCollisionTasks(
    const plan::Plan& plan, const collision::CollisionWorld& world,
    std::vector<collision::CollisionContext>& contexts, const std::vector<int>& robot_of_plan,
    const std::vector<Samples>& samples, const std::vector<CollisionTask>& tasks, double resolution,
    const VerifyOptions& options, std::vector<Collector>* out) {
  out->reserve(tasks.size());
  for (const CollisionTask& t : tasks) {
    out->emplace_back(plan.robots[t.a].robot, t.b < 0 ? "" : plan.robots[t.b].robot);
  }
  std::vector<long long> task_checks(tasks.size(), 0);
  const int task_count = static_cast<int>(tasks.size());
  std::mutex progress_mutex;
  int tasks_done = 0;
  ParallelFor(
      task_count, static_cast<int>(contexts.size()),
      [&](int i, int worker) {
        const CollisionTask& t = tasks[i];
        if (t.b < 0) {
          task_checks[i] = CheckCollisions(world, contexts[worker], robot_of_plan[t.a],
                                           samples[t.a], resolution, &(*out)[i]);
        } else {
          task_checks[i] = CheckPair(world, contexts[worker], robot_of_plan[t.a], samples[t.a],
                                     robot_of_plan[t.b], samples[t.b], resolution, &(*out)[i]);
        }
        // Counted and reported under one lock: the reports are in order.
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress.Report(kVerifyStage, ++tasks_done, task_count);
      },
      [&options] { return options.progress.cancelled(); });
  return task_checks;
}

// The station's timing against the plan and the cell: its makespan (s, the last robot's
// finish), its cycle time, and its within_cycle_time claim (every weld done, in time).
void CheckStationTiming(const plan::Plan& plan, const cell::Cell& cell, double makespan,
                        bool all_welded, Collector* general) {
  if (std::abs(plan.makespan - makespan) > 1e-6) {
    general->Add(ViolationKind::kTiming, makespan,
                 fmt::format("makespan {} s, but the last robot finishes at {} s",
                             Sec(plan.makespan), Sec(makespan)));
  }
  if (plan.cycle_time != cell.cycle_time) {
    general->Add(ViolationKind::kPlanMismatch, 0.0,
                 fmt::format("cycle_time: the plan says {} s, the cell {} s", Sec(plan.cycle_time),
                             Sec(cell.cycle_time)));
  }
  if (makespan > cell.cycle_time + 1e-9) {
    general->Add(ViolationKind::kCycleTime, makespan,
                 fmt::format("the station needs {} s, the cycle time is {} s", Sec(makespan),
                             Sec(cell.cycle_time)));
  }
  // within_cycle_time claims the whole station's work fits: every weld done, in time.
  if (plan.within_cycle_time != (all_welded && makespan <= cell.cycle_time + 1e-9)) {
    general->Add(ViolationKind::kTiming, makespan,
                 "within_cycle_time disagrees with the timing or the welds not done");
  }
}

}  // namespace

collision::CollisionWorld MakeVerifierWorld(const cell::Cell& cell) {
  return collision::CollisionWorld(cell, {.acm_samples = 0,
                                          .pairs = collision::PairPolicy::kVerifier,
                                          .robots_at_home_are_obstacles = false});
}

int VerifyReport::unsafe_count() const {
  return static_cast<int>(std::count_if(
      violations.begin(), violations.end(),
      [](const Violation& v) { return !v.omission && v.kind != ViolationKind::kCycleTime; }));
}

VerifyReport Verify(const plan::Plan& plan, const cell::Cell& cell, const VerifyOptions& options) {
  return Verify(plan, cell, MakeVerifierWorld(cell), options);
}

VerifyReport Verify(const plan::Plan& plan, const cell::Cell& cell,
                    const collision::CollisionWorld& world, const VerifyOptions& options) {
  // The planner's world skips pairs by sampling and by the home: not the verifier's business.
  WELDCELL_CHECK(world.options().pairs == collision::PairPolicy::kVerifier);
  WELDCELL_CHECK(world.robot_count() == static_cast<int>(cell.robots.size()));
  const double resolution =
      options.resolution > 0 ? options.resolution : cell.settings.motion.resolution;
  VerifyReport report;
  Collector general("");
  const std::string hash = plan::CellHash(cell, plan.seed);
  if (plan.cell_hash != hash) {
    general.Add(ViolationKind::kPlanMismatch, 0.0,
                fmt::format("the plan was made for cell '{}' ({}), this is '{}' ({})",
                            plan.cell_name, plan.cell_hash, cell.name, hash));
  }
  const std::vector<int> robot_of_plan = RobotsOfPlan(plan, cell, &general);
  // Per robot: samples, timing, limits, home, collisions.
  const int n = static_cast<int>(plan.robots.size());
  std::vector<Samples> samples(n);
  std::vector<Collector> collectors;
  collectors.reserve(plan.robots.size());
  for (const plan::RobotPlan& rp : plan.robots) collectors.emplace_back(rp.robot);
  const int threads = std::max(1, std::min(ResolveThreadCount(options.threads), std::max(n, 1)));
  std::vector<collision::CollisionContext> contexts;
  contexts.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) contexts.emplace_back(world);
  double makespan = 0.0;
  std::vector<char> checkable(static_cast<std::size_t>(n), 0);
  for (int p = 0; p < n; ++p) {
    const int r = robot_of_plan[p];
    if (r < 0) continue;
    if (const std::optional<double> finish =
            CheckRobotPlan(plan, cell, world, options, p, r, &samples[p], &collectors[p])) {
      makespan = std::max(makespan, *finish);
      checkable[p] =
          static_cast<char>(CollisionCheckable(world.chain(r), plan.robots[p], &collectors[p]));
    }
  }
  // Collisions: one task per robot (environment + self) and per robot pair, merged in order.
  const std::vector<CollisionTask> tasks = CollisionTasks(checkable);
  std::vector<Collector> task_out;
  const std::vector<long long> task_checks = RunCollisionTasks(
      plan, world, contexts, robot_of_plan, samples, tasks, resolution, options, &task_out);
  const bool all_welded =
      CheckWelds(plan, cell, world, robot_of_plan, options.weld_position_tolerance, &general);
  CheckPrecedences(plan, cell, robot_of_plan, &general);
  CheckZones(plan, robot_of_plan, &general);
  CheckStationTiming(plan, cell, makespan, all_welded, &general);
  auto append = [&](std::vector<Violation> v) {
    report.violations.insert(report.violations.end(), v.begin(), v.end());
  };
  append(general.Finish());
  for (int p = 0; p < n; ++p) append(collectors[p].Finish());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    append(task_out[i].Finish());
    report.collision_checks += task_checks[i];
  }
  if (options.progress.cancelled()) return report;
  const MovingRobots moving = WithoutIdleRobots(plan, robot_of_plan);
  internal::EventCheckResult events = internal::CheckEvents(
      moving.plan ? *moving.plan : plan, cell, world,
      moving.plan ? moving.robot_of_plan : robot_of_plan, resolution, options);
  append(std::move(events.violations));
  report.robustness = events.figures;
  report.concurrency = events.concurrency;
  return report;
}

}  // namespace weldcell::verify
