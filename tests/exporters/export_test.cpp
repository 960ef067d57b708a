// Every dialect on a plan made by the real planner: written, read back strictly, joint values
// converted back to URDF, forward kinematics at every weld against the planned pose, the
// exported joint polyline re-checked by the verifier, interlock structure, mutated files
// rejected.
#include "exporters/export.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numbers>
#include <regex>
#include <set>
#include <sstream>

#include "exporters/dialect.hpp"
#include "exporters/program.hpp"
#include "exporters/site.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/kinematics/controller_joints.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/verify.hpp"
#include "tests/exporters/test_support.hpp"
#include "tests/scratch.hpp"

// The station planned for the tests: the six-weld station by default, the demo station in
// exporters_demo_test (the same checks on a larger plan: 20 welds, 125 zones).
#ifndef WELDCELL_EXPORT_TEST_CELL
#define WELDCELL_EXPORT_TEST_CELL "tests/exporters/cells/small/cell.yaml"
#endif

namespace weldcell::exporters {
namespace {

using ::testing::HasSubstr;
constexpr double kDeg = std::numbers::pi / 180.0;

using testing::CheckWeldPoses;
using testing::WithPulses;

class ExportTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(cell::LoadCell(WELDCELL_EXPORT_TEST_CELL).value);
    const collision::CollisionWorld planner_world(*cell_);
    // A short allocation search and no re-allocation keep the planning quick (every test of
    // this suite runs in its own process under ctest); the plan is still the pipeline's.
    plan_ = new plan::Plan(
        pipeline::PlanCell(*cell_, planner_world,
                           {.threads = 2, .allocation_iterations = 2000, .rebalance_rounds = 0})
            .plan);
    pulsed_ = new cell::Cell(WithPulses(*cell_));
    world_ = new collision::CollisionWorld(verify::MakeVerifierWorld(*cell_));
  }
  static void TearDownTestSuite() {
    delete world_;
    delete pulsed_;
    delete plan_;
    delete cell_;
  }

  struct Exported {
    Program built, read;
    std::vector<ProgramFile> files;
    ProgramFigures figures;
  };
  static Exported Export(const std::string& dialect_name, int robot, const Site& site_in = {}) {
    const auto dialect = MakeDialect(dialect_name);
    const Site site = WithDefaults(site_in, *dialect);
    Exported e;
    const cell::Robot& r = pulsed_->robots[static_cast<std::size_t>(robot)];
    CornerCheck corners(*world_, *cell_, robot);
    e.built = BuildProgram(*plan_, *pulsed_, robot, dialect->ProgramName(r.name + "_weld"), site,
                           &e.figures, {.corners = &corners, .blend = dialect->limits().blend});
    e.files = dialect->Write(e.built, r, site);
    e.read = dialect->Read(e.files, r, site);
    return e;
  }
  static std::vector<Instruction> NoComments(const Program& p) {
    std::vector<Instruction> out;
    for (const Instruction& i : p.instructions) {
      if (i.kind != InstructionKind::kComment) out.push_back(i);
    }
    return out;
  }

  static cell::Cell* cell_;
  static plan::Plan* plan_;
  static cell::Cell* pulsed_;
  static collision::CollisionWorld* world_;  ///< The verifier's, for the corner proofs.
};
collision::CollisionWorld* ExportTest::world_ = nullptr;
cell::Cell* ExportTest::cell_ = nullptr;
plan::Plan* ExportTest::plan_ = nullptr;
cell::Cell* ExportTest::pulsed_ = nullptr;

TEST_P(ExportTest, ReadBackGivesTheProgramAndThePlannedWeldPoses) {
  ASSERT_FALSE(plan_->zones.empty()) << "the test station must have interlock zones";
  for (int r = 0; r < static_cast<int>(pulsed_->robots.size()); ++r) {
    SCOPED_TRACE(pulsed_->robots[static_cast<std::size_t>(r)].name);
    const Exported e = Export(GetParam(), r);
    const std::vector<Instruction> a = NoComments(e.built), b = NoComments(e.read);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].kind, b[i].kind) << i;
      EXPECT_EQ(a[i].signal, b[i].signal);
      EXPECT_EQ(a[i].value, b[i].value);
      EXPECT_EQ(a[i].role, b[i].role);
      EXPECT_EQ(a[i].weld_id, b[i].weld_id);
      EXPECT_EQ(a[i].weld_number, b[i].weld_number);
      if (a[i].kind == InstructionKind::kMove) {
        EXPECT_EQ(a[i].exact_stop, b[i].exact_stop);
        EXPECT_LT((a[i].q - b[i].q).cwiseAbs().maxCoeff(), 2e-4);
      }
    }
    const cell::Robot& robot = pulsed_->robots[static_cast<std::size_t>(r)];
    const plan::RobotPlan& rp =
        plan_->robots[static_cast<std::size_t>(PlanRobotIndex(*plan_, robot.name))];
    const auto [welds, worst_mm, worst_deg] = CheckWeldPoses(e.read, robot, rp);
    EXPECT_EQ(welds, static_cast<int>(rp.welds.size()));
    // Timing: the estimate of the read-back program against the planned motion time.
    const double estimated = EstimateMotionTime(e.read, robot);
    EXPECT_GT(estimated, 0.5 * e.figures.planned_motion_time);
    EXPECT_LT(estimated, 2.0 * e.figures.planned_motion_time);
    std::printf("%s %s: weld TCP error at most %.4f mm, %.5f deg\n", GetParam().c_str(),
                robot.name.c_str(), worst_mm, worst_deg);
    std::printf(
        "%s %s: %d moves for %d planned samples, corridor %.4f deg (max dev %.5f deg), %d of "
        "%d corners blended; motion %.2f s estimated vs %.2f s planned\n",
        GetParam().c_str(), robot.name.c_str(), e.figures.moves, e.figures.planned_samples,
        e.figures.corridor_tolerance / kDeg, e.figures.max_deviation / kDeg,
        e.figures.blended_corners, e.figures.blended_corners + e.figures.stopped_corners, estimated,
        e.figures.planned_motion_time);
  }
}

TEST_P(ExportTest, ExportedPolylineIsCollisionFreeForTheVerifier) {
  plan::Plan p = *plan_;
  p.zones.clear();
  p.weld_signals.clear();
  for (int r = 0; r < static_cast<int>(pulsed_->robots.size()); ++r) {
    const Exported e = Export(GetParam(), r);
    plan::Segment s{.kind = plan::SegmentKind::kMotion, .from = "home", .to = "home"};
    double t = 0;
    for (const Instruction& i : e.read.instructions) {
      if (i.kind != InstructionKind::kMove) continue;
      s.times.push_back(t);
      s.q.push_back(i.q);
      t += 1.0;
    }
    plan::RobotPlan& rp = p.robots[static_cast<std::size_t>(PlanRobotIndex(p, e.read.robot))];
    rp.segments = {s};
  }
  // The verifier's collision checks of robots against obstacles and themselves along the
  // exported polylines (robot–robot contact is what the interlocks order; not checked here).
  const verify::VerifyReport report =
      verify::Verify(p, *cell_, {.robustness_runs = 0, .threads = 2});
  EXPECT_GT(report.collision_checks, 1000);
  for (const verify::Violation& v : report.violations) {
    EXPECT_NE(v.kind, verify::ViolationKind::kCollision) << verify::ToString(v);
    EXPECT_NE(v.kind, verify::ViolationKind::kSelfCollision) << verify::ToString(v);
  }
}

TEST_P(ExportTest, EveryZoneWaitIsTakenAndReleasedAfterAnExactStop) {
  for (int r = 0; r < static_cast<int>(pulsed_->robots.size()); ++r) {
    const Exported e = Export(GetParam(), r);
    const std::vector<Instruction> x = NoComments(e.read);
    const Site zone_site = WithDefaults({}, *MakeDialect(GetParam()));
    int waits = 0, takes = 0, releases = 0, grants_withdrawn = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i].role != SignalRole::kZone) continue;
      // The last move before any I/O is an exact stop.
      for (std::size_t k = i; k-- > 0;) {
        if (x[k].kind == InstructionKind::kMove) {
          EXPECT_TRUE(x[k].exact_stop) << i;
          break;
        }
      }
      if (x[i].kind == InstructionKind::kWaitInput && !x[i].value) {
        // A release waits for the cell to withdraw the grant (four-phase handshake).
        ++grants_withdrawn;
        ASSERT_LT(i + 1, x.size());
        EXPECT_EQ(x[i + 1].kind, InstructionKind::kSetOutput);
        EXPECT_TRUE(x[i + 1].value);
        EXPECT_EQ(x[i + 1].signal - x[i].signal,
                  zone_site.zone_outputs.first - zone_site.zone_inputs.first);
      } else if (x[i].kind == InstructionKind::kWaitInput) {
        ++waits;
        ASSERT_LT(i + 1, x.size());
        EXPECT_EQ(x[i + 1].kind, InstructionKind::kSetOutput);
        EXPECT_FALSE(x[i + 1].value);
        // Its release comes later.
        bool released = false;
        for (std::size_t k = i + 2; k < x.size() && !released; ++k) {
          released = x[k].kind == InstructionKind::kSetOutput && x[k].signal == x[i + 1].signal &&
                     x[k].value;
        }
        EXPECT_TRUE(released) << "output " << x[i + 1].signal;
      } else if (x[i].kind == InstructionKind::kSetOutput) {
        ++(x[i].value ? releases : takes);
      }
    }
    int uses = 0;
    for (const plan::Zone& z : plan_->zones) {
      for (const plan::ZoneUse& u : z.uses) uses += u.robot == e.read.robot ? 1 : 0;
    }
    EXPECT_EQ(waits, uses);
    EXPECT_EQ(grants_withdrawn, uses);
    EXPECT_EQ(takes, uses);
    EXPECT_EQ(releases, 2 * uses);  // set clear at the start, released after use
  }
}

// A line of `text` matching `pattern` removed (the last one); the number of lines removed.
int RemoveLast(std::string* text, const std::string& pattern) {
  const std::regex re(pattern);
  std::size_t pos = text->size();
  while (pos > 0) {
    const std::size_t start =
        text->rfind('\n', pos - 2) == std::string::npos ? 0 : text->rfind('\n', pos - 2) + 1;
    std::string line = text->substr(start, pos - start);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (std::regex_search(line, re)) {
      text->erase(start, pos - start);
      return 1;
    }
    pos = start;
  }
  return 0;
}

