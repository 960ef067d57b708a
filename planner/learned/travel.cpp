#include "planner/learned/travel.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>

#include "planner/collision/collision_world.hpp"
#include "planner/common/parallel.hpp"
#include "planner/common/random.hpp"
#include "planner/motion/time_parameterization.hpp"
#include "planner/motion/weld_sequence.hpp"

namespace weldcell::learned {

motion::TravelMove PlanLikeTheMotionStage(motion::SegmentPlanner& planner,
                                          const motion::SegmentRequest& segment,
                                          const motion::JointLimits& limits,
                                          const motion::TimingOptions& timing) {
  motion::SegmentRequest request = segment;
  request.search = motion::SegmentSearch::kNear;
  motion::TravelMove move = motion::PlanTravelMove(planner, request, limits, timing);
  if (move.path.solved() || move.path.status != motion::SegmentStatus::kNoPathFound) return move;
  const int near_states = move.planner_states;
  request.search = motion::SegmentSearch::kWhole;
  move = motion::PlanTravelMove(planner, request, limits, timing);
  move.planner_states += near_states;
  return move;
}

PredictedMatrix PredictMatrix(const Model& model, const FeatureRobot& robot,
                              const DistanceField& field, const std::vector<FeatureNode>& nodes,
                              int threads, const Progress& progress) {
  const int n = static_cast<int>(nodes.size());
  PredictedMatrix out;
  out.seconds = Eigen::MatrixXd::Zero(n, n);
  // Rows in blocks of about 200k pairs: the features of a block fit in ~15 MB.
  const int block = std::max(1, 200'000 / std::max(1, n));
  std::vector<Features> x;
  std::int64_t out_rows = 0;
  std::vector<std::int64_t> worst_count(kNumFeatures, 0);
  std::mutex report_mutex;  // rows counted and reported under one lock: `done` only grows
  std::int64_t rows_done = 0;
  auto cancelled = [&] { return progress.cancelled(); };
  for (int r0 = 0; r0 < n; r0 += block) {
    const int r1 = std::min(n, r0 + block);
    x.assign(static_cast<std::size_t>(r1 - r0) * n, Features{});
    ParallelFor(
        r1 - r0, threads,
        [&](int i, int) {
          for (int j = 0; j < n; ++j) {
            x[static_cast<std::size_t>(i) * n + j] =
                ComputeFeatures(robot, field, nodes[r0 + i], nodes[j]);
          }
          const std::lock_guard<std::mutex> lock(report_mutex);
          progress.Report(kLearnedStage, ++rows_done, n);
        },
        cancelled);
    if (cancelled()) return out;  // the block's features are incomplete: not predicted
    std::string worst;
    const double fraction = OutOfRangeFraction(model.info(), x, &worst);
    out_rows += static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(x.size())));
    if (!worst.empty()) {
      for (int k = 0; k < kNumFeatures; ++k) worst_count[k] += kFeatureNames[k] == worst;
    }
    const std::vector<double> y = model.Predict(x, threads);
    for (int i = r0; i < r1; ++i) {
      for (int j = 0; j < n; ++j) {
        out.seconds(i, j) = i == j ? 0.0 : y[static_cast<std::size_t>(i - r0) * n + j];
      }
    }
  }
  out.out_of_range = n > 0 ? static_cast<double>(out_rows) / (static_cast<double>(n) * n) : 0.0;
  const auto it = std::max_element(worst_count.begin(), worst_count.end());
  if (*it > 0) out.worst_feature = std::string(kFeatureNames[it - worst_count.begin()]);
  return out;
}

Eigen::MatrixXd ExactMatrix(const collision::CollisionWorld& world, int robot,
                            const std::vector<Eigen::VectorXd>& nodes, const ExactOptions& options,
                            int* unplanned_pairs, ExactPaths* paths) {
  const int n = static_cast<int>(nodes.size());
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, n);
  if (paths) paths->assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), {});
  const int threads = ResolveThreadCount(options.threads);
  std::vector<std::unique_ptr<motion::SegmentPlanner>> planners(static_cast<std::size_t>(threads));
  const kinematics::Chain& chain = world.chain(robot);
  const motion::JointLimits limits{.max_velocity = chain.velocity_limits(),
                                   .max_acceleration = chain.acceleration_limits()};
  std::mutex progress_mutex;
  int rows_done = 0;
  ParallelFor(
      n, threads,
      [&](int i, int worker) {
        auto& planner = planners[static_cast<std::size_t>(worker)];
        if (!planner) planner = std::make_unique<motion::SegmentPlanner>(world, robot);
        for (int j = 0; j < n; ++j) {
          if (i == j) continue;
          const motion::SegmentRequest request{
              .start = nodes[i],
              .goal = nodes[j],
              .resolution = options.resolution,
              .seed =
                  SplitMix64(options.seed ^ SplitMix64((static_cast<std::uint64_t>(i) << 32) + j)),
              .max_planning_time = options.max_planning_time};
          const motion::TimingOptions timing{.speed_scale = options.speed_scale,
                                             .blend_tolerance = options.blend_tolerance};
          // The way home gets all three attempts, as in the motion stage.
          motion::TravelMove move = j == 0
                                        ? motion::PlanTravelMove(*planner, request, limits, timing)
                                        : PlanLikeTheMotionStage(*planner, request, limits, timing);
          out(i, j) = move.path.solved() ? move.profile.duration() : kNoPath;
          if (paths && move.path.solved()) {
            (*paths)[static_cast<std::size_t>(i) * n + j] = std::move(move.path.path);
          }
        }
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress.Report(kExactStage, ++rows_done, n);
      },
      [&] { return options.progress.cancelled(); });
  const int unplanned = PriceUnplanned(out, [&](int i, int j) {
    return motion::RestToRestTime(nodes[static_cast<std::size_t>(i)],
                                  nodes[static_cast<std::size_t>(j)], limits, options.speed_scale);
  });
  if (unplanned_pairs) *unplanned_pairs = unplanned;
  return out;
}

int PriceUnplanned(Eigen::MatrixXd& seconds, const std::function<double(int, int)>& estimate) {
  const auto n = static_cast<int>(seconds.rows());
  const Eigen::MatrixXd planned = seconds;
  auto known = [&](int i, int j) { return planned(i, j) < kNoPath; };
  int estimated = 0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (i == j || known(i, j)) continue;
      if (i != 0 && j != 0 && known(i, 0) && known(0, j)) {
        seconds(i, j) = planned(i, 0) + planned(0, j);
      } else {
        seconds(i, j) = estimate(i, j);
        ++estimated;
      }
    }
  }
  return estimated;
}

}  // namespace weldcell::learned
