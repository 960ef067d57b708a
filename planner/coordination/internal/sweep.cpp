#include "planner/coordination/internal/sweep.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "planner/collision/collision_world.hpp"
#include "planner/common/check.hpp"

namespace weldcell::coordination::internal {
namespace {

constexpr int kLeafSamples = 1;  // a leaf is one sample: its check is exact (travel 0)

// Largest time step after which no point of the robot has moved more than `travel`, given its
// joint velocity now and its acceleration limits (|q̇_i(t+τ)| ≤ |q̇_i(t)| + a_i τ).
double SafeStep(const collision::DisplacementBound& bound, const Eigen::VectorXd& qd,
                const Eigen::VectorXd& amax, double travel) {
  double v = 0, a = 0;
  for (Eigen::Index i = 0; i < qd.size(); ++i) {
    v += bound.lever_arm[static_cast<std::size_t>(i)] * std::abs(qd[i]);
    a += bound.lever_arm[static_cast<std::size_t>(i)] * amax[i];
  }
  if (a <= 0) return v > 0 ? travel / v : 1.0;
  return (-v + std::sqrt(v * v + 2 * a * travel)) / a;
}

// Largest time step after which no point of the robot has moved more than `travel`, given the
// peak joint speeds of the whole motion; infinity when it does not move.
double PeakSpeedStep(const collision::DisplacementBound& bound, const Eigen::VectorXd& peak,
                     double travel) {
  double v = 0;
  for (Eigen::Index i = 0; i < peak.size(); ++i) {
    v += bound.lever_arm[static_cast<std::size_t>(i)] * peak[i];
  }
  return v > 0 ? travel / v : std::numeric_limits<double>::infinity();
}

void Grow(std::vector<Eigen::AlignedBox3d>& into, const std::vector<Eigen::AlignedBox3d>& add) {
  if (into.empty()) {
    into = add;
    return;
  }
  for (std::size_t k = 0; k < into.size(); ++k) into[k].extend(add[k]);
}

Eigen::AlignedBox3d UnionOf(const std::vector<Eigen::AlignedBox3d>& boxes) {
  Eigen::AlignedBox3d all;  // empty
  for (const Eigen::AlignedBox3d& b : boxes) all.extend(b);
  return all;
}

// The robot's world link poses at one sample of a sweep.
std::span<const Eigen::Isometry3d> PosesAt(const Sweep& sweep, int sample) {
  return {sweep.X_WL.data() + static_cast<std::ptrdiff_t>(sample) * sweep.links,
          static_cast<std::size_t>(sweep.links)};
}

// What the nodes of one sweep are built from: its samples' body boxes and link poses.
struct NodeBuilder {
  const collision::CollisionWorld& world;
  const Sweep& sweep;
  const std::vector<std::vector<Eigen::AlignedBox3d>>& boxes;  ///< Per sample, per body.
  double grow = 0.0;  ///< m: how far the sweep's exact checks grow a body (2 · margin).
  std::vector<SweepNode>& nodes;

  // Sweep::travel of every node: per body, the farthest it gets over the node's samples from
  // where it is at the node's middle (0 for a one-sample range: its check is exact).
  std::vector<double> Travel() const {
    const std::size_t bodies = boxes.front().size();
    std::vector<double> out(nodes.size() * bodies, 0.0);
    std::vector<double> at;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      const SweepNode& node = nodes[n];
      for (int s = node.begin; s < node.end; ++s) {
        if (s == node.middle) continue;
        world.BodyTravel(sweep.robot, PosesAt(sweep, node.middle), PosesAt(sweep, s), grow, &at);
        for (std::size_t k = 0; k < bodies; ++k) {
          out[n * bodies + k] = std::max(out[n * bodies + k], at[k]);
        }
      }
    }
    return out;
  }

