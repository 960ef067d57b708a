// What each dialect accepts as a name, a weld call, a weld id and a line end, and which file an
// error about the plan names: the site's weld call checked per dialect at its export.yaml line,
// weld ids a controller cannot carry refused by writer and reader, program names kept as the
// cell gives them or changed with a warning (never two alike), CR LF where the controller
// expects it, the plan named by the path the user gave.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "exporters/dialect.hpp"
#include "exporters/export.hpp"
#include "exporters/internal/text.hpp"
#include "exporters/site.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/cell_hash.hpp"
#include "tests/exporters/test_support.hpp"
#include "tests/scratch.hpp"

namespace weldcell::exporters {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

class NamesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(
        testing::WithPulses(cell::LoadCell("tests/exporters/cells/small/cell.yaml").value));
    const collision::CollisionWorld world(*cell_);
    plan_ = new plan::Plan(
        pipeline::PlanCell(*cell_, world,
                           {.threads = 2, .allocation_iterations = 2000, .rebalance_rounds = 0})
            .plan);
    plan_->cell_hash = plan::CellHash(*cell_, plan_->seed);  // of the pulsed cell
    dir_ = new fs::path(weldcell::testing::FreshDirectory("export_names"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete plan_;
    delete cell_;
  }
  static fs::path WriteSite(const std::string& name, const std::string& yaml) {
    const fs::path p = *dir_ / name;
    std::ofstream(p) << "format: weldcell-export/1\n" << yaml;
    return p;
  }
  // The cell and plan with robot `index` renamed (and its program name left to the exporter).
  static void Rename(cell::Cell* c, plan::Plan* p, int index, const std::string& name) {
    cell::Robot& robot = c->robots[static_cast<std::size_t>(index)];
    const std::string old = robot.name;
    robot.name = name;
    robot.controller.program.clear();
    for (plan::RobotPlan& rp : p->robots) {
      if (rp.robot == old) rp.robot = name;
    }
    for (plan::Zone& z : p->zones) {
      for (plan::ZoneUse& u : z.uses) {
        if (u.robot == old) u.robot = name;
      }
    }
    for (plan::WeldSignal& s : p->weld_signals) {
      if (s.robot == old) s.robot = name;
    }
    p->cell_hash = plan::CellHash(*c, p->seed);
  }
  // The weld `old_id` renamed `id` in the cell and the plan (re-hashed: still this cell's plan).
  static void RenameWeld(cell::Cell* c, plan::Plan* p, const std::string& old_id,
                         const std::string& id) {
    for (cell::Weld& w : c->welds) {
      if (w.id == old_id) w.id = id;
      std::replace(w.after.begin(), w.after.end(), old_id, id);
    }
    for (plan::RobotPlan& rp : p->robots) {
      for (plan::Segment& s : rp.segments) {
        if (s.from == old_id) s.from = id;
        if (s.to == old_id) s.to = id;
      }
      for (plan::WeldVisit& v : rp.welds) {
        if (v.weld_id == old_id) v.weld_id = id;
      }
    }
    for (plan::WeldSignal& s : p->weld_signals) {
      if (s.weld == old_id) s.weld = id;
    }
    for (plan::UnreachableWeld& u : p->unreachable) {
      if (u.weld_id == old_id) u.weld_id = id;
    }
    p->cell_hash = plan::CellHash(*c, p->seed);
  }
  // The ids of the first `count` welds the first robot's plan welds.
  static std::vector<std::string> FirstWelds(const plan::Plan& p, std::size_t count) {
    std::vector<std::string> ids;
    for (const plan::Segment& s : p.robots[0].segments) {
      if (s.kind == plan::SegmentKind::kWeld && ids.size() < count) ids.push_back(s.to);
    }
    return ids;
  }
  // ExportPlan's error with the first weld of the first robot renamed `id` (in cell and plan).
  static std::string ErrorWithWeldId(const std::string& id, const Site& site,
                                     const std::string& dialect) {
    cell::Cell c = *cell_;
    plan::Plan p = *plan_;
    RenameWeld(&c, &p, FirstWelds(p, 1).at(0), id);
    return ErrorOf([&] { ExportPlan(p, c, site, {.dialect = dialect}); });
  }
  static cell::Cell* cell_;
  static plan::Plan* plan_;
  static fs::path* dir_;
};
cell::Cell* NamesTest::cell_ = nullptr;
plan::Plan* NamesTest::plan_ = nullptr;
fs::path* NamesTest::dir_ = nullptr;

// A new-user trial: a 63-character KRL call and a 47-character RAPID one were written and read
// back; a controller refuses both. Every call is checked against its dialect's rules at its
// export.yaml line, naming the key, the dialect and the limit.
TEST_F(NamesTest, AWeldCallBeyondItsDialectsRulesIsAnErrorAtItsLine) {
  const std::string krl63(63, 'K'), rapid47(47, 'R');
  struct Case {
    std::string dialect, call, expected;
  };
  const std::vector<Case> cases = {
      {"kuka_krl", krl63 + "({n})", "name " + krl63 + " has 63 characters, at most 24"},
      {"abb_rapid", rapid47 + " {n};", "name " + rapid47 + " has 47 characters, at most 32"},
      {"fanuc_ls", "CALL SPOT_WELD({n})", "name SPOT_WELD has 9 characters, at most 8"},
      {"yaskawa_inform", "CALL JOB:WELD_SPOT ARGF{n}", "has 9 characters, at most 8"},
      {"ur_script", "1weld({n})", "starts with a digit"},
      {"kuka_krl", "SPOT_WELD({n}) ; gun 1", "`;` starts a comment"},
      {"kuka_krl", "SPOT WELD({n})", "expected SPOT(...) and nothing after the closing `)`"},
      // Issue 13: a weld call must call a subroutine, never move, set I/O or assign.
      {"fanuc_ls", "J P[{n}] 100% FINE", "`%` at column 13 of the call is not allowed"},
      {"fanuc_ls", "J P[{n}] FINE", "must be a program call CALL NAME"},
      {"fanuc_ls", "DO[{n}]=ON", "must be a program call CALL NAME"},
      {"fanuc_ls", "CALL SPOTWELD({n}) CALL X", "nothing after the `)`"},
      {"kuka_krl", "PTP XP{n}", "PTP is a motion, I/O or flow statement"},
      {"kuka_krl", "PTP({n})", "PTP is a motion, I/O or flow statement"},
      {"kuka_krl", "BAS(#VEL_PTP,{n})", "BAS is a motion, I/O or flow statement"},
      // Issue 13: assignments inside the arguments, and RAPID's comma before `\Opt`.
      {"kuka_krl", "SPOT_WELD($OUT[{n}]=TRUE)", "the `=` in `($OUT[1]=` assigns"},
      {"kuka_krl", "SPOT_WELD({n}=1)", "the `=` in `(1=` assigns"},
      {"abb_rapid", "MySpot {n},\\Id:=\"{id}\";", "a comma before the optional argument `\\Id`"},
      {"abb_rapid", "MySpot {n},x:=1;", "the `:=` in ` 1,x:=` assigns"},
      {"kuka_krl", "$OUT[101]=({n}<0)", "$OUT is a system variable"},
      {"kuka_krl", "{n}", "does not start with the name of the routine"},
      {"kuka_krl", "X=SPOT({n})", "expected X(...)"},
      {"kuka_krl", "SPOT({n})+1", "nothing after the closing `)`"},
      {"abb_rapid", "MoveAbsJ jP{n},vmax,fine,tool0;", "MoveAbsJ is a motion, I/O or flow"},
      {"abb_rapid", "SetDO doZone101,{n};", "SetDO is a motion, I/O or flow"},
      {"abb_rapid", "MoveL_Weld {n};", "MoveL_Weld is a motion, I/O or flow"},
      {"abb_rapid", "reg1:={n};", "an assignment or expression does not call a procedure"},
      {"yaskawa_inform", "MOVJ C{n} VJ=10.00", "does not start with `CALL JOB:`"},
      {"yaskawa_inform", "DOUT OT#({n}) ON", "does not start with `CALL JOB:`"},
      {"yaskawa_inform", "CALL JOB:SPOTWELD ARGF{n} DOUT", "only ` ARGF<value>` arguments"},
      {"ur_script", "movej([0,0,0,0,0,{n}])", "movej is a motion, I/O or flow"},
      {"ur_script", "set_digital_out({n}, True)", "set_digital_out is a motion, I/O"},
      {"ur_script", "halt({n})", "halt is a motion, I/O or flow"},
      {"ur_script", "x = weld({n})", "expected x(...)"},
      {"kuka_krl", "SPOT-WELD({n})@", "`@` at column 15 of the call is not allowed"},
      {"abb_rapid", "SpotWeld {n}", "must end with `;`"},
      {"abb_rapid", "SpotWeld {n} !x;", "`!` starts a comment"},
      {"fanuc_ls", "CALL SPOTWELD({n}) ;", "`;` at column 20 of the call is not allowed"},
      {"yaskawa_inform", "CALL JOB:SPOTWELD ARGF{n} 'x", "`'` starts a comment"},
      {"ur_script", "weld({n}) # gun", "`#` starts a comment"},
      {"ur_script", "weld({n}, \"{id})", "a string is not closed"},
      {"kuka_krl", "SPOT_WELD({n},{N})", "`{` at column 15 of the call is not a placeholder"},
      {"kuka_krl", "SPOT_W\xc3\x84LD({n})", "byte 0xc3"},
      // A fresh robot programmer (2026-12-07): the program itself or what it declares.
      {"abb_rapid", "main {n};", "main is a reserved word, built-in or a name the exported"},
      {"abb_rapid", "tool1 {n};", "tool1 has the form of a name the exported program declares"},
      {"kuka_krl", "XP1({n})", "XP1 has the form of a name the exported program declares"},
      {"abb_rapid", "PDispSet {n};", "PDispSet is a motion, I/O or flow statement"},
      {"abb_rapid", "EOffsSet {n};", "EOffsSet is a motion, I/O or flow statement"},
      {"ur_script", "powerdown({n})", "powerdown is a motion, I/O or flow statement"},
      {"yaskawa_inform", "CALL JOB:SHIFTON ARGF{n}", "SHIFTON is a reserved word"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dialect + ": " + c.call);
    const fs::path p =
        WriteSite("call.yaml", fmt::format("schedule: 2\nweld_call:\n  {}: '{}'\n", c.dialect,
                                           std::regex_replace(c.call, std::regex("'"), "''")));
    const std::string error = ErrorOf([&] { LoadSite(p); });
    if (c.expected.empty()) {
      EXPECT_EQ(error, "no error");
      continue;
    }
    EXPECT_THAT(error, HasSubstr(c.expected));
    // export.yaml:line:col, the key and the dialect.
    EXPECT_THAT(error, ContainsRegex(R"(call\.yaml:4:[0-9]+: error: weld_call\.)" + c.dialect +
                                     ": " + c.dialect + ": "));
    // A site built in code meets the same check in the writer and the reader (both take the
    // site with the dialect's defaults).
    Site site;
    site.weld_call[c.dialect] = c.call;
    const auto dialect = MakeDialect(c.dialect);
    EXPECT_THAT(ErrorOf([&] { WithDefaults(site, *dialect); }), HasSubstr(c.expected));
    const cell::Robot& robot = cell_->robots[0];
    const Program built =
        BuildProgram(*plan_, *cell_, 0, dialect->ProgramName("R1"), WithDefaults({}, *dialect));
    EXPECT_THROW(dialect->Write(built, robot, site), InputError);
    const std::vector<ProgramFile> files = dialect->Write(built, robot, {});
    EXPECT_THROW(dialect->Read(files, robot, site), InputError);
  }
  // Every dialect's default call and the ones the docs show pass.
  for (const std::string& d : DialectNames()) {
    EXPECT_EQ(ErrorOf([&] { WithDefaults({}, *MakeDialect(d)); }), "no error") << d;
  }
  const Site good = LoadSite(WriteSite("good_calls.yaml", R"Y(weld_call:
  kuka_krl: "SPOT_WELD({schedule},{n})"
  abb_rapid: "SpotWeld {n},{schedule}\\T:=0.5;"
  fanuc_ls: "CALL SPOTWELD({schedule},{n})"
  yaskawa_inform: "CALL JOB:WELD2 ARGF{schedule} ARGF{n}"
  ur_script: "gun_weld({n}, \"{id}\", {schedule})"
)Y"));
  for (const std::string& d : DialectNames()) {
    EXPECT_EQ(ErrorOf([&] { WithDefaults(good, *MakeDialect(d)); }), "no error") << d;
  }
}

// Tool and base numbers the controller does not hold (KRL TOOL_DATA[1..16], BASE_DATA[1..32];
// FANUC UTOOL 1..10, UFRAME 1..9; INFORM TOOL ..23) are errors at their export.yaml line.
TEST_F(NamesTest, ToolAndBaseNumbersBeyondTheControllersAreErrorsAtTheirLine) {
  const Site site = LoadSite(WriteSite("frames.yaml", "tool: 17\nbase: 10\n"));
  EXPECT_THAT(ErrorOf([&] { WithDefaults(site, *MakeDialect("kuka_krl")); }),
              ContainsRegex(R"(frames\.yaml:2:[0-9]+: error: tool: tool 17 is beyond kuka_krl's )"
                            R"(tool numbers 1\.\.16)"));
  EXPECT_THAT(ErrorOf([&] { WithDefaults(site, *MakeDialect("fanuc_ls")); }),
              HasSubstr("tool 17 is beyond fanuc_ls's tool numbers 1..10"));
  EXPECT_EQ(ErrorOf([&] { WithDefaults(site, *MakeDialect("yaskawa_inform")); }), "no error");
  EXPECT_THAT(ErrorOf([&] {
                WithDefaults(LoadSite(WriteSite("tool24.yaml", "tool: 24\n")),
                             *MakeDialect("yaskawa_inform"));
              }),
              HasSubstr("tool 24 is beyond yaskawa_inform's tool numbers 0..23"));
  const Site base = LoadSite(WriteSite("base.yaml", "base: 10\n"));
  EXPECT_THAT(ErrorOf([&] { WithDefaults(base, *MakeDialect("fanuc_ls")); }),
              ContainsRegex(R"(base\.yaml:2:[0-9]+: error: base: base 10 is beyond fanuc_ls's )"
                            R"(base numbers 0\.\.9)"));
  EXPECT_EQ(ErrorOf([&] { WithDefaults(base, *MakeDialect("kuka_krl")); }), "no error");
  // 0 where the controller has it: FANUC's UFRAME 0 (the world), INFORM's TOOL 0 (a fresh
  // robot programmer's defaults were refused as "must be >= 1"); elsewhere an error.
  const Site zero = LoadSite(WriteSite("zero.yaml", "tool: 0\nbase: 0\n"));
  const Site world = LoadSite(WriteSite("world.yaml", "base: 0\n"));
  EXPECT_EQ(ErrorOf([&] { WithDefaults(world, *MakeDialect("fanuc_ls")); }), "no error");
  EXPECT_EQ(ErrorOf([&] { WithDefaults(zero, *MakeDialect("yaskawa_inform")); }), "no error");
  EXPECT_THAT(ErrorOf([&] { WithDefaults(zero, *MakeDialect("kuka_krl")); }),
              HasSubstr("tool 0 is beyond kuka_krl's tool numbers 1..16"));
  EXPECT_THAT(ErrorOf([&] { WithDefaults(zero, *MakeDialect("abb_rapid")); }),
              HasSubstr("base 0 is beyond abb_rapid's base numbers 1..999"));
  EXPECT_EQ(ErrorOf([&] { WithDefaults(site, *MakeDialect("abb_rapid")); }), "no error");
  EXPECT_EQ(ErrorOf([&] { WithDefaults(site, *MakeDialect("ur_script")); }), "no error");
}

// A call whose name fits is read back only where the file holds exactly that call: a file with
// an over-long name in it is refused even when the site names that call.
TEST_F(NamesTest, TheReaderRefusesAnOverLongCallNameInAFile) {
  const auto krl = MakeDialect("kuka_krl");
  Site site;
  site.weld_call["kuka_krl"] = "SG_WELD({n})";
  const cell::Robot& robot = cell_->robots[1];
  const Program built = BuildProgram(*plan_, *cell_, 1, "demo_r2", WithDefaults(site, *krl));
  std::vector<ProgramFile> files = krl->Write(built, robot, site);
  ASSERT_NO_THROW(krl->Read(files, robot, site));
  const std::string longer(30, 'G');
  files[0].contents = std::regex_replace(files[0].contents, std::regex("SG_WELD\\("), longer + "(");
  Site long_site;
  long_site.weld_call["kuka_krl"] = longer + "({n})";
  EXPECT_THAT(ErrorOf([&] { krl->Read(files, robot, long_site); }),
              HasSubstr("has 30 characters, at most 24"));
}

// Weld ids with blanks or `;` were accepted by writer and reader (FANUC even turned `;` into
// `,` in its comments, so the id read back differed). They are refused: at the cell when
// exporting, in the file when reading.
TEST_F(NamesTest, WeldIdsAControllerCannotCarryAreRefusedByWriterAndReader) {
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    EXPECT_THAT(ErrorWithWeldId("W 1", {}, d),
                ContainsRegex("welds\\.csv:[0-9]+:1: error: welds\\[W 1\\]: weld id W 1 holds a "
                              "blank, which " +
                              d + " programs cannot carry"));
    EXPECT_THAT(ErrorWithWeldId("W1;x", {}, d), HasSubstr("weld id W1;x holds `;`"));
  }
  // FANUC and INFORM comments hold 32 characters: "weld " and 27 of the id.
  EXPECT_THAT(ErrorWithWeldId(std::string(28, 'W'), {}, "fanuc_ls"),
              HasSubstr("has 28 characters; fanuc_ls comments hold 32, so a weld id at most 27"));
  // {id} outside a string: the weld id must be a name of the dialect.
  Site bare;
  bare.weld_call["kuka_krl"] = "SPOT_WELD({n},{id})";
  EXPECT_THAT(ErrorWithWeldId("1W", bare, "kuka_krl"),
              HasSubstr("weld_call.kuka_krl has {id} outside a string, so the weld id must be a "
                        "kuka_krl name: name 1W starts with `1`"));
  EXPECT_NO_THROW(ExportPlan(*plan_, *cell_, bare, {.dialect = "kuka_krl"}));

  // Reader: a file whose weld comment carries such an id.
  const std::map<std::string, std::string> comment = {{"kuka_krl", "; weld "},
                                                      {"abb_rapid", "! weld "},
                                                      {"fanuc_ls", "! weld "},
                                                      {"yaskawa_inform", "'weld "},
                                                      {"ur_script", "# weld "}};
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const ExportResult r = ExportPlan(*plan_, *cell_, {}, {.dialect = d});
    const RobotExport& e = r.robots[0];
    std::vector<ProgramFile> files = e.files;
    int changed = 0;
    for (ProgramFile& f : files) {
      const std::size_t at = f.contents.find(comment.at(d) + "W");
      if (at == std::string::npos) continue;
      f.contents.insert(at + comment.at(d).size() + 1, " ");  // "weld W 05"
      ++changed;
      break;
    }
    ASSERT_EQ(changed, 1);
    const auto dialect = MakeDialect(d);
    EXPECT_THAT(ErrorOf([&] { dialect->Read(files, cell_->robots[0], e.site); }),
                HasSubstr("holds a blank"));
  }
}

