#pragma once
// The timed motion of one robot: a sequence of segments (motion along an analytic time-optimal
// profile, weld dwell, interlock wait), sampleable at any time. Plain value types; joint values
// in rad (revolute) or m (prismatic), time in s. Built by TimeParameterize()
// (time_parameterization.hpp) and RobotTrajectory's Append* functions.
//
// Thread-safety: all types are values; const member functions may be called concurrently.

#include <Eigen/Core>
#include <iosfwd>
#include <string>
#include <vector>

namespace weldcell::motion {

/// Joint positions, velocities and accelerations at one instant.
struct JointState {
  Eigen::VectorXd q;
  Eigen::VectorXd qd;
  Eigen::VectorXd qdd;
};

/// One piece of a geometric joint-space path, parameterized by its arc length
/// s ∈ [0, length] (Euclidean norm in joint space). Lines are the straight joint-space moves of
/// the path planner; arcs are the circular blends of Kunz & Stilman 2012 ("Time-optimal
/// trajectory generation for path following with bounded acceleration and velocity", RSS,
/// section IV): q(s) = center + radius * (x cos(s/radius) + y sin(s/radius)), x ⊥ y unit and
/// center = start - radius * x,
/// evaluated as start + radius * (y sin θ - 2 x sin²(θ/2)) so that huge radii stay accurate.
struct PathPiece {
  enum class Kind { kLine, kArc };
  Kind kind = Kind::kLine;
  double length = 0.0;
  Eigen::VectorXd start;      ///< q(0).
  Eigen::VectorXd end;        ///< q(length); lines return it exactly at s = length.
  Eigen::VectorXd direction;  ///< Line: unit tangent (zero for a zero-length line).
  Eigen::VectorXd x;          ///< Arc only: unit vector from the center to start.
  Eigen::VectorXd y;          ///< Arc only: unit tangent at start.
  double radius = 0.0;        ///< Arc only.
  /// Per joint: max over the piece of |dq_j/ds| and of |d²q_j/ds²| (exact, not sampled).
  Eigen::VectorXd max_abs_tangent;
  Eigen::VectorXd max_abs_curvature;

  Eigen::VectorXd Position(double s) const;
  Eigen::VectorXd Tangent(double s) const;    ///< dq/ds.
  Eigen::VectorXd Curvature(double s) const;  ///< d²q/ds².
  bool operator==(const PathPiece& other) const;
};

/// A time interval of constant path acceleration on one piece: s(τ) = s0 + v0 τ + a τ²/2 for
/// τ ∈ [0, duration], with s the arc length on `pieces[piece]`.
struct ProfilePhase {
  int piece = 0;
  double start_time = 0.0;  ///< s, relative to the profile start.
  double duration = 0.0;    ///< s, ≥ 0.
  double s0 = 0.0;          ///< Path position on the piece at the phase start.
  double v0 = 0.0;          ///< Path speed ds/dt at the phase start (≥ 0).
  double a = 0.0;           ///< Path acceleration d²s/dt².
  bool operator==(const ProfilePhase&) const = default;
};

/// A motion along a geometric path with its analytic timing. Sampling is exact: positions,
/// velocities (dq/ds · ds/dt) and accelerations (dq/ds · d²s/dt² + d²q/ds² · (ds/dt)²) follow
/// from the closed-form phases, so a verifier may sample it at any resolution.
class MotionProfile {
 public:
  MotionProfile() = default;
  /// Precondition (WELDCELL_CHECK): at least one piece and one phase, all of the same dof,
  /// phases contiguous in time from 0 and referring to existing pieces.
  MotionProfile(std::vector<PathPiece> pieces, std::vector<ProfilePhase> phases);

  /// Standing still at `q` for `duration` s (≥ 0).
  static MotionProfile Stationary(const Eigen::VectorXd& q, double duration);

  int dof() const;
  double duration() const;
  const Eigen::VectorXd& start() const;
  const Eigen::VectorXd& end() const;
  const std::vector<PathPiece>& pieces() const { return pieces_; }
  const std::vector<ProfilePhase>& phases() const { return phases_; }

  /// State at time t (s, relative to the profile start); t is clamped to [0, duration()].
  JointState Sample(double t) const;

