#include "planner/pipeline/stages.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "planner/collision/collision_world.hpp"
#include "planner/common/parallel.hpp"
#include "planner/learned/features.hpp"
#include "planner/learned/roadmap.hpp"
#include "planner/learned/travel.hpp"
#include "planner/motion/segment_planner.hpp"
#include "planner/pipeline/exclusions.hpp"
#include "planner/plan/cell_hash.hpp"

namespace weldcell::pipeline {
namespace {

constexpr double kMaxOutOfRange = 0.1;

motion::JointLimits LimitsOf(const kinematics::Chain& chain) {
  return {.max_velocity = chain.velocity_limits(), .max_acceleration = chain.acceleration_limits()};
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
    // When `seconds` is given: the times between nodes, and each option's node (0 = home).
    const Eigen::MatrixXd* seconds = nullptr;
    std::vector<std::vector<int>> node;  // [task][option]
  };
  explicit JointTimeTravel(std::vector<RobotData> robots) : robots_(std::move(robots)) {}
  double Seconds(allocation::RobotId robot, const allocation::Stop& from,
                 const allocation::Stop& to) const override {
    const RobotData& r = robots_[robot.value];
    if (r.seconds) {
      const int i = from.is_home() ? 0 : r.node[from.task.value][from.option];
      const int j = to.is_home() ? 0 : r.node[to.task.value][to.option];
      return (*r.seconds)(i, j);
    }
    const Eigen::VectorXd& a = from.is_home() ? r.home : r.approach[from.task.value][from.option];
    const Eigen::VectorXd& b = to.is_home() ? r.home : r.approach[to.task.value][to.option];
    return motion::RestToRestTime(a, b, r.limits, r.speed_scale);
  }

 private:
  std::vector<RobotData> robots_;
};

bool SameVectors(const std::vector<Eigen::VectorXd>& a, const std::vector<Eigen::VectorXd>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size() || a[i] != b[i]) return false;
  }
  return true;
}

// True when two robots' analytic travel is the same function of the stops: the same home,
// limits and speed, and, task by task, the same offered approach configurations in the same
// order (so also the same option layout).
bool SameTravel(const JointTimeTravel::RobotData& a, const JointTimeTravel::RobotData& b) {
  if (a.seconds || b.seconds || a.speed_scale != b.speed_scale) return false;
  if (!SameVectors({a.home, a.limits.max_velocity, a.limits.max_acceleration},
                   {b.home, b.limits.max_velocity, b.limits.max_acceleration})) {
    return false;
  }
  if (a.approach.size() != b.approach.size()) return false;
  for (std::size_t t = 0; t < a.approach.size(); ++t) {
    if (!SameVectors(a.approach[t], b.approach[t])) return false;
  }
  return true;
}

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

// Per weld, the unreachable weld it comes after through `after:` (directly or through other
// welds), or "" when every weld before it is reachable: such a weld cannot be welded in its
// order, and welding it anyway would break the precedence the user asked for. Kahn's order
// over the precedence graph (acyclic: LoadCell), so that long chains need no recursion.
std::vector<std::string> BlockedByUnreachable(const cell::Cell& cell, const reach::ReachMap& map) {
  const std::size_t n = cell.welds.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t w = 0; w < n; ++w) index.emplace(cell.welds[w].id, w);
  std::vector<std::vector<std::size_t>> next(n);
  std::vector<int> pending(n, 0);
  for (std::size_t w = 0; w < n; ++w) {
    for (const std::string& before : cell.welds[w].after) {
      const auto it = index.find(before);
      if (it == index.end()) continue;
      next[it->second].push_back(w);
      ++pending[w];
    }
  }
  std::vector<std::string> blocked(n);
  std::vector<std::size_t> ready;
  for (std::size_t w = 0; w < n; ++w) {
    if (pending[w] == 0) ready.push_back(w);
  }
  while (!ready.empty()) {
    const std::size_t w = ready.back();
    ready.pop_back();
    const std::string& cause = !map.reachable(static_cast<int>(w)) ? cell.welds[w].id : blocked[w];
    for (const std::size_t v : next[w]) {
      if (blocked[v].empty() && !cause.empty()) blocked[v] = cause;
      if (--pending[v] == 0) ready.push_back(v);
    }
  }
  return blocked;
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

