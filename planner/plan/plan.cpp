#include "planner/plan/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <vector>

#include "planner/common/diagnostics.hpp"
#include "planner/plan/cell_hash.hpp"

namespace weldcell::plan {
namespace {

using Json = nlohmann::ordered_json;

const char* KindName(SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kMotion:
      return "motion";
    case SegmentKind::kWeld:
      return "weld";
    case SegmentKind::kWait:
      return "wait";
  }
  return "motion";
}

Json VectorJson(const Eigen::VectorXd& v) {
  Json a = Json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v[i]);
  return a;
}

SourceLocation LocationOfByte(const std::string& text, std::size_t byte, const std::string& file);

// Where the keys and array elements of a (well-formed) JSON text are, by the Reader's key paths
// ("robots[0].segments[2].kind"): nlohmann::json keeps no positions, and keeps only the last
// of a key written twice in one object, so the repeats are found here too.
struct JsonPositions {
  std::map<std::string, std::size_t> bytes;  ///< Byte offset of each path (a repeated key's first).
  /// Each key that repeats one before it in its object.
  struct RepeatedKey {
    std::string path, key;
    std::size_t byte = 0;
  };
  std::vector<RepeatedKey> repeated_keys;
};

void IndexPositions(const std::string& t, std::size_t& i, const std::string& path,
                    JsonPositions* out, int depth = 0) {
  // A plan nests 6 deep; deeper text (a hostile file) is not indexed (no recursion without end).
  if (depth > 32) {
    i = t.size();
    return;
  }
  auto skip = [&] {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
  };
  auto string_end = [&](std::size_t k) {  // k at the opening quote; returns past the closing one
    for (++k; k < t.size() && t[k] != '"'; ++k) {
      if (t[k] == '\\') ++k;
    }
    return k + 1;
  };
  skip();
  if (i >= t.size()) return;
  out->bytes.emplace(path, i);
  if (t[i] == '{') {
    ++i;
    std::set<std::string> keys;
    for (;;) {
      skip();
      if (i >= t.size() || t[i] == '}') break;
      const std::size_t key_start = i;
      i = string_end(i);
      // The key as nlohmann reads it: "zo\u006ees" is "zones".
      std::string key = t.substr(key_start + 1, i - key_start - 2);
      if (key.find('\\') != std::string::npos) {
        key = Json::parse(t.substr(key_start, i - key_start)).get<std::string>();
      }
      std::string child = path;
      if (!child.empty()) child += '.';
      child += key;
      if (!keys.insert(key).second) out->repeated_keys.push_back({child, key, key_start});
      out->bytes.emplace(child, key_start);
      skip();
      ++i;  // ':'
      IndexPositions(t, i, child, out, depth + 1);
      skip();
      if (i < t.size() && t[i] == ',') ++i;
    }
    ++i;
  } else if (t[i] == '[') {
    ++i;
    for (std::size_t k = 0;; ++k) {
      skip();
      if (i >= t.size() || t[i] == ']') break;
      IndexPositions(t, i, path + "[" + std::to_string(k) + "]", out, depth + 1);
      skip();
      if (i < t.size() && t[i] == ',') ++i;
    }
    ++i;
  } else if (t[i] == '"') {
    i = string_end(i);
  } else {
    while (i < t.size() && std::string_view(",]} \t\r\n").find(t[i]) == std::string_view::npos) ++i;
  }
}

