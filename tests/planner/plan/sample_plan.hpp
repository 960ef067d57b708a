#pragma once
// A small hand-made plan with known figures, for the breakdown and the reports:
//   R1 (name given): move 0–2 (home→W1), weld 2–3, wait 3–5, move 5–7 (W1→W2), weld 7–8,
//                    move 8–10 (W2→home): moving 6, welding 2, waiting 2, finish 10.
//   R2: move 0–1.5 (home→W3), weld 1.5–2.5, move 2.5–5 (W3→home): finish 5, idle 5.
//   Zone Z1: R2 first (released at the end of its timeline, 5 s), then R1 (acquired at its
//   segment 3, 5 s): R1's wait is for Z1, released by R2. Weld signal: R1 at segment 3 waits
//   for W3 (welded by R2, ready at 2.5 s, not the binding event). W4 is not planned.
//   Makespan 10 s, cycle time 9 s.

#include <string>

#include "planner/plan/plan.hpp"

namespace weldcell::plan::testing {

inline Segment Piece(SegmentKind kind, const std::string& from, const std::string& to,
                     std::vector<double> times) {
  Segment s{.kind = kind, .from = from, .to = to, .times = std::move(times)};
  s.q.assign(s.times.size(), Eigen::VectorXd::Zero(1));
  return s;
}

inline Plan SamplePlan(const std::string& r1 = "R1", const std::string& r2 = "R2") {
  Plan p;
  p.cell_name = "sample";
  p.cell_hash = "0123456789abcdef";
  p.seed = 3;
  p.cycle_time = 9.0;
  p.makespan = 10.0;
  p.within_cycle_time = false;
  const Eigen::VectorXd q = Eigen::VectorXd::Zero(1);
  RobotPlan a{.robot = r1};
  a.segments = {Piece(SegmentKind::kMotion, "home", "W1", {0, 1, 2}),
                Piece(SegmentKind::kWeld, "W1", "W1", {2, 3}),
                Piece(SegmentKind::kWait, "W1", "W1", {3, 5}),
                Piece(SegmentKind::kMotion, "W1", "W2", {5, 6, 7}),
                Piece(SegmentKind::kWeld, "W2", "W2", {7, 8}),
                Piece(SegmentKind::kMotion, "W2", "home", {8, 9, 10})};
  a.welds = {{.weld_id = "W1", .q = q, .start_time = 2, .end_time = 3},
             {.weld_id = "W2", .q = q, .start_time = 7, .end_time = 8}};
  a.busy_time = 8, a.wait_time = 2, a.finish_time = 10;
  RobotPlan b{.robot = r2};
  b.segments = {Piece(SegmentKind::kMotion, "home", "W3", {0, 1.5}),
                Piece(SegmentKind::kWeld, "W3", "W3", {1.5, 2.5}),
                Piece(SegmentKind::kMotion, "W3", "home", {2.5, 5})};
  b.welds = {{.weld_id = "W3", .q = q, .start_time = 1.5, .end_time = 2.5}};
  b.busy_time = 5, b.finish_time = 5;
  p.robots = {a, b};
  p.zones = {{.id = "Z1",
              .uses = {{.robot = r2,
                        .acquire_segment = 0,
                        .release_segment = 3,
                        .acquire_time = 0,
                        .release_time = 5},
                       {.robot = r1,
                        .acquire_segment = 3,
                        .release_segment = 5,
                        .acquire_time = 5,
                        .release_time = 8}}}};
  p.weld_signals = {{.robot = r1, .segment = 3, .weld = "W3"}};
  p.unreachable = {{.weld_id = "W4", .reason = r1 + ": out of range; " + r2 + ": collision"}};
  return p;
}

}  // namespace weldcell::plan::testing