// Issue 13: a weld id with `\` is an escape inside a RAPID or URScript string ("W\08" a
// character code): refused for those dialects, at the cell.
TEST_F(NamesTest, WeldIdsWithAStringEscapeAreRefusedWhereTheDialectEscapes) {
  for (const std::string d : {"abb_rapid", "ur_script"}) {
    SCOPED_TRACE(d);
    EXPECT_THAT(ErrorWithWeldId("W\\08", {}, d),
                ContainsRegex(R"(welds\.csv:[0-9]+:1: error: welds\[W\\08\]: weld id W\\08 holds )"
                              R"(`\\`, which starts an escape in )" +
                              d + " strings"));
  }
  EXPECT_EQ(ErrorWithWeldId("W\\08", {}, "kuka_krl"), "no error");
}

// Issue 13: a program named like the routine its weld call invokes calls itself at every weld
// (FANUC SPOTWELD.LS with CALL SPOTWELD(1,1)). An error naming the cell's key and the site's.
TEST_F(NamesTest, AProgramNamedLikeItsWeldRoutineIsAnError) {
  struct Case {
    std::string dialect, program, call;
  };
  const std::vector<Case> cases = {{"fanuc_ls", "spotweld", ""},
                                   {"yaskawa_inform", "SPOTWELD", ""},
                                   {"kuka_krl", "spot_weld", ""},
                                   {"abb_rapid", "SPOTWELD", ""},
                                   {"ur_script", "spot_weld", ""},
                                   {"ur_script", "gun_weld", "gun_weld({n})"},
                                   {"abb_rapid", "GunWeld", "gunweld {n};"}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.dialect + " " + k.program);
    cell::Cell c = *cell_;
    c.robots[0].controller.program = k.program;
    plan::Plan p = *plan_;
    p.cell_hash = plan::CellHash(c, p.seed);
    Site site;
    if (!k.call.empty()) {
      site = LoadSite(
          WriteSite("self.yaml", fmt::format("weld_call: {{{}: \"{}\"}}\n", k.dialect, k.call)));
    }
    const std::string e = ErrorOf([&] { ExportPlan(p, c, site, {.dialect = k.dialect}); });
    EXPECT_THAT(e,
                ContainsRegex(R"(cell\.yaml:41:[0-9]+: error: robots\[0\]\.controller\.program: )" +
                              k.dialect +
                              " program [A-Za-z_]+ has the name of the routine its "
                              "weld call invokes"));
    EXPECT_THAT(e, HasSubstr(k.call.empty() ? "`weld_call." + k.dialect + "` the dialect's default"
                                            : "`weld_call." + k.dialect + "` at "));
    if (!k.call.empty()) {
      EXPECT_THAT(e, ContainsRegex(R"(self\.yaml:2:[0-9]+)"));
    }
  }
  // URScript tells names apart by case: a program gun_weld calling GUN_WELD is another routine.
  cell::Cell c = *cell_;
  c.robots[0].controller.program = "gun_weld";
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(c, p.seed);
  Site other;
  other.weld_call["ur_script"] = "GUN_WELD({n})";
  EXPECT_NO_THROW(ExportPlan(p, c, other, {.dialect = "ur_script"}));
}

