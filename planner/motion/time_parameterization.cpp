#include "planner/motion/time_parameterization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "planner/common/check.hpp"
#include "planner/motion/internal/topp_arc.hpp"

namespace weldcell::motion {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Corners turning by more than π - this are reversals: a blend there would need a vanishing
// radius, so the robot stops instead.
constexpr double kMaxBlendAngle = std::numbers::pi - 1e-6;
// Blends shorter than this are not worth their numerical trouble; the robot stops instead.
constexpr double kMinBlendRadius = 1e-12;

// The preconditions on the limits and options (see TimeParameterize); returns the dof.
Eigen::Index CheckLimits(const JointLimits& limits, const TimingOptions& options) {
  const Eigen::Index n = limits.max_velocity.size();
  WELDCELL_CHECK(n > 0 && limits.max_acceleration.size() == n);
  WELDCELL_CHECK(limits.max_velocity.allFinite() && limits.max_velocity.minCoeff() > 0.0);
  WELDCELL_CHECK(limits.max_acceleration.allFinite() && limits.max_acceleration.minCoeff() > 0.0);
  WELDCELL_CHECK(options.speed_scale > 0.0 && options.speed_scale <= 1.0);
  WELDCELL_CHECK(std::isfinite(options.blend_tolerance) && options.blend_tolerance >= 0.0);
  return n;
}

void CheckWaypoint(const Eigen::VectorXd& q, Eigen::Index dof) {
  WELDCELL_CHECK(q.size() == dof && q.allFinite());
}

void CheckInputs(const std::vector<Eigen::VectorXd>& waypoints, const JointLimits& limits,
                 const TimingOptions& options) {
  WELDCELL_CHECK(!waypoints.empty());
  const Eigen::Index n = CheckLimits(limits, options);
  for (const Eigen::VectorXd& q : waypoints) CheckWaypoint(q, n);
}

// True when every point of `between` lies within kCollinearTolerance of the segment a→c,
// strictly inside it and in order, so that a→c replaces the detour through them.
bool OnSegment(const Eigen::VectorXd& a, const std::vector<Eigen::VectorXd>& between,
               const Eigen::VectorXd& c) {
  const Eigen::VectorXd d = c - a;
  const double length_sq = d.squaredNorm();
  if (length_sq <= 0.0) return false;
  double last = 0.0;
  for (const Eigen::VectorXd& p : between) {
    const double u = (p - a).dot(d) / length_sq;
    if (u <= last || u >= 1.0) return false;
    if ((p - a - u * d).norm() > kCollinearTolerance) return false;
    last = u;
  }
  return true;
}

// Drops repeated waypoints and waypoints on the straight line between their neighbours; keeps
// the first and the last waypoint exactly (unless every waypoint is the first one).
std::vector<Eigen::VectorXd> Simplify(const std::vector<Eigen::VectorXd>& waypoints) {
  std::vector<Eigen::VectorXd> distinct{waypoints.front()};
  for (std::size_t i = 1; i < waypoints.size(); ++i) {
    if ((waypoints[i] - distinct.back()).norm() > kSameWaypointTolerance) {
      distinct.push_back(waypoints[i]);
    } else if (i + 1 == waypoints.size() && distinct.size() > 1) {
      distinct.back() = waypoints[i];
    }
  }
  if (distinct.size() <= 2) return distinct;

  std::vector<Eigen::VectorXd> kept{distinct.front()};
  std::vector<Eigen::VectorXd> skipped;  // Dropped points since kept.back(), in order.
  std::size_t candidate = 1;
  for (std::size_t i = 2; i < distinct.size(); ++i) {
    skipped.push_back(distinct[candidate]);
    if (!OnSegment(kept.back(), skipped, distinct[i])) {
      kept.push_back(distinct[candidate]);
      skipped.clear();
    }
    candidate = i;
  }
  kept.push_back(distinct[candidate]);
  return kept;
}

// Path-speed and path-acceleration bounds of a straight line with unit direction d.
double LineSpeedLimit(const Eigen::VectorXd& d, const Eigen::VectorXd& limit) {
  double bound = kInf;
  for (Eigen::Index j = 0; j < d.size(); ++j) {
    if (d[j] != 0.0) bound = std::min(bound, limit[j] / std::abs(d[j]));
  }
  return bound;
}

struct Corner {
  bool blended = false;
  double ell = 0.0;  // Distance from the corner to each tangent point.
  PathPiece arc;
  double speed_cap = 0.0;  // Max constant path speed on the arc (0 = stop here).
};

Corner MakeCorner(const Eigen::VectorXd& p, const Eigen::VectorXd& y0, const Eigen::VectorXd& y1,
                  double length_in, double length_out, const Eigen::VectorXd& v_max,
                  const Eigen::VectorXd& a_max, double tolerance) {
  Corner corner;
  if (tolerance <= 0.0) return corner;
  // atan2 of |y1 - y0| and |y1 + y0| is accurate for small and large angles alike.
  const double alpha = 2.0 * std::atan2((y1 - y0).norm(), (y1 + y0).norm());
  if (alpha > kMaxBlendAngle || alpha <= 0.0) return corner;
  // Kunz & Stilman 2012, section IV: the largest blend whose midpoint deviates from the corner
  // by at most `tolerance` (δ sin(α/2) / (1 - cos(α/2)) = δ / tan(α/4)), using at most half of
  // each adjacent line so that neighbouring blends never overlap.
  const double ell =
      std::min({0.5 * length_in, 0.5 * length_out, tolerance / std::tan(0.25 * alpha)});
  const double radius = ell / std::tan(0.5 * alpha);
  if (!(radius > kMinBlendRadius) || !std::isfinite(radius)) return corner;

  // Unit normal towards the centre: the part of y1 orthogonal to y0, taken from y1 - y0 to
  // avoid cancellation for small angles.
  Eigen::VectorXd normal = (y1 - y0) - (y1 - y0).dot(y0) * y0;
  const double normal_norm = normal.norm();
  if (!(normal_norm > 0.0)) return corner;
  normal /= normal_norm;

  PathPiece arc{.kind = PathPiece::Kind::kArc,
                .length = radius * alpha,
                .start = p - ell * y0,
                .x = -normal,
                .y = y0,
                .radius = radius};
  const double half_sin = std::sin(0.5 * alpha);
  arc.end = arc.start + radius * (arc.y * std::sin(alpha) - arc.x * (2.0 * half_sin * half_sin));
  const Eigen::Index n = p.size();
  arc.max_abs_tangent.resize(n);
  arc.max_abs_curvature.resize(n);
  double cap = kInf;
  for (Eigen::Index j = 0; j < n; ++j) {
    // q'(θ) = y cos θ - x sin θ and q''(θ) = -(x cos θ + y sin θ) / r for θ ∈ [0, α].
    arc.max_abs_tangent[j] = internal::MaxAbsHarmonic(arc.y[j], -arc.x[j], 0.0, alpha);
    arc.max_abs_curvature[j] = internal::MaxAbsHarmonic(arc.x[j], arc.y[j], 0.0, alpha) / radius;
    if (arc.max_abs_tangent[j] > 0.0) cap = std::min(cap, v_max[j] / arc.max_abs_tangent[j]);
    if (arc.max_abs_curvature[j] > 0.0) {
      cap = std::min(cap, std::sqrt(a_max[j] / arc.max_abs_curvature[j]));
    }
  }
  if (!(cap > 0.0) || !std::isfinite(cap)) return corner;
  corner.blended = true;
  corner.ell = ell;
  corner.arc = std::move(arc);
  corner.speed_cap = cap;
  return corner;
}

// --- Reachability analysis along lines and arcs -------------------------------------------
//
// The path speed is described by x = ṡ² at nodes: the ends of every line and the grid nodes of
// every arc. On a line x may follow any bang-coast-bang profile, so a line is one exact step.
// On an arc the path acceleration u is constant between grid nodes and the joint limits are
// imposed at both ends of each interval (with the acceleration limits shrunk by
// kArcAccelerationMargin to cover what happens between them, which is then verified with the
// rigorous bound of internal::AccumulateArcPhasePeaks). Pham & Pham 2018 ("A new approach to
// time-optimal path parameterization based on reachability analysis", IEEE T-RO 34(3)):
// a backward pass computes the controllable sets [0, K_i] (the largest x from which rest at
// the end is still reachable), a forward pass takes the largest admissible u at each step.

constexpr double kArcStep = 0.05;                // rad of arc angle per grid interval
constexpr double kArcAccelerationMargin = 5e-3;  // fraction of a_max kept free on arcs
constexpr int kMaxRefinements = 3;               // ×4 grid refinements before falling back
constexpr double kTinyCoefficient = 1e-15;

// u ≤ p + q x (upper) or u ≥ p + q x (lower).
struct Row {
  double p = 0.0;
  double q = 0.0;
};

// The rows of one interval: [upper_begin, upper_end) of Element::upper_rows, likewise lower.
struct ArcInterval {
  double s0 = 0.0;
  double ds = 0.0;
  double x_limit = kInf;  // Bounds on x alone (velocity limits, constraints without u).
  std::size_t upper_begin = 0;
  std::size_t upper_end = 0;
  std::size_t lower_begin = 0;
  std::size_t lower_end = 0;
};

struct RowSpan {
  const Row* begin_ptr;
  const Row* end_ptr;
  const Row* begin() const { return begin_ptr; }
  const Row* end() const { return end_ptr; }
};

struct Element {
  PathPiece piece;
  bool is_arc = false;
  double speed = 0.0;  // Line: path speed bound.
  double accel = 0.0;  // Line: path acceleration bound.
  int intervals = 0;   // Arc: grid intervals (0 = constant speed).
  double cap = 0.0;    // Arc: max constant path speed.
  std::vector<ArcInterval> grid;
  std::vector<Row> upper_rows;
  std::vector<Row> lower_rows;
  int first_node = 0;

