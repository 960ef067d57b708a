#include "planner/generate/generate_station.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <optional>

#include "planner/cell/load.hpp"
#include "planner/cell/weld_frame.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/common/random.hpp"
#include "planner/generate/stl.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/kinematics/ik.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::generate {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;

using Vec2 = Eigen::Vector2d;
using Vec3 = Eigen::Vector3d;

// Deterministic uniform numbers from the seed (no global RNG; the same on every platform, unlike
// std::uniform_real_distribution).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(SplitMix64(seed ^ 0x5745'4C44'4345'4C4CULL)) {}
  double Uniform(double lo, double hi) {
    state_ = SplitMix64(state_);
    return lo + (hi - lo) * static_cast<double>(state_ >> 11) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// Sheet-metal geometry (mm). Every part is an open surface of quads split into triangles.

int Divisions(double length, double cell) {
  return std::max(1, static_cast<int>(std::ceil(length / cell - 1e-9)));
}

// A parametric patch f(u, v), u, v in [0, 1], nu x nv quads.
void Patch(const std::function<Vec3(double, double)>& f, int nu, int nv, TriangleMesh* mesh) {
  const auto first = static_cast<std::uint32_t>(mesh->vertices.size());
  for (int j = 0; j <= nv; ++j) {
    for (int i = 0; i <= nu; ++i) mesh->Add(f(double(i) / nu, double(j) / nv));
  }
  const auto at = [&](int i, int j) {
    return first + static_cast<std::uint32_t>(j * (nu + 1) + i);
  };
  for (int j = 0; j < nv; ++j) {
    for (int i = 0; i < nu; ++i) mesh->Quad(at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1));
  }
}

// A flat rectangle o + u a + v b, subdivided to about `cell`.
void Rectangle(const Vec3& o, const Vec3& a, const Vec3& b, double cell, TriangleMesh* mesh) {
  if (a.norm() < 1e-9 || b.norm() < 1e-9) return;
  Patch([&](double u, double v) { return Vec3(o + u * a + v * b); }, Divisions(a.norm(), cell),
        Divisions(b.norm(), cell), mesh);
}

// A polyline with its corners rounded (radius, `arc` segments per corner): the cross-section of
// bent sheet metal. Open polylines keep their end points; closed ones round every corner.
std::vector<Vec2> RoundedPolyline(const std::vector<Vec2>& points, double radius, int arc,
                                  bool closed) {
  std::vector<Vec2> out;
  const int n = static_cast<int>(points.size());
  for (int i = 0; i < n; ++i) {
    const bool end = !closed && (i == 0 || i == n - 1);
    if (end) {
      out.push_back(points[i]);
      continue;
    }
    const Vec2& p = points[i];
    const Vec2& prev = points[(i + n - 1) % n];
    const Vec2& next = points[(i + 1) % n];
    const Vec2 d0 = (p - prev).normalized();
    const Vec2 d1 = (next - p).normalized();
    const double turn = std::atan2(d0.x() * d1.y() - d0.y() * d1.x(), d0.dot(d1));
    const double cut = std::min(
        {radius * std::tan(std::abs(turn) / 2), (p - prev).norm() / 2, (next - p).norm() / 2});
    const double r = cut / std::tan(std::abs(turn) / 2);
    const Vec2 start = p - d0 * cut;
    const Vec2 left(-d0.y(), d0.x());
    const Vec2 centre = start + left * (turn > 0 ? r : -r);
    const double a0 = std::atan2(start.y() - centre.y(), start.x() - centre.x());
    for (int k = 0; k <= arc; ++k) {
      const double a = a0 + turn * k / arc;
      out.emplace_back(centre + r * Vec2(std::cos(a), std::sin(a)));
    }
  }
  return out;
}

// Extrudes a cross-section: profile point (s, t) at position x along the length goes to
// place(s, t, x). `closed` joins the last profile point to the first.
void Extrude(const std::vector<Vec2>& profile, bool closed,
             const std::function<Vec3(double, double, double)>& place, double x0, double x1,
             double cell, TriangleMesh* mesh) {
  const int nx = Divisions(x1 - x0, cell);
  const int np = static_cast<int>(profile.size());
  for (int k = 0; k + 1 < np + (closed ? 1 : 0); ++k) {
    const Vec2 a = profile[k];
    const Vec2 b = profile[(k + 1) % np];
    const int nt = Divisions((b - a).norm(), cell);
    Patch(
        [&](double u, double v) {
          const Vec2 q = a + v * (b - a);
          return place(q.x(), q.y(), x0 + u * (x1 - x0));
        },
        nx, nt, mesh);
  }
}

// One point of a rounded rectangle's offset curve: `anchor` moves along the rectangle inset by
// the corner radius, `direction` points outwards; the hole edge is anchor + r * direction.
struct RingSample {
  Vec2 anchor;
  Vec2 direction;
};

// Samples (counter-clockwise) of the rounded rectangle [x0, x1] x [z0, z1] with corner radius r:
// straight edges at about `cell`, each corner in `arc` segments (even, so that the ray through
// the window's corner is a sample).
std::vector<RingSample> RoundedRectSamples(double x0, double x1, double z0, double z1, double r,
                                           double cell, int arc) {
  const std::array<Vec2, 4> centres = {Vec2(x1 - r, z0 + r), Vec2(x1 - r, z1 - r),
                                       Vec2(x0 + r, z1 - r), Vec2(x0 + r, z0 + r)};
  std::vector<RingSample> out;
  for (int c = 0; c < 4; ++c) {
    // The edge into corner c, then the corner's arc (without its last point).
    const Vec2 from = centres[(c + 3) % 4];
    const Vec2 to = centres[c];
    const double a_start = (c * 90.0 - 90.0) * kDeg;
    const Vec2 normal(std::cos(a_start), std::sin(a_start));
    const int n = Divisions((to - from).norm(), cell);
    for (int i = 0; i < n; ++i) out.push_back({from + (to - from) * double(i) / n, normal});
    for (int i = 0; i < arc; ++i) {
      const double a = a_start + 90.0 * kDeg * i / arc;
      out.push_back({to, Vec2(std::cos(a), std::sin(a))});
    }
  }
  return out;
}

// A rounded-rectangle opening in a panel's (s, t) coordinates (s = world x, t = world z).
struct Opening2d {
  double x0, x1, z0, z1, r;
};

constexpr double kWindowMargin = 60.0;  // mm of panel meshed as a ring around an opening
constexpr double kFlangeOffset = 18.0;  // mm from an opening's edge to its welds
// The roof rail's pinch-weld flange, as on a roof ditch: the side panel's top edge turns inwards
// into the ditch floor (kRoofDitch wide, at z_roof), then up into a flange standing
// kRoofFlangeHeight high, where the roof panel's flange is welded to it. A gun straddles the
// standing flange from above (its free edge up), the electrodes horizontal: the welds' normal
// points out of the side, as on the door openings, kRoofWeldDepth below the free edge.
constexpr double kRoofDitch = 30.0;
constexpr double kRoofFlangeHeight = 60.0;
constexpr double kRoofWeldDepth = 30.0;

// The ring between the opening and the rectangle kWindowMargin outside its straight edges: every
// hole sample is joined to the window boundary along its outward direction from its anchor.
void OpeningRing(const Opening2d& o, double cell, const std::function<Vec3(double, double)>& place,
                 TriangleMesh* mesh) {
  const std::vector<RingSample> ring = RoundedRectSamples(o.x0, o.x1, o.z0, o.z1, o.r, cell, 8);
  const double reach = o.r + kWindowMargin;  // anchor to the window edge, along x or z
  const int rings = Divisions(kWindowMargin, cell);
  const auto n = static_cast<std::uint32_t>(ring.size());
  const auto first = static_cast<std::uint32_t>(mesh->vertices.size());
  for (const RingSample& sample : ring) {
    const Vec2& d = sample.direction;
    const double t = std::min(std::abs(d.x()) > 1e-12 ? reach / std::abs(d.x()) : 1e300,
                              std::abs(d.y()) > 1e-12 ? reach / std::abs(d.y()) : 1e300);
    const Vec2 inner = sample.anchor + o.r * d;
    const Vec2 outer = sample.anchor + t * d;
    for (int k = 0; k <= rings; ++k) {
      const Vec2 q = inner + (outer - inner) * double(k) / rings;
      mesh->Add(place(q.x(), q.y()));
    }
  }
  const auto at = [&](std::uint32_t i, int k) {
    return first + (i % n) * static_cast<std::uint32_t>(rings + 1) + static_cast<std::uint32_t>(k);
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    for (int k = 0; k < rings; ++k)
      mesh->Quad(at(i, k), at(i + 1, k), at(i + 1, k + 1), at(i, k + 1));
  }
}

// A line of weld sites on one flange: a polyline (mm) with the normal the welds get.
struct WeldLine {
  WeldSite site = WeldSite::kDoorOpening;
  std::vector<Vec3> points;
  Vec3 normal = Vec3::UnitZ();
  bool closed = false;
  /// Panels welded from both sides: the normal's y flips from one weld to the next.
  bool alternate = false;
  double Length() const {
    double l = 0;
    for (std::size_t i = 1; i < points.size(); ++i) l += (points[i] - points[i - 1]).norm();
    if (closed) l += (points.front() - points.back()).norm();
    return l;
  }
  Vec3 At(double s) const {
    const std::size_t n = points.size();
    const std::size_t segments = closed ? n : n - 1;
    for (std::size_t i = 0; i < segments; ++i) {
      const Vec3& a = points[i];
      const Vec3& b = points[(i + 1) % n];
      const double l = (b - a).norm();
      if (s <= l || i + 1 == segments) return a + (b - a) * std::clamp(s / l, 0.0, 1.0);
      s -= l;
    }
    return points.back();
  }
};

