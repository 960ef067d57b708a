// Yaskawa INFORM: NAME.JBI (CR LF) with C positions in encoder pulses: pulse = zero + per_degree
// × controller value in degrees (robot.yaml `controller_joints.pulses`, required for this
// dialect), MOVJ with VJ= (percent of the joint speed limit, 0.01 steps) and PL=1 for
// approximated points (PL=0, the default, is an exact stop).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>
#include <set>

#include "exporters/dialect.hpp"
#include "exporters/internal/reserved_names.hpp"
#include "exporters/internal/text.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::exporters {

namespace {

using namespace internal;

constexpr const char* kDialect = "yaskawa_inform";
constexpr const char* kDefaultCall = "CALL JOB:SPOTWELD ARGF{schedule} ARGF{n}";
constexpr std::size_t kMaxName = 8;
constexpr std::size_t kMaxComment = 32;
constexpr int kMaxPositions = 999;
// Positions per job: the site's max_positions (2..999) or the controller's 999.
int PositionLimit(const Site& site) {
  return site.max_positions > 0 ? std::min(site.max_positions, kMaxPositions) : kMaxPositions;
}

// "p1, p2, …, pn": the shape of a per-axis list in the pulses message.
std::string Placeholders(const char* letter, int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += fmt::format("{}{}{}", i > 1 ? ", " : "", letter, i);
  return out;
}

// INFORM positions are encoder pulses: without robot.yaml's calibration no position can be
// written (or read back).
std::optional<RobotProblem> PulsesProblem(const cell::Robot& robot) {
  const cell::ControllerJoints& c = robot.model->controller;
  if (!c.pulses_per_degree.empty()) return std::nullopt;
  return RobotProblem{
      .key = "controller_joints.pulses",
      .message = fmt::format(
          "robot {} ({}) has no encoder pulse calibration (`controller_joints.pulses`), which "
          "the yaskawa_inform exporter needs (INFORM positions are encoder pulses). Add to {}: "
          "`controller_joints: {{pulses: {{per_degree: [{}], zero: [{}]}}}}` (inside its "
          "`controller_joints:` if it has one), one value per axis ({} axes): per_degree = "
          "encoder pulses per degree of the axis' controller value (pulses/deg, pulses/mm for a "
          "prismatic axis; negative where the encoder counts the other way), zero = the pulse "
          "count at 0 deg (a whole number); take both from this robot's controller parameters, "
          "never estimate them (docs/export/yaskawa_inform.md)",
          robot.name, robot.model->name, robot.model->source_file,
          Placeholders("p", robot.model->dof()), Placeholders("z", robot.model->dof()),
          robot.model->dof())};
}

std::vector<long long> ToPulses(const cell::Robot& robot, const Eigen::VectorXd& q) {
  const cell::ControllerJoints& c = robot.model->controller;
  const std::vector<double> deg = ToControllerUnits(robot, q);
  std::vector<long long> p;
  for (std::size_t i = 0; i < deg.size(); ++i) {
    p.push_back(std::llround(c.pulse_zero[i] + c.pulses_per_degree[i] * deg[i]));
  }
  return p;
}

Eigen::VectorXd FromPulses(const cell::Robot& robot, const std::vector<long long>& p) {
  const cell::ControllerJoints& c = robot.model->controller;
  std::vector<double> deg;
  for (std::size_t i = 0; i < p.size(); ++i) {
    deg.push_back((static_cast<double>(p[i]) - c.pulse_zero[i]) / c.pulses_per_degree[i]);
  }
  return FromControllerUnits(robot, deg);
}

std::string PartName(const std::string& main, int part) {
  return main.substr(0, std::min<std::size_t>(main.size(), kMaxName - 2)) +
         fmt::format("{:02}", part);
}

std::string WriteJob(const std::string& name, const std::vector<Instruction>& instructions,
                     const cell::Robot& robot, const Site& site) {
  std::string pos, inst;
  int point = 0;
  for (const Instruction& i : instructions) {
    switch (i.kind) {
      case InstructionKind::kComment: {
        for (const std::string& line : CommentLines(i.text, kMaxComment)) {
          inst += "'" + line + "\r\n";
        }
        break;
      }
      case InstructionKind::kMove: {
        const std::vector<long long> p = ToPulses(robot, i.q);
        pos +=
            fmt::format("C{:05}={},{},{},{},{},{}\r\n", point, p[0], p[1], p[2], p[3], p[4], p[5]);
        const double vj = std::clamp(std::ceil(i.speed * 10000.0 - 1e-6) / 100.0, 0.01, 100.0);
        inst += fmt::format("MOVJ C{:05} VJ={:.2f}{}\r\n", point, vj, i.exact_stop ? "" : " PL=1");
        ++point;
        break;
      }
      case InstructionKind::kWeld:
        inst += WeldCall(site, kDialect, kDefaultCall, i) + "\r\n";
        break;
      case InstructionKind::kWaitInput:
        inst += fmt::format("WAIT IN#({})={}\r\n", i.signal, i.value ? "ON" : "OFF");
        break;
      case InstructionKind::kSetOutput:
        inst += fmt::format("DOUT OT#({}) {}\r\n", i.signal, i.value ? "ON" : "OFF");
        break;
    }
  }
  std::string jbi = fmt::format(
      "/JOB\r\n//NAME {}\r\n//POS\r\n///NPOS {},0,0,0,0,0\r\n///TOOL {}\r\n///POSTYPE "
      "PULSE\r\n///PULSE\r\n",
      name, point, site.tool);
  jbi += pos;
  jbi +=
      "//INST\r\n///DATE 2026/01/01 00:00\r\n///COMM WELDCELL\r\n///ATTR SC,RW\r\n"
      "///GROUP1 RB1\r\nNOP\r\n";
  return jbi + inst + "END\r\n";
}

class YaskawaInform final : public Dialect {
 public:
  std::string_view name() const override { return kDialect; }
  DialectLimits limits() const override {
    return {.max_name_length = kMaxName,
            .names = {.max_length = kMaxName,
                      .call_prefix = "CALL JOB:",
                      .extra_characters = "#",
                      .comment = "'",
                      .max_comment = kMaxComment,
                      .form = NameRules::CallForm::kCallJob,
                      .reserved = reserved::kInformNames,
                      .reserved_numbered = reserved::kInformNumbered},
            .default_weld_call = kDefaultCall,
            .max_tool = 23,
            .max_base = 0,
            .min_tool = 0,
            .min_signal = 1,
            .max_signal = 2048,
            .zone_inputs = {101, 256},
            .zone_outputs = {101, 256},
            .weld_signal_inputs = {401, 64},
            .weld_signal_outputs = {401, 64},
            .weld_ack_inputs = {501, 64},
            .weld_ack_outputs = {501, 64},
            .blend = {.fraction = 0.5},
            .min_speed = 0.0001,
            .min_speed_text = "VJ=0.01"};
  }
  std::vector<RobotProblem> RobotProblems(const cell::Robot& robot) const override {
    std::vector<RobotProblem> problems = AxisProblems(robot, 6, kDialect);
    if (auto p = PulsesProblem(robot)) problems.push_back(std::move(*p));
    return problems;
  }
  std::string ProgramName(const std::string& wanted) const override {
    return IdentifierName(wanted, kMaxName, true);
  }

