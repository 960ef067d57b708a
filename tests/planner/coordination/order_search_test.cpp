#include "planner/coordination/internal/order_search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <random>
#include <tuple>
#include <vector>

#include "planner/coordination/internal/schedule.hpp"
#include "planner/coordination/internal/zone.hpp"

namespace weldcell::coordination::internal {
namespace {

// A random coordination problem: 2–4 robots with 2–10 pieces each, zones over random intervals
// of random robot pairs (a few forced, some released on departure), sometimes a weld signal.
// Half the instances have durations from a few values (ties between events are common, which
// the clock shortcuts must get right), half continuous ones, some zero.
struct Signal {
  int waiting = 0, piece = 0;  ///< Robot and the piece it starts only after the dwell.
  int welding = 0, dwell = 0;  ///< Robot and its dwell piece.
};

struct Instance {
  std::vector<std::vector<double>> durations;
  std::vector<ZoneSpan> zones;
  std::vector<Signal> signals;
};

Instance RandomInstance(std::mt19937& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  Instance in;
  const int robots = 2 + pick(3);
  const bool ties = rng() % 2 == 0;
  in.durations.resize(robots);
  for (std::vector<double>& d : in.durations) {
    d.resize(2 + pick(9));
    for (double& t : d) {
      t = ties ? 0.5 * pick(4)
               : (pick(10) == 0 ? 0.0 : 0.05 + 2.0 * (static_cast<double>(rng()) / 4294967296.0));
    }
  }
  const int zones = 1 + pick(14);
  for (int k = 0; k < zones; ++k) {
    ZoneSpan z;
    z.a = pick(robots - 1);
    z.b = z.a + 1 + pick(robots - 1 - z.a);
    const int na = static_cast<int>(in.durations[z.a].size());
    const int nb = static_cast<int>(in.durations[z.b].size());
    z.a0 = pick(na);
    z.a1 = z.a0 + pick(std::min(3, na - z.a0));
    z.b0 = pick(nb);
    z.b1 = z.b0 + pick(std::min(3, nb - z.b0));
    z.a_departs = pick(4) == 0;
    z.b_departs = pick(4) == 0;
    if (pick(8) == 0) z.forced_first = pick(2) == 0 ? z.a : z.b;
    in.zones.push_back(z);
  }
  if (pick(3) == 0) {
    Signal s;
    s.waiting = pick(robots);
    s.welding = (s.waiting + 1 + pick(robots - 1)) % robots;
    s.piece = pick(static_cast<int>(in.durations[s.waiting].size()) + 1);
    s.dwell = pick(static_cast<int>(in.durations[s.welding].size()));
    in.signals.push_back(s);
  }
  return in;
}

// The signals as event edges (as Coordinate makes them: from the dwell's start, its duration).
std::vector<EventEdge> SignalEdges(const Instance& in, const EventGraph& graph) {
  std::vector<EventEdge> out;
  for (const Signal& s : in.signals) {
    out.push_back({graph.Node(s.welding, s.dwell), graph.Node(s.waiting, s.piece),
                   graph.duration(s.welding, s.dwell)});
  }
  return out;
}

// Robot a first in every zone, forced zones as forced.
std::vector<char> AFirst(const std::vector<ZoneSpan>& zones) {
  std::vector<char> order(zones.size(), 1);
  for (std::size_t z = 0; z < zones.size(); ++z) {
    if (zones[z].forced_first >= 0)
      order[z] = static_cast<char>(zones[z].forced_first == zones[z].a);
  }
  return order;
}

// Whether every forced zone of `order` is taken by the robot it is forced to.
bool KeepsForced(const std::vector<ZoneSpan>& zones, const std::vector<char>& order) {
  for (std::size_t z = 0; z < zones.size(); ++z) {
    if (zones[z].forced_first >= 0 &&
        static_cast<bool>(order[z]) != (zones[z].forced_first == zones[z].a)) {
      return false;
    }
  }
  return true;
}

// A random order of the free zones (forced zones as forced): often cyclic.
std::vector<char> RandomOrder(const std::vector<ZoneSpan>& zones, std::mt19937& rng) {
  std::vector<char> order = AFirst(zones);
  for (std::size_t z = 0; z < zones.size(); ++z) {
    if (zones[z].forced_first < 0) order[z] = static_cast<char>(rng() % 2);
  }
  return order;
}

// The clock shortcuts (reuse_clock: flips of edges that set no time are not tried, a cyclic
// order flips only zones on its cycle, merges grow one clock) give the orders, makespans and
// merged zones that computing every clock anew gives; and every step keeps its promises: Repair
// leaves an acyclic order, Improve and ImprovePairs never lengthen the plan and return the
// makespan of the order they leave, no step turns a forced zone, a merge keeps the makespan and
// every zone's order inside a zone kept.
TEST(OrderSearchTest, ClockShortcutsChangeNothingOnRandomInstances) {
  constexpr int kInstances = 3000;
  std::mt19937 rng(11);
  // How often each path ran: instances repaired, Improve calls that shortened the plan, of them
  // from a cyclic start, instances where two zones were merged into one.
  int repaired = 0, improved = 0, from_cycle = 0, merged = 0;
  for (int trial = 0; trial < kInstances; ++trial) {
    const Instance in = RandomInstance(rng);
    const EventGraph graph(in.durations);
    const std::vector<EventEdge> base = SignalEdges(in, graph);
    const OrderSearch fast{graph, in.zones, base, /*reuse_clock=*/true};
    const OrderSearch slow{graph, in.zones, base, /*reuse_clock=*/false};

    std::vector<char> start = AFirst(in.zones);
    if (!fast.Repair(start)) continue;  // forced orders and signals alone close a cycle
    ++repaired;
    ASSERT_TRUE(std::isfinite(fast.Makespan(start))) << "trial " << trial;
    ASSERT_TRUE(KeepsForced(in.zones, start)) << "trial " << trial;

    // Improve from the repaired start, from first come, first served and from a random order.
    for (const std::vector<char>& from :
         {start, fast.FirstComeFirstServed(), RandomOrder(in.zones, rng)}) {
      std::vector<char> x = from, y = from;
      const double before = fast.Makespan(from);
      const double mx = fast.Improve(x, 1000);
      const double my = slow.Improve(y, 1000);
      ASSERT_EQ(x, y) << "trial " << trial;
      ASSERT_EQ(mx, my) << "trial " << trial;
      ASSERT_EQ(mx, fast.Makespan(x)) << "trial " << trial;
      ASSERT_LE(mx, before) << "trial " << trial;
      ASSERT_TRUE(KeepsForced(in.zones, x)) << "trial " << trial;
      if (mx < before - 1e-9) {
        ++improved;
        from_cycle += !std::isfinite(before);
      }
    }
    std::vector<char> order = start;
    const double before = fast.Makespan(order);
    const double paired = ImprovePairs(fast, order, kPairRounds);
    ASSERT_EQ(paired, fast.Makespan(order)) << "trial " << trial;
    ASSERT_LE(paired, before) << "trial " << trial;
    ASSERT_TRUE(KeepsForced(in.zones, order)) << "trial " << trial;

    // Merging: the same zones kept either way, the makespan unchanged, each zone inside a kept
    // one taken in its order.
    std::vector<ZoneSpan> spans_fast = in.zones, spans_slow = in.zones;
    const OrderSearch merge_fast{graph, spans_fast, base, true};
    const OrderSearch merge_slow{graph, spans_slow, base, false};
    const std::vector<std::size_t> kept = MergeZones(merge_fast, spans_fast, order, paired);
    ASSERT_EQ(kept, MergeZones(merge_slow, spans_slow, order, paired)) << "trial " << trial;
    std::vector<ZoneSpan> kept_zones;
    std::vector<char> kept_order;
    bool grew = false;  // a kept zone is the union of two or more
    for (const std::size_t z : kept) {
      const ZoneSpan& f = spans_fast[z];
      const ZoneSpan& g = spans_slow[z];
      ASSERT_EQ(std::tie(f.a0, f.a1, f.b0, f.b1, f.a_departs, f.b_departs, f.forced_first),
                std::tie(g.a0, g.a1, g.b0, g.b1, g.a_departs, g.b_departs, g.forced_first))
          << "trial " << trial << ": zone " << z;
      const ZoneSpan& o = in.zones[z];
      grew |= std::tie(f.a0, f.a1, f.b0, f.b1) != std::tie(o.a0, o.a1, o.b0, o.b1);
      kept_zones.push_back(f);
      kept_zones.back().forced_first = order[z] ? f.a : f.b;
      kept_order.push_back(order[z]);
    }
    merged += grew;
    const OrderSearch after{graph, kept_zones, base, true};
    EXPECT_NEAR(after.Makespan(kept_order), paired, 1e-9) << "trial " << trial;
    for (std::size_t z = 0; z < in.zones.size(); ++z) {
      ZoneSpan taken = in.zones[z];
      taken.forced_first = order[z] ? taken.a : taken.b;
      bool inside = false;
      for (const ZoneSpan& k : kept_zones) inside |= Inside(taken, k);
      EXPECT_TRUE(inside) << "trial " << trial << ": zone " << z << " is in no zone kept";
    }
  }
  // The instances exercise every path (counts printed for the reader).
  std::printf(
      "%d instances: %d repaired; %d of %d Improve calls shortened the plan, %d of them from a "
      "cyclic start; %d with merged zones\n",
      kInstances, repaired, improved, 3 * repaired, from_cycle, merged);
  EXPECT_GT(repaired, kInstances * 2 / 3);
  EXPECT_GT(improved, repaired / 4);
  EXPECT_GT(from_cycle, repaired / 20);
  EXPECT_GT(merged, repaired / 10);
}

}  // namespace
}  // namespace weldcell::coordination::internal
