#include "exporters/internal/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numbers>
#include <set>

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

std::string AsciiText(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u <= 0x7e) {
      out += c;
    } else if (u < 0x80 || u >= 0xc0) {  // a control byte or the first byte of a character
      out += '?';
    }  // UTF-8 continuation bytes (0x80..0xbf) belong to the `?` already written
  }
  return out;
}

std::string WithCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
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
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u > 0x7e) {
        ReadError(file, number,
                  fmt::format("byte 0x{:02x} is not printable ASCII (the programs are ASCII; "
                              "controllers read other bytes differently)",
                              u));
      }
    }
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
  // Per character, not per byte: AsciiText gives a UTF-8 `ß` one `?`, which becomes one `_`.
  for (char c : AsciiText(wanted)) {
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

std::vector<std::string> CommentLines(std::string_view text, std::size_t max) {
  if (max == 0 || text.size() <= max) return {std::string(text)};
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view word = text.substr(i, j - i);
    i = j + 1;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > max) {
      lines.push_back(line);
      line.clear();
    }
    while (word.size() > max) {  // a word that fits no line: in pieces
      if (!line.empty()) lines.push_back(line);
      line.clear();
      lines.emplace_back(word.substr(0, max));
      word.remove_prefix(max);
    }
    if (word.empty()) continue;
    line += (line.empty() ? "" : " ") + std::string(word);
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
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
  if (In(site.weld_ack_inputs, signal)) return SignalRole::kWeldAck;
  return SignalRole::kNone;
}
SignalRole OutputRole(const Site& site, int signal) {
  if (In(site.zone_outputs, signal)) return SignalRole::kZone;
  if (In(site.weld_signal_outputs, signal)) return SignalRole::kWeldSignal;
  if (In(site.weld_ack_outputs, signal)) return SignalRole::kWeldAck;
  return SignalRole::kNone;
}
void CheckRangesApart(const Site& site, const std::string& dialect) {
  auto check = [&](const char* a_key, const SignalRange& a, const char* b_key,
                   const SignalRange& b) {
    if (a.first < b.first + b.count && b.first < a.first + a.count) {
      auto describe = [&](const char* key, const SignalRange& r) {
        const auto it = site.where.find(key);
        return fmt::format("`{}` {}..{} ({})", key, r.first, r.first + r.count - 1,
                           it != site.where.end()
                               ? it->second.file + ":" + std::to_string(it->second.line) + ":" +
                                     std::to_string(it->second.column)
                               : dialect + "'s default");
      };
      SiteError(site, site.where.count(b_key) || !site.where.count(a_key) ? b_key : a_key,
                fmt::format("{} overlaps {}: zone, weld-signal and acknowledge I/O numbers must "
                            "not overlap (a controller could not tell them apart)",
                            describe(b_key, b), describe(a_key, a)));
    }
  };
  check("zone_inputs", site.zone_inputs, "weld_signal_inputs", site.weld_signal_inputs);
  check("zone_outputs", site.zone_outputs, "weld_signal_outputs", site.weld_signal_outputs);
  check("zone_inputs", site.zone_inputs, "weld_ack_inputs", site.weld_ack_inputs);
  check("zone_outputs", site.zone_outputs, "weld_ack_outputs", site.weld_ack_outputs);
  check("weld_signal_inputs", site.weld_signal_inputs, "weld_ack_inputs", site.weld_ack_inputs);
  check("weld_signal_outputs", site.weld_signal_outputs, "weld_ack_outputs", site.weld_ack_outputs);
}

void CheckSignals(const Program& program, const Site& site, int min, int max,
                  const std::string& dialect) {
  CheckRangesApart(site, dialect);
  CheckSignalNumbers(program, site, min, max, max, dialect);
}

