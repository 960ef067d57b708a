#include "planner/coordination/route_starts.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <tuple>

#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"
#include "planner/coordination/directions.hpp"

namespace weldcell::coordination {
namespace {

bool Same(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return a.size() == b.size() && (a - b).cwiseAbs().maxCoeff() <= 1e-9;
}

// One robot's pieces in a chosen arrangement: their durations, and per extended piece of the
// trajectory as it is (0 = standing at home at the start, k + 1 = piece k, pieces + 1 =
// standing at home at the end) the extended pieces of the arrangement that stand for it: itself
// where it is kept, and every new travel move it is assumed to touch like.
struct Arranged {
  std::vector<double> durations;
  std::vector<std::vector<int>> images;
};

Arranged Arrange(
    const RouteBlocks& blocks, const std::vector<double>& durations, const RouteStart& choice,
    const Eigen::VectorXd& home,
    const std::function<double(const Eigen::VectorXd&, const Eigen::VectorXd&)>& estimate) {
  const int n = static_cast<int>(blocks.own.size());
  Arranged out;
  out.images.resize(static_cast<std::size_t>(blocks.pieces) + 2);
  auto keep_piece = [&](int p) {
    if (p < 0) return;
    out.durations.push_back(durations[static_cast<std::size_t>(p)]);
    out.images[static_cast<std::size_t>(p) + 1].push_back(static_cast<int>(out.durations.size()));
  };
  // A new travel move between blocks `from` and `to` (-1: home).
  auto new_travel = [&](int from, int to) {
    const Eigen::VectorXd& a = from < 0 ? home : blocks.at[static_cast<std::size_t>(from)];
    const Eigen::VectorXd& b = to < 0 ? home : blocks.at[static_cast<std::size_t>(to)];
    out.durations.push_back(estimate(a, b));
    const int self = static_cast<int>(out.durations.size());
    for (const int end : {from, to}) {
      if (end < 0) {
        out.images.front().push_back(self);
        continue;
      }
      for (const int p : blocks.own[static_cast<std::size_t>(end)]) {
        out.images[static_cast<std::size_t>(p) + 1].push_back(self);
      }
    }
  };
  // The travel piece between two blocks consecutive in the route as it is (either way), or a
  // new one.
  auto travel = [&](int from, int to) {
    if (from < 0 && to == 0) return keep_piece(blocks.travel_in.front());
    if (from < 0 && to == n - 1) return keep_piece(blocks.travel_home);  // run backwards
    if (to < 0 && from == n - 1) return keep_piece(blocks.travel_home);
    if (to < 0 && from == 0) return keep_piece(blocks.travel_in.front());  // run backwards
    if (from >= 0 && to == from + 1) return keep_piece(blocks.travel_in[static_cast<size_t>(to)]);
    if (to >= 0 && from == to + 1) return keep_piece(blocks.travel_in[static_cast<size_t>(from)]);
    new_travel(from, to);
  };
  // A route only run backwards runs its motion backwards, each weld's pieces too; any other is
  // planned anew, each weld's pieces forwards.
  const bool backwards = OnlyReversed(choice, n);
  int previous = -1;
  for (const int b : BlockOrder(choice, n)) {
    travel(previous, b);
    const std::vector<int>& own = blocks.own[static_cast<std::size_t>(b)];
    if (backwards) {
      std::for_each(own.rbegin(), own.rend(), keep_piece);
    } else {
      std::for_each(own.begin(), own.end(), keep_piece);
    }
    previous = b;
  }
  travel(previous, -1);
  out.images.back().push_back(static_cast<int>(out.durations.size()) + 1);
  out.images.front().push_back(0);
  return out;
}

double Total(const std::vector<double>& durations) {
  double t = 0.0;
  for (const double d : durations) t += d;
  return t;
}

// The touching pairs of two arranged robots, from those of the routes as they are.
std::vector<std::pair<int, int>> Touching(const TouchingPieces& t, const Arranged& a,
                                          const Arranged& b) {
  std::vector<std::pair<int, int>> out;
  for (const auto& [i, j] : t.pieces) {
    for (const int x : a.images[static_cast<std::size_t>(i)]) {
      for (const int y : b.images[static_cast<std::size_t>(j)]) out.emplace_back(x, y);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// (largest bound, sum of bounds, routes changed): smaller is better.
using Score = std::tuple<double, double, int>;

}  // namespace

std::vector<int> BlockOrder(const RouteStart& route, int blocks) {
  WELDCELL_CHECK(route.start >= 0 && route.start < blocks);
  WELDCELL_CHECK(route.flip_first >= 0 && route.flip_first <= route.flip_last &&
                 route.flip_last < blocks);
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(blocks));
  for (int k = 0; k < blocks; ++k) {
    out.push_back(route.reverse ? (route.start - k + blocks) % blocks : (route.start + k) % blocks);
  }
  std::reverse(out.begin() + route.flip_first, out.begin() + route.flip_last + 1);
  return out;
}

bool OnlyReversed(const RouteStart& route, int blocks) {
  if (route == RouteStart{}) return false;
  const std::vector<int> order = BlockOrder(route, blocks);
  for (int k = 0; k < blocks; ++k) {
    if (order[static_cast<std::size_t>(k)] != blocks - 1 - k) return false;
  }
  return true;
}

bool SameOrder(const RouteStart& a, const RouteStart& b, int blocks) {
  return a == b || BlockOrder(a, blocks) == BlockOrder(b, blocks);
}

RouteBlocks BlocksOf(const motion::RobotTrajectory& trajectory, int min_blocks) {
  RouteBlocks out;
  std::string current;  // the weld whose pieces come now ("" before the first)
  int piece = 0;
  bool home_reached = false;
  for (const motion::TrajectorySegment& s : trajectory.segments()) {
    if (s.kind == motion::SegmentKind::kWait) continue;
    if (home_reached) return {};  // pieces after the way home
    if (s.from != s.to) {         // a travel move
      if (s.kind != motion::SegmentKind::kMotion || s.from != (current.empty() ? "home" : current))
        return {};
      if (s.to == "home") {
        out.travel_home = piece;
        home_reached = true;
      } else {
        out.travel_in.push_back(piece);
        out.own.emplace_back();
        out.at.push_back(s.profile.end());
        out.labels.push_back(s.to);
        current = s.to;
      }
    } else {
      if (s.from == "home") return {};
      if (s.from != current) {  // reached without a travel piece
        if (!out.at.empty() && !Same(out.at.back(), s.profile.start())) return {};
        out.travel_in.push_back(-1);
        out.own.emplace_back();
        out.at.push_back(s.profile.start());
        out.labels.push_back(s.from);
        current = s.from;
      }
      out.own.back().push_back(piece);
    }
    ++piece;
  }
  out.pieces = piece;
  const int n = static_cast<int>(out.own.size());
  if (n < std::max(min_blocks, 1) || !Same(trajectory.end(), trajectory.start())) return {};
  // Each block's own pieces start and end at its approach pose: a travel move may leave it
  // from there in any order.
  std::vector<const motion::TrajectorySegment*> pieces;
  for (const motion::TrajectorySegment& s : trajectory.segments()) {
    if (s.kind != motion::SegmentKind::kWait) pieces.push_back(&s);
  }
  for (int b = 0; b < n; ++b) {
    const std::vector<int>& own = out.own[static_cast<std::size_t>(b)];
    if (own.empty()) return {};
    const Eigen::VectorXd& at = out.at[static_cast<std::size_t>(b)];
    if (!Same(pieces[static_cast<std::size_t>(own.front())]->profile.start(), at) ||
        !Same(pieces[static_cast<std::size_t>(own.back())]->profile.end(), at)) {
      return {};
    }
  }
  out.valid = true;
  return out;
}

namespace {

// The robots' routes in chosen arrangements, with the pair bounds they give.
class Scorer {
 public:
  Scorer(const std::vector<motion::RobotTrajectory>& trajectories,
         const std::vector<TouchingPieces>& touching, const std::vector<char>& keep,
         const TravelEstimate& estimate, double step)
      : trajectories_(trajectories), touching_(touching), estimate_(estimate), step_(step) {
    const std::size_t robots = trajectories.size();
    WELDCELL_CHECK(keep.empty() || keep.size() == robots);
    for (std::size_t r = 0; r < robots; ++r) {
      blocks_.push_back(BlocksOf(trajectories[r]));
      durations_.push_back(PieceDurations(trajectories[r]));
      may_change_.push_back(static_cast<char>(blocks_.back().valid && (keep.empty() || !keep[r])));
    }
    choices_.assign(robots, RouteStart{});
    for (std::size_t r = 0; r < robots; ++r) arranged_.push_back(Arrange(static_cast<int>(r)));
    for (std::size_t k = 0; k < touching.size(); ++k) bounds_.push_back(BoundOf(k));
  }

  int Robots() const { return static_cast<int>(trajectories_.size()); }
  bool MayChange(int r) const { return may_change_[static_cast<std::size_t>(r)] != 0; }
  int Blocks(int r) const {
    return static_cast<int>(blocks_[static_cast<std::size_t>(r)].own.size());
  }
  const std::vector<std::vector<double>>& Durations() const { return durations_; }
  const std::vector<RouteStart>& Choices() const { return choices_; }

  // Robot r arranged as `choice`, the pair bounds updated.
  void Set(int r, const RouteStart& choice) {
    choices_[static_cast<std::size_t>(r)] = choice;
    arranged_[static_cast<std::size_t>(r)] = Arrange(r);
    for (std::size_t k = 0; k < touching_.size(); ++k) {
      if (touching_[k].a == r || touching_[k].b == r) bounds_[k] = BoundOf(k);
    }
  }

  // (largest bound (at least the longest robot), sum of bounds, routes changed).
  Score Current() const {
    double worst = 0.0, sum = 0.0;
    for (const Arranged& a : arranged_) worst = std::max(worst, Total(a.durations));
    for (const double b : bounds_) {
      worst = std::max(worst, b);
      sum += b;
    }
    int changed = 0;
    for (const RouteStart& c : choices_) changed += c != RouteStart{};
    return Score{worst, sum, changed};
  }

  // Robot r's arrangements with the others as they are, best first, with their scores: every
  // start and direction, and with `flips`, when r is critical, also every segment of its route
  // as it is reversed (each visiting order once, not the present one: Distinct), scored on a grid
  // kCoarse times coarser; the kShortlist best of them scored again on the grid (on `threads`
  // workers, each trial on its own), equal scores in the order tried. Nothing changes.
  std::vector<std::pair<RouteStart, Score>> RankedFor(int r, int threads, bool flips) const {
    const RouteStart held = choices_[static_cast<std::size_t>(r)];
    std::vector<RouteStart> trials;
    for (const bool reverse : {false, true}) {
      for (int start = 0; start < Blocks(r); ++start) {
        trials.push_back({.reverse = reverse, .start = start});
      }
    }
    if (flips && held.flip_first == held.flip_last && Critical(r)) {
      const int n = Blocks(r);
      for (int first = 0; first < n; ++first) {
        for (int last = first + 1; last < n; ++last) {
          if (first == 0 && last == n - 1) continue;  // the route reversed: a start
          RouteStart trial = held;
          trial.flip_first = first;
          trial.flip_last = last;
          trials.push_back(trial);
        }
      }
    }
    trials = Shortlist(r, Distinct(r, trials), threads);
    const std::vector<Score> scores = ScoresOf(r, trials, step_, threads);
    std::vector<std::pair<RouteStart, Score>> out;
    out.reserve(trials.size());
    for (std::size_t i = 0; i < trials.size(); ++i) out.emplace_back(trials[i], scores[i]);
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& x, const auto& y) { return x.second < y.second; });
    return out;
  }

  // The first of RankedFor when it scores better than the arrangement as it is, else that.
  std::pair<RouteStart, Score> BestFor(int r, int threads, bool flips) const {
    std::pair<RouteStart, Score> best{choices_[static_cast<std::size_t>(r)], Current()};
    const auto ranked = RankedFor(r, threads, flips);
    if (!ranked.empty() && ranked.front().second < best.second) best = ranked.front();
    return best;
  }

  // Whether robot r is in a pair whose bound is the largest, or is itself the longest robot
  // there: only then can changing its route lower the score's first term.
  bool Critical(int r) const {
    const double worst = std::get<0>(Current());
    if (Total(arranged_[static_cast<std::size_t>(r)].durations) >= worst - 1e-9) return true;
    for (std::size_t k = 0; k < touching_.size(); ++k) {
      const bool mine = touching_[k].a == r || touching_[k].b == r;
      if (mine && bounds_[k] >= worst - 1e-9) return true;
    }
    return false;
  }

 private:
  static constexpr double kCoarse = 3.0;
  static constexpr std::size_t kShortlist = 6;

  std::vector<Score> ScoresOf(int r, const std::vector<RouteStart>& trials, double step,
                              int threads) const {
    std::vector<Score> scores(trials.size());
    ParallelFor(static_cast<int>(trials.size()), threads, [&](int i, int) {
      scores[static_cast<std::size_t>(i)] = ScoreWith(r, trials[static_cast<std::size_t>(i)], step);
    });
    return scores;
  }

  // Robot r's `trials` less those that visit its blocks in the order of an earlier one or of its
  // arrangement as it is: the same plan under another name (SameOrder: flipping positions
  // 1 … n − 1 visits them as starting backwards from block 0 does, 0 … n − 2 as backwards from
  // n − 2; two blocks started at the second as run backwards from it).
  std::vector<RouteStart> Distinct(int r, const std::vector<RouteStart>& trials) const {
    const int n = Blocks(r);
    std::set<std::vector<int>> seen = {BlockOrder(choices_[static_cast<std::size_t>(r)], n)};
    std::vector<RouteStart> out;
    for (const RouteStart& t : trials) {
      if (seen.insert(BlockOrder(t, n)).second) out.push_back(t);
    }
    return out;
  }

  // The kShortlist best of robot r's `trials` scored on the coarse grid, in the order given.
  std::vector<RouteStart> Shortlist(int r, const std::vector<RouteStart>& trials,
                                    int threads) const {
    if (trials.size() <= kShortlist) return trials;
    const std::vector<Score> coarse = ScoresOf(r, trials, kCoarse * step_, threads);
    std::vector<std::size_t> order(trials.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return coarse[x] < coarse[y]; });
    order.resize(kShortlist);
    std::sort(order.begin(), order.end());
    std::vector<RouteStart> out;
    out.reserve(order.size());
    for (const std::size_t i : order) out.push_back(trials[i]);
    return out;
  }

