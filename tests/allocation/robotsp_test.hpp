#pragma once
// Reads the public robotsp targets (../shared/data/robotsp) into single-robot problems; shared
// by the test and the benchmark.

#include <Eigen/Core>
#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "allocation/problem.hpp"
#include "allocation/travel_time.hpp"

namespace weldcell::allocation::testing {

inline const char* kRobotspDir = "../shared/data/robotsp";

struct RobotspData {
  std::vector<Eigen::Vector3d> targets;
  std::vector<std::pair<int, double>> optima;  ///< (first n targets, exact closed tour length)
};

/// Empty when the files are absent.
inline RobotspData ReadRobotsp() {
  RobotspData data;
  std::ifstream targets(std::string(kRobotspDir) + "/targets.csv");
  std::ifstream optima(std::string(kRobotspDir) + "/tsp_optima.csv");
  if (!targets || !optima) return data;
  std::string line;
  std::getline(targets, line);  // id,x,y,z,nx,ny,nz
  while (std::getline(targets, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream s(line);
    int id = 0;
    Eigen::Vector3d p;
    if (s >> id >> p.x() >> p.y() >> p.z()) data.targets.push_back(p);
  }
  std::getline(optima, line);  // first_n_targets,optimal_closed_tour_length_m,...
  while (std::getline(optima, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream s(line);
    int n = 0;
    double length = 0.0;
    if (s >> n >> length) data.optima.emplace_back(n, length);
  }
  return data;
}

/// The closed tour through the first n targets as a one-robot problem: the robot's home is
/// target 0 (a closed tour may start anywhere), tasks are targets 1..n-1 with zero duration,
/// travel = Euclidean distance (speed 1 m/s), so makespan = tour length in metres.
inline Problem RobotspProblem(const RobotspData& data, int n) {
  Problem p;
  p.robots.push_back(Robot{.name = "robot"});
  EuclideanRobot robot{.home = data.targets[0], .points = {}, .speed = 1.0};
  for (int i = 1; i < n; ++i) {
    p.tasks.push_back(
        Task{.name = "target" + std::to_string(i),
             .capabilities = {Capability{.robot = RobotId{0}, .options = {Option{}}}}});
    robot.points.push_back({data.targets[static_cast<std::size_t>(i)]});
  }
  p.travel = std::make_shared<EuclideanTravelTime>(std::vector<EuclideanRobot>{robot});
  return p;
}

}  // namespace weldcell::allocation::testing
