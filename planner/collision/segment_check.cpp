#include "planner/collision/segment_check.hpp"

#include <algorithm>
#include <cmath>

#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/check.hpp"

namespace weldcell::collision {

int SegmentSampleCount(const CollisionWorld& world, int robot,
                       const Eigen::Ref<const Eigen::VectorXd>& q0,
                       const Eigen::Ref<const Eigen::VectorXd>& q1, double resolution) {
  WELDCELL_CHECK(resolution > 0.0 && std::isfinite(resolution));
  WELDCELL_CHECK(q0.allFinite() && q1.allFinite());
  const double travel = world.displacement_bound(robot).MaxTravel(q0, q1);
  // n intervals of at most `resolution` travel each.
  const double intervals = std::ceil(travel / resolution);
  return static_cast<int>(std::clamp(intervals, 1.0, 1e7)) + 1;
}

namespace {

SegmentCheckResult CheckUniform(const CollisionWorld& world, CollisionContext& ctx, int robot,
                                const Eigen::Ref<const Eigen::VectorXd>& q0,
                                const Eigen::Ref<const Eigen::VectorXd>& q1,
                                const SegmentCheckRequest& request) {
  const int n = SegmentSampleCount(world, robot, q0, q1, request.resolution);
  const CheckRequest check{
      .scope = request.scope, .report = ContactReport::kFirst, .margin = request.margin};
  SegmentCheckResult result;
  Eigen::VectorXd& q = internal::Access::context(ctx).segment.q;
  auto check_sample = [&](int k) {
    const double s = static_cast<double>(k) / (n - 1);
    if (k == n - 1) {
      q = q1;
    } else {
      q = q0 + s * (q1 - q0);  // into the context's vector: no allocation
    }
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

/// Σ_ij lever[max(i, j)] |Δq_i| |Δq_j| over the joints that move the body (dof order is chain
/// order, so max(i, j) is the distal joint): bounds |d²p/ds²| of the body's points along
/// q0 + s (q1 − q0), since |∂²p/∂q_i∂q_j| is at most p's distance from the distal joint's axis.
double CurvatureBound(const std::vector<double>& lever, const Eigen::Ref<const Eigen::VectorXd>& q0,
                      const Eigen::Ref<const Eigen::VectorXd>& q1) {
  double sum = 0.0;
  double proximal = 0.0;  // Σ |Δq_i| over the moving joints before j
  for (std::size_t j = 0; j < lever.size(); ++j) {
    if (lever[j] <= 0.0) continue;
    const auto k = static_cast<Eigen::Index>(j);
    const double dj = std::abs(q1[k] - q0[k]);
    sum += lever[j] * dj * (dj + 2.0 * proximal);
    proximal += dj;
  }
  return sum;
}

SegmentCheckResult CheckAdaptive(const CollisionWorld& world, CollisionContext& ctx, int robot,
                                 const Eigen::Ref<const Eigen::VectorXd>& q0,
                                 const Eigen::Ref<const Eigen::VectorXd>& q1,
                                 const SegmentCheckRequest& request) {
  const internal::RobotData& data =
      internal::Access::world(world).robots[static_cast<std::size_t>(robot)];
  internal::SegmentScratch& sc = internal::Access::context(ctx).segment;
  const auto links = static_cast<std::size_t>(data.gun);  // the gun rides on the last link
  sc.s.clear();
  sc.X_WL.clear();
  sc.intervals.clear();
  sc.curvature.assign(data.bodies.size(), 0.0);
  for (const int b : data.env_order) {
    sc.curvature[static_cast<std::size_t>(b)] =
        CurvatureBound(data.body_lever[static_cast<std::size_t>(b)], q0, q1);
  }
  auto pose = [&](int sample, int body) -> const Eigen::Isometry3d& {
    return sc.X_WL[static_cast<std::size_t>(sample) * links +
                   std::min(static_cast<std::size_t>(body), links - 1)];
  };
  // Over [a, b], every geometry point stays within bow of the straight line between its ends'
  // positions; the interval is fine enough when chord + 2 bow ≤ resolution for all bodies (then
  // each point is within resolution / 2 of its position at the nearer end). Returns the largest
  // chord and bow. With finite inputs the splitting ends: chord is O(Δs), bow O(Δs²).
  auto measure = [&](int a, int b) {
    const double ds = sc.s[static_cast<std::size_t>(b)] - sc.s[static_cast<std::size_t>(a)];
    std::pair<double, double> worst{0.0, 0.0};
    for (const int body : data.env_order) {
      const internal::Sphere& sphere = data.bodies[static_cast<std::size_t>(body)].sphere_B;
      worst.first = std::max(worst.first, internal::RigidChord(pose(a, body), pose(b, body),
                                                               sphere.center, sphere.radius));
      worst.second =
          std::max(worst.second, sc.curvature[static_cast<std::size_t>(body)] * ds * ds / 8.0);
    }
    return worst;
  };

  SegmentCheckResult result;
  const CheckRequest check{
      .scope = request.scope, .report = ContactReport::kFirst, .margin = request.margin};
  auto add_sample = [&](double s) {
    if (s == 1.0) {
      sc.q = q1;
    } else {
      sc.q = q0 + s * (q1 - q0);  // into the context's vector: no allocation
    }
    data.chain->LinkPoses(sc.q, &sc.X_BL);
    const std::size_t first = sc.X_WL.size();
    for (const Eigen::Isometry3d& X_BL : sc.X_BL) sc.X_WL.push_back(data.X_WB * X_BL);
    sc.s.push_back(s);
    ++result.samples;
    result.collision = world.CheckRobotAtPoses(
        ctx, robot, std::span<const Eigen::Isometry3d>(sc.X_WL.data() + first, links), check);
    result.fraction = s;
    return result.collision.in_collision();
  };

  if (add_sample(0.0) || add_sample(1.0)) return result;
  // Breadth first, so that the samples come roughly in bisection order. An interval that is not
  // fine enough is halved while it is strongly curved; once nearly straight (bow small) it is
  // cut at once into as many pieces as its chord needs, checked in bisection order: halving
  // alone would overshoot the needed count by up to 2× on long smooth moves.
  std::vector<int>& pieces = sc.pieces;
  sc.intervals.emplace_back(0, 1);
  for (std::size_t head = 0; head < sc.intervals.size(); ++head) {
    const auto [a, b] = sc.intervals[head];
    const auto [chord, bow] = measure(a, b);
    if (chord + 2.0 * bow <= request.resolution) continue;
    int k = 2;
    if (bow <= 0.1 * request.resolution) {
      k = std::max(2, static_cast<int>(std::ceil(chord / (0.9 * request.resolution))));
    }
    const double sa = sc.s[static_cast<std::size_t>(a)];
    const double sb = sc.s[static_cast<std::size_t>(b)];
    pieces.assign(static_cast<std::size_t>(k) + 1, -1);
    pieces.front() = a;
    pieces.back() = b;
    int step = 1;
    while (step < k) step *= 2;
    for (; step >= 1; step /= 2) {
      for (int j = step; j < k; j += 2 * step) {  // each j once: an odd multiple of one step
        pieces[static_cast<std::size_t>(j)] = static_cast<int>(sc.s.size());
        if (add_sample(sa + (sb - sa) * j / k)) return result;
      }
    }
    for (int j = 0; j < k; ++j) {
      sc.intervals.emplace_back(pieces[static_cast<std::size_t>(j)],
                                pieces[static_cast<std::size_t>(j) + 1]);
    }
  }
  result.collision = {};
  result.fraction = 1.0;
  return result;
}

}  // namespace

SegmentCheckResult CheckJointSegment(const CollisionWorld& world, CollisionContext& ctx, int robot,
                                     const Eigen::Ref<const Eigen::VectorXd>& q0,
                                     const Eigen::Ref<const Eigen::VectorXd>& q1,
                                     const SegmentCheckRequest& request) {
  WELDCELL_CHECK(robot >= 0 && robot < world.robot_count());
  WELDCELL_CHECK(q0.size() == world.chain(robot).dof() && q1.size() == q0.size());
  WELDCELL_CHECK(q0.allFinite() && q1.allFinite());
  WELDCELL_CHECK(request.resolution > 0.0 && std::isfinite(request.resolution));
  WELDCELL_CHECK(request.margin >= 0.0 && std::isfinite(request.margin));
  WELDCELL_CHECK(&internal::Access::world(world) == internal::Access::context(ctx).world);
  return request.sampling == SegmentSampling::kUniform
             ? CheckUniform(world, ctx, robot, q0, q1, request)
             : CheckAdaptive(world, ctx, robot, q0, q1, request);
}

}  // namespace weldcell::collision
