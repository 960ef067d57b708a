#include "exporters/program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "exporters/internal/text.hpp"
#include "exporters/site.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::exporters {

namespace {

[[noreturn]] void Fail(const std::string& file, const std::string& key,
                       const std::string& message) {
  throw InputError({Diagnostic{.where = {.file = file}, .key_path = key, .message = message}});
}

// Per-joint largest deviation of sample `p` from the chord a→b (at its nearest point in the
// Euclidean sense): an upper bound of the max-norm distance from p to the chord.
double ChordDeviation(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                      const Eigen::VectorXd& p) {
  const Eigen::VectorXd d = b - a;
  const double n = d.squaredNorm();
  const double u = n > 0 ? std::clamp((p - a).dot(d) / n, 0.0, 1.0) : 0.0;
  return (p - (a + u * d)).cwiseAbs().maxCoeff();
}

// Douglas–Peucker in joint space: indices of the samples kept (first and last always), such
// that every sample lies within `tolerance` (max-norm) of the chord of its kept neighbours.
std::vector<int> SelectWaypoints(const std::vector<Eigen::VectorXd>& q, double tolerance,
                                 double* max_deviation) {
  const int n = static_cast<int>(q.size());
  std::vector<char> keep(static_cast<std::size_t>(n), 0);
  keep.front() = keep.back() = 1;
  std::vector<std::pair<int, int>> stack{{0, n - 1}};
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    double worst = -1.0;
    int at = -1;
    for (int k = i + 1; k < j; ++k) {
      const double dev = ChordDeviation(q[i], q[j], q[k]);
      if (dev > worst) {
        worst = dev;
        at = k;
      }
    }
    if (at < 0) continue;
    if (worst > tolerance) {
      keep[static_cast<std::size_t>(at)] = 1;
      stack.push_back({i, at});
      stack.push_back({at, j});
    } else {
      *max_deviation = std::max(*max_deviation, worst);
    }
  }
  std::vector<int> out;
  for (int k = 0; k < n; ++k) {
    if (keep[static_cast<std::size_t>(k)]) out.push_back(k);
  }
  return out;
}

// Re-checks every chord between kept waypoints with the verifier's segment check and, where a
// chord collides, keeps the planned sample farthest from it as well, until every chord is free
// or joins neighbouring planned samples (the plan's own, verified motion). Returns the samples
// added.
int KeepCollidingChords(const std::vector<Eigen::VectorXd>& q, CornerCheck& check,
                        std::vector<int>* keep) {
  int added = 0;
  std::vector<int> out{keep->front()};
  std::vector<int> pending(keep->rbegin(), keep->rend() - 1);  // stack: next waypoint last
  while (!pending.empty()) {
    const int i = out.back(), j = pending.back();
    if (j - i < 2 ||
        check.ChordIsFree(q[static_cast<std::size_t>(i)], q[static_cast<std::size_t>(j)])) {
      out.push_back(j);
      pending.pop_back();
      continue;
    }
    int at = i + 1;
    double worst = -1.0;
    for (int k = i + 1; k < j; ++k) {
      const double dev =
          ChordDeviation(q[static_cast<std::size_t>(i)], q[static_cast<std::size_t>(j)],
                         q[static_cast<std::size_t>(k)]);
      if (dev > worst) {
        worst = dev;
        at = k;
      }
    }
    pending.push_back(at);
    ++added;
  }
  *keep = std::move(out);
  return added;
}

// Largest max-norm deviation of the samples strictly between i and j from the chord i → j.
double SpanDeviation(const std::vector<Eigen::VectorXd>& q, int i, int j) {
  double worst = 0.0;
  for (int k = i + 1; k < j; ++k) {
    worst = std::max(worst,
                     ChordDeviation(q[static_cast<std::size_t>(i)], q[static_cast<std::size_t>(j)],
                                    q[static_cast<std::size_t>(k)]));
  }
  return worst;
}

// Merges moves shorter than site.min_move_time (planned time) with a neighbour: the waypoint
// between them is dropped when the new chord stays within site.merge_tolerance of every planned
// sample it replaces and `corners` proves it free. Shortest moves first; a move that cannot be
// merged either way stays.
void MergeShortMoves(const plan::Segment& s, const Site& site, CornerCheck* corners,
                     std::vector<int>* keep, ProgramFigures* fig) {
  if (corners == nullptr || site.min_move_time <= 0) return;
  std::set<std::pair<int, int>> stuck;
  auto time = [&](int i) { return s.times[static_cast<std::size_t>(i)]; };
  while (keep->size() > 2) {
    std::size_t at = keep->size();
    double shortest = site.min_move_time;
    for (std::size_t w = 0; w + 1 < keep->size(); ++w) {
      const double dt = time((*keep)[w + 1]) - time((*keep)[w]);
      if (dt < shortest && !stuck.count({(*keep)[w], (*keep)[w + 1]})) {
        shortest = dt;
        at = w;
      }
    }
    if (at == keep->size()) return;
    // Drop the move's first waypoint (w = at) or its last (w = at + 1), never an end.
    std::vector<std::pair<double, std::size_t>> options;
    for (const std::size_t w : {at, at + 1}) {
      if (w == 0 || w + 1 == keep->size()) continue;
      const double dev = SpanDeviation(s.q, (*keep)[w - 1], (*keep)[w + 1]);
      if (dev <= site.merge_tolerance) options.push_back({dev, w});
    }
    std::sort(options.begin(), options.end());
    bool merged = false;
    for (const auto& [dev, w] : options) {
      if (!corners->SegmentIsFree(s.q[static_cast<std::size_t>((*keep)[w - 1])],
                                  s.q[static_cast<std::size_t>((*keep)[w + 1])])) {
        continue;
      }
      keep->erase(keep->begin() + static_cast<std::ptrdiff_t>(w));
      fig->max_deviation = std::max(fig->max_deviation, dev);
      ++fig->merged_moves;
      merged = true;
      break;
    }
    if (!merged) stuck.insert({(*keep)[at], (*keep)[at + 1]});
  }
}