void CheckSignalNumbers(const Program& program, const Site& site, int min, int zone_max,
                        int weld_max, const std::string& dialect) {
  // Every range out of the dialect's reach, once each (not only the first met).
  DiagnosticSink sink;
  std::set<std::string> reported;
  for (const Instruction& i : program.instructions) {
    const bool in = i.kind == InstructionKind::kWaitInput;
    if (!in && i.kind != InstructionKind::kSetOutput) continue;
    const bool zone = i.role == SignalRole::kZone;
    const char* key = zone ? (in ? "zone_inputs" : "zone_outputs")
                      : i.role == SignalRole::kWeldSignal
                          ? (in ? "weld_signal_inputs" : "weld_signal_outputs")
                          : (in ? "weld_ack_inputs" : "weld_ack_outputs");
    if (reported.count(key)) continue;
    try {
      CheckSignal(site, i.signal, min, zone ? zone_max : weld_max, dialect, key);
    } catch (const InputError& e) {
      sink.Merge(e);
      reported.insert(key);
    }
  }
  sink.ThrowIfErrors();
}
std::vector<RobotProblem> AxisProblems(const cell::Robot& robot, int axes,
                                       std::string_view dialect) {
  const cell::RobotModel& m = *robot.model;
  // A linear track with five rotary joints is six movable joints too, but the track is an
  // external axis: its millimetres were written as J1's degrees.
  const auto linear = std::find_if(m.joints.begin(), m.joints.end(), [](const cell::Joint& j) {
    return j.type == cell::JointType::kPrismatic;
  });
  if (m.dof() == axes && linear == m.joints.end()) return {};
  const std::string found = m.dof() != axes ? fmt::format("has {} movable joints", m.dof())
                                            : fmt::format("has a linear joint {}", linear->name);
  const std::string rule =
      m.dof() != axes ? fmt::format("{} axes (no external axes)", axes)
                      : fmt::format("{} rotary axes (no external axes such as a track)", axes);
  return {RobotProblem{
      .key = "chain",
      .message = fmt::format(
          "robot {} ({}) {} (chain {} -> {} in {}); the {} exporter writes arms of exactly {}: "
          "give the robot a {}-axis model, or no `controller:` (planned without a program)",
          robot.name, m.name, found, m.links.empty() ? "" : m.links.front().name,
          m.links.empty() ? "" : m.links.back().name, m.source_file, dialect, rule, axes)}};
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

namespace weldcell::exporters::internal {
namespace {
bool Letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool NameChar(char c, const NameRules& r) {
  return Letter(c) || Digit(c) || c == '_' || (r.dollar && c == '$');
}
bool NameStart(char c, const NameRules& r) {
  return Letter(c) || (r.leading_underscore && c == '_') || (r.dollar && c == '$');
}
std::string Shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u <= 0x7e) return fmt::format("`{}`", c);
  if (c == ' ') return "a blank";
  if (c == '\t') return "a tab";
  // A byte of a UTF-8 character (ä, ß, é …): controllers take ASCII only.
  if (u >= 0x80) return fmt::format("a non-ASCII character (byte 0x{:02x}: ä, ß, é …)", u);
  return fmt::format("control character 0x{:02x}", u);
}
constexpr char kIdMark = '\x01';

struct CallForm {
  std::string routine;  ///< The name the call invokes.
  std::string problem;  ///< Empty when the line has the dialect's call form.
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether `name` is one of the blank-separated words of `list` (or starts with one, `prefix`).
bool Listed(std::string_view list, const std::string& name, bool prefix) {
  std::size_t i = 0;
  while (i < list.size()) {
    const std::size_t j = std::min(list.find(' ', i), list.size());
    const std::string_view word = list.substr(i, j - i);
    if (!word.empty() && (prefix ? name.starts_with(word) : name == word)) return true;
    i = j + 1;
  }
  return false;
}

// The index just past the `)` that closes the `(` at `open` (strings skipped), or npos.
std::size_t Closing(const std::string& line, std::size_t open, const NameRules& r) {
  int depth = 0;
  char in_string = 0;
  for (std::size_t i = open; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == in_string) in_string = 0;
    } else if (r.quotes.find(c) != std::string_view::npos) {
      in_string = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string::npos;
}

// The weld call (placeholders filled in) against the dialect's call form: a call of a
// subroutine whose name is not a motion, I/O or flow keyword. A weld call that moves the robot
// or sets an output would run unchecked between the program's interlocks.
CallForm CallFormProblem(const std::string& line, const NameRules& r) {
  using Form = NameRules::CallForm;
  static constexpr std::array<std::string_view, 4> kShapes = {
      "a subroutine call NAME(arguments)", "a procedure call `Name arguments;`",
      "a program call CALL NAME or CALL NAME(arguments)",
      "a job call CALL JOB:NAME with ARGF arguments"};
  CallForm out;
  const std::string_view shape = kShapes[static_cast<std::size_t>(r.form)];
  auto bad = [&](const std::string& why) {
    out.problem = fmt::format("the weld call must be {}: {}", shape, why);
    return out;
  };
  std::size_t i = 0;
  if (r.form == Form::kCall || r.form == Form::kCallJob) {
    const std::string_view prefix = r.form == Form::kCall ? "CALL " : "CALL JOB:";
    if (!line.starts_with(prefix)) return bad(fmt::format("it does not start with `{}`", prefix));
    i = prefix.size();
  }
  std::size_t j = i;
  while (j < line.size() && NameChar(line[j], r)) ++j;
  if (j == i || !NameStart(line[i], r)) {
    return bad(line[i] == kIdMark ? "the weld id cannot be the routine it calls"
                                  : "it does not start with the name of the routine it calls");
  }
  out.routine = line.substr(i, j - i);
  const std::string lower = Lower(out.routine);
  if (out.routine.starts_with('$')) {
    return bad(fmt::format("{} is a system variable, not a routine", out.routine));
  }
  if (Listed(r.keywords, lower, false) || Listed(r.keyword_prefixes, lower, true)) {
    return bad(
        fmt::format("{} is a motion, I/O or flow statement of the dialect, not a weld "
                    "routine",
                    out.routine));
  }
  // `main {n};` inside PROC main() calls the program itself; `XP1(...)`, `tool1 ...` name what
  // the program declares (a fresh robot programmer's site files were accepted).
  if (std::string problem = ReservedNameProblem(out.routine, r); !problem.empty()) {
    return bad(problem + ", not a weld routine");
  }
  const std::string rest = line.substr(j);
  // The arguments outside strings: an assignment there would set a variable or an output
  // (`SPOT_WELD($OUT[1]=TRUE)`) between the interlocks.
  std::string bare;  // `rest` with every string's contents replaced by blanks
  for (char in_string = 0; const char c : rest) {
    if (in_string) {
      bare += ' ';
      if (c == in_string) in_string = 0;
    } else {
      if (r.quotes.find(c) != std::string_view::npos) in_string = c;
      bare += c;
    }
  }
  switch (r.form) {
    case Form::kParens: {
      if (!rest.starts_with('(') || Closing(line, j, r) != line.size()) {
        return bad(fmt::format("expected {}(...) and nothing after the closing `)`", out.routine));
      }
      for (std::size_t k = 0; r.equals_assigns && k < bare.size(); ++k) {
        const char before = k > 0 ? bare[k - 1] : ' ';
        const char after = k + 1 < bare.size() ? bare[k + 1] : ' ';
        if (bare[k] == '=' && before != '=' && after != '=' && before != '<' && before != '>') {
          return bad(
              fmt::format("the `=` in `{}` assigns (KRL compares with `==`); the call may "
                          "not assign or set I/O",
                          rest.substr(0, k + 1)));
        }
      }
      break;
    }
    case Form::kCall:
      if (!rest.empty() && (!rest.starts_with('(') || Closing(line, j, r) != line.size())) {
        return bad(fmt::format("expected CALL {} or CALL {}(...) and nothing after the `)`",
                               out.routine, out.routine));
      }
      break;
    case Form::kCallJob: {
      // ` ARGF<value>` arguments only.
      std::size_t k = 0;
      while (k < rest.size()) {
        if (rest.compare(k, 5, " ARGF") != 0 || k + 5 >= rest.size() || rest[k + 5] == ' ') {
          return bad(fmt::format("after CALL JOB:{} only ` ARGF<value>` arguments may follow",
                                 out.routine));
        }
        k = std::min(rest.find(' ', k + 5), rest.size());
      }
      break;
    }
    case Form::kProcedure:
      if (!(rest == ";" || rest.starts_with(' ') || rest.starts_with('\\'))) {
        return bad(
            fmt::format("{} must be followed by its arguments (a blank or `\\`) or `;` "
                        "(an assignment or expression does not call a procedure)",
                        out.routine));
      }
      for (std::size_t k = 0; k < bare.size(); ++k) {
        if (bare[k] == '\\') {
          // An optional argument follows the one before it without a comma: `Name 1 \Id:="x";`.
          std::size_t p = k;
          while (p > 0 && bare[p - 1] == ' ') --p;
          if (p > 0 && bare[p - 1] == ',') {
            return bad(
                fmt::format("a comma before the optional argument `{}` (RAPID writes "
                            "`Name arg \\Opt:=value;`, no comma before `\\`)",
                            rest.substr(k, rest.find_first_of(":;", k) - k)));
          }
        }
        if (bare.compare(k, 2, ":=") == 0) {
          // Only as `\Name:=value` (an optional argument); anywhere else it assigns.
          std::size_t p = k;
          while (p > 0 && NameChar(bare[p - 1], r)) --p;
          if (p == k || p == 0 || bare[p - 1] != '\\') {
            return bad(
                fmt::format("the `:=` in `{}` assigns; the call may not assign (only "
                            "`\\Name:=value` optional arguments)",
                            rest.substr(0, k + 2)));
          }
        }
      }
      break;
  }
  return out;
}
}  // namespace

std::string ReservedNameProblem(std::string_view name, const NameRules& r) {
  const std::string lower = Lower(name);
  // URScript's lists are as written (it tells True from true); the others ignore case.
  const std::string& as_compared = r.case_sensitive ? std::string(name) : lower;
  if (Listed(r.reserved, as_compared, false) || Listed(r.keywords, lower, false)) {
    return fmt::format("{} is a reserved word, built-in or a name the exported program itself uses",
                       name);
  }
  for (std::size_t i = 0; i < r.reserved_numbered.size();) {
    const std::size_t j = std::min(r.reserved_numbered.find(' ', i), r.reserved_numbered.size());
    const std::string_view prefix = r.reserved_numbered.substr(i, j - i);
    if (!prefix.empty() && lower.size() > prefix.size() && lower.starts_with(prefix) &&
        std::all_of(lower.begin() + static_cast<std::ptrdiff_t>(prefix.size()), lower.end(),
                    [](char c) { return Digit(c); })) {
      return fmt::format("{} has the form of a name the exported program declares ({}<number>)",
                         name, prefix);
    }
    i = j + 1;
  }
  return {};
}

std::string NameProblem(std::string_view name, const NameRules& r) {
  if (name.empty()) return "an empty name";
  if (!NameStart(name[0], r)) {
    return fmt::format("name {} starts with {} (a name starts with a letter{})", name,
                       Shown(name[0]),
                       r.leading_underscore ? (r.dollar ? ", `_` or `$`" : " or `_`") : "");
  }
  for (char c : name) {
    if (!NameChar(c, r)) {
      return fmt::format("name {} holds {} (names are letters, digits and `_`{})", name, Shown(c),
                         r.dollar ? " and `$`" : "");
    }
  }
  if (name.size() > r.max_length) {
    return fmt::format("name {} has {} characters, at most {} are allowed", name, name.size(),
                       r.max_length);
  }
  return {};
}

std::string_view Article(std::string_view word) {
  return !word.empty() && std::string_view("aeioAEIO").find(word[0]) != std::string_view::npos
             ? "an"
             : "a";
}

std::string ProgramNameProblem(std::string_view name, std::size_t max_length) {
  if (name.empty()) return "an empty name";
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!letter(name[0])) {
    return fmt::format("name {} starts with {} (a program name starts with a letter)", name,
                       Shown(name[0]));
  }
  for (char c : name) {
    if (!letter(c) && !Digit(c) && c != '_') {
      return fmt::format("name {} holds {} (a program name holds letters, digits and `_` only)",
                         name, Shown(c));
    }
  }
  if (name.size() > max_length) {
    return fmt::format("name {} has {} characters, at most {} are allowed", name, name.size(),
                       max_length);
  }
  return {};
}

