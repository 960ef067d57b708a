#include "exporters/exported_motion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <vector>

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

// Kinds of violation that are contact: what moving off the planned path can cause (the
// program's speeds and timing are the controller's, not the plan's samples).
bool IsContact(verify::ViolationKind kind) {
  using K = verify::ViolationKind;
  return kind == K::kCollision || kind == K::kSelfCollision || kind == K::kRobotCollision ||
         kind == K::kUnorderedContact || kind == K::kRobustness;
}

constexpr double kDeg = 180.0 / std::numbers::pi;

}  // namespace

plan::Plan ExportedMotion(const plan::Plan& plan, const ExportResult& result) {
  plan::Plan moved = plan;
  for (const RobotExport& e : result.robots) {
    const auto rp = std::find_if(moved.robots.begin(), moved.robots.end(),
                                 [&](const plan::RobotPlan& r) { return r.robot == e.robot; });
    if (rp == moved.robots.end()) continue;
    const std::vector<std::vector<int>>& waypoints = e.figures.waypoints;
    for (std::size_t k = 0; k < rp->segments.size() && k < waypoints.size(); ++k) {
      MoveAlongChords(waypoints[k], rp->segments[k]);
    }
  }
  return moved;
}

void CheckExportedMotion(const plan::Plan& plan, const cell::Cell& cell,
                         const collision::CollisionWorld& world, const ExportResult& result,
                         int threads) {
  if (result.robots.empty()) return;
  const verify::VerifyReport report =
      verify::Verify(ExportedMotion(plan, result), cell, world, {.threads = threads});
  std::vector<const verify::Violation*> contacts;
  for (const verify::Violation& v : report.violations) {
    if (IsContact(v.kind)) contacts.push_back(&v);
  }
  if (contacts.empty()) return;
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
  const verify::Violation& first = *contacts.front();
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

}  // namespace weldcell::exporters
