#include "planner/verify/concurrency.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/verify/robustness.hpp"
#include "planner/verify/verify.hpp"
#include "tests/planner/collision/test_cells.hpp"

namespace weldcell::verify {
namespace {

using internal::FindContact;
using internal::PieceContact;
using internal::SweptPiece;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<Violation> Of(const VerifyReport& r, ViolationKind kind) {
  std::vector<Violation> out;
  for (const Violation& v : r.violations) {
    if (v.kind == kind) out.push_back(v);
  }
  return out;
}

std::string Messages(const VerifyReport& r) {
  std::string out;
  for (const Violation& v : r.violations) out += ToString(v) + "\n";
  return out;
}

// The demo station as `weldcell plan` plans it (two robots, interlock zones between them), then
// edited by hand the way a user might: the exact check must catch what random timings do not.
class ConcurrencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(cell::LoadCell("cells/demo/cell.yaml").value);
    world_ = new collision::CollisionWorld(MakeVerifierWorld(*cell_));
    const collision::CollisionWorld planner_world(*cell_);
    // Without re-allocation rounds: the first coordinated plan has its zones too, at a fraction
    // of the time (the suite also runs under AddressSanitizer).
    plan_ = new plan::Plan(
        pipeline::PlanCell(*cell_, planner_world, {.threads = 2, .rebalance_rounds = 0}).plan);
  }
  static void TearDownTestSuite() {
    delete plan_;
    delete world_;
    delete cell_;
  }
  // The broken variants need no random runs: the exact check is what is tested.
  static VerifyReport Check(const plan::Plan& p) {
    return Verify(p, *cell_, *world_, {.robustness_runs = 0, .threads = 2});
  }
  static std::vector<plan::Zone>::iterator ZoneWithTwoRobots(plan::Plan& p) {
    return std::find_if(p.zones.begin(), p.zones.end(), [](const plan::Zone& z) {
      return z.uses.size() == 2 && z.uses[0].robot != z.uses[1].robot;
    });
  }
  static cell::Cell* cell_;
  static collision::CollisionWorld* world_;
  static plan::Plan* plan_;
};
cell::Cell* ConcurrencyTest::cell_ = nullptr;
collision::CollisionWorld* ConcurrencyTest::world_ = nullptr;
plan::Plan* ConcurrencyTest::plan_ = nullptr;

TEST_F(ConcurrencyTest, ThePlannedDemoIsSafeForEveryTiming) {
  ASSERT_EQ(plan_->robots.size(), 2u);
  ASSERT_FALSE(plan_->zones.empty()) << "the demo's robots share space: the fixture needs zones";
  const VerifyReport r = Verify(*plan_, *cell_, *world_, {.threads = 2});
  EXPECT_TRUE(r.ok()) << Messages(r);
  EXPECT_TRUE(r.concurrency.run);
  EXPECT_GT(r.concurrency.unordered_pairs, 0);
  EXPECT_GT(r.concurrency.checks, 0) << "unordered pieces near each other are checked exactly";
}

TEST_F(ConcurrencyTest, ARemovedZoneIsAnUnorderedContactNamingBothRobotsAndSegments) {
  plan::Plan p = *plan_;
  const auto zone = ZoneWithTwoRobots(p);
  ASSERT_NE(zone, p.zones.end());
  const std::string a = zone->uses[0].robot, b = zone->uses[1].robot;
  p.zones.erase(zone);
  const VerifyReport r = Check(p);
  const std::vector<Violation> v = Of(r, ViolationKind::kUnorderedContact);
  ASSERT_FALSE(v.empty()) << Messages(r);
  EXPECT_GT(r.unsafe_count(), 0) << "blocks export";
  for (const Violation& x : v) {
    EXPECT_FALSE(x.omission);
    EXPECT_EQ(x.robot, "R1");
    EXPECT_EQ(x.other_robot, "R2");
    // "R1 W03→W04 (segment 33, 19.6–19.9 s) and R2 W05 dwell (segment 18, …) may overlap for
    // some timing … and touch: R1/gun – R2/link_5 (…)"
    EXPECT_THAT(x.message,
                ::testing::ContainsRegex("^R1 (standstill at )?[A-Za-z0-9→ ]+.*\\(segment [0-9]+, "
                                         "[0-9.]+–[0-9.]+ s\\) and R2 .*\\(segment [0-9]+, "
                                         "[0-9.]+–[0-9.]+ s\\) may overlap for some timing .* and "
                                         "touch: R[12]/[a-z_0-9]+ – R[12]/[a-z_0-9]+ "));
  }
  EXPECT_TRUE(a == "R1" || b == "R1");
  // The planned clock itself stays free of contact: only the exact check sees the danger.
  const VerifyReport rest =
      Verify(p, *cell_, *world_, {.robustness_runs = 0, .concurrency_check = false});
  EXPECT_TRUE(Of(rest, ViolationKind::kRobotCollision).empty()) << Messages(rest);
  EXPECT_TRUE(Of(rest, ViolationKind::kUnorderedContact).empty());
}

