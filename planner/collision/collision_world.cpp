#include "planner/collision/collision_world.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <sstream>

#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/common/random.hpp"

namespace weldcell::collision {

using internal::Body;
using internal::Part;
using internal::RobotData;
using internal::Sphere;
using internal::StaticBody;

double DisplacementBound::MaxTravel(const Eigen::Ref<const Eigen::VectorXd>& q0,
                                    const Eigen::Ref<const Eigen::VectorXd>& q1) const {
  WELDCELL_CHECK(q0.size() == static_cast<Eigen::Index>(lever_arm.size()) &&
                 q1.size() == q0.size());
  double travel = 0.0;
  for (std::size_t i = 0; i < lever_arm.size(); ++i) {
    const auto j = static_cast<Eigen::Index>(i);
    travel += lever_arm[i] * std::abs(q1[j] - q0[j]);
  }
  return travel;
}

namespace {

using MeshCache = std::map<const cell::Mesh*, std::shared_ptr<const fcl::CollisionGeometryd>>;

std::shared_ptr<const fcl::CollisionGeometryd> Convert(const cell::Shape& shape,
                                                       MeshCache& meshes) {
  if (shape.kind != cell::ShapeKind::kMesh) return internal::MakeFclGeometry(shape);
  auto& entry = meshes[shape.mesh.get()];
  if (!entry) entry = internal::MakeFclGeometry(shape);
  return entry;
}

Body MakeBody(std::string name, BodyRef ref, const std::vector<cell::Geometry>& geometries,
              MeshCache& meshes) {
  Body body{.name = std::move(name), .ref = ref, .parts = {}, .sphere_B = {}};
  std::vector<Sphere> spheres;
  for (const cell::Geometry& g : geometries) {
    const Sphere local = internal::ShapeBoundingSphere(g.shape);
    const Sphere sphere{.center = g.X_FG * local.center, .radius = local.radius};
    body.parts.push_back(
        {.geometry = Convert(g.shape, meshes), .X_BG = g.X_FG, .sphere_B = sphere});
    spheres.push_back(sphere);
  }
  body.sphere_B = internal::EnclosingSphere(spheres);
  return body;
}

void Validate(const cell::Cell& cell, DiagnosticSink& sink) {
  const SourceLocation where{.file = cell.source_file, .line = 0, .column = 0};
  auto check_geometries = [&](const std::vector<cell::Geometry>& geometries,
                              const std::string& key) {
    for (std::size_t i = 0; i < geometries.size(); ++i) {
      const std::string why = internal::ValidateShape(geometries[i].shape);
      if (!why.empty()) sink.Error(where, key + ".collision[" + std::to_string(i) + "]", why);
    }
  };
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    const cell::Robot& robot = cell.robots[r];
    const std::string key = "robots[" + std::to_string(r) + "]";
    if (!robot.model || robot.model->links.empty()) {
      sink.Error(where, key + ".model", "robot '" + robot.name + "' has no model (no links)");
      continue;
    }
    for (std::size_t k = 0; k < robot.model->links.size(); ++k) {
      check_geometries(
          robot.model->links[k].collision,
          key + ".model.links[" + std::to_string(k) + "] (" + robot.model->links[k].name + ")");
    }
    check_geometries(robot.tool.collision, key + ".tool");
    if (robot.model->dof() > kinematics::kMaxDof) {
      // Chain's invariant: say it as an input error rather than abort inside the kinematics.
      sink.Error(where, key + ".model",
                 "robot '" + robot.name + "' has " + std::to_string(robot.model->dof()) +
                     " movable joints; weldcell handles at most " +
                     std::to_string(kinematics::kMaxDof));
      continue;
    }
    const int links = static_cast<int>(robot.model->links.size());
    for (const auto& [a, b] : robot.model->allowed_collisions) {
      if (a < 0 || b < 0 || a >= links || b >= links || a == b) {
        sink.Error(where, key + ".model.allowed_collisions",
                   "link pair (" + std::to_string(a) + ", " + std::to_string(b) +
                       ") is not two different links of the model (" + std::to_string(links) +
                       " links)");
      }
    }
    if (robot.home.size() != 0 && robot.home.size() != robot.model->dof()) {
      sink.Error(where, key + ".home",
                 "expected " + std::to_string(robot.model->dof()) + " joint values, got " +
                     std::to_string(robot.home.size()));
    }
  }
  for (std::size_t i = 0; i < cell.obstacles.size(); ++i) {
    const std::string why = internal::ValidateShape(cell.obstacles[i].geometry.shape);
    if (!why.empty()) {
      sink.Error(where, "obstacles[" + std::to_string(i) + "] (" + cell.obstacles[i].name + ")",
                 why);
    }
  }
}

bool SameGeometry(const std::vector<cell::Geometry>& a, const std::vector<cell::Geometry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const cell::Shape& sa = a[i].shape;
    const cell::Shape& sb = b[i].shape;
    if (sa.kind != sb.kind || sa.box_size != sb.box_size || sa.radius != sb.radius ||
        sa.length != sb.length || sa.mesh != sb.mesh ||
        !a[i].X_FG.matrix().isApprox(b[i].X_FG.matrix(), 0.0)) {
      return false;
    }
  }
  return true;
}

