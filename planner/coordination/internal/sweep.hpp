#pragma once
// Swept volumes of a robot's pieces of motion, for timing-independent conflict tests: the
// piece's configurations sampled densely, with a binary tree over sample ranges whose nodes hold
// per-body bounding boxes (CollisionWorld::BodyBoxes) of every sample in their range and the
// range's middle sample with, per body, the farthest any point of it gets from where it is
// there (CollisionWorld::BodyTravel). Two sweeps are compared by descending both trees: a node
// pair is dismissed when its boxes are apart, or when the two middle configurations are clear
// with a margin per body pair that covers both bodies' travel over the ranges (the bodies are
// grown by it, so the whole ranges are clear); single samples are checked exactly. Either check
// covers only the body pairs whose boxes over the two ranges meet: the others cannot touch
// there.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <span>
#include <vector>

#include "planner/motion/trajectory.hpp"

namespace weldcell::collision {
class CollisionWorld;
class CollisionContext;
}  // namespace weldcell::collision

namespace weldcell::coordination::internal {

struct SweepNode {
  int begin = 0, end = 0;                   ///< Sample range [begin, end).
  int left = -1, right = -1;                ///< Children (-1 for a leaf).
  int middle = 0;                           ///< A sample of the range (its middle).
  Eigen::AlignedBox3d all;                  ///< Union of `bodies`.
  std::vector<Eigen::AlignedBox3d> bodies;  ///< Per body: union over the range's samples.
};

struct Sweep {
  int robot = 0;
  std::vector<Eigen::VectorXd> q;  ///< Samples, in order along the piece.
  /// The robot's world link poses at each sample (CollisionWorld::LinkPosesInWorld), sample
  /// after sample, `links` per sample: a sample is checked against many, its kinematics once.
  std::vector<Eigen::Isometry3d> X_WL;
  int links = 0;
  std::vector<SweepNode> nodes;  ///< nodes[0] is the root (empty when q is empty).
  double margin = 0.0;           ///< m: the margin the boxes and travel were built for.
  int bodies = 0;  ///< The robot's bodies with geometry (BodyBoxes: one box per node each).
  /// m, node after node, `bodies` per node in environment-check order: no point of the body
  /// (grown as the sweep's checks grow it) is farther than this from where it is at the node's
  /// `middle`, at any sample of its range (CollisionWorld::BodyTravel); 0 for a leaf.
  std::vector<double> travel;

  /// The bodies' travel over node `node`'s range.
  std::span<const double> Travel(int node) const {
    const auto n = static_cast<std::size_t>(bodies);
    return {travel.data() + static_cast<std::size_t>(node) * n, n};
  }
};

/// The configurations SampleSweep samples `profile` at (both ends included): no point of the
/// robot moves more than `resolution` (m) between consecutive ones.
std::vector<Eigen::VectorXd> SampleConfigurations(const collision::CollisionWorld& world, int robot,
                                                  const motion::MotionProfile& profile,
                                                  double resolution);

/// The sweep of configurations `q` (in order) of `robot`, boxes grown by `margin` (m).
Sweep BuildSweep(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                 int robot, std::vector<Eigen::VectorXd> q, double margin);

/// Samples `profile` so that no point of the robot moves more than `resolution` (m) between
/// consecutive samples (from its joint speeds and accelerations and the world's displacement
/// bound), and builds the tree with boxes grown by `margin` (m).
Sweep SampleSweep(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                  int robot, const motion::MotionProfile& profile, double resolution,
                  double margin);

/// A sweep of one configuration (a robot standing still).
Sweep StillSweep(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                 int robot, const Eigen::VectorXd& q, double margin);

/// True when some sample of `a` touches some sample of `b` (CheckRobotPair with `margin`).
/// Of two child node pairs, the one whose boxes overlap more is searched first (a touch is
/// found sooner; the answer is the same). Adds the exact checks made to *checks.
/// Precondition: both sweeps built for `margin` (checked, aborts), or one of them empty.
bool SweepsTouch(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                 const Sweep& a, const Sweep& b, double margin, long long* checks);

/// The box around everything a sweep holds (empty box for an empty sweep).
Eigen::AlignedBox3d Bounds(const Sweep& sweep);

}  // namespace weldcell::coordination::internal
