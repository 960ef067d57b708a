#pragma once
// The viewer's one door to a 3D engine. Everything the viewer draws goes through this small
// interface: frames (posable nodes), shapes hung on them (primitives or triangle meshes, each
// with a colour), visibility, the camera, projection of world points to pixels, and a frame
// capture. gui/qt3d_scene.cpp implements it with Qt 3D and is the only file of the viewer that
// includes Qt 3D headers: porting the viewer away from Qt 3D (deprecated in later Qt releases)
// means writing another implementation of Scene.
//
// Units and frames: metres, the cell's world frame W (z up). Node poses are relative to the
// parent node. Thread safety: UI thread only.

#include <Eigen/Geometry>
#include <QColor>
#include <QImage>
#include <QPointF>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "planner/cell/geometry.hpp"

class QWidget;

namespace weldcell::gui {

struct DisplayMesh;

/// A node of the scene graph: a frame or a shape. 0 is the root (the world frame).
using NodeId = int;
inline constexpr NodeId kRootNode = 0;

/// Where the camera is (world frame, m): it looks from `eye` at `center`, `up` roughly up.
struct CameraPose {
  Eigen::Vector3d eye = Eigen::Vector3d(4, -4, 3);
  Eigen::Vector3d center = Eigen::Vector3d::Zero();
  Eigen::Vector3d up = Eigen::Vector3d::UnitZ();
  bool operator==(const CameraPose&) const = default;
};

/// One item of a batch (Scene::AddBatch): a primitive shape (box, cylinder along z or sphere,
/// not a mesh) at X_PG in the batch's parent frame, in an opaque colour.
struct BatchItem {
  cell::Shape shape;
  Eigen::Isometry3d X_PG = Eigen::Isometry3d::Identity();
  QColor color;
};

class Scene {
 public:
  virtual ~Scene() = default;

  /// The widget that shows the scene (owned by the Scene until reparented into a layout).
  virtual QWidget* widget() = 0;

  /// A frame under `parent`, posed X_PN in it.
  virtual NodeId AddFrame(NodeId parent, const Eigen::Isometry3d& X_PN) = 0;
  /// A shape under `parent` at X_PG (a box centred, a cylinder centred along z, a sphere, or a
  /// mesh), drawn in `color` (alpha < 1: translucent).
  virtual NodeId AddShape(NodeId parent, const cell::Shape& shape, const Eigen::Isometry3d& X_PG,
                          const QColor& color) = 0;
  /// A prepared triangle mesh (MakeDisplayMesh) under `parent` at X_PG, drawn in `color`; the
  /// same as AddShape with the mesh, without preparing it on the calling (UI) thread.
  virtual NodeId AddMesh(NodeId parent, const DisplayMesh& mesh, const Eigen::Isometry3d& X_PG,
                         const QColor& color) = 0;
  /// Many small shapes (e.g. weld markers) under `parent` as one node drawn as one mesh, so
  /// that the engine's cost per frame does not grow with their number. Each item keeps its own
  /// colour (SetBatchColor); they are shown, hidden and removed together.
  virtual NodeId AddBatch(NodeId parent, const std::vector<BatchItem>& items) = 0;
  /// Recolours item `item` (index into AddBatch's items) of a batch; opaque colours only.
  virtual void SetBatchColor(NodeId batch, int item, const QColor& color) = 0;
  /// A line segment from p0 to p1 (parent frame), drawn as a thin rod of `radius` m.
  virtual NodeId AddLine(NodeId parent, const Eigen::Vector3d& p0, const Eigen::Vector3d& p1,
                         double radius, const QColor& color) = 0;
  virtual void SetPose(NodeId node, const Eigen::Isometry3d& X_PN) = 0;
  /// Recolours a shape or line (no effect on frames).
  virtual void SetColor(NodeId node, const QColor& color) = 0;
  /// Hides or shows a node with everything under it.
  virtual void SetVisible(NodeId node, bool visible) = 0;
  /// Removes a node and everything under it; its ids become invalid.
  virtual void Remove(NodeId node) = 0;

  /// The world box (m) of everything drawn: the camera's near and far planes are set from it
  /// at every SetCamera (a fixed far plane drew nothing of a station over 500 m). Empty: the
  /// defaults, 0.05..500 m.
  virtual void SetSceneBounds(const Eigen::AlignedBox3d& box_W) = 0;
  virtual void SetCamera(const CameraPose& pose) = 0;
  virtual CameraPose camera() const = 0;
  /// Vertical field of view (deg) of the perspective camera.
  virtual double field_of_view_deg() const = 0;
  /// Samples per pixel of the view's surface: 0 (no antialiasing) on a software rasterizer
  /// such as Mesa's llvmpipe, where multisampling would cost most of every frame; 4 otherwise.
  virtual int multisample_count() const = 0;
  /// Pixel (x right, y down, in the widget's logical pixels) where world point p_W is drawn;
  /// nullopt when it is behind the camera.
  virtual std::optional<QPointF> Project(const Eigen::Vector3d& p_W) const = 0;

  /// Called with the pixel (as Project) of a left click that did not drag the view.
  virtual void SetClickCallback(std::function<void(QPointF)> on_click) = 0;

  /// Renders a frame of the current scene and calls `done` with it on the UI thread (the image
  /// has the widget's size in device pixels).
  virtual void Capture(std::function<void(const QImage&)> done) = 0;
};

/// The Qt 3D implementation (gui/qt3d_scene.cpp). Needs a QApplication.
std::unique_ptr<Scene> MakeQt3dScene();

}  // namespace weldcell::gui
