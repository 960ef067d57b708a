#pragma once
// The stages of the station planner, each a function with its own input and output, so that
// PlanCell, the viewer and the line runner run the same steps (and a test can run one alone):
//
//   reach::ReachAll                cell                    -> ReachMap (weld × robot candidates)
//   BuildAllocationProblem         ReachMap                -> AllocationProblem (tasks = the
//                                                             reachable welds; options = a few
//                                                             diverse candidates per robot)
//   Allocate                       AllocationProblem       -> Allocation (an ordered route of
//                                                             AssignedWelds per robot)
//   PlanMotions                    Allocation              -> one SequenceResult per robot
//                                                             (collision-free, timed)
//   CoordinateMotions              SequenceResults         -> CoordinationResult (one clock,
//                                                             interlock waits)
//   AssemblePlan                   all of the above        -> plan::Plan (sampled trajectories,
//                                                             welds, interlocks, unplanned welds)
//   MeasureTravelError (plan_cell.hpp)                     -> plan::Plan::travel (the travel
//                                                             model's error on the plan's moves)
// ComputeTravelMatrices (once per station, before allocating) gives the learned or exact travel
// times; without it the allocator uses the analytic estimate.
//
// Every long stage takes the options' Progress: it reports under its stage name
// (planner/common/progress.hpp) and, once cancelled, returns early with a partial result that
// the caller must discard (PlanCell then says kCancelled). Robots and welds are indices into
// cell.robots and cell.welds throughout.

#include <Eigen/Core>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocation/problem.hpp"
#include "allocation/solver.hpp"
#include "planner/cell/cell.hpp"
#include "planner/common/progress.hpp"
#include "planner/coordination/coordinate.hpp"
#include "planner/learned/model.hpp"
#include "planner/motion/weld_sequence.hpp"
#include "planner/plan/plan.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::collision {
class CollisionWorld;
}

