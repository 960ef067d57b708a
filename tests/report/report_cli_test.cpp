// `weldcell plan` writes report.html and junit.xml next to plan.json: the real binary on small
// fixture cells.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "planner/plan/breakdown.hpp"
#include "planner/plan/plan.hpp"
#include "tests/weldcell_command.hpp"

namespace weldcell {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

using testing::CommandRun;
using testing::ReadText;
using testing::Weldcell;

fs::path TempDir(const std::string& name) { return testing::FreshDirectory("report_" + name); }

const std::string kTooShort = "tests/report/cells/too_short/cell.yaml";

// `--json`'s "breakdown" says what plan::BreakDown says of the plan it wrote: every robot's
// times, its short waits, and each listed wait with its causes and the zones it takes first.
void ExpectBreakdownJsonOf(const plan::CycleBreakdown& b, const nlohmann::json& br) {
  EXPECT_EQ(br["critical"], b.robots.at(b.critical).robot);
  EXPECT_EQ(br["critical_reason"], b.critical_reason);
  ASSERT_EQ(br["robots"].size(), b.robots.size());
  int waits = 0;
  for (std::size_t i = 0; i < b.robots.size(); ++i) {
    const plan::RobotBreakdown& r = b.robots[i];
    const nlohmann::json& jr = br["robots"][i];
    EXPECT_EQ(jr["name"], r.robot);
    EXPECT_EQ(jr["welds"], r.welds);
    EXPECT_NEAR(jr["waiting"].get<double>(), r.waiting, 1e-6) << r.robot;
    EXPECT_NEAR(jr["finish"].get<double>(), r.finish_time, 1e-6) << r.robot;
    EXPECT_EQ(jr["short_waits"], r.short_waits) << r.robot;
    EXPECT_NEAR(jr["short_waiting"].get<double>(), r.short_waiting, 1e-6) << r.robot;
    ASSERT_EQ(jr["waits"].size(), r.waits.size()) << r.robot;
    for (std::size_t w = 0; w < r.waits.size(); ++w, ++waits) {
      const nlohmann::json& jw = jr["waits"][w];
      EXPECT_NEAR(jw["start"].get<double>(), r.waits[w].start_time, 1e-6);
      EXPECT_NEAR(jw["end"].get<double>(), r.waits[w].end_time, 1e-6);
      EXPECT_EQ(jw["free_zones"].get<std::vector<std::string>>(), r.waits[w].free_zones);
      ASSERT_EQ(jw["for"].size(), r.waits[w].causes.size());
      for (std::size_t c = 0; c < r.waits[w].causes.size(); ++c) {
        const plan::WaitCause& cause = r.waits[w].causes[c];
        EXPECT_EQ(jw["for"][c]["kind"], cause.kind == plan::WaitCauseKind::kZone ? "zone" : "weld");
        EXPECT_EQ(jw["for"][c]["id"], cause.id);
        EXPECT_EQ(jw["for"][c]["robot"], cause.robot);
        EXPECT_NEAR(jw["for"][c]["ready"].get<double>(), cause.ready_time, 1e-6);
      }
    }
  }
  EXPECT_GT(waits, 0) << "the fixture's plan was meant to have a wait to compare";
}

// kTooShort's text with its robots named by absolute paths: a copy of it loads from any folder.
std::string MovableTooShortCell() {
  return std::regex_replace(ReadText(kTooShort), std::regex("\\.\\./\\.\\./\\.\\./\\.\\./robots/"),
                            (fs::current_path() / "robots").string() + "/");
}

TEST(ReportCliTest, TooShortACycleTimeExitsOneWithAFailingJunitCase) {
  const fs::path dir = TempDir("too_short");
  const CommandRun r = Weldcell("plan " + kTooShort + " -o " + dir.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("(too long)"));
  EXPECT_THAT(r.out, HasSubstr("requirement cycle time met: FAIL: makespan"));
  EXPECT_THAT(r.out, HasSubstr("critical: "));
  EXPECT_TRUE(std::regex_search(
      r.out,
      std::regex("overhead: [+-][0-9.]+ s on R[12]: travel moves [+-][0-9.]+ s against "
                 "their prices \\(analytic\\), waits [0-9.]+ s \\(of them [0-9.]+ s for weld "
                 "signals, which the estimate counts in part\\), route at those prices")))
      << "the cell's after: makes the critical robot wait for a weld signal\n"
      << r.out;
  const std::string junit = ReadText(dir / "junit.xml");
  EXPECT_THAT(junit, HasSubstr("<testsuite name=\"weldcell.too_short\" tests=\"5\""));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      junit, m,
      std::regex("name=\"cycle time met\" time=\"0\">\\s*<failure message=\"makespan "
                 "([0-9.]+) s exceeds the cycle time 2.00 s by ([0-9.]+) s")))
      << junit;
  const plan::Plan p = plan::PlanFromJson(ReadText(dir / "plan.json"), "plan.json");
  EXPECT_NEAR(std::stod(m[1]), p.makespan, 0.005);
  EXPECT_NEAR(std::stod(m[2]), p.makespan - 2.0, 0.005);
  // The other requirements hold: each cause fails one case.
  for (const char* name :
       {"every weld reachable", "every reachable weld planned", "verification clean"}) {
    EXPECT_TRUE(std::regex_search(
        junit, std::regex(std::string("name=\"") + name + "\" time=\"0\">\\s*<system-out>")))
        << name << "\n"
        << junit;
  }
  const std::string html = ReadText(dir / "report.html");
  EXPECT_THAT(html, HasSubstr(">TOO LONG<"));
  // The overhead in s and its parts, as plan.json's figures give them.
  std::smatch row;
  ASSERT_TRUE(
      std::regex_search(html, row,
                        std::regex("coordination overhead</td><td class=\"num\">([+-][0-9.]+) "
                                   "\\([+-][0-9.]+ %\\)</td>")))
      << html;
  double parts = 0.0;
  for (const char* part : {"travel moves against their prices", "waits", "route at those prices"}) {
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(html, m,
                          std::regex(std::string("<td class=\"part\">of it: R[12]'s ") + part +
                                     "[^<]*</td><td class=\"num\">([+-]?[0-9.]+)</td>")))
        << part;
    parts += std::stod(m[1]);
  }
  EXPECT_NEAR(parts, std::stod(row[1]), 0.015) << "the parts add up to the overhead";
  EXPECT_THAT(html, Not(HasSubstr("http")));

  // The breakdown of the written plan adds up, robot by robot.
  const plan::CycleBreakdown b = plan::BreakDown(p);
  ASSERT_EQ(b.robots.size(), 2u);
  for (const plan::RobotBreakdown& robot : b.robots) {
    EXPECT_NEAR(robot.moving + robot.welding + robot.waiting + robot.idle, p.makespan, 1e-9)
        << robot.robot;
    EXPECT_GT(robot.moving, 0.0);
    EXPECT_GT(robot.welding, 0.0);
    EXPECT_GE(robot.idle, 0.0);
  }
  EXPECT_NEAR(b.robots[b.critical].idle, 0.0, 1e-9);
}

