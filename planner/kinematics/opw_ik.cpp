#include "planner/kinematics/opw_ik.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

namespace weldcell::kinematics {

namespace {

// Detection tolerances are loose on purpose: they only reject obviously different geometry.
// Exactness is decided by the FK comparison at the end (kVerifyTolerance).
constexpr double kDirTolerance = 1e-6;   // |cos| or |sin| of angles between axes
constexpr double kDistTolerance = 1e-6;  // m, between lines that must meet
constexpr double kVerifyTolerance = 1e-9;
constexpr int kVerifySamples = 64;
constexpr std::uint64_t kVerifySeed = 0x0b5c0de;
constexpr double kTwoPi = 2.0 * M_PI;

struct Line {
  Eigen::Vector3d p;
  Eigen::Vector3d u;  // unit
};

// Closest points of two lines; false when they are parallel.
bool ClosestPoints(const Line& a, const Line& b, Eigen::Vector3d* pa, Eigen::Vector3d* pb) {
  const Eigen::Vector3d w = a.p - b.p;
  const double uv = a.u.dot(b.u);
  const double den = 1.0 - uv * uv;
  if (den < 1e-12) return false;
  const double d = a.u.dot(w), e = b.u.dot(w);
  *pa = a.p + ((uv * e - d) / den) * a.u;
  *pb = b.p + ((e - uv * d) / den) * b.u;
  return true;
}

Eigen::Matrix3d Rz(double a) {
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitZ()).toRotationMatrix();
}
Eigen::Matrix3d Ry(double a) {
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitY()).toRotationMatrix();
}

double SignOf(double x) { return x < 0 ? -1.0 : 1.0; }

// The model's end-effector pose in its base frame O for model angles θ.
Eigen::Isometry3d ModelPose(const OpwParameters& p, const Vector6d& th) {
  const double phi = th[1] + th[2];
  const double cx = p.a1 + p.c2 * std::sin(th[1]) + p.c3 * std::sin(phi) + p.a2 * std::cos(phi);
  const double cz = p.c1 + p.c2 * std::cos(th[1]) + p.c3 * std::cos(phi) - p.a2 * std::sin(phi);
  const double s1 = std::sin(th[0]), c1 = std::cos(th[0]);
  const Eigen::Vector3d C(c1 * cx - s1 * p.b, s1 * cx + c1 * p.b, cz);
  const Eigen::Matrix3d R = Rz(th[0]) * Ry(phi) * Rz(th[3]) * Ry(th[4]) * Rz(th[5]);
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.linear() = R;
  X.translation() = C + p.c4 * R.col(2);
  return X;
}

// atan2 of a unit (sin, cos) pair through acos or asin, whichever is well conditioned there
// (|derivative| ≤ 1.43): several times cheaper than std::atan2 in glibc, equally accurate.
inline double AngleOfUnit(double s, double c) {
  if (std::abs(c) < 0.7) {
    const double a = std::acos(c);
    return s >= 0 ? a : -a;
  }
  const double a = std::asin(s);
  if (c > 0) return a;
  return s >= 0 ? M_PI - a : -M_PI - a;
}

// atan2(y, x) for any (y, x) ≠ 0, via AngleOfUnit.
inline double Atan2(double y, double x) {
  const double r = std::sqrt(x * x + y * y);
  if (r == 0.0) return 0.0;
  const double inv = 1.0 / r;
  return AngleOfUnit(y * inv, x * inv);
}

bool IsIdentity(const Eigen::Isometry3d& X) { return X.matrix() == Eigen::Matrix4d::Identity(); }

// Snaps values that are identity up to rounding, so that the usual chains take the fast path.
Eigen::Isometry3d Snapped(const Eigen::Isometry3d& X) {
  if ((X.matrix() - Eigen::Matrix4d::Identity()).cwiseAbs().maxCoeff() < 1e-15) {
    return Eigen::Isometry3d::Identity();
  }
  return X;
}

}  // namespace

