// Contract suite of the IkSolver interface, run against every implementation.
#include "planner/kinematics/ik.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <thread>

#include "planner/kinematics/numeric_ik.hpp"
#include "planner/kinematics/opw_ik.hpp"
#include "tests/planner/kinematics/test_robots.hpp"

namespace weldcell::kinematics {
namespace {

using testing::PoseError;
using testing::RandomConfiguration;

// The KR 6 with multi-turn options (ABB sells axis 6 with hundreds of turns): J1 ±20 rad, J4 and
// J6 ±`wide` rad. Every range is wider than three turns.
cell::RobotModel WideKr6(double wide = 100.0) {
  cell::RobotModel m = testing::MakeKr6R700();
  m.joints[0].lower = -20.0;
  m.joints[0].upper = 20.0;
  for (int j : {3, 5}) {
    m.joints[j].lower = -wide;
    m.joints[j].upper = wide;
  }
  return m;
}
constexpr int kWideJoints[] = {0, 3, 5};

struct SolverCase {
  std::string name;
  std::function<std::unique_ptr<IkSolver>()> make;
};

std::vector<SolverCase> Cases() {
  return {
      {"OpwKr6",
       [] { return std::make_unique<OpwIk>(*OpwIk::FromChain(Chain(testing::MakeKr6R700()))); }},
      {"NumericKr6", [] { return std::make_unique<NumericIk>(Chain(testing::MakeKr6R700())); }},
      {"NumericOffsetWrist",
       [] { return std::make_unique<NumericIk>(Chain(testing::MakeOffsetWrist6R())); }},
      {"MadeSevenDof", [] { return MakeIkSolver(Chain(testing::MakeSevenDof())); }},
      {"MadeTrack", [] { return MakeIkSolver(Chain(testing::MakeTrackKr6())); }},
      {"OpwKr6Wide", [] { return std::make_unique<OpwIk>(*OpwIk::FromChain(Chain(WideKr6()))); }},
      {"NumericKr6Wide", [] { return std::make_unique<NumericIk>(Chain(WideKr6())); }},
  };
}

class IkContractTest : public ::testing::TestWithParam<SolverCase> {
 protected:
  void SetUp() override { solver_ = GetParam().make(); }
  std::vector<Eigen::Isometry3d> Targets(int n, std::uint64_t seed) const {
    const Chain& chain = solver_->chain();
    std::mt19937_64 rng(seed);
    std::vector<Eigen::Isometry3d> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(chain.FlangePose(RandomConfiguration(chain.lower(), chain.upper(), &rng)));
    }
    return out;
  }
  std::unique_ptr<IkSolver> solver_;
};

TEST_P(IkContractTest, SolutionsAreExactAndWithinLimits) {
  const Chain& chain = solver_->chain();
  int solved = 0;
  const std::vector<Eigen::Isometry3d> targets = Targets(50, 1);
  for (size_t t = 0; t < targets.size(); ++t) {
    const std::vector<IkSolution> solutions =
        solver_->SolveWithBranches(targets[t], {.random_seed = t});
    solved += solutions.empty() ? 0 : 1;
    for (const IkSolution& s : solutions) {
      ASSERT_EQ(s.q.size(), chain.dof());
      EXPECT_TRUE(chain.WithinLimits(s.q)) << "target " << t;
      const auto [dp, dr] = PoseError(chain.FlangePose(s.q), targets[t]);
      EXPECT_LE(dp, 1e-9) << "target " << t;
      EXPECT_LE(dr, 1e-9) << "target " << t;
    }
  }
  EXPECT_GE(solved, 49);
}

TEST_P(IkContractTest, SolveReturnsTheJointValuesOfSolveWithBranches) {
  for (const Eigen::Isometry3d& X : Targets(5, 2)) {
    const std::vector<IkSolution> with = solver_->SolveWithBranches(X);
    const std::vector<Eigen::VectorXd> plain = solver_->Solve(X);
    ASSERT_EQ(with.size(), plain.size());
    for (size_t i = 0; i < plain.size(); ++i) EXPECT_EQ(with[i].q, plain[i]);
  }
}

TEST_P(IkContractTest, MaxSolutionsAndEquivalents) {
  const int n = solver_->chain().dof();
  for (const Eigen::Isometry3d& X : Targets(10, 3)) {
    EXPECT_LE(solver_->Solve(X, {.max_solutions = 2, .distinct_solutions = 4}).size(), 2u);
    const std::vector<Eigen::VectorXd> primaries =
        solver_->Solve(X, {.include_2pi_equivalents = false, .distinct_solutions = 4});
    // Without equivalents, no two solutions differ by 2π multiples only.
    for (size_t i = 0; i < primaries.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        double worst = 0;
        for (int k = 0; k < n; ++k) {
          worst = std::max(worst, std::abs(internal::WrapToPi(primaries[i][k] - primaries[j][k])));
        }
        EXPECT_GT(worst, 1e-9);
      }
    }
  }
}