// A cycle time missed by far (the robots move for more than 10 cycle times) is still a plan
// that misses its cycle time: exit 1 and a failing junit case. It was exit 2, nothing written,
// with advice to speed up the joints.
TEST(ReportCliTest, ACycleTimeMissedByFarIsStillAFailingRequirement) {
  const fs::path dir = TempDir("far_too_short");
  std::string cell = MovableTooShortCell();
  cell = std::regex_replace(cell, std::regex("\ncycle_time: 2\n"), "\ncycle_time: 0.2\n");
  std::ofstream(dir / "cell.yaml") << cell;
  const CommandRun r =
      Weldcell("plan " + (dir / "cell.yaml").string() + " -j 2 -o " + (dir / "out").string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("requirement cycle time met: FAIL: makespan"));
  EXPECT_THAT(r.out, Not(HasSubstr("more than a plan may hold")));
  const plan::Plan p = plan::PlanFromJson(ReadText(dir / "out" / "plan.json"), "plan.json");
  EXPECT_GT(p.makespan, 10 * 0.2) << "the fixture must move for more than 10 cycle times";
  EXPECT_THAT(ReadText(dir / "out" / "junit.xml"), HasSubstr("<failure message=\"makespan "));
}

// A CI job's station broken since the last run: exit 2 left the last run's passing junit.xml in
// place (a kept workspace showed the station green; a fresh one lost it from the report).
// junit.xml now holds the input error as an error case, at its file:line; plan.json and
// report.html stay the last plan's.
TEST(ReportCliTest, BadInputReplacesJunitXmlByAnErrorCase) {
  const fs::path dir = TempDir("junit_of_bad_input");
  fs::create_directories(dir / "station");
  std::string cell = MovableTooShortCell();
  const std::string file = (dir / "station" / "cell.yaml").string();
  std::ofstream(file) << cell;
  const std::string plan = "plan -q " + file + " -j 2 -o " + (dir / "out").string();
  ASSERT_EQ(Weldcell(plan).exit_code, 1);
  const std::string plan_json = ReadText(dir / "out" / "plan.json");
  std::ofstream(file) << std::regex_replace(cell, std::regex("\ncycle_time: 2\n"),
                                            "\ncycle_time: fast\n");
  const CommandRun bad = Weldcell(plan);
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  const std::string junit = ReadText(dir / "out" / "junit.xml");
  // The suite of the passing run, named by the station's `name:` (read though the file is not
  // valid), so that a dashboard sees the same suite fail.
  EXPECT_THAT(junit, HasSubstr("<testsuite name=\"weldcell.too_short\" tests=\"1\" failures=\"0\" "
                               "errors=\"1\""));
  EXPECT_THAT(junit, HasSubstr("<testcase classname=\"weldcell.too_short\" name=\"station input "
                               "valid\" time=\"0\">\n      <error message=\"" +
                               file + ":8:13: error: cycle_time: expected a number"));
  EXPECT_EQ(ReadText(dir / "out" / "plan.json"), plan_json);
  // Into a folder that did not exist: made, with junit.xml alone.
  const CommandRun fresh = Weldcell("plan -q " + file + " -o " + (dir / "fresh").string());
  EXPECT_EQ(fresh.exit_code, 2);
  EXPECT_THAT(ReadText(dir / "fresh" / "junit.xml"), HasSubstr("type=\"input\""));
  EXPECT_FALSE(fs::exists(dir / "fresh" / "plan.json"));
}

