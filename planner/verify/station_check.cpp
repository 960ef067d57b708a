#include "planner/verify/station_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <numbers>
#include <string>

#include "planner/cell/geometry.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/common/check.hpp"

namespace weldcell::verify {
namespace {

constexpr double kDeg = 180.0 / std::numbers::pi;

std::string Number(double v) {
  // Shortest text up to a µ-unit: -125 rather than -125.00000000000001.
  std::string s = fmt::format("{:.6f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string PairText(const collision::Contact& c) {
  return std::string(c.first.name) + " – " + std::string(c.second.name);
}

bool SameContact(const collision::Contact& a, const collision::Contact& b) {
  return a.first == b.first && a.second == b.second;
}

bool Contains(const collision::CollisionResult& r, const collision::Contact& c) {
  return std::any_of(r.contacts.begin(), r.contacts.end(),
                     [&](const collision::Contact& x) { return SameContact(x, c); });
}

// The pairs of `near` (checked with the margin) and of `touching` (without), each once, with
// whether it is a contact: contacts first, then pairs only within the margin, each in the
// world's fixed order.
std::vector<std::pair<collision::Contact, bool>> Merge(const collision::CollisionResult& touching,
                                                       const collision::CollisionResult& near) {
  std::vector<std::pair<collision::Contact, bool>> found;
  for (const collision::Contact& c : touching.contacts) found.emplace_back(c, true);
  for (const collision::Contact& c : near.contacts) {
    if (!Contains(touching, c)) found.emplace_back(c, false);
  }
  return found;
}

// A point of the geometry (world frame): a primitive's centre lies inside it, a mesh's first vertex
// on it. A body that touches no triangle of a closed mesh is wholly inside or wholly outside it,
// so one such point per body decides which.
Eigen::Vector3d PointOn(const cell::Geometry& g, const Eigen::Isometry3d& X_WF) {
  const bool mesh =
      g.shape.kind == cell::ShapeKind::kMesh && g.shape.mesh && !g.shape.mesh->vertices.empty();
  return X_WF * g.X_FG * (mesh ? g.shape.mesh->vertices.front() : Eigen::Vector3d::Zero());
}

// "R1/link_2 is inside the closed mesh pedestal": bodies of the robot at home that touch no
// triangle of a closed mesh obstacle (those contacts are reported already) yet lie inside it.
void CheckInsideClosedMeshes(const cell::Cell& cell, const collision::CollisionWorld& world, int r,
                             const std::vector<collision::Contact>& reported,
                             const std::function<void(std::string)>& report) {
  const cell::Robot& robot = cell.robots[static_cast<std::size_t>(r)];
  std::vector<Eigen::Isometry3d> X_BL;
  world.chain(r).LinkPoses(robot.home, &X_BL);
  const std::size_t links = robot.model->links.size();
  for (std::size_t o = 0; o < cell.obstacles.size(); ++o) {
    const cell::Obstacle& obstacle = cell.obstacles[o];
    if (!obstacle.closed_mesh) continue;
    const Eigen::Isometry3d X_MW = obstacle.geometry.X_FG.inverse();
    for (std::size_t b = 0; b <= links; ++b) {
      const std::vector<cell::Geometry>& parts =
          b < links ? robot.model->links[b].collision : robot.tool.collision;
      if (parts.empty()) continue;
      const collision::BodyRef body = world.robot_body(r, static_cast<int>(b));
      const bool touches = std::any_of(reported.begin(), reported.end(), [&](const auto& c) {
        return c.first == body && c.second.kind == collision::BodyKind::kObstacle &&
               c.second.index == static_cast<int>(o);
      });
      if (touches) continue;
      const Eigen::Isometry3d X_WF = robot.X_WB * X_BL[std::min(b, links - 1)];
      if (cell::MeshContainsPoint(*obstacle.geometry.shape.mesh,
                                  X_MW * PointOn(parts.front(), X_WF))) {
        report(std::string(body.name) + " is inside the closed mesh " + obstacle.name +
               " (a closed mesh is solid: no motion can leave it without crossing its surface)");
      }
    }
  }
}

// True when links[link] of `model` never moves: every joint between it and the base is fixed.
bool FixedToTheBase(const cell::RobotModel& model, int link) {
  for (int j = 0; j < link && j < static_cast<int>(model.joints.size()); ++j) {
    if (model.joints[static_cast<std::size_t>(j)].type != cell::JointType::kFixed) return false;
  }
  return true;
}

}  // namespace

std::string HomeText(const kinematics::Chain& chain, const Eigen::VectorXd& q) {
  bool all_revolute = true;
  for (int i = 0; i < chain.dof(); ++i) {
    all_revolute = all_revolute && chain.joint_type(i) == cell::JointType::kRevolute;
  }
  std::string out = "[";
  for (Eigen::Index i = 0; i < q.size(); ++i) {
    if (i > 0) out += ", ";
    const bool revolute = chain.joint_type(static_cast<int>(i)) == cell::JointType::kRevolute;
    out += Number(q[i] * (revolute ? kDeg : 1000.0));
    if (!all_revolute) out += revolute ? " deg" : " mm";
  }
  out += "]";
  if (all_revolute) out += " deg";
  return out;
}

std::vector<Diagnostic> CheckHomes(const cell::Cell& cell, const collision::CollisionWorld& world,
                                   const HomeCheckOptions& options) {
  WELDCELL_CHECK(world.options().pairs == collision::PairPolicy::kVerifier);
  WELDCELL_CHECK(world.robot_count() == static_cast<int>(cell.robots.size()));
  const double margin = options.margin >= 0
                            ? options.margin
                            : collision::SweptMargin(cell.settings.motion.resolution);
  // Shown to 0.1 mm: the 1 µm of slack in SweptMargin is not the user's business.
  const std::string obstacle_note =
      fmt::format("nearer than the {:.3g} mm that motions keep", margin * 1000);
  const std::string body_note = fmt::format(
      "nearer than the {:.3g} mm that motions keep between two robot bodies", 2 * margin * 1000);

  collision::CollisionContext ctx(world);
  std::vector<Diagnostic> out;
  const int robots = world.robot_count();
  auto usable = [&](int r) { return cell.robots[r].home.size() == world.chain(r).dof(); };
  auto where = [&](int r) {
    SourceLocation at = cell.robots[r].home_where;
    if (at.file.empty()) at = {.file = cell.source_file, .line = 0, .column = 0};
    return at;
  };
  auto key = [](int r) { return "robots[" + std::to_string(r) + "].home"; };
  auto home_text = [&](int r) {
    return cell.robots[r].name + "'s home " + HomeText(world.chain(r), cell.robots[r].home);
  };

  for (int r = 0; r < robots; ++r) {
    if (!usable(r)) continue;
    const cell::Robot& robot = cell.robots[r];
    const collision::CollisionResult touching =
        world.CheckRobot(ctx, r, robot.home, {.report = collision::ContactReport::kAll});
    const collision::CollisionResult near = world.CheckRobot(
        ctx, r, robot.home, {.report = collision::ContactReport::kAll, .margin = margin});
    for (const auto& [c, contact] : Merge(touching, near)) {
      const bool self = c.second.kind != collision::BodyKind::kObstacle;
      const bool gun =
          c.first.kind == collision::BodyKind::kGun || c.second.kind == collision::BodyKind::kGun;
      const std::string& near_note = self ? body_note : obstacle_note;
      std::string message = home_text(r) + " is in collision: " + PairText(c) + " (" +
                            (contact ? std::string("in contact") : near_note) + ")";
      if (self && gun && contact) {
        message += "; a gun touching its own arm at home is never excused: change the home";
      } else if (self && !gun) {
        const auto& links = robot.model->links;
        message += fmt::format(
            "; if the two links are {} by construction (coarse meshes at a joint housing), "
            "declare [{}, {}] in allowed_collisions of {}, else change the home",
            contact ? "in contact" : "this close",
            links[static_cast<std::size_t>(c.first.index)].name,
            links[static_cast<std::size_t>(c.second.index)].name, robot.model->source_file);
      } else if (c.first.kind == collision::BodyKind::kLink &&
                 FixedToTheBase(*robot.model, c.first.index)) {
        // Not the home's doing: the link stands where the base is, at every configuration.
        message += fmt::format(
            "; {} moves with no joint, so no home frees it: a robot "
            "standing on a riser or the floor needs a gap of a few mm between them (the base "
            "is checked against the obstacles like every link), else move the base or the "
            "obstacle",
            robot.model->links[static_cast<std::size_t>(c.first.index)].name);
      }
      out.push_back({.severity = Severity::kError,
                     .where = where(r),
                     .key_path = key(r),
                     .message = std::move(message)});
    }
    CheckInsideClosedMeshes(cell, world, r, near.contacts, [&](std::string what) {
      out.push_back({.severity = Severity::kError,
                     .where = where(r),
                     .key_path = key(r),
                     .message = home_text(r) + ": " + what});
    });
  }

  for (int a = 0; a < robots; ++a) {
    for (int b = a + 1; b < robots; ++b) {
      if (!usable(a) || !usable(b)) continue;
      const Eigen::VectorXd& qa = cell.robots[a].home;
      const Eigen::VectorXd& qb = cell.robots[b].home;
      const collision::CollisionResult touching =
          world.CheckRobotPair(ctx, a, qa, b, qb, collision::ContactReport::kAll);
      const collision::CollisionResult near =
          world.CheckRobotPair(ctx, a, qa, b, qb, collision::ContactReport::kAll, margin);
      const std::vector<std::pair<collision::Contact, bool>> found = Merge(touching, near);
      if (found.empty()) continue;
      // One line per pair of robots: two robots placed in each other touch with many bodies.
      constexpr std::size_t kShown = 4;
      std::string pairs;
      for (std::size_t i = 0; i < std::min(found.size(), kShown); ++i) {
        pairs += (i > 0 ? ", " : "") + PairText(found[i].first) + " (" +
                 (found[i].second ? "in contact" : body_note) + ")";
      }
      if (found.size() > kShown) pairs += fmt::format(" and {} more", found.size() - kShown);
      // Two links that move with no joint (the bases) meet wherever the homes are.
      const bool bases = std::any_of(found.begin(), found.end(), [&](const auto& f) {
        const collision::Contact& c = f.first;
        return c.first.kind == collision::BodyKind::kLink &&
               c.second.kind == collision::BodyKind::kLink &&
               FixedToTheBase(*cell.robots[c.first.robot].model, c.first.index) &&
               FixedToTheBase(*cell.robots[c.second.robot].model, c.second.index);
      });
      out.push_back(
          {.severity = Severity::kError,
           .where = where(a),
           .key_path = key(a),
           .message = home_text(a) + " and " + home_text(b) + " are in collision: " + pairs +
                      (bases ? "; links that move with no joint meet, so no home frees them: "
                               "move a robot's base"
                             : "")});
    }
  }
  return out;
}

}  // namespace weldcell::verify