  RowSpan Upper(const ArcInterval& i) const {
    return {upper_rows.data() + i.upper_begin, upper_rows.data() + i.upper_end};
  }
  RowSpan Lower(const ArcInterval& i) const {
    return {lower_rows.data() + i.lower_begin, lower_rows.data() + i.lower_end};
  }
};

int IntervalCount(const Element& e) { return e.is_arc && e.intervals > 0 ? e.intervals : 1; }

// Adds the constraint alpha x + beta u ≤ gamma to the element's last interval.
void AddRow(double alpha, double beta, double gamma, Element& e) {
  ArcInterval& interval = e.grid.back();
  if (std::abs(beta) <= kTinyCoefficient) {
    if (alpha > 0.0) interval.x_limit = std::min(interval.x_limit, gamma / alpha);
    return;
  }
  (beta > 0.0 ? e.upper_rows : e.lower_rows).push_back(Row{gamma / beta, -alpha / beta});
}

void BuildArcGrid(Element& e, const Eigen::VectorXd& v_max, const Eigen::VectorXd& a_max) {
  const PathPiece& arc = e.piece;
  const double r = arc.radius;
  const Eigen::Index n = arc.x.size();
  const auto count = static_cast<std::size_t>(e.intervals);
  e.grid.clear();
  e.grid.reserve(count);
  e.upper_rows.clear();
  e.upper_rows.reserve(count * static_cast<std::size_t>(2 * n + 1));
  e.lower_rows.clear();
  e.lower_rows.reserve(count * static_cast<std::size_t>(2 * n));
  for (int i = 0; i < e.intervals; ++i) {
    ArcInterval& interval = e.grid.emplace_back();
    interval.upper_begin = e.upper_rows.size();
    interval.lower_begin = e.lower_rows.size();
    const double s0 = arc.length * i / e.intervals;
    const double s1 = arc.length * (i + 1) / e.intervals;
    interval.s0 = s0;
    interval.ds = s1 - s0;
    const internal::AngleInterval angles = internal::AngleInterval::Of(s0 / r, s1 / r);
    const double c0 = angles.cos0, n0 = angles.sin0;
    const double c1 = angles.cos1, n1 = angles.sin1;
    const double ds2 = 2.0 * interval.ds;
    double x_velocity = kInf;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double xj = arc.x[j];
      const double yj = arc.y[j];
      // x is linear in s on the interval, so its max is at an end; |q'_j| is bounded exactly.
      const double tangent_max = internal::MaxAbsHarmonic(yj, -xj, angles);
      if (tangent_max > 0.0) {
        x_velocity = std::min(x_velocity, (v_max[j] / tangent_max) * (v_max[j] / tangent_max));
      }
      const double limit = (1.0 - kArcAccelerationMargin) * a_max[j];
      // |q'_j u + q''_j x| ≤ limit at s0 (x = x0) and at s1 (x = x0 + 2 ds u).
      const double t0 = yj * c0 - xj * n0;
      const double k0 = -(xj * c0 + yj * n0) / r;
      const double t1 = yj * c1 - xj * n1;
      const double k1 = -(xj * c1 + yj * n1) / r;
      AddRow(k0, t0, limit, e);
      AddRow(-k0, -t0, limit, e);
      AddRow(k1, t1 + ds2 * k1, limit, e);
      AddRow(-k1, -(t1 + ds2 * k1), limit, e);
    }
    AddRow(1.0, 0.0, x_velocity, e);  // x0 ≤ x_velocity
    AddRow(1.0, ds2, x_velocity, e);  // x1 = x0 + 2 ds u ≤ x_velocity
    e.grid.back().upper_end = e.upper_rows.size();
    e.grid.back().lower_end = e.lower_rows.size();
  }
}