Eigen::VectorXd HomeOf(const cell::Robot& robot, const kinematics::Chain& chain) {
  if (robot.home.size() == chain.dof()) return robot.home;
  return Eigen::VectorXd::Zero(chain.dof()).cwiseMax(chain.lower()).cwiseMin(chain.upper());
}

bool SphereTouchesBox(const Eigen::Vector3d& c, double r, const Eigen::AlignedBox3d& box) {
  return box.squaredExteriorDistance(c) <= r * r;
}

// The geometry's own local box, rotated into the world and grown: centre R c + t, half sizes
// |R| h + margin.
Eigen::AlignedBox3d WorldBox(const fcl::CollisionGeometryd& geometry, const Eigen::Isometry3d& X_WG,
                             double margin) {
  const fcl::AABBd& local = geometry.aabb_local;
  const Eigen::Vector3d c = X_WG * (0.5 * (local.min_ + local.max_));
  const Eigen::Vector3d h = X_WG.linear().cwiseAbs() * (0.5 * (local.max_ - local.min_)) +
                            Eigen::Vector3d::Constant(margin);
  return {c - h, c + h};
}

// Appends every collision part of `robot` standing at `home` to the world's static obstacles,
// one StaticBody per part, marked home_of = robot.index.
void AddAtHome(const RobotData& robot, const Eigen::VectorXd& home, double margin,
               CollisionWorld::Impl& world) {
  std::vector<Eigen::Isometry3d> X_BL;
  robot.chain->LinkPoses(home, &X_BL);
  for (std::size_t b = 0; b < robot.bodies.size(); ++b) {
    const Body& body = robot.bodies[b];
    const Eigen::Isometry3d X_WBody = robot.X_WB * X_BL[std::min(b, X_BL.size() - 1)];
    for (const Part& part : body.parts) {
      const Eigen::Isometry3d X_WG = X_WBody * part.X_BG;
      const Sphere sphere{.center = X_WBody * part.sphere_B.center, .radius = part.sphere_B.radius};
      StaticBody obstacle;
      obstacle.body =
          Body{.name = body.name + " at home",
               .ref = body.ref,
               .parts = {Part{.geometry = part.geometry, .X_BG = X_WG, .sphere_B = sphere}},
               .sphere_B = sphere};
      obstacle.X_WG = X_WG;
      obstacle.box_W = WorldBox(*part.geometry, X_WG, 0.0);
      obstacle.home_of = robot.index;
      obstacle.margin = margin;
      world.obstacle_boxes.push_back(obstacle.box_W);
      world.all_obstacles.extend(WorldBox(*part.geometry, X_WG, margin));
      world.obstacles.push_back(std::move(obstacle));
    }
  }
}

}  // namespace