// All zones removed by hand: most piece pairs of the two robots are unordered. The check still
// finds their contacts, far from checking every configuration pair, and stops at its cap.
TEST_F(ConcurrencyTest, WithoutZonesContactsAreFoundWithFarFewerChecksThanConfigurationPairs) {
  plan::Plan p = *plan_;
  p.zones.clear();
  const VerifyReport all =
      Verify(p, *cell_, *world_, {.robustness_runs = 0, .threads = 2, .max_unordered_contacts = 0});
  const ConcurrencyFigures& f = all.concurrency;
  const std::vector<Violation> contacts = Of(all, ViolationKind::kUnorderedContact);
  ASSERT_GT(contacts.size(), 3u) << Messages(all);
  EXPECT_TRUE(f.run);
  EXPECT_FALSE(f.capped);
  EXPECT_EQ(f.checked_pairs, f.unordered_pairs);
  EXPECT_GT(f.unordered_pairs, plan_->robots[0].segments.size()) << "nearly all pairs unordered";
  EXPECT_LT(f.checks * 20, f.dense_pairs)
      << f.checks << " checks, " << f.dense_pairs << " configuration pairs";

  // Capped at 3: the first three contacts in piece order, whatever the thread count.
  std::vector<Violation> first;
  for (const int threads : {1, 2}) {
    const VerifyReport capped =
        Verify(p, *cell_, *world_,
               {.robustness_runs = 0, .threads = threads, .max_unordered_contacts = 3});
    const std::vector<Violation> v = Of(capped, ViolationKind::kUnorderedContact);
    ASSERT_EQ(v.size(), 3u) << Messages(capped);
    EXPECT_TRUE(capped.concurrency.capped);
    EXPECT_LT(capped.concurrency.checked_pairs, f.checked_pairs);
    EXPECT_LT(capped.concurrency.checks, f.checks);
    for (const Violation& x : v) {
      EXPECT_NE(std::find(contacts.begin(), contacts.end(), x), contacts.end()) << ToString(x);
    }
    if (first.empty()) {
      first = v;
    } else {
      EXPECT_EQ(v, first) << "thread count changed the contacts reported";
    }
    const std::vector<std::string> lines = SummaryLines(capped);
    ASSERT_FALSE(lines.empty());
    EXPECT_THAT(lines.back(),
                ::testing::ContainsRegex("unordered contact: the check stopped after the first 3 "
                                         "\\(in piece order\\): [0-9]+ of [0-9]+ unordered piece "
                                         "pairs were not checked, more may touch"));
  }
  // The uncapped report says nothing of the kind.
  for (const std::string& line : SummaryLines(all)) EXPECT_THAT(line, Not(HasSubstr("stopped")));
}

// Progress per block of piece pairs, and a cancellation during the check stops it there.
TEST_F(ConcurrencyTest, ProgressMovesPerBlockOfPairsAndCancellationStopsTheCheck) {
  plan::Plan p = *plan_;
  p.zones.clear();
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;  // (done, total) of kConcurrencyStage
  std::atomic<bool> cancel{false};
  bool cancel_at_first = false;
  const Progress progress(
      [&](std::string_view stage, std::int64_t done, std::int64_t total) {
        if (stage != kConcurrencyStage) return;
        seen.emplace_back(done, total);
        if (cancel_at_first) cancel = true;
      },
      &cancel);
  const VerifyReport full = Verify(
      p, *cell_, *world_,
      {.robustness_runs = 0, .threads = 2, .max_unordered_contacts = 0, .progress = progress});
  ASSERT_GT(seen.size(), 2u) << "one report per block of pairs";
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i].first, seen[i - 1].first);
    EXPECT_EQ(seen[i].second, full.concurrency.unordered_pairs);
  }
  EXPECT_EQ(seen.back().first, full.concurrency.unordered_pairs);

  seen.clear();
  cancel_at_first = true;
  const VerifyReport stopped = Verify(
      p, *cell_, *world_,
      {.robustness_runs = 0, .threads = 2, .max_unordered_contacts = 0, .progress = progress});
  EXPECT_EQ(seen.size(), 1u) << "no block starts after the cancellation";
  EXPECT_FALSE(stopped.concurrency.run);
  EXPECT_LT(stopped.concurrency.checked_pairs, full.concurrency.checked_pairs);
}