TEST_P(ExportTest, MutatedFilesAreRejected) {
  const std::string d = GetParam();
  const auto dialect = MakeDialect(d);
  const Site site = WithDefaults({}, *dialect);
  const cell::Robot& robot = pulsed_->robots[0];
  const Exported e = Export(d, 0);
  auto rejects = [&](std::vector<ProgramFile> files, const std::string& what,
                     const std::string& expected = "") {
    try {
      dialect->Read(files, robot, site);
      ADD_FAILURE() << what << ": not rejected";
    } catch (const InputError& error) {
      EXPECT_THAT(error.what(), HasSubstr(expected)) << what;
    }
  };
  // A missing release of an interlock zone.
  const std::map<std::string, std::string> release = {
      {"kuka_krl", R"(\$OUT\[1[0-9][0-9]\]=TRUE)"},
      {"abb_rapid", R"(SetDO doZone[0-9]+,1;)"},
      {"fanuc_ls", R"(DO\[1[0-9][0-9]\]=ON)"},
      {"yaskawa_inform", R"(DOUT OT#\(1[0-9][0-9]\) ON)"},
      {"ur_script", R"(write_output_boolean_register\([0-9]+, True\))"}};
  {
    std::vector<ProgramFile> f = e.files;
    int removed = 0;
    if (d == "fanuc_ls") {
      // Keep the /MN numbering and LINE_COUNT right: the release becomes a remark.
      std::string& c = f[0].contents;
      const std::regex re(R"(DO\[1[0-9][0-9]\]=ON ;)");
      std::ptrdiff_t at = -1;
      for (auto it = std::sregex_iterator(c.begin(), c.end(), re); it != std::sregex_iterator();
           ++it) {
        at = it->position();
      }
      ASSERT_GE(at, 0);
      c.replace(static_cast<std::size_t>(at), 12, "! gone ;");
      removed = 1;
    } else {
      for (ProgramFile& file : f) removed += RemoveLast(&file.contents, release.at(d));
    }
    ASSERT_EQ(removed, 1);
    rejects(f, "missing release", "never released");
  }
  // A wrong count / an undefined reference: one position definition removed.
  const std::map<std::string, std::string> position = {{"kuka_krl", R"(DECL AXIS)"},
                                                       {"abb_rapid", R"(CONST jointtarget)"},
                                                       {"fanuc_ls", R"(LINE_COUNT)"},
                                                       {"yaskawa_inform", R"(///NPOS)"},
                                                       {"ur_script", R"(^[a-z0-9_]+\(\)$)"}};
  {
    std::vector<ProgramFile> f = e.files;
    int removed = 0;
    for (ProgramFile& file : f) removed += RemoveLast(&file.contents, position.at(d));
    ASSERT_EQ(removed, 1);
    rejects(f, "count / reference");
  }
  // Degrees where radians are expected (UR), radians or pulses off by a unit elsewhere: the
  // first joint value multiplied by 57.3 leaves the joint limits.
  {
    std::vector<ProgramFile> f = e.files;
    std::string& c = f.back().name.ends_with(".dat") ? f.back().contents : f.front().contents;
    std::string& target =
        d == "kuka_krl" ? (f[0].name.ends_with(".dat") ? f[0].contents : f[1].contents) : c;
    const std::regex first(d == "ur_script"   ? R"(movej\(\[([-0-9.]+), ([-0-9.]+))"
                           : d == "kuka_krl"  ? R"(A1 [-0-9.]+,A2 ([-0-9.]+))"
                           : d == "abb_rapid" ? R"(jP1:=\[\[[-0-9.]+,([-0-9.]+))"
                           : d == "fanuc_ls"  ? R"(J2= *([-0-9.]+) deg)"
                                              : R"(C00001=[-0-9]+,([-0-9]+))");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(target, m, first));
    const int group = d == "ur_script" ? 2 : 1;
    const double v = std::stod(m[group].str());
    // Pushed away from zero on the value's own side, so that no sign brings it back in range.
    const std::string scaled =
        std::to_string(v * (d == "ur_script" ? 180.0 / std::numbers::pi : 57.3) +
                       std::copysign(400.0 * (d == "yaskawa_inform" ? 1000 : 1), v));
    target.replace(
        static_cast<std::size_t>(m.position(group)), static_cast<std::size_t>(m.length(group)),
        d == "yaskawa_inform" ? std::to_string(std::llround(std::stod(scaled))) : scaled);
    rejects(f, "unit", "beyond its limits");
  }
  // Line endings.
  {
    std::vector<ProgramFile> f = e.files;
    for (ProgramFile& file : f) {
      if (file.contents.find("\r\n") != std::string::npos) {
        file.contents = std::regex_replace(file.contents, std::regex("\r\n"), "\n");
      } else {
        file.contents = std::regex_replace(file.contents, std::regex("\n"), "\r\n");
      }
    }
    rejects(f, "line endings");
  }
  // A program name beyond the dialect's limit (file name and name inside agree).
  {
    std::vector<ProgramFile> f = e.files;
    const std::string longer = e.read.name + std::string(40, 'X');
    for (ProgramFile& file : f) {
      file.name = longer + file.name.substr(e.read.name.size());
      std::size_t at = 0;
      while ((at = file.contents.find(e.read.name, at)) != std::string::npos) {
        file.contents.replace(at, e.read.name.size(), longer);
        at += longer.size();
      }
    }
    rejects(f, "name length");
  }
  // The exact stop before a zone wait turned into an approximated point.
  const std::map<std::string, std::pair<std::string, std::string>> blend = {
      {"kuka_krl", {R"((PTP XP[0-9]+)(\r\n(?:;[^\n]*\n)*WAIT FOR))", "$1 C_PTP$2"}},
      {"abb_rapid", {R"((MoveAbsJ [^\n]*),fine,([^\n]*\n(?: *![^\n]*\n)* *WaitDI))", "$1,z1,$2"}},
      {"fanuc_ls", {R"(FINE(    ;\r\n(?:[^\n]*![^\n]*\n)*[^\n]*WAIT DI))", "CNT10$1"}},
      {"yaskawa_inform", {R"((MOVJ C[0-9]+ VJ=[0-9.]+)(\r\n(?:'[^\n]*\n)*WAIT IN))", "$1 PL=1$2"}},
      {"ur_script", {R"(r=0\)(\n(?:  #[^\n]*\n)*  while not read_input))", "r=0.001)$1"}}};
  {
    std::vector<ProgramFile> f = e.files;
    int changed = 0;
    for (ProgramFile& file : f) {
      const std::string before = file.contents;
      file.contents =
          std::regex_replace(file.contents, std::regex(blend.at(d).first), blend.at(d).second,
                             std::regex_constants::format_first_only);
      changed += file.contents != before ? 1 : 0;
    }
    ASSERT_EQ(changed, 1);
    rejects(f, "approximated point before a wait", "after an approximated move");
  }
  if (d == "abb_rapid") {
    // Without a load the site's tool1 is used and the TCP it must hold is stated; with one, the
    // module declares the gun's tooldata from the cell's TCP.
    EXPECT_THAT(e.files[0].contents,
                ::testing::ContainsRegex(R"(! tool1 \(the site's\) must hold the TCP \[\[)"));
    Site loaded = site;
    loaded.tool_mass = 105;
    loaded.tool_cog = {0.0, 0.0, 0.25};
    const Exported t = Export(d, 0, loaded);
    const Eigen::Vector3d p = 1000 * robot.tool.X_FT.translation();
    EXPECT_THAT(
        t.files[0].contents,
        HasSubstr(fmt::format("    TASK PERS tooldata wcTool1:=[TRUE,[[{:.3f},{:.3f},{:.3f}],",
                              p.x(), p.y(), p.z())));
    EXPECT_THAT(t.files[0].contents,
                HasSubstr("[105.000,[0.000,0.000,250.000],[1,0,0,0],0,0,0]];"));
    EXPECT_THAT(t.files[0].contents, HasSubstr(",wcTool1\\WObj:=wobj0;"));
    std::vector<ProgramFile> f = t.files;
    f[0].contents = std::regex_replace(f[0].contents, std::regex(R"(\[TRUE,\[\[([-0-9.]+),)"),
                                       "[TRUE,[[1$1,", std::regex_constants::format_first_only);
    EXPECT_THROW(dialect->Read(f, robot, loaded), InputError);  // another TCP
  }
  if (d == "ur_script") {
    // URScript has no spot_weld: the program defines the default (which stops with a message)
    // unless the site names its own call; a call without it would not run.
    EXPECT_THAT(e.files[0].contents, HasSubstr("\n  def spot_weld(n, schedule):\n"));
    std::vector<ProgramFile> f = e.files;
    f[0].contents = std::regex_replace(f[0].contents, std::regex("  def spot_weld[^]*?  end\n"), "",
                                       std::regex_constants::format_first_only);
    ASSERT_EQ(f[0].contents.find("def spot_weld"), std::string::npos);
    rejects(f, "undefined spot_weld", "not defined");
    Site own = site;
    own.weld_call["ur_script"] = "gun_weld({n})";
    const Program p = Export(d, 0, own).read;
    EXPECT_EQ(dialect->Write(p, robot, own)[0].contents.find("def spot_weld"), std::string::npos);
  }
  if (d == "kuka_krl") {
    std::vector<ProgramFile> f = e.files;
    ASSERT_EQ(RemoveLast(&f[0].contents, "^WAIT SEC 0$"), 1);
    rejects(f, "advance run", "advance run");
    // The header and declarations a KRC expects (dialect-examples/WELD_C1.src).
    for (const ProgramFile& file : e.files) {
      EXPECT_TRUE(file.contents.starts_with(
          "&ACCESS RVP\r\n&REL 1\r\n&PARAM TEMPLATE = C:\\KRC\\Roboter\\Template\\vorgabe\r\n"
          "&PARAM EDITMASK = *\r\n"))
          << file.name;
    }
    EXPECT_THAT(
        e.files[0].contents,
        HasSubstr("\r\nEXT BAS (BAS_COMMAND :IN,REAL :IN )\r\nEXT SPOT_WELD (INT :IN,INT :IN "
                  ")\r\n;FOLD INI\r\n  BAS (#INITMOV,0 )\r\n;ENDFOLD (INI)\r\n"));
    f = e.files;
    ASSERT_EQ(RemoveLast(&f[0].contents, "^EXT BAS "), 1);
    rejects(f, "no EXT BAS", "before its declaration");
    f = e.files;
    ASSERT_EQ(RemoveLast(&f[1].contents, "^&PARAM EDITMASK"), 1);
    rejects(f, "header", "header line");
    f = e.files;
    ASSERT_EQ(RemoveLast(&f[0].contents, "INITMOV"), 1);
    rejects(f, "no INITMOV", "INITMOV");
  }
  // A reference made ambiguous: a position declared twice (a weld called twice for URScript,
  // which declares nothing).
  const std::map<std::string, std::pair<std::string, std::string>> twice = {
      {"kuka_krl", {R"((DECL AXIS XP1=[^\n]*\n))", "$1$1"}},
      {"abb_rapid", {R"(( *CONST jointtarget jP1:=[^\n]*\n))", "$1$1"}},
      {"fanuc_ls", {R"(P\[2\]\{)", "P[1]{"}},
      {"yaskawa_inform", {R"((C00001=[^\n]*\n))", "$1$1"}},
      {"ur_script", {R"((  spot_weld\([^\n]*\n))", "$1$1"}}};
  {
    std::vector<ProgramFile> f = e.files;
    int changed = 0;
    for (ProgramFile& file : f) {
      const std::string before = file.contents;
      file.contents =
          std::regex_replace(file.contents, std::regex(twice.at(d).first), twice.at(d).second,
                             std::regex_constants::format_first_only);
      changed += file.contents != before ? 1 : 0;
    }
    ASSERT_EQ(changed, 1);
    rejects(f, "declared twice");
  }
  // A take without its wait.
  const std::map<std::string, std::string> wait = {{"kuka_krl", R"(WAIT FOR \$IN)"},
                                                   {"abb_rapid", R"(WaitDI diZone)"},
                                                   {"fanuc_ls", R"(LINE_COUNT)"},
                                                   {"yaskawa_inform", R"(WAIT IN#)"},
                                                   {"ur_script", R"(sync\(\))"}};
  {
    std::vector<ProgramFile> f = e.files;
    for (ProgramFile& file : f) RemoveLast(&file.contents, wait.at(d));
    rejects(f, "wait");
  }
}

