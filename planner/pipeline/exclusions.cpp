#include "planner/pipeline/exclusions.hpp"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/parallel.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::pipeline {
namespace {

// One option's arm: its points (world, m) at the weld and approach configurations, and their
// bounding box.
struct ArmPoints {
  std::vector<Eigen::Vector3d> points;
  Eigen::AlignedBox3d box;
};

// Points every kArmPointSpacing m or closer along the segment a → b, b included.
void AddSegment(const Eigen::Vector3d& a, const Eigen::Vector3d& b, ArmPoints* out) {
  const int steps =
      std::max(1, static_cast<int>(std::ceil((b - a).norm() / ArmExclusions::kArmPointSpacing)));
  for (int k = 1; k <= steps; ++k) out->points.emplace_back(a + (b - a) * (double(k) / steps));
}

// The link origins from the shoulder (the second link) on, joined by points, then the gun.
void AddArm(const cell::Robot& robot, const kinematics::Chain& chain, const Eigen::VectorXd& q,
            std::vector<Eigen::Isometry3d>& poses, ArmPoints* out) {
  chain.LinkPoses(q, &poses);
  const std::size_t first = std::min<std::size_t>(1, poses.size() - 1);
  Eigen::Vector3d previous = robot.X_WB * poses[first].translation();
  out->points.push_back(previous);
  for (std::size_t k = first + 1; k < poses.size(); ++k) {
    const Eigen::Vector3d x = robot.X_WB * poses[k].translation();
    AddSegment(previous, x, out);
    previous = x;
  }
  AddSegment(previous, robot.X_WB * (poses.back() * robot.tool.X_FT).translation(), out);
}

// The arm of `robot` at candidate `c`: its points at the weld and approach configurations.
ArmPoints ArmAt(const cell::Robot& robot, const kinematics::Chain& chain, const reach::Candidate& c,
                std::vector<Eigen::Isometry3d>& poses) {
  ArmPoints arm;
  AddArm(robot, chain, c.q, poses, &arm);
  AddArm(robot, chain, c.q_approach, poses, &arm);
  for (const Eigen::Vector3d& p : arm.points) arm.box.extend(p);
  return arm;
}

bool Near(const ArmPoints& a, const ArmPoints& b, double clearance) {
  Eigen::AlignedBox3d grown = a.box;
  grown.min().array() -= clearance;
  grown.max().array() += clearance;
  if (!grown.intersects(b.box)) return false;
  const double limit = clearance * clearance;
  for (const Eigen::Vector3d& p : a.points) {
    if (b.box.exteriorDistance(p) >= clearance) continue;
    for (const Eigen::Vector3d& q : b.points) {
      if ((p - q).squaredNorm() < limit) return true;
    }
  }
  return false;
}

}  // namespace

double ArmDistance(const cell::Cell& cell, const collision::CollisionWorld& world, int a,
                   const reach::Candidate& ca, int b, const reach::Candidate& cb) {
  std::vector<Eigen::Isometry3d> poses;
  const ArmPoints pa = ArmAt(cell.robots[a], world.chain(a), ca, poses);
  const ArmPoints pb = ArmAt(cell.robots[b], world.chain(b), cb, poses);
  double d = 1e9;
  for (const auto& p : pa.points)
    for (const auto& q : pb.points) d = std::min(d, (p - q).norm());
  return d;
}

ArmExclusions::ArmExclusions(const cell::Cell& cell, const collision::CollisionWorld& world,
                             const reach::ReachMap& reach, const std::vector<AllocationTask>& tasks,
                             const allocation::Problem& problem, double clearance, int threads) {
  const int robots = problem.num_robots();
  first_.assign(static_cast<std::size_t>(robots),
                std::vector<int>(static_cast<std::size_t>(problem.num_tasks()), -1));
  count_.assign(static_cast<std::size_t>(robots), 0);
  std::vector<std::vector<ArmPoints>> arms(static_cast<std::size_t>(robots));
  std::vector<Eigen::Isometry3d> poses;
  for (int r = 0; r < robots; ++r) {
    const cell::Robot& robot = cell.robots[static_cast<std::size_t>(r)];
    for (int t = 0; t < problem.num_tasks(); ++t) {
      const allocation::Capability* c = problem.FindCapability({t}, {r});
      if (c == nullptr) continue;
      first_[r][t] = count_[r];
      const std::vector<int>& offered = tasks[static_cast<std::size_t>(t)].options[r];
      for (std::size_t o = 0; o < c->options.size(); ++o) {
        const reach::Candidate& cand =
            reach.at(tasks[static_cast<std::size_t>(t)].weld, r).candidates[offered[o]];
        arms[r].push_back(ArmAt(robot, world.chain(r), cand, poses));
        ++count_[r];
      }
    }
  }
  // Step 2: the bit matrix of every robot pair, rows of the first robot in parallel.
  bits_.assign(static_cast<std::size_t>(robots) * static_cast<std::size_t>(robots), {});
  for (int a = 0; a < robots; ++a) {
    for (int b = a + 1; b < robots; ++b) {
      const int na = count_[a], nb = count_[b];
      std::vector<std::vector<int>> rows(static_cast<std::size_t>(na));
      ParallelFor(na, threads, [&](int i, int) {
        for (int j = 0; j < nb; ++j) {
          if (Near(arms[a][i], arms[b][j], clearance)) rows[i].push_back(j);
        }
      });
      std::vector<std::uint64_t>& bits =
          bits_[static_cast<std::size_t>(a) * static_cast<std::size_t>(robots) +
                static_cast<std::size_t>(b)];
      bits.assign((static_cast<std::size_t>(na) * nb + 63) / 64, 0);
      for (int i = 0; i < na; ++i) {
        for (int j : rows[i]) {
          const std::size_t bit = static_cast<std::size_t>(i) * nb + j;
          bits[bit / 64] |= std::uint64_t{1} << (bit % 64);
          ++pairs_;
        }
      }
    }
  }
}

bool ArmExclusions::Exclusive(allocation::RobotId a, const allocation::Stop& sa,
                              allocation::RobotId b, const allocation::Stop& sb) const {
  int ra = a.value, rb = b.value;
  int i = first_[ra][sa.task.value] + sa.option;
  int j = first_[rb][sb.task.value] + sb.option;
  if (ra > rb) {
    std::swap(ra, rb);
    std::swap(i, j);
  }
  const std::size_t bit = static_cast<std::size_t>(i) * count_[rb] + j;
  const std::vector<std::uint64_t>& bits = bits_[static_cast<std::size_t>(ra) * first_.size() + rb];
  return (bits[bit / 64] >> (bit % 64)) & 1U;
}

}  // namespace weldcell::pipeline