TEST_P(IkContractTest, UnreachableGivesNothing) {
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.translation() = Eigen::Vector3d(20, 0, 0);
  EXPECT_TRUE(solver_->Solve(X, {.max_attempts = 3}).empty());
}

TEST_P(IkContractTest, SameResultsFromTwoThreads) {
  const std::vector<Eigen::Isometry3d> targets = Targets(20, 4);
  auto work = [&](std::vector<IkSolution>* out) {
    for (size_t t = 0; t < targets.size(); ++t) {
      for (IkSolution& s : solver_->SolveWithBranches(targets[t], {.random_seed = t})) {
        out->push_back(std::move(s));
      }
    }
  };
  std::vector<IkSolution> a, b, c;
  std::thread t1(work, &a), t2(work, &b);
  t1.join();
  t2.join();
  work(&c);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(a, c);
  EXPECT_EQ(b, c);
}

INSTANTIATE_TEST_SUITE_P(AllSolvers, IkContractTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

// Joints of many turns: every solution is exact and within the limits, its first (primary)
// value of each wide joint is the turn nearest to the seed (within π of it), and the other turns
// listed are the next nearest ones, a bounded number of them.
void ExpectTurnsNearestTheSeed(const IkSolver& solver, std::uint64_t rng_seed, int targets) {
  const Chain& chain = solver.chain();
  // Targets from the ordinary (catalogue) ranges, seeds anywhere in the wide ranges.
  const Chain narrow(testing::MakeKr6R700());
  std::mt19937_64 rng(rng_seed);
  int solved = 0;
  for (int t = 0; t < targets; ++t) {
    const Eigen::Isometry3d X =
        chain.FlangePose(RandomConfiguration(narrow.lower(), narrow.upper(), &rng));
    Eigen::VectorXd seed = RandomConfiguration(narrow.lower(), narrow.upper(), &rng);
    for (int j : kWideJoints) {
      const double reach = std::min(chain.upper()[j], 1e4) - M_PI;  // seed's turn inside limits
      seed[j] = std::uniform_real_distribution<double>(-reach, reach)(rng);
    }
    const std::vector<IkSolution> solutions = solver.SolveWithBranches(
        X, {.seed = seed, .random_seed = static_cast<std::uint64_t>(t), .distinct_solutions = 8});
    SCOPED_TRACE("rng seed " + std::to_string(rng_seed) + ", target " + std::to_string(t));
    solved += solutions.empty() ? 0 : 1;
    EXPECT_LE(solutions.size(), 8u * internal::kMaxEquivalentsPerSolution);
    std::vector<int> seen_branches;
    for (const IkSolution& s : solutions) {
      EXPECT_TRUE(chain.WithinLimits(s.q, 0.0));
      const auto [dp, dr] = PoseError(chain.FlangePose(s.q), X);
      EXPECT_LE(dp, 1e-9);
      EXPECT_LE(dr, 1e-9);
      const bool primary =
          std::find(seen_branches.begin(), seen_branches.end(), s.branch) == seen_branches.end();
      seen_branches.push_back(s.branch);
      for (int j : kWideJoints) {
        // The primary within half a turn; the others are the next turns on either side (within
        // 3π), or on one side only when a limit is near (then within 5π: 3 turns listed).
        const bool both_sides =
            seed[j] - 3 * M_PI >= chain.lower()[j] && seed[j] + 3 * M_PI <= chain.upper()[j];
        const double bound = primary ? M_PI : both_sides ? 3 * M_PI : 5 * M_PI;
        EXPECT_LE(std::abs(s.q[j] - seed[j]), bound + 1e-9)
            << "joint " << j << (primary ? " (primary)" : " (equivalent)") << ", q " << s.q[j]
            << ", seed " << seed[j];
      }
    }
  }
  EXPECT_GE(solved, targets - 1);
}

TEST(WideJointLimitsTest, OpwGivesTheTurnsNearestTheSeed) {
  const Chain chain(WideKr6());
  std::string why;
  const std::optional<OpwIk> opw = OpwIk::FromChain(chain, &why);
  ASSERT_TRUE(opw) << why;
  ExpectTurnsNearestTheSeed(*opw, 11, 60);
}

TEST(WideJointLimitsTest, NumericGivesTheTurnsNearestTheSeed) {
  ExpectTurnsNearestTheSeed(NumericIk(Chain(WideKr6())), 12, 15);
}

TEST(WideJointLimitsTest, HugeLimitsNeitherHangNorLoseTheOpwSolver) {
  // A range of 1e6 rad used to enumerate turns from the lower limit; 1e300 and infinity must
  // not loop or draw from an infinite interval either (the loader rejects such limits, but the
  // solvers must not depend on it).
  for (const double wide : {1e6, 1e300, std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE("limits ±" + std::to_string(wide));
    const Chain chain(WideKr6(wide));
    std::string why;
    const std::optional<OpwIk> opw = OpwIk::FromChain(chain, &why);
    ASSERT_TRUE(opw) << why;
    ExpectTurnsNearestTheSeed(*opw, 13, 10);
    ExpectTurnsNearestTheSeed(NumericIk(chain), 14, 3);
  }
}

TEST(WideJointLimitsTest, NearestEquivalentWithinLimits) {
  using internal::NearestEquivalentWithin;
  constexpr double k2Pi = 2 * M_PI;
  // The turn nearest the target, however many turns away.
  EXPECT_NEAR(NearestEquivalentWithin(0.5, 1000 * k2Pi + 0.4, -1e4, 1e4), 0.5 + 1000 * k2Pi, 1e-9);
  EXPECT_NEAR(NearestEquivalentWithin(0.5 + 700 * k2Pi, 0.0, -1e4, 1e4), 0.5, 1e-9);
  // The target beyond the limits: the turn inside them nearest to it.
  EXPECT_NEAR(NearestEquivalentWithin(0.5, 50.0, -10.0, 10.0), 0.5 + k2Pi, 1e-12);
  EXPECT_NEAR(NearestEquivalentWithin(0.5, -50.0, -10.0, 10.0), 0.5 - k2Pi, 1e-12);
  // A value on a limit up to rounding is clamped onto it.
  EXPECT_EQ(NearestEquivalentWithin(3 * M_PI, 3.0, -M_PI, M_PI), M_PI);
  // No turn within the limits, or no value: NaN.
  EXPECT_TRUE(std::isnan(NearestEquivalentWithin(0.5, 0.0, 1.0, 2.0)));
  EXPECT_TRUE(std::isnan(NearestEquivalentWithin(std::nan(""), 0.0, -10.0, 10.0)));
  // Huge limits and targets: O(1), and still the nearest turn.
  const double huge = NearestEquivalentWithin(0.3, 1e12, -1e300, 1e300);
  EXPECT_LE(std::abs(huge - 1e12), M_PI + 1e-3);
  EXPECT_NEAR(NearestEquivalentWithin(0.3, 0.0, -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::infinity()),
              0.3, 1e-15);
}

TEST(IkRequestTest, EqualityAndToString) {
  Eigen::VectorXd seed(2);
  seed << 0.5, -1;
  const IkRequest a{.seed = seed, .random_seed = 3, .max_solutions = 4};
  IkRequest b = a;
  EXPECT_EQ(a, b);
  b.seed[1] = 2;
  EXPECT_FALSE(a == b);
  EXPECT_FALSE(a == IkRequest{});
  EXPECT_EQ(IkRequest{}, IkRequest{});
  EXPECT_EQ(ToString(a),
            "IkRequest{seed=[0.5, -1], random_seed=3, max_solutions=4, "
            "include_2pi_equivalents=true, tolerance=1.0000000000000001e-09, "
            "stall_tolerance=9.9999999999999995e-07, max_attempts=32, max_iterations=60, "
            "distinct_solutions=1}");
  b = a;
  b.stall_tolerance = 0;
  EXPECT_FALSE(a == b);
}

TEST(MakeIkSolverTest, PicksOpwWhenDetected) {
  EXPECT_EQ(MakeIkSolver(Chain(testing::MakeKr6R700()))->name(), "opw");
  EXPECT_EQ(MakeIkSolver(Chain(testing::MakeOffsetWrist6R()))->name(), "numeric");
}

TEST(WrapToPiTest, Range) {
  EXPECT_DOUBLE_EQ(internal::WrapToPi(M_PI), M_PI);
  EXPECT_DOUBLE_EQ(internal::WrapToPi(-M_PI), M_PI);
  EXPECT_NEAR(internal::WrapToPi(3 * M_PI + 0.1), -M_PI + 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(internal::WrapToPi(0.3), 0.3);
}

}  // namespace
}  // namespace weldcell::kinematics