  std::vector<std::string> FileNames(const std::string& program) const override {
    return {program + ".JBI"};
  }
  std::vector<ProgramFile> Write(const Program& program, const cell::Robot& robot,
                                 const Site& site_in) const override {
    const Site site = WithDefaults(site_in, *this);
    CheckRobot(*this, robot);
    CheckSignals(program, site, 1, 2048, kDialect);
    WELDCELL_CHECK(IsIdentifier(program.name, kMaxName));
    const int limit = PositionLimit(site);
    // A long program is split where the robot stands (after an exact stop), before the run of
    // moves up to the next exact stop would overfill the part; a run longer than a part gets an
    // extra exact stop where the part is full (a stop on the planned path: slower, not off it).
    const auto& ins = program.instructions;
    std::vector<std::vector<Instruction>> parts(1);
    int moves = 0;
    for (std::size_t i = 0; i < ins.size(); ++i) {
      if (ins[i].kind == InstructionKind::kMove && moves == limit) {
        // The part is full: its last move becomes an exact stop (if it is not one) and the
        // part ends there, whatever follows; no job ever holds more than `limit` positions.
        for (auto it = parts.back().rbegin(); it != parts.back().rend(); ++it) {
          if (it->kind == InstructionKind::kMove) {
            it->exact_stop = true;
            break;
          }
        }
        parts.emplace_back();
        moves = 0;
      }
      parts.back().push_back(ins[i]);
      if (ins[i].kind != InstructionKind::kMove) continue;
      ++moves;
      if (!ins[i].exact_stop) continue;
      int next_run = 0;
      for (std::size_t k = i + 1; k < ins.size(); ++k) {
        if (ins[k].kind != InstructionKind::kMove) continue;
        ++next_run;
        if (ins[k].exact_stop) break;
      }
      if (next_run > 0 && moves + next_run > limit && next_run <= limit) {
        parts.emplace_back();
        moves = 0;
      }
    }
    if (parts.size() > 1 && parts.back().empty()) parts.pop_back();
    if (parts.size() == 1)
      return {{FileNames(program.name)[0], WriteJob(program.name, parts[0], robot, site)}};
    if (parts.size() > 99) {
      // Parts are named NAME01..NAME99 (two digits within the 8-character job name).
      SiteError(site, "max_positions",
                fmt::format("{}: job {} needs {} parts of at most {} positions; INFORM part jobs "
                            "are numbered 01..99, so at most 99 parts: raise max_positions (up to "
                            "{})",
                            robot.name, program.name, parts.size(), limit, kMaxPositions));
    }
    std::vector<ProgramFile> files;
    std::string calls;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const std::string name = PartName(program.name, static_cast<int>(k) + 1);
      calls += "CALL JOB:" + name + "\r\n";
      files.push_back({FileNames(name)[0], WriteJob(name, parts[k], robot, site)});
    }
    std::string main = WriteJob(program.name, {}, robot, site);
    main.insert(main.size() - 5, calls);  // before "END\r\n"
    files.insert(files.begin(), {FileNames(program.name)[0], main});
    return files;
  }

