#include "planner/verify/robustness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"
#include "planner/common/random.hpp"
#include "planner/verify/concurrency.hpp"

namespace weldcell::verify {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Sec(double t) {
  return std::abs(t) < 1e6 ? fmt::format("{:.6f}", t) : fmt::format("{:.6g}", t);
}

bool IsActive(const plan::Segment& s) { return s.kind != plan::SegmentKind::kWait; }

double Duration(const plan::Segment& s) { return s.times.back() - s.times.front(); }

// ---------------------------------------------------------------------------------------------
// The events of a plan, indexed for the simulation.

struct Gate {  // what happens at the standstill where a segment starts (and when it ends)
  std::vector<std::pair<int, int>> acquire;  // (zone, position in the zone's order)
  std::vector<std::pair<int, int>> release;  // released when this segment ends
  std::vector<std::pair<int, int>> depart;   // released when the robot starts this segment
  std::vector<std::string> signals;          // weld ids waited for
};

struct ZoneOrder {
  std::string id;
  std::vector<int> robots;  // the well-formed uses, in order
};

struct EventModel {
  std::vector<std::vector<int>> active;  // per robot: its motion and weld segments
  std::vector<std::vector<Gate>> gates;  // per robot, per segment index 0..segments.size()
  std::vector<ZoneOrder> zones;
  std::map<std::string, int> weld_segments;   // weld id → number of weld segments at it
  std::map<std::string, std::string> welder;  // weld id → the (first) robot welding it
};

int RobotIndex(const plan::Plan& plan, const std::string& name) {
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    if (plan.robots[p].robot == name) return static_cast<int>(p);
  }
  return -1;
}

// Segment k of robot p can be acquired at, or released after (a motion or weld segment; the end of
// the timeline where allowed).
bool ValidAt(const plan::RobotPlan& r, int k, bool end_allowed) {
  const int n = static_cast<int>(r.segments.size());
  if (k == n) return end_allowed;
  return k >= 0 && k < n && IsActive(r.segments[k]);
}

void AddZone(const plan::Plan& plan, const plan::Zone& zone, EventModel* m) {
  ZoneOrder order{.id = zone.id, .robots = {}};
  const int z = static_cast<int>(m->zones.size());
  for (const plan::ZoneUse& u : zone.uses) {
    const int p = RobotIndex(plan, u.robot);
    if (p < 0 || !ValidAt(plan.robots[p], u.acquire_segment, false) ||
        !ValidAt(plan.robots[p], u.release_segment - 1, false) ||
        u.release_segment <= u.acquire_segment) {
      continue;  // malformed: CheckZones reports it
    }
    const int position = static_cast<int>(order.robots.size());
    order.robots.push_back(p);
    m->gates[p][u.acquire_segment].acquire.emplace_back(z, position);
    if (u.release_on_departure) {
      // The next motion or weld segment after the zone's last (or the end of the timeline).
      const plan::RobotPlan& r = plan.robots[p];
      int next = u.release_segment;
      while (next < static_cast<int>(r.segments.size()) && !IsActive(r.segments[next])) ++next;
      m->gates[p][next].depart.emplace_back(z, position);
    } else {
      m->gates[p][u.release_segment - 1].release.emplace_back(z, position);
    }
  }
  m->zones.push_back(std::move(order));
}

