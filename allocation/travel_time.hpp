#pragma once
// Travel-time oracles: a dense per-robot matrix (precomputed or given) and a Euclidean one
// (points per stop, constant speed) for tests and the robotsp benchmark. Units: seconds.
// Both are immutable after construction and thread-safe.

#include <Eigen/Core>
#include <vector>

#include "allocation/problem.hpp"

namespace weldcell::allocation {

/// Numbers the stops of one robot: node 0 is home, then the options of every task the robot can
/// do, in task order, options contiguous. Used by DenseTravelTime and by the solvers' caches.
class NodeLayout {
 public:
  NodeLayout() = default;
  NodeLayout(const std::vector<Task>& tasks, RobotId robot);
  int num_nodes() const { return num_nodes_; }
  /// Node of a stop; the task must be doable by the robot (checked).
  int Node(const Stop& stop) const;
  /// First node of the task's options, -1 when the robot cannot do it.
  int FirstNode(TaskId task) const { return first_[static_cast<std::size_t>(task.value)]; }
  int NumOptions(TaskId task) const { return count_[static_cast<std::size_t>(task.value)]; }
  Stop StopOf(int node) const;

 private:
  std::vector<int> first_;
  std::vector<int> count_;
  std::vector<int> task_of_node_;
  int num_nodes_ = 1;
};

/// Travel times from one dense matrix per robot, indexed by NodeLayout (row = from, col = to).
class DenseTravelTime final : public TravelTime {
 public:
  /// `seconds[r]` must be square of size NodeLayout(tasks, r).num_nodes(), finite, >= 0.
  /// A robot r whose `robots[r].same_travel_as` names robot s (see Robot) uses `seconds[s]`;
  /// its own entry is ignored (may be empty). Throws ProblemError otherwise.
  DenseTravelTime(const std::vector<Task>& tasks, std::vector<Eigen::MatrixXd> seconds,
                  const std::vector<Robot>& robots = {});
  /// Precomputes every pair of `problem.travel` (n^2 calls per robot, none for a robot declared
  /// `same_travel_as` another: it shares that robot's matrix); a cache for an expensive oracle
  /// when the sizes allow it. Throws ProblemError for a malformed problem.
  static DenseTravelTime FromOracle(const Problem& problem);

  double Seconds(RobotId robot, const Stop& from, const Stop& to) const override;
  /// The robot's matrix (the same object for robots that share one).
  const Eigen::MatrixXd& matrix(RobotId robot) const {
    return seconds_[matrix_of_[static_cast<std::size_t>(robot.value)]];
  }

 private:
  std::vector<NodeLayout> layouts_;
  std::vector<Eigen::MatrixXd> seconds_;
  std::vector<std::size_t> matrix_of_;  ///< per robot, index into seconds_
};

/// One robot's points: home and, per task, one point per option (empty if not doable). Points
/// of one robot share a dimension (e.g. xyz, or joint space).
struct EuclideanRobot {
  Eigen::VectorXd home;
  std::vector<std::vector<Eigen::VectorXd>> points;  ///< [task][option]
  double speed = 1.0;                                ///< Units of distance per second, > 0.
};

/// Travel time = Euclidean distance / speed between the stops' points.
class EuclideanTravelTime final : public TravelTime {
 public:
  /// Throws ProblemError on empty points, mismatched dimensions or speed <= 0.
  explicit EuclideanTravelTime(std::vector<EuclideanRobot> robots);
  double Seconds(RobotId robot, const Stop& from, const Stop& to) const override;

 private:
  struct Flat {
    Eigen::MatrixXd columns;  ///< dim x nodes, column 0 = home.
    std::vector<int> first;   ///< per task, first column or -1.
    double inv_speed = 1.0;
  };
  std::vector<Flat> robots_;
};

}  // namespace weldcell::allocation
