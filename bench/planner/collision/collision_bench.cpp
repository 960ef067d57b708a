// One robot+gun state against a car body of ≥ 100k triangles and fixtures: weldcell's
// CollisionWorld against plain FCL (every robot geometry against every obstacle, one
// fcl::collide call each, as an application would write it without a collision layer; and FCL's
// DynamicAABBTree broadphase manager), in the same run on the same scene.
//
// Scene (generated here, deterministic):
// - body: a closed superellipsoid shell ("boxy car": 4.5 × 1.8 × 1.4 m, exponent 0.3) of
//   2·480·109 = 104,640 triangles, bottom 0.35 m above the floor;
// - fixtures: 4 riser cylinders under the body, 6 side clamps (boxes) near the sills, 2 clamp
//   towers at the ends = 12 primitives;
// - robot: robots/fanuc_r2000ic165f (primitive links) with robots/tools/x_gun.yaml, base 1.3 m
//   from the body side; the states are the first 16 seeded random configurations (arm facing
//   the body) that are free with 3–10 mm clearance, the gun being the body nearest to an
//   obstacle (welding approaches), and the first 16 whose gun touches the body (colliding). Each
//   benchmark cycles through one set, so a figure is the time per state over 16 states.
// Run from the project root (robots/ is read relative to it).

#include <benchmark/benchmark.h>
#include <fcl/broadphase/broadphase_dynamic_AABB_tree.h>
#include <fcl/broadphase/default_broadphase_callbacks.h>
#include <fcl/geometry/bvh/BVH_model.h>
#include <fcl/geometry/shape/box.h>
#include <fcl/geometry/shape/cylinder.h>
#include <fcl/geometry/shape/sphere.h>
#include <fcl/math/bv/OBBRSS.h>
#include <fcl/narrowphase/collision.h>
#include <fcl/narrowphase/collision_object.h>
#include <fcl/narrowphase/distance.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numbers>
#include <random>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/kinematics/chain.hpp"

