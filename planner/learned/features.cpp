#include "planner/learned/features.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>

#include "planner/common/check.hpp"
#include "planner/kinematics/ik.hpp"
#include "planner/learned/roadmap.hpp"

namespace weldcell::learned {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// The world box of a geometry (corners of its local box, transformed).
Eigen::AlignedBox3d WorldBox(const cell::Geometry& g) {
  Eigen::AlignedBox3d local;
  switch (g.shape.kind) {
    case cell::ShapeKind::kBox:
      local.extend(-0.5 * g.shape.box_size).extend(0.5 * g.shape.box_size);
      break;
    case cell::ShapeKind::kCylinder: {
      const Eigen::Vector3d e(g.shape.radius, g.shape.radius, 0.5 * g.shape.length);
      local.extend(-e).extend(e);
      break;
    }
    case cell::ShapeKind::kSphere:
      local.extend(Eigen::Vector3d::Constant(-g.shape.radius))
          .extend(Eigen::Vector3d::Constant(g.shape.radius));
      break;
    case cell::ShapeKind::kMesh:
      for (const Eigen::Vector3d& v : g.shape.mesh->vertices) local.extend(v);
      break;
  }
  Eigen::AlignedBox3d out;
  if (local.isEmpty()) return out;
  for (int c = 0; c < 8; ++c) {
    out.extend(g.X_FG * local.corner(static_cast<Eigen::AlignedBox3d::CornerType>(c)));
  }
  return out;
}

// Inside test of a primitive in its own frame, grown by `grow` m.
bool InsidePrimitive(const cell::Shape& s, const Eigen::Vector3d& p, double grow) {
  switch (s.kind) {
    case cell::ShapeKind::kBox:
      return (p.cwiseAbs() - 0.5 * s.box_size).maxCoeff() <= grow;
    case cell::ShapeKind::kCylinder:
      return std::abs(p.z()) <= 0.5 * s.length + grow && p.head<2>().norm() <= s.radius + grow;
    case cell::ShapeKind::kSphere:
      return p.norm() <= s.radius + grow;
    case cell::ShapeKind::kMesh:
      return false;
  }
  return false;
}

// 1D squared distance transform of f (n values, +inf = no obstacle) into d, with scratch v (n)
// and z (n + 1): the lower envelope of the parabolas rooted at the finite values.
void Dt1d(const float* f, int n, float* d, int* v, float* z) {
  int k = -1;
  for (int q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -kInf;
      z[1] = kInf;
      continue;
    }
    float s = 0;
    while (true) {
      const int p = v[k];
      s = ((f[q] + static_cast<float>(q) * static_cast<float>(q)) -
           (f[p] + static_cast<float>(p) * static_cast<float>(p))) /
          (2.0f * static_cast<float>(q - p));
      if (s <= z[k]) {
        --k;  // z[0] = -inf: never below 0
        continue;
      }
      break;
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = kInf;
  }
  if (k < 0) {
    for (int q = 0; q < n; ++q) d[q] = kInf;
    return;
  }
  k = 0;
  for (int q = 0; q < n; ++q) {
    while (z[k + 1] < static_cast<float>(q)) ++k;
    const float dq = static_cast<float>(q - v[k]);
    d[q] = dq * dq + f[v[k]];
  }
}

double JointTime(double dq, double v, double a) {
  dq = std::abs(dq);
  if (dq <= 0) return 0.0;
  if (dq >= v * v / a) return dq / v + v / a;
  return 2.0 * std::sqrt(dq / a);
}

// World positions of the robot points whose clearance is sampled: link origins past the first
// two links (base and the link turning about joint 1 sit still over the floor), flange, TCP.
template <typename Fn>
void ForRobotPoints(const FeatureRobot& robot, const Eigen::VectorXd& q,
                    std::vector<Eigen::Isometry3d>& poses, Fn&& fn) {
  robot.chain.LinkPoses(q, &poses);
  const int first = std::min<int>(2, static_cast<int>(poses.size()) - 1);
  for (std::size_t k = static_cast<std::size_t>(first); k < poses.size(); ++k) {
    fn(robot.X_WB * poses[k].translation());
  }
  fn(robot.X_WB * (poses.back() * robot.X_FT).translation());
}

double MinClearance(const FeatureRobot& robot, const DistanceField& field, const Eigen::VectorXd& q,
                    std::vector<Eigen::Isometry3d>& poses) {
  double m = DistanceField::kFar;
  ForRobotPoints(robot, q, poses,
                 [&](const Eigen::Vector3d& p) { m = std::min(m, field.Distance(p)); });
  return m;
}

}  // namespace

