#pragma once
// The kinematic chain of one robot arm: forward kinematics, link poses, geometric Jacobian and
// joint limits, for any serial chain of revolute, prismatic and fixed joints (any origin, any
// axis), as described by cell::RobotModel.
//
// Units: m, rad. Frames: B = the chain's base link (model.links.front()), F = the tip link
// (model.links.back(), "the flange"), L = any chain link.
// Thread safety: a Chain is immutable after construction; every const member may be called from
// several threads at once (no scratch state is shared).
// Allocation: FlangePose, FlangePoseAndJacobian and LinkPoses (with a right-sized vector) do not
// allocate; configurations are taken as Eigen::Ref so that VectorXd and fixed-size vectors
// both bind without a copy.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <string>
#include <vector>

#include "planner/cell/robot_model.hpp"

namespace weldcell::kinematics {

/// Largest number of movable joints a Chain supports (fixed-capacity scratch in the hot path):
/// the loader's limit, so that every loaded model fits.
inline constexpr int kMaxDof = cell::kMaxDof;

/// A 6 × dof matrix with fixed capacity (no heap allocation).
using JacobianMatrix = Eigen::Matrix<double, 6, Eigen::Dynamic, Eigen::ColMajor, 6, kMaxDof>;

class Chain {
 public:
  /// Builds the chain from a model (copies what it needs; the model may go away afterwards).
  /// Preconditions (checked, abort on violation: a loaded model always satisfies them):
  /// links.size() == joints.size() + 1, unit joint axes, dof() <= kMaxDof.
  explicit Chain(const cell::RobotModel& model);

  /// Number of movable joints = size of a configuration vector.
  int dof() const { return dof_; }
  /// Number of links on the chain (model.links.size()).
  int num_links() const { return static_cast<int>(link_names_.size()); }
  const std::vector<std::string>& link_names() const { return link_names_; }
  /// Names of the movable joints in configuration order.
  const std::vector<std::string>& joint_names() const { return joint_names_; }
  /// Type of movable joint i (configuration order).
  cell::JointType joint_type(int i) const { return movable_type_[i]; }
  /// Axis of movable joint i, a unit vector in its joint frame.
  const Eigen::Vector3d& joint_axis(int i) const { return segments_[i].axis; }
  /// Index (into link_names()) of the child link of movable joint i; at q = 0 that link's
  /// frame is the joint frame, since the joint motion is then the identity.
  int joint_child_link(int i) const { return movable_child_link_[i]; }

  const Eigen::VectorXd& lower() const { return lower_; }
  const Eigen::VectorXd& upper() const { return upper_; }
  const Eigen::VectorXd& velocity_limits() const { return velocity_; }
  const Eigen::VectorXd& acceleration_limits() const { return acceleration_; }

  /// True when q has dof() entries and lower - tolerance <= q <= upper + tolerance.
  bool WithinLimits(const Eigen::Ref<const Eigen::VectorXd>& q, double tolerance = 0.0) const;

  /// Pose of the tip link (flange) in the base link frame. Precondition: q.size() == dof().
  Eigen::Isometry3d FlangePose(const Eigen::Ref<const Eigen::VectorXd>& q) const;

  /// Pose of a tool centre point given in the flange frame: FlangePose(q) * X_FT.
  Eigen::Isometry3d TcpPose(const Eigen::Ref<const Eigen::VectorXd>& q,
                            const Eigen::Isometry3d& X_FT) const {
    return FlangePose(q) * X_FT;
  }

  /// Pose of every chain link in the base frame, in model.links order (X_BL[0] = identity).
  /// Resizes *X_BL to num_links(); does not allocate when it already has that size.
  void LinkPoses(const Eigen::Ref<const Eigen::VectorXd>& q,
                 std::vector<Eigen::Isometry3d>* X_BL) const;

  /// Geometric Jacobian of the point P fixed in the flange (p_FP, in flange coordinates),
  /// expressed in the base frame. Row layout: ANGULAR ON TOP, i.e. rows 0–2 map q̇ to the
  /// flange angular velocity ω_BF, rows 3–5 to the translational velocity of P, v_BP
  /// (the spatial-velocity order [ω; v] used by Drake). Column j is joint j of the configuration.
  Eigen::Matrix<double, 6, Eigen::Dynamic> Jacobian(
      const Eigen::Ref<const Eigen::VectorXd>& q,
      const Eigen::Vector3d& p_FP = Eigen::Vector3d::Zero()) const;

  /// FlangePose and the Jacobian of the flange origin in one pass, without allocation
  /// (the hot path of the numeric IK).
  void FlangePoseAndJacobian(const Eigen::Ref<const Eigen::VectorXd>& q, Eigen::Isometry3d* X_BF,
                             JacobianMatrix* J) const;

 private:
  // One movable joint with the fixed transforms before it folded in: its frame in the previous
  // movable joint's (moved) frame is (R_pre, p_pre), then the joint motion.
  struct Segment {
    Eigen::Matrix3d R_pre;
    Eigen::Vector3d p_pre;
    Eigen::Vector3d axis;
    bool prismatic = false;
    bool identity_pre = false;  // R_pre == I (the usual rpy = 0): skip the product
    int axis_index = -1;        // 0/1/2 when axis = ±x/±y/±z: a cheaper rotation
    double axis_sign = 1.0;
  };
  // Every joint as in the model (for LinkPoses).
  struct JointData {
    Eigen::Matrix3d R_PJ;
    Eigen::Vector3d p_PJ;
    cell::JointType type = cell::JointType::kFixed;
    int q_index = -1;  // configuration index, -1 for fixed joints
  };

  static void ApplyMotion(const Segment& s, double value, Eigen::Matrix3d* R, Eigen::Vector3d* p);
  static void ApplyPre(const Segment& s, Eigen::Matrix3d* R, Eigen::Vector3d* p);

  int dof_ = 0;
  std::vector<std::string> link_names_;
  std::vector<std::string> joint_names_;
  std::vector<cell::JointType> movable_type_;
  std::vector<int> movable_child_link_;
  std::vector<JointData> joints_;
  std::vector<Segment> segments_;
  Eigen::Matrix3d R_tail_ = Eigen::Matrix3d::Identity();  // after the last movable joint
  Eigen::Vector3d p_tail_ = Eigen::Vector3d::Zero();
  Eigen::VectorXd lower_, upper_, velocity_, acceleration_;
};

namespace internal {
/// Rotation by angle about a unit axis (Rodrigues), without trigonometric calls beyond sin/cos.
Eigen::Matrix3d AxisAngleRotation(const Eigen::Vector3d& axis, double angle);
}  // namespace internal

}  // namespace weldcell::kinematics