namespace weldcell::collision {
namespace {

constexpr std::uint64_t kSeed = 20261126;

double SuperCos(double w, double m) {
  const double c = std::cos(w);
  return std::copysign(std::pow(std::abs(c), m), c);
}
double SuperSin(double w, double m) {
  const double s = std::sin(w);
  return std::copysign(std::pow(std::abs(s), m), s);
}

/// Closed superellipsoid shell with half sizes (a, b, c), n_theta around, n_phi from pole to
/// pole: 2 · n_theta · (n_phi − 1) triangles, outward-facing.
std::shared_ptr<const cell::Mesh> CarBody(double a, double b, double c, int n_theta, int n_phi,
                                          const Eigen::Vector3d& center) {
  auto mesh = std::make_shared<cell::Mesh>();
  const double e = 0.3;
  mesh->vertices.push_back(center + Eigen::Vector3d(0, 0, -c));  // bottom pole
  for (int i = 1; i < n_phi; ++i) {
    const double phi = -std::numbers::pi / 2 + std::numbers::pi * i / n_phi;
    for (int j = 0; j < n_theta; ++j) {
      const double theta = 2 * std::numbers::pi * j / n_theta;
      mesh->vertices.push_back(center + Eigen::Vector3d(a * SuperCos(phi, e) * SuperCos(theta, e),
                                                        b * SuperCos(phi, e) * SuperSin(theta, e),
                                                        c * SuperSin(phi, e)));
    }
  }
  mesh->vertices.push_back(center + Eigen::Vector3d(0, 0, c));  // top pole
  const auto top = static_cast<std::uint32_t>(mesh->vertices.size() - 1);
  auto ring = [&](int i, int j) {
    return static_cast<std::uint32_t>(1 + (i - 1) * n_theta + (j % n_theta));
  };
  for (int j = 0; j < n_theta; ++j) mesh->triangles.push_back({0, ring(1, j + 1), ring(1, j)});
  for (int i = 1; i + 1 < n_phi; ++i) {
    for (int j = 0; j < n_theta; ++j) {
      mesh->triangles.push_back({ring(i, j), ring(i, j + 1), ring(i + 1, j + 1)});
      mesh->triangles.push_back({ring(i, j), ring(i + 1, j + 1), ring(i + 1, j)});
    }
  }
  for (int j = 0; j < n_theta; ++j) {
    mesh->triangles.push_back({ring(n_phi - 1, j), ring(n_phi - 1, j + 1), top});
  }
  return mesh;
}

Eigen::Isometry3d At(const Eigen::Vector3d& p) {
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.translation() = p;
  return X;
}

cell::Cell MakeCell() {
  cell::Cell c;
  c.name = "collision_bench";
  c.settings.seed = kSeed;
  const auto model = cell::LoadRobotModel("robots/fanuc_r2000ic165f/robot.yaml").value;
  cell::Robot robot{.name = "R1",
                    .model = model,
                    .X_WB = At({0.6, -2.2, 0.0}),
                    .tool = cell::LoadTool("robots/tools/x_gun.yaml").value,
                    .home = {},
                    .controller = {}};
  robot.X_WB.linear() =
      Eigen::AngleAxisd(std::numbers::pi / 2, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  c.robots.push_back(std::move(robot));

  c.obstacles.push_back(
      {.name = "body",
       .geometry = {.shape = cell::Shape::FromMesh(CarBody(2.25, 0.9, 0.7, 480, 110, {0, 0, 1.05})),
                    .X_FG = Eigen::Isometry3d::Identity()},
       .visual = {}});
  int n = 0;
  for (const double x : {-1.5, 1.5}) {
    for (const double y : {-0.5, 0.5}) {
      c.obstacles.push_back(
          {.name = "riser_" + std::to_string(++n),
           .geometry = {.shape = cell::Shape::Cylinder(0.1, 0.3), .X_FG = At({x, y, 0.15})},
           .visual = {}});
    }
  }
  n = 0;
  for (const double x : {-1.5, 0.0, 1.5}) {
    for (const double y : {-1.05, 1.05}) {
      c.obstacles.push_back(
          {.name = "clamp_" + std::to_string(++n),
           .geometry = {.shape = cell::Shape::Box({0.12, 0.2, 0.25}), .X_FG = At({x, y, 0.6})},
           .visual = {}});
    }
  }
  for (const double x : {-2.6, 2.6}) {
    c.obstacles.push_back(
        {.name = "tower_" + std::to_string(++n),
         .geometry = {.shape = cell::Shape::Box({0.2, 0.2, 1.2}), .X_FG = At({x, 0.0, 0.6})},
         .visual = {}});
  }
  return c;
}

/// The peer: the same geometry as plain FCL objects.
struct PlainFcl {
  struct RobotObject {
    int link;  // chain link the geometry hangs on (the tip link for the gun)
    Eigen::Isometry3d X_LG;
    std::unique_ptr<fcl::CollisionObjectd> object;
  };
  std::vector<RobotObject> robot;
  std::vector<std::unique_ptr<fcl::CollisionObjectd>> obstacles;
  std::vector<std::pair<int, int>> self_pairs;  // robot object indices, from the world's ACM
  fcl::DynamicAABBTreeCollisionManagerd manager;
  std::vector<Eigen::Isometry3d> X_BL;

  static std::shared_ptr<fcl::CollisionGeometryd> Convert(const cell::Shape& shape) {
    switch (shape.kind) {
      case cell::ShapeKind::kBox:
        return std::make_shared<fcl::Boxd>(shape.box_size);
      case cell::ShapeKind::kCylinder:
        return std::make_shared<fcl::Cylinderd>(shape.radius, shape.length);
      case cell::ShapeKind::kSphere:
        return std::make_shared<fcl::Sphered>(shape.radius);
      case cell::ShapeKind::kMesh: {
        auto model = std::make_shared<fcl::BVHModel<fcl::OBBRSSd>>();
        std::vector<fcl::Triangle> triangles;
        for (const auto& t : shape.mesh->triangles) triangles.emplace_back(t[0], t[1], t[2]);
        model->beginModel();
        model->addSubModel(shape.mesh->vertices, triangles);
        model->endModel();
        return model;
      }
    }
    return nullptr;
  }

  PlainFcl(const cell::Cell& c, const CollisionWorld& world) {
    const cell::Robot& r = c.robots[0];
    std::vector<int> body_of;
    for (std::size_t k = 0; k < r.model->links.size(); ++k) {
      for (const auto& g : r.model->links[k].collision) {
        robot.push_back({static_cast<int>(k), g.X_FG,
                         std::make_unique<fcl::CollisionObjectd>(Convert(g.shape))});
        body_of.push_back(static_cast<int>(k));
      }
    }
    const int tip = static_cast<int>(r.model->links.size()) - 1;
    for (const auto& g : r.tool.collision) {
      robot.push_back({tip, g.X_FG, std::make_unique<fcl::CollisionObjectd>(Convert(g.shape))});
      body_of.push_back(tip + 1);
    }
    const auto& acm = world.allowed_collisions(0);
    for (std::size_t i = 0; i < robot.size(); ++i) {
      for (std::size_t j = i + 1; j < robot.size(); ++j) {
        if (body_of[i] != body_of[j] && !acm.allowed(body_of[i], body_of[j])) {
          self_pairs.emplace_back(static_cast<int>(i), static_cast<int>(j));
        }
      }
    }
    for (const auto& o : c.obstacles) {
      auto object =
          std::make_unique<fcl::CollisionObjectd>(Convert(o.geometry.shape), o.geometry.X_FG);
      object->computeAABB();
      manager.registerObject(object.get());
      obstacles.push_back(std::move(object));
    }
    manager.setup();
  }

  void Place(const kinematics::Chain& chain, const Eigen::Isometry3d& X_WB,
             const Eigen::VectorXd& q) {
    chain.LinkPoses(q, &X_BL);
    for (auto& o : robot) {
      o.object->setTransform(X_WB * X_BL[static_cast<std::size_t>(o.link)] * o.X_LG);
      o.object->computeAABB();
    }
  }

  bool CollideEnvironment() const {
    fcl::CollisionRequestd request;
    for (const auto& o : robot) {
      for (const auto& obstacle : obstacles) {
        fcl::CollisionResultd result;
        if (fcl::collide(o.object.get(), obstacle.get(), request, result) > 0) return true;
      }
    }
    return false;
  }

  bool CollideSelf() const {
    fcl::CollisionRequestd request;
    for (const auto& [i, j] : self_pairs) {
      fcl::CollisionResultd result;
      if (fcl::collide(robot[static_cast<std::size_t>(i)].object.get(),
                       robot[static_cast<std::size_t>(j)].object.get(), request, result) > 0) {
        return true;
      }
    }
    return false;
  }

  bool CollideBroadphase() {
    for (const auto& o : robot) {
      fcl::DefaultCollisionData<double> data;
      manager.collide(o.object.get(), &data, fcl::DefaultCollisionFunction<double>);
      if (data.result.isCollision()) return true;
    }
    return false;
  }

  double Distance() const {
    fcl::DistanceRequestd request;
    double best = std::numeric_limits<double>::infinity();
    for (const auto& o : robot) {
      for (const auto& obstacle : obstacles) {
        fcl::DistanceResultd result;
        fcl::distance(o.object.get(), obstacle.get(), request, result);
        best = std::min(best, result.min_distance);
      }
    }
    return best;
  }
};

constexpr int kStates = 16;

struct Scene {
  cell::Cell cell;
  std::unique_ptr<CollisionWorld> world;
  std::unique_ptr<PlainFcl> plain;
  std::vector<Eigen::VectorXd> free_states;  // welding approaches, 3–10 mm from the body
  std::vector<Eigen::VectorXd> hit_states;   // the gun touches the body
  std::vector<double> clearance;             // of each free state
  std::size_t triangles = 0;
};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "collision_bench: %s\n", what);
  std::abort();
}

std::string Join(const Eigen::VectorXd& q) {
  std::string t;
  for (Eigen::Index j = 0; j < q.size(); ++j) t += std::to_string(q[j]) + " ";
  return t;
}

Scene& GetScene() {
  static Scene* scene = [] {
    auto s = new Scene;
    s->cell = MakeCell();
    s->triangles = s->cell.obstacles[0].geometry.shape.triangle_count();
    const auto t0 = std::chrono::steady_clock::now();
    s->world = std::make_unique<CollisionWorld>(s->cell);
    const double build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    s->plain = std::make_unique<PlainFcl>(s->cell, *s->world);
    CollisionContext ctx(*s->world);
    const auto& chain = s->world->chain(0);
    std::mt19937_64 rng(kSeed);
    const double pi = std::numbers::pi;
    // Around "facing the body" (J1 = 0 points the arm along the base x axis, which the base pose
    // turns to +y, towards the body).
    const double lo[6] = {-0.6, -0.3, -1.0, -pi, -2.0, -pi};
    const double hi[6] = {0.6, 1.2, 1.0, pi, 2.0, pi};
    const Contact gun_body{.first = s->world->gun(0), .second = s->world->obstacle(0)};
    Eigen::VectorXd q(6);
    for (int i = 0; i < 5'000'000 && (static_cast<int>(s->free_states.size()) < kStates ||
                                      static_cast<int>(s->hit_states.size()) < kStates);
         ++i) {
      for (int j = 0; j < 6; ++j) {
        q[j] = lo[j] + (hi[j] - lo[j]) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
      }
      // Selection by complete answers (all contacts, exact clearance), so that it does not
      // depend on the order in which either implementation visits pairs.
      const CollisionResult r = s->world->CheckRobot(ctx, 0, q, {.report = ContactReport::kAll});
      if (!r.in_collision()) {
        if (static_cast<int>(s->free_states.size()) >= kStates) continue;
        const DistanceResult d = s->world->Clearance(ctx, 0, q, {.max_distance = 0.010});
        if (d.status == DistanceStatus::kClear && d.distance >= 0.003 &&
            d.robot_body == s->world->gun(0) && d.obstacle.name == "body") {
          s->free_states.push_back(q);
          s->clearance.push_back(d.distance);
        }
      } else if (static_cast<int>(s->hit_states.size()) < kStates &&
                 std::find(r.contacts.begin(), r.contacts.end(), gun_body) != r.contacts.end()) {
        s->hit_states.push_back(q);
      }
    }
    if (static_cast<int>(s->free_states.size()) < kStates ||
        static_cast<int>(s->hit_states.size()) < kStates) {
      Fail("not enough welding-like states found");
    }
    // Both implementations must agree on every state.
    for (std::size_t i = 0; i < s->free_states.size(); ++i) {
      s->plain->Place(chain, s->cell.robots[0].X_WB, s->free_states[i]);
      if (s->plain->CollideEnvironment() || s->plain->CollideSelf() ||
          s->plain->CollideBroadphase()) {
        Fail("plain FCL finds a free state in collision");
      }
      if (std::abs(s->plain->Distance() - s->clearance[i]) > 1e-6) {
        Fail("plain FCL distance differs from Clearance");
      }
    }
    for (const auto& hit : s->hit_states) {
      s->plain->Place(chain, s->cell.robots[0].X_WB, hit);
      if (!s->plain->CollideEnvironment() || !s->plain->CollideBroadphase()) {
        Fail("plain FCL finds a colliding state free");
      }
    }
    std::fprintf(stderr,
                 "scene: body %zu triangles, %zu fixtures; robot %zu geometries (links + gun), "
                 "%zu self geometry pairs; %d free states (gun 3–10 mm from the body, "
                 "clearance %.1f–%.1f mm), %d states with the gun in the body\n",
                 s->triangles, s->cell.obstacles.size() - 1, s->plain->robot.size(),
                 s->plain->self_pairs.size(), kStates,
                 1e3 * *std::min_element(s->clearance.begin(), s->clearance.end()),
                 1e3 * *std::max_element(s->clearance.begin(), s->clearance.end()), kStates);
    std::fprintf(stderr, "world built in %.1f ms (BVH of the body + ACM from %d samples)\n",
                 build_ms, WorldOptions{}.acm_samples);
    const auto& acm = s->world->allowed_collisions(0);
    std::string checked;
    for (int a = 0; a < acm.body_count(); ++a) {
      for (int b = a + 1; b < acm.body_count(); ++b) {
        if (!acm.allowed(a, b)) {
          checked += " " + std::string(s->world->robot_body(0, a).name) + "–" +
                     std::string(s->world->robot_body(0, b).name);
        }
      }
    }
    std::fprintf(stderr, "checked self pairs:%s\n", checked.c_str());
    std::fprintf(stderr, "first free state: [%s]\nfirst colliding state: [%s]\n",
                 Join(s->free_states[0]).c_str(), Join(s->hit_states[0]).c_str());
    return s;
  }();
  return *scene;
}

enum Case { kFree = 0, kHit = 1 };

/// Cycles through the states of one case; the time per iteration is the time per state.
class States {
 public:
  States(const Scene& s, std::int64_t which)
      : states_(which == kFree ? s.free_states : s.hit_states) {}
  const Eigen::VectorXd& Next() {
    const auto& q = states_[next_];
    next_ = (next_ + 1) % states_.size();
    return q;
  }