// The station's load warnings were only on stderr: `plan --json` carries them for a CI job.
TEST(ReportCliTest, JsonCarriesTheStationsLoadWarnings) {
  const fs::path dir = TempDir("json_warnings");
  std::string cell = MovableTooShortCell();
  cell = std::regex_replace(cell, std::regex("obstacles:\n"),
                            "  - {id: D, p: [182, -360, 1004.5], n: [0, 0, 1], tilt: 10}\n"
                            "obstacles:\n");
  std::ofstream(dir / "cell.yaml") << cell;
  const CommandRun r =
      Weldcell("plan --json " + (dir / "cell.yaml").string() + " -j 2 -o " + (dir / "out").string(),
               "2>/dev/null");
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["warnings"].size(), 1u) << j["warnings"];
  EXPECT_THAT(j["warnings"][0].get<std::string>(),
              HasSubstr("warning: welds[3].id: weld D is 0.50 mm from weld C"));
  EXPECT_EQ(j["cell"]["file"], (dir / "cell.yaml").string());
}

TEST(ReportCliTest, JsonCarriesTheBreakdownAndTheOutputPathsAndJunitIsDeterministic) {
  const fs::path a = TempDir("json_a"), b = TempDir("json_b");
  const CommandRun r =
      Weldcell("plan --json " + kTooShort + " -j 1 -o " + a.string(), "2>/dev/null");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["report"], (a / "report.html").string());
  EXPECT_EQ(j["junit"], (a / "junit.xml").string());
  // Which station (a CI job plans many, and copies of one cell share its name) and its load
  // warnings, which were only on stderr.
  EXPECT_EQ(j["cell"]["file"], kTooShort);
  EXPECT_FALSE(j["cell"]["name"].get<std::string>().empty());
  EXPECT_EQ(j["warnings"], nlohmann::json::array());
  EXPECT_EQ(j["verdict"], "too long");
  // The missed cycle time is a violation of verify's, not one that makes the plan unsafe.
  EXPECT_GE(j["violations"].get<int>(), 1);
  EXPECT_EQ(j["unsafe_violations"], 0);
  const nlohmann::json& br = j["breakdown"];
  ASSERT_EQ(br["robots"].size(), 2u);
  for (const nlohmann::json& robot : br["robots"]) {
    EXPECT_NEAR(robot["moving"].get<double>() + robot["welding"].get<double>() +
                    robot["waiting"].get<double>() + robot["idle"].get<double>(),
                j["makespan"].get<double>(), 1e-9);
  }
  EXPECT_FALSE(br["critical_reason"].get<std::string>().empty());
  // The overhead over the estimate, split on the critical robot: the parts add up, the travel
  // part is that robot's planned − priced travel in plan.json.
  const nlohmann::json& o = j["overhead"];
  EXPECT_EQ(o["robot"], br["critical"]);
  EXPECT_NEAR(o["overhead"].get<double>(),
              j["makespan"].get<double>() - j["estimate"].get<double>(), 1e-9);
  EXPECT_NEAR(o["route"].get<double>() + o["travel"].get<double>() + o["waiting"].get<double>(),
              o["overhead"].get<double>(), 1e-9);
  const plan::Plan p = plan::PlanFromJson(ReadText(a / "plan.json"), "plan.json");
  bool found = false;
  for (const plan::TravelRobotError& e : p.travel.robots) {
    if (e.robot != o["robot"]) continue;
    found = true;
    EXPECT_NEAR(o["travel"].get<double>(), e.planned_seconds - e.predicted_seconds, 1e-9);
    EXPECT_GT(e.moves, 0);
  }
  EXPECT_TRUE(found) << "plan.json has no travel report for " << o["robot"];
  ExpectBreakdownJsonOf(plan::BreakDown(p), br);
  ASSERT_EQ(j["requirements"].size(), 5u);
  EXPECT_EQ(j["requirements"][2]["name"], "cycle time met");
  EXPECT_EQ(j["requirements"][2]["passed"], false);

  ASSERT_EQ(Weldcell("plan -q " + kTooShort + " -j 2 -o " + b.string()).exit_code, 1);
  EXPECT_EQ(ReadText(a / "junit.xml"), ReadText(b / "junit.xml"));
  EXPECT_EQ(ReadText(a / "plan.json"), ReadText(b / "plan.json"));
}

