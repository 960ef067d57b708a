#include "planner/verify/robustness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <regex>
#include <string>
#include <vector>

#include "planner/collision/collision_world.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/verify.hpp"
#include "tests/planner/test_cells.hpp"

namespace weldcell::verify {
namespace {

using ::testing::HasSubstr;

cell::Cell FacingCell() { return testing::MakeFacingCell(); }

Eigen::VectorXd Home() { return FacingCell().robots[0].home; }

Eigen::VectorXd Reach() {
  Eigen::VectorXd q = Eigen::VectorXd::Zero(6);
  q[1] = 0.7;
  q[2] = -0.4;
  return q;
}

// Half way between home and kReach.
Eigen::VectorXd Halfway() { return 0.5 * (Home() + Reach()); }

// The home with the wrist turned by `angle` rad (joint 6): a motion that bothers nobody.
Eigen::VectorXd Wrist(double angle) {
  Eigen::VectorXd q = Home();
  q[5] += angle;
  return q;
}

// A smooth (cubic) joint move from q0 at t0 to q1 at t0 + duration, sampled every 10 ms.
plan::Segment Motion(const Eigen::VectorXd& q0, const Eigen::VectorXd& q1, double t0,
                     double duration) {
  plan::Segment s{.kind = plan::SegmentKind::kMotion, .from = "home", .to = "home"};
  const int n = static_cast<int>(std::ceil(duration / 0.01));
  for (int i = 0; i <= n; ++i) {
    const double u = static_cast<double>(i) / n;
    s.times.push_back(t0 + u * duration);
    s.q.push_back(q0 + (3 * u * u - 2 * u * u * u) * (q1 - q0));
  }
  return s;
}

plan::Segment Hold(plan::SegmentKind kind, const Eigen::VectorXd& q, double t0, double duration,
                   const std::string& at = "home") {
  return {.kind = kind, .from = at, .to = at, .times = {t0, t0 + duration}, .q = {q, q}};
}

// A timeline built segment by segment, each starting where the previous one ends.
class Timeline {
 public:
  explicit Timeline(std::string robot) { plan_.robot = std::move(robot); }
  Timeline& Move(const Eigen::VectorXd& to, double duration) {
    Add(Motion(q_, to, t_, duration));
    q_ = to;
    return *this;
  }
  Timeline& Wait(double duration) { return Add(Hold(plan::SegmentKind::kWait, q_, t_, duration)); }
  Timeline& Weld(const std::string& id, double duration) {
    plan_.welds.push_back({.weld_id = id, .q = q_, .start_time = t_, .end_time = t_ + duration});
    return Add(Hold(plan::SegmentKind::kWeld, q_, t_, duration, id));
  }
  plan::RobotPlan Done() const { return plan_; }

 private:
  Timeline& Add(plan::Segment s) {
    const double d = s.times.back() - s.times.front();
    (s.kind == plan::SegmentKind::kWait ? plan_.wait_time : plan_.busy_time) += d;
    t_ = s.times.back();
    plan_.finish_time = t_;
    plan_.segments.push_back(std::move(s));
    return *this;
  }
  plan::RobotPlan plan_;
  Eigen::VectorXd q_ = Home();
  double t_ = 0.0;
};

plan::Plan MakePlan(const cell::Cell& c, std::vector<plan::RobotPlan> robots) {
  plan::Plan p{.cell_name = c.name,
               .cell_hash = plan::CellHash(c),
               .seed = c.settings.seed,
               .cycle_time = c.cycle_time};
  for (const plan::RobotPlan& r : robots) p.makespan = std::max(p.makespan, r.finish_time);
  p.within_cycle_time = p.makespan <= c.cycle_time;
  p.robots = std::move(robots);
  return p;
}

plan::ZoneUse Use(const plan::Plan& p, int robot, int acquire, int release) {
  const plan::RobotPlan& r = p.robots[robot];
  return {.robot = r.robot,
          .acquire_segment = acquire,
          .release_segment = release,
          .acquire_time = r.segments[acquire].times.front(),
          .release_time = r.segments[release - 1].times.back()};
}

std::vector<Violation> Of(const VerifyReport& r, ViolationKind kind) {
  std::vector<Violation> out;
  for (const Violation& v : r.violations) {
    if (v.kind == kind) out.push_back(v);
  }
  return out;
}

class RobustnessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(FacingCell());
    world_ = new collision::CollisionWorld(MakeVerifierWorld(*cell_));
  }
  static void TearDownTestSuite() {
    delete world_;
    delete cell_;
  }
  static bool Touch(const Eigen::VectorXd& qa, const Eigen::VectorXd& qb) {
    collision::CollisionContext ctx(*world_);
    return world_->CheckRobotPair(ctx, 0, qa, 1, qb).in_collision();
  }
  // A reaches in and back out; B does the same after it (a wait of A's duration first).
  static plan::Plan OneAfterTheOther() {
    const plan::RobotPlan a = Timeline("A").Move(Reach(), 1.5).Move(Home(), 1.5).Done();
    const plan::RobotPlan b = Timeline("B").Wait(3.0).Move(Reach(), 1.5).Move(Home(), 1.5).Done();
    return MakePlan(*cell_, {a, b});
  }
  static cell::Cell* cell_;
  static collision::CollisionWorld* world_;
};
cell::Cell* RobustnessTest::cell_ = nullptr;
collision::CollisionWorld* RobustnessTest::world_ = nullptr;