std::vector<Eigen::Vector3d> SweepDirections(const cell::Cell& cell) {
  std::vector<Eigen::Vector3d> out(cell.robots.size(), Eigen::Vector3d::UnitX());
  if (cell.welds.size() < 2) return out;
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (const cell::Weld& w : cell.welds) mean += w.p_W.head<2>();
  mean /= static_cast<double>(cell.welds.size());
  Eigen::Matrix2d scatter = Eigen::Matrix2d::Zero();
  for (const cell::Weld& w : cell.welds) {
    const Eigen::Vector2d d = w.p_W.head<2>() - mean;
    scatter += d * d.transpose();
  }
  // The line: the welds' main horizontal axis (eigenvector of the largest eigenvalue), its
  // sign fixed so that the result does not depend on the eigen solver's choice.
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eigen(scatter);
  Eigen::Vector2d axis = eigen.eigenvectors().col(1);
  if (axis.x() < -1e-12 || (std::abs(axis.x()) <= 1e-12 && axis.y() < 0)) axis = -axis;
  const Eigen::Vector2d normal(-axis.y(), axis.x());
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    const double side = (cell.robots[r].X_WB.translation().head<2>() - mean).dot(normal);
    const double sign = side < 0.0 ? -1.0 : 1.0;
    out[r] = Eigen::Vector3d(sign * axis.x(), sign * axis.y(), 0.0);
  }
  return out;
}

std::string_view ToString(TravelTimeKind kind) {
  switch (kind) {
    case TravelTimeKind::kAnalytic:
      return "analytic";
    case TravelTimeKind::kLearned:
      return "learned";
    case TravelTimeKind::kExact:
      return "exact";
  }
  return "?";
}

namespace {

// A robot's matrix nodes: home, then the approach configuration of every candidate offered
// (m.node maps them); `branch`: each node's IK branch (-1 for home: computed when needed).
void AddNodes(const cell::Cell& cell, const reach::ReachMap& reach, const PlanOptions& options,
              int r, TravelMatrices::Robot& m, std::vector<Eigen::VectorXd>& q,
              std::vector<int>& branch) {
  q = {cell.robots[r].home};
  branch = {-1};
  for (int w = 0; w < static_cast<int>(cell.welds.size()); ++w) {
    const reach::WeldReach& e = reach.at(w, r);
    if (e.status != reach::ReachStatus::kReachable) continue;
    for (int c : reach::DiverseCandidates(e.candidates, options.max_options_per_robot)) {
      m.node[{w, c}] = static_cast<int>(q.size());
      q.push_back(e.candidates[c].q_approach);
      branch.push_back(e.candidates[c].branch);
    }
  }
}

void PriceExact(const cell::Cell& cell, const collision::CollisionWorld& world,
                const PlanOptions& options, int r, std::vector<Eigen::VectorXd> q,
                TravelMatrices::Robot& m, std::vector<std::string>* warnings) {
  int unplanned = 0;
  m.seconds =
      learned::ExactMatrix(world, r, q,
                           {.resolution = cell.settings.motion.resolution,
                            .max_planning_time = cell.settings.motion.planning_time,
                            .blend_tolerance = options.blend_tolerance,
                            .speed_scale = cell.settings.motion.speed_scale,
                            .seed = cell.settings.seed * 1000003ULL + static_cast<std::uint64_t>(r),
                            .threads = options.threads,
                            .progress = options.progress},
                           &unplanned, &m.paths);
  m.source = "exact";
  if (unplanned > 0 && warnings) {
    warnings->push_back(fmt::format(
        "{}: exact travel: {} of {} moves have no path, even through home (a pose no search "
        "reaches; the motion stage tries the weld's other poses): priced by the analytic "
        "estimate",
        cell.robots[r].name, unplanned, q.size() * (q.size() - 1)));
  }
  m.configurations = std::move(q);
}

// Why `model` cannot price robot r's moves at this station's speed scale (its labels are
// durations at the speed scale of its training stations: at another every move takes that much
// longer or shorter; a fresh user's station at 0.7 was priced at full speed without a word, and
// one at 0.3 refused for "inputs far outside its training range"); empty when it can.
std::string OtherSpeedScale(const cell::Cell& cell, const learned::Model& model) {
  if (learned::TimedAtSpeedScale(model.info(), cell.settings.motion.speed_scale)) return {};
  return fmt::format(
      "travel model {} refused: it learned moves timed at speed_scale {:g}, this station's "
      "settings.motion.speed_scale is {:g} (train a model on stations of this speed scale)",
      model.info().name, model.info().speed_scale, cell.settings.motion.speed_scale);
}

// The predictions of the first of `models` (PlanOptions::travel_models) that can price robot r's
// moves: one timed at the station's speed scale whose inputs lie within its training range for
// at least nine moves in ten (beyond, its answers are extrapolation). When none can, m stays
// analytic and m.fallback (also a warning) names every refusal.
void PriceLearned(const cell::Cell& cell, const reach::ReachMap& reach, const PlanOptions& options,
                  int r, const std::vector<std::shared_ptr<const learned::Model>>& models,
                  const learned::DistanceField& field, const std::vector<Eigen::VectorXd>& q,
                  const std::vector<int>& branch, TravelMatrices::Robot& m,
                  std::vector<std::string>* warnings) {
  // Cancelled: m stays unpriced (analytic), and PlanCell stops after this stage.
  const Progress& progress = options.progress;
  std::vector<std::string> refusals;
  std::optional<learned::FeatureRobot> fr;  // made for the first model of the right scale
  std::vector<learned::FeatureNode> nodes;
  for (const std::shared_ptr<const learned::Model>& model : models) {
    if (std::string why = OtherSpeedScale(cell, *model); !why.empty()) {
      refusals.push_back(std::move(why));
      continue;
    }
    if (!fr) {
      fr = learned::MakeFeatureRobot(cell, r, field, reach, options.threads, progress);
      for (std::size_t i = 0; i < q.size(); ++i) {
        if (progress.cancelled()) return;
        nodes.push_back(learned::MakeFeatureNode(
            *fr, field, q[i], i == 0 ? learned::BranchOf(fr->chain, q[0]) : branch[i]));
      }
    }
    learned::PredictedMatrix predicted =
        learned::PredictMatrix(*model, *fr, field, nodes, options.threads, progress);
    if (progress.cancelled()) return;
    if (predicted.out_of_range > kMaxOutOfRange) {
      refusals.push_back(fmt::format(
          "travel model {} refused: {:.0f} % of the moves have inputs far outside its training "
          "range (most often {})",
          model->info().name, 100.0 * predicted.out_of_range, predicted.worst_feature));
      continue;
    }
    m.seconds = std::move(predicted.seconds);
    m.source = "learned " + model->info().name;
    m.model = model;
    break;
  }
  if (!m.model && !refusals.empty()) {
    m.fallback = fmt::format("{}: {}; using the analytic estimate instead", cell.robots[r].name,
                             fmt::join(refusals, "; "));
    if (warnings) warnings->push_back(m.fallback);
    return;
  }
  // A model tried before the one used was refused: said too (a CI job could not tell that the
  // first model it shipped was skipped).
  if (m.model && !refusals.empty() && warnings) {
    warnings->push_back(fmt::format("{}: {}; using travel model {} instead", cell.robots[r].name,
                                    fmt::join(refusals, "; "), m.model->info().name));
  }
  if (m.model && m.model->info().travel_plans != motion::kTravelPlans && warnings) {
    warnings->push_back(fmt::format(
        "{}: travel model {} learned the fastest of up to {} plans per move, the motion stage "
        "keeps the fastest of up to {}: its times are biased (retrain it with weldcell train)",
        cell.robots[r].name, m.model->info().name, m.model->info().travel_plans,
        motion::kTravelPlans));
  }
}

// Why robot r has no model (PlanOptions::travel_fallbacks, else a reason of our own).
std::string NoModelReason(const cell::Cell& cell, const PlanOptions& options, int r) {
  if (r < static_cast<int>(options.travel_fallbacks.size()) &&
      !options.travel_fallbacks[r].empty()) {
    return options.travel_fallbacks[r];
  }
  return cell.robots[r].name + ": no travel model given; using the analytic estimate";
}

}  // namespace

