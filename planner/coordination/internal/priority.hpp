#pragma once
// Prioritized scheduling of zones (Erdmann & Lozano-Pérez 1987, "On multiple moving objects",
// Algorithmica): robots in a priority order, each fitted around the robots before it. Gives
// Coordinate a starting order in which a robot between two neighbours waits for both, where the
// pair diagrams see each pair alone.

#include <limits>
#include <vector>

#include "planner/coordination/internal/schedule.hpp"
#include "planner/coordination/internal/zone.hpp"

namespace weldcell::coordination::internal {

class PrioritizedScheduler {
 public:
  /// `graph` gives the pieces' durations; `zones` index into its pieces. Both must outlive
  /// this object.
  PrioritizedScheduler(const EventGraph& graph, const std::vector<ZoneSpan>& zones);

  /// The clock (start time, s, of every robot's every piece: [robot][piece]) when the robots of
  /// `priority` (a permutation of the robots) are scheduled in that order. Each starts every
  /// piece as early as its own previous piece allows while keeping each zone shared with a
  /// robot before it apart in time: a robot holds a zone from the start of its interval until it
  /// releases it (as its last piece there ends, or with `departs` when it moves on from there),
  /// and a hold either ends by the other robot's start there or starts once the other has
  /// released it. A robot waits at the standstill before a piece; when such a wait makes a hold
  /// that went first end too late, that interval starts again after the other's release. A
  /// robot that must go first (ZoneSpan::forced_first) is never overtaken; one that must go
  /// second is not held back (the forced orders are Coordinate's to keep). `makespan` (s): the
  /// latest end; once a robot ends at or after `bound`, the robots after it are skipped and
  /// `makespan` is that robot's end (the clock is then partial).
  std::vector<std::vector<double>> Clock(
      const std::vector<int>& priority, double* makespan,
      double bound = std::numeric_limits<double>::infinity()) const;

  /// The order of the zones on a clock: for each zone, whether robot a starts its interval
  /// first (ties: a); forced zones keep their forced order.
  std::vector<char> OrderOn(const std::vector<std::vector<double>>& clock) const;

 private:
  struct Side {  // a zone seen from the robot whose interval starts at a piece
    int zone = 0;
    int other = 0;
    bool is_a = false;
  };
  const EventGraph& graph_;
  const std::vector<ZoneSpan>& zones_;
  std::vector<std::vector<std::vector<Side>>> starting_;  // [robot][piece]
};

}  // namespace weldcell::coordination::internal
