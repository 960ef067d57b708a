#pragma once
// Features of a travel move (one robot, joint configuration a → b) for the learned travel-time
// model: cheap compared with planning the move (a few µs against 5–30 ms), computed from the
// two configurations, the robot's kinematics and limits, and a distance field of the cell's
// obstacles. Their definition carries a schema version (kFeatureSchemaVersion): a model trained
// on another version is refused (planner/learned/model.hpp).
//
// Schema 1 (column order = kFeatureNames):
//   t_j1 … t_j6     s: each joint's own time-optimal rest-to-rest time at its limits (speed
//                   scaled); 0 for joints a robot does not have (dof < 6).
//   t_max           s: the analytic estimate, motion::RestToRestTime (the synchronized straight
//                   joint move; equals the largest t_j).
//   t_second        s: the second largest t_j.
//   d_tcp, d_elbow, d_wrist  m: straight distance between the two positions of the tool centre
//                   point, of the elbow (child link of joint 3) and of the flange.
//   tcp_bow         m: how far the TCP at the joint-space midpoint is from the straight line
//                   between its end positions (the Cartesian detour of the joint move).
//   branch_change   number of IK branch bits (shoulder, elbow, wrist) that differ; missing (NaN)
//                   when a branch is unknown.
//   dq_j1           rad: |Δq| of joint 1 (the base swing).
//   clear_min       m: smallest distance-field value over the robot points (link origins past
//                   joint 1, flange, TCP) at the two ends and kPathSamples configurations
//                   between them along the straight move.
//   clear_mean      m: mean over the kPathSamples inner configurations of their minimum.
//   blocked         of the kPathSamples + 1 intervals between those configurations, how many
//                   may cross an obstacle: a point moves farther than its clearances at the
//                   interval's two ends cover (a thin wall may lie between), or a point is
//                   nearer than kBlockedClearance.
//   clear_ends      m: the smaller of the two end configurations' minimum.
//   t_sum           s: Σ t_j.
//
// Schema 2 = schema 1 (the first kSchema1Features columns, unchanged) and, from a coarse
// roadmap of the robot's free space (Roadmap, planner/learned/roadmap.hpp: nodes at reach
// candidates' approach configurations, home and random configurations near the work; edges
// between near nodes whose straight move the distance field deems free by the `blocked` rule;
// all-pairs shortest lengths precomputed per robot and station):
//   detour_time     s: the length, in CruiseTime (max_j |Δq_j| / v_j, the slowest joint at full
//                   speed, which adds up along a line), of the way a → b: the straight move when
//                   the field deems it free (blocked = 0), else the shortest way from a to one
//                   of its kAttach attachment nodes (the nearest it reaches by a free straight
//                   move), through the roadmap, to one of b's and on to b. Missing (NaN) when
//                   the roadmap does not connect them (or the robot has none).
//   detour_ratio    (detour_time + 0.05 s) / (CruiseTime(a, b) + 0.05 s): how much longer the
//                   way around is than the straight move (1 when the field deems it free).
//                   Missing as above.
//   detour_hops     roadmap edges on that way, the attaching moves included (1 for the straight
//                   move). Missing as above.
//
// Thread safety: DistanceField and FeatureRobot are immutable after construction; every function
// here is const and may run on any number of threads.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/common/progress.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/motion/time_parameterization.hpp"

