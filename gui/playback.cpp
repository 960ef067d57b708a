#include "gui/playback.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace weldcell::gui {

Eigen::VectorXd ConfigurationAt(const plan::RobotPlan& robot, double t, int* segment) {
  if (segment != nullptr) *segment = -1;
  const plan::Segment* first = nullptr;
  const plan::Segment* last = nullptr;
  for (const plan::Segment& s : robot.segments) {
    if (s.times.empty()) continue;
    if (first == nullptr) first = &s;
    last = &s;
  }
  if (first == nullptr) return {};
  if (t < first->times.front()) return first->q.front();
  if (t >= last->times.back()) return last->q.back();
  // The segment under way at t: the one whose [start, end) holds t, so that a segment (a wait)
  // starting at t is the robot's activity at t, even at t = 0; else one ending exactly at t.
  std::size_t found = robot.segments.size();
  for (std::size_t i = 0; i < robot.segments.size(); ++i) {
    const plan::Segment& s = robot.segments[i];
    if (s.times.empty() || t < s.times.front() || t > s.times.back()) continue;
    if (t < s.times.back()) {
      found = i;
      break;
    }
    if (found == robot.segments.size()) found = i;
  }
  if (found < robot.segments.size()) {
    const std::size_t i = found;
    const plan::Segment& s = robot.segments[i];
    if (segment != nullptr) *segment = static_cast<int>(i);
    const auto it = std::upper_bound(s.times.begin(), s.times.end(), t);
    if (it == s.times.end()) return s.q.back();
    const auto k = static_cast<std::size_t>(it - s.times.begin());
    if (k == 0) return s.q.front();
    const double t0 = s.times[k - 1], t1 = s.times[k];
    const double a = t1 > t0 ? (t - t0) / (t1 - t0) : 1.0;
    return (1 - a) * s.q[k - 1] + a * s.q[k];
  }
  // Between segments (the plan keeps them contiguous; a gap holds the earlier end).
  const plan::Segment* before = first;
  for (const plan::Segment& s : robot.segments) {
    if (!s.times.empty() && s.times.back() <= t) before = &s;
  }
  return before->q.back();
}

StationMoment MomentAt(const plan::Plan& plan, double t) {
  StationMoment moment;
  for (const plan::RobotPlan& robot : plan.robots) {
    RobotMoment m;
    m.q = ConfigurationAt(robot, t, &m.segment);
    if (m.segment >= 0) {
      const plan::Segment& s = robot.segments[static_cast<std::size_t>(m.segment)];
      m.activity = s.kind;
      if (s.kind == plan::SegmentKind::kWait) {
        int next = m.segment + 1;
        while (next < static_cast<int>(robot.segments.size()) &&
               robot.segments[static_cast<std::size_t>(next)].kind == plan::SegmentKind::kWait) {
          ++next;
        }
        for (const plan::Zone& zone : plan.zones) {
          // The zone's first user finds it free: it waits for the others only.
          for (std::size_t u = 1; u < zone.uses.size(); ++u) {
            const plan::ZoneUse& use = zone.uses[u];
            if (use.robot == robot.robot && use.acquire_segment == next) {
              m.waiting_for.push_back(zone.id);
            }
          }
        }
        for (const plan::WeldSignal& signal : plan.weld_signals) {
          if (signal.robot == robot.robot && signal.segment == next) {
            m.waiting_for.push_back("after " + signal.weld);
          }
        }
      }
    } else {
      m.finished = !robot.segments.empty() && !robot.segments.back().times.empty() &&
                   t >= robot.segments.back().times.back();
    }
    for (const plan::WeldVisit& visit : robot.welds) {
      if (visit.end_time <= t) moment.welds_done.push_back(visit.weld_id);
    }
    moment.robots.push_back(std::move(m));
  }
  std::sort(moment.welds_done.begin(), moment.welds_done.end());
  return moment;
}

double PlanDuration(const plan::Plan& plan) {
  double end = 0;
  for (const plan::RobotPlan& robot : plan.robots) {
    for (const plan::Segment& s : robot.segments) {
      if (!s.times.empty()) end = std::max(end, s.times.back());
    }
  }
  return end;
}

double NiceTickStep(double span, int max_labels) {
  max_labels = std::max(1, max_labels);
  if (!(span > 0) || !std::isfinite(span)) return 1.0;
  const double raw = span / max_labels;
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    // A step within rounding of raw counts as reaching it (span 20 in 10 labels: step 2).
    if (m * base >= raw * (1 - 1e-12) && std::isfinite(m * base)) return m * base;
  }
  return raw;  // only near the largest double, where 10^k × 2 overflows
}

std::vector<double> AxisTicks(double span, int max_labels) {
  max_labels = std::max(1, max_labels);
  std::vector<double> ticks;
  if (!(span >= 0) || !std::isfinite(span)) return {0.0};
  const double step = NiceTickStep(span, max_labels);
  // Counted, not accumulated: at most max_labels + 1 ticks by construction.
  const double steps = std::floor(span / step * (1 + 1e-12));
  const int n = static_cast<int>(std::min<double>(steps, max_labels));
  for (int i = 0; i <= n; ++i) ticks.push_back(i * step);
  return ticks;
}

std::string FormatSeconds(double t, int decimals) {
  char text[64];
  if (std::isfinite(t) && std::abs(t) < 1e6) {
    std::snprintf(text, sizeof text, "%.*f", std::clamp(decimals, 0, 6), t);
  } else {
    std::snprintf(text, sizeof text, "%.3e", t);
  }
  return text;
}

double DisplayedResolution(double t, int decimals) {
  if (std::isfinite(t) && std::abs(t) < 1e6)
    return 0.5 * std::pow(10.0, -std::clamp(decimals, 0, 6));
  if (!std::isfinite(t) || t == 0) return 0.0;
  return 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(t))) - 3);
}

}  // namespace weldcell::gui
