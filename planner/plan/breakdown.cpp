#include "planner/plan/breakdown.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace weldcell::plan {
namespace {

double Duration(const Segment& s) {
  return s.times.size() < 2 ? 0.0 : s.times.back() - s.times.front();
}

// The events robot `robot` waits for at the start of its segment `segment` (wait->causes), and
// the zones it acquires there as their first user (wait->free_zones).
void CausesAt(const Plan& plan, const std::string& robot, int segment, WaitInterval* wait) {
  std::vector<WaitCause>& causes = wait->causes;
  for (const Zone& zone : plan.zones) {
    for (std::size_t u = 0; u < zone.uses.size(); ++u) {
      const ZoneUse& use = zone.uses[u];
      if (use.robot != robot || use.acquire_segment != segment) continue;
      // No use before it: nothing to wait for (it is not "ready at 0 s", it is free).
      if (u == 0) {
        wait->free_zones.push_back(zone.id);
        continue;
      }
      WaitCause cause{.kind = WaitCauseKind::kZone, .id = zone.id};
      // It waits for every earlier user's release; the latest release is the one that binds.
      for (std::size_t before = 0; before < u; ++before) {
        if (cause.robot.empty() || zone.uses[before].release_time > cause.ready_time) {
          cause.robot = zone.uses[before].robot;
          cause.ready_time = zone.uses[before].release_time;
        }
      }
      causes.push_back(std::move(cause));
    }
  }
  for (const WeldSignal& signal : plan.weld_signals) {
    if (signal.robot != robot || signal.segment != segment) continue;
    WaitCause cause{.kind = WaitCauseKind::kWeldSignal, .id = signal.weld};
    for (const RobotPlan& r : plan.robots) {
      for (const WeldVisit& w : r.welds) {
        if (w.weld_id == signal.weld) {
          cause.robot = r.robot;
          cause.ready_time = w.end_time;
        }
      }
    }
    causes.push_back(std::move(cause));
  }
  std::stable_sort(causes.begin(), causes.end(), [](const WaitCause& a, const WaitCause& b) {
    return a.ready_time > b.ready_time;
  });
}

std::string Seconds(double s) { return fmt::format("{:.2f} s", s); }

}  // namespace

std::string Describe(const WaitShare& share) {
  if (share.id.empty()) return "no zone or weld signal (a time offset)";
  if (share.kind == WaitCauseKind::kZone) {
    return share.robot.empty() ? "zone " + share.id : "zone " + share.id + " (" + share.robot + ")";
  }
  return share.robot.empty() ? "weld " + share.id + " (welded by no robot)"
                             : "weld " + share.id + " (welded by " + share.robot + ")";
}

CycleBreakdown BreakDown(const Plan& plan) {
  CycleBreakdown out{.makespan = plan.makespan,
                     .cycle_time = plan.cycle_time,
                     .slack = plan.cycle_time - plan.makespan};
  for (const RobotPlan& r : plan.robots) {
    RobotBreakdown b{
        .robot = r.robot, .finish_time = r.finish_time, .welds = static_cast<int>(r.welds.size())};
    const int count = static_cast<int>(r.segments.size());
    for (int i = 0; i < count; ++i) {
      const Segment& s = r.segments[i];
      const double d = Duration(s);
      switch (s.kind) {
        case SegmentKind::kMotion:
          b.moving += d;
          break;
        case SegmentKind::kWeld:
          b.welding += d;
          break;
        case SegmentKind::kWait: {
          b.waiting += d;
          if (d <= 0.0) break;
          // The wait ends at the standstill where the next non-wait segment starts (or the end
          // of the timeline): the events acquired there are what it waited for.
          int next = i + 1;
          while (next < count && r.segments[next].kind == SegmentKind::kWait) ++next;
          WaitInterval wait{
              .segment = i, .start_time = s.times.front(), .end_time = s.times.back()};
          CausesAt(plan, r.robot, next, &wait);
          // A wait that would show as 0.00 s is counted, not listed; a time offset always is.
          if (d < kShortestListedWait && !wait.causes.empty()) {
            ++b.short_waits;
            b.short_waiting += d;
          } else {
            b.waits.push_back(std::move(wait));
          }
          break;
        }
      }
    }
    b.idle = plan.makespan - r.finish_time;
    out.robots.push_back(std::move(b));
  }
  // A plan where no robot moves (nothing planned) has no critical robot: none sets a makespan.
  for (int i = 0; i < static_cast<int>(out.robots.size()); ++i) {
    if (out.robots[i].finish_time > 0.0 &&
        (out.critical < 0 || out.robots[i].finish_time > out.robots[out.critical].finish_time)) {
      out.critical = i;
    }
  }
  if (out.critical < 0) return out;

  const RobotBreakdown& c = out.robots[out.critical];
  std::map<std::tuple<WaitCauseKind, std::string, std::string>, double> shares;
  for (const WaitInterval& w : c.waits) {
    const WaitCause binding = w.causes.empty() ? WaitCause{} : w.causes.front();
    shares[{binding.kind, w.causes.empty() ? "" : binding.id, binding.robot}] += w.duration();
  }
  for (const auto& [key, seconds] : shares) {
    out.critical_waits.push_back({.kind = std::get<0>(key),
                                  .id = std::get<1>(key),
                                  .robot = std::get<2>(key),
                                  .seconds = seconds});
  }
  std::stable_sort(out.critical_waits.begin(), out.critical_waits.end(),
                   [](const WaitShare& a, const WaitShare& b) { return a.seconds > b.seconds; });

  std::string why = fmt::format("{} finishes last at {}: busy {} (moving {}, welding {}, {} welds)",
                                c.robot, Seconds(c.finish_time), Seconds(c.busy()),
                                Seconds(c.moving), Seconds(c.welding), c.welds);
  if (c.waiting > 0.0) {
    why += fmt::format(" and waiting {} in {} wait(s)", Seconds(c.waiting),
                       c.waits.size() + static_cast<std::size_t>(c.short_waits));
    for (std::size_t k = 0; k < out.critical_waits.size(); ++k) {
      const WaitShare& share = out.critical_waits[k];
      why += (k == 0 ? " — " : ", ") + Seconds(share.seconds) +
             (share.id.empty() ? " that no zone or weld signal explains (a time offset)"
                               : " for " + Describe(share));
    }
    if (c.short_waits > 0) {
      why +=
          fmt::format("{}{} wait(s) under {:.2f} s", out.critical_waits.empty() ? " — " : ", and ",
                      c.short_waits, 2 * kShortestListedWait);
    }
  } else {
    why += "; it never waits: its own work sets the makespan";
  }
  out.critical_reason = why;
  return out;
}

