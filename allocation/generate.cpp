#include "allocation/generate.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <utility>

#include "allocation/travel_time.hpp"
#include "planner/common/check.hpp"

namespace weldcell::allocation {

Problem GenerateProblem(const GenerateConfig& config) {
  WELDCELL_CHECK(config.num_robots >= 1 && config.num_tasks >= 0 && config.max_options >= 1);
  WELDCELL_CHECK(config.min_duration >= 0.0 && config.max_duration >= config.min_duration);
  std::mt19937_64 rng(config.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Work area: welds in a 4 m x 2 m x 1 m box (a car-body side frame); robots on both long
  // sides, spread along x, bases at floor height.
  const Eigen::Vector3d lo(0.0, -1.0, 0.5);
  const Eigen::Vector3d hi(4.0, 1.0, 1.5);
  const double reach = config.reach_fraction * (hi - lo).norm();
  const int nr = config.num_robots;
  std::vector<Eigen::Vector3d> base(static_cast<std::size_t>(nr));
  const int per_side = (nr + 1) / 2;
  for (int r = 0; r < nr; ++r) {
    const int side = r % 2;
    const int k = r / 2;
    const int on_side = side == 0 ? per_side : nr - per_side;
    const double x = lo.x() + (hi.x() - lo.x()) * (k + 0.5) / std::max(1, on_side);
    base[static_cast<std::size_t>(r)] = Eigen::Vector3d(x, side == 0 ? -1.8 : 1.8, 0.0);
  }

  Problem problem;
  for (int r = 0; r < nr; ++r) problem.robots.push_back(Robot{.name = "R" + std::to_string(r + 1)});
  std::vector<EuclideanRobot> points(static_cast<std::size_t>(nr));
  for (int r = 0; r < nr; ++r) {
    EuclideanRobot& er = points[static_cast<std::size_t>(r)];
    er.home = Eigen::VectorXd::Zero(6);
    er.home.head<3>() = base[static_cast<std::size_t>(r)] + Eigen::Vector3d(0.0, 0.0, 1.2);
    er.points.resize(static_cast<std::size_t>(config.num_tasks));
    er.speed = 1.0;
  }
  for (int t = 0; t < config.num_tasks; ++t) {
    Eigen::Vector3d p;
    for (int i = 0; i < 3; ++i) p[i] = lo[i] + (hi[i] - lo[i]) * unit(rng);
    const double weld =
        config.min_duration + (config.max_duration - config.min_duration) * unit(rng);
    Task task{.name = "w" + std::to_string(t), .capabilities = {}};
    std::vector<int> robots;
    int nearest = 0;
    for (int r = 0; r < nr; ++r) {
      const double d = (p - base[static_cast<std::size_t>(r)]).norm();
      if (d <= reach) robots.push_back(r);
      if (d < (p - base[static_cast<std::size_t>(nearest)]).norm()) nearest = r;
    }
    if (robots.empty()) robots.push_back(nearest);
    for (int r : robots) {
      const int k = 1 + static_cast<int>(unit(rng) * config.max_options) % config.max_options;
      Capability c{.robot = RobotId{r}, .options = {}};
      for (int o = 0; o < k; ++o) {
        // An option: the same weld point with another wrist configuration (IK branch, gun spin);
        // the last three coordinates stand in for the wrist joints.
        Eigen::VectorXd q(6);
        q.head<3>() = p;
        for (int i = 3; i < 6; ++i) q[i] = unit(rng) - 0.5;
        points[static_cast<std::size_t>(r)].points[static_cast<std::size_t>(t)].push_back(q);
        c.options.push_back(Option{.duration = weld + 0.05 * unit(rng)});
      }
      task.capabilities.push_back(std::move(c));
    }
    problem.tasks.push_back(std::move(task));
  }
  if (config.num_tasks >= 2 && config.num_precedences > 0) {
    std::vector<int> order(static_cast<std::size_t>(config.num_tasks));
    for (int t = 0; t < config.num_tasks; ++t) order[static_cast<std::size_t>(t)] = t;
    std::shuffle(order.begin(), order.end(), rng);
    std::set<std::pair<int, int>> pairs;
    const long max_pairs = static_cast<long>(config.num_tasks) * (config.num_tasks - 1) / 2;
    while (static_cast<long>(pairs.size()) < std::min<long>(config.num_precedences, max_pairs)) {
      int i = static_cast<int>(unit(rng) * config.num_tasks) % config.num_tasks;
      int j = static_cast<int>(unit(rng) * config.num_tasks) % config.num_tasks;
      if (i == j) continue;
      if (i > j) std::swap(i, j);
      if (pairs.emplace(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)])
              .second) {
        problem.precedences.push_back(
            Precedence{.before = TaskId{order[static_cast<std::size_t>(i)]},
                       .after = TaskId{order[static_cast<std::size_t>(j)]}});
      }
    }
  }
  problem.travel = std::make_shared<EuclideanTravelTime>(std::move(points));
  return problem;
}

}  // namespace weldcell::allocation
