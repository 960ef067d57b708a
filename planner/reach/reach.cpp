#include "planner/reach/reach.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <optional>
#include <sstream>
#include <utility>

#include "planner/cell/weld_frame.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/common/check.hpp"
#include "planner/common/parallel.hpp"
#include "planner/kinematics/ik.hpp"

namespace weldcell::reach {

std::string_view ToString(ReachStatus status) {
  switch (status) {
    case ReachStatus::kReachable:
      return "reachable";
    case ReachStatus::kOutOfRange:
      return "out of range";
    case ReachStatus::kJointLimits:
      return "joint limits";
    case ReachStatus::kCollision:
      return "collision";
    case ReachStatus::kApproachBlocked:
      return "approach blocked";
    case ReachStatus::kTooClose:
      return "too close";
  }
  return "?";
}

bool ReachMap::reachable(int weld) const {
  for (int r = 0; r < robot_count_; ++r) {
    if (at(weld, r).status == ReachStatus::kReachable) return true;
  }
  return false;
}

namespace {

// Per-robot solvers, shared read-only by all workers.
struct RobotSolvers {
  std::unique_ptr<kinematics::IkSolver> ik;
  // The same arm with its joint limits opened to a full turn: only used to tell "out of range"
  // from "joint limits" when no pose is reachable.
  std::unique_ptr<kinematics::IkSolver> ik_unlimited;
};

RobotSolvers MakeSolvers(const cell::Robot& robot, const kinematics::Chain& chain) {
  cell::RobotModel open = *robot.model;
  for (cell::Joint& j : open.joints) {
    if (j.type == cell::JointType::kRevolute) {
      j.lower = -std::numbers::pi - 1e-9;
      j.upper = std::numbers::pi + 1e-9;
    }
  }
  return {.ik = kinematics::MakeIkSolver(chain),
          .ik_unlimited = kinematics::MakeIkSolver(kinematics::Chain(open))};
}

struct PoseSample {
  double spin;
  double tilt;
  double tilt_direction;
  int spin_index;  // into the sampled spins, in order
};

// Spins over the allowed range at the configured step (both ends when the range is not a full
// turn), times tilts: the normal itself, then rings of tilt_step up to the tolerance, each ring
// in 4 directions.
std::vector<PoseSample> PoseSamples(const cell::Weld& weld, const cell::ReachSettings& settings) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  const cell::PoseSampleCount count = cell::CountPoseSamples(weld, settings);
  // LoadCell bounds the steps so that this holds; a cell built in code must respect it too.
  WELDCELL_CHECK(count.total() <= cell::kMaxPoseSamplesPerWeld);
  std::vector<double> spins;
  if (count.full_turn) {
    const auto n = static_cast<double>(count.spins);
    for (std::int64_t i = 0; i < count.spins; ++i) {
      spins.push_back(weld.spin_min + static_cast<double>(i) * kTwoPi / n);
    }
  } else {
    const double range = weld.spin_max - weld.spin_min;
    const auto n = static_cast<double>(count.spins - 1);
    for (std::int64_t i = 0; i < count.spins; ++i) {
      spins.push_back(weld.spin_min + static_cast<double>(i) * range / n);
    }
  }
  std::vector<double> tilts = {0.0};
  for (std::int64_t k = 1; k <= count.tilt_rings; ++k) {
    tilts.push_back(static_cast<double>(k) * settings.tilt_step);
  }
  std::vector<PoseSample> out;
  for (std::size_t i = 0; i < spins.size(); ++i) {
    const int index = static_cast<int>(i);
    for (double tilt : tilts) {
      if (tilt == 0.0) {
        out.push_back({spins[i], 0.0, 0.0, index});
      } else {
        for (int d = 0; d < 4; ++d)
          out.push_back({spins[i], tilt, d * std::numbers::pi / 2, index});
      }
    }
  }
  return out;
}

// Numbers the runs of consecutive spins (indices 0..spins-1; the last is next to the first on a
// full turn) that have a candidate, and writes each candidate's run into spin_window.
void LabelSpinWindows(int spins, bool full_turn, const std::vector<int>& spin_index_of,
                      std::vector<Candidate>* candidates) {
  std::vector<bool> free(static_cast<std::size_t>(spins), false);
  for (int i : spin_index_of) free[static_cast<std::size_t>(i)] = true;
  std::vector<int> window(static_cast<std::size_t>(spins), -1);
  int next = 0;
  for (int i = 0; i < spins; ++i) {
    if (!free[i]) continue;
    window[i] = i > 0 && free[i - 1] ? window[i - 1] : next++;
  }
  // On a full turn the run through the last spin continues into the one through spin 0.
  if (full_turn && spins > 1 && free[0] && free[spins - 1] && window[spins - 1] != window[0]) {
    const int merged = window[spins - 1];
    for (int& w : window) {
      if (w == merged) w = window[0];
    }
  }
  for (std::size_t c = 0; c < candidates->size(); ++c) {
    (*candidates)[c].spin_window = window[static_cast<std::size_t>(spin_index_of[c])];
  }
}

double PostureCost(const Eigen::VectorXd& q, const Eigen::VectorXd& reference,
                   const Eigen::VectorXd& velocity) {
  return ((q - reference).cwiseAbs().array() / velocity.array()).sum();
}

// Counts how often each contact pair blocked a pose, for the reason text.
class ContactTally {
 public:
  void Add(const collision::CollisionResult& r) {
    if (r.contacts.empty()) return;
    const collision::Contact& c = r.contacts.front();
    AddReason(std::string(c.first.name) + " – " + std::string(c.second.name));
  }
  void AddReason(const std::string& reason) { ++counts_[reason]; }
  bool empty() const { return counts_.empty(); }
  // The most frequent pairs first (ties by name), at most three.
  std::string Summary() const {
    std::vector<std::pair<std::string, int>> v(counts_.begin(), counts_.end());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string out;
    for (std::size_t i = 0; i < v.size() && i < 3; ++i) {
      if (!out.empty()) out += ", ";
      out += v[i].first + " (" + std::to_string(v[i].second) + " poses)";
    }
    if (v.size() > 3) out += ", …";
    return out;
  }