// Largest x at the interval start from which some admissible u reaches x1 ∈ [0, next].
double MaxControllable(const Element& e, const ArcInterval& interval, double next) {
  const double inv = 1.0 / (2.0 * interval.ds);
  double x_max = interval.x_limit;
  // An admissible u exists iff every lower bound is below every upper bound.
  auto pair = [&x_max](const Row& lo, const Row& up) {
    const double slope = lo.q - up.q;
    // Divide only when the pair can lower the bound (most cannot).
    if (slope > 0.0 && up.p - lo.p < x_max * slope) x_max = (up.p - lo.p) / slope;
  };
  const Row reach_up{next * inv, -inv};  // x + 2 ds u ≤ next
  const Row reach_lo{0.0, -inv};         // x + 2 ds u ≥ 0
  for (const Row& lo : e.Lower(interval)) {
    for (const Row& up : e.Upper(interval)) pair(lo, up);
    pair(lo, reach_up);
  }
  for (const Row& up : e.Upper(interval)) pair(reach_lo, up);
  pair(reach_lo, reach_up);
  return std::max(0.0, x_max);
}

double MaxPathAcceleration(const Element& e, const ArcInterval& interval, double x, double next) {
  double u = (next - x) / (2.0 * interval.ds);
  for (const Row& up : e.Upper(interval)) u = std::min(u, up.p + up.q * x);
  return u;
}

