#include "planner/coordination/internal/order_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <tuple>

#include "planner/common/check.hpp"
#include "planner/coordination/internal/consistency.hpp"

namespace weldcell::coordination::internal {

EventEdge OrderSearch::ZoneEdge(std::size_t z, bool a_first) const {
  const ZoneSpan& s = zones[z];
  auto release = [&](int robot, int last, bool departs) {
    return departs ? EventEdge{graph.Node(robot, last + 1), 0, 0.0}
                   : EventEdge{graph.Node(robot, last), 0, graph.duration(robot, last)};
  };
  EventEdge e = a_first ? release(s.a, s.a1, s.a_departs) : release(s.b, s.b1, s.b_departs);
  e.to = a_first ? graph.Node(s.b, s.b0) : graph.Node(s.a, s.a0);
  return e;
}

std::vector<EventEdge> OrderSearch::Edges(const std::vector<char>& first_is_a) const {
  std::vector<EventEdge> edges = base;
  for (std::size_t z = 0; z < zones.size(); ++z) edges.push_back(ZoneEdge(z, first_is_a[z]));
  return edges;
}

double OrderSearch::Makespan(const std::vector<char>& first_is_a) const {
  std::vector<double> times;
  if (!graph.Times(Edges(first_is_a), &times)) return std::numeric_limits<double>::infinity();
  return graph.Makespan(times);
}

std::vector<char> OrderSearch::FirstComeFirstServed() const {
  // Undecided zones (left so when a cycle stops the loop) keep their forced order, else a first.
  std::vector<char> order(zones.size(), 1);
  for (std::size_t z = 0; z < zones.size(); ++z) {
    if (zones[z].forced_first >= 0)
      order[z] = static_cast<char>(zones[z].forced_first == zones[z].a);
  }
  GrowingClock clock(graph, base);
  if (!clock.acyclic()) return order;  // a cycle of signals alone: leave the rest
  const std::vector<double>& times = clock.times();
  auto reached = [&](std::size_t z) {  // when a robot reaches zone z
    const ZoneSpan& s = zones[z];
    return std::min(times[graph.Node(s.a, s.a0)], times[graph.Node(s.b, s.b0)]);
  };
  // Undecided zones by (when reached, index): times only grow, so an entry whose time is out
  // of date is put back with the new one when it comes up.
  using Entry = std::pair<double, std::size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> undecided;
  for (std::size_t z = 0; z < zones.size(); ++z) undecided.emplace(reached(z), z);
  while (!undecided.empty()) {
    const auto [when, next] = undecided.top();
    undecided.pop();
    if (reached(next) != when) {
      undecided.emplace(reached(next), next);
      continue;
    }
    const ZoneSpan& s = zones[next];
    bool a_first = times[graph.Node(s.a, s.a0)] <= times[graph.Node(s.b, s.b0)];
    if (s.forced_first >= 0) a_first = s.forced_first == s.a;
    bool cyclic = clock.ClosesCycle(ZoneEdge(next, a_first));
    if (cyclic && s.forced_first < 0 && !clock.ClosesCycle(ZoneEdge(next, !a_first))) {
      a_first = !a_first;
      cyclic = false;
    }
    order[next] = static_cast<char>(a_first);
    if (cyclic) break;  // no order of it keeps the graph acyclic: leave the rest
    clock.Add(ZoneEdge(next, a_first));
  }
  return order;
}

bool OrderSearch::Repair(std::vector<char>& first_is_a) const {
  std::vector<int> flips(zones.size(), 0);
  // Each round costs a cycle search over the whole graph: bounded, not by the zone count.
  constexpr int kLimit = 400;
  for (int round = 0; round < kLimit; ++round) {
    const std::vector<int> cycle = graph.FindCycle(Edges(first_is_a));
    if (cycle.empty()) return true;
    int pick = -1;
    for (int e : cycle) {
      const int z = e - static_cast<int>(base.size());
      if (z < 0 || zones[static_cast<std::size_t>(z)].forced_first != -1) continue;
      if (pick < 0 || flips[z] < flips[pick]) pick = z;
    }
    if (pick < 0) return false;
    first_is_a[pick] = static_cast<char>(!first_is_a[pick]);
    ++flips[pick];
  }
  return false;
}

// A flip removes the zone's edge and adds the reverse one. When the edge does not set the time
// of the event it leads to (another constraint sets it later), removing it changes no time,
// and adding an edge cannot make any earlier: such a flip cannot shorten the plan and is
// rejected without computing the clock (it still counts as a flip). Likewise, while the order
// is cyclic, a flip of a zone off one of its cycles leaves that cycle whole: only the zones on
// it can make the order acyclic.
double OrderSearch::Improve(std::vector<char>& first_is_a, int max_flips) const {
  std::vector<double> times, trial;
  double best = graph.Times(Edges(first_is_a), &times) ? graph.Makespan(times)
                                                       : std::numeric_limits<double>::infinity();
  std::vector<char> on_cycle;  // while best is infinite: the zones on one cycle of the order
  if (reuse_clock && !std::isfinite(best)) {
    on_cycle.assign(zones.size(), 0);
    for (const int e : graph.FindCycle(Edges(first_is_a))) {
      if (e >= static_cast<int>(base.size())) on_cycle[e - base.size()] = 1;
    }
  }
  int flips = 0;
  for (bool improved = true; improved && flips < max_flips;) {
    improved = false;
    for (std::size_t z = 0; z < zones.size() && flips < max_flips; ++z) {
      if (zones[z].forced_first != -1) continue;
      ++flips;
      if (reuse_clock && std::isfinite(best)) {
        const EventEdge e = ZoneEdge(z, first_is_a[z]);
        if (times[e.to] != times[e.from] + e.weight) continue;  // not binding
      } else if (!on_cycle.empty() && !on_cycle[z]) {
        continue;  // the cycle stays
      }
      first_is_a[z] = static_cast<char>(!first_is_a[z]);
      const double m = graph.Times(Edges(first_is_a), &trial)
                           ? graph.Makespan(trial)
                           : std::numeric_limits<double>::infinity();
      if (m < best - 1e-9) {
        best = m;
        times.swap(trial);
        improved = true;
      } else {
        first_is_a[z] = static_cast<char>(!first_is_a[z]);
      }
    }
  }
  return best;
}

std::map<std::pair<int, int>, std::vector<std::size_t>> ZonesByPair(
    const std::vector<ZoneSpan>& zones) {
  std::map<std::pair<int, int>, std::vector<std::size_t>> by_pair;
  for (std::size_t z = 0; z < zones.size(); ++z) by_pair[{zones[z].a, zones[z].b}].push_back(z);
  return by_pair;
}

void MakePairsConsistent(const std::vector<ZoneSpan>& zones, std::vector<char>& first_is_a) {
  for (const auto& [pair, list] : ZonesByPair(zones)) MakePairConsistent(zones, list, first_is_a);
}

// Moves a whole stretch of a pair's zones at once, where single flips meet
// cycles.
double ImprovePairs(const OrderSearch& search, std::vector<char>& first_is_a, int rounds) {
  const EventGraph& graph = search.graph;
  const std::vector<ZoneSpan>& zones = search.zones;
  const auto by_pair = ZonesByPair(zones);
  double best = search.Makespan(first_is_a);
  std::vector<double> times;
  // first_is_a with every pair made consistent: a trial's pairs but the one decided again
  // (MakePairConsistent treats each pair on its own).
  std::vector<char> consistent = first_is_a;
  MakePairsConsistent(zones, consistent);
  for (int round = 0; round < rounds; ++round) {
    bool improved = false;
    for (const auto& [pair, list] : by_pair) {
      // The clock without this pair's zones: who would come first if they did not wait.
      std::vector<EventEdge> edges = search.base;
      for (std::size_t z = 0; z < zones.size(); ++z) {
        if (std::pair{zones[z].a, zones[z].b} != pair)
          edges.push_back(search.ZoneEdge(z, first_is_a[z]));
      }
      if (!graph.Times(edges, &times)) continue;
      std::vector<char> trial = consistent;
      for (const std::size_t z : list) {
        const ZoneSpan& s = zones[z];
        trial[z] =
            s.forced_first >= 0
                ? first_is_a[z]
                : static_cast<char>(times[graph.Node(s.a, s.a0)] <= times[graph.Node(s.b, s.b0)]);
      }
      MakePairConsistent(zones, list, trial);
      const double m = search.Makespan(trial);
      if (m < best - 1e-9) {
        best = m;
        first_is_a = std::move(trial);
        consistent = first_is_a;
        MakePairsConsistent(zones, consistent);
        improved = true;
      }
    }
    if (!improved) break;
  }
  return best;
}

ZoneSpan Union(const ZoneSpan& x, const ZoneSpan& y) {
  WELDCELL_CHECK(x.a == y.a && x.b == y.b);
  WELDCELL_CHECK(x.forced_first < 0 || y.forced_first < 0 || x.forced_first == y.forced_first);
  ZoneSpan u = x;
  auto end = [](int x1, bool x_departs, int y1, bool y_departs, int* u1, bool* u_departs) {
    *u1 = std::max(x1, y1);
    *u_departs = (x1 == *u1 && x_departs) || (y1 == *u1 && y_departs);
  };
  u.a0 = std::min(x.a0, y.a0);
  u.b0 = std::min(x.b0, y.b0);
  end(x.a1, x.a_departs, y.a1, y.a_departs, &u.a1, &u.a_departs);
  end(x.b1, x.b_departs, y.b1, y.b_departs, &u.b1, &u.b_departs);
  u.forced_first = std::max(x.forced_first, y.forced_first);
  return u;
}

// A merged zone keeps apart every piece pair either zone kept apart, and releases where the
// later of them did. Zones inside a merged one of the same order are dropped: the merged zone's
// order implies theirs, so the clock does not change. `search.zones` must be `spans` itself: its
// zone edges read the merged spans.
std::vector<std::size_t> MergeZones(const OrderSearch& search, std::vector<ZoneSpan>& spans,
                                    const std::vector<char>& first_is_a, double limit) {
  WELDCELL_CHECK(&search.zones == &spans);
  std::vector<char> alive(spans.size(), 1);
  auto alive_edges = [&] {
    std::vector<EventEdge> edges = search.base;
    for (std::size_t z = 0; z < spans.size(); ++z) {
      if (alive[z]) edges.push_back(search.ZoneEdge(z, first_is_a[z]));
    }
    return edges;
  };
  // The clock of the zones alive, kept edge by edge: a merge adds the merged zone's edge, which
  // implies the two edges it replaces (it leaves the first robot no earlier and reaches the
  // second no later), so they stay in the clock and change no time. Without reuse_clock the
  // clock is computed anew for each merge.
  GrowingClock clock(search.graph, alive_edges());
  WELDCELL_CHECK(clock.acyclic() && search.graph.Makespan(clock.times()) <= limit);
  auto keeps_limit = [&](std::size_t merged) {
    if (search.reuse_clock) {
      return clock.AddWithin(search.ZoneEdge(merged, first_is_a[merged]), limit);
    }
    std::vector<double> times;
    return search.graph.Times(alive_edges(), &times) && search.graph.Makespan(times) <= limit;
  };
  // Groups: (robot a, robot b, a first), each sorted by the first robot's interval.
  std::map<std::tuple<int, int, bool>, std::vector<std::size_t>> groups;
  for (std::size_t z = 0; z < spans.size(); ++z) {
    groups[{spans[z].a, spans[z].b, first_is_a[z] != 0}].push_back(z);
  }
  for (auto& [key, group] : groups) {
    const bool a_first = std::get<2>(key);
    auto first_interval = [&](std::size_t z) {
      return a_first ? std::tie(spans[z].a0, spans[z].a1) : std::tie(spans[z].b0, spans[z].b1);
    };
    std::stable_sort(group.begin(), group.end(), [&](std::size_t x, std::size_t y) {
      return first_interval(x) < first_interval(y);
    });
    std::size_t current = group.front();
    for (std::size_t k = 1; k < group.size(); ++k) {
      const std::size_t next = group[k];
      const ZoneSpan before = spans[current];
      spans[current] = Union(before, spans[next]);
      alive[next] = 0;
      if (keeps_limit(current)) continue;
      spans[current] = before;
      alive[next] = 1;
      current = next;
    }
  }
  std::vector<ZoneSpan> live;
  std::vector<std::size_t> index;
  for (std::size_t z = 0; z < spans.size(); ++z) {
    if (!alive[z]) continue;
    live.push_back(spans[z]);
    live.back().forced_first = first_is_a[z] ? spans[z].a : spans[z].b;  // the order taken
    index.push_back(z);
  }
  std::vector<ZoneSpan> kept = live;
  DropContained(kept);
  std::vector<std::size_t> out;
  for (std::size_t k = 0, i = 0; k < live.size() && i < kept.size(); ++k) {
    const ZoneSpan& x = live[k];
    const ZoneSpan& y = kept[i];
    if (std::tie(x.a, x.b, x.a0, x.a1, x.b0, x.b1, x.a_departs, x.b_departs, x.forced_first) ==
        std::tie(y.a, y.b, y.a0, y.a1, y.b0, y.b1, y.a_departs, y.b_departs, y.forced_first)) {
      out.push_back(index[k]);
      ++i;
    }
  }
  return out;
}

}  // namespace weldcell::coordination::internal
