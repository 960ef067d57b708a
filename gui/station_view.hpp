#pragma once
// The station drawn through gui::Scene: robots (links with visual and collision geometry, the
// gun), obstacles, weld markers with their normals, ghost guns and interlock-zone boxes.
// Poses robots from configurations (forward kinematics of planner/kinematics). Knows no Qt 3D.
//
// Units: m, rad; world frame W of the cell. UI thread only.

#include <Eigen/Geometry>
#include <QColor>
#include <optional>
#include <string>
#include <vector>

#include "gui/display_mesh.hpp"
#include "gui/scene.hpp"
#include "planner/cell/cell.hpp"
#include "planner/kinematics/chain.hpp"

namespace weldcell::gui {

/// Colours of the viewer (the legend lists them).
struct Palette {
  static QColor Robot(int index);
  static QColor Body() { return {165, 168, 174}; }
  static QColor Fixture() { return {96, 98, 110}; }
  static QColor Gun(int robot) { return Robot(robot).darker(160); }
  static QColor Reachable() { return {30, 190, 60}; }
  static QColor Unreachable() { return {225, 20, 20}; }
  static QColor ReachUnknown() { return {150, 150, 150}; }
  static QColor Done() { return {35, 35, 35}; }
  static QColor Collision() { return {235, 0, 0}; }
  static QColor Waiting() { return {250, 215, 0}; }
  /// Interlock zones: their yellow edges (no fill).
  static QColor Zone() { return {235, 185, 0}; }
};

enum class StandardView { kIso, kFront, kTop, kSide };

class StationView {
 public:
  /// Draws `cell` into `scene` (which must outlive this view), every robot at its home. Meshes
  /// found in `meshes` (MakeDisplayMeshes, e.g. from a worker thread) are drawn from there;
  /// others are prepared here.
  StationView(Scene* scene, const cell::Cell& cell, DisplayMeshes meshes = {});
  ~StationView();
  StationView(const StationView&) = delete;
  StationView& operator=(const StationView&) = delete;

  const cell::Cell& cell() const { return *cell_; }
  const kinematics::Chain& chain(int robot) const {
    return chains_[static_cast<std::size_t>(robot)];
  }

  /// Poses robot `robot` at q (size chain(robot).dof()).
  void SetConfiguration(int robot, const Eigen::VectorXd& q);
  const Eigen::VectorXd& configuration(int robot) const;
  /// Colours a robot's links and gun with `tint` (e.g. red in collision), or its own colours.
  void SetRobotTint(int robot, std::optional<QColor> tint);

  /// Marks a robot as waiting (at an interlock) without hiding whose it is: its links keep its
  /// colour, its gun turns the waiting yellow and a yellow ring lies around its base.
  void SetRobotWaiting(int robot, bool waiting);
  bool robot_waiting(int robot) const { return waiting_[static_cast<std::size_t>(robot)]; }
  /// World points on the waiting ring of a robot (SetRobotWaiting), for checks and picking.
  std::vector<Eigen::Vector3d> WaitingRingPoints(int robot) const;

  /// Radius (m) of the weld markers: readable at the whole-station view (a share of the
  /// station's size), but below half the typical spacing of neighbouring welds.
  double weld_marker_radius() const { return weld_marker_radius_; }

  void SetWeldColor(int weld, const QColor& color);
  /// Marks a weld as selected (a ring around it), or none with -1.
  void SelectWeld(int weld);

  void SetRobotVisible(int robot, bool visible);
  void SetObstacleVisible(int obstacle, bool visible);
  void SetWeldsVisible(bool visible);
  /// Shows or hides the interlock-zone boxes (ShowZoneBoxes), now and later.
  void SetZonesVisible(bool visible);
  /// Visual geometry, collision geometry (translucent), or both.
  void SetGeometryLayers(bool visual, bool collision);

  /// Guns drawn (translucent) at given flange poses, for a weld's candidates; replaces the
  /// previous set. X_WF: flange poses in the world, robot: whose gun.
  void ShowGhostGuns(const std::vector<std::pair<int, Eigen::Isometry3d>>& robot_X_WF);
  /// Boxes (world, m) drawn translucent, e.g. interlock zones; replaces the previous set.
  void ShowZoneBoxes(const std::vector<Eigen::AlignedBox3d>& boxes);
  /// The zone boxes drawn now (ShowZoneBoxes's non-empty ones).
  const std::vector<Eigen::AlignedBox3d>& zone_boxes() const { return zone_boxes_; }

  /// World box around everything (robots at home, obstacles, welds).
  const Eigen::AlignedBox3d& bounds() const { return bounds_; }
  /// A camera that shows the whole station from a standard direction, for a vertical field of
  /// view `fov_deg` and the given width/height aspect.
  CameraPose ViewOf(StandardView view, double fov_deg, double aspect) const;

  /// World pose of link `link` (model.links index) of a robot at its current configuration.
  Eigen::Isometry3d LinkPose(int robot, int link) const;

 private:
  struct RobotNodes {
    NodeId root = kRootNode;
    std::vector<NodeId> link_frames;
    NodeId gun_frame = kRootNode;
    std::vector<NodeId> visual_groups, collision_groups;  // one per link + the gun
    std::vector<NodeId> visual_shapes, collision_shapes, gun_shapes;
  };
  void AddGeometry(NodeId parent, const std::vector<cell::Geometry>& geometries,
                   const QColor& color, std::vector<NodeId>* shapes);
  void ApplyLayers();
  void BuildCollisionLayer();

  Scene* scene_;
  const cell::Cell* cell_;
  DisplayMeshes meshes_;
  std::vector<kinematics::Chain> chains_;
  std::vector<Eigen::VectorXd> q_;
  std::vector<std::optional<QColor>> tints_;  // SetRobotTint's, per robot
  std::vector<bool> waiting_;                 // SetRobotWaiting's, per robot
  std::vector<bool> robot_visible_;           // SetRobotVisible's, per robot
  std::vector<NodeId> waiting_rings_;         // per robot, hidden unless waiting
  std::vector<double> ring_radius_;           // m, per robot
  double weld_marker_radius_ = 0.008;
  bool collision_built_ = false;
  std::vector<bool> posed_;  // SetConfiguration has posed the robot's links
  std::vector<RobotNodes> robots_;
  std::vector<NodeId> obstacle_nodes_;
  std::vector<std::vector<NodeId>> obstacle_visual_, obstacle_collision_;
  NodeId welds_root_ = kRootNode;
  // Every weld's marker (item 2i) and normal (item 2i+1) in one batch.
  NodeId weld_batch_ = -1;
  NodeId selection_ = -1;
  NodeId ghosts_ = -1;
  NodeId zones_ = -1;
  std::vector<Eigen::AlignedBox3d> zone_boxes_;
  bool show_visual_ = true, show_collision_ = false, show_zones_ = true;
  Eigen::AlignedBox3d bounds_;
};

}  // namespace weldcell::gui