INSTANTIATE_TEST_SUITE_P(Dialects, ExportTest, ::testing::ValuesIn(DialectNames()),
                         [](const auto& info) { return info.param; });

// The controller conventions, value by value (a symmetric bug in writer and reader would not
// show in a read-back).
TEST_F(ExportTest, FanucJ3IncludesJ2AndYaskawaPulsesUseScaleSignAndZero) {
  // R1 is the FANUC of the cell: J2 = q2, J3 = -q3 - q2 (robot.yaml).
  const Exported fanuc = Export("fanuc_ls", 0);
  const Eigen::VectorXd q = NoComments(fanuc.built)[0].q;  // home
  const std::string& ls = fanuc.files[0].contents;
  const std::regex j3(
      R"(P\[1\]\{\r\n   GP1:\r\n\tUF : 1, UT : 1,\r\n\tJ1= *([-0-9.]+) deg,\tJ2= *([-0-9.]+) deg,\tJ3= *([-0-9.]+) deg)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(ls, m, j3));
  EXPECT_NEAR(std::stod(m[2].str()), q[1] / kDeg, 1e-3);
  EXPECT_NEAR(std::stod(m[3].str()), (-q[2] - q[1]) / kDeg, 1e-3);
  ASSERT_GT(std::abs(q[1]), 0.1);  // the coupling matters at this home

  const Exported jbi = Export("yaskawa_inform", 1);  // R2: the KUKA model, offsets and signs
  const Eigen::VectorXd h = NoComments(jbi.built)[0].q;
  const cell::ControllerJoints& cj = pulsed_->robots[1].model->controller;
  const std::regex c0(
      R"(C00000=(-?[0-9]+),(-?[0-9]+),(-?[0-9]+),(-?[0-9]+),(-?[0-9]+),(-?[0-9]+)\r\n)");
  ASSERT_TRUE(std::regex_search(jbi.files[0].contents, m, c0));
  for (int i = 0; i < 6; ++i) {
    const double deg = cj.signs[static_cast<std::size_t>(i)] *
                       (h[i] + cj.offsets[static_cast<std::size_t>(i)]) / kDeg;
    EXPECT_EQ(std::stoll(m[i + 1].str()),
              std::llround(cj.pulse_zero[static_cast<std::size_t>(i)] +
                           cj.pulses_per_degree[static_cast<std::size_t>(i)] * deg))
        << "axis " << i + 1;
  }
}

// KRL positions give the robot's six axes and no external axis: E6AXIS points with E1..E6 at 0
// would drive a servo gun (KUKA.ServoGun's E1) closed at every travel point. A point with an
// external axis is refused by the reader.
TEST_F(ExportTest, KrlPositionsDriveOnlyTheRobotsOwnAxes) {
  const Exported krl = Export("kuka_krl", 1);
  const ProgramFile& dat = krl.files[1];
  ASSERT_TRUE(dat.name.ends_with(".dat")) << dat.name;
  const std::regex axis(R"(DECL AXIS XP[0-9]+=\{A1 [-0-9.]+,A2 [-0-9.]+,A3 [-0-9.]+,A4 [-0-9.]+,)"
                        R"(A5 [-0-9.]+,A6 [-0-9.]+\}\r\n)");
  const auto points = std::distance(
      std::sregex_iterator(dat.contents.begin(), dat.contents.end(), axis), std::sregex_iterator());
  EXPECT_GT(points, 1);
  std::ptrdiff_t declarations = 0;
  for (std::size_t at = dat.contents.find("DECL "); at != std::string::npos;
       at = dat.contents.find("DECL ", at + 1)) {
    ++declarations;
  }
  EXPECT_EQ(points, declarations) << dat.contents;
  EXPECT_EQ(dat.contents.find("E1"), std::string::npos) << dat.contents;

  std::vector<ProgramFile> files = krl.files;
  std::string& c = files[1].contents;
  const std::size_t close = c.find("}\r\n", c.find("DECL AXIS XP1="));
  ASSERT_NE(close, std::string::npos);
  c.insert(close, ",E1 0.0");
  EXPECT_THROW(MakeDialect("kuka_krl")->Read(files, pulsed_->robots[1], Site{}), InputError);
}

// The gun's load reaches the controllers that take it from the program: KRL sets the tool with
// BAS (#TOOL,n), which also sets $LOAD = LOAD_DATA[n] (`$TOOL = TOOL_DATA[n]` left the last
// load in force); URScript sets the site's tool_load with set_payload (it set only the TCP).
TEST_F(ExportTest, KrlAndUrProgramsSetTheGunsLoad) {
  Site site;
  site.tool = 3;
  site.base = 2;
  const Exported krl = Export("kuka_krl", 1, site);
  EXPECT_NE(krl.files[0].contents.find("BAS (#TOOL,3 )\r\nBAS (#BASE,2 )\r\n"), std::string::npos)
      << krl.files[0].contents;
  EXPECT_EQ(krl.files[0].contents.find("TOOL_DATA"), std::string::npos);

  Site loaded;
  loaded.tool_mass = 105.0;
  loaded.tool_cog = {0.01, 0.0, 0.25};
  const Exported ur = Export("ur_script", 1, loaded);
  EXPECT_NE(ur.files[0].contents.find("\n  set_payload(105.000, [0.010000, 0.000000, 0.250000])\n"),
            std::string::npos)
      << ur.files[0].contents;
  EXPECT_EQ(Export("ur_script", 1).files[0].contents.find("set_payload"), std::string::npos);
  // A dialect that takes the load from the controller says that the site's is not written.
  loaded.tool_loads["R1"] = {.mass = 105.0, .cog = {0, 0, 0.25}};
  const std::vector<std::string> warnings = CheckCellPrograms(*cell_, loaded).warnings;
  EXPECT_THAT(warnings, ::testing::Contains(HasSubstr(
                            "R1 (fanuc_ls): the site's tool_load is not written into its "
                            "program: fanuc_ls takes the gun's load from the controller's payload "
                            "schedule (PAYLOAD[n]); set it there")));
}

TEST_F(ExportTest, LongInformProgramsAreSplitIntoPartsThatAMainJobCalls) {
  Site site;
  site.max_positions = 10;
  const auto dialect = MakeDialect("yaskawa_inform");
  const Exported e = Export("yaskawa_inform", 0, site);
  const Site s = WithDefaults(site, *dialect);
  ASSERT_GT(e.files.size(), 3u);
  EXPECT_EQ(e.files[0].name, e.built.name + ".JBI");
  EXPECT_THAT(e.files[0].contents, HasSubstr("///NPOS 0,0,0,0,0,0\r\n"));
  for (std::size_t k = 1; k < e.files.size(); ++k) {
    const std::string part = e.files[k].name.substr(0, e.files[k].name.size() - 4);
    EXPECT_LE(part.size(), 8u);
    EXPECT_THAT(e.files[0].contents, HasSubstr("CALL JOB:" + part + "\r\n"));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(e.files[k].contents, m, std::regex("///NPOS ([0-9]+),")));
    EXPECT_LE(std::stoi(m[1].str()), 10);
  }
  // The parts read back as the whole program.
  const std::vector<Instruction> a = NoComments(e.built), b = NoComments(e.read);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].kind, b[i].kind) << i;
  // A part missing, or called twice, is rejected.
  std::vector<ProgramFile> f = e.files;
  f.erase(f.begin() + 2);
  EXPECT_THROW(dialect->Read(f, pulsed_->robots[0], s), InputError);
  f = e.files;
  f[0].contents = std::regex_replace(f[0].contents, std::regex("CALL JOB:([A-Z0-9_]+)02"),
                                     "CALL JOB:$101", std::regex_constants::format_first_only);
  EXPECT_THROW(dialect->Read(f, pulsed_->robots[0], s), InputError);
}

