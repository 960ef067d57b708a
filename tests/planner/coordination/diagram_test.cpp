#include "planner/coordination/internal/diagram.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace weldcell::coordination::internal {
namespace {

using Touching = std::vector<std::pair<int, int>>;

// Robots with three pieces of 1 s each; extended piece k + 1 is piece k.
const std::vector<double> kThree = {1.0, 1.0, 1.0};

// The reference: breadth-first search over the same grid (DiagramAxis), each step moving any
// non-empty set of robots one point on; returns the steps to the far corner, -1 without a path.
int BreadthFirstSteps(const std::array<std::vector<double>, 3>& durations,
                      const std::array<Touching, 3>& touching, double step) {
  const std::array<DiagramAxis, 3> axes = {DiagramAxis(durations[0], step),
                                           DiagramAxis(durations[1], step),
                                           DiagramAxis(durations[2], step)};
  const std::array<std::pair<int, int>, 3> members = {std::pair{0, 1}, std::pair{0, 2},
                                                      std::pair{1, 2}};
  auto free = [&](const std::array<int, 3>& at) {
    for (std::size_t p = 0; p < 3; ++p) {
      const auto [u, v] = members[p];
      for (const auto& [i, j] : touching[p]) {
        const auto [u0, u1] = axes[static_cast<std::size_t>(u)].Points(i);
        const auto [v0, v1] = axes[static_cast<std::size_t>(v)].Points(j);
        if (u0 <= at[static_cast<std::size_t>(u)] && at[static_cast<std::size_t>(u)] <= u1 &&
            v0 <= at[static_cast<std::size_t>(v)] && at[static_cast<std::size_t>(v)] <= v1) {
          return false;
        }
      }
    }
    return true;
  };
  const int nx = axes[0].points, ny = axes[1].points, nz = axes[2].points;
  std::vector<int> dist(
      static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny) * static_cast<std::size_t>(nz),
      -1);
  auto index = [&](const std::array<int, 3>& at) {
    return (static_cast<std::size_t>(at[0]) * static_cast<std::size_t>(ny) +
            static_cast<std::size_t>(at[1])) *
               static_cast<std::size_t>(nz) +
           static_cast<std::size_t>(at[2]);
  };
  if (!free({0, 0, 0})) return -1;
  std::deque<std::array<int, 3>> queue = {{0, 0, 0}};
  dist[0] = 0;
  while (!queue.empty()) {
    const std::array<int, 3> at = queue.front();
    queue.pop_front();
    for (int m = 1; m < 8; ++m) {
      const std::array<int, 3> next = {at[0] + ((m >> 2) & 1), at[1] + ((m >> 1) & 1),
                                       at[2] + (m & 1)};
      if (next[0] >= nx || next[1] >= ny || next[2] >= nz || dist[index(next)] >= 0 ||
          !free(next)) {
        continue;
      }
      dist[index(next)] = dist[index(at)] + 1;
      queue.push_back(next);
    }
  }
  return dist[index({nx - 1, ny - 1, nz - 1})];
}

// PairBound walks the grid a row at a time and keeps no path: the same value as the diagram's,
// bit for bit, with robot b either way round, pieces shorter than a step, obstacles where a robot
// stands at its start or end (some without a path), and grids coarsened for long programs.
TEST(PairBoundTest, IsTheDiagramsBoundBitForBit) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> length(0.02, 1.5);
  int without_path = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> a(1 + rng() % 8), b(1 + rng() % 8);
    for (double& x : a) x = length(rng) * (trial % 10 == 9 ? 400.0 : 1.0);
    for (double& x : b) x = length(rng) * (trial % 10 == 9 ? 400.0 : 1.0);
    Touching touching;
    const int count = static_cast<int>(rng() % 6);
    for (int k = 0; k < count; ++k) {
      touching.emplace_back(static_cast<int>(rng() % (a.size() + 2)),
                            static_cast<int>(rng() % (b.size() + 2)));
    }
    const bool reverse_b = trial % 2 == 1;
    const double step = trial % 3 == 0 ? 0.05 : 0.1;
    const double expected = PairDiagram(a, b, touching, reverse_b, step).Bound();
    const double got = PairBound(a, b, touching, reverse_b, step);
    EXPECT_EQ(got, expected) << "trial " << trial << ": " << a.size() << " x " << b.size()
                             << " pieces, " << touching.size() << " obstacles";
    without_path += std::isinf(expected) ? 1 : 0;
  }
  // Both kinds of diagram came up.
  EXPECT_GT(without_path, 0);
  EXPECT_LT(without_path, 200);
}

TEST(TripleDiagramTest, FreeRobotsTakeTheLongestOfTheirOwnDurations) {
  const TripleDiagram diagram({kThree, {2.0, 2.5}, {1.0}}, {}, 0.1);
  EXPECT_NEAR(diagram.Bound(), 4.5, 1e-9);
}

