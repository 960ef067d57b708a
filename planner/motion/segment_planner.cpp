#include "planner/motion/segment_planner.hpp"

#include <ompl/base/MotionValidator.h>
#include <ompl/base/ProblemDefinition.h>
#include <ompl/base/SpaceInformation.h>
#include <ompl/base/StateSampler.h>
#include <ompl/base/spaces/RealVectorStateSpace.h>
#include <ompl/datastructures/NearestNeighborsLinear.h>
#include <ompl/geometric/PathGeometric.h>
#include <ompl/geometric/planners/rrt/RRTConnect.h>
#include <ompl/util/Console.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/common/check.hpp"
#include "planner/common/random.hpp"
#include "planner/kinematics/chain.hpp"

namespace weldcell::motion {

namespace ob = ompl::base;
namespace og = ompl::geometric;

std::string_view ToString(SegmentStatus status) {
  switch (status) {
    case SegmentStatus::kSolved:
      return "solved";
    case SegmentStatus::kStartInCollision:
      return "start in collision";
    case SegmentStatus::kGoalInCollision:
      return "goal in collision";
    case SegmentStatus::kNoPathFound:
      return "no path found";
  }
  return "?";
}

std::string_view ToString(SegmentSearch search) {
  switch (search) {
    case SegmentSearch::kFull:
      return "full";
    case SegmentSearch::kNear:
      return "near";
    case SegmentSearch::kWide:
      return "wide";
    case SegmentSearch::kWhole:
      return "whole-range";
    case SegmentSearch::kLong:
      return "long whole-range";
    case SegmentSearch::kDirect:
      return "direct";
  }
  return "?";
}

namespace {

std::string VectorText(const Eigen::VectorXd& v) {
  std::ostringstream out;
  out.precision(17);
  out << '[';
  for (Eigen::Index i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
  return out.str() + ']';
}

Eigen::VectorXd ToVector(const ob::State* s, int dof) {
  const auto* rv = s->as<ob::RealVectorStateSpace::StateType>();
  Eigen::VectorXd q(dof);
  for (int i = 0; i < dof; ++i) q[i] = rv->values[i];
  return q;
}

void FromVector(const Eigen::VectorXd& q, ob::State* s) {
  auto* rv = s->as<ob::RealVectorStateSpace::StateType>();
  for (Eigen::Index i = 0; i < q.size(); ++i) rv->values[i] = q[i];
}

// Uniform sampling from our own generator, so that planning does not depend on OMPL's global
// seed sequence (which depends on how many samplers other threads made before).
class SeededSampler : public ob::StateSampler {
 public:
  SeededSampler(const ob::StateSpace* space, std::mt19937_64* rng)
      : ob::StateSampler(space), rng_(rng) {}
  void sampleUniform(ob::State* state) override {
    const auto& bounds = space_->as<ob::RealVectorStateSpace>()->getBounds();
    auto* rv = state->as<ob::RealVectorStateSpace::StateType>();
    for (std::size_t i = 0; i < bounds.low.size(); ++i) {
      rv->values[i] = std::uniform_real_distribution<double>(bounds.low[i], bounds.high[i])(*rng_);
    }
  }
  void sampleUniformNear(ob::State* state, const ob::State* near, double distance) override {
    const auto& bounds = space_->as<ob::RealVectorStateSpace>()->getBounds();
    auto* rv = state->as<ob::RealVectorStateSpace::StateType>();
    const auto* c = near->as<ob::RealVectorStateSpace::StateType>();
    for (std::size_t i = 0; i < bounds.low.size(); ++i) {
      const double lo = std::max(bounds.low[i], c->values[i] - distance);
      const double hi = std::min(bounds.high[i], c->values[i] + distance);
      rv->values[i] = std::uniform_real_distribution<double>(lo, hi)(*rng_);
    }
  }
  void sampleGaussian(ob::State* state, const ob::State* mean, double std_dev) override {
    const auto& bounds = space_->as<ob::RealVectorStateSpace>()->getBounds();
    auto* rv = state->as<ob::RealVectorStateSpace::StateType>();
    const auto* m = mean->as<ob::RealVectorStateSpace::StateType>();
    for (std::size_t i = 0; i < bounds.low.size(); ++i) {
      const double v = std::normal_distribution<double>(m->values[i], std_dev)(*rng_);
      rv->values[i] = std::clamp(v, bounds.low[i], bounds.high[i]);
    }
  }

 private:
  std::mt19937_64* rng_;
};

}  // namespace

struct SegmentPlanner::Impl {
  const collision::CollisionWorld* world;
  int robot;
  int dof;
  collision::CollisionContext ctx;
  std::mt19937_64 rng;
  double resolution = 0.005;
  ob::SpaceInformationPtr si;
  std::shared_ptr<ob::RealVectorStateSpace> space;
  std::shared_ptr<og::RRTConnect> rrt;