double TrapezoidTime(double distance, double v, double a) {
  if (distance <= 0) return 0.0;
  if (a <= 0) return distance / v;
  if (distance <= v * v / a) return 2.0 * std::sqrt(distance / a);
  return distance / v + v / a;
}

int SignalNumber(const Site& site, const SignalRange& range, int index, const std::string& what,
                 const std::string& id) {
  if (index >= range.count) {
    SiteError(site, what,
              fmt::format("{} needs I/O number {} of the range (first {}, count {}): the plan has "
                          "more than the site's range holds; widen `{}.count`",
                          id, index + 1, range.first, range.count, what));
  }
  return range.first + index;
}

// Comments are ASCII (robot, cell and zone names may be UTF-8): controllers show other bytes
// as garbage and FANUC/INFORM cut comments at a byte count.
Instruction Comment(const std::string& text) {
  return {.kind = InstructionKind::kComment, .text = internal::AsciiText(text)};
}

// Whether waypoint `sample` of segment `segment` is in `stops` (BuildOptions::exact_stops).
bool MustStop(const std::vector<std::vector<int>>* stops, int segment, int sample) {
  if (stops == nullptr || segment >= static_cast<int>(stops->size())) return false;
  const std::vector<int>& in = (*stops)[static_cast<std::size_t>(segment)];
  return std::find(in.begin(), in.end(), sample) != in.end();
}

}  // namespace

int PlanRobotIndex(const plan::Plan& plan, const std::string& robot, const std::string& plan_file) {
  for (std::size_t i = 0; i < plan.robots.size(); ++i) {
    if (plan.robots[i].robot == robot) return static_cast<int>(i);
  }
  Fail(plan_file, "robots", "the plan has no robot named " + robot);
}

double MoveTime(const cell::Robot& robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                double speed) {
  const Eigen::VectorXd v = robot.model->velocity_limits();
  const Eigen::VectorXd acc = robot.model->acceleration_limits();
  double t = 0.0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    t = std::max(t, TrapezoidTime(std::abs(b[i] - a[i]), speed * v[i], acc[i]));
  }
  return t;
}

double CruiseTime(const cell::Robot& robot, const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                  double speed) {
  const Eigen::VectorXd v = robot.model->velocity_limits();
  double t = 0.0;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    t = std::max(t, std::abs(b[i] - a[i]) / (speed * v[i]));
  return t;
}

double RampTime(const cell::Robot& robot, double speed) {
  const Eigen::VectorXd v = robot.model->velocity_limits();
  const Eigen::VectorXd acc = robot.model->acceleration_limits();
  double t = 0.0;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    if (acc[i] > 0) t = std::max(t, speed * v[i] / (2.0 * acc[i]));
  }
  return t;
}

double SlowestSpeedWithin(const cell::Robot& robot, const Eigen::VectorXd& a,
                          const Eigen::VectorXd& b, double time) {
  if (MoveTime(robot, a, b, 1.0) > time) return 1.0;
  double lo = 1e-3, hi = 1.0;
  if (MoveTime(robot, a, b, lo) <= time) return lo;
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    (MoveTime(robot, a, b, mid) <= time ? hi : lo) = mid;
  }
  return hi;
}

double EstimateMotionTime(const Program& program, const cell::Robot& robot) {
  double total = 0.0;
  const Eigen::VectorXd* previous = nullptr;
  bool standing = true;  // the previous move ended in an exact stop
  for (const Instruction& ins : program.instructions) {
    if (ins.kind != InstructionKind::kMove) continue;
    if (previous != nullptr) {
      if (ins.duration > 0) {
        // Time-based dialects: the controller takes the programmed time where the joints can;
        // a move that starts or ends standing has to ramp within it.
        total += std::max(ins.duration, standing || ins.exact_stop
                                            ? MoveTime(robot, *previous, ins.q, 1.0)
                                            : CruiseTime(robot, *previous, ins.q, 1.0));
      } else if (standing && ins.exact_stop) {
        total += MoveTime(robot, *previous, ins.q, ins.speed);
      } else {
        // A run of approximated moves: each at its cruise speed, one ramp up where the run
        // starts and one ramp down where it stops.
        total += CruiseTime(robot, *previous, ins.q, ins.speed);
        if (standing) total += RampTime(robot, ins.speed);
        if (ins.exact_stop) total += RampTime(robot, ins.speed);
      }
    }
    standing = ins.exact_stop;
    previous = &ins.q;
  }
  return total;
}

