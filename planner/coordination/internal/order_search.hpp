#pragma once
// The order of every zone (coordinate.hpp, step 4) and the merge of zones (step 5): which robot
// takes each zone first, searched on the event graph's clock, and neighbouring zones taken in
// the same order merged into one while the makespan stays within a limit.

#include <cstddef>
#include <map>
#include <utility>
#include <vector>

#include "planner/coordination/internal/schedule.hpp"
#include "planner/coordination/internal/zone.hpp"

namespace weldcell::coordination::internal {

/// The search over zone orders of one event graph. An order is a vector `first_is_a` with one
/// entry per zone: nonzero when the zone's robot a takes it first. Holds the graph and zones by
/// reference. Its member functions are const and keep their scratch per call, so several
/// threads may search at once, as long as none changes `base` or the zones meanwhile (MergeZones
/// writes them).
struct OrderSearch {
  const EventGraph& graph;
  const std::vector<ZoneSpan>& zones;
  std::vector<EventEdge> base;  ///< Signal edges.
  /// Skip clock computations whose outcome the last clock decides (CoordinationOptions); the
  /// results are the same either way.
  bool reuse_clock = true;

  /// Zone z's edge: the second robot starts its first piece in the zone no earlier than the
  /// first releases it (arrives after its last piece, or moves on from there).
  EventEdge ZoneEdge(std::size_t z, bool a_first) const;
  /// The edges of an order: `base`, then one per zone (index base.size() + z).
  std::vector<EventEdge> Edges(const std::vector<char>& first_is_a) const;
  /// The makespan (s) of an order; infinity when its edges close a cycle.
  double Makespan(const std::vector<char>& first_is_a) const;
  /// First come, first served on the clock the decisions so far give: repeatedly, of the zones
  /// not yet decided, the one a robot reaches first goes to that robot (forced zones as
  /// forced), unless that closes a cycle and the other order does not. Zones left undecided
  /// when no order of the next keeps the graph acyclic keep their forced order, else a first.
  std::vector<char> FirstComeFirstServed() const;
  /// Breaks the cycles of an order: while the event graph has one, flips a free zone on it (the
  /// one flipped least often so far, then the first on the cycle). False when a cycle holds no
  /// free zone (forced orders and signals alone) or cycles keep coming back (400 rounds); the
  /// order is then left as the flips made it (Coordinate names its cycle). Forced zones never
  /// flip.
  bool Repair(std::vector<char>& first_is_a) const;
  /// Flips single free zones while the makespan drops (a cyclic order counts as infinite), at
  /// most `max_flips` flips tried; returns the makespan (s) of the order left, infinity when it
  /// is still cyclic. Forced zones never flip.
  double Improve(std::vector<char>& first_is_a, int max_flips) const;
};

/// The zones of each robot pair (indices into `zones`), by pair (a, b).
std::map<std::pair<int, int>, std::vector<std::size_t>> ZonesByPair(
    const std::vector<ZoneSpan>& zones);

/// MakePairConsistent (consistency.hpp) for every robot pair.
void MakePairsConsistent(const std::vector<ZoneSpan>& zones, std::vector<char>& first_is_a);

/// Passes of ImprovePairs that Coordinate runs.
inline constexpr int kPairRounds = 20;

/// Improves an order pair by pair: for each robot pair, its free zones are decided again on the
/// clock the other pairs' zones give (each to the robot that reaches it earlier on that clock;
/// forced zones as forced), made consistent within the pair (MakePairConsistent), and the trial
/// is kept when the makespan drops. A trial takes the other pairs' orders made consistent too,
/// so keeping one can turn zones of other pairs that were not. Repeats while some pair improves
/// (at most `rounds` passes). Returns the makespan (s) of the order left.
double ImprovePairs(const OrderSearch& search, std::vector<char>& first_is_a, int rounds);

/// The zone over both spans' pieces. A robot's release follows the span that ends later (on
/// departure if either ending there releases so). Precondition: the same robots, and not forced
/// to different robots (checked).
ZoneSpan Union(const ZoneSpan& x, const ZoneSpan& y);

/// Merges zones of one robot pair taken in the same order, neighbour after neighbour in the
/// first robot's piece order, while the event graph stays acyclic and the makespan does not
/// exceed `limit` (s). A merged zone is a mutex over the union of both intervals per robot.
/// Then every zone that lies Inside another zone kept, taken in the same order, is dropped
/// (merged or not: nested and equal zones too). Returns the zones kept (indices in `spans`
/// order); `spans` holds the merged spans at those indices, their forced_first as Union leaves
/// it (pair them with `first_is_a` for the order taken). Preconditions: `search.zones` is
/// `spans` itself; the order is acyclic within `limit`.
std::vector<std::size_t> MergeZones(const OrderSearch& search, std::vector<ZoneSpan>& spans,
                                    const std::vector<char>& first_is_a, double limit);

}  // namespace weldcell::coordination::internal