  Impl(const collision::CollisionWorld& w, int r)
      : world(&w), robot(r), dof(w.chain(r).dof()), ctx(w) {}

  // Tree states keep the swept margin too: a motion from a state nearer than that always fails.
  bool Valid(const Eigen::VectorXd& q) {
    return !world->CheckRobot(ctx, robot, q, {.margin = collision::SweptMargin(resolution)})
                .in_collision();
  }
  int motion_checks = 0;  // tree extensions tried in the current query

  // Exploring with the sampling-based planner checks motions lazily, at a coarse resolution;
  // the path it returns is then checked at the full resolution (and planned again at the full
  // resolution in the rare case that fails). Most of the tree's edges never become the path.
  static constexpr double kCoarseFactor = 8.0;
  bool lazy = false;

  // Motions keep the robot SweptMargin(resolution) from everything at every sample, which makes
  // "free" hold for the whole motion (segment_check.hpp), so the verifier's differently placed
  // samples find no contact either.
  bool CoarseFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return collision::CheckJointSegment(*world, ctx, robot, a, b,
                                        {.resolution = kCoarseFactor * resolution,
                                         .margin = collision::SweptMargin(resolution)})
        .free();
  }
  // At the full resolution. (A coarse pass first used to reject colliding motions sooner; with
  // adaptive sampling in bisection order it no longer pays.)
  bool SegmentFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return collision::CheckJointSegment(
               *world, ctx, robot, a, b,
               {.resolution = resolution, .margin = collision::SweptMargin(resolution)})
        .free();
  }
};

namespace {

// Motion checks at the Cartesian resolution (OMPL's default discretises joint space).
class ResolutionMotionValidator : public ob::MotionValidator {
 public:
  ResolutionMotionValidator(const ob::SpaceInformationPtr& si, SegmentPlanner::Impl* impl)
      : ob::MotionValidator(si), impl_(impl) {}
  bool checkMotion(const ob::State* s1, const ob::State* s2) const override {
    ++impl_->motion_checks;
    const Eigen::VectorXd a = ToVector(s1, impl_->dof), b = ToVector(s2, impl_->dof);
    const bool free = impl_->lazy ? impl_->CoarseFree(a, b) : impl_->SegmentFree(a, b);
    if (free) {
      ++valid_;
    } else {
      ++invalid_;
    }
    return free;
  }
  bool checkMotion(const ob::State* s1, const ob::State* s2,
                   std::pair<ob::State*, double>& last_valid) const override {
    // RRTConnect only uses the two-argument form; this one reports the start as the last valid
    // state on failure, which is always correct (if conservative).
    const bool free = checkMotion(s1, s2);
    if (!free) {
      if (last_valid.first) si_->copyState(last_valid.first, s1);
      last_valid.second = 0.0;
    }
    return free;
  }

