#pragma once
// A zone of coordination (coordinate.hpp, step 3): a mutex over an interval of pieces of each of
// two robots.

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

}  // namespace weldcell::coordination::internal
