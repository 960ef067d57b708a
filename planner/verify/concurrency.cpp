#include "planner/verify/concurrency.hpp"

#include <fmt/format.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"

namespace weldcell::verify::internal {
namespace {

constexpr std::size_t kSamplesPerPiece = 10;  // 0.1 s of motion at the format's 10 ms

std::string Sec(double t) {
  return std::abs(t) < 1e6 ? fmt::format("{:.3f}", t) : fmt::format("{:.6g}", t);
}

using Box = Eigen::AlignedBox3d;

bool AnyOverlap(const std::vector<Box>& a, const Box& all_b) {
  return std::any_of(a.begin(), a.end(), [&](const Box& x) { return x.intersects(all_b); });
}

bool AnyPairOverlaps(const std::vector<Box>& a, const std::vector<Box>& b, const Box& all_b) {
  for (const Box& x : a) {
    if (x.isEmpty() || !x.intersects(all_b)) continue;
    for (const Box& y : b) {
      if (!y.isEmpty() && x.intersects(y)) return true;
    }
  }
  return false;
}

// Configurations of a chunk of a segment, dense enough that no robot point travels more than
// `step` between two, with their planned times and world boxes of their bodies.
struct Chunk {
  std::vector<Eigen::VectorXd> q;
  std::vector<double> t;
  std::vector<std::vector<Box>> bodies;  // per configuration, per body
  std::vector<Box> all;                  // per configuration
  std::vector<Box> body_union;           // per body, over the configurations
  Box total;
};

// A piece of a robot's timeline that the events bound: a segment or a standstill.
struct Span {
  int start_event = -1;  // -1: the station's start (time 0)
  int end_event = -1;    // -1: never ends (the final rest)
  std::string name;      // "W03→W04 (segment 33, 12.300–13.100 s)"
  double start_time = 0.0;
  std::vector<Chunk> chunks;
  Box total;
};

class SpanMaker {
 public:
  SpanMaker(const collision::CollisionWorld& world, collision::CollisionContext& ctx, int robot,
            double step)
      : world_(world), ctx_(ctx), robot_(robot), step_(step) {}

  Chunk Make(const plan::Segment& s, std::size_t first, std::size_t last) {
    Chunk c;
    Add(&c, s.q[first], s.times[first]);
    const collision::DisplacementBound& bound = world_.displacement_bound(robot_);
    for (std::size_t i = first + 1; i <= last; ++i) {
      const double travel = bound.MaxTravel(s.q[i - 1], s.q[i]);
      if (travel <= 0.0) continue;
      const int n = std::max(1, static_cast<int>(std::ceil(travel / step_)));
      for (int k = 1; k <= n; ++k) {
        const double f = static_cast<double>(k) / n;
        Add(&c, s.q[i - 1] + f * (s.q[i] - s.q[i - 1]),
            s.times[i - 1] + f * (s.times[i] - s.times[i - 1]));
      }
    }
    return c;
  }

 private:
  void Add(Chunk* c, const Eigen::VectorXd& q, double t) {
    std::vector<Box> boxes;
    world_.BodyBoxes(ctx_, robot_, q, 0.0, &boxes);
    Box all;
    all.setEmpty();
    if (c->body_union.empty()) {
      c->body_union.resize(boxes.size());
      for (Box& b : c->body_union) b.setEmpty();
      c->total.setEmpty();
    }
    for (std::size_t b = 0; b < boxes.size(); ++b) {
      if (boxes[b].isEmpty()) continue;
      all.extend(boxes[b]);
      c->body_union[b].extend(boxes[b]);
    }
    c->total.extend(all);
    c->q.push_back(q);
    c->t.push_back(t);
    c->bodies.push_back(std::move(boxes));
    c->all.push_back(all);
  }

