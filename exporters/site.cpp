// export.yaml. It reuses planner/cell's strict YAML reader (internal to the cell module, but
// the one implementation of the loaders' rules: unknown keys, duplicates, NaN, file:line:col),
// rather than a second copy of those rules here.
#include "exporters/site.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <numbers>
#include <optional>
#include <utility>
#include <vector>

#include "exporters/dialect.hpp"
#include "exporters/internal/text.hpp"
#include "planner/cell/internal/yaml_reader.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::exporters {

using cell::internal::YamlReader;

namespace {

// The heaviest payload class of industrial robots (kg), and how far a gun's centre of gravity
// can plausibly sit from the flange (m).
constexpr double kMaxToolMass = 2300.0;
constexpr double kMaxCogDistance = 2.0;

std::optional<int> SmallInteger(YamlReader& reader, const YAML::Node& node, const std::string& key,
                                int max) {
  auto v = reader.UnsignedInteger(node, key);
  if (!v) return std::nullopt;
  if (*v > static_cast<std::uint64_t>(max)) {
    reader.Error(node, key, "expected at most " + std::to_string(max) + ", got " + node.Scalar());
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// `key: {first, count}` of `root` → an I/O signal range (first ≤ 100000, 0 < count ≤ 100000),
// into `out` when valid.
void ReadRange(YamlReader& reader, const YAML::Node& root, const std::string& key,
               SignalRange* out) {
  auto node = YamlReader::Get(root, key);
  if (!node || !reader.CheckMap(*node, key, {"first", "count"}, {})) return;
  auto first = YamlReader::Get(*node, "first");
  auto count = YamlReader::Get(*node, "count");
  if (!first || !count) return;
  auto f = SmallInteger(reader, *first, key + ".first", 100000);
  auto c = SmallInteger(reader, *count, key + ".count", 100000);
  if (c && *c == 0) reader.Error(*count, key + ".count", "must be > 0");
  if (f && c && *c > 0) *out = {.first = *f, .count = *c};
}

// The top-level keys of `root` → where each one's value is, into site->where (for the
// messages of later checks).
void RecordKeyLocations(YamlReader& reader, const YAML::Node& root, Site* site) {
  if (!root.IsMap()) return;
  for (const auto& kv : root) {
    if (kv.first.IsScalar()) site->where[kv.first.Scalar()] = reader.Where(kv.second);
  }
}

// `weld_call: {<dialect>: text}` → site->weld_call per dialect: one line, with {n} (the strict
// readers recover the weld numbering from it); where each is, into site->where.
void ReadWeldCalls(YamlReader& reader, const YAML::Node& root, Site* site) {
  auto node = YamlReader::Get(root, "weld_call");
  if (!node) return;
  std::vector<std::string_view> names;
  const std::vector<std::string> all = DialectNames();
  for (const std::string& n : all) names.push_back(n);
  if (!reader.CheckMap(*node, "weld_call", {}, names)) return;
  for (const std::string& n : all) {
    auto call = YamlReader::Get(*node, n);
    if (!call) continue;
    site->where["weld_call." + n] = reader.Where(*call);
    if (auto text = reader.String(*call, "weld_call." + n)) {
      if (text->find('\n') != std::string::npos || text->find('\r') != std::string::npos) {
        reader.Error(*call, "weld_call." + n, "must be one line");
      } else if (text->find("{n}") == std::string::npos) {
        // The strict readers recover the weld numbering (1, 2, ... in program order) from
        // {n}; a call with {id} alone could be written but never read back.
        reader.Error(*call, "weld_call." + n,
                     "must contain {n} (the weld's number in the program, 1-based), which "
                     "the program read-back checks; {id} may be added beside it");
      } else {
        site->weld_call[n] = *text;
      }
    }
  }
}

// `schedule` (1 to 999), `tool`, `base` (0 to 999: which numbers a controller holds, and
// whether 0 is one of them, is the dialect's, CheckSiteForDialect) → the weld schedule, tool and
// base numbers of `site`.
void ReadDataNumbers(YamlReader& reader, const YAML::Node& root, Site* site) {
  for (auto [key, target] : {std::pair{"schedule", &site->schedule}, std::pair{"tool", &site->tool},
                             std::pair{"base", &site->base}}) {
    if (auto node = YamlReader::Get(root, key)) {
      if (auto v = SmallInteger(reader, *node, key, 999)) {
        if (*v == 0 && std::string_view(key) == "schedule") {
          reader.Error(*node, key, "must be >= 1");
        } else {
          *target = *v;
        }
      }
    }
  }
}

// `key` of `root` (a fraction in (0, 1] of the full speed) → `*out` when valid.
void ReadSpeedFraction(YamlReader& reader, const YAML::Node& root, const std::string& key,
                       double* out) {
  auto node = YamlReader::Get(root, key);
  if (!node) return;
  if (auto v = reader.Number(*node, key)) {
    if (*v <= 0 || *v > 1) {
      reader.Error(*node, key, "expected a fraction in (0, 1], got " + node->Scalar());
    } else {
      *out = *v;
    }
  }
}

// `key` of `root` (an angle in the file's unit, > 0 and at most 5°) → `*out` in rad when
// valid: how far the exported joint path may leave the planned one.
void ReadCorridorAngle(YamlReader& reader, const YAML::Node& root, const std::string& key,
                       const cell::internal::Units& units, double* out) {
  auto node = YamlReader::Get(root, key);
  if (!node) return;
  if (auto v = reader.Positive(*node, key, units.angle)) {
    if (*v > 5.0 * std::numbers::pi / 180.0) {
      reader.Error(*node, key,
                   "at most 5 degrees (0.0873 rad): a wider corridor leaves the planned, "
                   "collision-checked path");
    } else {
      *out = *v;
    }
  }
}

// `min_move_time` (s, in [0, 1]) → site->min_move_time when valid.
void ReadMinMoveTime(YamlReader& reader, const YAML::Node& root, Site* site) {
  auto node = YamlReader::Get(root, "min_move_time");
  if (!node) return;
  if (auto v = reader.Number(*node, "min_move_time")) {
    if (*v < 0 || *v > 1) {
      reader.Error(*node, "min_move_time", "expected seconds in [0, 1], got " + node->Scalar());
    } else {
      site->min_move_time = *v;
    }
  }
}

// One load `{mass, cog}` at `key` (tool_load or tool_load.<name>; cog in the file's length
// unit) → the tool load, if plausible (a unit slip, mm read as m, must not reach the
// controller's load data, where it would make the arm's dynamics model wrong).
std::optional<ToolLoad> ReadToolLoad(YamlReader& reader, const YAML::Node& load,
                                     const std::string& key, const cell::internal::Units& units) {
  if (!reader.CheckMap(load, key, {"mass", "cog"}, {})) return std::nullopt;
  // CheckMap has said a missing one.
  const std::optional<YAML::Node> mass_at = YamlReader::Get(load, "mass");
  const std::optional<YAML::Node> cog_at = YamlReader::Get(load, "cog");
  if (!mass_at || !cog_at) return std::nullopt;
  const YAML::Node& mass_node = *mass_at;
  const YAML::Node& cog_node = *cog_at;
  auto mass = reader.Positive(mass_node, key + ".mass");
  auto cog = reader.LengthVector3(cog_node, key + ".cog", units);
  if (mass && *mass > kMaxToolMass) {
    reader.Error(mass_node, key + ".mass",
                 fmt::format("{} kg is beyond any robot's payload (at most {:g} kg)",
                             mass_node.Scalar(), kMaxToolMass));
    mass.reset();
  }
  if (cog && cog->norm() > kMaxCogDistance) {
    reader.Error(
        cog_node, key + ".cog",
        fmt::format("the centre of gravity is {:g} m from the flange, more than {:g} m; "
                    "cog is in the file's length unit ({}{})",
                    cog->norm(), kMaxCogDistance, units.length_name,
                    units.length_name == "m" ? "; for mm give `units: {length: mm}`" : ""));
    cog.reset();
  }
  if (!mass || !cog) return std::nullopt;
  return ToolLoad{.mass = *mass, .cog = {cog->x(), cog->y(), cog->z()}};
}

// `tool_load`: {mass, cog} for every robot (site->tool_mass, tool_cog), or {<robot or tool
// name>: {mass, cog}, ...} (site->tool_loads, where each is into site->where).
void ReadToolLoads(YamlReader& reader, const YAML::Node& root, const cell::internal::Units& units,
                   Site* site) {
  auto node = YamlReader::Get(root, "tool_load");
  if (!node) return;
  if (node->IsMap() && !YamlReader::Get(*node, "mass") && !YamlReader::Get(*node, "cog") &&
      node->size() > 0) {
    for (const auto& kv : *node) {
      const std::string name = kv.first.Scalar();
      site->where["tool_load." + name] = reader.Where(kv.second);
      if (auto load = ReadToolLoad(reader, kv.second, "tool_load." + name, units)) {
        site->tool_loads[name] = *load;
      }
    }
  } else if (auto load = ReadToolLoad(reader, *node, "tool_load", units)) {
    site->tool_mass = load->mass;
    site->tool_cog = load->cog;
  }
}

// `max_positions` (2 to 999: INFORM's jobs hold at most 999 positions, the only dialect that
// splits) → site->max_positions when valid.
void ReadMaxPositions(YamlReader& reader, const YAML::Node& root, Site* site) {
  auto node = YamlReader::Get(root, "max_positions");
  if (!node) return;
  if (auto v = SmallInteger(reader, *node, "max_positions", 999)) {
    if (*v < 2) {
      reader.Error(*node, "max_positions", "must be >= 2");
    } else {
      site->max_positions = *v;
    }
  }
}

// `approximate` (true or false) → site->approximate when valid.
void ReadApproximate(YamlReader& reader, const YAML::Node& root, Site* site) {
  auto node = YamlReader::Get(root, "approximate");
  if (!node) return;
  if (!node->IsScalar() || (node->Scalar() != "true" && node->Scalar() != "false")) {
    reader.Error(*node, "approximate",
                 "expected true or false, got " +
                     (node->IsScalar() ? "'" + node->Scalar() + "'"
                                       : std::string(node->IsSequence() ? "a list" : "a mapping")));
  } else {
    site->approximate = node->Scalar() == "true";
  }
}

// Every weld call of `site` against its dialect's rules, in file order, whether or not a robot
// uses the dialect now → the problems into `sink`.
void CheckWeldCalls(Site& site, DiagnosticSink& sink) {
  std::vector<std::pair<int, std::string>> calls;  // in file order
  for (const auto& [dialect, call] : site.weld_call) {
    calls.emplace_back(site.where["weld_call." + dialect].line, dialect);
  }
  std::sort(calls.begin(), calls.end());
  for (const auto& [line, dialect] : calls) {
    try {
      internal::CheckWeldCall(site, dialect, MakeDialect(dialect)->limits());
    } catch (const InputError& e) {
      sink.Merge(e);
    }
  }
}

}  // namespace

Site LoadSite(const std::filesystem::path& export_yaml) {
  DiagnosticSink sink;
  YamlReader reader(export_yaml.string(), sink);
  Site site;
  std::optional<YAML::Node> parsed = reader.Parse(export_yaml, {}, {}, "weldcell-export/1");
  if (!parsed) {
    sink.ThrowIfErrors();
    return site;
  }
  const YAML::Node& root = *parsed;
  site.source_file = export_yaml.string();
  RecordKeyLocations(reader, root, &site);
  reader.CheckMap(root, "", {"format"},
                  {"units", "weld_call", "schedule", "tool", "base", "speed_override", "home_speed",
                   "zone_inputs", "zone_outputs", "weld_signal_inputs", "weld_signal_outputs",
                   "weld_ack_inputs", "weld_ack_outputs", "corridor_tolerance", "merge_tolerance",
                   "min_move_time", "approximate", "max_positions", "tool_load"});
  reader.CheckFormat(root, "weldcell-export/1");
  // With a unit it cannot read, the file's lengths and speeds would be checked in another one.
  const std::optional<cell::internal::Units> known = reader.ReadKnownUnits(root, true, true);
  if (!known) {
    sink.ThrowIfErrors();
    return site;
  }
  const cell::internal::Units& units = *known;
  ReadWeldCalls(reader, root, &site);
  ReadDataNumbers(reader, root, &site);
  ReadSpeedFraction(reader, root, "speed_override", &site.speed_override);
  ReadSpeedFraction(reader, root, "home_speed", &site.home_speed);
  ReadRange(reader, root, "zone_inputs", &site.zone_inputs);
  ReadRange(reader, root, "zone_outputs", &site.zone_outputs);
  ReadRange(reader, root, "weld_signal_inputs", &site.weld_signal_inputs);
  ReadRange(reader, root, "weld_signal_outputs", &site.weld_signal_outputs);
  ReadRange(reader, root, "weld_ack_inputs", &site.weld_ack_inputs);
  ReadRange(reader, root, "weld_ack_outputs", &site.weld_ack_outputs);
  ReadCorridorAngle(reader, root, "corridor_tolerance", units, &site.corridor_tolerance);
  ReadCorridorAngle(reader, root, "merge_tolerance", units, &site.merge_tolerance);
  ReadMinMoveTime(reader, root, &site);
  ReadToolLoads(reader, root, units, &site);
  ReadMaxPositions(reader, root, &site);
  ReadApproximate(reader, root, &site);
  CheckWeldCalls(site, sink);
  sink.ThrowIfErrors();
  return site;
}

void SiteError(const Site& site, const std::string& key, const std::string& message) {
  const auto it = site.where.find(key);
  if (it != site.where.end()) {
    throw InputError({Diagnostic{.where = it->second, .key_path = key, .message = message}});
  }
  throw InputError({Diagnostic{
      .where = {.file = site.source_file.empty() ? "export.yaml" : site.source_file},
      .key_path = key,
      .message =
          message + fmt::format(" (`{}` is the dialect's default: {} gives none)", key,
                                site.source_file.empty() ? "no --site export.yaml" : "the file")}});
}

void CheckToolLoadNames(const Site& site, const cell::Cell& cell, DiagnosticSink* problems) {
  // In the cell's order, each once (robots may carry the same gun).
  std::vector<std::string> robots, tools;
  for (const cell::Robot& robot : cell.robots) {
    robots.push_back(robot.name);
    if (!robot.tool.name.empty() &&
        std::find(tools.begin(), tools.end(), robot.tool.name) == tools.end()) {
      tools.push_back(robot.tool.name);
    }
  }
  auto has = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (const auto& tool_load : site.tool_loads) {
    const std::string& name = tool_load.first;
    if (has(robots, name) || has(tools, name)) continue;
    std::string expected = fmt::format("a robot ({})", fmt::join(robots, ", "));
    if (!tools.empty()) expected += fmt::format(" or a tool ({})", fmt::join(tools, ", "));
    try {
      SiteError(site, "tool_load." + name,
                fmt::format("{} is neither a robot nor a tool of cell {}: expected {}", name,
                            cell.name, expected));
    } catch (const InputError& e) {
      problems->Merge(e);
    }
  }
}

Site WithToolLoadOf(const Site& site, const std::string& robot_name, const std::string& tool_name) {
  Site out = site;
  auto it = site.tool_loads.find(robot_name);
  if (it == site.tool_loads.end()) it = site.tool_loads.find(tool_name);
  if (it != site.tool_loads.end()) {
    out.tool_mass = it->second.mass;
    out.tool_cog = it->second.cog;
  }
  return out;
}

}  // namespace weldcell::exporters