namespace weldcell::pipeline {

/// How the allocator prices a travel move between two weld configurations.
enum class TravelTimeKind {
  kAnalytic,  ///< motion::RestToRestTime: the straight joint move, blind to obstacles.
  kLearned,   ///< The robot's learned model (planner/learned), analytic where none applies.
  kExact,     ///< Every needed pair planned and timed (slow; the reference).
};
std::string_view ToString(TravelTimeKind kind);

/// Which allocator assigns and orders the welds (Allocate).
enum class Allocator {
  kStrong,    ///< allocation::MakeStrongSolver: the anytime search (the product's).
  kBaseline,  ///< allocation::MakeBaselineSolver: nearest robot, then nearest neighbour — the
              ///< engineer's everyday method, planned the same way to compare against.
};
std::string_view ToString(Allocator allocator);

struct PlanOptions {
  int threads = 0;  ///< 0 = one per hardware thread. Results do not depend on it.
  /// kBaseline: every allocation (the re-allocation rounds' too) by the baseline; the spatial
  /// and sweep terms, which only the strong solver knows, are not tried.
  Allocator allocator = Allocator::kStrong;
  int max_options_per_robot = 8;  ///< Candidates per weld and robot offered to the allocator.
  /// Improvement iterations of the allocator; 0 = by problem size: 20,000 up to 100 welds, then
  /// fewer (each iteration costs more on larger stations), at least 2,000.
  std::int64_t allocation_iterations = 0;
  double blend_tolerance = 0.1;  ///< rad of joint-space deviation allowed at travel corners.
  double sample_period = 0.01;   ///< s between trajectory samples in the plan.
  /// Re-allocation after coordination (PlanCell): at most this many rounds, each withholding
  /// from a robot the welds whose motion failed on it (when another robot reaches them), else
  /// from the robot that waits longest for a zone the zone's welds the other robot there also
  /// reaches (allocated from the kept allocation, Allocate's `start`); a round is kept only when
  /// more welds are planned or the coordinated makespan drops.
  int rebalance_rounds = 5;
  /// s per metre: the allocator's soft spatial term (allocation::SolveOptions::spatial_weight):
  /// a weld costs a robot this much per metre its tool at home is farther from the weld than
  /// the nearest robot's that reaches it. PlanCell allocates first without it and tries it in
  /// the last two re-allocation rounds, or the first after nothing is left to withhold (needs
  /// rebalance_rounds >= 1). 0 = never. The default was
  /// chosen by the coordinated makespans of docs/allocation.md.
  double spatial_weight = 3.0;
  /// s per metre: the allocator's sweep term (allocation::SolveOptions::sweep_weight) with the
  /// directions of SweepDirections. Used wherever spatial_weight is. 0 = off.
  double sweep_weight = 0.0;
  /// m: conflict-aware allocation (allocation::Problem::exclusions from ArmExclusions): two
  /// robots' weld options whose arms come within this distance are not worked at the same time
  /// in the allocator's schedule, so that its routes keep neighbours apart in time and its
  /// estimate counts the waits (BuildAllocationProblem with `exclusions`). PlanCell tries it in
  /// the last re-allocation round (the spatial round's terms plus the exclusions; needs
  /// spatial_weight or sweep_weight > 0 and rebalance_rounds >= 2), kept only when the
  /// coordinated plan gets better.
  /// 0 = never. The default was chosen by the coordinated makespans of docs/allocation.md.
  double exclusion_clearance = 0.5;
  /// After the re-allocation rounds (with rebalance_rounds > 0; strong allocator), where the
  /// best plan is longer than 1.5 × the baseline allocation's estimate, PlanCell plans the
  /// baseline allocation itself, gives it the withhold rounds (up to rebalance_rounds) and
  /// keeps the result when the coordinated plan gets better
  /// (docs/allocation.md#the-baseline-round). Not counted among the re-allocation rounds.
  bool baseline_round = true;
  /// After the re-allocation rounds (with rebalance_rounds > 0, on a conflict-free plan; not
  /// with precedences), PlanCell tries giving one weld of the robot that finishes last to
  /// another robot that reaches it, where the plan's own durations say the makespan drops
  /// (RankWeldTransfers, transfers.hpp), kept only when the coordinated plan gets better
  /// (docs/allocation.md#weld-transfers). Not counted among the re-allocation rounds.
  bool weld_transfers = true;
  /// After the weld-transfer round, PlanCell tries the best plan with some robots' routes
  /// started at other welds or run backwards where the coordination diagrams of its robot pairs
  /// say the robots would wait less (coordination/route_starts.hpp; not with precedences), kept
  /// only when the coordinated plan gets better (docs/allocation.md#route-starts). Not counted
  /// among the re-allocation rounds.
  bool reverse_routes = true;
  TravelTimeKind travel_time = TravelTimeKind::kAnalytic;
  /// kLearned: per robot (index into cell.robots) the models to try, in order
  /// (learned::ModelChoice::models); empty or missing = analytic for that robot. The caller
  /// checks learned::Mismatch; the pipeline refuses a model timed at another speed scale or whose
  /// inputs on this station are far outside its training range and tries the next one; the
  /// robot is priced by the analytic estimate, with a warning naming every refusal, when none is
  /// left.
  std::vector<std::vector<std::shared_ptr<const learned::Model>>> travel_models;
  /// kLearned: per robot, why travel_models[r] is empty (learned::ModelChoice::fallbacks), kept in
  /// the plan (plan::TravelRobotError::fallback); empty or missing = "no travel model given".
  std::vector<std::string> travel_fallbacks;
  /// Reports every stage (kReachStage, kAllocateStage, kMotionStage, kCoordinateStage), from
  /// worker threads, serialised; its cancellation stops the pipeline between and within stages.
  Progress progress;
};

/// One allocation task: a weld some robot reaches, with the candidates offered as options.
struct AllocationTask {
  int weld = 0;  ///< Index into cell.welds.
  /// [robot] -> indices into reach.at(weld, robot).candidates, in option order (empty for a
  /// robot that does not reach the weld).
  std::vector<std::vector<int>> options;
  bool operator==(const AllocationTask&) const = default;
};

/// Travel times between every pair of the configurations the allocator may choose, per robot:
/// node 0 = home, then the approach configuration of every offered candidate (weld, candidate
/// index into reach.at(weld, robot).candidates). Empty matrix = analytic for that robot.
struct TravelMatrices {
  struct Robot {
    std::map<std::pair<int, int>, int> node;  ///< (weld, candidate) -> node
    Eigen::MatrixXd seconds;                  ///< s; row = from, column = to.
    std::string source = "analytic";          ///< "analytic", "learned <model>", "exact".
    /// The model that priced the moves (`learned` only), else null.
    std::shared_ptr<const learned::Model> model;
    /// Why `source` is not the kind asked for (no model, the model refused on this station),
    /// naming the fallback; empty when it is.
    std::string fallback;
    /// `exact` only, else empty: each node's configuration (home, then the candidates'
    /// approach configurations) and the path each move was priced by, `[from * n + to]`
    /// (learned::ExactPaths; empty where none was found). PlanMotions runs these moves.
    std::vector<Eigen::VectorXd> configurations;
    std::vector<std::vector<Eigen::VectorXd>> paths;
  };
  std::vector<Robot> robots;  ///< [robot]
};

/// Per robot, the direction (unit, horizontal, world) in which it should work through its
/// welds over time: along the main horizontal axis of the welds (the body's length), robots
/// whose base is on one side of that axis one way, robots on the other side the other way (+x
/// for all with fewer than two welds).
std::vector<Eigen::Vector3d> SweepDirections(const cell::Cell& cell);

/// The options' travel model's matrices for every robot (nothing for kAnalytic); computed once
/// per station, then shared by every allocation (re-allocations offer subsets of the same
/// candidates). A robot whose model is refused here (its inputs far outside its training range)
/// gets no matrix and a `fallback` saying why, also appended to `warnings`; a robot without a
/// model gets PlanOptions::travel_fallbacks' reason. Other warnings (biased labels, exact moves
/// without a path) are appended too. Reports through PlanOptions::progress, once, the
/// construction of learned::DistanceField (learned::kDistanceFieldStage) and, per robot, the
/// stages of learned::ExactMatrix or of learned::MakeFeatureRobot and learned::PredictMatrix
/// (learned::kRoadmapStage, kLearnedStage); cancelled there, it stops within a unit of work per
/// thread and returns matrices that are partial or missing, for the caller to discard.
TravelMatrices ComputeTravelMatrices(const cell::Cell& cell, const collision::CollisionWorld& world,
                                     const reach::ReachMap& reach, const PlanOptions& options,
                                     std::vector<std::string>* warnings);

/// The allocation problem of a station and how its abstract tasks map back to welds.
struct AllocationProblem {
  /// Tasks in weld order; travel = analytic rest-to-rest joint time between approach
  /// configurations (blind to obstacles); durations = weld time + gun close/open + approach
  /// in and out; precedences from the welds' `after`.
  allocation::Problem problem;
  std::vector<AllocationTask> tasks;  ///< Index = allocation::TaskId value.
  /// Welds no robot reaches, in weld order, with every robot's reason.
  std::vector<plan::UnreachableWeld> unreachable;
};

/// (weld, robot) assignments not to offer the allocator (indices into cell.welds and
/// cell.robots), e.g. where coordination made a robot wait for another working there.
using Withheld = std::set<std::pair<int, int>>;

/// Turns the reach map into an allocation problem (no solving). A withheld assignment is left
/// out unless it is the weld's last robot. A robot whose analytic travel data (home, joint
/// limits, speed, every offered approach configuration) equal those of a robot of lower index
/// is declared allocation::Robot::same_travel_as it (never with `travel` matrices; robots at
/// different bases never qualify). With `exclusions` and PlanOptions::exclusion_clearance > 0
/// the problem has the arms' exclusions (ArmExclusions; about a second on L). Not cancellable.
AllocationProblem BuildAllocationProblem(const cell::Cell& cell,
                                         const collision::CollisionWorld& world,
                                         const reach::ReachMap& reach, const PlanOptions& options,
                                         const Withheld& withheld = {},
                                         const TravelMatrices* travel = nullptr,
                                         bool exclusions = false);

/// A weld given to a robot, with the configuration it welds in.
struct AssignedWeld {
  int weld = 0;                ///< Index into cell.welds.
  reach::Candidate candidate;  ///< The chosen option.
  bool operator==(const AssignedWeld&) const = default;
};

struct Allocation {
  /// kFeasible, or kCancelled (then the routes are valid but unfinished work; discard them).
  allocation::SolveStatus status = allocation::SolveStatus::kFeasible;
  std::vector<std::vector<AssignedWeld>> routes;  ///< [robot] -> welds in visiting order.
  double estimated_makespan = 0;  ///< s: the allocator's makespan (analytic travel times).
  double lower_bound = 0;         ///< s: allocation lower bound on the makespan.
  double baseline_makespan = 0;   ///< s: nearest-robot / nearest-neighbour baseline.
};

/// Solves the allocation with options.allocator (the strong solver: seed = cell.settings.seed)
/// and, for comparison, the baseline (its makespan in baseline_makespan; with kBaseline the
/// routes are the baseline's). Reports kAllocateStage.
///
/// `start` (optional, strong solver): routes to start from (allocation::SolveOptions::start),
/// e.g. the allocation of a round before with some welds withheld: its assignments still offered
/// in `problem` are kept in order, the others re-inserted, and the search runs a quarter of the
/// budget (kWarmStartShare) from there.
Allocation Allocate(const cell::Cell& cell, const reach::ReachMap& reach,
                    const AllocationProblem& problem, const PlanOptions& options,
                    const std::vector<std::vector<AssignedWeld>>* start = nullptr);

/// Allocate with a start runs 1 / kWarmStartShare of the iteration budget (the whole budget
/// again, without the start, when the solver could not use it: SolveResult::from_start).
inline constexpr int kWarmStartShare = 4;

/// `routes` (welds and candidates per robot, e.g. an Allocation's) in the task and option
/// indices of `problem`: each assignment whose weld is a task there and whose candidate is one
/// of that robot's options for it, in route order; the others are left out.
allocation::Solution RoutesInProblem(const reach::ReachMap& reach, const AllocationProblem& problem,
                                     const std::vector<std::vector<AssignedWeld>>& routes);

/// Motions planned before, by route: every robot's motion of every route planned so far that
/// ran to its end (PlanCell keeps those of all its rounds: a later round's allocation may give a
/// robot a route an earlier round, kept or not, planned already).
struct PlannedRoutes {
  struct Planned {
    std::vector<AssignedWeld> route;  ///< As the allocator gave it.
    motion::SequenceResult motion;
  };
  std::vector<std::vector<Planned>> robots;  ///< [robot] -> its planned routes, oldest first

