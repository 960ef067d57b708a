// FANUC: NAME.LS (ASCII teach-pendant program, CR LF) with joint positions in /POS (degrees, in
// the pendant's convention: robot.yaml `controller_joints`, e.g. J3 including J2) and
// `J P[n] x% FINE|CNT10` lines. The program waits and sets I/O only after FINE points.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "exporters/dialect.hpp"
#include "exporters/internal/reserved_names.hpp"
#include "exporters/internal/text.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::exporters {

namespace {

using namespace internal;

constexpr const char* kDialect = "fanuc_ls";
constexpr const char* kDefaultCall = "CALL SPOTWELD({schedule},{n})";
constexpr std::size_t kMaxName = 8;
constexpr std::size_t kMaxComment = 32;
constexpr std::size_t kMaxLines = 9999;

// The files given to read → the program's name, the stem of its one NAME.LS (1-8 upper-case
// letters, digits, _).
std::string ReadProgramStem(const std::vector<ProgramFile>& files) {
  if (files.size() != 1 || !files[0].name.ends_with(".LS")) {
    ReadError(files.empty() ? "" : files[0].name, 0, "expected one NAME.LS");
  }
  const ProgramFile& f = files[0];
  std::string stem = f.name.substr(0, f.name.size() - 3);
  if (!IsIdentifier(stem, kMaxName) || IdentifierName(stem, kMaxName, true) != stem) {
    ReadError(f.name, 0, "program name " + stem + " is not 1-8 upper-case letters, digits, _");
  }
  return stem;
}

// The text after a /MN line's number (line `line` of `file`) → its instruction with the P
// index of a move (-1 for the others); nullopt for the frame selections UFRAME_NUM and
// UTOOL_NUM, which carry nothing.
std::optional<std::pair<int, Instruction>> ReadMnInstruction(const std::string& raw,
                                                             const Site& site,
                                                             const std::string& file, int line) {
  static const std::regex kJ(R"(J P\[([0-9]+)\] ([0-9]+)% (FINE|CNT10)    ;)");
  static const std::regex kWait(R"(WAIT DI\[([0-9]+)\]=(ON|OFF)    ;)");
  static const std::regex kOut(R"(DO\[([0-9]+)\]=(ON|OFF) ;)");
  std::smatch m;
  const std::string t = Trim(raw);
  if (std::regex_match(raw, m, kJ)) {
    const int pct = *ParseInt(m[2].str());
    if (pct < 1 || pct > 100) ReadError(file, line, "speed must be 1..100%");
    return std::pair{*ParseInt(m[1].str()), Instruction{.kind = InstructionKind::kMove,
                                                        .exact_stop = m[3].str() == "FINE",
                                                        .speed = pct / 100.0}};
  }
  if (t == fmt::format("UFRAME_NUM={} ;", site.base) ||
      t == fmt::format("UTOOL_NUM={} ;", site.tool)) {
    return std::nullopt;
  }
  if (t.starts_with("! ") && t.ends_with(" ;")) {
    return std::pair{
        -1, Instruction{.kind = InstructionKind::kComment, .text = t.substr(2, t.size() - 4)}};
  }
  if (std::regex_match(t, m, kWait)) {
    const int s = *ParseInt(m[1].str());
    return std::pair{-1, Instruction{.kind = InstructionKind::kWaitInput,
                                     .signal = s,
                                     .value = m[2].str() == "ON",
                                     .role = InputRole(site, s)}};
  }
  if (std::regex_match(t, m, kOut)) {
    const int s = *ParseInt(m[1].str());
    return std::pair{-1, Instruction{.kind = InstructionKind::kSetOutput,
                                     .signal = s,
                                     .value = m[2].str() == "ON",
                                     .role = OutputRole(site, s)}};
  }
  if (auto w = t.ends_with(" ;")
                   ? MatchWeldCall(site, kDialect, kDefaultCall, t.substr(0, t.size() - 2))
                   : std::nullopt) {
    return std::pair{-1, Instruction{.kind = InstructionKind::kWeld,
                                     .weld_id = w->id,
                                     .weld_number = w->number,
                                     .schedule = w->schedule}};
  }
  ReadError(file, line, "not a TP line this exporter writes: " + t);
}

// The six lines of a /POS position starting at lines[li] (`P[n]{`, `GP1:`, the frames line
// `frames`, two lines of J1..J6 in degrees, `};`) → the position's joints (robot's units) into
// `points`, numbered 1, 2, ... in order.
void ReadPosition(const std::vector<Line>& lines, std::size_t li, const std::string& frames,
                  const cell::Robot& robot, const std::string& file,
                  std::map<int, Eigen::VectorXd>* points) {
  static const std::regex kPosHead(R"(P\[([0-9]+)\]\{)");
  static const std::regex kJoints(
      R"(\tJ1= *([^ ]+) deg,\tJ2= *([^ ]+) deg,\tJ3= *([^ ]+) deg,\tJ4= *([^ ]+) deg,\tJ5= *([^ ]+) deg,\tJ6= *([^ ]+) deg)");
  const Line& l = lines[li];
  auto fail = [&](const std::string& msg) { ReadError(file, l.number, msg); };
  std::smatch m;
  if (!std::regex_match(l.text, m, kPosHead)) fail("expected P[n]{");
  const int p = *ParseInt(m[1].str());
  if (p != static_cast<int>(points->size()) + 1) fail("positions must be numbered 1, 2, ...");
  if (li + 5 >= lines.size() || lines[li + 1].text != "   GP1:" || lines[li + 2].text != frames ||
      lines[li + 5].text != "};") {
    fail("expected GP1:, " + frames + ", the joints and }; (6 lines)");
  }
  const std::string joints = lines[li + 3].text + lines[li + 4].text;
  if (!std::regex_match(joints, m, kJoints)) fail("expected J1..J6 in degrees");
  std::vector<double> a;
  for (int k = 1; k <= 6; ++k) {
    auto v = ParseNumber(m[k].str());
    if (!v) fail("not a number: " + m[k].str());
    a.push_back(*v);
  }
  (*points)[p] = FromControllerUnits(robot, a);
}

// The /MN instructions with their P indices (`body`) and the /POS positions → the program's
// instructions, each move with its position (every position defined and used once, in order).
void BindPositions(std::vector<std::pair<int, Instruction>>& body,
                   std::map<int, Eigen::VectorXd>& points, const std::string& file,
                   Program* program) {
  int moves = 0;
  for (auto& [p, ins] : body) {
    if (ins.kind == InstructionKind::kMove) {
      ++moves;
      if (p != moves || !points.count(p)) {
        ReadError(file, 0,
                  fmt::format("move {} names P[{}]: positions must be defined and used in order",
                              moves, p));
      }
      ins.q = points[p];
    }
    program->instructions.push_back(ins);
  }
  if (moves != static_cast<int>(points.size()))
    ReadError(file, 0, fmt::format("{} positions in /POS, {} used", points.size(), moves));
}

class FanucLs final : public Dialect {
 public:
  std::string_view name() const override { return kDialect; }
  DialectLimits limits() const override {
    return {.max_name_length = kMaxName,
            .names = {.max_length = kMaxName,
                      .call_prefix = "CALL ",
                      .quotes = "'",
                      .comment = "!",
                      .max_comment = kMaxComment,
                      .form = NameRules::CallForm::kCall,
                      .reserved = reserved::kFanucNames,
                      .reserved_numbered = reserved::kFanucNumbered},
            .default_weld_call = kDefaultCall,
            .max_tool = 10,
            .max_base = 9,
            .min_base = 0,
            .min_signal = 1,
            .max_signal = 2048,
            .zone_inputs = {101, 256},
            .zone_outputs = {101, 256},
            .weld_signal_inputs = {401, 64},
            .weld_signal_outputs = {401, 64},
            .weld_ack_inputs = {501, 64},
            .weld_ack_outputs = {501, 64},
            .blend = {.fraction = 0.5},
            .min_speed = 0.01,
            .min_speed_text = "J P[n] 1%"};
  }
  std::vector<RobotProblem> RobotProblems(const cell::Robot& robot) const override {
    return AxisProblems(robot, 6, kDialect);
  }
  std::string ProgramName(const std::string& wanted) const override {
    return IdentifierName(wanted, kMaxName, true);
  }