TEST_F(RobustnessTest, TheFixtureReachesIntoSharedSpace) {
  EXPECT_TRUE(Touch(Reach(), Reach())) << "both reaching in: the forearms cross";
  EXPECT_FALSE(Touch(Reach(), Home()));
  EXPECT_FALSE(Touch(Home(), Reach()));
  EXPECT_FALSE(Touch(Reach(), Wrist(0.5)));
  EXPECT_FALSE(Touch(Halfway(), Reach()));
}

// A robot given no weld stands at home the whole cycle (one wait): the event checks run on the
// others (they did not run at all, and `weldcell plan` failed its timing-robust requirement
// whenever a robot had no weld). Contact with the idle robot does not depend on timing and is
// still found: on the planned clock.
TEST_F(RobustnessTest, AnIdleRobotDoesNotStopTheRandomTimingRuns) {
  const plan::RobotPlan a = Timeline("A").Move(Reach(), 1.5).Move(Home(), 1.5).Done();
  const plan::RobotPlan idle = Timeline("B").Wait(3.0).Done();
  const VerifyReport r = Verify(MakePlan(*cell_, {a, idle}), *cell_, *world_);
  for (const Violation& v : r.violations) ADD_FAILURE() << ToString(v);
  EXPECT_EQ(r.robustness.runs, 100);
  EXPECT_EQ(r.robustness.runs_with_contact, 0);
  // B idle where A reaches: a robot-robot contact on the planned clock.
  const plan::RobotPlan in_the_way = Timeline("B").Move(Reach(), 0.5).Wait(2.5).Done();
  plan::Plan blocked = MakePlan(*cell_, {a, in_the_way});
  blocked.robots[1].segments = {Hold(plan::SegmentKind::kWait, Reach(), 0.0, 3.0)};
  const VerifyReport hit = Verify(blocked, *cell_, *world_);
  const std::vector<Violation> contacts = Of(hit, ViolationKind::kRobotCollision);
  ASSERT_FALSE(contacts.empty()) << hit.violations.size();
  EXPECT_EQ(contacts[0].robot, "A");
  EXPECT_EQ(contacts[0].other_robot, "B");
  EXPECT_EQ(hit.robustness.runs, 100);
}

