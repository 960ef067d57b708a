#include "planner/verify/concurrency.hpp"

#include <fmt/format.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"

namespace weldcell::verify::internal {

using Box = Eigen::AlignedBox3d;

namespace {

// Unordered piece pairs checked per parallel block: the unit of progress, of cancellation and of
// the contact cap (a constant, so that where the check stops does not depend on threads).
constexpr int kPairsPerBlock = 64;
// m: node pairs whose travel radii add up to more than this are not tried with a margin (a
// margin check of a long sweep almost never proves it free and costs more than a plain one).
constexpr double kMaxMarginReach = 0.1;
// m added to the margin: FCL's distance and contact tolerances must not let a contact of the
// dense check slip through a margin check.
constexpr double kMarginSlack = 1e-4;

std::string Sec(double t) {
  return std::abs(t) < 1e6 ? fmt::format("{:.3f}", t) : fmt::format("{:.6g}", t);
}

}  // namespace

SweptPiece::SweptPiece(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                       int robot, std::span<const Eigen::VectorXd> q, std::span<const double> t,
                       double step)
    : robot_(robot) {
  WELDCELL_CHECK(!q.empty() && q.size() == t.size() && step > 0.0);
  const collision::DisplacementBound& bound = world.displacement_bound(robot);
  q_.push_back(q[0]);
  t_.push_back(t[0]);
  for (std::size_t i = 1; i < q.size(); ++i) {
    const double travel = bound.MaxTravel(q[i - 1], q[i]);
    if (travel <= 0.0) continue;
    const int n = std::max(1, static_cast<int>(std::ceil(travel / step)));
    for (int k = 1; k <= n; ++k) {
      const double f = static_cast<double>(k) / n;
      q_.push_back(q[i - 1] + f * (q[i] - q[i - 1]));
      t_.push_back(t[i - 1] + f * (t[i] - t[i - 1]));
    }
  }
  // travel[i]: bound on any robot point's path length from configuration 0 to i (along the
  // joint-space polyline, so also on its distance from there).
  const int count = static_cast<int>(q_.size());
  std::vector<double> travel(count, 0.0);
  std::vector<Box> boxes;
  for (int i = 0; i < count; ++i) {
    if (i > 0) travel[i] = travel[i - 1] + bound.MaxTravel(q_[i - 1], q_[i]);
    world.BodyBoxes(ctx, robot, q_[i], 0.0, &boxes);
    if (i == 0) bodies_ = static_cast<int>(boxes.size());
    leaf_.insert(leaf_.end(), boxes.begin(), boxes.end());
  }
  nodes_.reserve(2 * count - 1);
  boxes_.resize((2 * count - 1) * static_cast<std::size_t>(bodies_));
  Build(0, count, travel);
  leaf_.clear();
  leaf_.shrink_to_fit();
}

int SweptPiece::Build(int lo, int hi, const std::vector<double>& travel) {
  const int index = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  const int center = (lo + hi - 1) / 2;
  // Copied into the node at the end: nodes_ grows while the children are built.
  Node node{.lo = lo,
            .hi = hi,
            .center = center,
            .radius = std::max(travel[center] - travel[lo], travel[hi - 1] - travel[center]),
            .left = -1,
            .right = -1,
            .total = {}};
  node.total.setEmpty();
  Box* mine = &boxes_[static_cast<std::size_t>(index) * bodies_];
  if (hi - lo == 1) {
    std::copy_n(&leaf_[static_cast<std::size_t>(lo) * bodies_], bodies_, mine);
  } else {
    const int mid = (lo + hi) / 2;
    node.left = Build(lo, mid, travel);
    node.right = Build(mid, hi, travel);
    const Box* l = boxes(node.left);
    const Box* r = boxes(node.right);
    for (int b = 0; b < bodies_; ++b) mine[b] = l[b].merged(r[b]);
  }
  for (int b = 0; b < bodies_; ++b) {
    if (!mine[b].isEmpty()) node.total.extend(mine[b]);
  }
  nodes_[index] = node;
  return index;
}

// The descent of FindContact over two pieces' trees.
class PairSearch {
 public:
  PairSearch(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
             const SweptPiece& a, const SweptPiece& b, long long* checks, double margin)
      : world_(world), ctx_(ctx), a_(a), b_(b), checks_(checks), margin_(margin) {}