// The zone's first robot releases it when its first zone segment ends instead of after its last
// one: the waits of the planned clock stay what the events produce, yet the rest of its pieces in
// the zone are unordered with the other robot's.
TEST_F(ConcurrencyTest, AReleaseMovedToTheStartIsAnUnorderedContact) {
  plan::Plan p = *plan_;
  const auto zone = ZoneWithTwoRobots(p);
  ASSERT_NE(zone, p.zones.end());
  plan::ZoneUse& first = zone->uses[0];
  ASSERT_GT(first.release_segment, first.acquire_segment + 1) << "a zone of one segment";
  const std::string robot = first.robot, other = zone->uses[1].robot;
  const auto r_plan = std::find_if(p.robots.begin(), p.robots.end(),
                                   [&](const plan::RobotPlan& r) { return r.robot == robot; });
  first.release_segment = first.acquire_segment + 1;
  first.release_on_departure = false;
  first.release_time = r_plan->segments[first.acquire_segment].times.back();
  const VerifyReport r = Check(p);
  const std::vector<Violation> v = Of(r, ViolationKind::kUnorderedContact);
  ASSERT_FALSE(v.empty()) << Messages(r);
  EXPECT_GT(r.unsafe_count(), 0);
  bool names_both = false;
  for (const Violation& x : v) {
    names_both |= x.message.find(robot + " ") != std::string::npos &&
                  x.message.find(" " + other + " ") != std::string::npos;
  }
  EXPECT_TRUE(names_both) << Messages(r);
}

TEST_F(ConcurrencyTest, AnUnknownWeldIdOrOneThePoseDoesNotWeldIsAWeldViolation) {
  // R1's first weld segment.
  auto weld_segment = [](plan::Plan& p) -> plan::Segment& {
    for (plan::Segment& s : p.robots[0].segments) {
      if (s.kind == plan::SegmentKind::kWeld) return s;
    }
    ADD_FAILURE() << "no weld segment";
    return p.robots[0].segments.front();
  };
  plan::Plan unknown = *plan_;
  weld_segment(unknown).to = "W99";
  const VerifyReport r = Check(unknown);
  const std::vector<Violation> v = Of(r, ViolationKind::kWeld);
  ASSERT_EQ(v.size(), 1u) << Messages(r);
  EXPECT_THAT(v[0].message, HasSubstr("names weld W99, which is not in the cell"));
  EXPECT_FALSE(v[0].omission);
  EXPECT_EQ(r.unsafe_count(), 1);

  // Both ids renamed to another weld of the cell, one R1 welds elsewhere: the pose is not there.
  plan::Plan renamed = *plan_;
  plan::Segment& s = weld_segment(renamed);
  const std::string welded = s.from;
  const std::string other = renamed.robots[0].welds.back().weld_id;
  ASSERT_NE(other, welded);
  s.from = s.to = other;
  const VerifyReport moved = Check(renamed);
  bool pose = false;
  for (const Violation& x : Of(moved, ViolationKind::kWeld)) {
    EXPECT_FALSE(x.omission);
    pose |= x.message.find("names " + other + ", but its configuration does not weld " + other) !=
            std::string::npos;
  }
  EXPECT_TRUE(pose) << Messages(moved);
  EXPECT_GT(moved.unsafe_count(), 0);

  plan::Plan split = *plan_;
  weld_segment(split).to = other;  // from one weld to another: not a weld segment
  const VerifyReport two = Check(split);
  ASSERT_EQ(Of(two, ViolationKind::kWeld).size(), 2u) << Messages(two);
  EXPECT_THAT(Of(two, ViolationKind::kWeld)[0].message, HasSubstr("a weld segment welds one weld"));
  EXPECT_THAT(Of(two, ViolationKind::kWeld)[1].message,
              HasSubstr("but the segment before it ends at " + other));

  // A travel move labelled with another weld than the one it arrives at (programs comment
  // every move with these labels): the next segment does not start where it says it ends.
  plan::Plan relabelled = *plan_;
  for (plan::Segment& m : relabelled.robots[0].segments) {
    if (m.kind == plan::SegmentKind::kMotion && m.to != "home" && m.to != other) {
      m.to = other;
      break;
    }
  }
  const std::vector<Violation> label = Of(Check(relabelled), ViolationKind::kWeld);
  ASSERT_EQ(label.size(), 1u);
  EXPECT_THAT(label[0].message, HasSubstr("but the segment before it ends at " + other));
}

