#include "planner/coordination/internal/priority.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace weldcell::coordination::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A hold a robot took ahead of another robot, to be over by `deadline` (the other's start
// there): checked at piece `check_piece` (its start when `at_start`, else its end).
struct Hold {
  int check_piece = 0;
  bool at_start = false;
  double deadline = 0.0;
  double release = 0.0;  ///< The other robot's release: where the interval goes when late.
  int first_piece = 0;   ///< Where the hold began.
};

// The earliest t >= from outside every open interval of `blocked` (sorted by start).
double EarliestOutside(const std::vector<std::pair<double, double>>& blocked, double from) {
  double t = from;
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& [lo, hi] : blocked) {
      if (lo < t && hi > t) {
        t = hi;
        moved = true;
      }
    }
  }
  return t;
}

}  // namespace

PrioritizedScheduler::PrioritizedScheduler(const EventGraph& graph,
                                           const std::vector<ZoneSpan>& zones)
    : graph_(graph), zones_(zones), starting_(static_cast<std::size_t>(graph.robots())) {
  for (int r = 0; r < graph.robots(); ++r) {
    starting_[r].resize(static_cast<std::size_t>(graph.pieces(r)));
  }
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const ZoneSpan& s = zones[z];
    const int zone = static_cast<int>(z);
    starting_[s.a][s.a0].push_back({.zone = zone, .other = s.b, .is_a = true});
    starting_[s.b][s.b0].push_back({.zone = zone, .other = s.a, .is_a = false});
  }
}

std::vector<std::vector<double>> PrioritizedScheduler::Clock(const std::vector<int>& priority,
                                                             double* makespan, double bound) const {
  std::vector<std::vector<double>> start(static_cast<std::size_t>(graph_.robots()));
  std::vector<char> placed(static_cast<std::size_t>(graph_.robots()), 0);
  // When robot a (or b) of a placed robot releases zone z.
  auto release = [&](const ZoneSpan& z, bool of_a) -> double {
    const int r = of_a ? z.a : z.b, last = of_a ? z.a1 : z.b1;
    if (!(of_a ? z.a_departs : z.b_departs)) return start[r][last] + graph_.duration(r, last);
    if (last + 1 >= graph_.pieces(r)) return kInf;  // stays there: never released
    return start[r][last + 1];
  };
  std::vector<std::pair<double, double>> blocked;
  std::vector<Hold> holds;
  *makespan = 0.0;
  for (const int k : priority) {
    const int pieces = graph_.pieces(k);
    std::vector<double>& own = start[k];
    own.assign(static_cast<std::size_t>(pieces), 0.0);
    std::vector<double> earliest(static_cast<std::size_t>(pieces), 0.0);
    holds.clear();
    // Each restart raises one piece's earliest start to a release time: bounded, and guarded.
    long long steps = 0;
    const long long max_steps = 100LL * (pieces + 1) * (pieces + 1);
    for (int p = 0; p < pieces;) {
      std::erase_if(holds, [p](const Hold& h) { return h.first_piece >= p; });
      // Step 1: where this piece may start, zone by zone with the robots placed before.
      blocked.clear();
      for (const Side& side : starting_[k][p]) {
        if (!placed[side.other]) continue;
        const ZoneSpan& z = zones_[side.zone];
        const int own_last = side.is_a ? z.a1 : z.b1;
        double length = 0.0;  // the own hold, its pieces back to back
        for (int q = p; q <= own_last; ++q) length += graph_.duration(k, q);
        if ((side.is_a ? z.a_departs : z.b_departs) && own_last + 1 >= pieces) length = kInf;
        // A robot that must go first leaves no room ahead of it.
        const double other_starts =
            z.forced_first == side.other ? -kInf : start[side.other][side.is_a ? z.b0 : z.a0];
        // (An own hold without end leaves no room ahead, also of a start at infinity.)
        blocked.emplace_back(length == kInf ? -kInf : other_starts - length,
                             release(z, !side.is_a));
      }
      std::sort(blocked.begin(), blocked.end());
      const double ready = p > 0 ? own[p - 1] + graph_.duration(k, p - 1) : 0.0;
      own[p] = EarliestOutside(blocked, std::max(earliest[p], ready));
      // Step 2: the holds this piece begins ahead of the other robot, with their deadlines.
      for (const Side& side : starting_[k][p]) {
        if (!placed[side.other]) continue;
        const ZoneSpan& z = zones_[side.zone];
        const double other_starts = start[side.other][side.is_a ? z.b0 : z.a0];
        if (z.forced_first == side.other || own[p] >= other_starts) continue;  // went after
        const int own_last = side.is_a ? z.a1 : z.b1;
        const bool departs = side.is_a ? z.a_departs : z.b_departs;
        holds.push_back({.check_piece = departs ? own_last + 1 : own_last,
                         .at_start = departs,
                         .deadline = other_starts,
                         .release = release(z, !side.is_a),
                         .first_piece = p});
      }
      // Step 3: a hold that now ends too late goes after the other's release instead.
      int restart = -1;
      for (const Hold& h : holds) {
        if (h.check_piece != p) continue;
        const double end = h.at_start ? own[p] : own[p] + graph_.duration(k, p);
        if (end > h.deadline + 1e-9) {
          earliest[h.first_piece] = std::max(earliest[h.first_piece], h.release);
          if (restart < 0 || h.first_piece < restart) restart = h.first_piece;
        }
      }
      p = restart >= 0 && ++steps < max_steps ? restart : p + 1;
    }
    placed[k] = 1;
    if (pieces > 0) *makespan = std::max(*makespan, own.back() + graph_.duration(k, pieces - 1));
    if (*makespan >= bound) break;
  }
  return start;
}

std::vector<char> PrioritizedScheduler::OrderOn(
    const std::vector<std::vector<double>>& clock) const {
  std::vector<char> order(zones_.size(), 1);
  for (std::size_t z = 0; z < zones_.size(); ++z) {
    const ZoneSpan& s = zones_[z];
    order[z] = static_cast<char>(s.forced_first >= 0 ? s.forced_first == s.a
                                                     : clock[s.a][s.a0] <= clock[s.b][s.b0]);
  }
  return order;
}

}  // namespace weldcell::coordination::internal