  /// Adds every robot's motion (`routes` as allocated, `motions` as PlanMotions gave them)
  /// that is not abandoned and whose route is not known yet. Not for cancelled motions.
  void Add(const std::vector<std::vector<AssignedWeld>>& routes,
           const std::vector<motion::SequenceResult>& motions);
  /// The motion planned for `route` of `robot`, or null.
  const motion::SequenceResult* Find(int robot, const std::vector<AssignedWeld>& route) const;
};

/// At most this many other candidates of a weld are tried when no motion reaches the chosen one
/// (PlanMotions).
inline constexpr int kMaxAlternativePoses = 3;

/// The collision-free timed motion of every robot through its route, robots in parallel;
/// index = robot. Seeds derive from cell.settings.seed and the robot index, so a robot's motion
/// depends only on its route (and on `travel` and `known`, below): a robot whose route equals
/// one in `previous` (as given here, before this function changed it) takes that motion
/// unplanned. When no motion reaches a
/// weld's chosen candidate, up to kMaxAlternativePoses other candidates of that weld are tried
/// in order: the best (by posture) of each other spin window first, then the next best of any,
/// each differing from the chosen and the other tried ones by more than 0.2 rad in some joint of
/// its approach configuration (motion::PlanWeldSequence: every pose with the near search, then
/// every pose with the whole-range one); `allocation.routes` then names the candidate each weld
/// is welded in. Reports kMotionStage (robots done, robots).
///
/// `max_skipped`: a caller that can only use motions with at most this many skipped stops (all
/// robots together, the way home included) lets every robot give up once more are skipped;
/// the result then has more, some SequenceResult::abandoned, and must be discarded.
///
/// `travel` (optional): with `exact` matrices, a travel move between two of their nodes runs
/// the path it was priced by (SequenceRequest::known_path) instead of being planned again, so
/// that the allocation's travel times are the motions' own.
///
/// `known` (optional, [robot]): motions planned before; a travel move one of them ran (either
/// way round: SequenceResult::travel_paths) runs that path again instead of being planned (a
/// route started at another weld: coordination/route_starts.hpp).
std::vector<motion::SequenceResult> PlanMotions(
    const cell::Cell& cell, const collision::CollisionWorld& world, const reach::ReachMap& reach,
    Allocation& allocation, const PlanOptions& options, const PlannedRoutes* previous = nullptr,
    int max_skipped = std::numeric_limits<int>::max(), const TravelMatrices* travel = nullptr,
    const std::vector<motion::SequenceResult>* known = nullptr);

/// All robots on one clock, with interlock waits wherever their motions would touch. `cache`
/// (optional) answers piece pairs compared in earlier calls (CoordinationOptions::cache).
coordination::CoordinationResult CoordinateMotions(
    const cell::Cell& cell, const collision::CollisionWorld& world,
    const std::vector<motion::SequenceResult>& motions, const PlanOptions& options,
    coordination::ConflictCache* cache = nullptr);

/// Throws InputError (at the cell's `cycle_time`) naming every robot that moves for longer than
/// a plan may hold: cell::kMaxMotionSeconds. Its
/// motions would be sampled every 10 ms, and verification, the report and the programs go
/// through the samples: joints slowed to their sanity bounds would take gigabytes.
void CheckMotionTimes(const cell::Cell& cell,
                      const std::vector<motion::RobotTrajectory>& trajectories);

/// The plan: the coordinated trajectories sampled every options.sample_period, the welds with
/// their configurations and times, the interlocks, and the unplanned welds (`unreachable`
/// first, then the stops whose motion failed). Fast; not cancellable. Throws InputError when a
/// robot moves for too long (CheckMotionTimes), before any sample is taken.
plan::Plan AssemblePlan(const cell::Cell& cell,
                        const std::vector<plan::UnreachableWeld>& unreachable,
                        const Allocation& allocation,
                        const std::vector<motion::SequenceResult>& motions,
                        const coordination::CoordinationResult& coordinated,
                        const PlanOptions& options);

}  // namespace weldcell::pipeline
