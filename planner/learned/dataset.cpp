#include "planner/learned/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <tuple>

#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/common/parallel.hpp"
#include "planner/common/random.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/learned/model.hpp"
#include "planner/learned/roadmap.hpp"
#include "planner/learned/travel.hpp"
#include "planner/motion/weld_sequence.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::learned {
namespace {

// s: a planned duration as a label, to the µs as WriteDataset stores it, so that a model trained
// from the file again is the same model, and new plans of a move compare with its label alike.
double LabelSeconds(double seconds) { return std::stod(fmt::format("{:.6f}", seconds)); }

struct Node {
  Eigen::VectorXd q;
  int branch = -1;
  int weld = -1;  // -1: home or random
};

struct Move {
  int robot = 0;
  PairKind kind = PairKind::kWeldToWeld;
  Node a, b;
  std::uint64_t seed = 0;
};

// One planner per worker and robot of a cell, made when first needed.
class LabelPlanners {
 public:
  LabelPlanners(const collision::CollisionWorld& world, int threads, std::size_t robots)
      : world_(&world), planners_(static_cast<std::size_t>(threads)) {
    for (auto& p : planners_) p.resize(robots);
  }
  motion::SegmentPlanner& At(int worker, int robot) {
    auto& planner = planners_[static_cast<std::size_t>(worker)][static_cast<std::size_t>(robot)];
    if (!planner) planner = std::make_unique<motion::SegmentPlanner>(*world_, robot);
    return *planner;
  }

