#pragma once
// Independent verification of a plan against its cell. It re-derives everything it checks from
// the cell and the plan's sampled trajectories (dense collision checks at a fixed Cartesian
// resolution, limits from finite differences, timing and the segment contract of
// docs/plan-format.md, interlocks, weld poses by forward kinematics, `after:` precedences from
// the weld segments' times; the zones and weld signals re-run as events on the planned and on
// random durations: robustness.hpp; pieces of two robots' timelines that no event orders must
// not touch, for any durations: concurrency.hpp) and shares no shortcut with the planner: a
// planner bug shows up here.
//
// Independence is visible in the build: this module (weldcell::verify) links cell, kinematics,
// collision and plan, never reach, motion, coordination or pipeline. Its collision world uses the
// verifier's pair rule (collision::PairPolicy::kVerifier): every self pair is checked except
// bodies without geometry, rigidly joined or adjacent bodies and pairs robot.yaml declares
// allowed; nothing depends on the home or on the planner's sampling.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/progress.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::verify {

enum class ViolationKind {
  kPlanMismatch,  ///< The plan does not fit the cell (hash, robots, sizes).
  /// Times not increasing, segments not contiguous, motion samples too far apart (docs/
  /// plan-format.md: at most 10 ms), a waiting robot moving, totals or interlocks inconsistent.
  kTiming,
  kJointPosition,      ///< A joint beyond its limits.
  kJointVelocity,      ///< A joint faster than its limit (× speed scale).
  kJointAcceleration,  ///< A joint accelerating harder than its limit.
  kCollision,          ///< A robot touches an obstacle.
  kSelfCollision,      ///< A robot touches itself.
  kRobotCollision,     ///< Two robots touch.
  kWeld,               ///< A weld not welded, welded twice, or the gun not on it.
  /// A weld (dwell) starting before a weld of its `after` list has finished (station clock).
  kPrecedence,
  kCycleTime,  ///< The plan does not fit the cycle time.
  /// The zones and weld signals, run as events, leave robots waiting for each other forever.
  kDeadlock,
  /// Under random segment durations (VerifyOptions::robustness_*), run as events, two robots
  /// touch.
  kRobustness,
  /// Two pieces of two robots' timelines that no event (program order, zone, weld signal)
  /// orders, and that may therefore overlap in time for some durations, touch
  /// (concurrency.hpp): safe only for some timings.
  kUnorderedContact,
};
std::string_view ToString(ViolationKind kind);

struct Violation {
  ViolationKind kind = ViolationKind::kTiming;
  double time = 0.0;    ///< s on the station clock where it starts.
  std::string robot;    ///< Robot name (first robot for robot–robot), empty for plan-wide.
  std::string message;  ///< What, with the objects, joints, values and limits involved.
  /// A weld the plan leaves out (kWeld, "… is not welded"): the plan is incomplete there, not
  /// unsafe (VerifyReport::unsafe_count).
  bool omission = false;
  /// The second robot of a robot–robot contact (kRobotCollision, kUnorderedContact,
  /// kRobustness); empty for the others.
  std::string other_robot;
  bool operator==(const Violation&) const = default;
};

struct VerifyOptions {
  /// m of travel of any robot point between collision checks; 0 = the cell's
  /// settings.motion.resolution.
  double resolution = 0.0;
  double weld_position_tolerance = 0.001;  ///< m between the TCP and the weld point.
  /// Relative slack on velocity and acceleration limits for floating-point rounding.
  double limit_tolerance = 1e-6;
  /// s: largest time between consecutive samples of a motion segment (docs/plan-format.md);
  /// linear interpolation across a longer interval is not what the controller executes.
  /// Intervals up to 1% longer pass (rounding of samplings made elsewhere).
  double max_sample_interval = 0.01;
  /// Event runs with random segment durations (0: no robustness check). Each run scales every
  /// motion and weld segment's duration by a factor drawn uniformly in [1 − robustness_spread,
  /// 1 + robustness_spread], re-simulates the zones and weld signals and checks robot–robot
  /// contact and `after:` precedences on that clock (robustness.hpp). Spread in [0, 1) (checked,
  /// aborts otherwise).
  int robustness_runs = 100;
  double robustness_spread = 0.2;
  std::uint64_t robustness_seed = 1;
  /// Whether two 0.1 s pieces of two robots' motions can touch at all is decided once for all
  /// runs, and the runs check densely only where the pieces current at once may touch: the same
  /// report as checking every configuration in the windows, with far fewer checks (robustness.cpp,
  /// ClearPairs). Off only to measure or to test that.
  bool robustness_reuse = true;
  int threads = 0;  ///< 0 = one per hardware thread.
  /// The exact concurrency check (concurrency.hpp); off only to measure or debug.
  bool concurrency_check = true;
  /// The concurrency check stops once it has found this many unordered contacts (the first ones
  /// in piece order; ConcurrencyFigures::capped then says pairs were left unchecked); 0: no cap.
  /// A plan without its zones has a contact for most piece pairs: the cap bounds its report.
  int max_unordered_contacts = 100;
  /// Reports kVerifyStage (collision tasks done, tasks: one per robot and one per robot pair),
  /// then kConcurrencyStage (unordered piece pairs checked, of all of them), then
  /// kRobustnessStage (runs done of robustness_runs). Polled before each task and run: once
  /// cancelled, no new one starts and the report is incomplete (the caller must discard it).
  Progress progress;
};

