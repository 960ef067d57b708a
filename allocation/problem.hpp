#pragma once
// The allocation problem: robots, tasks with per-robot options and durations, a travel-time
// oracle and optional precedences. Knows no robot model: a "robot" is an index with a home, a
// "task" is something one eligible robot does in one of its options (for welds: a reachable
// candidate configuration). Units: seconds. Definitions: docs/allocation.md.

#include <array>
#include <compare>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace weldcell::allocation {

/// Index of a robot in Problem::robots.
struct RobotId {
  int value = -1;
  auto operator<=>(const RobotId&) const = default;
};

/// Index of a task in Problem::tasks.
struct TaskId {
  int value = -1;
  auto operator<=>(const TaskId&) const = default;
};

/// A place a robot can be: its home, or one option (index into the robot's option list of that
/// task) of a task. Stop{} is home.
struct Stop {
  TaskId task;      ///< task.value < 0 means home.
  int option = -1;  ///< Index into Capability::options of (task, robot); -1 at home.
  bool is_home() const { return task.value < 0; }
  static Stop Home() { return Stop{}; }
  bool operator==(const Stop&) const = default;
};

/// Travel-time oracle: seconds for `robot` to move from one stop to another (not including the
/// duration of the task at either end). May be asymmetric; must be >= 0 and finite for every
/// pair of stops of options the robot has. Implementations must be thread-safe for concurrent
/// const calls.
class TravelTime {
 public:
  virtual ~TravelTime() = default;
  virtual double Seconds(RobotId robot, const Stop& from, const Stop& to) const = 0;
};

/// A point in metres, in any frame the problem uses for all its sites (only distances between
/// sites matter). See Task::site and Robot::site.
using Site = std::array<double, 3>;

/// One way of doing a task with one robot (for a weld: one reachable candidate configuration).
struct Option {
  double duration = 0.0;  ///< s, e.g. weld time including gun close and open; >= 0.
  bool operator==(const Option&) const = default;
};

/// A robot that can do a task, with its options (at least one).
struct Capability {
  RobotId robot;
  std::vector<Option> options;
  bool operator==(const Capability&) const = default;
};

struct Task {
  std::string name;                      ///< For messages only.
  std::vector<Capability> capabilities;  ///< Eligible robots, each at most once; not empty.
  /// Where the task is done (for a weld: the weld point), m; optional. Used only by the
  /// strong solver's spatial term (SolveOptions::spatial_weight), never in the cost.
  std::optional<Site> site{};
  bool operator==(const Task&) const = default;
};

struct Robot {
  std::string name{};  ///< For messages only. Every robot starts and ends at its home at t = 0.
  /// Declares this robot identical in travel to a robot of lower index (whose own
  /// `same_travel_as` is unset): the same home, the same tasks with the same number of options,
  /// and travel between any two stops equal to that robot's (durations may differ). Solvers
  /// and DenseTravelTime::FromOracle then keep one travel matrix for both and ask the oracle
  /// for that robot only. Unset (value < 0): the robot's travel is its own. CheckProblem
  /// verifies the structure, not the oracle's values.
  RobotId same_travel_as{};
  /// Where the robot works from (for a robot arm: its tool at home), m, in the frame of the
  /// tasks' sites; optional, see Task::site.
  std::optional<Site> site{};
  /// A direction (m/m, any length > 0) along which the robot should progress through its
  /// tasks' sites over time; optional, used only by SolveOptions::sweep_weight.
  std::optional<Site> sweep{};
  bool operator==(const Robot&) const = default;
};

/// `after` may not start before `before` has finished (waiting allowed; on one robot this is an
/// order constraint). The precedence graph must be acyclic.
struct Precedence {
  TaskId before;
  TaskId after;
  bool operator==(const Precedence&) const = default;
};

/// Which visits of two robots may not run at the same time (for robot arms: their bodies would
/// come too close at those options). A visit occupies its robot from the moment it leaves its
/// previous stop (home or the previous task) until the visit's task is done: the travel into
/// the task and the task itself. Exclusive(a, sa, b, sb) must equal Exclusive(b, sb, a, sa);
/// it is asked only for a != b and stops that are options (never home). Implementations must
/// be thread-safe for concurrent const calls.
class Exclusions {
 public:
  virtual ~Exclusions() = default;
  virtual bool Exclusive(RobotId a, const Stop& sa, RobotId b, const Stop& sb) const = 0;
};

struct Problem {
  std::vector<Robot> robots;
  std::vector<Task> tasks;
  std::vector<Precedence> precedences;
  std::shared_ptr<const TravelTime> travel;  ///< Shared: solvers and copies use one oracle.
  /// Optional (null = none): visits that exclude each other. With them the schedule lets a
  /// robot wait before a visit until every exclusive visit of another robot that would overlap
  /// it in time has ended, first come first served (docs/allocation.md, Evaluate()).
  std::shared_ptr<const Exclusions> exclusions;

  int num_robots() const { return static_cast<int>(robots.size()); }
  int num_tasks() const { return static_cast<int>(tasks.size()); }
  /// The capability of `robot` for `task`, or nullptr if the robot cannot do it. O(#capabilities).
  const Capability* FindCapability(TaskId task, RobotId robot) const;
};

/// How much farther, m, `robot`'s site is from `task`'s site than the nearest site of a robot
/// that can do the task (>= 0; 0 for the nearest). 0 when the task, or any robot that can do it,
/// has no site, or when `robot` cannot do the task. O(#capabilities).
double SpatialExcess(const Problem& problem, TaskId task, RobotId robot);

/// Thrown for a malformed Problem (bad ids, no options, negative durations, cyclic precedences,
/// no oracle). The message names the task/robot and the value.
class ProblemError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Checks the structure of a problem (not the oracle's values). Throws ProblemError listing
/// every problem found, one per line.
void CheckProblem(const Problem& problem);

}  // namespace weldcell::allocation