// (a) A zone serializes the two reaches: clean on the planned clock and under 100 random runs.
// A hands the zone over half way out, so B reaches in while A still leaves: checked densely.
// Not for every timing, though: A's way home from half way is outside the zone, and while A is
// still near half way (slow) B's forearm, on its way in (fast), meets A's: the exact check
// (concurrency.hpp) reports that pair, the random runs cannot find it.
TEST_F(RobustnessTest, AZoneKeepsSharedSpaceFreeUnderRandomTiming) {
  const plan::RobotPlan a =
      Timeline("A").Move(Reach(), 1.5).Move(Halfway(), 1.2).Move(Home(), 1.2).Done();
  const plan::RobotPlan b = Timeline("B").Wait(2.7).Move(Reach(), 1.5).Move(Home(), 1.5).Done();
  plan::Plan p = MakePlan(*cell_, {a, b});
  p.zones.push_back({.id = "Z1", .uses = {Use(p, 0, 0, 2), Use(p, 1, 1, 3)}});
  const VerifyReport exact = Verify(p, *cell_, *world_);
  const std::vector<Violation> unordered = Of(exact, ViolationKind::kUnorderedContact);
  ASSERT_FALSE(unordered.empty());
  EXPECT_EQ(unordered.size(), exact.violations.size()) << "nothing else";
  EXPECT_THAT(unordered[0].message,
              HasSubstr("A home→home (segment 2, 2.700–3.900 s) and B home→home (segment 1"));
  const VerifyReport r = Verify(p, *cell_, *world_, {.concurrency_check = false});
  for (const Violation& v : r.violations) ADD_FAILURE() << ToString(v);
  EXPECT_EQ(r.robustness.runs, 100);
  EXPECT_EQ(r.robustness.runs_with_contact, 0);
  EXPECT_EQ(r.robustness.runs_deadlocked, 0);
  EXPECT_GT(r.robustness.piece_pairs, 0) << "B reaches in while A leaves: pieces decided";
  const VerifyReport full =
      Verify(p, *cell_, *world_, {.robustness_reuse = false, .concurrency_check = false});
  EXPECT_EQ(full.violations, r.violations);
  EXPECT_EQ(full.robustness.runs_with_contact, 0);
  EXPECT_GT(full.robustness.checks, r.robustness.checks) << "every configuration in the windows";
  // Handed over at A's farthest reach instead, B touches A on its way out in some runs.
  p.zones[0].uses[0] = Use(p, 0, 0, 1);
  p.robots[1].segments[0].times.back() = 1.5;
  // (B's wait is now 1.5 s: shift B's timeline by −1.2 s.)
  for (std::size_t k = 1; k < p.robots[1].segments.size(); ++k) {
    for (double& t : p.robots[1].segments[k].times) t -= 1.2;
  }
  p.robots[1].finish_time -= 1.2;
  p.robots[1].wait_time -= 1.2;
  p.zones[0].uses[1] = Use(p, 1, 1, 3);
  p.makespan = std::max(p.robots[0].finish_time, p.robots[1].finish_time);
  const VerifyReport early = Verify(p, *cell_, *world_);
  EXPECT_TRUE(Of(early, ViolationKind::kTiming).empty());
  EXPECT_GT(early.robustness.runs_with_contact, 0);
  // Deciding piece pairs once finds the same contacts, in the same runs, at the same times.
  const VerifyReport early_full = Verify(p, *cell_, *world_, {.robustness_reuse = false});
  EXPECT_EQ(early_full.violations, early.violations);
  EXPECT_EQ(early_full.robustness.runs_with_contact, early.robustness.runs_with_contact);
}

// A zone released on departure is held while its robot stands at the standstill after the
// zone's last segment: A reaches in, then waits there for weld WB, which B welds after its move
// through the zone. Released on arrival, B goes at once and A leaves when WB is done; released on
// departure, A holds the zone while it waits for WB and B waits for the zone: a deadlock.
TEST_F(RobustnessTest, AZoneReleasedOnDepartureIsHeldWhileTheRobotStandsThere) {
  const plan::RobotPlan a = Timeline("A").Move(Reach(), 1.5).Wait(2.0).Move(Home(), 1.5).Done();
  const plan::RobotPlan b =
      Timeline("B").Wait(1.5).Move(Halfway(), 1.0).Weld("WB", 1.0).Move(Home(), 1.0).Done();
  plan::Plan p = MakePlan(*cell_, {a, b});
  p.weld_signals.push_back({.robot = "A", .segment = 2, .weld = "WB"});
  p.zones.push_back({.id = "Z1", .uses = {Use(p, 0, 0, 1), Use(p, 1, 1, 2)}});
  const EventRun arrival = SimulateEvents(p);
  ASSERT_FALSE(arrival.deadlocked());
  EXPECT_NEAR(arrival.segments[1][0].start, 1.5, 1e-9) << "B moves as A arrives at its reach";
  EXPECT_NEAR(arrival.segments[0][1].start, 3.5, 1e-9) << "A leaves once WB is welded";
  p.zones[0].uses[0].release_on_departure = true;
  const EventRun departure = SimulateEvents(p);
  ASSERT_TRUE(departure.deadlocked());
  EXPECT_EQ(departure.blocked.size(), 2u);
}

