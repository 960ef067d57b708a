#include "planner/learned/roadmap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numbers>
#include <queue>
#include <random>
#include <utility>

#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"
#include "planner/common/random.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::learned {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// s: the slowest joint's own rest-to-rest time (a lower bound of the analytic estimate, cheap
// enough to rank every node against every other).
double SlowestJoint(const FeatureRobot& robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  double t = 0.0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    const double dq = std::abs(b[i] - a[i]);
    if (dq <= 0) continue;
    const double v = robot.limits.max_velocity[i] * robot.speed_scale;
    const double acc = robot.limits.max_acceleration[i];
    t = std::max(t, dq >= v * v / acc ? dq / v + v / acc : 2.0 * std::sqrt(dq / acc));
  }
  return t;
}

// Indices of the `count` nodes nearest to q (SlowestJoint, ties by index), nearest first.
std::vector<int> Nearest(const FeatureRobot& robot, const std::vector<Eigen::VectorXd>& nodes,
                         const Eigen::VectorXd& q, int count, int skip) {
  std::vector<std::pair<double, int>> d;
  d.reserve(nodes.size());
  for (int j = 0; j < static_cast<int>(nodes.size()); ++j) {
    if (j != skip) d.emplace_back(SlowestJoint(robot, q, nodes[static_cast<std::size_t>(j)]), j);
  }
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(std::max(0, count)), d.size());
  std::partial_sort(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n), d.end());
  std::vector<int> out;
  for (std::size_t k = 0; k < n; ++k) out.push_back(d[k].second);
  return out;
}

}  // namespace

double CruiseTime(const FeatureRobot& robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  double t = 0.0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    t = std::max(t, std::abs(b[i] - a[i]) / (robot.limits.max_velocity[i] * robot.speed_scale));
  }
  return t;
}

bool RoadmapFree(const FeatureRobot& robot, const DistanceField& field, const Eigen::VectorXd& a,
                 const Eigen::VectorXd& b);

namespace {

bool FreeStraight(const FeatureRobot& robot, const DistanceField& field, const Eigen::VectorXd& a,
                  const Eigen::VectorXd& b) {
  return RoadmapFree(robot, field, a, b);
}

// The roadmap's robot points at q, world frame, with the clearance each must keep (m): link
// origins past joint 1 and the midpoints between consecutive ones (the arm's body), the flange,
// the TCP and the midpoint between them (the gun).
int RoadmapPoints(const FeatureRobot& robot, const Eigen::VectorXd& q,
                  std::vector<Eigen::Isometry3d>& poses, std::array<Eigen::Vector3d, 24>& p,
                  std::array<double, 24>& margin) {
  const double arm = kRoadmapArmMargin, tool = kRoadmapToolMargin;
  robot.chain.LinkPoses(q, &poses);
  int n = 0;
  const int first = std::min<int>(2, static_cast<int>(poses.size()) - 1);
  for (std::size_t k = static_cast<std::size_t>(first); k < poses.size() && n < 20; ++k) {
    const Eigen::Vector3d x = robot.X_WB * poses[k].translation();
    if (k > static_cast<std::size_t>(first)) {
      p[n] = 0.5 * (x + p[n - 1]);
      margin[n++] = arm;
    }
    p[n] = x;
    margin[n++] = arm;
  }
  const Eigen::Vector3d flange = p[n - 1];
  const Eigen::Vector3d tcp = robot.X_WB * (poses.back() * robot.X_FT).translation();
  p[n] = 0.5 * (flange + tcp);
  margin[n++] = tool;
  p[n] = tcp;
  margin[n++] = tool;
  return n;
}

}  // namespace

bool RoadmapFree(const FeatureRobot& robot, const DistanceField& field, const Eigen::VectorXd& a,
                 const Eigen::VectorXd& b) {
  std::vector<Eigen::Isometry3d> poses;
  std::array<std::array<Eigen::Vector3d, 24>, 2> p;
  std::array<std::array<double, 24>, 2> d{}, m{};
  const Eigen::VectorXd dq = b - a;
  Eigen::VectorXd q(a.size());
  const bool same = dq.cwiseAbs().maxCoeff() <= 0.0;
  const int last = same ? 0 : kPathSamples + 1;
  int count = 0;
  for (int s = 0; s <= last; ++s) {
    const double u = s == 0 ? 0.0 : s == kPathSamples + 1 ? 1.0 : (s - 0.5) / kPathSamples;
    q = a + u * dq;
    auto& ps = p[s % 2];
    auto& ds = d[s % 2];
    auto& ms = m[s % 2];
    const int n = RoadmapPoints(robot, q, poses, ps, ms);
    for (int k = 0; k < n; ++k) {
      ds[k] = field.Distance(ps[k]);
      if (ds[k] < ms[k]) return false;
    }
    if (s > 0) {
      const auto& p0 = p[(s + 1) % 2];
      const auto& d0 = d[(s + 1) % 2];
      for (int k = 0; k < std::min(n, count); ++k) {
        // The balls around the two positions, shrunk by the margin, must contain the chord.
        if ((ps[k] - p0[k]).norm() > (ds[k] - ms[k]) + (d0[k] - ms[k])) return false;
      }
    }
    count = n;
  }
  return true;
}