namespace {

// A zone or weld-signal event of a program: the zone (or the weld a signal is about) and its
// I/O numbers; which of them is the signal and which the acknowledge depends on the event.
struct Take {
  std::string zone;
  int input = 0, output = 0;
};

// Builds one robot's program from its plan: first the plan's zone uses and weld signals as
// events per segment, then the instructions, segment by segment. The steps share the inputs,
// the events, the program being written and its figures (times in s, joint values in rad).
class ProgramBuilder {
 public:
  ProgramBuilder(const plan::Plan& plan, const cell::Robot& robot, int plan_index,
                 const std::string& name, const Site& site, const BuildOptions& options)
      : plan_(plan),
        robot_(robot),
        plan_index_(plan_index),
        rp_(plan.robots[static_cast<std::size_t>(plan_index)]),
        num_segments_(static_cast<int>(rp_.segments.size())),
        site_(site),
        options_(options),
        fig_{.corridor_tolerance = site.corridor_tolerance},
        program_{.name = name, .robot = robot.name} {
    fig_.waypoints.resize(rp_.segments.size());
    fig_.blended.resize(rp_.segments.size());
    fig_.blend = options.blend;
  }

  // The program, its figures to `figures` (if given).
  Program Build(ProgramFigures* figures) {
    CheckSegments();
    CollectZoneUses();
    CollectWeldSignals();
    WriteStart();
    for (int k = 0; k < num_segments_; ++k) WriteSegment(k);
    WriteEnd();
    if (figures) *figures = fig_;
    return std::move(program_);
  }

 private:
  // Every segment has as many configurations as times, at least one, each of the robot's dof.
  void CheckSegments() const {
    const int dof = robot_.model->dof();
    for (int k = 0; k < num_segments_; ++k) {
      const plan::Segment& s = rp_.segments[static_cast<std::size_t>(k)];
      if (s.q.empty() || s.q.size() != s.times.size()) {
        Fail(options_.plan_file, fmt::format("robots[{}].segments[{}]", plan_index_, k),
             "expected as many configurations as times, at least one");
      }
      for (const Eigen::VectorXd& q : s.q) {
        if (q.size() != dof) {
          Fail(options_.plan_file, fmt::format("robots[{}].segments[{}]", plan_index_, k),
               fmt::format("expected {} joint values, got {}", dof, q.size()));
        }
      }
    }
  }

  // This robot's zone uses as events per segment index (docs/plan-format.md): takes by
  // acquire_segment, releases by release_segment (on departure or on arrival), and the zones'
  // outputs.
  void CollectZoneUses() {
    for (std::size_t z = 0; z < plan_.zones.size(); ++z) {
      for (const plan::ZoneUse& use : plan_.zones[z].uses) {
        if (use.robot != robot_.name) continue;
        if (use.acquire_segment < 0 || use.release_segment > num_segments_ ||
            use.acquire_segment >= use.release_segment) {
          Fail(options_.plan_file, "zones[" + plan_.zones[z].id + "]",
               fmt::format("segments {}..{} do not fit {}'s {} segments", use.acquire_segment,
                           use.release_segment, robot_.name, num_segments_));
        }
        const Take t{.zone = plan_.zones[z].id,
                     .input = SignalNumber(site_, site_.zone_inputs, static_cast<int>(z),
                                           "zone_inputs", plan_.zones[z].id),
                     .output = SignalNumber(site_, site_.zone_outputs, static_cast<int>(z),
                                            "zone_outputs", plan_.zones[z].id)};
        takes_[use.acquire_segment].push_back(t);
        (use.release_on_departure ? depart_releases_ : arrive_releases_)[use.release_segment]
            .push_back(t);
        zone_outputs_.push_back(t.output);
      }
    }
  }

  // Weld signals as four-phase handshakes (docs/export.md "Handshakes"). Waited for: `input`
  // the signal, `output` its acknowledge; given: `output` the signal, `input` its acknowledge.
  void CollectWeldSignals() {
    for (std::size_t i = 0; i < plan_.weld_signals.size(); ++i) {
      const plan::WeldSignal& ws = plan_.weld_signals[i];
      const std::string id = "weld signal " + ws.weld;
      const int j = static_cast<int>(i);
      const int in = SignalNumber(site_, site_.weld_signal_inputs, j, "weld_signal_inputs", id);
      const int out = SignalNumber(site_, site_.weld_signal_outputs, j, "weld_signal_outputs", id);
      const int ack_in = SignalNumber(site_, site_.weld_ack_inputs, j, "weld_ack_inputs", id);
      const int ack_out = SignalNumber(site_, site_.weld_ack_outputs, j, "weld_ack_outputs", id);
      if (ws.robot == robot_.name) {
        signal_waits_[ws.segment].push_back({ws.weld, in, ack_out});
        signals_waited_.push_back({ws.weld, in, ack_out});
      }
      // Given where this robot's segments weld it (and only once: it is welded once a cycle).
      const bool welds_it = std::any_of(
          rp_.segments.begin(), rp_.segments.end(),
          [&](const auto& s) { return s.kind == plan::SegmentKind::kWeld && s.to == ws.weld; });
      if (welds_it) {
        signal_after_weld_[ws.weld].push_back({ws.weld, ack_in, out});
        signals_given_.push_back({ws.weld, ack_in, out});
      }
    }
  }

