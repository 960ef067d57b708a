#include "planner/pipeline/transfers.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "planner/common/check.hpp"

namespace weldcell::pipeline {
namespace {

// Where block `b` of `route` starts and ends; -1 and the block count stand for home.
const Eigen::VectorXd& At(const RunRoute& route, int b) {
  return b < 0 || b >= static_cast<int>(route.at.size()) ? route.home
                                                         : route.at[static_cast<std::size_t>(b)];
}

// How much longer the route's run moves took than `estimate` says (Σ run / Σ estimated), at
// least 1 (the planner's moves detour); 1 without moves.
double DetourRatio(int robot, const RunRoute& route, const coordination::TravelEstimate& estimate) {
  double run = 0.0, estimated = 0.0;
  const int n = static_cast<int>(route.at.size());
  for (int b = 0; b <= n && b < static_cast<int>(route.travel.size()); ++b) {
    run += route.travel[static_cast<std::size_t>(b)];
    estimated += estimate(robot, At(route, b - 1), At(route, b));
  }
  return estimated > 0.0 ? std::max(1.0, run / estimated) : 1.0;
}

// The finish of `route` without block `b`.
double FinishWithout(int robot, const RunRoute& route, int b, double ratio,
                     const coordination::TravelEstimate& estimate) {
  const auto k = static_cast<std::size_t>(b);
  return route.finish - route.travel[k] - route.own[k] - route.travel[k + 1] +
         ratio * estimate(robot, At(route, b - 1), At(route, b + 1));
}

// The cheapest place in `route` for `option`: (added s, position).
std::pair<double, int> CheapestInsertion(const RunRoute& route, const WeldOption& option,
                                         double ratio,
                                         const coordination::TravelEstimate& estimate) {
  std::pair<double, int> best{std::numeric_limits<double>::infinity(), 0};
  const int n = static_cast<int>(route.at.size());
  for (int p = 0; p <= n; ++p) {
    const double added = ratio * (estimate(option.robot, At(route, p - 1), option.at) +
                                  estimate(option.robot, option.at, At(route, p))) +
                         option.duration - route.travel[static_cast<std::size_t>(p)];
    if (added < best.first) best = {added, p};
  }
  return best;
}

// A lower predicted latest finish, then a lower finish of the taker.
bool Better(const WeldTransfer& a, const WeldTransfer& b) {
  return std::tie(a.makespan_after, a.taker_finish) < std::tie(b.makespan_after, b.taker_finish);
}

}  // namespace

std::vector<WeldTransfer> RankWeldTransfers(const std::vector<RunRoute>& routes,
                                            const std::vector<WeldOption>& options,
                                            const coordination::TravelEstimate& estimate,
                                            double min_gain) {
  const int robots = static_cast<int>(routes.size());
  for (const RunRoute& r : routes) {
    WELDCELL_CHECK(r.at.size() == r.welds.size() && r.own.size() == r.welds.size() &&
                   r.travel.size() == r.welds.size() + 1);
  }
  if (robots < 2) return {};
  const int giver = static_cast<int>(
      std::max_element(routes.begin(), routes.end(),
                       [](const RunRoute& a, const RunRoute& b) { return a.finish < b.finish; }) -
      routes.begin());
  const RunRoute& from = routes[static_cast<std::size_t>(giver)];
  const double before = from.finish;
  if (!from.may_change || from.welds.size() < 2) return {};
  std::vector<double> ratio;
  ratio.reserve(routes.size());
  for (int r = 0; r < robots; ++r) {
    ratio.push_back(DetourRatio(r, routes[static_cast<std::size_t>(r)], estimate));
  }
  // Per (weld, receiver): the cheapest option and position.
  std::map<std::pair<int, int>, WeldTransfer> best;
  for (int b = 0; b < static_cast<int>(from.welds.size()); ++b) {
    const int weld = from.welds[static_cast<std::size_t>(b)];
    const double giver_finish =
        FinishWithout(giver, from, b, ratio[static_cast<std::size_t>(giver)], estimate);
    for (const WeldOption& o : options) {
      if (o.weld != weld || o.robot == giver || o.robot < 0 || o.robot >= robots) continue;
      const RunRoute& to = routes[static_cast<std::size_t>(o.robot)];
      if (!to.may_change) continue;
      const auto [added, position] =
          CheapestInsertion(to, o, ratio[static_cast<std::size_t>(o.robot)], estimate);
      double after = std::max(giver_finish, to.finish + added);
      for (int r = 0; r < robots; ++r) {
        if (r != giver && r != o.robot)
          after = std::max(after, routes[static_cast<std::size_t>(r)].finish);
      }
      if (after >= before - std::max(min_gain, 1e-6)) continue;
      const WeldTransfer t{.weld = weld,
                           .from = giver,
                           .to = o.robot,
                           .position = position,
                           .candidate = o.candidate,
                           .makespan_before = before,
                           .makespan_after = after,
                           .taker_finish = to.finish + added};
      const auto [it, inserted] = best.try_emplace({weld, o.robot}, t);
      if (!inserted && Better(t, it->second)) it->second = t;
    }
  }
  std::vector<WeldTransfer> out;
  out.reserve(best.size());
  for (const auto& [key, t] : best) out.push_back(t);
  std::stable_sort(out.begin(), out.end(), [](const WeldTransfer& a, const WeldTransfer& b) {
    if (Better(a, b) || Better(b, a)) return Better(a, b);
    return std::tie(a.weld, a.to) < std::tie(b.weld, b.to);
  });
  return out;
}

}  // namespace weldcell::pipeline