TravelMatrices ComputeTravelMatrices(const cell::Cell& cell, const collision::CollisionWorld& world,
                                     const reach::ReachMap& reach, const PlanOptions& options,
                                     std::vector<std::string>* warnings) {
  const int robots = static_cast<int>(cell.robots.size());
  TravelMatrices out;
  out.robots.resize(robots);
  if (options.travel_time == TravelTimeKind::kAnalytic) return out;
  std::unique_ptr<learned::DistanceField> field;
  for (int r = 0; r < robots && !options.progress.cancelled(); ++r) {
    TravelMatrices::Robot& m = out.robots[r];
    std::vector<Eigen::VectorXd> q;
    std::vector<int> branch;
    AddNodes(cell, reach, options, r, m, q, branch);
    if (options.travel_time == TravelTimeKind::kExact) {
      PriceExact(cell, world, options, r, std::move(q), m, warnings);
      continue;
    }
    if (r >= static_cast<int>(options.travel_models.size()) || options.travel_models[r].empty()) {
      m.fallback = NoModelReason(cell, options, r);
      continue;
    }
    if (!field) {
      field = std::make_unique<learned::DistanceField>(cell, options.progress);
      if (options.progress.cancelled()) break;  // the field is empty
    }
    PriceLearned(cell, reach, options, r, options.travel_models[r], *field, q, branch, m, warnings);
  }
  return out;
}

