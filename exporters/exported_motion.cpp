#include "exporters/exported_motion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <stdexcept>
#include <utility>
#include <vector>

#include "exporters/corners.hpp"
#include "exporters/site.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::exporters {
namespace {

// The segment's samples as the program moves through them: between consecutive waypoints
// (indices into s.q), the straight joint move at the share of its planned time.
void MoveAlongChords(const std::vector<int>& waypoints, plan::Segment& s) {
  for (std::size_t w = 1; w < waypoints.size(); ++w) {
    const auto i0 = static_cast<std::size_t>(waypoints[w - 1]);
    const auto i1 = static_cast<std::size_t>(waypoints[w]);
    // Only the samples strictly between the two waypoints change.
    const Eigen::VectorXd& a = s.q[i0];
    const Eigen::VectorXd& b = s.q[i1];
    const double span = s.times[i1] - s.times[i0];
    for (std::size_t k = i0 + 1; k < i1; ++k) {
      const double share = span > 0 ? (s.times[k] - s.times[i0]) / span : 0.0;
      s.q[k] = a + share * (b - a);
    }
  }
}

// A blended waypoint of a program and its blend: the blend through waypoint b leaves the chord
// into b at the share 1 − f_in of that move's time and joins the chord out of b at the share
// f_out of its time (s, planned clock), at a uniform rate in time (corners.hpp, BlendPoint).
struct BlendWindow {
  std::size_t segment = 0;
  int sample = 0;                     ///< b's sample index.
  std::size_t before = 0, after = 0;  ///< The waypoints around b (sample indices).
  BlendRegion region;
  double start = 0.0, end = 0.0;
};

// The blend windows of one segment `s` (as planned), in waypoint order; `segment` left 0.
std::vector<BlendWindow> SegmentBlendWindows(const plan::Segment& s,
                                             const std::vector<int>& waypoints,
                                             const std::vector<int>& blended,
                                             const BlendModel& model) {
  std::vector<BlendWindow> windows;
  for (std::size_t w = 1; w + 1 < waypoints.size(); ++w) {
    if (std::find(blended.begin(), blended.end(), waypoints[w]) == blended.end()) continue;
    const auto i0 = static_cast<std::size_t>(waypoints[w - 1]);
    const auto i1 = static_cast<std::size_t>(waypoints[w]);
    const auto i2 = static_cast<std::size_t>(waypoints[w + 1]);
    BlendWindow b{.sample = waypoints[w],
                  .before = i0,
                  .after = i2,
                  .region = BlendRegionOf(s.q[i0], s.q[i1], s.q[i2], model)};
    b.start = s.times[i1] - b.region.previous_share * (s.times[i1] - s.times[i0]);
    b.end = s.times[i1] + b.region.next_share * (s.times[i2] - s.times[i1]);
    windows.push_back(std::move(b));
  }
  return windows;
}

// The samples inside each blend window moved onto the blended path. `planned` holds the
// waypoints as planned (the blends move b itself).
void MoveThroughBlends(const std::vector<int>& waypoints, const std::vector<int>& blended,
                       const BlendModel& model, const plan::Segment& planned, plan::Segment& s) {
  const std::vector<double>& t = planned.times;
  for (const BlendWindow& b : SegmentBlendWindows(planned, waypoints, blended, model)) {
    if (!(b.end > b.start)) continue;
    for (std::size_t k = b.before + 1; k < b.after; ++k) {
      if (t[k] < b.start || t[k] > b.end) continue;
      s.q[k] = BlendPoint(b.region, (t[k] - b.start) / (b.end - b.start));
    }
  }
}

// Kinds of violation that are contact: what moving off the planned path can cause (the
// program's speeds and timing are the controller's, not the plan's samples).
bool IsContact(verify::ViolationKind kind) {
  using K = verify::ViolationKind;
  return kind == K::kCollision || kind == K::kSelfCollision || kind == K::kRobotCollision ||
         kind == K::kUnorderedContact || kind == K::kRobustness;
}

constexpr double kDeg = 180.0 / std::numbers::pi;

}  // namespace

plan::Plan ExportedMotion(const plan::Plan& plan, const ExportResult& result, Blends blends) {
  plan::Plan moved = plan;
  for (const RobotExport& e : result.robots) {
    const auto rp = std::find_if(moved.robots.begin(), moved.robots.end(),
                                 [&](const plan::RobotPlan& r) { return r.robot == e.robot; });
    if (rp == moved.robots.end()) continue;
    const std::vector<std::vector<int>>& waypoints = e.figures.waypoints;
    const std::vector<std::vector<int>>& blended = e.figures.blended;
    for (std::size_t k = 0; k < rp->segments.size() && k < waypoints.size(); ++k) {
      MoveAlongChords(waypoints[k], rp->segments[k]);
      if (blends == Blends::kAlong && k < blended.size() && !blended[k].empty()) {
        const plan::Segment& planned =
            plan.robots[static_cast<std::size_t>(rp - moved.robots.begin())].segments[k];
        MoveThroughBlends(waypoints[k], blended[k], e.figures.blend, planned, rp->segments[k]);
      }
    }
  }
  return moved;
}

