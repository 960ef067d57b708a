#pragma once
// The coordination diagram of two robots (O'Donnell & Lozano-Pérez 1989): each axis one robot's
// own clock without waits, each pair of touching pieces an obstacle, and the shortest monotone
// path from both robots' start to both robots' end, on a grid of `step` s. The path may wait
// anywhere (a controller waits at standstills only, where the waiting robot may itself be in
// the way), so its length bounds the pair's coordinated makespan from below, up to the grid (a
// step, and pieces shorter than a step, which hold only their nearest point); on which side of each
// obstacle it passes is an order for the pair's zones.

#include <utility>
#include <vector>

namespace weldcell::coordination::internal {

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
  struct Axis {
    std::vector<double> end;  ///< end[k]: s at which piece k ends (no waits).
    int points = 1;           ///< Grid points 0 .. points - 1; the last one is "finished".
    double step = 0.1;
    Axis(const std::vector<double>& durations, double step_s);
    int pieces() const { return static_cast<int>(end.size()); }
    /// Grid points [lo, hi] at which the robot is in extended piece e (at least one point).
    std::pair<int, int> Points(int e) const;
  };

  Axis a_, b_;
  bool reverse_b_ = false;
  double bound_ = 0.0;
  /// Per grid point x of robot a, the largest y of robot b on the path while a is at x.
  std::vector<int> path_y_max_;
};

}  // namespace weldcell::coordination::internal
