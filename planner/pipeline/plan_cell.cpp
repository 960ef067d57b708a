#include "planner/pipeline/plan_cell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <future>
#include <limits>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "planner/collision/collision_world.hpp"
#include "planner/common/check.hpp"
#include "planner/coordination/critical_path.hpp"
#include "planner/coordination/directions.hpp"
#include "planner/coordination/route_starts.hpp"
#include "planner/motion/time_parameterization.hpp"
#include "planner/pipeline/rebalance.hpp"
#include "planner/pipeline/transfers.hpp"

namespace weldcell::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One planning of the station from an allocation problem on: what the stages give and how good
// the coordinated result is.
struct Attempt {
  AllocationProblem problem;
  Allocation allocation;  ///< With the candidates welded in (PlanMotions).
  /// As the allocator gave them; a route the weld-transfer or route-start round planned anew: as
  /// it was given to PlanMotions (PlannedRoutes files its motion so).
  std::vector<std::vector<AssignedWeld>> allocated_routes;
  std::vector<motion::SequenceResult> motions;
  coordination::CoordinationResult coordinated;

  int Failed() const {  // stops whose motion failed
    std::size_t n = 0;
    for (const motion::SequenceResult& m : motions) n += m.skipped.size();
    return static_cast<int>(n);
  }
  int Unplanned() const {
    std::size_t n = problem.unreachable.size();
    for (const motion::SequenceResult& m : motions) n += m.skipped.size();
    return static_cast<int>(n);
  }
  double Makespan() const {
    double m = 0.0;
    for (const motion::RobotTrajectory& t : coordinated.trajectories) m = std::max(m, t.duration());
    return m;
  }
  // More welds planned, then conflict-free, then a shorter makespan.
  bool BetterThan(const Attempt& other) const {
    if (Unplanned() != other.Unplanned()) return Unplanned() < other.Unplanned();
    if (coordinated.conflict_free != other.coordinated.conflict_free) {
      return coordinated.conflict_free;
    }
    return Makespan() < other.Makespan() - 1e-6;
  }
};

// An allocation problem and its allocation, computed ahead of the round that uses it.
struct Allocated {
  AllocationProblem problem;
  Allocation allocation;
  double seconds = 0;  ///< s the background thread spent building and solving it.
};

// The allocations of the rounds that do not depend on earlier rounds' results: the spatial
// round's first (all welds offered, the spatial and sweep terms) and the exclusion round's (the
// same with the arms' exclusions). One background thread computes them, in that order, from the
// start of the blind plan on, while the pipeline's single-threaded stretches (the other
// allocations) leave a core free. They are the calls PlanFrom would make in place, with the same
// inputs (and seed): the same results. Their progress is not reported (it would interleave with
// the current stage's); cancellation stops them as it stops the pipeline. The destructor waits
// for the thread: it reads `reach` and `travel`, which must outlive this object.
class AllocationsAhead {
 public:
  AllocationsAhead(const cell::Cell& cell, const collision::CollisionWorld& world,
                   const reach::ReachMap& reach, const PlanOptions& options,
                   const TravelMatrices& travel, bool spatial, bool exclusion) {
    if (!spatial && !exclusion) return;
    if (spatial) spatial_ = spatial_promise_.get_future();
    if (exclusion) exclusion_ = exclusion_promise_.get_future();
    PlanOptions silent = options;
    silent.progress = options.progress.Silent();
    thread_ = std::thread([this, &cell, &world, &reach, &travel, silent, spatial, exclusion] {
      auto compute = [&](std::promise<Allocated>& promise, bool exclusions) {
        try {
          const auto t0 = Clock::now();
          Allocated a;
          a.problem = BuildAllocationProblem(cell, world, reach, silent, {}, &travel, exclusions);
          a.allocation = Allocate(cell, reach, a.problem, silent);
          a.seconds = Since(t0);
          promise.set_value(std::move(a));
        } catch (...) {
          promise.set_exception(std::current_exception());
        }
      };
      if (spatial) compute(spatial_promise_, /*exclusions=*/false);
      if (exclusion) compute(exclusion_promise_, /*exclusions=*/true);
    });
  }
  AllocationsAhead(const AllocationsAhead&) = delete;
  AllocationsAhead& operator=(const AllocationsAhead&) = delete;
  ~AllocationsAhead() {
    if (thread_.joinable()) thread_.join();
  }

  // The spatial round's first allocation (null when not asked for), waited for; once.
  std::future<Allocated>* Spatial() { return spatial_.valid() ? &spatial_ : nullptr; }
  // The exclusion round's allocation (null when not asked for), waited for; once.
  std::future<Allocated>* Exclusion() { return exclusion_.valid() ? &exclusion_ : nullptr; }

 private:
  std::promise<Allocated> spatial_promise_, exclusion_promise_;
  std::future<Allocated> spatial_, exclusion_;
  std::thread thread_;  // last: joined before the promises go
};

// Allocation → motion → coordination for `withheld`, reusing the motions of routes in `planned`
// and adding the motions planned here to it.
// `ahead` (optional): the allocation, computed ahead (AllocationsAhead) with the same options,
// `withheld` and `exclusions`; waited for here. An attempt that leaves more than `max_unplanned`
// welds unplanned cannot be better than the one it competes with (Attempt::BetterThan counts
// unplanned welds first): its motion planning stops as soon as that is certain, and it is not
// coordinated: its motions are partial and its Unplanned() count, above `max_unplanned`, keeps it
// from ever being better.
Attempt PlanFrom(const cell::Cell& cell, const collision::CollisionWorld& world,
                 const reach::ReachMap& reach, const PlanOptions& options, const Withheld& withheld,
                 const TravelMatrices& travel, PlannedRoutes& planned,
                 coordination::ConflictCache& cache, PlanStatistics& stats,
                 int max_unplanned = std::numeric_limits<int>::max(), bool exclusions = false,
                 std::future<Allocated>* ahead = nullptr,
                 const std::vector<std::vector<AssignedWeld>>* start = nullptr) {
  Attempt a;
  auto t0 = Clock::now();
  std::optional<Allocated> allocated;
  if (ahead) {
    options.progress.Report(kAllocateStage, 0, 1);
    allocated = ahead->get();
    options.progress.Report(kAllocateStage, 1, 1);
    a.problem = std::move(allocated->problem);
    stats.ahead_allocation_seconds += allocated->seconds;
  } else {
    a.problem = BuildAllocationProblem(cell, world, reach, options, withheld, &travel, exclusions);
  }
  const int unreachable = static_cast<int>(a.problem.unreachable.size());
  if (unreachable > max_unplanned) return a;
  a.allocation = allocated ? std::move(allocated->allocation)
                           : Allocate(cell, reach, a.problem, options, start);
  stats.allocation_seconds += Since(t0);
  if (options.progress.cancelled()) return a;
  t0 = Clock::now();
  a.allocated_routes = a.allocation.routes;
  a.motions =
      PlanMotions(cell, world, reach, a.allocation, options, &planned,
                  max_unplanned == std::numeric_limits<int>::max() ? max_unplanned
                                                                   : max_unplanned - unreachable,
                  &travel);
  stats.motion_seconds += Since(t0);
  if (options.progress.cancelled()) return a;
  planned.Add(a.allocated_routes, a.motions);
  if (a.Unplanned() > max_unplanned) return a;
  t0 = Clock::now();
  a.coordinated = CoordinateMotions(cell, world, a.motions, options, &cache);
  stats.coordination_seconds += Since(t0);
  return a;
}

}  // namespace

