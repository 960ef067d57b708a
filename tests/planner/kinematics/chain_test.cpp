#include "planner/kinematics/chain.hpp"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "tests/planner/kinematics/test_robots.hpp"

namespace weldcell::kinematics {
namespace {

using testing::MakeKr6R700;
using testing::MakeRandomChain;
using testing::MakeTrackKr6;
using testing::PoseError;
using testing::RandomConfiguration;

// Independent reference: URDF semantics spelled out with Eigen's own AngleAxis/Translation.
std::vector<Eigen::Isometry3d> ReferenceLinkPoses(const cell::RobotModel& m,
                                                  const Eigen::VectorXd& q) {
  std::vector<Eigen::Isometry3d> out{Eigen::Isometry3d::Identity()};
  int k = 0;
  for (const cell::Joint& j : m.joints) {
    Eigen::Isometry3d motion = Eigen::Isometry3d::Identity();
    if (j.type == cell::JointType::kRevolute) {
      motion = Eigen::AngleAxisd(q[k++], j.axis);
    } else if (j.type == cell::JointType::kPrismatic) {
      motion = Eigen::Translation3d(j.axis * q[k++]);
    }
    out.push_back(out.back() * j.X_PJ * motion);
  }
  return out;
}

TEST(ChainTest, Kr6GoldenFlangePose) {
  const Chain chain(MakeKr6R700());
  ASSERT_EQ(chain.dof(), 6);
  const Eigen::VectorXd q = Eigen::VectorXd::Constant(6, 0.2);
  const Eigen::Vector3d p = chain.FlangePose(q).translation();
  // Golden value from ../shared/README.md (7 significant digits given).
  EXPECT_NEAR(p.x(), 0.7341169, 1e-7);
  EXPECT_NEAR(p.y(), -0.1520347, 1e-7);
  EXPECT_NEAR(p.z(), 0.182639, 1e-6);
}

TEST(ChainTest, LimitsAndNames) {
  const cell::RobotModel model = MakeTrackKr6();
  const Chain chain(model);
  EXPECT_EQ(chain.dof(), 7);
  EXPECT_EQ(chain.num_links(), static_cast<int>(model.links.size()));
  EXPECT_EQ(chain.joint_names().front(), "track");
  EXPECT_EQ(chain.joint_names().back(), "joint_a6");
  EXPECT_EQ(chain.joint_type(0), cell::JointType::kPrismatic);
  EXPECT_DOUBLE_EQ(chain.lower()[0], -1.5);
  EXPECT_DOUBLE_EQ(chain.upper()[2], 0.7853981633974483);
  EXPECT_EQ(chain.velocity_limits().size(), 7);
  EXPECT_EQ(chain.acceleration_limits().size(), 7);
  Eigen::VectorXd q = Eigen::VectorXd::Zero(7);
  EXPECT_TRUE(chain.WithinLimits(q));
  q[2] = 0.8;
  EXPECT_FALSE(chain.WithinLimits(q));
  EXPECT_TRUE(chain.WithinLimits(q, 0.02));
  EXPECT_FALSE(chain.WithinLimits(Eigen::VectorXd::Zero(6)));
  q[2] = std::nan("");
  EXPECT_FALSE(chain.WithinLimits(q, 1.0));
}

TEST(ChainTest, MatchesReferenceOnRandomChains) {
  std::vector<cell::RobotModel> models = {MakeKr6R700(), MakeTrackKr6(),
                                          testing::MakeOffsetWrist6R(), testing::MakeSevenDof()};
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    models.push_back(MakeRandomChain(1 + static_cast<int>(seed % 8), seed));
  }
  // Random origins with coordinate axes (the fast rotation path behind a rotated origin).
  for (std::uint64_t seed = 30; seed < 35; ++seed) {
    cell::RobotModel m = MakeRandomChain(6, seed);
    for (size_t i = 0; i < m.joints.size(); ++i) {
      m.joints[i].axis = Eigen::Vector3d::Unit(i % 3) * (i % 2 ? -1.0 : 1.0);
    }
    models.push_back(m);
  }
  for (size_t index = 0; index < models.size(); ++index) {
    const std::uint64_t seed = index + 1;
    const cell::RobotModel& model = models[index];
    SCOPED_TRACE(model.name);
    const Chain chain(model);
    std::mt19937_64 rng(seed);
    std::vector<Eigen::Isometry3d> poses;
    for (int trial = 0; trial < 20; ++trial) {
      const Eigen::VectorXd q = RandomConfiguration(chain.lower(), chain.upper(), &rng);
      const std::vector<Eigen::Isometry3d> ref = ReferenceLinkPoses(model, q);
      chain.LinkPoses(q, &poses);
      ASSERT_EQ(poses.size(), ref.size());
      for (size_t i = 0; i < ref.size(); ++i) {
        const auto [dp, dr] = PoseError(poses[i], ref[i]);
        EXPECT_LT(dp, 1e-12) << "link " << i;
        EXPECT_LT(dr, 1e-12) << "link " << i;
      }
      const auto [dp, dr] = PoseError(chain.FlangePose(q), ref.back());
      EXPECT_LT(dp, 1e-12);
      EXPECT_LT(dr, 1e-12);
    }
  }
}

TEST(ChainTest, LinkPosesDoesNotReallocateRightSizedVector) {
  const Chain chain(MakeKr6R700());
  std::vector<Eigen::Isometry3d> poses(chain.num_links());
  const Eigen::Isometry3d* data = poses.data();
  chain.LinkPoses(Eigen::VectorXd::Constant(6, 0.3), &poses);
  EXPECT_EQ(poses.data(), data);
  EXPECT_TRUE(poses[0].isApprox(Eigen::Isometry3d::Identity()));
}

TEST(ChainTest, TcpPoseComposesWithFlange) {
  const Chain chain(MakeKr6R700());
  const Eigen::VectorXd q = Eigen::VectorXd::Constant(6, -0.4);
  const Eigen::Isometry3d X_FT = testing::XyzRpy(0.01, 0.02, 0.45, 0.1, 0.2, 0.3);
  const Eigen::Isometry3d X_BT = chain.TcpPose(q, X_FT);
  const Eigen::Isometry3d X_BF = chain.FlangePose(q);
  EXPECT_LT((X_BT.translation() - X_BF * X_FT.translation()).norm(), 1e-14);
}

// Central differences of FK: linear part of the point P and angular part from the rotation
// derivative (skew part of dR·Rᵀ).
Eigen::Matrix<double, 6, Eigen::Dynamic> FiniteDifferenceJacobian(const Chain& chain,
                                                                  const Eigen::VectorXd& q,
                                                                  const Eigen::Vector3d& p_FP) {
  const double h = 1e-6;
  Eigen::Matrix<double, 6, Eigen::Dynamic> J(6, chain.dof());
  for (int k = 0; k < chain.dof(); ++k) {
    Eigen::VectorXd qp = q, qm = q;
    qp[k] += h;
    qm[k] -= h;
    const Eigen::Isometry3d Xp = chain.FlangePose(qp), Xm = chain.FlangePose(qm);
    const Eigen::Matrix3d dR = (Xp.linear() - Xm.linear()) / (2 * h);
    const Eigen::Matrix3d W = dR * chain.FlangePose(q).linear().transpose();
    J.block<3, 1>(0, k) =
        Eigen::Vector3d(W(2, 1) - W(1, 2), W(0, 2) - W(2, 0), W(1, 0) - W(0, 1)) / 2;
    J.block<3, 1>(3, k) = (Xp * p_FP - Xm * p_FP) / (2 * h);
  }
  return J;
}

TEST(ChainTest, JacobianMatchesFiniteDifferences) {
  std::vector<cell::RobotModel> models = {MakeKr6R700(), MakeTrackKr6(),
                                          testing::MakeOffsetWrist6R(), testing::MakeSevenDof()};
  for (std::uint64_t seed = 100; seed < 110; ++seed) models.push_back(MakeRandomChain(6, seed));
  std::mt19937_64 rng(42);
  for (const cell::RobotModel& model : models) {
    SCOPED_TRACE(model.name);
    const Chain chain(model);
    for (int trial = 0; trial < 10; ++trial) {
      const Eigen::VectorXd q = RandomConfiguration(chain.lower(), chain.upper(), &rng);
      const Eigen::Vector3d p_FP(0.05 * trial, -0.1, 0.3);
      const auto J = chain.Jacobian(q, p_FP);
      const auto J_fd = FiniteDifferenceJacobian(chain, q, p_FP);
      EXPECT_LT((J - J_fd).cwiseAbs().maxCoeff(), 1e-7) << "J\n" << J << "\nfd\n" << J_fd;
      // The fused variant agrees with the separate calls.
      Eigen::Isometry3d X_BF;
      JacobianMatrix J0;
      chain.FlangePoseAndJacobian(q, &X_BF, &J0);
      EXPECT_LT((J0 - chain.Jacobian(q)).cwiseAbs().maxCoeff(), 1e-14);
      EXPECT_TRUE(X_BF.isApprox(chain.FlangePose(q), 1e-14));
    }
  }
}

TEST(ChainTest, ConstMembersAreSafeFromTwoThreads) {
  const Chain chain(MakeTrackKr6());
  auto work = [&chain](std::uint64_t seed, double* checksum) {
    std::mt19937_64 rng(seed);
    std::vector<Eigen::Isometry3d> poses;
    for (int i = 0; i < 2000; ++i) {
      const Eigen::VectorXd q = RandomConfiguration(chain.lower(), chain.upper(), &rng);
      chain.LinkPoses(q, &poses);
      *checksum += poses.back().translation().sum() + chain.Jacobian(q).sum();
    }
  };
  double a = 0, b = 0, c = 0;
  std::thread t1(work, 5, &a), t2(work, 5, &b);
  t1.join();
  t2.join();
  work(5, &c);
  EXPECT_EQ(a, c);
  EXPECT_EQ(b, c);
}

}  // namespace
}  // namespace weldcell::kinematics