std::string ToString(const OpwParameters& p) {
  std::ostringstream s;
  s.precision(12);
  s << "OpwParameters{a1=" << p.a1 << ", a2=" << p.a2 << ", b=" << p.b << ", c1=" << p.c1
    << ", c2=" << p.c2 << ", c3=" << p.c3 << ", c4=" << p.c4 << ", offsets=[";
  for (int i = 0; i < 6; ++i) s << (i ? ", " : "") << p.offsets[i];
  s << "], signs=[";
  for (int i = 0; i < 6; ++i) s << (i ? ", " : "") << p.signs[i];
  s << "]}";
  return s.str();
}

Eigen::Isometry3d OpwFlangePose(const OpwParameters& p, const Vector6d& q) {
  Vector6d th;
  for (int i = 0; i < 6; ++i) th[i] = p.signs[i] * q[i] - p.offsets[i];
  return p.X_BO * ModelPose(p, th) * p.X_EF;
}

OpwIk::OpwIk(const Chain& chain, const OpwParameters& params) : chain_(chain), params_(params) {
  params_.X_BO = Snapped(params_.X_BO);
  params_.X_EF = Snapped(params_.X_EF);
  X_OB_ = params_.X_BO.inverse();
  X_FE_ = params_.X_EF.inverse();
  identity_base_ = IsIdentity(params_.X_BO);
  identity_flange_ = IsIdentity(params_.X_EF);
  k_sq_ = params_.a2 * params_.a2 + params_.c3 * params_.c3;
  k_ = std::sqrt(k_sq_);
  psi3_ = std::atan2(params_.a2, params_.c3);
  inv_2c2k_ = 1.0 / (2.0 * params_.c2 * k_);
  sin_psi3_ = params_.a2 / k_;
  cos_psi3_ = params_.c3 / k_;
}