EventModel BuildModel(const plan::Plan& plan) {
  EventModel m;
  for (const plan::RobotPlan& r : plan.robots) {
    std::vector<int> active;
    for (std::size_t k = 0; k < r.segments.size(); ++k) {
      const plan::Segment& s = r.segments[k];
      if (!IsActive(s)) continue;
      active.push_back(static_cast<int>(k));
      if (s.kind == plan::SegmentKind::kWeld) {
        ++m.weld_segments[s.from];
        m.welder.emplace(s.from, r.robot);
      }
    }
    m.active.push_back(std::move(active));
    m.gates.emplace_back(r.segments.size() + 1);
  }
  for (const plan::Zone& z : plan.zones) AddZone(plan, z, &m);
  for (const plan::WeldSignal& w : plan.weld_signals) {
    const int p = RobotIndex(plan, w.robot);
    if (p >= 0 && ValidAt(plan.robots[p], w.segment, false)) {
      m.gates[p][w.segment].signals.push_back(w.weld);
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// The simulation.

struct Welded {
  int remaining = 0;  // weld segments at the weld not yet ended
  double end = 0.0;   // the latest end so far
};

class Simulation {
 public:
  Simulation(const plan::Plan& plan, const EventModel& model, const DurationFactors& factors)
      : plan_(plan), model_(model), factors_(factors) {
    const std::size_t n = plan.robots.size();
    next_.assign(n, 0);
    clock_.assign(n, 0.0);
    done_.assign(n, false);
    for (const ZoneOrder& z : model.zones) released_.emplace_back(z.robots.size());
    for (const auto& [weld, count] : model.weld_segments) welded_[weld] = {count, 0.0};
    run_.segments.resize(n);
    run_.finish.assign(n, 0.0);
  }

  EventRun Run() {
    for (bool progress = true; progress;) {
      progress = false;
      for (std::size_t p = 0; p < plan_.robots.size(); ++p) {
        while (Step(static_cast<int>(p))) progress = true;
      }
    }
    for (std::size_t p = 0; p < plan_.robots.size(); ++p) {
      if (!done_[p]) run_.blocked.push_back(Blocked(static_cast<int>(p)));
    }
    return std::move(run_);
  }

 private:
  int SegmentAt(int p) const {  // the segment robot p stands before (size(): the end)
    const std::vector<int>& active = model_.active[p];
    return next_[p] < active.size() ? active[next_[p]]
                                    : static_cast<int>(plan_.robots[p].segments.size());
  }

  // The earliest time robot p may leave its standstill, or nullopt while an event is missing.
  std::optional<double> Ready(int p, const Gate& gate) const {
    double t = clock_[p];
    for (const auto& [z, position] : gate.acquire) {
      for (int before = 0; before < position; ++before) {
        if (!released_[z][before]) return std::nullopt;
        t = std::max(t, *released_[z][before]);
      }
    }
    for (const std::string& weld : gate.signals) {
      auto w = welded_.find(weld);
      if (w == welded_.end() || w->second.remaining > 0) return std::nullopt;
      t = std::max(t, w->second.end);
    }
    return t;
  }

  bool Step(int p) {
    if (done_[p]) return false;
    const int k = SegmentAt(p);
    const Gate& gate = model_.gates[p][k];
    const std::optional<double> start = Ready(p, gate);
    if (!start) return false;
    for (const auto& [z, position] : gate.depart) released_[z][position] = *start;
    const plan::RobotPlan& r = plan_.robots[p];
    if (k == static_cast<int>(r.segments.size())) {
      done_[p] = true;
      run_.finish[p] = *start;
      return false;
    }
    const double factor = factors_.empty() ? 1.0 : factors_[p][k];
    const double end = *start + Duration(r.segments[k]) * factor;
    run_.segments[p].push_back({.segment = k, .start = *start, .end = end, .factor = factor});
    for (const auto& [z, position] : gate.release) released_[z][position] = end;
    if (r.segments[k].kind == plan::SegmentKind::kWeld) {
      Welded& w = welded_[r.segments[k].from];
      --w.remaining;
      w.end = std::max(w.end, end);
    }
    clock_[p] = end;
    ++next_[p];
    return true;
  }

  BlockedRobot Blocked(int p) const {
    BlockedRobot b{.robot = p, .segment = SegmentAt(p), .since = clock_[p], .waits_for = {}};
    const Gate& gate = model_.gates[p][b.segment];
    for (const auto& [z, position] : gate.acquire) {
      for (int before = 0; before < position; ++before) {
        if (released_[z][before]) continue;
        b.waits_for.push_back(fmt::format("zone {} (not yet released by {})", model_.zones[z].id,
                                          plan_.robots[model_.zones[z].robots[before]].robot));
        break;
      }
    }
    for (const std::string& weld : gate.signals) {
      auto w = welded_.find(weld);
      if (w == welded_.end()) {
        b.waits_for.push_back(fmt::format("weld signal {} (no robot welds it)", weld));
      } else if (w->second.remaining > 0) {
        b.waits_for.push_back(
            fmt::format("weld signal {} (not yet welded by {})", weld, model_.welder.at(weld)));
      }
    }
    return b;
  }

  const plan::Plan& plan_;
  const EventModel& model_;
  const DurationFactors& factors_;
  std::vector<std::size_t> next_;
  std::vector<double> clock_;
  std::vector<bool> done_;
  std::vector<std::vector<std::optional<double>>> released_;  // per zone, per position
  std::map<std::string, Welded> welded_;
  EventRun run_;
};

}  // namespace

EventRun SimulateEvents(const plan::Plan& plan, const DurationFactors& factors) {
  WELDCELL_CHECK(factors.empty() || factors.size() == plan.robots.size());
  const EventModel model = BuildModel(plan);
  return Simulation(plan, model, factors).Run();
}

DurationFactors DrawFactors(const plan::Plan& plan, std::uint64_t seed, int run, double spread) {
  DurationFactors f(plan.robots.size());
  const std::uint64_t run_seed = SplitMix64(seed ^ SplitMix64(static_cast<std::uint64_t>(run)));
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    const std::uint64_t robot_seed = SplitMix64(run_seed ^ SplitMix64(p));
    for (std::size_t k = 0; k < plan.robots[p].segments.size(); ++k) {
      const double u =
          static_cast<double>(SplitMix64(robot_seed ^ SplitMix64(k)) >> 11) * 0x1.0p-53;
      f[p].push_back(1.0 - spread + 2.0 * spread * u);
    }
  }
  return f;
}

namespace internal {
namespace {

// ---------------------------------------------------------------------------------------------
// Nominal check and deadlock.

std::string SegmentName(const plan::RobotPlan& r, int k) {
  if (k == static_cast<int>(r.segments.size())) return fmt::format("the end (segment {})", k);
  const plan::Segment& s = r.segments[k];
  return fmt::format("{} segment {} ({} → {})",
                     s.kind == plan::SegmentKind::kWeld ? "weld" : "motion", k, s.from, s.to);
}

void AddDeadlock(const plan::Plan& plan, const EventRun& run, std::vector<Violation>* out) {
  for (const BlockedRobot& b : run.blocked) {
    const plan::RobotPlan& r = plan.robots[b.robot];
    std::string waits;
    for (const std::string& w : b.waits_for) waits += (waits.empty() ? "" : ", ") + w;
    out->push_back({.kind = ViolationKind::kDeadlock,
                    .time = b.since,
                    .robot = r.robot,
                    .message = fmt::format("{} waits forever at the start of {} (from {} s) for {}",
                                           r.robot, SegmentName(r, b.segment), Sec(b.since),
                                           waits.empty() ? "nothing it can name" : waits)});
  }
}

// With the planned durations the events must give the planned clock: otherwise the plan's waits
// are not what its zones and signals produce, and its safety rests on exact timing.
void AddNominalMismatch(const plan::Plan& plan, const EventRun& run, std::vector<Violation>* out) {
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    const plan::RobotPlan& r = plan.robots[p];
    const RetimedSegment* first = nullptr;
    int differ = 0;
    for (const RetimedSegment& s : run.segments[p]) {
      if (std::abs(s.start - r.segments[s.segment].times.front()) <= 1e-6) continue;
      if (differ++ == 0) first = &s;
    }
    if (first == nullptr) continue;
    const double planned = r.segments[first->segment].times.front();
    out->push_back({.kind = ViolationKind::kTiming,
                    .time = std::min(planned, first->start),
                    .robot = r.robot,
                    .message = fmt::format(
                        "{} starts at {} s on the planned clock but at {} s when the zones "
                        "and weld signals run as events ({} segment(s) differ): the "
                        "plan's waits are not what its events produce",
                        SegmentName(r, first->segment), Sec(planned), Sec(first->start), differ)});
  }
}

// ---------------------------------------------------------------------------------------------
// Bounding volumes of the pieces of a robot's timeline, for the sweep prefilter.

struct Sphere {
  Eigen::Vector3d center = Eigen::Vector3d::Zero();
  double radius = 0.0;
};

Sphere BoundingSphere(const cell::Geometry& g) {
  const cell::Shape& s = g.shape;
  Sphere local;
  switch (s.kind) {
    case cell::ShapeKind::kBox:
      local.radius = 0.5 * s.box_size.norm();
      break;
    case cell::ShapeKind::kCylinder:
      local.radius = std::hypot(s.radius, 0.5 * s.length);
      break;
    case cell::ShapeKind::kSphere:
      local.radius = s.radius;
      break;
    case cell::ShapeKind::kMesh: {
      Eigen::Vector3d lo = Eigen::Vector3d::Constant(kInf), hi = -lo;
      for (const Eigen::Vector3d& v : s.mesh->vertices) {
        lo = lo.cwiseMin(v);
        hi = hi.cwiseMax(v);
      }
      local.center = 0.5 * (lo + hi);
      for (const Eigen::Vector3d& v : s.mesh->vertices) {
        local.radius = std::max(local.radius, (v - local.center).norm());
      }
      break;
    }
  }
  return {.center = g.X_FG * local.center, .radius = local.radius};
}

struct Aabb {
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(kInf);
  Eigen::Vector3d hi = Eigen::Vector3d::Constant(-kInf);
  void Add(const Eigen::Vector3d& c, double r) {
    lo = lo.cwiseMin((c.array() - r).matrix());
    hi = hi.cwiseMax((c.array() + r).matrix());
  }
  void Add(const Aabb& o) {
    lo = lo.cwiseMin(o.lo);
    hi = hi.cwiseMax(o.hi);
  }
  void Grow(double d) {
    lo.array() -= d;
    hi.array() += d;
  }
  bool Overlaps(const Aabb& o) const {
    return (lo.array() <= o.hi.array()).all() && (o.lo.array() <= hi.array()).all();
  }
};

struct PieceBounds {
  Aabb all;
  std::vector<Aabb> bodies;  // links, then the gun
};

// Bounding spheres of a robot's bodies in their link frames (links, then the gun on the flange).
struct RobotBodies {
  std::vector<std::vector<Sphere>> spheres;

  explicit RobotBodies(const cell::Robot& robot) {
    for (const cell::Link& link : robot.model->links) spheres.push_back(Local(link.collision));
    spheres.push_back(Local(robot.tool.collision));
  }
  static std::vector<Sphere> Local(const std::vector<cell::Geometry>& geometry) {
    std::vector<Sphere> out;
    out.reserve(geometry.size());
    for (const cell::Geometry& g : geometry) out.push_back(BoundingSphere(g));
    return out;
  }
};

class BoundsMaker {
 public:
  BoundsMaker(const cell::Robot& robot, const kinematics::Chain& chain,
              const collision::DisplacementBound& bound)
      : bodies_(robot), X_WB_(robot.X_WB), chain_(chain), bound_(bound) {}

  // Configurations q[from..to] and, between consecutive ones, everything a linear joint move
  // reaches: no point travels more than MaxTravel, so half of it bounds the distance to the
  // nearer sample.
  PieceBounds Make(const std::vector<Eigen::VectorXd>& q, std::size_t from, std::size_t to) {
    PieceBounds b;
    b.bodies.resize(bodies_.spheres.size());
    double gap = 0.0;
    for (std::size_t i = from; i <= to; ++i) {
      Add(q[i], &b);
      if (i > from) gap = std::max(gap, bound_.MaxTravel(q[i - 1], q[i]));
    }
    for (Aabb& a : b.bodies) {
      a.Grow(0.5 * gap);
      b.all.Add(a);
    }
    return b;
  }

 private:
  void Add(const Eigen::VectorXd& q, PieceBounds* b) {
    chain_.LinkPoses(q, &X_BL_);
    for (std::size_t body = 0; body < bodies_.spheres.size(); ++body) {
      const std::size_t link = std::min(body, X_BL_.size() - 1);  // the gun: on the flange
      const Eigen::Isometry3d X_WL = X_WB_ * X_BL_[link];
      for (const Sphere& s : bodies_.spheres[body]) b->bodies[body].Add(X_WL * s.center, s.radius);
    }
  }

  RobotBodies bodies_;
  Eigen::Isometry3d X_WB_;
  const kinematics::Chain& chain_;
  const collision::DisplacementBound& bound_;
  std::vector<Eigen::Isometry3d> X_BL_;
};

// A piece of a robot's timeline: the standstill before its j-th motion or weld segment (j == m,
// the number of them: the final rest), or samples first..last of that segment. Short pieces keep
// the boxes tight and the windows of dense checks short.
struct Piece {
  int j = 0;
  bool stop = false;
  std::size_t first = 0, last = 0;
  PieceBounds bounds;
};

constexpr std::size_t kSamplesPerPiece = 10;  // 0.1 s of motion at the format's 10 ms

// The pieces of a robot's timeline, and where each motion or weld segment's sample pieces are.
struct RobotPieces {
  std::vector<Piece> pieces;
  std::vector<int> first_sample_piece;  // per active index j: index of its piece of samples 0..
};

RobotPieces MakeRobotPieces(const plan::RobotPlan& r, const std::vector<int>& active,
                            BoundsMaker* maker) {
  RobotPieces out;
  std::vector<Piece>& pieces = out.pieces;
  for (std::size_t j = 0; j < active.size(); ++j) {
    const std::vector<Eigen::VectorXd>& q = r.segments[active[j]].q;
    const int index = static_cast<int>(j);
    pieces.push_back({.j = index, .stop = true, .bounds = maker->Make(q, 0, 0)});
    out.first_sample_piece.push_back(static_cast<int>(pieces.size()));
    for (std::size_t first = 0;; first += kSamplesPerPiece) {
      const std::size_t last = std::min(first + kSamplesPerPiece, q.size() - 1);
      pieces.push_back(
          {.j = index, .first = first, .last = last, .bounds = maker->Make(q, first, last)});
      if (last == q.size() - 1) break;
    }
  }
  const std::vector<Eigen::VectorXd>& q = r.segments[active.back()].q;
  pieces.push_back({.j = static_cast<int>(active.size()),
                    .stop = true,
                    .bounds = maker->Make(q, q.size() - 1, q.size() - 1)});
  return out;
}

bool MayTouch(const PieceBounds& a, const PieceBounds& b) {
  if (!a.all.Overlaps(b.all)) return false;
  for (const Aabb& x : a.bodies) {
    if (!x.Overlaps(b.all)) continue;
    for (const Aabb& y : b.bodies) {
      if (x.Overlaps(y)) return true;
    }
  }
  return false;
}

struct RobotPair {
  int a = 0, b = 0;                             // plan robot indices
  std::vector<std::pair<int, int>> candidates;  // piece pairs whose sweeps may touch
};

// Candidates in (i, j) order: sorted.
std::vector<RobotPair> CandidatePairs(const std::vector<RobotPieces>& robots) {
  std::vector<RobotPair> pairs;
  const int n = static_cast<int>(robots.size());
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      RobotPair pair{.a = a, .b = b, .candidates = {}};
      const std::vector<Piece>& pa = robots[a].pieces;
      const std::vector<Piece>& pb = robots[b].pieces;
      for (std::size_t i = 0; i < pa.size(); ++i) {
        for (std::size_t j = 0; j < pb.size(); ++j) {
          if (MayTouch(pa[i].bounds, pb[j].bounds)) {
            pair.candidates.emplace_back(static_cast<int>(i), static_cast<int>(j));
          }
        }
      }
      pairs.push_back(std::move(pair));
    }
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------
// A robot on the re-timed clock of one run.

class RetimedPath {
 public:
  RetimedPath(const plan::RobotPlan& r, const RobotPieces& pieces,
              const std::vector<RetimedSegment>& segments, double finish)
      : r_(r), pieces_(pieces), segments_(segments), finish_(finish) {}

  // [begin, end] of a piece on this clock; the final rest ends at +infinity.
  std::pair<double, double> Interval(const Piece& piece) const {
    const int j = piece.j;
    if (piece.stop) {
      const double begin = j == 0 ? 0.0 : segments_[j - 1].end;
      return {begin, j < static_cast<int>(segments_.size()) ? segments_[j].start : kInf};
    }
    const RetimedSegment& s = segments_[j];
    const std::vector<double>& t = r_.segments[s.segment].times;
    return {s.start + (t[piece.first] - t.front()) * s.factor,
            s.start + (t[piece.last] - t.front()) * s.factor};
  }
  double Finish() const { return finish_; }

  Eigen::VectorXd At(double t) const {
    const std::size_t j = Locate(t);
    const RetimedSegment& s = segments_[j];
    const plan::Segment& seg = r_.segments[s.segment];
    if (t <= s.start) return seg.q.front();
    if (t >= s.end) return seg.q.back();
    const double local = seg.times.front() + (t - s.start) / s.factor;
    const std::size_t i =
        std::upper_bound(seg.times.begin(), seg.times.end(), local) - seg.times.begin();
    if (i == 0) return seg.q.front();
    if (i >= seg.times.size()) return seg.q.back();
    const double span = seg.times[i] - seg.times[i - 1];
    const double f = span > 0 ? (local - seg.times[i - 1]) / span : 1.0;
    return seg.q[i - 1] + f * (seg.q[i] - seg.q[i - 1]);
  }

  // The piece of samples (an index into RobotPieces::pieces) that holds At(t): the same cases
  // as At, the sample interval [i − 1, i] in the piece of samples ⌊(i − 1) / kSamplesPerPiece⌋.
  // A standstill's configuration is the first or last sample of a segment, so a piece of samples
  // holds it too.
  int SamplePieceAt(double t) const {
    const std::size_t j = Locate(t);
    const RetimedSegment& s = segments_[j];
    const plan::Segment& seg = r_.segments[s.segment];
    const int first = pieces_.first_sample_piece[j];
    const int count = static_cast<int>(
        std::max<std::size_t>(1, (seg.q.size() + kSamplesPerPiece - 2) / kSamplesPerPiece));
    if (t <= s.start) return first;
    if (t >= s.end) return first + count - 1;
    const double local = seg.times.front() + (t - s.start) / s.factor;
    const std::size_t i =
        std::upper_bound(seg.times.begin(), seg.times.end(), local) - seg.times.begin();
    if (i == 0) return first;
    if (i >= seg.times.size()) return first + count - 1;
    return first + std::min(static_cast<int>((i - 1) / kSamplesPerPiece), count - 1);
  }

  // Appends the re-timed sample times within (t0, t1).
  void AppendTimes(double t0, double t1, std::vector<double>* out) const {
    for (std::size_t j = Locate(t0); j < segments_.size() && segments_[j].start < t1; ++j) {
      const RetimedSegment& s = segments_[j];
      const plan::Segment& seg = r_.segments[s.segment];
      for (double t : seg.times) {
        const double retimed = s.start + (t - seg.times.front()) * s.factor;
        if (retimed > t0 && retimed < t1) out->push_back(retimed);
      }
    }
  }

 private:
  // The last segment starting at or before t (the first when none does).
  std::size_t Locate(double t) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), t,
                               [](double x, const RetimedSegment& s) { return x < s.start; });
    return it == segments_.begin() ? 0 : static_cast<std::size_t>(it - segments_.begin() - 1);
  }

  const plan::RobotPlan& r_;
  const RobotPieces& pieces_;
  const std::vector<RetimedSegment>& segments_;
  double finish_;
};

