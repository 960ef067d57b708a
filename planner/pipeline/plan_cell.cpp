#include "planner/pipeline/plan_cell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "allocation/solver.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/parallel.hpp"
#include "planner/coordination/coordinate.hpp"
#include "planner/motion/weld_sequence.hpp"
#include "planner/plan/cell_hash.hpp"

namespace weldcell::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

motion::JointLimits LimitsOf(const kinematics::Chain& chain) {
  return {.max_velocity = chain.velocity_limits(), .max_acceleration = chain.acceleration_limits()};
}

// Up to `k` candidates that differ: the clearest first, then each next one at least 0.3 rad
// (max-norm) from all chosen. Different IK branches and spins give the allocator real choices.
std::vector<int> DiverseCandidates(const std::vector<reach::Candidate>& candidates, int k) {
  std::vector<int> order(candidates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return candidates[a].clearance > candidates[b].clearance; });
  std::vector<int> chosen;
  for (int i : order) {
    if (static_cast<int>(chosen.size()) >= k) break;
    bool distinct = true;
    for (int j : chosen) {
      if ((candidates[i].q - candidates[j].q).cwiseAbs().maxCoeff() < 0.3) distinct = false;
    }
    if (distinct) chosen.push_back(i);
  }
  return chosen;
}

// Travel time between approach configurations: the time-optimal rest-to-rest joint move, the
// analytic estimate (blind to obstacles; the motion planner finds the real path later).
class JointTimeTravel final : public allocation::TravelTime {
 public:
  struct RobotData {
    Eigen::VectorXd home;
    motion::JointLimits limits;
    double speed_scale = 1.0;
    std::vector<std::vector<Eigen::VectorXd>> approach;  // [task][option]
  };
  explicit JointTimeTravel(std::vector<RobotData> robots) : robots_(std::move(robots)) {}
  double Seconds(allocation::RobotId robot, const allocation::Stop& from,
                 const allocation::Stop& to) const override {
    const RobotData& r = robots_[robot.value];
    const Eigen::VectorXd& a = from.is_home() ? r.home : r.approach[from.task.value][from.option];
    const Eigen::VectorXd& b = to.is_home() ? r.home : r.approach[to.task.value][to.option];
    return motion::RestToRestTime(a, b, r.limits, r.speed_scale);
  }

 private:
  std::vector<RobotData> robots_;
};

std::string UnreachableReason(const cell::Cell& cell, const reach::ReachMap& map, int w) {
  std::string out;
  for (int r = 0; r < map.robot_count(); ++r) {
    const reach::WeldReach& e = map.at(w, r);
    if (!out.empty()) out += "; ";
    out += cell.robots[r].name + ": " + std::string(reach::ToString(e.status));
    if (!e.detail.empty()) out += " (" + e.detail + ")";
  }
  return out;
}

plan::Segment SampleSegment(const motion::TrajectorySegment& s, double period) {
  plan::Segment out;
  out.kind = s.kind == motion::SegmentKind::kMotion      ? plan::SegmentKind::kMotion
             : s.kind == motion::SegmentKind::kWeldDwell ? plan::SegmentKind::kWeld
                                                         : plan::SegmentKind::kWait;
  out.from = s.from;
  out.to = s.to;
  const double d = s.duration();
  // Dwells and waits stand still: their two ends say it all.
  const int n = out.kind == plan::SegmentKind::kMotion
                    ? std::max(1, static_cast<int>(std::ceil(d / period - 1e-9)))
                    : 1;
  for (int k = 0; k <= n; ++k) {
    const double t = d * k / n;
    // The last sample at exactly the segment's end, which is the next segment's start.
    out.times.push_back(k == n ? s.end_time() : s.start_time + t);
    out.q.push_back(s.profile.Sample(t).q);
  }
  return out;
}

}  // namespace

