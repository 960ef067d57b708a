#pragma once
// Helpers for the shared-home, counting-oracle and identical-robot tests of the solvers.

#include <Eigen/Core>
#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "allocation/problem.hpp"
#include "allocation/travel_time.hpp"

namespace weldcell::allocation::testing {

/// Robots that share one home at the origin (an mTSP depot), tasks at random points of the unit
/// square shifted by `offset` along x, Euclidean travel at 1 unit/s, every robot can do every
/// task with one option of duration `duration`.
inline Problem SharedHomeProblem(int num_robots, int num_tasks, std::uint64_t seed,
                                 double offset = 0.0, double duration = 0.0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Eigen::VectorXd> points;
  for (int t = 0; t < num_tasks; ++t) {
    points.push_back(Eigen::Vector2d(offset + unit(rng), unit(rng) - 0.5));
  }
  Problem p;
  std::vector<EuclideanRobot> robots(static_cast<std::size_t>(num_robots));
  for (int r = 0; r < num_robots; ++r) {
    p.robots.push_back(Robot{.name = "R" + std::to_string(r)});
    robots[static_cast<std::size_t>(r)].home = Eigen::Vector2d::Zero();
    for (const auto& x : points) robots[static_cast<std::size_t>(r)].points.push_back({x});
  }
  for (int t = 0; t < num_tasks; ++t) {
    Task task{.name = "t" + std::to_string(t), .capabilities = {}};
    for (int r = 0; r < num_robots; ++r) {
      task.capabilities.push_back(
          Capability{.robot = RobotId{r}, .options = {Option{.duration = duration}}});
    }
    p.tasks.push_back(task);
  }
  p.travel = std::make_shared<EuclideanTravelTime>(std::move(robots));
  return p;
}

/// Wraps an oracle and counts its calls (per robot); after `cancel_after` calls in total it
/// raises `cancel` (when given). Thread-safe.
class CountingTravel final : public TravelTime {
 public:
  CountingTravel(std::shared_ptr<const TravelTime> inner, int num_robots,
                 std::atomic<bool>* cancel = nullptr, std::int64_t cancel_after = -1)
      : inner_(std::move(inner)),
        per_robot_(static_cast<std::size_t>(num_robots)),
        cancel_(cancel),
        cancel_after_(cancel_after) {}
  double Seconds(RobotId robot, const Stop& from, const Stop& to) const override {
    const std::int64_t n = total_.fetch_add(1) + 1;
    per_robot_[static_cast<std::size_t>(robot.value)].fetch_add(1);
    if (cancel_ != nullptr && cancel_after_ >= 0 && n >= cancel_after_) cancel_->store(true);
    return inner_->Seconds(robot, from, to);
  }
  std::int64_t total() const { return total_.load(); }
  std::int64_t calls(int robot) const { return per_robot_[static_cast<std::size_t>(robot)].load(); }
  void Reset() const {
    total_ = 0;
    for (auto& c : per_robot_) c = 0;
  }

 private:
  std::shared_ptr<const TravelTime> inner_;
  mutable std::atomic<std::int64_t> total_{0};
  mutable std::vector<std::atomic<std::int64_t>> per_robot_;
  std::atomic<bool>* cancel_;
  std::int64_t cancel_after_;
};

}  // namespace weldcell::allocation::testing
