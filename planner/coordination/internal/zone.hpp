#pragma once
// A zone of coordination (coordinate.hpp, step 3): a mutex over an interval of pieces of each of
// two robots.

#include <vector>

namespace weldcell::coordination::internal {

struct ZoneSpan {
  int a = 0, b = 0;       ///< Robots, a < b.
  int a0 = 0, a1 = 0;     ///< Robot a's pieces [a0, a1].
  int b0 = 0, b1 = 0;     ///< Robot b's pieces [b0, b1].
  int forced_first = -1;  ///< Robot that must go first (-1: free; -2: impossible).
  /// Robot a (b) releases the zone only when it moves on from the standstill after its last
  /// piece (it touches the other's pieces there), else as it arrives there.
  bool a_departs = false, b_departs = false;
};

/// Whether zone x lies inside zone y: the same robots, each of x's intervals within y's (ending
/// earlier, or as late and released no earlier by y), and x free or forced as y.
bool Inside(const ZoneSpan& x, const ZoneSpan& y);

/// Drops zones that lie Inside another zone kept: the larger zone's mutex already keeps those
/// pieces apart. Of equal zones the first stays. The zones kept keep their order.
void DropContained(std::vector<ZoneSpan>& zones);

}  // namespace weldcell::coordination::internal