  std::vector<std::string> FileNames(const std::string& program) const override {
    return {program + ".LS"};
  }
  std::vector<ProgramFile> Write(const Program& program, const cell::Robot& robot,
                                 const Site& site_in) const override {
    const Site site = WithDefaults(site_in, *this);
    CheckRobot(*this, robot);
    CheckSignals(program, site, 1, 2048, kDialect);
    WELDCELL_CHECK(IsIdentifier(program.name, kMaxName));
    std::vector<std::string> mn;
    std::string pos;
    mn.push_back(fmt::format("UFRAME_NUM={} ;", site.base));
    mn.push_back(fmt::format("UTOOL_NUM={} ;", site.tool));
    int point = 0;
    for (const Instruction& i : program.instructions) {
      switch (i.kind) {
        case InstructionKind::kComment: {
          std::string text = i.text;
          std::replace(text.begin(), text.end(), ';', ',');
          for (const std::string& line : CommentLines(text, kMaxComment)) {
            mn.push_back("! " + line + " ;");
          }
          break;
        }
        case InstructionKind::kMove: {
          ++point;
          const int pct = std::clamp(static_cast<int>(std::ceil(i.speed * 100.0 - 1e-9)), 1, 100);
          mn.push_back(
              fmt::format("J P[{}] {}% {}    ;", point, pct, i.exact_stop ? "FINE" : "CNT10"));
          const std::vector<double> a = ToControllerUnits(robot, i.q);
          pos += fmt::format(
              "P[{}]{{\r\n   GP1:\r\n\tUF : {}, UT : {},\r\n\tJ1= {:>10} deg,\tJ2= {:>10} deg,\t"
              "J3= {:>10} deg,\r\n\tJ4= {:>10} deg,\tJ5= {:>10} deg,\tJ6= {:>10} deg\r\n}};\r\n",
              point, site.base, site.tool, Fixed(a[0], 3), Fixed(a[1], 3), Fixed(a[2], 3),
              Fixed(a[3], 3), Fixed(a[4], 3), Fixed(a[5], 3));
          break;
        }
        case InstructionKind::kWeld:
          mn.push_back(WeldCall(site, kDialect, kDefaultCall, i) + " ;");
          break;
        case InstructionKind::kWaitInput:
          mn.push_back(fmt::format("WAIT DI[{}]={}    ;", i.signal, i.value ? "ON" : "OFF"));
          break;
        case InstructionKind::kSetOutput:
          mn.push_back(fmt::format("DO[{}]={} ;", i.signal, i.value ? "ON" : "OFF"));
          break;
      }
    }
    // The pendant numbers /MN lines and positions with at most 4 digits.
    if (mn.size() > kMaxLines || point > static_cast<int>(kMaxLines)) {
      throw InputError({Diagnostic{
          .where = {.file = program.name + ".LS"},
          .key_path = "robots[" + robot.name + "]",
          .message = fmt::format("{}'s program would have {} /MN lines and {} positions; a FANUC "
                                 "TP program holds at most {} of each (raise corridor_tolerance "
                                 "or merge_tolerance in export.yaml, or split the robot's work)",
                                 robot.name, mn.size(), point, kMaxLines)}});
    }
    std::string ls = fmt::format(
        "/PROG  {}\r\n/ATTR\r\nOWNER\t\t= MNEDITOR;\r\nCOMMENT\t\t= \"weldcell\";\r\n"
        "PROG_SIZE\t= 0;\r\nCREATE\t\t= DATE 26-01-01  TIME 00:00:00;\r\n"
        "MODIFIED\t= DATE 26-01-01  TIME 00:00:00;\r\nFILE_NAME\t= ;\r\nVERSION\t\t= 0;\r\n"
        "LINE_COUNT\t= {};\r\nMEMORY_SIZE\t= 0;\r\nPROTECT\t\t= READ_WRITE;\r\n"
        "TCD:  STACK_SIZE\t= 0,\r\n      TASK_PRIORITY\t= 50,\r\n      TIME_SLICE\t= 0,\r\n"
        "      BUSY_LAMP_OFF\t= 0,\r\n      ABORT_REQUEST\t= 0,\r\n      PAUSE_REQUEST\t= 0;\r\n"
        "DEFAULT_GROUP\t= 1,*,*,*,*;\r\nCONTROL_CODE\t= 00000000 00000000;\r\n/MN\r\n",
        program.name, mn.size());
    for (std::size_t k = 0; k < mn.size(); ++k) {
      const bool motion = mn[k].starts_with("J ");
      ls += fmt::format("{:4}:{}{}\r\n", k + 1, motion ? "" : "  ", mn[k]);
    }
    ls += "/POS\r\n" + pos + "/END\r\n";
    return {{FileNames(program.name)[0], ls}};
  }

