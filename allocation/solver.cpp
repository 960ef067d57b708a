#include "allocation/solver.hpp"

#include <algorithm>

#include "allocation/internal/solver_common.hpp"
#include "planner/common/check.hpp"

namespace weldcell::allocation {

std::string_view ToString(SolveStatus status) {
  switch (status) {
    case SolveStatus::kOptimal:
      return "optimal";
    case SolveStatus::kFeasible:
      return "feasible";
    case SolveStatus::kCancelled:
      return "cancelled";
    case SolveStatus::kTooLarge:
      return "too large";
  }
  return "unknown";
}

namespace internal {

SolveResult FinishResult(const Problem& problem, const SolveOptions& options, Solution solution,
                         SolveStatus status, std::int64_t iterations, const StopWatch& watch,
                         std::string message, const LowerBound* lower_bound) {
  SolveResult result;
  result.status = status;
  result.lower_bound = lower_bound != nullptr
                           ? *lower_bound
                           : ComputeLowerBound(problem, options.lower_bound_pair_calls);
  if (status != SolveStatus::kTooLarge) {
    const Validation v = Validate(problem, solution);
    // A solver returning an invalid solution is a bug, not an expected outcome.
    if (!v.ok()) {
      for (const std::string& e : v.errors) std::fprintf(stderr, "%s\n", e.c_str());
    }
    WELDCELL_CHECK(v.ok());
    result.cost = v.evaluation.cost;
  }
  result.solution = std::move(solution);
  result.iterations = iterations;
  result.seconds = watch.Seconds();
  result.message = std::move(message);
  // The last report: all done, unless cancelled (the solvers without iterations count as one).
  const std::int64_t total = std::max<std::int64_t>(1, options.max_iterations);
  options.progress.Report(kAllocateStage,
                          status == SolveStatus::kCancelled ? std::min(iterations, total) : total,
                          total);
  return result;
}

}  // namespace internal
}  // namespace weldcell::allocation
