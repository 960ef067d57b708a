#pragma once
// Consistent zone orders within a robot pair (coordinate.hpp, step 4): no two zones of the pair
// taken in opposite directions may wait for each other in a circle.

#include <cstddef>
#include <vector>

#include "planner/coordination/internal/zone.hpp"

namespace weldcell::coordination::internal {

/// Makes the orders of one robot pair (its zones `list`, indices into `zones` and `first_is_a`)
/// consistent: a zone taken in the pair's usual direction (robot x first; the direction most
/// of `list` takes, a on a tie) and one taken the other way (y first) wait for each other in a
/// circle when x's part of the second starts no later than x releases the first and y's part of
/// the first starts no later than y releases the second. Such zones of the usual direction are
/// turned until no pair of the two directions closes a circle — a staircase through the pair's
/// coordination diagram (O'Donnell & Lozano-Pérez 1989), so the pair alone cannot deadlock.
/// Only free zones turn (forced_first == −1), and only away from the usual direction. Reads
/// and writes the pair's zones only.
///
/// The zones turned are the fewest that leave no circle: each turned zone is forced by one
/// taken the other way (at first or turned before it), whatever the order of turning. They are
/// found with a worklist of the zones taken the other way, each of which turns, through a tree
/// of minima, every usual zone it closes a circle with, in O(n log n) for n zones.
void MakePairConsistent(const std::vector<ZoneSpan>& zones, const std::vector<std::size_t>& list,
                        std::vector<char>& first_is_a);

}  // namespace weldcell::coordination::internal