// A side frame: a vertical panel in the plane y = y with door openings, its top edge bent
// inwards (away from `out`, ±1 along y, the side the robots stand on) into the roof ditch at
// z = z_roof and up into the standing roof-rail flange.
struct SideFrame {
  double y = 0, out = 1;
  double x0 = 0, x1 = 0, z0 = 0, z_roof = 0;
  std::vector<Opening2d> openings;
  bool both_sides = false;  // welded from both sides (a panel standing alone)
  // A panel standing alone: its front (x0) and rear (x1) edges are free from z0 up; their
  // flanges are welded from 100 mm above z0 to 150 mm below the roof.
  bool end_edges = false;
};

void BuildSideFrame(const SideFrame& f, double cell, TriangleMesh* mesh,
                    std::vector<WeldLine>* lines) {
  const double z1 = f.z_roof - 20;  // the flat panel; the bend and the flange above
  const auto place = [&](double s, double t) { return Vec3(s, f.y, t); };
  std::vector<double> xs = {f.x0};
  for (const Opening2d& o : f.openings) {
    xs.push_back(o.x0 - kWindowMargin);
    xs.push_back(o.x1 + kWindowMargin);
  }
  xs.push_back(f.x1);
  for (std::size_t i = 0; i + 1 < xs.size(); ++i) {
    const double a = xs[i], b = xs[i + 1];
    if (i % 2 == 0) {  // between windows: full height
      Rectangle(place(a, f.z0), Vec3(b - a, 0, 0), Vec3(0, 0, z1 - f.z0), cell, mesh);
      continue;
    }
    const Opening2d& o = f.openings[i / 2];
    const double w0 = o.z0 - kWindowMargin, w1 = o.z1 + kWindowMargin;
    Rectangle(place(a, f.z0), Vec3(b - a, 0, 0), Vec3(0, 0, w0 - f.z0), cell, mesh);
    OpeningRing(o, cell, place, mesh);
    Rectangle(place(a, w1), Vec3(b - a, 0, 0), Vec3(0, 0, z1 - w1), cell, mesh);
  }
  // The roof ditch and its standing flange, bent with an 8 mm radius.
  const std::vector<Vec2> profile =
      RoundedPolyline({Vec2(0, z1), Vec2(0, f.z_roof), Vec2(-kRoofDitch, f.z_roof),
                       Vec2(-kRoofDitch, f.z_roof + kRoofFlangeHeight)},
                      8, 4, false);
  Extrude(
      profile, false, [&](double s, double t, double x) { return Vec3(x, f.y + f.out * s, t); },
      f.x0, f.x1, cell, mesh);

  const Vec3 side_normal(0, f.out, 0);
  for (const Opening2d& o : f.openings) {
    WeldLine line{.site = WeldSite::kDoorOpening,
                  .points = {},
                  .normal = side_normal,
                  .closed = true,
                  .alternate = f.both_sides};
    for (const RingSample& sample : RoundedRectSamples(o.x0, o.x1, o.z0, o.z1, o.r, 10.0, 16)) {
      const Vec2 q = sample.anchor + (o.r + kFlangeOffset) * sample.direction;
      line.points.push_back(place(q.x(), q.y()));
    }
    lines->push_back(std::move(line));
  }
  // The free front and rear edges: a C gun straddles them from in front of (behind) the panel.
  for (const double x : {f.x0 + kFlangeOffset, f.x1 - kFlangeOffset}) {
    if (!f.end_edges) break;
    lines->push_back({.site = WeldSite::kEndFlange,
                      .points = {place(x, f.z0 + 100), place(x, f.z_roof - 150)},
                      .normal = side_normal,
                      .closed = false,
                      .alternate = f.both_sides});
  }
  const double y_weld = f.y - f.out * kRoofDitch;
  const double z_weld = f.z_roof + kRoofFlangeHeight - kRoofWeldDepth;
  lines->push_back({.site = WeldSite::kRoofRail,
                    .points = {Vec3(f.x0 + 120, y_weld, z_weld), Vec3(f.x1 - 120, y_weld, z_weld)},
                    .normal = side_normal,
                    .closed = false,
                    .alternate = f.both_sides});
}

// A closed box section along x (a rocker): y in [y0, y1], z in [z0, z1]; its welds face into
// it from its top sheet.
void BuildRocker(double x0, double x1, double y0, double y1, double z0, double z1, double cell,
                 TriangleMesh* mesh, std::vector<WeldLine>* lines) {
  const std::vector<Vec2> profile =
      RoundedPolyline({Vec2(y0, z0), Vec2(y1, z0), Vec2(y1, z1), Vec2(y0, z1)}, 10, 3, true);
  Extrude(
      profile, true, [](double s, double t, double x) { return Vec3(x, s, t); }, x0, x1, cell,
      mesh);
  const double y = (y0 + y1) / 2;
  lines->push_back({.site = WeldSite::kClosedSection,
                    .points = {Vec3(x0 + 200, y, z1), Vec3(x1 - 200, y, z1)},
                    .normal = -Vec3::UnitZ(),
                    .closed = false,
                    .alternate = false});
}

// A hat-profile cross member on the floor pan at x = xc, along y in [y0, y1], 100 mm high; its
// welds face into the closed section between the hat and the floor.
void BuildFloorCrossMember(double xc, double y0, double y1, double z_floor, double cell,
                           TriangleMesh* mesh, std::vector<WeldLine>* lines) {
  const double z = z_floor + 1, top = z_floor + 100;
  const std::vector<Vec2> profile = RoundedPolyline(
      {Vec2(-95, z), Vec2(-65, z), Vec2(-55, top), Vec2(55, top), Vec2(65, z), Vec2(95, z)}, 6, 3,
      false);
  Extrude(
      profile, false, [&](double s, double t, double y) { return Vec3(xc + s, y, t); }, y0, y1,
      cell, mesh);
  lines->push_back({.site = WeldSite::kClosedSection,
                    .points = {Vec3(xc, y0 + 150, top), Vec3(xc, y1 - 150, top)},
                    .normal = -Vec3::UnitZ(),
                    .closed = false,
                    .alternate = false});
}

// A roof bow: a hat hanging from the roof rails at x = xc, along y in [y0, y1].
void BuildRoofBow(double xc, double y0, double y1, double z_roof, double cell, TriangleMesh* mesh) {
  const double z = z_roof - 10, bottom = z_roof - 80;
  const std::vector<Vec2> profile = RoundedPolyline(
      {Vec2(-75, z), Vec2(-45, z), Vec2(-40, bottom), Vec2(40, bottom), Vec2(45, z), Vec2(75, z)},
      6, 3, false);
  Extrude(
      profile, false, [&](double s, double t, double y) { return Vec3(xc + s, y, t); }, y0, y1,
      cell, mesh);
}

struct Box {
  std::string name;
  Vec3 size_mm, centre_mm;
};

// One body (mm, in its own frame): mesh, weld lines, openings and clamps.
struct Body {
  TriangleMesh mesh;
  std::vector<WeldLine> lines;
  std::vector<Opening> openings;
  std::vector<Box> clamps;
  double half_length = 0;
  /// y of the side planes the robots face (left, right) and the x range welded.
  double left_y = 0, right_y = 0;
};

// Door openings of a side frame between x0 and x1 (front and rear door, or one for a part).
std::vector<Opening2d> DoorOpenings(double x0, double x1, int count, Random* random) {
  const double z0 = 1020 + random->Uniform(-15, 15);
  const double z1 = 1780 + random->Uniform(-15, 15);
  const double r = 120 + random->Uniform(-20, 20);
  if (count == 1) {
    return {{.x0 = x0 + 300 + random->Uniform(-20, 20),
             .x1 = x1 - 300 + random->Uniform(-20, 20),
             .z0 = z0,
             .z1 = z1,
             .r = r}};
  }
  const double front0 = x0 + 450 + random->Uniform(-30, 30);
  const double front1 = front0 + 1080 + random->Uniform(-40, 40);
  const double rear0 = front1 + 150 + random->Uniform(-10, 10);
  const double rear1 = x1 - 350 + random->Uniform(-30, 30);
  return {{.x0 = front0, .x1 = front1, .z0 = z0, .z1 = z1, .r = r},
          {.x0 = rear0, .x1 = rear1, .z0 = z0, .z1 = z1 - 30, .r = r}};
}

void AddOpenings(const SideFrame& f, Body* body) {
  for (const Opening2d& o : f.openings) {
    body->openings.push_back({.y_mm = f.y,
                              .x0_mm = o.x0,
                              .x1_mm = o.x1,
                              .z0_mm = o.z0,
                              .z1_mm = o.z1,
                              .radius_mm = o.r});
  }
}