 private:
  SegmentPlanner::Impl* impl_;
};

// Cumulative joint-space length along a path.
std::vector<double> CumulativeLength(const std::vector<Eigen::VectorXd>& path) {
  std::vector<double> out(path.size(), 0.0);
  for (std::size_t i = 1; i < path.size(); ++i)
    out[i] = out[i - 1] + (path[i] - path[i - 1]).norm();
  return out;
}

// The point at arc length s, and the index of the waypoint before it.
std::pair<Eigen::VectorXd, std::size_t> PointAt(const std::vector<Eigen::VectorXd>& path,
                                                const std::vector<double>& length, double s) {
  std::size_t i = std::upper_bound(length.begin(), length.end(), s) - length.begin();
  i = std::clamp<std::size_t>(i, 1, path.size() - 1);
  const double span = length[i] - length[i - 1];
  const double f = span > 0 ? (s - length[i - 1]) / span : 0.0;
  return {path[i - 1] + std::clamp(f, 0.0, 1.0) * (path[i] - path[i - 1]), i - 1};
}

// The space the sampling-based planner draws from for one query: the joint limits, narrowed to a
// window around start and goal for joints of many turns (kWideJointRange in the header), or,
// when `near`, for every revolute joint to kNearWindowMargin around them.
ob::RealVectorBounds SamplingBounds(const kinematics::Chain& chain, const Eigen::VectorXd& start,
                                    const Eigen::VectorXd& goal, bool near = false) {
  ob::RealVectorBounds bounds(chain.dof());
  for (int i = 0; i < chain.dof(); ++i) {
    const double lo = chain.lower()[i], hi = chain.upper()[i];
    double w_lo = lo, w_hi = hi;
    // Prismatic joints: only non-finite ranges (which the loader rejects) are windowed, so that
    // nothing is drawn from an infinite interval.
    const bool revolute = chain.joint_type(i) == cell::JointType::kRevolute;
    const bool wide = revolute ? near || !(hi - lo <= kWideJointRange) : !std::isfinite(hi - lo);
    if (wide) {
      const double margin = revolute && near ? kNearWindowMargin : kSamplingWindowMargin;
      w_lo = std::min(start[i], goal[i]) - margin;
      w_hi = std::max(start[i], goal[i]) + margin;
      if (lo > w_lo) w_lo = lo;  // (written so that NaN limits leave the window finite)
      if (hi < w_hi) w_hi = hi;
      // Start or goal beyond the limits (a broken precondition): the limits, as for any joint;
      // OMPL then refuses the state.
      if (!(w_lo <= w_hi)) {
        w_lo = lo;
        w_hi = hi;
      }
    }
    bounds.setLow(i, w_lo);
    bounds.setHigh(i, w_hi);
  }
  return bounds;
}

}  // namespace

SegmentPlanner::SegmentPlanner(const collision::CollisionWorld& world, int robot)
    : impl_(std::make_unique<Impl>(world, robot)) {
  // OMPL logs every planning call at INFO; planning thousands of segments would flood stderr.
  ompl::msg::setLogLevel(ompl::msg::LOG_WARN);
  const kinematics::Chain& chain = world.chain(robot);
  auto space = std::make_shared<ob::RealVectorStateSpace>(impl_->dof);
  // Initial bounds, replaced by every query with its own (SamplingBounds): the window around 0.
  const Eigen::VectorXd zero =
      Eigen::VectorXd::Zero(impl_->dof).cwiseMax(chain.lower()).cwiseMin(chain.upper());
  space->setBounds(SamplingBounds(chain, zero, zero));
  impl_->space = space;
  Impl* impl = impl_.get();
  space->setStateSamplerAllocator([impl](const ob::StateSpace* s) -> ob::StateSamplerPtr {
    return std::make_shared<SeededSampler>(s, &impl->rng);
  });
  impl_->si = std::make_shared<ob::SpaceInformation>(space);
  impl_->si->setStateValidityChecker(
      [impl](const ob::State* s) { return impl->Valid(ToVector(s, impl->dof)); });
  impl_->si->setMotionValidator(std::make_shared<ResolutionMotionValidator>(impl_->si, impl));
  impl_->si->setup();
  impl_->rrt = std::make_shared<og::RRTConnect>(impl_->si);
  // The default GNAT structure draws pivots from OMPL's global generator: not reproducible.
  impl_->rrt->setNearestNeighbors<ompl::NearestNeighborsLinear>();
  // Much shorter tree edges than OMPL's default (a fifth of the space's extent, ~4 rad here):
  // each edge is checked along its whole Cartesian travel, so long edges are expensive to reject,
  // and short ones find the narrow ways out of a gun straddling a flange. Measured on the demo
  // and cluttered stations (motion_segment_bench): 1 rad → 0.5 rad cut the planned queries'
  // median by ~35 % and solved more of the cluttered ones; 2 rad solved 10 % fewer.
  impl_->rrt->setRange(0.5);
}

