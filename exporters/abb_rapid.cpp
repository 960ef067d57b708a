// ABB RAPID: one NAME.mod with CONST jointtarget positions (degrees, 9E9 for unused external
// axes) and PROC main() of MoveAbsJ moves. Each move carries its planned time (speeddata \T),
// so the controller reproduces the planned timing where the robot can; standstills are `fine`
// points (RAPID does not run ahead past a fine point, so WaitDI / SetDO happen at standstill).
#include <fmt/format.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "exporters/dialect.hpp"
#include "exporters/internal/reserved_names.hpp"
#include "exporters/internal/text.hpp"
#include "planner/common/check.hpp"

namespace weldcell::exporters {

namespace {

// The EIO signal name prefix of each I/O role (the site's ranges tell the roles apart).
const char* SignalPrefix(SignalRole role) {
  switch (role) {
    case SignalRole::kZone:
      return "Zone";
    case SignalRole::kWeldSignal:
      return "Weld";
    case SignalRole::kWeldAck:
      return "Ack";
    case SignalRole::kNone:
      break;
  }
  return "";
}

using namespace internal;

constexpr const char* kDialect = "abb_rapid";
constexpr const char* kDefaultCall = "SpotWeld {n},{schedule};";
constexpr std::size_t kMaxName = 32;

// The gun is wcTool<tool>, declared in the module from the cell's tool when the site gives its
// load, else the site's tool<tool>; base 1 is the robot's base frame, wobj0 (RAPID's predefined
// work object), base n is wobj<n-1>.
std::string ToolName(const Site& site) {
  return fmt::format("{}{}", site.tool_mass > 0 ? "wcTool" : "tool", site.tool);
}
std::string ToolAndWobj(const Site& site) {
  return fmt::format("{}\\WObj:=wobj{}", ToolName(site), site.base - 1);
}
// The TCP of the cell's tool in RAPID's units: [[x,y,z] mm,[q1,q2,q3,q4] = w,x,y,z].
std::string Tcp(const cell::Robot& robot) {
  const Eigen::Isometry3d& X = robot.tool.X_FT;
  Eigen::Quaterniond q(X.linear());
  if (q.w() < 0) q.coeffs() *= -1.0;
  const Eigen::Vector3d p = 1000.0 * X.translation();
  return fmt::format("[[{},{},{}],[{},{},{},{}]]", Fixed(p.x(), 3), Fixed(p.y(), 3),
                     Fixed(p.z(), 3), Fixed(q.w(), 6), Fixed(q.x(), 6), Fixed(q.y(), 6),
                     Fixed(q.z(), 6));
}
// The speeddata of a move without a planned time: vmax ([5000,500,5000,1000]: TCP mm/s,
// orientation deg/s, linear and rotating external axes) at `fraction` of its speeds.
std::string HomeSpeed(double fraction) {
  if (fraction >= 1.0) return "vmax";
  // Every component follows from the TCP speed (0.1 mm/s), so the reader can recompute them.
  const double tcp = std::max(0.1, std::round(50000 * fraction) / 10);
  return fmt::format("[{},{},{},{}]", Fixed(tcp, 1), Fixed(tcp / 10, 2), Fixed(tcp, 1),
                     Fixed(tcp / 5, 2));
}

// The module's declaration of the gun (site.tool_mass > 0).
std::string ToolData(const cell::Robot& robot, const Site& site) {
  // TASK PERS: on a MultiMove controller a PERS of one name is one datum shared by every task
  // (every robot's module would set the other's TCP); a TASK PERS is the task's own.
  return fmt::format("TASK PERS tooldata {}:=[TRUE,{},[{},[{},{},{}],[1,0,0,0],0,0,0]];",
                     ToolName(site), Tcp(robot), Fixed(site.tool_mass, 3),
                     Fixed(1000 * site.tool_cog[0], 3), Fixed(1000 * site.tool_cog[1], 3),
                     Fixed(1000 * site.tool_cog[2], 3));
}

// The files given to read → the module's name, the stem of its one NAME.mod (a RAPID name of
// at most 32 characters).
std::string ReadModuleStem(const std::vector<ProgramFile>& files) {
  if (files.size() != 1 || !files[0].name.ends_with(".mod")) {
    ReadError(files.empty() ? "" : files[0].name, 0, "expected one NAME.mod");
  }
  const ProgramFile& f = files[0];
  std::string stem = f.name.substr(0, f.name.size() - 4);
  if (!IsIdentifier(stem, kMaxName)) {
    ReadError(f.name, 0, "module name " + stem + " is not a RAPID name of at most 32 characters");
  }
  return stem;
}

// A `CONST jointtarget` declaration's match `m` (line `line` of `file`) → its joints (robot's
// units) into `points` under its name, each name once.
void ReadJointTarget(const std::smatch& m, const cell::Robot& robot, const std::string& file,
                     int line, std::map<std::string, Eigen::VectorXd>* points) {
  auto fail = [&](const std::string& msg) { ReadError(file, line, msg); };
  std::vector<double> a;
  for (int k = 2; k <= 7; ++k) {
    auto v = ParseNumber(m[k].str());
    if (!v) fail("not a number: " + m[k].str());
    a.push_back(*v);
  }
  if (!points->emplace(m[1].str(), FromControllerUnits(robot, a)).second) {
    fail(m[1].str() + " declared twice");
  }
}

// A MoveAbsJ's match `m` (line `line` of `file`) → its move to a declared joint target (marked
// in `used`), with the site's tool and work object `tool`: timed (\T), at the writer's scaled
// vmax (HomeSpeed) for a move without a time, or at vmax.
Instruction ReadMoveAbsJ(const std::smatch& m, const std::map<std::string, Eigen::VectorXd>& points,
                         const std::string& tool, const std::string& file, int line,
                         std::set<std::string>* used) {
  auto fail = [&](const std::string& msg) { ReadError(file, line, msg); };
  auto it = points.find(m[1].str());
  if (it == points.end()) fail(m[1].str() + " is not declared");
  if (m[7].str() != tool) fail("tool and work object must be " + tool);
  used->insert(it->first);
  double duration = 0, speed = 1.0;
  if (m[3].matched) {
    auto v = ParseNumber(m[4].str());
    if (!v || *v <= 0) fail("\\T must be a time > 0 s");
    duration = *v;
  } else if (m[5].matched) {
    // Only the writer's scaled vmax (HomeSpeed), for a move without a time.
    auto v = ParseNumber(m[5].str());
    if (!v || *v <= 0 || *v >= 5000 || HomeSpeed(*v / 5000) != m[2].str() || duration > 0) {
      fail("speeddata " + m[2].str() + " is not vmax scaled by a speed override in (0, 1)");
    }
    speed = *v / 5000;
  }
  return {.kind = InstructionKind::kMove,
          .q = it->second,
          .exact_stop = m[6].str() == "fine",
          .speed = speed,
          .duration = duration};
}

// A WaitDI (`kind` kWaitInput) or SetDO (kSetOutput) match `m` (line `line` of `file`) → its
// instruction; the signal's name (diZone, doWeld, ...) must agree with its number's role in the
// site's I/O ranges.
Instruction ReadSignal(const std::smatch& m, InstructionKind kind, const Site& site,
                       const std::string& file, int line) {
  const int s = *ParseInt(m[2].str());
  const SignalRole role =
      kind == InstructionKind::kWaitInput ? InputRole(site, s) : OutputRole(site, s);
  if (role == SignalRole::kNone || m[1].str() != SignalPrefix(role))
    ReadError(file, line, "signal name and number do not agree (the site's I/O ranges)");
  return {.kind = kind, .signal = s, .value = m[3].str() == "1", .role = role};
}

class AbbRapid final : public Dialect {
 public:
  std::string_view name() const override { return kDialect; }
  DialectLimits limits() const override {
    return {.max_name_length = kMaxName,
            .names = {.max_length = kMaxName,
                      .extra_characters = "\\",
                      .comment = "!",
                      .final_semicolon = true,
                      .form = NameRules::CallForm::kProcedure,
                      .keywords = reserved::kRapidCallKeywords,
                      .keyword_prefixes = reserved::kRapidCallPrefixes,
                      .escape = "\\",
                      .reserved = reserved::kRapidNames,
                      .reserved_numbered = reserved::kRapidNumbered},
            .default_weld_call = kDefaultCall,
            .min_signal = 0,
            .max_signal = 9999,
            .zone_inputs = {101, 512},
            .zone_outputs = {101, 512},
            .weld_signal_inputs = {701, 128},
            .weld_signal_outputs = {701, 128},
            .weld_ack_inputs = {901, 128},
            .weld_ack_outputs = {901, 128},
            .blend = {.fraction = 0.5},
            .min_speed = 2e-05,
            .min_speed_text = "a TCP speed of 0.1 mm/s"};
  }
  std::vector<RobotProblem> RobotProblems(const cell::Robot& robot) const override {
    return AxisProblems(robot, 6, kDialect);
  }
  std::string ProgramName(const std::string& wanted) const override {
    return IdentifierName(wanted, kMaxName, false);
  }