// A side frame standing alone (kPanel) or a short piece of one (kPart), in the plane y = 0,
// welded from both sides, on a rocker held by column clamps.
Body BuildPanel(bool part, double cell, Random* random) {
  Body body;
  const double half = part ? 750 + random->Uniform(-30, 30) : 1500 + random->Uniform(-40, 40);
  const double z_rocker = 800, z_panel = 900;
  SideFrame f{.y = 0,
              .out = 1,
              .x0 = -half,
              .x1 = half,
              .z0 = z_panel,
              .z_roof = 1950.0 + random->Uniform(-15, 15),
              .openings = DoorOpenings(-half, half, part ? 1 : 2, random),
              .both_sides = true,
              .end_edges = true};
  BuildSideFrame(f, cell, &body.mesh, &body.lines);
  BuildRocker(-half, half, -60, 60, z_rocker, z_panel, cell, &body.mesh, &body.lines);
  AddOpenings(f, &body);
  std::vector<double> columns = {-half + 200, half - 200};
  if (!part) columns.insert(columns.begin() + 1, (f.openings[0].x1 + f.openings[1].x0) / 2);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    body.clamps.push_back({.name = fmt::format("clamp_{}", i + 1),
                           .size_mm = Vec3(200, 200, z_rocker - 5),
                           .centre_mm = Vec3(columns[i], 0, (z_rocker - 5) / 2)});
  }
  body.half_length = half;
  return body;
}

// A body-in-white-like shell, centred on the origin, x along the car.
Body BuildShell(double cell, Random* random) {
  Body body;
  const double half = 2100 + random->Uniform(-40, 40);
  const double w = 780 + random->Uniform(-15, 15);
  const double z_floor = 800;
  const double z_roof = 1950 + random->Uniform(-20, 20);
  const double sx0 = -half + 650, sx1 = half - 550;
  const std::vector<Opening2d> openings = DoorOpenings(sx0, sx1, 2, random);
  for (const double side : {-1.0, 1.0}) {
    const SideFrame f{.y = side * w,
                      .out = side,
                      .x0 = sx0,
                      .x1 = sx1,
                      .z0 = z_floor,
                      .z_roof = z_roof,
                      .openings = openings,
                      .both_sides = false};
    BuildSideFrame(f, cell, &body.mesh, &body.lines);
    AddOpenings(f, &body);
    // The rocker just inside the side panel, and the inner roof rail (an angle under the roof).
    const double y_out = side * (w - 2), y_in = side * (w - 122);
    BuildRocker(sx0, sx1, std::min(y_out, y_in), std::max(y_out, y_in), z_floor, z_floor + 110,
                cell, &body.mesh, &body.lines);
    const std::vector<Vec2> rail =
        RoundedPolyline({Vec2(side * (w - 2), z_roof - 80), Vec2(side * (w - 110), z_roof - 80),
                         Vec2(side * (w - 110), z_roof - 10)},
                        8, 3, false);
    Extrude(
        rail, false, [](double s, double t, double x) { return Vec3(x, s, t); }, sx0, sx1, cell,
        &body.mesh);
  }
  Rectangle(Vec3(-half, -w, z_floor), Vec3(2 * half, 0, 0), Vec3(0, 2 * w, 0), cell, &body.mesh);
  const double b_pillar = (openings[0].x1 + openings[1].x0) / 2;
  for (const double xc : {sx0 + 200, b_pillar, (openings[1].x0 + openings[1].x1) / 2, sx1 - 150}) {
    BuildFloorCrossMember(xc, -w + 125, w - 125, z_floor, cell, &body.mesh, &body.lines);
  }
  for (const double xc : {sx0 + 100, b_pillar, sx1 - 100}) {
    BuildRoofBow(xc, -w + 110, w - 110, z_roof, cell, &body.mesh);
  }
  // Dash panel and rear panel across the body.
  Rectangle(Vec3(sx0, -w, z_floor), Vec3(0, 2 * w, 0), Vec3(0, 0, 550), cell, &body.mesh);
  Rectangle(Vec3(sx1, -w, z_floor), Vec3(0, 2 * w, 0), Vec3(0, 0, 450), cell, &body.mesh);
  // Their top flanges near the side frames (the dash's and the rear panel's joints to the
  // hinge and rear pillars): a gun straddles the free top edge from above, its electrodes along
  // the car; only the robot at that end of the body reaches round to them.
  for (const double side : {-1.0, 1.0}) {
    for (const auto& [x, height, nx] :
         {std::tuple{sx0, 550.0, -1.0}, std::tuple{sx1, 450.0, 1.0}}) {
      const double z = z_floor + height - kFlangeOffset;
      body.lines.push_back({.site = WeldSite::kEndFlange,
                            .points = {Vec3(x, side * (w - 160), z), Vec3(x, side * (w - 340), z)},
                            .normal = Vec3(nx, 0, 0),
                            .closed = false,
                            .alternate = false});
    }
  }
  int n = 0;
  for (const double x : {-half + 300, half - 300}) {
    for (const double y : {-w + 300, w - 300}) {
      body.clamps.push_back({.name = fmt::format("clamp_{}", ++n),
                             .size_mm = Vec3(160, 160, z_floor - 5),
                             .centre_mm = Vec3(x, y, (z_floor - 5) / 2)});
    }
  }
  body.half_length = half;
  body.left_y = -w;
  body.right_y = w;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Robots.

struct ModelSpec {
  const char* folder;
  const char* dialect;
  std::array<double, 6> home_deg;  // arm leaning back, gun pointing down-forward, high
};

// In the order robots get them (seed 1 starts with the first): the three controller dialects
// of the shipped models take turns along a side.
constexpr std::array<ModelSpec, 3> kModels = {{
    {"fanuc_r2000ic165f", "fanuc_ls", {0, -30, -35, 0, 100, 0}},
    {"abb_irb6700_200_260", "abb_rapid", {0, -30, -35, 0, 100, 0}},
    {"kuka_kr210r2700extra", "kuka_krl", {0, -25, -35, 0, 100, 0}},
}};

// The shipped guns (robots/tools/<name>.yaml) a robot may carry, in the order ties go: the C gun
// straddles a flange's free edge from outside (door-opening edges, roof-rail flanges), the X
// gun's arms reach deeper but its body and the wrist sit 600-815 mm beside the electrodes.
constexpr std::array<const char*, 2> kGuns = {"c_gun", "x_gun"};

struct LoadedModel {
  std::shared_ptr<const cell::RobotModel> model;
  std::unique_ptr<kinematics::Chain> chain;
  std::unique_ptr<kinematics::IkSolver> ik;
};

constexpr int kSpins = 24;  // every 15 degrees, as the cells' reach settings
// mm between neighbouring bases along a side, at least: a riser (900 mm square) plus 400 mm, so
// that a robot turned towards its neighbour's stretch clears the neighbour's riser and base
// column (the base and the rotating column of the shipped models are within 450 mm of J1).
constexpr double kRiserSize = 900.0;
constexpr double kRobotSpacing = kRiserSize + 400.0;
// Placement candidates per robot that the reach check (with collisions) tries, the best by the
// IK-only check first.
constexpr std::size_t kShortlist = 4;
// mm the robots at the ends of a row may stand further out along the body.
constexpr double kEndShift = 500.0;
constexpr double kEndOverhang = 300.0;

// Spins (of kSpins) at which the robot at X_WB reaches the weld with the gun along its normal
// (IK and joint limits only): the quick first sieve of base positions.
int ReachableSpins(const LoadedModel& m, const cell::Tool& tool, const Eigen::Isometry3d& X_WB,
                   const Vec3& p_mm, const Vec3& n) {
  cell::Weld weld;
  weld.p_W = p_mm / 1000.0;
  weld.n_W = n.normalized();
  const Eigen::Isometry3d X_BW = X_WB.inverse();
  const Eigen::Isometry3d X_TF = tool.X_FT.inverse();
  int count = 0;
  for (int k = 0; k < kSpins; ++k) {
    const double spin = -kPi + 2 * kPi * k / kSpins;
    const Eigen::Isometry3d X_BF = X_BW * cell::WeldTcpPose(weld, spin) * X_TF;
    if (!m.ik->Solve(X_BF, {.max_solutions = 1, .include_2pi_equivalents = false}).empty()) {
      ++count;
    }
  }
  return count;
}

Eigen::Isometry3d BasePose(const Vec3& base_mm, double yaw_deg) {
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.translation() = base_mm / 1000.0;
  X.linear() = Eigen::AngleAxisd(yaw_deg * kDeg, Vec3::UnitZ()).toRotationMatrix();
  return X;
}

// ---------------------------------------------------------------------------------------------
// Text output.

// A length or angle as written: 0.1 resolution, no trailing ".0", never "-0".
std::string Num(double v) {
  double r = std::round(v * 10.0) / 10.0 + 0.0;
  if (r == 0) r = 0;
  std::string s = fmt::format("{:.1f}", r);
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
  return s;
}

std::string Xyz(const Vec3& v) {
  return fmt::format("[{}, {}, {}]", Num(v.x()), Num(v.y()), Num(v.z()));
}

Vec3 Round(const Vec3& v) {
  return Vec3(std::round(v.x() * 10) / 10, std::round(v.y() * 10) / 10,
              std::round(v.z() * 10) / 10);
}

// Counts per site for a README line.
std::string Percent(int part, int whole) {
  return whole == 0 ? "0 %" : fmt::format("{:.0f} %", 100.0 * part / whole);
}

InputError OptionError(const std::string& option, const std::string& message) {
  return InputError(
      {{.where = {.file = "weldcell generate"}, .key_path = option, .message = message}});
}

}  // namespace