// Issue 13: max_positions was honoured only where a run of moves began (`///NPOS 17` with 3 or
// 2): every part holds at most max_positions positions, and the reader refuses more.
TEST_F(ExportTest, NoInformPartHoldsMorePositionsThanTheSiteAllows) {
  const auto dialect = MakeDialect("yaskawa_inform");
  for (int limit : {2, 3, 7}) {
    SCOPED_TRACE(limit);
    Site site;
    site.max_positions = limit;
    const Exported e = Export("yaskawa_inform", 0, site);
    ASSERT_GT(e.files.size(), 3u);
    int total = 0;
    for (std::size_t k = 1; k < e.files.size(); ++k) {
      std::smatch m;
      ASSERT_TRUE(std::regex_search(e.files[k].contents, m, std::regex("///NPOS ([0-9]+),")));
      EXPECT_LE(std::stoi(m[1].str()), limit) << e.files[k].name;
      total += std::stoi(m[1].str());
    }
    EXPECT_EQ(total, e.figures.moves);
  }
  Site wide;
  wide.max_positions = 10;
  const Exported e = Export("yaskawa_inform", 0, wide);
  Site narrow;
  narrow.max_positions = 3;
  EXPECT_THAT(
      [&] {
        try {
          dialect->Read(e.files, pulsed_->robots[0], WithDefaults(narrow, *dialect));
        } catch (const InputError& x) {
          return std::string(x.what());
        }
        return std::string("no error");
      }(),
      ::testing::ContainsRegex("///NPOS [0-9]+ is more than the 3 positions a job may hold"));
}

TEST_F(ExportTest, SpeedOverrideSlowsAndExactStopsEverywhereWhenAsked) {
  const cell::Robot& robot = pulsed_->robots[0];
  const Exported normal = Export("abb_rapid", 0);
  const Exported slow = Export("abb_rapid", 0, {.speed_override = 0.5});
  // Time dialects: every programmed time doubles (the estimate less: moves between exact stops
  // are bound by the ramps at full speed).
  auto programmed = [](const Program& p) {
    double t = 0;
    for (const Instruction& i : p.instructions)
      t += i.kind == InstructionKind::kMove ? i.duration : 0;
    return t;
  };
  EXPECT_NEAR(programmed(slow.read) / programmed(normal.read), 2.0, 0.01);
  EXPECT_GT(EstimateMotionTime(slow.read, robot), 1.3 * EstimateMotionTime(normal.read, robot));
  const Exported fanuc_slow = Export("fanuc_ls", 0, {.speed_override = 0.5});
  // Percent dialects: half the cruise speed, shorter ramps (short moves are ramp-bound).
  EXPECT_GT(EstimateMotionTime(fanuc_slow.read, robot),
            1.1 * EstimateMotionTime(Export("fanuc_ls", 0).read, robot));
  const Exported exact = Export("kuka_krl", 0, {.approximate = false});
  int moves = 0;
  for (const Instruction& i : exact.read.instructions) {
    if (i.kind != InstructionKind::kMove) continue;
    ++moves;
    EXPECT_TRUE(i.exact_stop);
  }
  EXPECT_EQ(moves, normal.figures.moves);
  EXPECT_EQ(exact.files[0].contents.find(" C_PTP\r\n"), std::string::npos);
}

// Moves shorter than min_move_time (the planned path's curved stretches give 10–20 ms pieces
// at a 0.01 deg corridor) are merged where the chord stays within merge_tolerance and is proved
// free; the verifier re-checks the result (ExportedPolylineIsCollisionFreeForTheVerifier).
TEST_F(ExportTest, ShortMovesAreMergedWithinTheMergeTolerance) {
  auto short_moves = [](const Program& p, double below) {
    int n = 0;
    for (const Instruction& i : p.instructions) {
      n += i.kind == InstructionKind::kMove && i.duration > 0 && i.duration < below ? 1 : 0;
    }
    return n;
  };
  for (int r = 0; r < static_cast<int>(pulsed_->robots.size()); ++r) {
    const Exported unmerged = Export("abb_rapid", r, {.min_move_time = 0});
    const Exported merged = Export("abb_rapid", r);
    const Site site;
    EXPECT_EQ(unmerged.figures.merged_moves, 0);
    EXPECT_LE(unmerged.figures.max_deviation, site.corridor_tolerance);
    EXPECT_GT(merged.figures.merged_moves, 0);
    EXPECT_LE(merged.figures.max_deviation, site.merge_tolerance);
    const int before = short_moves(unmerged.read, site.min_move_time);
    const int after = short_moves(merged.read, site.min_move_time);
    std::printf("R%d: moves shorter than %.0f ms: %d of %d unmerged, %d of %d merged\n", r + 1,
                site.min_move_time * 1000, before, unmerged.figures.moves, after,
                merged.figures.moves);
    EXPECT_GT(before, 10);
    // What is left could not be merged within the tolerance (or its chord not proved free).
    EXPECT_LE(after, before / 10);
  }
}

// Issue 13: two 3° approaches of ~0.19 s, both limited by acceleration (any speed above some
// value gives the same time), read `BAS (#VEL_PTP,17 )` and `(#VEL_PTP,100 )`: 100 % whenever
// the plan's time was a hair below the full-speed time. One rule now: an exact-stop move gets
// the lowest speed whose time is at most max(planned, full-speed time), and the dialects round
// it up to their step (KRL whole percent).
TEST_F(ExportTest, ExactStopMovesGetTheLowestSpeedThatKeepsTheirTime) {
  int limited_by_acceleration = 0;
  for (int r = 0; r < static_cast<int>(pulsed_->robots.size()); ++r) {
    const cell::Robot& robot = pulsed_->robots[static_cast<std::size_t>(r)];
    const Exported e = Export("kuka_krl", r);
    std::vector<const Instruction*> built, read;
    for (const Instruction& i : e.built.instructions) {
      if (i.kind == InstructionKind::kMove) built.push_back(&i);
    }
    for (const Instruction& i : e.read.instructions) {
      if (i.kind == InstructionKind::kMove) read.push_back(&i);
    }
    ASSERT_EQ(built.size(), read.size());
    for (std::size_t k = 1; k < built.size(); ++k) {
      const Instruction& m = *built[k];
      if (!built[k - 1]->exact_stop || !m.exact_stop || m.duration <= 0) continue;
      const Eigen::VectorXd& a = built[k - 1]->q;
      const double full = MoveTime(robot, a, m.q, 1.0);
      const double target = std::max(m.duration, full);
      EXPECT_LE(MoveTime(robot, a, m.q, m.speed), target * (1 + 1e-9)) << "move " << k;
      if (m.speed > 1e-3) {
        EXPECT_GT(MoveTime(robot, a, m.q, m.speed - 1e-6), target)
            << "move " << k << " of R" << r + 1 << " not lowest";
      }
      // KRL: the same speed rounded up to a whole percent.
      EXPECT_NEAR(read[k]->speed, std::ceil(m.speed * 100 - 1e-9) / 100, 1e-12);
      if (MoveTime(robot, a, m.q, 0.99) == full) {  // the time does not depend on the speed
        ++limited_by_acceleration;
        EXPECT_LE(read[k]->speed, 0.99) << "move " << k << " of R" << r + 1;
      }
    }
  }
  EXPECT_GT(limited_by_acceleration, 0);
}

// FANUC has no program parts here (docs/export.md): a program beyond the pendant's 9999 lines or
// positions is a clear error instead of a file the controller would refuse.
TEST_F(ExportTest, FanucProgramBeyondTheLineLimitIsAClearError) {
  const auto dialect = MakeDialect("fanuc_ls");
  const Site site = WithDefaults({}, *dialect);
  const Exported e = Export("fanuc_ls", 0);
  Program huge = e.built;
  const Instruction home = NoComments(e.built)[0];
  while (huge.instructions.size() < 10100) huge.instructions.push_back(home);
  try {
    dialect->Write(huge, pulsed_->robots[0], site);
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("at most 9999"));
  }
  EXPECT_NO_THROW(dialect->Write(e.built, pulsed_->robots[0], site));
}

TEST_F(ExportTest, YaskawaWithoutPulsesIsAClearError) {
  const auto dialect = MakeDialect("yaskawa_inform");
  const Site site = WithDefaults({}, *dialect);
  const Program p = BuildProgram(*plan_, *cell_, 0, "R1", site);
  try {
    dialect->Write(p, cell_->robots[0], site);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("robot.yaml"));
    EXPECT_THAT(e.what(), HasSubstr("controller_joints.pulses"));
  }
}

TEST_F(ExportTest, TooFewIoNumbersForTheZonesIsAnError) {
  Site site;
  site.zone_inputs = {101, 1};
  site.zone_outputs = {101, 1};
  EXPECT_THROW(BuildProgram(*plan_, *cell_, 0, "R1", site), InputError);
  // And an I/O number the dialect cannot address.
  const auto krl = MakeDialect("kuka_krl");
  site.zone_inputs = {5000, 512};
  site.zone_outputs = {101, 512};
  const Program p = BuildProgram(*plan_, *cell_, 0, "R1", site);
  EXPECT_THROW(krl->Write(p, cell_->robots[0], site), InputError);
}