TEST(TripleDiagramTest, ThreeRobotsInEachOthersWayTakeTurns) {
  // The middle pieces of all three robots touch pairwise: one after another, 2 s of waits.
  const TripleDiagram diagram({kThree, kThree, kThree}, {Touching{{2, 2}}, {{2, 2}}, {{2, 2}}},
                              0.05);
  EXPECT_NEAR(diagram.Bound(), 5.0, 0.11);
  // The path's orders are one order of the three robots.
  const bool ab = diagram.First(0, 1, 2, 2), ac = diagram.First(0, 2, 2, 2),
             bc = diagram.First(1, 2, 2, 2);
  // Robots before each: 0, 1 and 2 in some order (a cycle would give each one).
  const int before_a = !ab + !ac, before_b = ab + !bc, before_c = ac + bc;
  EXPECT_NE(before_a, before_b) << ab << ac << bc;
  EXPECT_NE(before_b, before_c) << ab << ac << bc;
  EXPECT_NE(before_a, before_c) << ab << ac << bc;
}

// Where the pair diagrams see each pair alone, the triple fits the middle robot around both.
TEST(TripleDiagramTest, TheMiddleRobotIsFittedAroundBothNeighbours) {
  // Robot a: 1 s, then 3 s; b (the middle): 3 s, then 1 s; c: 4 s, then 4 s. a's and b's first
  // pieces touch, and b's second and c's second.
  const std::vector<double> a = {1.0, 3.0}, b = {3.0, 1.0}, c = {4.0, 4.0};
  // Alone, a and b do best with a first (b waits 1 s: 5 s; b first: 7 s).
  const PairDiagram pair(a, b, {{1, 1}}, false, 0.05);
  EXPECT_NEAR(pair.Bound(), 5.0, 0.051);
  EXPECT_TRUE(pair.AFirst(1, 1));
  // But b, 1 s later, then meets c's second piece [4, 8] s with its second: 9 s in all. With b
  // first a waits 3 s (7 s) and b's second piece [3, 4] s is done before c's: 8 s.
  const TripleDiagram triple({a, b, c}, {Touching{{1, 1}}, {}, {{2, 2}}}, 0.05);
  EXPECT_NEAR(triple.Bound(), 8.0, 0.11);
  EXPECT_FALSE(triple.First(0, 1, 1, 1));
  EXPECT_TRUE(triple.First(1, 2, 2, 2));
  // Without c the triple is the pair.
  const TripleDiagram without_c({a, b, c}, {Touching{{1, 1}}, {}, {}}, 0.05);
  EXPECT_TRUE(without_c.First(0, 1, 1, 1));
}

// Whether the orders the diagram's path gives every touching pair of pieces can all be kept: the
// robots' events (per piece its start and its end), in program order, and for each touching pair
// the end of the piece that goes first before the start of the other, free of cycles.
bool OrdersAreAcyclic(const TripleDiagram& diagram, const std::array<std::vector<double>, 3>& d,
                      const std::array<Touching, 3>& touching) {
  const std::array<std::pair<int, int>, 3> members = {std::pair{0, 1}, std::pair{0, 2},
                                                      std::pair{1, 2}};
  std::array<int, 4> offset = {0, 0, 0, 0};  // first event of each robot
  for (std::size_t r = 0; r < 3; ++r) offset[r + 1] = offset[r] + 2 * static_cast<int>(d[r].size());
  auto start = [&](int r, int piece) { return offset[r] + 2 * piece; };
  auto end = [&](int r, int piece) { return offset[r] + 2 * piece + 1; };
  std::vector<std::vector<int>> next(static_cast<std::size_t>(offset[3]));
  for (int r = 0; r < 3; ++r) {
    const int pieces = static_cast<int>(d[static_cast<std::size_t>(r)].size());
    for (int k = 0; k < pieces; ++k) {
      next[static_cast<std::size_t>(start(r, k))].push_back(end(r, k));
      if (k + 1 < pieces) next[static_cast<std::size_t>(end(r, k))].push_back(start(r, k + 1));
    }
  }
  for (std::size_t p = 0; p < 3; ++p) {
    const auto [u, v] = members[p];
    for (const auto& [i, j] : touching[p]) {  // extended pieces i, j: pieces i - 1, j - 1
      if (diagram.First(u, v, i, j)) {
        next[static_cast<std::size_t>(end(u, i - 1))].push_back(start(v, j - 1));
      } else {
        next[static_cast<std::size_t>(end(v, j - 1))].push_back(start(u, i - 1));
      }
    }
  }
  std::vector<int> indegree(next.size(), 0);
  for (const std::vector<int>& out : next) {
    for (const int e : out) ++indegree[static_cast<std::size_t>(e)];
  }
  std::vector<int> ready;
  for (std::size_t e = 0; e < next.size(); ++e) {
    if (indegree[e] == 0) ready.push_back(static_cast<int>(e));
  }
  std::size_t seen = 0;
  while (!ready.empty()) {
    const int e = ready.back();
    ready.pop_back();
    ++seen;
    for (const int f : next[static_cast<std::size_t>(e)]) {
      if (--indegree[static_cast<std::size_t>(f)] == 0) ready.push_back(f);
    }
  }
  return seen == next.size();
}

