#pragma once
// Multi-robot coordination with interlock zones a controller can run: all robots on one clock,
// safe for any timing of their motions, not only for the planned one.
//
// 1. Pieces. Each robot's timeline is split into pieces: every motion (travel, approach,
//    retract, the way home) and every weld dwell; the robot stands still between pieces.
// 2. Conflicts. For every pair of robots, every pair of their pieces whose swept volumes touch
//    (some configuration of one piece against some configuration of the other, sampled so that
//    no point of either robot moves more than the resolution between samples) is a conflict —
//    whatever the timing, two such pieces must never run at the same time. Sweeps are compared
//    through a tree of per-body bounding boxes over sample ranges (internal/sweep.hpp), and
//    only overlapping leaves are checked exactly (CollisionWorld::CheckRobotPair). The piece
//    pairs are shared by the threads in blocks of rows; a ConflictCache answers piece pairs an
//    earlier call compared (the same pieces, sample for sample) and keeps every piece's box, so
//    that a call builds the sweeps only of pieces new to it and of pieces in a comparison it
//    cannot answer (the samples alone identify a piece).
// 3. Zones. Each conflicting piece pair is a zone, a mutex over an interval of pieces of each
//    robot. A robot acquires the zone at the standstill before the interval's first piece
//    (waiting until the robot before it in the zone's order has released it) and releases it as
//    it arrives after the interval's last piece — or, when standing there touches a piece of the
//    other robot's interval, when it moves on from there (its next piece then conflicts too and
//    has a zone of its own). Standing at its start configuration counts as a piece before the
//    first (the robot goes first: it is there from time 0), standing at its end as one after the
//    last (it goes last: it stays). Zones whose intervals lie inside another zone's of the same
//    robots are dropped. (Merging neighbouring conflicts, or growing a zone over standstills,
//    chains on stations where neighbours work side by side into zones that span whole
//    timelines and deadlock.)
// 4. Order. The zones' orders and the weld signals (the cell's `after:`: a robot waits before
//    the approach to a weld until its predecessors are welded) form, with each robot's own
//    piece order, a graph of events; the execution is free of deadlock exactly when it has no
//    cycle, and then the planned clock is its longest path (internal/schedule.hpp). The orders
//    are chosen to keep the makespan low: every robot in turn as the one that goes first
//    everywhere (the others by decreasing work), first come first served on the unwaited clock,
//    first come first served on the clock the earlier decisions give (list scheduling), and
//    first come first served as a simulated execution grants zones on request, the side of
//    each zone the shortest path through its pair's coordination diagram takes
//    (internal/diagram.hpp), the clock of prioritized scheduling (internal/priority.hpp:
//    robots in a priority order, each fitted around those before it; the best of the orders),
//    and the side the shortest path through the three-robot diagram of each robot with the two
//    it touches most takes (internal/diagram.hpp: the middle robot fitted around both),
//    each improved pair by pair (a pair's zones decided again first come first served on the clock
//    the other pairs give) and then by flipping single zones while the makespan drops; the
//    shortest acyclic result wins.
// 5. Merge. With the orders fixed, zones of one robot pair taken in the same order are merged
//    (neighbours in the first robot's piece order) into one mutex over both intervals whenever
//    the event graph stays acyclic and the makespan does not grow, and zones inside a merged one
//    are dropped: the same plan with far fewer handshakes for the controllers to run. Then a
//    weld signal that program order, the zones' hand-overs and the other signals kept already
//    keep (a path from the weld's end to its waiting piece) is left out, one by one.
//
// The result holds only what the events produce: waits at standstills, zones with their
// acquire and release pieces, and weld signals. The verifier (planner/verify) re-simulates the
// events with randomly scaled durations and re-checks the robots densely.
//
// References: the coordination diagram and its deadlock-free zone scheduling of O'Donnell &
// Lozano-Pérez 1989, "Deadlock-free and collision-free coordination of two robot manipulators"
// (ICRA); mutual exclusion with a fixed acquisition order as in Coffman et al. 1971, "System
// deadlocks" (ACM Computing Surveys).

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "planner/common/progress.hpp"
#include "planner/motion/trajectory.hpp"

namespace weldcell::collision {
class CollisionWorld;
}