plan::TravelReport MeasureTravelError(const cell::Cell& cell,
                                      const collision::CollisionWorld& world,
                                      const reach::ReachMap& reach, const PlanOptions& options,
                                      const TravelMatrices& travel, const Allocation& allocation,
                                      const std::vector<motion::SequenceResult>& motions) {
  const std::string requested(ToString(options.travel_time));
  plan::TravelReport report{.kind = "analytic", .requested = requested, .robots = {}};
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    const kinematics::Chain& chain = world.chain(static_cast<int>(r));
    const motion::JointLimits limits{.max_velocity = chain.velocity_limits(),
                                     .max_acceleration = chain.acceleration_limits()};
    const TravelMatrices::Robot* matrix =
        r < travel.robots.size() && travel.robots[r].seconds.size() > 0 ? &travel.robots[r]
                                                                        : nullptr;
    plan::TravelRobotError e{
        .robot = cell.robots[r].name,
        .source = matrix ? matrix->source : "analytic",
        .fallback = r < travel.robots.size() ? travel.robots[r].fallback : std::string()};
    // The travel moves in execution order: (from id, to id, from node, to node, from q, to q).
    struct Leg {
      std::string from, to;
      int from_node = 0, to_node = 0;
      Eigen::VectorXd q_from, q_to;
    };
    std::vector<Leg> legs;
    std::set<int> skipped;
    for (const motion::SkippedStop& s : motions[r].skipped) skipped.insert(s.index);
    Leg leg{.from = "home", .q_from = cell.robots[r].home};
    const std::vector<AssignedWeld>& route = allocation.routes[r];
    // −1: a candidate the allocator was not offered (an alternative pose that motion took,
    // PlanMotions), which the matrix does not price.
    auto node_of = [&](const AssignedWeld& a) {
      if (!matrix) return 0;
      const std::vector<reach::Candidate>& c = reach.at(a.weld, static_cast<int>(r)).candidates;
      const auto it = std::find(c.begin(), c.end(), a.candidate);
      const auto node = matrix->node.find({a.weld, static_cast<int>(it - c.begin())});
      return node == matrix->node.end() ? -1 : node->second;
    };
    for (std::size_t i = 0; i < route.size(); ++i) {
      if (skipped.count(static_cast<int>(i))) continue;
      leg.to = cell.welds[route[i].weld].id;
      leg.to_node = node_of(route[i]);
      leg.q_to = route[i].candidate.q_approach;
      legs.push_back(leg);
      leg = Leg{.from = leg.to, .from_node = leg.to_node, .q_from = leg.q_to};
    }
    // Home to home (a robot given no weld) is no move: it would count as one of 0 s.
    if (!skipped.count(static_cast<int>(route.size())) && !legs.empty()) {
      leg.to = "home";
      leg.to_node = 0;
      leg.q_to = cell.robots[r].home;
      legs.push_back(leg);
    }
    // Planned durations: the trajectory's travel segments (a motion between different stops);
    // a move of zero length has no segment.
    const std::vector<motion::TrajectorySegment>& segments = motions[r].trajectory.segments();
    std::size_t k = 0;
    double analytic_error = 0.0, error = 0.0;
    for (const Leg& l : legs) {
      double planned = 0.0;
      while (k < segments.size() && !(segments[k].kind == motion::SegmentKind::kMotion &&
                                      segments[k].from != segments[k].to)) {
        ++k;
      }
      if (k < segments.size() && segments[k].from == l.from && segments[k].to == l.to) {
        planned = segments[k++].duration();
      }
      const double analytic =
          motion::RestToRestTime(l.q_from, l.q_to, limits, cell.settings.motion.speed_scale);
      const double predicted = matrix && l.from_node >= 0 && l.to_node >= 0
                                   ? matrix->seconds(l.from_node, l.to_node)
                                   : analytic;
      ++e.moves;
      e.planned_seconds += planned;
      e.predicted_seconds += predicted;
      error += std::abs(predicted - planned);
      analytic_error += std::abs(analytic - planned);
    }
    if (e.planned_seconds > 0) {
      e.error_pct = 100.0 * error / e.planned_seconds;
      e.analytic_error_pct = 100.0 * analytic_error / e.planned_seconds;
    }
    if (matrix && matrix->model) {
      e.drift_threshold_pct = matrix->model->info().drift_threshold_pct;
      e.drifted = e.error_pct > *e.drift_threshold_pct;
    }
    // The kind is what priced the moves: the one asked for only where some robot got it.
    if (e.source != "analytic") report.kind = requested;
    report.robots.push_back(std::move(e));
  }
  return report;
}

