#pragma once
// The motion the exported programs make, checked by the independent verifier (docs/export.md
// "Checked as exported"). A program leaves the planned path where its moves are chords between
// kept samples (corridor_tolerance) or merged short moves (merge_tolerance): the exporter proves
// those free of obstacles and of the robot itself (corners.hpp), but the interlock zones were
// made for the planned path, so contact with another robot — moving where no zone orders the two
// robots, or standing at home or at a wait — is only found by checking the robots together.

#include <string>

#include "exporters/export.hpp"
#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::exporters {

/// `plan` with every motion segment of each exported robot moving as its program does: each
/// planned sample at its planned time replaced by the point of the straight joint move between
/// the program's waypoints around it (RobotExport::figures.waypoints), at the same share of that
/// move's planned time. Segments, times, zones, weld signals and weld records are the plan's;
/// robots without a program (ExportResult::skipped) keep their planned motion. Blends through
/// waypoints are not in it: their regions are proved free of obstacles and self contact only
/// (corners.hpp).
plan::Plan ExportedMotion(const plan::Plan& plan, const ExportResult& result);

/// Checks ExportedMotion(plan, result) with verify::Verify on `world` (the verifier's world of
/// `cell`, verify::MakeVerifierWorld) on `threads` worker threads (0 = one per hardware
/// thread). Throws InputError at the site's `corridor_tolerance` naming the contacts
/// (obstacle, self, robot–robot on the planned clock, unordered in time, or under random
/// timing) that the programs' moves make, with how far they leave the planned path. A plan
/// that verifies and programs whose moves are its own samples pass. Precondition: `plan`
/// passes verify::Verify without contacts (what ExportPlan is for).
void CheckExportedMotion(const plan::Plan& plan, const cell::Cell& cell,
                         const collision::CollisionWorld& world, const ExportResult& result,
                         int threads);

}  // namespace weldcell::exporters