Roadmap::Roadmap(const FeatureRobot& robot, const DistanceField& field,
                 std::vector<Eigen::VectorXd> nodes, int threads, const Progress& progress)
    : nodes_(std::move(nodes)) {
  const int n = size();
  for (const Eigen::VectorXd& q : nodes_) WELDCELL_CHECK(q.size() == robot.chain.dof());
  // Unconnected until step 3 finds a way: what a cancelled build leaves.
  time_.assign(static_cast<std::size_t>(n) * n, kInfinity);
  hops_.assign(static_cast<std::size_t>(n) * n, 0);
  // One unit per node and step; counted and reported under one lock, so `done` only grows.
  std::mutex report_mutex;
  std::int64_t done = 0;
  auto node_done = [&] {
    const std::lock_guard<std::mutex> lock(report_mutex);
    progress.Report(kRoadmapStage, ++done, 2 * static_cast<std::int64_t>(n));
  };
  auto cancelled = [&] { return progress.cancelled(); };
  // Step 2: every node's free neighbours, by node (independent of the thread count).
  std::vector<std::vector<int>> found(static_cast<std::size_t>(n));
  ParallelFor(
      n, threads,
      [&](int i, int) {
        const Eigen::VectorXd& qi = nodes_[static_cast<std::size_t>(i)];
        auto& out = found[static_cast<std::size_t>(i)];
        for (int j : Nearest(robot, nodes_, qi, kRoadmapTries, i)) {
          if (FreeStraight(robot, field, qi, nodes_[static_cast<std::size_t>(j)])) {
            out.push_back(j);
          }
          if (static_cast<int>(out.size()) >= kRoadmapNeighbours) break;
        }
        node_done();
      },
      cancelled);
  if (cancelled()) return;
  std::vector<std::vector<std::pair<int, float>>> adjacent(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    for (int j : found[static_cast<std::size_t>(i)]) {
      const auto t = static_cast<float>(CruiseTime(robot, nodes_[static_cast<std::size_t>(i)],
                                                   nodes_[static_cast<std::size_t>(j)]));
      adjacent[static_cast<std::size_t>(i)].emplace_back(j, t);
      adjacent[static_cast<std::size_t>(j)].emplace_back(i, t);
    }
  }
  for (auto& a : adjacent) {
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end(),
                        [](const auto& x, const auto& y) { return x.first == y.first; }),
            a.end());
    edges_ += static_cast<int>(a.size());
  }
  edges_ /= 2;
  // Step 3: Dijkstra from every node (ties by node index), rows by source.
  ParallelFor(
      n, threads,
      [&](int s, int) {
        float* t = time_.data() + Index(s, 0);
        std::uint16_t* h = hops_.data() + Index(s, 0);
        using Item = std::pair<float, int>;
        std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
        t[s] = 0.0f;
        open.emplace(0.0f, s);
        while (!open.empty()) {
          const auto [d, u] = open.top();
          open.pop();
          if (d > t[u]) continue;
          for (const auto& [v, w] : adjacent[static_cast<std::size_t>(u)]) {
            const float nd = d + w;
            if (nd < t[v]) {
              t[v] = nd;
              h[v] = static_cast<std::uint16_t>(std::min<int>(h[u] + 1, 65535));
              open.emplace(nd, v);
            }
          }
        }
        node_done();
      },
      cancelled);
}

void Roadmap::Attach(const FeatureRobot& robot, const DistanceField& field,
                     const Eigen::VectorXd& q, std::array<int, kAttach>* node,
                     std::array<float, kAttach>* seconds) const {
  node->fill(-1);
  seconds->fill(0.0f);
  int k = 0;
  for (int j : Nearest(robot, nodes_, q, kAttachTries, -1)) {
    const Eigen::VectorXd& qj = nodes_[static_cast<std::size_t>(j)];
    if (!FreeStraight(robot, field, q, qj)) continue;
    (*node)[static_cast<std::size_t>(k)] = j;
    (*seconds)[static_cast<std::size_t>(k)] = static_cast<float>(CruiseTime(robot, q, qj));
    if (++k == kAttach) break;
  }
}