namespace {

// Repairs of the spatial round: each withholds the welds whose motion failed in the round's
// attempt so far (NextWithheld) on top of what the repairs before withheld. One is not always
// enough: on station XL the first repair gave two more welds of a pocket to the robot whose
// motions into that pocket had failed, and they failed too.
constexpr int kSpatialRepairs = 3;

// The round that allocates anew with the allocator's spatial (and sweep) term, and, when
// `may_repair`, up to kSpatialRepairs more while motions fail: a repaired attempt replaces the
// round's attempt when it is better, and the repairs stop at the first that is not.
// `rounds` counts the allocations made (1 to 1 + kSpatialRepairs); `repair`: what the kept
// repairs withheld. `ahead` (optional): the first allocation, computed ahead.
struct SpatialRound {
  Attempt attempt;
  Withheld repair;
  PlanOptions options;
  int rounds = 1;
};

SpatialRound TrySpatialRound(const cell::Cell& cell, const collision::CollisionWorld& world,
                             const reach::ReachMap& reach, const PlanOptions& options,
                             const TravelMatrices& travel, PlannedRoutes& planned, bool may_repair,
                             coordination::ConflictCache& conflict_cache, PlanStatistics& stats,
                             std::future<Allocated>* ahead) {
  SpatialRound out;
  out.options = options;
  out.attempt = PlanFrom(cell, world, reach, out.options, {}, travel, planned, conflict_cache,
                         stats, std::numeric_limits<int>::max(), /*exclusions=*/false, ahead);
  for (int k = 0; k < kSpatialRepairs && may_repair && out.attempt.Failed() > 0 &&
                  !options.progress.cancelled();
       ++k) {
    const Withheld add = NextWithheld(cell, reach, out.attempt.allocation, out.attempt.motions,
                                      out.attempt.coordinated, out.repair);
    if (add.empty()) break;
    Withheld trial = out.repair;
    trial.insert(add.begin(), add.end());
    Attempt repaired =
        PlanFrom(cell, world, reach, out.options, trial, travel, planned, conflict_cache, stats,
                 out.attempt.Unplanned(),
                 /*exclusions=*/false, /*ahead=*/nullptr, &out.attempt.allocated_routes);
    ++out.rounds;
    if (!repaired.BetterThan(out.attempt)) break;
    out.attempt = std::move(repaired);
    out.repair = std::move(trial);
  }
  return out;
}

// A copy of `best` but for its coordination, for a round to change some robots' routes in.
Attempt RoutesOf(const Attempt& best) {
  Attempt a;
  a.problem = best.problem;
  a.allocation = best.allocation;
  a.allocated_routes = best.allocated_routes;
  a.motions = best.motions;
  return a;
}

// `a` (a copy of `best` with some robots' routes changed) with the motions of the robots in
// `replanned` planned for their routes (a.allocation.routes, the poses to weld in): every travel
// move best's motions ran is run again (either way round), only the new ones are planned; then
// coordinated anew.
Attempt ReplanRoutes(const cell::Cell& cell, const collision::CollisionWorld& world,
                     const reach::ReachMap& reach, const PlanOptions& options,
                     const TravelMatrices& travel, PlannedRoutes& planned, const Attempt& best,
                     Attempt a, const std::vector<std::size_t>& replanned,
                     coordination::ConflictCache& cache, PlanStatistics& stats) {
  // The routes to plan: the replanned ones; the others as allocated, which PlanMotions finds
  // planned.
  Allocation to_plan = best.allocation;
  to_plan.routes = best.allocated_routes;
  for (const std::size_t r : replanned) to_plan.routes[r] = a.allocation.routes[r];
  const auto t0 = Clock::now();
  if (!replanned.empty()) {
    std::vector<motion::SequenceResult> motions =
        PlanMotions(cell, world, reach, to_plan, options, &planned, std::numeric_limits<int>::max(),
                    &travel, &best.motions);
    for (const std::size_t r : replanned) {
      a.motions[r] = std::move(motions[r]);
      // The route the motion was planned for (PlannedRoutes files it so), and its poses as
      // welded.
      a.allocated_routes[r] = std::move(a.allocation.routes[r]);
      a.allocation.routes[r] = to_plan.routes[r];
    }
  }
  stats.motion_seconds += Since(t0);
  if (options.progress.cancelled()) return a;
  const auto t1 = Clock::now();
  a.coordinated = CoordinateMotions(cell, world, a.motions, options, &cache);
  stats.coordination_seconds += Since(t1);
  return a;
}

// The route-start round: `best` with each robot's route started where `starts` says and run
// its way (coordination/route_starts.hpp), coordinated anew. A route only run backwards keeps its
// motion, run backwards (motion::Reversed); a route started at another weld runs every travel
// move of its motion again (either way round) and plans only its new ones.
Attempt RearrangeRoutes(const cell::Cell& cell, const collision::CollisionWorld& world,
                        const reach::ReachMap& reach, const PlanOptions& options,
                        const TravelMatrices& travel, PlannedRoutes& planned, const Attempt& best,
                        const std::vector<coordination::RouteStart>& starts,
                        coordination::ConflictCache& cache, PlanStatistics& stats) {
  Attempt a = RoutesOf(best);
  auto arranged = [](const std::vector<AssignedWeld>& route, const coordination::RouteStart& s) {
    std::vector<AssignedWeld> out;
    out.reserve(route.size());
    for (const int b : coordination::BlockOrder(s, static_cast<int>(route.size()))) {
      out.push_back(route[static_cast<std::size_t>(b)]);
    }
    return out;
  };
  std::vector<std::size_t> replanned;
  for (std::size_t r = 0; r < starts.size(); ++r) {
    const coordination::RouteStart& s = starts[r];
    if (s == coordination::RouteStart{}) continue;
    a.allocated_routes[r] = arranged(best.allocated_routes[r], s);
    a.allocation.routes[r] = arranged(best.allocation.routes[r], s);
    if (coordination::OnlyReversed(s, static_cast<int>(best.allocation.routes[r].size()))) {
      a.motions[r] = motion::Reversed(best.motions[r]);
    } else {
      replanned.push_back(r);
    }
  }
  return ReplanRoutes(cell, world, reach, options, travel, planned, best, std::move(a), replanned,
                      cache, stats);
}

// RearrangeBudgetFor's figures; of the tries at most kWeldTransferTries weld transfers (the
// weld-transfer round stops at its first not kept).
constexpr int kRearrangeWork = 2400;
constexpr int kMinRearrangeTries = 6;
constexpr int kMaxRearrangeTries = 40;
constexpr int kMinRouteStartMisses = 3;
constexpr int kWeldTransferTries = 2;
// The route-start round ranks this many starts and directions of each robot (of the six it
// scores on its grid): every robot's best first, then every robot's second best, and so on.
constexpr int kRouteStartsPerRobot = 6;

// A weld transfer is tried only when the plan's durations predict that it shortens the makespan
// by more than this share: smaller gains are within what another motion seed changes (L's
// predicted gains of 0.02-0.10 s all came out longer, each try costing 1-3 s of L's wall).
constexpr double kMinTransferGain = 0.005;
// s: the grid of the route-start round's pair coordination diagrams.
constexpr double kRouteStartGrid = 0.1;

// s of a new travel move as the analytic estimate prices it (motion::RestToRestTime).
coordination::TravelEstimate AnalyticEstimate(const cell::Cell& cell,
                                              const collision::CollisionWorld& world) {
  return [&cell, &world](int r, const Eigen::VectorXd& from, const Eigen::VectorXd& to) {
    const kinematics::Chain& chain = world.chain(r);
    return motion::RestToRestTime(
        from, to,
        {.max_velocity = chain.velocity_limits(), .max_acceleration = chain.acceleration_limits()},
        cell.settings.motion.speed_scale);
  };
}

// Robot r's motion in `best` read as a route (coordination::BlocksOf), when it runs its
// allocated route: no skipped stop, not abandoned, a block per weld of the route, each labelled
// with its weld's id. Nothing otherwise.
std::optional<coordination::RouteBlocks> RunsItsRoute(const cell::Cell& cell, const Attempt& best,
                                                      std::size_t r) {
  const motion::SequenceResult& m = best.motions[r];
  const std::vector<AssignedWeld>& route = best.allocation.routes[r];
  if (!m.skipped.empty() || m.abandoned) return std::nullopt;
  coordination::RouteBlocks blocks = coordination::BlocksOf(m.trajectory, 1);
  if (!blocks.valid || blocks.own.size() != route.size()) return std::nullopt;
  for (std::size_t b = 0; b < route.size(); ++b) {
    if (blocks.labels[b] != cell.welds[route[b].weld].id) return std::nullopt;
  }
  return blocks;
}

// Every robot's route as `best` ran it (transfers.hpp): a robot whose motion does not run its
// route (RunsItsRoute) may not change. A robot without welds may take one.
RunRoute RunRouteOf(const cell::Cell& cell, const Attempt& best, std::size_t r) {
  const motion::SequenceResult& m = best.motions[r];
  const std::vector<AssignedWeld>& route = best.allocation.routes[r];
  RunRoute run{.home = cell.robots[r].home,
               .travel = {0.0},
               .finish = best.coordinated.trajectories[r].duration(),
               .may_change = m.skipped.empty() && !m.abandoned};
  if (route.empty() || !run.may_change) return run;
  const std::optional<coordination::RouteBlocks> read = RunsItsRoute(cell, best, r);
  run.may_change = read.has_value();
  if (!run.may_change) return run;
  const coordination::RouteBlocks& blocks = *read;
  const std::vector<double> durations = coordination::PieceDurations(m.trajectory);
  auto piece = [&](int p) { return p < 0 ? 0.0 : durations[static_cast<std::size_t>(p)]; };
  run.travel.clear();
  for (std::size_t b = 0; b < route.size(); ++b) {
    run.welds.push_back(route[b].weld);
    run.at.push_back(blocks.at[b]);
    run.travel.push_back(piece(blocks.travel_in[b]));
    double own = 0.0;
    for (const int p : blocks.own[b]) own += piece(p);
    run.own.push_back(own);
  }
  run.travel.push_back(piece(blocks.travel_home));
  return run;
}

std::vector<RunRoute> RunRoutesOf(const cell::Cell& cell, const Attempt& best) {
  std::vector<RunRoute> out;
  out.reserve(best.motions.size());
  for (std::size_t r = 0; r < best.motions.size(); ++r) out.push_back(RunRouteOf(cell, best, r));
  return out;
}

// Every way a robot may weld a weld of `problem`: its offered candidates, with the durations the
// allocation gives their pieces.
std::vector<WeldOption> WeldOptionsOf(const reach::ReachMap& reach,
                                      const AllocationProblem& problem) {
  std::vector<WeldOption> out;
  for (std::size_t t = 0; t < problem.tasks.size(); ++t) {
    const AllocationTask& task = problem.tasks[t];
    for (std::size_t r = 0; r < task.options.size(); ++r) {
      const allocation::Capability* capability = problem.problem.FindCapability(
          allocation::TaskId{static_cast<int>(t)}, allocation::RobotId{static_cast<int>(r)});
      if (!capability) continue;
      for (std::size_t k = 0; k < task.options[r].size(); ++k) {
        const int candidate = task.options[r][k];
        out.push_back({.weld = task.weld,
                       .robot = static_cast<int>(r),
                       .candidate = candidate,
                       .at = reach.at(task.weld, static_cast<int>(r))
                                 .candidates[static_cast<std::size_t>(candidate)]
                                 .q_approach,
                       .duration = capability->options[k].duration});
      }
    }
  }
  return out;
}

// `best` with `transfer`'s weld welded by its new robot, both robots' motions planned anew
// (running the travel moves they ran before), coordinated anew.
Attempt TransferWeld(const cell::Cell& cell, const collision::CollisionWorld& world,
                     const reach::ReachMap& reach, const PlanOptions& options,
                     const TravelMatrices& travel, PlannedRoutes& planned, const Attempt& best,
                     const WeldTransfer& transfer, coordination::ConflictCache& cache,
                     PlanStatistics& stats) {
  Attempt a = RoutesOf(best);
  const auto from = static_cast<std::size_t>(transfer.from);
  const auto to = static_cast<std::size_t>(transfer.to);
  const AssignedWeld moved{
      .weld = transfer.weld,
      .candidate = reach.at(transfer.weld, transfer.to)
                       .candidates[static_cast<std::size_t>(transfer.candidate)]};
  for (std::vector<std::vector<AssignedWeld>>* routes :
       {&a.allocated_routes, &a.allocation.routes}) {
    std::vector<AssignedWeld>& giver = (*routes)[from];
    const auto it = std::find_if(giver.begin(), giver.end(),
                                 [&](const AssignedWeld& w) { return w.weld == transfer.weld; });
    WELDCELL_CHECK(it != giver.end());
    giver.erase(it);
    std::vector<AssignedWeld>& taker = (*routes)[to];
    WELDCELL_CHECK(transfer.position >= 0 && transfer.position <= static_cast<int>(taker.size()));
    taker.insert(taker.begin() + transfer.position, moved);
  }
  return ReplanRoutes(cell, world, reach, options, travel, planned, best, std::move(a),
                      {std::min(from, to), std::max(from, to)}, cache, stats);
}

// The weld-transfer round: while the plan's own durations say that a weld of the robot that
// finishes last would be better welded by another robot (RankWeldTransfers), the best such
// plan, planned and coordinated; kept only when better, ranked anew from each plan kept (never
// giving a weld back to the robot that gave it away). At most kWeldTransferTries plans (counted
// in `tries`); stops at the first not kept.
void TryWeldTransfers(const cell::Cell& cell, const collision::CollisionWorld& world,
                      const reach::ReachMap& reach, const PlanOptions& options,
                      const TravelMatrices& travel, PlannedRoutes& planned,
                      coordination::ConflictCache& cache, Attempt& best, PlanStatistics& stats,
                      const RearrangeBudget& budget, int& tries) {
  const coordination::TravelEstimate estimate = AnalyticEstimate(cell, world);
  std::set<std::pair<int, int>> given;  // (weld, the robot it was given away by)
  const std::vector<WeldOption> ways = WeldOptionsOf(reach, best.problem);
  for (int round = 0; round < kWeldTransferTries && tries < budget.tries; ++round) {
    const std::vector<WeldTransfer> ranked = RankWeldTransfers(
        RunRoutesOf(cell, best), ways, estimate, kMinTransferGain * best.Makespan());
    // Not a weld back to the robot that gave it away.
    const auto next = std::find_if(ranked.begin(), ranked.end(), [&](const WeldTransfer& t) {
      return !given.count({t.weld, t.to});
    });
    if (next == ranked.end()) return;
    const WeldTransfer t = *next;
    ++tries;
    Attempt attempt =
        TransferWeld(cell, world, reach, options, travel, planned, best, t, cache, stats);
    if (options.progress.cancelled()) return;
    planned.Add(attempt.allocated_routes, attempt.motions);
    const bool kept = attempt.BetterThan(best);
    stats.weld_transfer_tries.push_back(
        {.change = fmt::format("{} {} -> {}", cell.welds[t.weld].id, cell.robots[t.from].name,
                               cell.robots[t.to].name),
         .estimate_before = t.makespan_before,
         .estimate_after = t.makespan_after,
         .makespan = attempt.Makespan(),
         .kept = kept});
    if (!kept) return;
    given.insert({t.weld, t.from});
    best = std::move(attempt);
  }
}

// "R2 backwards", "R3 from W0031", "R4 backwards from W0092", "R5 with W0117…W0123 reversed"
// (the welds visited first and last of the reversed segment, as it now runs), joined by " + ".
std::string DescribeStarts(const cell::Cell& cell, const Attempt& best,
                           const std::vector<coordination::RouteStart>& starts) {
  std::vector<std::string> out;
  for (std::size_t r = 0; r < starts.size(); ++r) {
    const coordination::RouteStart& s = starts[r];
    if (s == coordination::RouteStart{}) continue;
    const std::vector<AssignedWeld>& route = best.allocation.routes[r];
    const int blocks = static_cast<int>(route.size());
    auto id = [&](int block) { return cell.welds[route[static_cast<std::size_t>(block)].weld].id; };
    std::string d = cell.robots[r].name;
    if (coordination::OnlyReversed(s, blocks)) {
      out.push_back(d + " backwards");
      continue;
    }
    if (s.reverse) d += " backwards";
    if (s.start != (s.reverse ? blocks - 1 : 0)) d += " from " + id(s.start);
    if (s.flip_first != s.flip_last) {
      const std::vector<int> order = coordination::BlockOrder(s, blocks);
      d += fmt::format(" with {}…{} reversed", id(order[static_cast<std::size_t>(s.flip_first)]),
                       id(order[static_cast<std::size_t>(s.flip_last)]));
    }
    out.push_back(std::move(d));
  }
  return fmt::format("{}", fmt::join(out, " + "));
}

// Whether every robot visits its welds of `best` in the same order under `a` as under `b`.
bool SameOrders(const Attempt& best, const std::vector<coordination::RouteStart>& a,
                const std::vector<coordination::RouteStart>& b) {
  for (std::size_t r = 0; r < a.size(); ++r) {
    const int blocks = static_cast<int>(best.allocation.routes[r].size());
    if (blocks > 0 ? !coordination::SameOrder(a[r], b[r], blocks) : a[r] != b[r]) return false;
  }
  return true;
}

// Whether `starts` changes the route of a robot marked in `robots`.
bool ChangesAny(const std::vector<coordination::RouteStart>& starts,
                const std::vector<char>& robots) {
  for (std::size_t r = 0; r < starts.size() && r < robots.size(); ++r) {
    if (robots[r] && starts[r] != coordination::RouteStart{}) return true;
  }
  return false;
}

// The route-start round: where the coordination diagrams of the best plan's robot pairs say
// that routes started at other welds or run backwards would wait less, those plans, one after
// the other: first every robot's start and direction chosen together (ChooseRouteStarts), then
// one robot's at a time, best first (RankRouteStarts), ranked again from each plan kept. A
// plan that changes no robot on the best plan's critical path (coordination::CriticalRobots)
// is not tried: it keeps what the makespan waits for. Each is coordinated and kept only when it
// is better; the round stops once `tries` (counting both rounds' plans) reaches budget.tries or
// after budget.misses in a row that were not kept.
void TryRouteStarts(const cell::Cell& cell, const collision::CollisionWorld& world,
                    const reach::ReachMap& reach, const PlanOptions& options,
                    const TravelMatrices& travel, PlannedRoutes& planned,
                    coordination::ConflictCache& cache, Attempt& best, PlanStatistics& stats,
                    const RearrangeBudget& budget, int& tries) {
  const coordination::TravelEstimate estimate = AnalyticEstimate(cell, world);
  struct Candidate {
    std::vector<coordination::RouteStart> starts;
    double bound_before = 0, bound_after = 0;
  };
  int misses = 0;
  bool first = true;
  while (tries < budget.tries && misses < budget.misses) {
    std::vector<motion::RobotTrajectory> trajectories;
    // A robot whose motion does not run its route as allocated keeps it: the round's block
    // indices are those of the route.
    std::vector<char> keep;
    for (std::size_t r = 0; r < best.motions.size(); ++r) {
      trajectories.push_back(best.motions[r].trajectory);
      keep.push_back(static_cast<char>(!RunsItsRoute(cell, best, r).has_value()));
    }
    const std::vector<coordination::TouchingPieces>& touching = best.coordinated.touching;
    const coordination::RouteStartOptions scoring{.step = kRouteStartGrid,
                                                  .threads = options.threads,
                                                  .progress = options.progress,
                                                  .flips = true,
                                                  .per_robot = kRouteStartsPerRobot};
    const auto t0 = Clock::now();
    std::vector<Candidate> candidates;
    std::optional<std::vector<coordination::RouteStart>> joint_starts;  // the first round's
    if (first) {
      const coordination::RouteStarts joint =
          coordination::ChooseRouteStarts(trajectories, touching, keep, estimate, scoring);
      if (joint.bound_after < joint.bound_before - 1e-6) {
        candidates.push_back({joint.routes, joint.bound_before, joint.bound_after});
        joint_starts = joint.routes;
      }
      first = false;
    }
    const std::vector<coordination::SingleRouteStart> singles =
        coordination::RankRouteStarts(trajectories, touching, keep, estimate, scoring);
    stats.coordination_seconds += Since(t0);
    if (options.progress.cancelled()) return;
    for (const coordination::SingleRouteStart& c : singles) {
      std::vector<coordination::RouteStart> starts(best.motions.size());
      starts[static_cast<std::size_t>(c.robot)] = c.route;
      if (joint_starts && SameOrders(best, *joint_starts, starts)) continue;
      candidates.push_back({std::move(starts), c.bound_before, c.bound_after});
    }
    bool kept = false;
    const std::vector<char> critical = coordination::CriticalRobots(best.coordinated);
    for (const Candidate& c : candidates) {
      if (tries == budget.tries || misses == budget.misses) break;
      if (!ChangesAny(c.starts, critical)) continue;
      ++tries;
      Attempt attempt = RearrangeRoutes(cell, world, reach, options, travel, planned, best,
                                        c.starts, cache, stats);
      if (options.progress.cancelled()) return;
      planned.Add(attempt.allocated_routes, attempt.motions);
      kept = attempt.BetterThan(best);
      stats.route_start_tries.push_back({.change = DescribeStarts(cell, best, c.starts),
                                         .estimate_before = c.bound_before,
                                         .estimate_after = c.bound_after,
                                         .makespan = attempt.Makespan(),
                                         .kept = kept});
      if (kept) {
        best = std::move(attempt);
        misses = 0;
        break;
      }
      ++misses;
    }
    if (!kept) break;
  }
}

}  // namespace