// (b) The same schedule with its wait as a bare time offset: no event produces the wait, so the
// nominal check rejects it, and run as events B reaches in at once and touches A in every run.
TEST_F(RobustnessTest, ATimeOffsetWaitIsNotAnInterlock) {
  const plan::Plan p = OneAfterTheOther();
  const VerifyReport r = Verify(p, *cell_, *world_);
  EXPECT_TRUE(Of(r, ViolationKind::kRobotCollision).empty()) << "safe on the planned clock";
  const std::vector<Violation> timing = Of(r, ViolationKind::kTiming);
  ASSERT_EQ(timing.size(), 1u);
  EXPECT_EQ(timing[0].robot, "B");
  EXPECT_THAT(timing[0].message,
              HasSubstr("motion segment 1 (home → home) starts at 3.000000 s on the planned "
                        "clock but at 0.000000 s when the zones and weld signals run as events"));
  const std::vector<Violation> touch = Of(r, ViolationKind::kRobustness);
  ASSERT_EQ(touch.size(), 1u) << "one per robot pair, not one per run";
  EXPECT_EQ(touch[0].robot, "A");
  EXPECT_EQ(touch[0].other_robot, "B");
  EXPECT_THAT(touch[0].message,
              ::testing::ContainsRegex("^under run 0 of 100 \\(seed 1, every duration × U\\[0.8, "
                                       "1.2\\]\\) A and B touch at [0-9.]+ s: A/.* – B/.*; 100 of "
                                       "100 runs touch$"));
  EXPECT_EQ(r.robustness.runs_with_contact, 100);
}

// (b) Without any wait: B first turns its wrist for 1.8 s, then reaches in while A leaves, 0.3 s
// behind it. Safe on the planned clock (no contact at 0.2 s), and the events reproduce it, but it
// rests on exact timing: with ±20 % some runs touch (about a third), and the check says how many.
TEST_F(RobustnessTest, AScheduleSafeOnlyAtItsExactTimingTouchesInSomeRuns) {
  const plan::RobotPlan a = Timeline("A").Move(Reach(), 1.5).Move(Home(), 1.5).Done();
  const plan::RobotPlan b =
      Timeline("B").Move(Wrist(0.3), 1.8).Move(Reach(), 1.5).Move(Home(), 1.5).Done();
  const plan::Plan p = MakePlan(*cell_, {a, b});
  const VerifyReport r = Verify(p, *cell_, *world_);
  EXPECT_TRUE(Of(r, ViolationKind::kRobotCollision).empty());
  EXPECT_TRUE(Of(r, ViolationKind::kTiming).empty());
  const std::vector<Violation> touch = Of(r, ViolationKind::kRobustness);
  ASSERT_EQ(touch.size(), 1u);
  EXPECT_GT(r.robustness.runs_with_contact, 0);
  EXPECT_LT(r.robustness.runs_with_contact, 100);
  EXPECT_THAT(touch[0].message,
              HasSubstr(std::to_string(r.robustness.runs_with_contact) + " of 100 runs touch"));
  // No run at all: no random check; the exact one finds the two reaches unordered.
  EXPECT_TRUE(Verify(p, *cell_, *world_, {.robustness_runs = 0, .concurrency_check = false}).ok());
  const VerifyReport exact = Verify(p, *cell_, *world_, {.robustness_runs = 0});
  EXPECT_FALSE(Of(exact, ViolationKind::kUnorderedContact).empty());
  EXPECT_EQ(exact.violations.size(), Of(exact, ViolationKind::kUnorderedContact).size());
}

