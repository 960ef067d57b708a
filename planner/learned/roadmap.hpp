#pragma once
// A coarse roadmap of one robot's free joint space on one station, for the detour features of
// schema 2 (features.hpp): how long the way around is when the straight move is blocked. It is
// cheap because it never calls the collision checker: a node and an edge are free by the
// distance field (RoadmapFree: a stricter rule than the `blocked` feature's, with more robot
// points, the midpoints of the arm's links among them, and a margin for the arm's body; the
// points of the `blocked` rule deemed free most of the moves the planner had to detour).
//
// Built once per (station, robot) by MakeFeatureRobot:
//   1. nodes: home, the approach configurations of up to kRoadmapCandidatesPerWeld candidates
//      per reachable weld (reach::DiverseCandidates, as the pipeline offers them), and
//      kRoadmapRandomNodes random configurations (seeded: kRoadmapSeed) within one turn of home
//      free by RoadmapFree (the configuration alone) and whose TCP is within kRoadmapWorkRadius of
//      a weld the robot reaches (all but every kRoadmapTransitEvery-th, which may be anywhere: the
//      ways between work areas); at most kRoadmapMaxNodes (anchors first);
//   2. edges: from every node to its first kRoadmapNeighbours nodes, of the kRoadmapTries
//      nearest (by the slowest joint's rest-to-rest time), whose straight move RoadmapFree deems
//      free;
//      undirected, of length CruiseTime (s);
//   3. all-pairs shortest lengths (Dijkstra from every node) and the edge count of those ways.
// A configuration attaches to the kAttach nearest nodes (of the kAttachTries nearest) it reaches
// by a free straight move; a move's way around (Through) joins the two ends' attachments.
//
// Cancellation (a Progress, as every long stage takes): polled between random configurations
// of step 1 and between the nodes of steps 2 and 3; a cancelled build returns at once with a
// partial roadmap, which the caller, who asked to stop, discards.
//
// Determinism: every step stores its results by node index and breaks ties by index, so the
// roadmap is the same for any thread count (tested). Cost: about a second per robot and station
// on one core (docs/learned.md has the figures of cells/M); per pair then a few µs.
//
// Thread safety: a Roadmap is immutable after construction; Attach and Through are const.

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/common/progress.hpp"
#include "planner/learned/features.hpp"

namespace weldcell::reach {
class ReachMap;
}

namespace weldcell::learned {

inline constexpr int kRoadmapCandidatesPerWeld = 2;
inline constexpr int kRoadmapRandomNodes = 1000;
inline constexpr int kRoadmapTransitEvery = 4;
inline constexpr int kRoadmapMaxNodes = 1500;
inline constexpr int kRoadmapNeighbours = 10;
inline constexpr int kRoadmapTries = 30;
inline constexpr int kAttachTries = 16;
inline constexpr double kRoadmapWorkRadius = 0.6;  ///< m
/// m. Chosen on generated stations g407 (trained) / g408 (held out), 1,400 moves: margins 0.10,
/// 0.15, 0.20 m gave held-out errors 19.7 / 18.3 / 19.1 % (ABB; FANUC 21.9 / 21.5 / 22.0, KUKA
/// 22.7 / 22.3 / 22.2); a tool margin of 0.08 m left most approach configurations unattached.
inline constexpr double kRoadmapArmMargin = 0.15;
inline constexpr double kRoadmapToolMargin = 0.03;  ///< m
inline constexpr std::uint64_t kRoadmapSeed = 0x726f61646d6170ULL;

/// Stage name the roadmap's construction reports (one per robot and station: each robot's
/// build counts from 0 again, as kExactStage's rows do).
inline constexpr std::string_view kRoadmapStage = "roadmap";

class Roadmap {
 public:
  /// Builds the roadmap over `nodes` (free configurations, checked by the caller) on `threads`
  /// workers (0 = all). Reports kRoadmapStage: nodes done of 2 × nodes (each node's edges,
  /// then the shortest ways from it), one at a time. Cancelled through `progress`, it stops
  /// within a node per worker: the nodes not reached keep no edges and no ways (time +inf), a
  /// partial roadmap for the caller to discard. Precondition: every node has robot.chain.dof()
  /// entries.
  Roadmap(const FeatureRobot& robot, const DistanceField& field, std::vector<Eigen::VectorXd> nodes,
          int threads, const Progress& progress = {});