namespace {

// Which re-allocation rounds PlanRounds may run.
struct Rounds {
  bool spatial = false;    // a round allocates anew with the spatial (and sweep) term
  bool exclusion = false;  // the last allocates anew with those and the arms' exclusions
  int rounds = 0;          // rounds before the exclusion round
};

Rounds RoundsOf(const PlanOptions& options) {
  Rounds r;
  r.spatial = (options.spatial_weight > 0.0 || options.sweep_weight > 0.0) &&
              options.allocator != Allocator::kBaseline;
  // The exclusion round comes last: the spatial round's terms and the arms' exclusions.
  r.exclusion = r.spatial && options.exclusion_clearance > 0.0 && options.rebalance_rounds >= 2;
  r.rounds = options.rebalance_rounds - (r.exclusion ? 1 : 0);
  return r;
}

// The baseline round is tried when the best plan so far is longer than this many times the
// baseline allocation's estimate (TriesBaselineRound).
constexpr double kBaselineTryAbove = 1.5;

// Whether the baseline round is tried: where the best plan so far is more than
// kBaselineTryAbove × the baseline allocation's estimate (docs/allocation.md#the-baseline-round).
// The baseline's own plans came out 1.22-2.8 × its estimate on the stations measured, those that
// won 1.63-2.8 ×, and the round costs motion-and-coordination steps (XL's: over a minute each)
// that below 1.5 × are not worth it.
bool TriesBaselineRound(const PlanOptions& options, const PlanStatistics& stats,
                        const Attempt& best) {
  return options.baseline_round && options.allocator == Allocator::kStrong &&
         stats.baseline_makespan > 0 &&
         best.Makespan() > kBaselineTryAbove * stats.baseline_makespan;
}

// What the withhold rounds work from besides the best attempt: the options its allocation was
// made with, the welds withheld from it, and those whose withholding was tried and not kept.
struct WithholdState {
  PlanOptions options;
  Withheld withheld, tried;
};

// PlanRounds' steps: the blind plan, the conflict-aware re-allocation rounds, the exclusion
// round, the baseline round, the weld-transfer and route-start rounds, and the plan. They share the
// inputs, the conflict cache and the routes planned in any round, and the best attempt so far.
class RoundPlanner {
 public:
  RoundPlanner(const cell::Cell& cell, const collision::CollisionWorld& world,
               const PlanOptions& options, const TravelMatrices& travel, const Rounds& which,
               AllocationsAhead& ahead, PlanOutput& out)
      : cell_(cell),
        world_(world),
        options_(options),
        travel_(travel),
        which_(which),
        ahead_(ahead),
        out_(out),
        stats_(out.statistics) {}

