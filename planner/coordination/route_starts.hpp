#pragma once
// Where each robot's route starts and which way it runs. A robot's route is a closed tour from
// home through its welds and back; the allocator chooses where it starts by travel time alone.
// Started at another weld (or run the other way round), the robot welds the same welds in the
// same poses, with all but two or three of its travel moves the same motions, but its pieces
// come at other times, and with them the waits its neighbours need. As for the directions
// (directions.hpp), the choice is made from the pieces coordination found touching and the
// robot pairs' coordination-diagram bounds; the pipeline plans the few new moves, coordinates
// and keeps the result only when the coordinated plan gets shorter
// (docs/allocation.md#route-starts).

#include <Eigen/Core>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "planner/common/progress.hpp"
#include "planner/coordination/coordinate.hpp"
#include "planner/motion/trajectory.hpp"

namespace weldcell::coordination {

/// One robot's trajectory read as a route: per weld (block) in program order, the travel piece
/// into it and its own pieces (approach, dwell, retract), then the travel home. Piece indices as
/// PieceDurations numbers them; -1 where a move has no piece (zero length).
struct RouteBlocks {
  std::vector<int> travel_in;         ///< [block] the travel piece that reaches it, or -1.
  std::vector<std::vector<int>> own;  ///< [block] its own pieces in order (≥ 1: the dwell).
  int travel_home = -1;               ///< The travel piece from the last block home, or -1.
  /// [block] the configuration (rad) where its own pieces start and end (the approach pose).
  std::vector<Eigen::VectorXd> at;
  std::vector<std::string> labels;  ///< [block] its segments' label (the weld's id).
  int pieces = 0;                   ///< All pieces (PieceDurations' size).
  /// The trajectory reads as home → travel → weld pieces → … → travel → home, each block's own
  /// pieces starting and ending at one configuration, with at least `min_blocks` blocks (at
  /// least 1). False (and the rest empty) otherwise: such a route keeps its start.
  bool valid = false;
};

/// Reads `trajectory` (waits left out) by its segments' `from`/`to` labels: a motion between
/// two different labels is a travel move, a segment from a weld to itself one of its pieces.
/// `min_blocks` (≥ 1): fewer blocks leave it not valid (2 for a route start: one weld has no
/// other start).
RouteBlocks BlocksOf(const motion::RobotTrajectory& trajectory, int min_blocks = 2);

/// Where a route starts and which way it runs. `start`: the block (in program order) it
/// begins with; forward it runs start, start + 1, …, then from block 0 on; backward start,
/// start − 1, …, then from the last block down. {false, 0} is the route as it is; {true,
/// blocks − 1} the route reversed (directions.hpp).
struct RouteStart {
  bool reverse = false;
  int start = 0;
  /// Positions flip_first … flip_last (0-based, in the order the route visits its blocks) run
  /// in the opposite order (a 2-opt move: the travel moves inside run backwards, two new ones
  /// join the ends); flip_first == flip_last: none.
  int flip_first = 0;
  int flip_last = 0;
  bool operator==(const RouteStart&) const = default;
};

/// Whether `route` visits the blocks in the reverse of program order ({true, blocks − 1}; also
/// a two-block route started at its other block, or a segment reversal spanning the route): the
/// same motion run backwards, nothing new to plan. False for the route as it is.
bool OnlyReversed(const RouteStart& route, int blocks);

/// Whether `a` and `b` visit a route of `blocks` blocks in the same order (BlockOrder): the same
/// plan, though named otherwise (a segment 1 … n − 1 reversed is the route run backwards from
/// block 0, a segment 0 … n − 2 reversed backwards from block n − 2, a two-block route started
/// at its second block that block run backwards). Precondition as BlockOrder's, for both.
bool SameOrder(const RouteStart& a, const RouteStart& b, int blocks);

/// The blocks (program order, 0 … blocks − 1) in the order a route run as `route` visits them.
/// Precondition: 0 ≤ route.start < blocks, 0 ≤ flip_first ≤ flip_last < blocks.
std::vector<int> BlockOrder(const RouteStart& route, int blocks);

/// s of a new travel move of `robot` between two configurations (rad), as the caller prices
/// it (the pipeline: the analytic estimate, motion::RestToRestTime).
using TravelEstimate =
    std::function<double(int robot, const Eigen::VectorXd& from, const Eigen::VectorXd& to)>;

/// How ChooseRouteStarts and RankRouteStarts score.
struct RouteStartOptions {
  double step = 0.1;  ///< s: the grid of the pair coordination diagrams (PairDiagramBound).
  /// Workers scoring one robot's starts and directions (0: one per hardware thread; the
  /// TravelEstimate is called from them); the result is the same for any number.
  int threads = 1;
  /// Reports kRouteStartStage (robots scored: ChooseRouteStarts counts at most four passes over
  /// the robots that may change and reports the total when it stops earlier) and is polled
  /// after each robot: once cancelled, both return as if nothing were better (the routes as
  /// they are; no single starts). The caller, who owns the flag, discards that answer.
  Progress progress;
  bool flips = false;  ///< RankRouteStarts also tries each segment of the route reversed.
  /// RankRouteStarts: at most this many arrangements per robot (≥ 1, checked; of the at most
  /// six that it scores on the round's grid), no two visiting the blocks in the same order.
  int per_robot = 1;
};

struct RouteStarts {
  std::vector<RouteStart> routes;  ///< [robot]
  /// s: the largest PairDiagramBound over the touching robot pairs, at least the longest
  /// robot's own duration; with the routes as they are and as chosen.
  double bound_before = 0.0;
  double bound_after = 0.0;
};

/// The starts and directions that minimise the largest pair bound, then the sum of the pair
/// bounds. A route started elsewhere keeps every piece (those of a reversed route run
/// backwards when the whole route is reversed (OnlyReversed), with their touching pairs) but
/// two or three travel moves: the moves that no
/// longer join consecutive blocks are left out, and each new one (from home, between the last
/// and the first block, home) takes `estimate` and is assumed to touch whatever the pieces of
/// the blocks (or home) at its ends touch. From the best directions (ChooseRouteDirections),
/// each robot in turn takes its best start and direction with the others fixed (the best of
/// the six that score best on a grid three times coarser), while that lowers the score (at most
/// four passes). Robots with `keep[r]` (empty: none) or whose
/// trajectory is not a route (RouteBlocks::valid) keep theirs. `touching` as
/// CoordinationResult::touching of these trajectories. Deterministic, for any
/// `options.threads`.
RouteStarts ChooseRouteStarts(const std::vector<motion::RobotTrajectory>& trajectories,
                              const std::vector<TouchingPieces>& touching,
                              const std::vector<char>& keep, const TravelEstimate& estimate,
                              const RouteStartOptions& options = {});

/// One robot's route started or run otherwise, the others as they are.
struct SingleRouteStart {
  int robot = 0;
  RouteStart route;
  double bound_before = 0.0, bound_after = 0.0;  ///< s, as RouteStarts'.
};

/// Per robot that may change, its best starts and directions (up to `options.per_robot`) with
/// the others as they are that lower the score of ChooseRouteStarts: every robot's best, best
/// first, then every robot's second best, best first, and so on (equal scores: robot order).
/// Deterministic, for any `options.threads`.
std::vector<SingleRouteStart> RankRouteStarts(
    const std::vector<motion::RobotTrajectory>& trajectories,
    const std::vector<TouchingPieces>& touching, const std::vector<char>& keep,
    const TravelEstimate& estimate, const RouteStartOptions& options = {});

}  // namespace weldcell::coordination
