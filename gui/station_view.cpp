#include "gui/station_view.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

namespace weldcell::gui {
namespace {

constexpr double kMinWeldMarkerRadius = 0.008;  // m
// Of the station's bounding-box diagonal: a radius of about 4 px at the whole-station view of a
// 1280 px window (a fixed 8 mm was 0.6 px on the demo's 7 m diagonal).
constexpr double kWeldMarkerShare = 0.008;
// Of the median distance between a weld and its nearest neighbour: markers do not merge.
constexpr double kWeldMarkerSpacingShare = 0.4;
constexpr double kRingThickness = 0.02;  // m, the waiting ring around a robot's base

// The weld markers' radius (StationView::weld_marker_radius).
double WeldMarkerRadius(const std::vector<cell::Weld>& welds, const Eigen::AlignedBox3d& bounds) {
  double radius = kWeldMarkerShare * (bounds.isEmpty() ? 0.0 : bounds.diagonal().norm());
  if (welds.size() > 1) {
    std::vector<double> nearest;
    for (std::size_t i = 0; i < welds.size(); ++i) {
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < welds.size(); ++j) {
        if (j != i) best = std::min(best, (welds[i].p_W - welds[j].p_W).norm());
      }
      nearest.push_back(best);
    }
    std::nth_element(nearest.begin(), nearest.begin() + nearest.size() / 2, nearest.end());
    radius = std::min(radius, kWeldMarkerSpacingShare * nearest[nearest.size() / 2]);
  }
  return std::max(radius, kMinWeldMarkerRadius);
}
constexpr int kCollisionAlpha = 120;

bool IsFixture(const std::string& name) {
  for (const char* word : {"clamp", "fixture", "riser", "column", "stand", "table", "pin"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

void Grow(const cell::Geometry& g, const Eigen::Isometry3d& X_WF, Eigen::AlignedBox3d* box) {
  const Eigen::Isometry3d X_WG = X_WF * g.X_FG;
  const cell::Shape& s = g.shape;
  if (s.kind == cell::ShapeKind::kMesh) {
    if (s.mesh == nullptr) return;
    for (const Eigen::Vector3d& v : s.mesh->vertices) box->extend(X_WG * v);
    return;
  }
  Eigen::Vector3d half = 0.5 * s.box_size;
  if (s.kind == cell::ShapeKind::kCylinder) half = {s.radius, s.radius, 0.5 * s.length};
  if (s.kind == cell::ShapeKind::kSphere) half = Eigen::Vector3d::Constant(s.radius);
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d c((corner & 1) ? half.x() : -half.x(),
                            (corner & 2) ? half.y() : -half.y(),
                            (corner & 4) ? half.z() : -half.z());
    box->extend(X_WG * c);
  }
}

}  // namespace

// Twelve distinct colours, none near the waiting yellow or the collision red: six hues, then
// the same hues clearly darker or lighter (station XL has 12 robots); past 12, hues spaced by
// the golden angle.
QColor Palette::Robot(int index) {
  static const std::array<QColor, 12> colors = {
      QColor(235, 125, 25), QColor(45, 105, 215),  QColor(145, 75, 200), QColor(215, 75, 135),
      QColor(25, 165, 160), QColor(110, 140, 40),  QColor(140, 70, 20),  QColor(140, 185, 245),
      QColor(75, 30, 120),  QColor(245, 160, 200), QColor(10, 85, 85),   QColor(185, 215, 90)};
  if (index >= 0 && index < static_cast<int>(colors.size())) {
    return colors[static_cast<std::size_t>(index)];
  }
  const int hue = (index * 137 + 200) % 360;
  // Away from yellow (about 40-70) and red (about 345-15).
  return QColor::fromHsv(hue < 15 ? hue + 20 : (hue > 40 && hue < 70 ? hue + 35 : hue), 170,
                         index % 2 == 0 ? 150 : 220);
}

StationView::StationView(Scene* scene, const cell::Cell& cell, DisplayMeshes meshes)
    : scene_(scene), cell_(&cell), meshes_(std::move(meshes)) {
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    const cell::Robot& robot = cell.robots[r];
    const int ri = static_cast<int>(r);
    chains_.emplace_back(*robot.model);
    RobotNodes nodes;
    nodes.root = scene_->AddFrame(kRootNode, robot.X_WB);
    const QColor color = Palette::Robot(ri);
    for (const cell::Link& link : robot.model->links) {
      const NodeId frame = scene_->AddFrame(nodes.root, Eigen::Isometry3d::Identity());
      nodes.link_frames.push_back(frame);
      const NodeId visual = scene_->AddFrame(frame, Eigen::Isometry3d::Identity());
      const NodeId collision = scene_->AddFrame(frame, Eigen::Isometry3d::Identity());
      AddGeometry(visual, link.visual.empty() ? link.collision : link.visual, color,
                  &nodes.visual_shapes);
      nodes.visual_groups.push_back(visual);
      nodes.collision_groups.push_back(collision);
    }
    nodes.gun_frame = scene_->AddFrame(nodes.root, Eigen::Isometry3d::Identity());
    const NodeId gun_visual = scene_->AddFrame(nodes.gun_frame, Eigen::Isometry3d::Identity());
    const NodeId gun_collision = scene_->AddFrame(nodes.gun_frame, Eigen::Isometry3d::Identity());
    AddGeometry(gun_visual, robot.tool.visual.empty() ? robot.tool.collision : robot.tool.visual,
                Palette::Gun(ri), &nodes.gun_shapes);
    nodes.visual_groups.push_back(gun_visual);
    nodes.collision_groups.push_back(gun_collision);
    // The waiting ring: a flat yellow ring around the base, a little wider than the base links.
    Eigen::AlignedBox3d base_box;
    for (std::size_t l = 0; l < robot.model->links.size() && l < 2; ++l) {
      for (const cell::Geometry& g : robot.model->links[l].collision) {
        Grow(g, Eigen::Isometry3d::Identity(), &base_box);
      }
    }
    double radius = 0.4;
    if (!base_box.isEmpty()) {
      for (const Eigen::Vector3d& c : {base_box.min(), base_box.max()}) {
        radius = std::max(radius, c.head<2>().norm() + 0.15);
      }
    }
    ring_radius_.push_back(radius);
    // 24 rods in one batch (one node for the engine).
    constexpr int kRingPieces = 24;
    std::vector<BatchItem> pieces;
    const double length = 2 * radius * std::sin(std::numbers::pi / kRingPieces) + kRingThickness;
    for (int k = 0; k < kRingPieces; ++k) {
      const double a = 2 * std::numbers::pi * (k + 0.5) / kRingPieces;
      Eigen::Isometry3d X_BP = Eigen::Isometry3d::Identity();
      X_BP.translation() = Eigen::Vector3d(radius * std::cos(a), radius * std::sin(a), 0.01);
      // A cylinder along z turned tangent to the ring.
      X_BP.linear() = (Eigen::AngleAxisd(a, Eigen::Vector3d::UnitZ()) *
                       Eigen::AngleAxisd(std::numbers::pi / 2, Eigen::Vector3d::UnitX()))
                          .toRotationMatrix();
      pieces.push_back({.shape = cell::Shape::Cylinder(kRingThickness, length),
                        .X_PG = X_BP,
                        .color = Palette::Waiting()});
    }
    // In its own frame at the base (not under the robot's node: Qt 3D did not draw a robot
    // again after hiding and showing it with a hidden child).
    const NodeId ring = scene_->AddBatch(scene_->AddFrame(kRootNode, robot.X_WB), pieces);
    scene_->SetVisible(ring, false);
    waiting_rings_.push_back(ring);
    waiting_.push_back(false);
    robot_visible_.push_back(true);
    robots_.push_back(std::move(nodes));
    tints_.emplace_back();
    q_.emplace_back(Eigen::VectorXd::Zero(chains_.back().dof()));
    posed_.push_back(false);
    const Eigen::VectorXd home = robot.home.size() == chains_.back().dof()
                                     ? robot.home
                                     : Eigen::VectorXd::Zero(chains_.back().dof());
    SetConfiguration(ri, home);
    std::vector<Eigen::Isometry3d> X_BL;
    chains_.back().LinkPoses(home, &X_BL);
    for (std::size_t l = 0; l < X_BL.size(); ++l) {
      for (const cell::Geometry& g : robot.model->links[l].collision) {
        Grow(g, robot.X_WB * X_BL[l], &bounds_);
      }
    }
    bounds_.extend(robot.X_WB.translation());
  }
  for (const cell::Obstacle& obstacle : cell.obstacles) {
    const NodeId node = scene_->AddFrame(kRootNode, Eigen::Isometry3d::Identity());
    const QColor color = IsFixture(obstacle.name) ? Palette::Fixture() : Palette::Body();
    std::vector<NodeId> visual;
    const NodeId visual_group = scene_->AddFrame(node, Eigen::Isometry3d::Identity());
    const NodeId collision_group = scene_->AddFrame(node, Eigen::Isometry3d::Identity());
    AddGeometry(
        visual_group,
        obstacle.visual.empty() ? std::vector<cell::Geometry>{obstacle.geometry} : obstacle.visual,
        color, &visual);
    obstacle_nodes_.push_back(node);
    obstacle_visual_.push_back({visual_group});
    obstacle_collision_.push_back({collision_group});
    Grow(obstacle.geometry, Eigen::Isometry3d::Identity(), &bounds_);
  }
  for (const cell::Weld& weld : cell.welds) bounds_.extend(weld.p_W);
  weld_marker_radius_ = WeldMarkerRadius(cell.welds, bounds_);
  // The normal: a rod from the weld along n_W, in proportion to the marker.
  const double normal_length = 4.0 * weld_marker_radius_;
  const double normal_radius = 0.25 * weld_marker_radius_;
  welds_root_ = scene_->AddFrame(kRootNode, Eigen::Isometry3d::Identity());
  std::vector<BatchItem> weld_items;
  for (const cell::Weld& weld : cell.welds) {
    weld_items.push_back({.shape = cell::Shape::Sphere(weld_marker_radius_),
                          .X_PG = Eigen::Isometry3d(Eigen::Translation3d(weld.p_W)),
                          .color = Palette::ReachUnknown()});
    // The normal: a thin rod from the weld along n_W.
    Eigen::Isometry3d X_WN = Eigen::Isometry3d::Identity();
    X_WN.translation() = weld.p_W + 0.5 * normal_length * weld.n_W;
    X_WN.linear() =
        Eigen::Quaterniond::FromTwoVectors(Eigen::Vector3d::UnitZ(), weld.n_W).toRotationMatrix();
    weld_items.push_back({.shape = cell::Shape::Cylinder(normal_radius, normal_length),
                          .X_PG = X_WN,
                          .color = Palette::ReachUnknown()});
  }
  weld_batch_ = scene_->AddBatch(welds_root_, weld_items);
  if (bounds_.isEmpty())
    bounds_ = Eigen::AlignedBox3d(Eigen::Vector3d(-1, -1, 0), Eigen::Vector3d(1, 1, 2));
  scene_->SetSceneBounds(bounds_);
  ApplyLayers();
}

StationView::~StationView() {
  for (const RobotNodes& r : robots_) scene_->Remove(r.root);
  for (NodeId ring : waiting_rings_) scene_->Remove(ring);
  for (NodeId n : obstacle_nodes_) scene_->Remove(n);
  scene_->Remove(welds_root_);
  if (ghosts_ >= 0) scene_->Remove(ghosts_);
  if (zones_ >= 0) scene_->Remove(zones_);
}

void StationView::AddGeometry(NodeId parent, const std::vector<cell::Geometry>& geometries,
                              const QColor& color, std::vector<NodeId>* shapes) {
  for (const cell::Geometry& g : geometries) {
    if (g.shape.kind == cell::ShapeKind::kMesh) {
      if (auto it = meshes_.find(g.shape.mesh.get()); it != meshes_.end()) {
        shapes->push_back(scene_->AddMesh(parent, *it->second, g.X_FG, color));
        continue;
      }
    }
    shapes->push_back(scene_->AddShape(parent, g.shape, g.X_FG, color));
  }
}

void StationView::SetConfiguration(int robot, const Eigen::VectorXd& q) {
  const auto r = static_cast<std::size_t>(robot);
  if (q.size() != chains_[r].dof()) return;
  // Playback poses every robot on every tick; one that stands still (waiting, done) keeps its
  // transforms, and the engine has nothing to update for it.
  if (posed_[r] && q == q_[r]) return;
  posed_[r] = true;
  q_[r] = q;
  std::vector<Eigen::Isometry3d> X_BL;
  chains_[r].LinkPoses(q, &X_BL);
  for (std::size_t l = 0; l < X_BL.size(); ++l) scene_->SetPose(robots_[r].link_frames[l], X_BL[l]);
  scene_->SetPose(robots_[r].gun_frame, X_BL.back());
}

const Eigen::VectorXd& StationView::configuration(int robot) const {
  return q_[static_cast<std::size_t>(robot)];
}

Eigen::Isometry3d StationView::LinkPose(int robot, int link) const {
  const auto r = static_cast<std::size_t>(robot);
  std::vector<Eigen::Isometry3d> X_BL;
  chains_[r].LinkPoses(q_[r], &X_BL);
  return cell_->robots[r].X_WB * X_BL[static_cast<std::size_t>(link)];
}

void StationView::SetRobotTint(int robot, std::optional<QColor> tint) {
  tints_[static_cast<std::size_t>(robot)] = tint;
  const RobotNodes& nodes = robots_[static_cast<std::size_t>(robot)];
  const QColor body = tint.value_or(Palette::Robot(robot));
  // A waiting robot keeps its colour; its gun shows the waiting yellow (unless tinted, e.g.
  // red in collision while jogging).
  const QColor gun = tint.value_or(waiting_[static_cast<std::size_t>(robot)] ? Palette::Waiting()
                                                                             : Palette::Gun(robot));
  for (NodeId n : nodes.visual_shapes) scene_->SetColor(n, body);
  for (NodeId n : nodes.gun_shapes) scene_->SetColor(n, gun);
  QColor translucent = body;
  translucent.setAlpha(kCollisionAlpha);
  for (NodeId n : nodes.collision_shapes) scene_->SetColor(n, translucent);
}

void StationView::SetRobotWaiting(int robot, bool waiting) {
  const auto r = static_cast<std::size_t>(robot);
  if (waiting_[r] == waiting) return;
  waiting_[r] = waiting;
  scene_->SetVisible(waiting_rings_[r], waiting && robot_visible_[r]);
  SetRobotTint(robot, tints_[r]);  // the gun's colour follows
}

std::vector<Eigen::Vector3d> StationView::WaitingRingPoints(int robot) const {
  const auto r = static_cast<std::size_t>(robot);
  std::vector<Eigen::Vector3d> points;
  for (int k = 0; k < 12; ++k) {
    const double a = 2 * std::numbers::pi * (k + 0.5) / 12;
    points.push_back(cell_->robots[r].X_WB * Eigen::Vector3d(ring_radius_[r] * std::cos(a),
                                                             ring_radius_[r] * std::sin(a), 0.01));
  }
  return points;
}

void StationView::SetWeldColor(int weld, const QColor& color) {
  scene_->SetBatchColor(weld_batch_, 2 * weld, color);
  scene_->SetBatchColor(weld_batch_, 2 * weld + 1, color);
}

void StationView::SelectWeld(int weld) {
  if (selection_ >= 0) scene_->Remove(selection_);
  selection_ = -1;
  if (weld < 0) return;
  const cell::Weld& w = cell_->welds[static_cast<std::size_t>(weld)];
  selection_ =
      scene_->AddShape(kRootNode, cell::Shape::Sphere(2.0 * weld_marker_radius_),
                       Eigen::Isometry3d(Eigen::Translation3d(w.p_W)), QColor(255, 0, 255, 110));
}

void StationView::SetRobotVisible(int robot, bool visible) {
  const auto r = static_cast<std::size_t>(robot);
  robot_visible_[r] = visible;
  scene_->SetVisible(robots_[r].root, visible);
  scene_->SetVisible(waiting_rings_[r], visible && waiting_[r]);
}

void StationView::SetObstacleVisible(int obstacle, bool visible) {
  scene_->SetVisible(obstacle_nodes_[static_cast<std::size_t>(obstacle)], visible);
}

void StationView::SetWeldsVisible(bool visible) { scene_->SetVisible(welds_root_, visible); }

void StationView::SetZonesVisible(bool visible) {
  show_zones_ = visible;
  if (zones_ >= 0) scene_->SetVisible(zones_, visible);
}

void StationView::SetGeometryLayers(bool visual, bool collision) {
  show_visual_ = visual;
  show_collision_ = collision;
  ApplyLayers();
}

// The collision layer is hidden by default: its shapes are made the first time it is shown
// (half the scene's nodes fewer for Qt 3D to take in when a cell opens).
void StationView::BuildCollisionLayer() {
  collision_built_ = true;
  for (std::size_t r = 0; r < robots_.size(); ++r) {
    const cell::Robot& robot = cell_->robots[r];
    RobotNodes& nodes = robots_[r];
    QColor translucent = Palette::Robot(static_cast<int>(r));
    translucent.setAlpha(kCollisionAlpha);
    for (std::size_t l = 0; l < robot.model->links.size(); ++l) {
      AddGeometry(nodes.collision_groups[l], robot.model->links[l].collision, translucent,
                  &nodes.collision_shapes);
    }
    AddGeometry(nodes.collision_groups.back(), robot.tool.collision, translucent,
                &nodes.collision_shapes);
    SetRobotTint(static_cast<int>(r), tints_[r]);
  }
  for (std::size_t o = 0; o < cell_->obstacles.size(); ++o) {
    const cell::Obstacle& obstacle = cell_->obstacles[o];
    QColor translucent = IsFixture(obstacle.name) ? Palette::Fixture() : Palette::Body();
    translucent.setAlpha(kCollisionAlpha);
    std::vector<NodeId> shapes;
    AddGeometry(obstacle_collision_[o].front(), {obstacle.geometry}, translucent, &shapes);
  }
}

void StationView::ApplyLayers() {
  if (show_collision_ && !collision_built_) BuildCollisionLayer();
  for (const RobotNodes& r : robots_) {
    for (NodeId n : r.visual_groups) scene_->SetVisible(n, show_visual_);
    for (NodeId n : r.collision_groups) scene_->SetVisible(n, show_collision_);
  }
  for (const auto& v : obstacle_visual_) {
    for (NodeId n : v) scene_->SetVisible(n, show_visual_);
  }
  for (const auto& c : obstacle_collision_) {
    for (NodeId n : c) scene_->SetVisible(n, show_collision_);
  }
}

void StationView::ShowGhostGuns(const std::vector<std::pair<int, Eigen::Isometry3d>>& robot_X_WF) {
  if (ghosts_ >= 0) scene_->Remove(ghosts_);
  ghosts_ = scene_->AddFrame(kRootNode, Eigen::Isometry3d::Identity());
  for (const auto& [robot, X_WF] : robot_X_WF) {
    const NodeId frame = scene_->AddFrame(ghosts_, X_WF);
    QColor color = Palette::Robot(robot);
    color.setAlpha(90);
    std::vector<NodeId> shapes;
    AddGeometry(frame, cell_->robots[static_cast<std::size_t>(robot)].tool.collision, color,
                &shapes);
  }
}

void StationView::ShowZoneBoxes(const std::vector<Eigen::AlignedBox3d>& boxes) {
  if (zones_ >= 0) scene_->Remove(zones_);
  zones_ = scene_->AddFrame(kRootNode, Eigen::Isometry3d::Identity());
  scene_->SetVisible(zones_, show_zones_);
  zone_boxes_.clear();
  // Each zone is its twelve edges in the waiting yellow, without a fill: the robots and the part
  // inside keep their colours (pale filled boxes hid which robot was which on M, and even a
  // faint fill, overlapping on M's four zones at t = 20 s, tinted the part yellow).
  for (const Eigen::AlignedBox3d& box : boxes) {
    if (box.isEmpty()) continue;
    zone_boxes_.push_back(box);
    const double radius = std::clamp(0.002 * bounds_.diagonal().norm(), 0.004, 0.05);
    const Eigen::Vector3d lo = box.min(), hi = box.max();
    for (int axis = 0; axis < 3; ++axis) {
      for (int corner = 0; corner < 4; ++corner) {
        Eigen::Vector3d p0 = lo;
        const int a = (axis + 1) % 3, b = (axis + 2) % 3;
        if (corner & 1) p0[a] = hi[a];
        if (corner & 2) p0[b] = hi[b];
        Eigen::Vector3d p1 = p0;
        p1[axis] = hi[axis];
        scene_->AddLine(zones_, p0, p1, radius, Palette::Zone());
      }
    }
  }
}

CameraPose StationView::ViewOf(StandardView view, double fov_deg, double aspect) const {
  const Eigen::Vector3d center = bounds_.center();
  Eigen::Vector3d direction;  // from the centre to the eye
  Eigen::Vector3d up = Eigen::Vector3d::UnitZ();
  // Front and Side look along the station's axes as car-body drawings do (X along the line,
  // the body's length; DIN 70000: X to the rear, so the front view looks along +X at the car's
  // nose and the side view along +Y at its left side), but from 20 degrees above and turned 15
  // degrees about the vertical: robots that stand one behind the other on the view's axis
  // (the demo's two, a generated station's side) are then seen beside each other; exactly
  // along the axis the nearest hid the rest.
  constexpr double kElevation = 20.0 * std::numbers::pi / 180;
  constexpr double kTurn = 15.0 * std::numbers::pi / 180;
  const double c = std::cos(kElevation), s = std::sin(kElevation);
  switch (view) {
    case StandardView::kIso:
      direction = Eigen::Vector3d(1, -1.3, 0.9).normalized();
      break;
    case StandardView::kFront:
      direction = Eigen::Vector3d(-c * std::cos(kTurn), -c * std::sin(kTurn), s);
      break;
    case StandardView::kTop:
      direction = Eigen::Vector3d::UnitZ();
      up = Eigen::Vector3d::UnitY();
      break;
    case StandardView::kSide:
      direction = Eigen::Vector3d(-c * std::sin(kTurn), -c * std::cos(kTurn), s);
      break;
  }
  // The nearest eye distance at which every corner of the bounds is inside the view frustum:
  // a corner at (x, y) across and z towards the eye needs |x| <= (D - z) tan(half angle).
  const double half_v = 0.5 * fov_deg * std::numbers::pi / 180;
  const double tan_v = std::tan(half_v);
  const double tan_h = tan_v * std::max(aspect, 0.1);
  const Eigen::Vector3d right = up.cross(direction).normalized();
  const Eigen::Vector3d true_up = direction.cross(right).normalized();
  double distance = 0.5;
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d p = bounds_.corner(static_cast<Eigen::AlignedBox3d::CornerType>(corner));
    const Eigen::Vector3d d = p - center;
    const double z = d.dot(direction);
    distance = std::max(
        {distance, std::abs(d.dot(right)) / tan_h + z, std::abs(d.dot(true_up)) / tan_v + z});
  }
  distance *= 1.04;
  return {.eye = center + distance * direction, .center = center, .up = up};
}

}  // namespace weldcell::gui
