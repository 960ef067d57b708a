// Weld-to-weld segments: weldcell's planner (direct check → RRTConnect with a Cartesian-resolution
// motion validator → deterministic shortcutting → time-optimal timing with re-checked blends)
// against plain OMPL (RRTConnect with OMPL's default DiscreteMotionValidator and default
// simplification, then the same time parameterization), on the same queries in the same run.
//
// Queries: for each robot of the demo station, the approach configurations of consecutive
// reachable welds (every candidate pair of weld i → weld i+1, first candidates first), and the
// same on a cluttered variant of the station (extra risers and clamps around the rail).
//
// Reported per planner: median and mean time per query, success rate, mean motion duration, and
// for plain OMPL the number of its paths that collide when re-checked at our resolution.

#include <benchmark/benchmark.h>
#include <ompl/base/SpaceInformation.h>
#include <ompl/base/spaces/RealVectorStateSpace.h>
#include <ompl/geometric/PathGeometric.h>
#include <ompl/geometric/SimpleSetup.h>
#include <ompl/geometric/planners/rrt/RRTConnect.h>
#include <ompl/util/Console.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/motion/segment_planner.hpp"
#include "planner/motion/time_parameterization.hpp"
#include "planner/motion/weld_sequence.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell {
namespace {

namespace ob = ompl::base;
namespace og = ompl::geometric;

struct Query {
  int robot;
  Eigen::VectorXd start, goal;
};

struct Scene {
  cell::Cell cell;
  std::unique_ptr<collision::CollisionWorld> world;
  std::vector<Query> queries;
};

cell::Obstacle Box(const std::string& name, Eigen::Vector3d size, Eigen::Vector3d p) {
  cell::Obstacle o;
  o.name = name;
  o.geometry.shape = cell::Shape::Box(size);
  o.geometry.X_FG.translation() = p;
  return o;
}

// The demo station, or the demo station with clutter around the rail.
Scene MakeScene(bool cluttered) {
  Scene s;
  s.cell = cell::LoadCell("cells/demo/cell.yaml").value;
  if (cluttered) {
    for (int i = 0; i < 4; ++i) {
      const double y = -0.6 + 0.4 * i;
      s.cell.obstacles.push_back(
          Box("riser_l" + std::to_string(i), {0.12, 0.12, 1.6}, {-0.75, y, 0.8}));
      s.cell.obstacles.push_back(
          Box("riser_r" + std::to_string(i), {0.12, 0.12, 1.6}, {0.75, y, 0.8}));
    }
    s.cell.obstacles.push_back(Box("clamp_arm_1", {0.9, 0.08, 0.08}, {0.0, -0.35, 1.45}));
    s.cell.obstacles.push_back(Box("clamp_arm_2", {0.9, 0.08, 0.08}, {0.0, 0.35, 1.45}));
  }
  s.world = std::make_unique<collision::CollisionWorld>(s.cell);
  const reach::ReachMap map = reach::ReachAll(s.cell, *s.world);
  for (int r = 0; r < map.robot_count(); ++r) {
    std::vector<const reach::Candidate*> last;
    for (int w = 0; w < map.weld_count(); ++w) {
      const reach::WeldReach& e = map.at(w, r);
      if (e.candidates.empty()) continue;
      std::vector<const reach::Candidate*> here;
      for (std::size_t c = 0; c < e.candidates.size() && c < 3; ++c) {
        here.push_back(&e.candidates[c * (e.candidates.size() / 3)]);
      }
      for (const reach::Candidate* a : last) {
        for (const reach::Candidate* b : here)
          s.queries.push_back({r, a->q_approach, b->q_approach});
      }
      last = here;
    }
  }
  return s;
}

const Scene& GetScene(bool cluttered) {
  static const Scene demo = MakeScene(false);
  static const Scene clutter = MakeScene(true);
  return cluttered ? clutter : demo;
}

// The verifier's check: uniform samples at 5 mm, no margin.
bool RecheckFree(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                 int robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return collision::CheckJointSegment(
             world, ctx, robot, a, b,
             {.resolution = 0.005, .sampling = collision::SegmentSampling::kUniform})
      .free();
}

motion::JointLimits Limits(const collision::CollisionWorld& world, int r) {
  return {.max_velocity = world.chain(r).velocity_limits(),
          .max_acceleration = world.chain(r).acceleration_limits()};
}

// Weldcell's motion duration per query (0 when unsolved), by scene, for the comparison with
// OMPL's collision-free paths (the weldcell benchmark runs first).
std::vector<double>& WeldcellDurations(bool cluttered) {
  static std::vector<double> durations[2];
  return durations[cluttered ? 1 : 0];
}

void Report(benchmark::State& state, std::vector<double> ms, int solved, double duration_sum,
            int total) {
  std::sort(ms.begin(), ms.end());
  state.counters["queries"] = total;
  state.counters["median_ms"] = ms.empty() ? 0 : ms[ms.size() / 2];
  state.counters["mean_ms"] =
      ms.empty() ? 0 : std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  state.counters["p90_ms"] = ms.empty() ? 0 : ms[ms.size() * 9 / 10];
  state.counters["success_%"] = 100.0 * solved / std::max(total, 1);
  state.counters["mean_motion_s"] = solved ? duration_sum / solved : 0;
}

void BM_WeldcellSegment(benchmark::State& state) {
  const Scene& scene = GetScene(state.range(0) != 0);
  std::vector<motion::SegmentPlanner> planners;
  for (int r = 0; r < scene.world->robot_count(); ++r) planners.emplace_back(*scene.world, r);
  std::vector<double> ms, direct_ms, planned_ms;
  int solved = 0, colliding = 0;
  double duration = 0;
  collision::CollisionContext recheck(*scene.world);
  for (auto _ : state) {
    ms.clear();
    direct_ms.clear();
    planned_ms.clear();
    solved = colliding = 0;
    duration = 0;
    std::uint64_t seed = 1;
    WeldcellDurations(state.range(0) != 0).clear();
    for (const Query& q : scene.queries) {
      const auto t0 = std::chrono::steady_clock::now();
      motion::SegmentPlanner& planner = planners[q.robot];
      const motion::SegmentResult r =
          planner.Plan({.start = q.start, .goal = q.goal, .resolution = 0.005, .seed = seed++});
      double d = 0;
      if (r.solved()) {
        const motion::JointLimits limits = Limits(*scene.world, q.robot);
        motion::MotionProfile p =
            motion::TimeParameterize(r.path, limits, {.blend_tolerance = 0.1});
        if (r.path.size() > 2 && !motion::BlendsAreFree(planner, p, 0.005)) {
          p = motion::TimeParameterize(r.path, limits);
        }
        d = p.duration();
      }
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      (r.direct ? direct_ms : planned_ms).push_back(ms.back());
      for (std::size_t k = 1; r.solved() && k < r.path.size(); ++k) {
        if (!RecheckFree(*scene.world, recheck, q.robot, r.path[k - 1], r.path[k])) {
          ++colliding;
          break;
        }
      }
      WeldcellDurations(state.range(0) != 0).push_back(r.solved() ? d : 0.0);
      if (r.solved()) {
        ++solved;
        duration += d;
      }
    }
  }
  Report(state, ms, solved, duration, static_cast<int>(scene.queries.size()));
  state.counters["paths_colliding_at_5mm"] = colliding;
  // Where the time goes: straight moves (one segment check) and planned ones (RRTConnect).
  std::sort(direct_ms.begin(), direct_ms.end());
  std::sort(planned_ms.begin(), planned_ms.end());
  state.counters["direct_%"] = 100.0 * static_cast<double>(direct_ms.size()) /
                               static_cast<double>(std::max<std::size_t>(ms.size(), 1));
  state.counters["direct_median_ms"] = direct_ms.empty() ? 0 : direct_ms[direct_ms.size() / 2];
  state.counters["planned_median_ms"] = planned_ms.empty() ? 0 : planned_ms[planned_ms.size() / 2];
}

void BM_PlainOmplSegment(benchmark::State& state) {
  ompl::msg::setLogLevel(ompl::msg::LOG_NONE);
  const Scene& scene = GetScene(state.range(0) != 0);
  std::vector<double> ms;
  int solved = 0, colliding = 0, fair = 0;
  double duration = 0, fair_ompl = 0, fair_weldcell = 0;
  std::vector<collision::CollisionContext> contexts;
  for (int r = 0; r < scene.world->robot_count(); ++r) contexts.emplace_back(*scene.world);
  for (auto _ : state) {
    ms.clear();
    solved = colliding = fair = 0;
    duration = fair_ompl = fair_weldcell = 0;
    for (std::size_t n = 0; n < scene.queries.size(); ++n) {
      const Query& q = scene.queries[n];
      const auto t0 = std::chrono::steady_clock::now();
      const kinematics::Chain& chain = scene.world->chain(q.robot);
      const int dof = chain.dof();
      auto space = std::make_shared<ob::RealVectorStateSpace>(dof);
      ob::RealVectorBounds bounds(dof);
      for (int i = 0; i < dof; ++i) {
        bounds.setLow(i, chain.lower()[i]);
        bounds.setHigh(i, chain.upper()[i]);
      }
      space->setBounds(bounds);
      og::SimpleSetup ss(space);
      collision::CollisionContext& ctx = contexts[q.robot];
      ss.setStateValidityChecker([&](const ob::State* s) {
        const auto* v = s->as<ob::RealVectorStateSpace::StateType>();
        Eigen::VectorXd x(dof);
        for (int i = 0; i < dof; ++i) x[i] = v->values[i];
        return !scene.world->CheckRobot(ctx, q.robot, x).in_collision();
      });
      ob::ScopedState<> start(space), goal(space);
      for (int i = 0; i < dof; ++i) {
        start[i] = q.start[i];
        goal[i] = q.goal[i];
      }
      ss.setStartAndGoalStates(start, goal);
      ss.setPlanner(std::make_shared<og::RRTConnect>(ss.getSpaceInformation()));
      const bool ok = ss.solve(1.0) == ob::PlannerStatus::EXACT_SOLUTION;
      double d = 0;
      if (ok) {
        ss.simplifySolution();
        const og::PathGeometric& path = ss.getSolutionPath();
        std::vector<Eigen::VectorXd> waypoints;
        for (std::size_t k = 0; k < path.getStateCount(); ++k) {
          const auto* v = path.getState(k)->as<ob::RealVectorStateSpace::StateType>();
          Eigen::VectorXd x(dof);
          for (int i = 0; i < dof; ++i) x[i] = v->values[i];
          waypoints.push_back(x);
        }
        d = motion::TimeParameterize(waypoints, Limits(*scene.world, q.robot)).duration();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        // Outside the timing: is OMPL's path really free at our resolution?
        bool path_free = true;
        for (std::size_t k = 1; k < waypoints.size() && path_free; ++k) {
          path_free = RecheckFree(*scene.world, ctx, q.robot, waypoints[k - 1], waypoints[k]);
        }
        colliding += path_free ? 0 : 1;
        // Durations compared only where OMPL's path is collision-free and both solved.
        const std::vector<double>& ours = WeldcellDurations(state.range(0) != 0);
        if (path_free && n < ours.size() && ours[n] > 0) {
          ++fair;
          fair_ompl += d;
          fair_weldcell += ours[n];
        }
        ++solved;
        duration += d;
      } else {
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
      }
    }
  }
  Report(state, ms, solved, duration, static_cast<int>(scene.queries.size()));
  state.counters["paths_colliding_at_5mm"] = colliding;
  state.counters["free_paths"] = fair;
  state.counters["free_paths_motion_s"] = fair ? fair_ompl / fair : 0;
  state.counters["weldcell_same_queries_motion_s"] = fair ? fair_weldcell / fair : 0;
}

// The straight move of every query, checked at 5 mm: how many exact checks the clearance
// certificates leave, against the plain uniform sampling's count.
void BM_StraightMoveCheck(benchmark::State& state) {
  const Scene& scene = GetScene(state.range(0) != 0);
  std::vector<collision::CollisionContext> contexts;
  for (int r = 0; r < scene.world->robot_count(); ++r) contexts.emplace_back(*scene.world);
  double samples = 0, uniform = 0, free = 0, free_samples = 0, free_uniform = 0;
  std::vector<double> us;
  for (auto _ : state) {
    samples = uniform = free = free_samples = free_uniform = 0;
    us.clear();
    for (const Query& q : scene.queries) {
      const auto t0 = std::chrono::steady_clock::now();
      const collision::SegmentCheckResult r = collision::CheckJointSegment(
          *scene.world, contexts[q.robot], q.robot, q.start, q.goal, {.resolution = 0.005});
      us.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      const int n = collision::SegmentSampleCount(*scene.world, q.robot, q.start, q.goal, 0.005);
      samples += r.samples;
      uniform += n;
      if (r.free()) {
        ++free;
        free_samples += r.samples;
        free_uniform += n;
      }
    }
  }
  std::sort(us.begin(), us.end());
  state.counters["median_us"] = us.empty() ? 0 : us[us.size() / 2];
  state.counters["free_%"] = 100.0 * free / static_cast<double>(scene.queries.size());
  state.counters["free_checks_per_move"] = free ? free_samples / free : 0;
  state.counters["free_uniform_per_move"] = free ? free_uniform / free : 0;
  state.counters["checks_per_move"] = samples / static_cast<double>(scene.queries.size());
  state.counters["uniform_per_move"] = uniform / static_cast<double>(scene.queries.size());
}

// How repeatable planned durations are: every query whose straight move collides is planned and
// timed (motion::PlanTravelMove, as the pipeline and `weldcell train` do) with five seeds. A
// predictor of travel times (planner/learned) cannot be more accurate than this spread.
// Reported: the mean over queries of max/min duration and of the relative standard deviation,
// the mean duration, the mean time per plan, and `noise_mae_%`: Σ|d − mean of its query's five|
// / Σ d over all plans — the mean absolute error (as docs/learned.md defines it) of a predictor
// that knew each query's mean duration exactly, i.e. the floor no travel-time model can beat
// (in-sample, so slightly low: a mean of five sits closer to its own samples).
void BM_SeedSpread(benchmark::State& state) {
  const Scene& scene = GetScene(state.range(0) != 0);
  constexpr int kSeeds = 5;
  std::vector<motion::SegmentPlanner> planners;
  for (int r = 0; r < scene.world->robot_count(); ++r) planners.emplace_back(*scene.world, r);
  double ratio_sum = 0, cv_sum = 0, duration_sum = 0, ms_sum = 0, deviation_sum = 0;
  int measured = 0, plans = 0;
  for (auto _ : state) {
    ratio_sum = cv_sum = duration_sum = ms_sum = deviation_sum = 0;
    measured = plans = 0;
    std::uint64_t query_seed = 1;
    for (const Query& q : scene.queries) {
      ++query_seed;
      motion::SegmentPlanner& planner = planners[q.robot];
      std::vector<double> d;
      for (int k = 0; k < kSeeds; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        const motion::TravelMove m = motion::PlanTravelMove(
            planner,
            {.start = q.start, .goal = q.goal, .resolution = 0.005, .seed = query_seed * 97 + k},
            Limits(*scene.world, q.robot), {.blend_tolerance = 0.1});
        ms_sum += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                      .count();
        ++plans;
        if (!m.path.solved() || m.path.direct) break;
        d.push_back(m.profile.duration());
      }
      if (d.size() != kSeeds) continue;
      const double mean = std::accumulate(d.begin(), d.end(), 0.0) / kSeeds;
      double var = 0;
      for (double x : d) {
        var += (x - mean) * (x - mean);
        deviation_sum += std::abs(x - mean);
      }
      ratio_sum += *std::max_element(d.begin(), d.end()) / *std::min_element(d.begin(), d.end());
      cv_sum += std::sqrt(var / kSeeds) / mean;
      duration_sum += mean;
      ++measured;
    }
  }
  state.counters["planned_queries"] = measured;
  state.counters["max_over_min"] = measured ? ratio_sum / measured : 0;
  state.counters["rel_stddev_%"] = measured ? 100.0 * cv_sum / measured : 0;
  state.counters["mean_motion_s"] = measured ? duration_sum / measured : 0;
  state.counters["ms_per_plan"] = plans ? ms_sum / plans : 0;
  // Σ d over all plans = kSeeds × Σ of the query means.
  state.counters["noise_mae_%"] = measured ? 100.0 * deviation_sum / (kSeeds * duration_sum) : 0;
}

BENCHMARK(BM_StraightMoveCheck)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("cluttered")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WeldcellSegment)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("cluttered")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeedSpread)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("cluttered")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlainOmplSegment)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("cluttered")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace weldcell

BENCHMARK_MAIN();
