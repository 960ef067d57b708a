#pragma once
// Numeric inverse kinematics for any chain (and the fallback when a chain is not OPW):
// Levenberg–Marquardt on the 6-D pose error with joint limits, restarted from seeded random
// configurations within the limits, collecting distinct solutions.
//
// Method: damped least squares steps Δq = (JᵀJ + λI)⁻¹ Jᵀ e (or Jᵀ (JJᵀ + λI)⁻¹ e when
// dof > 6), with the damping λ = μ‖e‖² of Sugihara's LM variant, μ adapted by step acceptance
// (the error must decrease), so that far from the target the step is a damped gradient step
// and near it a Gauss–Newton step (quadratic convergence to tolerance 1e-9 in a few
// iterations). Joint limits: a revolute joint leaving its range is first wrapped by the fewest
// turns that bring it back, then clamped; a start that stalls is abandoned for the next one.
// Random starts are drawn within the limits; a revolute joint whose range spans more than three
// turns is drawn within one turn around the seed (around 0 without one) instead.
// References: C. W. Wampler, "Manipulator inverse kinematic solutions based on vector
// formulations and damped least-squares methods", IEEE Trans. SMC 16(1), 1986; Y. Nakamura,
// H. Hanafusa, "Inverse kinematic solutions with singularity robustness for robot manipulator
// control", J. Dyn. Sys. Meas. Control 108, 1986; S. R. Buss, "Introduction to inverse
// kinematics with Jacobian transpose, pseudoinverse and damped least squares methods", 2004;
// T. Sugihara, "Solvability-unconcerned inverse kinematics by the Levenberg–Marquardt method",
// IEEE Trans. Robotics 27(5), 2011.
//
// Determinism: starts are request.seed (or the middle of the limits, of the turn around 0 for a
// wide revolute joint), then configurations drawn
// from std::mt19937_64(request.random_seed): same input, same output, on any thread.
// Thread safety: const; scratch lives on the stack of each call.

#include <Eigen/Core>
#include <Eigen/Geometry>

#include "planner/kinematics/chain.hpp"
#include "planner/kinematics/ik.hpp"

namespace weldcell::kinematics {

class NumericIk final : public IkSolver {
 public:
  explicit NumericIk(const Chain& chain) : chain_(chain) {}

  /// Distinct solutions (two solutions that differ only by 2π on revolute joints are the same)
  /// in the order found, each followed — after all primaries — by its 2π equivalents when
  /// requested. Stops after request.distinct_solutions distinct ones or request.max_attempts
  /// starts. Every returned q is within the limits with pose error < request.tolerance.
  std::vector<IkSolution> SolveWithBranches(const Eigen::Isometry3d& X_BF_target,
                                            const IkRequest& request = {}) const override;

  /// One local solve from q_start (clamped into the limits). True, with *q set, when it
  /// converged within request.tolerance and request.max_iterations; *iterations (optional)
  /// receives the iterations used.
  bool SolveFrom(const Eigen::Isometry3d& X_BF_target,
                 const Eigen::Ref<const Eigen::VectorXd>& q_start, const IkRequest& request,
                 Eigen::VectorXd* q, int* iterations = nullptr) const;

  const Chain& chain() const override { return chain_; }
  std::string_view name() const override { return "numeric"; }

 private:
  Chain chain_;
};

}  // namespace weldcell::kinematics