TEST(TripleDiagramTest, BoundIsTheShortestPathOfABreadthFirstSearch) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> length(0.02, 1.2);  // some shorter than a step
  for (int trial = 0; trial < 40; ++trial) {
    std::array<std::vector<double>, 3> durations;
    for (std::vector<double>& d : durations) {
      d.resize(2 + rng() % 5);
      for (double& x : d) x = length(rng);
    }
    std::array<Touching, 3> touching;
    const std::array<std::pair<int, int>, 3> members = {std::pair{0, 1}, std::pair{0, 2},
                                                        std::pair{1, 2}};
    for (std::size_t p = 0; p < 3; ++p) {
      const int pieces_u = static_cast<int>(durations[members[p].first].size());
      const int pieces_v = static_cast<int>(durations[members[p].second].size());
      const int count = static_cast<int>(rng() % 4);
      for (int k = 0; k < count; ++k) {
        // Pieces only (not standing at the start or end), so that a path always exists.
        touching[p].emplace_back(1 + static_cast<int>(rng() % pieces_u),
                                 1 + static_cast<int>(rng() % pieces_v));
      }
    }
    // Every fourth trial on a grid too fine for kMaxPoints: coarsened.
    const TripleDiagram diagram(durations, touching, trial % 4 == 3 ? 0.001 : 0.1);
    const double step = diagram.step();
    const int steps = BreadthFirstSteps(durations, touching, step);
    ASSERT_GE(steps, 0) << "trial " << trial;
    double own = 0.0;
    for (const std::vector<double>& d : durations) {
      double t = 0.0;
      for (const double x : d) t += x;
      own = std::max(own, t);
    }
    EXPECT_NEAR(diagram.Bound(), std::max((steps - 1) * step, own), 1e-9)
        << "trial " << trial << ": breadth-first " << steps << " steps of " << step << " s";
    EXPECT_TRUE(OrdersAreAcyclic(diagram, durations, touching)) << "trial " << trial;
  }
}

TEST(TripleDiagramTest, EndsInEachOthersWayHaveNoPath) {
  const TripleDiagram diagram({kThree, kThree, kThree}, {Touching{}, {{4, 4}}, {}}, 0.1);
  EXPECT_EQ(diagram.Bound(), std::numeric_limits<double>::infinity());
}

TEST(TripleDiagramTest, LongAxesAreCoarsened) {
  // 600 s on one axis: at most kMaxPoints points per axis.
  const TripleDiagram diagram({std::vector<double>(600, 1.0), kThree, kThree}, {}, 0.05);
  EXPECT_GE(diagram.step(), 600.0 / TripleDiagram::kMaxPoints - 1e-12);
  EXPECT_NEAR(diagram.Bound(), 600.0, diagram.step());
}

TEST(ChainTriplesTest, EachRobotWithTheTwoItTouchesMostHeaviestFirst) {
  // A side of four robots in a row (0-1-2-3) and a fifth robot touching robot 3 a little.
  std::vector<std::vector<std::size_t>> touching(5, std::vector<std::size_t>(5, 0));
  auto set = [&](int a, int b, std::size_t n) {
    touching[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = n;
    touching[static_cast<std::size_t>(b)][static_cast<std::size_t>(a)] = n;
  };
  set(0, 1, 100);
  set(1, 2, 300);
  set(2, 3, 200);
  set(0, 2, 5);
  set(3, 4, 1);
  // Middles: 0 → {0, 1, 2} (405); 1 → {0, 1, 2}; 2 → {1, 2, 3} (500); 3 → {2, 3, 4} (201); 4
  // touches one robot only.
  const std::vector<std::array<int, 3>> triples = ChainTriples(touching);
  ASSERT_EQ(triples.size(), 3u);
  EXPECT_EQ(triples[0], (std::array<int, 3>{1, 2, 3}));
  EXPECT_EQ(triples[1], (std::array<int, 3>{0, 1, 2}));
  EXPECT_EQ(triples[2], (std::array<int, 3>{2, 3, 4}));
  // Two robots, or robots touching at most one other: no triple.
  EXPECT_TRUE(ChainTriples({{0, 7}, {7, 0}}).empty());
}

}  // namespace
}  // namespace weldcell::coordination::internal
