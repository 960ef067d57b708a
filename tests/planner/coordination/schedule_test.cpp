#include "planner/coordination/internal/schedule.hpp"

#include <gtest/gtest.h>

#include <random>

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

}  // namespace
}  // namespace weldcell::coordination::internal