 private:
  std::map<std::string, int> counts_;
};

// The IK solution for the backed-off pose that continues the weld configuration q: the nearest
// one, if no joint has to move by more than kMaxJump (otherwise the arm would flip branches).
std::optional<Eigen::VectorXd> ApproachConfiguration(const kinematics::IkSolver& ik,
                                                     const Eigen::Isometry3d& X_BF_approach,
                                                     const Eigen::VectorXd& q) {
  constexpr double kMaxJump = 0.5;  // rad; a 0.1 m back-off moves no joint of an arm this much
  kinematics::IkRequest request;
  request.seed = q;
  request.distinct_solutions = 8;
  const std::vector<Eigen::VectorXd> solutions = ik.Solve(X_BF_approach, request);
  std::optional<Eigen::VectorXd> best;
  double best_jump = kMaxJump;
  for (const Eigen::VectorXd& s : solutions) {
    const double jump = (s - q).cwiseAbs().maxCoeff();
    if (jump < best_jump) {
      best_jump = jump;
      best = s;
    }
  }
  return best;
}

// Why one weld's poses failed, stage by stage: IK solutions within the limits, contacts at the
// weld and on the approach, poses under the minimum clearance and the closest of them (m).
struct ReachFailures {
  int ik_hits = 0;
  ContactTally at_weld;
  ContactTally on_approach;
  int too_close = 0;
  double closest = std::numeric_limits<double>::infinity();
};

// The reach check of one weld by one robot: every sampled tool pose's IK solutions that are
// collision-free at the weld and on the approach and clear enough become candidates; with
// none, the result tells the farthest stage any pose got to. The steps share the inputs, the
// frames (base B, flange F, TCP T, world W), the tally of failures and the result.
class WeldReachCheck {
 public:
  WeldReachCheck(const cell::Cell& cell, const collision::CollisionWorld& world,
                 collision::CollisionContext& ctx, const RobotSolvers& solvers, int robot_index,
                 const cell::Weld& weld, const ReachOptions& options)
      : cell_(cell),
        world_(world),
        ctx_(ctx),
        solvers_(solvers),
        robot_index_(robot_index),
        weld_(weld),
        options_(options),
        robot_(cell.robots[robot_index]),
        tool_(robot_.tool),
        X_BW_(robot_.X_WB.inverse()),
        X_TF_(tool_.X_FT.inverse()),
        resolution_(cell.settings.motion.resolution),
        min_clearance_(cell.settings.reach.min_clearance),
        chain_(solvers.ik->chain()),
        working_(WorkingPosture(chain_, robot_.home, X_BW_ * weld.p_W)) {
    request_.seed = robot_.home;
    request_.distinct_solutions = 8;
  }