// Reads JSON back into a Plan, collecting every problem with its key path and, where the text
// is given, its line and column.
class Reader {
 public:
  explicit Reader(std::string file, const std::string* text = nullptr) : file_(std::move(file)) {
    if (text != nullptr) {
      text_ = text;
      std::size_t i = 0;
      IndexPositions(*text, i, "", &positions_);
      // JSON leaves a repeated key to the reader; nlohmann keeps the last, so a plan with
      // "zones": [] after its zones lost them silently. Refused, as the cell's YAML refuses it.
      for (const JsonPositions::RepeatedKey& r : positions_.repeated_keys) {
        const SourceLocation first = Where(r.path);
        sink_.Error(LocationOfByte(*text, r.byte, file_), r.path,
                    "duplicate key '" + r.key + "' (first at line " + std::to_string(first.line) +
                        ", column " + std::to_string(first.column) + ")");
      }
    }
  }
  // Errors for keys of `obj` (at `path`) that are not in `allowed`: unknown keys are errors
  // (a misspelt key would be silently ignored).
  void OnlyKeys(const Json& obj, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
    if (!obj.is_object()) return;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
      std::string list;
      for (std::string_view a : allowed)
        list += std::string(list.empty() ? "" : ", ") + std::string(a);
      Error(path.empty() ? it.key() : path + "." + it.key(),
            "unknown key '" + it.key() + "' (expected " + list + ")");
    }
  }

  const Json* Get(const Json& obj, const char* key, const std::string& path) {
    if (!obj.is_object()) {
      Error(path, "expected an object");
      return nullptr;
    }
    auto it = obj.find(key);
    if (it == obj.end()) {
      Error(path, std::string("missing key '") + key + "'");
      return nullptr;
    }
    return &*it;
  }
  double Number(const Json& obj, const char* key, const std::string& path) {
    const Json* v = Get(obj, key, path);
    if (!v) return 0.0;
    if (!v->is_number()) {
      Error(Join(path, key), "expected a number");
      return 0.0;
    }
    return v->get<double>();
  }
  std::string String(const Json& obj, const char* key, const std::string& path) {
    const Json* v = Get(obj, key, path);
    if (!v) return {};
    if (!v->is_string()) {
      Error(Join(path, key), "expected a string");
      return {};
    }
    return v->get<std::string>();
  }
  int Int(const Json& obj, const char* key, const std::string& path) {
    const Json* v = Get(obj, key, path);
    if (!v) return 0;
    if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<std::int64_t>() < 0)) {
      Error(Join(path, key), "expected a non-negative integer");
      return 0;
    }
    if (v->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      Error(Join(path, key), "expected a non-negative integer up to " +
                                 std::to_string(std::numeric_limits<int>::max()) + ", got " +
                                 v->dump());
      return 0;
    }
    return static_cast<int>(v->get<std::int64_t>());
  }
  bool ReleaseOn(const Json& obj, const std::string& path) {
    const std::string v = String(obj, "release_on", path);
    if (v != "arrival" && v != "departure" && !v.empty()) {
      Error(Join(path, "release_on"), "expected arrival or departure, got '" + v + "'");
    }
    return v == "departure";
  }
  bool Bool(const Json& obj, const char* key, const std::string& path) {
    const Json* v = Get(obj, key, path);
    if (!v) return false;
    if (!v->is_boolean()) {
      Error(Join(path, key), "expected true or false");
      return false;
    }
    return v->get<bool>();
  }
  const Json& Array(const Json& obj, const char* key, const std::string& path) {
    static const Json empty = Json::array();
    const Json* v = Get(obj, key, path);
    if (!v) return empty;
    if (!v->is_array()) {
      Error(Join(path, key), "expected an array");
      return empty;
    }
    return *v;
  }
  Eigen::VectorXd Vector(const Json& v, const std::string& path) {
    if (!v.is_array()) {
      Error(path, "expected an array of numbers");
      return {};
    }
    // A value that is not a number is an error (the first of the array said) and NaN in its
    // place: the array keeps its length, so that the checks of lengths that follow do not
    // report the same edit again ("has 0 joint values").
    Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
    bool said = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i].is_number()) {
        out[static_cast<Eigen::Index>(i)] = v[i].get<double>();
        continue;
      }
      if (!said) Error(path + "[" + std::to_string(i) + "]", "expected a number");
      said = true;
      out[static_cast<Eigen::Index>(i)] = std::numeric_limits<double>::quiet_NaN();
    }
    return out;
  }
  static std::string Join(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
  }
  static std::string Index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }
  void Error(const std::string& path, std::string message) {
    sink_.Error(Where(path), path, std::move(message));
  }
  // The position of `path` or of its nearest enclosing key or element.
  SourceLocation Where(std::string path) const {
    while (text_ != nullptr && !path.empty()) {
      if (auto it = positions_.bytes.find(path); it != positions_.bytes.end()) {
        return LocationOfByte(*text_, it->second, file_);
      }
      const std::size_t cut = path.find_last_of(".[");
      path.resize(cut == std::string::npos ? 0 : cut);
    }
    return {.file = file_};
  }
  DiagnosticSink& Sink() { return sink_; }

 private:
  std::string file_;
  const std::string* text_ = nullptr;
  JsonPositions positions_;
  DiagnosticSink sink_;
};