namespace {

// The OPW parameters of a chain as they are extracted step by step (OpwIk::FromChain): the
// geometry at q = 0, the frames placed so far, the parameters and the model angles at q = 0.
struct OpwExtraction {
  std::array<Line, 6> L;             // joint axes as lines in the base frame at q = 0
  Eigen::Isometry3d X_BF0;           // flange pose at q = 0
  Eigen::Vector3d O, x_O, y_O, z_O;  // OPW base frame O
  Eigen::Vector3d C;                 // wrist centre
  Eigen::Vector3d x_A, y_A;          // arm plane frame A (z_O is its z)
  Eigen::Vector2d j3, c_plane;       // joint 3 and the wrist centre in the arm plane
  double phi = 0;                    // direction of axis 4 in the arm plane
  Eigen::Matrix3d R_c;               // frame of axis 4 at q = 0
  OpwParameters p;
  Vector6d th0;  // model angles at q = 0
};

// A chain → why it is not one OPW can model by its joints (not 6, or not all revolute); "" if
// it can be.
std::string NotSixRevoluteJoints(const Chain& chain) {
  if (chain.dof() != 6) return "not 6 movable joints (" + std::to_string(chain.dof()) + ")";
  for (int i = 0; i < 6; ++i) {
    if (chain.joint_type(i) != cell::JointType::kRevolute) {
      return "joint " + std::to_string(i + 1) + " is not revolute";
    }
  }
  return "";
}

// A chain → its joint axes as lines in the base frame at q = 0 (the child link frame is the
// joint frame) and its flange pose at q = 0, into `e`.
void ReadAxesAtZero(const Chain& chain, OpwExtraction* e) {
  std::vector<Eigen::Isometry3d> X_BL;
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(6);
  chain.LinkPoses(zero, &X_BL);
  for (int i = 0; i < 6; ++i) {
    const Eigen::Isometry3d& X = X_BL[chain.joint_child_link(i)];
    e->L[i] = Line{.p = X.translation(), .u = (X.linear() * chain.joint_axis(i)).normalized()};
  }
  e->X_BF0 = chain.FlangePose(zero);
}

// Axis 1 → the base frame O and the sign of joint 1: z along axis 1 (pointing up the base z
// when possible), origin at the foot of the base origin on axis 1, x the base x projected (so
// X_BO is the identity when the chain base already is an OPW base).
void PlaceBaseFrame(OpwExtraction* e) {
  const std::array<Line, 6>& axes = e->L;
  e->z_O = axes[0].u.z() < -kDirTolerance ? Eigen::Vector3d(-axes[0].u) : axes[0].u;
  e->p.signs[0] = SignOf(axes[0].u.dot(e->z_O));
  e->O = axes[0].p - axes[0].u * axes[0].u.dot(axes[0].p);
  Eigen::Vector3d x_O = Eigen::Vector3d::UnitX() - e->z_O * e->z_O.x();
  if (x_O.norm() < 1e-6) x_O = Eigen::Vector3d::UnitY() - e->z_O * e->z_O.y();
  x_O.normalize();
  e->x_O = x_O;
  e->y_O = e->z_O.cross(x_O);
}

// Axes 2 to 6 → the wrist centre C, where axes 4, 5, 6 meet (joints 2 and 3 parallel and
// perpendicular to joint 1); "" or why the chain has no such geometry.
std::string FindWristCentre(OpwExtraction* e) {
  const std::array<Line, 6>& axes = e->L;
  if (std::abs(axes[1].u.dot(e->z_O)) > kDirTolerance) return "axis 2 not perpendicular to axis 1";
  if (axes[1].u.cross(axes[2].u).norm() > kDirTolerance) return "axes 2 and 3 not parallel";
  Eigen::Vector3d p45, p54, p56, p65;
  if (!ClosestPoints(axes[3], axes[4], &p45, &p54) || (p45 - p54).norm() > kDistTolerance) {
    return "axes 4 and 5 do not intersect (no spherical wrist)";
  }
  if (!ClosestPoints(axes[4], axes[5], &p56, &p65) || (p56 - p65).norm() > kDistTolerance) {
    return "axes 5 and 6 do not intersect (no spherical wrist)";
  }
  e->C = 0.5 * (p45 + p54);
  if ((0.5 * (p56 + p65) - e->C).norm() > kDistTolerance) {
    return "axes 4, 5, 6 do not meet in one point (no spherical wrist)";
  }
  return "";
}

// Axes 1 to 3 and C → the arm plane frame A (O turned by θ1; x_A from axis 1 towards axis 2,
// so a1 ≥ 0), θ1 and θ2 at q = 0, the signs of joints 2 and 3, a1, c1, c2 and b; "" or why not.
std::string PlaceArmPlane(OpwExtraction* e) {
  const std::array<Line, 6>& axes = e->L;
  const Eigen::Vector3d& O = e->O;
  const Eigen::Vector3d& z_O = e->z_O;
  OpwParameters& p = e->p;
  const Eigen::Vector3d w = axes[1].p - O;
  Eigen::Vector3d d = w - z_O * z_O.dot(w);
  d -= axes[1].u * axes[1].u.dot(d);
  Eigen::Vector3d x_A;
  if (d.norm() > kDistTolerance) {
    x_A = d.normalized();
  } else {
    x_A = axes[1].u.cross(z_O).normalized();
    if (x_A.dot(e->C - O) < 0) x_A = -x_A;
  }
  e->x_A = x_A;
  e->y_A = z_O.cross(x_A);
  e->th0[0] = std::atan2(x_A.dot(e->y_O), x_A.dot(e->x_O));
  p.signs[1] = SignOf(axes[1].u.dot(e->y_A));
  p.signs[2] = SignOf(axes[2].u.dot(e->y_A));
  auto plane = [&](const Eigen::Vector3d& X) {
    return Eigen::Vector2d((X - O).dot(x_A), (X - O).dot(z_O));
  };
  const Eigen::Vector2d j2 = plane(axes[1].p);
  e->j3 = plane(axes[2].p);
  e->c_plane = plane(e->C);
  p.a1 = j2.x();
  p.c1 = j2.y();
  p.c2 = (e->j3 - j2).norm();
  if (p.c2 < kDistTolerance) return "axes 2 and 3 coincide";
  e->th0[1] = std::atan2(e->j3.x() - j2.x(), e->j3.y() - j2.y());
  p.b = (e->C - O).dot(e->y_A);
  return "";
}

// Axis 4 → its direction φ in the arm plane, d4 = (sinφ, cosφ) chosen so that c3 > 0, the sign
// of joint 4, c3, a2 and θ3 at q = 0; "" or why not.
std::string FitJoint4(OpwExtraction* e) {
  const Line& axis4 = e->L[3];
  OpwParameters& p = e->p;
  if (std::abs(axis4.u.dot(e->y_A)) > kDirTolerance) return "axis 4 not in the arm plane";
  Eigen::Vector2d d4(axis4.u.dot(e->x_A), axis4.u.dot(e->z_O));
  d4.normalize();
  const Eigen::Vector2d delta = e->c_plane - e->j3;
  p.signs[3] = SignOf(delta.dot(d4));
  d4 *= p.signs[3];
  p.c3 = delta.dot(d4);
  p.a2 = delta.dot(Eigen::Vector2d(d4.y(), -d4.x()));
  if (p.c3 < kDistTolerance) return "wrist centre on the axis of joint 3 (c3 = 0)";
  e->phi = std::atan2(d4.x(), d4.y());
  e->th0[2] = e->phi - e->th0[1];
  return "";
}

// Axes 5 and 6 and the flange → the signs of joints 5 and 6, c4 and θ4, θ5, θ6 at q = 0; ""
// or why not.
std::string FitWrist(OpwExtraction* e) {
  const std::array<Line, 6>& axes = e->L;
  OpwParameters& p = e->p;
  Vector6d& th0 = e->th0;
  // Joint 5: R_c = [x_A y_A z_O] Ry(φ); J5 = s5 R_c Rz(θ4) e_y, with |θ4| ≤ π/2 preferred.
  Eigen::Matrix3d R_A;
  R_A << e->x_A, e->y_A, e->z_O;
  e->R_c = R_A * Ry(e->phi);
  const Eigen::Vector3d u5 = e->R_c.transpose() * axes[4].u;
  if (std::abs(u5.z()) > kDirTolerance) return "axis 5 not perpendicular to axis 4";
  p.signs[4] = std::abs(u5.y()) > kDirTolerance ? SignOf(u5.y()) : SignOf(-u5.x());
  th0[3] = std::atan2(-p.signs[4] * u5.x(), p.signs[4] * u5.y());
  // Joint 6: J6 = s6 R_c Rz(θ4) Ry(θ5) e_z, s6 chosen so that the flange lies ahead of C (c4 ≥ 0).
  const Eigen::Matrix3d R_4 = e->R_c * Rz(th0[3]);
  const Eigen::Vector3d u6 = R_4.transpose() * axes[5].u;
  if (std::abs(u6.y()) > kDirTolerance) return "axis 6 not perpendicular to axis 5";
  const double along = (e->X_BF0.translation() - e->C).dot(axes[5].u);
  p.signs[5] = std::abs(along) > kDistTolerance ? SignOf(along) : SignOf(u6.z());
  p.c4 = std::abs(along);
  th0[4] = std::atan2(p.signs[5] * u6.x(), p.signs[5] * u6.z());
  // θ6 at q = 0: the flange's turn about axis 6; whatever remains goes into X_EF.
  const Eigen::Matrix3d R_rel = (R_4 * Ry(th0[4])).transpose() * e->X_BF0.linear();
  th0[5] = std::atan2(R_rel(1, 0) - R_rel(0, 1), R_rel(0, 0) + R_rel(1, 1));
  return "";
}

// θ at q = 0 and the frames → the joint offsets, the base frame X_BO and the flange's
// remainder X_EF of `e->p`.
void SetOffsetsAndFrames(OpwExtraction* e) {
  OpwParameters& p = e->p;
  for (int i = 0; i < 6; ++i) p.offsets[i] = internal::WrapToPi(-e->th0[i]) + 0.0;  // no -0
  Eigen::Matrix3d R_O;
  R_O << e->x_O, e->y_O, e->z_O;
  p.X_BO.setIdentity();
  p.X_BO.linear() = R_O;
  p.X_BO.translation() = e->O;
  p.X_EF = ModelPose(p, e->th0).inverse() * p.X_BO.inverse() * e->X_BF0;
}

// The proof that the model `p` reproduces the chain at q = 0 and kVerifySamples seeded random
// configurations → "" or how far apart they are. Both are 2π-periodic in every joint, so a
// joint whose range spans more than three turns is sampled within one turn around 0: values of
// a range of ±1e6 rad would compare rounding noise of sin and cos, not geometry.
std::string ModelMismatch(const Chain& chain, const OpwParameters& p) {
  std::mt19937_64 rng(kVerifySeed);
  for (int sample = 0; sample <= kVerifySamples; ++sample) {
    Vector6d q = Vector6d::Zero();
    if (sample > 0) {
      for (int i = 0; i < 6; ++i) {
        double lo = chain.lower()[i], hi = chain.upper()[i];
        if (!(hi - lo <= 3.0 * kTwoPi)) {
          lo = std::max(std::min(-M_PI, hi - kTwoPi), lo);
          hi = lo + kTwoPi;
        }
        q[i] = std::uniform_real_distribution<double>(lo, hi)(rng);
      }
    }
    const Eigen::Isometry3d X_chain = chain.FlangePose(q);
    const Eigen::Isometry3d X_model = OpwFlangePose(p, q);
    const double dp = (X_chain.translation() - X_model.translation()).norm();
    const double dr = Eigen::AngleAxisd(X_chain.linear().transpose() * X_model.linear()).angle();
    if (dp > kVerifyTolerance || dr > kVerifyTolerance) {
      std::ostringstream s;
      s << "extracted OPW model differs from the chain by " << dp << " m, " << dr
        << " rad at a random configuration (" << ToString(p) << ")";
      return s.str();
    }
  }
  return "";
}

}  // namespace

