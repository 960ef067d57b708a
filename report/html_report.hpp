#pragma once
// report.html: one self-contained page about a planned and verified station, for people. Inline
// CSS and SVG only (no script, no external file or font, nothing fetched), so it can be mailed,
// archived with a CI run or opened offline. Every text from user files is escaped.
//
// Sections: summary (cell, robots, welds, seed, version), the verdict (verify::Judge) as a
// banner, the requirements (as in junit.xml), the cycle-time breakdown (plan::BreakDown), a
// per-robot Gantt chart (moves, welds, waits with their zones, the cycle-time line), the waits,
// the reach table (weld × robot: candidates or the reason), the welds not planned with the
// objects that block them, verification, warnings (from loading the cell; the travel time's,
// such as a travel model refused), per-stage timings, the travel-time model per robot.
//
// Deterministic: the same inputs give the same bytes (stage timings are inputs; nothing reads
// the clock). Thread safety: a pure function of its arguments.

#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::report {

/// What the report says besides the plan: where it came from and how long it took.
struct ReportInfo {
  std::string version;               ///< weldcell's version, e.g. "0.1.0".
  std::string cell_file;             ///< The cell YAML as the user named it.
  std::vector<Diagnostic> warnings;  ///< Warnings from loading the cell.
  double verify_seconds = 0.0;       ///< s of wall time the verification took.
  std::string generated_at;          ///< Shown when not empty (the caller's clock, if wanted).
  /// Why the robot programs of the plan could not be written (a failed requirement
  /// kProgramsWritten, as in junit.xml); empty when they were, or were not asked for.
  std::string programs_error;
};

/// Fill colours of the Gantt bars and verdict banners (also what a rendering test looks for).
inline constexpr const char* kMoveColour = "#3b7dd8";
inline constexpr const char* kWeldColour = "#f28e1c";
inline constexpr const char* kWaitColour = "#d6336c";
inline constexpr const char* kIdleColour = "#9aa3ad";
inline constexpr const char* kFitsColour = "#1f8a3b";
inline constexpr const char* kTooLongColour = "#c92a2a";
inline constexpr const char* kIncompleteColour = "#b35c00";
inline constexpr const char* kInvalidColour = "#862e9c";

/// Banner colour of a verdict.
const char* VerdictColour(verify::StationVerdict verdict);

/// The page. Uses of `cell`: its name, cycle time, seed, robots' names and models' names, tools'
/// names and welds' ids (robots need no model: a cell built for a test will do). `output.reach`
/// indexes cell.welds × cell.robots (an empty map leaves the reach table out).
std::string HtmlReport(const cell::Cell& cell, const pipeline::PlanOutput& output,
                       const verify::VerifyReport& verification, const ReportInfo& info);

}  // namespace weldcell::report