// Issue 13: two robots of different dialects whose programs get one name: the message names
// both dialects (it named the second robot's for both).
TEST_F(NamesTest, AProgramNameCollisionNamesEachRobotsDialect) {
  cell::Cell c = *cell_;
  c.robots[0].controller = {.dialect = "fanuc_ls", .program = "DEMO_R1"};
  c.robots[1].controller = {.dialect = "kuka_krl", .program = "demo_r1"};
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(c, p.seed);
  EXPECT_THAT(ErrorOf([&] { ExportPlan(p, c, {}); }),
              HasSubstr("robots R1 (DEMO_R1) and R2 (demo_r1) would both get a program demo_r1 "
                        "(fanuc_ls and kuka_krl"));
  // The key to change, as every loader error has one (a fresh user saw none).
  EXPECT_THAT(ErrorOf([&] { ExportPlan(p, c, {}); }),
              HasSubstr(": error: robots[1].controller.program: robots R1 "));
}

// Issue 13: the first move to home (no planned time: it starts wherever the robot stands) ran
// at full speed in RAPID (`vmax`) and URScript (`a=1.4, v=1.05`) whatever speed_override said;
// KRL, FANUC and INFORM scaled it. Every dialect scales it now, and reads the scale back.
TEST_F(NamesTest, TheFirstMoveHomeIsScaledBySpeedOverrideInEveryDialect) {
  Site slow;
  slow.speed_override = 0.5;
  slow.home_speed = 1.0;
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const ExportResult r = ExportPlan(*plan_, *cell_, slow, {.dialect = d});
    const Program& read = r.robots[0].program;
    const auto first =
        std::find_if(read.instructions.begin(), read.instructions.end(),
                     [](const Instruction& i) { return i.kind == InstructionKind::kMove; });
    ASSERT_NE(first, read.instructions.end());
    EXPECT_NEAR(first->speed, 0.5, 0.011);
    EXPECT_EQ(first->duration, 0.0);
  }
  const std::string rapid =
      ExportPlan(*plan_, *cell_, slow, {.dialect = "abb_rapid"}).robots[0].files[0].contents;
  EXPECT_THAT(rapid, HasSubstr("MoveAbsJ jP1,[2500.0,250.00,2500.0,500.00],fine,"));
  const std::string ur =
      ExportPlan(*plan_, *cell_, slow, {.dialect = "ur_script"}).robots[0].files[0].contents;
  EXPECT_THAT(ur, ContainsRegex(R"(movej\(\[[^]]+\], a=0\.7, v=0\.525, t=0\.000, r=0\))"));
  // Timed moves keep their a and v (t decides); at full speed the home move is unchanged.
  EXPECT_THAT(ur, ContainsRegex(R"(a=1\.4, v=1\.05, t=0\.[0-9]*[1-9])"));
  Site full;
  full.home_speed = 1.0;
  EXPECT_THAT(
      ExportPlan(*plan_, *cell_, full, {.dialect = "abb_rapid"}).robots[0].files[0].contents,
      HasSubstr("MoveAbsJ jP1,vmax,fine,"));
  // A reader refuses an a/v pair that is not one override of 1.4/1.05.
  const auto dialect = MakeDialect("ur_script");
  std::vector<ProgramFile> files = {
      {"r1.script", std::regex_replace(ur, std::regex("v=0\\.525"), "v=1.05")}};
  const ExportResult e = ExportPlan(*plan_, *cell_, slow, {.dialect = "ur_script"});
  files[0].name = e.robots[0].files[0].name;
  EXPECT_THAT(ErrorOf([&] { dialect->Read(files, cell_->robots[0], e.robots[0].site); }),
              HasSubstr("a and v must be"));
}

// New-user trial: every program started with a move home at full speed from wherever the robot
// stood (FANUC `J P[1] 100% FINE`, KRL `#VEL_PTP,100`, RAPID vmax, UR a=1.4 v=1.05). The first
// move runs at the site's home_speed (default 0.1) × speed_override in every dialect; the rest
// of the program keeps its speeds.
TEST_F(NamesTest, TheFirstMoveHomeRunsAtHomeSpeedInEveryDialect) {
  Site half;
  half.speed_override = 0.5;
  for (const auto& [site, expected] : {std::pair{Site{}, 0.1}, std::pair{half, 0.05}}) {
    for (const std::string& d : DialectNames()) {
      SCOPED_TRACE(d + " " + std::to_string(expected));
      const ExportResult r = ExportPlan(*plan_, *cell_, site, {.dialect = d});
      const Program& read = r.robots[0].program;
      std::vector<const Instruction*> moves;
      for (const Instruction& i : read.instructions) {
        if (i.kind == InstructionKind::kMove) moves.push_back(&i);
      }
      ASSERT_GE(moves.size(), 3u);
      EXPECT_NEAR(moves[0]->speed, expected, 0.006);
      EXPECT_GT(moves[1]->speed + moves[1]->duration, expected + 0.006);  // not slowed down
    }
  }
  auto file = [&](const std::string& d) {
    return ExportPlan(*plan_, *cell_, {}, {.dialect = d}).robots[0].files[0].contents;
  };
  EXPECT_THAT(file("fanuc_ls"), ContainsRegex(R"(J P\[1\] 10% FINE)"));
  EXPECT_THAT(file("kuka_krl"), HasSubstr("BAS (#VEL_PTP,10 )\r\nPTP XP1\r\n"));
  EXPECT_THAT(file("abb_rapid"), HasSubstr("MoveAbsJ jP1,[500.0,50.00,500.0,100.00],fine,"));
  EXPECT_THAT(file("ur_script"), ContainsRegex(R"(movej\(\[[^]]+\], a=0\.14, v=0\.105, t=0\.000)"));
  // export.yaml `home_speed`, checked at its line.
  EXPECT_EQ(LoadSite(WriteSite("home.yaml", "home_speed: 0.25\n")).home_speed, 0.25);
  EXPECT_THAT(ErrorOf([&] { LoadSite(WriteSite("home0.yaml", "home_speed: 0\n")); }),
              ContainsRegex(R"(home0\.yaml:2:[0-9]+: error: home_speed: expected a fraction)"));
}