  Arranged Arrange(int r) const { return ArrangeAs(r, choices_[static_cast<std::size_t>(r)]); }
  Arranged ArrangeAs(int r, const RouteStart& choice) const {
    const RouteBlocks& b = blocks_[static_cast<std::size_t>(r)];
    const std::vector<double>& d = durations_[static_cast<std::size_t>(r)];
    if (!b.valid) {
      Arranged a{.durations = d, .images = {}};
      for (int e = 0; e < static_cast<int>(d.size()) + 2; ++e) a.images.push_back({e});
      return a;
    }
    return coordination::Arrange(
        b, d, choice, trajectories_[static_cast<std::size_t>(r)].start(),
        [&](const Eigen::VectorXd& x, const Eigen::VectorXd& y) { return estimate_(r, x, y); });
  }
  // Current() with robot r arranged as `choice`, computed as Set(r, choice) would leave it (the
  // same sums in the same order), without changing anything.
  Score ScoreWith(int r, const RouteStart& choice, double step) const {
    const Arranged mine = ArrangeAs(r, choice);
    auto of = [&](int q) -> const Arranged& {
      return q == r ? mine : arranged_[static_cast<std::size_t>(q)];
    };
    double worst = 0.0, sum = 0.0;
    for (int q = 0; q < Robots(); ++q) worst = std::max(worst, Total(of(q).durations));
    for (std::size_t k = 0; k < touching_.size(); ++k) {
      const TouchingPieces& t = touching_[k];
      const double b = t.a == r || t.b == r ? BoundOf(t, of(t.a), of(t.b), step) : bounds_[k];
      worst = std::max(worst, b);
      sum += b;
    }
    int changed = 0;
    for (int q = 0; q < Robots(); ++q) {
      changed += (q == r ? choice : choices_[static_cast<std::size_t>(q)]) != RouteStart{};
    }
    return Score{worst, sum, changed};
  }
  double BoundOf(std::size_t k) const {
    const TouchingPieces& t = touching_[k];
    return BoundOf(t, arranged_[static_cast<std::size_t>(t.a)],
                   arranged_[static_cast<std::size_t>(t.b)], step_);
  }
  double BoundOf(const TouchingPieces& t, const Arranged& a, const Arranged& b, double step) const {
    return PairDiagramBound(a.durations, b.durations, Touching(t, a, b), false, step);
  }

