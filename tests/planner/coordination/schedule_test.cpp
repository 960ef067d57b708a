#include "planner/coordination/internal/schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <utility>
#include <vector>

namespace weldcell::coordination::internal {
namespace {

// FindCycle and Times must agree on whether the event graph has a cycle, and a cycle FindCycle
// returns must be one: its extra edges, joined by program order, lead back to the start.
TEST(EventGraphTest, FindCycleAgreesWithTimesOnRandomGraphs) {
  std::mt19937 rng(7);
  int cyclic = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const int robots = 2 + static_cast<int>(rng() % 3);
    std::vector<std::vector<double>> durations(robots);
    for (auto& d : durations) d.assign(1 + rng() % 6, 1.0);
    const EventGraph graph(durations);
    std::vector<EventEdge> extra;
    const int edges = static_cast<int>(rng() % 6);
    for (int e = 0; e < edges; ++e) {
      const int ra = static_cast<int>(rng() % robots), rb = static_cast<int>(rng() % robots);
      if (ra == rb) continue;
      extra.push_back({graph.Node(ra, static_cast<int>(rng() % (graph.pieces(ra) + 1))),
                       graph.Node(rb, static_cast<int>(rng() % (graph.pieces(rb) + 1))), 0.5});
    }
    std::vector<double> times;
    const bool acyclic = graph.Times(extra, &times);
    const std::vector<int> cycle = graph.FindCycle(extra);
    ASSERT_EQ(acyclic, cycle.empty()) << "trial " << trial;
    if (cycle.empty()) continue;
    ++cyclic;
    // Each edge's target reaches the next edge's source by program order (same robot, not
    // later), and the last reaches the first.
    for (std::size_t k = 0; k < cycle.size(); ++k) {
      const EventEdge& e = extra[cycle[k]];
      const EventEdge& next = extra[cycle[(k + 1) % cycle.size()]];
      ASSERT_EQ(graph.RobotOf(e.to), graph.RobotOf(next.from)) << "trial " << trial;
      ASSERT_LE(e.to, next.from) << "trial " << trial;
    }
  }
  EXPECT_GT(cyclic, 100) << "the random graphs must include cycles";
}

// On acyclic graphs Times gives each node its longest path from the start: checked against
// repeated relaxation of every edge (program order and extra) until nothing changes.
TEST(EventGraphTest, TimesAreTheLongestPaths) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> duration(0.0, 3.0);
  int checked = 0;
  for (int trial = 0; trial < 500; ++trial) {
    const int robots = 1 + static_cast<int>(rng() % 4);
    std::vector<std::vector<double>> durations(robots);
    for (auto& d : durations) {
      d.resize(rng() % 7);
      for (double& x : d) x = rng() % 4 == 0 ? 0.0 : duration(rng);
    }
    const EventGraph graph(durations);
    std::vector<EventEdge> extra;
    const int edges = static_cast<int>(rng() % 8);
    for (int e = 0; e < edges; ++e) {
      const int ra = static_cast<int>(rng() % robots), rb = static_cast<int>(rng() % robots);
      extra.push_back({graph.Node(ra, static_cast<int>(rng() % (graph.pieces(ra) + 1))),
                       graph.Node(rb, static_cast<int>(rng() % (graph.pieces(rb) + 1))),
                       rng() % 2 == 0 ? 0.0 : duration(rng)});
    }
    std::vector<double> times;
    if (!graph.Times(extra, &times)) continue;
    ++checked;
    std::vector<double> expected(static_cast<std::size_t>(graph.node_count()), 0.0);
    for (bool changed = true; changed;) {
      changed = false;
      auto relax = [&](int from, int to, double w) {
        if (expected[from] + w > expected[to]) {
          expected[to] = expected[from] + w;
          changed = true;
        }
      };
      for (int r = 0; r < robots; ++r) {
        for (int k = 0; k < graph.pieces(r); ++k) {
          relax(graph.Node(r, k), graph.Node(r, k + 1), graph.duration(r, k));
        }
      }
      for (const EventEdge& e : extra) relax(e.from, e.to, e.weight);
    }
    ASSERT_EQ(times, expected) << "trial " << trial;
    EXPECT_DOUBLE_EQ(graph.Makespan(times),
                     robots == 0 ? 0.0 : *std::max_element(expected.begin(), expected.end()));
  }
  EXPECT_GT(checked, 150);
}

// Random event graphs and edges between their robots, for the clock tests.
struct RandomEvents {
  std::mt19937 rng;
  std::uniform_real_distribution<double> duration{0.0, 2.0};

