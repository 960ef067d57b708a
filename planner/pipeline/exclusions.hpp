#pragma once
// Which weld options of two robots may not be worked at the same time: the conflict-aware
// allocator's view of where the arms would meet (allocation::Exclusions). Coarse and cheap by
// design: the arms are points along their link axes and gun at the two weld configurations;
// coordination later compares the planned motions exactly.

#include <cstdint>
#include <memory>
#include <vector>

#include "allocation/problem.hpp"
#include "planner/pipeline/stages.hpp"

namespace weldcell::pipeline {

/// Options (task, option index) of two robots are exclusive when, with both robots at the
/// option's weld or approach configuration, some point of one arm comes within `clearance` m of
/// some point of the other. Arm points (world frame): the link origins from the shoulder on,
/// every `kArmPointSpacing` m along the segments between them, and along the gun from the
/// flange to the TCP. The clearance stands for the links' and the gun's thickness plus the
/// sweep of the approach and travel near the weld (docs/allocation.md: measured choice).
/// Computed in full when built (robot pairs in parallel, the result independent of
/// `threads`); Exclusive() is a bit look-up.
class ArmExclusions final : public allocation::Exclusions {
 public:
  static constexpr double kArmPointSpacing = 0.2;  ///< m between arm points along a link.

  /// `tasks` and `problem` as built by BuildAllocationProblem (the options offered).
  ArmExclusions(const cell::Cell& cell, const collision::CollisionWorld& world,
                const reach::ReachMap& reach, const std::vector<AllocationTask>& tasks,
                const allocation::Problem& problem, double clearance, int threads);

  bool Exclusive(allocation::RobotId a, const allocation::Stop& sa, allocation::RobotId b,
                 const allocation::Stop& sb) const override;

  /// Exclusive option pairs over all robot pairs (for the log and tests).
  std::int64_t pairs() const { return pairs_; }

 private:
  // Per robot: option index of (task, option) = first_[r][task] + option (-1: not offered).
  std::vector<std::vector<int>> first_;
  std::vector<int> count_;  // options per robot
  // bits_[a * R + b] for a < b: option i of a, option j of b at i * count_[b] + j.
  std::vector<std::vector<std::uint64_t>> bits_;
  std::int64_t pairs_ = 0;
};

/// The least distance, m, between the arm points (as ArmExclusions places them) of robot `a`
/// at candidate `ca` and robot `b` at candidate `cb` (weld and approach configurations).
double ArmDistance(const cell::Cell& cell, const collision::CollisionWorld& world, int a,
                   const reach::Candidate& ca, int b, const reach::Candidate& cb);

}  // namespace weldcell::pipeline