AllocationProblem BuildAllocationProblem(const cell::Cell& cell,
                                         const collision::CollisionWorld& world,
                                         const reach::ReachMap& reach, const PlanOptions& options,
                                         const Withheld& withheld, const TravelMatrices* matrices,
                                         bool exclusions) {
  const int robots = static_cast<int>(cell.robots.size());
  const int welds = static_cast<int>(cell.welds.size());
  AllocationProblem out;
  allocation::Problem& problem = out.problem;
  // Sites for the allocator's spatial term: a weld's point, a robot's tool at home (world, m).
  auto site = [](const Eigen::Vector3d& p) { return allocation::Site{p.x(), p.y(), p.z()}; };
  for (int r = 0; r < robots; ++r) {
    const cell::Robot& robot = cell.robots[r];
    const Eigen::Vector3d p_WT =
        robot.X_WB * world.chain(r).TcpPose(robot.home, robot.tool.X_FT).translation();
    problem.robots.push_back({.name = robot.name, .site = site(p_WT)});
  }
  const std::vector<Eigen::Vector3d> sweeps = SweepDirections(cell);
  for (int r = 0; r < robots; ++r) problem.robots[r].sweep = site(sweeps[r]);
  std::vector<JointTimeTravel::RobotData> travel(robots);
  for (int r = 0; r < robots; ++r) {
    travel[r] = {.home = cell.robots[r].home,
                 .limits = LimitsOf(world.chain(r)),
                 .speed_scale = cell.settings.motion.speed_scale,
                 .approach = {}};
  }
  std::map<std::string, int> task_of_weld;
  const std::vector<std::string> blocked = BlockedByUnreachable(cell, reach);
  for (int w = 0; w < welds; ++w) {
    if (!reach.reachable(w)) {
      out.unreachable.push_back(
          {.weld_id = cell.welds[w].id, .reason = UnreachableReason(cell, reach, w)});
      continue;
    }
    if (const std::string& cause = blocked[static_cast<std::size_t>(w)]; !cause.empty()) {
      out.unreachable.push_back(
          {.weld_id = cell.welds[w].id,
           .reason = "comes after " + cause + " (`after:`), which no robot reaches"});
      continue;
    }
    allocation::Task task{
        .name = cell.welds[w].id, .capabilities = {}, .site = site(cell.welds[w].p_W)};
    AllocationTask entry{.weld = w, .options = std::vector<std::vector<int>>(robots)};
    int offered = 0;  // robots that reach the weld and are not withheld
    for (int r = 0; r < robots; ++r) {
      offered += reach.at(w, r).status == reach::ReachStatus::kReachable && !withheld.count({w, r});
    }
    for (int r = 0; r < robots; ++r) {
      const reach::WeldReach& e = reach.at(w, r);
      if (e.status != reach::ReachStatus::kReachable) continue;
      if (offered > 0 && withheld.count({w, r})) continue;
      entry.options[r] = reach::DiverseCandidates(e.candidates, options.max_options_per_robot);
      allocation::Capability cap{.robot = {r}, .options = {}};
      const cell::Tool& tool = cell.robots[r].tool;
      for (int c : entry.options[r]) {
        const reach::Candidate& cand = e.candidates[c];
        const double in_out = 2.0 * motion::RestToRestTime(cand.q_approach, cand.q,
                                                           travel[r].limits, travel[r].speed_scale);
        cap.options.push_back({.duration = cell::EffectiveWeldTime(cell.welds[w], tool) +
                                           tool.close_time + tool.open_time + in_out});
      }
      task.capabilities.push_back(std::move(cap));
    }
    task_of_weld[cell.welds[w].id] = static_cast<int>(out.tasks.size());
    out.tasks.push_back(std::move(entry));
    problem.tasks.push_back(std::move(task));
  }
  for (int r = 0; r < robots; ++r) {
    travel[r].approach.resize(out.tasks.size());
    const bool use_matrix = matrices && r < static_cast<int>(matrices->robots.size()) &&
                            matrices->robots[r].seconds.size() > 0;
    if (use_matrix) {
      travel[r].seconds = &matrices->robots[r].seconds;
      travel[r].node.resize(out.tasks.size());
    }
    for (std::size_t t = 0; t < out.tasks.size(); ++t) {
      for (int c : out.tasks[t].options[r]) {
        travel[r].approach[t].push_back(reach.at(out.tasks[t].weld, r).candidates[c].q_approach);
        if (use_matrix)
          travel[r].node[t].push_back(matrices->robots[r].node.at({out.tasks[t].weld, c}));
      }
    }
  }
  for (std::size_t t = 0; t < out.tasks.size(); ++t) {
    for (const std::string& before : cell.welds[out.tasks[t].weld].after) {
      auto it = task_of_weld.find(before);
      if (it != task_of_weld.end()) {
        problem.precedences.push_back({.before = {it->second}, .after = {static_cast<int>(t)}});
      }
    }
  }
  // Robots with the same travel data are declared identical, so that the allocator keeps one
  // matrix for them. The data are joint values: two robots at different bases see the welds in
  // different configurations, so this only holds for robots of one model, tool and home whose
  // offered candidates coincide (as in a problem built from a made-up reach map), never for a
  // learned or exact matrix (computed per robot).
  for (int r = 1; r < robots; ++r) {
    for (int s = 0; s < r; ++s) {
      if (problem.robots[s].same_travel_as.value < 0 && SameTravel(travel[r], travel[s])) {
        problem.robots[r].same_travel_as = {s};
        break;
      }
    }
  }
  problem.travel = std::make_shared<JointTimeTravel>(std::move(travel));
  if (exclusions && options.exclusion_clearance > 0.0 && robots > 1) {
    problem.exclusions = std::make_shared<ArmExclusions>(
        cell, world, reach, out.tasks, problem, options.exclusion_clearance, options.threads);
  }
  return out;
}