// I/O problems found when the site meets the plan and the dialect name export.yaml's line and
// column, like every input error; overlapping zone and weld-signal ranges name both.
TEST_F(ExportTest, SiteIoErrorsNameTheFileLineAndBothRanges) {
  const std::filesystem::path dir = weldcell::testing::FreshDirectory("site_io");
  auto error_of = [&](const std::string& name, const std::string& yaml) -> std::string {
    const std::filesystem::path p = dir / name;
    std::ofstream(p) << "format: weldcell-export/1\n" << yaml;
    try {
      ExportPlan(*plan_, *cell_, LoadSite(p));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(error_of("range.yaml",
                       "zone_outputs: {first: 101, count: 256}\n"
                       "zone_inputs: {first: 5000, count: 10}\n"),
              ::testing::ContainsRegex(
                  R"(range\.yaml:3:[0-9]+: error: zone_inputs: I/O number 5000 is outside)"));
  EXPECT_THAT(error_of("count.yaml", "zone_inputs: {first: 101, count: 1}\n"),
              ::testing::ContainsRegex(R"(count\.yaml:2:[0-9]+: error: zone_inputs: .*count)"));
  EXPECT_THAT(
      error_of("overlap.yaml", "weld_signal_outputs: {first: 105, count: 4}\n"),
      ::testing::ContainsRegex(
          R"(overlap\.yaml:2:[0-9]+: error: weld_signal_outputs: `weld_signal_outputs` 105\.\.108 )"
          R"(\(.*overlap\.yaml:2:[0-9]+\) overlaps `zone_outputs` 101\.\.[0-9]+ \([a-z_]+'s default\))"));
  // Without a site file the default location is named.
  Site site;
  site.zone_inputs = {101, 1};
  try {
    ExportPlan(*plan_, *cell_, site);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("export.yaml: error: zone_inputs:"));
  }
  std::filesystem::remove_all(dir);
}

TEST_F(ExportTest, ExportPlanUsesTheCellsDialectsAndRefusesAnotherCellsPlan) {
  const ExportResult r = ExportPlan(*plan_, *cell_, {});
  ASSERT_EQ(r.robots.size(), 2u);
  EXPECT_EQ(r.robots[0].dialect, "fanuc_ls");
  EXPECT_EQ(r.robots[0].files[0].name, "DEMO_R1.LS");
  EXPECT_EQ(r.robots[1].dialect, "kuka_krl");
  EXPECT_EQ(r.robots[1].files[0].name, "demo_r2.src");
  plan::Plan other = *plan_;
  other.cell_hash = "0000";
  EXPECT_THROW(ExportPlan(other, *cell_, {}), InputError);
  // The same program twice is the same bytes.
  EXPECT_EQ(ExportPlan(*plan_, *cell_, {}).robots[1].files, r.robots[1].files);
}

// An export into a folder removes the files the previous export there wrote and this one does
// not (its manifest), never a file it did not write.
TEST_F(ExportTest, ExportingAgainRemovesOnlyItsOwnStaleFiles) {
  const std::filesystem::path dir = weldcell::testing::FreshDirectory("stale");
  std::ofstream(dir / "notes.txt") << "the site's own file\n";
  std::ofstream(dir / "OTHER.LS") << "a program weldcell did not write\n";
  WriteProgramFiles(dir, *plan_, ExportPlan(*plan_, *pulsed_, {}, {.dialect = "fanuc_ls"}));
  ASSERT_TRUE(std::filesystem::exists(dir / "DEMO_R2.LS"));
  const std::vector<std::filesystem::path> written =
      WriteProgramFiles(dir, *plan_, ExportPlan(*plan_, *cell_, {}));  // R1 FANUC, R2 KUKA
  EXPECT_EQ(written.back(), dir / kManifestName);
  std::set<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    left.insert(e.path().filename().string());
  }
  EXPECT_EQ(left,
            (std::set<std::string>{"DEMO_R1.LS", "demo_r2.src", "demo_r2.dat", "interlocks.csv",
                                   "weld_signals.csv", "notes.txt", "OTHER.LS", kManifestName}));
  std::filesystem::remove_all(dir);
}

// New-user trial: a touch-up appended to DEMO_R1.LS after an export was deleted by the next
// export into the folder, silently. The manifest holds each file's hash: a file edited since is
// neither replaced nor removed (InputError naming it, nothing written) unless forced; the files
// removed are reported.
TEST_F(ExportTest, ExportingAgainKeepsFilesEditedSinceUnlessForced) {
  const std::filesystem::path dir = weldcell::testing::FreshDirectory("edited");
  const ExportResult fanuc = ExportPlan(*plan_, *pulsed_, {}, {.dialect = "fanuc_ls"});
  WriteProgramFiles(dir, *plan_, fanuc);
  auto read = [&](const std::string& name) {
    std::ifstream in(dir / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  // Unchanged files: replaced and removed as before, each removal reported.
  std::vector<std::string> removed;
  WriteProgramFiles(dir, *plan_, ExportPlan(*plan_, *cell_, {}), {}, &removed);  // R2 now KUKA
  EXPECT_EQ(removed, std::vector<std::string>{"DEMO_R2.LS"});
  EXPECT_FALSE(std::filesystem::exists(dir / "DEMO_R2.LS"));
  // A touch-up on a file this export would replace, another on one it would remove.
  WriteProgramFiles(dir, *plan_, fanuc, {}, &removed);
  const std::string touched_r1 = read("DEMO_R1.LS") + "! touched up\r\n";
  std::ofstream(dir / "DEMO_R1.LS", std::ios::binary) << touched_r1;
  std::ofstream(dir / "DEMO_R2.LS", std::ios::app | std::ios::binary) << "! touched up\r\n";
  const std::string touched_r2 = read("DEMO_R2.LS");
  const std::string manifest = read(kManifestName);
  removed.clear();
  const ExportResult mixed = ExportPlan(*plan_, *cell_, {});
  try {
    WriteProgramFiles(dir, *plan_, mixed, {}, &removed);
    ADD_FAILURE() << "edited files were replaced";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(),
                ::testing::HasSubstr("2 file(s) of the previous export were edited "
                                     "since weldcell wrote them: DEMO_R1.LS, DEMO_R2.LS"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("--force"));
  }
  EXPECT_EQ(read("DEMO_R1.LS"), touched_r1);
  EXPECT_EQ(read("DEMO_R2.LS"), touched_r2);
  EXPECT_EQ(read(kManifestName), manifest);
  EXPECT_FALSE(std::filesystem::exists(dir / "demo_r2.src"));
  EXPECT_TRUE(removed.empty());
  // Nor does the plan command's clean-up remove an edited file, and the manifest still lists
  // the edited files (issue 13: it was removed, so the next run overwrote the touch-up).
  EXPECT_EQ(RemoveProgramFiles(dir), 2);  // interlocks.csv, weld_signals.csv
  EXPECT_EQ(read("DEMO_R1.LS"), touched_r1);
  EXPECT_EQ(read("DEMO_R2.LS"), touched_r2);
  for (int run = 0; run < 2; ++run) {  // protected on every later run
    EXPECT_THROW(WriteProgramFiles(dir, *plan_, fanuc), InputError);
    EXPECT_EQ(RemoveProgramFiles(dir), 0);
    EXPECT_EQ(read("DEMO_R1.LS"), touched_r1);
  }
  // Forced: replaced and removed.
  WriteProgramFiles(dir, *plan_, mixed, {.force = true}, &removed);
  EXPECT_EQ(removed, std::vector<std::string>{"DEMO_R2.LS"});
  EXPECT_EQ(read("DEMO_R1.LS"), mixed.robots[0].files[0].contents);
  std::filesystem::remove_all(dir);
}

// A list of names without hashes (written by hand, or by an older weldcell) proves nothing
// about its files: the export removed every file it named (a user's notes.txt listed in it was
// deleted) and replaced the ones it writes. Now they are protected as edited ones: neither
// replaced nor removed unless forced, by the export and by `plan`'s clean-up.
TEST_F(ExportTest, AListWithoutHashesProtectsTheFilesItNamesUnlessForced) {
  const std::filesystem::path dir = weldcell::testing::FreshDirectory("hashless");
  std::ofstream(dir / "notes.txt") << "the site's own file\n";
  std::ofstream(dir / "DEMO_R1.LS") << "the user's own program\n";
  std::ofstream(dir / kManifestName) << "notes.txt\r\nDEMO_R1.LS\r\n";  // CR LF: read alike
  const ExportResult fanuc = ExportPlan(*plan_, *pulsed_, {}, {.dialect = "fanuc_ls"});
  try {
    WriteProgramFiles(dir, *plan_, fanuc);
    ADD_FAILURE() << "files listed without hashes were replaced or removed";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("2 file(s) of the previous export were edited "
                                               "since weldcell wrote them: notes.txt (listed "
                                               "without its hash), DEMO_R1.LS (listed without its "
                                               "hash)"));
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "notes.txt"));
  EXPECT_EQ(RemoveProgramFiles(dir), 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "notes.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir / "DEMO_R1.LS"));
  std::vector<std::string> removed;
  WriteProgramFiles(dir, *plan_, fanuc, {.force = true}, &removed);
  EXPECT_EQ(removed, std::vector<std::string>{"notes.txt"});
  std::filesystem::remove_all(dir);
}

// Issue 13: `export -o own` over the user's own DEMO_R1.LS (no manifest names it) replaced it.
// A file in the way that weldcell did not write is refused like an edited one (all named at
// once, with folders in the way); forced, it is replaced.
// Programs of one station exported into the folder of another's: the second export removed
// the first station's programs as "written by the previous export". The manifest names its
// station; another is refused (naming both) unless forced.
TEST_F(ExportTest, AnotherStationsProgramsAreNotReplacedUnlessForced) {
  const std::filesystem::path dir = weldcell::testing::FreshDirectory("export_other_station");
  const ExportResult fanuc = ExportPlan(*plan_, *pulsed_, {}, {.dialect = "fanuc_ls"});
  WriteProgramFiles(dir, *plan_, fanuc, {.cell_name = plan_->cell_name});
  plan::Plan other = *plan_;
  other.cell_name = "other_station";
  try {
    WriteProgramFiles(dir, other, fanuc, {.cell_name = other.cell_name});
    ADD_FAILURE() << "not refused";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the programs there are station " + plan_->cell_name +
                                    "'s, this plan is station other_station's: export into a "
                                    "folder of its own; nothing written"));
  }
  // The same station again, and another one forced, are written.
  EXPECT_NO_THROW(WriteProgramFiles(dir, *plan_, fanuc, {.cell_name = plan_->cell_name}));
  EXPECT_NO_THROW(
      WriteProgramFiles(dir, other, fanuc, {.force = true, .cell_name = other.cell_name}));
  std::ifstream manifest(dir / kManifestName);
  const std::string list((std::istreambuf_iterator<char>(manifest)), {});
  EXPECT_THAT(list, HasSubstr("\n# cell: other_station\n"));
}

