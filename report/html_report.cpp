#include "report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "planner/plan/breakdown.hpp"
#include "report/escape.hpp"
#include "report/requirements.hpp"

namespace weldcell::report {
namespace {

std::string Esc(std::string_view text) { return Escape(text); }
std::string S2(double seconds) { return fmt::format("{:.2f}", seconds); }

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
  background:#f4f5f7;color:#1d2125;font-size:14px;line-height:1.4}
main{max-width:1200px;margin:0 auto;padding:16px 24px 40px}
h1{font-size:22px;margin:8px 0 12px}
h2{font-size:17px;margin:12px 0 8px;border-bottom:1px solid #d0d4d9;padding-bottom:4px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:4px 16px 14px;
  margin-top:14px}
.verdict{color:#fff;border-radius:8px;padding:16px 22px;margin:10px 0 4px}
.verdict .word{font-size:34px;font-weight:800;letter-spacing:1px}
.verdict .line{font-size:16px;margin-top:4px}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid #d8dce1;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}
table.fixed{table-layout:fixed;width:100%}td{overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.id{white-space:nowrap;overflow-wrap:normal}
td.part{padding-left:20px}
tr.critical td{background:#fff4e5;font-weight:600}tr.critical td:last-child{white-space:nowrap}
.pass{color:#1f8a3b;font-weight:700}.fail{color:#c92a2a;font-weight:700}
.ok{background:#e6f4ea}.no{background:#fdecea;color:#7a1f1f}
.detail{color:#5c6670;font-size:12px}
.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px;
  white-space:pre-wrap}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:8px 0}
dl.summary dt{font-weight:600;color:#4a535c}dl.summary dd{margin:0}
.legend span.key{display:inline-block;margin-right:18px}
.legend i{display:inline-block;width:14px;height:12px;margin-right:5px;vertical-align:-1px;
  border-radius:2px}
svg.gantt{width:100%;height:auto;background:#fff}
svg.gantt text{font-family:system-ui,Helvetica,Arial,sans-serif;font-size:11px}
)";

std::string VerdictWord(verify::StationVerdict v) {
  switch (v) {
    case verify::StationVerdict::kFits:
      return "FITS";
    case verify::StationVerdict::kTooLong:
      return "TOO LONG";
    case verify::StationVerdict::kIncomplete:
      return "INCOMPLETE";
    case verify::StationVerdict::kInvalid:
      return "INVALID";
  }
  return "?";
}

// A step of 1, 2 or 5 × 10^k giving about `target` intervals over `span`.
double NiceStep(double span, int target) {
  const double raw = std::max(span, 1e-9) / target;
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * base >= raw) return m * base;
  }
  return 10.0 * base;
}

std::string SegmentName(plan::SegmentKind kind) {
  switch (kind) {
    case plan::SegmentKind::kMotion:
      return "move";
    case plan::SegmentKind::kWeld:
      return "weld";
    case plan::SegmentKind::kWait:
      return "wait";
  }
  return "?";
}

const char* SegmentColour(plan::SegmentKind kind) {
  switch (kind) {
    case plan::SegmentKind::kMotion:
      return kMoveColour;
    case plan::SegmentKind::kWeld:
      return kWeldColour;
    case plan::SegmentKind::kWait:
      return kWaitColour;
  }
  return "#000";
}

std::string CauseText(const plan::WaitCause& c) {
  return plan::Describe({.kind = c.kind, .id = c.id, .robot = c.robot});
}

// Short label drawn on a wait bar: its binding zone or weld.
std::string WaitLabel(const plan::WaitInterval& w) {
  if (w.causes.empty()) return "time offset";
  return w.causes.front().id;
}

// The Gantt chart's geometry in SVG user units (px): margins, rows and bars, and the time axis
// from 0 to `end` s in ticks of `step` s.
struct GanttLayout {
  GanttLayout(double makespan, double cycle_time, int robot_count)
      : robots(robot_count),
        span(std::max({makespan, cycle_time, 1e-3})),
        step(NiceStep(span, 12)),
        end(std::ceil(span * 1.02 / step) * step),
        height(top + row * std::max(robots, 1) + 44),
        axis_y(top + row * std::max(robots, 1) + 4) {}

  // The x of time t (s).
  double X(double t) const { return left + plot * t / end; }
  // The top of robot r's bars.
  double BarY(int r) const { return top + row * r + (row - bar) / 2; }

  const double left = 140, right = 24, top = 40, row = 36, bar = 26, width = 1150;
  const double plot = width - left - right;
  const int robots;
  const double span;    // s: the makespan or the cycle time, whichever is longer (> 0)
  const double step;    // s between ticks
  const double end;     // s at the plot's right edge
  const double height;  // of the whole chart
  const double axis_y;  // of the time axis, below the rows
};

// The width a robot's name may take in the Gantt chart's left margin (140 px, 8 px of it the gap
// to the bars, 4 px from the chart's edge).
constexpr double kGanttNamePx = 128;

// One row per robot, shaded alternately, with the robot's name (bold: the critical robot).
std::string GanttRows(const GanttLayout& g, const plan::Plan& plan,
                      const plan::CycleBreakdown& breakdown) {
  std::string svg;
  for (int r = 0; r < g.robots; ++r) {
    const double y = g.top + g.row * r;
    svg += fmt::format(
        "<rect class=\"row\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "fill=\"{}\"/>\n",
        g.left, y + 2, g.plot, g.row - 4, r % 2 == 0 ? "#f3f4f6" : "#fafbfc");
    // A name longer than the margin is cut, the whole name its tooltip.
    const std::string& name = plan.robots[r].robot;
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" font-weight=\"{}\">"
        "<title>{}</title>{}</text>\n",
        g.left - 8, y + g.row / 2 + 4, r == breakdown.critical ? "700" : "400", Esc(name),
        Esc(Shortened(name, kGanttNamePx)));
  }
  return svg;
}

// The time axis (s) under the rows, with its ticks, their labels and vertical grid lines.
std::string GanttAxis(const GanttLayout& g) {
  std::string svg = fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#555\"/>\n", g.left,
      g.axis_y, g.left + g.plot, g.axis_y);
  const int ticks = static_cast<int>(std::lround(g.end / g.step));
  for (int k = 0; k <= ticks; ++k) {
    const double t = k * g.step;
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#e1e4e8\"/>"
        "<line x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{0:.1f}\" y2=\"{3:.1f}\" stroke=\"#555\"/>"
        "<text x=\"{0:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\">{5}</text>\n",
        g.X(t), g.top, g.axis_y, g.axis_y + 5, g.axis_y + 18, fmt::format("{:g}", t));
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">time (s)</text>\n",
                     g.left + g.plot, g.axis_y + 34);
  return svg;
}

// A bar's tooltip: robot, kind, times (s) and what it does; for a wait what it waits for
// (`wait`, or null) and the zones that were free.
std::string SegmentTitle(const plan::RobotPlan& rp, const plan::Segment& seg,
                         const plan::WaitInterval* wait) {
  const double t0 = seg.times.front(), t1 = seg.times.back();
  std::string title = fmt::format("{} {} {}–{} s ({} s)", rp.robot, SegmentName(seg.kind), S2(t0),
                                  S2(t1), S2(t1 - t0));
  if (seg.kind == plan::SegmentKind::kWeld) title += ": " + seg.from;
  if (seg.kind == plan::SegmentKind::kMotion) title += ": " + seg.from + " → " + seg.to;
  if (wait != nullptr) {
    title += " waiting for ";
    if (wait->causes.empty()) title += "no zone or signal (time offset)";
    for (std::size_t c = 0; c < wait->causes.size(); ++c) {
      title += (c ? ", " : "") + CauseText(wait->causes[c]);
    }
    for (const std::string& zone : wait->free_zones) title += "; zone " + zone + " free";
  }
  return title;
}

// Robot r's segments, one bar each (zero-length ones and waits too short for the table draw
// nothing); a wait bar wide enough carries its binding zone or weld.
std::string GanttBars(const GanttLayout& g, const plan::RobotPlan& rp,
                      const plan::RobotBreakdown& rb, int r) {
  std::string svg;
  const double y = g.BarY(r);
  std::map<int, const plan::WaitInterval*> waits;
  for (const plan::WaitInterval& w : rb.waits) waits[w.segment] = &w;
  for (int s = 0; s < static_cast<int>(rp.segments.size()); ++s) {
    const plan::Segment& seg = rp.segments[s];
    if (seg.times.size() < 2 || seg.times.back() <= seg.times.front()) continue;
    const double t0 = seg.times.front(), t1 = seg.times.back();
    const auto wait = waits.find(s);
    // A wait too short for the table is not drawn either (it would read "(0.00 s)").
    if (seg.kind == plan::SegmentKind::kWait && wait == waits.end()) continue;
    const double w = std::max(g.X(t1) - g.X(t0), 0.6);
    const std::string title = SegmentTitle(rp, seg, wait != waits.end() ? wait->second : nullptr);
    svg += fmt::format(
        "<rect class=\"bar {}\" data-robot=\"{}\" x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" "
        "height=\"{:.1f}\" fill=\"{}\"><title>{}</title></rect>\n",
        SegmentName(seg.kind), Esc(rp.robot), g.X(t0), y, w, g.bar, SegmentColour(seg.kind),
        Esc(title));
    if (wait != waits.end()) {
      const std::string label = WaitLabel(*wait->second);
      if (w >= 7.0 * static_cast<double>(label.size()) + 6) {
        svg += fmt::format(
            "<text class=\"zone\" x=\"{:.2f}\" y=\"{:.1f}\" text-anchor=\"middle\" "
            "fill=\"#fff\" font-weight=\"700\">{}</text>\n",
            g.X(t0) + w / 2, y + g.bar / 2 + 4, Esc(label));
      }
    }
  }
  return svg;
}

// Idle: a thin bar from each robot's finish until the station's makespan (s).
std::string GanttIdle(const GanttLayout& g, const plan::Plan& plan,
                      const plan::CycleBreakdown& breakdown) {
  std::string svg;
  for (int r = 0; r < g.robots; ++r) {
    const plan::RobotBreakdown& rb = breakdown.robots[r];
    if (rb.idle <= 0.0) continue;
    svg += fmt::format(
        "<rect class=\"idle\" x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{:.1f}\" "
        "fill=\"{}\"><title>{} idle {} s (done at {} s)</title></rect>\n",
        g.X(rb.finish_time), g.BarY(r) + g.bar / 2 - 2, g.X(plan.makespan) - g.X(rb.finish_time),
        4.0, kIdleColour, Esc(rb.robot), S2(rb.idle), S2(rb.finish_time));
  }
  return svg;
}

// The makespan and the cycle time as vertical lines, labelled on the side where the label has
// room.
std::string GanttMarkers(const GanttLayout& g, const plan::Plan& plan) {
  const auto anchor = [&](double t) { return g.X(t) > g.left + g.plot / 2 ? "end" : "start"; };
  const double bottom = g.axis_y;
  std::string svg = fmt::format(
      "<line class=\"makespan\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
      "stroke=\"#444\" stroke-width=\"1.5\"/><text x=\"{0:.1f}\" y=\"{3:.1f}\" "
      "text-anchor=\"{4}\" fill=\"#444\">makespan {5} s</text>\n",
      g.X(plan.makespan), g.top - 4, bottom, g.top - 8, anchor(plan.makespan), S2(plan.makespan));
  svg += fmt::format(
      "<line class=\"cycle-time\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
      "stroke=\"#111\" stroke-width=\"2.5\" stroke-dasharray=\"7 4\"/><text x=\"{0:.1f}\" "
      "y=\"{3:.1f}\" text-anchor=\"{4}\" font-weight=\"700\">cycle time {5} s</text>\n",
      g.X(plan.cycle_time), g.top - 22, bottom, g.top - 26, anchor(plan.cycle_time),
      CycleTimeText(plan.cycle_time));
  return svg;
}

// The per-robot timeline as an SVG: rows, time axis, segment bars, idle ends, and the
// makespan and cycle time lines.
std::string Gantt(const plan::Plan& plan, const plan::CycleBreakdown& breakdown) {
  const GanttLayout g(plan.makespan, plan.cycle_time, static_cast<int>(plan.robots.size()));
  std::string svg = fmt::format(
      "<svg class=\"gantt\" viewBox=\"0 0 {:.0f} {:.0f}\" role=\"img\" "
      "aria-label=\"per-robot timeline\">\n",
      g.width, g.height);
  svg += GanttRows(g, plan, breakdown);
  svg += GanttAxis(g);
  for (int r = 0; r < g.robots; ++r) {
    svg += GanttBars(g, plan.robots[r], breakdown.robots[r], r);
  }
  svg += GanttIdle(g, plan, breakdown);
  svg += GanttMarkers(g, plan);
  svg += "</svg>\n";
  return svg;
}

// The objects named in a reach detail ("R1/gun – clamp_1 (17 poses), R1/link_3 – body (3
// poses), …") other than the robot's own bodies, with their pose counts.
std::vector<std::pair<std::string, int>> BlockingObjects(const std::string& detail,
                                                         const std::string& robot) {
  std::vector<std::pair<std::string, int>> out;
  static const std::regex pair_pattern(R"((?:^|, )(.+?) – (.+?) \(([0-9]+) poses\))");
  for (std::sregex_iterator it(detail.begin(), detail.end(), pair_pattern), end; it != end; ++it) {
    const int poses = std::stoi((*it)[3].str());
    for (const int side : {1, 2}) {
      const std::string name = (*it)[side].str();
      if (name.rfind(robot + "/", 0) != 0) out.emplace_back(name, poses);
    }
  }
  return out;
}

std::string Row(const std::vector<std::string>& cells, const std::string& cls = "") {
  std::string out = cls.empty() ? "<tr>" : "<tr class=\"" + cls + "\">";
  for (const std::string& c : cells) out += c;
  return out + "</tr>\n";
}
std::string Td(const std::string& html, const std::string& cls = "") {
  return (cls.empty() ? "<td>" : "<td class=\"" + cls + "\">") + html + "</td>";
}
std::string Th(const std::string& html, const std::string& cls = "") {
  return (cls.empty() ? "<th>" : "<th class=\"" + cls + "\">") + html + "</th>";
}

// Detail lines under a message; more than three fold away (a native <details>, no script).
std::string Lines(const std::string& text) {
  if (text.empty()) return "";
  std::string body = "<div class=\"mono detail\">" + Esc(text) + "</div>";
  if (std::count(text.begin(), text.end(), '\n') <= 3) return body;
  return "<details><summary class=\"detail\">details</summary>" + body + "</details>";
}

// The pipeline's travel-time warnings (drift, biased labels, exact moves without a path) but
// the models refused on the station, which are their robots' fallbacks.
std::vector<std::string> OtherTravelWarnings(const plan::TravelReport& travel,
                                             const pipeline::PlanStatistics& stats) {
  std::vector<std::string> out;
  for (const std::string& w : stats.travel_warnings) {
    if (std::none_of(travel.robots.begin(), travel.robots.end(),
                     [&w](const plan::TravelRobotError& e) { return e.fallback == w; })) {
      out.push_back(w);
    }
  }
  return out;
}

// Every travel-time warning, once: each robot's fallback (why its moves were not priced as
// asked), then the others.
std::vector<std::string> TravelWarnings(const plan::TravelReport& travel,
                                        const pipeline::PlanStatistics& stats) {
  std::vector<std::string> out;
  for (const plan::TravelRobotError& e : travel.robots) {
    if (!e.fallback.empty()) out.push_back(e.fallback);
  }
  for (std::string& w : OtherTravelWarnings(travel, stats)) out.push_back(std::move(w));
  return out;
}

// "learned; matrices 0.41 s", or what was asked for where robots fell back from it.
std::string TravelLine(const plan::TravelReport& travel, double matrix_seconds) {
  std::string line = "travel time: " + Esc(travel.kind);
  const bool fell_back =
      std::any_of(travel.robots.begin(), travel.robots.end(),
                  [](const plan::TravelRobotError& e) { return !e.fallback.empty(); });
  if (fell_back && travel.kind != travel.requested) {
    line += " (" + Esc(travel.requested) +
            " was asked for; no robot's moves were priced by it: the reasons are in the model "
            "column)";
  } else if (fell_back) {
    line += " (the robots that fell back to the analytic estimate say why in the model column)";
  }
  return fmt::format("<p class=\"detail\">{}; matrices {} s.</p>", line, S2(matrix_seconds));
}

// The travel model's error on this station's planned moves (docs/learned.md), and per robot
// what priced its moves and, where that is not what was asked for, why.
std::string TravelSection(const plan::TravelReport& travel, const pipeline::PlanStatistics& stats) {
  std::string h = "<section id=\"travel\"><h2>Travel-time model</h2><table>";
  h += Row({Th("robot"), Th("model"), Th("moves", "num"), Th("planned s", "num"),
            Th("predicted s", "num"), Th("error %", "num"), Th("analytic error %", "num"),
            Th("drift")});
  for (const plan::TravelRobotError& e : travel.robots) {
    const bool moved = e.planned_seconds > 0;  // else no error in % (a robot given no weld)
    const std::string model =
        Esc(e.source) +
        (e.fallback.empty()
             ? std::string()
             : "<div class=\"fallback detail\">fell back: " + Esc(e.fallback) + "</div>");
    const std::string drift =
        !e.drift_threshold_pct ? std::string("-")
        : e.drifted            ? fmt::format("<span class=\"fail\">drifted (&gt; {:.1f} %)</span>",
                                             *e.drift_threshold_pct)
                               : fmt::format("ok (&le; {:.1f} %)", *e.drift_threshold_pct);
    h += Row({Td(Esc(e.robot)), Td(model), Td(std::to_string(e.moves), "num"),
              Td(S2(e.planned_seconds), "num"), Td(S2(e.predicted_seconds), "num"),
              Td(moved ? fmt::format("{:.1f}", e.error_pct) : "-", "num"),
              Td(moved ? fmt::format("{:.1f}", e.analytic_error_pct) : "-", "num"), Td(drift)});
  }
  h += "</table>" + TravelLine(travel, stats.travel_seconds);
  for (const std::string& w : OtherTravelWarnings(travel, stats)) h += "<p>" + Esc(w) + "</p>";
  return h + "</section>\n";
}

// Warnings from loading the cell, and the travel-time warnings (a refused model among them).
std::string WarningsSection(const ReportInfo& info, const plan::TravelReport& travel,
                            const pipeline::PlanStatistics& stats) {
  std::string h = "<section id=\"warnings\"><h2>Warnings</h2><h3>From loading</h3>";
  if (info.warnings.empty()) {
    h += "<p>None.</p>";
  } else {
    h += "<div class=\"mono\">";
    for (const Diagnostic& d : info.warnings) h += Esc(d.ToString()) + "\n";
    h += "</div>";
  }
  const std::vector<std::string> travel_warnings = TravelWarnings(travel, stats);
  if (!travel_warnings.empty()) {
    h += R"(<h3>Travel time</h3><div class="mono" id="travel-warnings">)";
    for (const std::string& w : travel_warnings) h += Esc(w) + "\n";
    h += "</div>";
  }
  return h + "</section>\n";
}

// The verdict banner: the verdict word on its colour, the makespan against the cycle time (s),
// the welds planned, the verification and the requirements met.
std::string VerdictBanner(const cell::Cell& cell, const plan::Plan& plan,
                          const plan::CycleBreakdown& breakdown,
                          const verify::VerifyReport& verification,
                          const std::vector<RequirementResult>& requirements, int welds,
                          int planned) {
  const verify::StationVerdict verdict = verify::Judge(plan, verification);
  std::string h = fmt::format(R"(<div class="verdict" id="verdict" style="background:{}">)",
                              VerdictColour(verdict));
  h += "<div class=\"word\">" + VerdictWord(verdict) + "</div><div class=\"line\">";
  h += fmt::format(
      "makespan {} s of {} s cycle time ({} {} s) · {} of {} welds planned · verification: {}",
      S2(plan.makespan), CycleTimeText(cell.cycle_time), breakdown.slack >= 0 ? "slack" : "over by",
      S2(std::abs(breakdown.slack)), planned, welds, ViolationCountText(verification));
  int met = 0;
  for (const RequirementResult& r : requirements) met += r.passed ? 1 : 0;
  h += fmt::format(" · {} of {} requirements met", met, requirements.size());
  h += "</div></div>\n";
  return h;
}

// The robots of the summary: each name with its model and gun.
std::string RobotsText(const cell::Cell& cell) {
  std::string robots;
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    const cell::Robot& robot = cell.robots[r];
    robots += (r ? ", " : "") + Esc(robot.name);
    std::string what = robot.model ? robot.model->name : "";
    if (!robot.tool.name.empty()) what += (what.empty() ? "" : " with ") + robot.tool.name;
    if (!what.empty()) robots += " <span class=\"detail\">(" + Esc(what) + ")</span>";
  }
  return robots;
}

// The summary: the cell, its file, robots, welds, obstacles and cycle time, the plan's seed,
// cell hash and format, and which weldcell made it when.
std::string SummarySection(const cell::Cell& cell, const plan::Plan& plan, const ReportInfo& info,
                           int welds, int planned) {
  std::string h = R"(<section id="summary"><h2>Summary</h2><dl class="summary">)";
  const auto item = [&](const std::string& key, const std::string& html) {
    h += "<dt>" + key + "</dt><dd>" + html + "</dd>";
  };
  item("cell", Esc(cell.name));
  if (!info.cell_file.empty())
    item("file", "<span class=\"mono\">" + Esc(info.cell_file) + "</span>");
  item("robots", fmt::format("{}: {}", cell.robots.size(), RobotsText(cell)));
  item("welds", fmt::format("{} ({} planned)", welds, planned));
  item("obstacles", fmt::format("{}", cell.obstacles.size()));
  item("cycle time", CycleTimeText(cell.cycle_time) + " s");
  item("seed", fmt::format("{}", plan.seed));
  item("cell hash", "<span class=\"mono\">" + Esc(plan.cell_hash) + "</span>");
  item("plan format", Esc(plan.format));
  item("weldcell", Esc(info.version));
  if (!info.generated_at.empty()) item("generated", Esc(info.generated_at));
  h += "</dl></section>\n";
  return h;
}

// The requirements, each passed or failed with its numbers (and the details of a failure).
std::string RequirementsSection(const std::vector<RequirementResult>& requirements) {
  std::string h = "<section id=\"requirements\"><h2>Requirements</h2><table>";
  h += Row({Th("requirement"), Th("result"), Th("numbers")});
  for (const RequirementResult& r : requirements) {
    h +=
        Row({Td(Esc(r.name)),
             Td(r.passed ? "<span class=\"pass\">pass</span>" : "<span class=\"fail\">fail</span>"),
             Td(Esc(r.message) + (r.passed ? "" : Lines(r.details)))});
  }
  h += "</table></section>\n";
  return h;
}

// The cycle-time breakdown per robot (s), the critical robot marked, with the slack and why
// that robot is critical.
std::string BreakdownSection(const plan::CycleBreakdown& breakdown) {
  std::string h = "<section id=\"breakdown\"><h2>Cycle-time breakdown</h2><table>";
  h += Row({Th("robot"), Th("welds", "num"), Th("moving s", "num"), Th("welding s", "num"),
            Th("waiting s", "num"), Th("idle s", "num"), Th("finish s", "num"), Th("")});
  for (int r = 0; r < static_cast<int>(breakdown.robots.size()); ++r) {
    const plan::RobotBreakdown& b = breakdown.robots[r];
    const bool critical = r == breakdown.critical;
    h += Row({Td(Esc(b.robot)), Td(fmt::format("{}", b.welds), "num"), Td(S2(b.moving), "num"),
              Td(S2(b.welding), "num"), Td(S2(b.waiting), "num"), Td(S2(b.idle), "num"),
              Td(S2(b.finish_time), "num"), Td(critical ? "critical" : "")},
             critical ? "critical" : "");
  }
  h += "</table>";
  h += fmt::format("<p>Makespan <b>{} s</b> against a cycle time of <b>{} s</b>: {} {} s.</p>",
                   S2(breakdown.makespan), CycleTimeText(breakdown.cycle_time),
                   breakdown.slack >= 0 ? "slack" : "over by", S2(std::abs(breakdown.slack)));
  if (!breakdown.critical_reason.empty()) {
    h += "<p><b>Critical robot:</b> " + Esc(breakdown.critical_reason) + ".</p>";
  }
  h += "</section>\n";
  return h;
}

// The Gantt chart's legend: one key per bar colour and line.
std::string GanttLegend() {
  return fmt::format(
      "<div class=\"legend\"><span class=\"key\"><i style=\"background:{}\"></i>move</span>"
      "<span class=\"key\"><i style=\"background:{}\"></i>weld (close, weld, open)</span>"
      "<span class=\"key\"><i style=\"background:{}\"></i>wait (label: the zone or weld waited "
      "for)</span><span class=\"key\"><i "
      "style=\"background:{};height:4px;vertical-align:3px\"></i>idle "
      "(done)</span><span class=\"key\">- - - cycle time</span><span class=\"key\">│ "
      "makespan</span></div>\n",
      kMoveColour, kWeldColour, kWaitColour, kIdleColour);
}

// A listed wait's causes (the binding event first, each with when it was ready, s), and the
// zones acquired there that no robot held before.
std::string WaitCauses(const plan::WaitInterval& w) {
  std::string causes;
  for (std::size_t c = 0; c < w.causes.size(); ++c) {
    causes +=
        (c ? "; " : "") + Esc(CauseText(w.causes[c])) +
        fmt::format(" <span class=\"detail\">ready at {} s</span>", S2(w.causes[c].ready_time));
  }
  if (causes.empty()) causes = "<span class=\"fail\">no zone or weld signal: a time offset</span>";
  // Acquired there too, but no robot held them before: they did not hold it up.
  for (const std::string& zone : w.free_zones) {
    causes += "; zone " + Esc(zone) + " <span class=\"detail\">free</span>";
  }
  return causes;
}

// The waits, explained: a table of the listed ones (s) and a count of those too short to list.
std::string WaitsPart(const plan::CycleBreakdown& breakdown) {
  std::string h;
  bool any_wait = false;
  std::string short_waits;  // per robot: its waits too short to list
  for (const plan::RobotBreakdown& b : breakdown.robots) {
    any_wait = any_wait || !b.waits.empty();
    if (b.short_waits > 0) {
      short_waits += fmt::format("{}{} wait(s) of {} ({:.1f} ms)", short_waits.empty() ? "" : ", ",
                                 b.short_waits, Esc(b.robot), 1e3 * b.short_waiting);
    }
  }
  if (any_wait || !short_waits.empty()) h += "<h3>Waits</h3>";
  if (any_wait) {
    h += "<table>";
    h += Row({Th("robot"), Th("from s", "num"), Th("to s", "num"), Th("seconds", "num"),
              Th("waiting for (the binding event first)")});
    for (const plan::RobotBreakdown& b : breakdown.robots) {
      for (const plan::WaitInterval& w : b.waits) {
        h += Row({Td(Esc(b.robot)), Td(S2(w.start_time), "num"), Td(S2(w.end_time), "num"),
                  Td(S2(w.duration()), "num"), Td(WaitCauses(w))});
      }
    }
    h += "</table>";
  }
  if (!short_waits.empty()) {
    h += fmt::format(
        "<p class=\"detail\">Not listed: {}, each under {:.2f} s and for a zone or weld "
        "signal.</p>",
        short_waits, 2 * plan::kShortestListedWait);
  }
  return h;
}

// The timeline: the Gantt chart with its legend, the waits and the interlock count.
std::string TimelineSection(const plan::Plan& plan, const plan::CycleBreakdown& breakdown) {
  std::string h = "<section id=\"timeline\"><h2>Timeline</h2>\n";
  h += Gantt(plan, breakdown);
  h += GanttLegend();
  h += WaitsPart(breakdown);
  h += fmt::format("<p class=\"detail\">{} interlock zone(s), {} weld signal(s).</p>",
                   plan.zones.size(), plan.weld_signals.size());
  h += "</section>\n";
  return h;
}

// One unplanned weld's row: why (reachable or not), the objects that blocked its poses most
// (summed over the robots) and each robot's reach. `weld`: its index in the cell, -1 if none
// or without a reach map of this cell.
std::string UnplannedRow(const cell::Cell& cell, const reach::ReachMap& reach,
                         const plan::UnreachableWeld& u, int weld) {
  std::string per_robot;
  std::map<std::string, int> objects;
  if (weld >= 0) {
    for (int r = 0; r < reach.robot_count(); ++r) {
      const reach::WeldReach& e = reach.at(weld, r);
      per_robot +=
          "<div><b>" + Esc(cell.robots[r].name) + "</b>: " + Esc(reach::ToString(e.status));
      if (e.status == reach::ReachStatus::kReachable) {
        per_robot += fmt::format(" ({} candidates)", e.candidates.size());
      }
      if (!e.detail.empty()) per_robot += " — " + Esc(e.detail);
      per_robot += "</div>";
      if (e.status == reach::ReachStatus::kCollision ||
          e.status == reach::ReachStatus::kApproachBlocked) {
        for (const auto& [object, poses] : BlockingObjects(e.detail, cell.robots[r].name)) {
          objects[object] += poses;
        }
      }
    }
  }
  std::vector<std::pair<std::string, int>> sorted(objects.begin(), objects.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string blocked;
  for (const auto& [object, poses] : sorted) {
    blocked += (blocked.empty() ? "" : ", ") + Esc(object) +
               fmt::format(" <span class=\"detail\">({} poses)</span>", poses);
  }
  const bool reachable = weld >= 0 && reach.reachable(weld);
  return Row(
      {Td(Esc(u.weld_id)),
       Td(reachable
              ? "reachable, but not planned:<div class=\"mono detail\">" + Esc(u.reason) + "</div>"
              : "no robot reaches it"),
       Td(blocked.empty() ? "—" : blocked), Td(per_robot.empty() ? Esc(u.reason) : per_robot)});
}

// The welds not planned, each with why (`have_reach`: the reach map is this cell's).
std::string UnplannedSection(const cell::Cell& cell, const plan::Plan& plan,
                             const reach::ReachMap& reach, bool have_reach) {
  const int welds = static_cast<int>(cell.welds.size());
  std::map<std::string, int> weld_index;
  for (int w = 0; w < welds; ++w) weld_index[cell.welds[w].id] = w;
  std::string h = "<section id=\"unplanned\"><h2>Welds not planned</h2>";
  if (plan.unreachable.empty()) {
    h += "<p>None: every weld is planned.</p>";
  } else {
    h += "<table class=\"fixed\">";
    h += "<colgroup><col style=\"width:9%\"/><col style=\"width:36%\"/><col "
         "style=\"width:15%\"/><col style=\"width:40%\"/></colgroup>";
    h += Row({Th("weld"), Th("why"), Th("blocked by"), Th("per robot (reach)")});
    for (const plan::UnreachableWeld& u : plan.unreachable) {
      const auto it = weld_index.find(u.weld_id);
      h += UnplannedRow(cell, reach, u, have_reach && it != weld_index.end() ? it->second : -1);
    }
    h += "</table>";
  }
  h += "</section>\n";
  return h;
}

// The reach table: per weld and robot the number of candidates, or why there is none.
std::string ReachSection(const cell::Cell& cell, const reach::ReachMap& reach) {
  const int welds = static_cast<int>(cell.welds.size());
  std::string h = "<section id=\"reach\"><h2>Reach</h2>";
  h += "<p class=\"detail\">Per weld and robot: the number of candidate configurations (IK "
       "branch × gun spin × tilt, within limits, collision-free, with a free approach), or "
       "why there is none.</p><table>";
  std::vector<std::string> head{Th("weld")};
  for (const cell::Robot& r : cell.robots) head.push_back(Th(Esc(r.name)));
  h += Row(head);
  for (int w = 0; w < welds; ++w) {
    std::vector<std::string> cells{Td(Esc(cell.welds[w].id), "id")};
    for (int r = 0; r < reach.robot_count(); ++r) {
      const reach::WeldReach& e = reach.at(w, r);
      if (e.status == reach::ReachStatus::kReachable) {
        cells.push_back(Td(fmt::format("✓ {}", e.candidates.size()), "ok"));
      } else {
        cells.push_back(
            Td(Esc(reach::ToString(e.status)) +
                   (e.detail.empty() ? "" : "<div class=\"detail\">" + Esc(e.detail) + "</div>"),
               "no"));
      }
    }
    h += Row(cells);
  }
  h += "</table></section>\n";
  return h;
}

// The verifier's violations: their count, per kind, and its summary lines.
std::string VerificationSection(const verify::VerifyReport& verification) {
  std::string h = "<section id=\"verification\"><h2>Verification</h2>";
  h += fmt::format(
      "<p>{} violation(s) in {} configurations checked (independent re-check: "
      "dense collisions, limits, timing, interlocks, welds, precedences).</p>",
      verification.violations.size(), verification.collision_checks);
  if (!verification.ok()) {
    h += "<table>" + Row({Th("kind"), Th("count", "num")});
    for (const auto& [kind, count] : verification.CountByKind()) {
      h += Row({Td(Esc(verify::ToString(kind))), Td(fmt::format("{}", count), "num")});
    }
    h += "</table><div class=\"mono\">";
    for (const std::string& line : verify::SummaryLines(verification)) h += Esc(line) + "\n";
    h += "</div>";
  }
  h += "</section>\n";
  return h;
}

// The wall time of each stage and their total (s).
std::string StageTimesTable(const pipeline::PlanStatistics& stats, const ReportInfo& info) {
  std::string h = "<table>";
  h += Row({Th("stage"), Th("wall s", "num")});
  const double total = stats.reach_seconds + stats.travel_seconds + stats.allocation_seconds +
                       stats.motion_seconds + stats.coordination_seconds + info.verify_seconds;
  std::vector<std::pair<const char*, double>> stages{{"reach", stats.reach_seconds}};
  // The travel-time matrices take time only with learned or exact travel times.
  if (stats.travel_seconds > 0) stages.emplace_back("travel times", stats.travel_seconds);
  stages.insert(stages.end(), {{"allocation", stats.allocation_seconds},
                               {"motion", stats.motion_seconds},
                               {"coordination", stats.coordination_seconds},
                               {"verification", info.verify_seconds},
                               {"total", total}});
  for (const auto& [stage, seconds] : stages) h += Row({Td(stage), Td(S2(seconds), "num")});
  h += "</table>";
  return h;
}

// The coordination overhead over the allocation's estimate (s and %), and its split on the
// critical robot: travel moves against their prices, waits, route at those prices.
std::string OverheadRows(const plan::Plan& plan, const plan::CycleBreakdown& breakdown,
                         const pipeline::PlanStatistics& stats) {
  const plan::OverheadSplit overhead =
      plan::SplitOverhead(breakdown, plan.travel, stats.estimated_makespan);
  if (!(stats.estimated_makespan > 0)) return "";  // no estimate (NaN included)
  std::string h = Row({Td("coordination overhead"),
                       Td(fmt::format("{:+.2f} ({:+.1f} %)", overhead.overhead,
                                      100.0 * overhead.overhead / stats.estimated_makespan),
                          "num")});
  if (!overhead.robot.empty()) {
    const std::string& r = overhead.robot;
    h += Row({Td("of it: " + Esc(r) + "'s travel moves against their prices", "part"),
              Td(fmt::format("{:+.2f}", overhead.travel), "num")});
    h += Row({Td("of it: " + Esc(r) + "'s waits" +
                     (overhead.signal_waiting > 0
                          ? fmt::format(" ({} s for weld signals)", S2(overhead.signal_waiting))
                          : std::string()),
                 "part"),
              Td(S2(overhead.waiting), "num")});
    h += Row({Td("of it: " + Esc(r) + "'s route at those prices", "part"),
              Td(fmt::format("{:+.2f}", overhead.route), "num")});
  }
  return h;
}

// The stages' wall times and the plan's figures (s): bound, estimates, makespans before and
// after coordination, the baseline's, the overhead; the move counts and the coordination's note.
std::string StagesSection(const plan::Plan& plan, const plan::CycleBreakdown& breakdown,
                          const pipeline::PlanStatistics& stats, const ReportInfo& info) {
  std::string h = "<section id=\"timings\"><h2>Stages</h2>";
  h += StageTimesTable(stats, info);
  h += "<table>";
  h += Row({Th("figure"), Th("s", "num")});
  h += Row({Td("allocation lower bound"), Td(S2(stats.lower_bound), "num")});
  h += Row({Td("allocation estimate"), Td(S2(stats.estimated_makespan), "num")});
  h += Row(
      {Td("makespan before conflict-aware re-allocation"), Td(S2(stats.first_makespan), "num")});
  h += Row({Td("re-allocations kept / tried"),
            Td(fmt::format("{} / {}", stats.rebalance_kept, stats.rebalance_rounds), "num")});
  h += Row({Td("baseline allocation's estimate (nearest robot)"),
            Td(S2(stats.baseline_makespan), "num")});
  if (stats.baseline_round_makespan > 0) {
    h += Row({Td(fmt::format("baseline allocation planned (the baseline round; {})",
                             stats.baseline_kept ? "kept" : "not kept")),
              Td(S2(stats.baseline_round_makespan), "num")});
  }
  h += Row({Td("coordinated makespan"), Td(S2(plan.makespan), "num")});
  h += OverheadRows(plan, breakdown, stats);
  h += "</table>";
  h += fmt::format("<p class=\"detail\">moves: {} direct, {} planned.</p>", stats.direct_moves,
                   stats.planned_moves);
  if (!stats.coordination_message.empty()) {
    h += "<p>coordination: " + Esc(stats.coordination_message) + "</p>";
  }
  h += "</section>\n";
  return h;
}

}  // namespace

const char* VerdictColour(verify::StationVerdict verdict) {
  switch (verdict) {
    case verify::StationVerdict::kFits:
      return kFitsColour;
    case verify::StationVerdict::kTooLong:
      return kTooLongColour;
    case verify::StationVerdict::kIncomplete:
      return kIncompleteColour;
    case verify::StationVerdict::kInvalid:
      return kInvalidColour;
  }
  return "#000";
}

std::string HtmlReport(const cell::Cell& cell, const pipeline::PlanOutput& output,
                       const verify::VerifyReport& verification, const ReportInfo& info) {
  const plan::Plan& plan = output.plan;
  const reach::ReachMap& reach = output.reach;
  const pipeline::PlanStatistics& stats = output.statistics;
  const plan::CycleBreakdown breakdown = plan::BreakDown(plan);
  std::vector<RequirementResult> requirements = CheckRequirements(cell, plan, reach, verification);
  if (!info.programs_error.empty()) requirements.push_back(ProgramsNotWritten(info.programs_error));
  const int welds = static_cast<int>(cell.welds.size());
  const int planned = welds - static_cast<int>(plan.unreachable.size());
  // The reach map is this cell's (else the weld tables leave it out).
  const bool have_reach =
      reach.weld_count() == welds && reach.robot_count() == static_cast<int>(cell.robots.size());

  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>weldcell report: " + Esc(cell.name) + "</title>\n<style>" + kStyle +
       "</style>\n</head>\n<body>\n<main>\n";
  h += "<h1>weldcell report: " + Esc(cell.name) + "</h1>\n";
  h += VerdictBanner(cell, plan, breakdown, verification, requirements, welds, planned);
  h += SummarySection(cell, plan, info, welds, planned);
  h += RequirementsSection(requirements);
  h += BreakdownSection(breakdown);
  h += TimelineSection(plan, breakdown);
  h += UnplannedSection(cell, plan, reach, have_reach);
  if (have_reach) h += ReachSection(cell, reach);
  h += VerificationSection(verification);
  h += WarningsSection(info, plan.travel, stats);
  h += StagesSection(plan, breakdown, stats, info);
  if (!plan.travel.kind.empty()) h += TravelSection(plan.travel, stats);
  h += "</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace weldcell::report