  // Runs the check: the candidates with their spin windows, or why there are none.
  WeldReach Run() {
    for (const PoseSample& p : PoseSamples(weld_, cell_.settings.reach)) {
      if (Enough()) break;
      TryPose(p);
    }
    if (!out_.candidates.empty()) {
      const cell::PoseSampleCount count = cell::CountPoseSamples(weld_, cell_.settings.reach);
      LabelSpinWindows(static_cast<int>(count.spins), count.full_turn, spin_index_of_,
                       &out_.candidates);
      out_.status = ReachStatus::kReachable;
      return std::move(out_);
    }
    ExplainUnreachable();
    return std::move(out_);
  }

 private:
  // Whether options.max_candidates candidates are found (0: no limit).
  bool Enough() const {
    return options_.max_candidates > 0 &&
           out_.candidates.size() >= static_cast<std::size_t>(options_.max_candidates);
  }

  // Tries every IK solution (within the limits) of one sampled tool pose.
  void TryPose(const PoseSample& p) {
    const Eigen::Isometry3d X_WT = WeldTcpPose(weld_, p.spin, p.tilt, p.tilt_direction);
    const Eigen::Isometry3d X_BF = X_BW_ * X_WT * X_TF_;
    const std::vector<kinematics::IkSolution> solutions =
        solvers_.ik->SolveWithBranches(X_BF, request_);
    failures_.ik_hits += static_cast<int>(solutions.size());
    Eigen::Isometry3d X_WT_approach = X_WT;
    X_WT_approach.translation() += tool_.approach_distance * weld_.n_W;
    const Eigen::Isometry3d X_BF_approach = X_BW_ * X_WT_approach * X_TF_;
    for (const kinematics::IkSolution& s : solutions) {
      if (Enough()) break;
      TrySolution(p, s, X_BF_approach);
    }
  }

  // Keeps IK solution s of pose p as a candidate when it is collision-free, has a free
  // approach (flange pose X_BF_approach, base frame) and the minimum clearance; else tallies why.
  void TrySolution(const PoseSample& p, const kinematics::IkSolution& s,
                   const Eigen::Isometry3d& X_BF_approach) {
    const collision::CollisionResult hit = world_.CheckRobot(ctx_, robot_index_, s.q);
    if (hit.in_collision()) {
      failures_.at_weld.Add(hit);
      return;
    }
    const std::optional<Eigen::VectorXd> q_approach = FreeApproach(s.q, X_BF_approach);
    if (!q_approach) return;
    const collision::DistanceResult d =
        options_.exact_clearance
            ? world_.Clearance(ctx_, robot_index_, s.q)
            : world_.Clearance(ctx_, robot_index_, s.q,
                               {.max_distance = std::max(0.0, min_clearance_)});
    if (d.distance < min_clearance_) {
      ++failures_.too_close;
      failures_.closest = std::min(failures_.closest, d.distance);
      return;
    }
    out_.candidates.push_back({.q = s.q,
                               .q_approach = *q_approach,
                               .spin = p.spin,
                               .tilt = p.tilt,
                               .branch = s.branch,
                               .clearance = d.distance,
                               .posture = PostureCost(s.q, working_, chain_.velocity_limits())});
    spin_index_of_.push_back(p.spin_index);
  }

  // The configuration at the approach point (flange pose X_BF_approach, base frame) whose
  // straight joint move to q is free with the swept margin; q itself for a tool without an
  // approach distance; none (tallied) when there is no such configuration.
  std::optional<Eigen::VectorXd> FreeApproach(const Eigen::VectorXd& q,
                                              const Eigen::Isometry3d& X_BF_approach) {
    if (tool_.approach_distance > 0) {
      std::optional<Eigen::VectorXd> qa = ApproachConfiguration(*solvers_.ik, X_BF_approach, q);
      if (!qa) {
        failures_.on_approach.AddReason("no continuous IK solution (joint limits or singularity)");
        return std::nullopt;
      }
      // With the swept margin, as every planned motion (segment_planner.cpp).
      const collision::SegmentCheckResult seg = collision::CheckJointSegment(
          world_, ctx_, robot_index_, *qa, q,
          {.resolution = resolution_, .margin = collision::SweptMargin(resolution_)});
      if (!seg.free()) {
        failures_.on_approach.Add(seg.collision);
        return std::nullopt;
      }
      return qa;
    }
    return q;
  }