TEST_F(ExportTest, AFileWeldcellDidNotWriteIsNotReplacedUnlessForced) {
  const std::filesystem::path dir = weldcell::testing::FreshDirectory("own");
  std::filesystem::create_directories(dir / "weld_signals.csv");
  std::ofstream(dir / "DEMO_R1.LS") << "MINE\n";
  const ExportResult fanuc = ExportPlan(*plan_, *pulsed_, {}, {.dialect = "fanuc_ls"});
  try {
    WriteProgramFiles(dir, *plan_, fanuc);
    ADD_FAILURE() << "a file weldcell did not write was replaced";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("1 file(s) in the way were not written by "
                                               "weldcell (not in weldcell-files.txt): DEMO_R1.LS"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("folder(s) stand where files must be written: "
                                               "weld_signals.csv"));
  }
  std::filesystem::remove(dir / "weld_signals.csv");
  EXPECT_THROW(WriteProgramFiles(dir, *plan_, fanuc), InputError);
  EXPECT_FALSE(std::filesystem::exists(dir / "DEMO_R2.LS"));
  std::ifstream mine(dir / "DEMO_R1.LS");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(mine), {}), "MINE\n");
  WriteProgramFiles(dir, *plan_, fanuc, {.force = true});
  EXPECT_TRUE(std::filesystem::exists(dir / "DEMO_R2.LS"));
  std::ifstream replaced(dir / "DEMO_R1.LS");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(replaced), {}),
            fanuc.robots[0].files[0].contents);
  std::filesystem::remove_all(dir);
}

// Issue 13: with R2 without `controller:`, interlocks.csv listed only R1's uses, so a PLC ring
// built from it granted each zone to R1 alone. Every use is listed; R2's columns are empty.
TEST_F(ExportTest, InterlockTableListsTheUsesOfRobotsWithoutAProgram) {
  ASSERT_FALSE(plan_->zones.empty());
  ExportResult only_r1;
  only_r1.robots.push_back(
      {.robot = "R1", .dialect = "fanuc_ls", .site = WithDefaults({}, *MakeDialect("fanuc_ls"))});
  only_r1.skipped.push_back("R2");
  const std::string table = InterlockTable(*plan_, only_r1);
  std::string want = "zone,order,robot,dialect,input,output\n";
  int r2_uses = 0;
  for (std::size_t z = 0; z < plan_->zones.size(); ++z) {
    for (std::size_t u = 0; u < plan_->zones[z].uses.size(); ++u) {
      const std::string& robot = plan_->zones[z].uses[u].robot;
      const int n = static_cast<int>(z);
      want += robot == "R1" ? fmt::format("{},{},R1,fanuc_ls,{},{}\n", plan_->zones[z].id, u + 1,
                                          101 + n, 101 + n)
                            : fmt::format("{},{},{},,,\n", plan_->zones[z].id, u + 1, robot);
      r2_uses += robot == "R2";
    }
  }
  EXPECT_GT(r2_uses, 0);
  EXPECT_EQ(table, want);
}

TEST_F(ExportTest, SplitProgramsOfTwoRobotsMayNotShareAFileName) {
  // INFORM names parts after the main job's name cut to 6 characters: DEMO_R1 and DEMO_R2 both
  // give DEMO_R01…; one robot's part must never replace the other's.
  cell::Cell c = *pulsed_;
  for (cell::Robot& r : c.robots) r.controller.dialect = "yaskawa_inform";
  c.robots[1].controller.program = "DEMO_R2";
  Site site;
  site.max_positions = 10;
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(c);
  try {
    ExportPlan(p, c, site);
    ADD_FAILURE() << "two robots' parts of one name were exported";
  } catch (const InputError& e) {
    // Issue 13: it said the dialect "cuts names to 8 characters"; the clash is the parts' names.
    EXPECT_THAT(e.what(),
                HasSubstr("robots[1].controller.program: robots R1 (program DEMO_R1) and R2 "
                          "(program DEMO_R2) would both write "
                          "DEMO_R01.JBI: yaskawa_inform splits a program longer than max_positions "
                          "into parts named after the first 6 characters of its name (DEMO_R01, "
                          "DEMO_R02, …), and both names start with DEMO_R; give them "
                          "`controller.program` names that differ in the first 6 characters, or "
                          "raise max_positions"));
  }
  // Names that differ early are fine.
  c.robots[1].controller.program = "SIDE_R2";
  p.cell_hash = plan::CellHash(c);
  const ExportResult r = ExportPlan(p, c, site);
  ASSERT_EQ(r.robots.size(), 2u);
  EXPECT_GT(r.robots[1].files.size(), 1u);
}

// The station with `after:` across robots (weld signals), planned once.
struct AfterStation {
  cell::Cell cell;
  plan::Plan plan;
};
const AfterStation& After() {
  static const AfterStation* station = [] {
    auto* s = new AfterStation{
        WithPulses(cell::LoadCell("tests/exporters/cells/after/cell.yaml").value), {}};
    const collision::CollisionWorld world(s->cell);
    s->plan = pipeline::PlanCell(s->cell, world, {.threads = 2}).plan;
    return s;
  }();
  return *station;
}

// The robot whose segments weld `weld`, or -1.
int Welder(const plan::Plan& p, const cell::Cell& c, const std::string& weld) {
  for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
    const plan::RobotPlan& rp = p.robots[static_cast<std::size_t>(
        PlanRobotIndex(p, c.robots[static_cast<std::size_t>(r)].name))];
    for (const plan::Segment& s : rp.segments) {
      if (s.kind == plan::SegmentKind::kWeld && s.to == weld) return r;
    }
  }
  return -1;
}

std::string Io(const Instruction& i) {
  return fmt::format("{} {} {}", i.kind == InstructionKind::kWaitInput ? "wait" : "set", i.signal,
                     i.value ? "on" : "off");
}

// `after:` across robots as a four-phase handshake, in every dialect: the welding robot resets
// the signal at the start, waits for the acknowledge to be off and sets the signal right after
// its weld call, and at home waits for the acknowledge and clears the signal; the waiting robot
// resets its acknowledge, waits for the signal before the weld that must come after and
// acknowledges it, and at home waits for the signal to go off and clears the acknowledge.
TEST(WeldSignalTest, HandshakeIsReadBackInOrderInEveryDialect) {
  const cell::Cell& c = After().cell;
  const plan::Plan& p = After().plan;
  ASSERT_FALSE(p.weld_signals.empty());
  for (const char* key : {"weld_signal_outputs", "weld_ack_outputs"}) {
    // Weld-signal or acknowledge outputs inside the zone range: a reader could not tell them
    // apart.
    const auto krl = MakeDialect("kuka_krl");
    Site site = WithDefaults({}, *krl);
    (std::string(key) == "weld_ack_outputs" ? site.weld_ack_outputs : site.weld_signal_outputs) = {
        101, 8};
    int errors = 0;
    for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
      try {
        krl->Write(BuildProgram(p, c, r, "R", site), c.robots[static_cast<std::size_t>(r)], site);
      } catch (const InputError& e) {
        EXPECT_THAT(e.what(), HasSubstr("must not overlap"));
        EXPECT_THAT(e.what(), HasSubstr(key));
        ++errors;
      }
    }
    EXPECT_GE(errors, 1) << key;
  }
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const auto dialect = MakeDialect(d);
    const Site site = WithDefaults({}, *dialect);
    for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
      const cell::Robot& robot = c.robots[static_cast<std::size_t>(r)];
      const Program built =
          BuildProgram(p, c, r, dialect->ProgramName(robot.name + "_after"), site);
      const Program read = dialect->Read(dialect->Write(built, robot, site), robot, site);
      std::vector<Instruction> x;
      for (const Instruction& i : read.instructions) {
        if (i.kind != InstructionKind::kComment) x.push_back(i);
      }
      std::size_t last_move = 0;
      for (std::size_t k = 0; k < x.size(); ++k) {
        if (x[k].kind == InstructionKind::kMove) last_move = k;
      }
      const plan::RobotPlan& rp = p.robots[static_cast<std::size_t>(PlanRobotIndex(p, robot.name))];
      for (std::size_t j = 0; j < p.weld_signals.size(); ++j) {
        const plan::WeldSignal& ws = p.weld_signals[j];
        const int n = static_cast<int>(j);
        const int in = site.weld_signal_inputs.first + n, out = site.weld_signal_outputs.first + n;
        const int ack_in = site.weld_ack_inputs.first + n,
                  ack_out = site.weld_ack_outputs.first + n;
        // This signal's I/O in program order, with the position of each.
        std::vector<std::string> events;
        std::vector<std::size_t> at;
        for (std::size_t k = 0; k < x.size(); ++k) {
          const bool wait = x[k].kind == InstructionKind::kWaitInput;
          const bool set = x[k].kind == InstructionKind::kSetOutput;
          const bool mine = (wait && x[k].role == SignalRole::kWeldSignal && x[k].signal == in) ||
                            (wait && x[k].role == SignalRole::kWeldAck && x[k].signal == ack_in) ||
                            (set && x[k].role == SignalRole::kWeldSignal && x[k].signal == out) ||
                            (set && x[k].role == SignalRole::kWeldAck && x[k].signal == ack_out);
          if (!mine) continue;
          events.push_back(Io(x[k]));
          at.push_back(k);
        }
        const std::string O = std::to_string(out), AI = std::to_string(ack_in);
        const std::string I = std::to_string(in), AO = std::to_string(ack_out);
        if (Welder(p, c, ws.weld) == r) {
          EXPECT_EQ(events, (std::vector<std::string>{"set " + O + " off", "wait " + AI + " off",
                                                      "set " + O + " on", "wait " + AI + " on",
                                                      "set " + O + " off"}))
              << robot.name << " gives " << ws.weld;
          if (events.size() != 5) continue;
          // Right after the weld call; the return at home.
          ASSERT_GE(at[1], 1u);
          EXPECT_EQ(x[at[1] - 1].kind, InstructionKind::kWeld);
          EXPECT_EQ(x[at[1] - 1].weld_id, ws.weld);
          EXPECT_GT(at[3], last_move);
        } else if (ws.robot == robot.name) {
          EXPECT_EQ(events, (std::vector<std::string>{"set " + AO + " off", "wait " + I + " on",
                                                      "set " + AO + " on", "wait " + I + " off",
                                                      "set " + AO + " off"}))
              << robot.name << " waits for " << ws.weld;
          if (events.size() != 5) continue;
          // The wait comes before the weld of the segment it guards (or its approach).
          std::string guarded;
          for (std::size_t k = static_cast<std::size_t>(ws.segment); k < rp.segments.size(); ++k) {
            if (rp.segments[k].kind == plan::SegmentKind::kWeld) {
              guarded = rp.segments[k].to;
              break;
            }
          }
          std::size_t weld_at = 0;
          for (std::size_t k = 0; k < x.size(); ++k) {
            if (x[k].kind == InstructionKind::kWeld && x[k].weld_id == guarded) weld_at = k;
          }
          EXPECT_LT(at[1], weld_at) << ws.weld << " before " << guarded;
          EXPECT_GT(at[3], last_move);
        } else {
          EXPECT_TRUE(events.empty()) << robot.name;
        }
      }
    }
  }
}