// (b2) The contact lies in the middle of a long motion: A swings in to the reach and back out
// in one 3 s segment (30 pieces of 0.1 s), while B first turns its wrist, then reaches in after
// A has left. Safe on the planned clock; with A slow and B fast, they meet at A's middle pieces.
// The runs decide once which piece pairs can touch and check only those densely: the report is
// the one of checking every configuration in the windows, with far fewer checks.
TEST_F(RobustnessTest, AContactInTheMiddleOfALongMotionIsFoundAsByCheckingEverything) {
  plan::Segment swing{.kind = plan::SegmentKind::kMotion, .from = "home", .to = "home"};
  for (int i = 0; i <= 300; ++i) {
    const double u = i / 300.0;
    const double s = std::sin(std::numbers::pi * u);
    swing.times.push_back(3.0 * u);
    swing.q.push_back(Home() + s * s * (Reach() - Home()));
  }
  plan::RobotPlan a{.robot = "A", .segments = {swing}, .busy_time = 3.0, .finish_time = 3.0};
  // B's wrist turn lasts 1.9 s: about a fifth of the runs touch.
  auto plan_with_turn = [&](double turn) {
    const plan::RobotPlan b =
        Timeline("B").Move(Wrist(0.3), turn).Move(Reach(), 1.5).Move(Home(), 1.5).Done();
    return MakePlan(*cell_, {a, b});
  };
  const plan::Plan p = plan_with_turn(1.9);
  const VerifyReport r = Verify(p, *cell_, *world_, {.concurrency_check = false});
  EXPECT_TRUE(Of(r, ViolationKind::kRobotCollision).empty()) << "free on the planned clock";
  EXPECT_TRUE(Of(r, ViolationKind::kTiming).empty());
  const std::vector<Violation> touch = Of(r, ViolationKind::kRobustness);
  ASSERT_EQ(touch.size(), 1u);
  EXPECT_GT(r.robustness.runs_with_contact, 0);
  EXPECT_LT(r.robustness.runs_with_contact, 100);
  // In the middle of A's swing, on the clock of the run reported.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(touch[0].message, m, std::regex("^under run ([0-9]+) of")));
  const int run = std::stoi(m[1]);
  const EventRun events = SimulateEvents(p, DrawFactors(p, 1, run, 0.2));
  const RetimedSegment& swung = events.segments[0][0];
  const double u = (touch[0].time - swung.start) / (swung.end - swung.start);
  EXPECT_GT(u, 0.25) << touch[0].message;
  EXPECT_LT(u, 0.75) << touch[0].message;
  EXPECT_GT(r.robustness.near_piece_pairs, 0);
  EXPECT_LT(r.robustness.near_piece_pairs, r.robustness.piece_pairs) << "some are clear";
  const VerifyReport full =
      Verify(p, *cell_, *world_, {.robustness_reuse = false, .concurrency_check = false});
  EXPECT_EQ(full.violations, r.violations);
  EXPECT_EQ(full.robustness.runs_with_contact, r.robustness.runs_with_contact);
  EXPECT_LT(r.robustness.checks, full.robustness.checks);
  // The same for other turn times: from most runs touching (and the planned clock) to one.
  for (const double turn : {1.5, 2.1, 2.5}) {
    SCOPED_TRACE(::testing::Message() << "turn " << turn << " s");
    const plan::Plan other = plan_with_turn(turn);
    const VerifyReport reused = Verify(other, *cell_, *world_, {.concurrency_check = false});
    EXPECT_GT(reused.robustness.runs_with_contact, 0);
    const VerifyReport every =
        Verify(other, *cell_, *world_, {.robustness_reuse = false, .concurrency_check = false});
    EXPECT_EQ(every.violations, reused.violations);
    EXPECT_EQ(every.robustness.runs_with_contact, reused.robustness.runs_with_contact);
  }
}

// (c) Two zones taken in crossing orders: A holds Z1 and waits for Z2, B holds Z2 and waits for
// Z1. Both robots are reported with what they wait for, in every run.
TEST_F(RobustnessTest, ZonesTakenInCrossingOrdersDeadlock) {
  const plan::RobotPlan a = Timeline("A").Move(Wrist(0.3), 1.0).Move(Home(), 1.0).Done();
  const plan::RobotPlan b = Timeline("B").Move(Wrist(0.3), 1.0).Move(Home(), 1.0).Done();
  plan::Plan p = MakePlan(*cell_, {a, b});
  p.zones.push_back({.id = "Z1", .uses = {Use(p, 0, 0, 2), Use(p, 1, 1, 2)}});
  p.zones.push_back({.id = "Z2", .uses = {Use(p, 1, 0, 2), Use(p, 0, 1, 2)}});
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> dead = Of(r, ViolationKind::kDeadlock);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].robot, "A");
  EXPECT_THAT(dead[0].message,
              HasSubstr("A waits forever at the start of motion segment 1 (home → home) (from "
                        "1.000000 s) for zone Z2 (not yet released by B)"));
  EXPECT_THAT(dead[1].message, HasSubstr("for zone Z1 (not yet released by A)"));
  EXPECT_EQ(r.robustness.runs_deadlocked, 100);
  EXPECT_EQ(r.robustness.runs_with_contact, 0);

  // Consistent orders (Z2 also A first) run through.
  p.zones[1].uses = {Use(p, 0, 1, 2), Use(p, 1, 0, 2)};
  const EventRun run = SimulateEvents(p);
  EXPECT_FALSE(run.deadlocked());
  EXPECT_NEAR(run.segments[1][0].start, 2.0, 1e-12) << "B takes Z2 once A has finished";
}

