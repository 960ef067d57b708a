#pragma once
// The station's requirements as pass/fail results with the numbers behind them: what junit.xml
// gives CI (one test case each) and report.html lists. Derived from the plan, the reach map and
// the verifier's report; no planning or checking of its own.
//
// Thread safety: pure functions of their arguments.

#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/plan/plan.hpp"
#include "planner/reach/reach.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::report {

inline constexpr const char* kEveryWeldReachable = "every weld reachable";
inline constexpr const char* kEveryReachableWeldPlanned = "every reachable weld planned";
inline constexpr const char* kCycleTimeMet = "cycle time met";
inline constexpr const char* kVerificationClean = "verification clean";
inline constexpr const char* kTimingRobust = "timing-robust";
/// Only where `weldcell plan` could not write the robot programs of a plan (after verification).
inline constexpr const char* kProgramsWritten = "programs written";

struct RequirementResult {
  std::string name;  ///< One of the k* names above.
  bool passed = false;
  std::string message;  ///< One line with the numbers, e.g. "makespan 33.72 s > cycle 30 s".
  std::string details;  ///< Further lines (ids, reasons, violations); may be empty.
  bool operator==(const RequirementResult&) const = default;
};

/// A cycle time for people, in s: two decimals ("45.00"), or three significant digits below
/// 0.1 s, where two decimals would show a cycle time of 0.001 s (a unit slip) as "0.00".
std::string CycleTimeText(double seconds);

/// "3 violation(s)", with "(none of them unsafe)" or "(1 of them unsafe)" when some are not
/// (VerifyReport::unsafe_count: a weld not planned, the makespan over the cycle time).
std::string ViolationCountText(const verify::VerifyReport& report);

/// The failed requirement of a plan whose robot programs could not be written; `error` is the
/// exporter's message (file:line: error: …).
RequirementResult ProgramsNotWritten(const std::string& error);

/// Whether the plan stays safe when segment durations vary (real weld and servo times do).
/// Until the verifier reports figures of its own for re-simulated varied timings, this is
/// derived: it fails when verification found a robot–robot collision, a timing/interlock or a
/// precedence violation, an unordered contact (two robots' pieces no event orders touch), or when
/// the plan has waits that no interlock zone or weld signal
/// explains (plan::BreakDown): such a wait is a time offset, safe only on the planned clock.
/// Kept small and separate so that it can follow the verifier's robustness figures.
RequirementResult TimingRobust(const plan::Plan& plan, const verify::VerifyReport& verification);

/// The five requirements, in this order: every weld reachable (`reach` indexes cell.welds ×
/// cell.robots), every reachable weld planned, cycle time met (makespan <= cycle time, 1 ns
/// slack), verification clean, timing-robust.
/// When `reach` does not cover cell.welds (e.g. empty, for a plan read back from a file), every
/// weld the plan lists as unplanned counts as unreachable.
std::vector<RequirementResult> CheckRequirements(const cell::Cell& cell, const plan::Plan& plan,
                                                 const reach::ReachMap& reach,
                                                 const verify::VerifyReport& verification);

}  // namespace weldcell::report
