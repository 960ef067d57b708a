// The allowed-collision matrix and the displacement bound of a robot.

#include <algorithm>
#include <cmath>
#include <random>

#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/check.hpp"

namespace weldcell::collision::internal {

AllowedCollisionMatrix ComputeAllowedCollisions(const RobotData& robot,
                                                const cell::RobotModel& model,
                                                const Eigen::VectorXd& home, std::uint64_t seed,
                                                int samples, PairPolicy policy) {
  const int n = static_cast<int>(robot.bodies.size());
  const int links = robot.gun;
  WELDCELL_CHECK(links == static_cast<int>(model.links.size()));
  AllowedCollisionMatrix acm(n);

  // Rigid groups: links joined by fixed joints move together; the gun rides on the tip link.
  std::vector<int> group(static_cast<std::size_t>(n), 0);
  for (int k = 0; k + 1 < links; ++k) {
    group[k + 1] = group[k] + (model.joints[static_cast<std::size_t>(k)].movable() ? 1 : 0);
  }
  group[robot.gun] = group[links - 1];

  const std::vector<std::pair<int, int>>& declared = model.allowed_collisions;
  std::vector<std::pair<int, int>> undecided;
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      if (robot.bodies[a].empty() || robot.bodies[b].empty()) {
        acm.Set(a, b, AllowedReason::kNoGeometry);
      } else if (group[a] == group[b]) {
        acm.Set(a, b, AllowedReason::kRigid);
      } else if (std::abs(group[a] - group[b]) == 1) {
        acm.Set(a, b, AllowedReason::kAdjacent);
      } else if (b < links &&
                 (std::find(declared.begin(), declared.end(), std::pair{a, b}) != declared.end() ||
                  std::find(declared.begin(), declared.end(), std::pair{b, a}) != declared.end())) {
        acm.Set(a, b, AllowedReason::kDeclared);
      } else {
        undecided.emplace_back(a, b);
      }
    }
  }
  // The verifier's rule stops here: what follows depends on the home and on sampling.
  if (undecided.empty() || policy == PairPolicy::kVerifier) return acm;

  CollisionContext::Impl ctx;
  ctx.collision_request.num_max_contacts = 1;
  ctx.collision_request.enable_contact = false;
  RobotScratch scratch;
  scratch.X_BL.resize(static_cast<std::size_t>(links));
  scratch.X_WBody.resize(static_cast<std::size_t>(n));
  const kinematics::Chain& chain = *robot.chain;
  auto place = [&](const Eigen::VectorXd& q) {
    chain.LinkPoses(q, &scratch.X_BL);
    BodyPosesFromBase(robot, scratch);
  };
  auto collide = [&](const std::pair<int, int>& pair) {
    return BodiesCollide(ctx, robot.bodies[pair.first], scratch.X_WBody[pair.first],
                         robot.bodies[pair.second], scratch.X_WBody[pair.second]);
  };

  place(home);
  std::vector<std::pair<int, int>> sampled;
  for (const auto& pair : undecided) {
    if (!collide(pair)) {
      sampled.push_back(pair);
    } else if (pair.second != robot.gun) {
      acm.Set(pair.first, pair.second, AllowedReason::kCollidingAtHome);
    }
    // A gun pair in contact at home stays checked: only two links of the model may be excused
    // by the home (coarse meshes); a gun touching the arm at home is an input error
    // (verify::CheckHomes), and a pair seen in contact can collide.
  }

  // A pair leaves the list the first time it is seen in contact: it can collide, so it is checked.
  std::mt19937_64 rng(seed);
  const Eigen::VectorXd& lower = chain.lower();
  const Eigen::VectorXd& upper = chain.upper();
  Eigen::VectorXd q(chain.dof());
  for (int s = 0; s < samples && !sampled.empty(); ++s) {
    for (int i = 0; i < q.size(); ++i) {
      // 53 random bits → [0, 1): the same numbers with every standard library.
      const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
      q[i] = lower[i] + u * (upper[i] - lower[i]);
    }
    place(q);
    std::erase_if(sampled, collide);
  }
  for (const auto& pair : sampled) acm.Set(pair.first, pair.second, AllowedReason::kNeverColliding);
  return acm;
}

