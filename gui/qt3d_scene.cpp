// The Qt 3D implementation of gui::Scene: the only file of the viewer that includes Qt 3D.
//
// Qt 3D draws into a Qt3DWindow (a QWindow) wrapped in a widget container. The frame graph is
// the window's forward renderer under a QRenderCapture node, so that a frame can be read back
// (under Xvfb this needs QT3D_RENDERER=opengl, see docs/viewer.md). The camera carries a point
// light (a head light). Camera control is our own (orbit about the world z axis, pan, zoom):
// Qt 3D's orbit controller orbits about y.

#include <QEvent>
#include <QMatrix4x4>
#include <QMouseEvent>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QVector3D>
#include <QWheelEvent>
#include <QWidget>
#include <Qt3DCore/QAttribute>
#include <Qt3DCore/QBuffer>
#include <Qt3DCore/QEntity>
#include <Qt3DCore/QGeometry>
#include <Qt3DCore/QTransform>
#include <Qt3DExtras/QCuboidMesh>
#include <Qt3DExtras/QCylinderMesh>
#include <Qt3DExtras/QForwardRenderer>
#include <Qt3DExtras/QPerVertexColorMaterial>
#include <Qt3DExtras/QPhongAlphaMaterial>
#include <Qt3DExtras/QPhongMaterial>
#include <Qt3DExtras/QSphereMesh>
#include <Qt3DExtras/Qt3DWindow>
#include <Qt3DRender/QCamera>
#include <Qt3DRender/QCameraLens>
#include <Qt3DRender/QDirectionalLight>
#include <Qt3DRender/QGeometryRenderer>
#include <Qt3DRender/QMaterial>
#include <Qt3DRender/QPointLight>
#include <Qt3DRender/QRenderCapture>
#include <Qt3DRender/QRenderSettings>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "gui/display_mesh.hpp"
#include "gui/scene.hpp"

namespace weldcell::gui {
namespace {

QMatrix4x4 ToQt(const Eigen::Isometry3d& X) {
  const Eigen::Matrix4d m = X.matrix();
  QMatrix4x4 q;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) q(r, c) = static_cast<float>(m(r, c));
  }
  return q;
}

QVector3D ToQt(const Eigen::Vector3d& v) {
  return {static_cast<float>(v.x()), static_cast<float>(v.y()), static_cast<float>(v.z())};
}

// An indexed triangle mesh (gui/display_mesh.hpp prepares its buffers, possibly in a worker).
Qt3DRender::QGeometryRenderer* MakeMeshRenderer(const DisplayMesh& mesh, Qt3DCore::QNode* parent) {
  const std::vector<float>& vertex_data = mesh.vertex_data;
  const std::vector<std::uint32_t>& indices = mesh.indices;
  auto* renderer = new Qt3DRender::QGeometryRenderer(parent);
  auto* geometry = new Qt3DCore::QGeometry(renderer);
  auto* buffer = new Qt3DCore::QBuffer(geometry);
  buffer->setData(QByteArray(reinterpret_cast<const char*>(vertex_data.data()),
                             static_cast<qsizetype>(vertex_data.size() * sizeof(float))));
  auto* index_buffer = new Qt3DCore::QBuffer(geometry);
  index_buffer->setData(QByteArray(reinterpret_cast<const char*>(indices.data()),
                                   static_cast<qsizetype>(indices.size() * sizeof(std::uint32_t))));
  const auto vertex_count = static_cast<uint>(vertex_data.size() / 6);
  auto* position = new Qt3DCore::QAttribute(geometry);
  position->setName(Qt3DCore::QAttribute::defaultPositionAttributeName());
  position->setVertexBaseType(Qt3DCore::QAttribute::Float);
  position->setVertexSize(3);
  position->setAttributeType(Qt3DCore::QAttribute::VertexAttribute);
  position->setBuffer(buffer);
  position->setByteStride(6 * sizeof(float));
  position->setByteOffset(0);
  position->setCount(vertex_count);
  auto* normal = new Qt3DCore::QAttribute(geometry);
  normal->setName(Qt3DCore::QAttribute::defaultNormalAttributeName());
  normal->setVertexBaseType(Qt3DCore::QAttribute::Float);
  normal->setVertexSize(3);
  normal->setAttributeType(Qt3DCore::QAttribute::VertexAttribute);
  normal->setBuffer(buffer);
  normal->setByteStride(6 * sizeof(float));
  normal->setByteOffset(3 * sizeof(float));
  normal->setCount(vertex_count);
  auto* index = new Qt3DCore::QAttribute(geometry);
  index->setAttributeType(Qt3DCore::QAttribute::IndexAttribute);
  index->setVertexBaseType(Qt3DCore::QAttribute::UnsignedInt);
  index->setBuffer(index_buffer);
  index->setCount(static_cast<uint>(indices.size()));
  geometry->addAttribute(position);
  geometry->addAttribute(normal);
  geometry->addAttribute(index);
  renderer->setGeometry(geometry);
  renderer->setPrimitiveType(Qt3DRender::QGeometryRenderer::Triangles);
  renderer->setVertexCount(static_cast<int>(indices.size()));
  return renderer;
}

