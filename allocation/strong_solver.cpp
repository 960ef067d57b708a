// The strong solver: regret insertion, then ruin-and-recreate under simulated annealing with
// intra-route (2-opt, or-opt, optimal options by a shortest path through the layers of options)
// and granular inter-route local search (relocate, swap, cross-exchange with option re-choice).
// All cost comparisons of whole solutions go through Graph::Simulate (= Evaluate()); the move
// deltas are exact for the busy-time sums, which equal the schedule without precedences.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <utility>

#include "allocation/internal/graph.hpp"
#include "allocation/internal/solver_common.hpp"
#include "allocation/solver.hpp"
#include "planner/common/check.hpp"

namespace weldcell::allocation {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-9;
constexpr int kNeighbours = 12;
constexpr int kMaxSegment = 3;
constexpr int kFullScan = 40;  // routes up to this length get exhaustive 2-opt / or-opt scans
// Annealing temperatures as fractions of the start's objective (SISR uses a fixed schedule too;
// a relative one keeps it unit-free), geometric from start to start / 100. The start
// temperature grows from kColdStart to kHotStart with the iterations per task up to
// kHotIterationsPerTask: a hotter search pays off only when every task is ruined often enough
// (measured on the min-max mTSP instances of bench/allocation and on generated stations).
constexpr double kColdStart = 0.01;
constexpr double kHotStart = 0.1;
constexpr double kHotIterationsPerTask = 40.0;
constexpr double kTemperatureRatio = 0.01;
// Restarts: kStarts constructions (all but the first randomized by kStartNoise) each annealed
// for kStartShare % / kStarts of the budget; the best continues with the rest. Budgets below
// kMinIterationsPerStart per start use one start.
constexpr int kStarts = 4;
constexpr std::int64_t kStartShare = 50;
constexpr std::int64_t kMinIterationsPerStart = 500;
constexpr double kStartNoise = 0.5;
// Weight of the total busy time against the makespan in the annealing objective, per robot:
// a tie-breaker that keeps non-critical routes short (slack for later moves).
constexpr double kTotalWeight = 0.1;

struct Insertion {
  double delta = kInf;
  int pos = -1;  // insert before route[pos]; pos == size appends
  int option = 0;
};

struct State {
  std::vector<std::vector<int>> route;
  std::vector<int> option;    // per task
  std::vector<int> robot_of;  // per task, -1 = unplaced
  std::vector<double> len;    // per robot: travel + work
  Cost cost;                  // through Simulate
};

// The regret construction's bookkeeping: every placed task's position in its route, the
// cached best slot of each open task on each robot, and what is still open.
struct ConstructionSlots {
  // A cached best slot, with the arc it splits (tasks before/after; -1 = home).
  struct Slot {
    Insertion ins;
    int before = -2;
    int after = -2;
  };
  Slot& At(int t, int r) { return cache[Index(t, r)]; }
  const Slot& At(int t, int r) const { return cache[Index(t, r)]; }
  std::size_t Index(int t, int r) const {
    return static_cast<std::size_t>(t) * static_cast<std::size_t>(nr) + static_cast<std::size_t>(r);
  }

  int nr = 0;
  std::vector<int> cpos;     // per task: position in its route (placed tasks)
  std::vector<Slot> cache;   // [t * nr + r]: best slot of t in route r
  std::vector<int> missing;  // per task: predecessors not placed yet
  std::vector<int> open;     // tasks not placed yet, in task order
};

class Search {
 public:
  Search(const internal::Graph& g, const SolveOptions& options, const internal::StopWatch& watch,
         double lower_bound)
      : g_(g),
        options_(options),
        watch_(watch),
        nr_(g.num_robots()),
        nt_(g.num_tasks()),
        rng_(options.seed),
        lower_bound_(lower_bound) {
    s_.route.assign(nr_, {});
    s_.option.assign(nt_, 0);
    s_.robot_of.assign(nt_, -1);
    s_.len.assign(nr_, 0.0);
    pos_.assign(nt_, 0);
    BuildTopologicalRank();
  }

  State Run(std::int64_t* iterations, bool* cancelled);
  /// Whether Run started from SolveOptions::start.
  bool used_start() const { return used_start_; }
  bool Start(double noise);
  bool StartFrom(const Solution& start);
  void LocalSearch();
  void Anneal(std::int64_t budget, std::int64_t total, std::int64_t* done, State* best);

  // Cancellation or the time budget, polled inside every phase (construction included).
  bool Stopped() {
    if (stopped_) return true;
    if (internal::Cancelled(options_)) {
      cancelled_ = true;
      stopped_ = true;
    } else if (std::isfinite(options_.max_seconds) && watch_.Seconds() > options_.max_seconds) {
      stopped_ = true;
    }
    return stopped_;
  }