// Issue 13: FANUC and INFORM comments were cut at 32 characters mid-word ("wait until W19 is
// welded, acknow"), a 27-character weld id inside one cut too. Every comment line now holds at
// most 32 characters, the weld id first and whole, the rest split at blanks over more lines:
// the lines read together give every comment's full text.
TEST(WeldSignalTest, FanucAndInformCommentsFitWithoutCuttingAWordOrAnId) {
  const cell::Cell& c = After().cell;
  plan::Plan p = After().plan;
  ASSERT_FALSE(p.weld_signals.empty());
  const std::string old_id = p.weld_signals[0].weld;
  const std::string id = "W" + std::string(25, 'x') + "9";  // 27 characters, the most allowed
  auto rename = [&](std::string& s) {
    if (s == old_id) s = id;
  };
  for (plan::RobotPlan& rp : p.robots) {
    for (plan::Segment& seg : rp.segments) rename(seg.from), rename(seg.to);
    for (plan::WeldVisit& v : rp.welds) rename(v.weld_id);
  }
  for (plan::WeldSignal& ws : p.weld_signals) rename(ws.weld);
  for (const std::string dialect : {"fanuc_ls", "yaskawa_inform"}) {
    SCOPED_TRACE(dialect);
    const auto d = MakeDialect(dialect);
    const Site site = WithDefaults({}, *d);
    for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
      const Program built = BuildProgram(p, c, r, d->ProgramName("R" + std::to_string(r)), site);
      std::string want;
      for (const Instruction& i : built.instructions) {
        if (i.kind == InstructionKind::kComment) want += (want.empty() ? "" : " ") + i.text;
      }
      std::string got;
      int with_id = 0;
      for (const ProgramFile& f : d->Write(built, c.robots[static_cast<std::size_t>(r)], site)) {
        std::istringstream lines(f.contents);
        for (std::string line; std::getline(lines, line);) {
          if (!line.empty() && line.back() == '\r') line.pop_back();
          std::string text;
          if (dialect == std::string("fanuc_ls")) {
            const std::size_t bang = line.find(":  ! ");
            if (bang == std::string::npos) continue;
            text = line.substr(bang + 5, line.size() - bang - 7);  // "! text ;"
          } else {
            if (!line.starts_with("'")) continue;
            text = line.substr(1);
          }
          EXPECT_LE(text.size(), 32u) << text;
          with_id += text.starts_with(id) ? 1 : 0;
          got += (got.empty() ? "" : " ") + text;
        }
      }
      EXPECT_EQ(got, want);
      if (Welder(p, c, id) == r ||
          p.weld_signals[0].robot == c.robots[static_cast<std::size_t>(r)].name) {
        EXPECT_GT(with_id, 0);
      }
    }
  }
}

// weld_signals.csv: per signal, the giver's output and ack input and the waiter's input and
// ack output, each robot with its own dialect's numbers (here R1 FANUC, R2 KUKA).
TEST(WeldSignalTest, TableNamesTheWiringOfEverySignalAndItsAcknowledge) {
  const cell::Cell& c = After().cell;
  const plan::Plan& p = After().plan;
  ASSERT_FALSE(p.weld_signals.empty());
  ExportResult result;
  for (const cell::Robot& r : c.robots) {
    const auto dialect = MakeDialect(r.controller.dialect);
    result.robots.push_back(
        {.robot = r.name, .dialect = r.controller.dialect, .site = WithDefaults({}, *dialect)});
  }
  const std::string table = WeldSignalTable(p, result);
  std::vector<std::string> rows;
  for (std::size_t a = 0; a < table.size();) {
    const std::size_t b = table.find('\n', a);
    rows.push_back(table.substr(a, b - a));
    a = b + 1;
  }
  ASSERT_EQ(rows.size(), p.weld_signals.size() + 1);
  EXPECT_EQ(rows[0],
            "signal,weld,giver,giver_dialect,output,ack_input,waiter,waiter_dialect,input,"
            "ack_output");
  for (std::size_t j = 0; j < p.weld_signals.size(); ++j) {
    const plan::WeldSignal& ws = p.weld_signals[j];
    const int giver = Welder(p, c, ws.weld);
    ASSERT_GE(giver, 0);
    const std::string gd = c.robots[static_cast<std::size_t>(giver)].controller.dialect;
    const std::string wd = ws.robot == "R1" ? "fanuc_ls" : "kuka_krl";
    const Site gs = WithDefaults({}, *MakeDialect(gd)), wsite = WithDefaults({}, *MakeDialect(wd));
    const int n = static_cast<int>(j);
    EXPECT_EQ(
        rows[j + 1],
        fmt::format("{},{},{},{},{},{},{},{},{},{}", j + 1, ws.weld,
                    c.robots[static_cast<std::size_t>(giver)].name, gd,
                    gs.weld_signal_outputs.first + n, gs.weld_ack_inputs.first + n, ws.robot, wd,
                    wsite.weld_signal_inputs.first + n, wsite.weld_ack_outputs.first + n));
  }
}

// New-user trial: a robot named `R,1 "q"` gave interlocks.csv and weld_signals.csv rows with
// more fields than the header. Fields are quoted as RFC 4180 says (CsvField, which `reach
// --csv` uses too); a leading `=` is written as it is (docs/export.md).
TEST(CsvTest, InterlockAndWeldSignalTablesQuoteTheirFields) {
  const std::string odd = "R,1 \"q\"";
  plan::Plan p;
  p.zones.push_back({.id = "Z1", .uses = {{.robot = odd}, {.robot = "=R2"}}});
  p.robots.push_back({.robot = odd, .segments = {{.kind = plan::SegmentKind::kWeld, .to = "W1"}}});
  p.weld_signals.push_back({.robot = "=R2", .weld = "W1"});
  ExportResult result;
  for (const std::string& robot : {odd, std::string("=R2")}) {
    result.robots.push_back({.robot = robot,
                             .dialect = "kuka_krl",
                             .site = WithDefaults({}, *MakeDialect("kuka_krl"))});
  }
  EXPECT_EQ(InterlockTable(p, result),
            "zone,order,robot,dialect,input,output\n"
            "Z1,1,\"R,1 \"\"q\"\"\",kuka_krl,101,101\n"
            "Z1,2,=R2,kuka_krl,101,101\n");
  EXPECT_EQ(WeldSignalTable(p, result),
            "signal,weld,giver,giver_dialect,output,ack_input,waiter,waiter_dialect,input,"
            "ack_output\n"
            "1,W1,\"R,1 \"\"q\"\"\",kuka_krl,701,901,=R2,kuka_krl,701,901\n");
  EXPECT_EQ(CsvField("a\rb"), "\"a\rb\"");
  EXPECT_EQ(CsvField("a\nb"), "\"a\nb\"");
  EXPECT_EQ(CsvField("plain"), "plain");
}

// The acknowledge ranges of export.yaml: overlapping another range, too short for the plan's
// weld signals, or beyond the dialect's I/O, each an error at its file:line.
TEST(WeldSignalTest, AcknowledgeRangesAreCheckedAtTheirLine) {
  const cell::Cell& c = After().cell;
  const plan::Plan& p = After().plan;
  ASSERT_FALSE(p.weld_signals.empty());
  const std::filesystem::path dir = weldcell::testing::FreshDirectory("ack_ranges");
  auto error_of = [&](const std::string& dialect_name, const std::string& name,
                      const std::string& yaml) {
    std::ofstream(dir / name) << "format: weldcell-export/1\n" << yaml;
    const auto dialect = MakeDialect(dialect_name);
    const Site site = WithDefaults(LoadSite(dir / name), *dialect);
    std::string errors;
    for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
      try {
        dialect->Write(BuildProgram(p, c, r, "R", site), c.robots[static_cast<std::size_t>(r)],
                       site);
      } catch (const InputError& e) {
        errors += e.what();
      }
    }
    return errors;
  };
  EXPECT_THAT(error_of("kuka_krl", "overlap.yaml", "weld_ack_outputs: {first: 705, count: 8}\n"),
              ::testing::ContainsRegex(
                  R"(overlap\.yaml:2:[0-9]+: error: weld_ack_outputs: `weld_ack_outputs` )"
                  R"(705\.\.712 \(.*overlap\.yaml:2:[0-9]+\) overlaps `weld_signal_outputs` )"
                  R"(701\.\.828 \(kuka_krl's default\))"));
  EXPECT_THAT(error_of("fanuc_ls", "far.yaml", "\nweld_ack_inputs: {first: 5000, count: 8}\n"),
              ::testing::ContainsRegex(R"(far\.yaml:3:[0-9]+: error: weld_ack_inputs: I/O number )"
                                       R"(50[0-9][0-9] is outside fanuc_ls's range 1\.\.2048)"));
  EXPECT_THAT(error_of("ur_script", "ur.yaml", "weld_ack_outputs: {first: 8, count: 8}\n"),
              ::testing::ContainsRegex(R"(ur\.yaml:2:[0-9]+: error: weld_ack_outputs: I/O )"
                                       R"(number 8 is outside ur_script's range 0\.\.7)"));
  ASSERT_GE(p.weld_signals.size(), 2u);  // C after A (and B), D after C
  EXPECT_THAT(
      error_of("abb_rapid", "short.yaml", "weld_ack_inputs: {first: 901, count: 1}\n"),
      ::testing::ContainsRegex(R"(short\.yaml:2:[0-9]+: error: weld_ack_inputs: weld signal )"
                               R"(.* needs I/O number 2 of the range \(first 901, count 1\))"));
  std::filesystem::remove_all(dir);
}

