// Coordination-diagram benchmarks (Release): the bound of one robot pair's diagram, as the
// route-start round scores thousands of arrangements by it (docs/allocation.md#route-starts).
// Programs of XL's size: two robots of 150 s each in 200 seeded random pieces (0.2-1.3 s), 40
// touching piece pairs, a grid of 0.1 s (1,500 × 1,500 points).
//
//   BM_PairDiagram  the diagram with its path (internal::PairDiagram: full grid, path kept)
//   BM_PairBound    the bound alone (internal::PairBound: one row at a time), the same value

#include <benchmark/benchmark.h>

#include <random>
#include <utility>
#include <vector>

#include "planner/coordination/internal/diagram.hpp"

namespace weldcell::coordination::internal {
namespace {

struct Pair {
  std::vector<double> a, b;
  std::vector<std::pair<int, int>> touching;
};

Pair XlPair() {
  std::mt19937 rng(20261203);
  std::uniform_real_distribution<double> length(0.2, 1.3);
  Pair p;
  for (std::vector<double>* d : {&p.a, &p.b}) {
    double t = 0.0;
    while (t < 150.0) d->push_back(length(rng)), t += d->back();
  }
  for (int k = 0; k < 40; ++k) {
    p.touching.emplace_back(1 + static_cast<int>(rng() % p.a.size()),
                            1 + static_cast<int>(rng() % p.b.size()));
  }
  return p;
}

void BM_PairDiagram(benchmark::State& state) {
  const Pair p = XlPair();
  for (auto _ : state) {
    benchmark::DoNotOptimize(PairDiagram(p.a, p.b, p.touching, false, 0.1).Bound());
  }
}
BENCHMARK(BM_PairDiagram)->Unit(benchmark::kMillisecond);

void BM_PairBound(benchmark::State& state) {
  const Pair p = XlPair();
  for (auto _ : state) benchmark::DoNotOptimize(PairBound(p.a, p.b, p.touching, false, 0.1));
}
BENCHMARK(BM_PairBound)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace weldcell::coordination::internal

BENCHMARK_MAIN();
