#pragma once
// Which weld the robot that finishes last should give to another robot. The allocator splits
// the welds by estimated travel times; the coordinated plan knows what each robot's moves and
// pieces really took and when it finished, waits included. Moving one weld of the last robot to
// another robot that reaches it shortens the last robot's work by that weld's pieces and its
// two moves, and lengthens the other's by the weld, welded where it costs least. The pipeline
// plans and coordinates the best transfers and keeps one only when the coordinated plan gets
// shorter (docs/allocation.md#weld-transfers).

#include <Eigen/Core>
#include <vector>

#include "planner/coordination/route_starts.hpp"

namespace weldcell::pipeline {

/// One robot's route as its plan ran it.
struct RunRoute {
  Eigen::VectorXd home;             ///< rad: where the route starts and ends.
  std::vector<int> welds;           ///< [block] the weld (e.g. index into cell.welds).
  std::vector<Eigen::VectorXd> at;  ///< [block] rad: where the block's pieces start and end.
  std::vector<double> travel;       ///< [blocks + 1] s: the move into each block, then home.
  std::vector<double> own;          ///< [block] s: the block's own pieces (approach … retract).
  double finish = 0.0;              ///< s: when it is home on the coordinated clock.
  bool may_change = false;          ///< False: it neither gives nor takes a weld.
};

/// One way a robot may weld a weld.
struct WeldOption {
  int weld = 0;
  int robot = 0;          ///< Index into the routes.
  int candidate = 0;      ///< The caller's number for this way (e.g. a reach candidate).
  Eigen::VectorXd at;     ///< rad: its approach configuration.
  double duration = 0.0;  ///< s: its own pieces (gun close, weld, open, approach in and out).
};

/// One weld moved from one robot's route into another's.
struct WeldTransfer {
  int weld = 0;
  int from = 0, to = 0;  ///< Robots (indices into the routes).
  int position = 0;      ///< The block it becomes in `to`'s route (0 = first).
  int candidate = 0;     ///< WeldOption::candidate of the way `to` welds it.
  /// s: the latest finish as the plan has it, and as predicted with the transfer.
  double makespan_before = 0.0, makespan_after = 0.0;
  double taker_finish = 0.0;  ///< s: `to`'s finish as predicted with the transfer.
  bool operator==(const WeldTransfer&) const = default;
};

/// The transfers of a weld of the robot that finishes last (the lowest index among equals) to
/// another robot that may change, each weld and taker with the option and position that
/// predict the lowest latest finish (then the taker's lowest finish), that are predicted to
/// lower the latest finish by more than `min_gain` (s); best first by the same two, then by
/// weld and taker. The prediction keeps every robot's finish as the plan has it (waits
/// included) but for the two: the giver loses the weld's pieces and its moves in and out and
/// gains the move that joins its neighbours; the taker gains the option's pieces and two moves
/// and loses the move between its new neighbours. A new move takes `estimate` scaled by that
/// robot's ratio of its run moves to their estimates (at least 1: the planner's moves detour;
/// 1 when it has none). A giver needs at least two welds. Deterministic, no state.
/// Precondition (checked, aborts): each route has one `at`, one `own` per weld and
/// `welds + 1` travel entries.
std::vector<WeldTransfer> RankWeldTransfers(const std::vector<RunRoute>& routes,
                                            const std::vector<WeldOption>& options,
                                            const coordination::TravelEstimate& estimate,
                                            double min_gain = 0.0);

}  // namespace weldcell::pipeline