// The order itself: program order within a robot, zone hand-overs between robots, transitively.
TEST_F(ConcurrencyTest, TheOrderFollowsProgramOrderAndZoneHandOvers) {
  const std::optional<internal::SegmentOrder> order = internal::OrderSegments(*plan_);
  ASSERT_TRUE(order.has_value());
  const plan::Zone& zone = plan_->zones.front();
  auto robot_index = [&](const std::string& name) {
    for (std::size_t p = 0; p < plan_->robots.size(); ++p) {
      if (plan_->robots[p].robot == name) return static_cast<int>(p);
    }
    return -1;
  };
  auto active_index = [&](int p, int segment) {
    const std::vector<int>& a = order->active[p];
    return static_cast<int>(std::find(a.begin(), a.end(), segment) - a.begin());
  };
  const plan::ZoneUse& u0 = zone.uses[0];
  const plan::ZoneUse& u1 = zone.uses[1];
  const int p0 = robot_index(u0.robot), p1 = robot_index(u1.robot);
  ASSERT_GE(p0, 0);
  ASSERT_GE(p1, 0);
  ASSERT_FALSE(u0.release_on_departure);
  const int last0 = active_index(p0, u0.release_segment - 1);
  const int acquire1 = active_index(p1, u1.acquire_segment);
  // The end of the first robot's last zone segment precedes the second robot's zone, and
  // (transitively) everything after it; nothing of the second robot's zone precedes it.
  EXPECT_TRUE(order->Precedes(p0, 2 * last0 + 1, p1, 2 * acquire1));
  EXPECT_TRUE(order->Precedes(p0, 2 * last0 + 1, p1, 2 * acquire1 + 1));
  EXPECT_TRUE(order->Precedes(p0, 0, p1, 2 * acquire1));
  EXPECT_FALSE(order->Precedes(p1, 2 * acquire1, p0, 2 * last0 + 1));
  EXPECT_TRUE(order->gated[p1][acquire1]);
  // Without zones or signals the robots are unordered.
  plan::Plan free = *plan_;
  free.zones.clear();
  free.weld_signals.clear();
  const std::optional<internal::SegmentOrder> none = internal::OrderSegments(free);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->Precedes(p0, 1, p1, 2 * static_cast<int>(none->active[p1].size()) - 1));
}