SourceLocation LocationOfByte(const std::string& text, std::size_t byte, const std::string& file) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {.file = file, .line = line, .column = column};
}

// "travel_time": optional keys (`requested`, a robot's `fallback` and `drift_threshold_pct`)
// are left out where they have no value, as an optional key of the cell is.
Json TravelJson(const TravelReport& travel) {
  Json t;
  t["kind"] = travel.kind;
  if (!travel.requested.empty()) t["requested"] = travel.requested;
  t["robots"] = Json::array();
  for (const TravelRobotError& r : travel.robots) {
    Json jr;
    jr["name"] = r.robot;
    jr["source"] = r.source;
    if (!r.fallback.empty()) jr["fallback"] = r.fallback;
    jr["moves"] = r.moves;
    jr["planned"] = r.planned_seconds;
    jr["predicted"] = r.predicted_seconds;
    jr["error_pct"] = r.error_pct;
    jr["analytic_error_pct"] = r.analytic_error_pct;
    if (r.drift_threshold_pct) jr["drift_threshold_pct"] = *r.drift_threshold_pct;
    jr["drifted"] = r.drifted;
    t["robots"].push_back(std::move(jr));
  }
  return t;
}

}  // namespace

std::string ToJson(const Plan& plan) {
  Json j;
  j["format"] = plan.format;
  j["cell"] = {{"name", plan.cell_name}, {"hash", plan.cell_hash}};
  j["seed"] = plan.seed;
  j["cycle_time"] = plan.cycle_time;
  j["makespan"] = plan.makespan;
  j["within_cycle_time"] = plan.within_cycle_time;
  j["robots"] = Json::array();
  for (const RobotPlan& r : plan.robots) {
    Json jr;
    jr["name"] = r.robot;
    jr["busy_time"] = r.busy_time;
    jr["wait_time"] = r.wait_time;
    jr["finish_time"] = r.finish_time;
    jr["welds"] = Json::array();
    for (const WeldVisit& w : r.welds) {
      jr["welds"].push_back({{"id", w.weld_id},
                             {"q", VectorJson(w.q)},
                             {"spin", w.spin},
                             {"tilt", w.tilt},
                             {"start", w.start_time},
                             {"end", w.end_time}});
    }
    jr["segments"] = Json::array();
    for (const Segment& s : r.segments) {
      Json q = Json::array();
      for (const Eigen::VectorXd& v : s.q) q.push_back(VectorJson(v));
      jr["segments"].push_back(
          {{"kind", KindName(s.kind)}, {"from", s.from}, {"to", s.to}, {"t", s.times}, {"q", q}});
    }
    j["robots"].push_back(std::move(jr));
  }
  j["zones"] = Json::array();
  for (const Zone& z : plan.zones) {
    Json uses = Json::array();
    for (const ZoneUse& u : z.uses) {
      uses.push_back({{"robot", u.robot},
                      {"acquire_segment", u.acquire_segment},
                      {"release_segment", u.release_segment},
                      {"release_on", u.release_on_departure ? "departure" : "arrival"},
                      {"acquire", u.acquire_time},
                      {"release", u.release_time}});
    }
    j["zones"].push_back({{"id", z.id}, {"uses", std::move(uses)}});
  }
  j["weld_signals"] = Json::array();
  for (const WeldSignal& w : plan.weld_signals) {
    j["weld_signals"].push_back({{"robot", w.robot}, {"segment", w.segment}, {"weld", w.weld}});
  }
  j["unreachable"] = Json::array();
  for (const UnreachableWeld& u : plan.unreachable) {
    j["unreachable"].push_back({{"weld", u.weld_id}, {"reason", u.reason}});
  }
  if (!plan.travel.kind.empty()) j["travel_time"] = TravelJson(plan.travel);
  // Names from a URDF or messages quoting them may hold bytes that are not UTF-8 (the loaders
  // check the cell's own names and ids): replace them rather than fail to write the plan.
  return j.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

// The plan's robots by name, for the checks of what names them. Reports a robot listed twice.
class PlanRobots {
 public:
  PlanRobots(const Plan& plan, Reader* rd) : plan_(plan), rd_(rd) {
    for (std::size_t i = 0; i < plan.robots.size(); ++i) {
      const std::string& name = plan.robots[i].robot;
      if (const auto [it, fresh] = index_.emplace(name, i); !fresh) {
        rd->Error(
            Reader::Index("robots", i) + ".name",
            "robot " + name + " is listed twice (also robots[" + std::to_string(it->second) + "])");
      } else {
        names_ += (names_.empty() ? "" : ", ") + name;
      }
    }
  }

  /// The robot named `robot`, or null (reported at `path`).
  const RobotPlan* Known(const std::string& robot, const std::string& path) const {
    const auto it = index_.find(robot);
    if (it != index_.end()) return &plan_.robots[it->second];
    rd_->Error(path, "names robot " + robot +
                         ", which the plan does not list (its robots: " + names_ + ")");
    return nullptr;
  }

  /// Reports segment index `k` of `robot` (when listed) at `path` when past its timeline: the
  /// largest is its last segment, or the segment count for a release (one past the last held).
  void Within(const std::string& robot, int k, bool release, const std::string& path) const {
    const auto it = index_.find(robot);
    if (it == index_.end()) return;
    const int count = static_cast<int>(plan_.robots[it->second].segments.size());
    const int last = release ? count : count - 1;
    if (k > last) {
      rd_->Error(path, "is segment " + std::to_string(k) + " of robot " + robot + ", which has " +
                           std::to_string(count) + " segment(s)" +
                           (last >= 0 ? " (0 to " + std::to_string(last) + ")" : ""));
    }
  }

 private:
  const Plan& plan_;
  Reader* rd_;
  std::map<std::string, std::size_t> index_;  // robot -> its first place in the plan
  std::string names_;
};

// Each zone once, of two or more uses by different listed robots, each over segments
// [acquire_segment, release_segment) of its robot's timeline.
void CheckZones(const Plan& plan, const PlanRobots& robots, Reader* rd) {
  std::map<std::string, std::size_t> zone_index;  // zone id -> its first place
  for (std::size_t z = 0; z < plan.zones.size(); ++z) {
    const Zone& zone = plan.zones[z];
    const std::string zp = Reader::Index("zones", z);
    if (const auto [it, fresh] = zone_index.emplace(zone.id, z); !fresh) {
      rd->Error(zp + ".id", "zone " + zone.id + " is listed twice (also zones[" +
                                std::to_string(it->second) + "])");
    }
    if (zone.uses.size() < 2) {
      rd->Error(zp + ".uses", "has " + std::to_string(zone.uses.size()) +
                                  " use(s): a zone is shared by at least two robots");
    }
    std::map<std::string, std::size_t> user;  // robot -> its first use of this zone
    for (std::size_t u = 0; u < zone.uses.size(); ++u) {
      const ZoneUse& use = zone.uses[u];
      const std::string up = Reader::Index(zp + ".uses", u);
      robots.Known(use.robot, up + ".robot");
      if (const auto [it, fresh] = user.emplace(use.robot, u); !fresh) {
        rd->Error(up + ".robot", "robot " + use.robot + " uses zone " + zone.id +
                                     " twice (also uses[" + std::to_string(it->second) + "])");
      }
      robots.Within(use.robot, use.acquire_segment, false, up + ".acquire_segment");
      robots.Within(use.robot, use.release_segment, true, up + ".release_segment");
      if (use.release_segment <= use.acquire_segment) {
        rd->Error(up + ".release_segment",
                  "is " + std::to_string(use.release_segment) + ", not above acquire_segment " +
                      std::to_string(use.acquire_segment) +
                      ": a use holds its zone over segments [acquire_segment, release_segment)");
      }
    }
  }
}

// Each weld signal of a listed robot, at a segment of its timeline, for another robot's weld.
void CheckWeldSignals(const Plan& plan, const PlanRobots& robots, Reader* rd) {
  for (std::size_t k = 0; k < plan.weld_signals.size(); ++k) {
    const WeldSignal& signal = plan.weld_signals[k];
    const std::string sp = Reader::Index("weld_signals", k);
    const RobotPlan* waiting = robots.Known(signal.robot, sp + ".robot");
    robots.Within(signal.robot, signal.segment, false, sp + ".segment");
    // A robot waiting for its own weld would hand a signal to itself (exported as a handshake).
    if (waiting != nullptr &&
        std::any_of(waiting->welds.begin(), waiting->welds.end(),
                    [&](const WeldVisit& w) { return w.weld_id == signal.weld; })) {
      rd->Error(sp + ".weld", "weld " + signal.weld + " is welded by robot " + signal.robot +
                                  " itself: a robot waits only for other robots' welds");
    }
  }
}

// What a plan of `cell` must fit: its robots, their joint counts, its weld ids.
void CheckFitsCell(const Plan& plan, const cell::Cell& cell, Reader* rd) {
  std::set<std::string> weld_ids;
  for (const cell::Weld& w : cell.welds) weld_ids.insert(w.id);
  auto weld = [&](const std::string& id, const std::string& path) {
    if (id != "home" && !weld_ids.count(id)) {
      rd->Error(path, "weld " + id + " is not a weld of cell " + cell.name);
    }
  };
  for (std::size_t i = 0; i < plan.robots.size(); ++i) {
    const RobotPlan& rp = plan.robots[i];
    const std::string path = Reader::Index("robots", i);
    const auto robot = std::find_if(cell.robots.begin(), cell.robots.end(),
                                    [&](const cell::Robot& r) { return r.name == rp.robot; });
    if (robot == cell.robots.end()) {
      std::string cell_names;
      for (const cell::Robot& r : cell.robots)
        cell_names += (cell_names.empty() ? "" : ", ") + r.name;
      rd->Error(path + ".name", "robot " + rp.robot + " is not a robot of cell " + cell.name +
                                    " (its robots: " + cell_names + ")");
      continue;
    }
    const Eigen::Index dof = robot->model->dof();
    // The first joint vector of a wrong size per robot, with the count of the others.
    std::string first;
    int wrong = 0;
    Eigen::Index got = 0;
    auto size = [&](const Eigen::VectorXd& q, const std::string& at) {
      if (q.size() == dof) return;
      if (wrong++ == 0) first = at, got = q.size();
    };
    for (std::size_t w = 0; w < rp.welds.size(); ++w) {
      const std::string wp = Reader::Index(path + ".welds", w);
      size(rp.welds[w].q, wp + ".q");
      weld(rp.welds[w].weld_id, wp + ".id");
    }
    for (std::size_t s = 0; s < rp.segments.size(); ++s) {
      const std::string sp = Reader::Index(path + ".segments", s);
      for (std::size_t k = 0; k < rp.segments[s].q.size(); ++k) {
        size(rp.segments[s].q[k], Reader::Index(sp + ".q", k));
      }
      weld(rp.segments[s].from, sp + ".from");
      weld(rp.segments[s].to, sp + ".to");
    }
    if (wrong > 0) {
      rd->Error(first, "has " + std::to_string(got) + " joint values, robot " + rp.robot + " has " +
                           std::to_string(dof) +
                           (wrong > 1 ? " (and " + std::to_string(wrong - 1) +
                                            " more joint vectors of a wrong size)"
                                      : ""));
    }
  }
  for (std::size_t k = 0; k < plan.weld_signals.size(); ++k) {
    weld(plan.weld_signals[k].weld, Reader::Index("weld_signals", k) + ".weld");
  }
  for (std::size_t k = 0; k < plan.unreachable.size(); ++k) {
    weld(plan.unreachable[k].weld_id, Reader::Index("unreachable", k) + ".weld");
  }
}

// What a plan.json must hold together (each robot once, zone uses and weld signals of its
// robots) and, for the cell it was made for, what must fit that cell. Each problem at its key.
void CheckStructure(const Plan& plan, const cell::Cell* cell, Reader* rd) {
  const PlanRobots robots(plan, rd);
  CheckZones(plan, robots, rd);
  CheckWeldSignals(plan, robots, rd);
  // Against the cell only when the plan is of it: another cell's plan is said by the caller's
  // hash check (one clear error, not one per robot and weld).
  if (cell != nullptr && plan.cell_hash == CellHash(*cell, plan.seed))
    CheckFitsCell(plan, *cell, rd);
}

// nlohmann's message without its "[json.exception.parse_error.101] " id, which names the
// library's exception, not the input's problem.
std::string JsonMessage(const Json::exception& e) {
  std::string_view what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    const std::size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

// A travel-time kind (`kind`, `requested`): what --travel-time takes.
std::string TravelKind(const Json& obj, const char* key, const std::string& path, Reader* rd) {
  std::string v = rd->String(obj, key, path);
  if (v != "analytic" && v != "learned" && v != "exact" && !v.empty()) {
    rd->Error(Reader::Join(path, key), "expected analytic, learned or exact, got '" + v + "'");
  }
  return v;
}

TravelRobotError ReadTravelRobot(const Json& r, const std::string& path, Reader* rd) {
  rd->OnlyKeys(r, path,
               {"name", "source", "fallback", "moves", "planned", "predicted", "error_pct",
                "analytic_error_pct", "drift_threshold_pct", "drifted"});
  TravelRobotError e{.robot = rd->String(r, "name", path),
                     .source = rd->String(r, "source", path),
                     .fallback = r.contains("fallback") ? rd->String(r, "fallback", path) : "",
                     .moves = rd->Int(r, "moves", path),
                     .planned_seconds = rd->Number(r, "planned", path),
                     .predicted_seconds = rd->Number(r, "predicted", path),
                     .error_pct = rd->Number(r, "error_pct", path),
                     .analytic_error_pct = rd->Number(r, "analytic_error_pct", path),
                     .drifted = rd->Bool(r, "drifted", path)};
  // Left out without a model; plans written before 2026-12-06 said -1 instead.
  if (r.contains("drift_threshold_pct")) {
    const double threshold = rd->Number(r, "drift_threshold_pct", path);
    if (threshold >= 0) e.drift_threshold_pct = threshold;
  }
  return e;
}

// "travel_time"; `requested` and a robot's `fallback` and `drift_threshold_pct` are optional
// (plans written before 2026-12-06 have no `requested` or `fallback`).
TravelReport ReadTravel(const Json& t, Reader* rd) {
  const std::string path = "travel_time";
  rd->OnlyKeys(t, path, {"kind", "requested", "robots"});
  TravelReport travel{.kind = TravelKind(t, "kind", path, rd)};
  if (t.is_object() && t.contains("requested")) {
    travel.requested = TravelKind(t, "requested", path, rd);
  }
  const Json& robots = rd->Array(t, "robots", path);
  for (std::size_t i = 0; i < robots.size(); ++i) {
    travel.robots.push_back(ReadTravelRobot(robots[i], Reader::Index(path + ".robots", i), rd));
  }
  return travel;
}

// Where the first number of `text` that overflows a double (1e400) is: an out_of_range error
// of the JSON parser carries no position. The file alone when there is none.
SourceLocation FirstOverflowingNumber(const std::string& text, const std::string& file) {
  SourceLocation where{.file = file};
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < text.size() &&
             std::string_view("+-.eE0123456789").find(text[end]) != std::string_view::npos) {
        ++end;
      }
      const double v = std::strtod(text.substr(i, end - i).c_str(), nullptr);
      if (std::isinf(v)) {
        where = LocationOfByte(text, i, file);
        break;
      }
      i = end - 1;
    }
  }
  return where;
}

