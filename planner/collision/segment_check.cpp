#include "planner/collision/segment_check.hpp"

#include <algorithm>
#include <cmath>

#include "planner/common/check.hpp"

namespace weldcell::collision {

int SegmentSampleCount(const CollisionWorld& world, int robot,
                       const Eigen::Ref<const Eigen::VectorXd>& q0,
                       const Eigen::Ref<const Eigen::VectorXd>& q1, double resolution) {
  WELDCELL_CHECK(resolution > 0.0);
  const double travel = world.displacement_bound(robot).MaxTravel(q0, q1);
  // n intervals of at most `resolution` travel each.
  const double intervals = std::ceil(travel / resolution);
  return static_cast<int>(std::clamp(intervals, 1.0, 1e7)) + 1;
}

SegmentCheckResult CheckJointSegment(const CollisionWorld& world, CollisionContext& ctx,
                                     int robot, const Eigen::Ref<const Eigen::VectorXd>& q0,
                                     const Eigen::Ref<const Eigen::VectorXd>& q1,
                                     const SegmentCheckRequest& request) {
  const int n = SegmentSampleCount(world, robot, q0, q1, request.resolution);
  const CheckRequest check{.scope = request.scope, .report = ContactReport::kFirst};
  SegmentCheckResult result;
  Eigen::VectorXd q(q0.size());
  auto check_sample = [&](int k) {
    const double s = static_cast<double>(k) / (n - 1);
    q = q0 + s * (q1 - q0);
    ++result.samples;
    result.collision = world.CheckRobot(ctx, robot, q, check);
    result.fraction = s;
    return result.collision.in_collision();
  };
  if (check_sample(0) || check_sample(n - 1)) return result;
  // Bisection order over the interior samples 1 .. n-2: step halves each round.
  int step = 1;
  while (step < n - 1) step *= 2;
  for (; step >= 1; step /= 2) {
    for (int k = step; k < n - 1; k += 2 * step) {
      if (check_sample(k)) return result;
    }
  }
  result.fraction = 1.0;
  return result;
}

}  // namespace weldcell::collision
