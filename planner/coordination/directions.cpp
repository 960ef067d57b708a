#include "planner/coordination/directions.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <tuple>

#include "planner/common/check.hpp"
#include "planner/coordination/internal/diagram.hpp"

namespace weldcell::coordination {
namespace {

// Per touching robot pair: its bound with both robots the same way and with one reversed.
struct PairBounds {
  int a = 0, b = 0;
  double same = 0.0, opposite = 0.0;
};

// (largest bound, sum of bounds, reversals) of a choice of directions: smaller is better.
using Score = std::tuple<double, double, int>;

Score ScoreOf(const std::vector<PairBounds>& pairs, const std::vector<char>& reverse,
              double floor) {
  double worst = floor, sum = 0.0;
  for (const PairBounds& p : pairs) {
    const double b =
        reverse[static_cast<std::size_t>(p.a)] != reverse[static_cast<std::size_t>(p.b)]
            ? p.opposite
            : p.same;
    worst = std::max(worst, b);
    sum += b;
  }
  return {worst, sum, static_cast<int>(std::count(reverse.begin(), reverse.end(), 1))};
}

}  // namespace

std::vector<double> PieceDurations(const motion::RobotTrajectory& trajectory) {
  std::vector<double> out;
  for (const motion::TrajectorySegment& s : trajectory.segments()) {
    if (s.kind != motion::SegmentKind::kWait) out.push_back(s.duration());
  }
  return out;
}

double PairDiagramBound(const std::vector<double>& durations_a,
                        const std::vector<double>& durations_b,
                        const std::vector<std::pair<int, int>>& touching, bool reverse_b,
                        double step) {
  return internal::PairBound(durations_a, durations_b, touching, reverse_b, step);
}

RouteDirections ChooseRouteDirections(const std::vector<std::vector<double>>& durations,
                                      const std::vector<TouchingPieces>& touching,
                                      const std::vector<char>& keep_forward, double step) {
  const int n = static_cast<int>(durations.size());
  WELDCELL_CHECK(keep_forward.empty() || static_cast<int>(keep_forward.size()) == n);
  double floor = 0.0;  // the longest robot: no choice of directions goes below it
  for (const std::vector<double>& d : durations) {
    double t = 0.0;
    for (const double x : d) t += x;
    floor = std::max(floor, t);
  }
  std::vector<PairBounds> pairs;
  for (const TouchingPieces& t : touching) {
    WELDCELL_CHECK(t.a >= 0 && t.a < t.b && t.b < n);
    const std::vector<double>& da = durations[static_cast<std::size_t>(t.a)];
    const std::vector<double>& db = durations[static_cast<std::size_t>(t.b)];
    pairs.push_back({.a = t.a,
                     .b = t.b,
                     .same = PairDiagramBound(da, db, t.pieces, false, step),
                     .opposite = PairDiagramBound(da, db, t.pieces, true, step)});
  }
  RouteDirections out;
  out.reverse.assign(static_cast<std::size_t>(n), 0);
  Score best = ScoreOf(pairs, out.reverse, floor);
  out.bound_before = std::get<0>(best);
  std::vector<int> free;  // robots that may turn
  for (int r = 0; r < n; ++r) {
    if (keep_forward.empty() || !keep_forward[static_cast<std::size_t>(r)]) free.push_back(r);
  }
  std::vector<char> reverse = out.reverse;
  if (free.size() <= 16) {
    for (std::uint32_t mask = 1; mask < (1u << free.size()); ++mask) {
      for (std::size_t k = 0; k < free.size(); ++k) {
        reverse[static_cast<std::size_t>(free[k])] = static_cast<char>((mask >> k) & 1u);
      }
      const Score s = ScoreOf(pairs, reverse, floor);
      if (s < best) {
        best = s;
        out.reverse = reverse;
      }
    }
  } else {
    for (bool better = true; better;) {
      better = false;
      for (const int r : free) {
        reverse = out.reverse;
        reverse[static_cast<std::size_t>(r)] ^= 1;
        const Score s = ScoreOf(pairs, reverse, floor);
        if (s < best) {
          best = s;
          out.reverse = reverse;
          better = true;
        }
      }
    }
  }
  out.bound_after = std::get<0>(best);
  return out;
}

}  // namespace weldcell::coordination
