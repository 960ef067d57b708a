#include "planner/kinematics/numeric_ik.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

namespace weldcell::kinematics {

namespace {

using JointVector = Eigen::Matrix<double, Eigen::Dynamic, 1, Eigen::ColMajor, kMaxDof, 1>;
using JointMatrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor, kMaxDof, kMaxDof>;
using Vector6d = Eigen::Matrix<double, 6, 1>;

constexpr double kTwoPi = 2.0 * M_PI;
constexpr double kMuStart = 1e-2;
constexpr double kMuMin = 1e-12;
constexpr double kMuMax = 1e8;
constexpr double kDistinct = 1e-3;  // rad or m: solutions closer than this are the same

// Pose error [ω; v] (angular on top, like the Jacobian): the rotation vector taking the current
// orientation to the target, and the position difference, both in the base frame.
Vector6d PoseError(const Eigen::Isometry3d& X_target, const Eigen::Isometry3d& X) {
  Vector6d e;
  const Eigen::AngleAxisd aa(X_target.linear() * X.linear().transpose());
  e.head<3>() = aa.angle() * aa.axis();
  e.tail<3>() = X_target.translation() - X.translation();
  return e;
}

bool Converged(const Vector6d& e, double tolerance) {
  return e.head<3>().norm() < tolerance && e.tail<3>().norm() < tolerance;
}

// Brings q into the limits: revolute joints by the fewest turns that do it (the value stays as
// near as possible to where the step took it), then clamping.
void IntoLimits(const Chain& chain, JointVector* q) {
  for (int i = 0; i < chain.dof(); ++i) {
    double& v = (*q)[i];
    const double lo = chain.lower()[i], hi = chain.upper()[i];
    if (chain.joint_type(i) == cell::JointType::kRevolute) {
      if (v > hi) {
        const double w = v - kTwoPi * std::ceil((v - hi) / kTwoPi);
        if (w >= lo) v = w;
      } else if (v < lo) {
        const double w = v + kTwoPi * std::ceil((lo - v) / kTwoPi);
        if (w <= hi) v = w;
      }
    }
    v = std::clamp(v, lo, hi);
  }
}

// Joints whose range spans more than this are sampled in one turn only (see StartInterval).
constexpr double kWideRange = 3.0 * kTwoPi;

// Where random starts of joint i are drawn: the whole range, or for a revolute joint with a range
// of more than three turns (an axis-6 option of hundreds of turns) one turn around the seed (0
// without one) within the limits — every pose of the arm has a configuration there, since the
// joint's effect repeats every turn; drawing from the whole range would only give wound-up
// starts (and with huge limits values whose sine has no digits left).
std::pair<double, double> StartInterval(const Chain& chain, int i, double centre) {
  const double lo = chain.lower()[i], hi = chain.upper()[i];
  if (chain.joint_type(i) != cell::JointType::kRevolute || hi - lo <= kWideRange) return {lo, hi};
  double a = std::isfinite(centre) ? centre - M_PI : -M_PI;
  if (a > hi - kTwoPi) a = hi - kTwoPi;  // (comparisons, not std::clamp: NaN-safe)
  if (a < lo) a = lo;
  return {a, a + kTwoPi};
}

}  // namespace

bool NumericIk::SolveFrom(const Eigen::Isometry3d& X_target,
                          const Eigen::Ref<const Eigen::VectorXd>& q_start,
                          const IkRequest& request, Eigen::VectorXd* q_out, int* iterations) const {
  const int n = chain_.dof();
  JointVector q = q_start;
  IntoLimits(chain_, &q);
  Eigen::Isometry3d X;
  JacobianMatrix J;
  chain_.FlangePoseAndJacobian(q, &X, &J);
  Vector6d e = PoseError(X_target, X);
  double E = e.squaredNorm();
  double mu = kMuStart;
  JointVector q_new(n), dq(n);
  JacobianMatrix J_new;
  int it = 0;
  bool converged = Converged(e, request.tolerance);
  for (; it < request.max_iterations && !converged; ++it) {
    const double lambda = mu * E + 1e-14;
    if (n <= 6) {
      JointMatrix A = J.transpose() * J;
      A.diagonal().array() += lambda;
      dq = A.ldlt().solve(J.transpose() * e);
    } else {
      Eigen::Matrix<double, 6, 6> A = J * J.transpose();
      A.diagonal().array() += lambda;
      dq = J.transpose() * A.ldlt().solve(e);
    }
    q_new = q + dq;
    IntoLimits(chain_, &q_new);
    Eigen::Isometry3d X_new;
    chain_.FlangePoseAndJacobian(q_new, &X_new, &J_new);
    const Vector6d e_new = PoseError(X_target, X_new);
    const double E_new = e_new.squaredNorm();
    if (E_new < E) {
      q = q_new;
      J = J_new;
      e = e_new;
      E = E_new;
      mu = std::max(mu * 0.1, kMuMin);
      converged = Converged(e, request.tolerance);
    } else {
      mu *= 10.0;
      if (mu > kMuMax) break;  // stalled (limit or local minimum): give up this start
    }
  }
  if (iterations) *iterations = it;
  // An arm of fewer than six joints may not make the pose exactly (ik.hpp: stall_tolerance);
  // one of six or more that ends short of `tolerance` is at a limit or a singularity.
  if (!converged && !(n < 6 && Converged(e, request.stall_tolerance))) return false;
  *q_out = q;
  return true;
}

std::vector<IkSolution> NumericIk::SolveWithBranches(const Eigen::Isometry3d& X_BF_target,
                                                     const IkRequest& request) const {
  const int n = chain_.dof();
  std::vector<Eigen::VectorXd> found;
  std::mt19937_64 rng(request.random_seed);
  Eigen::VectorXd start(n), q(n);
  for (int attempt = 0; attempt < request.max_attempts; ++attempt) {
    const bool seeded = request.seed.size() == n;
    if (attempt == 0) {
      for (int i = 0; i < n; ++i) {
        const auto [lo, hi] = StartInterval(chain_, i, seeded ? request.seed[i] : 0.0);
        start[i] = seeded ? request.seed[i] : 0.5 * (lo + hi);
      }
    } else {
      for (int i = 0; i < n; ++i) {
        const auto [lo, hi] = StartInterval(chain_, i, seeded ? request.seed[i] : 0.0);
        start[i] = std::uniform_real_distribution<double>(lo, hi)(rng);
      }
    }
    if (!SolveFrom(X_BF_target, start, request, &q)) continue;
    const bool is_new = std::none_of(found.begin(), found.end(), [&](const Eigen::VectorXd& f) {
      for (int i = 0; i < n; ++i) {
        double d = q[i] - f[i];
        if (chain_.joint_type(i) == cell::JointType::kRevolute) d = internal::WrapToPi(d);
        if (std::abs(d) > kDistinct) return false;
      }
      return true;
    });
    if (is_new) found.push_back(q);
    if (request.distinct_solutions > 0 &&
        static_cast<int>(found.size()) >= request.distinct_solutions) {
      break;
    }
  }
  std::vector<IkSolution> out;
  for (int k = 0; k < static_cast<int>(found.size()); ++k) {
    internal::AppendWithEquivalents(chain_, found[k], k, request,
                                    internal::EquivalentsPart::kPrimary, &out);
  }
  if (request.include_2pi_equivalents) {
    for (int k = 0; k < static_cast<int>(found.size()); ++k) {
      internal::AppendWithEquivalents(chain_, found[k], k, request,
                                      internal::EquivalentsPart::kRest, &out);
    }
  }
  if (request.max_solutions > 0 && static_cast<int>(out.size()) > request.max_solutions) {
    out.resize(request.max_solutions);
  }
  return out;
}

}  // namespace weldcell::kinematics