namespace {

// FANUC's CALL arguments and INFORM's ARGF values are constants, strings or registers: a weld id
// outside a string (at `bare_at` of the call `line`) would be a name neither controller reads
// (`CALL SPOTWELD(1,W13)`). Empty where the dialect takes names, or the id is in the called name
// (the call's shape problem, said by CallFormProblem).
std::string BareIdArgumentProblem(const std::string& line, const NameRules& r,
                                  std::size_t bare_at) {
  using Form = NameRules::CallForm;
  const std::size_t arguments_at = r.form == Form::kCall      ? line.find('(')
                                   : r.form == Form::kCallJob ? line.find(" ARGF")
                                                              : std::string::npos;
  if (arguments_at == std::string::npos || bare_at < arguments_at) return {};
  return fmt::format(
      "{{id}} outside a string: {} takes constants, strings and registers as arguments, not "
      "names; write it as a string ({}{{id}}{})",
      r.form == Form::kCall ? "a CALL" : "CALL JOB:'s ARGF", r.quotes.front(), r.quotes.front());
}

}  // namespace

bool CheckWeldCall(const Site& site, std::string_view dialect, const DialectLimits& limits) {
  const NameRules& r = limits.names;
  const auto it = site.weld_call.find(std::string(dialect));
  const std::string call =
      it != site.weld_call.end() ? it->second : std::string(limits.default_weld_call);
  const std::string key = "weld_call." + std::string(dialect);
  auto fail = [&](const std::string& message) {
    SiteError(
        site, key,
        fmt::format("{}: {} (the {} controller would refuse the line)", dialect, message, dialect));
  };
  // Placeholders first: numbers are digits, {id} a mark; any other brace is a typo.
  std::string line;
  std::vector<std::size_t> column;  // of each character of `line` in the call, 1-based
  for (std::size_t i = 0; i < call.size();) {
    column.push_back(i + 1);
    if (call.compare(i, 3, "{n}") == 0) {
      line += '1';
      i += 3;
    } else if (call.compare(i, 10, "{schedule}") == 0) {
      line += '1';
      i += 10;
    } else if (call.compare(i, 4, "{id}") == 0) {
      line += kIdMark;
      i += 4;
    } else if (call[i] == '{' || call[i] == '}') {
      fail(
          fmt::format("`{}` at column {} of the call is not a placeholder ({{n}}, {{schedule}}, "
                      "{{id}})",
                      call[i], i + 1));
    } else {
      line += call[i++];
    }
  }
  bool bare_id = false;
  std::size_t bare_at = 0;  // where the first {id} outside a string stands in `line`
  char in_string = 0;
  const std::string_view common = " _()[],=.:+-*/<>";
  for (std::size_t i = 0; i < line.size();) {
    const char c = line[i];
    const auto u = static_cast<unsigned char>(c);
    if (in_string) {
      if (c == in_string) in_string = 0;
      if (c != kIdMark && (u < 0x20 || u > 0x7e)) fail(Shown(c) + " in a string");
      ++i;
      continue;
    }
    if (r.quotes.find(c) != std::string_view::npos) {
      in_string = c;
      ++i;
      continue;
    }
    if (c == kIdMark) {
      if (!bare_id) bare_at = i;
      bare_id = true;
      ++i;
      continue;
    }
    if (r.comment.find(c) != std::string_view::npos) {
      fail(fmt::format("{} starts a comment in {}: the rest of the line would not run", Shown(c),
                       dialect));
    }
    if (c == ';' && r.final_semicolon) {
      if (i + 1 != line.size()) fail("`;` ends the statement: only one, at the end of the line");
      ++i;
      continue;
    }
    if (Digit(c)) {
      std::size_t j = i;
      while (j < line.size() && (Digit(line[j]) || line[j] == '.')) ++j;
      if (j < line.size() && (Letter(line[j]) || line[j] == '_' || line[j] == kIdMark)) {
        fail(fmt::format("a name at column {} of the call starts with a digit", column[i]));
      }
      i = j;
      continue;
    }
    if (NameStart(c, r) || (c == '_' && !r.leading_underscore)) {
      std::size_t j = i;
      while (j < line.size() && (NameChar(line[j], r) || line[j] == kIdMark)) ++j;
      const std::string word = line.substr(i, j - i);
      if (word.find(kIdMark) != std::string::npos) {
        if (!bare_id) bare_at = i;
        bare_id = true;
      } else {
        // The called program (after the prefix) or, without a prefix rule, every name.
        const bool called =
            !r.call_prefix.empty() && line.starts_with(r.call_prefix) && i == r.call_prefix.size();
        if (r.call_prefix.empty() || called) {
          if (std::string p = NameProblem(word, r); !p.empty()) {
            fail(fmt::format("{} ({} names: letters, digits, `_`{}{})", p, dialect,
                             r.dollar ? ", `$`" : "",
                             r.leading_underscore ? "; may start with `_`" : ""));
          }
        }
      }
      i = j;
      continue;
    }
    if (Digit(c) || common.find(c) != std::string_view::npos ||
        r.extra_characters.find(c) != std::string_view::npos) {
      ++i;
      continue;
    }
    fail(fmt::format("{} at column {} of the call is not allowed in {} {} statement", Shown(c),
                     column[i], Article(dialect), dialect));
  }
  if (in_string) fail("a string is not closed");
  if (r.final_semicolon && !line.ends_with(';')) fail("a statement must end with `;`");
  if (bare_id) {
    if (std::string p = BareIdArgumentProblem(line, r, bare_at); !p.empty()) fail(p);
  }
  if (std::string p = CallFormProblem(line, r).problem; !p.empty()) {
    SiteError(site, key,
              fmt::format("{}: {} (the weld call runs at the weld point between the program's "
                          "interlocks: it must call the weld routine, never move the robot or "
                          "set I/O)",
                          dialect, p));
  }
  return bare_id;
}

