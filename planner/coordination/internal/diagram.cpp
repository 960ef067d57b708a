#include "planner/coordination/internal/diagram.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>

#include "planner/common/check.hpp"

namespace weldcell::coordination::internal {

DiagramAxis::DiagramAxis(const std::vector<double>& durations, double step_s) : step(step_s) {
  double t = 0.0;
  for (const double d : durations) end.push_back(t += std::max(0.0, d));
  points = static_cast<int>(std::ceil(t / step - 1e-9)) + 2;
  if (!end.empty()) points = std::max(points, 3);  // a point inside the pieces
}

std::pair<int, int> DiagramAxis::Points(int e) const {
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

// `step`, coarsened so that no axis has more than `max_points` points (memory and time grow
// with their product).
double GridStep(std::initializer_list<const std::vector<double>*> durations, double step,
                double max_points) {
  WELDCELL_CHECK(step > 0.0);
  double longest = 0.0;
  for (const std::vector<double>* d : durations) {
    double t = 0.0;
    for (const double x : *d) t += std::max(0.0, x);
    longest = std::max(longest, t);
  }
  return std::max(step, longest / max_points);
}

double GridStep(const std::vector<double>& a, const std::vector<double>& b, double step) {
  return GridStep({&a, &b}, step, 2000.0);
}

// blocked[x * nq + y]: robot p at grid point x and robot q at y touch. `touching`: (extended
// piece of p, of q); with `reverse_q`, q's pieces are numbered before its axis was reversed.
std::vector<char> BlockedGrid(const DiagramAxis& p, const DiagramAxis& q,
                              const std::vector<std::pair<int, int>>& touching,
                              bool reverse_q = false) {
  const auto nq = static_cast<std::size_t>(q.points);
  std::vector<char> blocked(static_cast<std::size_t>(p.points) * nq, 0);
  for (const auto& [i, j] : touching) {
    WELDCELL_CHECK(i >= 0 && i <= p.pieces() + 1 && j >= 0 && j <= q.pieces() + 1);
    const auto [x0, x1] = p.Points(i);
    const auto [y0, y1] = q.Points(reverse_q ? q.pieces() + 1 - j : j);
    for (int x = x0; x <= x1; ++x) {
      const auto row = static_cast<std::ptrdiff_t>(static_cast<std::size_t>(x) * nq);
      std::fill(blocked.begin() + row + y0, blocked.begin() + row + y1 + 1, 1);
    }
  }
  return blocked;
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
  const std::vector<char> blocked = BlockedGrid(a_, b_, touching, reverse_b);
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
  bound_ = std::max({(steps.back() - 1) * a_.step, ta, tb});
  path_y_max_.assign(nx, 0);
  for (std::size_t x = nx - 1, y = ny - 1;;) {
    path_y_max_[x] = std::max(path_y_max_[x], static_cast<int>(y));
    const char f = from[x * ny + y];
    if (f == 0) break;
    if (f & 1) --x;
    if (f & 2) --y;
  }
}

double PairBound(const std::vector<double>& durations_a, const std::vector<double>& durations_b,
                 const std::vector<std::pair<int, int>>& touching, bool reverse_b, double step) {
  const double grid = GridStep(durations_a, durations_b, step);
  const DiagramAxis a(durations_a, grid);
  const DiagramAxis b(reverse_b ? Reverse(durations_b) : durations_b, grid);
  // The obstacles as rectangles of grid points [x0, x1] × [y0, y1].
  struct Rectangle {
    int x0, x1, y0, y1;
  };
  std::vector<Rectangle> obstacles;
  obstacles.reserve(touching.size());
  for (const auto& [i, j] : touching) {
    WELDCELL_CHECK(i >= 0 && i <= a.pieces() + 1 && j >= 0 && j <= b.pieces() + 1);
    const auto [x0, x1] = a.Points(i);
    const auto [y0, y1] = b.Points(reverse_b ? b.pieces() + 1 - j : j);
    obstacles.push_back({x0, x1, y0, y1});
  }
  // The steps of the shortest monotone path to every point of the row before and of this row
  // (PairDiagram's recurrence: a step moves one robot, or both, one grid point on).
  constexpr int kNone = std::numeric_limits<int>::max();
  const auto ny = static_cast<std::size_t>(b.points);
  std::vector<int> previous(ny, kNone), row(ny, kNone);
  std::vector<char> blocked(ny, 0);
  for (int x = 0; x < a.points; ++x) {
    std::fill(blocked.begin(), blocked.end(), 0);
    for (const Rectangle& o : obstacles) {
      if (o.x0 <= x && x <= o.x1) std::fill(blocked.begin() + o.y0, blocked.begin() + o.y1 + 1, 1);
    }
    for (std::size_t y = 0; y < ny; ++y) {
      if (blocked[y]) {
        row[y] = kNone;
        continue;
      }
      if (x == 0 && y == 0) {
        row[y] = 0;
        continue;
      }
      int best = kNone;
      if (x > 0) best = std::min(best, previous[y]);
      if (x > 0 && y > 0) best = std::min(best, previous[y - 1]);
      if (y > 0) best = std::min(best, row[y - 1]);
      row[y] = best == kNone ? kNone : best + 1;
    }
    std::swap(previous, row);
  }
  if (previous.back() == kNone) return std::numeric_limits<double>::infinity();
  const double ta = a.end.empty() ? 0.0 : a.end.back();
  const double tb = b.end.empty() ? 0.0 : b.end.back();
  return std::max({(previous.back() - 1) * a.step, ta, tb});
}

bool PairDiagram::AFirst(int i, int j) const {
  WELDCELL_CHECK(!path_y_max_.empty());
  const int x1 = a_.Points(i).second;
  const int y0 = b_.Points(reverse_b_ ? b_.pieces() + 1 - j : j).first;
  // Robot a is still in piece i at x1: robot b has not reached piece j yet.
  return path_y_max_[static_cast<std::size_t>(x1)] < y0;
}

namespace {

double TripleStep(const std::array<std::vector<double>, 3>& d, double step) {
  return GridStep({&d[0], &d[1], &d[2]}, step, TripleDiagram::kMaxPoints);
}

}  // namespace

TripleDiagram::TripleDiagram(const std::array<std::vector<double>, 3>& durations,
                             const std::array<std::vector<std::pair<int, int>>, 3>& touching,
                             double step)
    : axes_{DiagramAxis(durations[0], TripleStep(durations, step)),
            DiagramAxis(durations[1], TripleStep(durations, step)),
            DiagramAxis(durations[2], TripleStep(durations, step))} {
  const auto nx = static_cast<std::size_t>(axes_[0].points);
  const auto ny = static_cast<std::size_t>(axes_[1].points);
  const auto nz = static_cast<std::size_t>(axes_[2].points);
  const std::vector<char> xy = BlockedGrid(axes_[0], axes_[1], touching[0]);
  const std::vector<char> xz = BlockedGrid(axes_[0], axes_[2], touching[1]);
  const std::vector<char> yz = BlockedGrid(axes_[1], axes_[2], touching[2]);
  // Steps of the shortest monotone path, one layer of constant x at a time; `from` keeps, per
  // point, the robots that moved on to reach it (bits 4: x, 2: y, 1: z; 0 at the start).
  constexpr int kNone = std::numeric_limits<int>::max();
  // Of equal paths the one where the most robots move (then x before y before z).
  constexpr std::array<std::uint8_t, 7> kMoves = {7, 6, 5, 3, 4, 2, 1};
  std::vector<int> previous(ny * nz, kNone), layer(ny * nz, kNone);
  std::vector<std::uint8_t> from(nx * ny * nz, 0);
  for (std::size_t x = 0; x < nx; ++x) {
    for (std::size_t y = 0; y < ny; ++y) {
      for (std::size_t z = 0; z < nz; ++z) {
        const std::size_t k = y * nz + z;
        layer[k] = kNone;
        if (xy[x * ny + y] || xz[x * nz + z] || yz[k]) continue;
        if (x == 0 && y == 0 && z == 0) {
          layer[k] = 0;
          continue;
        }
        std::uint8_t best_move = 0;
        for (const std::uint8_t m : kMoves) {
          const std::size_t dx = (m >> 2) & 1u, dy = (m >> 1) & 1u, dz = m & 1u;
          if (dx > x || dy > y || dz > z) continue;
          const int before = (dx ? previous : layer)[(y - dy) * nz + (z - dz)];
          if (before != kNone && before + 1 < layer[k]) {
            layer[k] = before + 1;
            best_move = m;
          }
        }
        from[(x * ny + y) * nz + z] = best_move;
      }
    }
    std::swap(previous, layer);
  }
  const int steps = previous.back();  // the last layer, at its last point
  if (steps == kNone) {
    bound_ = std::numeric_limits<double>::infinity();
    return;
  }
  // The grid's last points stand for the robots' ends, one step past their last pieces.
  bound_ = (steps - 1) * axes_[0].step;
  for (const DiagramAxis& axis : axes_) {
    bound_ = std::max(bound_, axis.end.empty() ? 0.0 : axis.end.back());
  }
  const std::array<std::size_t, 3> points = {nx, ny, nz};
  for (int p = 0; p < 3; ++p) {
    for (int q = p + 1; q < 3; ++q) {
      path_max_[static_cast<std::size_t>(PairIndex(p, q))].assign(
          points[static_cast<std::size_t>(p)], 0);
    }
  }
  for (std::array<std::size_t, 3> at = {nx - 1, ny - 1, nz - 1};;) {
    for (int p = 0; p < 3; ++p) {
      for (int q = p + 1; q < 3; ++q) {
        int& m =
            path_max_[static_cast<std::size_t>(PairIndex(p, q))][at[static_cast<std::size_t>(p)]];
        m = std::max(m, static_cast<int>(at[static_cast<std::size_t>(q)]));
      }
    }
    const std::uint8_t move = from[(at[0] * ny + at[1]) * nz + at[2]];
    if (move == 0) break;
    at[0] -= (move >> 2) & 1u;
    at[1] -= (move >> 1) & 1u;
    at[2] -= move & 1u;
  }
}

bool TripleDiagram::First(int p, int q, int i, int j) const {
  WELDCELL_CHECK(0 <= p && p < q && q <= 2 && std::isfinite(bound_));
  const int x1 = axes_[static_cast<std::size_t>(p)].Points(i).second;
  const int y0 = axes_[static_cast<std::size_t>(q)].Points(j).first;
  // Robot p is still in piece i at x1: robot q has not reached piece j yet.
  return path_max_[static_cast<std::size_t>(PairIndex(p, q))][static_cast<std::size_t>(x1)] < y0;
}

std::vector<std::array<int, 3>> ChainTriples(
    const std::vector<std::vector<std::size_t>>& touching) {
  const int robots = static_cast<int>(touching.size());
  std::vector<std::pair<std::size_t, std::array<int, 3>>> scored;
  for (int m = 0; m < robots; ++m) {
    const std::vector<std::size_t>& weight = touching[static_cast<std::size_t>(m)];
    std::vector<int> others;
    for (int o = 0; o < robots; ++o) {
      if (o != m && weight[static_cast<std::size_t>(o)] > 0) others.push_back(o);
    }
    if (others.size() < 2) continue;
    std::stable_sort(others.begin(), others.end(), [&](int x, int y) {
      return weight[static_cast<std::size_t>(x)] > weight[static_cast<std::size_t>(y)];
    });
    std::array<int, 3> triple = {others[0], m, others[1]};
    std::sort(triple.begin(), triple.end());
    auto w = [&](int x, int y) {
      return touching[static_cast<std::size_t>(x)][static_cast<std::size_t>(y)];
    };
    const std::size_t score =
        w(triple[0], triple[1]) + w(triple[0], triple[2]) + w(triple[1], triple[2]);
    if (std::none_of(scored.begin(), scored.end(),
                     [&](const auto& s) { return s.second == triple; })) {
      scored.emplace_back(score, triple);
    }
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  std::vector<std::array<int, 3>> out;
  out.reserve(scored.size());
  for (const auto& s : scored) out.push_back(s.second);
  return out;
}

}  // namespace weldcell::coordination::internal
