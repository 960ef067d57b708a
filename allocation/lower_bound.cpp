#include "allocation/lower_bound.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>

#include "allocation/travel_time.hpp"

namespace weldcell::allocation {

namespace {
constexpr int kMaxSubsetRobots = 16;
}  // namespace

LowerBound ComputeLowerBound(const Problem& problem, std::int64_t max_pair_calls) {
  CheckProblem(problem);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const int nt = problem.num_tasks();
  const int nr = problem.num_robots();
  LowerBound lb;
  if (nt == 0) return lb;
  const TravelTime& travel = *problem.travel;

  std::int64_t pair_calls = 0;
  std::vector<NodeLayout> layouts;
  auto travel_of = [&problem](int r) {
    const int same = problem.robots[static_cast<std::size_t>(r)].same_travel_as.value;
    return same >= 0 ? same : r;
  };
  for (int r = 0; r < nr; ++r) {
    layouts.emplace_back(problem.tasks, RobotId{r});
    if (travel_of(r) != r) continue;  // shares the travel of a robot counted already
    pair_calls +=
        static_cast<std::int64_t>(layouts.back().num_nodes()) * layouts.back().num_nodes();
  }
  // Per robot with its own travel, per node: out, back and cheapest arrival (identical robots
  // reuse them; CheckProblem guarantees the same node layout).
  std::vector<std::vector<std::array<double, 3>>> legs(static_cast<std::size_t>(nr));
  const bool use_pairs = pair_calls <= max_pair_calls;

  // Per task: cheapest duration, cheapest (home -> option + duration), cheapest way back home,
  // cheapest single round trip, cheapest (arrival + duration).
  std::vector<double> min_dur(static_cast<std::size_t>(nt), kInf);
  std::vector<double> head(static_cast<std::size_t>(nt), kInf);
  std::vector<double> back_home(static_cast<std::size_t>(nt), kInf);
  std::vector<double> single(static_cast<std::size_t>(nt), kInf);
  std::vector<double> arrive_work(static_cast<std::size_t>(nt), kInf);
  for (int r = 0; r < nr; ++r) {
    const NodeLayout& layout = layouts[static_cast<std::size_t>(r)];
    const RobotId robot{r};
    const int own = travel_of(r);
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
        if (!known) {
          const double out = travel.Seconds(robot, Stop::Home(), s);
          const double back = travel.Seconds(robot, s, Stop::Home());
          // Every visit is entered by exactly one arc: from home or from another task's
          // option. Without the pairs only 0 is a valid bound for that arc.
          double arrive = use_pairs ? out : 0.0;
          if (use_pairs) {
            for (int node = 1; node < layout.num_nodes(); ++node) {
              const Stop from = layout.StopOf(node);
              if (from.task.value == t) continue;
              arrive = std::min(arrive, travel.Seconds(robot, from, s));
            }
          }
          leg = {out, back, arrive};
        }
        const double out = leg[0];
        const double back = leg[1];
        const double arrive = leg[2];
        min_dur[ts] = std::min(min_dur[ts], d);
        head[ts] = std::min(head[ts], out + d);
        back_home[ts] = std::min(back_home[ts], back);
        single[ts] = std::min(single[ts], out + d + back);
        arrive_work[ts] = std::min(arrive_work[ts], arrive + d);
      }
    }
  }
  // Longest chain through the precedence DAG (Kahn order), finish-time bounds.
  std::vector<std::vector<int>> succ(static_cast<std::size_t>(nt));
  std::vector<int> indegree(static_cast<std::size_t>(nt), 0);
  for (const Precedence& p : problem.precedences) {
    succ[static_cast<std::size_t>(p.before.value)].push_back(p.after.value);
    ++indegree[static_cast<std::size_t>(p.after.value)];
  }
  std::vector<double> finish(head);
  std::vector<int> queue;
  for (int t = 0; t < nt; ++t) {
    if (indegree[static_cast<std::size_t>(t)] == 0) queue.push_back(t);
  }
  double chain = 0.0;
  double work = 0.0;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const auto t = static_cast<std::size_t>(queue[i]);
    chain = std::max({chain, single[t], finish[t] + back_home[t]});
    for (int s : succ[t]) {
      const auto ss = static_cast<std::size_t>(s);
      finish[ss] = std::max(finish[ss], finish[t] + min_dur[ss]);
      if (--indegree[ss] == 0) queue.push_back(s);
    }
  }
  for (int t = 0; t < nt; ++t) work += arrive_work[static_cast<std::size_t>(t)];
  lb.longest_chain = chain;
  lb.work_per_robot = nr > 0 ? work / nr : 0.0;
  // Tasks that only the robots of a subset S can do must be shared among those |S| robots:
  // for every S, their work / |S| bounds the makespan too. Sum over subsets of the exact-mask
  // sums (zeta transform), O(2^R x R); S = all robots is the plain work / robots.
  if (nr >= 2 && nr <= kMaxSubsetRobots) {
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
      lb.work_per_robot = std::max(lb.work_per_robot, by_mask[m] / std::popcount(m));
    }
  }
  lb.value = std::max(lb.longest_chain, lb.work_per_robot);
  return lb;
}

}  // namespace weldcell::allocation