std::string ToString(BodyKind kind) {
  switch (kind) {
    case BodyKind::kAuto:
      return "auto";
    case BodyKind::kPart:
      return "part";
    case BodyKind::kPanel:
      return "panel";
    case BodyKind::kShell:
      return "shell";
    case BodyKind::kTandem:
      return "tandem";
  }
  return "?";
}

std::string ToString(GunChoice gun) {
  switch (gun) {
    case GunChoice::kAuto:
      return "auto";
    case GunChoice::kCGun:
      return "c_gun";
    case GunChoice::kXGun:
      return "x_gun";
  }
  return "?";
}

std::string ToString(WeldSite site) {
  switch (site) {
    case WeldSite::kDoorOpening:
      return "door opening";
    case WeldSite::kRoofRail:
      return "roof rail";
    case WeldSite::kClosedSection:
      return "closed section";
    case WeldSite::kEndFlange:
      return "end flange";
  }
  return "?";
}

BodyKind ResolveBodyKind(const GenerateOptions& options) {
  if (options.body != BodyKind::kAuto) return options.body;
  if (options.welds <= 40) return BodyKind::kPart;
  if (options.welds <= 100) return BodyKind::kPanel;
  if (options.welds <= 300) return BodyKind::kShell;
  return BodyKind::kTandem;
}

namespace {

// `count` split over parts in proportion to their sizes (largest remainders, ties to the first).
std::vector<int> Distribute(int count, const std::vector<double>& sizes) {
  std::vector<int> out(sizes.size(), 0);
  double total = 0;
  for (const double s : sizes) total += s;
  if (sizes.empty() || total <= 0) return out;
  std::vector<std::pair<double, std::size_t>> remainders;
  int given = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const double exact = count * sizes[i] / total;
    out[i] = static_cast<int>(std::floor(exact));
    given += out[i];
    remainders.emplace_back(exact - out[i], i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < count; ++k, ++given)
    ++out[remainders[k % remainders.size()].second];
  return out;
}

std::string BodyText(BodyKind kind, int instances) {
  switch (kind) {
    case BodyKind::kPart:
      return "a short side-frame piece with one door opening, standing upright on a rocker "
             "(closed box section), welded from both sides";
    case BodyKind::kPanel:
      return "a side frame standing upright: two door openings, the roof-rail flange along its "
             "top, a rocker (closed box section) along its bottom; welded from both sides";
    case BodyKind::kShell:
    case BodyKind::kTandem:
      return fmt::format(
          "{}a body-in-white-like shell: floor pan, two side frames with two door openings each, "
          "roof-rail flanges, inner roof rails, rockers, four floor cross members (hat "
          "profiles), three roof bows, dash and rear panels",
          instances > 1 ? fmt::format("{} bodies one behind the other, each ", instances) : "");
    case BodyKind::kAuto:
      break;
  }
  return "?";
}

std::string Exercises(BodyKind kind) {
  switch (kind) {
    case BodyKind::kPart:
      return "- the demo's size on a meshed part: reach with the gun's throat around an opening's "
             "edge, two robots sharing a part from opposite sides, one unreachable weld reported "
             "as such.\n";
    case BodyKind::kPanel:
      return "- collision checks against a mesh of tens of thousands of triangles (the door "
             "rings and the bent roof flange are finely tessellated);\n"
             "- welds inside door openings (the gun's lower jaw passes through the opening), on a "
             "flange along the top, and inside a closed section (unreachable);\n"
             "- allocation between two robots per side with overlapping reach.\n";
    case BodyKind::kShell:
      return "- the whole-station target (`weldcell plan` on L within the targets of TARGETS.md): "
             "a body mesh of "
             "more than 100k triangles, six robots on risers;\n"
             "- welds inside door openings (the lower jaw inside the body, between floor cross "
             "members, roof bows and inner roof rails), on the roof rails, some that only one "
             "robot reaches, a few that none reaches (inside closed sections);\n"
             "- robots facing each other across the body (robot-robot coordination over the "
             "roof).\n";
    case BodyKind::kTandem:
      return "- growth from L: twice the robots, four times the welds, two bodies' worth of "
             "triangles;\n"
             "- everything L exercises, with neighbouring robots closer together along each "
             "side.\n";
    case BodyKind::kAuto:
      break;
  }
  return "";
}

// Splits items 0..m-1 (in order along the body) into n contiguous stretches, stretch i for
// robot i: cuts[i]..cuts[i+1]-1 (cuts[0] = 0, cuts[n] = m). Most items in a stretch whose robot
// reaches them (reaches(item, robot)) first, then the least sum of squared differences of the
// stretches' sizes from m/n; ties to the earliest cuts. Dynamic programming, O(n m^2).
std::vector<int> SplitIntoStretches(int m, int n, const std::function<bool(int, int)>& reaches) {
  // prefix[i][j]: items before j that robot i reaches.
  std::vector<std::vector<int>> prefix(n, std::vector<int>(m + 1, 0));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < m; ++j) prefix[i][j + 1] = prefix[i][j] + (reaches(j, i) ? 1 : 0);
  }
  const double even = n > 0 ? static_cast<double>(m) / n : 0;
  struct Value {
    int reached = -1;
    double spread = 0;
    int from = 0;
    bool Better(int r, double s) const {
      return r > reached || (r == reached && s < spread - 1e-9);
    }
  };
  // best[i][j]: the first j items in i stretches.
  std::vector<std::vector<Value>> best(n + 1, std::vector<Value>(m + 1));
  best[0][0] = {.reached = 0, .spread = 0, .from = 0};
  for (int i = 1; i <= n; ++i) {
    for (int j = 0; j <= m; ++j) {
      for (int k = 0; k <= j; ++k) {
        const Value& before = best[i - 1][k];
        if (before.reached < 0) continue;
        const int r = before.reached + prefix[i - 1][j] - prefix[i - 1][k];
        const double s = before.spread + (j - k - even) * (j - k - even);
        if (best[i][j].Better(r, s)) best[i][j] = {.reached = r, .spread = s, .from = k};
      }
    }
  }
  std::vector<int> cuts(n + 1, m);
  for (int i = n, j = m; i > 0; --i) {
    cuts[i] = j;
    j = best[i][j].from;
    cuts[i - 1] = j;
  }
  cuts[0] = 0;
  return cuts;
}

}  // namespace

bool IsStationName(const std::string& name) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  // Starting with '-' or '.' it would read as a YAML sequence entry or an option (`-x`), or be
  // `.`; YAML reads null, Null and NULL as no value.
  return !name.empty() && (alnum(name[0]) || name[0] == '_') &&
         std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '-' || c == '.'; }) &&
         name != "null" && name != "Null" && name != "NULL";
}