// The JSON object of a plan file; text that is not JSON, or not an object, is an error at
// its place in `file`.
Json ParsePlanJson(const std::string& text, const std::string& file) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    DiagnosticSink sink;
    sink.Error(LocationOfByte(text, e.byte > 0 ? e.byte - 1 : 0, file), "",
               "not valid JSON: " + JsonMessage(e));
    sink.ThrowIfErrors();
  } catch (const Json::exception& e) {
    DiagnosticSink sink;
    sink.Error(FirstOverflowingNumber(text, file), "", "not valid JSON: " + JsonMessage(e));
    sink.ThrowIfErrors();
  }
  if (!j.is_object()) {
    // Said once (each key read would say it again).
    DiagnosticSink sink;
    sink.Error({.file = file}, "",
               std::string("expected a JSON object (a weldcell plan), got ") + j.type_name());
    sink.ThrowIfErrors();
  }
  return j;
}

// The plan's header: format (weldcell-plan/2), cell name and hash, seed, cycle time and
// makespan (s), and whether it fits the cycle time.
void ReadPlanHeader(const Json& j, Reader* rd, Plan* plan) {
  plan->format = rd->String(j, "format", "");
  if (!plan->format.empty() && plan->format != "weldcell-plan/2") {
    rd->Error("format", "unknown plan format '" + plan->format + "', expected 'weldcell-plan/2'" +
                            (plan->format == "weldcell-plan/1"
                                 ? " (plans of weldcell-plan/1 have no interlock zones: plan again)"
                                 : ""));
  }
  if (const Json* cell = rd->Get(j, "cell", "")) {
    rd->OnlyKeys(*cell, "cell", {"name", "hash"});
    plan->cell_name = rd->String(*cell, "name", "cell");
    plan->cell_hash = rd->String(*cell, "hash", "cell");
  }
  if (const Json* seed = rd->Get(j, "seed", "")) {
    if (seed->is_number_unsigned()) {
      plan->seed = seed->get<std::uint64_t>();
    } else {
      rd->Error("seed", "expected a non-negative integer");
    }
  }
  plan->cycle_time = rd->Number(j, "cycle_time", "");
  plan->makespan = rd->Number(j, "makespan", "");
  plan->within_cycle_time = rd->Bool(j, "within_cycle_time", "");
}