// New-user trial: both RAPID modules declared `PERS tooldata wcTool1` with different TCPs (one
// datum shared by every task of a MultiMove controller), and `tool_load` was one mass for every
// gun. The tooldata is TASK PERS; tool_load may be given per robot or per tool.
TEST_F(NamesTest, RapidToolDataIsTaskLocalAndItsLoadIsPerRobotOrTool) {
  const std::string tool2 = cell_->robots[1].tool.name;
  const Site site = LoadSite(
      WriteSite("loads.yaml", fmt::format("tool_load:\n  R1: {{mass: 105, cog: [0, 0, 0.25]}}\n"
                                          "  {}: {{mass: 80, cog: [0, 0, 0.2]}}\n",
                                          tool2)));
  ASSERT_EQ(site.tool_loads.size(), 2u);
  const ExportResult r = ExportPlan(*plan_, *cell_, site, {.dialect = "abb_rapid"});
  ASSERT_EQ(r.robots.size(), 2u);
  const std::string& m1 = r.robots[0].files[0].contents;
  const std::string& m2 = r.robots[1].files[0].contents;
  EXPECT_THAT(m1, HasSubstr("    TASK PERS tooldata wcTool1:=[TRUE,"));
  EXPECT_THAT(m1, HasSubstr("[105.000,[0.000,0.000,250.000],[1,0,0,0],0,0,0]];"));
  EXPECT_THAT(m2, HasSubstr("    TASK PERS tooldata wcTool1:=[TRUE,"));
  EXPECT_THAT(m2, HasSubstr("[80.000,[0.000,0.000,200.000],[1,0,0,0],0,0,0]];"));
  EXPECT_THAT(m1 + m2, ::testing::Not(ContainsRegex("\n *PERS tooldata")));
  // The reader takes each robot's own load, and refuses the other's.
  const auto rapid = MakeDialect("abb_rapid");
  EXPECT_NO_THROW(rapid->Read(r.robots[1].files, cell_->robots[1], site));
  EXPECT_THROW(rapid->Read(r.robots[1].files, cell_->robots[0], site), InputError);
  // A name that is neither a robot nor a tool is an error at its line.
  const Site typo =
      LoadSite(WriteSite("typo.yaml", "tool_load:\n  R9: {mass: 105, cog: [0, 0, 0.25]}\n"));
  EXPECT_THAT(ErrorOf([&] { ExportPlan(*plan_, *cell_, typo, {.dialect = "abb_rapid"}); }),
              ContainsRegex(R"(typo\.yaml:3:[0-9]+: error: tool_load\.R9: R9 is neither a robot )"
                            R"(nor a tool of cell exporters_small: expected a robot \(R1, R2\) )"
                            R"(or a tool \()"));
  EXPECT_THAT(
      ErrorOf([&] {
        LoadSite(WriteSite("bad_load.yaml", "tool_load:\n  R1: {mass: -1, cog: [0, 0, 0]}\n"));
      }),
      ContainsRegex(R"(bad_load\.yaml:3:[0-9]+: error: tool_load\.R1\.mass: )"));
}

// New-user trial: a low speed_override was raised silently where the dialect cannot write it
// (KRL `#VEL_PTP,1` at 0.005, FANUC 1 %, INFORM VJ=0.01) while RAPID and URScript followed it.
// Below what a selected dialect can program is an error at its export.yaml line naming the
// minimum; the first move (speed_override x home_speed) too.
TEST_F(NamesTest, SpeedsBelowWhatADialectCanProgramAreErrorsAtTheirLine) {
  const Site low = LoadSite(WriteSite("low.yaml", "speed_override: 0.005\n"));
  for (const std::string d : {"kuka_krl", "fanuc_ls"}) {
    SCOPED_TRACE(d);
    EXPECT_THAT(ErrorOf([&] { ExportPlan(*plan_, *cell_, low, {.dialect = d}); }),
                ContainsRegex(R"(low\.yaml:2:[0-9]+: error: speed_override: speed_override 0\.005 )"
                              R"(is below the slowest speed )" +
                              d + R"( can program, 0\.01 .*give at least 0\.01)"));
  }
  for (const std::string d : {"abb_rapid", "yaskawa_inform", "ur_script"}) {
    EXPECT_NO_THROW(ExportPlan(*plan_, *cell_, low, {.dialect = d})) << d;
  }
  // URScript follows any override, in decimal notation (a new user saw `a=1.4e-05`).
  const Site crawl = LoadSite(WriteSite("crawl.yaml", "speed_override: 0.0001\n"));
  const std::string ur =
      ExportPlan(*plan_, *cell_, crawl, {.dialect = "ur_script"}).robots[0].files[0].contents;
  EXPECT_THAT(ur, HasSubstr("a=0.000014, v=0.0000105, t=0.000"));
  EXPECT_THAT(ur, Not(ContainsRegex(R"([0-9]e-[0-9])")));
  const Site tiny = LoadSite(WriteSite("tiny.yaml", "speed_override: 0.00005\n"));
  EXPECT_THAT(ErrorOf([&] { ExportPlan(*plan_, *cell_, tiny, {.dialect = "yaskawa_inform"}); }),
              HasSubstr("can program, 0.0001 (VJ=0.01)"));
  // The first move: 0.05 x the default home_speed 0.1 = 0.005, below KRL's 1 %.
  const Site slow = LoadSite(WriteSite("slow.yaml", "speed_override: 0.05\n"));
  EXPECT_THAT(ErrorOf([&] { ExportPlan(*plan_, *cell_, slow, {.dialect = "kuka_krl"}); }),
              ContainsRegex(R"(slow\.yaml:2:[0-9]+: error: speed_override: the first move to home )"
                            R"(runs at speed_override 0\.05 x home_speed 0\.1 = 0\.005, below .*)"
                            R"(give home_speed at least 0\.2)"));
  const Site slow_home =
      LoadSite(WriteSite("slow_home.yaml", "speed_override: 0.05\nhome_speed: 0.1\n"));
  EXPECT_THAT(ErrorOf([&] { ExportPlan(*plan_, *cell_, slow_home, {.dialect = "fanuc_ls"}); }),
              ContainsRegex(R"(slow_home\.yaml:3:[0-9]+: error: home_speed: )"));
  const Site ok = LoadSite(WriteSite("ok.yaml", "speed_override: 0.05\nhome_speed: 0.2\n"));
  const ExportResult r = ExportPlan(*plan_, *cell_, ok, {.dialect = "kuka_krl"});
  EXPECT_THAT(r.robots[0].files[0].contents, HasSubstr("BAS (#VEL_PTP,1 )\r\nPTP XP1\r\n"));
}

// New-user trial: UTF-8 robot names put non-ASCII bytes into program comments (LS, JBI, src,
// mod) and FANUC cut them mid-character. Comments are ASCII (`?` per character); the readers
// refuse any non-ASCII byte.
TEST_F(NamesTest, ProgramsAreAsciiAndReadersRefuseOtherBytes) {
  cell::Cell c = *cell_;
  plan::Plan p = *plan_;
  Rename(&c, &p, 0,
         "Schwei\xc3\x9f"
         "roboter_\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84");
  c.robots[0].controller.program = "weld_r1";
  p.cell_hash = plan::CellHash(c, p.seed);
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const ExportResult r = ExportPlan(p, c, {}, {.dialect = d});
    const RobotExport& e = r.robots[0];
    bool marked = false;
    for (const ProgramFile& f : e.files) {
      for (const char ch : f.contents) {
        const auto u = static_cast<unsigned char>(ch);
        ASSERT_TRUE(u == '\t' || u == '\r' || u == '\n' || (u >= 0x20 && u <= 0x7e))
            << f.name << " holds byte " << static_cast<int>(u);
      }
      marked = marked || f.contents.find("Schwei?roboter_??") != std::string::npos;
    }
    EXPECT_TRUE(marked);
    // A non-ASCII byte in a comment of a file: refused, naming the line.
    std::vector<ProgramFile> files = e.files;
    const std::size_t at = files[0].contents.find("Schwei?");
    ASSERT_NE(at, std::string::npos);
    files[0].contents.replace(at + 6, 1, "\xc3\x9f");
    EXPECT_THAT(ErrorOf([&] { MakeDialect(d)->Read(files, c.robots[0], e.site); }),
                ContainsRegex(files[0].name + ":[0-9]+: error: byte 0xc3 is not printable ASCII"));
  }
  EXPECT_EQ(internal::AsciiText("a\xc3\xa9"
                                "b\xe2\x82\xac"
                                "c\x01"),
            "a?b?c?");
}