  // Sets the status and detail of a weld without candidates: the farthest stage any pose got to.
  void ExplainUnreachable() {
    if (failures_.too_close > 0) {
      out_.status = ReachStatus::kTooClose;
      out_.detail = "closest pose is " + std::to_string(failures_.closest * 1000.0).substr(0, 6) +
                    " mm from an obstacle, " +
                    std::to_string(min_clearance_ * 1000.0).substr(0, 6) + " mm required";
    } else if (!failures_.on_approach.empty()) {
      out_.status = ReachStatus::kApproachBlocked;
      out_.detail = failures_.on_approach.Summary();
    } else if (!failures_.at_weld.empty()) {
      out_.status = ReachStatus::kCollision;
      out_.detail = failures_.at_weld.Summary();
    } else if (failures_.ik_hits == 0) {
      // Nothing within the limits: is it reachable at all, and what would it take?
      const BeyondLimits beyond = SolveBeyondLimits();
      if (beyond.solutions == 0) {
        out_.status = ReachStatus::kOutOfRange;
        out_.detail = OutOfRangeDetail();
      } else if (beyond.joint < 0 && !beyond.hits.empty()) {
        // Wider limits would not help: what the poses hit is the reason to give.
        out_.status = ReachStatus::kCollision;
        out_.detail = beyond.hits.Summary() + "; and no pose is within the joint limits";
      } else {
        out_.status = ReachStatus::kJointLimits;
        out_.detail = JointLimitsDetail(beyond);
      }
    }
  }

  // The sampled poses' IK solutions with the joint limits opened to a full turn: how many,
  // the one clear of the obstacles that needs the least beyond the limits, and what the others
  // hit.
  struct BeyondLimits {
    int solutions = 0;
    int joint = -1;      // of the nearest free solution: its joint furthest beyond its limit
    double value = 0.0;  // that joint's value there (rad, m), at the turn nearest its range
    double excess = std::numeric_limits<double>::infinity();  // beyond the limit (rad, m)
    ContactTally hits;                                        // of the solutions in collision
  };

  BeyondLimits SolveBeyondLimits() {
    kinematics::IkRequest open_request;
    open_request.include_2pi_equivalents = false;
    open_request.distinct_solutions = 8;
    BeyondLimits out;
    for (const PoseSample& p : PoseSamples(weld_, cell_.settings.reach)) {
      const Eigen::Isometry3d X_BF =
          X_BW_ * WeldTcpPose(weld_, p.spin, p.tilt, p.tilt_direction) * X_TF_;
      for (const kinematics::IkSolution& s :
           solvers_.ik_unlimited->SolveWithBranches(X_BF, open_request)) {
        ++out.solutions;
        // Against the obstacles only: the robot's own pairs are checked as the planner checks
        // them, which leaves out pairs never in contact within the limits (a fresh user's
        // "nearest free pose" had its upper arm in its base).
        const collision::CollisionResult hit = world_.CheckRobot(
            ctx_, robot_index_, s.q, {.scope = collision::CheckScope::kEnvironment});
        if (hit.in_collision()) {
          out.hits.Add(hit);
          continue;
        }
        // The solution's joint furthest beyond its limit decides; the least of those wins.
        int worst = -1;
        double worst_value = 0.0;
        double worst_excess = 0.0;
        for (int j = 0; j < chain_.dof(); ++j) {
          const auto [value, excess] = BeyondLimit(j, s.q[j]);
          if (excess > worst_excess) {
            worst = j;
            worst_value = value;
            worst_excess = excess;
          }
        }
        if (worst >= 0 && worst_excess < out.excess) {
          out.joint = worst;
          out.value = worst_value;
          out.excess = worst_excess;
        }
      }
    }
    return out;
  }

  // Joint j at value q: the value at the turn nearest the joint's range (revolute joints) and
  // how far that lies beyond the range (0 within it).
  std::pair<double, double> BeyondLimit(int j, double q) const {
    constexpr double kTwoPi = 2.0 * std::numbers::pi;
    const double lower = chain_.lower()[j];
    const double upper = chain_.upper()[j];
    auto excess = [&](double v) { return std::max({0.0, lower - v, v - upper}); };
    if (chain_.joint_type(j) != cell::JointType::kRevolute) return {q, excess(q)};
    double best = q;
    for (double v : {q - kTwoPi, q + kTwoPi}) {
      if (excess(v) < excess(best)) best = v;
    }
    return {best, excess(best)};
  }

