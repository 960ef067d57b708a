#pragma once
// Mapping between URDF joint values and the values a robot controller (teach pendant) shows,
// per docs/formats.md: c[i] = signs[i] * (q[i] + offsets[i]), then for each coupling in order
// c[joint] += factor * c[plus] (e.g. FANUC's pendant J3 includes J2).
//
// Units: rad (m for prismatic joints) on both sides. Empty offsets/signs mean 0 / +1.
// Preconditions (checked, abort): offsets/signs are empty or have q.size() entries, signs are
// ±1, coupling indices are valid and a coupling never couples a joint to itself.
// Thread safety: pure functions.

#include <Eigen/Core>

#include "planner/cell/robot_model.hpp"

namespace weldcell::kinematics {

/// URDF joint values → controller joint values.
Eigen::VectorXd ToController(const cell::ControllerJoints& mapping,
                             const Eigen::Ref<const Eigen::VectorXd>& q);

/// Controller joint values → URDF joint values (exact inverse of ToController: the couplings
/// are undone in reverse order).
Eigen::VectorXd FromController(const cell::ControllerJoints& mapping,
                               const Eigen::Ref<const Eigen::VectorXd>& c);

}  // namespace weldcell::kinematics