// The OpenGL implementation's renderer string (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"), from
// a throw-away context; empty when none can be made.
std::string OpenGlRenderer() {
  QOpenGLContext context;
  if (!context.create()) return {};
  QOffscreenSurface surface;
  surface.setFormat(context.format());
  surface.create();
  if (!context.makeCurrent(&surface)) return {};
  const auto* name = reinterpret_cast<const char*>(context.functions()->glGetString(GL_RENDERER));
  std::string renderer = name != nullptr ? name : "";
  context.doneCurrent();
  return renderer;
}

// Qt3DWindow asks for 4x multisampling. A software rasterizer (Mesa's llvmpipe under Xvfb, a
// machine without a GPU) then spends most of every frame on the samples -- the L station took
// 220 ms a frame with it and 50 ms without -- and Qt 3D 6 renders on the UI thread, so the
// whole frame blocks the event loop. Antialiasing stays on for hardware renderers.
// WELDCELL_VIEWER_SAMPLES=n overrides the choice (docs/viewer.md).
int MultisampleCount() {
  static const int samples = [] {
    bool ok = false;
    const int forced = qEnvironmentVariableIntValue("WELDCELL_VIEWER_SAMPLES", &ok);
    if (ok && forced >= 0) return forced;
    std::string renderer = OpenGlRenderer();
    for (char& c : renderer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* software : {"llvmpipe", "softpipe", "swrast", "software"}) {
      if (renderer.find(software) != std::string::npos) return 0;
    }
    return 4;
  }();
  return samples;
}

// Lighting (see the constructor). Qt 3D's Phong shader computes
//   (ambient + sum of lights' intensity * max(n.l, 0)) * diffuse + specular * lights * (s + 2)/2 *
//   pow(r.v, s)
// for shininess s: the specular term of a head light covers a whole face turned to the camera
// (r.v is near 1 all over it) and, with its (s + 2)/2 factor, washed it out to white in the
// front, side and top views. Surfaces are therefore matte (no specular term), lit by a head light
// and a dimmer fill from above over a grey ambient: a face turned to the camera shows about 0.95
// to 1.2 of its own colour, the others are shaded darker.
constexpr float kHeadLight = 0.7f;
constexpr float kFillLight = 0.25f;
constexpr int kAmbient = 64;  // of 255, multiplies the diffuse colour like the lights