  // One job: its instructions (URDF joints), and the jobs it calls (a main job's parts).
  static Program ParseJob(const ProgramFile& f, const cell::Robot& robot, const Site& site,
                          std::vector<std::string>* calls) {
    if (!f.name.ends_with(".JBI")) ReadError(f.name, 0, "expected NAME.JBI");
    const std::string stem = f.name.substr(0, f.name.size() - 4);
    if (!IsIdentifier(stem, kMaxName) || IdentifierName(stem, kMaxName, true) != stem) {
      ReadError(f.name, 0, "job name " + stem + " is not 1-8 upper-case letters, digits, _");
    }
    const std::vector<Line> lines = SplitLines(f.name, f.contents, true);
    static const std::regex kNpos(R"(///NPOS ([0-9]+),0,0,0,0,0)");
    static const std::regex kC(
        R"(C([0-9]{5})=(-?[0-9]+),(-?[0-9]+),(-?[0-9]+),(-?[0-9]+),(-?[0-9]+),(-?[0-9]+))");
    static const std::regex kMovj(R"(MOVJ C([0-9]{5}) VJ=([0-9]+\.[0-9]{2})( PL=1)?)");
    static const std::regex kWait(R"(WAIT IN#\(([0-9]+)\)=(ON|OFF))");
    static const std::regex kOut(R"(DOUT OT#\(([0-9]+)\) (ON|OFF))");
    static const std::regex kCall(R"(CALL JOB:([A-Z][A-Z0-9_]{0,7}))");
    const std::vector<std::string> head = {"/JOB", "//NAME " + stem, "//POS"};
    Program program{.name = stem, .robot = robot.name};
    std::vector<Eigen::VectorXd> points;
    int npos = -1;
    int next_move = 0;
    enum { kHead, kPos, kInst, kBody, kEnd } part = kHead;
    for (std::size_t li = 0; li < lines.size(); ++li) {
      const std::string& t = lines[li].text;
      auto fail = [&](const std::string& msg) { ReadError(f.name, lines[li].number, msg); };
      std::smatch m;
      if (part == kHead) {
        if (li < head.size()) {
          if (t != head[li]) fail("expected " + head[li]);
          continue;
        }
        if (!std::regex_match(t, m, kNpos)) fail("expected ///NPOS n,0,0,0,0,0");
        npos = *ParseInt(m[1].str());
        if (li + 3 >= lines.size() || lines[li + 1].text != fmt::format("///TOOL {}", site.tool) ||
            lines[li + 2].text != "///POSTYPE PULSE" || lines[li + 3].text != "///PULSE") {
          fail("expected ///TOOL, ///POSTYPE PULSE, ///PULSE");
        }
        li += 3;
        part = kPos;
      } else if (part == kPos) {
        if (t == "//INST") {
          part = kInst;
          continue;
        }
        if (!std::regex_match(t, m, kC)) fail("expected Cnnnnn=p1,...,p6 (pulses)");
        if (*ParseInt(m[1].str()) != static_cast<int>(points.size()))
          fail("C positions must be numbered 0, 1, ...");
        std::vector<long long> p;
        for (int k = 2; k <= 7; ++k) p.push_back(std::stoll(m[k].str()));
        points.push_back(FromPulses(robot, p));
      } else if (part == kInst) {
        if (t.starts_with("///")) continue;
        if (t != "NOP") fail("expected NOP");
        part = kBody;
      } else if (part == kBody) {
        if (t == "END") {
          part = kEnd;
        } else if (t.starts_with("'")) {
          program.instructions.push_back({.kind = InstructionKind::kComment, .text = t.substr(1)});
        } else if (std::regex_match(t, m, kMovj)) {
          const int c = *ParseInt(m[1].str());
          if (c != next_move++ || c >= static_cast<int>(points.size()))
            fail("MOVJ must use C positions in order, each defined");
          const double vj = *ParseNumber(m[2].str());
          if (vj < 0.01 || vj > 100.0) fail("VJ must be 0.01..100.00");
          program.instructions.push_back({.kind = InstructionKind::kMove,
                                          .q = points[static_cast<std::size_t>(c)],
                                          .exact_stop = !m[3].matched,
                                          .speed = vj / 100.0});
        } else if (std::regex_match(t, m, kWait)) {
          const int s = *ParseInt(m[1].str());
          program.instructions.push_back({.kind = InstructionKind::kWaitInput,
                                          .signal = s,
                                          .value = m[2].str() == "ON",
                                          .role = InputRole(site, s)});
        } else if (std::regex_match(t, m, kOut)) {
          const int s = *ParseInt(m[1].str());
          program.instructions.push_back({.kind = InstructionKind::kSetOutput,
                                          .signal = s,
                                          .value = m[2].str() == "ON",
                                          .role = OutputRole(site, s)});
        } else if (auto w = MatchWeldCall(site, kDialect, kDefaultCall, t)) {
          program.instructions.push_back({.kind = InstructionKind::kWeld,
                                          .weld_id = w->id,
                                          .weld_number = w->number,
                                          .schedule = w->schedule});
        } else if (std::regex_match(t, m, kCall)) {
          calls->push_back(m[1].str());
        } else {
          fail("not an INFORM line this exporter writes: " + t);
        }
      } else {
        fail("text after END");
      }
    }
    if (part != kEnd) ReadError(f.name, 0, "expected /JOB, //POS, //INST, NOP ... END");
    if (npos > PositionLimit(site)) {
      ReadError(f.name, 0,
                fmt::format("///NPOS {} is more than the {} positions a job may hold{}", npos,
                            PositionLimit(site),
                            site.max_positions > 0 ? " (the site's max_positions)" : ""));
    }
    if (npos != static_cast<int>(points.size())) {
      ReadError(f.name, 0,
                fmt::format("///NPOS says {} positions, the job has {}", npos, points.size()));
    }
    if (next_move != npos) ReadError(f.name, 0, "C positions defined but never used");
    return program;
  }