DistanceField::DistanceField(const cell::Cell& cell, const Progress& progress, double pad) {
  Eigen::AlignedBox3d box;
  for (const cell::Obstacle& o : cell.obstacles) box.extend(WorldBox(o.geometry));
  if (box.isEmpty() || progress.cancelled()) return;
  // Units of work: each obstacle rasterised, then each of the three passes of the transform.
  const auto units = static_cast<std::int64_t>(cell.obstacles.size()) + 3;
  std::int64_t done = 0;
  // Cancelled: the field is left empty (kFar everywhere), for the caller to discard.
  const auto stopped = [&] {
    if (!progress.cancelled()) return false;
    *this = DistanceField();
    return true;
  };
  for (const cell::Robot& r : cell.robots) box.extend(r.X_WB.translation());
  box.min() -= Eigen::Vector3d::Constant(pad);
  box.max() += Eigen::Vector3d::Constant(pad);
  const Eigen::Vector3d size = box.sizes();
  h_ = std::max(0.02, std::cbrt(size.prod() / 2.0e6));
  origin_ = box.min();
  for (int i = 0; i < 3; ++i) n_[i] = std::max(2, static_cast<int>(std::ceil(size[i] / h_)) + 1);
  const std::size_t total = static_cast<std::size_t>(n_[0]) * n_[1] * n_[2];
  std::vector<float> f(total, kInf);
  auto index = [&](int x, int y, int z) {
    return (static_cast<std::size_t>(z) * n_[1] + y) * n_[0] + x;
  };
  auto mark = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector3d g = (p - origin_) / h_;
    const int x = static_cast<int>(std::lround(g.x())), y = static_cast<int>(std::lround(g.y())),
              z = static_cast<int>(std::lround(g.z()));
    if (x < 0 || y < 0 || z < 0 || x >= n_[0] || y >= n_[1] || z >= n_[2]) return;
    f[index(x, y, z)] = 0.0f;
  };
  for (const cell::Obstacle& o : cell.obstacles) {
    const cell::Geometry& g = o.geometry;
    if (g.shape.kind == cell::ShapeKind::kMesh) {
      // Every triangle sampled at half a voxel: each voxel it crosses gets a sample.
      const cell::Mesh& mesh = *g.shape.mesh;
      std::size_t polled = 0;
      for (const auto& t : mesh.triangles) {
        // A car body has some 10⁵–10⁶ triangles: poll every few thousand.
        if (++polled % 4096 == 0 && stopped()) return;
        const Eigen::Vector3d a = g.X_FG * mesh.vertices[t[0]];
        const Eigen::Vector3d b = g.X_FG * mesh.vertices[t[1]];
        const Eigen::Vector3d c = g.X_FG * mesh.vertices[t[2]];
        const double longest = std::max({(b - a).norm(), (c - a).norm(), (c - b).norm()});
        const int n = std::max(1, static_cast<int>(std::ceil(2.0 * longest / h_)));
        for (int i = 0; i <= n; ++i) {
          for (int j = 0; i + j <= n; ++j) {
            mark(a + (b - a) * (static_cast<double>(i) / n) +
                 (c - a) * (static_cast<double>(j) / n));
          }
        }
      }
      if (stopped()) return;
      progress.Report(kDistanceFieldStage, ++done, units);
      continue;
    }
    // Primitives are solid: every voxel centre inside (grown by half a voxel) is an obstacle.
    const Eigen::AlignedBox3d wb = WorldBox(g);
    const Eigen::Isometry3d X_GW = g.X_FG.inverse();
    std::array<int, 3> lo{}, hi{};
    for (int i = 0; i < 3; ++i) {
      lo[i] =
          std::clamp(static_cast<int>(std::floor((wb.min()[i] - origin_[i]) / h_)), 0, n_[i] - 1);
      hi[i] =
          std::clamp(static_cast<int>(std::ceil((wb.max()[i] - origin_[i]) / h_)), 0, n_[i] - 1);
    }
    for (int z = lo[2]; z <= hi[2]; ++z) {
      if (stopped()) return;
      for (int y = lo[1]; y <= hi[1]; ++y) {
        for (int x = lo[0]; x <= hi[0]; ++x) {
          const Eigen::Vector3d p = origin_ + h_ * Eigen::Vector3d(x, y, z);
          if (InsidePrimitive(g.shape, X_GW * p, 0.5 * h_)) f[index(x, y, z)] = 0.0f;
        }
      }
    }
    if (stopped()) return;
    progress.Report(kDistanceFieldStage, ++done, units);
  }
  // Separable squared EDT along x, then y, then z.
  const int longest = std::max({n_[0], n_[1], n_[2]});
  std::vector<float> line(longest), out(longest), z(longest + 1);
  std::vector<int> v(longest);
  for (int axis = 0; axis < 3; ++axis) {
    const int n = n_[axis];
    const std::size_t stride = axis == 0   ? 1
                               : axis == 1 ? n_[0]
                                           : static_cast<std::size_t>(n_[0]) * n_[1];
    const int a1 = axis == 0 ? 1 : 0, a2 = axis == 2 ? 1 : 2;
    for (int j = 0; j < n_[a2]; ++j) {
      if (stopped()) return;
      for (int i = 0; i < n_[a1]; ++i) {
        std::array<int, 3> c{};
        c[a1] = i;
        c[a2] = j;
        c[axis] = 0;
        const std::size_t base = index(c[0], c[1], c[2]);
        for (int k = 0; k < n; ++k) line[k] = f[base + k * stride];
        Dt1d(line.data(), n, out.data(), v.data(), z.data());
        for (int k = 0; k < n; ++k) f[base + k * stride] = out[k];
      }
    }
    progress.Report(kDistanceFieldStage, ++done, units);
  }
  d_.resize(total);
  for (std::size_t i = 0; i < total; ++i) {
    d_[i] = std::min(static_cast<float>(kFar), std::sqrt(f[i]) * static_cast<float>(h_));
  }
}

