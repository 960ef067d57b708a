// Time-parameterization benchmarks (Release): 10k seeded random 6-dof paths with 3-10
// waypoints uniform in [-π, π]^6 and random per-joint limits (v 0.5-6 rad/s, a 1-30 rad/s²).
//
// Target (/work/shared/design/TARGETS.md): 0 limit violations over 10k random paths; ≤ 2 % over
// the time-optimal duration. Known figures elsewhere (not runnable here, no Debian package):
// accelerations 10^10 over the limit; MoveIt's iterative parabolic 6 s vs a 4.09 s optimum.
//
// Per mode, timing is per parameterization (one path per iteration, cycling through the set).
// Counters, computed once over all 10k paths:
//   violations     joints × (analytic peak, or a sample at every phase start/middle/end and 200
//                  uniform times) over the limit × (1 + 1e-9) — must be 0;
//   ratio_mean/max duration over the time-optimal duration along the same geometric path:
//                  exact mode — the sum of closed-form rest-to-rest optima;
//                  blend modes — the grid TOPP-RA reference (step 2e-3 rad);
//   vs_exact_mean  blended duration over the exact-mode duration (what blending gains);
//   reference_ms   time of one reference (grid TOPP-RA) run, for scale.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <vector>

#include "planner/motion/internal/topp_random_paths.hpp"
#include "planner/motion/internal/topp_reference.hpp"
#include "planner/motion/time_parameterization.hpp"

namespace weldcell::motion {
namespace {

constexpr int kPaths = 10000;
constexpr std::uint64_t kSeed = 20260;

const std::vector<internal::TimingCase>& Paths() {
  static const std::vector<internal::TimingCase> paths = [] {
    std::vector<internal::TimingCase> out;
    out.reserve(kPaths);
    for (int i = 0; i < kPaths; ++i) {
      out.push_back(internal::RandomTimingCase(
          kSeed + static_cast<std::uint64_t>(i),
          {.dof = 6, .min_waypoints = 3, .max_waypoints = 10, .awkward_features = false}));
    }
    return out;
  }();
  return paths;
}

int Violations(const MotionProfile& profile, const JointLimits& limits) {
  constexpr double kSlack = 1e-9;
  int count = 0;
  const Eigen::VectorXd peak_v = profile.PeakVelocity();
  const Eigen::VectorXd peak_a = profile.PeakAcceleration();
  count +=
      static_cast<int>((peak_v.array() > limits.max_velocity.array() * (1 + kSlack)).count() +
                       (peak_a.array() > limits.max_acceleration.array() * (1 + kSlack)).count());
  std::vector<double> times;
  for (const ProfilePhase& phase : profile.phases()) {
    times.push_back(phase.start_time);
    times.push_back(phase.start_time + 0.5 * phase.duration);
    times.push_back(std::nextafter(phase.start_time + phase.duration, phase.start_time));
  }
  for (int i = 0; i <= 200; ++i) times.push_back(profile.duration() * i / 200);
  for (double t : times) {
    const JointState s = profile.Sample(t);
    count += static_cast<int>(
        (s.qd.cwiseAbs().array() > limits.max_velocity.array() * (1 + kSlack)).count() +
        (s.qdd.cwiseAbs().array() > limits.max_acceleration.array() * (1 + kSlack)).count());
  }
  return count;
}

double ClosedFormSum(const std::vector<Eigen::VectorXd>& waypoints, const JointLimits& limits) {
  double sum = 0.0;
  for (std::size_t k = 1; k < waypoints.size(); ++k) {
    sum += RestToRestTime(waypoints[k - 1], waypoints[k], limits);
  }
  return sum;
}

struct Quality {
  int violations = 0;
  double ratio_mean = 0.0;
  double ratio_max = 0.0;
  double vs_exact_mean = 0.0;
  double reference_ms = 0.0;
  double duration_mean = 0.0;
};

const Quality& QualityOf(double tolerance) {
  static std::map<double, Quality> cache;
  auto it = cache.find(tolerance);
  if (it != cache.end()) return it->second;
  Quality q;
  double reference_seconds = 0.0;
  for (const internal::TimingCase& c : Paths()) {
    const MotionProfile profile =
        TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = tolerance});
    q.violations += Violations(profile, c.limits);
    const double exact = ClosedFormSum(c.waypoints, c.limits);
    double optimum = exact;
    if (tolerance > 0.0) {
      const auto start = std::chrono::steady_clock::now();
      optimum = internal::ToppReferenceDuration(profile.pieces(), c.limits, 1.0, {.step = 2e-3});
      reference_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    const double ratio = profile.duration() / optimum;
    q.ratio_mean += ratio / kPaths;
    q.ratio_max = std::max(q.ratio_max, ratio);
    q.vs_exact_mean += profile.duration() / exact / kPaths;
    q.duration_mean += profile.duration() / kPaths;
  }
  q.reference_ms = 1e3 * reference_seconds / kPaths;
  return cache.emplace(tolerance, q).first->second;
}

void BM_TimeParameterize(benchmark::State& state) {
  const double tolerance = static_cast<double>(state.range(0)) * 1e-3;
  const auto& paths = Paths();
  std::size_t i = 0;
  for (auto _ : state) {
    const internal::TimingCase& c = paths[i++ % paths.size()];
    benchmark::DoNotOptimize(
        TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = tolerance}));
  }
  const Quality& q = QualityOf(tolerance);
  state.counters["violations"] = q.violations;
  state.counters["ratio_mean"] = q.ratio_mean;
  state.counters["ratio_max"] = q.ratio_max;
  state.counters["vs_exact_mean"] = q.vs_exact_mean;
  state.counters["duration_mean_s"] = q.duration_mean;
  if (tolerance > 0.0) state.counters["reference_ms"] = q.reference_ms;
  state.SetLabel(tolerance > 0.0 ? "blend tolerance " + std::to_string(tolerance) + " rad"
                                 : "exact (stop at corners)");
}
// Argument: blend tolerance in mrad (0 = exact mode).
BENCHMARK(BM_TimeParameterize)->Arg(0)->Arg(10)->Arg(50)->Arg(200)->Unit(benchmark::kMicrosecond);

void BM_RestToRestTime(benchmark::State& state) {
  const auto& paths = Paths();
  std::size_t i = 0;
  for (auto _ : state) {
    const internal::TimingCase& c = paths[i++ % paths.size()];
    benchmark::DoNotOptimize(RestToRestTime(c.waypoints[0], c.waypoints[1], c.limits));
  }
}
BENCHMARK(BM_RestToRestTime)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace weldcell::motion

BENCHMARK_MAIN();
