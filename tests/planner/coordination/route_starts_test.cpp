#include "planner/coordination/route_starts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "planner/coordination/directions.hpp"
#include "planner/motion/time_parameterization.hpp"

namespace weldcell::coordination {
namespace {

// One joint at 1 rad/s and 10 rad/s².
const motion::JointLimits kLimits{.max_velocity = Eigen::VectorXd::Constant(1, 1.0),
                                  .max_acceleration = Eigen::VectorXd::Constant(1, 10.0)};

Eigen::VectorXd Q(double x) { return Eigen::VectorXd::Constant(1, x); }

struct Stop {
  std::string id;
  double at;     // rad: the approach pose; the weld is 0.1 rad further
  double dwell;  // s
};

// From home (0 rad) through the stops (travel, approach, dwell, retract each) and home: pieces
// 4k (travel in), 4k + 1 (approach), 4k + 2 (dwell), 4k + 3 (retract), then 4n (home).
motion::RobotTrajectory Route(const std::vector<Stop>& stops) {
  motion::RobotTrajectory t(Q(0.0));
  std::string at = "home";
  for (const Stop& s : stops) {
    t.AppendMotion(motion::TimeParameterize({t.end(), Q(s.at)}, kLimits), at, s.id);
    t.AppendMotion(motion::TimeParameterize({Q(s.at), Q(s.at + 0.1)}, kLimits), s.id, s.id);
    t.AppendWeldDwell(s.id, s.dwell);
    t.AppendMotion(motion::TimeParameterize({Q(s.at + 0.1), Q(s.at)}, kLimits), s.id, s.id);
    at = s.id;
  }
  t.AppendMotion(motion::TimeParameterize({t.end(), Q(0.0)}, kLimits), at, "home");
  return t;
}

double Estimate(int /*robot*/, const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return motion::RestToRestTime(a, b, kLimits);
}

TEST(BlocksOfTest, ReadsTravelMovesAndEachWeldsOwnPieces) {
  motion::RobotTrajectory t = Route({{"A", 1.0, 2.0}, {"B", 2.0, 1.0}, {"C", 3.0, 1.5}});
  const RouteBlocks b = BlocksOf(t);
  ASSERT_TRUE(b.valid);
  EXPECT_EQ(b.travel_in, (std::vector<int>{0, 4, 8}));
  EXPECT_EQ(b.own, (std::vector<std::vector<int>>{{1, 2, 3}, {5, 6, 7}, {9, 10, 11}}));
  EXPECT_EQ(b.travel_home, 12);
  EXPECT_EQ(b.labels, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(b.pieces, 13);
  ASSERT_EQ(b.at.size(), 3u);
  EXPECT_DOUBLE_EQ(b.at[1](0), 2.0);
  // A wait is no piece.
  motion::RobotTrajectory waiting(Q(0.0));
  waiting.AppendWait("home", 1.0);
  waiting.AppendMotion(motion::TimeParameterize({Q(0.0), Q(1.0)}, kLimits), "home", "A");
  waiting.AppendWait("A", 0.5);
  waiting.AppendWeldDwell("A", 2.0);
  waiting.AppendMotion(motion::TimeParameterize({Q(1.0), Q(0.0)}, kLimits), "A", "home");
  EXPECT_FALSE(BlocksOf(waiting).valid) << "one weld: nothing to start elsewhere";
  const RouteBlocks one = BlocksOf(waiting, /*min_blocks=*/1);
  ASSERT_TRUE(one.valid);
  EXPECT_EQ(one.labels, (std::vector<std::string>{"A"}));
  EXPECT_EQ(one.travel_in, (std::vector<int>{0}));
  EXPECT_EQ(one.own, (std::vector<std::vector<int>>{{1}}));
  EXPECT_EQ(one.travel_home, 2);
  EXPECT_EQ(one.pieces, 3);
}

TEST(BlockOrderTest, StartsWhereToldAndRunsEitherWay) {
  EXPECT_EQ(BlockOrder({.reverse = false, .start = 0}, 3), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(BlockOrder({.reverse = false, .start = 1}, 3), (std::vector<int>{1, 2, 0}));
  EXPECT_EQ(BlockOrder({.reverse = true, .start = 2}, 3), (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(BlockOrder({.reverse = true, .start = 0}, 3), (std::vector<int>{0, 2, 1}));
  EXPECT_TRUE(OnlyReversed({.reverse = true, .start = 2}, 3));
  EXPECT_FALSE(OnlyReversed({.reverse = true, .start = 0}, 3));
  EXPECT_FALSE(OnlyReversed({.reverse = false, .start = 2}, 3));
  EXPECT_FALSE(OnlyReversed({}, 1)) << "the route as it is";
  // The same order as the route reversed: its motion runs backwards.
  EXPECT_TRUE(OnlyReversed({.reverse = false, .start = 1}, 2));
  EXPECT_TRUE(OnlyReversed({.reverse = false, .start = 0, .flip_first = 0, .flip_last = 2}, 3));
}

TEST(BlockOrderTest, RunsAFlippedSegmentTheOtherWay) {
  // Positions 1..2 of the order visited, reversed.
  EXPECT_EQ(BlockOrder({.reverse = false, .start = 0, .flip_first = 1, .flip_last = 2}, 4),
            (std::vector<int>{0, 2, 1, 3}));
  EXPECT_EQ(BlockOrder({.reverse = false, .start = 1, .flip_first = 0, .flip_last = 1}, 4),
            (std::vector<int>{2, 1, 3, 0}));
  EXPECT_EQ(BlockOrder({.reverse = true, .start = 3, .flip_first = 2, .flip_last = 3}, 4),
            (std::vector<int>{3, 2, 0, 1}));
  EXPECT_FALSE(OnlyReversed({.reverse = true, .start = 3, .flip_first = 2, .flip_last = 3}, 4));
}

TEST(BlocksOfTest, RefusesWhatIsNoClosedRoute) {
  // Not back home.
  motion::RobotTrajectory open(Q(0.0));
  open.AppendMotion(motion::TimeParameterize({Q(0.0), Q(1.0)}, kLimits), "home", "A");
  open.AppendWeldDwell("A", 1.0);
  open.AppendMotion(motion::TimeParameterize({Q(1.0), Q(2.0)}, kLimits), "A", "B");
  open.AppendWeldDwell("B", 1.0);
  EXPECT_FALSE(BlocksOf(open).valid);
  // A weld left elsewhere than where it was reached (its pieces do not end at its approach).
  motion::RobotTrajectory drifting(Q(0.0));
  drifting.AppendMotion(motion::TimeParameterize({Q(0.0), Q(1.0)}, kLimits), "home", "A");
  drifting.AppendMotion(motion::TimeParameterize({Q(1.0), Q(1.2)}, kLimits), "A", "A");
  drifting.AppendWeldDwell("A", 1.0);
  drifting.AppendMotion(motion::TimeParameterize({Q(1.2), Q(2.0)}, kLimits), "A", "B");
  drifting.AppendWeldDwell("B", 1.0);
  drifting.AppendMotion(motion::TimeParameterize({Q(2.0), Q(0.0)}, kLimits), "B", "home");
  EXPECT_FALSE(BlocksOf(drifting).valid);
  EXPECT_TRUE(BlocksOf(Route({{"A", 1.0, 1.0}, {"B", 2.0, 1.0}})).valid);
}

// Two robots with the same route A, B, C; their first welds (A) touch, and robot 0's A touches
// robot 1's C too. As they are, one waits for the other at A. Run backwards, robot 1 welds C
// while robot 0 is at A. Started at B, robot 1 welds A last and C in the middle, apart from
// robot 0's A: no waits, at the price of two new travel moves.
TEST(RankRouteStartsTest, StartsTheRouteWhereItMeetsNoNeighbour) {
  const std::vector<Stop> stops = {{"A", 1.0, 3.0}, {"B", 2.0, 2.0}, {"C", 3.0, 2.0}};
  const std::vector<motion::RobotTrajectory> routes = {Route(stops), Route(stops)};
  // Extended pieces: dwell of block k = 4k + 2 + 1.
  const std::vector<TouchingPieces> touching = {{.a = 0, .b = 1, .pieces = {{3, 3}, {3, 11}}}};
  const std::vector<SingleRouteStart> ranked = RankRouteStarts(routes, touching, {}, Estimate);
  ASSERT_FALSE(ranked.empty());
  const double own = routes[1].duration();  // 14.6 s, the same started at B
  EXPECT_EQ(ranked[0].robot, 1);
  EXPECT_EQ(ranked[0].route, (RouteStart{.reverse = false, .start = 1}));
  EXPECT_NEAR(ranked[0].bound_after, own, 0.11) << "no waits";
  EXPECT_GT(ranked[0].bound_before, own + 2.0) << "a wait of about 3 s at A";
  // The next best is a route run backwards (robot 0's: its A last), which still waits.
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[1].robot, 0);
  EXPECT_EQ(ranked[1].route, (RouteStart{.reverse = true, .start = 2}));
  EXPECT_GT(ranked[1].bound_after, ranked[0].bound_after + 0.5);
  // Chosen together, from the best directions: no waits either.
  const RouteStarts joint = ChooseRouteStarts(routes, touching, {}, Estimate);
  EXPECT_NEAR(joint.bound_before, ranked[0].bound_before, 1e-9);
  EXPECT_NEAR(joint.bound_after, own, 0.11);
  EXPECT_NE(joint.routes, (std::vector<RouteStart>(2)));
  // Robot 1 may not change: robot 0's best is all that is left.
  const std::vector<SingleRouteStart> kept = RankRouteStarts(routes, touching, {0, 1}, Estimate);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].robot, 0);
}

// Robot 0 welds W, X, Y, Z; robot 1 welds a, b, c, d at about the same times. Robot 1's b
// touches X, a touches X and Z, c touches W and Y, d touches W: as they are, b waits for X;
// started anywhere else or run backwards, some weld still meets one it touches. Only robot 1's
// b and c swapped (the segment b, c reversed) meets none.
TEST(RankRouteStartsTest, ReversesTheSegmentThatMeetsTheNeighbour) {
  const std::vector<motion::RobotTrajectory> routes = {
      Route({{"W", 1.0, 3.0}, {"X", 1.2, 3.0}, {"Y", 1.4, 3.0}, {"Z", 1.6, 3.0}}),
      Route({{"a", 1.0, 3.0}, {"b", 1.2, 3.0}, {"c", 1.4, 3.0}, {"d", 1.6, 3.0}})};
  auto dwell = [](int block) { return 4 * block + 3; };  // extended piece of a block's dwell
  const std::vector<TouchingPieces> touching = {{.a = 0,
                                                 .b = 1,
                                                 .pieces = {{dwell(1), dwell(1)},
                                                            {dwell(3), dwell(0)},
                                                            {dwell(1), dwell(0)},
                                                            {dwell(0), dwell(2)},
                                                            {dwell(2), dwell(2)},
                                                            {dwell(0), dwell(3)}}}};
  const std::vector<char> keep = {1, 0};  // robot 0 as it is
  const std::vector<SingleRouteStart> starts = RankRouteStarts(routes, touching, keep, Estimate);
  RouteStartOptions options;
  options.flips = true;
  const std::vector<SingleRouteStart> flips =
      RankRouteStarts(routes, touching, keep, Estimate, options);
  ASSERT_FALSE(flips.empty());
  EXPECT_EQ(flips[0].robot, 1);
  EXPECT_EQ(flips[0].route,
            (RouteStart{.reverse = false, .start = 0, .flip_first = 1, .flip_last = 2}));
  // No waits: the pair takes as long as robot 1 welding a, c, b, d alone.
  const double swapped =
      Route({{"a", 1.0, 3.0}, {"c", 1.4, 3.0}, {"b", 1.2, 3.0}, {"d", 1.6, 3.0}}).duration();
  EXPECT_NEAR(flips[0].bound_after, std::max(swapped, routes[0].duration()), 0.11);
  ASSERT_FALSE(starts.empty()) << "a start helps a little";
  EXPECT_EQ(starts[0].route.flip_first, starts[0].route.flip_last) << "no flips unless asked";
  EXPECT_GT(starts[0].bound_after, flips[0].bound_after + 2.0)
      << "every start still waits about one dwell";
}

// Four robots with the same eight welds (seeded random dwells), neighbours' dwells at about the
// same time touching: their waits leave starts to gain.
struct FourRobots {
  std::vector<motion::RobotTrajectory> routes;
  std::vector<TouchingPieces> touching;
};
FourRobots FourRobotsWaiting() {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> dwell(0.5, 3.0);
  std::vector<Stop> stops;
  stops.reserve(8);
  for (int k = 0; k < 8; ++k) stops.push_back({"W" + std::to_string(k), 0.3 * (k + 1), dwell(rng)});
  FourRobots c{.routes = std::vector<motion::RobotTrajectory>(4, Route(stops)), .touching = {}};
  for (int a = 0; a + 1 < 4; ++a) {
    TouchingPieces t{.a = a, .b = a + 1, .pieces = {}};
    for (int k = 0; k < 3; ++k) {  // dwells of welds at about the same time: waits
      const int block = static_cast<int>(rng() % 8);
      t.pieces.emplace_back(4 * block + 3,
                            4 * std::min(block + static_cast<int>(rng() % 2), 7) + 3);
    }
    c.touching.push_back(t);
  }
  return c;
}

// Expects `got` to rank as `want`: the same robots, arrangements and bounds, in the same order.
void ExpectSameRanking(const std::vector<SingleRouteStart>& got,
                       const std::vector<SingleRouteStart>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].robot, want[i].robot) << what << ": " << i;
    EXPECT_EQ(got[i].route, want[i].route) << what << ": " << i;
    EXPECT_EQ(got[i].bound_after, want[i].bound_after) << what << ": " << i;
  }
}