SegmentPlanner::~SegmentPlanner() = default;
SegmentPlanner::SegmentPlanner(SegmentPlanner&&) noexcept = default;
SegmentPlanner& SegmentPlanner::operator=(SegmentPlanner&&) noexcept = default;

int SegmentPlanner::robot() const { return impl_->robot; }
collision::CollisionContext& SegmentPlanner::context() { return impl_->ctx; }

bool SegmentPlanner::PathIsFree(const std::vector<Eigen::VectorXd>& path, double resolution) {
  impl_->resolution = resolution;
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (!impl_->SegmentFree(path[i - 1], path[i])) return false;
  }
  return true;
}

namespace {

// A failed query's result: `status`, with a message naming what failed, the robot, the seed,
// start and goal (rad) and the request's context.
SegmentResult Failed(SegmentResult result, SegmentStatus status, const std::string& what, int robot,
                     const SegmentRequest& request) {
  result.status = status;
  result.message = std::string(ToString(status)) + (what.empty() ? "" : ": " + what) + " (robot " +
                   std::to_string(robot) + ", seed " + std::to_string(request.seed) + ", start " +
                   VectorText(request.start) + ", goal " + VectorText(request.goal) +
                   (request.context.empty() ? "" : ", " + request.context) + ")";
  return result;
}

// Why no motion can leave or reach q: in contact, or nearer than the swept margin that every
// motion keeps (at `resolution`, m); "" when neither (then say so rather than search in vain).
std::string Blocked(SegmentPlanner::Impl& im, const Eigen::VectorXd& q, double resolution) {
  const collision::CollisionResult hit = im.world->CheckRobot(im.ctx, im.robot, q);
  if (hit.in_collision()) return collision::ToString(hit);
  const double margin = collision::SweptMargin(resolution);
  const collision::CollisionResult near =
      im.world->CheckRobot(im.ctx, im.robot, q, {.margin = margin});
  if (!near.in_collision()) return {};
  std::ostringstream why;
  why << "closer than the " << 1000 * margin << " mm that motions keep (half the "
      << "resolution): " << collision::ToString(near);
  return why.str();
}

// One RRTConnect query from request.start to request.goal within the current bounds, lazy
// (coarse checks while exploring) or with full checks throughout; stops after `max_states`
// extensions (what makes results reproducible) or `max_time` s (a safety net). The path found
// replaces result->path (ends exactly start and goal); false when the planner stops without.
bool RunRrt(SegmentPlanner::Impl& im, const SegmentRequest& request, bool lazy, std::uint64_t seed,
            int max_states, double max_time, SegmentResult* result) {
  im.lazy = lazy;
  im.rng.seed(seed);
  auto pdef = std::make_shared<ob::ProblemDefinition>(im.si);
  ob::ScopedState<> start(im.si->getStateSpace()), goal(im.si->getStateSpace());
  FromVector(request.start, start.get());
  FromVector(request.goal, goal.get());
  pdef->setStartAndGoalStates(start, goal);
  im.rrt->clear();
  im.rrt->setProblemDefinition(pdef);
  // Two stops: the extension budget (what makes results reproducible) and the time (a safety
  // net).
  im.motion_checks = 0;
  SegmentPlanner::Impl* impl = &im;
  const ob::PlannerTerminationCondition stop =
      ob::plannerOrTerminationCondition(ob::timedPlannerTerminationCondition(max_time),
                                        ob::PlannerTerminationCondition([impl, max_states] {
                                          return impl->motion_checks >= max_states;
                                        }));
  const ob::PlannerStatus status = im.rrt->solve(stop);
  result->planner_states += im.motion_checks;
  im.lazy = false;
  if (status != ob::PlannerStatus::EXACT_SOLUTION) {
    im.rrt->clear();
    return false;
  }
  const auto* path = pdef->getSolutionPath()->as<og::PathGeometric>();
  result->path.clear();
  for (std::size_t i = 0; i < path->getStateCount(); ++i) {
    result->path.push_back(ToVector(path->getState(i), im.dof));
  }
  im.rrt->clear();
  result->path.front() = request.start;
  result->path.back() = request.goal;
  return true;
}

// Whether every straight piece of the path is free at the full resolution.
bool PathFree(SegmentPlanner::Impl& im, const std::vector<Eigen::VectorXd>& path) {
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (!im.SegmentFree(path[i - 1], path[i])) return false;
  }
  return true;
}