double DistanceField::Distance(const Eigen::Vector3d& p_W) const {
  if (d_.empty()) return kFar;
  Eigen::Vector3d g = (p_W - origin_) / h_;
  double outside = 0.0;
  std::array<int, 3> i0{};
  std::array<double, 3> t{};
  for (int k = 0; k < 3; ++k) {
    const double clamped = std::clamp(g[k], 0.0, static_cast<double>(n_[k] - 1));
    outside += (g[k] - clamped) * (g[k] - clamped);
    i0[k] = std::min(static_cast<int>(std::floor(clamped)), n_[k] - 2);
    t[k] = clamped - i0[k];
  }
  auto at = [&](int dx, int dy, int dz) {
    return static_cast<double>(
        d_[(static_cast<std::size_t>(i0[2] + dz) * n_[1] + (i0[1] + dy)) * n_[0] + (i0[0] + dx)]);
  };
  double value = 0.0;
  for (int c = 0; c < 8; ++c) {
    const int dx = c & 1, dy = (c >> 1) & 1, dz = (c >> 2) & 1;
    const double w = (dx ? t[0] : 1 - t[0]) * (dy ? t[1] : 1 - t[1]) * (dz ? t[2] : 1 - t[2]);
    value += w * at(dx, dy, dz);
  }
  return std::min(kFar, value + std::sqrt(outside) * h_);
}