// Runs both passes over the elements and appends their pieces and phases.
void Parameterize(std::vector<Element>& elements, const std::vector<bool>& rest_at_node,
                  std::vector<PathPiece>& pieces, std::vector<ProfilePhase>& phases) {
  int node_count = 1;
  for (Element& e : elements) {
    e.first_node = node_count - 1;
    node_count += IntervalCount(e);
  }
  std::vector<double> controllable(static_cast<std::size_t>(node_count), kInf);
  for (std::size_t i = 0; i < rest_at_node.size(); ++i) {
    if (rest_at_node[i]) controllable[i] = 0.0;
  }
  auto ctrl = [&](int node) -> double& { return controllable[static_cast<std::size_t>(node)]; };
  for (const Element& e : elements) {
    if (e.is_arc) continue;
    const double x_line = e.speed * e.speed;
    ctrl(e.first_node) = std::min(ctrl(e.first_node), x_line);
    ctrl(e.first_node + 1) = std::min(ctrl(e.first_node + 1), x_line);
  }

  for (auto it = elements.rbegin(); it != elements.rend(); ++it) {
    const Element& e = *it;
    const int p = e.first_node;
    if (!e.is_arc) {
      ctrl(p) = std::min(ctrl(p), ctrl(p + 1) + 2.0 * e.accel * e.piece.length);
    } else if (e.intervals == 0) {
      ctrl(p) = std::min({ctrl(p), e.cap * e.cap, ctrl(p + 1)});
    } else {
      for (int i = e.intervals - 1; i >= 0; --i) {
        ctrl(p + i) = std::min(
            ctrl(p + i), MaxControllable(e, e.grid[static_cast<std::size_t>(i)], ctrl(p + i + 1)));
      }
    }
  }

  double t = 0.0;
  double x = 0.0;
  auto add = [&](double s0, double v, double a, double duration) {
    if (!(duration > 0.0)) return;
    phases.push_back(ProfilePhase{.piece = static_cast<int>(pieces.size() - 1),
                                  .start_time = t,
                                  .duration = duration,
                                  .s0 = s0,
                                  .v0 = v,
                                  .a = a});
    t += duration;
  };
  for (Element& e : elements) {
    const int p = e.first_node;
    pieces.push_back(e.piece);
    if (!e.is_arc) {
      // Bang-coast-bang from v0 to v1 under |s̈| ≤ accel, ṡ ≤ speed; the passes guarantee
      // |v1² - v0²| ≤ 2 accel length up to rounding.
      const double length = e.piece.length;
      const double x1 = std::min(ctrl(p + 1), x + 2.0 * e.accel * length);
      const double v0 = std::sqrt(x);
      const double v1 = std::sqrt(x1);
      const double peak_sq = e.accel * length + 0.5 * (x + x1);
      const double peak = std::max(std::min(e.speed, std::sqrt(peak_sq)), std::max(v0, v1));
      const double d_up = (peak * peak - x) / (2.0 * e.accel);
      const double d_down = (peak * peak - x1) / (2.0 * e.accel);
      const double d_coast = std::max(0.0, length - d_up - d_down);
      add(0.0, v0, e.accel, (peak - v0) / e.accel);
      add(d_up, peak, 0.0, peak > 0.0 ? d_coast / peak : 0.0);
      add(std::min(d_up + d_coast, length), peak, -e.accel, (peak - v1) / e.accel);
      x = x1;
    } else if (e.intervals == 0) {
      const double v = std::sqrt(x);
      WELDCELL_CHECK(v > 0.0);
      add(0.0, v, 0.0, e.piece.length / v);
    } else {
      for (int i = 0; i < e.intervals; ++i) {
        const ArcInterval& interval = e.grid[static_cast<std::size_t>(i)];
        const double u = MaxPathAcceleration(e, interval, x, ctrl(p + i + 1));
        const double x1 = std::max(0.0, x + 2.0 * interval.ds * u);
        const double speed_sum = std::sqrt(x) + std::sqrt(x1);
        WELDCELL_CHECK(speed_sum > 0.0);
        add(interval.s0, std::sqrt(x), (x1 - x) / (2.0 * interval.ds),
            2.0 * interval.ds / speed_sum);
        x = x1;
      }
    }
  }
}