// The hierarchical search against checking every configuration pair, on pieces built in code:
// joint-space motions of the demo's two robots through a touching configuration pair, moved
// along a family until the dense verdict flips, so that both a near miss (just free) and a
// grazing contact are among the cases.
class FindContactTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(cell::LoadCell("cells/demo/cell.yaml").value);
    world_ = new collision::CollisionWorld(MakeVerifierWorld(*cell_));
  }
  static void TearDownTestSuite() {
    delete world_;
    delete cell_;
  }
  // Three samples: q − dq, q, q + dq, at 0, 0.5, 1 s.
  static SweptPiece Piece(collision::CollisionContext& ctx, int robot, const Eigen::VectorXd& q,
                          const Eigen::VectorXd& dq) {
    const std::vector<Eigen::VectorXd> samples{q - dq, q, q + dq};
    const std::vector<double> times{0.0, 0.5, 1.0};
    return SweptPiece(*world_, ctx, robot, samples, times, kStep);
  }
  // Every configuration pair, no pruning: the reference verdict (bodies nearer than twice the
  // margin touch).
  static bool DenseContact(collision::CollisionContext& ctx, const SweptPiece& a,
                           const SweptPiece& b, double margin = 0.0) {
    for (const Eigen::VectorXd& qa : a.configurations()) {
      for (const Eigen::VectorXd& qb : b.configurations()) {
        if (world_
                ->CheckRobotPair(ctx, a.robot(), qa, b.robot(), qb,
                                 collision::ContactReport::kFirst, margin)
                .in_collision()) {
          return true;
        }
      }
    }
    return false;
  }
  // A touching configuration pair of the demo's robots drawn from `rng` (they face each other
  // 4.8 m apart: random pairs meet now and then); none after 200,000 draws.
  static std::optional<std::pair<Eigen::VectorXd, Eigen::VectorXd>> RandomTouch(
      collision::CollisionContext& ctx, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto random_q = [&](const kinematics::Chain& c) {
      Eigen::VectorXd q(c.dof());
      for (int i = 0; i < q.size(); ++i)
        q[i] = c.lower()[i] + unit(rng) * (c.upper()[i] - c.lower()[i]);
      return q;
    };
    for (int k = 0; k < 200000; ++k) {
      Eigen::VectorXd qa = random_q(world_->chain(0)), qb = random_q(world_->chain(1));
      if (world_->CheckRobotPair(ctx, 0, qa, 1, qb).in_collision()) return std::pair{qa, qb};
    }
    return std::nullopt;
  }
  static constexpr double kStep = 0.02;  // m
  static cell::Cell* cell_;
  static collision::CollisionWorld* world_;
};
cell::Cell* FindContactTest::cell_ = nullptr;
collision::CollisionWorld* FindContactTest::world_ = nullptr;

TEST_F(FindContactTest, FindsExactlyTheContactsOfTheDenseCheckIncludingNearMisses) {
  collision::CollisionContext ctx(*world_);
  const kinematics::Chain& ca = world_->chain(0);
  const kinematics::Chain& cb = world_->chain(1);
  int cases = 0, touching = 0, near_misses = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto random_dq = [&](int dof) {
      Eigen::VectorXd d(dof);
      for (int i = 0; i < dof; ++i) d[i] = unit(rng) - 0.5;
      return Eigen::VectorXd(0.1 * d.normalized());
    };
    // A touching configuration pair, each robot's other end of the family its home.
    const auto touch = RandomTouch(ctx, rng);
    ASSERT_TRUE(touch.has_value());
    const Eigen::VectorXd dqa = random_dq(ca.dof()), dqb = random_dq(cb.dof());
    const Eigen::VectorXd& home_b = cell_->robots[1].home;
    const SweptPiece a = Piece(ctx, 0, touch->first, dqa);
    auto b_at = [&](double s) { return Piece(ctx, 1, home_b + s * (touch->second - home_b), dqb); };
    auto expect_same = [&](double s) {
      const SweptPiece b = b_at(s);
      const bool dense = DenseContact(ctx, a, b);
      long long checks = 0;
      const std::optional<PieceContact> found = FindContact(*world_, ctx, a, b, &checks);
      EXPECT_EQ(found.has_value(), dense) << "s = " << s;
      if (found) {
        EXPECT_TRUE(world_
                        ->CheckRobotPair(ctx, 0, a.configurations()[found->index_a], 1,
                                         b.configurations()[found->index_b])
                        .in_collision());
        EXPECT_THAT(found->bodies, ::testing::MatchesRegex("R1/.* – R2/.*"));
      }
      ++cases;
      touching += dense;
      return dense;
    };
    ASSERT_TRUE(expect_same(1.0)) << "the middle samples touch";
    if (expect_same(0.0)) continue;  // B's family touches A all along: no boundary to find
    // Bisection to the flip of the dense verdict: a near miss and a grazing contact.
    double lo = 0.0, hi = 1.0;
    for (int k = 0; k < 24; ++k) {
      const double mid = 0.5 * (lo + hi);
      (DenseContact(ctx, a, b_at(mid)) ? hi : lo) = mid;
    }
    EXPECT_FALSE(expect_same(lo)) << "near miss at s = " << lo;
    EXPECT_TRUE(expect_same(hi)) << "grazing contact at s = " << hi;
    ++near_misses;
    for (const double s : {0.25 * lo, 0.5 * (lo + 1.0), lo - 1e-3, hi + 1e-3}) expect_same(s);
  }
  EXPECT_GE(near_misses, 3) << "the cases must include near misses";
  EXPECT_GT(touching, 0);
  EXPECT_LT(touching, cases);
}

