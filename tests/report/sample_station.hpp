#pragma once
// The sample plan (tests/planner/plan/sample_plan.hpp) with a matching cell (names only: the
// reports need no robot model), reach map and verification report.

#include <string>

#include "planner/cell/cell.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/verify/verify.hpp"
#include "tests/planner/plan/sample_plan.hpp"

namespace weldcell::report::testing {

struct SampleStation {
  cell::Cell cell;
  pipeline::PlanOutput output;
  verify::VerifyReport verification;
};

inline reach::WeldReach Reachable(int candidates) {
  reach::WeldReach r{.status = reach::ReachStatus::kReachable};
  r.candidates.resize(static_cast<std::size_t>(candidates));
  return r;
}

inline SampleStation MakeSampleStation(const std::string& r1 = "R1") {
  SampleStation s;
  s.cell.name = "sample";
  s.cell.cycle_time = 9.0;
  s.cell.settings.seed = 3;
  s.cell.robots.resize(2);
  s.cell.robots[0].name = r1;
  s.cell.robots[1].name = "R2";
  for (const char* id : {"W1", "W2", "W3", "W4"}) s.cell.welds.push_back({.id = id});
  s.output.plan = plan::testing::SamplePlan(r1, "R2");
  reach::ReachMap& m = s.output.reach = reach::ReachMap(4, 2);
  m.at(0, 0) = Reachable(2);
  m.at(0, 1) = {.status = reach::ReachStatus::kJointLimits};
  m.at(1, 0) = Reachable(5);
  m.at(1, 1) = {.status = reach::ReachStatus::kOutOfRange};
  m.at(2, 0) = {.status = reach::ReachStatus::kOutOfRange};
  m.at(2, 1) = Reachable(3);
  m.at(3, 0) = {.status = reach::ReachStatus::kCollision,
                .detail = r1 + "/link_3 – pillar (5 poses)"};
  m.at(3, 1) = {.status = reach::ReachStatus::kApproachBlocked,
                .detail = "R2/gun – clamp_1 (2 poses)"};
  s.output.statistics = {.reach_seconds = 0.5,
                         .allocation_seconds = 0.25,
                         .motion_seconds = 1.0,
                         .coordination_seconds = 0.125,
                         .lower_bound = 6.0,
                         .estimated_makespan = 8.0,
                         .baseline_makespan = 11.0,
                         .direct_moves = 4,
                         .planned_moves = 1};
  // What the verifier says of such a plan: over the cycle time, W4 not welded.
  s.verification.collision_checks = 1234;
  s.verification.robustness = {.runs = 100, .checks = 5678};
  s.verification.violations = {
      {.kind = verify::ViolationKind::kWeld,
       .message = "W4 is not welded (plan: " + s.output.plan.unreachable[0].reason + ")"},
      {.kind = verify::ViolationKind::kCycleTime,
       .time = 10.0,
       .message = "the station needs 10 s, the cycle time is 9 s"}};
  return s;
}

}  // namespace weldcell::report::testing