// INFORM numbers the parts of a split job 01..99: a program needing more is an error at the
// site's max_positions naming the count and the limit (was "more than 99 parts" at a file).
// New-user trial: `Schweißroboter` gave the FANUC program SCHWEI__ (one `_` per byte of ß).
// A program name made from a robot name replaces each character (UTF-8 code point) once.
TEST(ProgramNames, ANonAsciiCharacterOfARobotNameBecomesOneUnderscore) {
  const std::string name =
      "Schwei\xc3\x9f"
      "roboter";
  EXPECT_EQ(MakeDialect("fanuc_ls")->ProgramName(name), "SCHWEI_R");
  EXPECT_EQ(MakeDialect("yaskawa_inform")->ProgramName(name), "SCHWEI_R");
  EXPECT_EQ(MakeDialect("kuka_krl")->ProgramName(name), "Schwei_roboter");
  EXPECT_EQ(MakeDialect("abb_rapid")->ProgramName(name), "Schwei_roboter");
  // A character of three and of four bytes: one `_` each.
  EXPECT_EQ(MakeDialect("abb_rapid")->ProgramName("R\xe2\x82\xac\xf0\x9f\x94\xa7x"), "R__x");
}

TEST_F(NamesTest, AnInformProgramOfMoreThan99PartsIsAnErrorAtMaxPositions) {
  const auto inform = MakeDialect("yaskawa_inform");
  const cell::Robot& robot = cell_->robots[0];
  Program p{.name = "LONG", .robot = robot.name};
  for (int k = 0; k < 250; ++k) {
    p.instructions.push_back({.kind = InstructionKind::kMove, .q = robot.home, .speed = 0.5});
  }
  const Site site = LoadSite(WriteSite("parts.yaml", "max_positions: 2\n"));
  EXPECT_THAT(ErrorOf([&] { inform->Write(p, robot, site); }),
              ContainsRegex(R"(parts\.yaml:2:[0-9]+: error: max_positions: R1: job LONG needs 125 )"
                            R"(parts of at most 2 positions; .*at most 99 parts)"));
  const Site enough = LoadSite(WriteSite("parts3.yaml", "max_positions: 3\n"));
  EXPECT_EQ(inform->Write(p, robot, enough).size(), 85u);  // 84 parts and the main job
}

// New-user trial: a robot without `controller:` in a cell where another robot waits for it got
// no program and no word about the handshake its hand-written program must keep.
TEST_F(NamesTest, ARobotWithoutAProgramThatOthersHandshakeWithIsWarnedAbout) {
  ASSERT_FALSE(plan_->zones.empty());
  cell::Cell c = *cell_;
  c.robots[1].controller = {};
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(c, p.seed);
  const ExportResult r = ExportPlan(p, c, {}, {.skip_robots_without_controller = true});
  ASSERT_EQ(r.skipped, std::vector<std::string>{"R2"});
  std::string all;
  for (const std::string& w : r.handshake_warnings) all += w + "\n";
  EXPECT_THAT(all, HasSubstr("robot R2 has no `controller:` (no program written) but other "
                             "robots' programs handshake with it: its hand-written program must "
                             "take and release zone " +
                             p.zones[0].id));
  EXPECT_THAT(all, HasSubstr("four-phase handshake"));
  // With both programs written, no such warning.
  EXPECT_TRUE(ExportPlan(*plan_, *cell_, {}).handshake_warnings.empty());
  // Robots that no program handshakes with are not warned about: neither robot has one.
  c.robots[0].controller = {};
  p.cell_hash = plan::CellHash(c, p.seed);
  const ExportResult none = ExportPlan(p, c, {}, {.skip_robots_without_controller = true});
  EXPECT_TRUE(none.robots.empty());
  EXPECT_TRUE(none.handshake_warnings.empty()) << none.handshake_warnings.front();
}

// Issue 13: only the first problem was reported (`tool: 17` on FANUC + KUKA named fanuc_ls
// only; URScript flagged zone_outputs but not zone_inputs; the first bad weld id only).
TEST_F(NamesTest, EveryProblemOfAnExportIsReportedAtOnce) {
  const Site tool = LoadSite(WriteSite("tool17.yaml", "tool: 17\nbase: 40\n"));
  const std::string e = ErrorOf([&] { ExportPlan(*plan_, *cell_, tool); });
  EXPECT_THAT(e, HasSubstr("tool 17 is beyond fanuc_ls's tool numbers 1..10"));
  EXPECT_THAT(e, HasSubstr("base 40 is beyond fanuc_ls's base numbers 0..9"));
  EXPECT_THAT(e, HasSubstr("tool 17 is beyond kuka_krl's tool numbers 1..16"));
  EXPECT_THAT(e, HasSubstr("base 40 is beyond kuka_krl's base numbers 1..32"));
  const Site io = LoadSite(WriteSite(
      "ur_io.yaml", "zone_inputs: {first: 300, count: 8}\nzone_outputs: {first: 300, count: 8}\n"));
  const std::string u = ErrorOf([&] { ExportPlan(*plan_, *cell_, io, {.dialect = "ur_script"}); });
  EXPECT_THAT(u, ContainsRegex(R"(ur_io\.yaml:2:[0-9]+: error: zone_inputs: I/O number 300)"));
  EXPECT_THAT(u, ContainsRegex(R"(ur_io\.yaml:3:[0-9]+: error: zone_outputs: I/O number 300)"));
  cell::Cell c = *cell_;
  plan::Plan p = *plan_;
  const std::vector<std::string> first = FirstWelds(p, 2);
  ASSERT_EQ(first.size(), 2u);
  RenameWeld(&c, &p, first[0], "W;1");
  RenameWeld(&c, &p, first[1], "W;2");
  const std::string w = ErrorOf([&] { ExportPlan(p, c, {}, {.dialect = "kuka_krl"}); });
  EXPECT_THAT(w, HasSubstr("welds[W;1]"));
  EXPECT_THAT(w, HasSubstr("welds[W;2]"));
}

// Issue 13: errors about the cell at export time named cell.yaml without a line. The cell
// loader records where each robot's controller and each weld id is written; every bad weld id
// is reported, each at its welds.csv line.
TEST_F(NamesTest, CellErrorsAtExportNameTheCellsLineAndEveryBadWeldId) {
  cell::Cell c = *cell_;
  plan::Plan p = *plan_;
  std::map<std::string, std::string> renamed;
  for (cell::Weld& w : c.welds) {
    {
      ASSERT_THAT(w.where.file, ::testing::EndsWith("welds.csv"));
      renamed[w.id] = w.id + "!";  // `!` starts a FANUC comment
      w.id += "!";
    }
  }
  for (plan::RobotPlan& rp : p.robots) {
    for (plan::Segment& s : rp.segments) {
      if (renamed.count(s.from)) s.from = renamed[s.from];
      if (renamed.count(s.to)) s.to = renamed[s.to];
    }
    for (plan::WeldVisit& v : rp.welds) {
      if (renamed.count(v.weld_id)) v.weld_id = renamed[v.weld_id];
    }
  }
  p.cell_hash = plan::CellHash(c, p.seed);
  const std::string e = ErrorOf([&] { ExportPlan(p, c, {}, {.dialect = "fanuc_ls"}); });
  for (const auto& [old_id, id] : renamed) {
    EXPECT_THAT(e, ContainsRegex(R"(welds\.csv:[0-9]+:1: error: welds\[)" + old_id +
                                 R"(!\]: weld id )" + old_id + "! holds `!`"));
  }
  // Issue 13: listed in file order (they came in each robot's program order: 19, 18, 17 …).
  std::vector<int> lines;
  const std::regex at(R"(welds\.csv:([0-9]+):1: error)");
  for (auto m = std::sregex_iterator(e.begin(), e.end(), at); m != std::sregex_iterator(); ++m) {
    lines.push_back(std::stoi((*m)[1]));
  }
  EXPECT_GE(lines.size(), 4u);
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end())) << e;
  // A robot without a controller: at its entry in cell.yaml.
  cell::Cell none = *cell_;
  none.robots[1].controller = {};
  plan::Plan q = *plan_;
  q.cell_hash = plan::CellHash(none, q.seed);
  EXPECT_THAT(ErrorOf([&] { ExportPlan(q, none, {}); }),
              ContainsRegex(R"(cell\.yaml:47:[0-9]+: error: robot R2 has no `controller)"));
}