namespace {

// Throws InputError when `options` are out of range (see GenerateStation).
void CheckOptions(const GenerateOptions& options) {
  if (options.robots < 1 || options.robots > 40) {
    throw OptionError("--robots", fmt::format("expected 1 to 40 robots, got {}", options.robots));
  }
  if (options.welds < 1 || options.welds > 5000) {
    throw OptionError("--welds", fmt::format("expected 1 to 5000 welds, got {}", options.welds));
  }
  if (!IsStationName(options.name)) {
    throw OptionError("--name", std::string(kStationNameRule) + ", got '" + options.name + "'");
  }
}

// The station's bodies: one body, placed once, or twice one behind the other (kTandem).
struct Scene {
  Body body;                      // in its own frame
  std::vector<double> offsets;    // mm along x of each body instance
  std::vector<WeldLine> lines;    // of every instance, in world coordinates
  std::vector<Box> clamps;        // of every instance, in world coordinates
  std::vector<Opening> openings;  // of every instance, in world coordinates
};

// Builds the body of `kind` (drawing its dimensions from `random`) and places its instances.
Scene BuildScene(BodyKind kind, Random* random) {
  Scene scene;
  // Mesh resolution (mm) per body: what brings the reference stations to their triangle counts
  // (M >= 20k, L >= 100k) without going far beyond them.
  switch (kind) {
    case BodyKind::kPart:
      scene.body = BuildPanel(true, 40.0, random);
      break;
    case BodyKind::kPanel:
      scene.body = BuildPanel(false, 19.0, random);
      break;
    case BodyKind::kShell:
    case BodyKind::kTandem:
    case BodyKind::kAuto:
      scene.body = BuildShell(21.0, random);
      break;
  }
  scene.offsets = {0.0};
  if (kind == BodyKind::kTandem)
    scene.offsets = {-(scene.body.half_length + 300), scene.body.half_length + 300};
  // Weld lines of every body instance, in world coordinates.
  for (std::size_t b = 0; b < scene.offsets.size(); ++b) {
    const Vec3 shift(scene.offsets[b], 0, 0);
    for (WeldLine line : scene.body.lines) {
      // Of a tandem, only the outer ends' flanges: between the bodies no robot stands.
      if (line.site == WeldSite::kEndFlange &&
          ((line.normal.x() < -0.5 && b > 0) ||
           (line.normal.x() > 0.5 && b + 1 < scene.offsets.size())))
        continue;
      for (Vec3& p : line.points) p += shift;
      scene.lines.push_back(std::move(line));
    }
    for (Opening o : scene.body.openings) {
      o.x0_mm += scene.offsets[b];
      o.x1_mm += scene.offsets[b];
      scene.openings.push_back(o);
    }
    for (Box c : scene.body.clamps) {
      c.centre_mm += shift;
      if (scene.offsets.size() > 1) c.name = fmt::format("body{}_{}", b + 1, c.name);
      scene.clamps.push_back(std::move(c));
    }
  }
  return scene;
}

// The welds along the weld lines, and for each the side of the body whose robots work it.
struct WeldLayout {
  std::vector<GeneratedWeld> welds;  // reached_by still empty
  std::vector<int> side_of;          // 0 left, 1 right, -1 none (meant unreachable)
};

// Spreads `count` welds over `lines` (jittered by `random`); `both_sides`: roof-rail welds
// without a side alternate between the sides (a part or panel welded from both). `one_row`: every
// robot stands in the left row (a station of one robot), so the welds go on the lines of that
// side only (with two sides, one robot left 7 of 12 welds to no robot).
WeldLayout PlaceWelds(const std::vector<WeldLine>& lines, int count, bool both_sides, bool one_row,
                      Random* random) {
  WeldLayout out;
  // A line whose welds only the right row would work (their side by the rules below).
  const auto right_side_only = [&](const WeldLine& line) {
    if (line.alternate || line.site == WeldSite::kClosedSection) return false;
    if (line.normal.y() > 0.5) return true;
    if (line.normal.y() < -0.5 || both_sides) return false;
    return line.At(0.5 * line.Length()).y() > 0;
  };
  // How many welds go where: a few meant unreachable, a fifth of the rest on roof rails, a few
  // on the end flanges.
  const int n_closed = count >= 10 ? std::max(1, static_cast<int>(std::lround(0.04 * count))) : 0;
  const int n_roof = static_cast<int>(std::lround(0.2 * (count - n_closed)));
  // (End flanges only the robot at that end of a row reaches: none for a robot alone, 2.6 m off.)
  const int n_end = one_row ? 0 : static_cast<int>(std::lround(0.06 * (count - n_closed)));
  const int n_door = count - n_closed - n_roof - n_end;
  std::vector<int> per_line(lines.size(), 0);
  for (const auto& [site, site_count] :
       {std::pair{WeldSite::kDoorOpening, n_door}, std::pair{WeldSite::kRoofRail, n_roof},
        std::pair{WeldSite::kClosedSection, n_closed}, std::pair{WeldSite::kEndFlange, n_end}}) {
    std::vector<double> sizes;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].site != site || (one_row && right_side_only(lines[i]))) continue;
      sizes.push_back(lines[i].Length());
      index.push_back(i);
    }
    const std::vector<int> split = Distribute(site_count, sizes);
    for (std::size_t k = 0; k < index.size(); ++k) per_line[index[k]] = split[k];
  }
  int alternate_roof = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const WeldLine& line = lines[i];
    const int k = per_line[i];
    if (k == 0) continue;
    const double length = line.Length();
    const double spacing = length / k;
    const double start = line.closed ? random->Uniform(0, spacing) : 0.5 * spacing;
    for (int j = 0; j < k; ++j) {
      double s = start + (j + random->Uniform(-0.2, 0.2)) * spacing;
      if (line.closed) s = std::fmod(s + length, length);
      GeneratedWeld weld;
      weld.id = fmt::format("W{:04d}", out.welds.size() + 1);
      weld.p_mm = Round(line.At(s));
      weld.n = line.normal;
      if (line.alternate && one_row) {
        weld.n.y() = -std::abs(weld.n.y());  // every weld from the left, where the robot is
      } else if (line.alternate && j % 2 == 1) {
        weld.n.y() = -weld.n.y();
      }
      weld.site = line.site;
      int side = -1;
      if (line.site == WeldSite::kClosedSection) {
        side = -1;
      } else if (weld.n.y() < -0.5) {
        side = 0;
      } else if (weld.n.y() > 0.5) {
        side = 1;
      } else if (both_sides) {
        side = one_row ? 0 : alternate_roof++ % 2;
      } else {
        side = weld.p_mm.y() < 0 ? 0 : 1;
      }
      out.side_of.push_back(side);
      out.welds.push_back(std::move(weld));
    }
  }
  return out;
}

// The shipped robot models (loaded when first asked for) and guns of options.robots_dir.
class Shipped {
 public:
  explicit Shipped(const std::filesystem::path& robots_dir) : robots_dir_(robots_dir) {
    for (const char* gun : kGuns) {
      guns_.push_back(cell::LoadTool(robots_dir_ / "tools" / (std::string(gun) + ".yaml")).value);
    }
  }
  // kModels[k], its chain and IK solver.
  const LoadedModel& Model(std::size_t k) {
    if (!models_[k]) {
      LoadedModel m;
      m.model = cell::LoadRobotModel(robots_dir_ / kModels[k].folder / "robot.yaml").value;
      m.chain = std::make_unique<kinematics::Chain>(*m.model);
      m.ik = kinematics::MakeIkSolver(*m.chain);
      models_[k] = std::move(m);
    }
    return *models_[k];
  }
  // kGuns[g].
  const cell::Tool& Gun(std::size_t g) const { return guns_[g]; }

 private:
  std::filesystem::path robots_dir_;
  std::array<std::optional<LoadedModel>, kModels.size()> models_;
  std::vector<cell::Tool> guns_;
};

// A robot's model, gun and base.
struct Placement {
  std::size_t model = 0, gun = 0;
  Vec3 base_mm = Vec3::Zero();
  double yaw_deg = 0;
};

// What the placement steps work on: the options, the bodies, the welds and the shipped robots.
struct Workbench {
  const GenerateOptions& options;
  BodyKind body = BodyKind::kPart;
  const Scene& scene;
  const std::vector<GeneratedWeld>& welds;
  Shipped& shipped;
  // The body as the cell loads it: body.stl's single-precision millimetres, scaled to metres.
  std::shared_ptr<const cell::Mesh> body_mesh;
};

// The body mesh as the cell loads body.stl (single-precision millimetres, scaled to metres).
std::shared_ptr<const cell::Mesh> LoadedBodyMesh(const TriangleMesh& mesh) {
  auto body_m = std::make_shared<cell::Mesh>();
  for (const Vec3& v : mesh.vertices)
    body_m->vertices.push_back(v.cast<float>().cast<double>() * 0.001);
  body_m->triangles = mesh.triangles;
  return body_m;
}

enum class Risers { kWithout, kWith };

// The station as a Cell (what LoadCell makes of the written files), with `placed` as its robots
// and, with Risers::kWith, a riser under each.
cell::Cell MakeCell(const Workbench& bench, const std::vector<Placement>& placed, Risers risers) {
  cell::Cell c;
  c.name = bench.options.name;
  c.cycle_time = 100;
  c.settings.seed = bench.options.seed;
  c.settings.reach = {.spin_step = 15 * kDeg, .tilt_step = 0, .min_clearance = 0};
  for (std::size_t r = 0; r < placed.size(); ++r) {
    const Placement& p = placed[r];
    cell::Robot robot;
    robot.name = fmt::format("R{}", r + 1);
    robot.model = bench.shipped.Model(p.model).model;
    robot.X_WB = BasePose(p.base_mm, p.yaw_deg);
    robot.tool = bench.shipped.Gun(p.gun);
    robot.home =
        Eigen::Map<const Eigen::Matrix<double, 6, 1>>(kModels[p.model].home_deg.data()) * kDeg;
    robot.controller = {.dialect = kModels[p.model].dialect, .program = robot.name};
    c.robots.push_back(std::move(robot));
  }
  for (const GeneratedWeld& w : bench.welds) {
    c.welds.push_back({.id = w.id,
                       .p_W = w.p_mm / 1000.0,
                       .n_W = w.n,
                       .weld_time = 0.35,
                       .tilt_tolerance = 10 * kDeg,
                       .spin_min = -kPi,
                       .spin_max = kPi});
  }
  for (std::size_t b = 0; b < bench.scene.offsets.size(); ++b) {
    cell::Obstacle o{.name =
                         bench.scene.offsets.size() == 1 ? "body" : fmt::format("body_{}", b + 1)};
    o.geometry.shape = cell::Shape::FromMesh(bench.body_mesh);
    o.geometry.X_FG.translation() = Vec3(bench.scene.offsets[b], 0, 0) / 1000.0;
    c.obstacles.push_back(std::move(o));
  }
  const auto box = [&](const std::string& name, const Vec3& size_mm, const Vec3& centre_mm) {
    cell::Obstacle o{.name = name};
    o.geometry.shape = cell::Shape::Box(size_mm / 1000.0);
    o.geometry.X_FG.translation() = centre_mm / 1000.0;
    c.obstacles.push_back(std::move(o));
  };
  for (const Box& clamp : bench.scene.clamps) box(clamp.name, clamp.size_mm, clamp.centre_mm);
  if (risers == Risers::kWith) {
    for (std::size_t r = 0; r < placed.size(); ++r) {
      const double riser = placed[r].base_mm.z();
      if (riser <= 5) continue;
      box(fmt::format("riser_R{}", r + 1), Vec3(kRiserSize, kRiserSize, riser - 5),
          Vec3(placed[r].base_mm.x(), placed[r].base_mm.y(), (riser - 5) / 2));
    }
  }
  return c;
}