 private:
  const collision::CollisionWorld* world_;
  std::vector<std::vector<std::unique_ptr<motion::SegmentPlanner>>> planners_;
};

// A move a → b planned, searched and timed as its label is (and as the motion stage plans a
// travel move), with the cell's motion settings.
motion::TravelMove PlanLabel(motion::SegmentPlanner& planner, const cell::Cell& cell,
                             const motion::JointLimits& limits, const Eigen::VectorXd& a,
                             const Eigen::VectorXd& b, std::uint64_t seed, double blend_tolerance,
                             const std::string& context) {
  return PlanLikeTheMotionStage(
      planner,
      {.start = a,
       .goal = b,
       .resolution = cell.settings.motion.resolution,
       .seed = seed,
       .max_planning_time = cell.settings.motion.planning_time,
       .context = context},
      limits,
      {.speed_scale = cell.settings.motion.speed_scale, .blend_tolerance = blend_tolerance});
}

// Random collision-free configurations with the TCP within 0.6 m of some weld of the robot's
// reach: where the robot works, not anywhere in its joint space.
std::vector<Node> RandomNodes(const cell::Cell& cell, const collision::CollisionWorld& world,
                              collision::CollisionContext& ctx, int robot,
                              const std::vector<Eigen::Vector3d>& weld_points, int count,
                              std::mt19937_64& rng) {
  std::vector<Node> out;
  if (weld_points.empty() || count <= 0) return out;
  const kinematics::Chain& chain = world.chain(robot);
  const cell::Robot& r = cell.robots[static_cast<std::size_t>(robot)];
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double margin = collision::SweptMargin(cell.settings.motion.resolution);
  for (int attempt = 0; attempt < 400 * count && static_cast<int>(out.size()) < count; ++attempt) {
    Eigen::VectorXd q(chain.dof());
    for (int i = 0; i < chain.dof(); ++i) {
      // Joints of many turns: within one turn of home (a robot never winds further to work).
      double lo = chain.lower()[i], hi = chain.upper()[i];
      lo = std::max(lo, r.home[i] - std::numbers::pi);
      hi = std::min(hi, r.home[i] + std::numbers::pi);
      q[i] = lo + (hi - lo) * unit(rng);
    }
    const Eigen::Vector3d p = r.X_WB * chain.TcpPose(q, r.tool.X_FT).translation();
    double nearest = 1e9;
    for (const Eigen::Vector3d& w : weld_points) nearest = std::min(nearest, (w - p).norm());
    if (nearest > 0.6) continue;
    if (world.CheckRobot(ctx, robot, q, {.margin = margin}).in_collision()) continue;
    out.push_back({.q = q, .branch = BranchOf(chain, q), .weld = -1});
  }
  return out;
}

// A node of `nodes` (two or more, all different) other than `not_this`.
const Node& PickOther(const std::vector<Node>& nodes, const Node& not_this, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> index(0, nodes.size() - 1);
  for (;;) {
    const Node& n = nodes[index(rng)];
    if (n.q != not_this.q) return n;
  }
}

std::string Key(const cell::Robot& r) { return RobotHash(r) + "/" + ToolHash(r.tool); }

// What the features need of every robot of a cell: the same for the data's generation and for
// RefeaturizeDataset (features must not depend on which of the two computed them).
// Each with its roadmap on this station (schema 2), from the reach of ReachAll as the pipeline
// computes it.
// Cancelled (`progress`): stops between robots and within a roadmap's construction, the result
// then incomplete (to be discarded).
std::vector<FeatureRobot> CellFeatureRobots(const cell::Cell& cell, const DistanceField& field,
                                            const reach::ReachMap& reach, int threads,
                                            const Progress& progress) {
  std::vector<FeatureRobot> out;
  for (int r = 0; r < static_cast<int>(cell.robots.size()) && !progress.cancelled(); ++r) {
    // Silent: the roadmap's stage would interleave with the data's.
    out.push_back(MakeFeatureRobot(cell, r, field, reach, threads, progress.Silent()));
  }
  return out;
}

std::vector<double> ToVector(const Eigen::VectorXd& q) { return {q.data(), q.data() + q.size()}; }
Eigen::VectorXd ToEigen(const std::vector<double>& q) {
  return Eigen::Map<const Eigen::VectorXd>(q.data(), static_cast<Eigen::Index>(q.size()));
}

// The station `c` (whose robot `r` gives a data set also given by `first`) has the same motion
// timing (resolution, speed scale) as `first`, else an InputError naming both.
void CheckSameTiming(const cell::Cell& first, const cell::Cell& c, const cell::Robot& r) {
  // One data set is one model, whose labels must share one timing: its metadata records one
  // resolution and speed scale.
  for (const auto& [key, a, b] :
       {std::tuple{"resolution", first.settings.motion.resolution, c.settings.motion.resolution},
        std::tuple{"speed_scale", first.settings.motion.speed_scale,
                   c.settings.motion.speed_scale}}) {
    if (a == b) continue;
    auto named = [](const cell::Cell& x) {
      return x.source_file.empty() ? fmt::format("'{}'", x.name)
                                   : fmt::format("'{}' ({})", x.name, x.source_file);
    };
    throw InputError(
        {{.where = {.file = c.source_file},
          .message = fmt::format(
              "settings.motion.{}: station {} has {:g}, station {} before it {:g}, for the "
              "same robot model and tool ({} with {}): the moves of one robot model and "
              "tool make one model of one timing; train the stations of each setting "
              "separately",
              key, named(c), b, named(first), a, r.model->name, r.tool.name)}});
  }
}

// The cells' robots → one empty data set per robot model and tool (in the order of first
// appearance, its settings those of the first cell), and in `dataset_of` each Key's index.
std::vector<Dataset> EmptyDatasets(const std::vector<cell::Cell>& cells, const DataOptions& options,
                                   std::map<std::string, std::size_t>* dataset_of) {
  std::vector<Dataset> out;
  std::vector<const cell::Cell*> first_cell;  // of each data set: whose settings it records
  for (const cell::Cell& c : cells) {
    for (const cell::Robot& r : c.robots) {
      if (const auto it = dataset_of->find(Key(r)); it != dataset_of->end()) {
        CheckSameTiming(*first_cell[it->second], c, r);
        continue;
      }
      if (dataset_of->emplace(Key(r), out.size()).second) {
        first_cell.push_back(&c);
        out.push_back({.robot_model = r.model->name,
                       .robot_hash = RobotHash(r),
                       .tool = r.tool.name,
                       .tool_hash = ToolHash(r.tool),
                       .seed = options.seed,
                       .resolution = c.settings.motion.resolution,
                       .blend_tolerance = options.blend_tolerance,
                       .speed_scale = c.settings.motion.speed_scale,
                       .travel_plans = motion::kTravelPlans});
      }
    }
  }
  return out;
}

// What the data need of one cell: its collision world, distance field, feature robots and the
// moves to plan.
struct CellWork {
  std::unique_ptr<collision::CollisionWorld> world;
  DistanceField field;
  std::vector<FeatureRobot> robots;
  std::vector<Move> moves;
};

// Robot `r`'s reach of the cell → the approach configurations of up to options_per_weld diverse
// candidates of every weld it reaches, and in `points` those welds' positions.
std::vector<Node> WeldNodes(const cell::Cell& c, const reach::ReachMap& reach, int r,
                            const DataOptions& options, std::vector<Eigen::Vector3d>* points) {
  std::vector<Node> weld_nodes;
  for (int wi = 0; wi < static_cast<int>(c.welds.size()); ++wi) {
    const reach::WeldReach& e = reach.at(wi, r);
    if (e.status != reach::ReachStatus::kReachable) continue;
    points->push_back(c.welds[wi].p_W);
    for (int k : reach::DiverseCandidates(e.candidates, options.options_per_weld)) {
      const reach::Candidate& cand = e.candidates[static_cast<std::size_t>(k)];
      weld_nodes.push_back({.q = cand.q_approach, .branch = cand.branch, .weld = wi});
    }
  }
  return weld_nodes;
}

// Robot `r`'s moves to plan in cell `ci` (`c`): home ↔ weld, random ↔ random or weld, and weld
// → weld (mostly near), each with its planner seed; none when it reaches no weld.
std::vector<Move> RobotMoves(const cell::Cell& c, std::size_t ci, int r,
                             const reach::ReachMap& reach, const collision::CollisionWorld& world,
                             collision::CollisionContext& ctx, const DataOptions& options) {
  std::vector<Move> moves;
  std::mt19937_64 rng(SplitMix64(options.seed ^ SplitMix64(ci * 1000 + r)));
  std::vector<Eigen::Vector3d> points;
  const std::vector<Node> weld_nodes = WeldNodes(c, reach, r, options, &points);
  if (weld_nodes.empty()) return moves;
  const int n_home = static_cast<int>(std::lround(options.moves_per_robot * options.home_fraction));
  const int n_random =
      static_cast<int>(std::lround(options.moves_per_robot * options.random_fraction));
  const std::vector<Node> random_nodes =
      RandomNodes(c, world, ctx, r, points, std::max(1, n_random / 2), rng);
  const Node home{.q = c.robots[r].home, .branch = BranchOf(world.chain(r), c.robots[r].home)};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto pick = [&](const std::vector<Node>& v) -> const Node& {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  for (int m = 0; m < options.moves_per_robot; ++m) {
    Move move{.robot = r};
    if (m < n_home) {
      move.kind = PairKind::kHome;
      move.a = home;
      move.b = pick(weld_nodes);
      if (m % 2) std::swap(move.a, move.b);
    } else if (m < n_home + n_random && !random_nodes.empty()) {
      move.kind = PairKind::kRandom;
      move.a = pick(random_nodes);
      // Two random configurations, never one to itself (a move of 0 s teaches nothing).
      move.b = m % 3 == 0 && random_nodes.size() > 1 ? PickOther(random_nodes, move.a, rng)
                                                     : pick(weld_nodes);
      if (m % 2) std::swap(move.a, move.b);
    } else {
      move.kind = PairKind::kWeldToWeld;
      move.a = pick(weld_nodes);
      // Mostly a neighbouring weld (the moves an allocation keeps), else any other weld.
      const bool near = unit(rng) < options.near_fraction;
      const Eigen::Vector3d& pa = c.welds[static_cast<std::size_t>(move.a.weld)].p_W;
      for (int t = 0; t < 50; ++t) {
        move.b = pick(weld_nodes);
        if (move.b.weld == move.a.weld) continue;
        if (!near || t >= 40 ||
            (c.welds[static_cast<std::size_t>(move.b.weld)].p_W - pa).norm() <=
                options.near_distance) {
          break;
        }
      }
    }
    // A robot that reaches one weld only may draw a candidate to itself: no move.
    if (move.a.q == move.b.q) continue;
    move.seed = SplitMix64(options.seed ^
                           SplitMix64((ci << 40) + (static_cast<std::uint64_t>(r) << 24) + m));
    moves.push_back(std::move(move));
  }
  return moves;
}

// Cell `ci` (`c`) → its collision world, distance field, reach, feature robots and every
// robot's moves, into `w`; false when cancelled between these steps (nothing is planned then).
bool PrepareCell(const cell::Cell& c, std::size_t ci, const DataOptions& options, CellWork* w) {
  const Progress& progress = options.progress;
  w->world = std::make_unique<collision::CollisionWorld>(c);
  // Silent, as the roadmaps: the field's stage would interleave with the data's.
  w->field = DistanceField(c, progress.Silent());
  if (progress.cancelled()) return false;  // the field is empty
  // Silent: reach's own stage would interleave with the data's.
  const reach::ReachMap reach =
      reach::ReachAll(c, *w->world, {.threads = options.threads, .progress = progress.Silent()});
  if (progress.cancelled()) return false;  // the reach map is incomplete
  w->robots = CellFeatureRobots(c, w->field, reach, options.threads, progress);
  if (progress.cancelled()) return false;
  collision::CollisionContext ctx(*w->world);
  for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
    std::vector<Move> moves = RobotMoves(c, ci, r, reach, *w->world, ctx, options);
    for (Move& move : moves) w->moves.push_back(std::move(move));
  }
  return true;
}

// One move planned for its label.
struct LabelResult {
  bool planned = false;  // false: not started before the cancellation
  bool solved = false, direct = false, wide = false;
  double duration = 0, seconds = 0;
  Features x{};
};

// Every move of cell `c` (`w`) → planned in parallel, timed, with its features; progress
// reported against `total` moves of all cells, `done` counting them.
std::vector<LabelResult> PlanCellMoves(const cell::Cell& c, const CellWork& w,
                                       const std::string& cell_name, const DataOptions& options,
                                       std::int64_t total, std::int64_t* done) {
  using Clock = std::chrono::steady_clock;
  std::mutex progress_mutex;
  std::vector<LabelResult> results(w.moves.size());
  const int threads = ResolveThreadCount(options.threads);
  LabelPlanners planners(*w.world, threads, c.robots.size());
  ParallelFor(
      static_cast<int>(w.moves.size()), threads,
      [&](int i, int worker) {
        const Move& m = w.moves[static_cast<std::size_t>(i)];
        const FeatureRobot& fr = w.robots[static_cast<std::size_t>(m.robot)];
        const auto t0 = Clock::now();
        const motion::TravelMove move =
            PlanLabel(planners.At(worker, m.robot), c, fr.limits, m.a.q, m.b.q, m.seed,
                      options.blend_tolerance, cell_name);
        LabelResult& res = results[static_cast<std::size_t>(i)];
        res.planned = true;
        res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        res.solved = move.path.solved();
        if (res.solved) {
          res.direct = move.path.direct;
          res.wide = move.path.wide;
          res.duration = LabelSeconds(move.profile.duration());
          res.x = ComputeFeatures(fr, w.field, MakeFeatureNode(fr, w.field, m.a.q, m.a.branch),
                                  MakeFeatureNode(fr, w.field, m.b.q, m.b.branch));
        }
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress.Report(kDataStage, ++*done, std::max<std::int64_t>(total, 1));
      },
      [&] { return options.progress.cancelled(); });
  return results;
}

// Cell `c`'s planned moves (`w`, `results`) → samples of their robots' data sets in `out` (the
// cell added to a data set's cells at its first sample), failures counted; statistics into `st`.
void AddSamples(const cell::Cell& c, const CellWork& w, const std::vector<LabelResult>& results,
                const std::string& cell_name, const std::map<std::string, std::size_t>& dataset_of,
                std::vector<Dataset>& out, DataStats& st) {
  std::vector<int> cell_index(out.size(), -1);
  for (std::size_t i = 0; i < w.moves.size(); ++i) {
    const Move& m = w.moves[i];
    const std::size_t d = dataset_of.at(Key(c.robots[static_cast<std::size_t>(m.robot)]));
    Dataset& data = out[d];
    if (!results[i].planned) continue;  // cancelled: neither a move nor one without a path
    if (!results[i].solved) {
      ++data.failed;
      ++st.failed;
      st.failed_seconds += results[i].seconds;
      continue;
    }
    ++st.solved;
    st.wide += results[i].wide;
    st.solved_seconds += results[i].seconds;
    if (cell_index[d] < 0) {
      cell_index[d] = static_cast<int>(data.cells.size());
      data.cells.push_back(cell_name);
    }
    data.samples.push_back({.cell = cell_index[d],
                            .robot = c.robots[static_cast<std::size_t>(m.robot)].name,
                            .kind = m.kind,
                            .duration = results[i].duration,
                            .direct = results[i].direct,
                            .x = results[i].x,
                            .qa = ToVector(m.a.q),
                            .qb = ToVector(m.b.q),
                            .branch_a = m.a.branch,
                            .branch_b = m.b.branch});
  }
}

}  // namespace