allocation::Solution RoutesInProblem(const reach::ReachMap& reach, const AllocationProblem& problem,
                                     const std::vector<std::vector<AssignedWeld>>& routes) {
  std::map<int, int> task_of_weld;
  for (std::size_t t = 0; t < problem.tasks.size(); ++t) {
    task_of_weld[problem.tasks[t].weld] = static_cast<int>(t);
  }
  allocation::Solution out;
  out.routes.resize(routes.size());
  for (std::size_t r = 0; r < routes.size(); ++r) {
    for (const AssignedWeld& a : routes[r]) {
      const auto task = task_of_weld.find(a.weld);
      if (task == task_of_weld.end()) continue;
      const std::vector<int>& options = problem.tasks[task->second].options[r];
      const std::vector<reach::Candidate>& c = reach.at(a.weld, static_cast<int>(r)).candidates;
      for (std::size_t o = 0; o < options.size(); ++o) {
        if (c[options[o]] == a.candidate) {
          out.routes[r].push_back(
              {.task = allocation::TaskId{task->second}, .option = static_cast<int>(o)});
          break;
        }
      }
    }
  }
  return out;
}

Allocation Allocate(const cell::Cell& cell, const reach::ReachMap& reach,
                    const AllocationProblem& problem, const PlanOptions& options,
                    const std::vector<std::vector<AssignedWeld>>* start) {
  Allocation out;
  out.routes.resize(cell.robots.size());
  if (problem.problem.tasks.empty()) return out;
  const std::int64_t iterations =
      options.allocation_iterations > 0
          ? options.allocation_iterations
          : std::clamp<std::int64_t>(
                2'000'000 / std::max<std::int64_t>(1, problem.problem.num_tasks()), 2'000, 20'000);
  const allocation::SolveOptions solve{.seed = cell.settings.seed,
                                       .max_iterations = iterations,
                                       .progress = options.progress,
                                       .spatial_weight = options.spatial_weight,
                                       .sweep_weight = options.sweep_weight};
  const bool baseline = options.allocator == Allocator::kBaseline;
  const auto solver = baseline ? allocation::MakeBaselineSolver() : allocation::MakeStrongSolver();
  allocation::SolveResult strong;
  if (start && !baseline) {
    const allocation::Solution from = RoutesInProblem(reach, problem, *start);
    allocation::SolveOptions warm = solve;
    warm.max_iterations = std::max<std::int64_t>(1, iterations / kWarmStartShare);
    warm.start = &from;
    strong = solver->Solve(problem.problem, warm);
  }
  // Without a start, or with one the solver could not use: the whole budget from its own starts.
  if (!strong.from_start) strong = solver->Solve(problem.problem, solve);
  out.status = strong.status;
  out.estimated_makespan = strong.cost.makespan;
  out.lower_bound = strong.lower_bound.value;
  for (std::size_t r = 0; r < strong.solution.routes.size(); ++r) {
    for (const allocation::Visit& v : strong.solution.routes[r]) {
      const AllocationTask& task = problem.tasks[v.task.value];
      const int candidate = task.options[r][v.option];
      out.routes[r].push_back(
          {.weld = task.weld,
           .candidate = reach.at(task.weld, static_cast<int>(r)).candidates[candidate]});
    }
  }
  if (strong.status == allocation::SolveStatus::kCancelled) return out;
  out.baseline_makespan = baseline ? strong.cost.makespan
                                   : allocation::MakeBaselineSolver()
                                         ->Solve(problem.problem, {.seed = cell.settings.seed})
                                         .cost.makespan;
  return out;
}

std::string_view ToString(Allocator allocator) {
  switch (allocator) {
    case Allocator::kStrong:
      return "strong";
    case Allocator::kBaseline:
      return "baseline";
  }
  return "?";
}