CollisionWorld::CollisionWorld(const cell::Cell& cell, const WorldOptions& options) {
  WELDCELL_CHECK(options.acm_samples >= 0);
  DiagnosticSink sink;
  Validate(cell, sink);
  sink.ThrowIfErrors();

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  MeshCache meshes;
  impl->robots.reserve(cell.robots.size());
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    const cell::Robot& source = cell.robots[r];
    const cell::RobotModel& model = *source.model;
    const int robot_index = static_cast<int>(r);
    RobotData robot;
    robot.index = robot_index;
    robot.name = source.name;
    robot.chain = std::make_unique<kinematics::Chain>(model);
    robot.X_WB = source.X_WB;
    robot.gun = static_cast<int>(model.links.size());
    for (std::size_t k = 0; k < model.links.size(); ++k) {
      robot.bodies.push_back(MakeBody(
          source.name + "/" + model.links[k].name,
          {.kind = BodyKind::kLink, .robot = robot_index, .index = static_cast<int>(k), .name = {}},
          model.links[k].collision, meshes));
    }
    robot.bodies.push_back(
        MakeBody(source.name + "/gun",
                 {.kind = BodyKind::kGun, .robot = robot_index, .index = robot.gun, .name = {}},
                 source.tool.collision, meshes));

    for (int b = 0; b <= robot.gun; ++b) robot.env_order.push_back(b);
    std::erase_if(robot.env_order, [&](int b) { return robot.bodies[b].empty(); });

    // Robots of one model with the same gun geometry and home get the same matrix, computed once
    // with the seed of the first of them.
    const Eigen::VectorXd home = HomeOf(source, *robot.chain);
    bool shared = false;
    for (std::size_t s = 0; s < r && !shared; ++s) {
      const cell::Robot& other = cell.robots[s];
      if (other.model == source.model &&
          SameGeometry(other.tool.collision, source.tool.collision) &&
          HomeOf(other, *impl->robots[s].chain) == home) {
        robot.acm = impl->robots[s].acm;
        shared = true;
      }
    }
    if (!shared) {
      robot.acm = internal::ComputeAllowedCollisions(robot, model, home,
                                                     SplitMix64(cell.settings.seed ^ SplitMix64(r)),
                                                     options.acm_samples, options.pairs);
    }
    for (int pass = 0; pass < 2; ++pass) {
      // Pairs with the gun first: at a weld the gun is the body most likely to hit something.
      for (int a = 0; a < robot.gun + 1; ++a) {
        for (int b = a + 1; b < robot.gun + 1; ++b) {
          if ((b == robot.gun) == (pass == 0) && !robot.acm.allowed(a, b)) {
            robot.self_pairs.emplace_back(a, b);
          }
        }
      }
    }
    robot.displacement =
        internal::ComputeDisplacementBound(model, robot.bodies, source.tool.X_FT.translation());
    robot.body_lever = internal::ComputeBodyLevers(model, robot.bodies);
    internal::ComputeBodyReach(model, robot);
    impl->robots.push_back(std::move(robot));
  }

  for (std::size_t i = 0; i < cell.obstacles.size(); ++i) {
    const cell::Obstacle& obstacle = cell.obstacles[i];
    StaticBody body;
    body.body = MakeBody(
        obstacle.name,
        {.kind = BodyKind::kObstacle, .robot = -1, .index = static_cast<int>(i), .name = {}},
        {obstacle.geometry}, meshes);
    body.X_WG = obstacle.geometry.X_FG;
    body.box_W = internal::ShapeBox(obstacle.geometry.shape, obstacle.geometry.X_FG);
    impl->obstacle_boxes.push_back(body.box_W);
    impl->all_obstacles.extend(body.box_W);
    impl->obstacles.push_back(std::move(body));
  }

  impl->cell_obstacles = static_cast<int>(impl->obstacles.size());
  if (options.robots_at_home_are_obstacles && impl->robots.size() > 1) {
    for (std::size_t r = 0; r < impl->robots.size(); ++r) {
      AddAtHome(impl->robots[r], HomeOf(cell.robots[r], *impl->robots[r].chain),
                cell.settings.motion.resolution, *impl);
    }
  }

  for (auto& robot : impl->robots) {
    robot.near_obstacles = internal::NearObstacles(robot, impl->obstacles);
  }

  // Names are viewed only now that no container grows any more.
  for (auto& robot : impl->robots) {
    for (auto& body : robot.bodies) body.ref.name = body.name;
  }
  for (auto& obstacle : impl->obstacles) obstacle.body.ref.name = obstacle.body.name;
  impl_ = std::move(impl);
}

CollisionWorld::~CollisionWorld() = default;
CollisionWorld::CollisionWorld(CollisionWorld&&) noexcept = default;
CollisionWorld& CollisionWorld::operator=(CollisionWorld&&) noexcept = default;

const WorldOptions& CollisionWorld::options() const { return impl_->options; }
int CollisionWorld::robot_count() const { return static_cast<int>(impl_->robots.size()); }
int CollisionWorld::obstacle_count() const { return impl_->cell_obstacles; }

namespace {
const RobotData& RobotAt(const CollisionWorld::Impl& world, int robot) {
  WELDCELL_CHECK(robot >= 0 && robot < static_cast<int>(world.robots.size()));
  return world.robots[static_cast<std::size_t>(robot)];
}
}  // namespace

int CollisionWorld::body_count(int robot) const {
  return static_cast<int>(RobotAt(*impl_, robot).bodies.size());
}

BodyRef CollisionWorld::robot_body(int robot, int body) const {
  const RobotData& data = RobotAt(*impl_, robot);
  WELDCELL_CHECK(body >= 0 && body < static_cast<int>(data.bodies.size()));
  return data.bodies[static_cast<std::size_t>(body)].ref;
}

BodyRef CollisionWorld::gun(int robot) const {
  const RobotData& data = RobotAt(*impl_, robot);
  return data.bodies[static_cast<std::size_t>(data.gun)].ref;
}

BodyRef CollisionWorld::obstacle(int index) const {
  WELDCELL_CHECK(index >= 0 && index < obstacle_count());
  return impl_->obstacles[static_cast<std::size_t>(index)].body.ref;
}

const kinematics::Chain& CollisionWorld::chain(int robot) const {
  return *RobotAt(*impl_, robot).chain;
}

const AllowedCollisionMatrix& CollisionWorld::allowed_collisions(int robot) const {
  return RobotAt(*impl_, robot).acm;
}

const DisplacementBound& CollisionWorld::displacement_bound(int robot) const {
  return RobotAt(*impl_, robot).displacement;
}