FeatureRobot FeatureRobot::FromCell(const cell::Cell& cell, int robot) {
  const cell::Robot& r = cell.robots[static_cast<std::size_t>(robot)];
  kinematics::Chain chain(*r.model);
  FeatureRobot out{.chain = chain,
                   .X_WB = r.X_WB,
                   .X_FT = r.tool.X_FT,
                   .limits = {.max_velocity = chain.velocity_limits(),
                              .max_acceleration = chain.acceleration_limits()},
                   .speed_scale = cell.settings.motion.speed_scale};
  return out;
}

FeatureNode MakeFeatureNode(const FeatureRobot& robot, const DistanceField& field,
                            const Eigen::VectorXd& q, int branch) {
  WELDCELL_CHECK(q.size() == robot.chain.dof() && q.size() <= kMaxJoints);
  FeatureNode n{.q = q, .branch = branch};
  std::vector<Eigen::Isometry3d> poses;
  robot.chain.LinkPoses(q, &poses);
  const int elbow = robot.chain.joint_child_link(std::min(2, robot.chain.dof() - 1));
  n.p_elbow = robot.X_WB * poses[static_cast<std::size_t>(elbow)].translation();
  n.p_wrist = robot.X_WB * poses.back().translation();
  n.p_tcp = robot.X_WB * (poses.back() * robot.X_FT).translation();
  n.clearance = MinClearance(robot, field, q, poses);
  if (robot.roadmap) robot.roadmap->Attach(robot, field, q, &n.attach, &n.attach_time);
  return n;
}

Features ComputeFeatures(const FeatureRobot& robot, const DistanceField& field,
                         const FeatureNode& a, const FeatureNode& b) {
  Features f{};
  const int dof = static_cast<int>(a.q.size());
  const Eigen::VectorXd dq = b.q - a.q;
  std::array<double, kMaxJoints> t{};
  double sum = 0.0;
  for (int i = 0; i < dof; ++i) {
    t[i] = JointTime(dq[i], robot.limits.max_velocity[i] * robot.speed_scale,
                     robot.limits.max_acceleration[i]);
    f[i] = static_cast<float>(t[i]);
    sum += t[i];
  }
  std::array<double, kMaxJoints> sorted = t;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  f[6] = static_cast<float>(motion::RestToRestTime(a.q, b.q, robot.limits, robot.speed_scale));
  f[7] = static_cast<float>(sorted[1]);
  f[8] = static_cast<float>((b.p_tcp - a.p_tcp).norm());
  f[9] = static_cast<float>((b.p_elbow - a.p_elbow).norm());
  f[10] = static_cast<float>((b.p_wrist - a.p_wrist).norm());
  const StraightClearance clear = StraightMoveClearance(robot, field, a.q, b.q);
  {
    const Eigen::VectorXd q = a.q + 0.5 * dq;
    const Eigen::Vector3d p = robot.X_WB * robot.chain.TcpPose(q, robot.X_FT).translation();
    const Eigen::Vector3d line = b.p_tcp - a.p_tcp;
    const double len2 = line.squaredNorm();
    const double u = len2 > 1e-18 ? std::clamp((p - a.p_tcp).dot(line) / len2, 0.0, 1.0) : 0.0;
    f[11] = static_cast<float>((p - (a.p_tcp + u * line)).norm());
  }
  f[12] = a.branch < 0 || b.branch < 0
              ? std::numeric_limits<float>::quiet_NaN()
              : static_cast<float>(std::popcount(static_cast<unsigned>(a.branch ^ b.branch)));
  f[13] = static_cast<float>(std::abs(dq[0]));
  f[14] = static_cast<float>(clear.min);
  f[15] = static_cast<float>(clear.mean);
  f[16] = static_cast<float>(clear.blocked);
  f[17] = static_cast<float>(std::min(a.clearance, b.clearance));
  f[18] = static_cast<float>(sum);
  // Schema 2: the way around through the roadmap.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  f[19] = f[20] = f[21] = nan;
  if (robot.roadmap) {
    // The straight move when the field deems it free, else the way through the roadmap.
    Roadmap::Way way = robot.roadmap->Through(a.attach, a.attach_time, b.attach, b.attach_time);
    const double straight = CruiseTime(robot, a.q, b.q);
    // RoadmapFree is the stricter rule on the same configurations and a superset of the points:
    // a move with a blocked interval is not free by it either (and needs no second look).
    if (clear.blocked == 0 && straight <= way.seconds && RoadmapFree(robot, field, a.q, b.q)) {
      way = {.seconds = straight, .hops = 1};
    }
    if (std::isfinite(way.seconds)) {
      f[19] = static_cast<float>(way.seconds);
      f[20] =
          static_cast<float>((way.seconds + kDetourRatioOffset) / (straight + kDetourRatioOffset));
      f[21] = static_cast<float>(way.hops);
    }
  }
  return f;
}

