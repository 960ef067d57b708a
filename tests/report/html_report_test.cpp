#include "report/html_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "report/escape.hpp"
#include "tests/report/sample_station.hpp"
#include "tests/report/xml_check.hpp"

namespace weldcell::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const ReportInfo kInfo{.version = "9.9.9", .cell_file = "cells/sample/cell.yaml"};

TEST(HtmlReportTest, IsOneSelfContainedFileThatReferencesNothingOutside) {
  const testing::SampleStation s = testing::MakeSampleStation();
  const std::string html = HtmlReport(s.cell, s.output, s.verification, kInfo);
  EXPECT_EQ(testing::XmlProblem(html, {"meta"}), "");
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  // src= only for data: URIs (today: none at all).
  const std::regex src("src\\s*=\\s*\"?([^\" >]*)");
  for (std::sregex_iterator it(html.begin(), html.end(), src), end; it != end; ++it) {
    EXPECT_EQ((*it)[1].str().rfind("data:", 0), 0u) << (*it)[0];
  }
  EXPECT_EQ(html.find("<svg"), html.rfind("<svg"));  // one chart, inline
  EXPECT_THAT(html, HasSubstr("9.9.9"));
  // The same inputs give the same bytes.
  EXPECT_EQ(html, HtmlReport(s.cell, s.output, s.verification, kInfo));
}

TEST(HtmlReportTest, GanttHasOneBarPerSegmentOfEachKindPerRobotAndTheZoneOnTheWait) {
  const testing::SampleStation s = testing::MakeSampleStation();
  const std::string html = HtmlReport(s.cell, s.output, s.verification, kInfo);
  std::map<std::pair<std::string, std::string>, int> bars;
  const std::regex bar("<rect class=\"bar (move|weld|wait)\" data-robot=\"([^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), bar), end; it != end; ++it) {
    ++bars[{(*it)[2].str(), (*it)[1].str()}];
  }
  const std::map<std::pair<std::string, std::string>, int> expected{{{"R1", "move"}, 3},
                                                                    {{"R1", "weld"}, 2},
                                                                    {{"R1", "wait"}, 1},
                                                                    {{"R2", "move"}, 2},
                                                                    {{"R2", "weld"}, 1}};
  EXPECT_EQ(bars, expected);
  EXPECT_TRUE(std::regex_search(html, std::regex("<text class=\"zone\"[^>]*>Z1</text>"))) << html;
  EXPECT_THAT(html, HasSubstr("class=\"cycle-time\""));
  EXPECT_THAT(html, HasSubstr("cycle time 9.00 s"));
  EXPECT_THAT(html, HasSubstr(">10</text>"));  // an axis tick
  EXPECT_THAT(html, HasSubstr(kMoveColour));
  EXPECT_THAT(html, HasSubstr(kWeldColour));
  EXPECT_THAT(html, HasSubstr(kWaitColour));
}

TEST(HtmlReportTest, VerdictReachTableAndWhatBlocksTheUnplannedWeld) {
  const testing::SampleStation s = testing::MakeSampleStation();
  const std::string html = HtmlReport(s.cell, s.output, s.verification, kInfo);
  EXPECT_THAT(html, HasSubstr(std::string("background:") + kIncompleteColour));
  EXPECT_THAT(html, HasSubstr(">INCOMPLETE<"));
  EXPECT_THAT(html, HasSubstr("3 of 4 welds planned"));
  EXPECT_THAT(html, HasSubstr("✓ 2"));
  EXPECT_THAT(html, HasSubstr("joint limits"));
  EXPECT_THAT(html, HasSubstr("R1/link_3 – pillar (5 poses)"));
  EXPECT_THAT(html, HasSubstr("R2/gun – clamp_1 (2 poses)"));
  // The objects that block W4, its own links left out, most poses first.
  EXPECT_THAT(html, HasSubstr("<td>pillar <span class=\"detail\">(5 poses)</span>, clamp_1 "
                              "<span class=\"detail\">(2 poses)</span></td>"));
  EXPECT_THAT(html, HasSubstr("zone Z1 (R2)"));
  EXPECT_THAT(html, HasSubstr("R1 finishes last at 10.00 s"));
  EXPECT_THAT(html, HasSubstr("the station needs 10 s"));  // verification lines
}

