#include "planner/kinematics/chain.hpp"

#include <cmath>

#include "planner/common/check.hpp"

namespace weldcell::kinematics {

namespace internal {
Eigen::Matrix3d AxisAngleRotation(const Eigen::Vector3d& axis, double angle) {
  const double s = std::sin(angle);
  const double c = std::cos(angle);
  const double t = 1.0 - c;
  const double x = axis.x(), y = axis.y(), z = axis.z();
  Eigen::Matrix3d R;
  R << t * x * x + c, t * x * y - s * z, t * x * z + s * y,  //
      t * x * y + s * z, t * y * y + c, t * y * z - s * x,   //
      t * x * z - s * y, t * y * z + s * x, t * z * z + c;
  return R;
}
}  // namespace internal

namespace {
// Turns R by the rotation of `angle` about a coordinate axis (index 0/1/2): only two columns
// change, R·Rk(angle) = columns (a, b) → (c·a + s·b, −s·a + c·b).
inline void RotateAboutCoordinateAxis(int index, double angle, Eigen::Matrix3d* R) {
  static constexpr int kA[3] = {1, 2, 0};
  static constexpr int kB[3] = {2, 0, 1};
  const double s = std::sin(angle), c = std::cos(angle);
  const Eigen::Vector3d a = R->col(kA[index]), b = R->col(kB[index]);
  R->col(kA[index]) = c * a + s * b;
  R->col(kB[index]) = c * b - s * a;
}

}  // namespace

// Applies the motion of one joint to the frame (R, p) given in the base: the joint frame moves
// by a rotation about, or a translation along, its axis.
inline void Chain::ApplyMotion(const Segment& s, double value, Eigen::Matrix3d* R,
                               Eigen::Vector3d* p) {
  if (s.prismatic) {
    *p += *R * (s.axis * value);
  } else if (s.axis_index >= 0) {
    RotateAboutCoordinateAxis(s.axis_index, s.axis_sign * value, R);
  } else {
    *R = *R * internal::AxisAngleRotation(s.axis, value);
  }
}

// (R, p) ← (R, p) · (R_pre, p_pre).
inline void Chain::ApplyPre(const Segment& s, Eigen::Matrix3d* R, Eigen::Vector3d* p) {
  *p += *R * s.p_pre;
  if (!s.identity_pre) *R = *R * s.R_pre;
}

namespace {
Eigen::Isometry3d MakeIsometry(const Eigen::Matrix3d& R, const Eigen::Vector3d& p) {
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.linear() = R;
  X.translation() = p;
  return X;
}
}  // namespace

Chain::Chain(const cell::RobotModel& model) {
  WELDCELL_CHECK(model.links.size() == model.joints.size() + 1);
  dof_ = model.dof();
  WELDCELL_CHECK(dof_ <= kMaxDof);
  for (const cell::Link& link : model.links) link_names_.push_back(link.name);
  lower_ = model.lower_limits();
  upper_ = model.upper_limits();
  velocity_ = model.velocity_limits();
  acceleration_ = model.acceleration_limits();

  Eigen::Matrix3d R_acc = Eigen::Matrix3d::Identity();  // fixed transforms not yet folded
  Eigen::Vector3d p_acc = Eigen::Vector3d::Zero();
  int q_index = 0;
  for (const cell::Joint& joint : model.joints) {
    JointData data{.R_PJ = joint.X_PJ.linear(),
                   .p_PJ = joint.X_PJ.translation(),
                   .type = joint.type,
                   .q_index = joint.movable() ? q_index : -1};
    // Accumulate X_prev,J = X_acc * X_PJ.
    p_acc = p_acc + R_acc * data.p_PJ;
    R_acc = R_acc * data.R_PJ;
    if (joint.movable()) {
      WELDCELL_CHECK(std::abs(joint.axis.norm() - 1.0) < 1e-9);
      Segment seg{.R_pre = R_acc,
                  .p_pre = p_acc,
                  .axis = joint.axis,
                  .prismatic = joint.type == cell::JointType::kPrismatic,
                  .identity_pre = R_acc == Eigen::Matrix3d::Identity()};
      for (int k = 0; k < 3; ++k) {
        if (std::abs(joint.axis[k]) == 1.0) {
          seg.axis_index = k;
          seg.axis_sign = joint.axis[k];
        }
      }
      segments_.push_back(seg);
      joint_names_.push_back(joint.name);
      movable_type_.push_back(joint.type);
      movable_child_link_.push_back(static_cast<int>(joints_.size()) + 1);
      R_acc.setIdentity();
      p_acc.setZero();
      ++q_index;
    }
    joints_.push_back(data);
  }
  R_tail_ = R_acc;
  p_tail_ = p_acc;
}

bool Chain::WithinLimits(const Eigen::Ref<const Eigen::VectorXd>& q, double tolerance) const {
  if (q.size() != dof_) return false;
  for (int i = 0; i < dof_; ++i) {
    if (!(q[i] >= lower_[i] - tolerance && q[i] <= upper_[i] + tolerance)) return false;
  }
  return true;
}

Eigen::Isometry3d Chain::FlangePose(const Eigen::Ref<const Eigen::VectorXd>& q) const {
  WELDCELL_CHECK(q.size() == dof_);
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity();
  Eigen::Vector3d p = Eigen::Vector3d::Zero();
  for (int k = 0; k < dof_; ++k) {
    const Segment& s = segments_[k];
    ApplyPre(s, &R, &p);
    ApplyMotion(s, q[k], &R, &p);
  }
  p += R * p_tail_;
  R = R * R_tail_;
  return MakeIsometry(R, p);
}

void Chain::LinkPoses(const Eigen::Ref<const Eigen::VectorXd>& q,
                      std::vector<Eigen::Isometry3d>* X_BL) const {
  WELDCELL_CHECK(q.size() == dof_);
  X_BL->resize(link_names_.size());
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity();
  Eigen::Vector3d p = Eigen::Vector3d::Zero();
  (*X_BL)[0] = MakeIsometry(R, p);
  for (size_t i = 0; i < joints_.size(); ++i) {
    const JointData& j = joints_[i];
    p += R * j.p_PJ;
    R = R * j.R_PJ;
    if (j.q_index >= 0) ApplyMotion(segments_[j.q_index], q[j.q_index], &R, &p);
    (*X_BL)[i + 1] = MakeIsometry(R, p);
  }
}

void Chain::FlangePoseAndJacobian(const Eigen::Ref<const Eigen::VectorXd>& q,
                                  Eigen::Isometry3d* X_BF, JacobianMatrix* J) const {
  WELDCELL_CHECK(q.size() == dof_);
  J->resize(6, dof_);
  // First pass: joint axes (world) and joint origins; the flange position is needed for the
  // linear part, so store origins in the translational rows temporarily.
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity();
  Eigen::Vector3d p = Eigen::Vector3d::Zero();
  for (int k = 0; k < dof_; ++k) {
    const Segment& s = segments_[k];
    ApplyPre(s, &R, &p);
    const Eigen::Vector3d a_B = s.axis_index >= 0
                                    ? Eigen::Vector3d(s.axis_sign * R.col(s.axis_index))
                                    : Eigen::Vector3d(R * s.axis);
    J->block<3, 1>(0, k) = a_B;
    J->block<3, 1>(3, k) = p;
    ApplyMotion(s, q[k], &R, &p);
  }
  p += R * p_tail_;
  R = R * R_tail_;
  *X_BF = MakeIsometry(R, p);
  for (int k = 0; k < dof_; ++k) {
    const Eigen::Vector3d a_B = J->block<3, 1>(0, k);
    if (segments_[k].prismatic) {
      J->block<3, 1>(0, k).setZero();
      J->block<3, 1>(3, k) = a_B;
    } else {
      const Eigen::Vector3d o_B = J->block<3, 1>(3, k);
      J->block<3, 1>(3, k) = a_B.cross(p - o_B);
    }
  }
}

Eigen::Matrix<double, 6, Eigen::Dynamic> Chain::Jacobian(const Eigen::Ref<const Eigen::VectorXd>& q,
                                                         const Eigen::Vector3d& p_FP) const {
  Eigen::Isometry3d X_BF;
  JacobianMatrix J;
  FlangePoseAndJacobian(q, &X_BF, &J);
  // Shift the reference point from the flange origin to P: v_P = v_F + ω × r_FP.
  const Eigen::Vector3d r_B = X_BF.linear() * p_FP;
  Eigen::Matrix<double, 6, Eigen::Dynamic> out(6, dof_);
  for (int k = 0; k < dof_; ++k) {
    const Eigen::Vector3d w = J.block<3, 1>(0, k);
    out.block<3, 1>(0, k) = w;
    out.block<3, 1>(3, k) = J.block<3, 1>(3, k) + w.cross(r_B);
  }
  return out;
}

}  // namespace weldcell::kinematics