// Scored on several workers, the choices are those of one.
TEST(RankRouteStartsTest, ChoosesTheSameOnAnyNumberOfThreads) {
  const auto [routes, touching] = FourRobotsWaiting();
  const RouteStarts one =
      ChooseRouteStarts(routes, touching, {}, Estimate, {.step = 0.1, .threads = 1});
  const std::vector<SingleRouteStart> ranked_one =
      RankRouteStarts(routes, touching, {}, Estimate, {.step = 0.1, .threads = 1});
  EXPECT_LT(one.bound_after, one.bound_before) << "the case has something to gain";
  EXPECT_FALSE(ranked_one.empty());
  for (const int threads : {2, 3, 0}) {
    const RouteStarts many =
        ChooseRouteStarts(routes, touching, {}, Estimate, {.step = 0.1, .threads = threads});
    EXPECT_EQ(many.routes, one.routes) << threads << " threads";
    EXPECT_EQ(many.bound_after, one.bound_after) << threads << " threads";
    ExpectSameRanking(
        RankRouteStarts(routes, touching, {}, Estimate, {.step = 0.1, .threads = threads}),
        ranked_one, std::to_string(threads) + " threads");
  }
}

// With per_robot 3, each robot's three best starts that lower the score: first every robot's
// best, in the order per_robot 1 gives, then the second bests, best first, then the third. The
// same on any thread count.
TEST(RankRouteStartsTest, RanksSeveralStartsPerRobotBestOfEachFirst) {
  const auto [routes, touching] = FourRobotsWaiting();
  const std::vector<SingleRouteStart> one = RankRouteStarts(routes, touching, {}, Estimate);
  const std::vector<SingleRouteStart> three =
      RankRouteStarts(routes, touching, {}, Estimate, {.threads = 1, .per_robot = 3});
  ASSERT_FALSE(one.empty());
  EXPECT_GT(three.size(), one.size()) << "the case has more than one start to gain per robot";
  ASSERT_GE(three.size(), one.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(three[i].robot, one[i].robot) << i;
    EXPECT_EQ(three[i].route, one[i].route) << i;
    EXPECT_EQ(three[i].bound_after, one[i].bound_after) << i;
  }
  std::map<int, int> rank_of;  // per robot, the rank of its last entry so far
  int previous_rank = 0;
  for (std::size_t i = 0; i < three.size(); ++i) {
    const SingleRouteStart& s = three[i];
    EXPECT_LE(s.bound_after, s.bound_before) << i;  // lower in the sum of the bounds at least
    const int rank = rank_of[s.robot]++;
    EXPECT_LT(rank, 3) << "robot " << s.robot;
    EXPECT_GE(rank, previous_rank) << "every robot's best before any second best: " << i;
    if (i > 0 && rank == previous_rank) {
      EXPECT_LE(three[i - 1].bound_after, s.bound_after) << "best first within a rank: " << i;
    }
    previous_rank = rank;
  }
  for (const int threads : {2, 0}) {
    ExpectSameRanking(
        RankRouteStarts(routes, touching, {}, Estimate, {.threads = threads, .per_robot = 3}),
        three, std::to_string(threads) + " threads");
  }
}

