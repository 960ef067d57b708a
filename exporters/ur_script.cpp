// Universal Robots URScript: name.script, one `def name():` with movej in radians (the
// controller's joint convention from robot.yaml, in rad), the planned time of each move (t=),
// blend radius 0 at standstills (a blend would let the following I/O run while the arm still
// moves) and wait loops with sync(). Interlock zones use the boolean registers
// (read_input_boolean_register / write_output_boolean_register, 0..127), weld signals the
// configurable digital I/O (0..7), their acknowledges the standard digital I/O (0..7).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "exporters/dialect.hpp"
#include "exporters/internal/reserved_names.hpp"
#include "exporters/internal/text.hpp"
#include "planner/common/check.hpp"
#include "planner/kinematics/controller_joints.hpp"

namespace weldcell::exporters {

namespace {

using namespace internal;

constexpr const char* kDialect = "ur_script";
constexpr const char* kDefaultCall = "spot_weld({n}, {schedule})";
constexpr std::size_t kMaxName = 31;
// movej's joint acceleration (rad/s²) and speed (rad/s) for a move without a time.
constexpr double kAcceleration = 1.4, kVelocity = 1.05;
// Four significant digits in decimal notation (0.000014, never 1.4e-05: a low speed_override
// must not depend on the controller's parser taking exponents).
std::string Speed(double value) {
  const int decimals =
      value > 0 ? std::max(0, 3 - static_cast<int>(std::floor(std::log10(value)))) : 0;
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}
// The functions that read and write each I/O role.
const char* ReadFunction(SignalRole role) {
  return role == SignalRole::kZone         ? "read_input_boolean_register"
         : role == SignalRole::kWeldSignal ? "get_configurable_digital_in"
                                           : "get_standard_digital_in";
}
const char* WriteFunction(SignalRole role) {
  return role == SignalRole::kZone         ? "write_output_boolean_register"
         : role == SignalRole::kWeldSignal ? "set_configurable_digital_out"
                                           : "set_standard_digital_out";
}
SignalRole RoleOfFunction(const std::string& name) {
  for (SignalRole r : {SignalRole::kZone, SignalRole::kWeldSignal, SignalRole::kWeldAck}) {
    if (name == ReadFunction(r) || name == WriteFunction(r)) return r;
  }
  return SignalRole::kNone;
}
// The default spot_weld: URScript has none, so a program calling it would not start. This one
// stops the program at the first weld with a message; a site gives its own call (a URCap's or
// the installation's function) in export.yaml `weld_call.ur_script`, and then none is defined.
const std::vector<std::string> kDefaultDef = {
    "  def spot_weld(n, schedule):",
    "    # weldcell's default: set weld_call.ur_script in export.yaml to the site's weld call",
    "    popup(\"no spot weld call for this site: set weld_call.ur_script in export.yaml\", "
    "\"weldcell\", error=True, blocking=True)",
    "    halt", "  end"};

// The files given to read → the program's name, the stem of its one name.script (a URScript
// name).
std::string ReadScriptStem(const std::vector<ProgramFile>& files) {
  if (files.size() != 1 || !files[0].name.ends_with(".script")) {
    ReadError(files.empty() ? "" : files[0].name, 0, "expected one name.script");
  }
  const ProgramFile& f = files[0];
  std::string stem = f.name.substr(0, f.name.size() - 7);
  if (!IsIdentifier(stem, kMaxName)) ReadError(f.name, 0, "not a URScript name: " + stem);
  return stem;
}

// The lines of the default spot_weld definition after its first, at lines[li]: each as the
// writer writes it (kDefaultDef), else an error at the line that differs.
void CheckDefaultDefinition(const std::vector<Line>& lines, std::size_t li,
                            const std::string& file) {
  for (std::size_t k = 1; k < kDefaultDef.size(); ++k) {
    if (li + k >= lines.size() || lines[li + k].text != kDefaultDef[k]) {
      ReadError(file, lines[li].number + static_cast<int>(k),
                "expected the default spot_weld definition line: " + kDefaultDef[k]);
    }
  }
}

// A movej line's match `m` (line `line` of `file`) → its move: joints from the controller's
// convention, exact stop (r=0), speed and duration (t). a and v: the writer's 1.4 and 1.05 for
// a timed move; for an untimed one both scaled by one speed override in (0, 1].
Instruction ReadMovej(const std::smatch& m, const cell::Robot& robot, const std::string& file,
                      int line) {
  auto fail = [&](const std::string& msg) { ReadError(file, line, msg); };
  Eigen::VectorXd c(6);
  for (int k = 0; k < 6; ++k) {
    auto v = ParseNumber(m[k + 1].str());
    if (!v) fail("not a number: " + m[k + 1].str());
    c[k] = *v;
  }
  auto t_s = ParseNumber(m[9].str());
  if (!t_s || *t_s < 0) fail("t must be a time >= 0 s");
  auto a = ParseNumber(m[7].str());
  auto v = ParseNumber(m[8].str());
  const double f = v ? *v / kVelocity : 0.0;
  if (!a || !v || *v <= 0 || *v > kVelocity || (*t_s > 0 && *v != kVelocity) ||
      std::abs(*a / kAcceleration - f) > 1e-3 || Speed(kVelocity * f) != m[8].str()) {
    fail(
        "a and v must be 1.4 and 1.05 (scaled together by a speed override in (0, 1] "
        "for a move without a time)");
  }
  return {.kind = InstructionKind::kMove,
          .q = kinematics::FromController(robot.model->controller, c),
          .exact_stop = m[10].str() == "0",
          .speed = *t_s > 0 ? 1.0 : f,
          .duration = *t_s};
}

class UrScript final : public Dialect {
 public:
  std::string_view name() const override { return kDialect; }
  DialectLimits limits() const override {
    return {.max_name_length = kMaxName,
            .names = {.max_length = kMaxName,
                      .leading_underscore = true,
                      .extra_characters = "!%",
                      .quotes = "\"'",
                      .comment = "#",
                      .form = NameRules::CallForm::kParens,
                      .keywords = reserved::kUrCallKeywords,
                      .keyword_prefixes = reserved::kUrCallPrefixes,
                      .case_sensitive = true,
                      .escape = "\\",
                      .reserved = reserved::kUrNames,
                      .reserved_numbered = reserved::kUrNumbered},
            .default_weld_call = kDefaultCall,
            .max_tool = 0,
            .max_base = 0,
            .min_signal = 0,
            .max_signal = 127,
            .zone_inputs = {0, 128},
            .zone_outputs = {0, 128},
            .weld_signal_inputs = {0, 8},
            .weld_signal_outputs = {0, 8},
            .weld_ack_inputs = {0, 8},
            .weld_ack_outputs = {0, 8},
            .blend = {.fraction = 0.5},
            .one_io_space = false};
  }
  std::vector<RobotProblem> RobotProblems(const cell::Robot& robot) const override {
    return AxisProblems(robot, 6, kDialect);
  }
  std::string ProgramName(const std::string& wanted) const override {
    std::string n = IdentifierName(wanted, kMaxName, false);
    std::transform(n.begin(), n.end(), n.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return n;
  }

  std::vector<std::string> FileNames(const std::string& program) const override {
    return {program + ".script"};
  }
  std::vector<ProgramFile> Write(const Program& program, const cell::Robot& robot,
                                 const Site& site_in) const override {
    const Site site = WithToolLoadOf(WithDefaults(site_in, *this), robot.name, robot.tool.name);
    CheckRobot(*this, robot);
    // Zones on the boolean registers 0..127, weld signals on configurable digital I/O 0..7,
    // their acknowledges on standard digital I/O 0..7.
    CheckSignalNumbers(program, site, 0, 127, 7, kDialect);
    WELDCELL_CHECK(IsIdentifier(program.name, kMaxName));
    const Eigen::Isometry3d& X = robot.tool.X_FT;
    const Eigen::AngleAxisd aa(X.linear());
    const Eigen::Vector3d rv = aa.angle() * aa.axis();
    std::string s = fmt::format("def {}():\n", program.name);
    s += "  # weldcell: joints in rad (controller convention), times in s, distances in m\n";
    s += fmt::format("  set_tcp(p[{}, {}, {}, {}, {}, {}])\n", Fixed(X.translation().x(), 6),
                     Fixed(X.translation().y(), 6), Fixed(X.translation().z(), 6), Fixed(rv.x(), 6),
                     Fixed(rv.y(), 6), Fixed(rv.z(), 6));
    // The gun's load where the site gives it (the controller's dynamic model and its collision
    // detection use it; without, the installation's payload stays in force).
    if (site.tool_mass > 0) {
      s += fmt::format("  set_payload({}, [{}, {}, {}])\n", Fixed(site.tool_mass, 3),
                       Fixed(site.tool_cog[0], 6), Fixed(site.tool_cog[1], 6),
                       Fixed(site.tool_cog[2], 6));
    }
    if (site.weld_call.find(kDialect) == site.weld_call.end()) {
      for (const std::string& line : kDefaultDef) s += line + "\n";
    }
    for (const Instruction& i : program.instructions) {
      switch (i.kind) {
        case InstructionKind::kComment:
          s += "  # " + i.text + "\n";
          break;
        case InstructionKind::kMove: {
          const Eigen::VectorXd c = kinematics::ToController(robot.model->controller, i.q);
          // A move without a planned time (to home, from wherever the robot stands) runs at
          // a and v: scaled by the site's speed_override (i.speed); a timed move ignores them.
          const double f = i.duration > 0 ? 1.0 : std::clamp(i.speed, 0.0, 1.0);
          s += fmt::format("  movej([{}, {}, {}, {}, {}, {}], a={}, v={}, t={}, r={})\n",
                           Fixed(c[0], 6), Fixed(c[1], 6), Fixed(c[2], 6), Fixed(c[3], 6),
                           Fixed(c[4], 6), Fixed(c[5], 6), Speed(kAcceleration * f),
                           Speed(kVelocity * f), Fixed(std::max(i.duration, 0.0), 3),
                           i.exact_stop ? "0" : "0.001");
          break;
        }
        case InstructionKind::kWeld:
          s += "  " + WeldCall(site, kDialect, kDefaultCall, i) + "\n";
          break;
        case InstructionKind::kWaitInput:
          // Waits while the input differs from the value waited for.
          s += fmt::format("  while {}{}({}):\n    sync()\n  end\n", i.value ? "not " : "",
                           ReadFunction(i.role), i.signal);
          break;
        case InstructionKind::kSetOutput:
          s += fmt::format("  {}({}, {})\n", WriteFunction(i.role), i.signal,
                           i.value ? "True" : "False");
          break;
      }
    }
    s += "end\n" + program.name + "()\n";
    return {{FileNames(program.name)[0], s}};
  }

  Program Read(const std::vector<ProgramFile>& files, const cell::Robot& robot,
               const Site& site_in) const override {
    const Site site = WithDefaults(site_in, *this);
    CheckRobot(*this, robot);
    const std::string stem = ReadScriptStem(files);
    const ProgramFile& f = files[0];
    const std::vector<Line> lines = SplitLines(f.name, f.contents, false);
    static const std::regex kMovej(
        R"(movej\(\[([^,]+), ([^,]+), ([^,]+), ([^,]+), ([^,]+), ([^,\]]+)\], a=([^,]+), v=([^,]+), t=([^,]+), r=(0|0\.001)\))");
    static const std::regex kWait(
        R"(while (not )?(read_input_boolean_register|get_configurable_digital_in|get_standard_digital_in)\(([0-9]+)\):)");
    static const std::regex kSet(
        R"((write_output_boolean_register|set_configurable_digital_out|set_standard_digital_out)\(([0-9]+), (True|False)\))");
    static const std::regex kTcp(R"(set_tcp\(p\[[^\]]*\]\))");
    static const std::regex kPayload(R"(set_payload\([0-9.]+, \[[-0-9., ]*\]\))");
    Program program{.name = stem, .robot = robot.name};
    std::size_t li = 0;
    auto fail = [&](const std::string& msg) { ReadError(f.name, lines[li].number, msg); };
    if (lines.empty() || lines[0].text != "def " + stem + "():") {
      ReadError(f.name, 1, "expected def " + stem + "(): (the file name)");
    }
    bool ended = false;
    const bool default_call = site.weld_call.find(kDialect) == site.weld_call.end();
    bool defined = false;
    for (li = 1; li < lines.size(); ++li) {
      const std::string& raw = lines[li].text;
      if (raw == kDefaultDef[0]) {
        if (!default_call || defined ||
            std::any_of(program.instructions.begin(), program.instructions.end(),
                        [](const Instruction& i) { return i.kind != InstructionKind::kComment; })) {
          fail("spot_weld defined where the program does not expect it");
        }
        CheckDefaultDefinition(lines, li, f.name);
        li += kDefaultDef.size() - 1;
        defined = true;
        continue;
      }
      if (ended) {
        if (raw != stem + "()" || li + 1 != lines.size())
          fail("expected only " + stem + "() after end");
        continue;
      }
      if (raw == "end") {
        ended = true;
        continue;
      }
      if (!raw.starts_with("  ") || raw[2] == ' ')
        fail("expected an instruction indented by 2 spaces");
      const std::string t = raw.substr(2);
      std::smatch m;
      if (t.starts_with("# ")) {
        program.instructions.push_back({.kind = InstructionKind::kComment, .text = t.substr(2)});
      } else if (t.starts_with("#") || std::regex_match(t, kTcp) || std::regex_match(t, kPayload)) {
      } else if (std::regex_match(t, m, kMovej)) {
        program.instructions.push_back(ReadMovej(m, robot, f.name, lines[li].number));
      } else if (std::regex_match(t, m, kWait)) {
        if (li + 2 >= lines.size() || lines[li + 1].text != "    sync()" ||
            lines[li + 2].text != "  end") {
          fail("a wait loop must be while [not] ...: sync() end");
        }
        const int s = *ParseInt(m[3].str());
        program.instructions.push_back({.kind = InstructionKind::kWaitInput,
                                        .signal = s,
                                        .value = m[1].matched,
                                        .role = RoleOfFunction(m[2].str())});
        li += 2;
      } else if (std::regex_match(t, m, kSet)) {
        const int s = *ParseInt(m[2].str());
        program.instructions.push_back({.kind = InstructionKind::kSetOutput,
                                        .signal = s,
                                        .value = m[3].str() == "True",
                                        .role = RoleOfFunction(m[1].str())});
      } else if (auto w = MatchWeldCall(site, kDialect, kDefaultCall, t)) {
        if (default_call && !defined) {
          fail(
              "spot_weld is called but not defined (URScript has none; define it or set "
              "weld_call.ur_script)");
        }
        program.instructions.push_back({.kind = InstructionKind::kWeld,
                                        .weld_id = w->id,
                                        .weld_number = w->number,
                                        .schedule = w->schedule});
      } else {
        fail("not a URScript line this exporter writes: " + t);
      }
    }
    if (!ended || lines.back().text != stem + "()") {
      ReadError(f.name, 0, "expected end and then the call " + stem + "()");
    }
    AttachWeldIds(&program, f.name);
    CheckWeldIds(program, f.name, site, kDialect, limits());
    CheckProgram(program, robot, site, f.name, 1e-5);
    return program;
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeUrScript() { return std::make_unique<UrScript>(); }

}  // namespace weldcell::exporters