std::string_view ToString(PairKind kind) {
  switch (kind) {
    case PairKind::kWeldToWeld:
      return "weld";
    case PairKind::kHome:
      return "home";
    case PairKind::kRandom:
      return "random";
  }
  return "?";
}

std::vector<Dataset> MakeDatasets(const std::vector<cell::Cell>& cells, const DataOptions& options,
                                  DataStats* stats) {
  using Clock = std::chrono::steady_clock;
  DataStats local_stats;
  DataStats& st = stats ? *stats : local_stats;
  st = {};
  const auto t_prepare = Clock::now();
  std::map<std::string, std::size_t> dataset_of;
  std::vector<Dataset> out = EmptyDatasets(cells, options, &dataset_of);
  // Moves of every cell first (cheap), so that progress has a total.
  std::vector<CellWork> work(cells.size());
  std::int64_t total = 0;
  // Cancelled: polled between the steps of each cell (reach and the roadmaps take seconds on a
  // large station); nothing is planned then.
  const Progress& progress = options.progress;
  for (std::size_t ci = 0; ci < cells.size() && !progress.cancelled(); ++ci) {
    if (!PrepareCell(cells[ci], ci, options, &work[ci])) break;
    total += static_cast<std::int64_t>(work[ci].moves.size());
  }
  st.prepare_seconds = std::chrono::duration<double>(Clock::now() - t_prepare).count();
  std::int64_t done = 0;
  for (std::size_t ci = 0; ci < cells.size() && !progress.cancelled(); ++ci) {
    const cell::Cell& c = cells[ci];
    const std::string cell_name = c.name + "@" + plan::CellHash(c);
    const std::vector<LabelResult> results =
        PlanCellMoves(c, work[ci], cell_name, options, total, &done);
    AddSamples(c, work[ci], results, cell_name, dataset_of, out, st);
  }
  return out;
}

std::string DatasetHash(const Dataset& data) {
  std::vector<Features> x;
  std::vector<double> y;
  for (const Sample& s : data.samples) {
    x.push_back(s.x);
    y.push_back(s.duration);
  }
  std::uint64_t h = 1469598103934665603ULL;
  auto bytes = [&](const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= c[i];
      h *= 1099511628211ULL;
    }
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    bytes(x[i].data(), sizeof(float) * x[i].size());
    const auto us = static_cast<std::int64_t>(std::llround(y[i] * 1e6));
    bytes(&us, sizeof us);
  }
  return fmt::format("{:016x}", h);
}

namespace {

// A field as RFC 4180 writes it: in double quotes (doubled inside) when it holds a comma, a
// quote or a line break (a robot named "R,1" in its cell file), else as it is.
std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

// One CSV record split into its fields (RFC 4180). `open`: a quoted field runs past the end of
// `text` (a line break inside it; the record goes on on the next line). `problem` (with the
// 0-based field) when a field is not valid.
struct CsvRecord {
  std::vector<std::string> fields;
  bool open = false;
  std::string problem;
};
CsvRecord SplitCsv(std::string_view text) {
  CsvRecord r;
  std::size_t i = 0;
  for (;;) {
    std::string field;
    if (i < text.size() && text[i] == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) {
          r.open = true;
          return r;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        field += text[i];
      }
      if (i < text.size() && text[i] != ',') {
        r.problem = "text after the closing quote of a quoted field";
        return r;
      }
    } else {
      const std::size_t end = std::min(text.find(',', i), text.size());
      field.assign(text.substr(i, end - i));
      if (field.find('"') != std::string::npos) {
        r.problem = fmt::format(
            "a '\"' in a field not in quotes, got {} (RFC 4180: a field with a quote is in quotes, "
            "its quotes doubled)",
            Quote(field));
        return r;
      }
      i = end;
    }
    r.fields.push_back(std::move(field));
    if (i >= text.size()) return r;
    ++i;  // the comma
  }
}

}  // namespace