// New-user trial: the Waits table listed "R3 5.83 → 5.83 0.00 zone Z2 (R2)" and a cause "zone
// Z8 ready at 0.00 s". A wait that prints as 0.00 s is counted under the table, not listed or
// drawn; a zone the waiting robot uses first is "free".
TEST(HtmlReportTest, WaitsTooShortToShowAreCountedAndAZoneUsedFirstIsFree) {
  testing::SampleStation s = testing::MakeSampleStation();
  plan::Plan& p = s.output.plan;
  // Z2: R1 takes it first where its wait ends. R2 waits 0.7 ms for Z3 (R1's) before its move
  // home, now its segment 3.
  p.zones.push_back({.id = "Z2",
                     .uses = {{.robot = "R1", .acquire_segment = 3, .release_segment = 4},
                              {.robot = "R2", .acquire_segment = 0, .release_segment = 1}}});
  p.robots[1].segments.insert(
      p.robots[1].segments.begin() + 2,
      plan::testing::Piece(plan::SegmentKind::kWait, "W3", "W3", {2.5, 2.5007}));
  p.zones.push_back({.id = "Z3",
                     .uses = {{.robot = "R1", .acquire_segment = 0, .release_segment = 1},
                              {.robot = "R2", .acquire_segment = 3, .release_segment = 4}}});
  const std::string html = HtmlReport(s.cell, s.output, s.verification, kInfo);
  EXPECT_EQ(testing::XmlProblem(html, {"meta"}), "");
  EXPECT_THAT(html,
              HasSubstr("zone Z1 (R2) <span class=\"detail\">ready at 5.00 s</span>; "
                        "weld W3 (welded by R2) <span class=\"detail\">ready at 2.50 s</span>; "
                        "zone Z2 <span class=\"detail\">free</span>"));
  EXPECT_THAT(html, Not(HasSubstr("ready at 0.00 s")));
  EXPECT_THAT(html, Not(HasSubstr("<td>R2</td><td class=\"num\">2.50</td>")));
  EXPECT_THAT(html, HasSubstr("Not listed: 1 wait(s) of R2 (0.7 ms), each under 0.01 s and for a "
                              "zone or weld signal."));
  EXPECT_THAT(html, Not(HasSubstr("<rect class=\"bar wait\" data-robot=\"R2\"")));
  EXPECT_THAT(html, HasSubstr("<rect class=\"bar wait\" data-robot=\"R1\""));
}

TEST(HtmlReportTest, EscapesNamesAndWarningsFromUserFiles) {
  const std::string name = "R<&>\"1'";
  testing::SampleStation s = testing::MakeSampleStation(name);
  s.cell.name = "<b>cell</b>";
  ReportInfo info = kInfo;
  info.warnings.push_back({.where = {.file = "a<b>.yaml", .line = 3},
                           .key_path = "robots[0]",
                           .message = "mesh <missing> & gone"});
  const std::string html = HtmlReport(s.cell, s.output, s.verification, info);
  EXPECT_EQ(testing::XmlProblem(html, {"meta"}), "");
  EXPECT_THAT(html, Not(HasSubstr(name)));
  EXPECT_THAT(html, Not(HasSubstr("<b>cell")));
  EXPECT_THAT(html, HasSubstr("R&lt;&amp;&gt;&quot;1&#39;"));
  EXPECT_THAT(html, HasSubstr("data-robot=\"R&lt;&amp;&gt;&quot;1&#39;\""));
  EXPECT_THAT(html, HasSubstr("mesh &lt;missing&gt; &amp; gone"));
}

// A fresh user (2026-12-07): a long robot name ran off the chart's left edge, showing only its
// end ("n_0815_Ölwanne"); and the waits table broke its times over two lines. The name is cut
// to the margin with "…", the whole name its tooltip; numbers do not wrap.
TEST(HtmlReportTest, ALongRobotNameIsCutInTheChartWithTheWholeNameAsItsTooltip) {
  const std::string name =
      "Roboter_S\xC3\xBC"
      "d_Schwei\xC3\x9F"
      "zange_links_0815";
  testing::SampleStation s = testing::MakeSampleStation(name);
  const std::string html = HtmlReport(s.cell, s.output, s.verification, kInfo);
  EXPECT_EQ(testing::XmlProblem(html, {"meta"}), "");
  EXPECT_THAT(html, HasSubstr("<title>" + name +
                              "</title>Roboter_S\xC3\xBC"
                              "d_Schw\u2026</text>"));
  EXPECT_THAT(html, HasSubstr("td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;"
                              "white-space:nowrap}"));
}