// ---------------------------------------------------------------------------------------------
// Dense contact checks on the re-timed clock.

struct PairContact {
  double time = 0.0;
  std::string text;
};

// Pairs of pieces of samples of two robots that are clear: no configuration on one's joint-space
// polyline touches any on the other's, so no check of the two at any time of any run can find a
// contact. Decided once per pair, when a run first needs it, and shared by all runs: which
// pieces are current together depends on the timing, whether they can touch does not.
//
// A pair of pieces whose bounds do not meet (not a candidate) is clear. Otherwise both are
// subdivided as for the concurrency check, with a step of half the resolution (SweptPiece), and
// searched with a margin (FindContact): any configuration on a piece's polyline is within a
// quarter of the resolution of robot-point travel of one of its subdivisions, so two
// configurations that touch have subdivisions nearer than half the resolution, which the search
// with a margin of a quarter of it (plus FCL's tolerance) finds. Thread-safe; what it decides and
// the checks it makes for a pair do not depend on which thread asks first.
class ClearPairs {
 public:
  ClearPairs(const plan::Plan& plan, const collision::CollisionWorld& world,
             const std::vector<int>& robot_of_plan, const EventModel& model,
             const std::vector<RobotPieces>& pieces, const std::vector<RobotPair>& pairs,
             double resolution, bool enabled)
      : enabled_(enabled),
        plan_(plan),
        world_(world),
        robot_of_plan_(robot_of_plan),
        model_(model),
        pieces_(pieces),
        pairs_(pairs),
        resolution_(resolution) {
    for (const RobotPieces& r : pieces) {
      const std::size_t n = r.pieces.size();
      swept_once_.emplace_back(n);
      swept_.emplace_back(n);
    }
    for (const RobotPair& pair : pairs) {
      const std::size_t n = pair.candidates.size();
      pair_once_.emplace_back(n);
      decided_.emplace_back(n, 0);
      clear_.emplace_back(n, 0);
      checks_.emplace_back(n, 0);
    }
  }