void WriteDataset(const Dataset& d, const std::filesystem::path& file) {
  WriteFileAtomically(file, DatasetText(d));
}

std::string DatasetText(const Dataset& d) {
  std::string s;
  s += fmt::format("# weldcell-travel-data/{}\n", kDataFormat);
  s += fmt::format("# feature_schema={}\n", d.feature_schema);
  s += fmt::format("# robot_model={}\n# robot_hash={}\n# tool={}\n# tool_hash={}\n", d.robot_model,
                   d.robot_hash, d.tool, d.tool_hash);
  s += fmt::format("# seed={}\n# resolution={}\n# blend_tolerance={}\n# speed_scale={}\n", d.seed,
                   d.resolution, d.blend_tolerance, d.speed_scale);
  s += fmt::format("# travel_plans={}\n", d.travel_plans);
  for (std::size_t i = 0; i < d.cells.size(); ++i) s += fmt::format("# cell{}={}\n", i, d.cells[i]);
  s += fmt::format("# failed={}\n# rows={}\n# hash={}\n", d.failed, d.samples.size(),
                   DatasetHash(d));
  s += "cell,robot,kind,duration,direct,branch_a,branch_b";
  for (const char* end : {"qa", "qb"}) {
    for (int j = 1; j <= kMaxJoints; ++j) s += fmt::format(",{}{}", end, j);
  }
  for (std::string_view f : kFeatureNames) s += fmt::format(",{}", f);
  s += '\n';
  for (const Sample& x : d.samples) {
    // Durations to the µs; configurations and features exactly (shortest round-trip text).
    s += fmt::format("{},{},{},{:.6f},{},{},{}", x.cell, CsvField(x.robot), ToString(x.kind),
                     x.duration, x.direct ? 1 : 0, x.branch_a, x.branch_b);
    for (const std::vector<double>* q : {&x.qa, &x.qb}) {
      for (int j = 0; j < kMaxJoints; ++j) {
        s += j < static_cast<int>(q->size()) ? fmt::format(",{}", (*q)[static_cast<std::size_t>(j)])
                                             : std::string(",");
      }
    }
    for (float v : x.x) s += std::isnan(v) ? std::string(",") : fmt::format(",{}", v);
    s += '\n';
  }
  return s;
}

namespace {

/// s: the longest travel move a data file may hold (a label beyond it is an edit, not a move).
constexpr double kMaxLabelSeconds = 3600.0;

// 16 lowercase hex digits, as RobotHash, ToolHash, CellHash and DatasetHash write them.
// A column WriteDataset writes (any format or feature schema): the move's keys, its two ends'
// IK branches and joints, the features.
bool IsDataColumn(std::string_view name) {
  for (const std::string_view fixed :
       {"cell", "robot", "kind", "duration", "direct", "branch_a", "branch_b"}) {
    if (name == fixed) return true;
  }
  for (int j = 1; j <= kMaxJoints; ++j) {
    if (name == fmt::format("qa{}", j) || name == fmt::format("qb{}", j)) return true;
  }
  return std::find(kFeatureNames.begin(), kFeatureNames.end(), name) != kFeatureNames.end();
}

bool IsHash(std::string_view text) {
  return text.size() == 16 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A file cut short at a line's end, or rows edited, removed or added since WriteDataset wrote
// it: the header's `rows` and `hash` no longer agree (the hash only within the current feature
// schema, whose columns it covers).
void CheckRowsAndHash(const Dataset& d, int rows_line, std::int64_t rows, int hash_line,
                      const std::string& hash, const std::filesystem::path& file) {
  auto error = [&](int line, const std::string& message) {
    return InputError(
        {{.where = {.file = file.string(), .line = line, .column = 1}, .message = message}});
  };
  const auto n = static_cast<std::int64_t>(d.samples.size());
  if (rows_line > 0 && rows != n) {
    throw error(rows_line, fmt::format("rows: the header says {} rows, the file has {} (cut short "
                                       "or edited: write it again with weldcell train)",
                                       rows, n));
  }
  if (hash_line == 0 || d.feature_schema != kFeatureSchemaVersion) return;
  if (const std::string actual = DatasetHash(d); actual != hash) {
    throw error(hash_line,
                fmt::format("hash: the rows' hash is {}, the header says {} (a duration or "
                            "feature was edited: write the file again with weldcell train)",
                            actual, hash));
  }
}

// Reads one data file as WriteDataset writes it: the format line, the `# key=value` header, the
// header row, then one row per move; every problem is an InputError at its line.
class DatasetReader {
 public:
  DatasetReader(const std::filesystem::path& file, std::ifstream& in) : file_(file), in_(in) {
    d_.feature_schema = 1;  // files before the key existed were of schema 1
  }

  // The whole file → the data set, its header's `rows` and `hash` checked against the rows.
  Dataset Read() {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line_no_ == 1) {
        ReadFormatLine(line);
      } else if (line.empty()) {
        continue;
      } else if (line[0] == '#') {
        ReadHeaderLine(line);
      } else if (header_.empty()) {
        ReadHeaderRow(line);
      } else {
        ReadRow(line);
      }
    }
    if (header_.empty()) {
      CheckRequiredKeys();
      throw Error("no header row");
    }
    CheckRowsAndHash(d_, rows_line_, rows_, hash_line_, hash_, file_);
    return std::move(d_);
  }

 private:
  // `message` → the error at the current line.
  InputError Error(const std::string& message) const {
    return InputError(
        {{.where = {.file = file_.string(), .line = line_no_, .column = 1}, .message = message}});
  }

  // A row's field → its number. Every number is the whole field ("0.97xyz" and a cell index
  // "0.5" are errors) and finite: XGBoost refuses NaN or infinite labels and features, and the
  // features' distance field cannot place a configuration that is not.
  template <typename T = double>
  T Number(const std::string& field, const std::string& key) const {
    T value = 0;
    const char* end = field.data() + field.size();
    const auto [ptr, ec] = std::from_chars(field.data(), end, value);
    if (field.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
      throw Error(fmt::format("{}: expected a finite number, got '{}'", key, field));
    }
    return value;
  }

  // A row's field → its whole number (an index or an IK branch).
  int Whole(const std::string& field, const std::string& key) const {
    int value = 0;
    const char* end = field.data() + field.size();
    const auto [ptr, ec] = std::from_chars(field.data(), end, value);
    if (field.empty() || ec != std::errc() || ptr != end) {
      throw Error(fmt::format("{}: expected a whole number, got '{}'", key, field));
    }
    return value;
  }

