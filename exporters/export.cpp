#include "exporters/export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "exporters/exported_motion.hpp"
#include "exporters/internal/text.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/plan/cell_hash.hpp"

namespace weldcell::exporters {

namespace {
[[noreturn]] void Fail(const std::string& file, const std::string& message) {
  throw InputError({Diagnostic{.where = {.file = file}, .message = message}});
}
[[noreturn]] void Fail(const SourceLocation& where, const std::string& message,
                       const std::string& key_path = "") {
  throw InputError({Diagnostic{.where = where, .key_path = key_path, .message = message}});
}
// The key of robot r's program name in the cell (what to change when two robots' names meet).
std::string ProgramKey(std::size_t r) { return fmt::format("robots[{}].controller.program", r); }
// Where the cell gives the robot's controller (cell.yaml:line:col), or the cell file.
SourceLocation RobotWhere(const cell::Cell& cell, const cell::Robot& robot) {
  return robot.controller_where.file.empty() ? SourceLocation{.file = cell.source_file}
                                             : robot.controller_where;
}
// Where the cell gives the robot's `controller.dialect` (else as RobotWhere).
SourceLocation DialectWhere(const cell::Cell& cell, const cell::Robot& robot) {
  return robot.dialect_where.file.empty() ? RobotWhere(cell, robot) : robot.dialect_where;
}
// Where the cell gives a weld (its id in cell.yaml or welds.csv), or the cell file.
SourceLocation WeldWhere(const cell::Cell& cell, const std::string& weld_id) {
  for (const cell::Weld& w : cell.welds) {
    if (w.id == weld_id && !w.where.file.empty()) return w.where;
  }
  return {.file = cell.source_file};
}
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Where(const SourceLocation& where) {
  return where.line > 0 ? fmt::format("{}:{}:{}", where.file, where.line, where.column)
                        : where.file;
}

// A program's joint values are the robot.yaml's controller values (controller_joints: signs,
// offsets, couplings), whatever the dialect: they are the pendant values of the controller
// that drives the arm, which robot.yaml may name (`controller_joints.dialect`). Written in
// another dialect they would stand under another controller's header: no controller of that
// dialect drives this arm, and on an arm it does drive they are not the planned path (FANUC's
// J3 includes J2; KUKA's A1, A4, A6 are negated and A2, A3 offset by 90°). So a declared
// controller other than the dialect is an error (at the cell's `controller.dialect`, or at the
// robot when one dialect is given for all); an undeclared one that the cell's `controller`
// contradicts (`export --dialect`) is a warning, since weldcell cannot tell whose convention
// the robot.yaml's values are.
void CheckOwnController(const cell::Cell& cell, std::size_t r, const std::string& dialect_name,
                        bool given_for_all, DiagnosticSink* problems,
                        std::vector<std::string>* warnings) {
  const cell::Robot& robot = cell.robots[r];
  const cell::ControllerJoints& joints = robot.model->controller;
  const std::string& own = joints.dialect;
  if (!own.empty() && own != dialect_name) {
    const std::string cell_says =
        given_for_all && !robot.controller.dialect.empty()
            ? fmt::format(" (the cell gives it `controller: {{dialect: {}}}`)",
                          robot.controller.dialect)
            : "";
    problems->Add(Diagnostic{
        .where = given_for_all ? RobotWhere(cell, robot) : DialectWhere(cell, robot),
        .key_path = given_for_all ? fmt::format("robots[{}].model", r)
                                  : fmt::format("robots[{}].controller.dialect", r),
        .message = fmt::format(
            "robot {} ({}) is driven by {} {} controller{}: its robot.yaml says so "
            "(`controller_joints.dialect: {}` at {}), and the program's joint values are that "
            "controller's; written as {} they would be for {} controllers, none of which drives "
            "this arm, and on an arm one drives they are not the planned path; {}",
            robot.name, robot.model->name, internal::Article(own), own, cell_says, own,
            Where(joints.dialect_where), dialect_name, dialect_name,
            given_for_all ? fmt::format("export it as {} (give --dialect {} or leave --dialect "
                                        "out)",
                                        own, own)
                          : fmt::format("give `controller: {{dialect: {}}}`, or the robot "
                                        "model of an arm that {} controllers drive",
                                        own, dialect_name))});
    return;
  }
  if (own.empty() && given_for_all && !robot.controller.dialect.empty() &&
      robot.controller.dialect != dialect_name) {
    warnings->push_back(fmt::format(
        "robot {} ({}): written as {}, but the cell gives it a {} controller ({}); its "
        "robot.yaml ({}) does not say which controller its controller_joints are the pendant "
        "values of (`controller_joints.dialect`): check them against the {} controller's "
        "joint convention before running the program",
        robot.name, robot.model->name, dialect_name, robot.controller.dialect,
        Where(DialectWhere(cell, robot)), robot.model->source_file, dialect_name));
  }
}
}  // namespace

void CheckPlanOfCell(const plan::Plan& plan, const cell::Cell& cell, const std::string& plan_file) {
  // With the plan's seed: a plan made with `weldcell plan --seed` is of this cell too.
  const std::string hash = plan::CellHash(cell, plan.seed);
  if (plan.cell_hash != hash) {
    Fail(plan_file, fmt::format("the plan is of cell {} (hash {}), not of {} (hash {}): plan "
                                "this cell again",
                                plan.cell_name, plan.cell_hash, cell.name, hash));
  }
}

namespace {
// Adds each diagnostic of `error` once (robots of one dialect share the site's problems).
void AddOnce(DiagnosticSink* sink, const InputError& error) {
  for (const Diagnostic& d : error.diagnostics()) {
    if (std::find(sink->diagnostics().begin(), sink->diagnostics().end(), d) ==
        sink->diagnostics().end()) {
      sink->Add(d);
    }
  }
}
// Throws the problems of `sink` in file order (each file where it first appears, then by line
// and column): the weld ids of one robot come in its program's order, which may run backwards
// through welds.csv.
void ThrowInFileOrder(const DiagnosticSink& sink) {
  if (!sink.has_errors()) return;
  std::vector<Diagnostic> sorted = sink.diagnostics();
  std::vector<std::string> files;
  for (const Diagnostic& d : sorted) {
    if (std::find(files.begin(), files.end(), d.where.file) == files.end()) {
      files.push_back(d.where.file);
    }
  }
  auto key = [&](const Diagnostic& d) {
    return std::tuple(std::find(files.begin(), files.end(), d.where.file) - files.begin(),
                      d.where.line, d.where.column);
  };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  throw InputError(std::move(sorted));
}
}  // namespace

namespace {

// The site per dialect of the cell's robots (or `dialect` for all): WithDefaults (weld call,
// tool, base, slowest speed), the I/O ranges kept apart, and every weld id of the cell (the
// robot that welds it is not known before planning: each id must fit every dialect of the
// cell). Problems go to `problems`.
void CheckDialectSites(const cell::Cell& cell, const Site& site, const std::string& dialect,
                       DiagnosticSink* problems) {
  std::set<std::string> dialects;
  for (const cell::Robot& robot : cell.robots) {
    const std::string d = dialect.empty() ? robot.controller.dialect : dialect;
    if (!d.empty()) dialects.insert(d);
  }
  for (const std::string& d : dialects) {
    const std::unique_ptr<Dialect> made = MakeDialect(d);
    if (!made) continue;  // said below, naming the robot
    try {
      const Site s = WithDefaults(site, *made);
      if (made->limits().one_io_space) internal::CheckRangesApart(s, d);
      // Weld ids go into comments (and the call with {id}): one the controller would refuse is
      // an error at the cell, before anything is planned or written.
      const bool bare_id = internal::CheckWeldCall(s, d, made->limits());
      for (const cell::Weld& w : cell.welds) {
        if (std::string problem = internal::WeldIdProblem(w.id, d, made->limits(), bare_id);
            !problem.empty()) {
          problems->Add(Diagnostic{.where = WeldWhere(cell, w.id),
                                   .key_path = "welds[" + w.id + "]",
                                   .message = problem + "; rename the weld in the cell"});
        }
      }
    } catch (const InputError& e) {
      AddOnce(problems, e);
    }
  }
}

// The dialect that writes robot r's program (`dialect_name`, known); an error at the robot
// when there is no such dialect.
std::unique_ptr<Dialect> RobotDialect(const cell::Cell& cell, const cell::Robot& robot,
                                      const std::string& dialect_name) {
  std::unique_ptr<Dialect> made = MakeDialect(dialect_name);
  if (!made) {
    std::string all;
    for (const std::string& n : DialectNames()) all += (all.empty() ? "" : ", ") + n;
    Fail(RobotWhere(cell, robot), "unknown dialect " + dialect_name + " (one of " + all + ")");
  }
  return made;
}

// What the dialect refuses about robot r's model itself (its axis count, a pulse calibration):
// the dialect's own rules, which its Write applies too. At the cell's `controller.dialect`,
// which chose the dialect; with one dialect given for all (`export --dialect`, `given_for_all`),
// at the robot.yaml to change, as Write says it.
void CheckRobotForDialect(const cell::Cell& cell, std::size_t r, const Dialect& made,
                          const std::string& dialect_name, bool given_for_all,
                          DiagnosticSink* problems, std::vector<std::string>* warnings) {
  const cell::Robot& robot = cell.robots[r];
  CheckOwnController(cell, r, dialect_name, given_for_all, problems, warnings);
  if (!given_for_all) {
    for (const RobotProblem& p : made.RobotProblems(robot)) {
      problems->Add(Diagnostic{.where = DialectWhere(cell, robot),
                               .key_path = fmt::format("robots[{}].controller.dialect", r),
                               .message = p.message});
    }
  } else {
    try {
      CheckRobot(made, robot);
    } catch (const InputError& e) {
      AddOnce(problems, e);
    }
  }
}

// A program name as the dialect writes it: `wanted` (the robot's `controller.program`, `given`,
// or its name). A name the user wrote is used as written (case aside) or refused: the cell
// controller or PLC selects programs by it. A name made from the robot's name may be adapted
// (with a warning).
std::string DialectProgramName(const cell::Cell& cell, std::size_t r, const Dialect& made,
                               const std::string& dialect_name, const std::string& wanted,
                               bool given, std::vector<std::string>* warnings) {
  const cell::Robot& robot = cell.robots[r];
  std::string name = made.ProgramName(wanted);
  const NameRules& rules = made.limits().names;
  if (Lower(name) != Lower(wanted)) {
    std::string problem = internal::ProgramNameProblem(wanted, rules.max_length);
    if (problem.empty()) problem = "the dialect writes it as " + name;  // never blank
    if (given) {
      throw InputError({Diagnostic{
          .where = RobotWhere(cell, robot),
          .key_path = fmt::format("robots[{}].controller.program", r),
          .message = fmt::format(
              "{} is not {} {} program name: {} ({}: at most {} letters, digits and `_`, "
              "starting with a letter); give a name that fits",
              wanted, internal::Article(dialect_name), dialect_name, problem, dialect_name,
              rules.max_length)}});
    }
    warnings->push_back(fmt::format(
        "robot {}: {} program named {}, not {}: {}; give `controller.program` to choose it",
        robot.name, dialect_name, name, wanted, problem));
  }
  return name;
}

// A program name taken, with the robot and dialect that take it.
struct NamedProgram {
  std::string robot, wanted, dialect;
};

// Program `name` of robot r is taken by no earlier robot (case ignored); books it in `names`
// (lower-case program name -> its robot).
void TakeProgramName(const cell::Cell& cell, std::size_t r, const std::string& name,
                     const std::string& wanted, const std::string& dialect_name,
                     const NameRules& rules, std::map<std::string, NamedProgram>* names) {
  const cell::Robot& robot = cell.robots[r];
  if (const auto [it, fresh] =
          names->emplace(Lower(name), NamedProgram{robot.name, wanted, dialect_name});
      !fresh) {
    const NamedProgram& other = it->second;
    Fail(RobotWhere(cell, robot),
         other.dialect == dialect_name
             ? fmt::format("robots {} ({}) and {} ({}) would both get the {} program {} (names "
                           "are cut to {} characters, case ignored); give each robot a "
                           "`controller.program`",
                           other.robot, other.wanted, robot.name, wanted, dialect_name, name,
                           rules.max_length)
             : fmt::format("robots {} ({}) and {} ({}) would both get a program {} ({} and "
                           "{}; names compared with case ignored); give each robot a "
                           "`controller.program`",
                           other.robot, other.wanted, robot.name, wanted, name, other.dialect,
                           dialect_name),
         ProgramKey(r));
  }
}

// Program `name` of robot r (`given`: its `controller.program`) is neither the routine its
// weld call invokes (it would call itself at every weld) nor a built-in or a name the program
// uses (URScript `def sync():` ... `sync()` calls itself; KRL XP1 clashes with a declaration).
void CheckProgramNameFree(const cell::Cell& cell, std::size_t r, const Dialect& made, const Site& s,
                          const std::string& dialect_name, const std::string& name, bool given) {
  const cell::Robot& robot = cell.robots[r];
  const NameRules& rules = made.limits().names;
  const std::string routine = internal::WeldCallRoutine(s, dialect_name, made.limits());
  if (internal::SameName(routine, name, rules)) {
    const auto call = s.where.find("weld_call." + dialect_name);
    throw InputError({Diagnostic{
        .where = RobotWhere(cell, robot),
        .key_path = fmt::format("robots[{}].controller.program", r),
        .message = fmt::format(
            "{} program {}{} has the name of the routine its weld call invokes ({}: `weld_call."
            "{}` {}): the program would call itself at every weld; give the robot another "
            "`controller.program`{}",
            dialect_name, name, given ? "" : " (made from the robot's name)", routine, dialect_name,
            call != s.where.end() ? fmt::format("at {}:{}:{}", call->second.file, call->second.line,
                                                call->second.column)
                                  : "the dialect's default",
            call != s.where.end() ? " or the site another weld call" : "")}});
  }
  if (std::string problem = internal::ReservedNameProblem(name, rules); !problem.empty()) {
    throw InputError({Diagnostic{
        .where = RobotWhere(cell, robot),
        .key_path = fmt::format("robots[{}].controller.program", r),
        .message = fmt::format("{} program {}{}: {} in {}; give the robot another "
                               "`controller.program`",
                               dialect_name, name, given ? "" : " (made from the robot's name)",
                               problem, dialect_name)}});
  }
}

// A site `tool_load` for a robot whose dialect takes the load from the controller, not from the
// program: said, since it would silently not apply (a fresh robot programmer's FANUC load).
void WarnOfLoadNotWritten(const Site& site, const cell::Robot& robot,
                          const std::string& dialect_name, std::vector<std::string>* warnings) {
  if (WithToolLoadOf(site, robot.name, robot.tool.name).tool_mass <= 0) return;
  static const std::map<std::string, std::string, std::less<>> kWhere = {
      {"kuka_krl", "LOAD_DATA[tool] on the controller (BAS (#TOOL,tool ) activates it)"},
      {"fanuc_ls", "the controller's payload schedule (PAYLOAD[n])"},
      {"yaskawa_inform", "the controller's tool file (weight and centre of gravity)"}};
  const auto where = kWhere.find(dialect_name);
  if (where == kWhere.end()) return;  // abb_rapid and ur_script write it
  warnings->push_back(fmt::format(
      "{} ({}): the site's tool_load is not written into its program: {} takes the gun's load "
      "from {}; set it there",
      robot.name, dialect_name, dialect_name, where->second));
}

}  // namespace

CellPrograms CheckCellPrograms(const cell::Cell& cell, const Site& site, const std::string& dialect,
                               bool skip_robots_without_controller) {
  CellPrograms result;
  DiagnosticSink problems;
  CheckDialectSites(cell, site, dialect, &problems);
  // A tool load for a name the cell does not have would silently not apply.
  CheckToolLoadNames(site, cell, &problems);
  std::map<std::string, NamedProgram> names;  // lower-case program name -> its robot
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    try {
      const cell::Robot& robot = cell.robots[r];
      const std::string dialect_name = dialect.empty() ? robot.controller.dialect : dialect;
      if (dialect_name.empty()) {
        if (skip_robots_without_controller) {
          result.skipped.push_back(robot.name);
          continue;
        }
        Fail(RobotWhere(cell, robot),
             fmt::format("robot {} has no `controller: {{dialect: ...}}` in the "
                         "cell; give one or --dialect",
                         robot.name));
      }
      const std::unique_ptr<Dialect> made = RobotDialect(cell, robot, dialect_name);
      CheckRobotForDialect(cell, r, *made, dialect_name, !dialect.empty(), &problems,
                           &result.warnings);
      WarnOfLoadNotWritten(site, robot, dialect_name, &result.warnings);
      const Site s = WithDefaults(site, *made);
      const bool given = !robot.controller.program.empty();
      const std::string wanted = given ? robot.controller.program : robot.name;
      const std::string name =
          DialectProgramName(cell, r, *made, dialect_name, wanted, given, &result.warnings);
      TakeProgramName(cell, r, name, wanted, dialect_name, made->limits().names, &names);
      CheckProgramNameFree(cell, r, *made, s, dialect_name, name, given);
      result.programs.push_back(
          CellProgram{.robot = static_cast<int>(r), .dialect = dialect_name, .name = name});
    } catch (const InputError& e) {
      AddOnce(&problems, e);
    }
  }
  ThrowInFileOrder(problems);
  return result;
}

