#include "planner/coordination/coordinate.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <unordered_map>

#include "planner/collision/collision_world.hpp"
#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"
#include "planner/coordination/internal/consistency.hpp"
#include "planner/coordination/internal/diagram.hpp"
#include "planner/coordination/internal/order_search.hpp"
#include "planner/coordination/internal/priority.hpp"
#include "planner/coordination/internal/schedule.hpp"
#include "planner/coordination/internal/sweep.hpp"
#include "planner/coordination/internal/zone.hpp"

namespace weldcell::coordination {
namespace {

using internal::DropContained;
using internal::EventEdge;
using internal::EventGraph;
using internal::GrowingClock;
using internal::ImprovePairs;
using internal::kPairRounds;
using internal::MakePairsConsistent;
using internal::MergeZones;
using internal::OrderSearch;
using internal::PairDiagram;
using internal::PrioritizedScheduler;
using internal::Sweep;
using internal::TripleDiagram;
using internal::ZoneSpan;
using Pieces = std::vector<motion::TrajectorySegment>;

std::string RobotName(int r) { return "robot " + std::to_string(r); }

// ---------------------------------------------------------------------------------------------
// 1. Pieces: the motion and dwell segments of each timeline (input waits are dropped).

std::vector<Pieces> PiecesOf(const std::vector<motion::RobotTrajectory>& trajectories) {
  std::vector<Pieces> out(trajectories.size());
  for (std::size_t r = 0; r < trajectories.size(); ++r) {
    for (const motion::TrajectorySegment& s : trajectories[r].segments()) {
      if (s.kind != motion::SegmentKind::kWait) out[r].push_back(s);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Conflicts: piece pairs of two robots whose sweeps touch.

// Per robot its sweeps in extended piece order: standing at its start configuration, each
// piece, standing at its end configuration (extended index = piece index + 1). A robot
// stands at its start until it moves and at its end after its last piece, so those two
// configurations are in the way for longer than any piece.
struct Sweeps {
  std::vector<std::vector<Sweep>> extended;  ///< [robot][extended piece]
};

// Every extended piece's samples (its sweep not built yet: BuildSweeps).
Sweeps SampleSweeps(const collision::CollisionWorld& world,
                    const std::vector<motion::RobotTrajectory>& trajectories,
                    const std::vector<Pieces>& pieces, double resolution,
                    const CoordinationOptions& options) {
  const int robots = static_cast<int>(pieces.size());
  std::vector<std::pair<int, int>> items;  // (robot, extended piece)
  Sweeps out;
  out.extended.resize(robots);
  for (int r = 0; r < robots; ++r) {
    const int count = static_cast<int>(pieces[r].size()) + 2;
    out.extended[r].resize(count);
    for (int e = 0; e < count; ++e) items.emplace_back(r, e);
  }
  ParallelFor(
      static_cast<int>(items.size()), options.threads,
      [&](int item, int) {
        const auto [r, e] = items[static_cast<std::size_t>(item)];
        const int k = e - 1;
        Sweep& sweep = out.extended[r][e];
        sweep.robot = r;
        if (k < 0) {
          sweep.q = {trajectories[r].start()};
        } else if (k >= static_cast<int>(pieces[r].size())) {
          sweep.q = {pieces[r].empty() ? trajectories[r].start() : pieces[r].back().profile.end()};
        } else {
          sweep.q = internal::SampleConfigurations(world, r, pieces[r][k].profile, resolution);
        }
      },
      [&options] { return options.progress.cancelled(); });
  return out;
}

// Builds the sweeps of the extended pieces marked in `build` ([robot][extended piece]).
void BuildSweeps(const collision::CollisionWorld& world, Sweeps& sweeps,
                 const std::vector<std::vector<char>>& build, double margin,
                 const CoordinationOptions& options) {
  std::vector<std::pair<int, int>> items;
  for (std::size_t r = 0; r < build.size(); ++r) {
    for (std::size_t e = 0; e < build[r].size(); ++e) {
      if (build[r][e]) items.emplace_back(static_cast<int>(r), static_cast<int>(e));
    }
  }
  const int threads =
      std::min(ResolveThreadCount(options.threads), std::max(1, static_cast<int>(items.size())));
  std::vector<collision::CollisionContext> contexts;
  contexts.reserve(static_cast<std::size_t>(threads));
  for (int w = 0; w < threads; ++w) contexts.emplace_back(world);
  ParallelFor(
      static_cast<int>(items.size()), threads,
      [&](int item, int worker) {
        const auto [r, e] = items[static_cast<std::size_t>(item)];
        Sweep& sweep = sweeps.extended[r][e];
        sweep = internal::BuildSweep(world, contexts[worker], r, std::move(sweep.q), margin);
      },
      [&options] { return options.progress.cancelled(); });
}

struct PieceConflict {
  int i = 0, j = 0;  ///< Extended piece of robot a, of robot b.
  bool operator<(const PieceConflict& o) const { return std::tie(i, j) < std::tie(o.i, o.j); }
};

struct PairConflicts {
  int a = 0, b = 0;
  std::vector<PieceConflict> conflicts;  ///< Sorted.
  std::vector<ZoneSpan> zones;
  /// A robot without pieces stands at home all the time: a piece of the other touching it.
  std::string standing;
  long long checks = 0;
  long long cached = 0;  ///< Comparisons answered from the cache.
  int sweeps_built = 0;  ///< Sweeps built for one comparison (a still robot's, DecideReleases).
  /// Comparisons made, for the cache: (key, touch).
  std::vector<std::pair<std::uint64_t, bool>> learned;
};

}  // namespace

// Sweeps are interned by robot and exact samples; an answer is keyed by the two sweeps' ids,
// each with a flag for "standing at the sweep's last sample" (DecideReleases).
struct ConflictCache::Impl {
  const collision::CollisionWorld* world = nullptr;
  double resolution = -1.0;
  std::vector<int> robot;                             ///< By id.
  std::vector<std::vector<Eigen::VectorXd>> samples;  ///< By id.
  std::unordered_multimap<std::uint64_t, int> by_hash;
  std::unordered_map<std::uint64_t, bool> touch;
  /// By id: the sweep's bounding box (Bounds), once its sweep has been built.
  std::vector<std::optional<Eigen::AlignedBox3d>> box;

  static std::uint64_t Hash(int robot, const std::vector<Eigen::VectorXd>& q) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    auto mix = [&h](std::uint64_t x) {
      for (int k = 0; k < 8; ++k, x >>= 8) h = (h ^ (x & 0xff)) * 1099511628211ULL;
    };
    mix(static_cast<std::uint64_t>(robot));
    mix(q.size());
    for (const Eigen::VectorXd& v : q) {
      mix(static_cast<std::uint64_t>(v.size()));
      for (Eigen::Index i = 0; i < v.size(); ++i) mix(std::bit_cast<std::uint64_t>(v[i]));
    }
    return h;
  }

  int Intern(int r, const std::vector<Eigen::VectorXd>& q) {
    const std::uint64_t h = Hash(r, q);
    for (auto [it, last] = by_hash.equal_range(h); it != last; ++it) {
      const std::vector<Eigen::VectorXd>& known = samples[static_cast<std::size_t>(it->second)];
      if (robot[static_cast<std::size_t>(it->second)] != r || known.size() != q.size()) continue;
      bool same = true;
      for (std::size_t s = 0; same && s < q.size(); ++s) {
        same = known[s].size() == q[s].size() && known[s] == q[s];
      }
      if (same) return it->second;
    }
    WELDCELL_CHECK(samples.size() < (std::size_t{1} << 30));  // ids fit Key's 31 bits
    const int id = static_cast<int>(samples.size());
    robot.push_back(r);
    samples.push_back(q);
    box.emplace_back();
    by_hash.emplace(h, id);
    return id;
  }
};

ConflictCache::ConflictCache() : impl_(std::make_unique<Impl>()) {}
ConflictCache::~ConflictCache() = default;
ConflictCache::ConflictCache(ConflictCache&&) noexcept = default;
ConflictCache& ConflictCache::operator=(ConflictCache&&) noexcept = default;
std::size_t ConflictCache::size() const { return impl_->touch.size(); }
void ConflictCache::Clear() { *impl_ = Impl{}; }

namespace {

// Sweep comparisons of one Coordinate call, answered from a ConflictCache where it knows them.
struct Comparisons {
  const collision::CollisionWorld& world;
  const Sweeps& sweeps;
  double margin = 0.0;
  const ConflictCache::Impl* cache = nullptr;  ///< Null: compare everything.
  std::vector<std::vector<int>> id;            ///< [robot][extended piece]: id in the cache.
  std::vector<std::vector<Eigen::AlignedBox3d>> boxes;  ///< [robot][extended piece]: Bounds.

  static std::uint64_t Key(int id_x, bool x_stands, int id_y, bool y_stands) {
    return (static_cast<std::uint64_t>(2 * id_x + x_stands) << 32) |
           static_cast<std::uint64_t>(2 * id_y + y_stands);
  }

  // Whether sweep x touches sweep y (SweepsTouch, in this argument order). `x_still`, when
  // given, stands for robot rx standing at the last sample of its extended piece ex.
  bool Touch(collision::CollisionContext& ctx, int rx, int ex, const Sweep* x_still, int ry, int ey,
             PairConflicts& out) const {
    const Sweep& x = x_still ? *x_still : sweeps.extended[rx][ex];
    const Sweep& y = sweeps.extended[ry][ey];
    if (!cache) return internal::SweepsTouch(world, ctx, x, y, margin, &out.checks);
    const std::uint64_t key = Key(id[rx][ex], x_still != nullptr, id[ry][ey], false);
    if (const auto it = cache->touch.find(key); it != cache->touch.end()) {
      ++out.cached;
      return it->second;
    }
    // Sweeps are built for the comparisons the cache lacks (PrepareSweeps); a still robot's
    // (DecideReleases) may meet a piece that is not: built here, for this comparison.
    auto built = [&](const Sweep& s, std::optional<Sweep>& local) -> const Sweep& {
      if (!s.nodes.empty() || s.q.empty()) return s;
      local = internal::BuildSweep(world, ctx, s.robot, s.q, margin);
      ++out.sweeps_built;
      return *local;
    };
    std::optional<Sweep> local_x, local_y;
    const bool touch = internal::SweepsTouch(world, ctx, built(x, local_x), built(y, local_y),
                                             margin, &out.checks);
    out.learned.emplace_back(key, touch);
    return touch;
  }
};

// Builds the sweeps that `compare`'s comparisons need and gives it every piece's box (and, with a
// cache, its id there): without a cache, every sweep; with it, those of pieces whose box the cache
// does not know yet, then those of pieces in a comparison the cache cannot answer (boxes
// overlapping, no answer held), keeping each built sweep's box in the cache. The comparisons
// then give what building every sweep gives.
int PrepareSweeps(const collision::CollisionWorld& world, Sweeps& sweeps,
                  ConflictCache::Impl* cache, Comparisons& compare,
                  const CoordinationOptions& options) {
  const std::size_t robots = sweeps.extended.size();
  compare.id.assign(robots, {});
  compare.boxes.assign(robots, {});
  std::vector<std::vector<char>> unknown(robots);
  for (std::size_t r = 0; r < robots; ++r) {
    for (const Sweep& s : sweeps.extended[r]) {
      const int i = cache ? cache->Intern(static_cast<int>(r), s.q) : -1;
      compare.id[r].push_back(i);
      unknown[r].push_back(static_cast<char>(!cache || !cache->box[static_cast<std::size_t>(i)]));
    }
  }
  BuildSweeps(world, sweeps, unknown, compare.margin, options);
  // Cancelled: some sweeps were not built, and their empty boxes must not reach the cache.
  if (options.progress.cancelled()) return 0;
  for (std::size_t r = 0; r < robots; ++r) {
    for (std::size_t e = 0; e < unknown[r].size(); ++e) {
      const auto i = static_cast<std::size_t>(compare.id[r][e]);
      if (unknown[r][e]) {
        compare.boxes[r].push_back(internal::Bounds(sweeps.extended[r][e]));
        if (cache) cache->box[i] = compare.boxes[r].back();
      } else {
        compare.boxes[r].push_back(*cache->box[i]);
      }
    }
  }
  auto count = [](const std::vector<std::vector<char>>& marks) {
    int n = 0;
    for (const std::vector<char>& m : marks)
      n += static_cast<int>(std::count(m.begin(), m.end(), 1));
    return n;
  };
  if (!cache) return count(unknown);
  // The comparisons the cache cannot answer: both pieces' sweeps are needed.
  std::vector<std::vector<char>> needed(robots);
  for (std::size_t r = 0; r < robots; ++r) needed[r].assign(unknown[r].size(), 0);
  for (std::size_t a = 0; a < robots; ++a) {
    for (std::size_t b = a + 1; b < robots; ++b) {
      for (std::size_t i = 0; i < compare.id[a].size(); ++i) {
        for (std::size_t j = 0; j < compare.id[b].size(); ++j) {
          if (!compare.boxes[a][i].intersects(compare.boxes[b][j])) continue;
          const std::uint64_t key =
              Comparisons::Key(compare.id[a][i], false, compare.id[b][j], false);
          if (cache->touch.count(key)) continue;
          needed[a][i] = static_cast<char>(!unknown[a][i]);
          needed[b][j] = static_cast<char>(!unknown[b][j]);
        }
      }
    }
  }
  BuildSweeps(world, sweeps, needed, compare.margin, options);
  return count(unknown) + count(needed);
}

// Rows [i0, i1) of robot a's extended pieces against all of robot b's.
PairConflicts ComparePair(const Comparisons& compare, collision::CollisionContext& ctx, int a,
                          int b, int i0, int i1) {
  PairConflicts out{.a = a, .b = b};
  const std::vector<Eigen::AlignedBox3d>& boxes_b = compare.boxes[b];
  for (int i = i0; i < i1; ++i) {
    const Eigen::AlignedBox3d& box_a = compare.boxes[a][static_cast<std::size_t>(i)];
    for (std::size_t j = 0; j < boxes_b.size(); ++j) {
      if (!box_a.intersects(boxes_b[j])) continue;
      if (compare.Touch(ctx, a, i, nullptr, b, static_cast<int>(j), out)) {
        out.conflicts.push_back({i, static_cast<int>(j)});
      }
    }
  }
  return out;
}

// A robot with nothing to do (start and end only) is an obstacle for the whole cycle.
void FindStanding(const Sweeps& sweeps, PairConflicts& p) {
  const std::size_t sa = sweeps.extended[p.a].size(), sb = sweeps.extended[p.b].size();
  for (const auto& [still, moving, size] : {std::tuple{p.a, p.b, sa}, std::tuple{p.b, p.a, sb}}) {
    if (size == 2 && !p.conflicts.empty() && p.standing.empty()) {
      p.standing = RobotName(moving) + " passes through " + RobotName(still) +
                   ", which has no work and stands at home";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Zones: conflicts of a pair that neighbour each other in both piece orders, as one interval
// of pieces per robot.

constexpr int kMergeGap = 0;  // pieces apart in both orders that still make one zone

int Find(std::vector<int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

std::vector<ZoneSpan> GroupZones(const PairConflicts& pair, int pieces_a, int pieces_b) {
  const std::vector<PieceConflict>& c = pair.conflicts;
  std::map<PieceConflict, int> index;
  for (std::size_t k = 0; k < c.size(); ++k) index.emplace(c[k], static_cast<int>(k));
  std::vector<int> parent(c.size());
  std::iota(parent.begin(), parent.end(), 0);
  // Standing at the start or the end is a zone of its own: merged with neighbouring pieces it
  // would make the robot go first (start) or last (end) over all of them.
  auto standing = [&](const PieceConflict& x) {
    return x.i == 0 || x.i == pieces_a + 1 || x.j == 0 || x.j == pieces_b + 1;
  };
  for (std::size_t k = 0; k < c.size(); ++k) {
    if (standing(c[k])) continue;
    for (int di = -kMergeGap; di <= kMergeGap; ++di) {
      for (int dj = -kMergeGap; dj <= kMergeGap; ++dj) {
        auto it = index.find({c[k].i + di, c[k].j + dj});
        if (it != index.end() && !standing(it->first))
          parent[Find(parent, static_cast<int>(k))] = Find(parent, it->second);
      }
    }
  }
  std::map<int, ZoneSpan> spans;  // by component root
  for (std::size_t k = 0; k < c.size(); ++k) {
    auto [it, fresh] = spans.try_emplace(Find(parent, static_cast<int>(k)));
    ZoneSpan& z = it->second;
    if (fresh)
      z = {.a = pair.a, .b = pair.b, .a0 = c[k].i, .a1 = c[k].i, .b0 = c[k].j, .b1 = c[k].j};
    z.a0 = std::min(z.a0, c[k].i);
    z.a1 = std::max(z.a1, c[k].i);
    z.b0 = std::min(z.b0, c[k].j);
    z.b1 = std::max(z.b1, c[k].j);
  }
  std::vector<ZoneSpan> out;
  for (auto& [root, z] : spans) {
    // Standing at its start the robot is in the zone from time 0: it goes first. Back at its
    // end it stays: it goes last. Extended indices become pieces: the start belongs to the
    // first piece (released once the robot has moved on), the end to the last.
    const bool a_first = z.a0 == 0 || z.b1 == pieces_b + 1;
    const bool b_first = z.b0 == 0 || z.a1 == pieces_a + 1;
    z.forced_first = a_first && b_first ? -2 : a_first ? z.a : b_first ? z.b : -1;
    z.a0 = std::clamp(z.a0 - 1, 0, pieces_a - 1);
    z.a1 = std::clamp(z.a1 - 1, 0, pieces_a - 1);
    z.b0 = std::clamp(z.b0 - 1, 0, pieces_b - 1);
    z.b1 = std::clamp(z.b1 - 1, 0, pieces_b - 1);
    out.push_back(z);
  }
  std::sort(out.begin(), out.end(), [](const ZoneSpan& x, const ZoneSpan& y) {
    return std::tie(x.a0, x.b0, x.a1, x.b1) < std::tie(y.a0, y.b0, y.a1, y.b1);
  });
  return out;
}

// A robot releases a zone as it arrives at the standstill after its last piece in the zone —
// unless, standing there, it touches a piece of the other robot's interval: then it releases it
// when it moves on (its next piece starts from there, so that piece and the other's conflict too
// and have a zone of their own, whose order keeps them apart).
void DecideReleases(const Comparisons& compare, collision::CollisionContext& ctx, ZoneSpan& z,
                    PairConflicts& out) {
  auto blocks = [&](int robot, int last, int other, int o0, int o1) {
    const Sweep& own = compare.sweeps.extended[robot][static_cast<std::size_t>(last + 1)];
    const Sweep still =
        internal::StillSweep(compare.world, ctx, robot, own.q.back(), compare.margin);
    for (int k = o0; k <= o1; ++k) {
      if (compare.Touch(ctx, robot, last + 1, &still, other, k + 1, out)) return true;
    }
    return false;
  };
  z.a_departs = blocks(z.a, z.a1, z.b, z.b0, z.b1);
  z.b_departs = blocks(z.b, z.b1, z.a, z.a0, z.a1);
}

// Rows of robot a's pieces compared per unit of parallel work: pairs differ a lot in cost, so
// a pair is split into blocks that the threads share.
constexpr int kRowsPerBlock = 4;

// Per robot pair: the conflicting pieces (in parallel over blocks of rows) and the zones they
// make (in parallel over pairs).
std::vector<PairConflicts> FindConflicts(const Comparisons& compare,
                                         const CoordinationOptions& options, int* units_done,
                                         int units_total) {
  const std::vector<std::vector<Sweep>>& extended = compare.sweeps.extended;
  const int robots = static_cast<int>(extended.size());
  std::vector<std::pair<int, int>> pairs;
  for (int a = 0; a < robots; ++a) {
    for (int b = a + 1; b < robots; ++b) pairs.emplace_back(a, b);
  }
  struct Block {
    std::size_t pair = 0;
    int i0 = 0, i1 = 0;
  };
  std::vector<Block> blocks;
  std::vector<int> blocks_left(pairs.size(), 0);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const int rows = static_cast<int>(extended[pairs[p].first].size());
    for (int i0 = 0; i0 < rows; i0 += kRowsPerBlock) {
      blocks.push_back({.pair = p, .i0 = i0, .i1 = std::min(rows, i0 + kRowsPerBlock)});
      ++blocks_left[p];
    }
  }
  const int threads =
      std::min(ResolveThreadCount(options.threads), std::max(1, static_cast<int>(blocks.size())));
  std::vector<collision::CollisionContext> contexts;
  for (int w = 0; w < threads; ++w) contexts.emplace_back(compare.world);
  std::vector<PairConflicts> parts(blocks.size());
  std::mutex progress_mutex;
  ParallelFor(
      static_cast<int>(blocks.size()), threads,
      [&](int item, int worker) {
        const Block& block = blocks[static_cast<std::size_t>(item)];
        const auto [a, b] = pairs[block.pair];
        parts[static_cast<std::size_t>(item)] =
            ComparePair(compare, contexts[worker], a, b, block.i0, block.i1);
        const std::lock_guard<std::mutex> lock(progress_mutex);
        if (--blocks_left[block.pair] == 0) {
          options.progress.Report(kCoordinateStage, ++*units_done, units_total);
        }
      },
      [&options] { return options.progress.cancelled(); });
  if (options.progress.cancelled()) return {};
  // The blocks of a pair in row order: its conflicts stay sorted.
  std::vector<PairConflicts> out(pairs.size());
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    out[p].a = pairs[p].first;
    out[p].b = pairs[p].second;
  }
  for (PairConflicts& part : parts) {
    const std::size_t p = static_cast<std::size_t>(&part - parts.data());
    PairConflicts& pair = out[blocks[p].pair];
    pair.conflicts.insert(pair.conflicts.end(), part.conflicts.begin(), part.conflicts.end());
    pair.checks += part.checks;
    pair.cached += part.cached;
    pair.sweeps_built += part.sweeps_built;
    pair.learned.insert(pair.learned.end(), part.learned.begin(), part.learned.end());
  }
  ParallelFor(
      static_cast<int>(out.size()), threads,
      [&](int item, int worker) {
        PairConflicts& p = out[static_cast<std::size_t>(item)];
        FindStanding(compare.sweeps, p);
        if (!p.standing.empty()) return;
        p.zones = GroupZones(p, static_cast<int>(extended[p.a].size()) - 2,
                             static_cast<int>(extended[p.b].size()) - 2);
        for (ZoneSpan& z : p.zones) {
          if (z.forced_first != -2) DecideReleases(compare, contexts[worker], z, p);
        }
        DropContained(p.zones);
      },
      [&options] { return options.progress.cancelled(); });
  return out;
}

// ---------------------------------------------------------------------------------------------
// 4. Orders: which robot takes each zone first (the search over orders: internal/order_search).

// Weld signals as event edges, and the signals themselves (robot, piece, weld).
struct Signal {
  int robot = 0, piece = 0;
  std::string weld;
  EventEdge edge;
};

// Where a weld's dwell is: (robot, piece).
std::map<std::string, std::pair<int, int>> DwellsOf(const std::vector<Pieces>& pieces) {
  std::map<std::string, std::pair<int, int>> out;
  for (std::size_t r = 0; r < pieces.size(); ++r) {
    for (std::size_t k = 0; k < pieces[r].size(); ++k) {
      if (pieces[r][k].kind == motion::SegmentKind::kWeldDwell) {
        out.emplace(pieces[r][k].from, std::pair{static_cast<int>(r), static_cast<int>(k)});
      }
    }
  }
  return out;
}

// The signals that keep the precedences across robots; sets *error when a robot welds a weld
// before its own predecessor. A robot waits for a predecessor before its approach to the weld
// (the motion that starts and ends at the weld), out of the way of where it came from.
std::vector<Signal> SignalsOf(const std::vector<Pieces>& pieces, const EventGraph& graph,
                              const std::vector<Precedence>& precedences, std::string* error) {
  const std::map<std::string, std::pair<int, int>> dwells = DwellsOf(pieces);
  std::vector<Signal> out;
  for (const Precedence& p : precedences) {
    auto before = dwells.find(p.before), after = dwells.find(p.after);
    if (before == dwells.end() || after == dwells.end() || p.before == p.after) continue;
    const auto [rb, kb] = before->second;
    const auto [ra, ka] = after->second;
    if (ra == rb) {
      if (kb > ka) {
        *error = "weld " + p.after + " is welded before " + p.before +
                 " by the same robot, but must be welded after it";
      }
      continue;
    }
    int wait_at = ka;
    const motion::TrajectorySegment* prev = ka > 0 ? &pieces[ra][ka - 1] : nullptr;
    if (prev && prev->kind == motion::SegmentKind::kMotion && prev->from == p.after &&
        prev->to == p.after) {
      wait_at = ka - 1;
    }
    out.push_back({.robot = ra,
                   .piece = wait_at,
                   .weld = p.before,
                   .edge = {graph.Node(rb, kb), graph.Node(ra, wait_at), graph.duration(rb, kb)}});
  }
  return out;
}

// First come, first served as the execution itself would serve it: the robots' pieces start in
// time order on the planned durations, a zone not yet taken goes to the robot that starts its
// interval first, and the other robot starts its own interval only once the zone is released
// (signals are waited for likewise). Such an order is what a controller granting zones on
// request would produce; it cannot close a cycle unless zero-length pieces tie. Forced zones are
// taken in their order. Zones left undecided by a simulation that stops (every robot waiting)
// go to robot a; Repair follows.
std::vector<char> SimulatedFirstComeFirstServed(const EventGraph& graph,
                                                const std::vector<ZoneSpan>& zones,
                                                const std::vector<EventEdge>& signals) {
  const int n = graph.robots();
  std::vector<std::vector<std::size_t>> acquired_at(graph.node_count());
  for (std::size_t z = 0; z < zones.size(); ++z) {
    acquired_at[graph.Node(zones[z].a, zones[z].a0)].push_back(z);
    acquired_at[graph.Node(zones[z].b, zones[z].b0)].push_back(z);
  }
  std::vector<std::vector<const EventEdge*>> signals_into(graph.node_count());
  for (const EventEdge& e : signals) signals_into[e.to].push_back(&e);
  constexpr double kUnknown = -1.0;
  std::vector<double> time(graph.node_count(), kUnknown);
  // When robot `x` releases zone z: kUnknown until the event that releases it has happened.
  auto released = [&](std::size_t z, int x) {
    const ZoneSpan& s = zones[z];
    const bool of_a = x == s.a;
    const int last = of_a ? s.a1 : s.b1;
    if (of_a ? s.a_departs : s.b_departs) return time[graph.Node(x, last + 1)];
    const double start = time[graph.Node(x, last)];
    return start == kUnknown ? kUnknown : start + graph.duration(x, last);
  };
  std::vector<char> order(zones.size(), 1), decided(zones.size(), 0);
  for (std::size_t z = 0; z < zones.size(); ++z) {  // forced zones are taken in their order
    if (zones[z].forced_first < 0) continue;
    decided[z] = 1;
    order[z] = static_cast<char>(zones[z].forced_first == zones[z].a);
  }
  std::vector<int> next(n, 0);
  std::vector<double> ready(n, 0.0);
  for (int r = 0; r < n; ++r) {
    if (graph.pieces(r) == 0) time[graph.Node(r, 0)] = 0.0;
  }
  for (;;) {
    int robot = -1;
    double start = std::numeric_limits<double>::infinity();
    for (int r = 0; r < n; ++r) {
      if (next[r] >= graph.pieces(r)) continue;
      const int node = graph.Node(r, next[r]);
      double t = ready[r];
      bool waits = false;
      for (const std::size_t z : acquired_at[node]) {
        if (!decided[z] || (zones[z].a == r) == static_cast<bool>(order[z])) continue;
        const double free = released(z, r == zones[z].a ? zones[z].b : zones[z].a);
        waits |= free == kUnknown;
        t = std::max(t, free);
      }
      for (const EventEdge* e : signals_into[node]) {
        waits |= time[e->from] == kUnknown;
        t = std::max(t, time[e->from] + e->weight);
      }
      if (!waits && t < start) {
        start = t;
        robot = r;
      }
    }
    if (robot < 0) break;  // all finished, or every robot left waits for another
    const int node = graph.Node(robot, next[robot]);
    time[node] = start;
    for (const std::size_t z : acquired_at[node]) {
      if (decided[z]) continue;
      decided[z] = 1;
      order[z] = static_cast<char>(zones[z].a == robot);
    }
    ready[robot] = start + graph.duration(robot, next[robot]);
    if (++next[robot] == graph.pieces(robot)) time[graph.Node(robot, next[robot])] = ready[robot];
  }
  return order;
}

// The starting orders: each robot first everywhere (the others by decreasing work), then first
// come first served on the unwaited clock. Forced zones keep their forced order.
std::vector<std::vector<char>> StartingOrders(const EventGraph& graph,
                                              const std::vector<ZoneSpan>& zones) {
  const int n = graph.robots();
  auto forced = [&](std::size_t z, bool a_first) {
    const ZoneSpan& s = zones[z];
    return s.forced_first == s.a ? true : s.forced_first == s.b ? false : a_first;
  };
  std::vector<double> work(n, 0.0);
  for (int r = 0; r < n; ++r) {
    for (int k = 0; k < graph.pieces(r); ++k) work[r] += graph.duration(r, k);
  }
  std::vector<int> by_work(n);
  std::iota(by_work.begin(), by_work.end(), 0);
  std::stable_sort(by_work.begin(), by_work.end(), [&](int x, int y) { return work[x] > work[y]; });
  std::vector<std::vector<char>> out;
  auto from_ranks = [&](const std::vector<int>& rank) {
    std::vector<char> order(zones.size());
    for (std::size_t z = 0; z < zones.size(); ++z) {
      order[z] = static_cast<char>(forced(z, rank[zones[z].a] < rank[zones[z].b]));
    }
    MakePairsConsistent(zones, order);
    out.push_back(std::move(order));
  };
  for (int top : by_work) {
    std::vector<int> rank(n);
    int next = 0;
    rank[top] = next++;
    for (int r : by_work) {
      if (r != top) rank[r] = next++;
    }
    from_ranks(rank);
  }
  // Ranks that follow the forced zones: a robot whose home is in another's way goes before it
  // (repeatedly the robot that fewest others must precede, ties by work).
  std::vector<std::vector<int>> must(n, std::vector<int>(n, 0));  // [x][y]: zones x first
  for (const ZoneSpan& z : zones) {
    if (z.forced_first >= 0) ++must[z.forced_first][z.forced_first == z.a ? z.b : z.a];
  }
  std::vector<int> rank(n, -1);
  for (int next = 0; next < n; ++next) {
    int pick = -1, pick_before = 0;
    for (int r : by_work) {
      if (rank[r] >= 0) continue;
      int before = 0;  // unranked robots that must precede r
      for (int o = 0; o < n; ++o) before += rank[o] < 0 && o != r && must[o][r] > must[r][o];
      if (pick < 0 || before < pick_before) {
        pick = r;
        pick_before = before;
      }
    }
    rank[pick] = next;
  }
  from_ranks(rank);
  std::vector<double> unwaited;
  graph.Times({}, &unwaited);
  std::vector<char> fcfs(zones.size());
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const ZoneSpan& s = zones[z];
    fcfs[z] = static_cast<char>(
        forced(z, unwaited[graph.Node(s.a, s.a0)] <= unwaited[graph.Node(s.b, s.b0)]));
  }
  out.push_back(std::move(fcfs));
  return out;
}

constexpr double kDiagramStep = 0.05;  // s: the grid of the pairs' coordination diagrams

// A starting order from each robot pair's own coordination diagram (internal::PairDiagram): a
// free zone goes first to the robot whose piece the pair's shortest path passes first; forced
// zones keep their order, pairs without a path the given `fallback`. The pairs' paths ignore
// each other: Repair and the improvements make them agree.
std::vector<char> DiagramOrder(const EventGraph& graph, const std::vector<ZoneSpan>& zones,
                               const std::vector<TouchingPieces>& touching,
                               const std::vector<char>& fallback) {
  std::vector<char> order = fallback;
  std::vector<std::vector<double>> durations(static_cast<std::size_t>(graph.robots()));
  for (int r = 0; r < graph.robots(); ++r) {
    for (int k = 0; k < graph.pieces(r); ++k) durations[r].push_back(graph.duration(r, k));
  }
  for (const TouchingPieces& p : touching) {
    const PairDiagram diagram(durations[p.a], durations[p.b], p.pieces, false, kDiagramStep);
    if (!std::isfinite(diagram.Bound())) continue;
    for (std::size_t z = 0; z < zones.size(); ++z) {
      const ZoneSpan& s = zones[z];
      if (s.a != p.a || s.b != p.b || s.forced_first != -1) continue;
      // The zone's pieces, as extended pieces: a zone is one touching pair (kMergeGap 0).
      static_assert(kMergeGap == 0);
      order[z] = static_cast<char>(diagram.AFirst(s.a0 + 1, s.b0 + 1));
    }
  }
  MakePairsConsistent(zones, order);
  return order;
}

// The orders the three-robot coordination diagrams (internal::TripleDiagram) of
// internal::ChainTriples give the free zones of their robot pairs: a zone goes first to the robot
// whose piece the triple's shortest path passes first. A robot pair is decided by the first triple
// holding it (-1 where no triple holds it, or that triple's diagram has no path).
std::vector<signed char> TripleDiagramOrders(const EventGraph& graph,
                                             const std::vector<ZoneSpan>& zones,
                                             const std::vector<TouchingPieces>& touching) {
  std::vector<std::vector<std::size_t>> counts(static_cast<std::size_t>(graph.robots()),
                                               std::vector<std::size_t>(graph.robots(), 0));
  for (const TouchingPieces& t : touching) counts[t.a][t.b] = counts[t.b][t.a] = t.pieces.size();
  const std::vector<std::array<int, 3>> triples = internal::ChainTriples(counts);
  std::map<std::pair<int, int>, const TouchingPieces*> by_pair;
  for (const TouchingPieces& t : touching) by_pair[{t.a, t.b}] = &t;
  // Per triple, the zones it decides (those of pairs no earlier triple holds) and their orders.
  std::set<std::pair<int, int>> taken;
  std::vector<std::vector<std::size_t>> decides(triples.size());
  for (std::size_t k = 0; k < triples.size(); ++k) {
    const std::array<int, 3>& r = triples[k];
    std::set<std::pair<int, int>> own;
    for (const auto& pair : {std::pair{r[0], r[1]}, std::pair{r[0], r[2]}, std::pair{r[1], r[2]}}) {
      if (taken.insert(pair).second) own.insert(pair);
    }
    for (std::size_t z = 0; z < zones.size(); ++z) {
      if (zones[z].forced_first == -1 && own.count({zones[z].a, zones[z].b})) {
        decides[k].push_back(z);
      }
    }
  }
  std::vector<signed char> out(zones.size(), -1);
  for (std::size_t k = 0; k < triples.size(); ++k) {
    if (decides[k].empty()) continue;
    const std::array<int, 3>& r = triples[k];
    std::array<std::vector<double>, 3> durations;
    for (int m = 0; m < 3; ++m) {
      for (int p = 0; p < graph.pieces(r[m]); ++p) {
        durations[m].push_back(graph.duration(r[m], p));
      }
    }
    std::array<std::vector<std::pair<int, int>>, 3> pieces;
    const std::array<std::pair<int, int>, 3> members = {std::pair{0, 1}, std::pair{0, 2},
                                                        std::pair{1, 2}};
    for (std::size_t p = 0; p < 3; ++p) {
      const auto it = by_pair.find({r[members[p].first], r[members[p].second]});
      if (it != by_pair.end()) pieces[p] = it->second->pieces;
    }
    const TripleDiagram diagram(durations, pieces, kDiagramStep);
    if (!std::isfinite(diagram.Bound())) continue;
    for (const std::size_t z : decides[k]) {
      const ZoneSpan& s = zones[z];
      const int p = static_cast<int>(std::find(r.begin(), r.end(), s.a) - r.begin());
      const int q = static_cast<int>(std::find(r.begin(), r.end(), s.b) - r.begin());
      // The zone's pieces, as extended pieces: a zone is one touching pair.
      static_assert(kMergeGap == 0);
      out[z] = static_cast<signed char>(diagram.First(p, q, s.a0 + 1, s.b0 + 1));
    }
  }
  return out;
}

// Robots up to which PrioritizedOrder tries every priority order (6! = 720 clocks).
constexpr int kAllPriorities = 6;

// A starting order from prioritized scheduling (internal::PrioritizedScheduler): of the robots'
// priority orders (all of them up to kAllPriorities robots; beyond, each robot first with the
// others by decreasing work), the one whose clock ends first (the first of equals); each free
// zone goes to the robot that starts its interval first on that clock. A robot between two
// neighbours is fitted around both, where the pair diagrams see each pair alone.
std::vector<char> PrioritizedOrder(const EventGraph& graph, const std::vector<ZoneSpan>& zones) {
  const int n = graph.robots();
  std::vector<double> work(static_cast<std::size_t>(n), 0.0);
  for (int r = 0; r < n; ++r) {
    for (int k = 0; k < graph.pieces(r); ++k) work[r] += graph.duration(r, k);
  }
  std::vector<int> by_work(static_cast<std::size_t>(n));
  std::iota(by_work.begin(), by_work.end(), 0);
  std::stable_sort(by_work.begin(), by_work.end(), [&](int x, int y) { return work[x] > work[y]; });
  std::vector<std::vector<int>> priorities;
  if (n <= kAllPriorities) {
    std::vector<int> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    do {
      priorities.push_back(p);
    } while (std::next_permutation(p.begin(), p.end()));
  } else {
    for (const int top : by_work) {
      std::vector<int> p{top};
      for (const int r : by_work) {
        if (r != top) p.push_back(r);
      }
      priorities.push_back(std::move(p));
    }
  }
  const PrioritizedScheduler scheduler(graph, zones);
  std::vector<std::vector<double>> best;
  double best_makespan = std::numeric_limits<double>::infinity();
  for (const std::vector<int>& priority : priorities) {
    double makespan = 0.0;
    std::vector<std::vector<double>> clock = scheduler.Clock(priority, &makespan, best_makespan);
    // The first clock is complete (no bound yet) and kept even when it never ends.
    if (best.empty() || makespan < best_makespan - 1e-9) {
      best_makespan = makespan;
      best = std::move(clock);
    }
  }
  std::vector<char> order = scheduler.OrderOn(best);
  MakePairsConsistent(zones, order);
  return order;
}

// ---------------------------------------------------------------------------------------------
// 5. Merge: fewer zones, fewer handshakes for the controllers (internal/order_search).

// 5b. Signals the other events already keep: a signal is left out when the piece it holds is
// reached, in the event graph of the robots' program order, the zones' handovers and the
// signals kept, from the end of the dwell it waits for (the welding robot's next piece, or
// another signal's wait for that dwell): then the robot waits there for that weld whatever the
// durations, and the controllers need no handshake for it. Judged one by one in order, each
// against the signals still kept (a signal left out is kept by events that do not rely on it).
// The planned clock does not change: every edge along such a path weighs ≥ 0 and the path
// leaves the dwell at its end, so it already holds the piece as late as the signal does.
std::vector<Signal> WithoutImpliedSignals(const EventGraph& graph, std::vector<Signal> signals,
                                          const std::vector<EventEdge>& zone_edges) {
  const int nodes = graph.node_count();
  std::vector<std::vector<int>> zones_out(static_cast<std::size_t>(nodes));
  for (const EventEdge& e : zone_edges) zones_out[static_cast<std::size_t>(e.from)].push_back(e.to);
  for (std::size_t i = 0; i < signals.size();) {
    std::vector<std::vector<int>> out = zones_out;
    for (std::size_t j = 0; j < signals.size(); ++j) {
      const EventEdge& e = signals[j].edge;
      if (j != i) out[static_cast<std::size_t>(e.from)].push_back(e.to);
    }
    const EventEdge& held = signals[i].edge;
    // The dwell ends where the welding robot's next piece starts (its node follows).
    std::vector<int> stack = {held.from + 1};
    for (std::size_t j = 0; j < signals.size(); ++j) {
      if (j != i && signals[j].edge.from == held.from) stack.push_back(signals[j].edge.to);
    }
    const int first_of_waiter = graph.Node(signals[i].robot, 0);
    std::vector<char> seen(static_cast<std::size_t>(nodes), 0);
    bool implied = false;
    while (!stack.empty() && !implied) {
      const int node = stack.back();
      stack.pop_back();
      if (seen[static_cast<std::size_t>(node)]) continue;
      seen[static_cast<std::size_t>(node)] = 1;
      // A node of the waiting robot at or before the piece held precedes it in its program.
      implied = node >= first_of_waiter && node <= held.to;
      if (graph.next_duration(node) >= 0) stack.push_back(node + 1);
      for (const int next : out[static_cast<std::size_t>(node)]) stack.push_back(next);
    }
    if (implied) {
      signals.erase(signals.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return signals;
}

// ---------------------------------------------------------------------------------------------
// 6. The result: waits where the events make robots wait, zones and signals by segment index.

struct Built {
  std::vector<motion::RobotTrajectory> trajectories;
  std::vector<std::vector<int>> segment_of_piece;  ///< [robot][piece, or piece count: end]
};

Built BuildTrajectories(const std::vector<motion::RobotTrajectory>& input,
                        const std::vector<Pieces>& pieces, const EventGraph& graph,
                        const std::vector<double>& times) {
  Built out;
  for (std::size_t r = 0; r < pieces.size(); ++r) {
    const int robot = static_cast<int>(r);
    motion::RobotTrajectory t(input[r].start());
    std::vector<int> index;
    for (std::size_t k = 0; k < pieces[r].size(); ++k) {
      const double wait = times[graph.Node(robot, static_cast<int>(k))] - t.duration();
      if (wait > 1e-9) t.AppendWait(pieces[r][k].from, wait);
      index.push_back(static_cast<int>(t.segments().size()));
      const motion::TrajectorySegment& s = pieces[r][k];
      if (s.kind == motion::SegmentKind::kWeldDwell) {
        t.AppendWeldDwell(s.from, s.duration());
      } else {
        t.AppendMotion(s.profile, s.from, s.to);
      }
    }
    index.push_back(static_cast<int>(t.segments().size()));
    out.trajectories.push_back(std::move(t));
    out.segment_of_piece.push_back(std::move(index));
  }
  return out;
}

double StartOf(const motion::RobotTrajectory& t, int segment) {
  const int n = static_cast<int>(t.segments().size());
  return segment >= n ? t.duration() : t.segments()[segment].start_time;
}

std::vector<Zone> ZonesOf(const std::vector<ZoneSpan>& spans, const std::vector<char>& first_is_a,
                          const Built& built) {
  std::vector<Zone> out;
  for (std::size_t z = 0; z < spans.size(); ++z) {
    const ZoneSpan& s = spans[z];
    auto use = [&](int robot, int p0, int p1, bool departs) {
      const std::vector<int>& index = built.segment_of_piece[robot];
      const motion::RobotTrajectory& t = built.trajectories[robot];
      ZoneUse u{.robot = robot,
                .acquire_segment = index[p0],
                .release_segment = index[p1] + 1,
                .release_on_departure = departs};
      u.acquire_time = StartOf(t, u.acquire_segment);
      u.release_time = departs ? StartOf(t, index[p1 + 1]) : t.segments()[index[p1]].end_time();
      return u;
    };
    const ZoneUse ua = use(s.a, s.a0, s.a1, s.a_departs), ub = use(s.b, s.b0, s.b1, s.b_departs);
    out.push_back({.id = "Z" + std::to_string(z + 1),
                   .uses = first_is_a[z] ? std::vector{ua, ub} : std::vector{ub, ua}});
  }
  return out;
}

// Why no order works: the zones and signals on one cycle of the event graph of `order`.
std::string CycleMessage(const EventGraph& graph, const OrderSearch& search,
                         const std::vector<Signal>& signals, const std::vector<char>& order) {
  const std::vector<EventEdge> edges = search.Edges(order);
  std::string why;
  for (int e : graph.FindCycle(edges)) {
    if (!why.empty()) why += ", then ";
    if (e < static_cast<int>(signals.size())) {
      const Signal& s = signals[static_cast<std::size_t>(e)];
      why += RobotName(s.robot) + " waits before its piece " + std::to_string(s.piece) +
             " for weld " + s.weld;
      continue;
    }
    const std::size_t z = static_cast<std::size_t>(e) - signals.size();
    const ZoneSpan& span = search.zones[z];
    const bool a_first = order[z];
    const int first = a_first ? span.a : span.b, second = a_first ? span.b : span.a;
    auto pieces = [&](int robot) {
      return robot == span.a ? std::to_string(span.a0) + "–" + std::to_string(span.a1)
                             : std::to_string(span.b0) + "–" + std::to_string(span.b1);
    };
    why += RobotName(second) + " (pieces " + pieces(second) + ") waits for " + RobotName(first) +
           " (pieces " + pieces(first) + ")" +
           (span.forced_first >= 0 ? " (forced: a home in the way)" : "");
  }
  return "interlock zones and `after:` precedences wait for each other in a circle: " + why +
         "; no deadlock-free order found";
}

}  // namespace

namespace {

// The trajectories as planned, uncoordinated (their pieces appended again), in a result that
// is not conflict-free and says why; the figures gathered so far are kept.
CoordinationResult Uncoordinated(const std::vector<motion::RobotTrajectory>& trajectories,
                                 const std::vector<Pieces>& pieces, CoordinationResult result,
                                 std::string why) {
  const int n = static_cast<int>(trajectories.size());
  result.trajectories.clear();
  for (int r = 0; r < n; ++r) {
    motion::RobotTrajectory t(trajectories[r].start());
    for (const motion::TrajectorySegment& s : pieces[r]) {
      if (s.kind == motion::SegmentKind::kWeldDwell) {
        t.AppendWeldDwell(s.from, s.duration());
      } else {
        t.AppendMotion(s.profile, s.from, s.to);
      }
    }
    result.trajectories.push_back(std::move(t));
  }
  result.conflict_free = false;
  result.message = std::move(why);
  return result;
}

// The conflict cache of options.cache (none without one), cleared when it was filled for
// another world or resolution.
ConflictCache::Impl* CacheFor(const collision::CollisionWorld& world,
                              const CoordinationOptions& options) {
  if (!options.cache) return nullptr;
  ConflictCache::Impl* cache = &options.cache->impl();
  if (cache->world != &world || cache->resolution != options.resolution) {
    options.cache->Clear();
    cache->world = &world;
    cache->resolution = options.resolution;
  }
  return cache;
}

// Adds the pairs' figures and touching pieces to the result and their zones to `spans`;
// returns why the robots cannot be coordinated (a robot standing in the other's way), or "".
std::string CollectConflicts(const std::vector<PairConflicts>& pairs, CoordinationResult* result,
                             std::vector<ZoneSpan>* spans) {
  for (const PairConflicts& p : pairs) {
    result->checks += p.checks;
    result->cached_pairs += p.cached;
    result->sweeps_built += p.sweeps_built;
    result->conflicting_piece_pairs += static_cast<int>(p.conflicts.size());
    if (!p.conflicts.empty()) {
      TouchingPieces& t = result->touching.emplace_back(TouchingPieces{.a = p.a, .b = p.b});
      for (const PieceConflict& c : p.conflicts) t.pieces.emplace_back(c.i, c.j);
    }
    if (!p.standing.empty()) return p.standing;
    for (const ZoneSpan& z : p.zones) {
      if (z.forced_first == -2) {
        return RobotName(z.a) + " and " + RobotName(z.b) +
               " each stand in the other's way at the start or end of their timelines "
               "(a home in the other's path)";
      }
      spans->push_back(z);
    }
  }
  return "";
}

// The event graph of the pieces' durations (s), per robot.
EventGraph GraphOf(const std::vector<Pieces>& pieces) {
  std::vector<std::vector<double>> durations(pieces.size());
  for (std::size_t r = 0; r < pieces.size(); ++r) {
    for (const motion::TrajectorySegment& s : pieces[r]) durations[r].push_back(s.duration());
  }
  return EventGraph(std::move(durations));
}

// The starts from clocks, in this order: first come first served on the event clock, on the
// simulated clock, the pair diagrams' order, the prioritized order and the triples' order.
// They do not depend on each other (the diagram's falls back on the simulated one): computed
// in parallel. None when cancelled.
std::optional<std::vector<std::vector<char>>> ClockStarts(
    const EventGraph& graph, const std::vector<ZoneSpan>& spans, const OrderSearch& search,
    const std::vector<TouchingPieces>& touching, const CoordinationOptions& options) {
  std::vector<char> listed, simulated, diagram, prioritized;
  std::vector<signed char> triple_orders;
  ParallelFor(
      4, std::min(ResolveThreadCount(options.threads), 4),
      [&](int item, int) {
        if (item == 0) {
          simulated = SimulatedFirstComeFirstServed(graph, spans, search.base);
          diagram = DiagramOrder(graph, spans, touching, simulated);
        } else if (item == 1) {
          prioritized = PrioritizedOrder(graph, spans);
        } else if (item == 2) {
          listed = search.FirstComeFirstServed();
        } else {
          triple_orders = TripleDiagramOrders(graph, spans, touching);
        }
      },
      [&options] { return options.progress.cancelled(); });
  if (options.progress.cancelled()) return std::nullopt;
  // The triples' start: their orders where they decide, the pair diagrams' elsewhere.
  std::vector<char> triple = diagram;
  for (std::size_t z = 0; z < spans.size(); ++z) {
    if (triple_orders[z] >= 0) triple[z] = static_cast<char>(triple_orders[z]);
  }
  MakePairsConsistent(spans, triple);
  std::vector<std::vector<char>> starts;
  for (std::vector<char>* start : {&listed, &simulated, &diagram, &prioritized, &triple}) {
    starts.push_back(std::move(*start));
  }
  return starts;
}

// The starts after each was improved on its own: per start its makespan (s; infinity when it
// was not improved or stays cyclic) and the order whose cycles could not be broken (empty if
// none), and per start the first start equal to it (its twin, whose figures it shares).
struct ImprovedStarts {
  std::vector<double> makespans;
  std::vector<std::vector<char>> unrepaired_of;
  std::vector<std::size_t> twin;
};

// Improves every start in place (in parallel): cycles repaired, pairs of zones, then single
// flips. A start equal to an earlier one would be improved to the same order and cannot win:
// skipped. Reports one progress unit per start.
ImprovedStarts ImproveStarts(OrderSearch& search, const std::vector<ZoneSpan>& spans,
                             std::vector<std::vector<char>>& starts,
                             const CoordinationOptions& options, int* units_done, int units_total) {
  ImprovedStarts out{
      .makespans = std::vector<double>(starts.size(), std::numeric_limits<double>::infinity()),
      .unrepaired_of = std::vector<std::vector<char>>(starts.size()),
      .twin = std::vector<std::size_t>(starts.size())};
  for (std::size_t k = 0; k < starts.size(); ++k) {
    out.twin[k] = static_cast<std::size_t>(
        std::find(starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(k), starts[k]) -
        starts.begin());
  }
  std::mutex progress_mutex;
  ParallelFor(
      static_cast<int>(starts.size()),
      std::min(ResolveThreadCount(options.threads), static_cast<int>(starts.size())),
      [&](int item, int) {
        std::vector<char>& order = starts[static_cast<std::size_t>(item)];
        if (out.twin[static_cast<std::size_t>(item)] != static_cast<std::size_t>(item)) {
          const std::lock_guard<std::mutex> lock(progress_mutex);
          options.progress.Report(kCoordinateStage, ++*units_done, units_total);
          return;
        }
        for (std::size_t z = 0; z < spans.size(); ++z) {  // every start keeps the forced orders
          WELDCELL_CHECK(spans[z].forced_first < 0 ||
                         static_cast<bool>(order[z]) == (spans[z].forced_first == spans[z].a));
        }
        if (!search.Repair(order)) out.unrepaired_of[static_cast<std::size_t>(item)] = order;
        ImprovePairs(search, order, kPairRounds);
        out.makespans[static_cast<std::size_t>(item)] = search.Improve(order, options.max_flips);
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress.Report(kCoordinateStage, ++*units_done, units_total);
      },
      [&options] { return options.progress.cancelled(); });
  return out;
}

// The coordinated result of the best order (`best`, first_is_a per zone span): the zones merged
// where that keeps the makespan (`spans` merged in place), the timed trajectories, the zones as
// kept and as found, and the weld signals the zones' orders do not already imply.
void BuildCoordinated(const std::vector<motion::RobotTrajectory>& trajectories,
                      const std::vector<Pieces>& pieces, const EventGraph& graph,
                      const OrderSearch& search, std::vector<ZoneSpan>& spans,
                      const std::vector<char>& best, const std::vector<Signal>& signals,
                      const CoordinationOptions& options, CoordinationResult* result) {
  std::vector<double> times;
  graph.Times(search.Edges(best), &times);
  // Merging may not lengthen the plan: the zones kept give the same makespan (a robot with
  // slack may wait elsewhere than on the unmerged clock).
  const std::vector<ZoneSpan> conflicts = spans;
  std::vector<std::size_t> kept(spans.size());
  std::iota(kept.begin(), kept.end(), 0);
  if (options.merge_zones) kept = MergeZones(search, spans, best, graph.Makespan(times));
  std::vector<ZoneSpan> merged;
  std::vector<char> merged_order;
  for (const std::size_t z : kept) {
    merged.push_back(spans[z]);
    merged_order.push_back(best[z]);
  }
  const OrderSearch final_search{graph, merged, search.base, options.reuse_clock};
  WELDCELL_CHECK(graph.Times(final_search.Edges(merged_order), &times));
  Built built = BuildTrajectories(trajectories, pieces, graph, times);
  result->zones = ZonesOf(merged, merged_order, built);
  result->conflict_zones = ZonesOf(conflicts, best, built);
  const std::vector<EventEdge> final_edges = final_search.Edges(merged_order);
  const std::vector<EventEdge> zone_edges(
      final_edges.begin() + static_cast<std::ptrdiff_t>(final_search.base.size()),
      final_edges.end());
  for (const Signal& s : WithoutImpliedSignals(graph, signals, zone_edges)) {
    result->weld_signals.push_back(
        {.robot = s.robot, .segment = built.segment_of_piece[s.robot][s.piece], .weld = s.weld});
  }
  result->trajectories = std::move(built.trajectories);
  result->conflict_free = true;
}

}  // namespace

CoordinationResult Coordinate(const collision::CollisionWorld& world,
                              std::vector<motion::RobotTrajectory> trajectories,
                              const CoordinationOptions& options) {
  const int n = static_cast<int>(trajectories.size());
  const std::vector<Pieces> pieces = PiecesOf(trajectories);
  CoordinationResult result;
  const auto fail = [&](std::string why) {
    return Uncoordinated(trajectories, pieces, result, std::move(why));
  };
  const int orders_total = n + 7;
  const int units_total = n * (n - 1) / 2 + orders_total;
  int units_done = 0;
  if (n > 0) options.progress.Report(kCoordinateStage, 0, std::max(1, units_total));
  // Each robot grown by half the resolution: a contact between samples is found at a sample.
  const double margin = 0.5 * options.resolution;
  Sweeps sweeps = SampleSweeps(world, trajectories, pieces, options.resolution, options);
  if (options.progress.cancelled()) return fail("cancelled");
  ConflictCache::Impl* cache = CacheFor(world, options);
  Comparisons compare{.world = world, .sweeps = sweeps, .margin = margin, .cache = cache};
  result.sweeps_built = PrepareSweeps(world, sweeps, cache, compare, options);
  if (options.progress.cancelled()) return fail("cancelled");
  const std::vector<PairConflicts> pairs =
      FindConflicts(compare, options, &units_done, units_total);
  if (options.cache) {
    for (const PairConflicts& p : pairs) {
      for (const auto& [key, touch] : p.learned) options.cache->impl().touch.emplace(key, touch);
    }
  }
  if (options.progress.cancelled()) return fail("cancelled");
  std::vector<ZoneSpan> spans;
  if (std::string why = CollectConflicts(pairs, &result, &spans); !why.empty()) return fail(why);
  const EventGraph graph = GraphOf(pieces);
  std::string error;
  const std::vector<Signal> signals = SignalsOf(pieces, graph, options.precedences, &error);
  if (!error.empty()) return fail(error);
  OrderSearch search{graph, spans, {}, options.reuse_clock};
  for (const Signal& s : signals) search.base.push_back(s.edge);
  std::vector<std::vector<char>> starts = StartingOrders(graph, spans);
  std::optional<std::vector<std::vector<char>>> clock_starts =
      ClockStarts(graph, spans, search, result.touching, options);
  if (!clock_starts) return fail("cancelled");
  for (std::vector<char>& start : *clock_starts) starts.push_back(std::move(start));
  // Each start is improved on its own (in parallel); the first of the shortest wins.
  const ImprovedStarts improved =
      ImproveStarts(search, spans, starts, options, &units_done, units_total);
  if (options.progress.cancelled()) return fail("cancelled");
  std::optional<std::vector<char>> best;
  double best_makespan = std::numeric_limits<double>::infinity();
  std::vector<char> unrepaired;  // an order whose cycles could not be broken, for the message
  for (std::size_t k = 0; k < starts.size(); ++k) {
    if (!improved.unrepaired_of[improved.twin[k]].empty()) {
      unrepaired = improved.unrepaired_of[improved.twin[k]];
    }
    if (improved.makespans[k] < best_makespan - 1e-9) {
      best_makespan = improved.makespans[k];
      best = std::move(starts[k]);
    }
  }
  if (!best || !std::isfinite(best_makespan)) {
    return fail(
        CycleMessage(graph, search, signals, unrepaired.empty() ? starts.front() : unrepaired));
  }
  BuildCoordinated(trajectories, pieces, graph, search, spans, *best, signals, options, &result);
  return result;
}

}  // namespace weldcell::coordination