  // A header value → the whole number from `lo` to `hi` it is ("20x", "-1" for an unsigned key
  // and "2.5" are errors, not 20, 2^64 - 1 and 2).
  template <typename T>
  T HeaderWhole(const std::string& value, const std::string& key, T lo, T hi) const {
    T v{};
    const char* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, v);
    if (value.empty() || ec != std::errc() || ptr != end || v < lo || v > hi) {
      throw Error(fmt::format("{}: expected a whole number from {} to {}, got {}", key, lo, hi,
                              Quote(value)));
    }
    return v;
  }

  // A header value → its finite number above 0 (resolution, blend_tolerance, speed_scale: the
  // model's metadata refuses anything else).
  double HeaderPositive(const std::string& value, const std::string& key) const {
    double v = 0;
    const char* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, v);
    if (value.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v <= 0) {
      throw Error(fmt::format("{}: expected a finite number above 0, got {}", key, Quote(value)));
    }
    return v;
  }

  // A header value → itself, if 16 lowercase hex digits (a robot, tool or rows' hash).
  std::string HeaderHash(const std::string& value, const std::string& key) const {
    if (!IsHash(value)) {
      throw Error(fmt::format("{}: expected 16 hex digits (0-9, a-f), got {}", key, Quote(value)));
    }
    return value;
  }

  // A header value → itself, if not empty (a robot model or tool name).
  std::string HeaderText(const std::string& value, const std::string& key) const {
    if (value.empty()) throw Error(fmt::format("{}: expected a name, got nothing", key));
    return value;
  }

  // Line 1 → the file's format (1 or 2).
  void ReadFormatLine(const std::string& line) {
    if (line == "# weldcell-travel-data/1") {
      d_.format = 1;
    } else if (line == "# weldcell-travel-data/2") {
      d_.format = 2;
    } else if (line.starts_with("\xEF\xBB\xBF")) {
      throw Error("starts with a UTF-8 byte order mark (EF BB BF): save it without one");
    } else {
      throw Error(
          "not a weldcell training data file (expected '# weldcell-travel-data/1' or '/2')");
    }
  }

  // A `# key=value` line before the header row → its key, each once, and value checked.
  void ReadHeaderLine(const std::string& line) {
    if (!header_.empty()) {
      throw Error(fmt::format("a header line after the header row (line {}), got {}", header_line_,
                              Quote(line)));
    }
    const auto eq = line.find('=');
    if (!line.starts_with("# ") || eq == std::string::npos) {
      throw Error(fmt::format("expected a header line '# key=value', got {}", Quote(line)));
    }
    const std::string key = line.substr(2, eq - 2), value = line.substr(eq + 1);
    // Names end up in JSON (train --json, metadata.json), which holds only UTF-8.
    if (Printable(key) != key || Printable(value) != value) {
      throw Error(
          fmt::format("{}: expected printable UTF-8 text, got {}", Printable(key), Quote(value)));
    }
    if (const auto [it, inserted] = key_line_.emplace(key, line_no_); !inserted) {
      throw Error(fmt::format("{}: given twice (first on line {})", key, it->second));
    }
    SetHeaderValue(key, value);
  }

  // A header key and its value → the data set's field it sets (or the rows' `rows`, `hash`).
  void SetHeaderValue(const std::string& key, const std::string& value) {
    constexpr auto kIntMax = std::numeric_limits<int>::max();
    if (key == "feature_schema") {
      d_.feature_schema = HeaderWhole(value, key, 1, kIntMax);
    } else if (key == "robot_model") {
      d_.robot_model = HeaderText(value, key);
    } else if (key == "robot_hash") {
      d_.robot_hash = HeaderHash(value, key);
    } else if (key == "tool") {
      d_.tool = HeaderText(value, key);
    } else if (key == "tool_hash") {
      d_.tool_hash = HeaderHash(value, key);
    } else if (key == "seed") {
      d_.seed =
          HeaderWhole(value, key, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max());
    } else if (key == "resolution") {
      d_.resolution = HeaderPositive(value, key);
    } else if (key == "blend_tolerance") {
      d_.blend_tolerance = HeaderPositive(value, key);
    } else if (key == "speed_scale") {
      d_.speed_scale = HeaderPositive(value, key);
    } else if (key == "travel_plans") {
      try {
        d_.travel_plans = HeaderWhole(value, key, 1, kIntMax);
      } catch (const InputError&) {
        // The wording weldcell train has said since the key came (scripts may match it).
        throw Error(
            fmt::format("travel_plans: bad value '{}' (expected a number of plans, at least 1)",
                        Printable(value)));
      }
    } else if (key == "failed") {
      d_.failed = HeaderWhole(value, key, 0, kIntMax);
    } else if (key == "rows") {
      rows_ = HeaderWhole(value, key, std::int64_t{0}, std::numeric_limits<std::int64_t>::max());
      rows_line_ = line_no_;
    } else if (key == "hash") {
      // Format 1 files are not checked (their features are of schema 1).
      hash_ = d_.format >= 2 ? HeaderHash(value, key) : value;
      hash_line_ = line_no_;
    } else if (key.starts_with("cell")) {
      AddCell(key, value);
    } else {
      throw Error(fmt::format(
          "unknown key {} (expected feature_schema, robot_model, robot_hash, tool, tool_hash, "
          "seed, resolution, blend_tolerance, speed_scale, travel_plans, cell<i>, failed, rows, "
          "hash)",
          Quote(key)));
    }
  }

  // `cell<i>=<name>@<hash>` → the next station of the data set (cell0, cell1, … in order: the
  // samples' cell index is the position), each station once.
  void AddCell(const std::string& key, const std::string& value) {
    const std::string expected = fmt::format("cell{}", d_.cells.size());
    if (key != expected) {
      throw Error(fmt::format("{}: expected the key '{}' (stations numbered from 0 in order)", key,
                              expected));
    }
    const auto at = value.rfind('@');
    if (at == std::string::npos || at == 0 || !IsHash(value.substr(at + 1))) {
      throw Error(fmt::format("{}: expected <station name>@<16 hex digits of its hash>, got {}",
                              key, Quote(value)));
    }
    const auto same = std::find(d_.cells.begin(), d_.cells.end(), value);
    if (same != d_.cells.end()) {
      // One station's moves would be trained on and held out at once.
      throw Error(fmt::format("{}: the station {} is also cell{}: give each station once", key,
                              Quote(value), same - d_.cells.begin()));
    }
    d_.cells.push_back(value);
  }

  // The header keys all writers of the format wrote, each required before the header row
  // (format 1 files before `feature_schema` existed lack it; `travel_plans` came after format 2).
  void CheckRequiredKeys() const {
    std::vector<std::string_view> required = {
        "robot_model", "robot_hash",      "tool",        "tool_hash", "seed",
        "resolution",  "blend_tolerance", "speed_scale", "failed",    "rows"};
    if (d_.format >= 2) {
      required.push_back("feature_schema");
      required.push_back("hash");  // without it, edited rows go unnoticed
    }
    for (std::string_view key : required) {
      if (!key_line_.contains(key)) {
        throw Error(
            fmt::format("the header has no '# {}=' line (required before the header row; "
                        "write the file again with weldcell train)",
                        key));
      }
    }
  }

  // The record starting on `first` → its fields and its first line (RFC 4180: a quoted field
  // may hold a line break, then the record takes the next lines; line_no_ is left at its last).
  std::pair<std::vector<std::string>, int> Split(const std::string& first) {
    std::string record = first;
    const int first_line = line_no_;
    CsvRecord r = SplitCsv(record);
    while (r.open) {
      std::string more;
      if (!std::getline(in_, more)) {
        line_no_ = first_line;
        throw Error("a quoted field is not closed by the end of the file");
      }
      ++line_no_;
      if (!more.empty() && more.back() == '\r') more.pop_back();
      record += '\n' + more;
      r = SplitCsv(record);
    }
    if (!r.problem.empty()) {
      line_no_ = first_line;
      throw Error(fmt::format("{}{}",
                              r.fields.size() < header_.size()
                                  ? fmt::format("{}: ", header_[r.fields.size()])
                                  : fmt::format("column {}: ", r.fields.size() + 1),
                              r.problem));
    }
    return std::pair{std::move(r.fields), first_line};
  }

  // The header row's column named `name` → its index (-1: absent).
  int Column(std::string_view name) const {
    const auto it = std::find(header_.begin(), header_.end(), name);
    return it == header_.end() ? -1 : static_cast<int>(it - header_.begin());
  }

  // The header row → the columns' names, each once, and the index of every column read.
  void ReadHeaderRow(const std::string& line) {
    CheckRequiredKeys();
    header_line_ = line_no_;
    header_ = Split(line).first;
    for (std::size_t i = 0; i < header_.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (header_[j] == header_[i]) {
          // Columns are found by name: the second would be silently ignored.
          throw Error(fmt::format("the header row names column {} twice (columns {} and {})",
                                  Quote(header_[i]), j + 1, i + 1));
        }
      }
    }
    FindMoveColumns();
    FindFeatureColumns();
    CheckAllDataColumns();
  }

  // The header row → the columns of the move's keys, label and (format 2) IK branches and
  // joints, all required.
  void FindMoveColumns() {
    c_cell_ = Column("cell");
    c_robot_ = Column("robot");
    c_kind_ = Column("kind");
    c_duration_ = Column("duration");
    c_direct_ = Column("direct");
    for (auto [c, name] : {std::pair{c_cell_, "cell"},
                           {c_robot_, "robot"},
                           {c_kind_, "kind"},
                           {c_duration_, "duration"},
                           {c_direct_, "direct"}}) {
      if (c < 0) throw Error(fmt::format("the header row has no column '{}'", name));
    }
    if (d_.format < 2) return;
    c_branch_a_ = Column("branch_a");
    c_branch_b_ = Column("branch_b");
    if (c_branch_a_ < 0 || c_branch_b_ < 0) {
      throw Error("the header row has no columns 'branch_a', 'branch_b' (format 2)");
    }
    for (int j = 0; j < kMaxJoints; ++j) {
      c_qa_[j] = Column(fmt::format("qa{}", j + 1));
      c_qb_[j] = Column(fmt::format("qb{}", j + 1));
      if (c_qa_[j] < 0 || c_qb_[j] < 0) {
        throw Error(
            fmt::format("the header row has no columns 'qa{0}', 'qb{0}' (format 2)", j + 1));
      }
    }
  }

  // The header row → the features' columns by name: the file's schema's must all be there (a
  // column deleted by hand was blamed on the rows' hash); those of a later schema in an older
  // file are read, and left out of its hash.
  void FindFeatureColumns() {
    for (int k = 0; k < kNumFeatures; ++k) c_feature_[k] = Column(kFeatureNames[k]);
    const int schema_features = d_.feature_schema >= 2 ? kNumFeatures : kSchema1Features;
    for (int k = 0; k < schema_features; ++k) {
      if (c_feature_[k] < 0) {
        throw Error(fmt::format("the header row has no column '{}' (feature_schema {} has it)",
                                kFeatureNames[k], d_.feature_schema));
      }
    }
  }

  // The header row has only columns WriteDataset writes: one no data file has (a typo, a column
  // added by hand) would be read by no one.
  void CheckAllDataColumns() const {
    for (const std::string& name : header_) {
      if (!IsDataColumn(name)) {
        throw Error(
            fmt::format("the header row has a column {} that weldcell data files do "
                        "not have (the columns: cell, robot, kind, duration, direct, "
                        "branch_a, branch_b, qa1…qa{}, qb1…qb{}, and the features of "
                        "docs/learned.md)",
                        Quote(name), kMaxJoints, kMaxJoints));
      }
    }
  }

  // A row (the record starting on `line`) → one more sample of the data set.
  void ReadRow(const std::string& line) {
    const auto [f, row_line] = Split(line);
    // The row's messages name its first line (its last is read on from).
    const int last_line = line_no_;
    line_no_ = row_line;
    if (f.size() != header_.size()) {
      throw Error(fmt::format("expected {} columns, got {}", header_.size(), f.size()));
    }
    Sample s;
    s.line = line_no_;
    ReadMoveFields(f, &s);
    for (int k = 0; k < kNumFeatures; ++k) {
      const std::string v = c_feature_[k] < 0 ? std::string() : f[c_feature_[k]];
      // Empty: missing (NaN), as WriteDataset writes it.
      // As floats, the way they were written (shortest round trip).
      s.x[k] = v.empty() ? std::numeric_limits<float>::quiet_NaN()
                         : Number<float>(v, std::string(kFeatureNames[k]));
    }
    if (d_.format >= 2) ReadEnds(f, &s);
    if (s.cell < 0 || s.cell >= static_cast<int>(d_.cells.size()))
      throw Error("cell index out of range");
    d_.samples.push_back(std::move(s));
    line_no_ = last_line;
  }

  // A row's fields → the move's cell, robot, kind, label (duration) and whether it was direct.
  void ReadMoveFields(const std::vector<std::string>& f, Sample* s) const {
    s->cell = Whole(f[c_cell_], "cell");
    s->robot = f[c_robot_];
    if (Printable(s->robot) != s->robot) {
      throw Error(fmt::format("robot: expected printable UTF-8 text, got {}", Quote(s->robot)));
    }
    const std::string& kind = f[c_kind_];
    if (kind != "weld" && kind != "home" && kind != "random") {
      throw Error("kind: expected 'weld', 'home' or 'random', got '" + kind + "'");
    }
    s->kind = kind == "home"     ? PairKind::kHome
              : kind == "random" ? PairKind::kRandom
                                 : PairKind::kWeldToWeld;
    s->duration = Number(f[c_duration_], "duration");
    if (s->duration < 0.0 || s->duration > kMaxLabelSeconds) {
      throw Error(fmt::format("duration: expected seconds from 0 to {:g}, got '{}'",
                              kMaxLabelSeconds, f[c_duration_]));
    }
    if (f[c_direct_] != "0" && f[c_direct_] != "1") {
      throw Error("direct: expected 0 or 1, got '" + f[c_direct_] + "'");
    }
    s->direct = f[c_direct_] == "1";
  }

  // A format 2 row's fields → the move's two ends: IK branches and joints (qa, qb; the robot's
  // joints first, the columns past them empty).
  void ReadEnds(const std::vector<std::string>& f, Sample* s) const {
    s->branch_a = Whole(f[c_branch_a_], "branch_a");
    s->branch_b = Whole(f[c_branch_b_], "branch_b");
    for (int j = 0; j < kMaxJoints; ++j) {
      const std::string& a = f[c_qa_[j]];
      const std::string& b = f[c_qb_[j]];
      if (a.empty() != b.empty()) {
        throw Error(fmt::format("qa{0}, qb{0}: both given or both empty", j + 1));
      }
      if (a.empty()) continue;
      if (static_cast<int>(s->qa.size()) != j) {
        throw Error(fmt::format("qa{}: a joint after an empty one", j + 1));
      }
      s->qa.push_back(Number(a, fmt::format("qa{}", j + 1)));
      s->qb.push_back(Number(b, fmt::format("qb{}", j + 1)));
    }
  }

  const std::filesystem::path& file_;
  std::ifstream& in_;
  Dataset d_;
  int line_no_ = 0;
  // What the header says of the rows (WriteDataset's `rows` and `hash`), and where.
  std::int64_t rows_ = -1;
  std::string hash_;
  int rows_line_ = 0, hash_line_ = 0;
  // The header keys read, with their lines: each once, those every writer wrote required.
  std::map<std::string, int, std::less<>> key_line_;
  // The header row's column names, and the indices of the columns read (-1 = absent).
  std::vector<std::string> header_;
  int header_line_ = 0;
  int c_cell_ = -1, c_robot_ = -1, c_kind_ = -1, c_duration_ = -1, c_direct_ = -1, c_branch_a_ = -1,
      c_branch_b_ = -1;
  std::array<int, kMaxJoints> c_qa_{}, c_qb_{};
  std::array<int, kNumFeatures> c_feature_{};
};

}  // namespace