// Weld signals that wait for each other are a deadlock too.
TEST_F(RobustnessTest, WeldSignalsInACycleDeadlock) {
  const plan::RobotPlan a = Timeline("A").Move(Wrist(0.3), 1.0).Weld("W1", 1.0).Done();
  const plan::RobotPlan b = Timeline("B").Move(Wrist(0.3), 1.0).Weld("W2", 1.0).Done();
  plan::Plan p = MakePlan(*cell_, {a, b});
  p.weld_signals = {{.robot = "A", .segment = 1, .weld = "W2"},
                    {.robot = "B", .segment = 1, .weld = "W1"}};
  const EventRun run = SimulateEvents(p);
  ASSERT_EQ(run.blocked.size(), 2u);
  EXPECT_EQ(run.blocked[0].waits_for,
            (std::vector<std::string>{"weld signal W2 (not yet welded by B)"}));
  EXPECT_EQ(run.blocked[1].segment, 1);
  EXPECT_NEAR(run.blocked[1].since, 1.0, 1e-12);
}

// The re-timed clock: every motion and weld segment scaled by its factor, waits re-derived.
TEST_F(RobustnessTest, SimulationScalesSegmentsAndRederivesTheWaits) {
  plan::Plan p = OneAfterTheOther();
  p.zones.push_back({.id = "Z1", .uses = {Use(p, 0, 0, 2), Use(p, 1, 1, 3)}});
  const EventRun nominal = SimulateEvents(p);
  ASSERT_EQ(nominal.segments[1].size(), 2u) << "the wait is dropped";
  EXPECT_NEAR(nominal.segments[1][0].start, 3.0, 1e-12);
  DurationFactors f = {{1.1, 0.9}, {1.0, 1.2, 0.8, 1.0}};
  const EventRun slow = SimulateEvents(p, f);
  EXPECT_NEAR(slow.finish[0], 1.5 * 1.1 + 1.5 * 0.9, 1e-12);
  EXPECT_NEAR(slow.segments[1][0].start, slow.finish[0], 1e-12);
  EXPECT_NEAR(slow.segments[1][1].end, slow.finish[0] + 1.5 * 1.2 + 1.5 * 0.8, 1e-12);
  EXPECT_NEAR(slow.segments[1][0].factor, 1.2, 0);

  const DurationFactors drawn = DrawFactors(p, 7, 3, 0.2);
  EXPECT_EQ(drawn, DrawFactors(p, 7, 3, 0.2));
  EXPECT_NE(drawn, DrawFactors(p, 7, 4, 0.2));
  for (const std::vector<double>& robot : drawn) {
    for (double x : robot) {
      EXPECT_GE(x, 0.8);
      EXPECT_LE(x, 1.2);
    }
  }
}

// The cell with W2 after W1, and A's timeline: to the wrist pose, W1, home (1 s each).
cell::Cell W2AfterW1(const cell::Cell& base) {
  cell::Cell c = base;
  c.welds = {testing::MakeWeld("W1", {1.0, 1.0, 1.0}), testing::MakeWeld("W2", {2.0, 1.0, 1.0})};
  c.welds[1].after = {"W1"};
  return c;
}
plan::RobotPlan WeldsW1() {
  return Timeline("A").Move(Wrist(0.3), 1.0).Weld("W1", 1.0).Move(Home(), 1.0).Done();
}