  Program Read(const std::vector<ProgramFile>& files, const cell::Robot& robot,
               const Site& site_in) const override {
    const Site site = WithDefaults(site_in, *this);
    CheckRobot(*this, robot);
    if (files.empty()) ReadError("", 0, "no job");
    std::vector<Program> jobs;
    std::vector<std::vector<std::string>> calls(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      jobs.push_back(ParseJob(files[i], robot, site, &calls[i]));
    }
    Program program;
    std::string file = files[0].name;
    if (files.size() == 1) {
      if (!calls[0].empty()) ReadError(file, 0, "calls job " + calls[0][0] + ", which is missing");
      program = std::move(jobs[0]);
    } else {
      // The main job calls every other job once, in order, and does nothing else.
      std::size_t main = files.size();
      for (std::size_t i = 0; i < files.size(); ++i) {
        if (calls[i].empty()) continue;
        if (main != files.size()) ReadError(files[i].name, 0, "a second main job");
        main = i;
      }
      if (main == files.size()) ReadError(file, 0, "several jobs but no main job calling them");
      file = files[main].name;
      for (const Instruction& i : jobs[main].instructions) {
        if (i.kind != InstructionKind::kComment)
          ReadError(file, 0, "a main job only calls its parts");
      }
      if (calls[main].size() != files.size() - 1) {
        ReadError(
            file, 0,
            fmt::format("calls {} jobs, {} parts given", calls[main].size(), files.size() - 1));
      }
      program = Program{.name = jobs[main].name, .robot = robot.name};
      std::set<std::string> called;
      for (const std::string& part : calls[main]) {
        if (!called.insert(part).second) ReadError(file, 0, "calls " + part + " twice");
        std::size_t k = 0;
        while (k < files.size() && (k == main || jobs[k].name != part)) ++k;
        if (k == files.size()) ReadError(file, 0, "calls " + part + ", which is missing");
        if (!calls[k].empty()) ReadError(files[k].name, 0, "a part calls another job");
        program.instructions.insert(program.instructions.end(), jobs[k].instructions.begin(),
                                    jobs[k].instructions.end());
      }
    }
    AttachWeldIds(&program, file);
    CheckWeldIds(program, file, site, kDialect, limits());
    // Pulse rounding: half a pulse per joint, twice where a coupling adds a second joint.
    double coarsest = 0;
    for (double ppd : robot.model->controller.pulses_per_degree) {
      coarsest = std::max(coarsest, 1.0 / std::abs(ppd));
    }
    CheckProgram(program, robot, site, file, 1e-4 + coarsest * 3.14159265358979 / 180.0);
    return program;
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeYaskawaInform() { return std::make_unique<YaskawaInform>(); }

}  // namespace weldcell::exporters