// With segments reversed too, a robot's ranked arrangements each visit its welds in an order of
// their own, none in the present one (flipping positions 1 … 7 visits them as starting
// backwards from block 0 does, and would be tried twice), on any thread count.
TEST(RankRouteStartsTest, RanksEachVisitingOrderOnceOnAnyNumberOfThreads) {
  const auto [routes, touching] = FourRobotsWaiting();
  const int blocks = 8;
  const RouteStartOptions options{.threads = 1, .flips = true, .per_robot = 6};
  const std::vector<SingleRouteStart> one =
      RankRouteStarts(routes, touching, {}, Estimate, options);
  ASSERT_GT(one.size(), 4U) << "the case has more than one arrangement to gain per robot";
  std::map<int, std::set<std::vector<int>>> orders;  // per robot, those ranked so far
  for (std::size_t i = 0; i < one.size(); ++i) {
    const std::vector<int> order = BlockOrder(one[i].route, blocks);
    EXPECT_FALSE(SameOrder(one[i].route, RouteStart{}, blocks)) << i;
    EXPECT_TRUE(orders[one[i].robot].insert(order).second)
        << "robot " << one[i].robot << " visits its welds in this order twice, at " << i;
  }
  for (const int threads : {2, 3, 0}) {
    RouteStartOptions many = options;
    many.threads = threads;
    ExpectSameRanking(RankRouteStarts(routes, touching, {}, Estimate, many), one,
                      std::to_string(threads) + " threads");
  }
}