namespace weldcell::coordination {

/// One robot's use of a zone. Indices into the robot's segments of
/// CoordinationResult::trajectories (motion or dwell segments, never waits).
struct ZoneUse {
  int robot = 0;
  int acquire_segment = 0;  ///< Taken at the standstill where this segment starts.
  /// Covers segments [acquire_segment, release_segment): released as segment
  /// release_segment − 1 ends or, with release_on_departure, when the robot next moves on from
  /// there (starts its next motion or weld, or finishes).
  int release_segment = 0;
  bool release_on_departure = false;
  double acquire_time = 0.0;  ///< s: starts acquire_segment on the planned clock.
  double release_time = 0.0;  ///< s: the release on the planned clock.
  bool operator==(const ZoneUse&) const = default;
};

/// A mutex between robots; `uses` in the order the robots take it.
struct Zone {
  std::string id;  ///< "Z1", "Z2", … in the order of the robot pairs and their pieces.
  std::vector<ZoneUse> uses;
  bool operator==(const Zone&) const = default;
};

/// At the standstill where segment `segment` of `robot` starts, the robot waits until weld
/// `weld` has been welded.
struct WeldSignal {
  int robot = 0;
  int segment = 0;
  std::string weld;
  bool operator==(const WeldSignal&) const = default;
};

/// Weld `after` may start its dwell only once weld `before`'s dwell has ended (cell `after:`).
struct Precedence {
  std::string before;  ///< Weld id.
  std::string after;   ///< Weld id.
  bool operator==(const Precedence&) const = default;
};

/// Which piece pairs touched in earlier Coordinate calls, for calls whose trajectories share
/// pieces with them (re-allocation rounds change only some robots' routes). A piece is known by
/// its robot and its exact sweep samples (joint configurations), so a piece that changed in any
/// sample is never answered from the cache, and a cached answer is the one a fresh comparison
/// gives. Valid for one CollisionWorld and resolution: Coordinate empties it when called with
/// another world or resolution. Grows with every new piece (a few MB per round on large
/// stations). Not thread-safe: one Coordinate call at a time may use it.
class ConflictCache {
 public:
  ConflictCache();
  ~ConflictCache();
  ConflictCache(ConflictCache&&) noexcept;
  ConflictCache& operator=(ConflictCache&&) noexcept;
  std::size_t size() const;  ///< Piece-pair answers held.
  void Clear();

  struct Impl;  ///< Defined in coordinate.cpp.
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct CoordinationOptions {
  double resolution = 0.005;  ///< m of travel of any robot point between sweep samples.
  /// Zone orders tried by flipping one zone at a time, per starting order.
  int max_flips = 2000;
  int threads = 0;  ///< 0 = one per hardware thread; the result does not depend on it.
  /// Step 5: merge zones where that keeps the makespan (single events may move later where a
  /// robot has slack: on L, seed 1, R3 leaves home at 9.45 s instead of 4.21 s and finishes as
  /// before) (false: one zone per conflict group, as in CoordinationResult::conflict_zones).
  bool merge_zones = true;
  /// Steps 4 and 5 skip computing the clock where the outcome is already decided: a flipped zone
  /// that bound no event, or, while the order is cyclic, one off the cycle found; a merge updates
  /// the clock edge by edge instead of computing it anew. False computes the whole clock for
  /// every flip and merge, for comparison: the result is the same.
  bool reuse_clock = true;
  /// Reports kCoordinateStage (robot pairs compared, then orders tried) and is polled between
  /// units of work: once cancelled, Coordinate returns early with conflict_free false and
  /// message "cancelled"; the caller must discard the result.
  Progress progress;
  /// Precedences to keep across (and within) robots. A robot that welds a weld before one of its
  /// own predecessors, or precedences and zones that wait in a circle, cannot be kept: the
  /// result is then not conflict-free and `message` says why.
  std::vector<Precedence> precedences;
  /// Optional: piece pairs compared in earlier calls are answered from it, and this call's
  /// comparisons are added to it. The result is the same with or without it.
  ConflictCache* cache = nullptr;
};

/// The pieces of two robots whose sweeps touch (Coordinate's conflicts), in extended indices:
/// 0 = standing at the start, k + 1 = piece k (the k-th motion or dwell segment, waits left
/// out), pieces + 1 = standing at the end.
struct TouchingPieces {
  int a = 0, b = 0;                         ///< Robots, a < b.
  std::vector<std::pair<int, int>> pieces;  ///< (extended piece of a, of b), sorted.
  bool operator==(const TouchingPieces&) const = default;
};

struct CoordinationResult {
  /// The input trajectories with the waits the events produce at the planned durations (input
  /// waits are dropped).
  std::vector<motion::RobotTrajectory> trajectories;
  std::vector<Zone> zones;
  /// The zones before merging (step 5), in the same orders and on the same clock: which pieces
  /// conflict and where each wait comes from, for analysis (re-allocation); not for controllers.
  std::vector<Zone> conflict_zones;
  std::vector<WeldSignal> weld_signals;
  /// False when no deadlock-free order exists (or was found) for the zones and precedences.
  bool conflict_free = false;
  std::string message;         ///< When not conflict-free: why.
  long long checks = 0;        ///< Exact robot–robot checks made.
  long long cached_pairs = 0;  ///< Piece-pair comparisons answered from options.cache.
  /// Piece sweeps built (sampled poses, per-body boxes, tree; internal/sweep.hpp). With a
  /// cache, only those of pieces it has no box for or that take part in a comparison it cannot
  /// answer; without, every piece's.
  int sweeps_built = 0;
  int conflicting_piece_pairs = 0;  ///< Piece pairs whose sweeps touch.
  /// Per robot pair with at least one touching piece pair, those pairs (for analysis and for
  /// ChooseRouteDirections); complete when conflict_free.
  std::vector<TouchingPieces> touching;
};

/// Coordinates the robots' trajectories (index = robot index in `world`). Deterministic for any
/// thread count.
CoordinationResult Coordinate(const collision::CollisionWorld& world,
                              std::vector<motion::RobotTrajectory> trajectories,
                              const CoordinationOptions& options = {});

}  // namespace weldcell::coordination