std::optional<OpwIk> OpwIk::FromChain(const Chain& chain, std::string* why_not) {
  auto reject = [why_not](const std::string& reason) -> std::optional<OpwIk> {
    if (why_not) *why_not = reason;
    return std::nullopt;
  };
  if (std::string why = NotSixRevoluteJoints(chain); !why.empty()) return reject(why);
  OpwExtraction e;
  ReadAxesAtZero(chain, &e);
  PlaceBaseFrame(&e);
  for (auto* step : {&FindWristCentre, &PlaceArmPlane, &FitJoint4, &FitWrist}) {
    if (std::string why = step(&e); !why.empty()) return reject(why);
  }
  SetOffsetsAndFrames(&e);
  if (std::string why = ModelMismatch(chain, e.p); !why.empty()) return reject(why);
  return OpwIk(chain, e.p);
}

unsigned OpwIk::SolveRaw(const Eigen::Isometry3d& X_BF_target, std::array<Vector6d, 8>* q) const {
  const OpwParameters& P = params_;
  Eigen::Matrix3d R;
  Eigen::Vector3d p;
  if (identity_base_ && identity_flange_) {
    R = X_BF_target.linear();
    p = X_BF_target.translation();
  } else {
    const Eigen::Isometry3d X_OE = X_OB_ * X_BF_target * X_FE_;
    R = X_OE.linear();
    p = X_OE.translation();
  }
  const Eigen::Vector3d C = p - P.c4 * R.col(2);
  const double r_sq = C.x() * C.x() + C.y() * C.y();
  double n_sq = r_sq - P.b * P.b;
  if (n_sq < 0) {
    if (n_sq < -1e-14) return 0;  // the wrist centre is closer to axis 1 than |b|
    n_sq = 0;
  }
  const double n = std::sqrt(n_sq);
  // θ1 from Rz(θ1) (±n, b) = (Cx, Cy). On axis 1 (only possible with b = 0) θ1 is free:
  // 0 (front) or π (back).
  const bool on_axis = r_sq <= 1e-24;
  const double r = std::sqrt(r_sq);
  const double inv_r = on_axis ? 0.0 : 1.0 / r;
  const double alpha = on_axis ? 0.0 : AngleOfUnit(C.y() * inv_r, C.x() * inv_r);
  const double inv_r_sq = inv_r * inv_r;
  const double delta = P.b == 0.0 ? 0.0 : Atan2(P.b, n);
  unsigned mask = 0;
  for (int shoulder = 0; shoulder < 2; ++shoulder) {
    const double cx1 = shoulder == 0 ? n : -n;
    const double theta1 = shoulder == 0 ? alpha - delta : alpha + delta - M_PI;
    double s1, c1;
    if (!on_axis) {
      c1 = (cx1 * C.x() + P.b * C.y()) * inv_r_sq;
      s1 = (cx1 * C.y() - P.b * C.x()) * inv_r_sq;
    } else {
      c1 = shoulder == 0 ? 1.0 : -1.0;
      s1 = 0.0;
    }
    // Planar 2-link problem for joints 2 and 3 in the arm plane.
    const double x = cx1 - P.a1;
    const double z = C.z() - P.c1;
    const double s_sq = x * x + z * z;
    double D = (s_sq - P.c2 * P.c2 - k_sq_) * inv_2c2k_;
    if (D > 1.0) {
      if (D > 1.0 + 1e-12) continue;
      D = 1.0;
    } else if (D < -1.0) {
      if (D < -1.0 - 1e-12) continue;
      D = -1.0;
    }
    const double beta = std::acos(D);
    const double sin_beta = std::sqrt(1.0 - D * D);
    const double gy = k_ * sin_beta, gx = P.c2 + k_ * D;
    // sin/cos of φ = θ2 + θ3 = (base − ψ3) ± (β − γ) by angle sums, without trigonometry.
    const double s_len = std::sqrt(s_sq), g_len = std::sqrt(gy * gy + gx * gx);
    const double inv_s = s_len > 0 ? 1.0 / s_len : 0.0, inv_g = g_len > 0 ? 1.0 / g_len : 0.0;
    const double sb = s_len > 0 ? x * inv_s : 0.0, cb = s_len > 0 ? z * inv_s : 1.0;
    const double sg = g_len > 0 ? gy * inv_g : 0.0, cg = g_len > 0 ? gx * inv_g : 1.0;
    const double gamma = AngleOfUnit(sg, cg);
    const double base_angle = AngleOfUnit(sb, cb);
    const double c_mu = cb * cos_psi3_ + sb * sin_psi3_, s_mu = sb * cos_psi3_ - cb * sin_psi3_;
    const double c_nu = D * cg + sin_beta * sg, s_nu = sin_beta * cg - D * sg;
    // Rows of Rz(θ1)ᵀ R.
    const Eigen::RowVector3d A0 = c1 * R.row(0) + s1 * R.row(1);
    const Eigen::RowVector3d A1 = -s1 * R.row(0) + c1 * R.row(1);
    const Eigen::RowVector3d A2 = R.row(2);
    for (int elbow = 0; elbow < 2; ++elbow) {
      const double e = elbow == 0 ? 1.0 : -1.0;
      const double theta2 = base_angle - e * gamma;
      const double theta3 = e * beta - psi3_;
      const double cp = c_mu * c_nu - e * s_mu * s_nu;
      const double sp = s_mu * c_nu + e * c_mu * s_nu;
      // M = Ry(φ)ᵀ Rz(θ1)ᵀ R = Rz(θ4) Ry(θ5) Rz(θ6)  (ZYZ Euler angles).
      const Eigen::RowVector3d M0 = cp * A0 - sp * A2;
      const Eigen::RowVector3d& M1 = A1;
      const Eigen::RowVector3d M2 = sp * A0 + cp * A2;
      const double rho = std::sqrt(M0(2) * M0(2) + M1(2) * M1(2));
      double c4 = 1.0, s4 = 0.0, theta4 = 0.0;  // at θ5 = 0 only θ4 + θ6 matters: θ4 = 0
      if (rho > 0) {
        const double inv_rho = 1.0 / rho;
        c4 = M0(2) * inv_rho;
        s4 = M1(2) * inv_rho;
        theta4 = AngleOfUnit(s4, c4);
      }
      const double h = std::sqrt(rho * rho + M2(2) * M2(2));
      const double inv_h = 1.0 / h;
      const double s5 = rho * inv_h, c5 = M2(2) * inv_h;
      const double theta5 = AngleOfUnit(s5, c5);
      // θ6 from Ry(-θ5) Rz(-θ4) M = Rz(θ6), consistent with the θ4, θ5 just chosen.
      const double theta6 =
          Atan2(-s4 * M0(0) + c4 * M1(0), c5 * (c4 * M0(0) + s4 * M1(0)) - s5 * M2(0));
      for (int wrist = 0; wrist < 2; ++wrist) {
        const int branch = shoulder | (elbow << 1) | (wrist << 2);
        const double th[6] = {theta1,
                              theta2,
                              theta3,
                              wrist == 0 ? theta4 : theta4 + M_PI,
                              wrist == 0 ? theta5 : -theta5,
                              wrist == 0 ? theta6 : theta6 + M_PI};
        Vector6d& out = (*q)[branch];
        for (int i = 0; i < 6; ++i) {
          double v = P.signs[i] * (th[i] + P.offsets[i]);
          // |th| < 3π and offsets within (−π, π], so |v| < 4π: two conditional steps per side
          // wrap it (written as selects so that the compiler need not branch on random data).
          v -= v > M_PI ? kTwoPi : 0.0;
          v -= v > M_PI ? kTwoPi : 0.0;
          v += v <= -M_PI ? kTwoPi : 0.0;
          v += v <= -M_PI ? kTwoPi : 0.0;
          out[i] = v;
        }
        mask |= 1u << branch;
      }
    }
  }
  return mask;
}