// With a margin (as the robustness check decides whether two pieces can touch at all), the
// search gives the dense verdict with that margin: near misses within twice the margin are
// contacts, pieces just farther apart are not.
TEST_F(FindContactTest, WithAMarginFindsExactlyTheContactsOfTheDenseCheckWithThatMargin) {
  collision::CollisionContext ctx(*world_);
  constexpr double kMargin = 0.01;  // m: bodies nearer than 2 cm touch
  int within_margin_only = 0, cases = 0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    const auto touch = RandomTouch(ctx, rng);
    ASSERT_TRUE(touch.has_value());
    const Eigen::VectorXd dq = Eigen::VectorXd::Constant(touch->first.size(), 0.03);
    const Eigen::VectorXd& home_b = cell_->robots[1].home;
    const SweptPiece a = Piece(ctx, 0, touch->first, dq);
    auto b_at = [&](double s) { return Piece(ctx, 1, home_b + s * (touch->second - home_b), -dq); };
    auto expect_same = [&](double s) {
      const SweptPiece b = b_at(s);
      const bool dense = DenseContact(ctx, a, b, kMargin);
      long long checks = 0;
      EXPECT_EQ(FindContact(*world_, ctx, a, b, &checks, kMargin).has_value(), dense)
          << "s = " << s;
      ++cases;
      within_margin_only += dense && !DenseContact(ctx, a, b);
      return dense;
    };
    ASSERT_TRUE(expect_same(1.0));
    if (expect_same(0.0)) continue;
    // Bisection to the flip of the dense verdict with the margin: there the pieces are about
    // 2 cm apart, free without it.
    double lo = 0.0, hi = 1.0;
    for (int k = 0; k < 20; ++k) {
      const double mid = 0.5 * (lo + hi);
      (DenseContact(ctx, a, b_at(mid), kMargin) ? hi : lo) = mid;
    }
    EXPECT_FALSE(expect_same(lo)) << "just beyond the margin at s = " << lo;
    EXPECT_TRUE(expect_same(hi)) << "just within the margin at s = " << hi;
    for (const double s : {0.5 * lo, 0.5 * (lo + 1.0)}) expect_same(s);
  }
  EXPECT_GT(within_margin_only, 0) << "cases that only the margin makes contacts";
  EXPECT_GT(cases, 8);
}

// What the robustness check relies on to skip a pair of pieces in every run: any configuration
// on a piece's polyline is within half the step (of robot-point travel) of one of its
// subdivisions, so a search with a margin of half the step finds every touching pair of
// configurations on the two polylines, not only of the subdivisions. Pieces just clear at their
// subdivisions (by bisection, as above) are searched for touching configurations in between.
TEST_F(FindContactTest, AMarginOfHalfTheStepCoversTheConfigurationsBetweenTheSubdivisions) {
  collision::CollisionContext ctx(*world_);
  constexpr double kCoarse = 0.1;  // m: few subdivisions, wide gaps between them
  auto piece = [&](int robot, const Eigen::VectorXd& q, const Eigen::VectorXd& dq) {
    const std::vector<Eigen::VectorXd> samples{q - dq, q + dq};
    const std::vector<double> times{0.0, 1.0};
    return SweptPiece(*world_, ctx, robot, samples, times, kCoarse);
  };
  int between_only = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto touch = RandomTouch(ctx, rng);
    ASSERT_TRUE(touch.has_value());
    Eigen::VectorXd dqa(touch->first.size()), dqb(touch->second.size());
    for (int i = 0; i < dqa.size(); ++i) dqa[i] = 0.2 * (unit(rng) - 0.5);
    for (int i = 0; i < dqb.size(); ++i) dqb[i] = 0.2 * (unit(rng) - 0.5);
    const Eigen::VectorXd& home_b = cell_->robots[1].home;
    const SweptPiece a = piece(0, touch->first, dqa);
    auto b_at = [&](double s) { return piece(1, home_b + s * (touch->second - home_b), dqb); };
    if (DenseContact(ctx, a, b_at(0.0))) continue;
    double lo = 0.0, hi = 1.0;
    for (int k = 0; k < 20; ++k) {
      const double mid = 0.5 * (lo + hi);
      (DenseContact(ctx, a, b_at(mid)) ? hi : lo) = mid;
    }
    // Just clear at the subdivisions, and a little clearer: touching in between?
    for (const double s : {lo, lo - 0.002, lo - 0.005, lo - 0.01}) {
      const SweptPiece b = b_at(s);
      ASSERT_FALSE(DenseContact(ctx, a, b));
      bool touches = false;
      const Eigen::VectorXd qb0 = home_b + s * (touch->second - home_b);
      for (int i = 0; i <= 60 && !touches; ++i) {
        const Eigen::VectorXd qa = touch->first + (i / 30.0 - 1.0) * dqa;
        for (int k = 0; k <= 60 && !touches; ++k) {
          touches =
              world_->CheckRobotPair(ctx, 0, qa, 1, qb0 + (k / 30.0 - 1.0) * dqb).in_collision();
        }
      }
      if (!touches) continue;
      ++between_only;
      long long checks = 0;
      EXPECT_TRUE(FindContact(*world_, ctx, a, b, &checks, 0.5 * kCoarse + 1e-4).has_value())
          << "s = " << s << ": configurations between the subdivisions touch";
    }
  }
  EXPECT_GT(between_only, 0) << "cases where only configurations between subdivisions touch";
}