// ---------------------------------------------------------------------------------------------
// Queries

namespace {

using CtxImpl = CollisionContext::Impl;

internal::RobotScratch& PlaceAt(const RobotData& robot, CtxImpl& ctx, int index,
                                const Eigen::Ref<const Eigen::VectorXd>& q) {
  WELDCELL_CHECK(q.size() == robot.chain->dof());
  internal::RobotScratch& scratch = ctx.robots[static_cast<std::size_t>(index)];
  if (scratch.placed && scratch.placed_q == q) return scratch;
  robot.chain->LinkPoses(q, &scratch.X_BL);
  internal::BodyPosesFromBase(robot, scratch);
  scratch.placed_q = q;
  scratch.placed = true;
  return scratch;
}

internal::RobotScratch& PlaceAtPoses(const RobotData& robot, CtxImpl& ctx, int index,
                                     std::span<const Eigen::Isometry3d> X_WL) {
  internal::RobotScratch& scratch = ctx.robots[static_cast<std::size_t>(index)];
  WELDCELL_CHECK(static_cast<int>(X_WL.size()) == robot.gun);
  scratch.placed = false;
  std::copy(X_WL.begin(), X_WL.end(), scratch.X_WBody.begin());
  scratch.X_WBody.back() = X_WL.back();
  return scratch;
}

// Two robots placed for a pair check (CheckRobotPair, BodyPairsInContact): their data and the
// world poses of their bodies, after the checks both queries share.
struct PlacedPair {
  const RobotData& a;
  const RobotData& b;
  const std::vector<Eigen::Isometry3d>& X_a;
  const std::vector<Eigen::Isometry3d>& X_b;
};

PlacedPair PlacePair(const CollisionWorld::Impl& world, CtxImpl& ctx, int robot_a,
                     const Eigen::Ref<const Eigen::VectorXd>& q_a, int robot_b,
                     const Eigen::Ref<const Eigen::VectorXd>& q_b, double margin) {
  WELDCELL_CHECK(ctx.world == &world);
  WELDCELL_CHECK(robot_a != robot_b);
  WELDCELL_CHECK(margin >= 0.0 && std::isfinite(margin));
  const RobotData& a = RobotAt(world, robot_a);
  const RobotData& b = RobotAt(world, robot_b);
  return {a, b, PlaceAt(a, ctx, robot_a, q_a).X_WBody, PlaceAt(b, ctx, robot_b, q_b).X_WBody};
}

/// Records a contact; true when the query should stop.
bool AddContact(CollisionResult& result, const BodyRef& first, const BodyRef& second,
                ContactReport report) {
  result.status = CollisionStatus::kInCollision;
  result.contacts.push_back({.first = first, .second = second});
  return report == ContactReport::kFirst;
}

bool BodyHitsObstacle(CtxImpl& ctx, const Body& body, const Eigen::Isometry3d& X_WBody,
                      const StaticBody& obstacle, double margin) {
  const Part& target = obstacle.body.parts.front();
  for (const Part& part : body.parts) {
    if (body.parts.size() > 1 && !SphereTouchesBox(X_WBody * part.sphere_B.center,
                                                   part.sphere_B.radius + margin, obstacle.box_W)) {
      continue;
    }
    if (internal::PartCollides(ctx, part, X_WBody * part.X_BG, *target.geometry, obstacle.X_WG,
                               margin)) {
      return true;
    }
  }
  return false;
}

CollisionResult CheckPlaced(const CollisionWorld::Impl& world, CtxImpl& ctx, const RobotData& robot,
                            const internal::RobotScratch& scratch, const CheckRequest& request) {
  WELDCELL_CHECK(request.margin >= 0.0 && std::isfinite(request.margin));
  WELDCELL_CHECK(request.body_margins == nullptr ||
                 request.body_margins->size() == robot.bodies.size());
  CollisionResult result;
  const auto& X = scratch.X_WBody;
  if (request.scope != CheckScope::kSelf) {
    for (const int b : robot.env_order) {
      const Body& body = robot.bodies[static_cast<std::size_t>(b)];
      const Eigen::Isometry3d& X_WBody = X[static_cast<std::size_t>(b)];
      const Eigen::Vector3d c_W = X_WBody * body.sphere_B.center;
      const double margin = request.body_margins
                                ? (*request.body_margins)[static_cast<std::size_t>(b)]
                                : request.margin;
      const double r = body.sphere_B.radius + margin;
      // Most links are far from every obstacle most of the time: one test for all of them.
      if (!SphereTouchesBox(c_W, r, world.all_obstacles)) continue;
      // True when the query should stop.
      auto hits = [&](std::size_t o) {
        const StaticBody& obstacle = world.obstacles[o];
        return SphereTouchesBox(c_W, r + obstacle.margin, world.obstacle_boxes[o]) &&
               BodyHitsObstacle(ctx, body, X_WBody, obstacle, margin + obstacle.margin) &&
               AddContact(result, body.ref, obstacle.body.ref, request.report);
      };
      const double origin_reach = robot.origin_reach[static_cast<std::size_t>(b)];
      if (margin <= internal::kNearObstacleMargin &&
          (X_WBody.translation() - robot.X_WB.translation()).squaredNorm() <=
              origin_reach * origin_reach) {
        // The same obstacles in the same order, without those the body cannot reach.
        for (const int o : robot.near_obstacles[static_cast<std::size_t>(b)]) {
          if (hits(static_cast<std::size_t>(o))) return result;
        }
        continue;
      }
      for (std::size_t o = 0; o < world.obstacles.size(); ++o) {
        if (world.obstacles[o].home_of != robot.index && hits(o)) return result;
      }
    }
  }
  if (request.scope != CheckScope::kEnvironment) {
    for (const auto& [a, b] : robot.self_pairs) {
      const auto ia = static_cast<std::size_t>(a);
      const auto ib = static_cast<std::size_t>(b);
      // Both bodies move: keep them twice the margin apart (each its own margin).
      const double margin = request.body_margins
                                ? (*request.body_margins)[ia] + (*request.body_margins)[ib]
                                : 2.0 * request.margin;
      if (internal::BodiesCollide(ctx, robot.bodies[ia], X[ia], robot.bodies[ib], X[ib], margin) &&
          AddContact(result, robot.bodies[ia].ref, robot.bodies[ib].ref, request.report)) {
        return result;
      }
    }
  }
  return result;
}

DistanceResult ClearancePlaced(const CollisionWorld::Impl& world, CtxImpl& ctx,
                               const RobotData& robot, const internal::RobotScratch& scratch,
                               const DistanceRequest& request) {
  WELDCELL_CHECK(request.max_distance >= 0.0);
  const auto& X = scratch.X_WBody;
  ctx.candidates.clear();
  for (const int b : robot.env_order) {
    const Body& body = robot.bodies[static_cast<std::size_t>(b)];
    for (std::size_t p = 0; p < body.parts.size(); ++p) {
      const Part& part = body.parts[p];
      const Eigen::Vector3d c_W = X[static_cast<std::size_t>(b)] * part.sphere_B.center;
      for (std::size_t o = 0; o < world.obstacles.size(); ++o) {
        if (world.obstacles[o].home_of == robot.index) continue;
        const double lower_bound =
            std::max(0.0, std::sqrt(world.obstacles[o].box_W.squaredExteriorDistance(c_W)) -
                              part.sphere_B.radius);
        if (lower_bound >= request.max_distance) continue;
        ctx.candidates.push_back({.lower_bound = lower_bound,
                                  .body = b,
                                  .part = static_cast<int>(p),
                                  .obstacle = static_cast<int>(o)});
      }
    }
  }
  // Nearest lower bound first (ties in a fixed order). The search usually stops after a few
  // pairs, so the candidates are taken from a heap rather than all sorted: sorting them was a
  // fifth of the reach map's time on station XL (its body is many parts), for the same order.
  const auto farther = [](const internal::DistanceCandidate& x,
                          const internal::DistanceCandidate& y) {
    if (x.lower_bound != y.lower_bound) return x.lower_bound > y.lower_bound;
    if (x.body != y.body) return x.body > y.body;
    if (x.part != y.part) return x.part > y.part;
    return x.obstacle > y.obstacle;
  };
  std::make_heap(ctx.candidates.begin(), ctx.candidates.end(), farther);

  DistanceResult result{.status = DistanceStatus::kFarther,
                        .distance = request.max_distance,
                        .robot_body = {},
                        .obstacle = {},
                        .p_W_robot = Eigen::Vector3d::Zero(),
                        .p_W_obstacle = Eigen::Vector3d::Zero()};
  for (auto heap_end = ctx.candidates.end(); heap_end != ctx.candidates.begin(); --heap_end) {
    std::pop_heap(ctx.candidates.begin(), heap_end, farther);
    const internal::DistanceCandidate candidate = *(heap_end - 1);
    if (candidate.lower_bound >= result.distance) break;
    const Body& body = robot.bodies[static_cast<std::size_t>(candidate.body)];
    const Part& part = body.parts[static_cast<std::size_t>(candidate.part)];
    const StaticBody& obstacle = world.obstacles[static_cast<std::size_t>(candidate.obstacle)];
    const Eigen::Isometry3d X_WG = X[static_cast<std::size_t>(candidate.body)] * part.X_BG;
    const fcl::CollisionGeometryd& target = *obstacle.body.parts.front().geometry;
    // FCL's distance is not meaningful for overlapping meshes (it may return a tiny positive
    // number), so a pair whose bounds touch is first tested for contact.
    if (candidate.lower_bound <= 0.0 &&
        internal::GeometriesCollide(ctx, *part.geometry, X_WG, target, obstacle.X_WG)) {
      return {.status = DistanceStatus::kInContact,
              .distance = 0.0,
              .robot_body = body.ref,
              .obstacle = obstacle.body.ref,
              .p_W_robot = Eigen::Vector3d::Zero(),
              .p_W_obstacle = Eigen::Vector3d::Zero()};
    }
    Eigen::Vector3d p_W_robot;
    Eigen::Vector3d p_W_obstacle;
    const double d = internal::GeometryDistance(ctx, *part.geometry, X_WG, target, obstacle.X_WG,
                                                result.distance, &p_W_robot, &p_W_obstacle);
    if (d <= 0.0) {
      return {.status = DistanceStatus::kInContact,
              .distance = 0.0,
              .robot_body = body.ref,
              .obstacle = obstacle.body.ref,
              .p_W_robot = Eigen::Vector3d::Zero(),
              .p_W_obstacle = Eigen::Vector3d::Zero()};
    }
    if (d < result.distance) {
      result.status = DistanceStatus::kClear;
      result.distance = d;
      result.robot_body = body.ref;
      result.obstacle = obstacle.body.ref;
      result.p_W_robot = p_W_robot;
      result.p_W_obstacle = p_W_obstacle;
    }
  }
  return result;
}

}  // namespace