  // Runs every step; stops where cancelled (out.status = kCancelled).
  void Run() {
    if (!PlanBlind()) return;
    if (!Rebalance()) return;
    if (which_.exclusion && !ExclusionRound()) return;
    if ((which_.rounds > 0 || which_.exclusion) && !BaselineRound()) return;
    if (!Rearrange()) return;
    AssembleBest();
  }

 private:
  // Whether planning was cancelled (then out.status says so).
  bool Cancelled() {
    if (!options_.progress.cancelled()) return false;
    out_.status = PlanStatus::kCancelled;
    return true;
  }

  // The first plan, blind to the conflicts (no spatial or sweep term), and its figures.
  // False when cancelled.
  bool PlanBlind() {
    blind_ = options_;
    blind_.spatial_weight = 0.0;
    blind_.sweep_weight = 0.0;
    best_ =
        PlanFrom(cell_, world_, out_.reach, blind_, {}, travel_, planned_, conflict_cache_, stats_);
    if (Cancelled()) return false;
    stats_.estimated_makespan = best_.allocation.estimated_makespan;
    stats_.lower_bound = best_.allocation.lower_bound;
    stats_.baseline_makespan = best_.allocation.baseline_makespan;
    stats_.first_makespan = best_.Makespan();
    return true;
  }

