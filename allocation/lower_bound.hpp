#pragma once
// Lower bounds on the makespan, reported with every solution to show how far from optimal it
// can at most be. Units: seconds.

#include <cstdint>

#include "allocation/problem.hpp"

namespace weldcell::allocation {

struct LowerBound {
  /// Longest precedence chain, each task at its cheapest robot/option, including the cheapest
  /// way out from home to the chain's first task and back from its last (covers single tasks).
  double longest_chain = 0.0;
  /// Max over robot subsets S of: sum over the tasks only robots of S can do of the cheapest
  /// (duration + cheapest arrival travel), divided by |S| (S = all robots: total work / robots;
  /// subsets only for <= 16 robots). The arrival term is 0 when the oracle pairs exceed the
  /// budget.
  double work_per_robot = 0.0;
  double value = 0.0;  ///< max of the above.
  bool operator==(const LowerBound&) const = default;
};

/// Computes the bound. Calls the oracle O(sum over robots of nodes^2) times when that is at most
/// `max_pair_calls`, otherwise O(nodes) times (home legs only); robots declared
/// `same_travel_as` another are not asked again. Throws ProblemError if the problem is
/// malformed. Thread-safe if the oracle is.
LowerBound ComputeLowerBound(const Problem& problem, std::int64_t max_pair_calls = 20'000'000);

}  // namespace weldcell::allocation