  const std::vector<motion::RobotTrajectory>& trajectories_;
  const std::vector<TouchingPieces>& touching_;
  const TravelEstimate& estimate_;
  double step_;
  std::vector<RouteBlocks> blocks_;
  std::vector<std::vector<double>> durations_;
  std::vector<char> may_change_;
  std::vector<RouteStart> choices_;
  std::vector<Arranged> arranged_;
  std::vector<double> bounds_;
};

}  // namespace

RouteStarts ChooseRouteStarts(const std::vector<motion::RobotTrajectory>& trajectories,
                              const std::vector<TouchingPieces>& touching,
                              const std::vector<char>& keep, const TravelEstimate& estimate,
                              const RouteStartOptions& options) {
  constexpr int kPasses = 4;
  Scorer scorer(trajectories, touching, keep, estimate, options.step);
  RouteStarts out;
  out.bound_before = std::get<0>(scorer.Current());
  out.routes.assign(static_cast<std::size_t>(scorer.Robots()), RouteStart{});
  out.bound_after = out.bound_before;
  // The directions first: every combination is cheap to score there.
  std::vector<char> keep_forward(static_cast<std::size_t>(scorer.Robots()), 0);
  int movable = 0;
  for (int r = 0; r < scorer.Robots(); ++r) {
    keep_forward[static_cast<std::size_t>(r)] = static_cast<char>(!scorer.MayChange(r));
    movable += static_cast<int>(scorer.MayChange(r));
  }
  const RouteDirections directions =
      ChooseRouteDirections(scorer.Durations(), touching, keep_forward, options.step);
  for (int r = 0; r < scorer.Robots(); ++r) {
    if (directions.reverse[static_cast<std::size_t>(r)]) {
      scorer.Set(r, {.reverse = true, .start = scorer.Blocks(r) - 1});
    }
  }
  const std::int64_t total = std::max(1, kPasses * movable);
  std::int64_t scored = 0;
  options.progress.Report(kRouteStartStage, 0, total);
  for (int pass = 0; pass < kPasses; ++pass) {
    bool better = false;
    for (int r = 0; r < scorer.Robots(); ++r) {
      if (!scorer.MayChange(r)) continue;
      const auto [choice, score] = scorer.BestFor(r, options.threads, false);
      if (options.progress.cancelled()) return out;
      options.progress.Report(kRouteStartStage, ++scored, total);
      if (choice == scorer.Choices()[static_cast<std::size_t>(r)]) continue;
      scorer.Set(r, choice);
      better = true;
    }
    if (!better) break;
  }
  options.progress.Report(kRouteStartStage, total, total);
  out.routes = scorer.Choices();
  out.bound_after = std::get<0>(scorer.Current());
  return out;
}