  // Conflict-aware re-allocation. Rounds withhold where a robot waits for a zone; then (or
  // once nothing is left to withhold) two allocate anew with the allocator's spatial term,
  // which keeps each robot's welds near it, and repair its failed motions; the last allocates
  // anew with the spatial term and the arms' exclusions, which keep two robots from working
  // where their arms meet at the same time. A round is kept only when it helps, and the weight
  // of the kept plan stays for any later rounds. The new allocations come last so that the
  // withhold rounds improve the blind plan first: kept first, a plan would be the start of
  // every later round and could hide their better plans. False when cancelled.
  bool Rebalance() {
    held_.options = blind_;
    bool spatial_tried = !which_.spatial;
    const int rounds = which_.rounds;
    for (int round = 0; round < rounds; ++round) {
      bool spatial_now = !spatial_tried && round + 2 >= rounds;
      Withheld add;
      if (!spatial_now) {
        add = NextToWithhold(best_, held_);
        if (add.empty() && spatial_tried) break;
        spatial_now = add.empty();
      }
      if (spatial_now) {
        spatial_tried = true;
        const std::optional<int> used = SpatialRoundAt(round, rounds);
        if (!used) return false;
        round += *used - 1;
        continue;
      }
      bool kept = false;
      if (!WithholdRound(best_, held_, add, kept)) return false;
      ++stats_.rebalance_rounds;
      if (kept) ++stats_.rebalance_kept;
    }
    return true;
  }