OverheadSplit SplitOverhead(const CycleBreakdown& breakdown, const TravelReport& travel,
                            double estimate) {
  OverheadSplit out{.estimate = estimate};
  if (breakdown.critical < 0 || estimate <= 0.0) return out;
  const RobotBreakdown& c = breakdown.robots[static_cast<std::size_t>(breakdown.critical)];
  out.robot = c.robot;
  out.overhead = breakdown.makespan - estimate;
  out.waiting = c.waiting;
  for (const WaitShare& share : breakdown.critical_waits) {
    if (share.kind == WaitCauseKind::kWeldSignal && !share.id.empty()) {
      out.signal_waiting += share.seconds;
    }
  }
  for (const TravelRobotError& e : travel.robots) {
    if (e.robot != c.robot) continue;
    out.travel = e.planned_seconds - e.predicted_seconds;
    out.travel_source = e.source;
  }
  out.route = out.overhead - out.travel - out.waiting;
  for (std::size_t i = 0; i < breakdown.robots.size(); ++i) {
    const RobotBreakdown& r = breakdown.robots[i];
    if (static_cast<int>(i) != breakdown.critical &&
        r.finish_time >= breakdown.makespan - kNearCritical) {
      out.near_critical.push_back(r.robot);
    }
  }
  return out;
}

std::string Describe(const OverheadSplit& split) {
  if (split.robot.empty()) return {};
  auto signed_seconds = [](double s) { return fmt::format("{:+.2f} s", s); };
  std::string text = fmt::format(
      "{} on {}: travel moves {} against their prices{}, waits {}", signed_seconds(split.overhead),
      split.robot, signed_seconds(split.travel),
      split.travel_source.empty() ? "" : " (" + split.travel_source + ")", Seconds(split.waiting));
  if (split.signal_waiting > 0.0) {
    text += fmt::format(" (of them {} for weld signals, which the estimate counts in part)",
                        Seconds(split.signal_waiting));
  }
  text +=
      fmt::format(", route at those prices {} against the estimate", signed_seconds(split.route));
  if (!split.near_critical.empty()) {
    std::string names;
    for (const std::string& r : split.near_critical) names += (names.empty() ? "" : ", ") + r;
    text += fmt::format("; {} finish{} within {} too", names,
                        split.near_critical.size() == 1 ? "es" : "", Seconds(kNearCritical));
  }
  return text;
}

namespace {

// The characters of UTF-8 `text` (its bytes that do not continue a character), as fmt pads.
std::size_t CharacterCount(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

std::vector<std::string> BreakdownLines(const CycleBreakdown& b) {
  std::vector<std::string> lines;
  // The name column as wide as the longest name (fmt counts characters, not bytes).
  std::size_t name_width = 12;
  for (const RobotBreakdown& r : b.robots) {
    name_width = std::max(name_width, CharacterCount(r.robot));
  }
  lines.push_back(fmt::format("{:<{}} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10}", "robot",
                              name_width, "welds", "moving s", "welding s", "waiting s", "idle s",
                              "finish s"));
  for (std::size_t i = 0; i < b.robots.size(); ++i) {
    const RobotBreakdown& r = b.robots[i];
    lines.push_back(fmt::format("{:<{}} {:>6} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f}{}",
                                r.robot, name_width, r.welds, r.moving, r.welding, r.waiting,
                                r.idle, r.finish_time,
                                static_cast<int>(i) == b.critical ? "  critical" : ""));
  }
  lines.push_back(fmt::format("makespan {:.2f} s against a cycle time of {:.2f} s: {} {:.2f} s",
                              b.makespan, b.cycle_time, b.slack >= 0.0 ? "slack" : "over by",
                              b.slack >= 0.0 ? b.slack : -b.slack));
  if (!b.critical_reason.empty()) lines.push_back("critical: " + b.critical_reason);
  return lines;
}

}  // namespace weldcell::plan