  const collision::CollisionWorld& world_;
  collision::CollisionContext& ctx_;
  int robot_;
  double step_;
};

std::string SegmentText(const plan::Segment& s, int index) {
  const std::string what = s.kind == plan::SegmentKind::kWeld ? fmt::format("{} dwell", s.from)
                                                              : fmt::format("{}→{}", s.from, s.to);
  return fmt::format("{} (segment {}, {}–{} s)", what, index, Sec(s.times.front()),
                     Sec(s.times.back()));
}

// The spans of robot p: before each gated segment (and before the first, at home, when gated) a
// standstill, every motion and weld segment, and the final rest at home. A standstill before an
// ungated segment lasts no time in any timing: its configuration is the end of the segment before.
std::vector<Span> RobotSpans(const plan::RobotPlan& r, const SegmentOrder& order, int p,
                             SpanMaker* maker) {
  std::vector<Span> spans;
  const std::vector<int>& active = order.active[p];
  const int m = static_cast<int>(active.size());
  auto standstill = [&](const plan::Segment& at, std::size_t sample, int start_event, int end_event,
                        std::string name) {
    Span s{.start_event = start_event,
           .end_event = end_event,
           .name = std::move(name),
           .start_time = at.times[sample],
           .chunks = {maker->Make(at, sample, sample)},
           .total = {}};
    s.total = s.chunks.front().total;
    spans.push_back(std::move(s));
  };
  for (int j = 0; j < m; ++j) {
    const plan::Segment& seg = r.segments[active[j]];
    if (order.gated[p][j]) {
      const std::string place = j == 0 ? "home" : r.segments[active[j - 1]].to;
      const plan::Segment& at = j == 0 ? seg : r.segments[active[j - 1]];
      standstill(at, j == 0 ? 0 : at.q.size() - 1, j == 0 ? -1 : 2 * j - 1, 2 * j,
                 fmt::format("standstill at {} before {}", place, SegmentText(seg, active[j])));
    }
    Span s{.start_event = 2 * j,
           .end_event = 2 * j + 1,
           .name = SegmentText(seg, active[j]),
           .start_time = seg.times.front(),
           .chunks = {},
           .total = {}};
    s.total.setEmpty();
    for (std::size_t first = 0;; first += kSamplesPerPiece) {
      const std::size_t last = std::min(first + kSamplesPerPiece, seg.q.size() - 1);
      s.chunks.push_back(maker->Make(seg, first, last));
      s.total.extend(s.chunks.back().total);
      if (last == seg.q.size() - 1) break;
    }
    spans.push_back(std::move(s));
  }
  const plan::Segment& last = r.segments[active.back()];
  standstill(last, last.q.size() - 1, 2 * m - 1, -1,
             fmt::format("standstill at {} after {}", last.to, SegmentText(last, active.back())));
  return spans;
}

// Span x of robot a ends before span y of robot b starts, whatever the durations.
bool Before(const SegmentOrder& order, int a, const Span& x, int b, const Span& y) {
  if (x.end_event < 0 || y.start_event < 0) return false;
  return order.Precedes(a, x.end_event, b, y.start_event);
}

struct Touch {
  double time_a = 0.0, time_b = 0.0;
  std::string text;
};

std::optional<Touch> CheckSpans(const collision::CollisionWorld& world,
                                collision::CollisionContext& ctx, int robot_a, const Span& x,
                                int robot_b, const Span& y, long long* checks) {
  if (!x.total.intersects(y.total)) return std::nullopt;
  for (const Chunk& ca : x.chunks) {
    if (!ca.total.intersects(y.total)) continue;
    for (const Chunk& cb : y.chunks) {
      if (!ca.total.intersects(cb.total) ||
          !AnyPairOverlaps(ca.body_union, cb.body_union, cb.total)) {
        continue;
      }
      for (std::size_t i = 0; i < ca.q.size(); ++i) {
        if (!ca.all[i].intersects(cb.total) || !AnyOverlap(ca.bodies[i], cb.total)) continue;
        for (std::size_t k = 0; k < cb.q.size(); ++k) {
          if (!ca.all[i].intersects(cb.all[k]) ||
              !AnyPairOverlaps(ca.bodies[i], cb.bodies[k], cb.all[k])) {
            continue;
          }
          ++*checks;
          const collision::CollisionResult r =
              world.CheckRobotPair(ctx, robot_a, ca.q[i], robot_b, cb.q[k]);
          if (!r.in_collision()) continue;
          const collision::Contact& c = r.contacts.front();
          return Touch{ca.t[i], cb.t[k],
                       std::string(c.first.name) + " – " + std::string(c.second.name)};
        }
      }
    }
  }
  return std::nullopt;
}

struct TaskResult {
  std::vector<Violation> violations;
  long long unordered = 0;
  long long checks = 0;
};

}  // namespace

ConcurrencyResult CheckConcurrency(const plan::Plan& plan, const collision::CollisionWorld& world,
                                   const std::vector<int>& robot_of_plan, const SegmentOrder& order,
                                   double resolution, const VerifyOptions& options) {
  WELDCELL_CHECK(resolution > 0.0);
  const int n = static_cast<int>(plan.robots.size());
  const int threads = std::max(1, ResolveThreadCount(options.threads));
  std::vector<collision::CollisionContext> contexts;
  for (int t = 0; t < threads; ++t) contexts.emplace_back(world);
  // Half the resolution per robot: any pair of configurations on two sweeps is then within the
  // resolution (both robots' travel together) of a checked pair, as in Verify's pair check.
  std::vector<std::vector<Span>> spans(n);
  ParallelFor(n, std::min(threads, std::max(n, 1)), [&](int p, int worker) {
    SpanMaker maker(world, contexts[worker], robot_of_plan[p], 0.5 * resolution);
    spans[p] = RobotSpans(plan.robots[p], order, p, &maker);
  });
  struct Task {
    int a, b, x;
  };
  std::vector<Task> tasks;
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      for (std::size_t x = 0; x < spans[a].size(); ++x)
        tasks.push_back({a, b, static_cast<int>(x)});
    }
  }
  std::vector<TaskResult> results(tasks.size());
  std::mutex progress_mutex;
  int done = 0;
  const int task_count = static_cast<int>(tasks.size());
  ParallelFor(
      task_count, threads,
      [&](int i, int worker) {
        const Task& task = tasks[i];
        const Span& x = spans[task.a][task.x];
        TaskResult& out = results[i];
        for (const Span& y : spans[task.b]) {
          if (Before(order, task.a, x, task.b, y) || Before(order, task.b, y, task.a, x)) continue;
          ++out.unordered;
          const std::optional<Touch> touch =
              CheckSpans(world, contexts[worker], robot_of_plan[task.a], x, robot_of_plan[task.b],
                         y, &out.checks);
          if (!touch) continue;
          const std::string& ra = plan.robots[task.a].robot;
          const std::string& rb = plan.robots[task.b].robot;
          out.violations.push_back(
              {.kind = ViolationKind::kUnorderedContact,
               .time = std::min(x.start_time, y.start_time),
               .robot = ra,
               .message = fmt::format(
                   "{} {} and {} {} may overlap for some timing (no zone, weld signal or program "
                   "order separates them) and touch: {} ({} at {} s, {} at {} s of the planned "
                   "clock)",
                   ra, x.name, rb, y.name, touch->text, ra, Sec(touch->time_a), rb,
                   Sec(touch->time_b))});
        }
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress.Report(kConcurrencyStage, ++done, task_count);
      },
      [&options] { return options.progress.cancelled(); });
  ConcurrencyResult result;
  result.figures.run = !options.progress.cancelled();
  for (TaskResult& r : results) {
    result.figures.unordered_pairs += r.unordered;
    result.figures.checks += r.checks;
    for (Violation& v : r.violations) result.violations.push_back(std::move(v));
  }
  return result;
}

}  // namespace weldcell::verify::internal
