#pragma once
// Random allocation instances shaped like spot-welding stations, for tests, benchmarks and
// `weldcell generate`: robots around a work area, welds in a box, each weld doable by the robots
// within reach, per robot 1..max_options options (configurations) with Euclidean travel in a
// 6-D stand-in for joint space. Deterministic for a seed.

#include <cstdint>

#include "allocation/problem.hpp"

namespace weldcell::allocation {

struct GenerateConfig {
  int num_robots = 4;
  int num_tasks = 100;
  int max_options = 4;          ///< Each (task, eligible robot) gets 1..max_options options.
  double reach_fraction = 0.6;  ///< Robots within this share of the box diagonal can do a task.
  int num_precedences = 0;      ///< Random acyclic precedence pairs.
  double min_duration = 0.5;    ///< s
  double max_duration = 1.5;    ///< s
  std::uint64_t seed = 1;
  bool operator==(const GenerateConfig&) const = default;
};

/// Builds a problem with an EuclideanTravelTime oracle. Every task has at least one robot.
/// Preconditions: num_robots >= 1, num_tasks >= 0, max_options >= 1 (checked).
Problem GenerateProblem(const GenerateConfig& config);

}  // namespace weldcell::allocation
