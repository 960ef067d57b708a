// Contract suite of the IkSolver interface, run against every implementation.
#include "planner/kinematics/ik.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <thread>

#include "planner/kinematics/numeric_ik.hpp"
#include "planner/kinematics/opw_ik.hpp"
#include "tests/planner/kinematics/test_robots.hpp"

namespace weldcell::kinematics {
namespace {

using testing::PoseError;
using testing::RandomConfiguration;

struct SolverCase {
  std::string name;
  std::function<std::unique_ptr<IkSolver>()> make;
};

std::vector<SolverCase> Cases() {
  return {
      {"OpwKr6", [] { return std::make_unique<OpwIk>(*OpwIk::FromChain(Chain(testing::MakeKr6R700()))); }},
      {"NumericKr6", [] { return std::make_unique<NumericIk>(Chain(testing::MakeKr6R700())); }},
      {"NumericOffsetWrist",
       [] { return std::make_unique<NumericIk>(Chain(testing::MakeOffsetWrist6R())); }},
      {"MadeSevenDof", [] { return MakeIkSolver(Chain(testing::MakeSevenDof())); }},
      {"MadeTrack", [] { return MakeIkSolver(Chain(testing::MakeTrackKr6())); }},
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
            "include_2pi_equivalents=true, tolerance=1.0000000000000001e-09, max_attempts=32, "
            "max_iterations=60, distinct_solutions=1}");
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