// A program name the cell gives is used as written (case aside) or refused; FANUC cut
// "R1_MAIN_WELD" to "R1_MAIN_" silently, and a PLC selecting R1_MAIN_WELD found nothing.
TEST_F(NamesTest, AProgramNameGivenInTheCellIsUsedOrRefused) {
  cell::Cell c = *cell_;
  c.robots[0].controller.program = "R1_MAIN_WELD";
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(c, p.seed);
  EXPECT_THAT(ErrorOf([&] { ExportPlan(p, c, {}); }),
              ContainsRegex(
                  R"(cell\.yaml:41:[0-9]+: error: robots\[0\]\.controller\.program: R1_MAIN_WELD )"
                  R"(is not a fanuc_ls program name: name R1_MAIN_WELD has 12 )"
                  R"(characters, at most 8 are allowed \(fanuc_ls: at most 8)"));
  c.robots[0].controller.program = "r1-main";
  p.cell_hash = plan::CellHash(c, p.seed);
  EXPECT_THAT(ErrorOf([&] { ExportPlan(p, c, {}); }), HasSubstr("name r1-main holds `-`"));
  // Issue 13: names a weld call may hold but a program may not had a blank reason ("is not a
  // kuka_krl program name:  (…)"). Program names are letter, letters, digits, `_` everywhere.
  struct Bad {
    std::string dialect, program, reason;
  };
  for (const Bad& b : std::vector<Bad>{{"kuka_krl", "A$B", "name A$B holds `$`"},
                                       {"kuka_krl", "$OUT", "name $OUT starts with `$`"},
                                       {"ur_script", "_abc", "name _abc starts with `_`"},
                                       {"abb_rapid", "_abc", "name _abc starts with `_`"}}) {
    c.robots[0].controller = {.dialect = b.dialect, .program = b.program};
    p.cell_hash = plan::CellHash(c, p.seed);
    const std::string error = ErrorOf([&] { ExportPlan(p, c, {}); });
    EXPECT_THAT(error, HasSubstr("is not " + std::string(b.dialect == "abb_rapid" ? "an " : "a ") +
                                 b.dialect + " program name: " + b.reason));
    EXPECT_THAT(error, Not(HasSubstr(":  (")));
  }
  c.robots[0].controller = cell_->robots[0].controller;
  // Only the case changes: the name as the controller writes it, no warning.
  c.robots[0].controller.program = "r1_main";
  p.cell_hash = plan::CellHash(c, p.seed);
  const ExportResult r = ExportPlan(p, c, {});
  EXPECT_EQ(r.robots[0].program.name, "R1_MAIN");
  EXPECT_TRUE(r.warnings.empty());
}

// Without `controller.program` the robot's name is made a program name: a change is a warning
// naming both names, and two robots whose names end up alike are an error naming both.
TEST_F(NamesTest, ProgramNamesMadeFromRobotNamesWarnAndNeverCollide) {
  cell::Cell c = *cell_;
  // No cell dialect for the one given for all to differ from (that is a warning of its own).
  for (cell::Robot& robot : c.robots) robot.controller.dialect.clear();
  plan::Plan p = *plan_;
  Rename(&c, &p, 0, "left-arm");
  Rename(&c, &p, 1, "right.arm");
  const ExportResult r = ExportPlan(p, c, {}, {.dialect = "fanuc_ls"});
  EXPECT_EQ(r.robots[0].program.name, "LEFT_ARM");
  EXPECT_EQ(r.robots[1].program.name, "RIGHT_AR");
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_THAT(r.warnings[0], HasSubstr("robot left-arm: fanuc_ls program named LEFT_ARM, not "
                                       "left-arm: name left-arm holds `-`"));
  EXPECT_THAT(r.warnings[1], HasSubstr("robot right.arm: fanuc_ls program named RIGHT_AR, not "
                                       "right.arm"));
  // Both shorten to STATION_.
  Rename(&c, &p, 0, "station_robot_1");
  Rename(&c, &p, 1, "station_robot_2");
  EXPECT_THAT(ErrorOf([&] { ExportPlan(p, c, {}, {.dialect = "fanuc_ls"}); }),
              HasSubstr("robots station_robot_1 (station_robot_1) and station_robot_2 "
                        "(station_robot_2) would both get the fanuc_ls program STATION_"));
  // KRL takes 24 characters: both names as they are, no warning.
  const ExportResult krl = ExportPlan(p, c, {}, {.dialect = "kuka_krl"});
  EXPECT_EQ(krl.robots[1].program.name, "station_robot_2");
  EXPECT_TRUE(krl.warnings.empty());
}

// KRL (KRC, Windows), FANUC .LS and INFORM .JBI are CR LF; RAPID modules and URScript are LF.
// The readers refuse the other line end (the mutation test flips them).
TEST_F(NamesTest, EachDialectWritesTheLineEndsItsControllerExpects) {
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const bool crlf = d == "kuka_krl" || d == "fanuc_ls" || d == "yaskawa_inform";
    const ExportResult r = ExportPlan(*plan_, *cell_, {}, {.dialect = d});
    for (const RobotExport& e : r.robots) {
      for (const ProgramFile& f : e.files) {
        const std::string lf_only = std::regex_replace(f.contents, std::regex("\r\n"), "");
        if (crlf) {
          EXPECT_EQ(lf_only.find('\n'), std::string::npos) << f.name << ": a bare LF";
          EXPECT_EQ(lf_only.find('\r'), std::string::npos) << f.name << ": a bare CR";
        } else {
          EXPECT_EQ(f.contents.find('\r'), std::string::npos) << f.name << ": a CR";
        }
      }
    }
  }
}

// Errors about the plan name the file the user gave, not "plan.json".
TEST_F(NamesTest, PlanErrorsNameThePlanFileAsGiven) {
  const std::string file = "runs/station 4/plan.json";
  plan::Plan other = *plan_;
  other.cell_hash = "0000000000000000";
  EXPECT_THAT(ErrorOf([&] { ExportPlan(other, *cell_, {}, {.plan_file = file}); }),
              HasSubstr(file + ": error: the plan is of cell"));
  plan::Plan broken = *plan_;
  broken.robots[0].segments[0].times.clear();
  EXPECT_THAT(ErrorOf([&] { ExportPlan(broken, *cell_, {}, {.plan_file = file}); }),
              HasSubstr(file + ": error: robots[0].segments[0]: expected as many"));
}

// New-user trial: `program: sync` exported `def sync(): ... sync() ... sync()` (exit 0): a
// program named like a built-in, a reserved word or a name the program itself declares shadows
// or clashes with it. Refused at the cell's line in every dialect.
TEST_F(NamesTest, ProgramNamesThatAreReservedOrClashWithTheProgramsOwnNamesAreErrors) {
  struct Case {
    std::string dialect, program;
  };
  const std::vector<Case> cases = {{"ur_script", "sync"},
                                   {"ur_script", "get_configurable_digital_in"},
                                   {"ur_script", "read_input_boolean_register"},
                                   {"ur_script", "popup"},
                                   {"ur_script", "set_tcp"},
                                   {"ur_script", "def"},
                                   {"ur_script", "movej"},
                                   {"kuka_krl", "END"},
                                   {"kuka_krl", "BAS"},
                                   {"kuka_krl", "XP1"},
                                   {"kuka_krl", "ASYPTP"},
                                   // The controller's own programs and system modules.
                                   {"kuka_krl", "CELL"},
                                   {"kuka_krl", "SPS"},
                                   {"kuka_krl", "P00"},
                                   {"abb_rapid", "BASE"},
                                   {"abb_rapid", "user"},
                                   {"abb_rapid", "ENDPROC"},
                                   {"abb_rapid", "main"},
                                   {"abb_rapid", "jP1"},
                                   {"abb_rapid", "wobj0"},
                                   {"fanuc_ls", "CALL"},
                                   {"yaskawa_inform", "MOVJ"}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.dialect + " " + k.program);
    cell::Cell c = *cell_;
    c.robots[0].controller.program = k.program;
    plan::Plan p = *plan_;
    p.cell_hash = plan::CellHash(c, p.seed);
    EXPECT_THAT(ErrorOf([&] { ExportPlan(p, c, {}, {.dialect = k.dialect}); }),
                ContainsRegex(R"(cell\.yaml:41:[0-9]+: error: robots\[0\]\.controller\.program: )" +
                              k.dialect + " program " + k.program + ": "));
  }
  // Names that only contain such a word are fine.
  for (const Case& k : std::vector<Case>{
           {"ur_script", "weld_sync"}, {"kuka_krl", "XP1A"}, {"abb_rapid", "main_weld"}}) {
    SCOPED_TRACE(k.program);
    cell::Cell c = *cell_;
    c.robots[0].controller.program = k.program;
    plan::Plan p = *plan_;
    p.cell_hash = plan::CellHash(c, p.seed);
    EXPECT_NO_THROW(ExportPlan(p, c, {}, {.dialect = k.dialect}));
  }
  // The readers refuse such a program in a file.
  for (const Case& k : std::vector<Case>{{"ur_script", "sync"}, {"abb_rapid", "main"}}) {
    SCOPED_TRACE(k.dialect);
    const ExportResult r = ExportPlan(*plan_, *cell_, {}, {.dialect = k.dialect});
    std::vector<ProgramFile> files = r.robots[0].files;
    const std::string old = r.robots[0].program.name;
    for (ProgramFile& f : files) {
      f.contents = std::regex_replace(f.contents, std::regex("\\b" + old + "\\b"), k.program);
      f.name = k.program + f.name.substr(f.name.find('.'));
    }
    EXPECT_THAT(
        ErrorOf([&] { MakeDialect(k.dialect)->Read(files, cell_->robots[0], r.robots[0].site); }),
        HasSubstr("program name " + k.program + ": " + k.program + " is a reserved word"));
  }
}