  // A joint move to q (exact stop or blended), at `speed` (a fraction of the limits) taking
  // `duration` s (0: the controller's time).
  void Move(const Eigen::VectorXd& q, bool exact, double speed, double duration) {
    program_.instructions.push_back({.kind = InstructionKind::kMove,
                                     .q = q,
                                     .exact_stop = exact,
                                     .speed = speed,
                                     .duration = duration});
    ++fig_.moves;
  }
  // Sets an output.
  void Set(int signal, bool value, SignalRole role, const std::string& text) {
    program_.instructions.push_back({.kind = InstructionKind::kSetOutput,
                                     .signal = signal,
                                     .value = value,
                                     .role = role,
                                     .text = text});
  }
  // Waits for an input.
  void Wait(int signal, bool value, SignalRole role, const std::string& text) {
    program_.instructions.push_back({.kind = InstructionKind::kWaitInput,
                                     .signal = signal,
                                     .value = value,
                                     .role = role,
                                     .text = text});
  }
  // A zone is released only once the cell has withdrawn its grant (it saw the take): a grant
  // left on could otherwise let this robot into the zone again next cycle.
  void Release(const Take& t, const std::string& why) {
    program_.instructions.push_back(Comment(t.zone + ": " + why));
    Wait(t.input, false, SignalRole::kZone, t.zone);
    Set(t.output, true, SignalRole::kZone, t.zone);
  }

  // The start: a header comment, the move home, every zone of this robot clear and the
  // handshakes' resets.
  void WriteStart() {
    auto& ins = program_.instructions;
    ins.push_back(Comment(fmt::format("{} ({}): {} welds, {} segments", robot_.name,
                                      plan_.cell_name, rp_.welds.size(), num_segments_)));
    // From wherever the robot stands, on no planned path: slowly (Site::home_speed).
    Move(robot_.home, true, site_.speed_override * site_.home_speed, 0.0);
    std::sort(zone_outputs_.begin(), zone_outputs_.end());
    zone_outputs_.erase(std::unique(zone_outputs_.begin(), zone_outputs_.end()),
                        zone_outputs_.end());
    if (!zone_outputs_.empty()) ins.push_back(Comment("zones clear"));
    for (int out : zone_outputs_) Set(out, true, SignalRole::kZone, "");
    // Resets: no-ops in a running cell (each handshake returned to zero at the end of the
    // previous cycle); they give a defined state after a power-up.
    for (const Take& t : signals_given_) Set(t.output, false, SignalRole::kWeldSignal, t.zone);
    for (const Take& t : signals_waited_) Set(t.output, false, SignalRole::kWeldAck, t.zone);
  }

  // Segment k: its zone takes, weld-signal waits and releases on departure, then the weld or
  // the moves, then the releases on arrival at the next segment. A wait segment writes nothing.
  void WriteSegment(int k) {
    const plan::Segment& s = rp_.segments[static_cast<std::size_t>(k)];
    // A release on departure whose release_segment is a wait segment happens when the robot
    // moves on from that standstill: at the next motion or weld segment (or at the end).
    std::vector<Take>& departing = depart_releases_[k];
    departing.insert(departing.begin(), carried_.begin(), carried_.end());
    carried_.clear();
    if (s.kind == plan::SegmentKind::kWait) {
      carried_ = departing;
      return;
    }
    for (const Take& t : takes_[k]) {
      program_.instructions.push_back(Comment(t.zone + ": wait for zone, take it"));
      Wait(t.input, true, SignalRole::kZone, t.zone);
      Set(t.output, false, SignalRole::kZone, t.zone);
    }
    for (const Take& t : signal_waits_[k]) {
      program_.instructions.push_back(Comment(t.zone + ": wait until welded, ack"));
      Wait(t.input, true, SignalRole::kWeldSignal, t.zone);
      Set(t.output, true, SignalRole::kWeldAck, t.zone);
    }
    for (const Take& t : depart_releases_[k]) Release(t, "release zone, leaving");
    if (s.kind == plan::SegmentKind::kWeld) {
      WriteWeld(s);
    } else {
      WriteMotion(k, s);
    }
    for (const Take& t : arrive_releases_[k + 1]) Release(t, "left, release zone");
  }

  // A weld segment: the weld call, then the signals this weld gives.
  void WriteWeld(const plan::Segment& s) {
    auto& ins = program_.instructions;
    ++weld_number_;
    ins.push_back(Comment("weld " + s.to));
    ins.push_back({.kind = InstructionKind::kWeld,
                   .weld_id = s.to,
                   .weld_number = weld_number_,
                   .schedule = site_.schedule});
    fig_.planned_weld_time += s.times.back() - s.times.front();
    for (const Take& t : signal_after_weld_[s.to]) {
      // The previous cycle's acknowledge must be withdrawn first (in a running cell it is).
      ins.push_back(Comment(t.zone + ": welded, signal it"));
      Wait(t.input, false, SignalRole::kWeldAck, t.zone);
      Set(t.output, true, SignalRole::kWeldSignal, t.zone);
    }
  }

  // What motion segment k does, for the program's comment: "W1 -> W2" (travel), "approach W2"
  // and "retract W2" (along the weld's normal, before and after its weld segment).
  std::string MotionComment(int k, const plan::Segment& s) const {
    if (s.from != s.to || s.from == "home") return s.from + " -> " + s.to;
    const std::size_t next = static_cast<std::size_t>(k) + 1;
    const bool welds_next = next < rp_.segments.size() &&
                            rp_.segments[next].kind == plan::SegmentKind::kWeld &&
                            rp_.segments[next].from == s.to;
    return (welds_next ? "approach " : "retract ") + s.to;
  }