  // Pieces of samples piece_a of pairs[pair].a and piece_b of pairs[pair].b are clear.
  bool Clear(int pair, int piece_a, int piece_b, collision::CollisionContext& ctx) {
    if (!enabled_) return false;
    const std::vector<std::pair<int, int>>& candidates = pairs_[pair].candidates;
    const std::pair<int, int> key{piece_a, piece_b};
    const auto it = std::lower_bound(candidates.begin(), candidates.end(), key);
    if (it == candidates.end() || *it != key) return true;
    const auto c = static_cast<std::size_t>(it - candidates.begin());
    std::call_once(pair_once_[pair][c], [&] {
      const int a = pairs_[pair].a, b = pairs_[pair].b;
      long long checks = 0;
      // The margin's own slack: as the concurrency check's, FCL's tolerances must not hide a
      // contact.
      const double margin = 0.25 * resolution_ + 1e-4;
      clear_[pair][c] = static_cast<char>(
          !FindContact(world_, ctx, Swept(a, piece_a, ctx), Swept(b, piece_b, ctx), &checks, margin)
               .has_value());
      checks_[pair][c] = checks;
      decided_[pair][c] = 1;
    });
    return clear_[pair][c] != 0;
  }

  // After the runs: the pairs asked about (decided), the CheckRobotPair calls deciding them and
  // the pairs not clear, into `figures`.
  void AddFigures(RobustnessFigures* figures) const {
    for (std::size_t k = 0; k < decided_.size(); ++k) {
      for (std::size_t c = 0; c < decided_[k].size(); ++c) {
        if (!decided_[k][c]) continue;
        ++figures->piece_pairs;
        figures->near_piece_pairs += !clear_[k][c];
        figures->checks += checks_[k][c];
      }
    }
  }

