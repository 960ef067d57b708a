#include "planner/coordination/internal/diagram.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "planner/common/check.hpp"

namespace weldcell::coordination::internal {

PairDiagram::Axis::Axis(const std::vector<double>& durations, double step_s) : step(step_s) {
  double t = 0.0;
  for (const double d : durations) end.push_back(t += std::max(0.0, d));
  points = static_cast<int>(std::ceil(t / step - 1e-9)) + 2;
  if (!end.empty()) points = std::max(points, 3);  // a point inside the pieces
}

std::pair<int, int> PairDiagram::Axis::Points(int e) const {
  if (e <= 0) return {0, 0};
  const double total = end.empty() ? 0.0 : end.back();
  if (e > pieces()) {  // standing at the end: from the end of the last piece on
    return {std::min(static_cast<int>(std::ceil(total / step - 1e-9)), points - 1), points - 1};
  }
  const double from = e == 1 ? 0.0 : end[static_cast<std::size_t>(e - 2)];
  const double to = end[static_cast<std::size_t>(e - 1)];
  // Points strictly inside the piece; a piece shorter than the grid gets its nearest point.
  int lo = static_cast<int>(std::floor(from / step)) + 1;
  int hi = static_cast<int>(std::ceil(to / step)) - 1;
  if (lo > hi) lo = hi = static_cast<int>(std::lround(0.5 * (from + to) / step));
  return {std::clamp(lo, 1, points - 2), std::clamp(hi, 1, points - 2)};
}

namespace {

std::vector<double> Reverse(const std::vector<double>& v) { return {v.rbegin(), v.rend()}; }

// `step`, coarsened so that neither axis has more than kMaxPoints points (memory and time grow
// with their product).
double GridStep(const std::vector<double>& a, const std::vector<double>& b, double step) {
  WELDCELL_CHECK(step > 0.0);
  constexpr double kMaxPoints = 2000.0;
  double longest = 0.0;
  for (const std::vector<double>* d : {&a, &b}) {
    double t = 0.0;
    for (const double x : *d) t += std::max(0.0, x);
    longest = std::max(longest, t);
  }
  return std::max(step, longest / kMaxPoints);
}

}  // namespace

PairDiagram::PairDiagram(const std::vector<double>& durations_a,
                         const std::vector<double>& durations_b,
                         const std::vector<std::pair<int, int>>& touching, bool reverse_b,
                         double step)
    : a_(durations_a, GridStep(durations_a, durations_b, step)),
      b_(reverse_b ? Reverse(durations_b) : durations_b, GridStep(durations_a, durations_b, step)),
      reverse_b_(reverse_b) {
  const auto nx = static_cast<std::size_t>(a_.points), ny = static_cast<std::size_t>(b_.points);
  // blocked[x * ny + y]: robot a at grid point x and robot b at y touch.
  std::vector<char> blocked(nx * ny, 0);
  for (const auto& [i, j] : touching) {
    WELDCELL_CHECK(i >= 0 && i <= a_.pieces() + 1 && j >= 0 && j <= b_.pieces() + 1);
    const auto [x0, x1] = a_.Points(i);
    const auto [y0, y1] = b_.Points(reverse_b ? b_.pieces() + 1 - j : j);
    for (int x = x0; x <= x1; ++x) {
      const auto row = static_cast<std::ptrdiff_t>(static_cast<std::size_t>(x) * ny);
      std::fill(blocked.begin() + row + y0, blocked.begin() + row + y1 + 1, 1);
    }
  }
  // Steps of the shortest monotone path to every point: a step moves one robot, or both, one
  // grid point on; `from` keeps the point it came from (for the path).
  constexpr int kNone = std::numeric_limits<int>::max();
  std::vector<int> steps(nx * ny, kNone);
  std::vector<char> from(nx * ny, 0);  // 1: from x − 1, 2: from y − 1, 3: from both
  for (std::size_t x = 0; x < nx; ++x) {
    for (std::size_t y = 0; y < ny; ++y) {
      const std::size_t k = x * ny + y;
      if (blocked[k]) continue;
      if (x == 0 && y == 0) {
        steps[k] = 0;
        continue;
      }
      // Diagonal first: of equal paths the one where both robots move.
      if (x > 0 && y > 0 && steps[k - ny - 1] != kNone) {
        steps[k] = steps[k - ny - 1] + 1;
        from[k] = 3;
      }
      if (x > 0 && steps[k - ny] != kNone && steps[k - ny] + 1 < steps[k]) {
        steps[k] = steps[k - ny] + 1;
        from[k] = 1;
      }
      if (y > 0 && steps[k - 1] != kNone && steps[k - 1] + 1 < steps[k]) {
        steps[k] = steps[k - 1] + 1;
        from[k] = 2;
      }
    }
  }
  if (steps.back() == kNone) {
    bound_ = std::numeric_limits<double>::infinity();
    return;
  }
  // The grid's last points stand for the robots' ends, one step past their last pieces.
  const double ta = a_.end.empty() ? 0.0 : a_.end.back();
  const double tb = b_.end.empty() ? 0.0 : b_.end.back();
  bound_ = std::max({(steps.back() - 1) * step, ta, tb});
  path_y_max_.assign(nx, 0);
  for (std::size_t x = nx - 1, y = ny - 1;;) {
    path_y_max_[x] = std::max(path_y_max_[x], static_cast<int>(y));
    const char f = from[x * ny + y];
    if (f == 0) break;
    if (f & 1) --x;
    if (f & 2) --y;
  }
}

bool PairDiagram::AFirst(int i, int j) const {
  WELDCELL_CHECK(!path_y_max_.empty());
  const int x1 = a_.Points(i).second;
  const int y0 = b_.Points(reverse_b_ ? b_.pieces() + 1 - j : j).first;
  // Robot a is still in piece i at x1: robot b has not reached piece j yet.
  return path_y_max_[static_cast<std::size_t>(x1)] < y0;
}

}  // namespace weldcell::coordination::internal