// per_robot < 1 asks for nothing and is a caller's bug (it used to mean "none"): aborts naming
// the check.
TEST(RankRouteStartsDeathTest, NoArrangementsPerRobotIsABug) {
  const auto [routes, touching] = FourRobotsWaiting();
  EXPECT_DEATH(RankRouteStarts(routes, touching, {}, Estimate, {.per_robot = 0}),
               "check failed: options.per_robot >= 1");
}

TEST(BlockOrderTest, SameOrderTellsNamesOfOneVisitingOrder) {
  const RouteStart backwards_from_0{.reverse = true, .start = 0};
  const RouteStart flip_1_to_4{.reverse = false, .start = 0, .flip_first = 1, .flip_last = 4};
  EXPECT_TRUE(SameOrder(backwards_from_0, flip_1_to_4, 5)) << "0 4 3 2 1 both";
  EXPECT_TRUE(SameOrder(RouteStart{.reverse = true, .start = 4},
                        RouteStart{.reverse = false, .start = 0, .flip_first = 0, .flip_last = 4},
                        5))
      << "the route reversed";
  EXPECT_TRUE(SameOrder(RouteStart{.reverse = false, .start = 1},
                        RouteStart{.reverse = true, .start = 1}, 2))
      << "two blocks from the second: 1 0 both";
  EXPECT_FALSE(SameOrder(RouteStart{}, backwards_from_0, 5));
  EXPECT_FALSE(SameOrder(
      flip_1_to_4, RouteStart{.reverse = false, .start = 0, .flip_first = 1, .flip_last = 3}, 5));
}