  int size() const { return static_cast<int>(nodes_.size()); }
  int edges() const { return edges_; }
  const Eigen::VectorXd& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  /// s: the shortest length (CruiseTime) i → j through the roadmap; +inf when not connected.
  float time(int i, int j) const { return time_[Index(i, j)]; }
  /// Edges on that way (0 when i == j; meaningless when not connected).
  int hops(int i, int j) const { return hops_[Index(i, j)]; }

  /// The nodes q attaches to: up to kAttach of its kAttachTries nearest nodes (slowest joint's
  /// rest-to-rest time) that it reaches by a free straight move, nearest first, and the
  /// CruiseTime to each (s); the rest of *node is -1.
  void Attach(const FeatureRobot& robot, const DistanceField& field, const Eigen::VectorXd& q,
              std::array<int, kAttach>* node, std::array<float, kAttach>* seconds) const;

  struct Way {
    double seconds = 0;  ///< +inf when no attachment of a connects to one of b.
    int hops = 0;        ///< Roadmap edges + attaching moves.
  };
  /// The shortest way a → b: attachment of a, roadmap, attachment of b.
  Way Through(const std::array<int, kAttach>& a, const std::array<float, kAttach>& a_seconds,
              const std::array<int, kAttach>& b, const std::array<float, kAttach>& b_seconds) const;

  /// Bytes of the precomputed tables (for reports).
  std::size_t bytes() const { return time_.size() * sizeof(float) + hops_.size() * 2; }

 private:
  std::size_t Index(int i, int j) const {
    return static_cast<std::size_t>(i) * nodes_.size() + static_cast<std::size_t>(j);
  }
  std::vector<Eigen::VectorXd> nodes_;
  std::vector<float> time_;
  std::vector<std::uint16_t> hops_;
  int edges_ = 0;
};

/// s: the slowest joint's time at full speed, max_j |b_j − a_j| / v_j (no acceleration): the
/// roadmap's edge length. Unlike the rest-to-rest time it adds up along a straight line, so a
/// way around compares with the straight move.
double CruiseTime(const FeatureRobot& robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b);

/// True when the roadmap deems the straight move a → b free: at a, b and kPathSamples
/// configurations between, every roadmap point keeps its margin (kRoadmapArmMargin for the arm's
/// link origins and the midpoints between them, kRoadmapToolMargin for the gun: the midpoint
/// flange–TCP and the TCP), and between consecutive configurations each point's chord lies in
/// the balls of its two clearances shrunk by the margin. With a == b: the configuration only.
bool RoadmapFree(const FeatureRobot& robot, const DistanceField& field, const Eigen::VectorXd& a,
                 const Eigen::VectorXd& b);

/// The nodes of step 1 above for robot `robot` of `cell` (reach from reach::ReachAll on it).
/// Cancelled through `progress` (polled before each random configuration drawn), it returns
/// the nodes found so far.
std::vector<Eigen::VectorXd> RoadmapNodes(const cell::Cell& cell, int robot,
                                          const FeatureRobot& features, const DistanceField& field,
                                          const reach::ReachMap& reach,
                                          const Progress& progress = {});

/// FeatureRobot::FromCell with the robot's roadmap on this station (schema 2's detour
/// features). `reach` must be reach::ReachAll of this cell (default options), as the pipeline
/// and the training data compute it; `threads` 0 = all, the result does not depend on it.
/// `progress` as in RoadmapNodes and Roadmap; cancelled before the roadmap's construction
/// starts, the robot has none (roadmap null), else a partial one: either way to be discarded.
FeatureRobot MakeFeatureRobot(const cell::Cell& cell, int robot, const DistanceField& field,
                              const reach::ReachMap& reach, int threads,
                              const Progress& progress = {});

}  // namespace weldcell::learned