PlanOutput PlanCell(const cell::Cell& cell, const collision::CollisionWorld& world,
                    const PlanOptions& options) {
  PlanOutput out;
  const int robots = static_cast<int>(cell.robots.size());
  const int welds = static_cast<int>(cell.welds.size());
  std::mutex progress_mutex;
  auto report = [&](std::string_view stage, int done, int total) {
    if (!options.progress) return;
    const std::lock_guard<std::mutex> lock(progress_mutex);
    options.progress(stage, done, total);
  };

  // 1. Reach.
  auto t0 = Clock::now();
  out.reach = reach::ReachAll(
      cell, world,
      {.threads = options.threads, .progress = [&](int d, int t) { report("reach", d, t); }});
  out.statistics.reach_seconds = Since(t0);

  // 2. Allocation over the reachable welds.
  t0 = Clock::now();
  std::vector<int> task_weld;                               // task → weld index
  std::vector<std::vector<std::vector<int>>> task_options;  // [task][robot] → candidate indices
  allocation::Problem problem;
  for (const cell::Robot& r : cell.robots) problem.robots.push_back({.name = r.name});
  std::vector<JointTimeTravel::RobotData> travel(robots);
  for (int r = 0; r < robots; ++r) {
    const kinematics::Chain& chain = world.chain(r);
    travel[r] = {.home = cell.robots[r].home,
                 .limits = LimitsOf(chain),
                 .speed_scale = cell.settings.motion.speed_scale,
                 .approach = {}};
  }
  std::map<std::string, int> task_of_weld;
  for (int w = 0; w < welds; ++w) {
    if (!out.reach.reachable(w)) {
      out.plan.unreachable.push_back(
          {.weld_id = cell.welds[w].id, .reason = UnreachableReason(cell, out.reach, w)});
      continue;
    }
    allocation::Task task{.name = cell.welds[w].id, .capabilities = {}};
    std::vector<std::vector<int>> per_robot(robots);
    for (int r = 0; r < robots; ++r) {
      const reach::WeldReach& e = out.reach.at(w, r);
      if (e.status == reach::ReachStatus::kReachable) {
        per_robot[r] = DiverseCandidates(e.candidates, options.max_options_per_robot);
        allocation::Capability cap{.robot = {r}, .options = {}};
        const cell::Tool& tool = cell.robots[r].tool;
        for (int c : per_robot[r]) {
          const reach::Candidate& cand = e.candidates[c];
          const double in_out =
              2.0 * motion::RestToRestTime(cand.q_approach, cand.q, travel[r].limits,
                                           travel[r].speed_scale);
          cap.options.push_back({.duration = cell::EffectiveWeldTime(cell.welds[w], tool) +
                                             tool.close_time + tool.open_time + in_out});
        }
        task.capabilities.push_back(std::move(cap));
      }
    }
    task_of_weld[cell.welds[w].id] = static_cast<int>(task_weld.size());
    task_weld.push_back(w);
    task_options.push_back(per_robot);
    problem.tasks.push_back(std::move(task));
  }
  for (int r = 0; r < robots; ++r) {
    travel[r].approach.resize(task_weld.size());
    for (std::size_t t = 0; t < task_weld.size(); ++t) {
      for (int c : task_options[t][r]) {
        travel[r].approach[t].push_back(out.reach.at(task_weld[t], r).candidates[c].q_approach);
      }
    }
  }
  for (std::size_t t = 0; t < task_weld.size(); ++t) {
    for (const std::string& before : cell.welds[task_weld[t]].after) {
      auto it = task_of_weld.find(before);
      if (it != task_of_weld.end()) {
        problem.precedences.push_back({.before = {it->second}, .after = {static_cast<int>(t)}});
      }
    }
  }
  problem.travel = std::make_shared<JointTimeTravel>(std::move(travel));
  allocation::Solution solution;
  solution.routes.resize(robots);
  if (!problem.tasks.empty()) {
    const allocation::SolveOptions solve{
        .seed = cell.settings.seed,
        .max_iterations =
            options.allocation_iterations > 0
                ? options.allocation_iterations
                : std::clamp<std::int64_t>(
                      2'000'000 / std::max<std::int64_t>(1, problem.num_tasks()), 2'000, 20'000),
        .progress = [&](const allocation::Progress& p) {
          report("allocate", static_cast<int>(p.iteration), static_cast<int>(p.max_iterations));
        }};
    const allocation::SolveResult strong = allocation::MakeStrongSolver()->Solve(problem, solve);
    const allocation::SolveResult baseline =
        allocation::MakeBaselineSolver()->Solve(problem, {.seed = cell.settings.seed});
    solution = strong.solution;
    out.statistics.estimated_makespan = strong.cost.makespan;
    out.statistics.lower_bound = strong.lower_bound.value;
    out.statistics.baseline_makespan = baseline.cost.makespan;
  }
  out.statistics.allocation_seconds = Since(t0);

  // 3. Motion per robot, in parallel (results by robot index).
  t0 = Clock::now();
  const std::string hash = plan::CellHash(cell);
  std::vector<motion::SequenceResult> sequences(robots);
  std::vector<std::vector<const reach::Candidate*>> chosen(robots);
  int robots_done = 0;
  ParallelFor(robots, options.threads, [&](int r, int) {
    const cell::Robot& robot = cell.robots[r];
    motion::SequenceRequest request{
        .home = robot.home,
        .stops = {},
        .limits = LimitsOf(world.chain(r)),
        .timing = {.speed_scale = cell.settings.motion.speed_scale,
                   .blend_tolerance = options.blend_tolerance},
        .resolution = cell.settings.motion.resolution,
        .seed = cell.settings.seed * 1000003ULL + static_cast<std::uint64_t>(r),
        .max_planning_time = cell.settings.motion.planning_time,
        .context = "cell " + cell.name + " " + hash};
    for (const allocation::Visit& v : solution.routes[r]) {
      const int w = task_weld[v.task.value];
      const reach::Candidate& c =
          out.reach.at(w, r).candidates[task_options[v.task.value][r][v.option]];
      chosen[r].push_back(&c);
      request.stops.push_back({.id = cell.welds[w].id,
                               .q = c.q,
                               .q_approach = c.q_approach,
                               .dwell = cell::EffectiveWeldTime(cell.welds[w], robot.tool) +
                                        robot.tool.close_time + robot.tool.open_time});
    }
    motion::SegmentPlanner planner(world, r);
    sequences[r] = motion::PlanWeldSequence(planner, request);
    report("motion", ++robots_done, robots);
  });
  out.statistics.motion_seconds = Since(t0);

  // 4. Coordination: interlock waits wherever two robots' motions would touch.
  t0 = Clock::now();
  std::vector<motion::RobotTrajectory> trajectories;
  for (const motion::SequenceResult& s : sequences) trajectories.push_back(s.trajectory);
  report("coordinate", 0, 1);
  coordination::CoordinationOptions coordination_options{.resolution =
                                                             cell.settings.motion.resolution};
  for (const cell::Weld& w : cell.welds) {
    for (const std::string& before : w.after) {
      coordination_options.precedences.push_back({.before = before, .after = w.id});
    }
  }
  coordination::CoordinationResult coordinated =
      coordination::Coordinate(world, std::move(trajectories), coordination_options);
  report("coordinate", 1, 1);
  out.statistics.coordination_seconds = Since(t0);
  out.statistics.coordination_message = coordinated.message;

  // 5. The plan.
  plan::Plan& p = out.plan;
  p.cell_name = cell.name;
  p.cell_hash = hash;
  p.seed = cell.settings.seed;
  p.cycle_time = cell.cycle_time;
  for (int r = 0; r < robots; ++r) {
    const motion::SequenceResult& seq = sequences[r];
    out.statistics.direct_moves += seq.direct_moves;
    out.statistics.planned_moves += seq.planned_moves;
    std::vector<bool> skipped(chosen[r].size(), false);
    for (const motion::SkippedStop& s : seq.skipped) {
      if (s.index < static_cast<int>(chosen[r].size())) {
        skipped[s.index] = true;
        p.unreachable.push_back(
            {.weld_id = cell.welds[task_weld[solution.routes[r][s.index].task.value]].id,
             .reason = cell.robots[r].name + ": no collision-free motion: " + s.reason});
      }
    }
    plan::RobotPlan rp;
    rp.robot = cell.robots[r].name;
    const motion::RobotTrajectory& trajectory = coordinated.trajectories[r];
    for (const motion::TrajectorySegment& s : trajectory.segments()) {
      rp.segments.push_back(SampleSegment(s, options.sample_period));
      if (s.kind == motion::SegmentKind::kWait) {
        rp.wait_time += s.duration();
      } else {
        rp.busy_time += s.duration();
      }
    }
    if (rp.segments.empty()) {
      // A robot with nothing to do stands at home.
      rp.segments.push_back({.kind = plan::SegmentKind::kWait,
                             .from = "home",
                             .to = "home",
                             .times = {0.0},
                             .q = {cell.robots[r].home}});
    }
    std::size_t stop = 0;
    for (const motion::TrajectorySegment& s : trajectory.segments()) {
      if (s.kind != motion::SegmentKind::kWeldDwell) continue;
      while (stop < skipped.size() && skipped[stop]) ++stop;
      if (stop >= chosen[r].size()) break;
      const reach::Candidate& c = *chosen[r][stop++];
      rp.welds.push_back({.weld_id = s.from,
                          .q = c.q,
                          .spin = c.spin,
                          .tilt = c.tilt,
                          .start_time = s.start_time,
                          .end_time = s.end_time()});
    }
    rp.finish_time = trajectory.duration();
    p.makespan = std::max(p.makespan, rp.finish_time);
    p.robots.push_back(std::move(rp));
  }
  for (const coordination::Interlock& i : coordinated.interlocks) {
    p.interlocks.push_back({.zone = i.zone,
                            .owner = cell.robots[i.owner].name,
                            .partner = cell.robots[i.partner].name,
                            .acquire_time = i.acquire_time,
                            .release_time = i.release_time});
  }
  // A station with unplanned welds does not fit, however short its makespan.
  p.within_cycle_time = p.unreachable.empty() && p.makespan <= cell.cycle_time + 1e-9;
  return out;
}

}  // namespace weldcell::pipeline
