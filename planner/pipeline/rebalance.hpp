#pragma once
// Conflict-aware re-allocation: after coordination, the allocation is changed where a robot
// waits for another in an interlock zone, and the station is planned again; PlanCell keeps a
// change only when the coordinated plan gets better (planner/pipeline/plan_cell.cpp).

#include "planner/cell/cell.hpp"
#include "planner/coordination/coordinate.hpp"
#include "planner/pipeline/stages.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::pipeline {

/// The next assignments to withhold from the allocator. First the welds whose motion failed
/// (skipped stops) on a robot while another robot reaches them: withheld from that robot. Else
/// zones are taken by decreasing wait of
/// their second robot (the wait segment right before it takes the zone); for the first zone
/// that yields any: the welds the waiting robot welds inside its use of the zone that the first
/// robot also reaches (withheld from the waiting robot: the robot already working there does
/// them), else the welds the first robot welds inside its use that the waiting robot reaches
/// (withheld from the first robot). Assignments in `skip` are not proposed. Empty when no robot
/// waits for a zone or nothing can move.
Withheld NextWithheld(const cell::Cell& cell, const reach::ReachMap& reach,
                      const Allocation& allocation,
                      const std::vector<motion::SequenceResult>& motions,
                      const coordination::CoordinationResult& coordinated, const Withheld& skip);

}  // namespace weldcell::pipeline
