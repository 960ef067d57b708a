#include "allocation/lower_bound.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>

#include "allocation/travel_time.hpp"

namespace weldcell::allocation {

namespace {
constexpr int kMaxSubsetRobots = 16;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Robot `r` → the robot whose travel it shares (itself if none): identical robots reuse the
// legs of the first.
int TravelOwner(const Problem& problem, int r) {
  const int same = problem.robots[static_cast<std::size_t>(r)].same_travel_as.value;
  return same >= 0 ? same : r;
}

// Per task, the cheapest over its robots and options of each ingredient of the bounds.
struct TaskBounds {
  explicit TaskBounds(int nt)
      : min_dur(static_cast<std::size_t>(nt), kInf),
        head(static_cast<std::size_t>(nt), kInf),
        back_home(static_cast<std::size_t>(nt), kInf),
        single(static_cast<std::size_t>(nt), kInf),
        arrive_work(static_cast<std::size_t>(nt), kInf) {}
  std::vector<double> min_dur;      // duration
  std::vector<double> head;         // home -> option + duration
  std::vector<double> back_home;    // way back home
  std::vector<double> single;       // single round trip
  std::vector<double> arrive_work;  // arrival + duration
};

// Stop `s` of `robot` → its legs {out from home, back home, cheapest arrival}. Every visit is
// entered by exactly one arc: from home or from another task's option. Without the pairs
// (`use_pairs` false) only 0 is a valid bound for that arc.
std::array<double, 3> StopLegs(const TravelTime& travel, const NodeLayout& layout, RobotId robot,
                               const Stop& s, bool use_pairs) {
  const double out = travel.Seconds(robot, Stop::Home(), s);
  const double back = travel.Seconds(robot, s, Stop::Home());
  double arrive = use_pairs ? out : 0.0;
  if (use_pairs) {
    for (int node = 1; node < layout.num_nodes(); ++node) {
      const Stop from = layout.StopOf(node);
      if (from.task.value == s.task.value) continue;
      arrive = std::min(arrive, travel.Seconds(robot, from, s));
    }
  }
  return {out, back, arrive};
}

// The problem → per task the cheapest duration, head, way back home, round trip and arrival +
// duration over every robot and option; arrivals from other tasks are priced only when all
// pairs take at most `max_pair_calls` travel calls.
TaskBounds CheapestPerTask(const Problem& problem, std::int64_t max_pair_calls) {
  const int nt = problem.num_tasks();
  const int nr = problem.num_robots();
  const TravelTime& travel = *problem.travel;
  std::int64_t pair_calls = 0;
  std::vector<NodeLayout> layouts;
  for (int r = 0; r < nr; ++r) {
    layouts.emplace_back(problem.tasks, RobotId{r});
    if (TravelOwner(problem, r) != r) continue;  // shares the travel of a robot counted already
    pair_calls +=
        static_cast<std::int64_t>(layouts.back().num_nodes()) * layouts.back().num_nodes();
  }
  // Per robot with its own travel, per node: out, back and cheapest arrival (identical robots
  // reuse them; CheckProblem guarantees the same node layout).
  std::vector<std::vector<std::array<double, 3>>> legs(static_cast<std::size_t>(nr));
  const bool use_pairs = pair_calls <= max_pair_calls;
  TaskBounds b(nt);
  for (int r = 0; r < nr; ++r) {
    const NodeLayout& layout = layouts[static_cast<std::size_t>(r)];
    const RobotId robot{r};
    const int own = TravelOwner(problem, r);
    auto& my_legs = legs[static_cast<std::size_t>(own)];
    const bool known = own != r;
    if (!known) my_legs.assign(static_cast<std::size_t>(layout.num_nodes()), {});
    for (int t = 0; t < nt; ++t) {
      const Capability* c = problem.FindCapability(TaskId{t}, robot);
      if (c == nullptr) continue;
      const auto ts = static_cast<std::size_t>(t);
      for (int o = 0; o < static_cast<int>(c->options.size()); ++o) {
        const Stop s{.task = TaskId{t}, .option = o};
        const double d = c->options[static_cast<std::size_t>(o)].duration;
        auto& leg = my_legs[static_cast<std::size_t>(layout.Node(s))];
        if (!known) leg = StopLegs(travel, layout, robot, s, use_pairs);
        const double out = leg[0];
        const double back = leg[1];
        const double arrive = leg[2];
        b.min_dur[ts] = std::min(b.min_dur[ts], d);
        b.head[ts] = std::min(b.head[ts], out + d);
        b.back_home[ts] = std::min(b.back_home[ts], back);
        b.single[ts] = std::min(b.single[ts], out + d + back);
        b.arrive_work[ts] = std::min(b.arrive_work[ts], arrive + d);
      }
    }
  }
  return b;
}

// The precedences and per-task bounds → the longest chain through the precedence DAG (Kahn
// order, finish-time bounds), each chain ending back home; at least every single round trip.
double LongestChain(const Problem& problem, const TaskBounds& b) {
  const int nt = problem.num_tasks();
  std::vector<std::vector<int>> succ(static_cast<std::size_t>(nt));
  std::vector<int> indegree(static_cast<std::size_t>(nt), 0);
  for (const Precedence& p : problem.precedences) {
    succ[static_cast<std::size_t>(p.before.value)].push_back(p.after.value);
    ++indegree[static_cast<std::size_t>(p.after.value)];
  }
  std::vector<double> finish(b.head);
  std::vector<int> queue;
  for (int t = 0; t < nt; ++t) {
    if (indegree[static_cast<std::size_t>(t)] == 0) queue.push_back(t);
  }
  double chain = 0.0;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const auto t = static_cast<std::size_t>(queue[i]);
    chain = std::max({chain, b.single[t], finish[t] + b.back_home[t]});
    for (int s : succ[t]) {
      const auto ss = static_cast<std::size_t>(s);
      finish[ss] = std::max(finish[ss], finish[t] + b.min_dur[ss]);
      if (--indegree[ss] == 0) queue.push_back(s);
    }
  }
  return chain;
}

// Per task arrival + duration → the work each robot must at least do: all work over all
// robots, and, for up to kMaxSubsetRobots robots, the work of the tasks only the robots of a
// subset S can do, which those |S| robots must share: for every S, their work / |S| bounds the
// makespan too. Sum over subsets of the exact-mask sums (zeta transform), O(2^R x R); S = all
// robots is the plain work / robots.
double WorkPerRobot(const Problem& problem, const std::vector<double>& arrive_work) {
  const int nt = problem.num_tasks();
  const int nr = problem.num_robots();
  double work = 0.0;
  for (int t = 0; t < nt; ++t) work += arrive_work[static_cast<std::size_t>(t)];
  double per_robot = nr > 0 ? work / nr : 0.0;
  if (nr < 2 || nr > kMaxSubsetRobots) return per_robot;
  const std::size_t subsets = std::size_t{1} << nr;
  std::vector<double> by_mask(subsets, 0.0);
  for (int t = 0; t < nt; ++t) {
    std::size_t mask = 0;
    for (const Capability& c : problem.tasks[static_cast<std::size_t>(t)].capabilities) {
      mask |= std::size_t{1} << c.robot.value;
    }
    by_mask[mask] += arrive_work[static_cast<std::size_t>(t)];
  }
  for (int r = 0; r < nr; ++r) {
    for (std::size_t m = 0; m < subsets; ++m) {
      if (m & (std::size_t{1} << r)) by_mask[m] += by_mask[m ^ (std::size_t{1} << r)];
    }
  }
  for (std::size_t m = 1; m < subsets; ++m) {
    per_robot = std::max(per_robot, by_mask[m] / std::popcount(m));
  }
  return per_robot;
}

}  // namespace

LowerBound ComputeLowerBound(const Problem& problem, std::int64_t max_pair_calls) {
  CheckProblem(problem);
  LowerBound lb;
  if (problem.num_tasks() == 0) return lb;
  const TaskBounds bounds = CheapestPerTask(problem, max_pair_calls);
  lb.longest_chain = LongestChain(problem, bounds);
  lb.work_per_robot = WorkPerRobot(problem, bounds.arrive_work);
  lb.value = std::max(lb.longest_chain, lb.work_per_robot);
  return lb;
}

}  // namespace weldcell::allocation
