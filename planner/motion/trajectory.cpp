#include "planner/motion/trajectory.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <sstream>
#include <utility>

#include "planner/common/check.hpp"
#include "planner/motion/internal/topp_arc.hpp"

namespace weldcell::motion {

namespace {

bool SameVector(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return a.size() == b.size() && (a.array() == b.array()).all();
}

std::string FormatVector(const Eigen::VectorXd& v) {
  std::ostringstream out;
  out.precision(6);
  out << '[';
  for (Eigen::Index i = 0; i < v.size(); ++i) out << (i > 0 ? ", " : "") << v[i];
  out << ']';
  return out.str();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// PathPiece

Eigen::VectorXd PathPiece::Position(double s) const {
  if (kind == Kind::kLine) {
    if (length <= 0.0 || s >= length) return s <= 0.0 ? start : end;
    if (s <= 0.0) return start;
    // Interpolating between the two stored endpoints (rather than start + s*direction) makes
    // the piece end exactly where the next one starts.
    return start + (end - start) * (s / length);
  }
  if (s >= length) return end;
  const double theta = std::max(s, 0.0) / radius;
  const double half_sin = std::sin(0.5 * theta);
  return start + radius * (y * std::sin(theta) - x * (2.0 * half_sin * half_sin));
}

Eigen::VectorXd PathPiece::Tangent(double s) const {
  if (kind == Kind::kLine) return direction;
  const double theta = std::clamp(s, 0.0, length) / radius;
  return y * std::cos(theta) - x * std::sin(theta);
}

Eigen::VectorXd PathPiece::Curvature(double s) const {
  if (kind == Kind::kLine) return Eigen::VectorXd::Zero(start.size());
  const double theta = std::clamp(s, 0.0, length) / radius;
  return -(x * std::cos(theta) + y * std::sin(theta)) / radius;
}

bool PathPiece::operator==(const PathPiece& other) const {
  return kind == other.kind && length == other.length && radius == other.radius &&
         SameVector(start, other.start) && SameVector(end, other.end) &&
         SameVector(direction, other.direction) && SameVector(x, other.x) &&
         SameVector(y, other.y) && SameVector(max_abs_tangent, other.max_abs_tangent) &&
         SameVector(max_abs_curvature, other.max_abs_curvature);
}

// ---------------------------------------------------------------------------------------------
// MotionProfile

MotionProfile::MotionProfile(std::vector<PathPiece> pieces, std::vector<ProfilePhase> phases)
    : pieces_(std::move(pieces)), phases_(std::move(phases)) {
  WELDCELL_CHECK(!pieces_.empty());
  WELDCELL_CHECK(!phases_.empty());
  const Eigen::Index n = pieces_.front().start.size();
  for (const PathPiece& piece : pieces_) {
    WELDCELL_CHECK(piece.start.size() == n && piece.end.size() == n);
    WELDCELL_CHECK(piece.max_abs_tangent.size() == n && piece.max_abs_curvature.size() == n);
    WELDCELL_CHECK(piece.length >= 0.0);
    if (piece.kind == PathPiece::Kind::kLine) {
      WELDCELL_CHECK(piece.direction.size() == n);
    } else {
      WELDCELL_CHECK(piece.x.size() == n && piece.y.size() == n);
      WELDCELL_CHECK(piece.radius > 0.0);
    }
  }
  double t = 0.0;
  for (const ProfilePhase& phase : phases_) {
    WELDCELL_CHECK(phase.piece >= 0 && phase.piece < static_cast<int>(pieces_.size()));
    WELDCELL_CHECK(phase.duration >= 0.0 && std::isfinite(phase.duration));
    WELDCELL_CHECK(phase.v0 >= 0.0);
    // Phases are built by accumulating durations, so the start times match exactly.
    WELDCELL_CHECK(phase.start_time == t);
    t += phase.duration;
  }
}

MotionProfile MotionProfile::Stationary(const Eigen::VectorXd& q, double duration) {
  WELDCELL_CHECK(duration >= 0.0 && std::isfinite(duration));
  const Eigen::Index n = q.size();
  PathPiece piece{.kind = PathPiece::Kind::kLine,
                  .length = 0.0,
                  .start = q,
                  .end = q,
                  .direction = Eigen::VectorXd::Zero(n),
                  .max_abs_tangent = Eigen::VectorXd::Zero(n),
                  .max_abs_curvature = Eigen::VectorXd::Zero(n)};
  return MotionProfile({std::move(piece)}, {ProfilePhase{.duration = duration}});
}

namespace {

// A piece traversed from its end: position s on the result is position length − s on `p`.
PathPiece ReversedPiece(const PathPiece& p) {
  PathPiece r = p;
  r.start = p.end;
  r.end = p.start;
  if (p.kind == PathPiece::Kind::kLine) {
    r.direction = -p.direction;
    return r;
  }
  // The arc's end as its start: x' points from the center to it, y' is the tangent there
  // turned round (θ = the arc's angle).
  const double theta = p.length / p.radius;
  r.x = p.x * std::cos(theta) + p.y * std::sin(theta);
  r.y = p.x * std::sin(theta) - p.y * std::cos(theta);
  return r;
}

}  // namespace

MotionProfile MotionProfile::Reversed() const {
  std::vector<PathPiece> pieces;
  for (auto it = pieces_.rbegin(); it != pieces_.rend(); ++it) pieces.push_back(ReversedPiece(*it));
  const int last = static_cast<int>(pieces_.size()) - 1;
  std::vector<ProfilePhase> phases;
  double t = 0.0;
  for (auto it = phases_.rbegin(); it != phases_.rend(); ++it) {
    const ProfilePhase& f = *it;
    const double length = pieces_[static_cast<std::size_t>(f.piece)].length;
    const double s_end = f.s0 + f.v0 * f.duration + 0.5 * f.a * f.duration * f.duration;
    phases.push_back(ProfilePhase{.piece = last - f.piece,
                                  .start_time = t,
                                  .duration = f.duration,
                                  .s0 = std::clamp(length - s_end, 0.0, length),
                                  .v0 = std::max(0.0, f.v0 + f.a * f.duration),
                                  .a = -f.a});
    t += f.duration;
  }
  return MotionProfile(std::move(pieces), std::move(phases));
}

int MotionProfile::dof() const {
  return pieces_.empty() ? 0 : static_cast<int>(pieces_.front().start.size());
}

double MotionProfile::duration() const {
  return phases_.empty() ? 0.0 : phases_.back().start_time + phases_.back().duration;
}

const Eigen::VectorXd& MotionProfile::start() const {
  WELDCELL_CHECK(!pieces_.empty());
  return pieces_.front().start;
}

const Eigen::VectorXd& MotionProfile::end() const {
  WELDCELL_CHECK(!pieces_.empty());
  return pieces_.back().end;
}

JointState MotionProfile::Sample(double t) const {
  WELDCELL_CHECK(!phases_.empty());
  WELDCELL_CHECK(!std::isnan(t));
  t = std::clamp(t, 0.0, duration());
  // The last phase whose start is ≤ t.
  auto it =
      std::upper_bound(phases_.begin(), phases_.end(), t,
                       [](double time, const ProfilePhase& p) { return time < p.start_time; });
  const ProfilePhase& phase = *(it == phases_.begin() ? it : std::prev(it));
  const PathPiece& piece = pieces_[static_cast<std::size_t>(phase.piece)];
  const double tau = std::clamp(t - phase.start_time, 0.0, phase.duration);
  const double s =
      std::clamp(phase.s0 + phase.v0 * tau + 0.5 * phase.a * tau * tau, 0.0, piece.length);
  const double v = std::max(0.0, phase.v0 + phase.a * tau);
  JointState state;
  state.q = piece.Position(s);
  const Eigen::VectorXd tangent = piece.Tangent(s);
  state.qd = tangent * v;
  state.qdd = tangent * phase.a + piece.Curvature(s) * (v * v);
  return state;
}

void MotionProfile::Peaks(Eigen::VectorXd& velocity, Eigen::VectorXd& acceleration) const {
  velocity = Eigen::VectorXd::Zero(dof());
  acceleration = Eigen::VectorXd::Zero(dof());
  for (const ProfilePhase& phase : phases_) {
    const PathPiece& piece = pieces_[static_cast<std::size_t>(phase.piece)];
    // The speed is monotone within a phase, so its extremes are at the ends.
    const double v1 = std::max(0.0, phase.v0 + phase.a * phase.duration);
    if (piece.kind == PathPiece::Kind::kArc) {
      const double s1 =
          phase.s0 + phase.v0 * phase.duration + 0.5 * phase.a * phase.duration * phase.duration;
      internal::AccumulateArcPhasePeaks(piece, phase.s0, s1, phase.a, phase.v0 * phase.v0, v1 * v1,
                                        velocity, acceleration);
      continue;
    }
    const double v_max = std::max(phase.v0, v1);
    velocity = velocity.cwiseMax(piece.max_abs_tangent * v_max);
    acceleration = acceleration.cwiseMax(piece.max_abs_tangent * std::abs(phase.a) +
                                         piece.max_abs_curvature * (v_max * v_max));
  }
}

Eigen::VectorXd MotionProfile::PeakVelocity() const {
  Eigen::VectorXd velocity;
  Eigen::VectorXd acceleration;
  Peaks(velocity, acceleration);
  return velocity;
}

Eigen::VectorXd MotionProfile::PeakAcceleration() const {
  Eigen::VectorXd velocity;
  Eigen::VectorXd acceleration;
  Peaks(velocity, acceleration);
  return acceleration;
}

bool MotionProfile::operator==(const MotionProfile& other) const {
  return pieces_ == other.pieces_ && phases_ == other.phases_;
}

// ---------------------------------------------------------------------------------------------
// SegmentKind

const char* ToString(SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kMotion:
      return "motion";
    case SegmentKind::kWeldDwell:
      return "weld";
    case SegmentKind::kWait:
      return "wait";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// RobotTrajectory

RobotTrajectory::RobotTrajectory(Eigen::VectorXd start) : start_(std::move(start)) {
  WELDCELL_CHECK(start_.allFinite());
}

double RobotTrajectory::duration() const {
  return segments_.empty() ? 0.0 : segments_.back().end_time();
}

const Eigen::VectorXd& RobotTrajectory::end() const {
  return segments_.empty() ? start_ : segments_.back().profile.end();
}

void RobotTrajectory::AppendMotion(MotionProfile motion, std::string from, std::string to) {
  WELDCELL_CHECK(motion.dof() == dof());
  WELDCELL_CHECK((motion.start() - end()).cwiseAbs().maxCoeff() <= 1e-9);
  segments_.push_back(TrajectorySegment{.kind = SegmentKind::kMotion,
                                        .start_time = duration(),
                                        .from = std::move(from),
                                        .to = std::move(to),
                                        .profile = std::move(motion)});
}

void RobotTrajectory::AppendWeldDwell(const std::string& weld_id, double duration) {
  MotionProfile still = MotionProfile::Stationary(end(), duration);
  segments_.push_back(TrajectorySegment{.kind = SegmentKind::kWeldDwell,
                                        .start_time = this->duration(),
                                        .from = weld_id,
                                        .to = weld_id,
                                        .profile = std::move(still)});
}

void RobotTrajectory::AppendWait(const std::string& at, double duration) {
  MotionProfile still = MotionProfile::Stationary(end(), duration);
  segments_.push_back(TrajectorySegment{.kind = SegmentKind::kWait,
                                        .start_time = this->duration(),
                                        .from = at,
                                        .to = at,
                                        .profile = std::move(still)});
}

RobotTrajectory RobotTrajectory::Reversed() const {
  RobotTrajectory out(end());
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    switch (it->kind) {
      case SegmentKind::kMotion:
        out.AppendMotion(it->profile.Reversed(), it->to, it->from);
        break;
      case SegmentKind::kWeldDwell:
        out.AppendWeldDwell(it->from, it->duration());
        break;
      case SegmentKind::kWait:
        out.AppendWait(it->from, it->duration());
        break;
    }
  }
  return out;
}

int RobotTrajectory::SegmentIndexAt(double t) const {
  WELDCELL_CHECK(!std::isnan(t));
  if (segments_.empty()) return -1;
  auto it =
      std::upper_bound(segments_.begin(), segments_.end(), t,
                       [](double time, const TrajectorySegment& s) { return time < s.start_time; });
  if (it == segments_.begin()) return 0;
  return static_cast<int>(std::prev(it) - segments_.begin());
}

JointState RobotTrajectory::Sample(double t) const {
  const int index = SegmentIndexAt(t);
  if (index < 0) {
    const Eigen::VectorXd zero = Eigen::VectorXd::Zero(dof());
    return JointState{.q = start_, .qd = zero, .qdd = zero};
  }
  const TrajectorySegment& segment = segments_[static_cast<std::size_t>(index)];
  return segment.profile.Sample(t - segment.start_time);
}

std::vector<TimedWaypoint> RobotTrajectory::Waypoints(double max_dt) const {
  WELDCELL_CHECK(max_dt > 0.0);
  std::vector<TimedWaypoint> out;
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(dof());
  out.push_back(TimedWaypoint{.t = 0.0, .segment = 0, .state = {start_, zero, zero}});
  for (std::size_t k = 0; k < segments_.size(); ++k) {
    const TrajectorySegment& segment = segments_[k];
    const double d = segment.duration();
    const int steps = segment.kind == SegmentKind::kMotion
                          ? std::max(1, static_cast<int>(std::ceil(d / max_dt)))
                          : 1;
    for (int i = 1; i <= steps; ++i) {
      // The last sample is evaluated at the exact segment end (i == steps ⇒ local time d).
      const double local = i == steps ? d : d * static_cast<double>(i) / steps;
      out.push_back(TimedWaypoint{.t = segment.start_time + local,
                                  .segment = static_cast<int>(k),
                                  .state = segment.profile.Sample(local)});
    }
  }
  return out;
}

bool RobotTrajectory::operator==(const RobotTrajectory& other) const {
  return SameVector(start_, other.start_) && segments_ == other.segments_;
}

// ---------------------------------------------------------------------------------------------
// Printing

std::string ToString(const MotionProfile& profile) {
  std::ostringstream out;
  out.precision(9);
  out << "MotionProfile{dof " << profile.dof() << ", duration " << profile.duration() << " s, "
      << profile.pieces().size() << " pieces, " << profile.phases().size() << " phases";
  if (!profile.pieces().empty()) {
    out << ", " << FormatVector(profile.start()) << " -> " << FormatVector(profile.end());
  }
  out << '}';
  return out.str();
}

std::string ToString(const RobotTrajectory& trajectory) {
  std::ostringstream out;
  out.precision(9);
  out << "RobotTrajectory{dof " << trajectory.dof() << ", duration " << trajectory.duration()
      << " s, start " << FormatVector(trajectory.start());
  for (const TrajectorySegment& s : trajectory.segments()) {
    out << "\n  " << ToString(s.kind) << ' ' << s.from << " -> " << s.to << " at " << s.start_time
        << " s for " << s.duration() << " s, ends " << FormatVector(s.profile.end());
  }
  out << '}';
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const MotionProfile& profile) {
  return out << ToString(profile);
}

std::ostream& operator<<(std::ostream& out, const RobotTrajectory& trajectory) {
  return out << ToString(trajectory);
}

}  // namespace weldcell::motion