// One weld of a robot (key path `wp`): its id, configuration, spin and tilt (rad) and times (s).
WeldVisit ReadWeldVisit(const Json& jw, const std::string& wp, Reader* rd) {
  WeldVisit w;
  rd->OnlyKeys(jw, wp, {"id", "q", "spin", "tilt", "start", "end"});
  w.weld_id = rd->String(jw, "id", wp);
  if (const Json* q = rd->Get(jw, "q", wp)) w.q = rd->Vector(*q, wp + ".q");
  w.spin = rd->Number(jw, "spin", wp);
  w.tilt = rd->Number(jw, "tilt", wp);
  w.start_time = rd->Number(jw, "start", wp);
  w.end_time = rd->Number(jw, "end", wp);
  return w;
}

// One segment of a robot (key path `sp`): its kind, ends, and as many times (s) as
// configurations.
Segment ReadSegment(const Json& js, const std::string& sp, Reader* rd) {
  Segment s;
  rd->OnlyKeys(js, sp, {"kind", "from", "to", "t", "q"});
  const std::string kind = rd->String(js, "kind", sp);
  if (kind == "motion") {
    s.kind = SegmentKind::kMotion;
  } else if (kind == "weld") {
    s.kind = SegmentKind::kWeld;
  } else if (kind == "wait") {
    s.kind = SegmentKind::kWait;
  } else if (!kind.empty()) {
    rd->Error(sp + ".kind", "expected motion, weld or wait, got '" + kind + "'");
  }
  s.from = rd->String(js, "from", sp);
  s.to = rd->String(js, "to", sp);
  if (const Json* t = rd->Get(js, "t", sp)) {
    const Eigen::VectorXd times = rd->Vector(*t, sp + ".t");
    s.times.assign(times.data(), times.data() + times.size());
  }
  const Json& q = rd->Array(js, "q", sp);
  for (std::size_t k = 0; k < q.size(); ++k) {
    s.q.push_back(rd->Vector(q[k], Reader::Index(sp + ".q", k)));
  }
  if (s.q.size() != s.times.size()) {
    rd->Error(sp, "has " + std::to_string(s.times.size()) + " times but " +
                      std::to_string(s.q.size()) + " configurations");
  }
  return s;
}