  // 2–4 robots of 1–8 pieces each, one piece in five of zero duration.
  EventGraph Graph() {
    std::vector<std::vector<double>> durations(2 + rng() % 3);
    for (auto& d : durations) {
      d.resize(1 + rng() % 8);
      for (double& x : d) x = rng() % 5 == 0 ? 0.0 : duration(rng);
    }
    return EventGraph(std::move(durations));
  }

  // An edge from an event of one robot to an event of another (one in three of weight 0); none
  // when the two robots drawn are the same.
  std::optional<EventEdge> Edge(const EventGraph& graph) {
    const auto robots = static_cast<unsigned>(graph.robots());
    const int ra = static_cast<int>(rng() % robots), rb = static_cast<int>(rng() % robots);
    if (ra == rb) return std::nullopt;
    const int ka = static_cast<int>(rng() % static_cast<unsigned>(graph.pieces(ra) + 1));
    const int kb = static_cast<int>(rng() % static_cast<unsigned>(graph.pieces(rb) + 1));
    return EventEdge{graph.Node(ra, ka), graph.Node(rb, kb), rng() % 3 == 0 ? 0.0 : duration(rng)};
  }
};

// `edges` and `e` after them.
std::vector<EventEdge> With(std::vector<EventEdge> edges, const EventEdge& e) {
  edges.push_back(e);
  return edges;
}

// A clock grown edge by edge has, after every edge, exactly the times EventGraph::Times gives
// for all the edges so far, and says a cycle exactly where Times fails.
TEST(GrowingClockTest, AgreesWithTimesAfterEveryEdge) {
  RandomEvents random{.rng = std::mt19937(23)};
  int added = 0, refused = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const EventGraph graph = random.Graph();
    std::vector<EventEdge> edges;
    GrowingClock clock(graph, edges);
    ASSERT_TRUE(clock.acyclic());
    for (int step = 0; step < 12; ++step) {
      const std::optional<EventEdge> drawn = random.Edge(graph);
      if (!drawn) continue;
      const EventEdge& e = *drawn;
      const std::vector<EventEdge> with = With(edges, e);
      std::vector<double> expected;
      const bool acyclic = graph.Times(with, &expected);
      ASSERT_EQ(clock.ClosesCycle(e), !acyclic) << "trial " << trial << " step " << step;
      if (!acyclic) {
        ++refused;
        continue;
      }
      clock.Add(e);
      edges = with;
      ++added;
      ASSERT_EQ(clock.times(), expected) << "trial " << trial << " step " << step;
    }
  }
  EXPECT_GT(added, 500);
  EXPECT_GT(refused, 100);
}

// AddWithin adds an edge exactly when it closes no cycle and the makespan stays within the
// limit; a refused edge leaves the clock as it was: after every step the times are those
// EventGraph::Times gives for the edges added.
TEST(GrowingClockTest, AddWithinAddsWhatKeepsTheLimitAndUndoesTheRest) {
  RandomEvents random{.rng = std::mt19937(31)};
  int added = 0, over = 0, cyclic = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const EventGraph graph = random.Graph();
    std::vector<EventEdge> edges;
    GrowingClock clock(graph, edges);
    const double limit = graph.Makespan(clock.times()) + random.duration(random.rng);
    for (int step = 0; step < 12; ++step) {
      const std::optional<EventEdge> drawn = random.Edge(graph);
      if (!drawn) continue;
      const EventEdge& e = *drawn;
      const std::vector<EventEdge> with = With(edges, e);
      std::vector<double> expected;
      const bool acyclic = graph.Times(with, &expected);
      const bool keeps = acyclic && graph.Makespan(expected) <= limit;
      ASSERT_EQ(clock.AddWithin(e, limit), keeps)
          << "trial " << trial << " step " << step << ": acyclic " << acyclic << ", makespan "
          << (acyclic ? graph.Makespan(expected) : 0.0) << " against the limit " << limit;
      if (keeps) {
        edges = with;
        ++added;
      } else {
        ++(acyclic ? over : cyclic);
        ASSERT_TRUE(graph.Times(edges, &expected));
      }
      // (A refused edge left behind would show in a later step's cycle answer.)
      ASSERT_EQ(clock.times(), expected) << "trial " << trial << " step " << step;
    }
  }
  EXPECT_GT(added, 300);
  EXPECT_GT(over, 100);
  EXPECT_GT(cyclic, 50);
}

}  // namespace
}  // namespace weldcell::coordination::internal