/// What the robustness check did (VerifyOptions::robustness_*).
struct RobustnessFigures {
  int runs = 0;               ///< Runs simulated (0: not run, e.g. a malformed plan).
  int runs_with_contact = 0;  ///< Runs in which two robots touch.
  int runs_deadlocked = 0;    ///< Runs whose events deadlock.
  int runs_out_of_order = 0;  ///< Runs in which an `after:` precedence breaks.
  /// Robot-pair configurations checked (CheckRobotPair calls): the dense checks of all runs and
  /// those deciding once whether a pair of pieces can touch at all.
  long long checks = 0;
  /// Pairs of 0.1 s pieces of two robots' motions, current together in some run with bounds that
  /// meet, decided once for all runs: clear (no configuration of one touches one of the other,
  /// within half the resolution), or near and checked densely wherever they are current together.
  long long piece_pairs = 0;
  long long near_piece_pairs = 0;  ///< Of piece_pairs, those not clear.
  bool operator==(const RobustnessFigures&) const = default;
};

/// What the exact concurrency check did (concurrency.hpp).
struct ConcurrencyFigures {
  bool run = false;  ///< False: not run (malformed plan, deadlock, or cancelled).
  /// Pairs of pieces of two robots' timelines (segments, standstills) that no event orders.
  long long unordered_pairs = 0;
  /// Of these, the pairs checked: all unless `capped`.
  long long checked_pairs = 0;
  /// Configuration pairs of the checked pairs: what checking each against each would take.
  long long dense_pairs = 0;
  /// Robot-pair configurations checked (CheckRobotPair calls: exact ones, and ones with a margin
  /// that clear a range of configurations at once).
  long long checks = 0;
  /// The check stopped at VerifyOptions::max_unordered_contacts contacts: unordered_pairs −
  /// checked_pairs pairs were not checked, and the contacts reported are a lower bound.
  bool capped = false;
  bool operator==(const ConcurrencyFigures&) const = default;
};

struct VerifyReport {
  /// Every violation found (none left out; the concurrency check stops looking after
  /// VerifyOptions::max_unordered_contacts, see ConcurrencyFigures::capped), plan-wide ones first,
  /// then per robot and per robot pair, then those of the event checks (deadlock, nominal event
  /// timing, robustness), each group ordered by kind, then time. SummaryLines() shortens it for
  /// people.
  std::vector<Violation> violations;
  long long collision_checks = 0;  ///< Configurations checked (for the report).
  RobustnessFigures robustness;
  ConcurrencyFigures concurrency;
  bool ok() const { return violations.empty(); }
  /// Violations that make the plan unsafe to run as it is: all but the welds it leaves out
  /// (Violation::omission) and a makespan over the cycle time (kCycleTime); a weld welded twice,
  /// a gun off its weld or a robot moving during a dwell are unsafe. Robot programs are written
  /// only when this is 0: what the plan does is then collision-free, within limits, on its welds
  /// and collision-free for any segment durations its events allow (kUnorderedContact), even if
  /// it does not do everything.
  int unsafe_count() const;
  /// Number of violations of each kind that occurs.
  std::map<ViolationKind, int> CountByKind() const;
};

/// The station's verdict, in order of precedence: a plan with unplanned welds is incomplete
/// whatever else holds; a complete one over the cycle time is too long; a complete one within it
/// that verification finds any other violation in is invalid; only what is left fits.
enum class StationVerdict { kFits, kIncomplete, kTooLong, kInvalid };
std::string_view ToString(StationVerdict verdict);

/// Judges `plan` with the `report` that Verify gave for it.
StationVerdict Judge(const plan::Plan& plan, const VerifyReport& report);

/// The verifier's collision world of a cell: its geometry with PairPolicy::kVerifier. Throws
/// InputError as the CollisionWorld constructor.
collision::CollisionWorld MakeVerifierWorld(const cell::Cell& cell);

/// Verifies `plan` against `cell`, with `world` made by MakeVerifierWorld(cell) (precondition,
/// checked: a world with the planner's pair rule aborts). Never throws for a bad plan: every
/// problem is a violation. Thread safety: as the world's queries (the world is shared const).
VerifyReport Verify(const plan::Plan& plan, const cell::Cell& cell,
                    const collision::CollisionWorld& world, const VerifyOptions& options = {});
/// As above, building the verifier's world (MakeVerifierWorld) first.
VerifyReport Verify(const plan::Plan& plan, const cell::Cell& cell,
                    const VerifyOptions& options = {});

/// One line per violation: "12.345 s  R1  collision: R1/gun – clamp_1".
std::string ToString(const Violation& violation);

/// The report for people: ToString() of the first `max_per_kind` violations of each (robot,
/// kind), in report order, each such group over the limit followed by one line
/// "… and N more <kind> violations (M in all)"; when the concurrency check stopped at its cap
/// (ConcurrencyFigures::capped), a last line saying how many piece pairs it left unchecked.
std::vector<std::string> SummaryLines(const VerifyReport& report, int max_per_kind = 10);

}  // namespace weldcell::verify