std::vector<SingleRouteStart> RankRouteStarts(
    const std::vector<motion::RobotTrajectory>& trajectories,
    const std::vector<TouchingPieces>& touching, const std::vector<char>& keep,
    const TravelEstimate& estimate, const RouteStartOptions& options) {
  WELDCELL_CHECK(options.per_robot >= 1);
  Scorer scorer(trajectories, touching, keep, estimate, options.step);
  const Score now = scorer.Current();
  int movable = 0;
  for (int r = 0; r < scorer.Robots(); ++r) movable += static_cast<int>(scorer.MayChange(r));
  const std::int64_t total = std::max(1, movable);
  std::int64_t scored = 0;
  options.progress.Report(kRouteStartStage, 0, total);
  // (the arrangement's rank among its robot's, its score): every robot's best first.
  std::vector<std::pair<std::pair<int, Score>, SingleRouteStart>> ranked;
  for (int r = 0; r < scorer.Robots(); ++r) {
    if (!scorer.MayChange(r)) continue;
    const auto trials = scorer.RankedFor(r, options.threads, options.flips);
    if (options.progress.cancelled()) return {};
    options.progress.Report(kRouteStartStage, ++scored, total);
    int rank = 0;
    for (const auto& [choice, score] : trials) {
      if (!(score < now) || rank == options.per_robot) break;
      ranked.push_back({{rank++, score},
                        {.robot = r,
                         .route = choice,
                         .bound_before = std::get<0>(now),
                         .bound_after = std::get<0>(score)}});
    }
  }
  options.progress.Report(kRouteStartStage, total, total);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<SingleRouteStart> out;
  out.reserve(ranked.size());
  for (auto& [score, single] : ranked) out.push_back(single);
  return out;
}

}  // namespace weldcell::coordination