Dataset ReadDataset(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw InputError({{.where = {.file = file.string()}, .message = "cannot open the file"}});
  return DatasetReader(file, in).Read();
}

namespace {

// The moves of one data cell: the cell given for it and, per move, its row and robot index.
struct CellRows {
  const cell::Cell* cell = nullptr;
  std::vector<int> rows;
  std::vector<int> robot_of;
};

// Which joint value of the move lies outside the robot's joint limits ("qa3 = 7 rad is outside the
// joint limits of robot 'R1', [-3.1, 3.1] rad"), empty when none does. `chain` is the robot's.
// The stored configurations are written exactly (shortest round trip); 1e-9 rad of slack.
std::string OutsideLimits(const Sample& sample, const cell::Robot& robot,
                          const kinematics::Chain& chain) {
  for (const auto& [name, q] : {std::pair{"qa", &sample.qa}, std::pair{"qb", &sample.qb}}) {
    for (int j = 0; j < chain.dof(); ++j) {
      const double v = (*q)[static_cast<std::size_t>(j)];
      if (!(v >= chain.lower()[j] - 1e-9 && v <= chain.upper()[j] + 1e-9)) {
        return fmt::format(
            "{}{} = {:g} rad is outside the joint limits of robot '{}', [{:g}, {:g}] rad", name,
            j + 1, v, robot.name, chain.lower()[j], chain.upper()[j]);
      }
    }
  }
  return {};
}

// Matches every cell of `data` to one of `cells` by its hash and every move to its robot there;
// the errors of RefeaturizeDataset (file:line of the data's header, `file` may be empty for data
// planned in this run).
std::vector<CellRows> MatchCells(const Dataset& data, const std::vector<cell::Cell>& cells,
                                 const std::filesystem::path& file) {
  // Line numbers of the header lines, for the messages (a move's own is Sample::line).
  const int format_line = 1;
  std::vector<int> cell_line(data.cells.size(), 1);
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      for (std::size_t i = 0; i < data.cells.size(); ++i) {
        if (line.rfind(fmt::format("# cell{}=", i), 0) == 0) cell_line[i] = n;
      }
      if (line.rfind("cell,", 0) == 0) break;
    }
  }
  auto error = [&](int line, const std::string& message) {
    return InputError(
        {{.where = {.file = file.string(), .line = line, .column = 1}, .message = message}});
  };
  if (data.format < 2) {
    throw error(format_line,
                "data format 1 stores no joint configurations, so its features cannot be "
                "recomputed: train on its stored features (no cell files) or plan the data again");
  }
  std::vector<std::string> hashes;
  hashes.reserve(cells.size());
  for (const cell::Cell& c : cells) hashes.push_back(plan::CellHash(c));
  std::vector<CellRows> out(data.cells.size());
  for (std::size_t i = 0; i < data.cells.size(); ++i) {
    const std::string& name = data.cells[i];
    const auto at = name.rfind('@');
    const std::string hash = at == std::string::npos ? std::string() : name.substr(at + 1);
    const auto it = std::find(hashes.begin(), hashes.end(), hash);
    if (it == hashes.end()) {
      std::string given;
      for (std::size_t k = 0; k < cells.size(); ++k) {
        given += fmt::format("{}{}@{}", k ? ", " : "", cells[k].name, hashes[k]);
      }
      throw error(cell_line[i],
                  fmt::format("cell{}: no cell given has the hash of '{}' (the cell the moves "
                              "were planned in, or a changed copy of it); given: {}",
                              i, name, given.empty() ? "none" : given));
    }
    const cell::Cell& c = cells[static_cast<std::size_t>(it - hashes.begin())];
    out[i].cell = &c;
    std::vector<kinematics::Chain> chains;
    chains.reserve(c.robots.size());
    for (const cell::Robot& robot : c.robots) chains.emplace_back(*robot.model);
    for (int s = 0; s < static_cast<int>(data.samples.size()); ++s) {
      const Sample& sample = data.samples[static_cast<std::size_t>(s)];
      if (sample.cell != static_cast<int>(i)) continue;
      int r = 0;
      while (r < static_cast<int>(c.robots.size()) &&
             c.robots[static_cast<std::size_t>(r)].name != sample.robot) {
        ++r;
      }
      // The move's row (the data may have been merged from several files, or planned in this
      // run: then the station's header line).
      const int row_line = sample.line > 0 && !file.empty() ? sample.line : cell_line[i];
      if (r == static_cast<int>(c.robots.size())) {
        throw error(row_line, fmt::format("cell{}: has no robot '{}'", i, sample.robot));
      }
      const cell::Robot& robot = c.robots[static_cast<std::size_t>(r)];
      if (RobotHash(robot) != data.robot_hash || ToolHash(robot.tool) != data.tool_hash) {
        throw error(row_line, fmt::format("cell{}: robot '{}' is not {} with {}", i, sample.robot,
                                          data.robot_model, data.tool));
      }
      if (static_cast<int>(sample.qa.size()) != robot.model->dof()) {
        throw error(row_line, fmt::format("cell{}: a move of robot '{}' has {} joints, the "
                                          "robot {}",
                                          i, sample.robot, sample.qa.size(), robot.model->dof()));
      }
      if (const std::string outside =
              OutsideLimits(sample, robot, chains[static_cast<std::size_t>(r)]);
          !outside.empty()) {
        throw error(row_line,
                    fmt::format("cell{}: {}: the move was not planned in this cell (or the file "
                                "was edited)",
                                i, outside));
      }
      out[i].rows.push_back(s);
      out[i].robot_of.push_back(r);
    }
  }
  return out;
}

}  // namespace

