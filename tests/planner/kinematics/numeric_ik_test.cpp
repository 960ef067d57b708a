#include "planner/kinematics/numeric_ik.hpp"

#include <gtest/gtest.h>

#include <random>

#include "planner/kinematics/opw_ik.hpp"
#include "tests/planner/kinematics/test_robots.hpp"

namespace weldcell::kinematics {
namespace {

using testing::PoseError;
using testing::RandomConfiguration;

struct Stats {
  int solved = 0;
  int total = 0;
};

// Random reachable poses (FK of random configurations within the limits), solved from the
// middle of the limits with seeded restarts; every returned solution must be exact.
Stats SolveRandomPoses(const Chain& chain, int samples, std::uint64_t seed) {
  const NumericIk ik(chain);
  std::mt19937_64 rng(seed);
  Stats stats;
  for (int s = 0; s < samples; ++s) {
    const Eigen::VectorXd q = RandomConfiguration(chain.lower(), chain.upper(), &rng);
    const Eigen::Isometry3d X = chain.FlangePose(q);
    const std::vector<Eigen::VectorXd> solutions =
        ik.Solve(X, {.random_seed = seed * 1000 + s, .include_2pi_equivalents = false});
    ++stats.total;
    if (!solutions.empty()) ++stats.solved;
    for (const Eigen::VectorXd& sol : solutions) {
      EXPECT_TRUE(chain.WithinLimits(sol)) << "seed " << seed << " sample " << s;
      const auto [dp, dr] = PoseError(chain.FlangePose(sol), X);
      EXPECT_LE(dp, 1e-9) << "seed " << seed << " sample " << s;
      EXPECT_LE(dr, 1e-9) << "seed " << seed << " sample " << s;
    }
  }
  return stats;
}

constexpr int kSamples = 300 / testing::kIterationScale;

TEST(NumericIkTest, SolvesTheOffsetWristArmWhichIsNotOpw) {
  const Chain chain(testing::MakeOffsetWrist6R());
  std::string why;
  EXPECT_FALSE(OpwIk::FromChain(chain, &why).has_value());
  EXPECT_EQ(MakeIkSolver(chain)->name(), "numeric");
  const Stats stats = SolveRandomPoses(chain, kSamples, 1);
  EXPECT_GE(stats.solved, stats.total * 99 / 100) << stats.solved << "/" << stats.total;
}

TEST(NumericIkTest, SolvesASevenDofArm) {
  const Chain chain(testing::MakeSevenDof());
  EXPECT_EQ(MakeIkSolver(chain)->name(), "numeric");
  const Stats stats = SolveRandomPoses(chain, kSamples, 2);
  EXPECT_GE(stats.solved, stats.total * 99 / 100) << stats.solved << "/" << stats.total;
}

TEST(NumericIkTest, SolvesAnArmOnALinearTrack) {
  const Chain chain(testing::MakeTrackKr6());
  EXPECT_EQ(MakeIkSolver(chain)->name(), "numeric");
  const Stats stats = SolveRandomPoses(chain, kSamples, 3);
  EXPECT_GE(stats.solved, stats.total * 99 / 100) << stats.solved << "/" << stats.total;
}

// Fewer joints than a pose has degrees of freedom: a SCARA (base swing, lift, elbow, tool
// roll, all about the vertical, the flange turned by `flange_roll` to point down) reaches the
// poses it can make, every one with its gun axis vertical.
cell::RobotModel MakeScara(double flange_roll) {
  cell::RobotModel m{.name = "scara"};
  testing::AddJoint(&m, "j1", testing::kRev, testing::XyzRpy(0, 0, 0.5), {0, 0, 1}, -3, 3);
  testing::AddJoint(&m, "j2", testing::kPri, testing::XyzRpy(0, 0, 1.0), {0, 0, 1}, -0.6, 0.6);
  testing::AddJoint(&m, "j3", testing::kRev, testing::XyzRpy(1.0, 0, 0), {0, 0, 1}, -2.5, 2.5);
  testing::AddJoint(&m, "j4", testing::kRev, testing::XyzRpy(0.8, 0, 0, flange_roll), {0, 0, 1}, -3,
                    3);
  testing::AddJoint(&m, "flange", testing::kFix, testing::XyzRpy(0, 0, 0.2));
  return m;
}

TEST(NumericIkTest, SolvesAFourJointScara) {
  const Chain chain(MakeScara(M_PI));
  EXPECT_EQ(MakeIkSolver(chain)->name(), "numeric");
  const Stats stats = SolveRandomPoses(chain, kSamples, 4);
  EXPECT_GE(stats.solved, stats.total * 99 / 100) << stats.solved << "/" << stats.total;
}

// The same SCARA as a URDF writes it, π rounded (rpy="3.14159265"): its flange points 3.6e-9 rad
// off the vertical whatever the joints do, so a weld pose with its gun axis exactly vertical is
// out of reach within 1e-9 rad. The start stalls there and is a solution within 1e-6.
TEST(NumericIkTest, AnArmOfFewJointsReachesPosesItsModelRoundsWithinTheStallTolerance) {
  const Chain chain(MakeScara(3.14159265));
  const NumericIk ik(chain);
  // Flange down (x along the world's, z down), at a place the SCARA reaches.
  Eigen::Isometry3d X = testing::XyzRpy(1.2, 0.6, 1.35, M_PI, 0, 0.3);
  std::vector<Eigen::VectorXd> solutions = ik.Solve(X, {.stall_tolerance = 0});
  EXPECT_TRUE(solutions.empty()) << "exactly: out of reach";
  solutions = ik.Solve(X, {});
  ASSERT_FALSE(solutions.empty());
  const auto [dp, dr] = testing::PoseError(chain.FlangePose(solutions[0]), X);
  EXPECT_LE(dp, 1e-6);
  EXPECT_LE(dr, 1e-6);
  EXPECT_GT(dr, 1e-9) << "the rounding is what is left";
}

TEST(NumericIkTest, DistinctSolutionsAgreeWithTheAnalyticOnes) {
  const Chain chain(testing::MakeKr6R700());
  const OpwIk opw = *OpwIk::FromChain(chain);
  const NumericIk numeric(chain);
  std::mt19937_64 rng(4);
  int total_distinct = 0;
  for (int s = 0; s < 20; ++s) {
    const Eigen::Isometry3d X =
        chain.FlangePose(RandomConfiguration(chain.lower(), chain.upper(), &rng));
    const std::vector<Eigen::VectorXd> analytic = opw.Solve(X);
    const std::vector<IkSolution> found = numeric.SolveWithBranches(
        X, {.random_seed = 9, .include_2pi_equivalents = false, .distinct_solutions = 0});
    ASSERT_FALSE(found.empty()) << "sample " << s;
    for (size_t i = 0; i < found.size(); ++i) {
      EXPECT_EQ(found[i].branch, static_cast<int>(i));
      // Each numeric solution is one of the analytic ones (which are complete).
      const bool known = std::any_of(analytic.begin(), analytic.end(), [&](const auto& a) {
        return (a - found[i].q).cwiseAbs().maxCoeff() < 1e-6;
      });
      EXPECT_TRUE(known) << "sample " << s << ": " << found[i].q.transpose();
      for (size_t j = 0; j < i; ++j) {
        EXPECT_GT((found[i].q - found[j].q).cwiseAbs().maxCoeff(), 1e-3);
      }
    }
    total_distinct += static_cast<int>(found.size());
  }
  // Several branches per pose on average, not just one.
  EXPECT_GT(total_distinct, 40);
}

TEST(NumericIkTest, DeterministicForASeed) {
  const Chain chain(testing::MakeOffsetWrist6R());
  const NumericIk ik(chain);
  Eigen::VectorXd q(6);
  q << 0.4, -1.0, 1.2, -0.3, 0.7, 0.2;
  const Eigen::Isometry3d X = chain.FlangePose(q);
  const IkRequest request{.random_seed = 77, .distinct_solutions = 3};
  const std::vector<IkSolution> a = ik.SolveWithBranches(X, request);
  const std::vector<IkSolution> b = ik.SolveWithBranches(X, request);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

TEST(NumericIkTest, ExactSeedIsReturnedImmediately) {
  const Chain chain(testing::MakeSevenDof());
  const NumericIk ik(chain);
  Eigen::VectorXd q(7);
  q << 0.4, -1.0, 1.2, -0.3, 0.7, 0.2, 0.1;
  Eigen::VectorXd out;
  int iterations = -1;
  ASSERT_TRUE(ik.SolveFrom(chain.FlangePose(q), q, {}, &out, &iterations));
  EXPECT_EQ(iterations, 0);
  EXPECT_EQ(out, q);
}

TEST(NumericIkTest, UnreachablePoseGivesNothing) {
  const Chain chain(testing::MakeOffsetWrist6R());
  const NumericIk ik(chain);
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.translation() = Eigen::Vector3d(5, 0, 0);
  EXPECT_TRUE(ik.Solve(X, {.max_attempts = 4}).empty());
}

TEST(NumericIkTest, RespectsTightJointLimits) {
  // Limits that exclude most branches: every solution returned must still be within them.
  cell::RobotModel model = testing::MakeKr6R700();
  for (cell::Joint& j : model.joints) {
    if (!j.movable()) continue;
    j.lower = std::max(j.lower, -1.0);
    j.upper = std::min(j.upper, 1.0);
  }
  const Chain chain(model);
  const Stats stats = SolveRandomPoses(chain, kSamples / 3, 5);
  EXPECT_GE(stats.solved, stats.total * 95 / 100) << stats.solved << "/" << stats.total;
}

}  // namespace
}  // namespace weldcell::kinematics