class Qt3dScene final : public Scene, public QObject {
 public:
  Qt3dScene() {
    window_ = new Qt3DExtras::Qt3DWindow();
    // Qt3DWindow made its format (4 samples) the default one; the renderer's context follows it.
    QSurfaceFormat format = window_->format();
    format.setSamples(MultisampleCount());
    window_->setFormat(format);
    QSurfaceFormat::setDefaultFormat(format);
    container_ = QWidget::createWindowContainer(window_);
    container_->setMinimumSize(160, 120);
    container_->setFocusPolicy(Qt::StrongFocus);
    window_->defaultFrameGraph()->setClearColor(QColor(236, 238, 242));
    // No frustum culling: Qt 3D (6.4) kept an entity that was disabled while the camera moved
    // culled after it was enabled again, until it moved (a robot unticked in the scene tree, the
    // view changed, ticked again: not drawn). The whole station is in view most of the time, so
    // culling saves little; the UI thread's time per frame is the same without it.
    window_->defaultFrameGraph()->setFrustumCullingEnabled(false);
    capture_ = new Qt3DRender::QRenderCapture();
    window_->activeFrameGraph()->setParent(capture_);
    window_->setActiveFrameGraph(capture_);
    // Render continuously only while something changes.
    window_->renderSettings()->setRenderPolicy(Qt3DRender::QRenderSettings::OnDemand);

    root_ = new Qt3DCore::QEntity();
    camera_ = window_->camera();
    camera_->lens()->setPerspectiveProjection(40.0f, 16.0f / 9.0f, 0.05f, 500.0f);
    // A head light (with the camera) and a dimmer fill from above (kHeadLight: why).
    auto* light = new Qt3DRender::QPointLight(camera_);
    light->setIntensity(kHeadLight);
    camera_->addComponent(light);
    auto* fill = new Qt3DRender::QDirectionalLight(root_);
    fill->setWorldDirection(QVector3D(0.3f, 0.4f, -1.0f).normalized());
    fill->setIntensity(kFillLight);
    root_->addComponent(fill);
    window_->setRootEntity(root_);
    nodes_.push_back({.entity = root_, .parent = -1});
    SetCamera(CameraPose{});
    window_->installEventFilter(this);
  }

  ~Qt3dScene() override {
    window_->removeEventFilter(this);
    if (container_->parent() == nullptr) delete container_;  // deletes the window too
  }

  QWidget* widget() override { return container_; }

  NodeId AddFrame(NodeId parent, const Eigen::Isometry3d& X_PN) override {
    auto* entity = new Qt3DCore::QEntity(Entity(parent));
    auto* transform = new Qt3DCore::QTransform(entity);
    transform->setMatrix(ToQt(X_PN));
    entity->addComponent(transform);
    return Register({.entity = entity, .transform = transform, .parent = parent});
  }

  NodeId AddShape(NodeId parent, const cell::Shape& shape, const Eigen::Isometry3d& X_PG,
                  const QColor& color) override {
    auto* entity = new Qt3DCore::QEntity(Entity(parent));
    Eigen::Isometry3d X = X_PG;
    switch (shape.kind) {
      case cell::ShapeKind::kBox: {
        auto* m = new Qt3DExtras::QCuboidMesh(entity);
        m->setXExtent(static_cast<float>(shape.box_size.x()));
        m->setYExtent(static_cast<float>(shape.box_size.y()));
        m->setZExtent(static_cast<float>(shape.box_size.z()));
        entity->addComponent(m);
        break;
      }
      case cell::ShapeKind::kCylinder: {
        auto* m = new Qt3DExtras::QCylinderMesh(entity);
        m->setRadius(static_cast<float>(shape.radius));
        m->setLength(static_cast<float>(shape.length));
        m->setSlices(shape.radius < 0.01 ? 8 : 24);  // thin rods (weld normals) need few
        entity->addComponent(m);
        // Qt 3D's cylinder lies along y; ours along z.
        X = X * Eigen::AngleAxisd(std::numbers::pi / 2, Eigen::Vector3d::UnitX());
        break;
      }
      case cell::ShapeKind::kSphere: {
        auto* m = new Qt3DExtras::QSphereMesh(entity);
        m->setRadius(static_cast<float>(shape.radius));
        const bool small = shape.radius < 0.03;  // weld markers: many, tiny on screen
        m->setRings(small ? 8 : 12);
        m->setSlices(small ? 10 : 16);
        entity->addComponent(m);
        break;
      }
      case cell::ShapeKind::kMesh:
        if (shape.mesh != nullptr && !shape.mesh->triangles.empty()) {
          entity->addComponent(MakeMeshRenderer(MakeDisplayMesh(*shape.mesh), entity));
        }
        break;
    }
    auto* transform = new Qt3DCore::QTransform(entity);
    transform->setMatrix(ToQt(X));
    entity->addComponent(transform);
    Node node{.entity = entity, .transform = transform, .parent = parent};
    node.pre_rotation = X_PG.inverse() * X;
    AttachMaterial(&node, color);
    return Register(node);
  }