  Program Read(const std::vector<ProgramFile>& files, const cell::Robot& robot,
               const Site& site_in) const override {
    const Site site = WithDefaults(site_in, *this);
    CheckRobot(*this, robot);
    const std::string stem = ReadProgramStem(files);
    const ProgramFile& f = files[0];
    const std::vector<Line> lines = SplitLines(f.name, f.contents, true);
    enum { kHead, kAttr, kMn, kPos, kEnd } part = kHead;
    int line_count = -1, mn_lines = 0;
    std::vector<std::pair<int, Instruction>> body;  // (P index or -1, instruction)
    std::map<int, Eigen::VectorXd> points;
    static const std::regex kMnLine(R"( *([0-9]+):(.*))");
    static const std::regex kLineCount(R"(LINE_COUNT\t= ([0-9]+);)");
    const std::string frames = fmt::format("\tUF : {}, UT : {},", site.base, site.tool);
    Program program{.name = stem, .robot = robot.name};
    for (std::size_t li = 0; li < lines.size(); ++li) {
      const Line& l = lines[li];
      auto fail = [&](const std::string& msg) { ReadError(f.name, l.number, msg); };
      std::smatch m;
      if (part == kHead) {
        if (l.text != "/PROG  " + stem) fail("expected /PROG  " + stem + " (the file name)");
        part = kAttr;
      } else if (part == kAttr) {
        if (std::regex_match(l.text, m, kLineCount)) line_count = *ParseInt(m[1].str());
        if (l.text == "/MN") part = kMn;
      } else if (part == kMn) {
        if (l.text == "/POS") {
          part = kPos;
          continue;
        }
        if (!std::regex_match(l.text, m, kMnLine)) fail("not a /MN line");
        if (*ParseInt(m[1].str()) != ++mn_lines) fail("line numbers must run 1, 2, ...");
        if (auto entry = ReadMnInstruction(m[2].str(), site, f.name, l.number)) {
          body.push_back(std::move(*entry));
        }
      } else if (part == kPos) {
        if (l.text == "/END") {
          part = kEnd;
          continue;
        }
        ReadPosition(lines, li, frames, robot, f.name, &points);
        li += 5;
      } else {
        ReadError(f.name, l.number, "text after /END");
      }
    }
    if (part != kEnd) ReadError(f.name, 0, "expected /PROG, /MN, /POS and /END");
    if (line_count != mn_lines) {
      ReadError(f.name, 0,
                fmt::format("LINE_COUNT is {} but /MN has {} lines", line_count, mn_lines));
    }
    BindPositions(body, points, f.name, &program);
    AttachWeldIds(&program, f.name);
    CheckWeldIds(program, f.name, site, kDialect, limits());
    CheckProgram(program, robot, site, f.name, 1e-4);
    return program;
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeFanucLs() { return std::make_unique<FanucLs>(); }

}  // namespace weldcell::exporters
