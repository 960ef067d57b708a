#include "planner/kinematics/ik.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "planner/kinematics/numeric_ik.hpp"
#include "planner/kinematics/opw_ik.hpp"

namespace weldcell::kinematics {

bool IkRequest::operator==(const IkRequest& o) const {
  const bool same_seed =
      seed.size() == o.seed.size() && (seed.size() == 0 || seed == o.seed);
  return same_seed && random_seed == o.random_seed && max_solutions == o.max_solutions &&
         include_2pi_equivalents == o.include_2pi_equivalents && tolerance == o.tolerance &&
         max_attempts == o.max_attempts && max_iterations == o.max_iterations &&
         distinct_solutions == o.distinct_solutions;
}

std::string ToString(const IkRequest& r) {
  std::ostringstream s;
  s.precision(17);
  s << "IkRequest{seed=[";
  for (Eigen::Index i = 0; i < r.seed.size(); ++i) s << (i ? ", " : "") << r.seed[i];
  s << "], random_seed=" << r.random_seed << ", max_solutions=" << r.max_solutions
    << ", include_2pi_equivalents=" << (r.include_2pi_equivalents ? "true" : "false")
    << ", tolerance=" << r.tolerance << ", max_attempts=" << r.max_attempts
    << ", max_iterations=" << r.max_iterations << ", distinct_solutions=" << r.distinct_solutions
    << "}";
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

void AppendWithEquivalents(const Chain& chain, const Eigen::Ref<const Eigen::VectorXd>& q,
                           int branch, const IkRequest& request, EquivalentsPart part,
                           std::vector<IkSolution>* out) {
  constexpr double kTwoPi = 2.0 * M_PI;
  // Values that land on a limit up to rounding are accepted and clamped onto it.
  constexpr double kLimitSlack = 1e-12;
  const int n = chain.dof();
  std::array<std::array<double, 8>, kMaxDof> candidates;
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
    // First the value nearest to the target, then the others ascending.
    const double k_lo = std::ceil((lo - kLimitSlack - q[i]) / kTwoPi);
    const double k_hi = std::floor((hi + kLimitSlack - q[i]) / kTwoPi);
    for (double k = k_lo; k <= k_hi && count[i] < 8; k += 1.0) {
      candidates[i][count[i]++] = std::clamp(q[i] + k * kTwoPi, lo, hi);
    }
    if (count[i] == 0) return;
    int nearest = 0;
    for (int c = 1; c < count[i]; ++c) {
      if (std::abs(candidates[i][c] - target) < std::abs(candidates[i][nearest] - target)) {
        nearest = c;
      }
    }
    std::rotate(candidates[i].begin(), candidates[i].begin() + nearest,
                candidates[i].begin() + nearest + 1);
    if (!request.include_2pi_equivalents) count[i] = 1;
  }
  std::array<int, kMaxDof> index{};
  bool first = true;
  while (true) {
    if ((first && part != EquivalentsPart::kRest) || (!first && part != EquivalentsPart::kPrimary)) {
      Eigen::VectorXd solution(n);
      for (int i = 0; i < n; ++i) solution[i] = candidates[i][index[i]];
      out->push_back(IkSolution{.q = std::move(solution), .branch = branch});
    }
    if (part == EquivalentsPart::kPrimary) return;
    first = false;
    int i = n - 1;
    while (i >= 0 && ++index[i] == count[i]) index[i--] = 0;
    if (i < 0) return;
  }
}

}  // namespace internal
}  // namespace weldcell::kinematics
