// Reach time per weld on the demo station: every weld × robot, every IK branch × gun spin,
// with collision, approach and clearance checks (settings of cells/demo/cell.yaml).

#include <benchmark/benchmark.h>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/reach/reach.hpp"

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

}  // namespace
}  // namespace weldcell

BENCHMARK_MAIN();