  // "Every pose needs a joint beyond its limits", with the joint and value the nearest
  // pose clear of the obstacles needs.
  std::string JointLimitsDetail(const BeyondLimits& beyond) const {
    std::string detail = "every pose needs a joint beyond its limits";
    if (beyond.joint < 0) return detail;
    const int j = beyond.joint;
    const bool revolute = chain_.joint_type(j) == cell::JointType::kRevolute;
    const double scale = revolute ? 180.0 / std::numbers::pi : 1.0;
    const char* unit = revolute ? " deg" : " m";
    std::ostringstream text;
    text << std::fixed << std::setprecision(revolute ? 1 : 3) << detail
         << "; the nearest pose clear of the obstacles needs joint " << j + 1 << " ("
         << chain_.joint_names()[j] << ") at " << beyond.value * scale << unit << ", its limits "
         << chain_.lower()[j] * scale << " to " << chain_.upper()[j] * scale << unit;
    return text.str();
  }

  // "No pose within the arm's reach" with the weld's distance from the robot base (m).
  std::string OutOfRangeDetail() const {
    const double distance = (X_BW_ * weld_.p_W).norm();
    // Millimetres up to 1 km, then the order of magnitude (a weld at 1e30 read "10000 m").
    char distance_text[32];
    std::snprintf(distance_text, sizeof distance_text, distance < 1000.0 ? "%.3f" : "%.4g",
                  distance);
    return "no pose within the arm's reach (weld " + std::string(distance_text) +
           " m from the base)";
  }

  const cell::Cell& cell_;
  const collision::CollisionWorld& world_;
  collision::CollisionContext& ctx_;
  const RobotSolvers& solvers_;
  const int robot_index_;
  const cell::Weld& weld_;
  const ReachOptions& options_;
  const cell::Robot& robot_;
  const cell::Tool& tool_;
  const Eigen::Isometry3d X_BW_;  // world to robot base
  const Eigen::Isometry3d X_TF_;  // TCP to flange
  const double resolution_;       // of the approach's segment check (m)
  const double min_clearance_;    // m
  const kinematics::Chain& chain_;
  const Eigen::VectorXd working_;  // the posture costs are measured from
  kinematics::IkRequest request_;
  ReachFailures failures_;
  WeldReach out_;
  std::vector<int> spin_index_of_;  // per candidate
};

WeldReach ReachOne(const cell::Cell& cell, const collision::CollisionWorld& world,
                   collision::CollisionContext& ctx, const RobotSolvers& solvers, int robot_index,
                   const cell::Weld& weld, const ReachOptions& options) {
  return WeldReachCheck(cell, world, ctx, solvers, robot_index, weld, options).Run();
}

}  // namespace

ReachMap ReachAll(const cell::Cell& cell, const collision::CollisionWorld& world,
                  const ReachOptions& options) {
  const int robots = static_cast<int>(cell.robots.size());
  const int welds = static_cast<int>(cell.welds.size());
  WELDCELL_CHECK(world.robot_count() == robots);
  std::vector<RobotSolvers> solvers;
  for (int r = 0; r < robots; ++r) solvers.push_back(MakeSolvers(cell.robots[r], world.chain(r)));

  ReachMap map(welds, robots);
  const int threads = std::min(ResolveThreadCount(options.threads), std::max(welds, 1));
  std::vector<collision::CollisionContext> contexts;
  for (int t = 0; t < threads; ++t) contexts.emplace_back(world);
  std::mutex progress_mutex;
  int done = 0;
  ParallelFor(
      welds, threads,
      [&](int w, int worker) {
        for (int r = 0; r < robots; ++r) {
          if (options.pairs && !options.pairs(w, r)) {
            map.at(w, r).detail = "not computed";
            continue;
          }
          map.at(w, r) =
              ReachOne(cell, world, contexts[worker], solvers[r], r, cell.welds[w], options);
        }
        // Counted and reported under one lock: the reports are in order.
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress.Report(kReachStage, ++done, welds);
      },
      [&options] { return options.progress.cancelled(); });
  return map;
}

