#include "planner/kinematics/ik.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <sstream>

#include "planner/kinematics/numeric_ik.hpp"
#include "planner/kinematics/opw_ik.hpp"

namespace weldcell::kinematics {

bool IkRequest::operator==(const IkRequest& o) const {
  const bool same_seed = seed.size() == o.seed.size() && (seed.size() == 0 || seed == o.seed);
  return same_seed && random_seed == o.random_seed && max_solutions == o.max_solutions &&
         include_2pi_equivalents == o.include_2pi_equivalents && tolerance == o.tolerance &&
         stall_tolerance == o.stall_tolerance && max_attempts == o.max_attempts &&
         max_iterations == o.max_iterations && distinct_solutions == o.distinct_solutions;
}

std::string ToString(const IkRequest& r) {
  std::ostringstream s;
  s.precision(17);
  s << "IkRequest{seed=[";
  for (Eigen::Index i = 0; i < r.seed.size(); ++i) s << (i ? ", " : "") << r.seed[i];
  s << "], random_seed=" << r.random_seed << ", max_solutions=" << r.max_solutions
    << ", include_2pi_equivalents=" << (r.include_2pi_equivalents ? "true" : "false")
    << ", tolerance=" << r.tolerance << ", stall_tolerance=" << r.stall_tolerance
    << ", max_attempts=" << r.max_attempts << ", max_iterations=" << r.max_iterations
    << ", distinct_solutions=" << r.distinct_solutions << "}";
  return s.str();
}

std::vector<Eigen::VectorXd> IkSolver::Solve(const Eigen::Isometry3d& X_BF_target,
                                             const IkRequest& request) const {
  std::vector<IkSolution> solutions = SolveWithBranches(X_BF_target, request);
  std::vector<Eigen::VectorXd> out;
  out.reserve(solutions.size());
  for (IkSolution& s : solutions) out.push_back(std::move(s.q));
  return out;
}

std::unique_ptr<IkSolver> MakeIkSolver(const Chain& chain, std::string* why_numeric) {
  if (std::optional<OpwIk> opw = OpwIk::FromChain(chain, why_numeric)) {
    return std::make_unique<OpwIk>(std::move(*opw));
  }
  return std::make_unique<NumericIk>(chain);
}

namespace internal {

double WrapToPi(double a) {
  constexpr double kTwoPi = 2.0 * M_PI;
  if (a > M_PI || a <= -M_PI) {
    a = std::remainder(a, kTwoPi);  // in [-π, π]
    if (a <= -M_PI) a += kTwoPi;
  }
  return a;
}

namespace {

constexpr double kTwoPi = 2.0 * M_PI;

// Values that land on a limit up to rounding are accepted (and clamped onto it): 1e-12 rad, plus
// a few units in the last place of the value for the turns of wide ranges.
double LimitSlack(double v) {
  return 1e-12 + 8.0 * std::numeric_limits<double>::epsilon() * std::abs(v);
}

// Whether q + k·2π is within the limits up to the slack.
bool TurnWithin(double q, double k, double lo, double hi) {
  const double v = q + k * kTwoPi;
  const double slack = LimitSlack(v);
  return std::isfinite(v) && v >= lo - slack && v <= hi + slack;
}

// The number of turns k (an integer) for which q + k·2π within the limits is nearest to the
// target; false when no turn is within them. O(1): the unconstrained nearest turn, then the
// nearest one inside the limits (the allowed turns are consecutive and their distance to the
// target grows away from the unconstrained nearest one). Every value is formed as q + k·2π in
// one step, so that a turn of 0 gives q itself, bit for bit.
bool NearestTurn(double q, double target, double lo, double hi, double* k) {
  if (!std::isfinite(q)) return false;
  if (!std::isfinite(target)) target = 0.0;
  *k = std::round((target - q) / kTwoPi);
  const double v = q + *k * kTwoPi;
  const double slack = LimitSlack(v);
  if (v < lo - slack) {
    *k += std::ceil((lo - slack - v) / kTwoPi);
  } else if (v > hi + slack) {
    *k -= std::ceil((v - hi - slack) / kTwoPi);
  }
  return TurnWithin(q, *k, lo, hi);
}

}  // namespace

double NearestEquivalentWithin(double q, double target, double lo, double hi) {
  double k = 0.0;
  if (!NearestTurn(q, target, lo, hi, &k)) return std::numeric_limits<double>::quiet_NaN();
  return std::clamp(q + k * kTwoPi, lo, hi);
}

void AppendWithEquivalents(const Chain& chain, const Eigen::Ref<const Eigen::VectorXd>& q,
                           int branch, const IkRequest& request, EquivalentsPart part,
                           std::vector<IkSolution>* out) {
  constexpr double kLimitSlack = 1e-12;
  const int n = chain.dof();
  std::array<std::array<double, kMaxEquivalentsPerJoint>, kMaxDof> candidates;
  std::array<int, kMaxDof> count{};
  for (int i = 0; i < n; ++i) {
    const double lo = chain.lower()[i], hi = chain.upper()[i];
    if (!std::isfinite(q[i])) return;
    if (chain.joint_type(i) != cell::JointType::kRevolute) {
      if (q[i] < lo - kLimitSlack || q[i] > hi + kLimitSlack) return;
      candidates[i][count[i]++] = std::clamp(q[i], lo, hi);
      continue;
    }
    const double target = request.seed.size() == n ? request.seed[i] : 0.0;
    double k = 0.0;
    if (!NearestTurn(q[i], target, lo, hi, &k)) return;
    candidates[i][count[i]++] = std::clamp(q[i] + k * kTwoPi, lo, hi);
    if (!request.include_2pi_equivalents) continue;
    // The next nearest turns to the target within the limits, at most
    // kMaxEquivalentsPerJoint in all: walk outwards from the nearest one on both sides.
    double k_up = k + 1.0, k_down = k - 1.0;
    while (count[i] < kMaxEquivalentsPerJoint) {
      const bool up_ok = k_up != k && TurnWithin(q[i], k_up, lo, hi);
      const bool down_ok = k_down != k && TurnWithin(q[i], k_down, lo, hi);
      if (!up_ok && !down_ok) break;
      const double up = q[i] + k_up * kTwoPi, down = q[i] + k_down * kTwoPi;
      if (up_ok && (!down_ok || std::abs(up - target) <= std::abs(down - target))) {
        candidates[i][count[i]++] = std::clamp(up, lo, hi);
        k_up += 1.0;
      } else {
        candidates[i][count[i]++] = std::clamp(down, lo, hi);
        k_down -= 1.0;
      }
    }
    // Nearest first, then the others ascending.
    std::sort(candidates[i].begin() + 1, candidates[i].begin() + count[i]);
  }
  std::array<int, kMaxDof> index{};
  int emitted = 0;
  while (true) {
    if ((emitted == 0 && part != EquivalentsPart::kRest) ||
        (emitted > 0 && part != EquivalentsPart::kPrimary)) {
      Eigen::VectorXd solution(n);
      for (int i = 0; i < n; ++i) solution[i] = candidates[i][index[i]];
      out->push_back(IkSolution{.q = std::move(solution), .branch = branch});
    }
    if (part == EquivalentsPart::kPrimary || ++emitted >= kMaxEquivalentsPerSolution) return;
    int i = n - 1;
    while (i >= 0 && ++index[i] == count[i]) index[i--] = 0;
    if (i < 0) return;
  }
}

}  // namespace internal
}  // namespace weldcell::kinematics