  NodeId AddMesh(NodeId parent, const DisplayMesh& mesh, const Eigen::Isometry3d& X_PG,
                 const QColor& color) override {
    auto* entity = new Qt3DCore::QEntity(Entity(parent));
    if (!mesh.indices.empty()) entity->addComponent(MakeMeshRenderer(mesh, entity));
    auto* transform = new Qt3DCore::QTransform(entity);
    transform->setMatrix(ToQt(X_PG));
    entity->addComponent(transform);
    Node node{.entity = entity, .transform = transform, .parent = parent};
    AttachMaterial(&node, color);
    return Register(node);
  }

  NodeId AddBatch(NodeId parent, const std::vector<BatchItem>& items) override {
    auto* entity = new Qt3DCore::QEntity(Entity(parent));
    Node node{.entity = entity, .parent = parent};
    DisplayMesh mesh;
    std::vector<float> colors;
    for (const BatchItem& item : items) {
      const auto first = static_cast<std::uint32_t>(mesh.vertex_count());
      // Thin rods (weld normals) and small balls (weld markers) need few facets.
      const bool small = item.shape.radius < 0.03;
      AppendMesh(PrimitiveMesh(item.shape, small ? 8 : 24), item.X_PG, &mesh);
      const auto count = static_cast<std::uint32_t>(mesh.vertex_count()) - first;
      node.batch_ranges.emplace_back(first, count);
      node.batch_colors.push_back(item.color.rgb());
      const std::array<float, 3> c = VertexColor(item.color);
      for (std::uint32_t v = 0; v < count; ++v) colors.insert(colors.end(), c.begin(), c.end());
    }
    if (!mesh.indices.empty()) {
      Qt3DRender::QGeometryRenderer* renderer = MakeMeshRenderer(mesh, entity);
      Qt3DCore::QGeometry* geometry = renderer->geometry();
      node.batch_buffer = new Qt3DCore::QBuffer(geometry);
      node.batch_buffer->setData(QByteArray(reinterpret_cast<const char*>(colors.data()),
                                            static_cast<qsizetype>(colors.size() * sizeof(float))));
      auto* color = new Qt3DCore::QAttribute(geometry);
      color->setName(Qt3DCore::QAttribute::defaultColorAttributeName());
      color->setVertexBaseType(Qt3DCore::QAttribute::Float);
      color->setVertexSize(3);
      color->setAttributeType(Qt3DCore::QAttribute::VertexAttribute);
      color->setBuffer(node.batch_buffer);
      color->setByteStride(3 * sizeof(float));
      color->setCount(static_cast<uint>(mesh.vertex_count()));
      geometry->addAttribute(color);
      entity->addComponent(renderer);
    }
    if (vertex_color_material_ == nullptr) {
      vertex_color_material_ = new Qt3DExtras::QPerVertexColorMaterial(root_);
    }
    entity->addComponent(vertex_color_material_);
    return Register(node);
  }

  void SetBatchColor(NodeId batch, int item, const QColor& color) override {
    Node& n = nodes_.at(static_cast<std::size_t>(batch));
    if (n.batch_buffer == nullptr || item < 0 || item >= static_cast<int>(n.batch_ranges.size())) {
      return;
    }
    const auto i = static_cast<std::size_t>(item);
    if (n.batch_colors[i] == color.rgb()) return;
    n.batch_colors[i] = color.rgb();
    const auto [first, count] = n.batch_ranges[i];
    const std::array<float, 3> c = VertexColor(color);
    std::vector<float> data;
    data.reserve(3 * count);
    for (std::uint32_t v = 0; v < count; ++v) data.insert(data.end(), c.begin(), c.end());
    n.batch_buffer->updateData(static_cast<int>(first * 3 * sizeof(float)),
                               QByteArray(reinterpret_cast<const char*>(data.data()),
                                          static_cast<qsizetype>(data.size() * sizeof(float))));
  }

