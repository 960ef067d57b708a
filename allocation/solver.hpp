#pragma once
// Solvers for the allocation problem behind one interface: the engineer's baseline (nearest
// robot, nearest-neighbour order), the strong anytime solver (regret insertion, then local
// search and ruin-and-recreate with optimal option re-choice) and the exact reference for tiny
// instances. Units: seconds.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "allocation/lower_bound.hpp"
#include "allocation/problem.hpp"
#include "allocation/solution.hpp"
#include "planner/common/progress.hpp"

namespace weldcell::allocation {

struct SolveOptions {
  std::uint64_t seed = 1;
  /// Improvement iterations of the anytime search. Together with the seed this fixes the
  /// result; wall time does not.
  std::int64_t max_iterations = 20'000;
  /// Additional stop (makes the result depend on the machine). Infinity = off.
  double max_seconds = std::numeric_limits<double>::infinity();
  /// Reports kAllocateStage (iterations done, max_iterations) from the solving thread every
  /// `progress_every` iterations and once at the end (with the iterations actually run).
  /// Polled every iteration: once cancelled, the search stops and the best solution so far is
  /// returned (valid) with status kCancelled.
  Progress progress{};
  std::int64_t progress_every = 256;
  /// Per-robot travel matrices are precomputed (robot by robot, n^2 oracle calls each) while
  /// their total number of entries stays within this; other robots call the oracle directly,
  /// which costs far more: on station XL (12 robots, 9.5 million entries) the two robots left
  /// over by a budget of 8 million took 80 % of the allocator's time. 16 million: 128 MB.
  std::int64_t max_cached_entries = 16'000'000;
  /// Lower-bound computation may call the oracle this often (see ComputeLowerBound).
  std::int64_t lower_bound_pair_calls = 20'000'000;
  /// s per metre; strong solver only. A soft spatial term: while searching, a visit of robot r
  /// to task t counts as lasting spatial_weight x SpatialExcess(problem, t, r) longer (how much
  /// farther r works from the task than the nearest robot that can do it), so that a task goes
  /// to a farther robot only when that saves more than the penalty, and each robot's tasks stay
  /// near it. The reported cost is always the true one (Evaluate()), without the term. 0 = off
  /// (the search is then exactly the one without sites). Needs Task::site and Robot::site;
  /// tasks without them get no penalty.
  double spatial_weight = 0.0;
  /// s per metre; strong solver only. A soft order term: while searching, a move of robot r
  /// from one task to the next counts as lasting sweep_weight x how far it goes back against
  /// Robot::sweep (between the tasks' sites) longer, so that routes progress one way along
  /// it (e.g. neighbours sweeping in the same direction stay apart). Reported costs are true.
  /// 0 = off. Needs Robot::sweep and Task::site.
  double sweep_weight = 0.0;
  /// Strong solver only: a solution to start from instead of the constructions (e.g. the
  /// allocation of a slightly changed problem). Its visits that are valid here (a task the
  /// route's robot can do, an existing option, the task not visited before, every predecessor
  /// kept too) are kept in their order; every other task is inserted as the search re-inserts
  /// removed tasks, then local search, then the whole budget from there (one start). A complete
  /// start comes back no worse in the search's cost (with spatial_weight or sweep_weight that
  /// is the penalised cost, not the reported one). When the kept visits are infeasible or a task
  /// cannot be inserted, the search runs as without a start (on the same budget) and
  /// SolveResult::from_start says so. Null = construct. Not owned.
  const Solution* start = nullptr;
};

enum class SolveStatus {
  kOptimal,    ///< Proven optimal (exact solver).
  kFeasible,   ///< A valid solution, not proven optimal.
  kCancelled,  ///< Stopped by options.progress being cancelled; the solution is the best found
               ///< (valid).
  kTooLarge,   ///< The exact solver refused the size; the solution is empty.
};

std::string_view ToString(SolveStatus status);

struct SolveResult {
  SolveStatus status = SolveStatus::kFeasible;
  Solution solution;
  Cost cost;               ///< Evaluate(problem, solution).cost.
  LowerBound lower_bound;  ///< Reported with every solution.
  std::int64_t iterations = 0;
  double seconds = 0.0;  ///< Wall time spent (informative only).
  /// The strong solver started from SolveOptions::start (false when none was given or it could
  /// not be used).
  bool from_start = false;
  std::string message;
};

/// The interface every solver implements. Solve() is const and thread-safe (all scratch is
/// local), so one solver may run on several problems at once.
class Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string_view name() const = 0;
  /// Throws ProblemError for a malformed problem (CheckProblem).
  virtual SolveResult Solve(const Problem& problem, const SolveOptions& options) const = 0;
};

/// Nearest robot (by home -> task travel) for each task, then nearest-neighbour order per robot
/// (respecting precedences). Ignores iterations; deterministic.
std::unique_ptr<Solver> MakeBaselineSolver();

/// Granular regret-2 insertion (seeded apart for robots sharing a home), then an anytime
/// search: relocate (also onto idle robots), swap, 2-opt, or-opt and cross-exchange with
/// best-option re-choice, plus a shortest path through each route's layers of options,
/// diversified by ruin and recreate (random, string and related removals) under a
/// simulated-annealing acceptance, from four starts of which the best continues (or from
/// SolveOptions::start). Honours
/// max_seconds and cancellation in every phase (a stopped construction is completed cheaply,
/// so the solution is always valid). References: Potvin & Rousseau 1993 (regret insertion);
/// Shaw 1998, Ropke & Pisinger 2006 (large neighbourhood search); Christiaens & Vanden Berghe
/// 2020 (string removals, blinks).
std::unique_ptr<Solver> MakeStrongSolver();

/// Exact optimum for tiny instances. Without precedences: Held-Karp dynamic programming over
/// task subsets per robot (with options), then every assignment of tasks to robots; limits:
/// 14 tasks and 5e6 assignments (product of the eligible-robot counts). With precedences:
/// depth-first branch and bound over routes and options, leaves evaluated with Evaluate();
/// limits: 8 tasks and 2e8 leaves. Larger: kTooLarge with an empty solution. Ignores the
/// iteration budget, time budget and cancellation (sizes are bounded). Held & Karp 1962.
std::unique_ptr<Solver> MakeExactSolver();

}  // namespace weldcell::allocation