TEST(ReportCliTest, WithNoWeldPlannedThereIsNoOverheadToSplit) {
  const fs::path dir = TempDir("out_of_reach");
  const std::string cell = "tests/report/cells/out_of_reach/cell.yaml";
  const CommandRun r = Weldcell("plan --json " + cell + " -o " + dir.string(), "2>/dev/null");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "incomplete");
  EXPECT_EQ(j["unplanned"], 3);
  EXPECT_NEAR(j["estimate"].get<double>(), 0.0, 1e-6);
  EXPECT_TRUE(j["overhead"].is_null()) << j["overhead"];
  // A fresh user (2026-12-07): a robot that never moves was "critical … its own work sets the
  // makespan" at 0.00 s.
  EXPECT_TRUE(j["breakdown"]["critical"].is_null()) << j["breakdown"]["critical"];
  EXPECT_EQ(j["breakdown"]["critical_reason"], "");
  const CommandRun text = Weldcell("plan " + cell + " -o " + dir.string());
  EXPECT_THAT(text.out, Not(HasSubstr("overhead: ")));
  EXPECT_THAT(text.out, Not(HasSubstr("critical")));
  // Nor programs that would only go home.
  EXPECT_THAT(text.out, HasSubstr("programs: not written (no weld is planned)"));
  EXPECT_FALSE(fs::exists(dir / "programs"));
  EXPECT_THAT(ReadText(dir / "report.html"), Not(HasSubstr("of it: ")));
  EXPECT_THAT(ReadText(dir / "report.html"), Not(HasSubstr("Critical robot")));
}