// Times the path, blending corners when options.blend_tolerance > 0.
MotionProfile TimeParameterizeBlended(const std::vector<Eigen::VectorXd>& waypoints,
                                      const JointLimits& limits, const TimingOptions& options);

}  // namespace

MotionProfile TimeParameterize(const std::vector<Eigen::VectorXd>& waypoints,
                               const JointLimits& limits, const TimingOptions& options) {
  CheckInputs(waypoints, limits, options);
  if (options.blend_tolerance > 0.0) {
    // Blends pay off unless every corner is so sharp that the robot must nearly stop anyway;
    // then the arcs' safety margin can make them a hair slower than stopping, and the exact
    // polyline (cheap to time, and following the checked lines) is the better answer.
    MotionProfile blended = TimeParameterizeBlended(waypoints, limits, options);
    MotionProfile exact = TimeParameterizeBlended(
        waypoints, limits, TimingOptions{.speed_scale = options.speed_scale});
    return blended.duration() <= exact.duration() ? blended : exact;
  }
  return TimeParameterizeBlended(waypoints, limits, options);
}

namespace {

MotionProfile TimeParameterizeBlended(const std::vector<Eigen::VectorXd>& waypoints,
                                      const JointLimits& limits, const TimingOptions& options) {
  const Eigen::VectorXd v_max = limits.max_velocity * options.speed_scale;
  const Eigen::VectorXd& a_max = limits.max_acceleration;
  const Eigen::Index n = v_max.size();

  const std::vector<Eigen::VectorXd> points = Simplify(waypoints);
  if (points.size() == 1) return MotionProfile::Stationary(points.front(), 0.0);
  const std::size_t m = points.size() - 1;  // Number of polyline segments.

  std::vector<Eigen::VectorXd> direction(m);
  std::vector<double> length(m);
  for (std::size_t k = 0; k < m; ++k) {
    const Eigen::VectorXd delta = points[k + 1] - points[k];
    length[k] = delta.norm();
    direction[k] = delta / length[k];
  }

  // corners[k] is at points[k]; the first and last are the (resting) endpoints.
  std::vector<Corner> corners(m + 1);
  for (std::size_t k = 1; k < m; ++k) {
    corners[k] = MakeCorner(points[k], direction[k - 1], direction[k], length[k - 1], length[k],
                            v_max, a_max, options.blend_tolerance);
  }

  // Elements in path order: line k runs from the end of corner k's blend (or points[k]) to the
  // start of corner k+1's; lines of zero length (between two blends that took half each) are
  // left out.
  std::vector<Element> elements;
  std::vector<bool> rest_at_node{true};
  for (std::size_t k = 0; k < m; ++k) {
    const Corner& from = corners[k];
    const Corner& to = corners[k + 1];
    Element line;
    line.piece.kind = PathPiece::Kind::kLine;
    line.piece.start = from.blended ? from.arc.end : points[k];
    line.piece.end = to.blended ? to.arc.start : points[k + 1];
    // Never zero next to a resting corner (a blend takes at most half of a line).
    line.piece.length = std::max(0.0, length[k] - from.ell - to.ell);
    line.piece.direction = direction[k];
    line.piece.max_abs_tangent = direction[k].cwiseAbs();
    line.piece.max_abs_curvature = Eigen::VectorXd::Zero(n);
    line.speed = LineSpeedLimit(direction[k], v_max);
    line.accel = LineSpeedLimit(direction[k], a_max);
    if (line.piece.length > 0.0) {
      elements.push_back(std::move(line));
      rest_at_node.push_back(false);
    }
    if (k + 1 < m && !to.blended) {
      rest_at_node.back() = true;  // A corner followed exactly: stop there.
    }
    if (to.blended) {
      Element arc;
      arc.is_arc = true;
      arc.piece = to.arc;
      arc.cap = to.speed_cap;
      const double angle = to.arc.length / to.arc.radius;
      arc.intervals = std::max(2, static_cast<int>(std::ceil(angle / kArcStep)));
      elements.push_back(std::move(arc));
    }
  }
  rest_at_node.back() = true;

  // Time; where the rigorous check of an arc finds the margin too small, refine that arc's grid
  // and redo, and after kMaxRefinements run it at constant speed (exactly checkable).
  for (int attempt = 0;; ++attempt) {
    // Node flags for arcs' interior nodes (never at rest) are inserted per element.
    std::vector<bool> rest;
    rest.push_back(rest_at_node.front());
    std::size_t flag = 1;
    std::size_t phase_count = 0;
    for (Element& e : elements) {
      const int intervals = IntervalCount(e);
      if (e.is_arc && e.intervals > 0 && e.grid.size() != static_cast<std::size_t>(intervals)) {
        BuildArcGrid(e, v_max, a_max);
      }
      phase_count += static_cast<std::size_t>(intervals) + 2;
      for (int i = 1; i < intervals; ++i) rest.push_back(false);
      rest.push_back(e.is_arc ? false : rest_at_node[flag++]);
    }
    rest.back() = true;

    std::vector<PathPiece> pieces;
    std::vector<ProfilePhase> phases;
    pieces.reserve(elements.size());
    phases.reserve(phase_count);
    Parameterize(elements, rest, pieces, phases);

    bool refined = false;
    for (std::size_t i = 0; i < elements.size(); ++i) {
      Element& e = elements[i];
      if (!e.is_arc || e.intervals == 0) continue;
      Eigen::VectorXd peak_v = Eigen::VectorXd::Zero(n);
      Eigen::VectorXd peak_a = Eigen::VectorXd::Zero(n);
      for (const ProfilePhase& phase : phases) {
        if (phase.piece != static_cast<int>(i)) continue;
        const double v1 = std::max(0.0, phase.v0 + phase.a * phase.duration);
        const double s1 =
            phase.s0 + phase.v0 * phase.duration + 0.5 * phase.a * phase.duration * phase.duration;
        internal::AccumulateArcPhasePeaks(e.piece, phase.s0, s1, phase.a, phase.v0 * phase.v0,
                                          v1 * v1, peak_v, peak_a);
      }
      const bool ok = (peak_v.array() <= v_max.array() * (1.0 + 1e-12)).all() &&
                      (peak_a.array() <= a_max.array() * (1.0 + 1e-12)).all();
      if (ok) continue;
      refined = true;
      e.intervals = attempt + 1 < kMaxRefinements ? 4 * e.intervals : 0;
    }
    if (!refined) return MotionProfile(std::move(pieces), std::move(phases));
    WELDCELL_CHECK(attempt <= kMaxRefinements);
  }
}

}  // namespace

double RestToRestTime(const Eigen::VectorXd& from, const Eigen::VectorXd& to,
                      const JointLimits& limits, double speed_scale) {
  // Checked in place and without temporaries: the allocator prices millions of moves with this
  // (on station XL copies of the two configurations took more than half of its time).
  const Eigen::Index n = CheckLimits(limits, TimingOptions{.speed_scale = speed_scale});
  CheckWaypoint(from, n);
  CheckWaypoint(to, n);
  const double length = (to - from).norm();
  if (length <= kSameWaypointTolerance) return 0.0;
  // The line's speed and acceleration bounds (LineSpeedLimit along the unit direction).
  double speed = kInf;
  double accel = kInf;
  for (Eigen::Index j = 0; j < n; ++j) {
    const double d = std::abs((to[j] - from[j]) / length);
    if (d == 0.0) continue;
    speed = std::min(speed, limits.max_velocity[j] * speed_scale / d);
    accel = std::min(accel, limits.max_acceleration[j] / d);
  }
  // Trapezoid when the line is long enough to reach the speed bound, triangle otherwise.
  if (length >= speed * speed / accel) return length / speed + speed / accel;
  return 2.0 * std::sqrt(length / accel);
}

}  // namespace weldcell::motion