// New-user trial: `weldcell check` passed cells whose programs `plan` refused only after
// planning. CheckCellPrograms (run by check, by plan before planning and by ExportPlan) needs
// no plan and reports every such problem at once, at the cell's lines.
TEST_F(NamesTest, CellProgramProblemsAreFoundWithoutAPlan) {
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(*cell_, {}); }), "no error");
  cell::Cell c = *cell_;
  c.robots[0].controller.program = "DEMO_R1_LONG";  // fanuc_ls: at most 8
  c.robots[1].controller = {.dialect = "fanuc_ls", .program = "CALL"};
  c.welds[0].id = "W,1";
  c.welds[1].id = "W\"2";
  c.welds[2].id = "W;3";
  c.welds[3].id = "W 4";
  const std::string e = ErrorOf([&] { CheckCellPrograms(c, {}); });
  EXPECT_THAT(e, ContainsRegex(R"(cell\.yaml:[0-9]+:[0-9]+: error: robots\[0\]\.controller\.)"
                               R"(program: DEMO_R1_LONG is not a fanuc_ls program name)"));
  EXPECT_THAT(e, ContainsRegex(R"(cell\.yaml:[0-9]+:[0-9]+: error: robots\[1\]\.controller\.)"
                               R"(program: fanuc_ls program CALL: .*reserved)"));
  for (const std::string id : {"W,1", "W\"2", "W;3", "W 4"}) {
    EXPECT_THAT(e, ContainsRegex(R"(welds\.csv:[0-9]+:1: error: welds\[)" + id + R"(\]: weld id)"))
        << id;
  }
  // Two robots given one program; two robot names that both become R_1.
  cell::Cell same = *cell_;
  same.robots[1].controller = {.dialect = "fanuc_ls", .program = "DEMO_R1"};
  EXPECT_THAT(ErrorOf([&] { CheckCellPrograms(same, {}); }),
              HasSubstr("error: robots[1].controller.program: robots R1 (DEMO_R1) and R2 "
                        "(DEMO_R1) would both get the fanuc_ls program DEMO_R1"));
  cell::Cell sanitized = *cell_;
  sanitized.robots[0].name = "R-1";
  sanitized.robots[1].name = "R 1";
  for (cell::Robot& r : sanitized.robots) r.controller = {.dialect = "kuka_krl"};
  EXPECT_THAT(ErrorOf([&] { CheckCellPrograms(sanitized, {}); }),
              HasSubstr("robots R-1 (R-1) and R 1 (R 1) would both get the kuka_krl program R_1"));
  // A robot without a controller is skipped (plan, check) or an error (export).
  cell::Cell none = *cell_;
  none.robots[1].controller = {};
  EXPECT_EQ(CheckCellPrograms(none, {}).skipped, std::vector<std::string>{"R2"});
  EXPECT_THAT(ErrorOf([&] { CheckCellPrograms(none, {}, "", false); }),
              HasSubstr("robot R2 has no `controller"));
}

// A program's joint values are the pendant values of the controller robot.yaml names
// (`controller_joints.dialect`): a FANUC's under an ABB header was written without a word. The
// cell's dialect against it is an error at its `controller.dialect` line; one dialect for all,
// at each robot it does not fit; a model that names no controller is written in any dialect, a
// warning where the cell gives the robot another controller.
TEST_F(NamesTest, AProgramIsForTheControllerTheRobotYamlSaysDrivesTheArm) {
  cell::Cell c = cell::LoadCell("tests/exporters/cells/small/cell.yaml").value;
  ASSERT_EQ(c.robots[0].model->controller.dialect, "fanuc_ls");
  ASSERT_EQ(c.robots[1].model->controller.dialect, "kuka_krl");
  const SourceLocation& declared = c.robots[1].model->controller.dialect_where;
  ASSERT_GT(declared.line, 0);
  EXPECT_EQ(declared.file, c.robots[1].model->source_file);
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(c, {}); }), "no error");
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const std::string all = ErrorOf([&] { CheckCellPrograms(c, {}, d); });
    EXPECT_EQ(all.find("robot R1 (fanuc_r2000ic165f) is driven by a fanuc_ls controller") !=
                  std::string::npos,
              d != "fanuc_ls")
        << all;
    EXPECT_EQ(all.find("robot R2 (kuka_kr210r2700extra) is driven by a kuka_krl controller") !=
                  std::string::npos,
              d != "kuka_krl")
        << all;
    if (d != "kuka_krl") {
      EXPECT_THAT(all, HasSubstr(fmt::format(
                           "robots[1].model: robot R2 (kuka_kr210r2700extra) is driven by a "
                           "kuka_krl controller (the cell gives it `controller: {{dialect: "
                           "kuka_krl}}`): its robot.yaml says so (`controller_joints.dialect: "
                           "kuka_krl` at {}:{}:{}), and the program's joint values are that "
                           "controller's; written as {} they would be for {} controllers, "
                           "none of which drives this arm",
                           declared.file, declared.line, declared.column, d, d)));
      EXPECT_THAT(all, HasSubstr("export it as kuka_krl (give --dialect kuka_krl or leave "
                                 "--dialect out)"));
    }
  }
  c.robots[1].controller.dialect = "abb_rapid";
  const SourceLocation& at = c.robots[1].dialect_where;
  EXPECT_THAT(ErrorOf([&] { CheckCellPrograms(c, {}); }),
              ::testing::StartsWith(fmt::format(
                  "{}:{}:{}: error: robots[1].controller.dialect: robot R2 "
                  "(kuka_kr210r2700extra) is driven by a kuka_krl controller: its robot.yaml "
                  "says so",
                  at.file, at.line, at.column)));
  EXPECT_THAT(ErrorOf([&] { CheckCellPrograms(c, {}); }),
              HasSubstr("give `controller: {dialect: kuka_krl}`, or the robot model of an arm "
                        "that abb_rapid controllers drive"));
  // Models that name no controller: any dialect; a warning where the cell says another.
  const cell::Cell undeclared = testing::WithoutOwnControllers(c);
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(undeclared, {}); }), "no error");
  EXPECT_TRUE(CheckCellPrograms(undeclared, {}).warnings.empty());
  const CellPrograms rapid = CheckCellPrograms(undeclared, {}, "abb_rapid");
  ASSERT_EQ(rapid.warnings.size(), 1u);  // R2's cell dialect is abb_rapid now
  EXPECT_THAT(rapid.warnings[0],
              HasSubstr("robot R1 (fanuc_r2000ic165f): written as abb_rapid, but the cell gives "
                        "it a fanuc_ls controller"));
  EXPECT_THAT(rapid.warnings[0], HasSubstr("check them against the abb_rapid controller's joint "
                                           "convention"));
}

// What a dialect refuses about the robot model itself (an axis count other than its 6, INFORM
// without the pulse calibration) was said only by Write, after planning (minutes on a large
// station). CheckCellPrograms applies the dialect's own rules (Dialect::RobotProblems, which
// Write and Read apply through CheckRobot): at the cell's `controller.dialect`, or, with one
// dialect for all (`export --dialect`), at the robot.yaml to change, as Write says it.
TEST_F(NamesTest, RobotsTheirDialectCannotTakeAreFoundWithoutAPlan) {
  // No pulses; models that name no controller (which would refuse yaskawa_inform besides).
  cell::Cell c =
      testing::WithoutOwnControllers(cell::LoadCell("tests/exporters/cells/small/cell.yaml").value);
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(c, {}); }), "no error");
  c.robots[1].controller.dialect = "yaskawa_inform";
  const std::unique_ptr<Dialect> inform = MakeDialect("yaskawa_inform");
  const std::vector<RobotProblem> own = inform->RobotProblems(c.robots[1]);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].key, "controller_joints.pulses");
  EXPECT_THAT(own[0].message, HasSubstr("robot R2 (kuka_kr210r2700extra) has no encoder pulse "
                                        "calibration (`controller_joints.pulses`)"));
  const SourceLocation& at = c.robots[1].dialect_where;
  ASSERT_GT(at.line, 0);
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(c, {}); }),
            fmt::format("{}:{}:{}: error: robots[1].controller.dialect: {}", at.file, at.line,
                        at.column, own[0].message));
  // The dialect's own check says the same, at the robot.yaml.
  const std::string model = c.robots[1].model->source_file;
  EXPECT_EQ(ErrorOf([&] { CheckRobot(*inform, c.robots[1]); }),
            model + ": error: controller_joints.pulses: " + own[0].message);
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(testing::WithPulses(c), {}); }), "no error");
  // One dialect for all: its rule for every robot, at each robot.yaml.
  const std::string all = ErrorOf([&] { CheckCellPrograms(c, {}, "yaskawa_inform"); });
  EXPECT_THAT(all, HasSubstr(c.robots[0].model->source_file +
                             ": error: controller_joints.pulses: robot R1 (fanuc_r2000ic165f)"));
  EXPECT_THAT(all, HasSubstr(model + ": error: controller_joints.pulses: robot R2"));
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(*cell_, {}, "yaskawa_inform"); }), "no error");

  // A 4-axis robot: no dialect takes it; without a controller it is not checked.
  cell::Cell tiny = cell::LoadCell("tests/planner/cell/good/cell.yaml").value;
  EXPECT_EQ(ErrorOf([&] { CheckCellPrograms(tiny, {}); }), "no error");
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    tiny.robots[0].controller.dialect = d;
    const std::vector<RobotProblem> problems = MakeDialect(d)->RobotProblems(tiny.robots[0]);
    ASSERT_EQ(problems.size(), d == "yaskawa_inform" ? 2u : 1u);
    EXPECT_EQ(problems[0].key, "chain");
    EXPECT_THAT(
        problems[0].message,
        ContainsRegex("^robot R1 \\(tiny_arm\\) has 4 movable joints \\(chain base_link -> "
                      "tool0 in .*tiny_robot\\.yaml\\); the " +
                      d + " exporter writes arms of exactly 6 axes \\(no external axes\\)"));
    // The cell's robot entry (it has no `controller:` in the file: the dialect is set here).
    const SourceLocation& entry = tiny.robots[0].dialect_where;
    ASSERT_GT(entry.line, 0);
    const std::string e = ErrorOf([&] { CheckCellPrograms(tiny, {}); });
    for (const RobotProblem& p : problems) {
      EXPECT_THAT(e, HasSubstr(fmt::format("{}:{}:{}: error: robots[0].controller.dialect: {}",
                                           entry.file, entry.line, entry.column, p.message)));
    }
    EXPECT_THAT(
        ErrorOf([&] { CheckRobot(*MakeDialect(d), tiny.robots[0]); }),
        HasSubstr(tiny.robots[0].model->source_file + ": error: chain: " + problems[0].message));
    tiny.robots[0].controller = {};
  }

  // A linear track and five rotary joints: six movable joints, but the track's millimetres were
  // written as J1's degrees. Every dialect refuses it as an external axis.
  auto track = std::make_shared<cell::RobotModel>(*c.robots[0].model);
  const auto first = std::find_if(track->joints.begin(), track->joints.end(),
                                  [](const cell::Joint& j) { return j.movable(); });
  ASSERT_NE(first, track->joints.end());
  first->type = cell::JointType::kPrismatic;
  ASSERT_EQ(track->dof(), 6);
  cell::Robot on_track = c.robots[0];
  on_track.model = track;
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const std::vector<RobotProblem> problems = MakeDialect(d)->RobotProblems(on_track);
    ASSERT_GE(problems.size(), 1u);
    EXPECT_EQ(problems[0].key, "chain");
    EXPECT_THAT(problems[0].message,
                HasSubstr("robot R1 (fanuc_r2000ic165f) has a linear joint " + first->name));
    EXPECT_THAT(problems[0].message,
                HasSubstr("writes arms of exactly 6 rotary axes (no external axes such as a "
                          "track)"));
  }
}