std::string WeldCallRoutine(const Site& site, std::string_view dialect,
                            const DialectLimits& limits) {
  CheckWeldCall(site, dialect, limits);
  const auto it = site.weld_call.find(std::string(dialect));
  std::string line =
      it != site.weld_call.end() ? it->second : std::string(limits.default_weld_call);
  return CallFormProblem(line, limits.names).routine;
}

bool SameName(std::string_view a, std::string_view b, const NameRules& rules) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (rules.case_sensitive ? x != y : std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

std::string WeldIdProblem(const std::string& id, std::string_view dialect,
                          const DialectLimits& limits, bool bare) {
  const NameRules& r = limits.names;
  if (id.empty()) return "an empty weld id";
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (r.escape.find(c) != std::string_view::npos) {
      // In a string of the call an escape would make another id (RAPID "W\08" is a character
      // code); refused everywhere so the comment and the call always agree.
      return fmt::format(
          "weld id {} holds {}, which starts an escape in {} strings (the "
          "controller would read another id)",
          id, Shown(c), dialect);
    }
    if (u <= 0x20 || u > 0x7e || std::string_view(",;()\"'{}").find(c) != std::string_view::npos ||
        r.comment.find(c) != std::string_view::npos) {
      return fmt::format(
          "weld id {} holds {}, which {} programs cannot carry in a comment or call (weld ids "
          "are printable ASCII without blanks and without , ; ( ) \" ' {{ }}{})",
          id, Shown(c), dialect, r.comment.empty() ? "" : fmt::format(" or {}", r.comment));
    }
  }
  constexpr std::size_t kPrefix = 5;  // "weld "
  if (r.max_comment > 0 && id.size() + kPrefix > r.max_comment) {
    return fmt::format(
        "weld id {} has {} characters; {} comments hold {}, so a weld id at most "
        "{}",
        id, id.size(), dialect, r.max_comment, r.max_comment - kPrefix);
  }
  if (bare) {
    std::string p = NameProblem(id, r);
    if (p.empty()) p = ReservedNameProblem(id, r);
    if (!p.empty()) {
      return fmt::format(
          "weld_call.{} has {{id}} outside a string, so the weld id must be {} {} "
          "name: {}",
          dialect, Article(dialect), dialect, p);
    }
  }
  return {};
}

void CheckWeldIds(const Program& program, const std::string& file, const Site& site,
                  std::string_view dialect, const DialectLimits& limits) {
  const bool bare = CheckWeldCall(site, dialect, limits);
  if (std::string p = ReservedNameProblem(program.name, limits.names); !p.empty()) {
    ReadError(file, 0, fmt::format("program name {}: {}", program.name, p));
  }
  for (const Instruction& i : program.instructions) {
    if (i.kind != InstructionKind::kWeld) continue;
    if (std::string p = WeldIdProblem(i.weld_id, dialect, limits, bare); !p.empty()) {
      ReadError(file, 0, p);
    }
  }
}
}  // namespace weldcell::exporters::internal
