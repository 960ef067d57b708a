#include "exporters/corners.hpp"

#include <algorithm>
#include <cmath>

#include "planner/collision/segment_check.hpp"

namespace weldcell::exporters {

namespace {
double Share(const Eigen::VectorXd& d, const BlendModel& model) {
  double f = model.fraction;
  const double lead = d.cwiseAbs().maxCoeff();
  if (model.max_joint > 0 && lead > 0) f = std::min(f, model.max_joint / lead);
  return f;
}
}  // namespace

BlendRegion BlendRegionOf(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                          const Eigen::VectorXd& c, const BlendModel& model) {
  const double in = Share(a - b, model), out = Share(c - b, model);
  return {.corner = b,
          .toward_previous = in * (a - b),
          .toward_next = out * (c - b),
          .previous_share = in,
          .next_share = out};
}

Eigen::VectorXd BlendPoint(const BlendRegion& region, double tau) {
  return region.corner + (1 - tau) * (1 - tau) * region.toward_previous +
         tau * tau * region.toward_next;
}

CornerCheck::CornerCheck(const collision::CollisionWorld& world, const cell::Cell& cell, int robot)
    : world_(&world),
      robot_(robot),
      resolution_(cell.settings.motion.resolution),
      ctx_(world),
      movable_(cell.robots[static_cast<std::size_t>(robot)].model->movable_joint_indices()) {}

bool CornerCheck::RegionIsFree(const Eigen::VectorXd& centre, const Eigen::VectorXd& half_u,
                               const Eigen::VectorXd& half_w, int depth) {
  // Per body: the joints before it move it; lever_arm bounds every point distal to a joint.
  // 1 µm for the floating-point and GJK tolerances, as collision::SweptMargin.
  const std::vector<double>& lever = world_->displacement_bound(robot_).lever_arm;
  const int bodies = world_->body_count(robot_);
  margins_.assign(static_cast<std::size_t>(bodies), 1e-6);
  for (std::size_t m = 0; m < movable_.size(); ++m) {
    const double travel = lever[m] * (std::abs(half_u[static_cast<Eigen::Index>(m)]) +
                                      std::abs(half_w[static_cast<Eigen::Index>(m)]));
    // Joint movable_[m] connects links[j] to links[j + 1]: it moves links j + 1.. and the gun.
    for (int b = movable_[m] + 1; b < bodies; ++b) margins_[static_cast<std::size_t>(b)] += travel;
  }
  ++checks_;
  if (!world_->CheckRobot(ctx_, robot_, centre, {.body_margins = &margins_}).in_collision()) {
    return true;
  }
  if (depth >= kMaxDepth) return false;
  const Eigen::VectorXd qu = 0.5 * half_u, qw = 0.5 * half_w;
  for (const double su : {-1.0, 1.0}) {
    for (const double sw : {-1.0, 1.0}) {
      if (!RegionIsFree(centre + su * qu + sw * qw, qu, qw, depth + 1)) return false;
    }
  }
  return true;
}

bool CornerCheck::BlendIsFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                              const Eigen::VectorXd& c, const BlendModel& model) {
  const BlendRegion r = BlendRegionOf(a, b, c, model);
  const Eigen::VectorXd half_u = 0.5 * r.toward_previous, half_w = 0.5 * r.toward_next;
  return RegionIsFree(r.corner + half_u + half_w, half_u, half_w, 0);
}

bool CornerCheck::SegmentIsFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const collision::SegmentCheckResult r =
      collision::CheckJointSegment(*world_, ctx_, robot_, a, b,
                                   {.resolution = resolution_,
                                    .sampling = collision::SegmentSampling::kUniform,
                                    .margin = collision::SweptMargin(resolution_)});
  checks_ += r.samples;
  return r.free();
}

bool CornerCheck::ChordIsFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const collision::SegmentCheckResult r =
      collision::CheckJointSegment(*world_, ctx_, robot_, a, b,
                                   {.resolution = resolution_,
                                    .scope = collision::CheckScope::kEnvironmentAndSelf,
                                    .sampling = collision::SegmentSampling::kUniform});
  checks_ += r.samples;
  return r.free();
}

}  // namespace weldcell::exporters
