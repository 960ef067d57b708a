#pragma once
// The site configuration of the exporters (`export.yaml`, docs/export.md): the spot-weld call,
// the I/O numbers of the interlock zones and weld signals, tool and base numbers, a speed
// override and the corridor tolerance. Everything has a default; LoadSite reads the file with
// the loaders' rules (unknown keys are errors, file:line:col diagnostics).

#include <array>
#include <filesystem>
#include <map>
#include <string>

#include "planner/cell/cell.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::exporters {

/// A range of I/O numbers: item i (1-based) uses first + i - 1, for i <= count.
struct SignalRange {
  int first = 0;  ///< 0 = the dialect's default range.
  int count = 0;
  bool operator==(const SignalRange&) const = default;
};

/// A gun's load: kg, and its centre of gravity in the flange frame (m).
struct ToolLoad {
  double mass = 0.0;
  std::array<double, 3> cog = {0.0, 0.0, 0.0};
  bool operator==(const ToolLoad&) const = default;
};

struct Site {
  /// Spot-weld call per dialect name (kuka_krl, ...); a missing entry uses the dialect's
  /// default. Placeholders: {n} weld number in the program (1-based; required), {schedule} the
  /// weld schedule, {id} the weld id (only where the dialect allows a string there).
  std::map<std::string, std::string> weld_call;
  int schedule = 1;  ///< Weld schedule number passed to the call.
  int tool = 1;      ///< Tool (TCP) data number / name index.
  int base = 1;      ///< Base / user frame number.
  /// Fraction (0, 1] applied to every programmed speed (commissioning runs slower).
  double speed_override = 1.0;
  /// Fraction (0, 1] of the full speed (then × speed_override) of the first move of every
  /// program, to home: it starts wherever the robot stands, without a planned path, so it runs
  /// slowly; the robot must be at or near home at the start (docs/export.md).
  double home_speed = 0.1;
  /// Zone inputs ("zone free for this robot") and outputs ("zone clear of this robot"); zone i is
  /// the i-th zone of plan.json.
  SignalRange zone_inputs, zone_outputs;
  /// Weld signals (`after:` across robots): signal i waits on input i; the welding robot sets
  /// output i after the weld.
  SignalRange weld_signal_inputs, weld_signal_outputs;
  /// Acknowledges of the weld signals (the four-phase handshake, docs/export.md): the waiting
  /// robot sets ack output i once it has seen signal i; the welding robot waits on ack input i.
  SignalRange weld_ack_inputs, weld_ack_outputs;
  /// rad (m for prismatic joints): largest deviation of the exported joint polyline from a
  /// planned sample.
  double corridor_tolerance = 0.01 * 3.14159265358979323846 / 180.0;
  /// rad (m): a short move may be merged with its neighbour when the merged chord stays this
  /// close to every planned sample (and is proved collision-free); >= corridor_tolerance.
  double merge_tolerance = 0.25 * 3.14159265358979323846 / 180.0;
  /// s: moves shorter than this are merged where merge_tolerance allows (controllers run short
  /// blended moves badly: ABB corner-path failures, UR blend overlaps); 0 = never merge.
  double min_move_time = 0.04;
  /// Approximate (blend) intermediate waypoints of a motion where the blend is proved
  /// collision-free; standstills are always exact stops.
  bool approximate = true;
  /// Most positions per program file (0 = the dialect's limit; INFORM: 999). A longer program
  /// is split at standstills into parts that a main program calls (INFORM only).
  int max_positions = 0;
  /// The gun's load (export.yaml `tool_load: {mass: kg, cog: [x, y, z]}`, cog in the flange
  /// frame, m). With a mass > 0, RAPID declares the gun's tooldata in the module (the TCP from
  /// the cell's tool, this load) and moves with it; without, it moves with the site's
  /// `tool<tool>` (docs/export/abb_rapid.md).
  double tool_mass = 0.0;
  std::array<double, 3> tool_cog = {0.0, 0.0, 0.0};
  /// Per robot or tool: export.yaml `tool_load: {<robot or tool name>: {mass: kg, cog: [...]}}`
  /// (a robot's name wins over its tool's); a robot named by none uses tool_mass / tool_cog.
  /// ExportPlan refuses a name that is neither a robot nor a tool of the cell
  /// (CheckToolLoadNames).
  std::map<std::string, ToolLoad> tool_loads;
  /// The export.yaml read (empty: the defaults) and where each of its top-level keys is, for
  /// errors found when the site meets a plan and a dialect (SiteError).
  std::string source_file;
  std::map<std::string, SourceLocation> where;
  bool operator==(const Site&) const = default;
};

/// Throws InputError at the site's `key`: `export.yaml:line:col: error: key: message` where the
/// file gives the key; else at the file (or "export.yaml" for the default site), adding that the
/// value is the dialect's default.
[[noreturn]] void SiteError(const Site& site, const std::string& key, const std::string& message);

/// Reads export.yaml. Throws InputError with every problem (file:line:col, key path, message),
/// among them each weld call that breaks its dialect's name and character rules
/// (DialectLimits::names, docs/export.md "Names").
Site LoadSite(const std::filesystem::path& export_yaml);

/// Adds to `problems` an error for each name of site.tool_loads that is neither a robot nor a
/// robot's tool of `cell` (its load would silently apply to nothing), at its export.yaml line
/// and naming what the cell has: "tool_load.x_gun: x_gun is neither a robot nor a tool of cell
/// demo: expected a robot (R1, R2) or a tool (c_gun_servo_250, x_gun_servo_350)". In the
/// order of site.tool_loads.
void CheckToolLoadNames(const Site& site, const cell::Cell& cell, DiagnosticSink* problems);

/// `site` with tool_mass / tool_cog of `robot_name`'s entry in site.tool_loads (else of
/// `tool_name`'s, else unchanged).
Site WithToolLoadOf(const Site& site, const std::string& robot_name, const std::string& tool_name);

}  // namespace weldcell::exporters