  // Builds the node for samples [begin, end) and its subtree; returns its index.
  int Build(int begin, int end) {
    const int index = static_cast<int>(nodes.size());
    const int middle = begin + (end - begin - 1) / 2;
    nodes.push_back({.begin = begin, .end = end, .middle = middle});
    std::vector<Eigen::AlignedBox3d> bodies;
    if (end - begin <= kLeafSamples) {
      for (int s = begin; s < end; ++s) Grow(bodies, boxes[static_cast<std::size_t>(s)]);
    } else {
      const int mid = begin + (end - begin) / 2;
      const int left = Build(begin, mid);
      const int right = Build(mid, end);
      bodies = nodes[static_cast<std::size_t>(left)].bodies;
      Grow(bodies, nodes[static_cast<std::size_t>(right)].bodies);
      nodes[static_cast<std::size_t>(index)].left = left;
      nodes[static_cast<std::size_t>(index)].right = right;
    }
    SweepNode& node = nodes[static_cast<std::size_t>(index)];
    node.all = UnionOf(bodies);
    node.bodies = std::move(bodies);
    return index;
  }
};

// The body pairs (positions in BodyBoxes order) whose boxes over the two nodes' ranges meet,
// into *pairs: no other pair of bodies can touch at any samples of the ranges. False when none.
bool OverlappingBodies(const SweepNode& a, const SweepNode& b,
                       std::vector<std::pair<int, int>>* pairs) {
  pairs->clear();
  if (!a.all.intersects(b.all)) return false;
  for (std::size_t i = 0; i < a.bodies.size(); ++i) {
    if (!a.bodies[i].intersects(b.all)) continue;
    for (std::size_t j = 0; j < b.bodies.size(); ++j) {
      if (a.bodies[i].intersects(b.bodies[j])) {
        pairs->emplace_back(static_cast<int>(i), static_cast<int>(j));
      }
    }
  }
  return !pairs->empty();
}

// How much two nodes' boxes overlap (m³; −1 when apart): where they overlap most, a touch is
// likeliest, so that child pair is searched first (the answer does not depend on the order).
double Overlap(const SweepNode& a, const SweepNode& b) {
  const Eigen::AlignedBox3d both = a.all.intersection(b.all);
  return both.isEmpty() ? -1.0 : both.volume();
}

struct PairSearch {
  const collision::CollisionWorld& world;
  collision::CollisionContext& ctx;
  const Sweep& a;
  const Sweep& b;
  double margin;
  long long* checks;
  /// The body pairs whose boxes meet, of the node pair being checked (OverlappingBodies).
  std::vector<std::pair<int, int>>& pairs;

  // The middle configurations in contact with each body pair's margin grown by the two bodies'
  // travel over the ranges, over the body pairs in `pairs` (the others are apart over the
  // ranges): false means no sample of either range touches any of the other.
  bool Middles(int ia, int ib) const {
    const SweepNode& na = a.nodes[static_cast<std::size_t>(ia)];
    const SweepNode& nb = b.nodes[static_cast<std::size_t>(ib)];
    ++*checks;
    return world.BodyPairsInContactAtPoses(ctx, a.robot, PosesAt(a, na.middle), b.robot,
                                           PosesAt(b, nb.middle), pairs, margin, a.Travel(ia),
                                           b.Travel(ib));
  }

  // The exact check of sample sa of `a` against sample sb of `b`.
  bool Samples(int sa, int sb) const {
    ++*checks;
    return world.BodyPairsInContactAtPoses(ctx, a.robot, PosesAt(a, sa), b.robot, PosesAt(b, sb),
                                           pairs, margin);
  }

  // The exact check of each sweep's first and last samples against the other's.
  bool EndsTouch() const {
    const int la = static_cast<int>(a.q.size()) - 1, lb = static_cast<int>(b.q.size()) - 1;
    const std::array<std::pair<int, int>, 4> ends = {{{0, 0}, {la, lb}, {0, lb}, {la, 0}}};
    for (auto it = ends.begin(); it != ends.end(); ++it) {
      if (std::find(ends.begin(), it, *it) != it) continue;  // a one-sample sweep's ends coincide
      if (Samples(it->first, it->second)) return true;
    }
    return false;
  }

  bool Touch(int ia, int ib) const {
    const SweepNode& na = a.nodes[static_cast<std::size_t>(ia)];
    const SweepNode& nb = b.nodes[static_cast<std::size_t>(ib)];
    if (!OverlappingBodies(na, nb, &pairs) || !Middles(ia, ib)) return false;
    const bool leaf_a = na.left < 0, leaf_b = nb.left < 0;
    if (leaf_a && leaf_b) return true;  // single samples: the check was exact
    // At the roots, the two middle samples themselves, then the pieces' ends against each
    // other: in dense pairs they often touch, which answers at once (deeper down such checks
    // cost more in clear pairs than they save). On station L the ends took a touching pair's
    // contact checks from 61 to 32 on average, a clear pair's from 152 to 154.
    if (ia == 0 && ib == 0 && (Samples(na.middle, nb.middle) || EndsTouch())) return true;
    // Split the node with more samples (the other when it is a leaf).
    if (leaf_b || (!leaf_a && na.end - na.begin >= nb.end - nb.begin)) {
      const SweepNode& left = a.nodes[static_cast<std::size_t>(na.left)];
      const SweepNode& right = a.nodes[static_cast<std::size_t>(na.right)];
      if (Overlap(right, nb) > Overlap(left, nb)) {
        return Touch(na.right, ib) || Touch(na.left, ib);
      }
      return Touch(na.left, ib) || Touch(na.right, ib);
    }
    const SweepNode& left = b.nodes[static_cast<std::size_t>(nb.left)];
    const SweepNode& right = b.nodes[static_cast<std::size_t>(nb.right)];
    if (Overlap(na, right) > Overlap(na, left)) return Touch(ia, nb.right) || Touch(ia, nb.left);
    return Touch(ia, nb.left) || Touch(ia, nb.right);
  }
};

}  // namespace