Eigen::VectorXd WorkingPosture(const kinematics::Chain& chain, const Eigen::VectorXd& home,
                               const Eigen::Vector3d& p_B) {
  constexpr double kMinOffset = 0.01;  // m from the axis of joint 1 to count as a direction
  Eigen::VectorXd out = home;
  if (chain.dof() < 2 || chain.joint_type(0) != cell::JointType::kRevolute) return out;
  // The shoulder (the origin of the link after joint 2) at home and with joint 1 turned a
  // little: tells the direction the arm faces and the sense of joint 1 about the base's z.
  std::vector<Eigen::Isometry3d> X_BL;
  auto facing_point = [&](const Eigen::VectorXd& q) {
    chain.LinkPoses(q, &X_BL);
    const Eigen::Vector3d shoulder =
        X_BL[static_cast<std::size_t>(chain.joint_child_link(1))].translation();
    return shoulder.head<2>().norm() >= kMinOffset ? shoulder : chain.FlangePose(q).translation();
  };
  const Eigen::Vector3d a = facing_point(home);
  if (a.head<2>().norm() < kMinOffset || p_B.head<2>().norm() < kMinOffset) return out;
  constexpr double kStep = 0.01;  // rad
  Eigen::VectorXd turned = home;
  turned[0] += kStep;
  const Eigen::Vector3d b = facing_point(turned);
  const double facing = std::atan2(a.y(), a.x());
  const double rate = kinematics::internal::WrapToPi(std::atan2(b.y(), b.x()) - facing) / kStep;
  // Joint 1 must turn the arm about an axis near the base's z (rate ±1), else no aim.
  if (std::abs(std::abs(rate) - 1.0) > 0.05) return out;
  const double turn = kinematics::internal::WrapToPi(std::atan2(p_B.y(), p_B.x()) - facing);
  out[0] = home[0] + turn / rate;
  return out;
}

std::vector<int> DiverseCandidates(const std::vector<Candidate>& candidates, int k) {
  constexpr double kDistinct = 0.3;  // rad, max-norm
  std::vector<int> chosen;
  if (candidates.empty() || k <= 0) return chosen;
  std::vector<int> order(candidates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const Candidate& x = candidates[a];
    const Candidate& y = candidates[b];
    if (x.posture != y.posture) return x.posture < y.posture;
    return x.clearance > y.clearance;
  });
  const int window = candidates[order.front()].spin_window;
  std::erase_if(order, [&](int i) { return candidates[i].spin_window != window; });
  auto distinct = [&](int i) {
    for (int j : chosen) {
      if ((candidates[i].q - candidates[j].q).cwiseAbs().maxCoeff() < kDistinct) return false;
    }
    return true;
  };
  // Branches in order of their best candidate; each offers its best first.
  std::vector<int> branches;
  for (int i : order) {
    if (std::find(branches.begin(), branches.end(), candidates[i].branch) == branches.end()) {
      branches.push_back(candidates[i].branch);
    }
  }
  for (int b : branches) {
    if (static_cast<int>(chosen.size()) >= k) return chosen;
    for (int i : order) {
      if (candidates[i].branch == b && distinct(i)) {
        chosen.push_back(i);
        break;
      }
    }
  }
  // Then the spin farthest from the branch's offered spins, as long as one is distinct.
  auto spin_distance = [](double a, double b) {
    return std::abs(kinematics::internal::WrapToPi(a - b));
  };
  auto take_spread = [&](int b) {
    int best = -1;
    double best_gain = -1.0;
    for (int i : order) {
      if (candidates[i].branch != b || !distinct(i)) continue;
      double gain = std::numeric_limits<double>::infinity();
      for (int j : chosen) {
        if (candidates[j].branch == b) {
          gain = std::min(gain, spin_distance(candidates[i].spin, candidates[j].spin));
        }
      }
      if (gain > best_gain) {
        best_gain = gain;
        best = i;
      }
    }
    if (best >= 0) chosen.push_back(best);
    return best >= 0;
  };
  int rest = k - static_cast<int>(chosen.size());
  for (std::size_t n = 0; n < branches.size() && rest > 0; ++n) {
    const int quota = n + 1 == branches.size() ? rest : (rest + 1) / 2;
    for (int q = 0; q < quota && take_spread(branches[n]); ++q) --rest;
  }
  // Slots a branch could not use go round the branches again.
  for (bool progress = true; rest > 0 && progress;) {
    progress = false;
    for (int b : branches) {
      if (rest > 0 && take_spread(b)) {
        --rest;
        progress = true;
      }
    }
  }
  return chosen;
}

}  // namespace weldcell::reach