  // Motion segment k: its samples thinned to the waypoints that keep the path within the
  // corridor (and its chords collision-free), short moves merged, one move per waypoint.
  void WriteMotion(int k, const plan::Segment& s) {
    fig_.planned_motion_time += s.times.back() - s.times.front();
    fig_.planned_samples += static_cast<int>(s.q.size());
    if (s.q.size() <= 1) return;
    program_.instructions.push_back(Comment(MotionComment(k, s)));
    // A travel of no length (between two welds on one spot) is said, not moved: a move to the
    // point the robot stands at would be written at the slowest speed the dialect has.
    if (std::all_of(s.q.begin(), s.q.end(),
                    [&](const Eigen::VectorXd& q) { return q == s.q.front(); })) {
      return;
    }
    std::vector<int> keep = SelectWaypoints(s.q, site_.corridor_tolerance, &fig_.max_deviation);
    if (options_.corners != nullptr) {
      fig_.rechecked_waypoints += KeepCollidingChords(s.q, *options_.corners, &keep);
    }
    MergeShortMoves(s, site_, options_.corners, &keep, &fig_);
    fig_.waypoints[static_cast<std::size_t>(k)] = keep;
    for (std::size_t w = 1; w < keep.size(); ++w) WriteWaypointMove(k, s, keep, w);
  }

  // The move from waypoint keep[w - 1] to keep[w] of motion segment k, in its planned time.
  void WriteWaypointMove(int k, const plan::Segment& s, const std::vector<int>& keep,
                         std::size_t w) {
    const int i0 = keep[w - 1], i1 = keep[w];
    const Eigen::VectorXd& a = s.q[static_cast<std::size_t>(i0)];
    const Eigen::VectorXd& b = s.q[static_cast<std::size_t>(i1)];
    const double dt = s.times[static_cast<std::size_t>(i1)] - s.times[static_cast<std::size_t>(i0)];
    if (keep.size() > 2) {
      fig_.shortest_move = fig_.shortest_move > 0 ? std::min(fig_.shortest_move, dt) : dt;
    }
    const bool exact = w + 1 == keep.size() || StopsAtCorner(k, s, keep, w);
    const bool from_stop = w == 1 || program_.instructions.back().exact_stop;
    const double speed = MoveSpeed(a, b, dt, from_stop && exact);
    const double override = site_.speed_override;
    Move(b, exact, speed * override, dt / override);
  }

  // Whether the robot stops at inner waypoint keep[w] of motion segment k: a waypoint inside
  // the motion is blended only where the dialect's blend region around it is proved free
  // (corners.hpp) and its blend met no other robot (options.exact_stops,
  // exported_motion.hpp). Counts the corner, and notes it where blended.
  bool StopsAtCorner(int k, const plan::Segment& s, const std::vector<int>& keep, std::size_t w) {
    const int i1 = keep[w];
    const Eigen::VectorXd& a = s.q[static_cast<std::size_t>(keep[w - 1])];
    const Eigen::VectorXd& b = s.q[static_cast<std::size_t>(i1)];
    const bool free = site_.approximate && options_.corners != nullptr &&
                      options_.corners->BlendIsFree(
                          a, b, s.q[static_cast<std::size_t>(keep[w + 1])], options_.blend);
    const bool met_robot = free && MustStop(options_.exact_stops, k, i1);
    fig_.stopped_for_robots += met_robot ? 1 : 0;
    const bool exact = !free || met_robot;
    ++(exact ? fig_.stopped_corners : fig_.blended_corners);
    if (!exact) fig_.blended[static_cast<std::size_t>(k)].push_back(i1);
    return exact;
  }

  // The speed (a fraction of the joints' limits) of a move from a to b planned to take dt s.
  // A move from standstill to standstill: the lowest speed whose trapezoidal profile (URDF
  // limits) takes no longer than the planned time, or than the full-speed time where the
  // plan's move is shorter than that. One rule for every move: a short move limited by
  // acceleration, whose time is the same at any speed above the peak it reaches, gets that
  // peak (not 100 % when the plan's time is a hair below the full-speed time and some other
  // percentage when a hair above). Within a run of approximated moves: the cruise speed that
  // covers the move in its planned time (EstimateMotionTime models the same). docs/export.md
  // "Speeds".
  double MoveSpeed(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double dt,
                   bool stop_to_stop) const {
    if (!stop_to_stop) return std::clamp(CruiseTime(robot_, a, b, 1.0) / dt, 1e-3, 1.0);
    return SlowestSpeedWithin(robot_, a, b, std::max(dt, MoveTime(robot_, a, b, 1.0)));
  }

