#pragma once
// The coordination diagram of two robots (O'Donnell & Lozano-Pérez 1989): each axis one robot's
// own clock without waits, each pair of touching pieces an obstacle, and the shortest monotone
// path from both robots' start to both robots' end, on a grid of `step` s. The path may wait
// anywhere (a controller waits at standstills only, where the waiting robot may itself be in
// the way), so its length bounds the pair's coordinated makespan from below, up to the grid (a
// step, and pieces shorter than a step, which hold only their nearest point); on which side of each
// obstacle it passes is an order for the pair's zones.

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace weldcell::coordination::internal {

/// One robot's axis of a coordination diagram: its own clock without waits on a grid of `step`
/// s, from its start (point 0) to "finished" (the last point).
struct DiagramAxis {
  std::vector<double> end;  ///< end[k]: s at which piece k ends (no waits).
  int points = 1;           ///< Grid points 0 .. points - 1; the last one is "finished".
  double step = 0.1;
  DiagramAxis(const std::vector<double>& durations, double step_s);
  int pieces() const { return static_cast<int>(end.size()); }
  /// Grid points [lo, hi] at which the robot is in extended piece e (at least one point).
  std::pair<int, int> Points(int e) const;
};

class PairDiagram {
 public:
  /// `durations_*`: s per piece in program order; `touching`: (extended piece of a, of b) with
  /// 0 = standing at the start, k + 1 = piece k, pieces + 1 = standing at the end. With
  /// `reverse_b`, robot b runs its pieces backwards (durations reversed, pairs mirrored). The
  /// grid is coarsened where an axis would have more than 2,000 points. Precondition: step > 0,
  /// indices in range.
  PairDiagram(const std::vector<double>& durations_a, const std::vector<double>& durations_b,
              const std::vector<std::pair<int, int>>& touching, bool reverse_b, double step);

  /// s: the shortest path's duration (at least each robot's own); infinity without a path.
  double Bound() const { return bound_; }
  /// Whether the shortest path runs robot a's extended piece i before b's extended piece j
  /// (in b's own numbering, before any reversal). Precondition: a path exists.
  bool AFirst(int i, int j) const;

 private:
  using Axis = DiagramAxis;
  Axis a_, b_;
  bool reverse_b_ = false;
  double bound_ = 0.0;
  /// Per grid point x of robot a, the largest y of robot b on the path while a is at x.
  std::vector<int> path_y_max_;
};

/// PairDiagram(durations_a, durations_b, touching, reverse_b, step).Bound(), the same value,
/// without the path: the grid is walked one row (grid point of robot a) at a time, so memory is
/// one row of robot b's points and no blocked grid is built. For callers that score many
/// arrangements by their bounds alone (the route-start and direction rounds). Preconditions as
/// PairDiagram's.
double PairBound(const std::vector<double>& durations_a, const std::vector<double>& durations_b,
                 const std::vector<std::pair<int, int>>& touching, bool reverse_b, double step);

/// The coordination diagram of three robots: the cube of their three clocks, each touching piece
/// pair of each of the three robot pairs an obstacle (a beam through the cube along the third
/// robot's axis), and the shortest monotone path from all three robots' start to all three
/// robots' end, where one, two or all three robots move on at each step. Where the pair diagrams
/// see each pair alone, a robot between two neighbours is fitted around both: on a side of three
/// robots the pair diagrams' paths may contradict each other, this path does not. The same
/// grid rules and caveats as PairDiagram (a lower bound up to the grid; waits anywhere), on a
/// grid coarsened to at most kMaxPoints + 2 points per axis (memory: one byte per point of the
/// cube).
class TripleDiagram {
 public:
  static constexpr int kMaxPoints = 160;

  /// `durations[k]`: s per piece of robot k in program order. `touching[p]` for the robot pairs
  /// p = 0: (0, 1), 1: (0, 2), 2: (1, 2): (extended piece of the first robot, of the second),
  /// extended as in PairDiagram. Precondition: step > 0, indices in range.
  TripleDiagram(const std::array<std::vector<double>, 3>& durations,
                const std::array<std::vector<std::pair<int, int>>, 3>& touching, double step);

  /// s: the shortest path's duration (at least each robot's own); infinity without a path.
  double Bound() const { return bound_; }
  /// s: the grid step used.
  double step() const { return axes_[0].step; }
  /// Whether the shortest path runs robot p's extended piece i before robot q's extended piece j
  /// (0 <= p < q <= 2). Precondition: a path exists. The orders of all touching pairs, read off
  /// the one path, can be kept together: with them the robots' events have no cycle.
  bool First(int p, int q, int i, int j) const;

 private:
  static int PairIndex(int p, int q) { return p + q - 1; }  // (0,1) 0, (0,2) 1, (1,2) 2

  std::array<DiagramAxis, 3> axes_;
  double bound_ = 0.0;
  /// Per robot pair (p, q) and grid point x of robot p, the largest point of robot q on the path
  /// while p is at x.
  std::array<std::vector<int>, 3> path_max_;
};

/// Robot triples for three-robot diagrams: each robot with the two others it touches most
/// (`touching[a][b]`: touching piece pairs of robots a and b, symmetric; of equals the lower
/// index), each set of three once, sorted ascending, the heaviest first (by the touching piece
/// pairs among the three; of equals, in the order of their middle robots). Robots touching fewer
/// than two others are the middle of none.
std::vector<std::array<int, 3>> ChainTriples(const std::vector<std::vector<std::size_t>>& touching);

}  // namespace weldcell::coordination::internal
