#pragma once
// Welds of a cell: inline YAML entries, the weld CSV, defaults and the checks across welds
// (unique ids, known and acyclic precedences). Internal to planner/cell.

#include <filesystem>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/cell/internal/yaml_reader.hpp"

namespace weldcell::cell::internal {

/// `welds.defaults` (SI). weld_time 0 means "the gun's weld_time".
struct WeldDefaults {
  double weld_time = 0.0;
  double tilt = 0.0;
  double spin_min = -std::numbers::pi;
  double spin_max = std::numbers::pi;
  std::string group;
};

/// A weld with the places its id and precedences were written (for messages).
struct WeldEntry {
  Weld weld;
  SourceLocation where;                     ///< The id.
  std::string key_path;                     ///< `welds[3]` (inline) or empty (CSV).
  std::string id_key;                       ///< `welds[3].id` or `id` (CSV column).
  std::vector<SourceLocation> after_where;  ///< One per `weld.after` entry.
  /// False: the weld has an error (reported) and is not loaded; kept with its id so that the
  /// others' `after` naming it is not said to name an unknown weld too.
  bool valid = true;
};

WeldDefaults ReadWeldDefaults(YamlReader& reader, const YAML::Node& node,
                              const std::string& key_path, const Units& units);

/// One inline weld `{id, p, n, weld_time, tilt, spin, group, after}` (one with an error but an
/// id: not WeldEntry::valid; none without an id).
std::optional<WeldEntry> ReadInlineWeld(YamlReader& reader, const YAML::Node& node,
                                        const std::string& key_path, const Units& units);

/// The weld CSV (docs/formats.md): every problem is reported as `file:line:col`.
std::vector<WeldEntry> ReadWeldsCsv(const std::filesystem::path& csv,
                                    const SourceLocation& named_at, const std::string& named_key,
                                    const WeldDefaults& defaults, const Units& units,
                                    DiagnosticSink& sink);

/// The one weld id plan.json reserves: segments go from and to a weld id or "home".
inline constexpr std::string_view kReservedWeldId = "home";

/// Unique ids, none reserved, `after` ids that exist, no precedence cycles; a warning for a weld
/// within 1 mm of another (one spot listed twice).
void CheckWeldSet(const std::vector<WeldEntry>& welds, DiagnosticSink& sink);

}  // namespace weldcell::cell::internal