 private:
  const std::vector<Eigen::VectorXd>& states_;
  std::size_t next_ = 0;
};

void Label(benchmark::State& state, const Scene& s) {
  state.SetLabel(state.range(0) == kFree ? "free" : "colliding");
  state.counters["triangles"] = static_cast<double>(s.triangles);
}

void BM_Weldcell_EnvironmentAndSelf(benchmark::State& state) {
  Scene& s = GetScene();
  CollisionContext ctx(*s.world);
  States states(s, state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(s.world->CheckRobot(ctx, 0, states.Next()));
  Label(state, s);
}

void BM_Weldcell_Environment(benchmark::State& state) {
  Scene& s = GetScene();
  CollisionContext ctx(*s.world);
  States states(s, state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        s.world->CheckRobot(ctx, 0, states.Next(), {.scope = CheckScope::kEnvironment}));
  }
  Label(state, s);
}

void BM_PlainFcl_EnvironmentAndSelf(benchmark::State& state) {
  Scene& s = GetScene();
  States states(s, state.range(0));
  const auto& chain = s.world->chain(0);
  for (auto _ : state) {
    s.plain->Place(chain, s.cell.robots[0].X_WB, states.Next());
    benchmark::DoNotOptimize(s.plain->CollideEnvironment() || s.plain->CollideSelf());
  }
  Label(state, s);
}

void BM_PlainFcl_Environment(benchmark::State& state) {
  Scene& s = GetScene();
  States states(s, state.range(0));
  const auto& chain = s.world->chain(0);
  for (auto _ : state) {
    s.plain->Place(chain, s.cell.robots[0].X_WB, states.Next());
    benchmark::DoNotOptimize(s.plain->CollideEnvironment());
  }
  Label(state, s);
}

void BM_FclBroadphase_Environment(benchmark::State& state) {
  Scene& s = GetScene();
  States states(s, state.range(0));
  const auto& chain = s.world->chain(0);
  for (auto _ : state) {
    s.plain->Place(chain, s.cell.robots[0].X_WB, states.Next());
    benchmark::DoNotOptimize(s.plain->CollideBroadphase());
  }
  Label(state, s);
}

void BM_Weldcell_Clearance(benchmark::State& state) {
  Scene& s = GetScene();
  CollisionContext ctx(*s.world);
  States states(s, kFree);
  for (auto _ : state) benchmark::DoNotOptimize(s.world->Clearance(ctx, 0, states.Next()));
}

void BM_PlainFcl_Distance(benchmark::State& state) {
  Scene& s = GetScene();
  const auto& chain = s.world->chain(0);
  States states(s, kFree);
  for (auto _ : state) {
    s.plain->Place(chain, s.cell.robots[0].X_WB, states.Next());
    benchmark::DoNotOptimize(s.plain->Distance());
  }
}

#define WELDCELL_COLLISION_BENCH(fn)  \
  BENCHMARK(fn)                       \
      ->Arg(kFree)                    \
      ->Arg(kHit)                     \
      ->Unit(benchmark::kMicrosecond) \
      ->Repetitions(5)                \
      ->ReportAggregatesOnly(true)
WELDCELL_COLLISION_BENCH(BM_Weldcell_EnvironmentAndSelf);
WELDCELL_COLLISION_BENCH(BM_PlainFcl_EnvironmentAndSelf);
WELDCELL_COLLISION_BENCH(BM_Weldcell_Environment);
WELDCELL_COLLISION_BENCH(BM_PlainFcl_Environment);
WELDCELL_COLLISION_BENCH(BM_FclBroadphase_Environment);
BENCHMARK(BM_Weldcell_Clearance)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_PlainFcl_Distance)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace weldcell::collision

BENCHMARK_MAIN();
