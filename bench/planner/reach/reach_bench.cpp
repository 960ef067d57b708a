// Reach time per weld on the demo station: every weld × robot, every IK branch × gun spin,
// with collision, approach and clearance checks (settings of cells/demo/cell.yaml). And on a
// station whose gun works a few centimetres from the forearm (issue 10, item 9), with the mesh
// contact tests of the collision module and with plain FCL, in the same run.

#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <filesystem>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/collision/internal/world_impl.hpp"
#include "planner/reach/reach.hpp"
#include "tests/planner/close_gun.hpp"

namespace weldcell {
namespace {

void BM_ReachDemo(benchmark::State& state) {
  const cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  const collision::CollisionWorld world(c);
  const int threads = static_cast<int>(state.range(0));
  std::size_t candidates = 0;
  for (auto _ : state) {
    const reach::ReachMap map = reach::ReachAll(c, world, {.threads = threads});
    candidates = 0;
    for (int w = 0; w < map.weld_count(); ++w) {
      for (int r = 0; r < map.robot_count(); ++r) candidates += map.at(w, r).candidates.size();
    }
    benchmark::DoNotOptimize(map);
  }
  state.counters["welds"] = static_cast<double>(c.welds.size());
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["per_weld"] = benchmark::Counter(
      static_cast<double>(c.welds.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ReachDemo)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Station S (2 robots, C guns) restricted to its first 8 welds, one thread. Arguments:
// backpack = 1 adds the close-working backpack mesh (tests/planner/close_gun.hpp: 43,200
// triangles, 2 cm from the forearm at J5 = 0) to both guns; plain_fcl = 1 runs every contact
// test through plain fcl::collide (the reference path) instead of the module's mesh traversal.
void BM_ReachCloseGun(benchmark::State& state) {
  cell::Cell c = cell::LoadCell("cells/S/cell.yaml").value;
  c.welds.resize(8);
  if (state.range(0) != 0) {
    for (cell::Robot& r : c.robots) testing::AddBackpack(r.tool, 60, 0.02);
  }
  collision::CollisionWorld world(c);
  if (state.range(1) != 0) collision::internal::UsePlainFclNarrowphase(world);
  std::size_t candidates = 0;
  for (auto _ : state) {
    const reach::ReachMap map = reach::ReachAll(c, world, {.threads = 1});
    candidates = 0;
    for (int w = 0; w < map.weld_count(); ++w) {
      for (int r = 0; r < map.robot_count(); ++r) candidates += map.at(w, r).candidates.size();
    }
    benchmark::DoNotOptimize(map);
  }
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["per_weld"] = benchmark::Counter(
      static_cast<double>(c.welds.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ReachCloseGun)
    ->Args({0, 1})
    ->Args({0, 0})
    ->Args({1, 1})
    ->Args({1, 0})
    ->ArgNames({"backpack", "plain_fcl"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Station S's first 8 welds with R1 the public ROS-Industrial FANUC R-2000iC/165F of
// ../shared/robots (collision meshes on every link; skipped when absent): its mesh links meet the
// guns' and the cell's primitives with the motion margin. plain_fcl as above.
void BM_ReachMeshRobot(benchmark::State& state) {
  const std::filesystem::path urdf = "../shared/robots/fanuc_r2000ic_support/urdf/r2000ic165f.urdf";
  if (!std::filesystem::exists(urdf)) {
    state.SkipWithError("../shared/robots is absent (developer data)");
    return;
  }
  cell::Cell c = cell::LoadCell("cells/S/cell.yaml").value;
  c.welds.resize(8);
  c.robots[0].model = cell::LoadUrdfChain(urdf, "base_link", "tool0").value;
  // The same home in the ROS-Industrial joint convention: q = (q1, q2, -q3, -q4, -q5, -q6).
  c.robots[0].home =
      c.robots[0].home.cwiseProduct((Eigen::VectorXd(6) << 1, 1, -1, -1, -1, -1).finished());
  collision::CollisionWorld world(c);
  if (state.range(0) != 0) collision::internal::UsePlainFclNarrowphase(world);
  std::size_t candidates = 0;
  for (auto _ : state) {
    const reach::ReachMap map = reach::ReachAll(c, world, {.threads = 1});
    candidates = 0;
    for (int w = 0; w < map.weld_count(); ++w) {
      for (int r = 0; r < map.robot_count(); ++r) candidates += map.at(w, r).candidates.size();
    }
    benchmark::DoNotOptimize(map);
  }
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["per_weld"] = benchmark::Counter(
      static_cast<double>(c.welds.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ReachMeshRobot)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("plain_fcl")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace weldcell

BENCHMARK_MAIN();
