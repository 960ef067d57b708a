#pragma once
// Station-level checks that need the collision world, run by `weldcell check` and, before
// planning, by `weldcell plan`: every robot's home is checked where the user wrote it.
//
// A home must be free of the environment, of the robot itself and of the other robots' homes,
// with the margin that motions keep (collision::SweptMargin of the cell's resolution, see
// docs/motion.md): a home nearer than that cannot be left by any motion the planner makes. Self
// pairs are those of the verifier's rule (collision::PairPolicy::kVerifier), so a home that
// passes is also one the verifier accepts; a gun touching its own arm at home is an input error
// and is never excused.
//
// Units: m, rad inside; messages show homes in degrees (revolute) and mm (prismatic), as a
// cell file written in deg/mm would.
// Thread safety: const queries on a shared world; each call makes its own CollisionContext.

#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::verify {

struct HomeCheckOptions {
  /// m: clearance a home must keep from obstacles (twice it between two robot bodies, as in
  /// collision::CheckRequest). Negative: the margin motions keep,
  /// collision::SweptMargin(cell.settings.motion.resolution).
  double margin = -1.0;
  bool operator==(const HomeCheckOptions&) const = default;
};

/// Checks every robot's home against the obstacles, the robot itself and every other robot at
/// its home, and every robot body at home against the closed mesh obstacles (cell::IsClosedMesh):
/// a body inside one is an error too. Returns one error per offending body pair of a robot and
/// obstacles, one per pair of robots (naming up to four body pairs), and one per body inside a
/// closed mesh (empty when all homes are fine), placed
/// at the robot's `home:` in the cell file (cell::Robot::home_where; the cell file when
/// unknown) with key `robots[i].home`, e.g.
///   `R1's home [0, -30, -35, 0, 100, 0] deg is in collision: R1/link_3 – pillar (in contact)`
///   `... : R1/link_3 – pillar (nearer than the 2.5 mm that motions keep)`
/// A self pair of two links in contact says how to declare it allowed in robot.yaml, if the
/// overlap is structural. Callers typically throw InputError(diagnostics) when it is not empty.
/// Preconditions (checked, abort): `world` was made from `cell` with
/// collision::PairPolicy::kVerifier (verify::MakeVerifierWorld).
std::vector<Diagnostic> CheckHomes(const cell::Cell& cell, const collision::CollisionWorld& world,
                                   const HomeCheckOptions& options = {});

/// "[0, -30, -35, 0, 100, 0] deg": a configuration in the units of a cell file written in
/// degrees and mm (revolute joints in deg, prismatic ones in mm, each marked when mixed).
std::string HomeText(const kinematics::Chain& chain, const Eigen::VectorXd& q);

}  // namespace weldcell::verify