 private:
  const SweptPiece& Swept(int p, int piece, collision::CollisionContext& ctx) {
    std::call_once(swept_once_[p][piece], [&] {
      const Piece& x = pieces_[p].pieces[piece];
      const plan::Segment& seg = plan_.robots[p].segments[model_.active[p][x.j]];
      const std::size_t count = x.last - x.first + 1;
      swept_[p][piece].emplace(world_, ctx, robot_of_plan_[p],
                               std::span(seg.q).subspan(x.first, count),
                               std::span(seg.times).subspan(x.first, count), 0.5 * resolution_);
    });
    return *swept_[p][piece];
  }

  bool enabled_;  // VerifyOptions::robustness_reuse
  const plan::Plan& plan_;
  const collision::CollisionWorld& world_;
  const std::vector<int>& robot_of_plan_;
  const EventModel& model_;
  const std::vector<RobotPieces>& pieces_;
  const std::vector<RobotPair>& pairs_;
  double resolution_;
  std::vector<std::vector<std::once_flag>> swept_once_;  // per robot, per piece
  std::vector<std::vector<std::optional<SweptPiece>>> swept_;
  std::vector<std::vector<std::once_flag>> pair_once_;  // per robot pair, per candidate
  std::vector<std::vector<char>> decided_, clear_;
  std::vector<std::vector<long long>> checks_;
};

struct PairContext {
  const collision::CollisionWorld& world;
  collision::CollisionContext& ctx;
  int robot_a, robot_b;  // cell robots
  double resolution;
  ClearPairs& clear;
  int pair;  // index of the robot pair (ClearPairs::Clear)
};

// The time windows in which two pieces whose sweeps may touch are both current, merged.
std::vector<std::pair<double, double>> Windows(const RobotPair& pair,
                                               const std::vector<Piece>& pieces_a,
                                               const RetimedPath& a,
                                               const std::vector<Piece>& pieces_b,
                                               const RetimedPath& b) {
  const double horizon = std::max(a.Finish(), b.Finish());
  std::vector<std::pair<double, double>> w;
  for (const auto& [i, j] : pair.candidates) {
    const auto [a0, a1] = a.Interval(pieces_a[i]);
    const auto [b0, b1] = b.Interval(pieces_b[j]);
    // A standstill of no duration is the end of the neighbouring segment, checked with it.
    if ((pieces_a[i].stop && a1 <= a0) || (pieces_b[j].stop && b1 <= b0)) continue;
    const double lo = std::max(a0, b0), hi = std::min({a1, b1, horizon});
    if (lo <= hi) w.emplace_back(lo, hi);
  }
  std::sort(w.begin(), w.end());
  std::vector<std::pair<double, double>> merged;
  for (const auto& x : w) {
    if (!merged.empty() && x.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, x.second);
    } else {
      merged.push_back(x);
    }
  }
  return merged;
}

// As Verify's pair check, within [t0, t1]: between consecutive sample times of either robot both
// move linearly in joint space, split so that their points travel at most the resolution in
// total between checks. Stops at the first contact. Configurations on a clear pair of pieces
// (ClearPairs) are not checked: they cannot touch. Between consecutive times each robot moves
// within one sample interval (or stands), so the piece at the middle time holds them all.
std::optional<PairContact> CheckWindow(const PairContext& pc, const RetimedPath& a,
                                       const RetimedPath& b, double t0, double t1,
                                       long long* checks) {
  std::vector<double> times{t0, t1};
  a.AppendTimes(t0, t1, &times);
  b.AppendTimes(t0, t1, &times);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  const collision::DisplacementBound& bound_a = pc.world.displacement_bound(pc.robot_a);
  const collision::DisplacementBound& bound_b = pc.world.displacement_bound(pc.robot_b);
  auto check = [&](double t, const Eigen::VectorXd& qa,
                   const Eigen::VectorXd& qb) -> std::optional<PairContact> {
    ++*checks;
    const collision::CollisionResult r =
        pc.world.CheckRobotPair(pc.ctx, pc.robot_a, qa, pc.robot_b, qb);
    if (!r.in_collision()) return std::nullopt;
    const collision::Contact& c = r.contacts.front();
    return PairContact{t, std::string(c.first.name) + " – " + std::string(c.second.name)};
  };
  auto clear = [&](double t) {
    return pc.clear.Clear(pc.pair, a.SamplePieceAt(t), b.SamplePieceAt(t), pc.ctx);
  };
  Eigen::VectorXd qa0 = a.At(times.front()), qb0 = b.At(times.front());
  if (!clear(times.front())) {
    if (auto hit = check(times.front(), qa0, qb0)) return hit;
  }
  for (std::size_t k = 1; k < times.size(); ++k) {
    Eigen::VectorXd qa1 = a.At(times[k]), qb1 = b.At(times[k]);
    if (clear(0.5 * (times[k - 1] + times[k]))) {
      qa0 = std::move(qa1);
      qb0 = std::move(qb1);
      continue;
    }
    const double travel = bound_a.MaxTravel(qa0, qa1) + bound_b.MaxTravel(qb0, qb1);
    const int n = std::max(1, static_cast<int>(std::ceil(travel / pc.resolution)));
    for (int i = 1; i <= n; ++i) {
      const double f = static_cast<double>(i) / n;
      const double t = times[k - 1] + f * (times[k] - times[k - 1]);
      if (auto hit = check(t, qa0 + f * (qa1 - qa0), qb0 + f * (qb1 - qb0))) return hit;
    }
    qa0 = qa1;
    qb0 = qb1;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// `after:` on the re-timed clock.

struct OutOfOrder {
  std::string weld, before, robot, before_robot;
  double start = 0.0, before_end = 0.0;
  int run = 0;
};

std::vector<OutOfOrder> CheckOrder(const plan::Plan& plan, const cell::Cell& cell,
                                   const EventRun& events, int run) {
  struct Dwell {
    std::string robot;
    double start = kInf, end = -kInf;
  };
  std::map<std::string, Dwell> dwells;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    for (const RetimedSegment& s : events.segments[p]) {
      const plan::Segment& seg = plan.robots[p].segments[s.segment];
      if (seg.kind != plan::SegmentKind::kWeld) continue;
      Dwell& d = dwells[seg.from];
      if (d.robot.empty()) d.robot = plan.robots[p].robot;
      d.start = std::min(d.start, s.start);
      d.end = std::max(d.end, s.end);
    }
  }
  std::vector<OutOfOrder> out;
  for (const cell::Weld& w : cell.welds) {
    auto self = dwells.find(w.id);
    if (self == dwells.end()) continue;
    for (const std::string& before : w.after) {
      auto pred = dwells.find(before);
      if (pred == dwells.end() || self->second.start >= pred->second.end - 1e-9) continue;
      out.push_back({w.id, before, self->second.robot, pred->second.robot, self->second.start,
                     pred->second.end, run});
    }
  }
  return out;
}

// The plan's own clock as a run, so that precedences it already breaks (CheckPrecedences reports
// them) are not reported again for every random run.
EventRun PlannedRun(const plan::Plan& plan, const EventModel& model) {
  EventRun run;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    std::vector<RetimedSegment> segments;
    for (int k : model.active[p]) {
      const plan::Segment& s = plan.robots[p].segments[k];
      segments.push_back({.segment = k, .start = s.times.front(), .end = s.times.back()});
    }
    run.segments.push_back(std::move(segments));
    run.finish.push_back(plan.robots[p].segments.back().times.back());
  }
  return run;
}