void RefeaturizeDataset(Dataset& data, const std::vector<cell::Cell>& cells,
                        const std::filesystem::path& file, int threads, Progress progress) {
  if (progress.cancelled()) return;
  for (const CellRows& m : MatchCells(data, cells, file)) {
    if (m.rows.empty()) continue;
    // Polled between the steps of each cell: reach and the roadmaps take seconds on a large
    // station.
    if (progress.cancelled()) return;
    const cell::Cell& c = *m.cell;
    const DistanceField field(c, progress.Silent());
    if (progress.cancelled()) return;  // the field is empty
    const collision::CollisionWorld world(c);
    const reach::ReachMap reach =
        reach::ReachAll(c, world, {.threads = threads, .progress = progress.Silent()});
    if (progress.cancelled()) return;  // the reach map is incomplete
    const std::vector<FeatureRobot> robots = CellFeatureRobots(c, field, reach, threads, progress);
    if (progress.cancelled()) return;
    ParallelFor(
        static_cast<int>(m.rows.size()), threads,
        [&](int k, int) {
          Sample& sample =
              data.samples[static_cast<std::size_t>(m.rows[static_cast<std::size_t>(k)])];
          const FeatureRobot& fr =
              robots[static_cast<std::size_t>(m.robot_of[static_cast<std::size_t>(k)])];
          sample.x = ComputeFeatures(
              fr, field, MakeFeatureNode(fr, field, ToEigen(sample.qa), sample.branch_a),
              MakeFeatureNode(fr, field, ToEigen(sample.qb), sample.branch_b));
        },
        [&] { return progress.cancelled(); });
  }
  if (progress.cancelled()) return;
  data.feature_schema = kFeatureSchemaVersion;
}