  std::optional<PieceContact> Search(int na, int nb) {
    const SweptPiece::Node& x = a_.nodes_[na];
    const SweptPiece::Node& y = b_.nodes_[nb];
    if (!Grown(x.total).intersects(y.total) || !Overlap(na, nb)) return std::nullopt;
    const bool x_leaf = x.left < 0;
    const bool y_leaf = y.left < 0;
    if (x_leaf && y_leaf) {
      ++*checks_;
      const collision::CollisionResult r =
          world_.CheckRobotPair(ctx_, a_.robot_, a_.q_[x.lo], b_.robot_, b_.q_[y.lo],
                                collision::ContactReport::kFirst, margin_);
      if (!r.in_collision()) return std::nullopt;
      const collision::Contact& c = r.contacts.front();
      return PieceContact{.index_a = x.lo,
                          .index_b = y.lo,
                          .bodies = std::string(c.first.name) + " – " + std::string(c.second.name)};
    }
    // Every configuration of the two ranges is within x.radius, y.radius of the middle ones: two
    // bodies that touch somewhere in them are within the sum of each other at the middle ones.
    const double reach = x.radius + y.radius;
    if (reach <= kMaxMarginReach) {
      ++*checks_;
      if (!world_
               .CheckRobotPair(ctx_, a_.robot_, a_.q_[x.center], b_.robot_, b_.q_[y.center],
                               collision::ContactReport::kFirst,
                               margin_ + 0.5 * (reach + kMarginSlack))
               .in_collision()) {
        return std::nullopt;
      }
    }
    if (!x_leaf && (y_leaf || x.radius >= y.radius)) {
      if (auto c = Search(x.left, nb)) return c;
      return Search(x.right, nb);
    }
    if (auto c = Search(na, y.left)) return c;
    return Search(na, y.right);
  }

 private:
  bool Overlap(int na, int nb) const {
    const Box* p = a_.boxes(na);
    const Box* q = b_.boxes(nb);
    const Box& total_b = b_.nodes_[nb].total;
    for (int i = 0; i < a_.bodies_; ++i) {
      if (p[i].isEmpty()) continue;
      const Box grown = Grown(p[i]);
      if (!grown.intersects(total_b)) continue;
      for (int k = 0; k < b_.bodies_; ++k) {
        if (!q[k].isEmpty() && grown.intersects(q[k])) return true;
      }
    }
    return false;
  }
  // A box of a grown so that it holds what CheckRobotPair with the margin counts as touching.
  Box Grown(const Box& box) const {
    if (margin_ == 0.0 || box.isEmpty()) return box;
    const double grow = collision::PairCheckBoxGrowth(margin_);
    return {box.min().array() - grow, box.max().array() + grow};
  }