std::vector<IkSolution> OpwIk::SolveWithBranches(const Eigen::Isometry3d& X_BF_target,
                                                 const IkRequest& request) const {
  std::array<Vector6d, 8> raw;
  const unsigned mask = SolveRaw(X_BF_target, &raw);
  std::vector<IkSolution> out;
  // Coinciding branches (e.g. an outstretched elbow) give the same joint values: keep one.
  unsigned unique = 0;
  for (int b = 0; b < 8; ++b) {
    if (!(mask & (1u << b))) continue;
    bool duplicate = false;
    for (int a = 0; a < b && !duplicate; ++a) {
      duplicate = (unique & (1u << a)) && (raw[a] - raw[b]).cwiseAbs().maxCoeff() < 1e-12;
    }
    if (!duplicate) unique |= 1u << b;
  }
  for (int b = 0; b < 8; ++b) {
    if (unique & (1u << b)) {
      internal::AppendWithEquivalents(chain_, raw[b], b, request,
                                      internal::EquivalentsPart::kPrimary, &out);
    }
  }
  if (request.include_2pi_equivalents) {
    for (int b = 0; b < 8; ++b) {
      if (unique & (1u << b)) {
        internal::AppendWithEquivalents(chain_, raw[b], b, request,
                                        internal::EquivalentsPart::kRest, &out);
      }
    }
  }
  if (request.max_solutions > 0 && static_cast<int>(out.size()) > request.max_solutions) {
    out.resize(request.max_solutions);
  }
  return out;
}

}  // namespace weldcell::kinematics