Roadmap::Way Roadmap::Through(const std::array<int, kAttach>& a,
                              const std::array<float, kAttach>& a_seconds,
                              const std::array<int, kAttach>& b,
                              const std::array<float, kAttach>& b_seconds) const {
  Way best{.seconds = std::numeric_limits<double>::infinity(), .hops = 0};
  for (int i = 0; i < kAttach && a[static_cast<std::size_t>(i)] >= 0; ++i) {
    for (int j = 0; j < kAttach && b[static_cast<std::size_t>(j)] >= 0; ++j) {
      const int u = a[static_cast<std::size_t>(i)], v = b[static_cast<std::size_t>(j)];
      const float mid = time(u, v);
      if (!std::isfinite(mid)) continue;
      const double t = static_cast<double>(a_seconds[static_cast<std::size_t>(i)]) + mid +
                       static_cast<double>(b_seconds[static_cast<std::size_t>(j)]);
      if (t < best.seconds) {
        best.seconds = t;
        best.hops = hops(u, v) + (a_seconds[static_cast<std::size_t>(i)] > 0) +
                    (b_seconds[static_cast<std::size_t>(j)] > 0);
      }
    }
  }
  return best;
}

std::vector<Eigen::VectorXd> RoadmapNodes(const cell::Cell& cell, int robot,
                                          const FeatureRobot& features, const DistanceField& field,
                                          const reach::ReachMap& reach, const Progress& progress) {
  const cell::Robot& r = cell.robots[static_cast<std::size_t>(robot)];
  std::vector<Eigen::VectorXd> out{r.home};
  std::vector<Eigen::Vector3d> work;  // weld points the robot reaches, world frame
  for (int w = 0; w < reach.weld_count(); ++w) {
    const reach::WeldReach& e = reach.at(w, robot);
    if (e.status != reach::ReachStatus::kReachable) continue;
    work.push_back(cell.welds[static_cast<std::size_t>(w)].p_W);
    for (int c : reach::DiverseCandidates(e.candidates, kRoadmapCandidatesPerWeld)) {
      out.push_back(e.candidates[static_cast<std::size_t>(c)].q_approach);
    }
  }
  if (static_cast<int>(out.size()) > kRoadmapMaxNodes) {
    // Every other anchor (by a fixed stride) until they fit, home kept.
    std::vector<Eigen::VectorXd> kept{out[0]};
    const double stride = static_cast<double>(out.size() - 1) / (kRoadmapMaxNodes - 1);
    for (int k = 0; k < kRoadmapMaxNodes - 1; ++k) {
      kept.push_back(out[1 + static_cast<std::size_t>(std::floor(k * stride))]);
    }
    out = std::move(kept);
  }
  if (work.empty()) return out;
  // Random free configurations where the robot works (within one turn of home per joint).
  const kinematics::Chain& chain = features.chain;
  std::mt19937_64 rng(SplitMix64(kRoadmapSeed));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int wanted = std::min(kRoadmapRandomNodes, kRoadmapMaxNodes - static_cast<int>(out.size()));
  int added = 0;
  std::vector<Eigen::Isometry3d> poses;
  for (int attempt = 0;
       attempt < 200 * kRoadmapRandomNodes && added < wanted && !progress.cancelled(); ++attempt) {
    Eigen::VectorXd q(chain.dof());
    for (int i = 0; i < chain.dof(); ++i) {
      const double lo = std::max(chain.lower()[i], r.home[i] - std::numbers::pi);
      const double hi = std::min(chain.upper()[i], r.home[i] + std::numbers::pi);
      q[i] = lo + (hi - lo) * unit(rng);
    }
    const Eigen::Vector3d p = features.X_WB * chain.TcpPose(q, features.X_FT).translation();
    bool near = false;
    for (const Eigen::Vector3d& w : work) {
      if ((w - p).squaredNorm() <= kRoadmapWorkRadius * kRoadmapWorkRadius) {
        near = true;
        break;
      }
    }
    // Most where the robot works; every kRoadmapTransitEvery-th anywhere it can be (the ways
    // between work areas).
    if (!near && added % kRoadmapTransitEvery != 0) continue;
    // Free by the field's rule: a configuration "move" to itself checks only its clearance.
    if (!RoadmapFree(features, field, q, q)) continue;
    out.push_back(q);
    ++added;
  }
  return out;
}

FeatureRobot MakeFeatureRobot(const cell::Cell& cell, int robot, const DistanceField& field,
                              const reach::ReachMap& reach, int threads, const Progress& progress) {
  FeatureRobot out = FeatureRobot::FromCell(cell, robot);
  std::vector<Eigen::VectorXd> nodes = RoadmapNodes(cell, robot, out, field, reach, progress);
  if (progress.cancelled()) return out;  // without a roadmap: the caller asked to stop
  out.roadmap = std::make_shared<const Roadmap>(out, field, std::move(nodes), threads, progress);
  return out;
}

}  // namespace weldcell::learned