// One robot's plan (key path `rp`): its name, times (s), welds and segments.
RobotPlan ReadRobotPlan(const Json& jr, const std::string& rp, Reader* rd) {
  RobotPlan r;
  rd->OnlyKeys(jr, rp, {"name", "busy_time", "wait_time", "finish_time", "welds", "segments"});
  r.robot = rd->String(jr, "name", rp);
  r.busy_time = rd->Number(jr, "busy_time", rp);
  r.wait_time = rd->Number(jr, "wait_time", rp);
  r.finish_time = rd->Number(jr, "finish_time", rp);
  const Json& welds = rd->Array(jr, "welds", rp);
  for (std::size_t wi = 0; wi < welds.size(); ++wi) {
    r.welds.push_back(ReadWeldVisit(welds[wi], Reader::Index(rp + ".welds", wi), rd));
  }
  const Json& segments = rd->Array(jr, "segments", rp);
  for (std::size_t si = 0; si < segments.size(); ++si) {
    r.segments.push_back(ReadSegment(segments[si], Reader::Index(rp + ".segments", si), rd));
  }
  return r;
}

// One interlock zone (key path `zp`): its id and uses (segments, times in s).
Zone ReadZone(const Json& jz, const std::string& zp, Reader* rd) {
  Zone z;
  rd->OnlyKeys(jz, zp, {"id", "uses"});
  z.id = rd->String(jz, "id", zp);
  const Json& uses = rd->Array(jz, "uses", zp);
  for (std::size_t k = 0; k < uses.size(); ++k) {
    const std::string up = Reader::Index(zp + ".uses", k);
    rd->OnlyKeys(
        uses[k], up,
        {"robot", "acquire_segment", "release_segment", "release_on", "acquire", "release"});
    z.uses.push_back({.robot = rd->String(uses[k], "robot", up),
                      .acquire_segment = rd->Int(uses[k], "acquire_segment", up),
                      .release_segment = rd->Int(uses[k], "release_segment", up),
                      .release_on_departure = rd->ReleaseOn(uses[k], up),
                      .acquire_time = rd->Number(uses[k], "acquire", up),
                      .release_time = rd->Number(uses[k], "release", up)});
  }
  return z;
}