  /// Per joint: the maximum of |qd_j| and an upper bound of |qdd_j| over the whole profile,
  /// computed per phase in closed form (exact on lines; on arcs see
  /// internal::AccumulateArcPhasePeaks: the bound exceeds the true peak by O(Δθ²) of the
  /// phase's angle). TimeParameterize() guarantees both are within the limits.
  Eigen::VectorXd PeakVelocity() const;
  Eigen::VectorXd PeakAcceleration() const;

  /// The same motion run backwards: the path's pieces in reverse order, each traversed from its
  /// end (an arc keeps its center and radius), and the phases mirrored in time (a deceleration
  /// becomes an acceleration), so that Sample(t).q of the result is Sample(duration() − t).q of
  /// this, velocities negated. Peaks are the same (up to rounding).
  MotionProfile Reversed() const;

  bool operator==(const MotionProfile& other) const;

 private:
  void Peaks(Eigen::VectorXd& velocity, Eigen::VectorXd& acceleration) const;

  std::vector<PathPiece> pieces_;
  std::vector<ProfilePhase> phases_;
};

enum class SegmentKind { kMotion, kWeldDwell, kWait };
const char* ToString(SegmentKind kind);

/// One segment of a robot's timeline. Dwell and wait segments hold a stationary profile.
struct TrajectorySegment {
  SegmentKind kind = SegmentKind::kMotion;
  double start_time = 0.0;  ///< s, on the trajectory's clock.
  std::string from;         ///< Weld id (or "home") where the segment starts.
  std::string to;           ///< Weld id (or "home") where it ends; == from for dwells.
  MotionProfile profile;

  double duration() const { return profile.duration(); }
  double end_time() const { return start_time + profile.duration(); }
  bool operator==(const TrajectorySegment&) const = default;
};

/// A sample of the exported timed list.
struct TimedWaypoint {
  double t = 0.0;   ///< s, on the trajectory's clock.
  int segment = 0;  ///< Index of the segment this sample ends or lies in.
  JointState state;
};

/// Timed joint motion of one robot: contiguous segments starting at time 0 at `start()`.
class RobotTrajectory {
 public:
  RobotTrajectory() = default;
  /// An empty trajectory (duration 0) standing at `start`.
  explicit RobotTrajectory(Eigen::VectorXd start);

  int dof() const { return static_cast<int>(start_.size()); }
  double duration() const;
  const Eigen::VectorXd& start() const { return start_; }
  /// The configuration at the end (start() while empty).
  const Eigen::VectorXd& end() const;
  const std::vector<TrajectorySegment>& segments() const { return segments_; }

  /// Appends a motion. Precondition (WELDCELL_CHECK): same dof and motion.start() within 1e-9
  /// (max-norm) of end().
  void AppendMotion(MotionProfile motion, std::string from, std::string to);
  /// Appends a weld dwell at end(): the robot stands still for `duration` s (≥ 0), which the
  /// caller computes as gun close + weld + gun open time.
  void AppendWeldDwell(const std::string& weld_id, double duration);
  /// Appends a wait (interlock) at end(); `at` names where (weld id or "home").
  void AppendWait(const std::string& at, double duration);

  /// State at time t (s); t is clamped to [0, duration()]. At a segment boundary the later
  /// segment is used (position and velocity are continuous there; acceleration may jump).
  JointState Sample(double t) const;
  /// Index of the segment containing t (clamped), -1 when there is none.
  int SegmentIndexAt(double t) const;

  /// A timed list for plans and robot programs: the start (t = 0), then per segment its interior
  /// samples at equal steps of at most `max_dt` (motions only) and its end. Segment boundaries
  /// are exact; a dwell or wait contributes only its end sample. Precondition: max_dt > 0.
  std::vector<TimedWaypoint> Waypoints(double max_dt) const;

  /// The same timeline run backwards from end(): the segments in reverse order, motions
  /// reversed (MotionProfile::Reversed) with `from` and `to` swapped, dwells and waits as they
  /// were.
  RobotTrajectory Reversed() const;

  bool operator==(const RobotTrajectory& other) const;

 private:
  Eigen::VectorXd start_;
  std::vector<TrajectorySegment> segments_;
};

/// Human-readable summary (segments, times, endpoints) for logs and test failures.
std::string ToString(const MotionProfile& profile);
std::string ToString(const RobotTrajectory& trajectory);
std::ostream& operator<<(std::ostream& out, const MotionProfile& profile);
std::ostream& operator<<(std::ostream& out, const RobotTrajectory& trajectory);

}  // namespace weldcell::motion
