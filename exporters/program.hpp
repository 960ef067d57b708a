#pragma once
// A robot program in dialect-neutral form: what every exporter writes and every reader gives
// back. Joint values are URDF values (rad, m); the dialects convert them to controller
// conventions (robot.yaml `controller_joints`) and units at the file boundary.
//
// BuildProgram turns one robot's part of a plan into such a program (docs/export.md):
// home; per segment the interlock events of the plan (exact stop, wait for the zone's grant,
// take it; weld signals waited for and acknowledged; releases on departure after the grant
// dropped), the joint moves through the waypoints that keep the joint polyline within
// `corridor_tolerance` of the planned path, the weld calls and the weld signals they give;
// releases on arrival; back home; the return to zero of every weld-signal handshake.

#include <Eigen/Core>
#include <string>
#include <vector>

#include "exporters/corners.hpp"
#include "planner/cell/cell.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::exporters {

struct Site;

enum class InstructionKind {
  kMove,       ///< Joint move to `q`.
  kWeld,       ///< The site's spot-weld call.
  kWaitInput,  ///< Wait until input `signal` is `value` (on or off).
  kSetOutput,  ///< Set output `signal` to `value`.
  kComment,
};

/// What an I/O instruction is for (the site's signal ranges tell a reader).
enum class SignalRole {
  kNone,
  kZone,        ///< Zone grant (input) / zone clear (output).
  kWeldSignal,  ///< A weld is made (`after:` across robots).
  kWeldAck,     ///< The waiting robot has seen the weld signal (four-phase handshake).
};

struct Instruction {
  InstructionKind kind = InstructionKind::kComment;
  // kMove
  Eigen::VectorXd q;       ///< URDF joint values (rad / m).
  bool exact_stop = true;  ///< false: approximated (blended) through this point.
  double speed = 1.0;      ///< Fraction (0, 1] of the joint velocity limits (percent dialects).
  double duration = 0.0;   ///< s the move should take (time-based dialects), 0 if unknown.
  // kWeld
  std::string weld_id;
  int weld_number = 0;  ///< 1-based, in program order.
  int schedule = 1;
  // kWaitInput / kSetOutput
  int signal = 0;
  bool value = true;  ///< The value set, or waited for.
  SignalRole role = SignalRole::kNone;
  std::string text;  ///< Comment text; the zone or weld id of an I/O instruction.
  bool operator==(const Instruction&) const = default;
};

struct Program {
  std::string name;   ///< Program (and file) name in the controller.
  std::string robot;  ///< Robot name in the cell.
  std::vector<Instruction> instructions;
  bool operator==(const Program&) const = default;
};

/// Figures of a built program against its plan.
struct ProgramFigures {
  double corridor_tolerance = 0.0;  ///< rad (m): largest joint deviation allowed from the plan.
  double max_deviation = 0.0;       ///< rad (m): largest deviation of a planned sample.
  int moves = 0;
  /// Waypoints inside a motion: blended (approximated) or made exact stops.
  int blended_corners = 0, stopped_corners = 0;
  /// Planned samples kept beyond the corridor because the chord without them collided
  /// (re-checked with the verifier's segment check, options.corners).
  int rechecked_waypoints = 0;
  int merged_moves = 0;        ///< Short moves merged into longer ones (Site::min_move_time).
  double shortest_move = 0.0;  ///< s: the shortest move inside a motion (planned time).
  int planned_samples = 0;
  double planned_motion_time = 0.0;  ///< s: motion segments of the plan.
  double planned_weld_time = 0.0;    ///< s: weld segments of the plan.
  /// Per segment of the robot's plan, the indices of its planned samples that the program's
  /// moves go through, first and last included (motion segments of two or more samples; empty
  /// for the others): between two of them the program moves in a straight joint line.
  std::vector<std::vector<int>> waypoints;
  /// Per segment, the waypoints (sample indices, ascending, a subset of `waypoints`' inner
  /// ones) that the program blends through; the others inside a motion are exact stops.
  std::vector<std::vector<int>> blended;
  BlendModel blend;  ///< The blend reach the program was built with (BuildOptions::blend).
  /// Waypoints made exact stops because their blend met another robot
  /// (BuildOptions::exact_stops, CheckExportedMotion); counted in stopped_corners too.
  int stopped_for_robots = 0;
};

/// Index of `robot` in plan.robots; throws InputError (at `plan_file`) when the plan has no such
/// robot.
int PlanRobotIndex(const plan::Plan& plan, const std::string& robot,
                   const std::string& plan_file = "plan.json");