// A single configuration (a standstill) against a motion, both ways round.
TEST_F(FindContactTest, AStandstillAgainstAMotionIsCheckedAtItsOneConfiguration) {
  collision::CollisionContext ctx(*world_);
  const Eigen::VectorXd& home_a = cell_->robots[0].home;
  const Eigen::VectorXd& home_b = cell_->robots[1].home;
  const std::vector<Eigen::VectorXd> one{home_a};
  const std::vector<double> zero{0.0};
  const SweptPiece still(*world_, ctx, 0, one, zero, kStep);
  ASSERT_EQ(still.configurations().size(), 1u);
  const SweptPiece moving = Piece(ctx, 1, home_b, Eigen::VectorXd::Constant(home_b.size(), 0.1));
  EXPECT_GT(moving.configurations().size(), 2u) << "subdivided to the step";
  long long checks = 0;
  EXPECT_FALSE(FindContact(*world_, ctx, still, moving, &checks).has_value()) << "homes are free";
  EXPECT_EQ(DenseContact(ctx, still, moving), false);
}

// With a margin, the pair check grows a box by twice it on every side, and the grown box's
// corners reach past a box grown by twice the margin along each axis: two boxes turned every
// way (a three-axis wrist each), one configuration per piece, must touch for the search exactly
// when they do for CheckRobotPair (before the search's boxes held the corners, it missed 49 of
// these 362 contacts).
TEST(FindContactMargin, HoldsTheCornersOfThePrimitivesTheCheckGrows) {
  cell::Cell c;
  c.name = "tumbling boxes";
  c.robots = {collision::testing::TumblingBox("A", collision::testing::Pose({0, 0, 1})),
              collision::testing::TumblingBox("B", collision::testing::Pose({0.42, 0.05, 1.02}))};
  const collision::CollisionWorld world(c);
  collision::CollisionContext ctx(world);
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(-std::numbers::pi, std::numbers::pi);
  const double margin = 0.05;
  const std::vector<double> zero{0.0};
  int contacts = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    const std::vector<Eigen::VectorXd> qa{Eigen::Vector3d(u(rng), u(rng), u(rng))};
    const std::vector<Eigen::VectorXd> qb{Eigen::Vector3d(u(rng), u(rng), u(rng))};
    const bool dense =
        world.CheckRobotPair(ctx, 0, qa[0], 1, qb[0], collision::ContactReport::kFirst, margin)
            .in_collision();
    const SweptPiece a(world, ctx, 0, qa, zero, 0.01);
    const SweptPiece b(world, ctx, 1, qb, zero, 0.01);
    long long checks = 0;
    EXPECT_EQ(FindContact(world, ctx, a, b, &checks, margin).has_value(), dense)
        << "trial " << trial;
    contacts += dense;
  }
  EXPECT_GT(contacts, 100);
}

}  // namespace
}  // namespace weldcell::verify