// `after:` for every timing: between two robots, the end of each weld segment at a weld of a
// weld's `after` list must precede the start of the weld's own weld segment in the events'
// order (a weld signal, or a chain of zones, signals and program order). A pair the plan orders
// only by its clock is welded the other way round when one robot is delayed long enough.
void AddUnorderedPrecedences(const plan::Plan& plan, const cell::Cell& cell,
                             const SegmentOrder& order, std::vector<Violation>* out) {
  struct WeldSegment {
    int robot = 0, active = 0;  // plan robot, active index
  };
  std::map<std::string, std::vector<WeldSegment>> welded;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    for (std::size_t j = 0; j < order.active[p].size(); ++j) {
      const plan::Segment& s = plan.robots[p].segments[order.active[p][j]];
      if (s.kind == plan::SegmentKind::kWeld) {
        welded[s.from].push_back({static_cast<int>(p), static_cast<int>(j)});
      }
    }
  }
  // On one robot the station clock is its program order, which Verify's clock check covers.
  const auto precedes = [&](const WeldSegment& before, const WeldSegment& after) {
    return before.robot == after.robot ||
           order.Precedes(before.robot, 2 * before.active + 1, after.robot, 2 * after.active);
  };
  for (const cell::Weld& w : cell.welds) {
    auto self = welded.find(w.id);
    if (self == welded.end()) continue;  // not welded: Verify says so
    for (const std::string& before : w.after) {
      auto pred = welded.find(before);
      if (pred == welded.end()) continue;  // never welded: CheckPrecedences says so
      for (const WeldSegment& a : self->second) {
        for (const WeldSegment& b : pred->second) {
          if (precedes(b, a)) continue;
          const plan::RobotPlan& ra = plan.robots[a.robot];
          const plan::RobotPlan& rb = plan.robots[b.robot];
          const plan::Segment& sa = ra.segments[order.active[a.robot][a.active]];
          out->push_back(
              {.kind = ViolationKind::kPrecedence,
               .time = sa.times.front(),
               .robot = ra.robot,
               .message = fmt::format(
                   "{} ({}) must be welded after {} ({}), but only the planned timing orders "
                   "them: no weld signal, zone or program order makes {} wait for {} to finish "
                   "{} (a delay of {} lets {} weld {} first)",
                   w.id, ra.robot, before, rb.robot, ra.robot, rb.robot, before, rb.robot, ra.robot,
                   w.id)});
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The runs.

struct RunResult {
  bool deadlocked = false;
  std::vector<std::optional<PairContact>> contacts;  // per robot pair
  std::vector<OutOfOrder> out_of_order;
  long long checks = 0;
};

struct Setup {
  const plan::Plan& plan;
  const cell::Cell& cell;
  const collision::CollisionWorld& world;
  const std::vector<int>& robot_of_plan;
  const EventModel& model;
  const std::vector<RobotPieces>& pieces;  // per robot
  const std::vector<RobotPair>& pairs;
  ClearPairs& clear;
  double resolution;
  const VerifyOptions& options;
};

RunResult RunOnce(const Setup& s, int run, collision::CollisionContext& ctx) {
  RunResult result;
  const DurationFactors factors =
      DrawFactors(s.plan, s.options.robustness_seed, run, s.options.robustness_spread);
  const EventRun events = Simulation(s.plan, s.model, factors).Run();
  if (events.deadlocked()) {
    result.deadlocked = true;
    return result;
  }
  result.out_of_order = CheckOrder(s.plan, s.cell, events, run);
  std::vector<RetimedPath> paths;
  for (std::size_t p = 0; p < s.plan.robots.size(); ++p) {
    paths.emplace_back(s.plan.robots[p], s.pieces[p], events.segments[p], events.finish[p]);
  }
  for (std::size_t k = 0; k < s.pairs.size(); ++k) {
    const RobotPair& pair = s.pairs[k];
    const PairContext pc{s.world,      ctx,     s.robot_of_plan[pair.a], s.robot_of_plan[pair.b],
                         s.resolution, s.clear, static_cast<int>(k)};
    std::optional<PairContact> hit;
    const std::vector<std::pair<double, double>> windows = Windows(
        pair, s.pieces[pair.a].pieces, paths[pair.a], s.pieces[pair.b].pieces, paths[pair.b]);
    for (const auto& [t0, t1] : windows) {
      hit = CheckWindow(pc, paths[pair.a], paths[pair.b], t0, t1, &result.checks);
      if (hit) break;
    }
    result.contacts.push_back(std::move(hit));
  }
  return result;
}

// Every segment sampled with configurations of the robot's size, finite, within the limits
// the collision checks take (JointBeyondCheckable), times not decreasing; every robot of the
// plan in the cell with at least one motion or weld segment.
bool Simulable(const plan::Plan& plan, const collision::CollisionWorld& world,
               const std::vector<int>& robot_of_plan) {
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    if (robot_of_plan[p] < 0) return false;
    const int dof = world.chain(robot_of_plan[p]).dof();
    bool active = false;
    for (const plan::Segment& s : plan.robots[p].segments) {
      if (s.times.empty() || s.times.size() != s.q.size()) return false;
      active |= IsActive(s);
      for (std::size_t i = 0; i < s.times.size(); ++i) {
        if (!std::isfinite(s.times[i]) || s.q[i].size() != dof || !s.q[i].allFinite() ||
            JointBeyondCheckable(world.chain(robot_of_plan[p]), s.q[i])) {
          return false;
        }
        if (i > 0 && s.times[i] < s.times[i - 1]) return false;
      }
    }
    if (!active) return false;
  }
  return true;
}

std::string RunName(const VerifyOptions& o, int run) {
  return fmt::format("under run {} of {} (seed {}, every duration × U[{:g}, {:g}])", run,
                     o.robustness_runs, o.robustness_seed, 1 - o.robustness_spread,
                     1 + o.robustness_spread);
}

// The first run (lowest index) with a contact per robot pair and the number of runs with one:
// one violation per pair, not one per run.
void AddContacts(const Setup& s, const std::vector<RunResult>& runs, EventCheckResult* out) {
  for (std::size_t k = 0; k < s.pairs.size(); ++k) {
    int first = -1, count = 0;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (k >= runs[i].contacts.size() || !runs[i].contacts[k]) continue;
      if (count++ == 0) first = static_cast<int>(i);
    }
    if (first < 0) continue;
    const PairContact& c = *runs[first].contacts[k];
    const std::string& a = s.plan.robots[s.pairs[k].a].robot;
    const std::string& b = s.plan.robots[s.pairs[k].b].robot;
    out->violations.push_back(
        {.kind = ViolationKind::kRobustness,
         .time = c.time,
         .robot = a,
         .message =
             fmt::format("{} {} and {} touch at {} s: {}; {} of {} runs touch",
                         RunName(s.options, first), a, b, Sec(c.time), c.text, count, runs.size()),
         .other_robot = b});
  }
}

// The first break per (weld, predecessor) with the number of runs it happens in, leaving out
// those the planned clock already breaks (CheckPrecedences reports them).
void AddOutOfOrder(const Setup& s, const std::vector<RunResult>& runs, EventCheckResult* out) {
  std::set<std::pair<std::string, std::string>> planned;
  for (const OutOfOrder& o : CheckOrder(s.plan, s.cell, PlannedRun(s.plan, s.model), -1)) {
    planned.emplace(o.weld, o.before);
  }
  std::map<std::pair<std::string, std::string>, std::pair<const OutOfOrder*, int>> first;
  for (const RunResult& run : runs) {
    for (const OutOfOrder& o : run.out_of_order) {
      if (planned.count({o.weld, o.before})) continue;
      ++first.try_emplace({o.weld, o.before}, &o, 0).first->second.second;
    }
  }
  for (const auto& [key, first_count] : first) {
    const OutOfOrder& o = *first_count.first;
    out->violations.push_back(
        {.kind = ViolationKind::kPrecedence,
         .time = o.start,
         .robot = o.robot,
         .message =
             fmt::format("{} {} ({}) starts welding at {} s, before {} ({}) has finished "
                         "at {} s; {} of {} runs",
                         RunName(s.options, o.run), o.weld, o.robot, Sec(o.start), o.before,
                         o.before_robot, Sec(o.before_end), first_count.second, runs.size())});
  }
}

void Summarize(const Setup& s, const std::vector<RunResult>& runs, EventCheckResult* out) {
  for (const RunResult& r : runs) {
    out->figures.checks += r.checks;
    out->figures.runs_deadlocked += r.deadlocked;
    out->figures.runs_out_of_order += !r.out_of_order.empty();
    out->figures.runs_with_contact +=
        std::any_of(r.contacts.begin(), r.contacts.end(), [](const auto& c) { return c; });
  }
  AddContacts(s, runs, out);
  AddOutOfOrder(s, runs, out);
}

std::vector<RobotPieces> AllPieces(const plan::Plan& plan, const cell::Cell& cell,
                                   const collision::CollisionWorld& world,
                                   const std::vector<int>& robot_of_plan, const EventModel& model) {
  std::vector<RobotPieces> pieces;
  for (std::size_t p = 0; p < plan.robots.size(); ++p) {
    const int r = robot_of_plan[p];
    BoundsMaker maker(cell.robots[r], world.chain(r), world.displacement_bound(r));
    pieces.push_back(MakeRobotPieces(plan.robots[p], model.active[p], &maker));
  }
  return pieces;
}

void RunAll(const Setup& s, EventCheckResult* out) {
  const int runs = s.options.robustness_runs;
  const int threads = std::max(1, std::min(ResolveThreadCount(s.options.threads), runs));
  std::vector<collision::CollisionContext> contexts;
  contexts.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) contexts.emplace_back(s.world);
  std::vector<RunResult> results(runs);
  std::mutex progress_mutex;
  int done = 0;
  ParallelFor(
      runs, threads,
      [&](int run, int worker) {
        results[run] = RunOnce(s, run, contexts[worker]);
        const std::lock_guard<std::mutex> lock(progress_mutex);
        s.options.progress.Report(kRobustnessStage, ++done, runs);
      },
      [&s] { return s.options.progress.cancelled(); });
  out->figures.runs = done;
  Summarize(s, results, out);
}

}  // namespace