  std::vector<std::string> FileNames(const std::string& program) const override {
    return {program + ".mod"};
  }
  std::vector<ProgramFile> Write(const Program& program, const cell::Robot& robot,
                                 const Site& site_in) const override {
    const Site site = WithToolLoadOf(WithDefaults(site_in, *this), robot.name, robot.tool.name);
    CheckRobot(*this, robot);
    CheckSignals(program, site, 0, 9999, kDialect);
    WELDCELL_CHECK(IsIdentifier(program.name, kMaxName));
    std::string decl, body;
    int point = 0;
    const std::string tool = ToolAndWobj(site);
    for (const Instruction& i : program.instructions) {
      switch (i.kind) {
        case InstructionKind::kComment:
          body += "        ! " + i.text + "\n";
          break;
        case InstructionKind::kMove: {
          const std::string p = fmt::format("jP{}", ++point);
          const std::vector<double> a = ToControllerUnits(robot, i.q);
          decl += fmt::format(
              "    CONST jointtarget {}:=[[{},{},{},{},{},{}],[9E9,9E9,9E9,9E9,9E9,"
              "9E9]];\n",
              p, Fixed(a[0], 4), Fixed(a[1], 4), Fixed(a[2], 4), Fixed(a[3], 4), Fixed(a[4], 4),
              Fixed(a[5], 4));
          if (i.duration > 0) {
            body += fmt::format("        MoveAbsJ {},vmax\\T:={},{},{};\n", p,
                                Fixed(std::max(i.duration, 0.001), 3), i.exact_stop ? "fine" : "z1",
                                tool);
          } else {
            // The move to home has no planned time (it starts wherever the robot stands): vmax,
            // or vmax's components scaled by the site's speed_override (i.speed).
            body += fmt::format("        MoveAbsJ {},{},{},{};\n", p, HomeSpeed(i.speed),
                                i.exact_stop ? "fine" : "z1", tool);
          }
          break;
        }
        case InstructionKind::kWeld:
          body += "        " + WeldCall(site, kDialect, kDefaultCall, i) + "\n";
          break;
        case InstructionKind::kWaitInput:
          body += fmt::format("        WaitDI di{}{},{};\n", SignalPrefix(i.role), i.signal,
                              i.value ? 1 : 0);
          break;
        case InstructionKind::kSetOutput:
          body += fmt::format("        SetDO do{}{},{};\n", SignalPrefix(i.role), i.signal,
                              i.value ? 1 : 0);
          break;
      }
    }
    std::string mod = "MODULE " + program.name + "\n";
    mod += "    ! weldcell: joint targets in degrees (ABB convention); 9E9 = no external axis.\n";
    if (site.tool_mass > 0) {
      mod += "    " + ToolData(robot, site) + "\n";
    } else {
      mod += fmt::format("    ! {} (the site's) must hold the TCP {} of {} (mm, [w,x,y,z])\n",
                         ToolName(site), Tcp(robot), AsciiText(robot.tool.name));
    }
    mod += decl + "\n    PROC main()\n" + body + "    ENDPROC\nENDMODULE\n";
    return {{FileNames(program.name)[0], mod}};
  }