// Whether a search runs attempt `attempt` (0: near the ends, 1: the joint limits, 2: the
// joint limits with another seed and eight times the budget).
bool Runs(SegmentSearch search, int attempt) {
  switch (search) {
    case SegmentSearch::kFull:
      return true;
    case SegmentSearch::kNear:
      return attempt == 0;
    case SegmentSearch::kWide:
      return attempt > 0;
    case SegmentSearch::kWhole:
      return attempt == 1;
    case SegmentSearch::kLong:
      return attempt == 2;
    case SegmentSearch::kDirect:
      return false;
  }
  return false;
}

// The sampling-based search, in up to three attempts (those request.search runs); the path
// in result->path. RRTConnect, lazy first (coarse checks while exploring, then the path at
// the full resolution); if that path fails the full check, once more with full checks
// throughout. The first attempt keeps every joint near its ends (kNearWindowMargin): most
// paths need no more, and those found there do not wander. The second draws from the joint
// limits (narrowed only for joints of many turns). Narrow ways out (a gun straddling a flange
// among clamps) defeat some seeds: the third, with another seed and eight times the budget,
// solves what the second misses (on the cluttered benchmark station: 5000 extensions solve
// 95 %, the retry the rest). False when no attempt found a free path.
bool SearchPath(SegmentPlanner::Impl& im, const SegmentRequest& request, SegmentResult* result) {
  struct Attempt {
    bool near;
    std::uint64_t seed;
    int scale;
  };
  const Attempt attempts[] = {
      {true, request.seed, 1}, {false, request.seed, 1}, {false, SplitMix64(request.seed), 8}};
  bool found = false;
  for (int a = 0; a < 3 && !found; ++a) {
    const Attempt& attempt = attempts[a];
    if (!Runs(request.search, a)) continue;
    result->wide = !attempt.near;
    im.space->setBounds(
        SamplingBounds(im.world->chain(im.robot), request.start, request.goal, attempt.near));
    const std::uint64_t seed = attempt.seed;
    const int states = request.max_planner_states * attempt.scale;
    const double time = request.max_planning_time * attempt.scale;
    if (!RunRrt(im, request, true, seed, states, time, result)) continue;
    found = PathFree(im, result->path) ||
            (RunRrt(im, request, false, seed, states, time, result) && PathFree(im, result->path));
  }
  return found;
}