 private:
  // ---- basic helpers -------------------------------------------------------------------
  int Node(int r, int t) const { return g_.First(r, t) + s_.option[t]; }
  // Node at position i of route r; -1 and size() are home.
  int NodeAt(int r, int i) const {
    const auto& route = s_.route[r];
    if (i < 0 || i >= static_cast<int>(route.size())) return 0;
    return Node(r, route[i]);
  }
  double RouteLength(int r) const {
    double len = 0.0;
    int prev = 0;
    for (int t : s_.route[r]) {
      const int node = Node(r, t);
      len += g_.T(r, prev, node) + g_.Dur(r, node);
      prev = node;
    }
    return s_.route[r].empty() ? 0.0 : len + g_.T(r, prev, 0);
  }
  Cost TrueCost() const {
    const Evaluation e = g_.Simulate(s_.route, s_.option);
    if (!e.feasible) return Cost{.makespan = kInf, .total = kInf};
    return e.cost;
  }
  double Scalar(const Cost& c) const { return c.makespan + lambda_ * c.total; }
  double MaxLenExcept(int a, int b) const {
    double m = 0.0;
    for (int r = 0; r < nr_; ++r) {
      if (r != a && r != b) m = std::max(m, s_.len[r]);
    }
    return m;
  }
  double SumLen() const { return std::accumulate(s_.len.begin(), s_.len.end(), 0.0); }
  double MaxLen() const { return nr_ == 0 ? 0.0 : *std::max_element(s_.len.begin(), s_.len.end()); }
  int Uniform(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  double Unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

  void Insert(int t, int r, int pos, int option) {
    s_.route[r].insert(s_.route[r].begin() + pos, t);
    s_.option[t] = option;
    s_.robot_of[t] = r;
  }
  void Remove(int t) {
    auto& route = s_.route[s_.robot_of[t]];
    route.erase(std::find(route.begin(), route.end(), t));
    s_.robot_of[t] = -1;
  }

  // Same-robot precedence window for inserting t into r: positions [lo, hi].
  void PrecedenceWindow(int t, int r, int* lo, int* hi) const {
    *lo = 0;
    *hi = static_cast<int>(s_.route[r].size());
    if (!g_.has_precedences()) return;
    const auto& route = s_.route[r];
    for (int i = 0; i < static_cast<int>(route.size()); ++i) {
      const int u = route[i];
      for (int p : g_.preds()[t]) {
        if (p == u) *lo = std::max(*lo, i + 1);
      }
      for (int q : g_.succs()[t]) {
        if (q == u) *hi = std::min(*hi, i);
      }
    }
  }

  Insertion BestInsertion(int t, int r) const {
    Insertion best;
    int lo = 0;
    int hi = 0;
    PrecedenceWindow(t, r, &lo, &hi);
    const int first = g_.First(r, t);
    const int k = g_.NumOptions(r, t);
    for (int pos = lo; pos <= hi; ++pos) {
      const int a = NodeAt(r, pos - 1);
      const int b = NodeAt(r, pos);
      const double base = s_.route[r].empty() ? 0.0 : g_.T(r, a, b);
      for (int o = 0; o < k; ++o) {
        const int n = first + o;
        const double d = g_.T(r, a, n) + g_.Dur(r, n) + g_.T(r, n, b) - base;
        if (d < best.delta) best = Insertion{.delta = d, .pos = pos, .option = o};
      }
    }
    return best;
  }

  // Insertion score: busy-time increase plus the makespan increase weighted by the robot count
  // (R x makespan = total busy + total idle, so this is the growth of the robots' paid time).
  // Recreate varies the weight (1, R, or 1e4 = nearly "makespan first") for diversity.
  double Score(int r, double delta, double makespan) const {
    return delta + makespan_weight_ * std::max(0.0, s_.len[r] + delta - makespan);
  }

  bool Feasible() const {
    return !g_.has_precedences() || g_.Simulate(s_.route, s_.option).feasible;
  }
  // Waits between robots (precedences, exclusions) make busy-time deltas blind to the
  // schedule: insertions and inter-route moves are then judged through it.
  bool ScheduleAware() const { return g_.has_precedences() || g_.has_exclusions(); }

  // ---- construction and recreate -------------------------------------------------------
  void Construct(double noise);
  double ConstructionTarget() const;
  void RefreshSlot(ConstructionSlots& slots, int t, int r) const;
  ConstructionSlots OpenSlots() const;
  std::pair<int, int> PickByRegret(const ConstructionSlots& slots, double target, double noise);
  int PlaceTask(const ConstructionSlots& slots, int pick, int robot);
  void AppendCheapest(int t, int r);
  void CommitPlacement(ConstructionSlots& slots, int pick, int r);
  void RefreshAfterPlacement(ConstructionSlots& slots, int pick, int r);
  Insertion CandidateInsertion(int t, int r, const std::vector<int>& cpos) const;
  void SeedSharedHomes(double noise);
  void AppendRemaining();
  void ListSchedule();
  bool Recreate(std::vector<int> removed);
  bool InsertFeasibly(int t, double blink);

  // ---- ruin ----------------------------------------------------------------------------
  std::vector<int> Ruin();

  // ---- local search --------------------------------------------------------------------
  bool OptimizeOptions(int r);
  bool TwoOpt(int r);
  bool OrOpt(int r);
  void IntraRoute(int r);
  bool InterRoute(const std::vector<int>* only = nullptr);
  double SegmentCost(int r, const std::vector<int>& seq, int a, int b,
                     std::vector<int>* opts) const;

  void BuildNeighbours();
  void BuildTopologicalRank();
  void RecomputeLengths() {
    for (int r = 0; r < nr_; ++r) s_.len[r] = RouteLength(r);
  }

  const internal::Graph& g_;
  const SolveOptions& options_;
  const internal::StopWatch& watch_;
  int nr_;
  int nt_;
  std::mt19937_64 rng_;
  double lower_bound_ = 0.0;
  bool stopped_ = false;
  bool cancelled_ = false;
  bool constructing_ = false;
  bool used_start_ = false;
  State s_;
  std::vector<double> nearest_arc_;           // per task: cheapest arc in from a neighbour
  std::vector<std::vector<int>> near_of_;     // per task: tasks that list it as a neighbour
  std::vector<std::pair<int, int>> targets_;  // scratch of InterRoute: (robot, position)
  double lambda_ = 0.0;
  double makespan_weight_ = 1.0;
  std::vector<std::vector<int>> neighbours_;  // per task, nearest tasks first
  std::vector<int> topo_rank_;
  std::vector<int> pos_;  // scratch: position of a task in the route being improved
  std::vector<int> sa_;   // scratch: segments of the inter-route search
  std::vector<int> sb_;
  mutable std::vector<int> seg_offset_;  // scratch of SegmentCost
  mutable std::vector<double> seg_cost_;
  mutable std::vector<int> seg_from_;
};

void Search::BuildNeighbours() {
  neighbours_.assign(nt_, {});
  near_of_.assign(nt_, {});
  nearest_arc_.assign(nt_, 0.0);
  const int k = std::min(kNeighbours, nt_ - 1);
  if (k <= 0) return;
  std::vector<std::pair<double, int>> d;
  for (int t = 0; t < nt_; ++t) {
    if (Stopped()) return;
    d.clear();
    for (int u = 0; u < nt_; ++u) {
      if (u == t) continue;
      double best = kInf;
      for (int r : g_.Eligible(t)) {
        if (!g_.CanDo(r, u)) continue;
        best = std::min({best, g_.T(r, g_.First(r, t), g_.First(r, u)),
                         g_.T(r, g_.First(r, u), g_.First(r, t))});
      }
      d.emplace_back(best, u);
    }
    std::partial_sort(d.begin(), d.begin() + k, d.end());
    for (int i = 0; i < k; ++i) {
      neighbours_[t].push_back(d[i].second);
      near_of_[d[i].second].push_back(t);
    }
    nearest_arc_[t] = d[0].first;
  }
}

void Search::BuildTopologicalRank() {
  topo_rank_.assign(nt_, 0);
  if (!g_.has_precedences()) return;
  std::vector<int> indegree(nt_, 0);
  for (int t = 0; t < nt_; ++t) indegree[t] = static_cast<int>(g_.preds()[t].size());
  std::vector<int> queue;
  for (int t = 0; t < nt_; ++t) {
    if (indegree[t] == 0) queue.push_back(t);
  }
  for (std::size_t i = 0; i < queue.size(); ++i) {
    topo_rank_[queue[i]] = static_cast<int>(i);
    for (int s : g_.succs()[queue[i]]) {
      if (--indegree[s] == 0) queue.push_back(s);
    }
  }
}

// Best slot of t in route r among candidate positions: every position of a short route, and
// next to t's nearest tasks plus both ends of a long one (granular, so that a construction on
// thousands of tasks stays near O(n k) per robot). `cpos` holds each placed task's position.
Insertion Search::CandidateInsertion(int t, int r, const std::vector<int>& cpos) const {
  Insertion best;
  int lo = 0;
  int hi = 0;
  PrecedenceWindow(t, r, &lo, &hi);
  const int m = static_cast<int>(s_.route[r].size());
  const int first = g_.First(r, t);
  const int k = g_.NumOptions(r, t);
  auto eval = [&](int pos) {
    if (pos < lo || pos > hi) return;
    const int a = NodeAt(r, pos - 1);
    const int b = NodeAt(r, pos);
    const double base = m == 0 ? 0.0 : g_.T(r, a, b);
    for (int o = 0; o < k; ++o) {
      const int n = first + o;
      const double d = g_.T(r, a, n) + g_.Dur(r, n) + g_.T(r, n, b) - base;
      if (d < best.delta) best = Insertion{.delta = d, .pos = pos, .option = o};
    }
  };
  if (m <= kFullScan) {
    for (int pos = lo; pos <= hi; ++pos) eval(pos);
    return best;
  }
  eval(lo);
  eval(hi);
  for (int w : neighbours_[t]) {
    if (s_.robot_of[w] != r) continue;
    eval(cpos[w]);
    eval(cpos[w] + 1);
  }
  return best;
}

// Robots that share a home (the same travel from home to every task they can both do) start
// from seeds spread apart, farthest first (k-center): otherwise the first robot takes every
// task near the home before another one looks cheaper, and the others get the leftovers.
void Search::SeedSharedHomes(double noise) {
  if (nr_ < 2 || nt_ < nr_ || g_.has_precedences()) return;
  auto same_home = [this](int a, int b) {
    int compared = 0;
    for (int t = 0; t < nt_ && compared < 16; ++t) {
      if (!g_.CanDo(a, t) || !g_.CanDo(b, t)) continue;
      if (g_.NumOptions(a, t) != g_.NumOptions(b, t)) return false;
      const double x = g_.T(a, 0, g_.First(a, t));
      const double y = g_.T(b, 0, g_.First(b, t));
      if (std::abs(x - y) > 1e-9 * std::max(1.0, std::abs(x))) return false;
      ++compared;
    }
    return compared > 0;
  };
  std::vector<int> group(nr_, -1);
  for (int r = 0; r < nr_; ++r) {
    if (group[r] >= 0) continue;
    group[r] = r;
    for (int q = r + 1; q < nr_; ++q) {
      if (group[q] < 0 && same_home(r, q)) group[q] = r;
    }
  }
  std::vector<double> spread(nt_, kInf);  // distance to the nearest seed of the group
  for (int leader = 0; leader < nr_; ++leader) {
    if (group[leader] != leader) continue;
    int members = 0;
    for (int r = 0; r < nr_; ++r) members += group[r] == leader ? 1 : 0;
    if (members < 2) continue;
    std::fill(spread.begin(), spread.end(), kInf);
    for (int r = 0; r < nr_; ++r) {
      if (group[r] != leader) continue;
      if (Stopped()) return;
      int pick = -1;
      double pick_score = -kInf;
      for (int t = 0; t < nt_; ++t) {
        if (s_.robot_of[t] >= 0 || !g_.CanDo(r, t)) continue;
        const int n = g_.First(r, t);
        const double home = g_.T(r, 0, n) + g_.T(r, n, 0);
        double sc = std::min(home, spread[t]);
        if (noise > 0.0) sc *= 1.0 + noise * Unit();
        if (sc > pick_score) {
          pick_score = sc;
          pick = t;
        }
      }
      if (pick < 0) continue;
      const Insertion ins = BestInsertion(pick, r);
      Insert(pick, r, ins.pos, ins.option);
      s_.len[r] = RouteLength(r);
      const int pn = g_.First(r, pick);
      for (int t = 0; t < nt_; ++t) {
        if (s_.robot_of[t] >= 0 || !g_.CanDo(r, t)) continue;
        const int n = g_.First(r, t);
        spread[t] = std::min(spread[t], g_.T(r, pn, n) + g_.T(r, n, pn));
      }
    }
  }
}

// Parallel regret-2 insertion with granular candidate slots. A robot's score for a task is its
// busy-time increase plus R x the part of its route beyond an estimate of the final makespan
// (the lower bound, or the work per robot if larger), so that routes fill up evenly. Only the
// slots an insertion changes are re-evaluated: tasks whose best slot was the split arc, and
// the tasks near the inserted one. With precedences only tasks whose predecessors are placed
// compete, and a task whose slot would deadlock is appended to that robot (feasible then,
// since none of its successors is placed yet). Polls the stop condition per task.
void Search::Construct(double noise) {
  makespan_weight_ = nr_;
  SeedSharedHomes(noise);
  const double target = ConstructionTarget();
  ConstructionSlots slots = OpenSlots();
  while (!slots.open.empty()) {
    if (Stopped()) return;
    const auto [pick, pick_robot] = PickByRegret(slots, target, noise);
    WELDCELL_CHECK(pick >= 0);
    const int r = PlaceTask(slots, pick, pick_robot);
    CommitPlacement(slots, pick, r);
    RefreshAfterPlacement(slots, pick, r);
  }
}

// Estimate of the final makespan (s) the construction fills routes up to: the lower bound, or
// the work per robot (each task's cheapest duration plus its cheapest arc in) if larger.
double Search::ConstructionTarget() const {
  double work = 0.0;
  for (int t = 0; t < nt_; ++t) {
    double cheapest = kInf;
    for (int r : g_.Eligible(t)) {
      for (int o = 0; o < g_.NumOptions(r, t); ++o) {
        cheapest = std::min(cheapest, g_.Dur(r, g_.First(r, t) + o));
      }
    }
    work += cheapest + (nearest_arc_.empty() ? 0.0 : nearest_arc_[t]);
  }
  return std::max(lower_bound_, nr_ > 0 ? work / nr_ : 0.0);
}

// Re-evaluates the cached best slot of task t in route r, with the arc it splits.
void Search::RefreshSlot(ConstructionSlots& slots, int t, int r) const {
  ConstructionSlots::Slot& c = slots.At(t, r);
  c.ins = CandidateInsertion(t, r, slots.cpos);
  const auto& route = s_.route[r];
  c.before = c.ins.pos > 0 ? route[c.ins.pos - 1] : -1;
  c.after = c.ins.pos < static_cast<int>(route.size()) ? route[c.ins.pos] : -1;
}

// The construction's start: positions of the tasks already placed (seeds), each unplaced
// task's missing predecessors, and the best slot of every open task on every eligible robot.
ConstructionSlots Search::OpenSlots() const {
  ConstructionSlots slots;
  slots.nr = nr_;
  slots.cpos.assign(nt_, 0);
  for (int r = 0; r < nr_; ++r) {
    for (int i = 0; i < static_cast<int>(s_.route[r].size()); ++i) slots.cpos[s_.route[r][i]] = i;
  }
  slots.cache.resize(static_cast<std::size_t>(nt_) * static_cast<std::size_t>(nr_));
  slots.missing.assign(nt_, 0);
  if (g_.has_precedences()) {
    for (int t = 0; t < nt_; ++t) slots.missing[t] = static_cast<int>(g_.preds()[t].size());
  }
  for (int t = 0; t < nt_; ++t) {
    if (s_.robot_of[t] >= 0) continue;
    slots.open.push_back(t);
    for (int r : g_.Eligible(t)) RefreshSlot(slots, t, r);
  }
  return slots;
}

// The open task whose best robot beats its second best by the most (regret-2, scores against
// `target` in s, the regret randomized by `noise`), with that robot; ties: the lower score.
std::pair<int, int> Search::PickByRegret(const ConstructionSlots& slots, double target,
                                         double noise) {
  int pick = -1;
  int pick_robot = -1;
  double pick_regret = -kInf;
  double pick_score = kInf;
  for (int t : slots.open) {
    if (slots.missing[t] > 0) continue;
    double b1 = kInf;
    double b2 = kInf;
    int r1 = -1;
    for (int r : g_.Eligible(t)) {
      const double delta = slots.At(t, r).ins.delta;
      const double sc = delta + makespan_weight_ * std::max(0.0, s_.len[r] + delta - target);
      if (sc < b1) {
        b2 = b1;
        b1 = sc;
        r1 = r;
      } else if (sc < b2) {
        b2 = sc;
      }
    }
    double regret = b2 == kInf ? 1e18 : b2 - b1;
    if (noise > 0.0) regret *= 1.0 + noise * Unit();
    if (regret > pick_regret + kEps ||
        (std::abs(regret - pick_regret) <= kEps && b1 < pick_score)) {
      pick = t;
      pick_robot = r1;
      pick_regret = regret;
      pick_score = b1;
    }
  }
  return {pick, pick_robot};
}

// Inserts the picked task: at its cached slot on `robot`, or with precedences where the
// simulated schedule is best (else at the end of `robot`), appended instead if that deadlocks.
// Returns the robot whose route now holds it.
int Search::PlaceTask(const ConstructionSlots& slots, int pick, int robot) {
  const ConstructionSlots::Slot chosen = slots.At(pick, robot);
  // Positions shift with insertions before them; the arc a slot splits does not.
  int r = robot;
  if (g_.has_precedences()) {
    // Busy time is blind to waits: the slots are compared by the simulated schedule
    // (as in recreate), else the task goes to the end of its best robot.
    constructing_ = true;
    const bool inserted = InsertFeasibly(pick, 0.0);
    constructing_ = false;
    if (inserted) {
      r = s_.robot_of[pick];
    } else {
      Insert(pick, r, static_cast<int>(s_.route[r].size()), chosen.ins.option);
    }
  } else {
    Insert(pick, r, chosen.before >= 0 ? slots.cpos[chosen.before] + 1 : 0, chosen.ins.option);
  }
  if (g_.has_precedences() && !Feasible()) AppendCheapest(pick, r);
  return r;
}

// Moves task t to the end of route r with the option of the cheapest detour (travel in and
// home, plus its duration, s).
void Search::AppendCheapest(int t, int r) {
  Remove(t);
  const int end = static_cast<int>(s_.route[r].size());
  int best_o = 0;
  double best = kInf;
  for (int o = 0; o < g_.NumOptions(r, t); ++o) {
    const int n = g_.First(r, t) + o;
    const double d = g_.T(r, NodeAt(r, end - 1), n) + g_.Dur(r, n) + g_.T(r, n, 0);
    if (d < best) {
      best = d;
      best_o = o;
    }
  }
  Insert(t, r, end, best_o);
}

// Books a placement on route r: its length, its tasks' positions, the task out of the open
// ones and one predecessor fewer missing for each of its successors.
void Search::CommitPlacement(ConstructionSlots& slots, int pick, int r) {
  s_.len[r] = RouteLength(r);
  const auto& route = s_.route[r];
  for (int i = 0; i < static_cast<int>(route.size()); ++i) slots.cpos[route[i]] = i;
  slots.open.erase(std::find(slots.open.begin(), slots.open.end(), pick));
  if (g_.has_precedences()) {
    for (int q : g_.succs()[pick]) --slots.missing[q];
  }
}

// Re-evaluates on route r the slots the placement of `pick` changed: those that split the arc
// it went into (every slot of a short route), its near tasks' and, with precedences, those of
// its neighbours in the precedence graph, whose same-robot windows moved.
void Search::RefreshAfterPlacement(ConstructionSlots& slots, int pick, int r) {
  const auto& route = s_.route[r];
  const int at = slots.cpos[pick];
  const int before = at > 0 ? route[at - 1] : -1;
  const int after = at + 1 < static_cast<int>(route.size()) ? route[at + 1] : -1;
  const bool short_route = static_cast<int>(route.size()) <= kFullScan + 1;
  for (int t : slots.open) {
    if (!g_.CanDo(r, t)) continue;
    const ConstructionSlots::Slot& c = slots.At(t, r);
    // Short routes are scanned whole (cheap); long ones only where the arc changed.
    if (short_route || (c.before == before && c.after == after)) RefreshSlot(slots, t, r);
  }
  if (!short_route) {
    for (int t : near_of_[pick]) {
      if (s_.robot_of[t] < 0 && g_.CanDo(r, t)) RefreshSlot(slots, t, r);
    }
  }
  if (g_.has_precedences()) {
    // The same-robot precedence windows of pick's neighbours in the graph moved.
    for (const auto* list : {&g_.preds()[pick], &g_.succs()[pick]}) {
      for (int t : *list) {
        if (s_.robot_of[t] < 0 && g_.CanDo(r, t)) RefreshSlot(slots, t, r);
      }
    }
  }
}

// List scheduling (for precedences): the robot that could start a ready task earliest takes
// it (ties: shorter travel). Placement order respects every precedence, so the schedule is
// feasible, and it is free of the waits that slot insertion by busy time creates when long
// chains spread over robots. O(n^2 R) oracle-free work once travel is cached.
void Search::ListSchedule() {
  s_.route.assign(nr_, {});
  s_.robot_of.assign(nt_, -1);
  s_.len.assign(nr_, 0.0);
  std::vector<double> clock(nr_, 0.0);
  std::vector<int> at(nr_, 0);
  std::vector<double> ready_at(nt_, 0.0);
  std::vector<int> missing(nt_, 0);
  for (int t = 0; t < nt_; ++t) missing[t] = static_cast<int>(g_.preds()[t].size());
  std::vector<int> ready;
  for (int t = 0; t < nt_; ++t) {
    if (missing[t] == 0) ready.push_back(t);
  }
  while (!ready.empty()) {
    if (Stopped()) return;
    double best_start = kInf;
    double best_move = kInf;
    int best_r = -1;
    int best_t = -1;
    int best_o = 0;
    std::size_t best_i = 0;
    for (std::size_t i = 0; i < ready.size(); ++i) {
      const int t = ready[i];
      for (int r : g_.Eligible(t)) {
        for (int o = 0; o < g_.NumOptions(r, t); ++o) {
          const int n = g_.First(r, t) + o;
          const double move = g_.T(r, at[r], n);
          const double start = std::max(clock[r] + move, ready_at[t]);
          if (start < best_start - kEps || (start <= best_start + kEps && move < best_move)) {
            best_start = start;
            best_move = move;
            best_r = r;
            best_t = t;
            best_o = o;
            best_i = i;
          }
        }
      }
    }
    ready[best_i] = ready.back();
    ready.pop_back();
    const int n = g_.First(best_r, best_t) + best_o;
    s_.route[best_r].push_back(best_t);
    s_.option[best_t] = best_o;
    s_.robot_of[best_t] = best_r;
    clock[best_r] = best_start + g_.Dur(best_r, n);
    at[best_r] = n;
    for (int q : g_.succs()[best_t]) {
      ready_at[q] = std::max(ready_at[q], clock[best_r]);
      if (--missing[q] == 0) ready.push_back(q);
    }
  }
  RecomputeLengths();
}

// Completes a stopped construction cheaply: every unplaced task, in precedence order, at the
// end of the eligible robot whose route grows the least (feasible: predecessors come first).
void Search::AppendRemaining() {
  std::vector<int> order;
  for (int t = 0; t < nt_; ++t) {
    if (s_.robot_of[t] < 0) order.push_back(t);
  }
  std::stable_sort(order.begin(), order.end(),
                   [this](int a, int b) { return topo_rank_[a] < topo_rank_[b]; });
  std::vector<int> last(nr_, 0);
  for (int r = 0; r < nr_; ++r) last[r] = NodeAt(r, static_cast<int>(s_.route[r].size()) - 1);
  for (int t : order) {
    int best_r = -1;
    int best_o = 0;
    double best = kInf;
    for (int r : g_.Eligible(t)) {
      for (int o = 0; o < g_.NumOptions(r, t); ++o) {
        const int n = g_.First(r, t) + o;
        const double len = s_.len[r] + g_.T(r, last[r], n) + g_.Dur(r, n);
        if (len < best) {
          best = len;
          best_r = r;
          best_o = o;
        }
      }
    }
    s_.route[best_r].push_back(t);
    s_.option[t] = best_o;
    s_.robot_of[t] = best_r;
    s_.len[best_r] = best;  // without the way home: a balance estimate only
    last[best_r] = g_.First(best_r, t) + best_o;
  }
  RecomputeLengths();
}

// Greedy insertion of one task at its best-scoring slot (skipping slots with probability
// `blink`, as in SISR). With precedences, candidate slots are tried in score order until one
// keeps the schedule free of deadlock.
bool Search::InsertFeasibly(int t, double blink) {
  const double makespan = MaxLen();
  if (!ScheduleAware()) {
    double best = kInf;
    int best_r = -1;
    Insertion best_ins;
    for (int r : g_.Eligible(t)) {
      const int first = g_.First(r, t);
      const int k = g_.NumOptions(r, t);
      const int m = static_cast<int>(s_.route[r].size());
      for (int pos = 0; pos <= m; ++pos) {
        if (blink > 0.0 && Unit() < blink) continue;
        const int a = NodeAt(r, pos - 1);
        const int b = NodeAt(r, pos);
        const double base = m == 0 ? 0.0 : g_.T(r, a, b);
        for (int o = 0; o < k; ++o) {
          const int n = first + o;
          const double d = g_.T(r, a, n) + g_.Dur(r, n) + g_.T(r, n, b) - base;
          const double sc = Score(r, d, makespan);
          if (sc < best) {
            best = sc;
            best_r = r;
            best_ins = Insertion{.delta = d, .pos = pos, .option = o};
          }
        }
      }
    }
    if (best_r < 0) {  // every slot blinked: take the first robot's end
      best_r = g_.Eligible(t).front();
      best_ins = BestInsertion(t, best_r);
    }
    Insert(t, best_r, best_ins.pos, best_ins.option);
    s_.len[best_r] += best_ins.delta;
    return true;
  }
  struct Candidate {
    double score;
    int r;
    int pos;
    int option;
  };
  std::vector<Candidate> candidates;
  for (int r : g_.Eligible(t)) {
    int lo = 0;
    int hi = 0;
    PrecedenceWindow(t, r, &lo, &hi);
    const int first = g_.First(r, t);
    for (int pos = lo; pos <= hi; ++pos) {
      const int a = NodeAt(r, pos - 1);
      const int b = NodeAt(r, pos);
      const double base = s_.route[r].empty() ? 0.0 : g_.T(r, a, b);
      Candidate c{.score = kInf, .r = r, .pos = pos, .option = 0};
      for (int o = 0; o < g_.NumOptions(r, t); ++o) {
        const int n = first + o;
        const double sc = Score(r, g_.T(r, a, n) + g_.Dur(r, n) + g_.T(r, n, b) - base, makespan);
        if (sc < c.score) {
          c.score = sc;
          c.option = o;
        }
      }
      candidates.push_back(c);
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& x, const Candidate& y) { return x.score < y.score; });
  // Waits make the busy-time score blind to the schedule: among the first few feasible slots
  // by score, take the one with the best simulated cost.
  constexpr std::size_t kMaxTries = 24;
  constexpr int kMaxFeasible = 6;
  int feasible = 0;
  int best = -1;
  Cost best_cost{.makespan = kInf, .total = kInf};
  for (std::size_t i = 0; i < candidates.size() && i < kMaxTries && feasible < kMaxFeasible; ++i) {
    const Candidate& c = candidates[i];
    Insert(t, c.r, c.pos, c.option);
    const Evaluation e = g_.Simulate(s_.route, s_.option);
    Remove(t);
    if (!e.feasible) continue;
    ++feasible;
    // While constructing, the second key is the sum of the robots' end times: it counts the
    // waits, which the total (busy time) does not, and which only reach the makespan later.
    Cost key = e.cost;
    if (constructing_) {
      key.total = 0.0;
      for (const RobotTimes& rt : e.robots) key.total += rt.end;
    }
    if (Better(key, best_cost) && !(blink > 0.0 && Unit() < blink)) {
      best_cost = key;
      best = static_cast<int>(i);
    }
  }
  if (best < 0) return false;
  const Candidate& c = candidates[static_cast<std::size_t>(best)];
  Insert(t, c.r, c.pos, c.option);
  s_.len[c.r] = RouteLength(c.r);
  return true;
}

bool Search::Recreate(std::vector<int> removed) {
  // Order: by precedence rank (keeps predecessors first), else mostly "hardest first" (fewest
  // eligible robots), sometimes random, as SISR's sort variants.
  std::shuffle(removed.begin(), removed.end(), rng_);
  if (g_.has_precedences()) {
    std::stable_sort(removed.begin(), removed.end(),
                     [this](int a, int b) { return topo_rank_[a] < topo_rank_[b]; });
  } else if (Unit() < 0.5) {
    std::stable_sort(removed.begin(), removed.end(), [this](int a, int b) {
      return g_.Eligible(a).size() < g_.Eligible(b).size();
    });
  }
  const double blink = Unit() < 0.5 ? 0.01 : 0.0;
  const double weight = Unit();
  makespan_weight_ = weight < 0.4 ? nr_ : (weight < 0.7 ? 1e4 : 1.0);
  for (int t : removed) {
    if (!InsertFeasibly(t, blink)) return false;
  }
  return true;
}

std::vector<int> Search::Ruin() {
  std::vector<int> removed;
  if (nt_ == 0) return removed;
  const int q_max = std::clamp(static_cast<int>(std::lround(0.15 * nt_)), std::min(nt_, 10), 40);
  const int q = 1 + Uniform(std::max(1, q_max));
  std::vector<char> gone(nt_, 0);
  auto take = [&](int t) {
    if (!gone[t] && static_cast<int>(removed.size()) < q) {
      gone[t] = 1;
      removed.push_back(t);
    }
  };
  const double kind = Unit();
  if (kind < 0.45) {
    // String removal around a seed and its neighbours' routes (SISR).
    const int seed = Uniform(nt_);
    std::vector<char> route_done(nr_, 0);
    const int max_strings = 1 + Uniform(3);
    int strings = 0;
    std::vector<int> order{seed};
    order.insert(order.end(), neighbours_[seed].begin(), neighbours_[seed].end());
    for (int u : order) {
      if (strings >= max_strings || static_cast<int>(removed.size()) >= q) break;
      const int r = s_.robot_of[u];
      if (r < 0 || route_done[r]) continue;
      route_done[r] = 1;
      ++strings;
      const auto& route = s_.route[r];
      const int m = static_cast<int>(route.size());
      const int len = 1 + Uniform(std::min(m, std::max(1, q / max_strings + 1)));
      const int at = static_cast<int>(std::find(route.begin(), route.end(), u) - route.begin());
      const int start = std::clamp(at - Uniform(len), 0, m - len);
      for (int i = start; i < start + len; ++i) take(route[i]);
    }
  } else if (kind < 0.7) {
    // Related removal: a seed and its nearest tasks, each skipped with some probability.
    const int seed = Uniform(nt_);
    take(seed);
    for (int u : neighbours_[seed]) {
      if (Unit() < 0.8) take(u);
    }
    while (static_cast<int>(removed.size()) < q) {
      const auto& nb = neighbours_[removed[Uniform(static_cast<int>(removed.size()))]];
      const int next = nb.empty() ? Uniform(nt_) : nb[Uniform(static_cast<int>(nb.size()))];
      take(gone[next] ? Uniform(nt_) : next);
    }
  } else if (kind < 0.85 && nr_ > 1) {
    // From the longest route: what it does is what the makespan pays for.
    int longest = 0;
    for (int r = 1; r < nr_; ++r) {
      if (s_.len[r] > s_.len[longest]) longest = r;
    }
    const auto route = s_.route[longest];
    const int m = static_cast<int>(route.size());
    for (int i = 0; i < m && static_cast<int>(removed.size()) < std::min(q, m); ++i) {
      if (Unit() < static_cast<double>(q) / m) take(route[i]);
    }
    if (removed.empty() && m > 0) take(route[Uniform(m)]);
  } else {
    while (static_cast<int>(removed.size()) < q) take(Uniform(nt_));
  }
  for (int t : removed) Remove(t);
  return removed;
}

// Shortest path through the layers of options of route r (Viterbi): the IK branch and gun
// spin of every task chosen optimally for the given order.
bool Search::OptimizeOptions(int r) {
  const auto& route = s_.route[r];
  const int m = static_cast<int>(route.size());
  if (m == 0) return false;
  bool any_choice = false;
  for (int t : route) any_choice = any_choice || g_.NumOptions(r, t) > 1;
  if (!any_choice) return false;
  std::vector<std::vector<double>> cost(m);
  std::vector<std::vector<int>> from(m);
  for (int i = 0; i < m; ++i) {
    const int t = route[i];
    const int k = g_.NumOptions(r, t);
    const int first = g_.First(r, t);
    cost[i].assign(k, kInf);
    from[i].assign(k, 0);
    for (int o = 0; o < k; ++o) {
      const int n = first + o;
      if (i == 0) {
        cost[i][o] = g_.T(r, 0, n) + g_.Dur(r, n);
        continue;
      }
      const int pt = route[i - 1];
      const int pfirst = g_.First(r, pt);
      for (int p = 0; p < static_cast<int>(cost[i - 1].size()); ++p) {
        const double c = cost[i - 1][p] + g_.T(r, pfirst + p, n) + g_.Dur(r, n);
        if (c < cost[i][o]) {
          cost[i][o] = c;
          from[i][o] = p;
        }
      }
    }
  }
  double best = kInf;
  int best_o = 0;
  const int last_first = g_.First(r, route[m - 1]);
  for (int o = 0; o < static_cast<int>(cost[m - 1].size()); ++o) {
    const double c = cost[m - 1][o] + g_.T(r, last_first + o, 0);
    if (c < best) {
      best = c;
      best_o = o;
    }
  }
  if (best >= s_.len[r] - kEps * std::max(1.0, s_.len[r])) return false;
  for (int i = m - 1; i >= 0; --i) {
    s_.option[route[i]] = best_o;
    best_o = from[i][best_o];
  }
  s_.len[r] = RouteLength(r);
  return true;
}

// 2-opt with options fixed; reversal costs from prefix sums of forward and backward arcs, so
// asymmetric travel is handled exactly. Short routes scan every pair; long ones only pairs
// whose new arcs join near neighbours (granular search, Toth & Vigo 2003). First improvement.
bool Search::TwoOpt(int r) {
  auto& route = s_.route[r];
  const int m = static_cast<int>(route.size());
  if (m < 3) return false;
  std::vector<int> v(m + 2, 0);
  std::vector<double> fwd(m + 2, 0.0);
  std::vector<double> bwd(m + 2, 0.0);
  auto prepare = [&] {
    for (int i = 0; i < m; ++i) {
      v[i + 1] = Node(r, route[i]);
      pos_[route[i]] = i + 1;
    }
    for (int i = 1; i <= m + 1; ++i) {
      fwd[i] = fwd[i - 1] + g_.T(r, v[i - 1], v[i]);
      bwd[i] = bwd[i - 1] + g_.T(r, v[i], v[i - 1]);
    }
  };
  prepare();
  const bool full = m <= kFullScan;
  std::vector<int> js;
  bool improved = false;
  for (int sweep = 0; sweep < 100000; ++sweep) {
    const double tol = kEps * std::max(1.0, s_.len[r]);
    bool found = false;
    for (int i = 1; i < m && !found; ++i) {
      js.clear();
      if (full || i == 1) {
        for (int j = i + 1; j <= m; ++j) js.push_back(j);
      } else {
        // New arcs v[i-1] -> v[j] and v[i] -> v[j+1].
        for (int w : neighbours_[route[i - 2]]) {
          if (s_.robot_of[w] == r && pos_[w] > i) js.push_back(pos_[w]);
        }
        for (int w : neighbours_[route[i - 1]]) {
          if (s_.robot_of[w] == r && pos_[w] - 1 > i) js.push_back(pos_[w] - 1);
        }
        js.push_back(m);
      }
      for (int j : js) {
        const double old_cost =
            g_.T(r, v[i - 1], v[i]) + (fwd[j] - fwd[i]) + g_.T(r, v[j], v[j + 1]);
        const double new_cost =
            g_.T(r, v[i - 1], v[j]) + (bwd[j] - bwd[i]) + g_.T(r, v[i], v[j + 1]);
        if (new_cost - old_cost < -tol) {
          std::reverse(route.begin() + (i - 1), route.begin() + j);
          s_.len[r] = RouteLength(r);
          prepare();
          found = true;
          improved = true;
          break;
        }
      }
    }
    if (!found) break;
  }
  return improved;
}

// Or-opt: move a segment of 1..3 tasks elsewhere in the route, possibly reversed; a single
// task also re-chooses its option for the new slot. Granular on long routes, first improvement.
bool Search::OrOpt(int r) {
  auto& route = s_.route[r];
  const int m = static_cast<int>(route.size());
  if (m < 2) return false;
  const bool full = m <= kFullScan;
  std::vector<int> ps;
  for (int i = 0; i < m; ++i) pos_[route[i]] = i;
  bool improved = false;
  for (int len = 1; len <= std::min(kMaxSegment, m - 1); ++len) {
    for (int i = 0; i + len <= m; ++i) {
      const double tol = kEps * std::max(1.0, s_.len[r]);
      const int a = NodeAt(r, i - 1);
      const int first = NodeAt(r, i);
      const int last = NodeAt(r, i + len - 1);
      const int b = NodeAt(r, i + len);
      const double gain = g_.T(r, a, first) + g_.T(r, last, b) - g_.T(r, a, b);
      double inner_rev = 0.0;
      double inner_fwd = 0.0;
      for (int k = i; k + 1 < i + len; ++k) {
        inner_fwd += g_.T(r, NodeAt(r, k), NodeAt(r, k + 1));
        inner_rev += g_.T(r, NodeAt(r, k + 1), NodeAt(r, k));
      }
      ps.clear();
      if (full) {
        for (int p = 0; p <= m; ++p) ps.push_back(p);
      } else {
        for (int t : {route[i], route[i + len - 1]}) {
          for (int w : neighbours_[t]) {
            if (s_.robot_of[w] != r) continue;
            ps.push_back(pos_[w]);
            ps.push_back(pos_[w] + 1);
          }
        }
        ps.push_back(0);
        ps.push_back(m);
      }
      double best = -tol;
      int best_pos = -1;
      bool best_rev = false;
      int best_opt = -1;
      // Insert between positions p-1 and p of the route without the segment (p indexes the
      // original route, skipping the segment itself).
      for (int p : ps) {
        if (p >= i && p <= i + len) continue;
        const int c = NodeAt(r, p - 1);
        const int d = NodeAt(r, p);
        const double base = g_.T(r, c, d);
        if (len == 1) {
          const int t = route[i];
          const int f = g_.First(r, t);
          for (int o = 0; o < g_.NumOptions(r, t); ++o) {
            const int n = f + o;
            const double delta =
                g_.T(r, c, n) + g_.Dur(r, n) + g_.T(r, n, d) - base - gain - g_.Dur(r, first);
            if (delta < best) {
              best = delta;
              best_pos = p;
              best_opt = o;
            }
          }
          continue;
        }
        const double fwd = g_.T(r, c, first) + inner_fwd + g_.T(r, last, d) - base - gain;
        const double rev = g_.T(r, c, last) + inner_rev + g_.T(r, first, d) - base - gain;
        if (fwd < best) {
          best = fwd;
          best_pos = p;
          best_rev = false;
        }
        if (rev < best) {
          best = rev;
          best_pos = p;
          best_rev = true;
        }
      }
      if (best_pos < 0) continue;
      std::vector<int> seg(route.begin() + i, route.begin() + i + len);
      if (best_rev) std::reverse(seg.begin(), seg.end());
      if (best_opt >= 0) s_.option[seg[0]] = best_opt;
      route.erase(route.begin() + i, route.begin() + i + len);
      const int at = best_pos > i ? best_pos - len : best_pos;
      route.insert(route.begin() + at, seg.begin(), seg.end());
      s_.len[r] = RouteLength(r);
      for (int k = 0; k < m; ++k) pos_[route[k]] = k;
      improved = true;
      // Keep sweeping: the slot at i now holds other tasks and is examined next.
      i = std::max(-1, i - 2);
    }
  }
  return improved;
}

void Search::IntraRoute(int r) {
  std::vector<int> saved_route;
  std::vector<int> saved_options;
  Cost before;
  if (ScheduleAware()) {
    saved_route = s_.route[r];
    for (int t : saved_route) saved_options.push_back(s_.option[t]);
    if (g_.has_exclusions()) before = TrueCost();
  }
  for (int pass = 0; pass < 1000; ++pass) {
    if (pass > 0 && Stopped()) break;
    // All three run every pass (no short-circuit): each may open moves for the others.
    bool improved = OptimizeOptions(r);
    improved = TwoOpt(r) || improved;
    improved = OrOpt(r) || improved;
    if (!improved) break;
  }
  // With precedences the new order must keep the schedule feasible; with exclusions it must
  // not lengthen it either (shorter busy time can mean longer waits).
  if ((g_.has_precedences() && !Feasible()) ||
      (g_.has_exclusions() && Better(before, TrueCost()))) {
    s_.route[r] = saved_route;
    for (std::size_t i = 0; i < saved_route.size(); ++i)
      s_.option[saved_route[i]] = saved_options[i];
    s_.len[r] = RouteLength(r);
  }
}

// Cost of visiting `seq` in order between nodes a and b of robot r, options chosen optimally
// (layered shortest path); fills *opts when given.
double Search::SegmentCost(int r, const std::vector<int>& seq, int a, int b,
                           std::vector<int>* opts) const {
  if (seq.empty()) return g_.T(r, a, b);
  const int layers = static_cast<int>(seq.size());
  // Layer i's options live at [offset[i], offset[i + 1]) of the scratch arrays.
  std::vector<int>& offset = seg_offset_;
  offset.assign(layers + 1, 0);
  for (int i = 0; i < layers; ++i) offset[i + 1] = offset[i] + g_.NumOptions(r, seq[i]);
  std::vector<double>& cost = seg_cost_;
  std::vector<int>& from = seg_from_;
  cost.assign(offset[layers], kInf);
  from.assign(offset[layers], 0);
  for (int i = 0; i < layers; ++i) {
    const int f = g_.First(r, seq[i]);
    const int k = offset[i + 1] - offset[i];
    for (int o = 0; o < k; ++o) {
      const int n = f + o;
      double& c = cost[offset[i] + o];
      if (i == 0) {
        c = g_.T(r, a, n) + g_.Dur(r, n);
        continue;
      }
      const int pf = g_.First(r, seq[i - 1]);
      for (int p = 0; p < offset[i] - offset[i - 1]; ++p) {
        const double via = cost[offset[i - 1] + p] + g_.T(r, pf + p, n) + g_.Dur(r, n);
        if (via < c) {
          c = via;
          from[offset[i] + o] = p;
        }
      }
    }
  }
  double best = kInf;
  int best_o = 0;
  const int lf = g_.First(r, seq[layers - 1]);
  for (int o = 0; o < offset[layers] - offset[layers - 1]; ++o) {
    const double c = cost[offset[layers - 1] + o] + g_.T(r, lf + o, b);
    if (c < best) {
      best = c;
      best_o = o;
    }
  }
  if (opts != nullptr) {
    opts->assign(layers, 0);
    for (int i = layers - 1; i >= 0; --i) {
      (*opts)[i] = best_o;
      best_o = from[offset[i] + best_o];
    }
  }
  return best;
}

// Granular inter-route search: a segment of 1..2 tasks starting at task u (route A) goes next to
// one of u's nearest tasks w (route B), exchanged with 0..2 tasks of B at that place
// (relocate = 1/0, swap = 1/1, cross-exchange otherwise); moved tasks re-choose options for
// their new robot. First improvement in (makespan, total) of the busy times.
bool Search::InterRoute(const std::vector<int>* only) {
  if (nr_ < 2) return false;
  bool any = false;
  const int count = only != nullptr ? static_cast<int>(only->size()) : nt_;
  for (int index = 0; index < count; ++index) {
    if ((index & 63) == 0 && Stopped()) break;
    const int u = only != nullptr ? (*only)[index] : index;
    const int ra_robot = s_.robot_of[u];
    // Targets: next to u's nearest tasks on other robots, and every idle robot that can do u
    // (an empty route holds no neighbour, yet is often where the makespan drops).
    targets_.clear();
    for (int w : neighbours_[u]) {
      const int rb_robot = s_.robot_of[w];
      if (rb_robot == ra_robot || rb_robot < 0) continue;
      const auto& rb = s_.route[rb_robot];
      const int wpos = static_cast<int>(std::find(rb.begin(), rb.end(), w) - rb.begin());
      targets_.emplace_back(rb_robot, wpos);
      targets_.emplace_back(rb_robot, wpos + 1);
    }
    for (int r : g_.Eligible(u)) {
      if (r != ra_robot && s_.route[r].empty()) targets_.emplace_back(r, 0);
    }
    for (const auto& [rb_robot, j] : targets_) {
      auto& ra = s_.route[ra_robot];
      auto& rb = s_.route[rb_robot];
      const int i = static_cast<int>(std::find(ra.begin(), ra.end(), u) - ra.begin());
      const double others = MaxLenExcept(ra_robot, rb_robot);
      const Cost current{.makespan = std::max({others, s_.len[ra_robot], s_.len[rb_robot]}),
                         .total = s_.len[ra_robot] + s_.len[rb_robot]};
      {
        for (int la = 1; la <= 2; ++la) {
          if (i + la > static_cast<int>(ra.size())) break;
          std::vector<int>& sa = sa_;
          sa.assign(ra.begin() + i, ra.begin() + i + la);
          bool ok = true;
          for (int t : sa) ok = ok && g_.CanDo(rb_robot, t);
          if (!ok) break;
          for (int lb = 0; lb <= 2; ++lb) {
            if (j + lb > static_cast<int>(rb.size())) break;
            std::vector<int>& sb = sb_;
            sb.assign(rb.begin() + j, rb.begin() + j + lb);
            bool ok_b = true;
            for (int t : sb) ok_b = ok_b && g_.CanDo(ra_robot, t);
            if (!ok_b) break;
            // Busy-time of the replaced pieces with current options.
            auto removed_cost = [this](int r, int start, int count) {
              if (s_.route[r].empty()) return 0.0;
              double c = g_.T(r, NodeAt(r, start - 1), NodeAt(r, start));
              for (int k = start; k < start + count; ++k) {
                c += g_.Dur(r, NodeAt(r, k)) + g_.T(r, NodeAt(r, k), NodeAt(r, k + 1));
              }
              return c;
            };
            const double old_a = removed_cost(ra_robot, i, la);
            const double old_b = removed_cost(rb_robot, j, lb);
            const bool a_empty = static_cast<int>(ra.size()) == la && lb == 0;
            const double new_a_piece = a_empty ? 0.0
                                               : SegmentCost(ra_robot, sb, NodeAt(ra_robot, i - 1),
                                                             NodeAt(ra_robot, i + la), nullptr);
            const double new_b_piece = SegmentCost(rb_robot, sa, NodeAt(rb_robot, j - 1),
                                                   NodeAt(rb_robot, j + lb), nullptr);
            const double len_a = a_empty ? 0.0 : s_.len[ra_robot] - old_a + new_a_piece;
            const double len_b = s_.len[rb_robot] - old_b + new_b_piece;
            const Cost candidate{.makespan = std::max({others, len_a, len_b}),
                                 .total = len_a + len_b};
            if (!Better(candidate, current)) continue;
            // Apply (and with precedences or exclusions verify through the schedule).
            const State saved = ScheduleAware() ? s_ : State{};
            const Cost before = ScheduleAware() ? TrueCost() : Cost{};
            std::vector<int> opts_a;
            std::vector<int> opts_b;
            SegmentCost(ra_robot, sb, NodeAt(ra_robot, i - 1), NodeAt(ra_robot, i + la), &opts_a);
            SegmentCost(rb_robot, sa, NodeAt(rb_robot, j - 1), NodeAt(rb_robot, j + lb), &opts_b);
            ra.erase(ra.begin() + i, ra.begin() + i + la);
            ra.insert(ra.begin() + i, sb.begin(), sb.end());
            rb.erase(rb.begin() + j, rb.begin() + j + lb);
            rb.insert(rb.begin() + j, sa.begin(), sa.end());
            for (int k = 0; k < lb; ++k) {
              s_.robot_of[sb[k]] = ra_robot;
              s_.option[sb[k]] = opts_a[k];
            }
            for (int k = 0; k < la; ++k) {
              s_.robot_of[sa[k]] = rb_robot;
              s_.option[sa[k]] = opts_b[k];
            }
            s_.len[ra_robot] = RouteLength(ra_robot);
            s_.len[rb_robot] = RouteLength(rb_robot);
            if (ScheduleAware() && !Better(TrueCost(), before)) {
              s_ = saved;  // the references into s_ may now dangle: leave this task
              goto next_task;
            }
            any = true;
            goto next_task;
          }
        }
      }
    }
  next_task:;
  }
  return any;
}

// A fresh start: construction (with noise > 0 a randomized one), then local search to a local
// optimum. Returns false when stopped before a complete solution (then s_ is completed cheaply).
bool Search::Start(double noise) {
  s_.route.assign(nr_, {});
  s_.robot_of.assign(nt_, -1);
  s_.len.assign(nr_, 0.0);
  Construct(noise);
  if (!stopped_ && g_.has_precedences() && noise == 0.0) {
    // Precedences: also list scheduling; the one with the better schedule goes on.
    const State inserted = s_;
    const Cost inserted_cost = TrueCost();
    ListSchedule();
    if (stopped_ || !Better(TrueCost(), inserted_cost)) s_ = inserted;
  }
  if (stopped_) {
    AppendRemaining();
    s_.cost = TrueCost();
    return false;
  }
  RecomputeLengths();
  LocalSearch();
  s_.cost = TrueCost();
  WELDCELL_CHECK(std::isfinite(s_.cost.makespan));
  return true;
}

// Each route improved on its own, then moves between routes while they help (at most ten
// rounds), each followed by the routes on their own again.
void Search::LocalSearch() {
  for (int r = 0; r < nr_ && !Stopped(); ++r) IntraRoute(r);
  for (int round = 0; round < 10 && !Stopped() && InterRoute(); ++round) {
    for (int r = 0; r < nr_ && !Stopped(); ++r) IntraRoute(r);
  }
}

// A start from a given solution (SolveOptions::start): its valid visits kept in order, the
// other tasks re-inserted, then local search as after a construction. False (s_ undefined) when
// the kept visits are infeasible or a task cannot be inserted; a stop during the local search
// keeps the (complete) state.
bool Search::StartFrom(const Solution& start) {
  s_.route.assign(nr_, {});
  s_.robot_of.assign(nt_, -1);
  s_.option.assign(nt_, 0);
  for (int r = 0; r < nr_ && r < static_cast<int>(start.routes.size()); ++r) {
    for (const Visit& v : start.routes[r]) {
      const int t = v.task.value;
      if (t < 0 || t >= nt_ || s_.robot_of[t] >= 0 || !g_.CanDo(r, t) || v.option < 0 ||
          v.option >= g_.NumOptions(r, t)) {
        continue;
      }
      Insert(t, r, static_cast<int>(s_.route[r].size()), v.option);
    }
  }
  // A kept task whose predecessor is not kept could never start: it is re-inserted too.
  for (bool dropped = g_.has_precedences(); dropped;) {
    dropped = false;
    for (int t = 0; t < nt_; ++t) {
      if (s_.robot_of[t] < 0) continue;
      for (int p : g_.preds()[t]) {
        if (s_.robot_of[p] >= 0) continue;
        Remove(t);
        dropped = true;
        break;
      }
    }
  }
  std::vector<int> missing;
  for (int t = 0; t < nt_; ++t) {
    if (s_.robot_of[t] < 0) missing.push_back(t);
  }
  RecomputeLengths();
  if (!Feasible()) return false;
  // A complete start comes back no worse (the local search below judges reorderings by busy
  // time, which with precedences can lengthen the waits).
  State kept;
  if (missing.empty()) {
    kept = s_;
    kept.cost = TrueCost();
  }
  if (!Recreate(missing)) return false;
  LocalSearch();
  s_.cost = TrueCost();
  if (missing.empty() && Better(kept.cost, s_.cost)) s_ = kept;
  return std::isfinite(s_.cost.makespan);
}

// Ruin and recreate from s_ under simulated annealing for `budget` iterations (its own
// temperature schedule), counting into *done of `total`; every feasible improvement goes to
// *best.
void Search::Anneal(std::int64_t budget, std::int64_t total, std::int64_t* done, State* best) {
  lambda_ = kTotalWeight / std::max(1, nr_);
  const double f0 = Scalar(s_.cost);
  const double per_task = static_cast<double>(options_.max_iterations) / std::max(1, nt_);
  const double t_start = f0 * (kColdStart + (kHotStart - kColdStart) *
                                                std::min(1.0, per_task / kHotIterationsPerTask));
  const double t_end = kTemperatureRatio * t_start;
  for (std::int64_t it = 0; it < budget; ++it) {
    if (Stopped()) break;
    const double temperature =
        t_start * std::pow(t_end / t_start, static_cast<double>(it) / static_cast<double>(budget));
    State saved = s_;
    std::vector<int> removed = Ruin();
    std::vector<char> touched(nr_, 0);
    for (int t : removed) touched[saved.robot_of[t]] = 1;
    RecomputeLengths();
    bool ok = Recreate(removed);
    if (ok) {
      for (int t : removed) touched[s_.robot_of[t]] = 1;
      for (int r = 0; r < nr_; ++r) {
        if (touched[r]) IntraRoute(r);
      }
      // Inter-route moves around the reinserted tasks only: cheap, and it is where the
      // recreate step most often leaves an exchange undone.
      InterRoute(&removed);
      s_.cost = TrueCost();
      ok = std::isfinite(s_.cost.makespan);
    }
    // Any feasible improvement is kept, whether or not the annealing accepts the step (its
    // score also weighs the total, and could reject a lower makespan).
    if (ok && Better(s_.cost, best->cost)) *best = s_;
    const double threshold = Scalar(saved.cost) - temperature * std::log(std::max(1e-300, Unit()));
    if (!ok || Scalar(s_.cost) >= threshold) s_ = std::move(saved);
    ++*done;
    if (options_.progress_every > 0 && *done % options_.progress_every == 0) {
      options_.progress.Report(kAllocateStage, *done, total);
    }
  }
}

// Several short runs from different constructions (the first deterministic, the others with
// randomized seeds and regret), then the rest of the budget continues from the best of them:
// one start per seed tends to fall into the same basin for every seed. Given a start
// (SolveOptions::start), one run from it with the whole budget.
State Search::Run(std::int64_t* iterations, bool* cancelled) {
  *iterations = 0;
  *cancelled = false;
  if (nt_ == 0) return s_;
  BuildNeighbours();
  const std::int64_t n_iter = options_.max_iterations;
  const int starts = n_iter >= kMinIterationsPerStart * kStarts ? kStarts : 1;
  const std::int64_t per_start = starts > 1 ? n_iter * kStartShare / 100 / starts : 0;
  State best;
  best.cost = Cost{.makespan = kInf, .total = kInf};
  std::int64_t done = 0;
  used_start_ = options_.start && StartFrom(*options_.start);
  if (used_start_) {
    best = s_;
    Anneal(n_iter, n_iter, &done, &best);
  } else {
    rng_.seed(options_.seed);  // as without a start, whatever StartFrom drew
    for (int k = 0; k < starts; ++k) {
      const bool complete = Start(k == 0 ? 0.0 : kStartNoise);
      if (Better(s_.cost, best.cost)) best = s_;
      if (!complete) break;
      if (starts > 1) Anneal(per_start, n_iter, &done, &best);
      if (Stopped()) break;
    }
    if (!stopped_) {
      s_ = best;
      Anneal(n_iter - done, n_iter, &done, &best);
    }
  }
  *iterations = done;
  s_ = best;
  for (int round = 0; round < 10 && !Stopped() && InterRoute(); ++round) {
    for (int r = 0; r < nr_ && !Stopped(); ++r) IntraRoute(r);
  }
  for (int r = 0; r < nr_ && !Stopped(); ++r) IntraRoute(r);
  s_.cost = TrueCost();
  if (!Better(s_.cost, best.cost)) s_ = best;
  *cancelled = cancelled_;
  return s_;
}

class StrongSolver final : public Solver {
 public:
  std::string_view name() const override { return "strong"; }
  SolveResult Solve(const Problem& problem, const SolveOptions& options) const override {
    internal::StopWatch watch;
    CheckProblem(problem);
    const internal::Graph g(problem, options.max_cached_entries, options.spatial_weight,
                            options.sweep_weight);
    const LowerBound lb = ComputeLowerBound(problem, options.lower_bound_pair_calls);
    Search search(g, options, watch, lb.value);
    std::int64_t iterations = 0;
    bool cancelled = false;
    const State s = search.Run(&iterations, &cancelled);
    SolveResult result = internal::FinishResult(
        problem, options, internal::Graph::ToSolution(s.route, s.option),
        cancelled ? SolveStatus::kCancelled : SolveStatus::kFeasible, iterations, watch, {}, &lb);
    result.from_start = search.used_start();
    return result;
  }
};

}  // namespace

std::unique_ptr<Solver> MakeStrongSolver() { return std::make_unique<StrongSolver>(); }

}  // namespace weldcell::allocation