std::optional<int> JointBeyondCheckable(const kinematics::Chain& chain, const Eigen::VectorXd& q) {
  for (int j = 0; j < chain.dof(); ++j) {
    if (!(q[j] >= chain.lower()[j] - kCheckableBeyondLimits &&
          q[j] <= chain.upper()[j] + kCheckableBeyondLimits)) {
      return j;
    }
  }
  return std::nullopt;
}

EventCheckResult CheckEvents(const plan::Plan& plan, const cell::Cell& cell,
                             const collision::CollisionWorld& world,
                             const std::vector<int>& robot_of_plan, double resolution,
                             const VerifyOptions& options) {
  WELDCELL_CHECK(options.robustness_spread >= 0.0 && options.robustness_spread < 1.0);
  EventCheckResult out;
  if (!Simulable(plan, world, robot_of_plan)) return out;
  const EventModel model = BuildModel(plan);
  const EventRun nominal = Simulation(plan, model, {}).Run();
  AddDeadlock(plan, nominal, &out.violations);
  AddNominalMismatch(plan, nominal, &out.violations);
  if (!nominal.deadlocked()) {
    if (const std::optional<SegmentOrder> order = OrderSegments(plan)) {
      AddUnorderedPrecedences(plan, cell, *order, &out.violations);
      if (options.concurrency_check) {
        ConcurrencyResult c =
            CheckConcurrency(plan, world, robot_of_plan, *order, resolution, options);
        out.violations.insert(out.violations.end(), c.violations.begin(), c.violations.end());
        out.concurrency = c.figures;
      }
    }
  }
  if (options.robustness_runs > 0) {
    const std::vector<RobotPieces> pieces = AllPieces(plan, cell, world, robot_of_plan, model);
    const std::vector<RobotPair> pairs = CandidatePairs(pieces);
    ClearPairs clear(plan, world, robot_of_plan, model, pieces, pairs, resolution,
                     options.robustness_reuse);
    const Setup setup{plan,   cell,  world, robot_of_plan, model,
                      pieces, pairs, clear, resolution,    options};
    RunAll(setup, &out);
    clear.AddFigures(&out.figures);
  }
  std::stable_sort(out.violations.begin(), out.violations.end(),
                   [](const Violation& a, const Violation& b) {
                     return a.kind != b.kind ? a.kind < b.kind : a.time < b.time;
                   });
  return out;
}

