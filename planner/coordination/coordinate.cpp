#include "planner/coordination/coordinate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "planner/collision/collision_world.hpp"

namespace weldcell::coordination {
namespace {

// A robot's timeline as blocks of segments (grouped by the weld they lead to) plus the wait
// inserted before each block and the precedence wait inside it.
struct Timeline {
  Eigen::VectorXd start;
  std::vector<std::vector<motion::TrajectorySegment>> blocks;
  std::vector<double> wait;  // interlock waits (and waits of the input), at the block's start
  // Waits for predecessors' welds (recomputed), where the robot stands before its approach to
  // the weld: as near as it gets without touching the part, out of the way of where it came
  // from (often the other robot's next weld).
  std::vector<double> precedence_wait;

  double TotalWait(std::size_t k) const { return wait[k] + precedence_wait[k]; }

  double trailing_wait = 0.0;  // a wait after the last block (kept as given)
  std::string trailing_at;

  static Timeline From(const motion::RobotTrajectory& t) {
    Timeline out;
    out.start = t.start();
    double pending = 0.0;  // waits already in the input belong to the next block
    std::string pending_at;
    for (const motion::TrajectorySegment& s : t.segments()) {
      if (s.kind == motion::SegmentKind::kWait) {
        pending += s.duration();
        pending_at = s.from;
        continue;
      }
      if (out.blocks.empty() || out.blocks.back().back().to != s.to || pending > 0) {
        out.blocks.emplace_back();
        out.wait.push_back(pending);
        pending = 0.0;
      }
      out.blocks.back().push_back(s);
    }
    out.trailing_wait = pending;
    out.trailing_at = pending_at;
    out.precedence_wait.assign(out.blocks.size(), 0.0);
    return out;
  }

