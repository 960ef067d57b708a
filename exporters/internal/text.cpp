#include "exporters/internal/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <numbers>

#include "planner/common/diagnostics.hpp"
#include "planner/kinematics/controller_joints.hpp"

namespace weldcell::exporters::internal {

namespace {
bool Prismatic(const cell::Robot& robot, int i) {
  const auto idx = robot.model->movable_joint_indices();
  return robot.model->joints[static_cast<std::size_t>(idx[static_cast<std::size_t>(i)])].type ==
         cell::JointType::kPrismatic;
}
constexpr double kDeg = 180.0 / std::numbers::pi;
}  // namespace

std::string Fixed(double value, int decimals) {
  std::string s = fmt::format("{:.{}f}", value, decimals);
  if (s.starts_with('-') && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::vector<double> ToControllerUnits(const cell::Robot& robot, const Eigen::VectorXd& q) {
  const Eigen::VectorXd c = kinematics::ToController(robot.model->controller, q);
  std::vector<double> out(static_cast<std::size_t>(c.size()));
  for (Eigen::Index i = 0; i < c.size(); ++i) {
    out[static_cast<std::size_t>(i)] =
        c[i] * (Prismatic(robot, static_cast<int>(i)) ? 1000.0 : kDeg);
  }
  return out;
}

Eigen::VectorXd FromControllerUnits(const cell::Robot& robot, const std::vector<double>& c) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(c.size()));
  for (std::size_t i = 0; i < c.size(); ++i) {
    v[static_cast<Eigen::Index>(i)] =
        c[i] / (Prismatic(robot, static_cast<int>(i)) ? 1000.0 : kDeg);
  }
  return kinematics::FromController(robot.model->controller, v);
}

void ReadError(const std::string& file, int line, const std::string& message) {
  throw InputError({Diagnostic{.where = {.file = file, .line = line}, .message = message}});
}

std::vector<Line> SplitLines(const std::string& file, const std::string& contents, bool crlf) {
  std::vector<Line> lines;
  std::size_t start = 0;
  int number = 0;
  while (start < contents.size()) {
    ++number;
    const std::size_t lf = contents.find('\n', start);
    if (lf == std::string::npos) ReadError(file, number, "the last line has no line end");
    std::string text = contents.substr(start, lf - start);
    if (crlf) {
      if (text.empty() || text.back() != '\r') {
        ReadError(file, number, "line end is LF, expected CR LF (this controller needs CR LF)");
      }
      text.pop_back();
    }
    if (text.find('\r') != std::string::npos) ReadError(file, number, "stray CR in the line");
    lines.push_back({number, std::move(text)});
    start = lf + 1;
  }
  return lines;
}

std::string Trim(std::string_view text) {
  const std::size_t a = text.find_first_not_of(" \t");
  if (a == std::string_view::npos) return {};
  const std::size_t b = text.find_last_not_of(" \t");
  return std::string(text.substr(a, b - a + 1));
}

namespace {
const std::string& Template(const Site& site, const std::string& dialect,
                            const std::string& fallback) {
  auto it = site.weld_call.find(dialect);
  return it == site.weld_call.end() ? fallback : it->second;
}
}  // namespace

std::string WeldCall(const Site& site, const std::string& dialect, const std::string& fallback,
                     const Instruction& weld) {
  std::string out;
  const std::string& t = Template(site, dialect, fallback);
  for (std::size_t i = 0; i < t.size();) {
    if (t.compare(i, 3, "{n}") == 0) {
      out += std::to_string(weld.weld_number);
      i += 3;
    } else if (t.compare(i, 10, "{schedule}") == 0) {
      out += std::to_string(weld.schedule);
      i += 10;
    } else if (t.compare(i, 4, "{id}") == 0) {
      out += weld.weld_id;
      i += 4;
    } else {
      out += t[i++];
    }
  }
  return out;
}

std::optional<WeldCallMatch> MatchWeldCall(const Site& site, const std::string& dialect,
                                           const std::string& fallback, const std::string& line) {
  const std::string& t = Template(site, dialect, fallback);
  std::string pattern;
  std::vector<char> groups;
  for (std::size_t i = 0; i < t.size();) {
    if (t.compare(i, 3, "{n}") == 0) {
      pattern += "([0-9]+)";
      groups.push_back('n');
      i += 3;
    } else if (t.compare(i, 10, "{schedule}") == 0) {
      pattern += "([0-9]+)";
      groups.push_back('s');
      i += 10;
    } else if (t.compare(i, 4, "{id}") == 0) {
      pattern += "([^ ,;()\"']+)";
      groups.push_back('i');
      i += 4;
    } else {
      const char c = t[i++];
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
      pattern += c;
    }
  }
  std::smatch m;
  if (!std::regex_match(line, m, std::regex(pattern))) return std::nullopt;
  WeldCallMatch out;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::string v = m[static_cast<int>(g + 1)].str();
    if (groups[g] == 'i') {
      out.id = v;
    } else {
      auto n = ParseInt(v);
      if (!n) return std::nullopt;
      (groups[g] == 'n' ? out.number : out.schedule) = *n;
    }
  }
  return out;
}

