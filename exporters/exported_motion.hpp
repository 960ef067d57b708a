#pragma once
// The motion the exported programs make, checked by the independent verifier (docs/export.md
// "Checked as exported"). A program leaves the planned path where its moves are chords between
// kept samples (corridor_tolerance) or merged short moves (merge_tolerance), and where it blends
// through a waypoint: the exporter proves those free of obstacles and of the robot itself
// (corners.hpp), but the interlock zones were made for the planned path, so contact with another
// robot — moving where no zone orders the two robots, or standing at home or at a wait — is only
// found by checking the robots together.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "exporters/export.hpp"
#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::exporters {

/// Whether ExportedMotion moves the robots through their programs' blends.
enum class Blends {
  kNone,   ///< Through every waypoint, as if each were an exact stop.
  kAlong,  ///< Along the modelled blended path where the program blends (corners.hpp).
};

/// `plan` with every motion segment of each exported robot moving as its program does: each
/// planned sample at its planned time replaced by the point of the straight joint move between
/// the program's waypoints around it (RobotExport::figures.waypoints), at the same share of that
/// move's planned time; with Blends::kAlong, the samples inside the time window of a blended
/// waypoint (figures.blended; from the share 1 − f_in of the move into it to the share f_out of
/// the move out of it) on the blended path, BlendPoint, at a uniform rate. Segments, times,
/// zones, weld signals and weld records are the plan's; robots without a program
/// (ExportResult::skipped) keep their planned motion.
plan::Plan ExportedMotion(const plan::Plan& plan, const ExportResult& result,
                          Blends blends = Blends::kAlong);

/// Rebuilds the program of result.robots[index] with these waypoints (per segment of its plan,
/// sample indices) as exact stops (BuildOptions::exact_stops).
using RebuildProgram =
    std::function<RobotExport(std::size_t index, const std::vector<std::vector<int>>& exact_stops)>;

/// Checks the exported motion with verify::Verify on `world` (the verifier's world of `cell`,
/// verify::MakeVerifierWorld) on `threads` worker threads (0 = one per hardware thread), for
/// the contacts that moving off the planned path can make: obstacle, self, robot–robot on the
/// planned clock, unordered in time, or under random timing.
///  - ExportedMotion(…, kAlong) without contact: done.
///  - Contact with the chords alone (ExportedMotion(…, kNone)): throws InputError at the site's
///    `corridor_tolerance` naming the contacts and how far the programs leave the planned path.
///  - Contact only with the blends (their regions are proved free of obstacles and self, so it
///    is another robot): the blends are made exact stops with `rebuild`, in up to three rounds
///    until the motion is free — those of the contacts' robots whose time window comes near a
///    contact, then every blend of the contacts' robots, then every blend — each robot's
///    figures counting them (ProgramFigures::stopped_for_robots).
/// Precondition: `plan` passes verify::Verify without contacts (what ExportPlan is for).
void CheckExportedMotion(const plan::Plan& plan, const cell::Cell& cell,
                         const collision::CollisionWorld& world, int threads,
                         const RebuildProgram& rebuild, ExportResult* result);

}  // namespace weldcell::exporters
