#pragma once
// Multi-robot coordination: all robots on one clock, robot–robot conflicts found by dense
// checks and resolved by interlocks — a robot waits at the last place it stood before a
// conflicting block of motion until the other robot has finished its block (left the shared
// zone and released it).
//
// A block is a robot's travel to a weld with its approach, dwell and retract (or its final
// travel home). Waits are only ever inserted at the start of a block, where the robot stands
// still; a robot never stops in the middle of a motion. Robots get priorities (the longest
// timeline first); conflicts are resolved earliest first by making the lower-priority robot wait
// until the other has finished its current block; if it is already waiting when the conflict
// happens (its waiting place is in the way), it waits one block earlier instead. A robot's waits
// never change a higher-priority timeline and only delay motion after the wait, so the
// conflict-free part of the timeline before it stays conflict-free and the process ends: at
// worst a robot waits at home until the others are done. Each robot is tried as the one that
// never waits (the others by decreasing duration); the shortest conflict-free result is kept.
//
// Precedences between welds (the cell's `after:`) hold on the common clock: a weld's dwell
// starts only when the dwells of all its predecessors have ended, whichever robot welds them.
// Where it would start earlier, the robot waits at its last standstill before the dependent
// weld — the approach point, where its travel ends before the approach along the normal — just
// long enough to weld when the last predecessor is done; waiting there rather than where it
// came from keeps it out of the way of the weld it waits for. These waits are recomputed from
// the interlock waits after every change (smallest waits that keep all precedences), so an
// interlock that delays a predecessor delays its dependants too — higher-priority robots
// included, which is why every change re-checks the timeline from the earliest time that
// changed. When the same two blocks conflict again after the owner's block has moved later
// that way (it waits for welds the partner does after its wait), or the waits grow beyond twice
// all robots' work done one after the other, waiting cannot resolve it: the result is not
// conflict-free, with a "deadlock" message. Precedences of a weld with itself or with welds no
// timeline holds are ignored.
//
// Reference: the zone-interlock scheme of industrial cells (ARCHITECTURE.md); waiting along
// fixed paths is the classic path-velocity decomposition of coordination
// (O'Donnell & Lozano-Pérez 1989, "Deadlock-free and collision-free coordination of two robot
// manipulators", ICRA) with fixed priorities (Erdmann & Lozano-Pérez 1987, "On multiple moving
// objects", Algorithmica).

#include <string>
#include <vector>

#include "planner/common/progress.hpp"
#include "planner/motion/trajectory.hpp"

namespace weldcell::collision {
class CollisionWorld;
}

namespace weldcell::coordination {

struct Interlock {
  std::string zone;         ///< "Z1", "Z2", … in order of creation.
  int owner = 0;            ///< Robot index that goes first.
  int partner = 0;          ///< Robot index that waits.
  double acquire_time = 0;  ///< s: the owner starts its block.
  double release_time = 0;  ///< s: the owner has finished its block.
  std::string owner_block;  ///< Weld id (or "home") of the owner's block.
  std::string partner_block;
  bool operator==(const Interlock&) const = default;
};

/// Weld `after` may start its dwell only once weld `before`'s dwell has ended (cell `after:`).
struct Precedence {
  std::string before;  ///< Weld id.
  std::string after;   ///< Weld id.
  bool operator==(const Precedence&) const = default;
};

struct CoordinationOptions {
  double resolution = 0.005;  ///< m of travel of any point of either robot between checks.
  int max_iterations = 200;   ///< Conflicts resolved at most.
  /// Reports kCoordinateStage (priority orders tried, robots) and is polled before each
  /// conflict search: once cancelled, Coordinate returns at once with conflict_free false and
  /// message "cancelled"; the caller must discard the result.
  Progress progress;
  /// Precedences to keep across (and within) robots. A robot that welds a weld before one of its
  /// own predecessors, or precedences that wait in a circle through the robots' orders, cannot
  /// be kept: the result is then not conflict-free and `message` says which welds.
  std::vector<Precedence> precedences;
};

struct CoordinationResult {
  std::vector<motion::RobotTrajectory> trajectories;  ///< With interlock waits inserted.
  std::vector<Interlock> interlocks;
  /// False when conflicts remain after max_iterations or the precedences cannot be kept.
  bool conflict_free = false;
  std::string message;   ///< When not conflict-free: the remaining conflict.
  long long checks = 0;  ///< Robot–robot checks made.
};

/// Coordinates the robots' trajectories (index = robot index in `world`). Deterministic.
CoordinationResult Coordinate(const collision::CollisionWorld& world,
                              std::vector<motion::RobotTrajectory> trajectories,
                              const CoordinationOptions& options = {});

}  // namespace weldcell::coordination