// The weld signals: who waits for which weld, at which segment; a robot waits for one weld
// once.
void ReadWeldSignals(const Json& j, Reader* rd, Plan* plan) {
  const Json& signals = rd->Array(j, "weld_signals", "");
  for (std::size_t i = 0; i < signals.size(); ++i) {
    const std::string sp = Reader::Index("weld_signals", i);
    rd->OnlyKeys(signals[i], sp, {"robot", "segment", "weld"});
    const WeldSignal ws{.robot = rd->String(signals[i], "robot", sp),
                        .segment = rd->Int(signals[i], "segment", sp),
                        .weld = rd->String(signals[i], "weld", sp)};
    // One robot waits for one weld once: a second entry would add a redundant handshake.
    for (std::size_t k = 0; k < plan->weld_signals.size(); ++k) {
      if (plan->weld_signals[k].robot == ws.robot && plan->weld_signals[k].weld == ws.weld) {
        rd->Error(sp, "duplicates weld_signals[" + std::to_string(k) + "]: robot " + ws.robot +
                          " waits for weld " + ws.weld + " once");
        break;
      }
    }
    plan->weld_signals.push_back(ws);
  }
}

}  // namespace

Plan PlanFromJson(const std::string& text, const std::string& file, const cell::Cell* cell) {
  Json j = ParsePlanJson(text, file);
  Reader rd(file, &text);
  rd.OnlyKeys(j, "",
              {"format", "cell", "seed", "cycle_time", "makespan", "within_cycle_time", "robots",
               "zones", "weld_signals", "unreachable", "travel_time"});
  Plan plan;
  ReadPlanHeader(j, &rd, &plan);
  const Json& robots = rd.Array(j, "robots", "");
  for (std::size_t ri = 0; ri < robots.size(); ++ri) {
    plan.robots.push_back(ReadRobotPlan(robots[ri], Reader::Index("robots", ri), &rd));
  }
  const Json& zones = rd.Array(j, "zones", "");
  for (std::size_t i = 0; i < zones.size(); ++i) {
    plan.zones.push_back(ReadZone(zones[i], Reader::Index("zones", i), &rd));
  }
  ReadWeldSignals(j, &rd, &plan);
  const Json& unreachable = rd.Array(j, "unreachable", "");
  for (std::size_t i = 0; i < unreachable.size(); ++i) {
    const std::string up = Reader::Index("unreachable", i);
    rd.OnlyKeys(unreachable[i], up, {"weld", "reason"});
    plan.unreachable.push_back({.weld_id = rd.String(unreachable[i], "weld", up),
                                .reason = rd.String(unreachable[i], "reason", up)});
  }
  // Optional (added within weldcell-plan/2): the travel model's error on the plan's moves.
  if (j.contains("travel_time")) plan.travel = ReadTravel(j["travel_time"], &rd);
  CheckStructure(plan, cell, &rd);
  rd.Sink().ThrowIfErrors();
  return plan;
}

}  // namespace weldcell::plan