CollisionResult CollisionWorld::CheckRobot(CollisionContext& ctx, int robot,
                                           const Eigen::Ref<const Eigen::VectorXd>& q,
                                           const CheckRequest& request) const {
  WELDCELL_CHECK(ctx.impl_->world == impl_.get());
  const RobotData& data = RobotAt(*impl_, robot);
  const auto& scratch = PlaceAt(data, *ctx.impl_, robot, q);
  return CheckPlaced(*impl_, *ctx.impl_, data, scratch, request);
}

CollisionResult CollisionWorld::CheckRobotAtPoses(CollisionContext& ctx, int robot,
                                                  std::span<const Eigen::Isometry3d> X_WL,
                                                  const CheckRequest& request) const {
  WELDCELL_CHECK(ctx.impl_->world == impl_.get());
  const RobotData& data = RobotAt(*impl_, robot);
  const auto& scratch = PlaceAtPoses(data, *ctx.impl_, robot, X_WL);
  return CheckPlaced(*impl_, *ctx.impl_, data, scratch, request);
}

CollisionResult CollisionWorld::CheckRobotPair(CollisionContext& ctx, int robot_a,
                                               const Eigen::Ref<const Eigen::VectorXd>& q_a,
                                               int robot_b,
                                               const Eigen::Ref<const Eigen::VectorXd>& q_b,
                                               ContactReport report, double margin) const {
  const auto [a, b, X_a, X_b] = PlacePair(*impl_, *ctx.impl_, robot_a, q_a, robot_b, q_b, margin);
  CollisionResult result;
  for (const int i : a.env_order) {
    for (const int j : b.env_order) {
      const auto ia = static_cast<std::size_t>(i);
      const auto jb = static_cast<std::size_t>(j);
      if (internal::BodiesCollide(*ctx.impl_, a.bodies[ia], X_a[ia], b.bodies[jb], X_b[jb],
                                  2.0 * margin) &&
          AddContact(result, a.bodies[ia].ref, b.bodies[jb].ref, report)) {
        return result;
      }
    }
  }
  return result;
}