// The files of `robot`'s program in dialect `d` with one I/O instruction changed: the line
// (URScript: the wait loop's three lines) holding `target` removed (FANUC: made a remark, so
// the numbering stays; KRL: made a WAIT SEC 0, so the advance run still stops) or, with `before`,
// moved before the I/O instruction holding `before` that follows it. The number of instructions
// changed.
int MutateIo(std::vector<ProgramFile>* files, const std::string& d, const std::string& target,
             const std::string& before = "", bool last = false) {
  for (ProgramFile& f : *files) {
    const std::string eol = f.contents.find("\r\n") != std::string::npos ? "\r\n" : "\n";
    std::vector<std::string> lines;
    for (std::size_t a = 0; a < f.contents.size();) {
      const std::size_t b = f.contents.find(eol, a);
      lines.push_back(f.contents.substr(a, b - a));
      a = b + eol.size();
    }
    std::ptrdiff_t t = -1;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      if (lines[k].find(target) != std::string::npos) {
        t = static_cast<std::ptrdiff_t>(k);
        if (!last) break;
      }
    }
    if (t < 0) continue;
    const std::size_t k = static_cast<std::size_t>(t);
    const std::size_t size =
        d == "ur_script" && lines[k].find("while ") != std::string::npos ? 3 : 1;
    auto statement = [&](std::size_t i) -> std::string& { return lines[i]; };
    if (before.empty()) {
      if (d == "fanuc_ls") {
        const std::size_t colon = lines[k].find(':');
        lines[k] = lines[k].substr(0, colon + 1) + "  ! gone ;";
      } else if (d == "kuka_krl") {
        lines[k] = "WAIT SEC 0";  // still stops the advance run: only the handshake breaks
      } else {
        lines.erase(lines.begin() + t, lines.begin() + t + static_cast<std::ptrdiff_t>(size));
      }
    } else {
      std::size_t b = k + size;
      while (b < lines.size() && lines[b].find(before) == std::string::npos) ++b;
      if (b == lines.size()) return 0;
      if (d == "fanuc_ls") {
        // Swap the statements, keep the line numbers.
        const std::size_t ck = lines[k].find(':'), cb = lines[b].find(':');
        const std::string sk = statement(k).substr(ck + 1), sb = statement(b).substr(cb + 1);
        lines[k] = lines[k].substr(0, ck + 1) + sb;
        lines[b] = lines[b].substr(0, cb + 1) + sk;
      } else {
        const std::string moved = lines[b];
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(b));
        lines.insert(lines.begin() + t, moved);
        if (d == "kuka_krl") lines.insert(lines.begin() + t, "WAIT SEC 0");
      }
    }
    f.contents.clear();
    for (const std::string& l : lines) f.contents += l + eol;
    return 1;
  }
  return 0;
}

// The I/O text of each dialect: a wait for input `n` at `on`, a set of output `n`.
std::string WaitText(const std::string& d, SignalRole role, int n, bool on) {
  if (d == "kuka_krl") return fmt::format("WAIT FOR {}$IN[{}]", on ? "" : "NOT ", n);
  if (d == "abb_rapid")
    return fmt::format("WaitDI di{}{},{};", role == SignalRole::kWeldAck ? "Ack" : "Weld", n,
                       on ? 1 : 0);
  if (d == "fanuc_ls") return fmt::format("WAIT DI[{}]={}", n, on ? "ON" : "OFF");
  if (d == "yaskawa_inform") return fmt::format("WAIT IN#({})={}", n, on ? "ON" : "OFF");
  return fmt::format(
      "while {}{}({}):", on ? "not " : "",
      role == SignalRole::kWeldAck ? "get_standard_digital_in" : "get_configurable_digital_in", n);
}
std::string SetText(const std::string& d, SignalRole role, int n, bool on) {
  if (d == "kuka_krl") return fmt::format("$OUT[{}]={}", n, on ? "TRUE" : "FALSE");
  if (d == "abb_rapid")
    return fmt::format("SetDO do{}{},{};", role == SignalRole::kWeldAck ? "Ack" : "Weld", n,
                       on ? 1 : 0);
  if (d == "fanuc_ls") return fmt::format("DO[{}]={} ;", n, on ? "ON" : "OFF");
  if (d == "yaskawa_inform") return fmt::format("DOUT OT#({}) {}", n, on ? "ON" : "OFF");
  return fmt::format(
      "{}({}, {})",
      role == SignalRole::kWeldAck ? "set_standard_digital_out" : "set_configurable_digital_out", n,
      on ? "True" : "False");
}

// A handshake missing a step, or with a step out of order, is rejected by every reader.
TEST(WeldSignalTest, MutatedHandshakesAreRejected) {
  const cell::Cell& c = After().cell;
  const plan::Plan& p = After().plan;
  ASSERT_FALSE(p.weld_signals.empty());
  const plan::WeldSignal& ws = p.weld_signals[0];
  const int giver = Welder(p, c, ws.weld);
  const int waiter =
      static_cast<int>(std::find_if(c.robots.begin(), c.robots.end(),
                                    [&](const cell::Robot& r) { return r.name == ws.robot; }) -
                       c.robots.begin());
  ASSERT_GE(giver, 0);
  ASSERT_LT(waiter, static_cast<int>(c.robots.size()));
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const auto dialect = MakeDialect(d);
    const Site site = WithDefaults({}, *dialect);
    const int out = site.weld_signal_outputs.first, in = site.weld_signal_inputs.first;
    const int ack_in = site.weld_ack_inputs.first, ack_out = site.weld_ack_outputs.first;
    auto files_of = [&](int r) {
      const cell::Robot& robot = c.robots[static_cast<std::size_t>(r)];
      return dialect->Write(
          BuildProgram(p, c, r, dialect->ProgramName(robot.name + "_after"), site), robot, site);
    };
    auto rejects = [&](int r, const std::vector<ProgramFile>& files, const std::string& what,
                       const std::string& expected) {
      try {
        dialect->Read(files, c.robots[static_cast<std::size_t>(r)], site);
        ADD_FAILURE() << what << ": not rejected";
      } catch (const InputError& e) {
        EXPECT_THAT(e.what(), HasSubstr(expected)) << what;
      }
    };
    const std::vector<ProgramFile> giver_files = files_of(giver);
    const std::vector<ProgramFile> waiter_files = files_of(waiter);
    EXPECT_NO_THROW(dialect->Read(giver_files, c.robots[static_cast<std::size_t>(giver)], site));
    {
      // The giver sets its signal without waiting for the acknowledge to be off.
      std::vector<ProgramFile> f = giver_files;
      ASSERT_EQ(MutateIo(&f, d, WaitText(d, SignalRole::kWeldAck, ack_in, false)), 1);
      rejects(giver, f, "ack wait removed", "without first waiting for its acknowledge");
    }
    {
      // The giver clears its signal before the acknowledge came.
      std::vector<ProgramFile> f = giver_files;
      ASSERT_EQ(MutateIo(&f, d, WaitText(d, SignalRole::kWeldAck, ack_in, true),
                         SetText(d, SignalRole::kWeldSignal, out, false)),
                1);
      rejects(giver, f, "clear before ack", "cleared without waiting for its acknowledge");
    }
    {
      // The giver never clears its signal (no return to zero).
      std::vector<ProgramFile> f = giver_files;
      ASSERT_EQ(MutateIo(&f, d, WaitText(d, SignalRole::kWeldAck, ack_in, true)), 1);
      ASSERT_EQ(MutateIo(&f, d, SetText(d, SignalRole::kWeldSignal, out, false), "", true), 1);
      rejects(giver, f, "no clear", "never cleared after its acknowledge");
    }
    {
      // The waiter passes without acknowledging.
      std::vector<ProgramFile> f = waiter_files;
      ASSERT_EQ(MutateIo(&f, d, SetText(d, SignalRole::kWeldAck, ack_out, true)), 1);
      rejects(waiter, f, "no ack", "does not follow");
    }
    {
      // The waiter clears its acknowledge without waiting for the signal to go off.
      std::vector<ProgramFile> f = waiter_files;
      ASSERT_EQ(MutateIo(&f, d, WaitText(d, SignalRole::kWeldSignal, in, false)), 1);
      rejects(waiter, f, "ack cleared early", "cleared without waiting for weld signal input");
    }
  }
}

TEST(CheckProgramTest, RejectsBrokenInterlockRules) {
  const cell::Robot robot = testing::OneJointRobot();
  auto move = [](double v, bool exact) {
    return Instruction{
        .kind = InstructionKind::kMove, .q = Eigen::VectorXd::Constant(1, v), .exact_stop = exact};
  };
  const Site site{.zone_inputs = {5, 1}, .zone_outputs = {7, 1}};
  const Instruction wait{
      .kind = InstructionKind::kWaitInput, .signal = 5, .role = SignalRole::kZone};
  const Instruction wait_off{
      .kind = InstructionKind::kWaitInput, .signal = 5, .value = false, .role = SignalRole::kZone};
  const Instruction take{
      .kind = InstructionKind::kSetOutput, .signal = 7, .value = false, .role = SignalRole::kZone};
  const Instruction release{
      .kind = InstructionKind::kSetOutput, .signal = 7, .value = true, .role = SignalRole::kZone};
  const Program good{.instructions = {move(0, true), release, move(1, true), wait, take,
                                      move(2, true), wait_off, release, move(0, true)}};
  EXPECT_NO_THROW(CheckProgram(good, robot, site, "x", 1e-6));
  auto rejects = [&](const Program& p, const std::string& what, const std::string& expected) {
    try {
      CheckProgram(p, robot, site, "x", 1e-6);
      ADD_FAILURE() << what << ": not rejected";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr(expected)) << what;
    }
  };
  Program p = good;
  p.instructions.erase(p.instructions.begin() + 6, p.instructions.begin() + 8);  // no release
  rejects(p, "no release", "never released");
  p = good;
  p.instructions.erase(p.instructions.begin() + 6);  // release without the grant withdrawn
  rejects(p, "no wait off", "without first waiting for zone input 5 to go off");
  p = good;
  p.instructions[2].exact_stop = false;  // wait after an approximated move
  rejects(p, "approximated", "after an approximated move");
  p = good;
  p.instructions.erase(p.instructions.begin() + 3);  // take without wait
  rejects(p, "take without wait", "taken without a wait");
  p = good;
  p.instructions[3].signal = 6;  // an input in none of the ranges
  rejects(p, "unknown input", "none of the site's input ranges");
  p = good;
  p.instructions.back().q[0] = 0.5;  // not back home
  rejects(p, "not home", "does not end at home");
  p = good;
  p.instructions[5].q[0] = 3.5;  // beyond the limit
  rejects(p, "limit", "beyond its limits");
}

}  // namespace
}  // namespace weldcell::exporters