// Both report kRouteStartStage in non-decreasing steps up to done == total, and once cancelled
// they answer that nothing is better.
TEST(RankRouteStartsTest, ReportsProgressAndStopsWhenCancelled) {
  const auto [routes, touching] = FourRobotsWaiting();
  using Report = std::pair<std::int64_t, std::int64_t>;  // (done, total)
  std::vector<Report> seen;
  RouteStartOptions options;
  options.progress = Progress([&](std::string_view stage, std::int64_t done, std::int64_t total) {
    EXPECT_EQ(stage, kRouteStartStage);
    seen.emplace_back(done, total);
  });
  auto expect_steps_up_to = [&](std::int64_t total, const char* what) {
    ASSERT_FALSE(seen.empty()) << what;
    EXPECT_EQ(seen.front(), (Report{0, total})) << what;
    EXPECT_EQ(seen.back(), (Report{total, total})) << what;
    for (std::size_t i = 1; i < seen.size(); ++i) {
      EXPECT_LE(seen[i - 1].first, seen[i].first) << what << ": report " << i;
      EXPECT_EQ(seen[i].second, total) << what << ": report " << i;
    }
    seen.clear();
  };
  const RouteStarts joint = ChooseRouteStarts(routes, touching, {}, Estimate, options);
  expect_steps_up_to(16, "joint choice: at most 4 passes over 4 robots");
  const std::vector<SingleRouteStart> ranked =
      RankRouteStarts(routes, touching, {}, Estimate, options);
  expect_steps_up_to(4, "ranking: one per robot");
  EXPECT_LT(joint.bound_after, joint.bound_before);
  EXPECT_FALSE(ranked.empty());

  std::atomic<bool> cancel{true};
  const RouteStarts stopped =
      ChooseRouteStarts(routes, touching, {}, Estimate, {.progress = Progress(nullptr, &cancel)});
  EXPECT_EQ(stopped.routes, std::vector<RouteStart>(4));
  EXPECT_EQ(stopped.bound_after, stopped.bound_before);
  EXPECT_EQ(stopped.bound_before, joint.bound_before);
  EXPECT_TRUE(
      RankRouteStarts(routes, touching, {}, Estimate, {.progress = Progress(nullptr, &cancel)})
          .empty());
}

}  // namespace
}  // namespace weldcell::coordination