  // The trajectory with the waits, and each block's [start, end] time.
  motion::RobotTrajectory Build(std::vector<std::pair<double, double>>* spans) const {
    motion::RobotTrajectory t(start);
    spans->clear();
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      const double block_start = t.duration();
      if (wait[k] > 0) t.AppendWait(blocks[k].front().from, wait[k]);
      bool arrived = false;  // at the weld: the approach, dwell and retract start there
      for (const motion::TrajectorySegment& s : blocks[k]) {
        if (!arrived && s.from == s.to && precedence_wait[k] > 0) {
          t.AppendWait(s.from, precedence_wait[k]);
        }
        arrived |= s.from == s.to;
        switch (s.kind) {
          case motion::SegmentKind::kMotion:
            t.AppendMotion(s.profile, s.from, s.to);
            break;
          case motion::SegmentKind::kWeldDwell:
            t.AppendWeldDwell(s.from, s.duration());
            break;
          case motion::SegmentKind::kWait:
            break;
        }
      }
      spans->push_back({block_start, t.duration()});
    }
    if (trailing_wait > 0) t.AppendWait(trailing_at, trailing_wait);
    return t;
  }
};

// Index of the block whose span contains t (the last one starting at or before t), -1 if none.
int BlockAt(const std::vector<std::pair<double, double>>& spans, double t) {
  int found = -1;
  for (std::size_t k = 0; k < spans.size(); ++k) {
    if (spans[k].first <= t) found = static_cast<int>(k);
  }
  if (found >= 0 && t > spans[found].second) return -1;  // after the last block: at home
  return found;
}

// Largest time step after which no point of the robot has moved more than `travel`, given its
// velocity now and its acceleration limits (|q̇_i(t+τ)| ≤ |q̇_i(t)| + a_i τ).
double SafeStep(const collision::DisplacementBound& bound, const Eigen::VectorXd& qd,
                const Eigen::VectorXd& amax, double travel) {
  double v = 0, a = 0;
  for (Eigen::Index i = 0; i < qd.size(); ++i) {
    v += bound.lever_arm[i] * std::abs(qd[i]);
    a += bound.lever_arm[i] * amax[i];
  }
  if (a <= 0) return v > 0 ? travel / v : 1.0;
  return (-v + std::sqrt(v * v + 2 * a * travel)) / a;
}

struct Conflict {
  double time;
  int a, b;
};

// Where a weld's dwell lies: robot, block, and its offset and length within the block's motion.
struct DwellPlace {
  int robot = 0;
  int block = 0;
  double offset = 0.0;  // s from the end of the block's wait to the dwell's start
  double length = 0.0;  // s
};

std::map<std::string, DwellPlace> FindDwells(const std::vector<Timeline>& timelines) {
  std::map<std::string, DwellPlace> out;
  for (std::size_t r = 0; r < timelines.size(); ++r) {
    for (std::size_t k = 0; k < timelines[r].blocks.size(); ++k) {
      double offset = 0.0;
      for (const motion::TrajectorySegment& s : timelines[r].blocks[k]) {
        if (s.kind == motion::SegmentKind::kWeldDwell) {
          out.emplace(s.from,
                      DwellPlace{static_cast<int>(r), static_cast<int>(k), offset, s.duration()});
        }
        offset += s.duration();
      }
    }
  }
  return out;
}

// A precedence between the dwells of two blocks.
struct Link {
  DwellPlace before, after;
};

// The precedences as links between blocks (those with both welds in a timeline). Sets `error`
// when a robot welds a weld before its own predecessor.
std::vector<Link> LinksOf(const std::vector<Timeline>& timelines,
                          const std::vector<Precedence>& precedences, std::string* error) {
  std::vector<Link> links;
  if (precedences.empty()) return links;
  const std::map<std::string, DwellPlace> dwells = FindDwells(timelines);
  for (const Precedence& p : precedences) {
    auto b = dwells.find(p.before), a = dwells.find(p.after);
    if (b == dwells.end() || a == dwells.end() || p.before == p.after) continue;
    if (a->second.robot == b->second.robot && a->second.block <= b->second.block) {
      *error = "weld " + p.after + " is welded before " + p.before +
               " by the same robot, but must be welded after it";
    }
    links.push_back({b->second, a->second});
  }
  return links;
}

// Sets every timeline's precedence waits to the smallest that keep all precedences, given the
// interlock waits: repeated passes until no dwell starts before its predecessors have ended
// (waits only grow within this call, so it converges unless the precedences and the robots'
// orders wait in a circle). Returns an empty string, or why the precedences cannot be kept.
std::string KeepPrecedences(std::vector<Timeline>& timelines, const std::vector<Link>& links) {
  std::size_t blocks = 0;
  for (Timeline& t : timelines) {
    t.precedence_wait.assign(t.blocks.size(), 0.0);
    blocks += t.blocks.size();
  }
  if (links.empty()) return {};
  std::vector<std::vector<double>> block_start(timelines.size());
  auto dwell_start = [&](const DwellPlace& d) {
    return block_start[d.robot][d.block] + timelines[d.robot].TotalWait(d.block) + d.offset;
  };
  // Each pass fixes at least the next link of any chain of dependencies; a chain is at most as
  // long as there are blocks.
  for (std::size_t pass = 0; pass <= blocks + 1; ++pass) {
    for (std::size_t r = 0; r < timelines.size(); ++r) {
      const Timeline& t = timelines[r];
      block_start[r].resize(t.blocks.size());
      double time = 0.0;
      for (std::size_t k = 0; k < t.blocks.size(); ++k) {
        block_start[r][k] = time;
        time += t.TotalWait(k);
        for (const motion::TrajectorySegment& s : t.blocks[k]) time += s.duration();
      }
    }
    bool changed = false;
    for (const Link& l : links) {
      const double ready = dwell_start(l.before) + l.before.length;
      const double start = dwell_start(l.after);
      if (start < ready - 1e-9) {
        timelines[l.after.robot].precedence_wait[l.after.block] += ready - start;
        changed = true;
      }
    }
    if (!changed) return {};
  }
  return "the precedences and the robots' weld orders wait for each other in a circle";
}

}  // namespace