std::optional<SegmentOrder> OrderSegments(const plan::Plan& plan) {
  const EventModel model = BuildModel(plan);
  const int n = static_cast<int>(plan.robots.size());
  SegmentOrder order{.active = model.active, .gated = {}, .first = {}};
  // Events numbered globally: robot p's event e is offset[p] + e.
  std::vector<int> offset(n + 1, 0);
  std::vector<std::vector<int>> index_of(n);  // per robot: segment index → active index
  for (int p = 0; p < n; ++p) {
    const std::vector<int>& active = model.active[p];
    offset[p + 1] = offset[p] + 2 * static_cast<int>(active.size());
    index_of[p].assign(plan.robots[p].segments.size() + 1, -1);
    for (std::size_t j = 0; j < active.size(); ++j) index_of[p][active[j]] = static_cast<int>(j);
  }
  const int events = offset[n];
  std::vector<std::vector<int>> next(events);
  for (int p = 0; p < n; ++p) {
    for (int e = 0; e + 1 < offset[p + 1] - offset[p]; ++e) {
      next[offset[p] + e].push_back(offset[p] + e + 1);
    }
  }
  // Where each zone position is released: the end of a segment (on arrival), the start of the
  // next one (on departure) or, departing from the final rest, the end of the last one.
  std::vector<std::vector<int>> released(model.zones.size());
  for (std::size_t z = 0; z < model.zones.size(); ++z) {
    released[z].assign(model.zones[z].robots.size(), -1);
  }
  for (int p = 0; p < n; ++p) {
    const int m = static_cast<int>(model.active[p].size());
    for (std::size_t k = 0; k < model.gates[p].size(); ++k) {
      const Gate& gate = model.gates[p][k];
      const int j = index_of[p][k];
      for (const auto& [z, position] : gate.release) released[z][position] = offset[p] + 2 * j + 1;
      for (const auto& [z, position] : gate.depart) {
        released[z][position] = j >= 0 ? offset[p] + 2 * j : offset[p] + 2 * m - 1;
      }
    }
  }
  std::map<std::string, std::vector<int>> weld_ends;  // weld id → ends of its weld segments
  for (int p = 0; p < n; ++p) {
    for (std::size_t j = 0; j < model.active[p].size(); ++j) {
      const plan::Segment& s = plan.robots[p].segments[model.active[p][j]];
      if (s.kind == plan::SegmentKind::kWeld) {
        weld_ends[s.from].push_back(offset[p] + 2 * static_cast<int>(j) + 1);
      }
    }
  }
  order.gated.resize(n);
  for (int p = 0; p < n; ++p) {
    order.gated[p].assign(model.active[p].size(), false);
    for (std::size_t j = 0; j < model.active[p].size(); ++j) {
      const Gate& gate = model.gates[p][model.active[p][j]];
      const int start = offset[p] + 2 * static_cast<int>(j);
      bool waits = !gate.signals.empty();
      for (const auto& [z, position] : gate.acquire) {
        for (int before = 0; before < position; ++before) {
          if (released[z][before] < 0) continue;
          next[released[z][before]].push_back(start);
          waits = true;
        }
      }
      for (const std::string& weld : gate.signals) {
        // A signal no robot gives blocks forever: a deadlock, reported by CheckEvents.
        auto it = weld_ends.find(weld);
        if (it == weld_ends.end()) return std::nullopt;
        for (int end : it->second) next[end].push_back(start);
      }
      order.gated[p][j] = waits;
    }
  }
  // Kahn's topological order; a cycle is a deadlock.
  std::vector<int> incoming(events, 0), topo;
  for (const std::vector<int>& out : next) {
    for (int v : out) ++incoming[v];
  }
  for (int u = 0; u < events; ++u) {
    if (incoming[u] == 0) topo.push_back(u);
  }
  for (std::size_t i = 0; i < topo.size(); ++i) {
    for (int v : next[topo[i]]) {
      if (--incoming[v] == 0) topo.push_back(v);
    }
  }
  if (static_cast<int>(topo.size()) != events) return std::nullopt;
  // first[u][b], in reverse topological order: the minimum over successors, and u's own index
  // when u is a start of b.
  std::vector<int> robot_of(events);
  for (int p = 0; p < n; ++p) {
    for (int u = offset[p]; u < offset[p + 1]; ++u) robot_of[u] = p;
  }
  std::vector<std::vector<int>> first(events);
  for (std::size_t i = topo.size(); i-- > 0;) {  // in reverse topological order
    const int u = topo[i];
    std::vector<int>& f = first[u];
    for (int b = 0; b < n; ++b) f.push_back(static_cast<int>(model.active[b].size()));
    const int p = robot_of[u], e = u - offset[p];
    if (e % 2 == 0) f[p] = e / 2;
    for (int v : next[u]) {
      for (int b = 0; b < n; ++b) f[b] = std::min(f[b], first[v][b]);
    }
  }
  order.first.resize(n);
  for (int p = 0; p < n; ++p) {
    for (int u = offset[p]; u < offset[p + 1]; ++u) order.first[p].push_back(std::move(first[u]));
  }
  return order;
}

}  // namespace internal
}  // namespace weldcell::verify