// Greedy pruning: from each kept waypoint, jump to the farthest one it sees directly (a
// blocked try usually fails after a few samples; a free one is checked once).
void PruneGreedily(SegmentPlanner::Impl& im, std::vector<Eigen::VectorXd>& p) {
  std::vector<Eigen::VectorXd> pruned{p.front()};
  for (std::size_t i = 0; i + 1 < p.size();) {
    std::size_t j = p.size() - 1;
    while (j > i + 1 && !im.SegmentFree(p[i], p[j])) --j;
    pruned.push_back(p[j]);
    i = j;
  }
  p = std::move(pruned);
}

// Shortcutting: joins two random points of the path (by joint-space arc length) directly when
// the line between them is free, `iterations` times.
void Shortcut(SegmentPlanner::Impl& im, int iterations, std::vector<Eigen::VectorXd>& p) {
  for (int it = 0; it < iterations && p.size() > 2; ++it) {
    const std::vector<double> length = CumulativeLength(p);
    std::uniform_real_distribution<double> u(0.0, length.back());
    double s1 = u(im.rng), s2 = u(im.rng);
    if (s1 > s2) std::swap(s1, s2);
    auto [a, ia] = PointAt(p, length, s1);
    auto [b, ib] = PointAt(p, length, s2);
    if (ia == ib) continue;  // on one straight piece already
    if (!im.SegmentFree(a, b)) continue;
    std::vector<Eigen::VectorXd> shorter(p.begin(), p.begin() + static_cast<long>(ia) + 1);
    shorter.push_back(a);
    shorter.push_back(b);
    shorter.insert(shorter.end(), p.begin() + static_cast<long>(ib) + 1, p.end());
    p = std::move(shorter);
  }
}

// Drops every waypoint whose neighbours see each other, then zero-length pieces (shortcut
// points can coincide with waypoints).
void DropRedundant(SegmentPlanner::Impl& im, std::vector<Eigen::VectorXd>& p) {
  for (std::size_t i = 0; i + 2 < p.size();) {
    if (im.SegmentFree(p[i], p[i + 2])) {
      p.erase(p.begin() + static_cast<long>(i) + 1);
    } else {
      ++i;
    }
  }
  p.erase(std::unique(p.begin(), p.end(),
                      [](const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
                        return (x - y).norm() < 1e-12;
                      }),
          p.end());
}

}  // namespace

SegmentResult SegmentPlanner::Plan(const SegmentRequest& request) {
  Impl& im = *impl_;
  WELDCELL_CHECK(request.start.size() == im.dof && request.goal.size() == im.dof);
  WELDCELL_CHECK(request.resolution > 0);
  im.resolution = request.resolution;
  im.rng.seed(request.seed);
  SegmentResult result;
  if (const std::string why = Blocked(im, request.start, request.resolution); !why.empty()) {
    return Failed(result, SegmentStatus::kStartInCollision, why, im.robot, request);
  }
  if (const std::string why = Blocked(im, request.goal, request.resolution); !why.empty()) {
    return Failed(result, SegmentStatus::kGoalInCollision, why, im.robot, request);
  }
  if (im.SegmentFree(request.start, request.goal)) {
    result.status = SegmentStatus::kSolved;
    result.direct = true;
    result.path = {request.start, request.goal};
    return result;
  }
  if (!SearchPath(im, request, &result)) {
    result.wide = false;
    if (request.search == SegmentSearch::kDirect) {
      return Failed(result, SegmentStatus::kNoPathFound,
                    "the straight move collides (no search asked)", im.robot, request);
    }
    return Failed(result, SegmentStatus::kNoPathFound,
                  std::to_string(result.planner_states) + " tree extensions tried" +
                      (request.search == SegmentSearch::kFull
                           ? ""
                           : " (" + std::string(ToString(request.search)) + " search)"),
                  im.robot, request);
  }
  // Greedy pruning first, then shortcutting, then dropping every waypoint whose neighbours see
  // each other.
  PruneGreedily(im, result.path);
  Shortcut(im, request.shortcut_iterations, result.path);
  DropRedundant(im, result.path);
  result.status = SegmentStatus::kSolved;
  return result;
}

}  // namespace weldcell::motion