  // The spatial round(s) at round `round` of `rounds`: allocates anew with the spatial term
  // (repairing failed motions in a next round while one is left), kept when better. Returns
  // the rounds it took; none when cancelled.
  std::optional<int> SpatialRoundAt(int round, int rounds) {
    SpatialRound spatial = TrySpatialRound(cell_, world_, out_.reach, options_, travel_, planned_,
                                           /*may_repair=*/round + 1 < rounds, conflict_cache_,
                                           stats_, ahead_.Spatial());
    if (Cancelled()) return std::nullopt;
    stats_.rebalance_rounds += spatial.rounds;
    stats_.spatial_makespan = spatial.attempt.Makespan();
    stats_.spatial_unplanned = spatial.attempt.Unplanned();
    if (spatial.attempt.BetterThan(best_)) {
      best_ = std::move(spatial.attempt);
      held_ = {.options = spatial.options, .withheld = std::move(spatial.repair), .tried = {}};
      ++stats_.rebalance_kept;
      stats_.spatial_kept = true;
    }
    return spatial.rounds;
  }

  // The next welds to withhold from `best` (NextWithheld), skipping what `held` withholds or
  // tried; empty when nothing is left.
  Withheld NextToWithhold(const Attempt& best, const WithholdState& held) const {
    Withheld skip = held.withheld;
    skip.insert(held.tried.begin(), held.tried.end());
    return NextWithheld(cell_, out_.reach, best.allocation, best.motions, best.coordinated, skip);
  }

  // A withhold round: `best`'s allocation again (held.options), the welds withheld so far and
  // `add` withheld (then re-inserted, a quarter of the budget); kept in `best` and `held` when
  // better (`kept`), else `add` is not tried again. False when cancelled.
  bool WithholdRound(Attempt& best, WithholdState& held, const Withheld& add, bool& kept) {
    Withheld trial = held.withheld;
    trial.insert(add.begin(), add.end());
    Attempt attempt = PlanFrom(cell_, world_, out_.reach, held.options, trial, travel_, planned_,
                               conflict_cache_, stats_, best.Unplanned(),
                               /*exclusions=*/false, /*ahead=*/nullptr, &best.allocated_routes);
    if (Cancelled()) return false;
    kept = attempt.BetterThan(best);
    if (kept) {
      best = std::move(attempt);
      held.withheld = std::move(trial);
    } else {
      held.tried.insert(add.begin(), add.end());
    }
    return true;
  }

  // The exclusion round: allocates anew with the spatial term and the arms' exclusions, kept
  // when better. False when cancelled.
  bool ExclusionRound() {
    ++stats_.rebalance_rounds;
    Attempt attempt =
        PlanFrom(cell_, world_, out_.reach, options_, {}, travel_, planned_, conflict_cache_,
                 stats_, best_.Unplanned(), /*exclusions=*/true, ahead_.Exclusion());
    if (Cancelled()) return false;
    stats_.exclusion_makespan = attempt.Makespan();
    stats_.exclusion_estimate = attempt.allocation.estimated_makespan;
    stats_.exclusion_unplanned = attempt.Unplanned();
    if (attempt.BetterThan(best_)) {
      best_ = std::move(attempt);
      ++stats_.rebalance_kept;
      stats_.exclusion_kept = true;
    }
    return true;
  }