std::string IdentifierName(const std::string& wanted, std::size_t max_length, bool upper) {
  std::string out;
  for (char c : wanted) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    char x = ok ? c : '_';
    if (upper && x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    out += x;
  }
  if (out.empty() || !((out[0] >= 'A' && out[0] <= 'Z') || (out[0] >= 'a' && out[0] <= 'z'))) {
    out = (upper ? "P" : "p") + out;
  }
  if (out.size() > max_length) out.resize(max_length);
  return out;
}

bool IsIdentifier(std::string_view name, std::size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!letter(name[0])) return false;
  for (char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '_') return false;
  }
  return true;
}

void CheckSignal(const Site& site, int signal, int min, int max, const std::string& dialect,
                 const char* what) {
  if (signal < min || signal > max) {
    SiteError(site, what,
              fmt::format("I/O number {} is outside {}'s range {}..{}; set `{}` in the site's "
                          "export.yaml",
                          signal, dialect, min, max, what));
  }
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      return std::nullopt;
    }
  }
  double v = 0;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<int> ParseInt(std::string_view text) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace weldcell::exporters::internal

namespace weldcell::exporters::internal {
namespace {
bool In(const SignalRange& r, int s) { return s >= r.first && s < r.first + r.count; }
}  // namespace
SignalRole InputRole(const Site& site, int signal) {
  if (In(site.zone_inputs, signal)) return SignalRole::kZone;
  if (In(site.weld_signal_inputs, signal)) return SignalRole::kWeldSignal;
  return SignalRole::kNone;
}
SignalRole OutputRole(const Site& site, int signal) {
  if (In(site.zone_outputs, signal)) return SignalRole::kZone;
  if (In(site.weld_signal_outputs, signal)) return SignalRole::kWeldSignal;
  return SignalRole::kNone;
}
void CheckRangesApart(const Site& site, const std::string& dialect) {
  auto check = [&](const char* zone_key, const SignalRange& zone, const char* weld_key,
                   const SignalRange& weld) {
    if (zone.first < weld.first + weld.count && weld.first < zone.first + zone.count) {
      auto describe = [&](const char* key, const SignalRange& r) {
        const auto it = site.where.find(key);
        return fmt::format("`{}` {}..{} ({})", key, r.first, r.first + r.count - 1,
                           it != site.where.end()
                               ? it->second.file + ":" + std::to_string(it->second.line) + ":" +
                                     std::to_string(it->second.column)
                               : dialect + "'s default");
      };
      SiteError(site,
                site.where.count(weld_key) || !site.where.count(zone_key) ? weld_key : zone_key,
                fmt::format("{} overlaps {}: weld-signal and zone I/O numbers must not overlap "
                            "(a controller could not tell them apart)",
                            describe(weld_key, weld), describe(zone_key, zone)));
    }
  };
  check("zone_inputs", site.zone_inputs, "weld_signal_inputs", site.weld_signal_inputs);
  check("zone_outputs", site.zone_outputs, "weld_signal_outputs", site.weld_signal_outputs);
}

void CheckSignals(const Program& program, const Site& site, int min, int max,
                  const std::string& dialect) {
  CheckRangesApart(site, dialect);
  for (const Instruction& i : program.instructions) {
    const bool in = i.kind == InstructionKind::kWaitInput;
    if (!in && i.kind != InstructionKind::kSetOutput) continue;
    const bool zone = i.role == SignalRole::kZone;
    const char* key = zone ? (in ? "zone_inputs" : "zone_outputs")
                           : (in ? "weld_signal_inputs" : "weld_signal_outputs");
    CheckSignal(site, i.signal, min, max, dialect, key);
  }
}
void CheckDof(const cell::Robot& robot, int dof, const std::string& dialect) {
  if (robot.model->dof() != dof) {
    throw InputError({Diagnostic{
        .where = {.file = robot.model->source_file},
        .message = fmt::format("{}: robot {} has {} joints; the {} exporter writes arms of "
                               "exactly {} axes (no external axes)",
                               robot.name, robot.name, robot.model->dof(), dialect, dof)}});
  }
}
}  // namespace weldcell::exporters::internal

namespace weldcell::exporters::internal {
void AttachWeldIds(Program* program, const std::string& file) {
  std::string last_comment;
  for (Instruction& i : program->instructions) {
    if (i.kind == InstructionKind::kComment) {
      last_comment = i.text;
      continue;
    }
    if (i.kind == InstructionKind::kWeld && i.weld_id.empty()) {
      if (!last_comment.starts_with("weld ") || last_comment.size() <= 5) {
        ReadError(file, 0,
                  fmt::format("weld call {} has no weld id (neither in the call nor in a "
                              "\"weld <id>\" comment right before it)",
                              i.weld_number));
      }
      i.weld_id = last_comment.substr(5);
    }
    last_comment.clear();
  }
}
}  // namespace weldcell::exporters::internal