// A robot's place in a row: its side, its first stretch and the placements to try.
struct Slot {
  int side = 0;
  std::vector<int> stretch;  // weld indices, by x
  std::vector<Placement> shortlist;
};

// The robots' slots, the left row (y < 0, facing +y) first, and each side's welds.
struct Rows {
  std::vector<Slot> slots;
  std::array<std::vector<int>, 2> side_welds;  // by x
};

// Where the sieve may stand one slot's robot: beside x_mm, facing the side plane y = plane_y_mm.
struct SieveSpace {
  std::size_t model = 0;  // of kModels
  double x_mm = 0, plane_y_mm = 0;
  double toward = 1;  // along y, from the body to the robots
  double yaw_deg = 0;
  std::vector<double> shifts_mm;         // along x: 0, and further out at a row's end
  std::array<double, 3> distances_mm{};  // J1 axis from the side plane
};

// Whether kGuns[g] may be placed: any with GunChoice::kAuto, else the one given.
bool GunAllowed(GunChoice choice, std::size_t g) {
  return choice == GunChoice::kAuto || ToString(choice) == kGuns[g];
}

// The IK-only sieve of one slot: every gun (the one given, with --gun), shift, distance and riser
// height, scored by the stretch's welds reached with at least two gun spins (not only at a
// borderline one), then by those reached at all; the best kShortlist, and each gun's best and the
// best shifted when those lack them, go to the reach check.
std::vector<Placement> Shortlist(const Workbench& bench, const SieveSpace& space,
                                 const std::vector<int>& stretch) {
  std::vector<std::pair<std::pair<int, int>, Placement>> scored;
  for (std::size_t g = 0; g < kGuns.size(); ++g) {
    if (!GunAllowed(bench.options.gun, g)) continue;
    for (const double dx : space.shifts_mm) {
      for (const double distance : space.distances_mm) {
        for (const double riser : {500.0, 350.0, 650.0}) {
          const Placement p{
              .model = space.model,
              .gun = g,
              .base_mm = Vec3(space.x_mm + dx, space.plane_y_mm + space.toward * distance, riser),
              .yaw_deg = space.yaw_deg};
          int score = 0, reached = 0;
          for (const int w : stretch) {
            const int spins = ReachableSpins(bench.shipped.Model(space.model), bench.shipped.Gun(g),
                                             BasePose(p.base_mm, space.yaw_deg),
                                             bench.welds[w].p_mm, bench.welds[w].n);
            score += spins >= 2 ? 1 : 0;
            reached += spins > 0 ? 1 : 0;
          }
          scored.push_back({{score, reached}, p});
        }
      }
    }
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Placement> shortlist;
  for (std::size_t c = 0; c < std::min(kShortlist, scored.size()); ++c)
    shortlist.push_back(scored[c].second);
  for (std::size_t g = 0; g < kGuns.size(); ++g) {  // and every gun's best
    if (std::any_of(shortlist.begin(), shortlist.end(),
                    [&](const Placement& p) { return p.gun == g; }))
      continue;
    const auto first = std::find_if(scored.begin(), scored.end(),
                                    [&](const auto& c) { return c.second.gun == g; });
    if (first != scored.end()) shortlist.push_back(first->second);
  }
  // and the best further out, at an end of the row
  const auto shifted = [&](const Placement& p) { return p.base_mm.x() != space.x_mm; };
  if (space.shifts_mm.size() > 1 && std::none_of(shortlist.begin(), shortlist.end(), shifted)) {
    const auto first = std::find_if(scored.begin(), scored.end(),
                                    [&](const auto& c) { return shifted(c.second); });
    if (first != scored.end()) shortlist.push_back(first->second);
  }
  return shortlist;
}

// Lays out each side's row: bases evenly along its welds, each with a first stretch, and the
// IK-only sieve's shortlist of placements (gun, distance, riser, end shift) for each.
Rows SieveRows(const Workbench& bench, const std::vector<int>& side_of) {
  const GenerateOptions& options = bench.options;
  const std::vector<GeneratedWeld>& welds = bench.welds;
  Rows rows;
  const int n_left = (options.robots + 1) / 2;
  // mm from the side plane to the robots' J1 axes. Nearer bases fold the arm so tightly for the
  // welds low in the door openings that the wrist hits the panel; a panel alone is also welded
  // through its openings from the far side, which needs more room.
  const std::array<double, 3> distances = bench.body == BodyKind::kPanel
                                              ? std::array<double, 3>{2300, 2100, 2500}
                                              : std::array<double, 3>{1900, 1750, 2100};
  for (int side = 0; side < 2; ++side) {
    const int n = side == 0 ? n_left : options.robots - n_left;
    if (n == 0) continue;
    std::vector<int>& share_welds = rows.side_welds[static_cast<std::size_t>(side)];
    for (std::size_t w = 0; w < welds.size(); ++w) {
      if (side_of[w] == side) share_welds.push_back(static_cast<int>(w));
    }
    std::stable_sort(share_welds.begin(), share_welds.end(),
                     [&](int a, int b) { return welds[a].p_mm.x() < welds[b].p_mm.x(); });
    const double x_min = share_welds.empty() ? 0 : welds[share_welds.front()].p_mm.x();
    const double x_max = share_welds.empty() ? 0 : welds[share_welds.back()].p_mm.x();
    const double plane_y = side == 0 ? bench.scene.body.left_y : bench.scene.body.right_y;
    const double toward = side == 0 ? -1.0 : 1.0;  // from the body to the robots
    const double yaw = side == 0 ? 90.0 : -90.0;
    // Evenly along the side's welds, at least kRobotSpacing apart; each robot's first stretch
    // is the welds nearest its base along the body (contiguous: bases and welds are by x).
    const double spacing = std::max((x_max - x_min) / n, kRobotSpacing);
    const double x_mid = (x_min + x_max) / 2;
    std::vector<double> xs;
    for (int i = 0; i < n; ++i) xs.push_back(x_mid + (i - (n - 1) / 2.0) * spacing);
    std::vector<Slot> side_slots(n);
    for (const int w : share_welds) {
      int best = 0;
      for (int i = 1; i < n; ++i) {
        if (std::abs(welds[w].p_mm.x() - xs[i]) < std::abs(welds[w].p_mm.x() - xs[best])) {
          best = i;
        }
      }
      side_slots[best].stretch.push_back(w);
    }
    for (int i = 0; i < n; ++i) {
      const auto index = static_cast<std::uint64_t>(rows.slots.size());
      const std::size_t k =
          (index + (options.seed + kModels.size() - 1) % kModels.size()) % kModels.size();
      // The robots at the ends of a row may also stand further out, where they reach round
      // the body's end (its end flanges) with the wrist less folded: kEndShift out, and at
      // least kEndOverhang beyond the row's last weld.
      std::vector<double> shifts = {0.0};
      if (n > 1 && i == 0) shifts.push_back(std::min(-kEndShift, x_min - kEndOverhang - xs[i]));
      if (n > 1 && i == n - 1) {
        shifts.push_back(std::max(kEndShift, x_max + kEndOverhang - xs[i]));
      }
      side_slots[i].side = side;
      side_slots[i].shortlist = Shortlist(bench,
                                          {.model = k,
                                           .x_mm = xs[i],
                                           .plane_y_mm = plane_y,
                                           .toward = toward,
                                           .yaw_deg = yaw,
                                           .shifts_mm = shifts,
                                           .distances_mm = distances},
                                          side_slots[i].stretch);
      rows.slots.push_back(std::move(side_slots[i]));
    }
  }
  return rows;
}

// Each slot's placement: of its shortlist, the one that reaches most of its stretch by the
// planner's reach check.
std::vector<Placement> ChoosePlacements(const Workbench& bench, const std::vector<Slot>& slots) {
  // The reach check of the shortlists (the sieve's kShortlist best placements, and the best with
  // each gun when those lack it): the candidates stand in one cell, each checked
  // against its own stretch only, without risers and without the others at home (they are
  // alternatives, not neighbours). The best: most welds of the stretch reached, then most gun
  // poses (capped per weld at a full turn of spins, so that no single weld decides); ties to
  // the first in the shortlist.
  std::vector<std::vector<char>> in_stretch(slots.size(), std::vector<char>(bench.welds.size(), 0));
  for (std::size_t i = 0; i < slots.size(); ++i) {
    for (const int w : slots[i].stretch) in_stretch[i][static_cast<std::size_t>(w)] = 1;
  }
  std::vector<Placement> placed(slots.size());
  std::vector<std::pair<int, int>> best(slots.size(), {-1, -1});
  {
    std::vector<Placement> candidates;
    std::vector<std::size_t> slot_of;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      for (const Placement& p : slots[i].shortlist) {
        candidates.push_back(p);
        slot_of.push_back(i);
      }
    }
    const cell::Cell trial = MakeCell(bench, candidates, Risers::kWithout);
    const collision::CollisionWorld world(trial, {.robots_at_home_are_obstacles = false});
    const reach::ReachMap map =
        reach::ReachAll(trial, world,
                        {.threads = bench.options.threads,
                         .pairs =
                             [&](int w, int r) {
                               return in_stretch[slot_of[static_cast<std::size_t>(r)]]
                                                [static_cast<std::size_t>(w)] != 0;
                             },
                         .exact_clearance = false});
    for (std::size_t r = 0; r < candidates.size(); ++r) {
      const std::size_t i = slot_of[r];
      std::pair<int, int> score{0, 0};
      for (const int w : slots[i].stretch) {
        const reach::WeldReach& entry = map.at(w, static_cast<int>(r));
        if (entry.status != reach::ReachStatus::kReachable) continue;
        ++score.first;
        score.second += std::min<int>(static_cast<int>(entry.candidates.size()), kSpins);
      }
      if (score > best[i]) {
        best[i] = score;
        placed[i] = candidates[r];
      }
    }
  }
  return placed;
}