// A fresh user's finding: with `--travel-time learned` and a models folder holding only a model
// for another robot and gun (here the KUKA with the C gun: another robot for R1, another tool for
// R2), the refusals were said on stderr only, while plan.json, report.html and the --json summary
// said "analytic" without why. Each now says, per robot, what was asked for, what priced its
// moves and why it fell back, in the words of the warning; no -1 drift threshold without a model.
TEST(ReportCliTest, ARefusedTravelModelIsSaidInThePlanTheReportAndTheSummaries) {
  const fs::path dir = TempDir("refused_model");
  const std::string models = "models/generated-v4/kuka_kr210r2700extra-c_gun_servo_250";
  const std::string args =
      kTooShort + " -j 2 --travel-time learned --models " + models + " -o " + dir.string();
  const CommandRun r = Weldcell("plan " + args, "2>" + (dir / "stderr.txt").string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const std::string stderr_text = ReadText(dir / "stderr.txt");
  const std::string plan_text = ReadText(dir / "plan.json");
  const nlohmann::json travel = nlohmann::json::parse(plan_text)["travel_time"];
  EXPECT_EQ(travel["kind"], "analytic") << travel;
  EXPECT_EQ(travel["requested"], "learned") << travel;
  ASSERT_EQ(travel["robots"].size(), 2u) << travel;
  const std::map<std::string, std::string> expected{
      {"R1", "R1 (fanuc_r2000ic165f, c_gun_servo_250): no travel model in " + models +
                 " applies (generated-v4/kuka_kr210r2700extra-c_gun_servo_250: trained for robot "
                 "model kuka_kr210r2700extra"},
      {"R2", "R2 (kuka_kr210r2700extra, x_gun_servo_350): no travel model in " + models +
                 " applies (generated-v4/kuka_kr210r2700extra-c_gun_servo_250: trained for tool "
                 "c_gun_servo_250"}};
  std::vector<std::string> reasons;
  for (const nlohmann::json& robot : travel["robots"]) {
    const std::string name = robot["name"];
    EXPECT_EQ(robot["source"], "analytic") << name;
    ASSERT_TRUE(robot.contains("fallback")) << robot;
    const std::string reason = robot["fallback"];
    EXPECT_THAT(reason, ::testing::StartsWith(expected.at(name)));
    EXPECT_THAT(reason, ::testing::EndsWith("; using the analytic estimate"));
    // The warning, word for word.
    EXPECT_THAT(stderr_text, HasSubstr("weldcell: warning: " + reason + "\n"));
    reasons.push_back(reason);
  }
  EXPECT_THAT(plan_text, Not(HasSubstr("drift_threshold_pct"))) << "no model, no threshold";
  EXPECT_THAT(r.out, HasSubstr("travel time analytic (learned asked for; R1, R2 fell back to the "
                               "analytic estimate: see the warnings), mean error on the "
                               "planned moves: R1 "));
  const std::string html = ReadText(dir / "report.html");
  const std::size_t warnings = html.find("<section id=\"warnings\">");
  ASSERT_NE(warnings, std::string::npos);
  for (const std::string& reason : reasons) {
    EXPECT_THAT(html.substr(html.find("<section id=\"travel\">")),
                HasSubstr("fell back: " + reason));
    EXPECT_THAT(html.substr(warnings, html.find("</section>", warnings) - warnings),
                HasSubstr(reason));
  }

  const CommandRun json = Weldcell("plan --json " + args, "2>/dev/null");
  EXPECT_EQ(json.exit_code, 1) << json.out;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["travel_time"], "analytic");
  EXPECT_EQ(j["travel_time_requested"], "learned");
  ASSERT_EQ(j["travel_error"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(j["travel_error"][i]["fallback"], reasons[i]);
    ASSERT_TRUE(j["travel_error"][i].contains("drift_threshold_pct")) << j["travel_error"][i];
    EXPECT_TRUE(j["travel_error"][i]["drift_threshold_pct"].is_null()) << j["travel_error"][i];
  }
}

TEST(ReportCliTest, AReportPathThatCannotBeWrittenIsBadUsageBeforeAnyWork) {
  const fs::path dir = TempDir("paths");
  fs::create_directories(dir / "report.html");
  const CommandRun r = Weldcell("plan " + kTooShort + " -o " + dir.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr((dir / "report.html").string() +
                               ": error: --out: is a folder, where weldcell must write a file"));
  EXPECT_THAT(r.out, Not(HasSubstr("reach:")));
  EXPECT_FALSE(fs::exists(dir / "plan.json"));
  EXPECT_FALSE(fs::exists(dir / "junit.xml"));
}

}  // namespace
}  // namespace weldcell