namespace {
// The program of robot p: built from the plan (its blends, of the dialect's reach unless `blend`
// gives one, proved on `world`; `exact_stops` as BuildOptions::exact_stops), written in its dialect
// and read back by the dialect's strict reader. Throws InputError as BuildProgram, and at the
// robot's `controller.program` when a part of the program would be named like the routine its weld
// call invokes.
RobotExport ExportRobot(const plan::Plan& plan, const cell::Cell& cell, const CellProgram& p,
                        const Site& site, const collision::CollisionWorld& world,
                        const std::string& plan_file, const std::optional<BlendModel>& blend,
                        const std::vector<std::vector<int>>* exact_stops) {
  const auto r = static_cast<std::size_t>(p.robot);
  const cell::Robot& robot = cell.robots[r];
  const std::unique_ptr<Dialect> dialect = MakeDialect(p.dialect);
  const Site s = WithDefaults(site, *dialect);
  const std::string routine = internal::WeldCallRoutine(s, p.dialect, dialect->limits());
  RobotExport out{.robot = robot.name, .dialect = p.dialect, .site = s};
  CornerCheck corners(world, cell, p.robot);
  const Program built = BuildProgram(plan, cell, p.robot, p.name, s, &out.figures,
                                     {.corners = &corners,
                                      .blend = blend.value_or(dialect->limits().blend),
                                      .exact_stops = exact_stops,
                                      .plan_file = plan_file});
  out.files = dialect->Write(built, robot, s);
  for (const ProgramFile& f : out.files) {
    // A part program (INFORM NAMEnn) named like the weld routine would be called by it.
    if (const std::string stem = f.name.substr(0, f.name.rfind('.'));
        internal::SameName(stem, routine, dialect->limits().names)) {
      throw InputError({Diagnostic{
          .where = RobotWhere(cell, robot),
          .key_path = fmt::format("robots[{}].controller.program", r),
          .message = fmt::format("{} program {} has a part {} named like the routine its weld "
                                 "call invokes (`weld_call.{}`): give the robot another "
                                 "`controller.program`",
                                 p.dialect, p.name, f.name, p.dialect)}});
    }
  }
  out.program = dialect->Read(out.files, robot, s);
  out.estimated_motion_time = EstimateMotionTime(out.program, robot);
  return out;
}

// The robot and program that write a file.
struct FileOwner {
  std::string robot, program;
};

// Robot p's files are written by no other robot: controllers' file systems ignore case, and a
// part program of one robot must never replace another robot's (split programs name their
// parts after the cut main name). Books them in `owners` (lower-case file name -> owner).
void TakeFileNames(const cell::Cell& cell, const CellProgram& p, const RobotExport& out,
                   std::map<std::string, FileOwner>* owners) {
  const cell::Robot& robot = cell.robots[static_cast<std::size_t>(p.robot)];
  const std::string& dialect_name = p.dialect;
  const std::string& name = p.name;
  for (const ProgramFile& f : out.files) {
    std::string key = f.name;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const auto [it, fresh] = owners->emplace(key, FileOwner{robot.name, name}); !fresh) {
      // A part of a split program (INFORM: the first characters of the name + 01, 02, ...)
      // or the program file itself: say which, and what to change.
      const std::string stem = f.name.substr(0, f.name.rfind('.'));
      std::string prefix = stem;
      while (!prefix.empty() && prefix.back() >= '0' && prefix.back() <= '9') prefix.pop_back();
      const bool part = Lower(stem) != Lower(name) && prefix.size() < stem.size();
      Fail(RobotWhere(cell, robot),
           part ? fmt::format("robots {} (program {}) and {} (program {}) would both write {}: {} "
                              "splits a program longer than max_positions into parts named after "
                              "the first {} characters of its name ({}01, {}02, …), and both names "
                              "start with {}; give them `controller.program` names that differ in "
                              "the first {} characters, or raise max_positions so that they are "
                              "not split",
                              it->second.robot, it->second.program, robot.name, name, f.name,
                              dialect_name, prefix.size(), prefix, prefix, prefix, prefix.size())
                : fmt::format("robots {} (program {}) and {} (program {}) would both write "
                              "{} (file names compared with case ignored); give them "
                              "`controller.program` names that differ",
                              it->second.robot, it->second.program, robot.name, name, f.name),
           ProgramKey(static_cast<std::size_t>(p.robot)));
    }
  }
}