// New-user trial: with {id} outside a string a reserved word as weld id became an identifier in
// the call (`SpotWeld 2,ENDPROC;`, `SPOT_WELD(1,END)`).
TEST_F(NamesTest, ReservedWordsAreRefusedAsBareWeldIds) {
  Site bare;
  bare.weld_call["kuka_krl"] = "SPOT_WELD({n},{id})";
  bare.weld_call["abb_rapid"] = "SpotWeld {n},{id};";
  bare.weld_call["ur_script"] = "gun_weld({n}, {id})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"kuka_krl", "END"},  {"kuka_krl", "XP3"},   {"abb_rapid", "ENDPROC"},
      {"abb_rapid", "jP2"}, {"ur_script", "True"}, {"ur_script", "sync"}};
  for (const auto& [d, id] : cases) {
    SCOPED_TRACE(d + " " + id);
    EXPECT_THAT(ErrorWithWeldId(id, bare, d),
                HasSubstr("weld_call." + d + " has {id} outside a string, so the weld id must be " +
                          (d == "abb_rapid" ? "an " : "a ") + d + " name: " + id));
  }
  // In a string the same id is only text.
  Site quoted;
  quoted.weld_call["abb_rapid"] = "SpotWeld {n},\"{id}\";";
  EXPECT_EQ(ErrorWithWeldId("ENDPROC", quoted, "abb_rapid"), "no error");
}

// A fresh user (2026-12-07): `program: "DEMO R1"` was refused as "holds byte 0x20", and
// `Schweißroboter` as "byte 0xc3": the blank and the non-ASCII character are named as such.
TEST_F(NamesTest, AProgramNameSaysWhichCharacterItCannotHold) {
  cell::Cell c = *cell_;
  c.robots[0].controller.program = "DEMO R1";
  EXPECT_THAT(ErrorOf([&] { CheckCellPrograms(c, {}); }), HasSubstr("holds a blank"));
  c.robots[0].controller.program = "Schwei\xc3\x9froboter";
  EXPECT_THAT(ErrorOf([&] { CheckCellPrograms(c, {}); }),
              HasSubstr("holds a non-ASCII character (byte 0xc3: "));
}

// A fresh user (2026-12-07): `CALL SPOTWELD(1,W13)` (FANUC) and `CALL JOB:SPOTWELD ARGF1
// ARGFW13` (INFORM) were written and read back; neither controller takes a name as an argument
// (constants, strings, registers). {id} outside a string is refused there, in quotes it is text.
TEST_F(NamesTest, ABareWeldIdIsRefusedWhereArgumentsCannotBeNames) {
  Site bare;
  bare.weld_call["fanuc_ls"] = "CALL SPOTWELD({n},{id})";
  bare.weld_call["yaskawa_inform"] = "CALL JOB:SPOTWELD ARGF{n} ARGF{id}";
  EXPECT_THAT(ErrorWithWeldId("X13", bare, "fanuc_ls"),
              HasSubstr("weld_call.fanuc_ls: fanuc_ls: {id} outside a string: a CALL takes "
                        "constants, strings and registers as arguments, not names; write it as "
                        "a string ('{id}')"));
  EXPECT_THAT(ErrorWithWeldId("X13", bare, "yaskawa_inform"),
              HasSubstr("weld_call.yaskawa_inform: yaskawa_inform: {id} outside a string: CALL "
                        "JOB:'s ARGF takes constants, strings and registers as arguments, not "
                        "names; write it as a string (\"{id}\")"));
  Site quoted;
  quoted.weld_call["fanuc_ls"] = "CALL SPOTWELD({n},'{id}')";
  quoted.weld_call["yaskawa_inform"] = "CALL JOB:SPOTWELD ARGF{n} ARGF\"{id}\"";
  EXPECT_EQ(ErrorWithWeldId("X13", quoted, "fanuc_ls"), "no error");
  EXPECT_EQ(ErrorWithWeldId("X13", quoted, "yaskawa_inform"), "no error");
}

// New-user trial: `IndCMove ROB_1,6,{n};`, `MotionSup\Off,{n};`, KRL `ASYPTP({n})` and
// `SPL({n})` passed as weld calls (writer and reader): motions of independent or external axes,
// spline motions and supervision switches are refused like PTP and MoveAbsJ, at the site's
// line, in the writer and in the reader.
TEST_F(NamesTest, IndependentAxisSplineAndSupervisionStatementsAreNotWeldCalls) {
  struct Case {
    std::string dialect, call, statement;
  };
  const std::vector<Case> cases = {
      {"abb_rapid", "IndCMove ROB_1,6,{n};", "IndCMove"},
      {"abb_rapid", "IndRMove ROB_1,6,{n};", "IndRMove"},
      {"abb_rapid", "IndAMove ROB_1,6,{n};", "IndAMove"},
      {"abb_rapid", "MotionSup\\Off,{n};", "MotionSup"},
      {"abb_rapid", "PathAccLim TRUE,{n};", "PathAccLim"},
      {"abb_rapid", "StopMove {n};", "StopMove"},
      {"abb_rapid", "SearchExtJ {n};", "SearchExtJ"},
      {"abb_rapid", "TriggIO {n};", "TriggIO"},
      {"abb_rapid", "WZDisable {n};", "WZDisable"},
      {"kuka_krl", "ASYPTP({n})", "ASYPTP"},
      {"kuka_krl", "ASYLIN({n})", "ASYLIN"},
      {"kuka_krl", "SPL({n})", "SPL"},
      {"kuka_krl", "SPTP({n})", "SPTP"},
      {"kuka_krl", "ANIN({n})", "ANIN"},
      {"kuka_krl", "CWRITE({n})", "CWRITE"},
      {"ur_script", "path_offset_enable({n})", "path_offset_enable"},
      {"ur_script", "protective_stop({n})", "protective_stop"},
      {"ur_script", "conveyor_pulse_decode({n})", "conveyor_pulse_decode"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dialect + ": " + c.call);
    const std::string expected = c.statement + " is a motion, I/O or flow statement";
    const fs::path p =
        WriteSite("motion.yaml", fmt::format("weld_call:\n  {}: '{}'\n", c.dialect, c.call));
    const std::string error = ErrorOf([&] { LoadSite(p); });
    EXPECT_THAT(error, HasSubstr(expected));
    EXPECT_THAT(error, ContainsRegex(R"(motion\.yaml:3:[0-9]+: error: weld_call\.)" + c.dialect));
    Site site;
    site.weld_call[c.dialect] = c.call;
    const auto dialect = MakeDialect(c.dialect);
    const cell::Robot& robot = cell_->robots[0];
    const Program built =
        BuildProgram(*plan_, *cell_, 0, dialect->ProgramName("R1"), WithDefaults({}, *dialect));
    EXPECT_THAT(ErrorOf([&] { dialect->Write(built, robot, site); }), HasSubstr(expected));
    const std::vector<ProgramFile> files = dialect->Write(built, robot, {});
    EXPECT_THAT(ErrorOf([&] { dialect->Read(files, robot, site); }), HasSubstr(expected));
  }
}

}  // namespace
}  // namespace weldcell::exporters