namespace weldcell::learned {

inline constexpr int kFeatureSchemaVersion = 2;
inline constexpr int kMaxJoints = 6;
inline constexpr int kNumFeatures = 22;
/// The columns of schema 1 (the first ones; schema 2 appends the roadmap's).
inline constexpr int kSchema1Features = 19;
inline constexpr std::array<std::string_view, kNumFeatures> kFeatureNames = {
    "t_j1",          "t_j2",        "t_j3",         "t_j4",       "t_j5",    "t_j6",
    "t_max",         "t_second",    "d_tcp",        "d_elbow",    "d_wrist", "tcp_bow",
    "branch_change", "dq_j1",       "clear_min",    "clear_mean", "blocked", "clear_ends",
    "t_sum",         "detour_time", "detour_ratio", "detour_hops"};
inline constexpr int kFeatureTMax = 6;
inline constexpr int kFeatureBlocked = 16;
inline constexpr int kFeatureDetourTime = 19;
/// Roadmap nodes a configuration attaches to (the nearest it reaches by a free straight move).
inline constexpr int kAttach = 4;
inline constexpr double kDetourRatioOffset = 0.05;  ///< s, as the model's target offset.
inline constexpr int kPathSamples = 8;
inline constexpr double kBlockedClearance = 0.03;  ///< m

using Features = std::array<float, kNumFeatures>;

/// Stage name the distance field's construction reports (once per station).
inline constexpr std::string_view kDistanceFieldStage = "distance field";

/// Unsigned distance (m) to the nearest obstacle surface (or inside of a primitive), on a voxel
/// grid over the obstacles and robots (voxel edge ≥ 2 cm, at most about 2 million voxels):
/// obstacle surfaces are rasterised, then an exact Euclidean distance transform (Felzenszwalb
/// & Huttenlocher, "Distance Transforms of Sampled Functions", Theory of Computing 8, 2012)
/// gives every voxel's distance, interpolated trilinearly. Accurate to about one voxel edge.
class DistanceField {
 public:
  DistanceField() = default;
  /// Builds the field of cell.obstacles over their box and the robots' bases, grown by `pad` m.
  /// Reports kDistanceFieldStage: units done of (obstacles + 3), each obstacle rasterised, then
  /// each of the transform's three passes (nothing for a cell without obstacles). Cancelled
  /// through `progress` (polled before the build, every few thousand triangles of a mesh, every
  /// voxel slice of a primitive and of each pass), it stops there and leaves the field empty
  /// (kFar everywhere), for the caller, who asked to stop, to discard.
  explicit DistanceField(const cell::Cell& cell, const Progress& progress = {}, double pad = 1.0);
  /// m; points outside the grid get the value at the nearest grid point plus the distance to it.
  /// A cell without obstacles gives `kFar` everywhere.
  double Distance(const Eigen::Vector3d& p_W) const;
  double voxel() const { return h_; }
  static constexpr double kFar = 2.0;

 private:
  Eigen::Vector3d origin_ = Eigen::Vector3d::Zero();
  double h_ = 0.05;
  std::array<int, 3> n_ = {0, 0, 0};
  std::vector<float> d_;  ///< m, x fastest.
};

class Roadmap;

/// What the features need of one robot: chain (a copy), base pose, TCP, limits and speed, and
/// (schema 2) its roadmap on this station (MakeFeatureRobot, roadmap.hpp).
struct FeatureRobot {
  kinematics::Chain chain;
  Eigen::Isometry3d X_WB = Eigen::Isometry3d::Identity();
  Eigen::Isometry3d X_FT = Eigen::Isometry3d::Identity();
  motion::JointLimits limits;
  double speed_scale = 1.0;
  /// Null: the detour features are missing (NaN).
  std::shared_ptr<const Roadmap> roadmap;
  /// Makes one from a cell robot (limits from the chain, speed scale from the cell settings),
  /// without a roadmap.
  static FeatureRobot FromCell(const cell::Cell& cell, int robot);
};

/// Per-configuration data computed once per node (cheap pair features then reuse it).
struct FeatureNode {
  Eigen::VectorXd q;
  int branch = -1;  ///< IK branch, -1 unknown.
  Eigen::Vector3d p_tcp = Eigen::Vector3d::Zero(), p_elbow = Eigen::Vector3d::Zero(),
                  p_wrist = Eigen::Vector3d::Zero();  ///< World positions.
  double clearance = 0;  ///< m: the configuration's minimum over the robot points.
  /// Roadmap nodes it attaches to (-1 = none) and the analytic time to each (s), nearest first.
  std::array<int, kAttach> attach{-1, -1, -1, -1};
  std::array<float, kAttach> attach_time{};
};

/// Precondition: q.size() == robot.chain.dof() <= kMaxJoints.
FeatureNode MakeFeatureNode(const FeatureRobot& robot, const DistanceField& field,
                            const Eigen::VectorXd& q, int branch);

/// Clearance of the straight joint move qa → qb (the rule of clear_min, clear_mean, blocked):
/// the robot points at the two ends and `samples` configurations between them.
struct StraightClearance {
  double min = 0;   ///< m, over all configurations (ends included).
  double mean = 0;  ///< m, mean of the inner configurations' minimum.
  int blocked = 0;  ///< Intervals (of samples + 1) that may cross an obstacle.
};
StraightClearance StraightMoveClearance(const FeatureRobot& robot, const DistanceField& field,
                                        const Eigen::VectorXd& qa, const Eigen::VectorXd& qb,
                                        int samples = kPathSamples);

/// The features (kFeatureSchemaVersion) of the move a → b.
Features ComputeFeatures(const FeatureRobot& robot, const DistanceField& field,
                         const FeatureNode& a, const FeatureNode& b);

/// The IK branch of q (the branch of the IK solution at FK(q) nearest to q), -1 if none matches
/// within 1e-6 rad. For configurations that do not come from reach (random training samples).
int BranchOf(const kinematics::Chain& chain, const Eigen::VectorXd& q);

}  // namespace weldcell::learned