  // The end: the releases still due, the way back home if the plan does not end there, and
  // the handshakes returned to zero.
  void WriteEnd() {
    auto& ins = program_.instructions;
    depart_releases_[num_segments_].insert(depart_releases_[num_segments_].begin(),
                                           carried_.begin(), carried_.end());
    for (const Take& t : depart_releases_[num_segments_]) Release(t, "release zone at the end");
    // The plan ends at home; a plan whose last sample is elsewhere (not one weldcell writes)
    // still gets a program that ends there.
    Eigen::VectorXd last = robot_.home;
    for (const Instruction& i : ins) {
      if (i.kind == InstructionKind::kMove) last = i.q;
    }
    if ((last - robot_.home).cwiseAbs().maxCoeff() > 1e-9) {
      ins.push_back(Comment("back home"));
      const double t = MoveTime(robot_, last, robot_.home, 1.0);
      Move(robot_.home, true, site_.speed_override, t / site_.speed_override);
    }
    // The handshakes return to zero at home, after the last move: first every signal this robot
    // gave (it waits only for acknowledges the other robots give mid-cycle), then every
    // acknowledge it gave (waiting for those signals' return, which waits for nothing at the
    // ends): no two ends can wait for each other.
    for (const Take& t : signals_given_) {
      ins.push_back(Comment(t.zone + ": clear signal once acked"));
      Wait(t.input, true, SignalRole::kWeldAck, t.zone);
      Set(t.output, false, SignalRole::kWeldSignal, t.zone);
    }
    for (const Take& t : signals_waited_) {
      ins.push_back(Comment(t.zone + ": clear ack once signal off"));
      Wait(t.input, false, SignalRole::kWeldSignal, t.zone);
      Set(t.output, false, SignalRole::kWeldAck, t.zone);
    }
  }

  const plan::Plan& plan_;
  const cell::Robot& robot_;
  const int plan_index_;  // the robot's place in plan.json, as its errors name it
  const plan::RobotPlan& rp_;
  const int num_segments_;
  const Site& site_;
  const BuildOptions& options_;
  ProgramFigures fig_;
  Program program_;
  // Zone events by segment index; releases by release_segment.
  std::map<int, std::vector<Take>> takes_;
  std::map<int, std::vector<Take>> depart_releases_, arrive_releases_;
  std::vector<int> zone_outputs_;
  std::map<int, std::vector<Take>> signal_waits_;               // by segment
  std::map<std::string, std::vector<Take>> signal_after_weld_;  // by weld id
  std::vector<Take> signals_given_, signals_waited_;            // in plan order
  int weld_number_ = 0;
  std::vector<Take> carried_;  // releases on departure from a wait, due at the next move
};

}  // namespace

Program BuildProgram(const plan::Plan& plan, const cell::Cell& cell, int robot_index,
                     const std::string& name, const Site& site, ProgramFigures* figures,
                     const BuildOptions& options) {
  WELDCELL_CHECK(robot_index >= 0 && robot_index < static_cast<int>(cell.robots.size()));
  const cell::Robot& robot = cell.robots[static_cast<std::size_t>(robot_index)];
  // Errors about the plan name its robots as plan.json's reader does: by their place in it.
  const int plan_index = PlanRobotIndex(plan, robot.name, options.plan_file);
  return ProgramBuilder(plan, robot, plan_index, name, site, options).Build(figures);
}

namespace {

// A handshake's phase, per item number of a range (docs/export.md "Handshakes").
enum class Phase { kIdle, kOn, kReturned };

// Checks a program instruction by instruction (CheckProgram): moves within the limits, welds
// and I/O only at exact stops, every output guarded by its wait, zones taken and released and
// the handshakes returned to zero after the last move, from home to home. The steps share the
// inputs and what the instructions so far took, gave and waited for.
class ProgramCheck {
 public:
  ProgramCheck(const Program& program, const cell::Robot& robot, const Site& site,
               const std::string& file, double home_tolerance)
      : ins_(program.instructions),
        robot_(robot),
        site_(site),
        file_(file),
        home_tolerance_(home_tolerance),
        lower_(robot.model->lower_limits()),
        upper_(robot.model->upper_limits()) {}

  // Runs the check; the first problem throws, naming the instruction.
  void Run() {
    for (std::size_t i = 0; i < ins_.size(); ++i) CheckInstruction(i);
    if (pending_) Unanswered(*pending_);
    CheckEnds();
  }

 private:
  [[noreturn]] void FailAt(std::size_t i, const std::string& message) const {
    Fail(file_, fmt::format("instruction {}", i + 1), message);
  }
  static const char* OnOff(bool v) { return v ? "on" : "off"; }

  // The index of `signal` within range r, or -1.
  static int Item(const SignalRange& r, int signal) {
    return signal >= r.first && signal < r.first + r.count ? signal - r.first : -1;
  }
  // The index of x's signal within the site's range for its role (inputs or outputs), or -1.
  int ItemIn(const Instruction& x, bool input) const {
    switch (x.role) {
      case SignalRole::kZone:
        return Item(input ? site_.zone_inputs : site_.zone_outputs, x.signal);
      case SignalRole::kWeldSignal:
        return Item(input ? site_.weld_signal_inputs : site_.weld_signal_outputs, x.signal);
      case SignalRole::kWeldAck:
        return Item(input ? site_.weld_ack_inputs : site_.weld_ack_outputs, x.signal);
      case SignalRole::kNone:
        break;
    }
    return -1;
  }
  int InputItem(const Instruction& x) const { return ItemIn(x, true); }
  int OutputItem(const Instruction& x) const { return ItemIn(x, false); }

