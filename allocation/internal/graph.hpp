#pragma once
// The solvers' view of a problem: per robot, nodes numbered by NodeLayout (0 = home), node
// durations, and travel either from a precomputed matrix or straight from the oracle.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "allocation/problem.hpp"
#include "allocation/solution.hpp"
#include "allocation/travel_time.hpp"

namespace weldcell::allocation::internal {

class Graph {
 public:
  /// `spatial_weight` (s/m, >= 0) adds spatial_weight x SpatialExcess(task, robot) to every
  /// option's duration (SolveOptions::spatial_weight); 0 keeps the problem's durations.
  /// `sweep_weight` (s/m, >= 0) adds to every move of robot r between two tasks
  /// sweep_weight x how far it goes back against Robot::sweep (SolveOptions::sweep_weight).
  Graph(const Problem& problem, std::int64_t max_cached_entries, double spatial_weight = 0.0,
        double sweep_weight = 0.0);

  int num_robots() const { return static_cast<int>(robots_.size()); }
  int num_tasks() const { return num_tasks_; }
  double T(int r, int a, int b) const {
    const RobotNodes& g = robots_[static_cast<std::size_t>(r)];
    // The searches' innermost look-up: the matrix read stays inline, the oracle call does not.
    if (g.matrix) {
      return g.matrix[static_cast<std::size_t>(a) * static_cast<std::size_t>(g.n) +
                      static_cast<std::size_t>(b)];
    }
    return FromOracle(g, a, b);
  }
  int First(int r, int t) const {
    return robots_[static_cast<std::size_t>(r)].layout.FirstNode(TaskId{t});
  }
  int NumOptions(int r, int t) const {
    return robots_[static_cast<std::size_t>(r)].layout.NumOptions(TaskId{t});
  }
  bool CanDo(int r, int t) const { return First(r, t) >= 0; }
  double Dur(int r, int node) const {
    return robots_[static_cast<std::size_t>(r)].duration[static_cast<std::size_t>(node)];
  }
  /// Robots that can do task t, ascending.
  const std::vector<int>& Eligible(int t) const { return eligible_[static_cast<std::size_t>(t)]; }
  const std::vector<std::vector<int>>& preds() const { return preds_; }
  const std::vector<std::vector<int>>& succs() const { return succs_; }
  bool has_precedences() const { return !preds_.empty(); }
  bool cached(int r) const { return robots_[static_cast<std::size_t>(r)].shared != nullptr; }
  bool has_exclusions() const { return !exclusive_.empty(); }
  /// Problem::exclusions between node a of robot r and node b of robot s (r != s, both
  /// options), from a bit matrix per robot pair built once.
  bool Exclusive(int r, int a, int s, int b) const {
    if (r > s) {
      std::swap(r, s);
      std::swap(a, b);
    }
    const std::size_t pair =
        static_cast<std::size_t>(r) * robots_.size() + static_cast<std::size_t>(s);
    const std::size_t bit = static_cast<std::size_t>(a) *
                                static_cast<std::size_t>(robots_[static_cast<std::size_t>(s)].n) +
                            static_cast<std::size_t>(b);
    return (exclusive_[pair][bit / 64] >> (bit % 64)) & 1U;
  }

  /// The schedule of routes given as task lists with one option per task (indexed by task),
  /// through the single simulation used by Evaluate().
  Evaluation Simulate(const std::vector<std::vector<int>>& routes,
                      const std::vector<int>& option) const;
  /// Routes plus options as a Solution.
  static Solution ToSolution(const std::vector<std::vector<int>>& routes,
                             const std::vector<int>& option);

 private:
  struct RobotNodes {
    NodeLayout layout;
    int n = 0;
    std::vector<Stop> stops;
    std::vector<double> duration;
    /// n*n row-major, null when not cached; robots declared identical share one.
    std::shared_ptr<const std::vector<double>> shared;
    const double* matrix = nullptr;  ///< shared->data(), or null.
    int travel_as = 0;  ///< The robot whose travel this one has (itself unless declared).
    /// Sweep term: per node the task site's position along Robot::sweep (m), empty = off.
    std::vector<double> along;
    double sweep_weight = 0.0;
  };
  static double SweepPenalty(const RobotNodes& g, int a, int b) {
    if (g.along.empty() || a == 0 || b == 0) return 0.0;
    const double back = g.along[static_cast<std::size_t>(a)] - g.along[static_cast<std::size_t>(b)];
    return back > 0.0 ? g.sweep_weight * back : 0.0;
  }
  /// T of an uncached robot: the oracle's time plus the sweep penalty.
  double FromOracle(const RobotNodes& g, int a, int b) const;
  void BuildExclusions(const Exclusions& exclusions);
  const TravelTime* oracle_;
  int num_tasks_ = 0;
  std::vector<RobotNodes> robots_;
  std::vector<std::vector<int>> eligible_;
  std::vector<std::vector<int>> preds_;
  std::vector<std::vector<int>> succs_;
  /// exclusive_[r * R + s] for r < s: bit a * n_s + b; empty without Problem::exclusions.
  std::vector<std::vector<std::uint64_t>> exclusive_;
};

}  // namespace weldcell::allocation::internal
