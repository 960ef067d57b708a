#pragma once
// Analytic inverse kinematics of 6R arms with an ortho-parallel basis and a spherical wrist
// (the "OPW" geometry of most industrial robots): up to 8 closed-form solutions per pose.
//
// Reference: M. Brandstötter, A. Angerer, M. Hofbaur, "An analytical solution of the inverse
// kinematics problem of industrial serial manipulators with an ortho-parallel basis and a
// spherical wrist", Proc. Austrian Robotics Workshop 2014. The parameter names (a1, a2, b, c1,
// c2, c3, c4) and the zero pose (arm pointing up, tool z up) follow that paper; the detection
// and the extraction of the parameters from an arbitrary URDF chain are ours.
//
// The OPW model: joint 1 about z_O; joints 2 and 3 parallel to each other and perpendicular to
// joint 1; joints 4, 5, 6 meet in the wrist centre C. With φ = θ2 + θ3, in the frame turned by
// θ1 about z_O, C = (a1 + c2 sinθ2 + c3 sinφ + a2 cosφ, b, c1 + c2 cosθ2 + c3 cosφ − a2 sinφ),
// R_OE = Rz(θ1) Ry(φ) Rz(θ4) Ry(θ5) Rz(θ6), p_OE = C + c4 R_OE e_z.
// Chain joint values q relate to the model's θ by θ_i = signs[i]·q_i − offsets[i]; the chain's
// base and flange frames relate to the model's O and E frames by constant transforms X_BO and
// X_EF (identity for the ROS-Industrial base_link/tool0 conventions).
//
// Units: m, rad. Thread safety: immutable after FromChain; all members const.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "planner/kinematics/chain.hpp"
#include "planner/kinematics/ik.hpp"

namespace weldcell::kinematics {

struct OpwParameters {
  double a1 = 0, a2 = 0, b = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0;  ///< m
  std::array<double, 6> offsets{};                               ///< rad, in (−π, π]
  std::array<double, 6> signs{1, 1, 1, 1, 1, 1};                 ///< ±1
  Eigen::Isometry3d X_BO = Eigen::Isometry3d::Identity();        ///< model base in chain base
  Eigen::Isometry3d X_EF = Eigen::Isometry3d::Identity();        ///< flange in model end effector
};
std::string ToString(const OpwParameters& p);

using Vector6d = Eigen::Matrix<double, 6, 1>;

/// Forward kinematics of the OPW model, in chain joint values → flange pose in the chain base
/// (independent of Chain; used to verify an extraction).
Eigen::Isometry3d OpwFlangePose(const OpwParameters& p, const Vector6d& q);

class OpwIk final : public IkSolver {
 public:
  /// Detects the OPW geometry in a chain (6 revolute joints, axes 2 ∥ 3 ⟂ 1, axis 4 in the arm
  /// plane, axes 4, 5, 6 meeting in one point), extracts the parameters, offsets, signs and the
  /// base/flange transforms from the joint axes at q = 0, and proves the extraction by
  /// comparing OpwFlangePose with Chain::FlangePose on 64 seeded random configurations
  /// (≤ 1e-9 m and rad). Returns nullopt — with the reason in *why_not when given — otherwise.
  static std::optional<OpwIk> FromChain(const Chain& chain, std::string* why_not = nullptr);

  const OpwParameters& parameters() const { return params_; }
  const Chain& chain() const override { return chain_; }
  std::string_view name() const override { return "opw"; }

  /// Every branch's solution in chain joint values wrapped to (−π, π], limits NOT applied.
  /// (*q)[b] holds branch b (see IkSolution::branch); returns the bit mask of the branches that
  /// exist (the pose within reach of that shoulder/elbow). Allocation-free (the hot path).
  unsigned SolveRaw(const Eigen::Isometry3d& X_BF_target, std::array<Vector6d, 8>* q) const;

  /// Solutions within the joint limits: the 8 branches in order (primary values: each joint's
  /// 2π-equivalent nearest to the seed), then, if requested, the other 2π equivalents branch by
  /// branch. Identical solutions of coinciding branches (at singularities) are reported once.
  std::vector<IkSolution> SolveWithBranches(const Eigen::Isometry3d& X_BF_target,
                                            const IkRequest& request = {}) const override;

 private:
  OpwIk(const Chain& chain, const OpwParameters& params);

  Chain chain_;
  OpwParameters params_;
  // Precomputed from params_.
  Eigen::Isometry3d X_OB_;  // inverse of X_BO
  Eigen::Isometry3d X_FE_;  // inverse of X_EF
  bool identity_base_ = true, identity_flange_ = true;
  double k_ = 0, psi3_ = 0, k_sq_ = 0, sin_psi3_ = 0, cos_psi3_ = 1, inv_2c2k_ = 0;
};

}  // namespace weldcell::kinematics