  Program Read(const std::vector<ProgramFile>& files, const cell::Robot& robot,
               const Site& site_in) const override {
    const Site site = WithToolLoadOf(WithDefaults(site_in, *this), robot.name, robot.tool.name);
    CheckRobot(*this, robot);
    const std::string stem = ReadModuleStem(files);
    const ProgramFile& f = files[0];
    Program program{.name = stem, .robot = robot.name};
    static const std::regex kDecl(
        R"(CONST jointtarget ([A-Za-z][A-Za-z0-9_]*):=\[\[([^,]+),([^,]+),([^,]+),([^,]+),([^,]+),([^,\]]+)\],\[9E9,9E9,9E9,9E9,9E9,9E9\]\];)");
    static const std::regex kMove(
        R"(MoveAbsJ ([A-Za-z][A-Za-z0-9_]*),(vmax(\\T:=([^,]+))?|\[([^,\]]+),[^\]]+\]),(fine|z1),([A-Za-z0-9_\\:=]+);)");
    static const std::regex kWait(R"(WaitDI di(Zone|Weld|Ack)([0-9]+),([01]);)");
    static const std::regex kSet(R"(SetDO do(Zone|Weld|Ack)([0-9]+),([01]);)");
    const std::string tool = ToolAndWobj(site);
    std::map<std::string, Eigen::VectorXd> points;
    std::set<std::string> used;
    bool tooldata = false;
    enum { kStart, kModule, kProc, kEndProc, kEnd } state = kStart;
    for (const Line& l : SplitLines(f.name, f.contents, false)) {
      const std::string t = Trim(l.text);
      if (t.empty()) continue;
      if (t.starts_with("!")) {
        if (state == kProc && t.starts_with("! ")) {
          program.instructions.push_back({.kind = InstructionKind::kComment, .text = t.substr(2)});
        }
        continue;
      }
      std::smatch m;
      auto fail = [&](const std::string& msg) { ReadError(f.name, l.number, msg); };
      if (state == kStart) {
        if (t != "MODULE " + stem) fail("expected MODULE " + stem + " (the file name)");
        state = kModule;
      } else if (state == kModule && std::regex_match(t, m, kDecl)) {
        ReadJointTarget(m, robot, f.name, l.number, &points);
      } else if (state == kModule && t.starts_with("TASK PERS tooldata ")) {
        if (site.tool_mass <= 0 || tooldata) fail("a tooldata the site does not give");
        if (t != ToolData(robot, site)) {
          fail("the tooldata must be " + ToolData(robot, site) +
               " (the cell's TCP, the site's load)");
        }
        tooldata = true;
      } else if (state == kModule && t == "PROC main()") {
        if (site.tool_mass > 0 && !tooldata) fail(ToolName(site) + " is not declared");
        state = kProc;
      } else if (state == kProc && t == "ENDPROC") {
        state = kEndProc;
      } else if (state == kEndProc && t == "ENDMODULE") {
        state = kEnd;
      } else if (state == kProc && std::regex_match(t, m, kMove)) {
        program.instructions.push_back(ReadMoveAbsJ(m, points, tool, f.name, l.number, &used));
      } else if (state == kProc && std::regex_match(t, m, kWait)) {
        program.instructions.push_back(
            ReadSignal(m, InstructionKind::kWaitInput, site, f.name, l.number));
      } else if (state == kProc && std::regex_match(t, m, kSet)) {
        program.instructions.push_back(
            ReadSignal(m, InstructionKind::kSetOutput, site, f.name, l.number));
      } else if (auto w = state == kProc ? MatchWeldCall(site, kDialect, kDefaultCall, t)
                                         : std::nullopt) {
        program.instructions.push_back({.kind = InstructionKind::kWeld,
                                        .weld_id = w->id,
                                        .weld_number = w->number,
                                        .schedule = w->schedule});
      } else {
        fail("not a RAPID line this exporter writes: " + t);
      }
    }
    if (state != kEnd)
      ReadError(f.name, 0, "expected MODULE ... PROC main() ... ENDPROC ... ENDMODULE");
    if (used.size() != points.size()) ReadError(f.name, 0, "joint targets declared but never used");
    AttachWeldIds(&program, f.name);
    CheckWeldIds(program, f.name, site, kDialect, limits());
    CheckProgram(program, robot, site, f.name, 1e-4);
    return program;
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeAbbRapid() { return std::make_unique<AbbRapid>(); }

}  // namespace weldcell::exporters
