#pragma once
// Dense travel-time matrices for the allocator (as allocation::DenseTravelTime holds them): the
// learned model's predictions, made in batches, or every pair planned (the exact reference).
// Node 0 is whatever the caller puts first (usually home); entry (i, j) is the travel i → j, s.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "planner/common/progress.hpp"
#include "planner/learned/features.hpp"
#include "planner/learned/model.hpp"
#include "planner/motion/weld_sequence.hpp"

namespace weldcell::collision {
class CollisionWorld;
}

namespace weldcell::learned {

struct PredictedMatrix {
  Eigen::MatrixXd seconds;
  /// Fraction of the pairs with some feature far outside the model's training range (see
  /// OutOfRangeFraction) and the feature most often out.
  double out_of_range = 0;
  std::string worst_feature;
};

/// Predicts every ordered pair of `nodes` (diagonal 0), rows in blocks, features in parallel.
/// Deterministic for any thread count.
PredictedMatrix PredictMatrix(const Model& model, const FeatureRobot& robot,
                              const DistanceField& field, const std::vector<FeatureNode>& nodes,
                              int threads);

/// Plans and times one travel move as the motion stage plans a weld-to-weld travel move
/// (motion::PlanWeldSequence): the near search (SegmentSearch::kNear, the best of
/// motion::kTravelPlans plans), and only when it finds no path (not when an end collides) the
/// whole-range search (kWhole) with the same seed. Never the third, eight-times-larger attempt:
/// the labels are the durations `weldcell plan` produces, and a move without a path gives up
/// after two searches. `segment.search` is ignored.
motion::TravelMove PlanLikeTheMotionStage(motion::SegmentPlanner& planner,
                                          const motion::SegmentRequest& segment,
                                          const motion::JointLimits& limits,
                                          const motion::TimingOptions& timing);

inline constexpr std::string_view kExactStage = "exact travel";

struct ExactOptions {
  double resolution = 0.005;  ///< m (SegmentRequest::resolution).
  double max_planning_time = 10.0;
  double blend_tolerance = 0.1;
  double speed_scale = 1.0;
  std::uint64_t seed = 1;  ///< Pair (i, j) plans with a seed derived from it, i and j.
  int threads = 0;
  Progress progress;  ///< Polled between rows; reports kExactStage (rows done, rows).
};

/// Plans and times every ordered pair of `nodes` with PlanLikeTheMotionStage, in parallel
/// (one planner per worker). A pair with no path gets 1e3 s. Deterministic for any thread count.
Eigen::MatrixXd ExactMatrix(const collision::CollisionWorld& world, int robot,
                            const std::vector<Eigen::VectorXd>& nodes, const ExactOptions& options);

}  // namespace weldcell::learned