// What robot `skipped` (no program of ours) must do by hand for the robots with a program
// (`has_program`) it handshakes with: the weld signals it waits for or gives and the zones
// it shares with them; "" when none. Its hand-written program must keep the same handshake,
// or the others wait forever (or worse, enter a zone it occupies).
template <typename HasProgram>
std::string HandshakeWarning(const plan::Plan& plan, const std::string& skipped,
                             const HasProgram& has_program) {
  std::vector<std::string> parts;
  for (std::size_t j = 0; j < plan.weld_signals.size(); ++j) {
    const plan::WeldSignal& ws = plan.weld_signals[j];
    std::string giver;
    for (const plan::RobotPlan& rp : plan.robots) {
      for (const plan::Segment& s : rp.segments) {
        if (s.kind == plan::SegmentKind::kWeld && s.to == ws.weld) giver = rp.robot;
      }
    }
    if (ws.robot == skipped && giver != skipped && has_program(giver)) {
      parts.push_back(fmt::format("wait for weld signal {} (weld {} by {}) and acknowledge it",
                                  j + 1, ws.weld, giver));
    } else if (giver == skipped && ws.robot != skipped && has_program(ws.robot)) {
      parts.push_back(
          fmt::format("give weld signal {} after weld {} (waited for by {}) and "
                      "take its acknowledge",
                      j + 1, ws.weld, ws.robot));
    }
  }
  for (const plan::Zone& z : plan.zones) {
    const bool uses = std::any_of(z.uses.begin(), z.uses.end(),
                                  [&](const plan::ZoneUse& u) { return u.robot == skipped; });
    const bool shared = std::any_of(z.uses.begin(), z.uses.end(), [&](const plan::ZoneUse& u) {
      return u.robot != skipped && has_program(u.robot);
    });
    if (uses && shared) parts.push_back("take and release zone " + z.id);
  }
  if (parts.empty()) return "";
  std::string list;
  for (const std::string& p : parts) list += (list.empty() ? "" : "; ") + p;
  return fmt::format(
      "robot {} has no `controller:` (no program written) but other robots' programs "
      "handshake with it: its hand-written program must {} with the four-phase handshake of "
      "docs/export.md \"Handshakes\" (interlocks.csv, weld_signals.csv), or the others wait "
      "forever",
      skipped, list);
}
}  // namespace

