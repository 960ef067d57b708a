// Plans one station end to end, stage by stage, and prints one JSON line with what each stage
// cost and what the plan achieved. `scripts/bench stations` runs it once per reference station,
// each in its own process (so that the peak RSS is that station's), and makes the table.
//
// Usage: station_bench CELL.yaml [--jobs N] [--seed S] [--plain-fcl]
// (--plain-fcl: every contact test by plain fcl::collide, the collision module's reference path,
// to measure what its own mesh traversal saves.)
//
// Stages: load (cell files + both collision worlds + the home check), then pipeline::PlanCell as
// `weldcell plan` runs it — reach, allocation (problem + solve + baseline), motion, coordination,
// and the conflict-aware re-allocation rounds, which add to those three — timed between its
// progress reports' stage changes, then verification (verify::Verify with the verifier's world).
// Wall time by steady_clock, CPU time by CLOCK_PROCESS_CPUTIME_ID (all threads of the process);
// peak RSS by getrusage(RUSAGE_SELF).ru_maxrss at the end.
//
// Exit: 0 when the station was planned and verified (whatever the verdict), 2 on bad input or
// arguments (the message on stderr).

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <exception>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/common/progress.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/breakdown.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/station_check.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell {
namespace {

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Wall and CPU seconds of the stages, in the order they ran.
class StageClock {
 public:
  void Start() {
    wall0_ = std::chrono::steady_clock::now();
    cpu0_ = CpuSeconds();
  }
  void Stop(const std::string& stage) {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
    stages_.push_back({stage, wall, CpuSeconds() - cpu0_});
  }
  nlohmann::ordered_json ToJson() const {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const Stage& s : stages_) {  // stages that ran more than once add up
      if (!j.contains(s.name)) j[s.name] = {{"wall", 0.0}, {"cpu", 0.0}};
      j[s.name]["wall"] = j[s.name]["wall"].get<double>() + s.wall;
      j[s.name]["cpu"] = j[s.name]["cpu"].get<double>() + s.cpu;
    }
    return j;
  }
  double TotalWall() const {
    double sum = 0;
    for (const Stage& s : stages_) sum += s.wall;
    return sum;
  }
  double TotalCpu() const {
    double sum = 0;
    for (const Stage& s : stages_) sum += s.cpu;
    return sum;
  }

 private:
  struct Stage {
    std::string name;
    double wall;
    double cpu;
  };
  std::chrono::steady_clock::time_point wall0_;
  double cpu0_ = 0;
  std::vector<Stage> stages_;
};

double PeakRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// The baseline allocator's routes planned, coordinated and re-allocated as ours are
// (pipeline::Allocator::kBaseline): the fair yardstick for the makespan, not its estimate.
nlohmann::ordered_json PlanWithBaseline(const cell::Cell& c, const collision::CollisionWorld& world,
                                        int jobs) {
  const auto t0 = std::chrono::steady_clock::now();
  const pipeline::PlanOutput out =
      pipeline::PlanCell(c, world, {.threads = jobs, .allocator = pipeline::Allocator::kBaseline});
  int planned = 0;
  for (const plan::RobotPlan& r : out.plan.robots) planned += static_cast<int>(r.welds.size());
  return {{"makespan", out.plan.makespan},
          {"welds_planned", planned},
          {"estimate", out.statistics.estimated_makespan},
          {"wall", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
}

int Run(const std::string& cell_file, int jobs, std::int64_t seed, bool plain_fcl,
        bool baseline_plan) {
  StageClock clock;
  clock.Start();
  cell::Cell c = cell::LoadCell(cell_file).value;
  if (seed >= 0) c.settings.seed = static_cast<std::uint64_t>(seed);
  collision::CollisionWorld verifier_world = verify::MakeVerifierWorld(c);
  if (std::vector<Diagnostic> homes = verify::CheckHomes(c, verifier_world); !homes.empty()) {
    throw InputError(std::move(homes));
  }
  collision::CollisionWorld world(c);
  if (plain_fcl) {
    collision::internal::UsePlainFclNarrowphase(world);
    collision::internal::UsePlainFclNarrowphase(verifier_world);
  }
  clock.Stop("load");

  // PlanCell as `weldcell plan` runs it (re-allocation rounds included); its stages are timed
  // between the progress reports' stage changes (re-allocation rounds add to allocation, motion
  // and coordination). When each robot's motion finished: the motion stage reports once per
  // robot done, so the spread shows how evenly the robots' planning fills the threads.
  std::vector<double> motion_done;
  std::chrono::steady_clock::time_point motion_start;
  std::string current;
  auto switch_to = [&](std::string_view stage) {
    if (stage == current) return;
    if (!current.empty())
      clock.Stop(current == kAllocateStage     ? "allocation"
                 : current == kCoordinateStage ? "coordination"
                                               : current);
    current = std::string(stage);
    clock.Start();
    if (stage == kMotionStage) motion_start = std::chrono::steady_clock::now();
  };
  const Progress progress([&](std::string_view stage, std::int64_t, std::int64_t) {
    switch_to(stage);
    if (stage == kMotionStage) {
      motion_done.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - motion_start).count());
    }
  });
  const pipeline::PlanOptions options{.threads = jobs, .progress = progress};
  switch_to(kReachStage);
  const pipeline::PlanOutput out = pipeline::PlanCell(c, world, options);
  switch_to("");
  const reach::ReachMap& reach = out.reach;
  const plan::Plan& plan = out.plan;
  const pipeline::PlanStatistics& stats = out.statistics;

  clock.Start();
  const verify::VerifyReport report =
      verify::Verify(plan, c, verifier_world, {.threads = options.threads});
  clock.Stop("verification");

  // What each stage's work was, to tell what limits it.
  nlohmann::ordered_json route_welds = nlohmann::ordered_json::array();
  for (const plan::RobotPlan& r : plan.robots) route_welds.push_back(r.welds.size());
  std::size_t candidates = 0;
  for (int w = 0; w < reach.weld_count(); ++w) {
    for (int r = 0; r < reach.robot_count(); ++r) candidates += reach.at(w, r).candidates.size();
  }
  int reachable = 0;
  for (int w = 0; w < reach.weld_count(); ++w) reachable += reach.reachable(w) ? 1 : 0;
  int planned = 0;
  for (const plan::RobotPlan& r : plan.robots) planned += static_cast<int>(r.welds.size());
  nlohmann::ordered_json violations = nlohmann::ordered_json::object();
  for (const auto& [kind, count] : report.CountByKind()) {
    violations[std::string(verify::ToString(kind))] = count;
  }
  const double estimate = stats.estimated_makespan;
  const double baseline = stats.baseline_makespan;
  nlohmann::ordered_json j;
  j["station"] = c.name;
  j["cell"] = cell_file;
  j["jobs"] = jobs;
  j["plain_fcl"] = plain_fcl;
  j["seed"] = c.settings.seed;
  j["robots"] = c.robots.size();
  j["welds"] = c.welds.size();
  j["stages"] = clock.ToJson();
  j["total_wall"] = clock.TotalWall();
  j["total_cpu"] = clock.TotalCpu();
  j["makespan"] = plan.makespan;
  j["cycle_time"] = c.cycle_time;
  j["estimate"] = estimate;
  j["overhead"] = estimate > 0 ? (plan.makespan - estimate) / estimate : 0.0;
  const plan::OverheadSplit split =
      plan::SplitOverhead(plan::BreakDown(plan), plan.travel, estimate);
  j["overhead_split"] = {{"robot", split.robot},
                         {"overhead", split.overhead},
                         {"travel", split.travel},
                         {"waiting", split.waiting},
                         {"route", split.route}};
  j["lower_bound"] = stats.lower_bound;
  j["first_makespan"] = stats.first_makespan;
  j["rebalance"] = {{"tried", stats.rebalance_rounds}, {"kept", stats.rebalance_kept}};
  j["baseline"] = baseline;
  // Of the final (planned, coordinated) makespan, and of the allocator's own estimate: the
  // baseline is an estimate on the same analytic travel times as `estimate`.
  j["gain"] = baseline > 0 ? (baseline - plan.makespan) / baseline : 0.0;
  j["estimate_gain"] = baseline > 0 ? (baseline - estimate) / baseline : 0.0;
  j["welds_reachable"] = reachable;
  j["welds_planned"] = planned;
  j["zones"] = plan.zones.size();
  j["work"] = {
      {"reach_candidates", candidates},
      {"route_welds", route_welds},
      {"direct_moves", stats.direct_moves},
      {"planned_moves", stats.planned_moves},
      {"skipped_stops", static_cast<int>(plan.unreachable.size()) - (c.welds.size() - reachable)},
      {"motion_robots_done_s", motion_done},
      {"verify_checks", report.collision_checks}};
  j["conflict_free"] = stats.coordination_message.empty();
  j["coordination_message"] = stats.coordination_message;
  j["violations"] = violations;
  j["violation_count"] = report.violations.size();
  j["unsafe_count"] = report.unsafe_count();  // all but the welds left out and the cycle time
  j["verdict"] = verify::ToString(verify::Judge(plan, report));
  j["peak_rss_mib"] = PeakRssMib();  // before the baseline's run
  if (baseline_plan) {
    j["baseline_planned"] = PlanWithBaseline(c, world, jobs);
    const double b = j["baseline_planned"]["makespan"].get<double>();
    j["gain_planned"] = b > 0 ? (b - plan.makespan) / b : 0.0;
  }
  std::cout << j.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace weldcell

int main(int argc, char** argv) {
  std::string cell_file;
  int jobs = 0;
  std::int64_t seed = -1;
  bool plain_fcl = false;
  bool baseline_plan = true;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if ((arg == "--jobs" || arg == "-j") && i + 1 < argc) {
        jobs = std::stoi(argv[++i]);
      } else if (arg == "--seed" && i + 1 < argc) {
        seed = std::stoll(argv[++i]);
      } else if (arg == "--plain-fcl") {
        plain_fcl = true;
      } else if (arg == "--no-baseline-plan") {
        baseline_plan = false;
      } else if (cell_file.empty() && !arg.starts_with("-")) {
        cell_file = arg;
      } else {
        std::cerr << "station_bench: unexpected argument '" << arg << "'\n";
        return 2;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "station_bench: bad number: " << e.what() << '\n';
    return 2;
  }
  if (cell_file.empty() || jobs < 0) {
    std::cerr << "usage: station_bench CELL.yaml [--jobs N] [--seed S] [--plain-fcl] "
                 "[--no-baseline-plan]\n";
    return 2;
  }
  try {
    return weldcell::Run(cell_file, jobs, seed, plain_fcl, baseline_plan);
  } catch (const weldcell::InputError& e) {
    std::cerr << e.what() << '\n';
    return 2;
  }
}