namespace {

double Makespan(const std::vector<motion::RobotTrajectory>& trajectories) {
  double m = 0;
  for (const motion::RobotTrajectory& t : trajectories) m = std::max(m, t.duration());
  return m;
}

// One resolution run with fixed priorities: priority[r] = rank of robot r (0 never waits).
CoordinationResult CoordinateWithPriority(const collision::CollisionWorld& world,
                                          std::vector<motion::RobotTrajectory> trajectories,
                                          const std::vector<int>& priority,
                                          const CoordinationOptions& options) {
  const int n = static_cast<int>(trajectories.size());
  std::vector<Timeline> timelines;
  for (const motion::RobotTrajectory& t : trajectories) timelines.push_back(Timeline::From(t));
  CoordinationResult result;
  collision::CollisionContext ctx(world);
  auto cell_robot = [](int r) { return "robot " + std::to_string(r); };
  std::vector<std::vector<std::pair<double, double>>> spans(n);
  double checked_until = 0.0;                       // no conflict before this time (see header)
  std::vector<std::vector<double>> built_waits(n);  // total waits of the built trajectories
  std::string link_error;
  const std::vector<Link> links = LinksOf(timelines, options.precedences, &link_error);
  std::vector<int> owner_blocks;    // per interlock: the owner's block index
  std::vector<int> partner_blocks;  // per interlock: the block the partner waits before
  // s: every robot's work one after the other, with room for the waits (a bound no sensible
  // coordination exceeds).
  double serial_time = 1.0;
  for (const motion::RobotTrajectory& t : trajectories) serial_time += 2 * t.duration();

  for (int iteration = 0;; ++iteration) {
    if (options.progress.cancelled()) {
      result.message = "cancelled";
      break;
    }
    if (std::string why = link_error.empty() ? KeepPrecedences(timelines, links) : link_error;
        !why.empty()) {
      result.message = why;
      for (int r = 0; r < n; ++r) {
        timelines[r].precedence_wait.assign(timelines[r].blocks.size(), 0.0);
        trajectories[r] = timelines[r].Build(&spans[r]);
      }
      break;
    }
    for (int r = 0; r < n; ++r) {
      // The timeline is unchanged before its first block whose wait changed.
      std::vector<double> waits(timelines[r].blocks.size());
      for (std::size_t k = 0; k < waits.size(); ++k) waits[k] = timelines[r].TotalWait(k);
      if (iteration > 0) {
        for (std::size_t k = 0; k < waits.size(); ++k) {
          if (waits[k] != built_waits[r][k]) {
            checked_until = std::min(checked_until, spans[r][k].first);
            break;
          }
        }
      }
      built_waits[r] = std::move(waits);
      trajectories[r] = timelines[r].Build(&spans[r]);
    }
    // Earliest conflict over all pairs, stepping each pair on one clock.
    std::optional<Conflict> first;
    for (int a = 0; a < n; ++a) {
      for (int b = a + 1; b < n; ++b) {
        const double end = std::max(trajectories[a].duration(), trajectories[b].duration());
        const double limit = first ? first->time : end;
        const Eigen::VectorXd& amax_a = world.chain(a).acceleration_limits();
        const Eigen::VectorXd& amax_b = world.chain(b).acceleration_limits();
        for (double t = checked_until;;) {
          const motion::JointState sa = trajectories[a].Sample(t);
          const motion::JointState sb = trajectories[b].Sample(t);
          ++result.checks;
          if (world.CheckRobotPair(ctx, a, sa.q, b, sb.q).in_collision()) {
            if (!first || t < first->time) first = Conflict{t, a, b};
            break;
          }
          if (t >= limit) break;
          // Each robot moves at most half the resolution until the next check.
          const double half = 0.5 * options.resolution;
          const double dt = std::min(SafeStep(world.displacement_bound(a), sa.qd, amax_a, half),
                                     SafeStep(world.displacement_bound(b), sb.qd, amax_b, half));
          t = std::min(limit, t + std::max(dt, 1e-6));
        }
      }
    }
    if (!first) {
      result.conflict_free = true;
      break;
    }
    const double t = first->time;
    if (iteration >= options.max_iterations) {
      result.message = "robots " + std::to_string(first->a) + " and " + std::to_string(first->b) +
                       " still collide at " + std::to_string(t) + " s after " +
                       std::to_string(options.max_iterations) + " interlocks";
      break;
    }
    // The robot of lower priority waits; the other's timeline is left as it is.
    const int owner = priority[first->a] < priority[first->b] ? first->a : first->b;
    const int waiter = owner == first->a ? first->b : first->a;
    const int ko = BlockAt(spans[owner], t);
    int kw = BlockAt(spans[waiter], t);
    if (ko < 0) {
      result.message = cell_robot(waiter) + " collides with " + cell_robot(owner) +
                       " standing at home at " + std::to_string(t) + " s";
      break;
    }
    if (kw < 0) {
      // The waiter is home after its last block: it cannot wait its way out.
      result.message = cell_robot(owner) + " collides with " + cell_robot(waiter) +
                       " back at home at " + std::to_string(t) + " s";
      break;
    }
    // Already waiting there: the waiting place is in the way, so wait one block earlier.
    const bool waiting =
        timelines[waiter].wait[kw] > 0 && t < spans[waiter][kw].first + timelines[waiter].wait[kw];
    // The same wait again: an interlock for the same two blocks whose owner block has moved
    // later since (it waits, after:, for welds the partner does after its wait), or waits
    // grown beyond doing everything one robot after the other. More waiting only pushes both
    // further: a deadlock of this scheme; say so rather than loop.
    const int kw_wait = waiting ? kw - 1 : kw;
    std::string deadlock;
    for (std::size_t i = 0; i < result.interlocks.size() && deadlock.empty(); ++i) {
      const Interlock& z = result.interlocks[i];
      if (z.owner == owner && z.partner == waiter && owner_blocks[i] == ko &&
          partner_blocks[i] == kw_wait && spans[owner][ko].second > z.release_time + 1e-9) {
        deadlock = cell_robot(waiter) + " waits before its block to " + z.partner_block + " for " +
                   cell_robot(owner) + "'s block to " + z.owner_block +
                   ", which waits (after:) for welds " + cell_robot(waiter) +
                   " does after that wait: deadlock";
      }
    }
    if (deadlock.empty() && Makespan(trajectories) > serial_time) {
      deadlock = "waits for precedences and interlocks grow beyond " + std::to_string(serial_time) +
                 " s, all robots' work one after the other: deadlock";
    }
    if (!deadlock.empty()) {
      result.message = deadlock;
      break;
    }
    if (waiting) {
      if (kw == 0) {
        result.message = cell_robot(owner) + " collides with " + cell_robot(waiter) +
                         " waiting at home at " + std::to_string(t) + " s";
        break;
      }
      timelines[waiter].wait[kw] = 0.0;
      --kw;
    }
    const double release = spans[owner][ko].second;
    const double needed = release - spans[waiter][kw].first - timelines[waiter].wait[kw];
    timelines[waiter].wait[kw] += std::max(needed, 1e-3);
    owner_blocks.push_back(ko);
    partner_blocks.push_back(kw);
    result.interlocks.push_back({.zone = "Z" + std::to_string(result.interlocks.size() + 1),
                                 .owner = owner,
                                 .partner = waiter,
                                 .acquire_time = spans[owner][ko].first,
                                 .release_time = release,
                                 .owner_block = timelines[owner].blocks[ko].front().to,
                                 .partner_block = timelines[waiter].blocks[kw].front().to});
    checked_until = std::min(t, spans[waiter][kw].first);
  }
  // Precedence waits may have moved an owner's block after its interlock was made: the
  // interlock holds the block's final span.
  for (std::size_t i = 0; i < result.interlocks.size(); ++i) {
    Interlock& z = result.interlocks[i];
    z.acquire_time = spans[z.owner][owner_blocks[i]].first;
    z.release_time = spans[z.owner][owner_blocks[i]].second;
  }
  result.trajectories = std::move(trajectories);
  return result;
}

double Makespan(const CoordinationResult& r) { return Makespan(r.trajectories); }

}  // namespace