ExportResult ExportPlan(const plan::Plan& plan, const cell::Cell& cell, const Site& site,
                        const ExportRequest& request) {
  CheckPlanOfCell(plan, cell, request.plan_file);
  // Every rule about the cell's names and controllers, as `check` and `plan` (before planning)
  // apply them; what follows needs the plan.
  CellPrograms programs =
      CheckCellPrograms(cell, site, request.dialect, request.skip_robots_without_controller);
  // The verifier's world (as verify::MakeVerifierWorld): every self pair but the structurally
  // allowed ones, no robots at home as obstacles.
  std::optional<collision::CollisionWorld> own_world;
  if (request.world == nullptr) {
    own_world.emplace(cell, collision::WorldOptions{.acm_samples = 0,
                                                    .pairs = collision::PairPolicy::kVerifier,
                                                    .robots_at_home_are_obstacles = false});
  }
  const collision::CollisionWorld& world = request.world ? *request.world : *own_world;
  ExportResult result{.skipped = std::move(programs.skipped),
                      .warnings = std::move(programs.warnings)};
  std::map<std::string, FileOwner> file_owner;  // lower-case file name -> robot and its program
  DiagnosticSink problems;
  // A unit per robot, and one for the check of the programs' motion.
  const auto units = static_cast<std::int64_t>(programs.programs.size()) + 1;
  std::int64_t done = 0;
  request.progress.Report(kProgramsStage, done, units);
  for (const CellProgram& p : programs.programs) {
    if (request.progress.cancelled()) return {};
    try {
      RobotExport out =
          ExportRobot(plan, cell, p, site, world, request.plan_file, request.blend, nullptr);
      TakeFileNames(cell, p, out, &file_owner);
      result.robots.push_back(std::move(out));
    } catch (const InputError& e) {
      AddOnce(&problems, e);
    }
    request.progress.Report(kProgramsStage, ++done, units);
  }
  ThrowInFileOrder(problems);
  // A robot without a program of ours that shares a zone or a weld signal with one that has
  // one: its hand-written program must keep the same handshake.
  const auto has_program = [&result](const std::string& robot) {
    return std::any_of(result.robots.begin(), result.robots.end(),
                       [&](const RobotExport& e) { return e.robot == robot; });
  };
  for (const std::string& skipped : result.skipped) {
    std::string warning = HandshakeWarning(plan, skipped, has_program);
    if (!warning.empty()) result.handshake_warnings.push_back(std::move(warning));
  }
  // The programs' moves off the planned path, checked against the other robots too; blends
  // that meet another robot become exact stops.
  const auto rebuild = [&](std::size_t index, const std::vector<std::vector<int>>& exact_stops) {
    const std::string& robot = result.robots[index].robot;
    const auto p =
        std::find_if(programs.programs.begin(), programs.programs.end(), [&](const CellProgram& c) {
          return cell.robots[static_cast<std::size_t>(c.robot)].name == robot;
        });
    return ExportRobot(plan, cell, *p, site, world, request.plan_file, request.blend, &exact_stops);
  };
  if (request.progress.cancelled()) return {};
  CheckExportedMotion(plan, cell, world, request.threads, rebuild, &result);
  request.progress.Report(kProgramsStage, units, units);
  return result;
}

}  // namespace weldcell::exporters