// For every weld, the robots (in robot order) that reach it by the planner's reach check on the
// station as written (as `weldcell reach` computes it: risers, every other robot at home an
// obstacle).
std::vector<std::vector<int>> ReachedBy(const Workbench& bench,
                                        const std::vector<Placement>& placed) {
  std::vector<std::vector<int>> out(bench.welds.size());
  const cell::Cell final_cell = MakeCell(bench, placed, Risers::kWith);
  const collision::CollisionWorld world(final_cell);
  const reach::ReachMap map = reach::ReachAll(
      final_cell, world,
      {.threads = bench.options.threads, .exact_clearance = false, .max_candidates = 1});
  for (std::size_t w = 0; w < bench.welds.size(); ++w) {
    for (std::size_t r = 0; r < placed.size(); ++r) {
      if (map.at(static_cast<int>(w), static_cast<int>(r)).status == reach::ReachStatus::kReachable)
        out[w].push_back(static_cast<int>(r));
    }
  }
  return out;
}

// Each side's welds split again into contiguous stretches, one per robot along the side, with as
// many welds as possible reached by the stretch's own robot, then as even as possible; welds
// that no robot of the side reaches belong to no stretch. The shares, per slot.
std::vector<std::vector<int>> SplitShares(const Rows& rows,
                                          const std::vector<GeneratedWeld>& welds) {
  const std::vector<Slot>& slots = rows.slots;
  std::vector<std::vector<int>> shares(slots.size());
  for (int side = 0; side < 2; ++side) {
    std::vector<int> robots_here;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].side == side) robots_here.push_back(static_cast<int>(i));
    }
    if (robots_here.empty()) continue;
    const auto reaches = [&](int w, int r) {
      const std::vector<int>& by = welds[static_cast<std::size_t>(w)].reached_by;
      return std::find(by.begin(), by.end(), r) != by.end();
    };
    std::vector<int> order;
    for (const int w : rows.side_welds[static_cast<std::size_t>(side)]) {
      if (std::any_of(robots_here.begin(), robots_here.end(), [&](int r) { return reaches(w, r); }))
        order.push_back(w);
    }
    const std::vector<int> cuts = SplitIntoStretches(
        static_cast<int>(order.size()), static_cast<int>(robots_here.size()), [&](int j, int i) {
          return reaches(order[static_cast<std::size_t>(j)],
                         robots_here[static_cast<std::size_t>(i)]);
        });
    for (std::size_t i = 0; i < robots_here.size(); ++i) {
      for (int j = cuts[i]; j < cuts[i + 1]; ++j)
        shares[static_cast<std::size_t>(robots_here[i])].push_back(
            order[static_cast<std::size_t>(j)]);
    }
  }
  return shares;
}

// The robots as the station reports them: names, placements, first stretches and shares.
std::vector<GeneratedRobot> DescribeRobots(const std::vector<Placement>& placed,
                                           const std::vector<Slot>& slots,
                                           const std::vector<std::vector<int>>& shares,
                                           const std::vector<GeneratedWeld>& welds) {
  std::vector<GeneratedRobot> out;
  for (std::size_t i = 0; i < placed.size(); ++i) {
    GeneratedRobot robot;
    const Placement& p = placed[i];
    robot.name = fmt::format("R{}", i + 1);
    robot.model = kModels[p.model].folder;
    robot.tool = kGuns[p.gun];
    robot.base_mm = p.base_mm;
    robot.yaw_deg = p.yaw_deg;
    robot.riser_mm = p.base_mm.z();
    robot.share_welds = shares[i];
    robot.share = static_cast<int>(shares[i].size());
    const auto reached = [&](const std::vector<int>& stretch) {
      return static_cast<int>(std::count_if(stretch.begin(), stretch.end(), [&](int w) {
        const std::vector<int>& by = welds[static_cast<std::size_t>(w)].reached_by;
        return std::find(by.begin(), by.end(), static_cast<int>(i)) != by.end();
      }));
    };
    robot.share_reached = reached(shares[i]);
    robot.first_stretch = static_cast<int>(slots[i].stretch.size());
    robot.first_stretch_reached = reached(slots[i].stretch);
    out.push_back(robot);
  }
  return out;
}

// With a given gun (--gun), refuses a station on which a robot reaches less than
// kMinGivenGunReach of its first stretch: the gun does not suit the layout, and the station
// would leave that part of the body to no robot or to its neighbours.
void CheckGivenGunReach(const GenerateOptions& options, const std::vector<GeneratedRobot>& robots) {
  if (options.gun == GunChoice::kAuto) return;
  for (const GeneratedRobot& r : robots) {
    if (r.first_stretch == 0 ||
        r.first_stretch_reached >= kMinGivenGunReach * static_cast<double>(r.first_stretch))
      continue;
    throw OptionError(
        "--gun",
        fmt::format("with the {} every robot must reach at least {:.0f} % of the welds of its "
                    "side nearest its base, but {} ({}) reaches {} of its {} at its best base; "
                    "no station written. Try --gun auto (each robot the gun that suits its "
                    "stretch), another --body, --welds or --seed",
                    ToString(options.gun), 100 * kMinGivenGunReach, r.name, r.model,
                    r.first_stretch_reached, r.first_stretch));
  }
}

// The command line that regenerates the station, for its files.
std::string CommandLine(const GenerateOptions& options) {
  return !options.command.empty()
             ? options.command
             : fmt::format(
                   "weldcell generate --robots {} --welds {} --seed {}{}{} -o cells/{}",
                   options.robots, options.welds, options.seed,
                   options.body == BodyKind::kAuto ? "" : " --body " + ToString(options.body),
                   options.gun == GunChoice::kAuto ? "" : " --gun " + ToString(options.gun),
                   options.name);
}

// cell.yaml: the robots at `placed`, the welds file, the bodies, clamps and risers.
std::string CellYaml(const Station& station, const Scene& scene,
                     const std::vector<Placement>& placed, const std::string& command) {
  const GenerateOptions& options = station.options;
  // s: generous (about 4 s per weld of an even share, plus 20 s), so that a station exceeds it
  // only when planning goes badly wrong; the robots working through the same openings wait for
  // each other.
  const int per_robot = (options.welds + options.robots - 1) / options.robots;
  const int cycle_time = 5 * ((20 + 4 * per_robot + 4) / 5);
  std::string yaml = fmt::format(
      "# Station {}: generated by `weldcell generate` (README.md says what it is and exercises).\n"
      "# Regenerate with: {}\n"
      "format: weldcell/1\n"
      "name: {}\n"
      "units: {{length: mm, angle: deg}}\n"
      "cycle_time: {}\n"
      "robots:\n",
      options.name, command, options.name, cycle_time);
  for (std::size_t r = 0; r < station.robots.size(); ++r) {
    const GeneratedRobot& robot = station.robots[r];
    const ModelSpec& spec = kModels[placed[r].model];
    std::string home;
    for (const double v : spec.home_deg) home += (home.empty() ? "" : ", ") + Num(v);
    const bool upper = std::string_view(spec.dialect) == "fanuc_ls";
    yaml += fmt::format(
        "  - name: {}\n"
        "    model: {}/{}/robot.yaml\n"
        "    base: {{xyz: {}, rpy: [0, 0, {}]}}\n"
        "    tool: {}/tools/{}.yaml\n"
        "    home: [{}]\n"
        "    controller: {{dialect: {}, program: {}}}\n",
        robot.name, options.robots_ref, spec.folder, Xyz(robot.base_mm), Num(robot.yaw_deg),
        options.robots_ref, robot.tool, home, spec.dialect,
        (upper ? "WELD_R" : "weld_r") + std::to_string(r + 1));
  }
  yaml +=
      "welds:\n"
      "  file: welds.csv\n"
      "  defaults: {weld_time: 0.35, tilt: 10, spin: [-180, 180]}\n"
      "obstacles:\n";
  if (scene.offsets.size() == 1) {
    yaml += "  - {name: body, mesh: body.stl, scale: 0.001}\n";
  } else {
    for (std::size_t b = 0; b < scene.offsets.size(); ++b) {
      yaml +=
          fmt::format("  - {{name: body_{}, mesh: body.stl, scale: 0.001, pose: {{xyz: {}}}}}\n",
                      b + 1, Xyz(Vec3(scene.offsets[b], 0, 0)));
    }
  }
  for (const Box& c : scene.clamps) {
    yaml += fmt::format("  - {{name: {}, box: {}, pose: {{xyz: {}}}}}\n", c.name, Xyz(c.size_mm),
                        Xyz(c.centre_mm));
  }
  for (const GeneratedRobot& robot : station.robots) {
    // The robot stands on its riser: the riser's top is 5 mm below the base.
    const double h = robot.riser_mm - 5;
    yaml +=
        fmt::format("  - {{name: riser_{}, box: {}, pose: {{xyz: {}}}}}\n", robot.name,
                    Xyz(Vec3(900, 900, h)), Xyz(Vec3(robot.base_mm.x(), robot.base_mm.y(), h / 2)));
  }
  yaml += fmt::format(
      "settings:\n"
      "  seed: {}\n"
      "  reach: {{spin_step: 15, tilt_step: 0, min_clearance: 0}}\n",
      options.seed);
  return yaml;
}