namespace {

// The contacts of `moved` (IsContact) that the independent verifier finds.
std::vector<verify::Violation> Contacts(const plan::Plan& moved, const cell::Cell& cell,
                                        const collision::CollisionWorld& world, int threads) {
  const verify::VerifyReport report = verify::Verify(moved, cell, world, {.threads = threads});
  std::vector<verify::Violation> contacts;
  for (const verify::Violation& v : report.violations) {
    if (IsContact(v.kind)) contacts.push_back(v);
  }
  return contacts;
}

// The programs' chords make contact: the tolerances took them too far from the planned path.
[[noreturn]] void ThrowChordContacts(const ExportResult& result,
                                     const std::vector<verify::Violation>& contacts) {
  // How far each program leaves the planned path; the site of the robots (one site, with each
  // dialect's defaults filled in).
  std::string deviations;
  for (const RobotExport& e : result.robots) {
    deviations += fmt::format("{}{} {:.3g} deg", deviations.empty() ? "" : ", ", e.robot,
                              e.figures.max_deviation * kDeg);
  }
  const Site& site = result.robots.front().site;
  // Named at the tolerance the file raised (the merge tolerance when it gives only that one).
  const std::string key =
      !site.where.count("corridor_tolerance") && site.where.count("merge_tolerance")
          ? "merge_tolerance"
          : "corridor_tolerance";
  const verify::Violation& first = contacts.front();
  const std::string contact = fmt::format(
      "{:.3f} s{}: {}{}", first.time, first.robot.empty() ? "" : ", " + first.robot, first.message,
      contacts.size() > 1 ? fmt::format("; {} more", contacts.size() - 1) : "");
  SiteError(site, key,
            fmt::format("the programs as exported make contact that the plan does not make ({}); "
                        "their moves leave the planned path by up to {} (corridor_tolerance "
                        "{:.4g} deg, merge_tolerance {:.4g} deg) and the interlocks were made "
                        "for the planned path: lower the tolerances",
                        contact, deviations, site.corridor_tolerance * kDeg,
                        site.merge_tolerance * kDeg));
}

std::vector<BlendWindow> BlendWindows(const plan::RobotPlan& rp, const ProgramFigures& figures) {
  std::vector<BlendWindow> windows;
  for (std::size_t k = 0; k < rp.segments.size() && k < figures.blended.size(); ++k) {
    for (BlendWindow& w : SegmentBlendWindows(rp.segments[k], figures.waypoints[k],
                                              figures.blended[k], figures.blend)) {
      w.segment = k;
      windows.push_back(std::move(w));
    }
  }
  return windows;
}

// Whether `robot`'s blend in `window` is made an exact stop in `round` (CheckExportedMotion):
// 0, a contact of the robot on a clock that comes near the window (random timing varies every
// duration by ±20 %, so a contact at t of a run happened near t / 1.2 … t / 0.8 of the planned
// clock; a second either side for the pieces' extent); 1, any contact of the robot; 2, always.
bool StopsIn(int round, const std::string& robot, const BlendWindow& window,
             const std::vector<verify::Violation>& contacts) {
  if (round >= 2) return true;
  return std::any_of(contacts.begin(), contacts.end(), [&](const verify::Violation& v) {
    if (v.robot != robot && v.other_robot != robot) return false;
    return round == 1 || (window.end >= 0.8 * v.time - 1.0 && window.start <= 1.25 * v.time + 1.0);
  });
}

}  // namespace

void CheckExportedMotion(const plan::Plan& plan, const cell::Cell& cell,
                         const collision::CollisionWorld& world, int threads,
                         const RebuildProgram& rebuild, ExportResult* result) {
  if (result->robots.empty()) return;
  std::vector<verify::Violation> contacts =
      Contacts(ExportedMotion(plan, *result, Blends::kAlong), cell, world, threads);
  if (contacts.empty()) return;
  if (const std::vector<verify::Violation> chords =
          Contacts(ExportedMotion(plan, *result, Blends::kNone), cell, world, threads);
      !chords.empty()) {
    ThrowChordContacts(*result, chords);
  }
  // Only blends make contact, and their regions are proved free of obstacles and the robot
  // itself: another robot is in the way. Stop there, in wider rounds until none meets one.
  std::vector<std::vector<std::vector<int>>> stops(result->robots.size());
  for (int round = 0; round < 3 && !contacts.empty(); ++round) {
    for (std::size_t i = 0; i < result->robots.size(); ++i) {
      const RobotExport& e = result->robots[i];
      const auto rp = std::find_if(plan.robots.begin(), plan.robots.end(),
                                   [&](const plan::RobotPlan& r) { return r.robot == e.robot; });
      if (rp == plan.robots.end()) continue;
      stops[i].resize(rp->segments.size());
      bool more = false;
      for (const BlendWindow& w : BlendWindows(*rp, e.figures)) {
        if (!StopsIn(round, e.robot, w, contacts)) continue;
        stops[i][w.segment].push_back(w.sample);
        more = true;
      }
      if (more) result->robots[i] = rebuild(i, stops[i]);
    }
    contacts = Contacts(ExportedMotion(plan, *result, Blends::kAlong), cell, world, threads);
  }
  if (!contacts.empty()) {
    // The last round stops every blend: the chords' motion, found free above.
    throw std::logic_error("CheckExportedMotion: contact with every blend stopped: " +
                           contacts.front().message);
  }
}

}  // namespace weldcell::exporters
