#include "planner/plan/cell_hash.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace weldcell::plan {
namespace {

// FNV-1a: simple, fast and stable across platforms; collisions are not a security concern here,
// the hash only tells a plan apart from another cell's.
class Fnv1a {
 public:
  void Bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      h_ ^= p[i];
      h_ *= 0x100000001b3ULL;
    }
  }
  void Number(double v) {
    if (v == 0.0) v = 0.0;  // -0 and +0 hash alike
    Bytes(&v, sizeof v);
  }
  void Text(std::string_view s) {
    const std::uint64_t n = s.size();
    Bytes(&n, sizeof n);
    Bytes(s.data(), s.size());
  }
  void Vector(const Eigen::Ref<const Eigen::VectorXd>& v) {
    Number(static_cast<double>(v.size()));
    for (Eigen::Index i = 0; i < v.size(); ++i) Number(v[i]);
  }
  void Pose(const Eigen::Isometry3d& X) {
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) Number(X.matrix()(r, c));
  }
  void Geometry(const cell::Geometry& g) {
    Pose(g.X_FG);
    const cell::Shape& s = g.shape;
    Number(static_cast<double>(s.kind));
    Vector(s.box_size);
    Number(s.radius);
    Number(s.length);
    if (s.mesh) {
      Number(static_cast<double>(s.mesh->vertices.size()));
      for (const Eigen::Vector3d& v : s.mesh->vertices) Vector(v);
      for (const auto& t : s.mesh->triangles) Bytes(t.data(), sizeof(t));
    }
  }
  std::string Hex() const {
    static const char* kDigits = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 0; i < 16; ++i) out[15 - i] = kDigits[(h_ >> (4 * i)) & 0xF];
    return out;
  }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::string CellHash(const cell::Cell& c) { return CellHash(c, c.settings.seed); }

std::string CellHash(const cell::Cell& c, std::uint64_t seed) {
  Fnv1a h;
  h.Text(c.name);
  h.Number(c.cycle_time);
  for (const cell::Robot& r : c.robots) {
    h.Text(r.name);
    h.Pose(r.X_WB);
    h.Vector(r.home);
    const cell::RobotModel& m = *r.model;
    h.Text(m.name);
    for (const cell::Joint& j : m.joints) {
      h.Text(j.name);
      h.Number(static_cast<double>(j.type));
      h.Pose(j.X_PJ);
      h.Vector(j.axis);
      h.Number(j.lower);
      h.Number(j.upper);
      h.Number(j.max_velocity);
      h.Number(j.max_acceleration);
    }
    for (const cell::Link& l : m.links) {
      h.Text(l.name);
      for (const cell::Geometry& g : l.collision) h.Geometry(g);
    }
    h.Text(r.tool.name);
    h.Pose(r.tool.X_FT);
    for (const cell::Geometry& g : r.tool.collision) h.Geometry(g);
    h.Number(r.tool.approach_distance);
    h.Number(r.tool.close_time);
    h.Number(r.tool.open_time);
  }
  for (const cell::Weld& w : c.welds) {
    h.Text(w.id);
    h.Vector(w.p_W);
    h.Vector(w.n_W);
    h.Number(w.weld_time);
    h.Number(w.tilt_tolerance);
    h.Number(w.spin_min);
    h.Number(w.spin_max);
    for (const std::string& a : w.after) h.Text(a);
  }
  for (const cell::Obstacle& o : c.obstacles) {
    h.Text(o.name);
    h.Geometry(o.geometry);
  }
  const cell::Settings& s = c.settings;
  h.Number(static_cast<double>(seed));
  h.Number(s.reach.spin_step);
  h.Number(s.reach.tilt_step);
  h.Number(s.reach.min_clearance);
  h.Number(s.motion.resolution);
  h.Number(s.motion.speed_scale);
  h.Number(s.motion.planning_time);
  return h.Hex();
}

}  // namespace weldcell::plan