CoordinationResult Coordinate(const collision::CollisionWorld& world,
                              std::vector<motion::RobotTrajectory> trajectories,
                              const CoordinationOptions& options) {
  const int n = static_cast<int>(trajectories.size());
  // Priority orders tried: each robot in turn first, the others by decreasing duration (ties
  // by index); the conflict-free result with the shortest makespan wins (ties: the first).
  std::vector<int> by_duration(n);
  for (int r = 0; r < n; ++r) by_duration[r] = r;
  std::stable_sort(by_duration.begin(), by_duration.end(), [&](int x, int y) {
    return trajectories[x].duration() > trajectories[y].duration();
  });
  std::optional<CoordinationResult> best;
  long long checks = 0;
  int tried = 0;
  if (n > 0) options.progress.Report(kCoordinateStage, 0, n);
  for (int first : by_duration) {
    if (options.progress.cancelled()) {
      return {.trajectories = std::move(trajectories), .message = "cancelled"};
    }
    std::vector<int> order = {first};
    for (int r : by_duration) {
      if (r != first) order.push_back(r);
    }
    std::vector<int> priority(n);
    for (int i = 0; i < n; ++i) priority[order[i]] = i;
    CoordinationResult r = CoordinateWithPriority(world, trajectories, priority, options);
    checks += r.checks;
    const bool better =
        !best || (r.conflict_free && !best->conflict_free) ||
        (r.conflict_free == best->conflict_free && Makespan(r) < Makespan(*best) - 1e-9);
    if (better) best = std::move(r);
    options.progress.Report(kCoordinateStage, ++tried, n);
  }
  if (options.progress.cancelled()) {
    return {.trajectories = std::move(trajectories), .message = "cancelled"};
  }
  if (!best) return {.trajectories = std::move(trajectories), .conflict_free = true};
  best->checks = checks;
  return std::move(*best);
}

}  // namespace weldcell::coordination