Sweep BuildSweep(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                 int robot, std::vector<Eigen::VectorXd> q, double margin) {
  Sweep sweep{.robot = robot, .q = std::move(q), .margin = margin};
  std::vector<std::vector<Eigen::AlignedBox3d>> boxes(sweep.q.size());
  std::vector<Eigen::Isometry3d> X_WL;
  for (std::size_t s = 0; s < sweep.q.size(); ++s) {
    world.BodyBoxes(ctx, robot, sweep.q[s], margin, &boxes[s]);
    world.LinkPosesInWorld(robot, sweep.q[s], &X_WL);
    if (s == 0) {
      sweep.links = static_cast<int>(X_WL.size());
      sweep.bodies = static_cast<int>(boxes[s].size());
      sweep.X_WL.reserve(sweep.q.size() * X_WL.size());
    }
    sweep.X_WL.insert(sweep.X_WL.end(), X_WL.begin(), X_WL.end());
  }
  if (!sweep.q.empty()) {
    NodeBuilder builder{
        .world = world, .sweep = sweep, .boxes = boxes, .grow = 2.0 * margin, .nodes = sweep.nodes};
    builder.Build(0, static_cast<int>(sweep.q.size()));
    sweep.travel = builder.Travel();
  }
  return sweep;
}

std::vector<Eigen::VectorXd> SampleConfigurations(const collision::CollisionWorld& world, int robot,
                                                  const motion::MotionProfile& profile,
                                                  double resolution) {
  const collision::DisplacementBound& bound = world.displacement_bound(robot);
  const Eigen::VectorXd& amax = world.chain(robot).acceleration_limits();
  // The step the profile's peak joint speeds allow (|Δq_i| <= peak_i τ): the acceleration bound
  // alone gives steps of a few 10 ms whatever the speed, so a slow motion (a low speed_scale or
  // velocity limit) got samples in proportion to its duration, not to its travel: 14 GB for a
  // joint limited to 1e-7 rad/s. With it the samples grow with the travel only.
  const double speed_step = PeakSpeedStep(bound, profile.PeakVelocity(), resolution);
  std::vector<Eigen::VectorXd> q;
  const double duration = profile.duration();
  for (double t = 0.0;;) {
    const motion::JointState s = profile.Sample(t);
    q.push_back(s.q);
    if (t >= duration) break;
    const double step = std::max(SafeStep(bound, s.qd, amax, resolution), speed_step);
    t = std::min(duration, t + std::max(step, 1e-6));
  }
  return q;
}

Sweep SampleSweep(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                  int robot, const motion::MotionProfile& profile, double resolution,
                  double margin) {
  return BuildSweep(world, ctx, robot, SampleConfigurations(world, robot, profile, resolution),
                    margin);
}

Sweep StillSweep(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                 int robot, const Eigen::VectorXd& q, double margin) {
  return BuildSweep(world, ctx, robot, {q}, margin);
}

bool SweepsTouch(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                 const Sweep& a, const Sweep& b, double margin, long long* checks) {
  if (a.nodes.empty() || b.nodes.empty()) return false;
  WELDCELL_CHECK(a.margin == margin && b.margin == margin);
  std::vector<std::pair<int, int>> pairs;
  return PairSearch{world, ctx, a, b, margin, checks, pairs}.Touch(0, 0);
}

Eigen::AlignedBox3d Bounds(const Sweep& sweep) {
  return sweep.nodes.empty() ? Eigen::AlignedBox3d() : sweep.nodes.front().all;
}

}  // namespace weldcell::coordination::internal