// (d) A weld signal keeps `after:` whatever the timing; without it (the wait a bare offset) the
// event-driven B welds W2 before A has welded W1, in every run.
TEST_F(RobustnessTest, AWeldSignalKeepsAfterUnderRandomTiming) {
  const cell::Cell c = W2AfterW1(*cell_);
  const plan::RobotPlan a = WeldsW1();
  const plan::RobotPlan b =
      Timeline("B").Move(Wrist(0.3), 0.5).Wait(1.5).Weld("W2", 1.0).Move(Home(), 1.0).Done();
  plan::Plan p = MakePlan(c, {a, b});
  p.weld_signals = {{.robot = "B", .segment = 2, .weld = "W1"}};
  const VerifyReport kept = Verify(p, c, *world_);
  EXPECT_TRUE(Of(kept, ViolationKind::kPrecedence).empty());
  EXPECT_TRUE(Of(kept, ViolationKind::kTiming).empty());
  EXPECT_EQ(kept.robustness.runs, 100);
  EXPECT_EQ(kept.robustness.runs_out_of_order, 0);

  p.weld_signals.clear();
  const VerifyReport broken = Verify(p, c, *world_);
  const std::vector<Violation> v = Of(broken, ViolationKind::kPrecedence);
  ASSERT_EQ(v.size(), 2u) << "the planned clock keeps it: the events' order and the runs break it";
  EXPECT_EQ(v[1].robot, "B");
  EXPECT_EQ(v[1].message,
            "W2 (B) must be welded after W1 (A), but only the planned timing orders them: no weld "
            "signal, zone or program order makes B wait for A to finish W1 (a delay of A lets B "
            "weld W2 first)");
  EXPECT_THAT(v[0].message, ::testing::ContainsRegex("^under run 0 of 100 .* W2 \\(B\\) starts "
                                                     "welding at [0-9.]+ s, before W1 \\(A\\) has "
                                                     "finished at [0-9.]+ s; 100 of 100 runs$"));
  EXPECT_EQ(broken.robustness.runs_out_of_order, 100);
}

// (d') `after:` kept by the robots' own motions on the planned clock and in every ±20 % run
// (B's move alone outlasts A's move and weld) is still not kept for every timing: a delay of A
// beyond what the runs draw (a robot paused, a slow servo gun) lets B weld first. Only events
// keep it: a weld signal, or a zone that A releases after W1 and B takes before W2.
TEST_F(RobustnessTest, AfterKeptOnlyByTimingIsRefusedEvenWhereNoRunBreaksIt) {
  const cell::Cell c = W2AfterW1(*cell_);
  const plan::RobotPlan a = WeldsW1();
  const plan::RobotPlan b =
      Timeline("B").Move(Wrist(0.3), 4.0).Weld("W2", 1.0).Move(Home(), 1.0).Done();
  plan::Plan p = MakePlan(c, {a, b});
  const VerifyReport timing = Verify(p, c, *world_);
  EXPECT_EQ(timing.robustness.runs_out_of_order, 0) << "no run breaks it";
  const std::vector<Violation> v = Of(timing, ViolationKind::kPrecedence);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].robot, "B");
  EXPECT_NEAR(v[0].time, 4.0, 1e-12) << "where B starts W2";
  EXPECT_THAT(v[0].message, ::testing::HasSubstr("only the planned timing orders them"));

  p.zones.push_back({.id = "Z1", .uses = {Use(p, 0, 0, 2), Use(p, 1, 1, 2)}});
  const VerifyReport zone = Verify(p, c, *world_);
  EXPECT_TRUE(Of(zone, ViolationKind::kPrecedence).empty()) << "A releases Z1 after W1";
  EXPECT_TRUE(Of(zone, ViolationKind::kTiming).empty());

  p.zones[0].uses[0] = Use(p, 0, 0, 1);  // released before W1: the zone no longer orders them
  EXPECT_EQ(Of(Verify(p, c, *world_), ViolationKind::kPrecedence).size(), 1u);
}

// (e) The same report, byte for byte, on one thread and on two.
TEST_F(RobustnessTest, TheReportDoesNotDependOnTheThreadCount) {
  const plan::RobotPlan a = Timeline("A").Move(Reach(), 1.5).Move(Home(), 1.5).Done();
  const plan::RobotPlan b =
      Timeline("B").Move(Wrist(0.3), 1.8).Move(Reach(), 1.5).Move(Home(), 1.5).Done();
  const plan::Plan p = MakePlan(*cell_, {a, b});
  const VerifyReport one = Verify(p, *cell_, *world_, {.robustness_runs = 40, .threads = 1});
  const VerifyReport two = Verify(p, *cell_, *world_, {.robustness_runs = 40, .threads = 2});
  EXPECT_EQ(one.violations, two.violations);
  EXPECT_EQ(one.robustness, two.robustness);
  EXPECT_GT(one.robustness.runs_with_contact, 0) << "something to compare";
  const VerifyReport other_seed =
      Verify(p, *cell_, *world_, {.robustness_runs = 40, .robustness_seed = 2, .threads = 2});
  EXPECT_NE(one.robustness, other_seed.robustness);
}

}  // namespace
}  // namespace weldcell::verify