namespace weldcell::exporters {

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string InterlockTable(const plan::Plan& plan, const ExportResult& result) {
  std::string out = "zone,order,robot,dialect,input,output\n";
  for (std::size_t z = 0; z < plan.zones.size(); ++z) {
    const plan::Zone& zone = plan.zones[z];
    for (std::size_t u = 0; u < zone.uses.size(); ++u) {
      // Every use, also of a robot without a program of ours (its columns empty): a ring built
      // without it would grant the zone to the others while that robot works in it.
      const std::string& robot = zone.uses[u].robot;
      const auto r = std::find_if(result.robots.begin(), result.robots.end(),
                                  [&](const RobotExport& e) { return e.robot == robot; });
      if (r == result.robots.end()) {
        out += fmt::format("{},{},{},,,\n", CsvField(zone.id), u + 1, CsvField(robot));
      } else {
        out += fmt::format("{},{},{},{},{},{}\n", CsvField(zone.id), u + 1, CsvField(robot),
                           r->dialect, r->site.zone_inputs.first + static_cast<int>(z),
                           r->site.zone_outputs.first + static_cast<int>(z));
      }
    }
  }
  return out;
}

std::string WeldSignalTable(const plan::Plan& plan, const ExportResult& result) {
  std::string out =
      "signal,weld,giver,giver_dialect,output,ack_input,waiter,waiter_dialect,input,ack_output\n";
  auto exported = [&](const std::string& robot) -> const RobotExport* {
    for (const RobotExport& r : result.robots) {
      if (r.robot == robot) return &r;
    }
    return nullptr;
  };
  for (std::size_t j = 0; j < plan.weld_signals.size(); ++j) {
    const plan::WeldSignal& ws = plan.weld_signals[j];
    const int n = static_cast<int>(j);
    std::string giver;
    for (const plan::RobotPlan& rp : plan.robots) {
      for (const plan::Segment& s : rp.segments) {
        if (s.kind == plan::SegmentKind::kWeld && s.to == ws.weld) giver = rp.robot;
      }
    }
    const RobotExport* g = exported(giver);
    const RobotExport* w = exported(ws.robot);
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{}\n", j + 1, CsvField(ws.weld), CsvField(giver),
        g ? g->dialect : "", g ? std::to_string(g->site.weld_signal_outputs.first + n) : "",
        g ? std::to_string(g->site.weld_ack_inputs.first + n) : "", CsvField(ws.robot),
        w ? w->dialect : "", w ? std::to_string(w->site.weld_signal_inputs.first + n) : "",
        w ? std::to_string(w->site.weld_ack_outputs.first + n) : "");
  }
  return out;
}