LabelSpread MeasureLabelSpread(const Dataset& data, const std::vector<cell::Cell>& cells,
                               const LabelSpreadOptions& options,
                               const std::filesystem::path& file) {
  WELDCELL_CHECK(options.replans >= 1);
  LabelSpread out{.plans = options.replans + 1};
  std::vector<CellRows> matched = MatchCells(data, cells, file);
  matched.erase(matched.begin(), matched.begin() + std::clamp<std::ptrdiff_t>(options.first_cell, 0,
                                                                              std::ssize(matched)));
  std::int64_t total = 0, done = 0;
  for (const CellRows& m : matched) total += static_cast<std::int64_t>(m.rows.size());
  std::mutex progress_mutex;
  double deviation = 0, sum = 0, replan_deviation = 0, replan_sum = 0;
  for (const CellRows& m : matched) {
    if (m.rows.empty()) continue;
    const cell::Cell& c = *m.cell;
    const collision::CollisionWorld world(c);
    std::vector<motion::JointLimits> limits;
    limits.reserve(c.robots.size());
    for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
      limits.push_back(FeatureRobot::FromCell(c, r).limits);
    }
    const int threads = ResolveThreadCount(options.threads);
    LabelPlanners planners(world, threads, c.robots.size());
    // The new plans' durations by move and plan (NaN: no path), stored by index: the same for
    // any thread count.
    std::vector<std::vector<double>> replanned(m.rows.size());
    ParallelFor(
        static_cast<int>(m.rows.size()), threads,
        [&](int k, int worker) {
          const int row = m.rows[static_cast<std::size_t>(k)];
          const Sample& sample = data.samples[static_cast<std::size_t>(row)];
          const int r = m.robot_of[static_cast<std::size_t>(k)];
          std::vector<double>& durations = replanned[static_cast<std::size_t>(k)];
          // Cancelled between plans: a move's N plans take up to N times the planning limit.
          for (int s = 1; s <= options.replans && !options.progress.cancelled(); ++s) {
            const std::uint64_t seed =
                SplitMix64(options.seed ^ SplitMix64((static_cast<std::uint64_t>(row) << 16) +
                                                     static_cast<std::uint64_t>(s)));
            const motion::TravelMove move = PlanLabel(
                planners.At(worker, r), c, limits[static_cast<std::size_t>(r)], ToEigen(sample.qa),
                ToEigen(sample.qb), seed, data.blend_tolerance, c.name);
            durations.push_back(move.path.solved() ? LabelSeconds(move.profile.duration())
                                                   : std::numeric_limits<double>::quiet_NaN());
          }
          const std::lock_guard<std::mutex> lock(progress_mutex);
          options.progress.Report(kLabelSpreadStage, ++done, std::max<std::int64_t>(total, 1));
        },
        [&] { return options.progress.cancelled(); });
    if (options.progress.cancelled()) {
      out.cancelled = true;
      break;
    }
    for (std::size_t k = 0; k < m.rows.size(); ++k) {
      std::vector<double> plans{data.samples[static_cast<std::size_t>(m.rows[k])].duration};
      plans.insert(plans.end(), replanned[k].begin(), replanned[k].end());
      if (std::any_of(plans.begin(), plans.end(), [](double x) { return std::isnan(x); })) {
        ++out.unsolved;
        continue;
      }
      ++out.moves;
      double mean = 0;
      for (double x : plans) mean += x / static_cast<double>(plans.size());
      for (std::size_t p = 0; p < plans.size(); ++p) {
        deviation += std::abs(plans[p] - mean);
        sum += plans[p];
        if (p > 0) {
          replan_deviation += std::abs(plans[p] - plans[0]);
          replan_sum += plans[0];
        }
      }
    }
  }
  // A mean of n plans sits closer to its own plans than the move's true mean: scaled by
  // √(n / (n − 1)), exact for normally spread durations.
  const double n = out.plans;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.floor_pct = sum > 0 ? 100.0 * deviation / sum * std::sqrt(n / (n - 1.0)) : nan;
  out.replan_pct = replan_sum > 0 ? 100.0 * replan_deviation / replan_sum : nan;
  return out;
}

}  // namespace weldcell::learned