/// How BuildProgram proves what leaves the planned path (docs/export.md "Corners").
struct BuildOptions {
  /// Proves blend regions and merged moves collision-free for this robot (a CornerCheck on the
  /// verifier's world). nullptr: nothing can be proved, so every waypoint is an exact stop and
  /// no short move is merged.
  CornerCheck* corners = nullptr;
  BlendModel blend;  ///< The dialect's blend reach (DialectLimits::blend).
  /// Per segment of the robot's plan, waypoints (sample indices) that must be exact stops even
  /// where their blend region is proved free: their blend met another robot
  /// (exported_motion.hpp). nullptr or shorter than the segments: none.
  const std::vector<std::vector<int>>* exact_stops = nullptr;
  /// The plan file as the user gave it, named by errors about the plan.
  std::string plan_file = "plan.json";
};

/// Builds the program of cell.robots[robot] from `plan`. `name` is the program name. Throws
/// InputError when the plan does not fit the cell (robot missing, joint counts) or when the site
/// has too few interlock or weld-signal I/O numbers for the plan.
///
/// Per motion segment: Douglas–Peucker keeps the samples that hold the joint polyline within
/// site.corridor_tolerance; where options.corners is given, every chord between them is
/// re-checked with the verifier's segment check (CornerCheck::ChordIsFree) and a colliding chord
/// keeps the planned sample farthest from it, until every chord is free; then moves shorter than
/// site.min_move_time are merged with a neighbour where the chord stays within site.merge_tolerance
/// of the planned samples and is proved free (options.corners); each waypoint inside is
/// approximated only where the site allows it, its blend region is proved free and it is not in
/// options.exact_stops, else it is an exact stop.
Program BuildProgram(const plan::Plan& plan, const cell::Cell& cell, int robot,
                     const std::string& name, const Site& site, ProgramFigures* figures = nullptr,
                     const BuildOptions& options = {});

/// Smallest s a synchronized joint move from `a` to `b` takes at `speed` × the velocity limits
/// with the acceleration limits (trapezoidal profile per joint, starting and ending at rest).
double MoveTime(const cell::Robot& robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                double speed);

/// The lowest speed in [0.001, 1] (fraction of the velocity limits) at which the move from `a`
/// to `b` takes at most `time` s (MoveTime; bisection to 1e-15); 1 when even full speed takes
/// longer. The speed of an exact-stop move is this with `time` = max(planned time, MoveTime at
/// full speed) (docs/export.md "Speeds").
double SlowestSpeedWithin(const cell::Robot& robot, const Eigen::VectorXd& a,
                          const Eigen::VectorXd& b, double time);

/// s a joint move takes at constant `speed` × the velocity limits (no ramps).
double CruiseTime(const cell::Robot& robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                  double speed);

/// s: the moves of `program` as a controller would run them (a model, not the controller's own
/// planner): a move with a duration takes max(duration, CruiseTime at full speed), or MoveTime
/// at full speed where it starts or ends in an exact stop; a move from
/// exact stop to exact stop takes MoveTime at its speed; a run of approximated moves takes the
/// CruiseTime of each at its speed plus one ramp up at its start and one ramp down at its end
/// (speed × velocity limit / (2 × acceleration limit), slowest joint). Weld calls, waits and
/// comments count 0.
double EstimateMotionTime(const Program& program, const cell::Robot& robot);

/// Checks the rules every program must keep, whatever its dialect, and throws InputError naming
/// `file` and the instruction when one is broken: starts and ends with a move to `robot.home`
/// (within `home_tolerance` rad/m), every wait and every set of an output comes after an exact
/// stop (no approximated move before it), weld numbers run 1, 2, … and weld ids are unique,
/// every move within the joint limits, every I/O number in one of `site`'s ranges (defaults
/// filled in: WithDefaults), and every handshake complete and in order (docs/export.md
/// "Handshakes"): every wait is followed directly by the output it guards and every output
/// (but the resets before the first move away from home) follows its wait. Zone *i*: wait grant
/// on, take (output off), …, wait grant off, release (on); never taken twice, released before the
/// end. Weld signal *j* given: wait ack off, signal on (once), and after the last move wait ack
/// on, signal off. Weld signal *j* waited for: wait signal on, ack on (once), and after the last
/// move and after every signal this program clears, wait signal off, ack off. Signal *j* and
/// ack *j* are number j of their ranges.
void CheckProgram(const Program& program, const cell::Robot& robot, const Site& site,
                  const std::string& file, double home_tolerance);

}  // namespace weldcell::exporters