namespace {

// Whether some listed body pair (positions in environment-check order) of robots a and b is in
// contact, body i of a at pose_a(i) and body j of b at pose_b(j).
template <typename PoseA, typename PoseB>
bool ListedPairsCollide(CtxImpl& ctx, const RobotData& a, const PoseA& pose_a, const RobotData& b,
                        const PoseB& pose_b, std::span<const std::pair<int, int>> pairs,
                        double margin, std::span<const double> extra_a = {},
                        std::span<const double> extra_b = {}) {
  const auto bodies_a = static_cast<int>(a.env_order.size());
  const auto bodies_b = static_cast<int>(b.env_order.size());
  WELDCELL_CHECK(extra_a.empty() || extra_a.size() == a.env_order.size());
  WELDCELL_CHECK(extra_b.empty() || extra_b.size() == b.env_order.size());
  auto distance_ok = [](double d) { return d >= 0.0 && std::isfinite(d); };
  WELDCELL_CHECK(std::ranges::all_of(extra_a, distance_ok) &&
                 std::ranges::all_of(extra_b, distance_ok));
  for (const auto& [ka, kb] : pairs) {
    WELDCELL_CHECK(ka >= 0 && ka < bodies_a && kb >= 0 && kb < bodies_b);
    const auto ia = static_cast<std::size_t>(a.env_order[static_cast<std::size_t>(ka)]);
    const auto jb = static_cast<std::size_t>(b.env_order[static_cast<std::size_t>(kb)]);
    const double distance = 2.0 * margin +
                            (extra_a.empty() ? 0.0 : extra_a[static_cast<std::size_t>(ka)]) +
                            (extra_b.empty() ? 0.0 : extra_b[static_cast<std::size_t>(kb)]);
    if (internal::BodiesCollide(ctx, a.bodies[ia], pose_a(ia), b.bodies[jb], pose_b(jb),
                                distance)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool CollisionWorld::BodyPairsInContact(CollisionContext& ctx, int robot_a,
                                        const Eigen::Ref<const Eigen::VectorXd>& q_a, int robot_b,
                                        const Eigen::Ref<const Eigen::VectorXd>& q_b,
                                        std::span<const std::pair<int, int>> pairs,
                                        double margin) const {
  // A named pair, not structured bindings: clang 14 (Debian 12, the fuzz build) cannot capture
  // those in a lambda.
  const PlacedPair placed = PlacePair(*impl_, *ctx.impl_, robot_a, q_a, robot_b, q_b, margin);
  return ListedPairsCollide(
      *ctx.impl_, placed.a,
      [&](std::size_t i) -> const Eigen::Isometry3d& { return placed.X_a[i]; }, placed.b,
      [&](std::size_t j) -> const Eigen::Isometry3d& { return placed.X_b[j]; }, pairs, margin);
}

bool CollisionWorld::BodyPairsInContactAtPoses(CollisionContext& ctx, int robot_a,
                                               std::span<const Eigen::Isometry3d> X_WLa,
                                               int robot_b,
                                               std::span<const Eigen::Isometry3d> X_WLb,
                                               std::span<const std::pair<int, int>> pairs,
                                               double margin) const {
  return BodyPairsInContactAtPoses(ctx, robot_a, X_WLa, robot_b, X_WLb, pairs, margin, {}, {});
}

bool CollisionWorld::BodyPairsInContactAtPoses(
    CollisionContext& ctx, int robot_a, std::span<const Eigen::Isometry3d> X_WLa, int robot_b,
    std::span<const Eigen::Isometry3d> X_WLb, std::span<const std::pair<int, int>> pairs,
    double margin, std::span<const double> extra_a, std::span<const double> extra_b) const {
  WELDCELL_CHECK(ctx.impl_->world == impl_.get());
  WELDCELL_CHECK(robot_a != robot_b);
  WELDCELL_CHECK(margin >= 0.0 && std::isfinite(margin));
  const RobotData& a = RobotAt(*impl_, robot_a);
  const RobotData& b = RobotAt(*impl_, robot_b);
  WELDCELL_CHECK(static_cast<int>(X_WLa.size()) == a.gun);
  WELDCELL_CHECK(static_cast<int>(X_WLb.size()) == b.gun);
  // Body i rides on link i; the gun (i = number of links) on the last link.
  auto on_link = [](std::span<const Eigen::Isometry3d> X_WL) {
    return [X_WL](std::size_t i) -> const Eigen::Isometry3d& {
      return X_WL[std::min(i, X_WL.size() - 1)];
    };
  };
  return ListedPairsCollide(*ctx.impl_, a, on_link(X_WLa), b, on_link(X_WLb), pairs, margin,
                            extra_a, extra_b);
}

void CollisionWorld::BodyTravel(int robot, std::span<const Eigen::Isometry3d> X_WL0,
                                std::span<const Eigen::Isometry3d> X_WL1, double grow,
                                std::vector<double>* travel) const {
  const RobotData& data = RobotAt(*impl_, robot);
  WELDCELL_CHECK(static_cast<int>(X_WL0.size()) == data.gun &&
                 static_cast<int>(X_WL1.size()) == data.gun);
  WELDCELL_CHECK(grow >= 0.0 && std::isfinite(grow));
  travel->resize(data.env_order.size());
  for (std::size_t k = 0; k < data.env_order.size(); ++k) {
    // Body i rides on link i; the gun (i = number of links) on the last link.
    const auto i = static_cast<std::size_t>(data.env_order[k]);
    const std::size_t link = std::min(i, X_WL0.size() - 1);
    const Sphere& sphere = data.bodies[i].sphere_B;
    (*travel)[k] = internal::RigidChord(X_WL0[link], X_WL1[link], sphere.center,
                                        sphere.radius + std::numbers::sqrt3 * grow);
  }
}

void CollisionWorld::LinkPosesInWorld(int robot, const Eigen::Ref<const Eigen::VectorXd>& q,
                                      std::vector<Eigen::Isometry3d>* X_WL) const {
  const RobotData& data = RobotAt(*impl_, robot);
  WELDCELL_CHECK(q.size() == data.chain->dof());
  data.chain->LinkPoses(q, X_WL);
  for (Eigen::Isometry3d& X : *X_WL) X = data.X_WB * X;  // as BodyPosesFromBase
}

void CollisionWorld::BodyBoxes(CollisionContext& ctx, int robot,
                               const Eigen::Ref<const Eigen::VectorXd>& q, double margin,
                               std::vector<Eigen::AlignedBox3d>* boxes) const {
  WELDCELL_CHECK(ctx.impl_->world == impl_.get());
  WELDCELL_CHECK(margin >= 0.0 && std::isfinite(margin));
  const RobotData& data = RobotAt(*impl_, robot);
  const auto& X = PlaceAt(data, *ctx.impl_, robot, q).X_WBody;
  boxes->resize(data.env_order.size());
  for (std::size_t k = 0; k < data.env_order.size(); ++k) {
    const auto i = static_cast<std::size_t>(data.env_order[k]);
    Eigen::AlignedBox3d& box = (*boxes)[k];
    box.setEmpty();
    // The two robots' boxes share what the pair check's growth reaches past the geometry.
    for (const internal::Part& part : data.bodies[i].parts) {
      box.extend(WorldBox(*part.geometry, X[i] * part.X_BG, 0.5 * PairCheckBoxGrowth(margin)));
    }
  }
}

DistanceResult CollisionWorld::Clearance(CollisionContext& ctx, int robot,
                                         const Eigen::Ref<const Eigen::VectorXd>& q,
                                         const DistanceRequest& request) const {
  WELDCELL_CHECK(ctx.impl_->world == impl_.get());
  const RobotData& data = RobotAt(*impl_, robot);
  const auto& scratch = PlaceAt(data, *ctx.impl_, robot, q);
  return ClearancePlaced(*impl_, *ctx.impl_, data, scratch, request);
}

DistanceResult CollisionWorld::ClearanceAtPoses(CollisionContext& ctx, int robot,
                                                std::span<const Eigen::Isometry3d> X_WL,
                                                const DistanceRequest& request) const {
  WELDCELL_CHECK(ctx.impl_->world == impl_.get());
  const RobotData& data = RobotAt(*impl_, robot);
  const auto& scratch = PlaceAtPoses(data, *ctx.impl_, robot, X_WL);
  return ClearancePlaced(*impl_, *ctx.impl_, data, scratch, request);
}

// ---------------------------------------------------------------------------------------------
// Context

CollisionContext::CollisionContext(const CollisionWorld& world) : impl_(std::make_unique<Impl>()) {
  impl_->world = world.impl_.get();
  impl_->collision_request.num_max_contacts = 1;
  impl_->collision_request.enable_contact = false;
  impl_->distance_request.enable_nearest_points = true;
  std::size_t max_parts = 0;
  for (const RobotData& robot : world.impl_->robots) {
    internal::RobotScratch scratch;
    scratch.X_BL.resize(static_cast<std::size_t>(robot.gun));
    scratch.X_WBody.resize(robot.bodies.size());
    scratch.placed_q.resize(robot.chain->dof());
    impl_->robots.push_back(std::move(scratch));
    std::size_t parts = 0;
    for (const Body& body : robot.bodies) parts += body.parts.size();
    max_parts = std::max(max_parts, parts);
  }
  impl_->candidates.reserve(max_parts * world.impl_->obstacles.size());
}

CollisionContext::~CollisionContext() = default;
CollisionContext::CollisionContext(CollisionContext&&) noexcept = default;
CollisionContext& CollisionContext::operator=(CollisionContext&&) noexcept = default;

// ---------------------------------------------------------------------------------------------
// Printing

std::string_view ToString(PairPolicy policy) {
  switch (policy) {
    case PairPolicy::kPlanner:
      return "planner";
    case PairPolicy::kVerifier:
      return "verifier";
  }
  return "?";
}

std::string ToString(const BodyRef& body) {
  return body.name.empty() ? std::string("(none)") : std::string(body.name);
}

std::string ToString(const CollisionResult& result) {
  if (!result.in_collision()) return "free";
  std::string text = "in collision: ";
  for (std::size_t i = 0; i < result.contacts.size(); ++i) {
    if (i > 0) text += "; ";
    text += ToString(result.contacts[i].first) + " – " + ToString(result.contacts[i].second);
  }
  return text;
}

std::string ToString(const DistanceResult& result) {
  std::ostringstream out;
  switch (result.status) {
    case DistanceStatus::kClear:
      out << "clear by " << result.distance << " m: " << ToString(result.robot_body) << " – "
          << ToString(result.obstacle);
      break;
    case DistanceStatus::kInContact:
      out << "in contact: " << ToString(result.robot_body) << " – " << ToString(result.obstacle);
      break;
    case DistanceStatus::kFarther:
      out << "nothing nearer than " << result.distance << " m";
      break;
  }
  return out.str();
}

}  // namespace weldcell::collision