  NodeId AddLine(NodeId parent, const Eigen::Vector3d& p0, const Eigen::Vector3d& p1, double radius,
                 const QColor& color) override {
    const Eigen::Vector3d d = p1 - p0;
    const double length = d.norm();
    Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
    X.translation() = 0.5 * (p0 + p1);
    if (length > 0) {
      X.linear() = Eigen::Quaterniond::FromTwoVectors(Eigen::Vector3d::UnitZ(), d / length)
                       .toRotationMatrix();
    }
    return AddShape(parent, cell::Shape::Cylinder(radius, std::max(length, 1e-6)), X, color);
  }

  void SetPose(NodeId node, const Eigen::Isometry3d& X_PN) override {
    Node& n = nodes_.at(static_cast<std::size_t>(node));
    if (n.transform != nullptr) n.transform->setMatrix(ToQt(X_PN * n.pre_rotation));
  }

  void SetColor(NodeId node, const QColor& color) override {
    Node& n = nodes_.at(static_cast<std::size_t>(node));
    if (n.entity == nullptr || n.material == nullptr) return;
    Qt3DRender::QMaterial* material = Material(color);
    if (material == n.material) return;
    n.entity->removeComponent(n.material);
    n.entity->addComponent(material);
    n.material = material;
  }

  void SetVisible(NodeId node, bool visible) override {
    Node& n = nodes_.at(static_cast<std::size_t>(node));
    if (n.entity != nullptr) n.entity->setEnabled(visible);
  }