  // The baseline round: where many robots crowd few welds the strong allocator spreads the
  // welds over them and coordination then makes them take turns (a generated 13-robot station
  // of 20 welds: 7.77 s estimated, 32.23 s coordinated), while the baseline allocation (nearest
  // robot, nearest neighbour; PlanOptions::allocator kBaseline) gives each weld to the nearest
  // robot and keeps the others home (28.02 s). When TriesBaselineRound, that allocation is
  // planned and given the withhold rounds a run with the baseline allocator would give it (up
  // to PlanOptions::rebalance_rounds): the plan that run has before its weld transfers and route
  // starts. It replaces the best plan when better. False when cancelled.
  bool BaselineRound() {
    stats_.baseline_round_before = best_.Makespan();
    if (!TriesBaselineRound(options_, stats_, best_)) return true;
    WithholdState held{.options = blind_, .withheld = {}, .tried = {}};
    held.options.allocator = Allocator::kBaseline;
    Attempt branch = PlanFrom(cell_, world_, out_.reach, held.options, {}, travel_, planned_,
                              conflict_cache_, stats_, best_.Unplanned());
    if (Cancelled()) return false;
    stats_.baseline_round_first = branch.Makespan();
    // An attempt that planned fewer welds stopped early (PlanFrom): it is not coordinated.
    const bool complete = branch.Unplanned() <= best_.Unplanned();
    for (int round = 0; complete && round < options_.rebalance_rounds; ++round) {
      const Withheld add = NextToWithhold(branch, held);
      if (add.empty()) break;
      bool kept = false;
      if (!WithholdRound(branch, held, add, kept)) return false;
      ++stats_.baseline_round_rounds;
      if (kept) ++stats_.baseline_round_kept;
    }
    stats_.baseline_round_makespan = branch.Makespan();
    stats_.baseline_round_unplanned = branch.Unplanned();
    if (branch.BetterThan(best_)) {
      best_ = std::move(branch);
      held_ = std::move(held);
      stats_.baseline_kept = true;
    }
    return true;
  }

  // The weld-transfer and route-start rounds, on a conflict-free plan without precedences;
  // they share a budget of plans (RearrangeBudgetFor). False when cancelled.
  bool Rearrange() {
    const bool rearrange = options_.rebalance_rounds > 0 && best_.coordinated.conflict_free &&
                           best_.problem.problem.precedences.empty();
    const RearrangeBudget budget = RearrangeBudgetFor(cell_.welds.size());
    int tries = 0;
    if (rearrange && options_.weld_transfers) {
      TryWeldTransfers(cell_, world_, out_.reach, options_, travel_, planned_, conflict_cache_,
                       best_, stats_, budget, tries);
      if (Cancelled()) return false;
    }
    if (rearrange && options_.reverse_routes && best_.coordinated.conflict_free) {
      TryRouteStarts(cell_, world_, out_.reach, options_, travel_, planned_, conflict_cache_, best_,
                     stats_, budget, tries);
      if (Cancelled()) return false;
    }
    return true;
  }

  // The best attempt's plan, its move counts, its travel-time error (and a warning per robot
  // whose travel model drifted, in %).
  void AssembleBest() {
    for (const motion::SequenceResult& m : best_.motions) {
      stats_.direct_moves += m.direct_moves;
      stats_.planned_moves += m.planned_moves;
    }
    stats_.coordination_message = best_.coordinated.message;
    out_.plan = AssemblePlan(cell_, best_.problem.unreachable, best_.allocation, best_.motions,
                             best_.coordinated, options_);
    out_.plan.travel = MeasureTravelError(cell_, world_, out_.reach, options_, travel_,
                                          best_.allocation, best_.motions);
    for (const plan::TravelRobotError& e : out_.plan.travel.robots) {
      if (!e.drifted) continue;
      stats_.travel_warnings.push_back(fmt::format(
          "{}: travel model {} drifted on this station: mean error {:.1f} % > {:.1f} % over {} "
          "moves; retrain with weldcell train (docs/learned.md)",
          e.robot, e.source.substr(e.source.find(' ') + 1), e.error_pct,
          e.drift_threshold_pct.value_or(0), e.moves));
    }
  }

  const cell::Cell& cell_;
  const collision::CollisionWorld& world_;
  const PlanOptions& options_;
  const TravelMatrices& travel_;
  const Rounds& which_;
  AllocationsAhead& ahead_;
  PlanOutput& out_;
  PlanStatistics& stats_;
  // The rounds change only some robots' routes: their piece pairs are compared once, and a
  // route planned in any earlier round (kept or not) is not planned again.
  coordination::ConflictCache conflict_cache_;
  PlannedRoutes planned_;
  PlanOptions blind_;  // without the spatial and sweep terms
  Attempt best_;
  WithholdState held_;  // of the withhold rounds on best_: the kept plan's weights
};

// Everything after the travel matrices: the blind plan, the re-allocation rounds, the direction
// round and the plan, into `out` (out.status = kCancelled when cancelled). The spatial round's
// first allocation (when which.rounds >= 1) and the exclusion round's come from `ahead`.
void PlanRounds(const cell::Cell& cell, const collision::CollisionWorld& world,
                const PlanOptions& options, const TravelMatrices& travel, const Rounds& which,
                AllocationsAhead& ahead, PlanOutput& out) {
  RoundPlanner(cell, world, options, travel, which, ahead, out).Run();
}

}  // namespace

RearrangeBudget RearrangeBudgetFor(std::size_t welds) {
  const int w = static_cast<int>(std::clamp<std::size_t>(welds, 1, kRearrangeWork));
  const int tries = std::clamp(kRearrangeWork / w, kMinRearrangeTries, kMaxRearrangeTries);
  return {.tries = tries, .misses = std::max(kMinRouteStartMisses, tries / 2)};
}

PlanOutput PlanCell(const cell::Cell& cell, const collision::CollisionWorld& world,
                    const PlanOptions& options) {
  PlanOutput out;
  PlanStatistics& stats = out.statistics;
  auto cancelled = [&] {
    if (!options.progress.cancelled()) return false;
    out.status = PlanStatus::kCancelled;
    return true;
  };

  auto t0 = Clock::now();
  out.reach =
      reach::ReachAll(cell, world, {.threads = options.threads, .progress = options.progress});
  stats.reach_seconds = Since(t0);
  if (cancelled()) return out;

  t0 = Clock::now();
  const TravelMatrices travel =
      ComputeTravelMatrices(cell, world, out.reach, options, &stats.travel_warnings);
  stats.travel_seconds = Since(t0);
  if (cancelled()) return out;

  const Rounds which = RoundsOf(options);
  {
    // Joined (at the end of this block) before `travel` and `out.reach` go or `out` is returned.
    AllocationsAhead ahead(cell, world, out.reach, options, travel,
                           /*spatial=*/which.spatial && which.rounds >= 1,
                           /*exclusion=*/which.exclusion);
    PlanRounds(cell, world, options, travel, which, ahead, out);
  }

  return out;
}

}  // namespace weldcell::pipeline
