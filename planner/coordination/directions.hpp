#pragma once
// Which robots should run their routes backwards. A reversed route (the same welds in the same
// poses, the other way round) takes each robot about as long, since its travel is symmetric,
// but changes which pieces of two robots come at the same time, and with them the waits
// coordination needs. The choice is made from the pieces coordination found touching
// (CoordinationResult::touching) and a bound per robot pair from its coordination diagram
// (O'Donnell & Lozano-Pérez 1989): the pipeline plans the reversed routes and keeps them only
// when the coordinated plan gets shorter (docs/allocation.md#route-directions).

#include <utility>
#include <vector>

#include "planner/coordination/coordinate.hpp"
#include "planner/motion/trajectory.hpp"

namespace weldcell::coordination {

/// The durations (s) of a trajectory's pieces as Coordinate numbers them: its motion and dwell
/// segments in order, waits left out.
std::vector<double> PieceDurations(const motion::RobotTrajectory& trajectory);

/// The shortest time (s) in which two robots both finish their pieces when no two touching
/// pieces run at the same time: the shortest monotone path through the pair's coordination
/// diagram, each axis one robot's own clock without waits, each touching piece pair an obstacle
/// (standing at the start: the axis' first point; at the end: the points from the end of its
/// last piece on), on a grid of `step` s (> 0; coarser for programs over 2,000 steps). A path may
/// wait anywhere (a controller waits at standstills only, where the waiting robot can itself be in
/// the way), so this bounds the pair's coordinated makespan from below, up to the grid. `touching`
/// in extended indices (TouchingPieces). With `reverse_b`, robot b runs its pieces backwards:
/// durations reversed and the touching pairs mirrored. Infinity when no monotone path exists.
double PairDiagramBound(const std::vector<double>& durations_a,
                        const std::vector<double>& durations_b,
                        const std::vector<std::pair<int, int>>& touching, bool reverse_b,
                        double step);

struct RouteDirections {
  std::vector<char> reverse;  ///< [robot]: run its route backwards.
  /// s: the largest PairDiagramBound over the touching pairs (at least the longest robot's
  /// duration), all routes forward, and with `reverse`.
  double bound_before = 0.0;
  double bound_after = 0.0;
};

/// The directions that minimise the largest pair bound, then the sum of the pair bounds, over
/// the robot pairs of `touching` (their bounds with both robots the same way and with one
/// reversed; reversing both runs the same diagram backwards), then the fewest reversals. Robots
/// with `keep_forward[r]` (empty: none) stay forward. Every choice is tried for up to 16 robots
/// that may turn, else single robots are flipped while that helps. `durations[r]`: robot r's
/// PieceDurations. Deterministic.
RouteDirections ChooseRouteDirections(const std::vector<std::vector<double>>& durations,
                                      const std::vector<TouchingPieces>& touching,
                                      const std::vector<char>& keep_forward = {},
                                      double step = 0.1);

}  // namespace weldcell::coordination
