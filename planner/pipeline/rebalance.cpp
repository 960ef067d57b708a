#include "planner/pipeline/rebalance.hpp"

#include <algorithm>
#include <map>

namespace weldcell::pipeline {
namespace {

// The welds robot `use.robot` welds over its use of a zone (weld indices); for a use of travel
// only, the welds it travels to there (the weld it comes from is another use's, or home).
std::vector<int> WeldsInUse(const cell::Cell& cell, const coordination::CoordinationResult& c,
                            const coordination::ZoneUse& use) {
  std::map<std::string, int> index;
  for (std::size_t w = 0; w < cell.welds.size(); ++w) index[cell.welds[w].id] = static_cast<int>(w);
  std::vector<int> welded, travelled_to;
  if (use.robot < 0 || use.robot >= static_cast<int>(c.trajectories.size())) return welded;
  const std::vector<motion::TrajectorySegment>& segments = c.trajectories[use.robot].segments();
  const int end = std::min(use.release_segment, static_cast<int>(segments.size()));
  for (int k = std::max(use.acquire_segment, 0); k < end; ++k) {
    const motion::TrajectorySegment& s = segments[static_cast<std::size_t>(k)];
    const bool dwell = s.kind == motion::SegmentKind::kWeldDwell;
    if (!dwell && s.kind != motion::SegmentKind::kMotion) continue;
    auto it = index.find(dwell ? s.from : s.to);
    if (it == index.end()) continue;  // home
    std::vector<int>& out = dwell ? welded : travelled_to;
    if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
  }
  return welded.empty() ? travelled_to : welded;
}

// s the second robot of zone `z` waits right before taking it.
double WaitBefore(const coordination::CoordinationResult& c, const coordination::Zone& z) {
  if (z.uses.size() < 2) return 0;
  const coordination::ZoneUse& second = z.uses.back();
  if (second.robot < 0 || second.robot >= static_cast<int>(c.trajectories.size())) return 0;
  const std::vector<motion::TrajectorySegment>& segments = c.trajectories[second.robot].segments();
  const int k = second.acquire_segment - 1;
  if (k < 0 || k >= static_cast<int>(segments.size()) ||
      segments[static_cast<std::size_t>(k)].kind != motion::SegmentKind::kWait) {
    return 0;
  }
  return segments[static_cast<std::size_t>(k)].duration();
}

// (weld, from) for the welds `from` welds in `use` that robot `to` reaches, not in `skip`.
Withheld Movable(const cell::Cell& cell, const reach::ReachMap& reach,
                 const coordination::CoordinationResult& c, const coordination::ZoneUse& use,
                 int to, const Withheld& skip) {
  Withheld out;
  for (int w : WeldsInUse(cell, c, use)) {
    if (reach.at(w, to).status == reach::ReachStatus::kReachable && !skip.count({w, use.robot})) {
      out.insert({w, use.robot});
    }
  }
  return out;
}

}  // namespace

Withheld NextWithheld(const cell::Cell& cell, const reach::ReachMap& reach,
                      const Allocation& allocation,
                      const std::vector<motion::SequenceResult>& motions,
                      const coordination::CoordinationResult& coordinated, const Withheld& skip) {
  Withheld failed;  // stops whose motion failed, where another robot reaches the weld
  for (std::size_t r = 0; r < motions.size(); ++r) {
    for (const motion::SkippedStop& s : motions[r].skipped) {
      if (r >= allocation.routes.size() || s.index < 0 ||
          s.index >= static_cast<int>(allocation.routes[r].size())) {
        continue;
      }
      const int w = allocation.routes[r][static_cast<std::size_t>(s.index)].weld;
      const int robot = static_cast<int>(r);
      bool other = false;
      for (int o = 0; o < reach.robot_count(); ++o) {
        other |= o != robot && reach.at(w, o).status == reach::ReachStatus::kReachable &&
                 !skip.count({w, o});
      }
      if (other && !skip.count({w, robot})) failed.insert({w, robot});
    }
  }
  if (!failed.empty()) return failed;
  std::vector<std::pair<double, int>> waits;  // (-wait, zone): longest first, then zone order
  // The zones before merging: a merged zone spans much of two timelines.
  const std::vector<coordination::Zone>& zones = coordinated.conflict_zones;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const double wait = WaitBefore(coordinated, zones[z]);
    if (wait > 1e-6) waits.emplace_back(-wait, static_cast<int>(z));
  }
  std::sort(waits.begin(), waits.end());
  for (const auto& [negative_wait, z] : waits) {
    const coordination::Zone& zone = zones[static_cast<std::size_t>(z)];
    const coordination::ZoneUse& first = zone.uses.front();
    const coordination::ZoneUse& second = zone.uses.back();
    Withheld out = Movable(cell, reach, coordinated, second, first.robot, skip);
    if (out.empty()) out = Movable(cell, reach, coordinated, first, second.robot, skip);
    if (!out.empty()) return out;
  }
  return {};
}

}  // namespace weldcell::pipeline