// welds.csv: every weld with its group.
std::string WeldsCsv(const Station& station) {
  std::string csv = fmt::format(
      "# Station {}: welds generated by `weldcell generate` (mm; normals out of the sheet,\n"
      "# towards the gun). group: door (door-opening flange), roof (roof-rail flange), end\n"
      "# (a flange at the body's front or rear end), closed (inside a closed section: meant\n"
      "# unreachable).\n"
      "id,x,y,z,nx,ny,nz,weld_time,tilt,spin_min,spin_max,group\n",
      station.options.name);
  for (const GeneratedWeld& w : station.welds) {
    const char* group = w.site == WeldSite::kDoorOpening ? "door"
                        : w.site == WeldSite::kRoofRail  ? "roof"
                        : w.site == WeldSite::kEndFlange ? "end"
                                                         : "closed";
    csv += fmt::format("{},{},{},{},{},{},{},,,,,{}\n", w.id, Num(w.p_mm.x()), Num(w.p_mm.y()),
                       Num(w.p_mm.z()), Num(w.n.x()), Num(w.n.y()), Num(w.n.z()), group);
  }
  return csv;
}

// README.md: what the station is, its robots and shares, its reach, what it exercises.
std::string Readme(const Station& station, const Scene& scene, const std::string& command) {
  const GenerateOptions& options = station.options;
  std::array<int, 4> by_site{};
  int none = 0, one = 0, several = 0, closed_reached = 0;
  for (const GeneratedWeld& w : station.welds) {
    ++by_site[static_cast<int>(w.site)];
    const std::size_t n = w.reached_by.size();
    (n == 0 ? none : n == 1 ? one : several) += 1;
    if (w.site == WeldSite::kClosedSection && n > 0) ++closed_reached;
  }
  const int total = static_cast<int>(station.welds.size());
  std::string readme = fmt::format(
      "# Station {}\n\n"
      "Generated by `weldcell generate` (planner/generate, docs/cli.md); do not edit, "
      "regenerate:\n\n"
      "    {}\n\n"
      "The same command gives the same bytes. Files: `cell.yaml`, `welds.csv`, `body.stl` (binary "
      "STL in mm, read with scale 0.001), this README.\n\n"
      "## What it is\n\n"
      "- Body: {}. `body.stl`: {} triangles, an open surface (no solid for containment "
      "checks){}.\n"
      "- Clamps: {} column clamps under the body; risers: one box under each robot, its top 5 mm "
      "below the robot's base.\n"
      "- {} welds: {} on door-opening flanges (18 mm from the opening's edge, normal out of the "
      "side; the gun's throat takes the edge, its lower jaw passes through the opening), {} on "
      "roof-rail flanges (the standing pinch-weld flange of the roof ditch, 30 mm below its "
      "free edge, normal out of the side; the gun straddles it from above), {} on end flanges "
      "(18 mm from a free edge at the body's front or rear end: a panel's front and rear "
      "edges, a shell's dash and rear panel tops; only the robots at that end reach them), {} "
      "inside closed sections (rocker, floor cross members; normal into the section: meant "
      "unreachable, no gun fits in).\n"
      "- {} robots on both sides of the body, facing it; homes leaning back, the gun high:\n\n"
      "| robot | model | gun | base (mm) | yaw | riser (mm) | stretch x (mm) | share | reached by "
      "it |\n"
      "|---|---|---|---|---|---|---|---|---|\n",
      options.name, command, BodyText(station.body, station.body_instances), station.body_triangles,
      station.body_instances > 1
          ? fmt::format(", placed {} times (obstacles body_1 ...): {} triangles in the cell",
                        station.body_instances, station.body_triangles * station.body_instances)
          : "",
      scene.clamps.size(), total, by_site[0], by_site[1], by_site[3], by_site[2],
      station.robots.size());
  for (const GeneratedRobot& r : station.robots) {
    std::string stretch = "-";
    if (!r.share_welds.empty()) {
      stretch = fmt::format("{} to {}", Num(station.welds[r.share_welds.front()].p_mm.x()),
                            Num(station.welds[r.share_welds.back()].p_mm.x()));
    }
    readme += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.name, r.model,
                          r.tool, Xyz(r.base_mm), Num(r.yaw_deg), Num(r.riser_mm), stretch, r.share,
                          r.share_reached);
  }
  readme += fmt::format(
      "\nLaid out as a station designer would: the robots of a side stand evenly along its welds, "
      "at least {} mm apart (a riser and room for the neighbour's arm; the robots at a row's "
      "ends may stand {} mm further out, and at least {} mm beyond the row's last weld, to reach "
      "round the body's end), and each works a "
      "stretch of the body, door-opening, roof-rail and end-flange welds alike (a share: "
      "contiguous along "
      "x, the stretch column gives its first and last weld's x). Each robot's gun ({}) and base "
      "(three distances from the body, three riser heights: 350, 500, 650 mm) are the ones with "
      "which it reaches most of its first stretch by the planner's reach check (IK, joint "
      "limits, collisions with body and clamps, clear approach; the candidates first sieved by "
      "IK alone); then each side's welds are split again into stretches, as many welds as "
      "possible reached by the stretch's own robot, then as even as possible. Neighbours may "
      "reach welds near the ends of a stretch too.\n\n"
      "## Reach by construction\n\n"
      "By the planner's reach check on this station (what `weldcell reach cell.yaml` computes: "
      "collisions with body, clamps, risers and the other robots at home): {} welds ({}) are "
      "reachable by two or more robots, {} ({}) by exactly one, {} ({}) by none ({} of the {} "
      "closed-section welds, meant unreachable: the gun would have to pass through the "
      "sheet).\n\n"
      "## What it exercises\n\n{}",
      Num(kRobotSpacing), Num(kEndShift), Num(kEndOverhang),
      options.gun == GunChoice::kAuto ? fmt::format("{}", fmt::join(kGuns, ", "))
                                      : ToString(options.gun) + ", given by --gun",
      several, Percent(several, total), one, Percent(one, total), none, Percent(none, total),
      by_site[2] - closed_reached, by_site[2], Exercises(station.body));
  return readme;
}

}  // namespace

Station GenerateStation(const GenerateOptions& options) {
  CheckOptions(options);
  Station station;
  station.options = options;
  station.body = ResolveBodyKind(options);
  Random random(options.seed);
  const Scene scene = BuildScene(station.body, &random);
  station.body_instances = static_cast<int>(scene.offsets.size());
  station.body_triangles = scene.body.mesh.triangles.size();
  station.openings = scene.openings;
  const bool both_sides = station.body == BodyKind::kPart || station.body == BodyKind::kPanel;
  // One robot stands in the left row (SieveRows: the left row takes the odd one).
  WeldLayout layout =
      PlaceWelds(scene.lines, options.welds, both_sides, options.robots == 1, &random);
  station.welds = std::move(layout.welds);

  // Robots: the left row (y < 0, facing +y) first, then the right row; models in turn. As a
  // station designer lays out a line: each robot gets a stretch of its side (the door-opening
  // welds and the roof-rail welds above it), its base beside that stretch, and the gun and base
  // (distance from the body, riser height) with which it reaches most of its stretch by the
  // planner's own reach check (IK, joint limits, collisions with the body and clamps, approach).
  Shipped shipped(options.robots_dir);
  const Workbench bench{.options = options,
                        .body = station.body,
                        .scene = scene,
                        .welds = station.welds,
                        .shipped = shipped,
                        .body_mesh = LoadedBodyMesh(scene.body.mesh)};
  const Rows rows = SieveRows(bench, layout.side_of);
  const std::vector<Placement> placed = ChoosePlacements(bench, rows.slots);
  std::vector<std::vector<int>> reached_by = ReachedBy(bench, placed);
  for (std::size_t w = 0; w < station.welds.size(); ++w)
    station.welds[w].reached_by = std::move(reached_by[w]);
  station.robots =
      DescribeRobots(placed, rows.slots, SplitShares(rows, station.welds), station.welds);
  CheckGivenGunReach(options, station.robots);

  const std::string command = CommandLine(options);
  const std::string stl = BinaryStl(
      scene.body.mesh,
      fmt::format("weldcell generate: {} body, seed {}, mm",
                  ToString(station.body == BodyKind::kTandem ? BodyKind::kShell : station.body),
                  options.seed));
  station.files = {{"cell.yaml", CellYaml(station, scene, placed, command)},
                   {"welds.csv", WeldsCsv(station)},
                   {"body.stl", stl},
                   {"README.md", Readme(station, scene, command)}};
  return station;
}

void WriteStation(const Station& station, const std::filesystem::path& folder) {
  for (const GeneratedFile& file : station.files)
    WriteFileAtomically(folder / file.name, file.contents);
}

}  // namespace weldcell::generate