namespace {

// FNV-1a 64 of a file's bytes: tells an edit from the bytes weldcell wrote (not a security
// hash: it guards against accidents, not against an adversary).
std::string ContentHash(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

struct ManifestEntry {
  std::string name;
  /// Empty in a list written by hand or by an older weldcell (names only): nothing proves the
  /// file is the one weldcell wrote, so it is protected as an edited one (EditedSince).
  std::string hash;
};

// The plain file names the folder's manifest (kManifestName) lists, each with the hash of the
// bytes written; nothing that names another folder, nor the manifest itself.
std::vector<ManifestEntry> ManifestEntries(const std::filesystem::path& folder) {
  std::vector<ManifestEntry> out;
  if (std::ifstream in(folder / kManifestName); in) {
    std::string line;
    while (std::getline(in, line)) {
      if (line.ends_with('\r')) line.pop_back();  // a list saved with CR LF line ends
      const std::size_t tab = line.find('\t');
      ManifestEntry e{.name = line.substr(0, tab),
                      .hash = tab == std::string::npos ? "" : line.substr(tab + 1)};
      const std::string& name = e.name;
      if (name.empty() || name.starts_with('#') || name.find('/') != std::string::npos ||
          name.find('\\') != std::string::npos || name == "." || name == ".." ||
          name == kManifestName) {
        continue;
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

// The manifest's comment lines that name the site file the programs were written with, and
// their station.
constexpr std::string_view kSiteLine = "# site: ";
constexpr std::string_view kCellLine = "# cell: ";

// What follows `prefix` on the first line of `folder`'s manifest that starts with it, or "".
std::string ManifestComment(const std::filesystem::path& folder, std::string_view prefix) {
  if (std::ifstream in(folder / kManifestName); in) {
    for (std::string line; std::getline(in, line);) {
      if (line.ends_with('\r')) line.pop_back();
      if (line.starts_with(prefix)) return line.substr(prefix.size());
    }
  }
  return "";
}

// Whether the file the manifest entry names was changed since weldcell wrote it, or may have
// been: listed without a hash (false when it is gone or not a regular file). A list written by
// hand names files weldcell never wrote: they are not replaced or removed unless forced.
bool EditedSince(const std::filesystem::path& folder, const ManifestEntry& e) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(folder / e.name, ec)) return false;
  if (e.hash.empty()) return true;
  std::ifstream in(folder / e.name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return !in.bad() && ContentHash(bytes.str()) != e.hash;
}

// The names of `entries` (of `folder`'s manifest) whose files were edited since (EditedSince).
std::vector<std::string> EditedNames(const std::filesystem::path& folder,
                                     const std::vector<ManifestEntry>& entries) {
  std::vector<std::string> edited;
  for (const ManifestEntry& e : entries) {
    if (EditedSince(folder, e)) {
      edited.push_back(e.hash.empty() ? e.name + " (listed without its hash)" : e.name);
    }
  }
  return edited;
}

// Names joined with ", ".
std::string JoinNames(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

// What an export refuses about files of the previous export edited since it wrote them.
std::string EditedFilesText(const std::vector<std::string>& edited) {
  return fmt::format("{} file(s) of the previous export were edited since weldcell wrote them: {}",
                     edited.size(), JoinNames(edited));
}

// The error naming `folder`'s manifest (or the folder, without one) with `what`.
InputError ManifestError(const std::filesystem::path& folder, const std::string& what) {
  std::error_code ec;
  const bool has_manifest = std::filesystem::exists(folder / kManifestName, ec);
  return InputError(
      {Diagnostic{.where = {.file = (has_manifest ? folder / kManifestName : folder).string()},
                  .message = what}});
}

// What stands where an export writes `names` in `folder`: files no export of weldcell wrote (not
// in its manifest, `listed`: the user's own program of that name, a file copied in by hand) and
// folders.
struct InTheWay {
  std::vector<std::string> foreign, folders;
};
InTheWay FindInTheWay(const std::filesystem::path& folder, const std::vector<std::string>& names,
                      const std::set<std::string>& listed) {
  InTheWay out;
  std::error_code manifest_ec;
  if (std::filesystem::is_directory(folder / kManifestName, manifest_ec)) {
    out.folders.emplace_back(kManifestName);  // where the list of the files written goes
  }
  for (const std::string& name : names) {
    std::error_code ec;
    const std::filesystem::path path = folder / name;
    const std::filesystem::file_status st = std::filesystem::symlink_status(path, ec);
    if (ec || !std::filesystem::exists(st)) continue;
    if (std::filesystem::is_directory(std::filesystem::status(path, ec))) {
      out.folders.push_back(name);
    } else if (!listed.count(name)) {
      out.foreign.push_back(name);
    }
  }
  return out;
}

// Refuses (ManifestError, every reason at once) files edited since the previous export and
// files in the way unless `force`, and folders in the way always.
void ThrowIfInTheWay(const std::filesystem::path& folder, const std::vector<std::string>& edited,
                     const InTheWay& way, const WriteOptions& options) {
  const bool force = options.force;
  std::vector<std::string> parts;
  if (!edited.empty() && !force) parts.push_back(EditedFilesText(edited));
  if (const std::string previous = ManifestComment(folder, kSiteLine);
      !previous.empty() && options.site_file.empty() && !force) {
    std::error_code site_ec;
    parts.push_back(
        std::filesystem::exists(previous, site_ec)
            ? fmt::format("the programs there were written with the site file {} (its weld "
                          "calls, I/O and numbers), this run has none: give --site {} to keep "
                          "them",
                          previous, previous)
            : fmt::format("the programs there were written with the site file {} (its weld "
                          "calls, I/O and numbers), which no longer exists, and this run has "
                          "none: restore it and give --site {}",
                          previous, previous));
  }
  if (const std::string station = ManifestComment(folder, kCellLine);
      !station.empty() && !options.cell_name.empty() && station != options.cell_name && !force) {
    parts.push_back(fmt::format(
        "the programs there are station {}'s, this plan is station {}'s: export into a folder "
        "of its own",
        station, options.cell_name));
  }
  if (!way.foreign.empty() && !force) {
    parts.push_back(
        fmt::format("{} file(s) in the way were not written by weldcell (not in {}): {}",
                    way.foreign.size(), kManifestName, JoinNames(way.foreign)));
  }
  if (!way.folders.empty()) {
    parts.push_back(fmt::format("{} folder(s) stand where files must be written: {}",
                                way.folders.size(), JoinNames(way.folders)));
  }
  if (parts.empty()) return;
  std::string joined;
  for (const std::string& p : parts) joined += (joined.empty() ? "" : "; ") + p;
  throw ManifestError(
      folder, fmt::format("{}; nothing written ({})", joined,
                          way.folders.empty() ? "move them away, or run again with --force to "
                                                "replace them"
                                              : "move them away; --force replaces files, never "
                                                "folders"));
}

// The names of the manifest's entries.
std::set<std::string> ListedNames(const std::vector<ManifestEntry>& entries) {
  std::set<std::string> listed;
  for (const ManifestEntry& e : entries) listed.insert(e.name);
  return listed;
}

}  // namespace

void CheckProgramsFolder(const std::filesystem::path& folder, const CellPrograms& programs,
                         const WriteOptions& options) {
  std::vector<std::string> names = {kInterlockTableName, kWeldSignalTableName};
  for (const CellProgram& p : programs.programs) {
    const std::unique_ptr<Dialect> dialect = MakeDialect(p.dialect);
    WELDCELL_CHECK(dialect != nullptr);
    for (std::string& n : dialect->FileNames(p.name)) names.push_back(std::move(n));
  }
  const std::vector<ManifestEntry> previous = ManifestEntries(folder);
  ThrowIfInTheWay(folder, EditedNames(folder, previous),
                  FindInTheWay(folder, names, ListedNames(previous)), options);
}

std::vector<std::filesystem::path> WriteProgramFiles(const std::filesystem::path& folder,
                                                     const plan::Plan& plan,
                                                     const ExportResult& result,
                                                     const WriteOptions& options,
                                                     std::vector<std::string>* removed) {
  std::vector<FileToWrite> files;
  std::map<std::string, std::string> hashes;  // name -> hash of the bytes written
  for (const RobotExport& r : result.robots) {
    for (const ProgramFile& f : r.files) {
      files.push_back({folder / f.name, f.contents});
      hashes[f.name] = ContentHash(f.contents);
    }
  }
  // Always, with its header: a station without zones has an empty table, not a missing file.
  files.push_back({folder / kInterlockTableName, InterlockTable(plan, result)});
  files.push_back({folder / kWeldSignalTableName, WeldSignalTable(plan, result)});
  for (std::size_t i = files.size() - 2; i < files.size(); ++i) {
    hashes[files[i].path.filename().string()] = ContentHash(files[i].contents);
  }
  // Files an earlier export wrote here (its manifest) that this one does not: programs of robots
  // or dialects no longer exported. Read before the new manifest replaces it. A file edited
  // since (a touch-up on the pendant copied back) is neither replaced nor removed unless forced,
  // nor is a file in the way that no export wrote.
  const std::vector<ManifestEntry> previous = ManifestEntries(folder);
  std::vector<std::string> names;
  names.reserve(files.size());
  for (const FileToWrite& f : files) names.push_back(f.path.filename().string());
  ThrowIfInTheWay(folder, EditedNames(folder, previous),
                  FindInTheWay(folder, names, ListedNames(previous)), options);
  std::string list =
      "# written by weldcell export: name<TAB>FNV-1a 64 hash of the bytes written; the next "
      "export into this folder replaces or removes these files unless edited since\n";
  list.append(kCellLine).append(plan.cell_name).append("\n");
  if (!options.site_file.empty()) list.append(kSiteLine).append(options.site_file).append("\n");
  for (const auto& [n, h] : hashes) list.append(n).append("\t").append(h).append("\n");
  files.push_back({folder / kManifestName, list});
  files.insert(files.end(), options.with.begin(), options.with.end());
  // Every file or none: a program of this plan never lands beside one of the previous plan.
  WriteFilesTogether(files);
  for (const ManifestEntry& e : previous) {
    if (hashes.count(e.name)) continue;
    std::error_code ec;
    if (std::filesystem::is_regular_file(folder / e.name, ec) &&
        std::filesystem::remove(folder / e.name, ec) && removed != nullptr) {
      removed->push_back(e.name);
    }
  }
  std::vector<std::filesystem::path> written;
  written.reserve(files.size());
  for (const FileToWrite& f : files) written.push_back(f.path);
  return written;
}

int RemoveProgramFiles(const std::filesystem::path& folder) {
  int count = 0;
  std::string kept;  // the edited files, still listed: protected on every later run too
  for (const ManifestEntry& e : ManifestEntries(folder)) {
    std::error_code ec;
    // An edited file is kept: it is no longer only weldcell's.
    if (EditedSince(folder, e)) {
      kept += e.name + "\t" + e.hash + "\n";
    } else if (std::filesystem::is_regular_file(folder / e.name, ec) &&
               std::filesystem::remove(folder / e.name, ec)) {
      ++count;
    }
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(folder / kManifestName, ec)) {
    return count;  // none, or something of the user's of that name: never removed
  }
  if (kept.empty()) {
    std::filesystem::remove(folder / kManifestName, ec);
  } else {
    WriteFileAtomically(folder / kManifestName,
                        "# written by weldcell: files it wrote and that were edited since (kept, "
                        "and refused by the next export unless --force): name<TAB>FNV-1a 64 hash "
                        "of the bytes weldcell wrote\n" +
                            kept);
  }
  return count;
}

}  // namespace weldcell::exporters
