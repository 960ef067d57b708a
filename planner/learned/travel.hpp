#pragma once
// Dense travel-time matrices for the allocator (as allocation::DenseTravelTime holds them): the
// learned model's predictions, made in batches, or every pair planned (the exact reference).
// Node 0 is whatever the caller puts first (usually home); entry (i, j) is the travel i → j, s.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
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

inline constexpr std::string_view kLearnedStage = "learned travel";

/// Predicts every ordered pair of `nodes` (diagonal 0), rows in blocks, features in parallel.
/// Deterministic for any thread count. Reports kLearnedStage (rows whose features are computed,
/// rows). Cancelled through `progress`, it stops within a row per worker and returns at once:
/// the rows not predicted are 0, a partial matrix for the caller, who asked to stop, to discard.
PredictedMatrix PredictMatrix(const Model& model, const FeatureRobot& robot,
                              const DistanceField& field, const std::vector<FeatureNode>& nodes,
                              int threads, const Progress& progress = {});

/// Plans and times one travel move as the motion stage plans a weld-to-weld travel move
/// (motion::PlanWeldSequence): the near search (SegmentSearch::kNear, the best of up to
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

/// s: a move the planner found no path for, before PriceUnplanned.
inline constexpr double kNoPath = 1e3;

/// The waypoints (joint space, rad) of every planned move of an ExactMatrix, `[from * n + to]`
/// for n nodes; empty where no path was found (and on the diagonal). Timed as PlanTravelMove
/// times them, each gives exactly the duration priced.
using ExactPaths = std::vector<std::vector<Eigen::VectorXd>>;

/// Plans and times every ordered pair of `nodes` (nodes[0] = the robot's home) as the motion
/// stage would, in parallel (one planner per worker): moves home with all three attempts of the
/// segment planner, the others with PlanLikeTheMotionStage. Moves without a path are priced by
/// PriceUnplanned with the analytic estimate (motion::RestToRestTime); `unplanned_pairs`, when
/// given, receives how many got that estimate; `paths`, when given, the planned paths (the
/// motion stage then runs the moves it was priced by instead of planning them again).
/// Deterministic for any thread count.
Eigen::MatrixXd ExactMatrix(const collision::CollisionWorld& world, int robot,
                            const std::vector<Eigen::VectorXd>& nodes, const ExactOptions& options,
                            int* unplanned_pairs = nullptr, ExactPaths* paths = nullptr);

/// Prices the moves of `seconds` (s; node 0 = home) that have no path (≥ kNoPath) the way the
/// motion stage gets there anyway: between two other nodes it goes back the way it came, at the
/// latest home, and on from there (motion::PlanWeldSequence's retreat), so such a move costs
/// i → home → j where both of those have a path; elsewhere (a pose no search reaches, which
/// the motion stage replaces by another pose of the weld: pipeline::PlanMotions) `estimate(i,
/// j)`. Returns how many moves got `estimate`. A price of kNoPath (1,000 s) instead made every
/// allocation on stations with such a pose read about 2,000 s.
int PriceUnplanned(Eigen::MatrixXd& seconds, const std::function<double(int, int)>& estimate);

}  // namespace weldcell::learned