  // Instruction i, after the wait before it (if any) was answered.
  void CheckInstruction(std::size_t i) {
    const Instruction& x = ins_[i];
    if (x.kind != InstructionKind::kComment && x.kind != InstructionKind::kSetOutput && pending_) {
      Unanswered(*pending_);
    }
    switch (x.kind) {
      case InstructionKind::kMove:
        CheckMove(i);
        break;
      case InstructionKind::kWeld:
        if (!stopped_) FailAt(i, "a weld call after an approximated move (no exact stop)");
        if (x.weld_number != ++weld_number_) {
          FailAt(i,
                 fmt::format("weld number {} where {} was expected", x.weld_number, weld_number_));
        }
        if (!weld_ids_.insert(x.weld_id).second) FailAt(i, "weld " + x.weld_id + " welded twice");
        break;
      case InstructionKind::kWaitInput:
        if (!stopped_) FailAt(i, "a wait after an approximated move (no exact stop)");
        if (InputItem(x) < 0) {
          FailAt(i, fmt::format("input {} is in none of the site's input ranges", x.signal));
        }
        pending_ = i;
        break;
      case InstructionKind::kSetOutput:
        if (!stopped_) FailAt(i, "an output set after an approximated move (no exact stop)");
        if (OutputItem(x) < 0) {
          FailAt(i, fmt::format("output {} is in none of the site's output ranges", x.signal));
        }
        GuardedOutput(i, pending_);
        pending_.reset();
        break;
      case InstructionKind::kComment:
        break;
    }
  }

  // A move: the robot's joint count, each joint within its limits (URDF rad or m, with the
  // home tolerance).
  void CheckMove(std::size_t i) {
    const Instruction& x = ins_[i];
    if (x.q.size() != robot_.model->dof()) FailAt(i, "wrong number of joint values");
    for (Eigen::Index j = 0; j < x.q.size(); ++j) {
      if (!(x.q[j] >= lower_[j] - home_tolerance_ && x.q[j] <= upper_[j] + home_tolerance_)) {
        FailAt(i, fmt::format("joint {} at {:.6f} (URDF rad or m) is beyond its limits [{:.6f}, "
                              "{:.6f}]",
                              j + 1, x.q[j], lower_[j], upper_[j]));
      }
    }
    if (!first_move_) first_move_ = i;
    last_move_ = i;
    stopped_ = x.exact_stop;
    ++moves_;
  }

  // What a wait left without its output means.
  [[noreturn]] void Unanswered(std::size_t w) const {
    const Instruction& x = ins_[w];
    if (x.role == SignalRole::kZone && !x.value) {
      FailAt(w, fmt::format("zone input {} waited off but the zone is never released after it",
                            x.signal));
    }
    FailAt(w, fmt::format("input {} waited {} but the output it guards does not follow", x.signal,
                          OnOff(x.value)));
  }

  // An output with its wait right before (`w`), or none (a reset at the start).
  void GuardedOutput(std::size_t i, std::optional<std::size_t> w) {
    const Instruction& x = ins_[i];
    const int j = OutputItem(x);
    if (w) CheckGuard(i, *w, j);
    const bool reset = !w && moves_ <= 1;  // before the first move away from home
    switch (x.role) {
      case SignalRole::kZone:
        ZoneOutput(i, w, j, reset);
        break;
      case SignalRole::kWeldSignal:
        WeldSignalOutput(i, w, j, reset);
        break;
      case SignalRole::kWeldAck:
        AcknowledgeOutput(i, w, j, reset);
        break;
      case SignalRole::kNone:
        break;
    }
  }

  // The wait w before output i (item j of its range) is the one that guards it: the same item,
  // the zone's grant for a zone, the acknowledge for a weld signal, the signal for an
  // acknowledge.
  void CheckGuard(std::size_t i, std::size_t w, int j) const {
    const Instruction& x = ins_[i];
    const Instruction& y = ins_[w];
    const bool pair =
        InputItem(y) == j &&
        ((x.role == SignalRole::kZone && y.role == SignalRole::kZone && y.value != x.value) ||
         (x.role == SignalRole::kWeldSignal && y.role == SignalRole::kWeldAck &&
          y.value != x.value) ||
         (x.role == SignalRole::kWeldAck && y.role == SignalRole::kWeldSignal &&
          y.value == x.value));
    if (!pair) {
      FailAt(i, fmt::format("output {} set {} after a wait for input {} {}, which does not guard "
                            "it (number {} of the matching range)",
                            x.signal, OnOff(x.value), y.signal, OnOff(y.value), j + 1));
    }
  }

  // Zone output i (zone j): taken (off) after a wait, released (on) once taken and after the
  // grant is withdrawn; `reset`: an initial release that need not follow a take.
  void ZoneOutput(std::size_t i, std::optional<std::size_t> w, int j, bool reset) {
    const Instruction& x = ins_[i];
    if (!x.value) {
      if (!w) FailAt(i, fmt::format("zone output {} taken without a wait", x.signal));
      if (taken_[j]) FailAt(i, fmt::format("zone output {} taken twice", x.signal));
      taken_[j] = true;
    } else if (!reset || taken_[j]) {
      if (!taken_[j]) FailAt(i, fmt::format("zone output {} released but not taken", x.signal));
      if (!w) {
        FailAt(i, fmt::format("zone output {} released without first waiting for zone input "
                              "{} to go off (the cell's grant withdrawn)",
                              x.signal, site_.zone_inputs.first + j));
      }
      taken_[j] = false;
    }
  }