namespace {

// The candidates PlanMotions tries when no motion reaches `chosen` (see its docstring).
std::vector<reach::Candidate> AlternativesOf(const reach::WeldReach& e,
                                             const reach::Candidate& chosen) {
  constexpr double kDistinct = 0.2;  // rad, in some joint
  std::vector<const reach::Candidate*> by_posture;
  for (const reach::Candidate& c : e.candidates) by_posture.push_back(&c);
  std::stable_sort(
      by_posture.begin(), by_posture.end(),
      [](const reach::Candidate* a, const reach::Candidate* b) { return a->posture < b->posture; });
  std::vector<reach::Candidate> out;
  auto distinct = [&](const reach::Candidate& c) {
    if ((c.q_approach - chosen.q_approach).cwiseAbs().maxCoeff() <= kDistinct) return false;
    return std::all_of(out.begin(), out.end(), [&](const reach::Candidate& o) {
      return (c.q_approach - o.q_approach).cwiseAbs().maxCoeff() > kDistinct;
    });
  };
  // Other spin windows first (a pocket that one window's poses share, another's may not), then
  // other poses of any window.
  std::set<int> windows{chosen.spin_window};
  for (const reach::Candidate* c : by_posture) {
    if (static_cast<int>(out.size()) < kMaxAlternativePoses && !windows.count(c->spin_window) &&
        distinct(*c)) {
      windows.insert(c->spin_window);
      out.push_back(*c);
    }
  }
  for (const reach::Candidate* c : by_posture) {
    if (static_cast<int>(out.size()) < kMaxAlternativePoses && distinct(*c)) out.push_back(*c);
  }
  return out;
}

}  // namespace

void PlannedRoutes::Add(const std::vector<std::vector<AssignedWeld>>& routes,
                        const std::vector<motion::SequenceResult>& motions) {
  if (robots.size() < routes.size()) robots.resize(routes.size());
  for (std::size_t r = 0; r < routes.size() && r < motions.size(); ++r) {
    if (motions[r].abandoned || Find(static_cast<int>(r), routes[r])) continue;
    robots[r].push_back({.route = routes[r], .motion = motions[r]});
  }
}

const motion::SequenceResult* PlannedRoutes::Find(int robot,
                                                  const std::vector<AssignedWeld>& route) const {
  if (robot < 0 || robot >= static_cast<int>(robots.size())) return nullptr;
  for (const Planned& p : robots[static_cast<std::size_t>(robot)]) {
    if (p.route == route) return &p.motion;
  }
  return nullptr;
}

namespace {

// SequenceRequest::known_path over one robot's exact matrix: the priced path between two of its
// nodes, found by their configurations (bit for bit: the motion stage travels between exactly
// the candidates' approach configurations and home).
std::function<const std::vector<Eigen::VectorXd>*(const Eigen::VectorXd&, const Eigen::VectorXd&)>
ExactPathLookup(const TravelMatrices::Robot& exact) {
  auto index = std::make_shared<std::map<std::vector<double>, int>>();
  for (std::size_t k = 0; k < exact.configurations.size(); ++k) {
    const Eigen::VectorXd& q = exact.configurations[k];
    index->emplace(std::vector<double>(q.data(), q.data() + q.size()), static_cast<int>(k));
  }
  const auto n = exact.configurations.size();
  return [index, n, &exact](const Eigen::VectorXd& start,
                            const Eigen::VectorXd& goal) -> const std::vector<Eigen::VectorXd>* {
    const auto from = index->find(std::vector<double>(start.data(), start.data() + start.size()));
    const auto to = index->find(std::vector<double>(goal.data(), goal.data() + goal.size()));
    if (from == index->end() || to == index->end() || from->second == to->second) return nullptr;
    const std::vector<Eigen::VectorXd>& path =
        exact.paths[static_cast<std::size_t>(from->second) * n + to->second];
    return path.empty() ? nullptr : &path;
  };
}

// SequenceRequest::known_path over the travel moves one robot ran in `motion`, either way
// round (run backwards, a path is as free), found by their configurations (bit for bit: a
// route started elsewhere travels between the same approach configurations); then `fallback`
// (optional; e.g. exact's paths, planned per ordered pair: a move run before the other way
// round runs that move backwards, not exact's path of this direction).
std::function<const std::vector<Eigen::VectorXd>*(const Eigen::VectorXd&, const Eigen::VectorXd&)>
KnownMoveLookup(const motion::SequenceResult& motion,
                std::function<const std::vector<Eigen::VectorXd>*(const Eigen::VectorXd&,
                                                                  const Eigen::VectorXd&)>
                    fallback) {
  using Key = std::pair<std::vector<double>, std::vector<double>>;
  auto key = [](const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return Key{std::vector<double>(a.data(), a.data() + a.size()),
               std::vector<double>(b.data(), b.data() + b.size())};
  };
  auto paths = std::make_shared<std::map<Key, std::vector<Eigen::VectorXd>>>();
  for (const motion::TravelPath& p : motion.travel_paths) {
    paths->emplace(key(p.start, p.goal), p.waypoints);
    paths->emplace(key(p.goal, p.start),
                   std::vector<Eigen::VectorXd>(p.waypoints.rbegin(), p.waypoints.rend()));
  }
  return [paths, key, fallback = std::move(fallback)](
             const Eigen::VectorXd& start,
             const Eigen::VectorXd& goal) -> const std::vector<Eigen::VectorXd>* {
    const auto it = paths->find(key(start, goal));
    if (it != paths->end()) return &it->second;
    return fallback ? fallback(start, goal) : nullptr;
  };
}

}  // namespace

