#pragma once
// Inverse kinematics: the IkSolver interface, its request/solution types, and MakeIkSolver,
// which picks the analytic OPW solver when the chain has that geometry and the numeric solver
// otherwise.
//
// Units: m, rad. Targets are flange poses X_BF (tip link in the base link frame), as returned by
// Chain::FlangePose; for a tool, pass X_BT * X_FT.inverse().
// Thread safety: Solve is const and uses no shared scratch: one solver may serve many threads.
// Determinism: the same target and request give the same solutions in the same order.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "planner/kinematics/chain.hpp"

namespace weldcell::kinematics {

struct IkRequest {
  /// Preferred configuration (dof() entries) or empty. Numeric IK starts from it first; every
  /// solver gives each revolute joint the 2π-equivalent value (q ± 2πk) within the limits that is
  /// nearest to it (to 0 when empty): never a wound-up value when a nearer one is allowed.
  Eigen::VectorXd seed;
  /// Seed of the random restarts of the numeric solver (std::mt19937_64).
  std::uint64_t random_seed = 1;
  /// At most this many solutions are returned (0 = no limit).
  int max_solutions = 0;
  /// Also return, for revolute joints, other values ±2πk of a solution that stay within the
  /// limits: per joint the internal::kMaxEquivalentsPerJoint nearest to the seed, and at most
  /// internal::kMaxEquivalentsPerSolution combinations per solution (however wide the limits).
  bool include_2pi_equivalents = true;
  /// Numeric IK: a solution's position error (m) and rotation error (rad) are both below this.
  double tolerance = 1e-9;
  /// Numeric IK, arms of fewer than six joints: a start that ends short of `tolerance` is still
  /// a solution when both errors are below this (m, rad). Such an arm cannot correct what its
  /// model rounds: a URDF's rpy="3.14159265" leaves the flange 3.6e-9 rad off the vertical, and
  /// no weld pose with a vertical gun axis was reachable within 1e-9.
  double stall_tolerance = 1e-6;
  /// Numeric IK: number of starts (the seed, then random configurations within the limits).
  int max_attempts = 32;
  /// Numeric IK: iterations per start.
  int max_iterations = 60;
  /// Numeric IK: stop after this many distinct solutions (ignoring 2π equivalents; 0 = all
  /// found within max_attempts). The default of 1 is the "find one" case.
  int distinct_solutions = 1;

  bool operator==(const IkRequest& other) const;
};
std::string ToString(const IkRequest& request);

/// One IK solution: joint values within the limits, and the branch it belongs to.
/// OPW: branch = bit 0 shoulder (0: wrist centre in front of axis 1, 1: behind), bit 1 elbow
/// (0: θ3 + atan2(a2, c3) ≥ 0, 1: < 0), bit 2 wrist (0: θ5 ≥ 0, 1: θ5 < 0), all in the OPW
/// model's angles (see opw_ik.hpp). Numeric: the index of the distinct solution
/// (in the order found). 2π equivalents share their branch.
struct IkSolution {
  Eigen::VectorXd q;
  int branch = 0;
  bool operator==(const IkSolution& other) const { return branch == other.branch && q == other.q; }
};

class IkSolver {
 public:
  virtual ~IkSolver() = default;

  /// All solutions (within the joint limits) that put the flange at X_BF_target, with branches.
  /// Order: deterministic (see each solver). Empty when unreachable. Never throws.
  virtual std::vector<IkSolution> SolveWithBranches(const Eigen::Isometry3d& X_BF_target,
                                                    const IkRequest& request = {}) const = 0;

  /// The joint values of SolveWithBranches.
  std::vector<Eigen::VectorXd> Solve(const Eigen::Isometry3d& X_BF_target,
                                     const IkRequest& request = {}) const;

  virtual std::string_view name() const = 0;
  virtual const Chain& chain() const = 0;
};

/// The analytic OPW solver when the chain has a 6R ortho-parallel basis with a spherical wrist
/// (detected and verified, see OpwIk::FromChain), otherwise the numeric solver. The solver holds
/// a copy of the chain. When the numeric solver is chosen and why_numeric is given, it receives
/// the reason the chain is not OPW (e.g. "axes 4 and 5 do not intersect (no spherical wrist)").
std::unique_ptr<IkSolver> MakeIkSolver(const Chain& chain, std::string* why_numeric = nullptr);

namespace internal {
/// Bounds on the 2π equivalents listed per solution. 3 per joint covers every value of a joint
/// with a range up to 4π (J6 of ±450° has at most 3) and keeps wide ranges (an axis-6 option of
/// hundreds of turns) at the 3 turns nearest to the seed; 32 per solution lists every
/// combination of the shipped robots (J1 ≤ 2 × J4 ≤ 3 × J6 ≤ 3) and bounds the product when many
/// joints are wide.
inline constexpr int kMaxEquivalentsPerJoint = 3;
inline constexpr int kMaxEquivalentsPerSolution = 32;

/// The value q + 2πk (k integer) within [lo, hi] nearest to `target` (0 when not finite), in
/// O(1) whatever the range; NaN when no such value exists or q is not finite. A value on a limit
/// up to rounding is clamped onto it.
double NearestEquivalentWithin(double q, double target, double lo, double hi);

/// Appends to *out the solution q (joint values of one branch, revolute ones anywhere) and,
/// when requested, its ±2πk equivalents within the limits; values that cannot be brought within
/// the limits drop the solution. The first appended is the one nearest to the seed (joint by
/// joint, NearestEquivalentWithin); the others combine, per revolute joint, the
/// kMaxEquivalentsPerJoint values nearest to the seed (the nearest, then the others ascending)
/// in lexicographic order (joint 0 slowest), at most kMaxEquivalentsPerSolution appended in all.
/// Cost: O(dof · kMaxEquivalentsPerSolution), independent of the limits. `part` selects the
/// primary only, the others only, or all.
enum class EquivalentsPart { kPrimary, kRest, kAll };
void AppendWithEquivalents(const Chain& chain, const Eigen::Ref<const Eigen::VectorXd>& q,
                           int branch, const IkRequest& request, EquivalentsPart part,
                           std::vector<IkSolution>* out);
/// Wraps an angle into (-π, π].
double WrapToPi(double angle);
}  // namespace internal

}  // namespace weldcell::kinematics
