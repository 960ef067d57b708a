#pragma once
// Shared plumbing of the solvers: stop conditions, progress, and the final result (cost through
// Evaluate(), lower bound).

#include <chrono>

#include "allocation/solver.hpp"

namespace weldcell::allocation::internal {

class StopWatch {
 public:
  StopWatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

inline bool Cancelled(const SolveOptions& options) { return options.progress.cancelled(); }

/// Fills cost (via Evaluate), lower bound and time; calls the progress callback a last time.
SolveResult FinishResult(const Problem& problem, const SolveOptions& options, Solution solution,
                         SolveStatus status, std::int64_t iterations, const StopWatch& watch,
                         std::string message = {}, const LowerBound* lower_bound = nullptr);

}  // namespace weldcell::allocation::internal