namespace {

// Whether a robot other than r reaches weld w (a skipped weld then goes to it in a re-allocation
// round: the long search is not spent on it).
bool OthersReach(const reach::ReachMap& reach, int w, int r) {
  for (int other = 0; other < reach.robot_count(); ++other) {
    if (other != r && reach.at(w, other).status == reach::ReachStatus::kReachable) return true;
  }
  return false;
}

}  // namespace

std::vector<motion::SequenceResult> PlanMotions(const cell::Cell& cell,
                                                const collision::CollisionWorld& world,
                                                const reach::ReachMap& reach,
                                                Allocation& allocation, const PlanOptions& options,
                                                const PlannedRoutes* previous, int max_skipped,
                                                const TravelMatrices* travel,
                                                const std::vector<motion::SequenceResult>* known) {
  const int robots = static_cast<int>(cell.robots.size());
  const std::string hash = plan::CellHash(cell);
  std::vector<motion::SequenceResult> out(robots);
  std::atomic<int> skipped_total{0};
  std::mutex progress_mutex;
  int robots_done = 0;
  ParallelFor(
      robots, options.threads,
      [&](int r, int) {
        const cell::Robot& robot = cell.robots[r];
        std::vector<AssignedWeld>& route = allocation.routes[r];
        std::vector<std::vector<reach::Candidate>> alternatives;
        for (const AssignedWeld& a : route) {
          alternatives.push_back(AlternativesOf(reach.at(a.weld, r), a.candidate));
        }
        // The candidates welded in: the chosen one, or the alternative the motion took.
        auto use_welded_candidates = [&] {
          const std::vector<int>& used = out[r].alternative_used;
          for (std::size_t i = 0; i < route.size() && i < used.size(); ++i) {
            if (used[i] >= 0) route[i].candidate = alternatives[i][used[i]];
          }
        };
        if (const motion::SequenceResult* known = previous ? previous->Find(r, route) : nullptr) {
          out[r] = *known;
          skipped_total += static_cast<int>(out[r].skipped.size());
          use_welded_candidates();
          const std::lock_guard<std::mutex> lock(progress_mutex);
          options.progress.Report(kMotionStage, ++robots_done, robots);
          return;
        }
        motion::SequenceRequest request{
            .home = robot.home,
            .stops = {},
            .limits = LimitsOf(world.chain(r)),
            .timing = {.speed_scale = cell.settings.motion.speed_scale,
                       .blend_tolerance = options.blend_tolerance},
            .resolution = cell.settings.motion.resolution,
            .seed = cell.settings.seed * 1000003ULL + static_cast<std::uint64_t>(r),
            .max_planning_time = cell.settings.motion.planning_time,
            .context = "cell " + cell.name + " " + hash,
            .progress = options.progress,
            .skipped_total = &skipped_total,
            .max_skipped_total = max_skipped};
        if (const TravelMatrices::Robot* exact =
                travel && r < static_cast<int>(travel->robots.size()) ? &travel->robots[r]
                                                                      : nullptr;
            exact && !exact->paths.empty()) {
          request.known_path = ExactPathLookup(*exact);
        }
        if (known && r < static_cast<int>(known->size())) {
          request.known_path = KnownMoveLookup((*known)[r], std::move(request.known_path));
        }
        for (std::size_t i = 0; i < route.size(); ++i) {
          const AssignedWeld& a = route[i];
          const cell::Weld& weld = cell.welds[a.weld];
          motion::WeldStop stop{.id = weld.id,
                                .q = a.candidate.q,
                                .q_approach = a.candidate.q_approach,
                                .dwell = cell::EffectiveWeldTime(weld, robot.tool) +
                                         robot.tool.close_time + robot.tool.open_time,
                                .alternatives = {},
                                .others_reach = OthersReach(reach, a.weld, r)};
          for (const reach::Candidate& c : alternatives[i]) {
            stop.alternatives.push_back({.q = c.q, .q_approach = c.q_approach});
          }
          request.stops.push_back(std::move(stop));
        }
        motion::SegmentPlanner planner(world, r);
        out[r] = motion::PlanWeldSequence(planner, request);
        use_welded_candidates();
        // Counted and reported under one lock: the reports are in order.
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress.Report(kMotionStage, ++robots_done, robots);
      },
      [&options] { return options.progress.cancelled(); });
  return out;
}

coordination::CoordinationResult CoordinateMotions(
    const cell::Cell& cell, const collision::CollisionWorld& world,
    const std::vector<motion::SequenceResult>& motions, const PlanOptions& options,
    coordination::ConflictCache* cache) {
  std::vector<motion::RobotTrajectory> trajectories;
  for (const motion::SequenceResult& s : motions) trajectories.push_back(s.trajectory);
  coordination::CoordinationOptions coordination_options{
      .resolution = cell.settings.motion.resolution,
      .threads = options.threads,
      .progress = options.progress,
      .cache = cache};
  for (const cell::Weld& w : cell.welds) {
    for (const std::string& before : w.after) {
      coordination_options.precedences.push_back({.before = before, .after = w.id});
    }
  }
  return coordination::Coordinate(world, std::move(trajectories), coordination_options);
}