StraightClearance StraightMoveClearance(const FeatureRobot& robot, const DistanceField& field,
                                        const Eigen::VectorXd& qa, const Eigen::VectorXd& qb,
                                        int samples) {
  std::vector<Eigen::Isometry3d> poses;
  const Eigen::VectorXd dq = qb - qa;
  // The robot points at the two ends and `samples` configurations between. An interval between
  // consecutive configurations counts as blocked when some point moves farther than its two
  // clearances cover (the free balls around its two positions do not contain its chord: a
  // thin wall may lie between), or a point is nearer than kBlockedClearance.
  std::array<std::array<Eigen::Vector3d, 16>, 2> points;
  std::array<std::array<double, 16>, 2> dist{};
  int count = 0;
  double clear_min = DistanceField::kFar, clear_sum = 0.0;
  int blocked = 0;
  Eigen::VectorXd q(qa.size());
  for (int s = 0; s <= samples + 1; ++s) {
    const double u = s == 0 ? 0.0 : s == samples + 1 ? 1.0 : (s - 0.5) / samples;
    q = qa + u * dq;
    std::array<Eigen::Vector3d, 16>& p = points[s % 2];
    std::array<double, 16>& d = dist[s % 2];
    int n = 0;
    double m = DistanceField::kFar;
    ForRobotPoints(robot, q, poses, [&](const Eigen::Vector3d& x) {
      if (n >= 16) return;
      p[n] = x;
      d[n] = field.Distance(x);
      m = std::min(m, d[n]);
      ++n;
    });
    clear_min = std::min(clear_min, m);
    if (s > 0 && s <= samples) clear_sum += m;
    if (s > 0) {
      bool out = m < kBlockedClearance;
      const auto& p0 = points[(s + 1) % 2];
      const auto& d0 = dist[(s + 1) % 2];
      for (int k = 0; k < std::min(n, count) && !out; ++k) {
        out = (p[k] - p0[k]).norm() > d[k] + d0[k];
      }
      blocked += out;
    }
    count = n;
  }
  return {.min = clear_min, .mean = samples > 0 ? clear_sum / samples : 0.0, .blocked = blocked};
}

int BranchOf(const kinematics::Chain& chain, const Eigen::VectorXd& q) {
  const std::unique_ptr<kinematics::IkSolver> ik = kinematics::MakeIkSolver(chain);
  const Eigen::Isometry3d X_BF = chain.FlangePose(q);
  int best = -1;
  double best_error = 1e-6;
  for (const kinematics::IkSolution& s : ik->SolveWithBranches(X_BF)) {
    const double e = (s.q - q).cwiseAbs().maxCoeff();
    if (e <= best_error) {
      best_error = e;
      best = s.branch;
    }
  }
  return best;
}

}  // namespace weldcell::learned