  // Weld signal output i (signal j, as giver): set once after its acknowledge is off, cleared
  // after the acknowledge, and before any acknowledge this robot gave returned.
  void WeldSignalOutput(std::size_t i, std::optional<std::size_t> w, int j, bool reset) {
    const Instruction& x = ins_[i];
    const int ack = site_.weld_ack_inputs.first + j;
    Phase& p = given_[j];
    if (x.value) {
      if (!w) {
        FailAt(i, fmt::format("weld signal output {} set without first waiting for its "
                              "acknowledge input {} to be off",
                              x.signal, ack));
      }
      if (p != Phase::kIdle) FailAt(i, fmt::format("weld signal output {} set twice", x.signal));
      p = Phase::kOn;
    } else if (!reset || p != Phase::kIdle) {
      if (!w) {
        FailAt(i, fmt::format("weld signal output {} cleared without waiting for its "
                              "acknowledge input {}",
                              x.signal, ack));
      }
      if (p != Phase::kOn) {
        FailAt(i, fmt::format("weld signal output {} cleared but not set", x.signal));
      }
      if (ack_returned_) {
        FailAt(i, fmt::format("weld signal output {} cleared after the acknowledge at "
                              "instruction {} returned: two programs' ends could wait for each "
                              "other",
                              x.signal, *ack_returned_ + 1));
      }
      p = Phase::kReturned;
      returns_.push_back(*w);
    }
  }

  // Acknowledge output i (signal j, as waiter): set once after the weld signal, cleared after
  // the signal went off.
  void AcknowledgeOutput(std::size_t i, std::optional<std::size_t> w, int j, bool reset) {
    const Instruction& x = ins_[i];
    const int in = site_.weld_signal_inputs.first + j;
    Phase& p = waited_for_[j];
    if (x.value) {
      if (!w) {
        FailAt(i, fmt::format("acknowledge output {} set without waiting for weld signal "
                              "input {}",
                              x.signal, in));
      }
      if (p != Phase::kIdle) {
        FailAt(i, fmt::format("acknowledge output {} set twice (weld signal input {} waited "
                              "for twice)",
                              x.signal, in));
      }
      p = Phase::kOn;
    } else if (!reset || p != Phase::kIdle) {
      if (!w) {
        FailAt(i, fmt::format("acknowledge output {} cleared without waiting for weld signal "
                              "input {} to go off",
                              x.signal, in));
      }
      if (p != Phase::kOn) {
        FailAt(i, fmt::format("acknowledge output {} cleared but not set", x.signal));
      }
      p = Phase::kReturned;
      returns_.push_back(*w);
      if (!ack_returned_) ack_returned_ = *w;
    }
  }

  // After the last instruction: a move at all, from home to home, every zone released, every
  // handshake returned to zero and only after the last move.
  void CheckEnds() const {
    if (!first_move_) Fail(file_, "", "no move in the program");
    auto at_home = [&](std::size_t i) {
      return (ins_[i].q - robot_.home).cwiseAbs().maxCoeff() <= home_tolerance_;
    };
    if (!at_home(*first_move_)) FailAt(*first_move_, "the program does not start at home");
    if (!at_home(*last_move_)) FailAt(*last_move_, "the program does not end at home");
    for (const auto& [j, is_taken] : taken_) {
      if (is_taken) {
        Fail(file_, "",
             fmt::format("zone output {} is never released", site_.zone_outputs.first + j));
      }
    }
    for (const auto& [j, p] : given_) {
      if (p == Phase::kOn) {
        Fail(file_, "",
             fmt::format("weld signal output {} is set but never cleared after its acknowledge "
                         "input {} (the handshake does not return to zero)",
                         site_.weld_signal_outputs.first + j, site_.weld_ack_inputs.first + j));
      }
    }
    for (const auto& [j, p] : waited_for_) {
      if (p == Phase::kOn) {
        Fail(file_, "",
             fmt::format("acknowledge output {} is set but never cleared after weld signal input "
                         "{} went off (the handshake does not return to zero)",
                         site_.weld_ack_outputs.first + j, site_.weld_signal_inputs.first + j));
      }
    }
    for (const std::size_t w : returns_) {
      if (w < *last_move_) {
        FailAt(w,
               "a handshake returns to zero before the last move: it waits for another robot's "
               "end of cycle, which may wait for this robot");
      }
    }
  }

  const std::vector<Instruction>& ins_;
  const cell::Robot& robot_;
  const Site& site_;
  const std::string& file_;
  const double home_tolerance_;
  const Eigen::VectorXd lower_;  // joint limits, URDF rad or m
  const Eigen::VectorXd upper_;
  std::optional<std::size_t> first_move_, last_move_;
  bool stopped_ = true;  // the robot stands (program start, after an exact stop)
  std::set<std::string> weld_ids_;
  int weld_number_ = 0;
  int moves_ = 0;
  std::map<int, bool> taken_;                // zone -> taken
  std::map<int, Phase> given_, waited_for_;  // weld signal -> phase (as giver / as waiter)
  std::vector<std::size_t> returns_;         // instructions that must follow the last move
  std::optional<std::size_t> ack_returned_;  // first acknowledge returned to zero
  std::optional<std::size_t> pending_;       // a wait not yet followed by its output
};

}  // namespace

void CheckProgram(const Program& program, const cell::Robot& robot, const Site& site,
                  const std::string& file, double home_tolerance) {
  ProgramCheck(program, robot, site, file, home_tolerance).Run();
}

}  // namespace weldcell::exporters