namespace {

// A robot's slowest movable joint, for the message of CheckMotionTimes: "joint_1 0.01 rad/s".
std::string SlowestJoint(const cell::Robot& robot) {
  const cell::Joint* slowest = nullptr;
  for (int j : robot.model->movable_joint_indices()) {
    const cell::Joint& joint = robot.model->joints[static_cast<std::size_t>(j)];
    if (slowest == nullptr || joint.max_velocity < slowest->max_velocity) slowest = &joint;
  }
  if (slowest == nullptr) return "?";
  return fmt::format("{} {:g} {}", slowest->name, slowest->max_velocity,
                     slowest->type == cell::JointType::kPrismatic ? "m/s" : "rad/s");
}

}  // namespace

void CheckMotionTimes(const cell::Cell& cell,
                      const std::vector<motion::RobotTrajectory>& trajectories) {
  const double limit = cell::kMaxMotionSeconds;
  std::vector<Diagnostic> problems;
  for (std::size_t r = 0; r < trajectories.size() && r < cell.robots.size(); ++r) {
    double moving = 0.0;
    for (const motion::TrajectorySegment& s : trajectories[r].segments()) {
      if (s.kind == motion::SegmentKind::kMotion) moving += s.duration();
    }
    if (moving <= limit) continue;
    problems.push_back(
        {.where = cell.cycle_time_where,
         .key_path = "cycle_time",
         .message = fmt::format(
             "{} moves for {:.1f} s, more than a plan may hold ({:g} s: motions are sampled "
             "every 10 ms for verification, the report and the programs) and far beyond the "
             "cycle time of {:g} s. Its joints are too slow for the station: raise "
             "settings.motion.speed_scale (now {:g}) or the robot's velocity limits (slowest: "
             "{})",
             cell.robots[r].name, moving, limit, cell.cycle_time, cell.settings.motion.speed_scale,
             SlowestJoint(cell.robots[r]))});
  }
  if (!problems.empty()) throw InputError(std::move(problems));
}

plan::Plan AssemblePlan(const cell::Cell& cell,
                        const std::vector<plan::UnreachableWeld>& unreachable,
                        const Allocation& allocation,
                        const std::vector<motion::SequenceResult>& motions,
                        const coordination::CoordinationResult& coordinated,
                        const PlanOptions& options) {
  CheckMotionTimes(cell, coordinated.trajectories);
  const int robots = static_cast<int>(cell.robots.size());
  plan::Plan p;
  p.cell_name = cell.name;
  p.cell_hash = plan::CellHash(cell);
  p.seed = cell.settings.seed;
  p.cycle_time = cell.cycle_time;
  p.unreachable = unreachable;
  for (int r = 0; r < robots; ++r) {
    const std::vector<AssignedWeld>& route = allocation.routes[r];
    std::vector<bool> skipped(route.size(), false);
    for (const motion::SkippedStop& s : motions[r].skipped) {
      if (s.index < static_cast<int>(route.size())) {
        skipped[s.index] = true;
        p.unreachable.push_back(
            {.weld_id = cell.welds[route[s.index].weld].id,
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
    // The dwells are the route's welds in order, minus the skipped ones.
    std::size_t stop = 0;
    for (const motion::TrajectorySegment& s : trajectory.segments()) {
      if (s.kind != motion::SegmentKind::kWeldDwell) continue;
      while (stop < skipped.size() && skipped[stop]) ++stop;
      if (stop >= route.size()) break;
      const reach::Candidate& c = route[stop++].candidate;
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
  for (const coordination::Zone& z : coordinated.zones) {
    plan::Zone zone{.id = z.id};
    for (const coordination::ZoneUse& u : z.uses) {
      zone.uses.push_back({.robot = cell.robots[u.robot].name,
                           .acquire_segment = u.acquire_segment,
                           .release_segment = u.release_segment,
                           .release_on_departure = u.release_on_departure,
                           .acquire_time = u.acquire_time,
                           .release_time = u.release_time});
    }
    p.zones.push_back(std::move(zone));
  }
  for (const coordination::WeldSignal& w : coordinated.weld_signals) {
    p.weld_signals.push_back(
        {.robot = cell.robots[w.robot].name, .segment = w.segment, .weld = w.weld});
  }
  // A station with unplanned welds does not fit, however short its makespan.
  p.within_cycle_time = p.unreachable.empty() && p.makespan <= cell.cycle_time + 1e-9;
  return p;
}

}  // namespace weldcell::pipeline
