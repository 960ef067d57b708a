#include "planner/kinematics/controller_joints.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace weldcell::kinematics {
namespace {

cell::ControllerJoints FanucMapping() {
  const double deg = M_PI / 180.0;
  return cell::ControllerJoints{.offsets = {0, 0, -90 * deg, 0, 0, 180 * deg},
                                .signs = {1, 1, -1, -1, -1, -1},
                                .couplings = {{.joint = 2, .plus = 1, .factor = 1.0}}};
}

TEST(ControllerJointsTest, FormulaOfDocsFormats) {
  Eigen::VectorXd q(6);
  q << 0.1, 0.2, 0.3, 0.4, 0.5, 0.6;
  const Eigen::VectorXd c = ToController(FanucMapping(), q);
  // c[i] = s[i] (q[i] + o[i]); then c[2] += c[1].
  EXPECT_DOUBLE_EQ(c[0], 0.1);
  EXPECT_DOUBLE_EQ(c[1], 0.2);
  EXPECT_DOUBLE_EQ(c[2], -(0.3 - M_PI / 2) + 0.2);
  EXPECT_DOUBLE_EQ(c[3], -0.4);
  EXPECT_DOUBLE_EQ(c[5], -(0.6 + M_PI));
}

TEST(ControllerJointsTest, EmptyMappingIsIdentity) {
  Eigen::VectorXd q(3);
  q << 1, -2, 3;
  EXPECT_EQ(ToController({}, q), q);
  EXPECT_EQ(FromController({}, q), q);
}

TEST(ControllerJointsTest, RoundTripWithChainedCouplings) {
  cell::ControllerJoints mapping = FanucMapping();
  // Chained couplings (the order matters): c3 += 0.5 c2 after c2 += c1; and a negative factor.
  mapping.couplings.push_back({.joint = 3, .plus = 2, .factor = 0.5});
  mapping.couplings.push_back({.joint = 1, .plus = 5, .factor = -0.25});
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-4, 4);
  for (int i = 0; i < 1000; ++i) {
    Eigen::VectorXd q(6);
    for (int k = 0; k < 6; ++k) q[k] = u(rng);
    const Eigen::VectorXd back = FromController(mapping, ToController(mapping, q));
    ASSERT_LT((back - q).cwiseAbs().maxCoeff(), 1e-13) << "seed 11, sample " << i;
  }
}

}  // namespace
}  // namespace weldcell::kinematics