namespace {

double RadiusAboutOrigin(const Body& body) {
  double r = 0.0;
  for (const Part& part : body.parts)
    r = std::max(r, part.sphere_B.center.norm() + part.sphere_B.radius);
  return r;
}

/// offset[k]: largest distance between the origins of links k and k+1 over all joint values.
std::vector<double> OriginOffsets(const cell::RobotModel& model) {
  const std::size_t links = model.links.size();
  std::vector<double> offset(links, 0.0);
  for (std::size_t k = 0; k + 1 < links; ++k) {
    const cell::Joint& joint = model.joints[k];
    offset[k] = joint.X_PJ.translation().norm();
    if (joint.type == cell::JointType::kPrismatic) {
      offset[k] += std::max(std::abs(joint.lower), std::abs(joint.upper));
    }
  }
  return offset;
}

}  // namespace

std::vector<std::vector<double>> ComputeBodyLevers(const cell::RobotModel& model,
                                                   const std::vector<Body>& bodies) {
  const std::size_t links = model.links.size();
  const std::vector<double> offset = OriginOffsets(model);
  std::vector<std::vector<double>> lever(bodies.size());
  for (std::size_t b = 0; b < bodies.size(); ++b) {
    // The gun (last body) rides on the tip link.
    const std::size_t link = std::min(b, links - 1);
    const double rho = RadiusAboutOrigin(bodies[b]);
    for (std::size_t j = 0; j < model.joints.size(); ++j) {
      const cell::Joint& joint = model.joints[j];
      if (!joint.movable()) continue;
      double arm = 0.0;  // joint j's origin is the origin of its child link j + 1
      if (j + 1 <= link) {
        arm = rho;
        for (std::size_t k = j + 1; k < link; ++k) arm += offset[k];
        if (joint.type == cell::JointType::kPrismatic) arm = 1.0;
      }
      lever[b].push_back(arm);
    }
  }
  return lever;
}

void ComputeBodyReach(const cell::RobotModel& model, RobotData& robot) {
  const std::size_t links = model.links.size();
  const std::vector<double> offset = OriginOffsets(model);
  robot.origin_reach.assign(robot.bodies.size(), kReachSlack);
  robot.body_reach.assign(robot.bodies.size(), 0.0);
  for (std::size_t b = 0; b < robot.bodies.size(); ++b) {
    const std::size_t link = std::min(b, links - 1);  // the gun rides on the tip link
    for (std::size_t k = 0; k < link; ++k) robot.origin_reach[b] += offset[k];
    robot.body_reach[b] = robot.origin_reach[b] + RadiusAboutOrigin(robot.bodies[b]);
  }
}

std::vector<std::vector<int>> NearObstacles(const RobotData& robot,
                                            const std::vector<StaticBody>& obstacles) {
  const Eigen::Vector3d base = robot.X_WB.translation();
  std::vector<std::vector<int>> near(robot.bodies.size());
  for (std::size_t b = 0; b < robot.bodies.size(); ++b) {
    for (std::size_t o = 0; o < obstacles.size(); ++o) {
      const StaticBody& obstacle = obstacles[o];
      if (obstacle.home_of == robot.index) continue;
      const double within = robot.body_reach[b] + 2.0 * (kNearObstacleMargin + obstacle.margin);
      if (obstacle.box_W.squaredExteriorDistance(base) <= within * within) {
        near[b].push_back(static_cast<int>(o));
      }
    }
  }
  return near;
}

DisplacementBound ComputeDisplacementBound(const cell::RobotModel& model,
                                           const std::vector<Body>& bodies,
                                           const Eigen::Vector3d& p_FT) {
  const std::size_t links = model.links.size();
  // Radius of each link's geometry about the link frame origin; the gun and TCP count as part
  // of the tip link.
  std::vector<double> rho(links, 0.0);
  for (std::size_t k = 0; k < links; ++k) rho[k] = RadiusAboutOrigin(bodies[k]);
  rho[links - 1] = std::max({rho[links - 1], RadiusAboutOrigin(bodies[links]), p_FT.norm()});
  const std::vector<double> offset = OriginOffsets(model);

  DisplacementBound bound;
  for (std::size_t j = 0; j < model.joints.size(); ++j) {
    const cell::Joint& joint = model.joints[j];
    if (!joint.movable()) continue;
    if (joint.type == cell::JointType::kPrismatic) {
      bound.lever_arm.push_back(1.0);
      continue;
    }
    // Joint j's origin is the origin of its child link j + 1.
    double reach = 0.0;
    double along = 0.0;
    for (std::size_t k = j + 1; k < links; ++k) {
      reach = std::max(reach, along + rho[k]);
      along += offset[k];
    }
    bound.lever_arm.push_back(reach);
  }
  return bound;
}

}  // namespace weldcell::collision::internal