  void Remove(NodeId node) override {
    if (node == kRootNode) return;
    Node& n = nodes_.at(static_cast<std::size_t>(node));
    if (n.entity == nullptr) return;
    // Forget every descendant (its entity goes with the parent's).
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      for (int a = static_cast<int>(i); a > 0; a = nodes_[static_cast<std::size_t>(a)].parent) {
        if (a == node) {
          if (static_cast<int>(i) != node) nodes_[i] = Node{.parent = -1};
          break;
        }
      }
    }
    n.entity->setParent(static_cast<Qt3DCore::QNode*>(nullptr));
    n.entity->deleteLater();
    n = Node{.parent = -1};
  }

  void SetSceneBounds(const Eigen::AlignedBox3d& box_W) override {
    bounds_ = box_W;
    SetCamera(pose_);
  }

  void SetCamera(const CameraPose& pose) override {
    pose_ = pose;
    // Near and far planes around the scene's bounding sphere as seen from the eye (with room
    // for what moves out of the box), near no closer than far / 1e5 for depth precision.
    float near_plane = 0.05f, far_plane = 500.0f;
    if (!bounds_.isEmpty()) {
      const double radius = 0.5 * bounds_.diagonal().norm() * 1.5 + 1.0;
      const double distance = (pose.eye - bounds_.center()).norm();
      const double far_m = distance + radius;
      const double near_m = std::max({0.01, far_m * 1e-5, distance - radius});
      near_plane = static_cast<float>(near_m);
      far_plane = static_cast<float>(far_m);
    }
    camera_->setNearPlane(near_plane);
    camera_->setFarPlane(far_plane);
    camera_->setUpVector(ToQt(pose.up));
    camera_->setPosition(ToQt(pose.eye));
    camera_->setViewCenter(ToQt(pose.center));
  }

  CameraPose camera() const override { return pose_; }

  double field_of_view_deg() const override { return camera_->fieldOfView(); }

  int multisample_count() const override { return window_->format().samples(); }

  std::optional<QPointF> Project(const Eigen::Vector3d& p_W) const override {
    const float aspect = static_cast<float>(window_->width()) / std::max(1, window_->height());
    QMatrix4x4 projection;
    projection.perspective(camera_->fieldOfView(), aspect, camera_->nearPlane(),
                           camera_->farPlane());
    QMatrix4x4 view;
    view.lookAt(ToQt(pose_.eye), ToQt(pose_.center), ToQt(pose_.up));
    const QVector4D clip = projection * view * QVector4D(ToQt(p_W), 1.0f);
    if (clip.w() <= 0) return std::nullopt;
    const double x = clip.x() / clip.w(), y = clip.y() / clip.w();
    return QPointF((x + 1) / 2 * window_->width(), (1 - y) / 2 * window_->height());
  }

  void SetClickCallback(std::function<void(QPointF)> on_click) override {
    on_click_ = std::move(on_click);
  }

  void Capture(std::function<void(const QImage&)> done) override {
    Qt3DRender::QRenderCaptureReply* reply = capture_->requestCapture();
    QObject::connect(reply, &Qt3DRender::QRenderCaptureReply::completed, this,
                     [reply, done = std::move(done)] {
                       done(reply->image());
                       reply->deleteLater();
                     });
  }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (watched != window_) return false;
    switch (event->type()) {
      case QEvent::Resize:
        camera_->setAspectRatio(static_cast<float>(window_->width()) /
                                static_cast<float>(std::max(1, window_->height())));
        return false;
      case QEvent::MouseButtonPress: {
        const auto* e = static_cast<QMouseEvent*>(event);
        last_mouse_ = e->position();
        press_ = e->position();
        return true;
      }
      case QEvent::MouseButtonRelease: {
        const auto* e = static_cast<QMouseEvent*>(event);
        const QPointF moved = e->position() - press_;
        if (e->button() == Qt::LeftButton && std::abs(moved.x()) + std::abs(moved.y()) < 4 &&
            on_click_) {
          on_click_(e->position());
        }
        return true;
      }
      case QEvent::MouseMove: {
        const auto* e = static_cast<QMouseEvent*>(event);
        const QPointF delta = e->position() - last_mouse_;
        last_mouse_ = e->position();
        if (e->buttons() & Qt::LeftButton) {
          Orbit(-delta.x() * 0.005, delta.y() * 0.005);
        } else if (e->buttons() & (Qt::RightButton | Qt::MiddleButton)) {
          Pan(delta);
        }
        return true;
      }
      case QEvent::Wheel: {
        const auto* e = static_cast<QWheelEvent*>(event);
        const double factor = std::pow(0.999, e->angleDelta().y());
        CameraPose pose = pose_;
        pose.eye = pose.center + (pose.eye - pose.center) * factor;
        SetCamera(pose);
        return true;
      }
      default:
        return false;
    }
  }

 private:
  struct Node {
    Qt3DCore::QEntity* entity = nullptr;
    Qt3DCore::QTransform* transform = nullptr;
    Qt3DRender::QMaterial* material = nullptr;  // shared, owned by the root entity
    int parent = -1;
    Eigen::Isometry3d pre_rotation = Eigen::Isometry3d::Identity();
    // A batch: its per-vertex colour buffer, each item's vertices (first, count) and colour.
    Qt3DCore::QBuffer* batch_buffer = nullptr;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> batch_ranges;
    std::vector<QRgb> batch_colors;
  };

  // Qt 3D's per-vertex colour material uses the vertex colour v as both its ambient and diffuse
  // term: a face shows about (v + L) v of it, L being the light falling on it (0.3 to 0.9 here).
  // v is the colour asked for: lifted, as it was for a lone 0.9 head light, light colours (the
  // grey of welds whose reach is still running) showed as white under the fill light.
  static std::array<float, 3> VertexColor(const QColor& color) {
    return {static_cast<float>(color.redF()), static_cast<float>(color.greenF()),
            static_cast<float>(color.blueF())};
  }

  Qt3DCore::QEntity* Entity(NodeId id) const {
    Qt3DCore::QEntity* e = nodes_.at(static_cast<std::size_t>(id)).entity;
    return e != nullptr ? e : root_;
  }

  NodeId Register(const Node& node) {
    nodes_.push_back(node);
    return static_cast<NodeId>(nodes_.size() - 1);
  }

  void AttachMaterial(Node* node, const QColor& color) {
    node->material = Material(color);
    node->entity->addComponent(node->material);
  }

  // One material per colour, shared by every shape of that colour: Qt 3D's per-frame cost grows
  // with the number of distinct materials (hundreds of weld markers and links otherwise).
  Qt3DRender::QMaterial* Material(const QColor& color) {
    const QRgb key = color.rgba();
    if (auto it = materials_.find(key); it != materials_.end()) return it->second;
    Qt3DRender::QMaterial* material = nullptr;
    if (color.alpha() < 255) {
      auto* m = new Qt3DExtras::QPhongAlphaMaterial(root_);
      m->setSpecular(Qt::black);
      m->setShininess(0);  // the shader then skips the specular term
      m->setDiffuse(color);
      m->setAmbient(QColor(kAmbient, kAmbient, kAmbient));
      m->setAlpha(static_cast<float>(color.alphaF()));
      material = m;
    } else {
      auto* m = new Qt3DExtras::QPhongMaterial(root_);
      m->setSpecular(Qt::black);
      m->setShininess(0);  // the shader then skips the specular term
      m->setDiffuse(color);
      m->setAmbient(QColor(kAmbient, kAmbient, kAmbient));
      material = m;
    }
    materials_.emplace(key, material);
    return material;
  }

  void Orbit(double d_azimuth, double d_elevation) {
    CameraPose pose = pose_;
    const Eigen::Vector3d offset = pose.eye - pose.center;
    const double r = offset.norm();
    double azimuth = std::atan2(offset.y(), offset.x()) + d_azimuth;
    double elevation = std::asin(std::clamp(offset.z() / r, -1.0, 1.0)) + d_elevation;
    elevation = std::clamp(elevation, -1.55, 1.55);
    pose.eye = pose.center + r * Eigen::Vector3d(std::cos(elevation) * std::cos(azimuth),
                                                 std::cos(elevation) * std::sin(azimuth),
                                                 std::sin(elevation));
    pose.up = Eigen::Vector3d::UnitZ();
    SetCamera(pose);
  }

  void Pan(const QPointF& delta) {
    CameraPose pose = pose_;
    const Eigen::Vector3d forward = (pose.center - pose.eye).normalized();
    Eigen::Vector3d right = forward.cross(pose.up);
    if (right.norm() < 1e-9) right = forward.unitOrthogonal();
    right.normalize();
    const Eigen::Vector3d up = right.cross(forward);
    const double scale = (pose.center - pose.eye).norm() * 2 *
                         std::tan(camera_->fieldOfView() * std::numbers::pi / 360) /
                         std::max(1, window_->height());
    const Eigen::Vector3d shift = (-delta.x() * right + delta.y() * up) * scale;
    pose.eye += shift;
    pose.center += shift;
    SetCamera(pose);
  }

  Qt3DExtras::Qt3DWindow* window_ = nullptr;
  QWidget* container_ = nullptr;
  Qt3DRender::QRenderCapture* capture_ = nullptr;
  Qt3DCore::QEntity* root_ = nullptr;
  Qt3DRender::QCamera* camera_ = nullptr;
  std::vector<Node> nodes_;
  std::map<QRgb, Qt3DRender::QMaterial*> materials_;
  Qt3DRender::QMaterial* vertex_color_material_ = nullptr;  // owned by the root entity
  CameraPose pose_;
  Eigen::AlignedBox3d bounds_;  ///< SetSceneBounds (empty: the default depth range).
  QPointF last_mouse_;
  QPointF press_;
  std::function<void(QPointF)> on_click_;
};

}  // namespace

std::unique_ptr<Scene> MakeQt3dScene() { return std::make_unique<Qt3dScene>(); }

}  // namespace weldcell::gui