  const collision::CollisionWorld& world_;
  collision::CollisionContext& ctx_;
  const SweptPiece& a_;
  const SweptPiece& b_;
  long long* checks_;
  double margin_;
};

std::optional<PieceContact> FindContact(const collision::CollisionWorld& world,
                                        collision::CollisionContext& ctx, const SweptPiece& a,
                                        const SweptPiece& b, long long* checks, double margin) {
  WELDCELL_CHECK(a.robot() != b.robot() && checks != nullptr);
  WELDCELL_CHECK(margin >= 0.0 && std::isfinite(margin));
  return PairSearch(world, ctx, a, b, checks, margin).Search(0, 0);
}

namespace {

// A piece of a robot's timeline that the events bound: a segment or a standstill.
struct Span {
  int start_event = -1;  // -1: the station's start (time 0)
  int end_event = -1;    // -1: never ends (the final rest)
  std::string name;      // "W03→W04 (segment 33, 12.300–13.100 s)"
  double start_time = 0.0;
  SweptPiece piece;
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
                             const collision::CollisionWorld& world,
                             collision::CollisionContext& ctx, int robot, double step) {
  std::vector<Span> spans;
  const std::vector<int>& active = order.active[p];
  const int m = static_cast<int>(active.size());
  auto standstill = [&](const plan::Segment& at, std::size_t sample, int start_event, int end_event,
                        std::string name) {
    spans.push_back({.start_event = start_event,
                     .end_event = end_event,
                     .name = std::move(name),
                     .start_time = at.times[sample],
                     .piece = SweptPiece(world, ctx, robot, std::span(&at.q[sample], 1),
                                         std::span(&at.times[sample], 1), step)});
  };
  for (int j = 0; j < m; ++j) {
    const plan::Segment& seg = r.segments[active[j]];
    if (order.gated[p][j]) {
      const std::string place = j == 0 ? "home" : r.segments[active[j - 1]].to;
      const plan::Segment& at = j == 0 ? seg : r.segments[active[j - 1]];
      standstill(at, j == 0 ? 0 : at.q.size() - 1, j == 0 ? -1 : 2 * j - 1, 2 * j,
                 fmt::format("standstill at {} before {}", place, SegmentText(seg, active[j])));
    }
    spans.push_back({.start_event = 2 * j,
                     .end_event = 2 * j + 1,
                     .name = SegmentText(seg, active[j]),
                     .start_time = seg.times.front(),
                     .piece = SweptPiece(world, ctx, robot, seg.q, seg.times, step)});
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

// An unordered pair of spans: spans[a][x] and spans[b][y], a < b.
struct PairTask {
  int a = 0, b = 0, x = 0, y = 0;
};

struct PairResult {
  std::optional<PieceContact> contact;
  long long checks = 0;
};

}  // namespace

ConcurrencyResult CheckConcurrency(const plan::Plan& plan, const collision::CollisionWorld& world,
                                   const std::vector<int>& robot_of_plan, const SegmentOrder& order,
                                   double resolution, const VerifyOptions& options) {
  WELDCELL_CHECK(resolution > 0.0);
  WELDCELL_CHECK(options.max_unordered_contacts >= 0);
  const int n = static_cast<int>(plan.robots.size());
  const int threads = std::max(1, ResolveThreadCount(options.threads));
  std::vector<collision::CollisionContext> contexts;
  for (int t = 0; t < threads; ++t) contexts.emplace_back(world);
  ConcurrencyResult result;
  // Half the resolution per robot: any pair of configurations on two sweeps is then within the
  // resolution (both robots' travel together) of a checked pair, as in Verify's pair check.
  std::vector<std::vector<Span>> spans(n);
  ParallelFor(
      n, std::min(threads, std::max(n, 1)),
      [&](int p, int worker) {
        spans[p] = RobotSpans(plan.robots[p], order, p, world, contexts[worker], robot_of_plan[p],
                              0.5 * resolution);
      },
      [&options] { return options.progress.cancelled(); });
  if (options.progress.cancelled()) return result;

  std::vector<PairTask> tasks;
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      for (std::size_t x = 0; x < spans[a].size(); ++x) {
        for (std::size_t y = 0; y < spans[b].size(); ++y) {
          if (Before(order, a, spans[a][x], b, spans[b][y]) ||
              Before(order, b, spans[b][y], a, spans[a][x])) {
            continue;
          }
          tasks.push_back({a, b, static_cast<int>(x), static_cast<int>(y)});
        }
      }
    }
  }
  ConcurrencyFigures& figures = result.figures;
  figures.unordered_pairs = static_cast<long long>(tasks.size());
  const int task_count = static_cast<int>(tasks.size());
  const int cap = options.max_unordered_contacts;
  bool stop = false;
  for (int first = 0; first < task_count && !stop; first += kPairsPerBlock) {
    if (options.progress.cancelled()) return result;
    const int count = std::min(kPairsPerBlock, task_count - first);
    std::vector<PairResult> block(count);
    ParallelFor(
        count, threads,
        [&](int i, int worker) {
          const PairTask& task = tasks[first + i];
          block[i].contact = FindContact(world, contexts[worker], spans[task.a][task.x].piece,
                                         spans[task.b][task.y].piece, &block[i].checks);
        },
        [&options] { return options.progress.cancelled(); });
    if (options.progress.cancelled()) return result;
    for (int i = 0; i < count && !stop; ++i) {
      const PairTask& task = tasks[first + i];
      const Span& x = spans[task.a][task.x];
      const Span& y = spans[task.b][task.y];
      ++figures.checked_pairs;
      figures.checks += block[i].checks;
      figures.dense_pairs += static_cast<long long>(x.piece.configurations().size()) *
                             static_cast<long long>(y.piece.configurations().size());
      if (!block[i].contact) continue;
      const PieceContact& c = *block[i].contact;
      const std::string& ra = plan.robots[task.a].robot;
      const std::string& rb = plan.robots[task.b].robot;
      result.violations.push_back(
          {.kind = ViolationKind::kUnorderedContact,
           .time = std::min(x.start_time, y.start_time),
           .robot = ra,
           .message = fmt::format(
               "{} {} and {} {} may overlap for some timing (no zone, weld signal or program "
               "order separates them) and touch: {} ({} at {} s, {} at {} s of the planned "
               "clock)",
               ra, x.name, rb, y.name, c.bodies, ra, Sec(x.piece.times()[c.index_a]), rb,
               Sec(y.piece.times()[c.index_b])),
           .other_robot = rb});
      stop = cap > 0 && static_cast<int>(result.violations.size()) >= cap;
    }
    options.progress.Report(kConcurrencyStage, figures.checked_pairs, task_count);
  }
  figures.capped = figures.checked_pairs < figures.unordered_pairs;
  figures.run = true;
  return result;
}

}  // namespace weldcell::verify::internal