// The stages section names the baseline allocation's estimate as an estimate, and the baseline
// round's planned makespan, kept or not, only where the round was tried.
TEST(HtmlReportTest, StagesSayWhetherTheBaselineAllocationWasPlannedAndKept) {
  testing::SampleStation s = testing::MakeSampleStation();
  auto stages = [&s] {
    const std::string html = HtmlReport(s.cell, s.output, s.verification, kInfo);
    EXPECT_EQ(testing::XmlProblem(html, {"meta"}), "");
    const std::size_t start = html.find("<section id=\"timings\">");
    EXPECT_NE(start, std::string::npos);
    return html.substr(start, html.find("</section>", start) - start);
  };
  s.output.statistics.baseline_makespan = 9.14;
  EXPECT_THAT(stages(), HasSubstr("<td>baseline allocation's estimate (nearest robot)</td>"
                                  "<td class=\"num\">9.14</td>"));
  EXPECT_THAT(stages(), Not(HasSubstr("baseline round")));
  s.output.statistics.baseline_round_makespan = 29.24;
  s.output.statistics.baseline_kept = true;
  EXPECT_THAT(stages(), HasSubstr("baseline allocation planned (the baseline round; kept)</td>"
                                  "<td class=\"num\">29.24</td>"));
  s.output.statistics.baseline_kept = false;
  EXPECT_THAT(stages(), HasSubstr("(the baseline round; not kept)"));
}

// Per robot, what priced its moves and, where that is not what was asked for, why (the reason
// escaped), in the travel-time table and among the warnings; a model refused on the station
// (its reason is also one of the pipeline's travel warnings) is said once in each place.
TEST(HtmlReportTest, ShowsWhyARobotFellBackFromTheTravelTimeAskedFor) {
  testing::SampleStation s = testing::MakeSampleStation();
  const std::string refused =
      "R1: travel model m<1> refused: 40 % of the moves have inputs far outside its training "
      "range (most often clear_mean); using the analytic estimate instead";
  const std::string none =
      "R2 (arm, x_gun): no travel model in models applies (m<1>: trained for tool c_gun (1f), not "
      "x_gun (2e)); using the analytic estimate";
  s.output.plan.travel = {
      .kind = "analytic",
      .requested = "learned",
      .robots = {{.robot = "R1", .source = "analytic", .fallback = refused, .moves = 3},
                 {.robot = "R2", .source = "analytic", .fallback = none, .moves = 2}}};
  s.output.statistics.travel_warnings = {refused};
  const std::string html = HtmlReport(s.cell, s.output, s.verification, kInfo);
  EXPECT_EQ(testing::XmlProblem(html, {"meta"}), "");
  const std::size_t table = html.find("<section id=\"travel\">");
  const std::size_t warnings = html.find("<section id=\"warnings\">");
  ASSERT_NE(table, std::string::npos);
  ASSERT_NE(warnings, std::string::npos);
  auto section = [&html](std::size_t start) {
    return html.substr(start, html.find("</section>", start) - start);
  };
  auto count = [](const std::string& text, const std::string& part) {
    int n = 0;
    for (std::size_t i = text.find(part); i != std::string::npos; i = text.find(part, i + 1)) ++n;
    return n;
  };
  for (const std::string& reason : {refused, none}) {
    const std::string escaped = Escape(reason);
    ASSERT_NE(escaped, reason);
    EXPECT_EQ(count(section(table), escaped), 1) << section(table);
    EXPECT_EQ(count(section(warnings), escaped), 1) << section(warnings);
  }
  EXPECT_THAT(section(table), HasSubstr("fell back: " + Escape(none)));
  EXPECT_THAT(section(table), HasSubstr("travel time: analytic (learned was asked for"));
  EXPECT_THAT(section(warnings), HasSubstr("<h3>Travel time</h3>"));
  // Without a model, no drift threshold: "-".
  EXPECT_TRUE(std::regex_search(section(table), std::regex("<td>R2</td>.*<td>-</td></tr>")))
      << section(table);
}

}  // namespace
}  // namespace weldcell::report
