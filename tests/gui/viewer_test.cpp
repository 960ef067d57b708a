// The viewer under Xvfb (QT3D_RENDERER=opengl; tests/gui/CMakeLists.txt runs it in xvfb-run):
// what is drawn is checked on captured frames, pixel by pixel at the projected positions of
// known parts of the station, besides the panes' contents.

#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMouseEvent>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QProcess>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QWindow>
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <regex>
#include <sstream>
#include <string>

#include "exporters/dialect.hpp"
#include "exporters/export.hpp"
#include "gui/gantt_widget.hpp"
#include "gui/main_window.hpp"
#include "gui/playback.hpp"
#include "gui/station_view.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/kinematics/controller_joints.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/plan/plan.hpp"
#include "tests/scratch.hpp"

namespace weldcell::gui {
namespace {

constexpr const char* kDemo = "cells/demo/cell.yaml";

using weldcell::testing::ScratchPath;

// A file in this test process's scratch folder (tests/scratch.hpp), as Qt takes paths.
QString ScratchFile(const std::string& name) {
  return QString::fromStdString(ScratchPath(name).string());
}

bool WaitFor(const std::function<bool()>& done, int timeout_ms = 60000) {
  QElapsedTimer clock;
  clock.start();
  while (!done()) {
    if (clock.elapsed() > timeout_ms) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return true;
}

// Renders a few frames (Qt 3D uploads new geometry over the first ones) and returns the last.
QImage Capture(MainWindow& w) {
  QImage last;
  for (int i = 0; i < 3; ++i) {
    bool done = false;
    w.scene()->Capture([&](const QImage& image) {
      last = image.convertToFormat(QImage::Format_RGB32);
      done = true;
    });
    EXPECT_TRUE(WaitFor([&] { return done; }, 30000)) << "no frame rendered";
  }
  return last;
}

// Does any pixel within `radius` px of `at` satisfy `match`?
bool AnyPixelNear(const QImage& image, QPointF at, int radius,
                  const std::function<bool(const QColor&)>& match) {
  const double sx = double(image.width()) / 1.0, sy = double(image.height()) / 1.0;
  (void)sx;
  (void)sy;
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      const int x = static_cast<int>(std::lround(at.x())) + dx;
      const int y = static_cast<int>(std::lround(at.y())) + dy;
      if (x < 0 || y < 0 || x >= image.width() || y >= image.height()) continue;
      if (match(image.pixelColor(x, y))) return true;
    }
  }
  return false;
}

// Same hue as `want` (lighting changes brightness, not hue), clearly coloured.
std::function<bool(const QColor&)> HueOf(const QColor& want, int tolerance_deg = 14) {
  return [want, tolerance_deg](const QColor& c) {
    if (c.hsvSaturationF() < 0.3 || c.valueF() < 0.12) return false;
    const int d = std::abs(c.hsvHue() - want.hsvHue()) % 360;
    return std::min(d, 360 - d) <= tolerance_deg;
  };
}

bool IsBodyGrey(const QColor& c) {
  // The part's light grey, shaded: unsaturated, clearly darker than the background.
  return c.hsvSaturationF() < 0.15 && c.value() > 50 && c.value() < 220;
}

// World centre of the first collision geometry of every link of a robot (at its current pose).
std::vector<Eigen::Vector3d> LinkCentres(StationView& view, int robot) {
  std::vector<Eigen::Vector3d> centres;
  const cell::RobotModel& model = *view.cell().robots[static_cast<std::size_t>(robot)].model;
  for (std::size_t l = 1; l < model.links.size(); ++l) {
    if (model.links[l].collision.empty()) continue;
    centres.push_back(view.LinkPose(robot, static_cast<int>(l)) *
                      model.links[l].collision.front().X_FG.translation());
  }
  return centres;
}

int CountMatches(MainWindow& w, const QImage& image, const std::vector<Eigen::Vector3d>& points,
                 const std::function<bool(const QColor&)>& match) {
  int matches = 0;
  for (const Eigen::Vector3d& p : points) {
    const std::optional<QPointF> at = w.scene()->Project(p);
    if (at && AnyPixelNear(image, *at, 3, match)) ++matches;
  }
  return matches;
}

// Calls open(path) on the window (which reads in a worker thread) and waits for `finished`,
// the signal that says it is shown or refused; returns whether it is shown.
bool OpenAndWait(MainWindow& w, void (MainWindow::*finished)(bool),
                 void (MainWindow::*open)(const QString&), const QString& path) {
  bool done = false, ok = false;
  const QMetaObject::Connection c = QObject::connect(&w, finished, [&](bool success) {
    done = true;
    ok = success;
  });
  (w.*open)(path);
  EXPECT_TRUE(WaitFor([&] { return done; })) << qPrintable(path) << " never opened";
  QObject::disconnect(c);
  return ok;
}

bool OpenCellAndWait(MainWindow& w, const QString& path) {
  return OpenAndWait(w, &MainWindow::cellOpened, &MainWindow::OpenCell, path);
}

// Writes a plan without robots that claims to be of cell `name` with hash `hash`; returns its
// path (a fresh file per test process).
QString WritePlan(const std::string& file_name, const std::string& name, const std::string& hash) {
  plan::Plan plan;
  plan.cell_name = name;
  plan.cell_hash = hash;
  plan.cycle_time = 60;
  const std::filesystem::path path = ScratchPath(file_name);
  std::ofstream(path, std::ios::binary) << plan::ToJson(plan);
  return QString::fromStdString(path.string());
}

// The demo's hash as a plan made with seed 0 records it (WritePlan's plans have seed 0).
std::string DemoHash() { return plan::CellHash(cell::LoadCell(kDemo, {}).value, 0); }

QSize PngSize(const QString& file) { return QImage(file).size(); }

constexpr const char* kSmall = "tests/exporters/cells/small/cell.yaml";  // 6 welds, R1 + R2

// A real plan of the small cell (planned once per test process, ~2 s), as plan.json; with
// `tamper`, one of R1's motion samples is moved 0.4 rad on joint 1 after planning (the cell
// hash still matches: a hand-edited plan), which the verifier must catch.
const plan::Plan& SmallPlanned() {
  static const plan::Plan planned = [] {
    const cell::Cell c = cell::LoadCell(kSmall, {}).value;
    const collision::CollisionWorld world(c);
    pipeline::PlanOutput out = pipeline::PlanCell(c, world, {.rebalance_rounds = 0});
    EXPECT_EQ(out.status, pipeline::PlanStatus::kComplete);
    return out.plan;
  }();
  return planned;
}

QString SmallPlan(bool tamper) {
  plan::Plan p = SmallPlanned();
  if (tamper) {
    for (plan::Segment& s : p.robots.at(0).segments) {
      if (s.kind == plan::SegmentKind::kMotion && s.q.size() > 4) {
        s.q[s.q.size() / 2][0] += 0.4;
        break;
      }
    }
  }
  const std::filesystem::path path =
      ScratchPath(tamper ? "small_tampered.json" : "small_plan.json");
  std::ofstream(path, std::ios::binary) << plan::ToJson(p);
  return QString::fromStdString(path.string());
}

// The small cell edited by `edits` (text replacements), written to a temporary file named
// `name` (its robots and welds by absolute path); returns its path.
QString SmallCellEdited(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& edits) {
  const std::filesystem::path root = std::filesystem::current_path();
  std::ifstream in(kSmall, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  };
  replace_all("../../../../robots/", (root / "robots").string() + "/");
  replace_all("file: welds.csv",
              "file: " + (root / "tests/exporters/cells/small/welds.csv").string());
  for (const auto& [from, to] : edits) replace_all(from, to);
  const std::filesystem::path path = ScratchPath(name);
  std::ofstream(path, std::ios::binary) << text;
  return QString::fromStdString(path.string());
}

QString SmallCellWithCycleTime(double seconds) {
  return SmallCellEdited("small_cycle.yaml",
                         {{"cycle_time: 45", "cycle_time: " + std::to_string(seconds)}});
}

struct ViewerRun {
  int exit_code = -1;
  std::string err;
};

ViewerRun RunViewer(const QStringList& args) {
  QProcess viewer;
  viewer.start(WELDCELL_VIEWER, args);
  EXPECT_TRUE(viewer.waitForFinished(120000)) << args.join(' ').toStdString();
  return {viewer.exitCode(), viewer.readAllStandardError().toStdString()};
}

bool OpenPlanAndWait(MainWindow& w, const QString& path) {
  return OpenAndWait(w, &MainWindow::planOpened, &MainWindow::OpenPlan, path);
}

class ViewerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    window_.resize(1280, 780);
    window_.show();
    ASSERT_TRUE(WaitFor([&] { return window_.isVisible(); }));
  }
  void OpenDemo() {
    ASSERT_TRUE(OpenCellAndWait(window_, kDemo));
    window_.ShowStandardView(StandardView::kIso);
  }
  MainWindow window_;
};

TEST_F(ViewerTest, DemoStationShowsRobotsAndBodyInTheirColoursWhereTheyStand) {
  OpenDemo();
  const QImage image = Capture(window_);
  ASSERT_FALSE(image.isNull());
  StationView& view = *window_.station();
  // Each robot's links show the robot's own colour where they project; the other robot's
  // colour does not appear there.
  for (int r = 0; r < 2; ++r) {
    const std::vector<Eigen::Vector3d> centres = LinkCentres(view, r);
    ASSERT_GE(centres.size(), 4u);
    const int own = CountMatches(window_, image, centres, HueOf(Palette::Robot(r)));
    const int other = CountMatches(window_, image, centres, HueOf(Palette::Robot(1 - r)));
    EXPECT_GE(own, static_cast<int>(centres.size()) / 2) << "robot " << r;
    EXPECT_EQ(other, 0) << "robot " << r;
  }
  // The part (hat top of the rail) is drawn in the body grey; a clamp in the fixture grey.
  const Eigen::Vector3d hat_top(0.0, 0.3, 1.152);
  const std::optional<QPointF> at = window_.scene()->Project(hat_top);
  ASSERT_TRUE(at.has_value());
  EXPECT_TRUE(AnyPixelNear(image, *at, 2, IsBodyGrey)) << "at " << at->x() << "," << at->y();
  EXPECT_FALSE(AnyPixelNear(image, *at, 2, HueOf(Palette::Robot(0))));
  // A corner of the frame is background, not part nor robot.
  EXPECT_FALSE(IsBodyGrey(image.pixelColor(2, 2)));
  EXPECT_FALSE(HueOf(Palette::Robot(0))(image.pixelColor(2, 2)));
  image.save("/tmp/weldcell_viewer_test_demo.png");
}

// Mesa's llvmpipe (Xvfb, machines without a GPU) spends most of a frame on 4x multisampling,
// and Qt 3D renders on the UI thread: the view asks for no multisampling there.
TEST_F(ViewerTest, SoftwareRasterizerRendersWithoutMultisampling) {
  QOpenGLContext context;
  ASSERT_TRUE(context.create());
  QOffscreenSurface surface;
  surface.setFormat(context.format());
  surface.create();
  ASSERT_TRUE(context.makeCurrent(&surface));
  const std::string renderer =
      reinterpret_cast<const char*>(context.functions()->glGetString(GL_RENDERER));
  context.doneCurrent();
  if (renderer.find("llvmpipe") == std::string::npos) {
    GTEST_SKIP() << "not a software rasterizer: " << renderer;
  }
  OpenDemo();
  const QImage image = Capture(window_);
  ASSERT_FALSE(image.isNull());
  EXPECT_EQ(window_.scene()->multisample_count(), 0) << renderer;
}

// The cell is read in a worker: OpenCell returns at once, and a plan given meanwhile (a drop of
// both files) opens once the cell is there.
TEST_F(ViewerTest, OpeningACellReadsItInAWorkerAndOpensAPlanGivenMeanwhile) {
  const QString plan = WritePlan("demo_plan.json", "demo", DemoHash());
  bool opened = false, plan_opened = false, plan_after_cell = false;
  QObject::connect(&window_, &MainWindow::cellOpened, [&](bool ok) { opened = ok; });
  QObject::connect(&window_, &MainWindow::planOpened, [&](bool ok) {
    plan_opened = ok;
    plan_after_cell = opened;
  });
  window_.OpenCell(kDemo);
  EXPECT_TRUE(window_.loading());
  EXPECT_EQ(window_.cell(), nullptr);
  EXPECT_EQ(window_.station(), nullptr);
  window_.OpenPlan(plan);
  EXPECT_EQ(window_.plan(), nullptr);
  ASSERT_TRUE(WaitFor([&] { return opened; }));
  ASSERT_NE(window_.station(), nullptr);
  // The plan is read in a worker too, once the cell is there (how soon it is done depends on
  // the machine: only the order is certain).
  ASSERT_TRUE(WaitFor([&] { return plan_opened; }));
  EXPECT_TRUE(plan_after_cell);
  EXPECT_FALSE(window_.loading());
  ASSERT_NE(window_.plan(), nullptr);
  EXPECT_EQ(window_.plan()->cell_name, "demo");
  std::filesystem::remove(plan.toStdString());
}

// A fresh user (2026-12-07): why a plan failed was listed under the cell's nine URDF warnings,
// below the fold. Errors come first, each kind in its order.
TEST_F(ViewerTest, ErrorsAreListedAboveWarnings) {
  const std::filesystem::path cell = ScratchPath("warned_cell.yaml");
  const std::filesystem::path good = std::filesystem::absolute("tests/planner/cell/good");
  std::ofstream(cell) << "format: weldcell/1\nname: warned\ncycle_time: 20\nrobots:\n"
                         "  - {name: R1, model: "
                      << (good / "tiny_robot.yaml").string()
                      << ", tool: " << (good / "gun.yaml").string()
                      << "}\nwelds:\n  - {id: W1, p: [0.3, 0.2, 0.3], n: [0, 0, 1]}\n";
  ASSERT_TRUE(OpenCellAndWait(window_, QString::fromStdString(cell.string())));
  ASSERT_FALSE(window_.diagnostics().empty());
  ASSERT_EQ(window_.diagnostics().front().severity, Severity::kWarning);  // the URDF's
  const QString other = WritePlan("warned_other_plan.json", "S", "59b92715c4a285c2");
  EXPECT_FALSE(OpenPlanAndWait(window_, other));
  QListWidget* list = window_.diagnostics_list();
  ASSERT_GE(list->count(), 2);
  EXPECT_TRUE(list->item(0)->text().startsWith(other + ": error:"))
      << qPrintable(list->item(0)->text());
  EXPECT_EQ(window_.diagnostics().front().severity, Severity::kError);
  EXPECT_EQ(list->item(0)->text().toStdString(), window_.diagnostics().front().ToString());
  EXPECT_EQ(window_.diagnostics().back().severity, Severity::kWarning);
}

// As `weldcell export`: a plan of another cell is refused, with the reason and the plan's file
// in the diagnostics pane; the plan of this cell opens.
TEST_F(ViewerTest, APlanOfAnotherCellIsRefusedWithItsReasonInTheDiagnostics) {
  OpenDemo();
  const QString other = WritePlan("other_plan.json", "S", "59b92715c4a285c2");
  EXPECT_FALSE(OpenPlanAndWait(window_, other));
  EXPECT_EQ(window_.plan(), nullptr);
  QListWidget* list = window_.diagnostics_list();
  ASSERT_GE(list->count(), 1);
  const QString last = list->item(list->count() - 1)->text();
  EXPECT_TRUE(last.startsWith(other + ": error:")) << qPrintable(last);
  EXPECT_TRUE(last.contains("the plan is of cell S (hash 59b92715c4a285c2), not of demo"))
      << qPrintable(last);
  // A plan of this cell's name with another hash: the cell's files changed since planning.
  const QString older = WritePlan("older_plan.json", "demo", "0123456789abcdef");
  EXPECT_FALSE(OpenPlanAndWait(window_, older));
  const std::string changed = list->item(list->count() - 1)->text().toStdString();
  const std::string expected =
      "the plan was made for another version of cell demo: the cell's files (cell.yaml, robots, "
      "guns, meshes, welds) changed since the plan was made (hash 0123456789abcdef then, " +
      DemoHash() + " now)";
  EXPECT_NE(changed.find(expected), std::string::npos) << changed;
  std::filesystem::remove(older.toStdString());
  const QString own = WritePlan("own_plan.json", "demo", DemoHash());
  EXPECT_TRUE(OpenPlanAndWait(window_, own));
  EXPECT_NE(window_.plan(), nullptr);
  std::filesystem::remove(other.toStdString());
  std::filesystem::remove(own.toStdString());
}

// The jog sliders are URDF joint values; the panel says so and shows the pendant's values where
// they differ (R1 is a FANUC: its pendant J3 includes J2 and J4..J6 turn the other way).
TEST_F(ViewerTest, JogPanelNamesItsJointConventionAndShowsThePendantValues) {
  OpenDemo();
  window_.JogJoint(0, 1, 20.0);
  window_.JogJoint(0, 2, -30.0);
  const QString text = window_.jog_text();
  EXPECT_TRUE(text.contains("URDF joint values")) << qPrintable(text);
  const QStringList lines = text.split('\n');
  ASSERT_EQ(lines.size(), 7) << qPrintable(text);
  const Eigen::VectorXd q = window_.station()->configuration(0);
  const Eigen::VectorXd pendant =
      kinematics::ToController(window_.cell()->robots[0].model->controller, q);
  const double deg = 180.0 / 3.14159265358979323846;
  EXPECT_NEAR(q[1] * deg, 20.0, 1e-9);
  // J2 is the same on the pendant; J3 is not (-q3 - q2 = 30 - 20 = 10), nor J5 (-q5).
  EXPECT_EQ(lines[2], "20.0") << qPrintable(text);
  EXPECT_NEAR(pendant[2] * deg, 10.0, 1e-6);
  EXPECT_EQ(lines[3], "-30.0 (pendant 10.0)") << qPrintable(text);
  EXPECT_EQ(lines[5],
            QString("%1 (pendant %2)").arg(q[4] * deg, 0, 'f', 1).arg(pendant[4] * deg, 0, 'f', 1))
      << qPrintable(text);
}

// The weld markers (one batch) show each weld's own colour and follow its changes: close up,
// a reachable weld is green, an unreachable one red, and a recoloured one takes its new colour.
TEST_F(ViewerTest, WeldMarkersShowEachWeldsColour) {
  OpenDemo();
  ASSERT_TRUE(WaitFor([&] { return window_.reach_map() != nullptr; }));
  const cell::Cell& c = *window_.cell();
  int reachable = -1, unreachable = -1;
  for (std::size_t i = 0; i < c.welds.size(); ++i) {
    (window_.reach_map()->reachable(static_cast<int>(i)) ? reachable : unreachable) =
        static_cast<int>(i);
  }
  ASSERT_GE(reachable, 0);
  auto colour_at = [&](int weld) {
    const cell::Weld& w = c.welds[static_cast<std::size_t>(weld)];
    // 12 cm from the marker, looking at it along the weld's normal, tilted a little.
    const double r = window_.station()->weld_marker_radius();
    window_.scene()->SetCamera(
        {.eye = w.p_W + (r + 0.12) * (w.n_W + 0.3 * w.n_W.unitOrthogonal()).normalized(),
         .center = w.p_W,
         .up = w.n_W.unitOrthogonal()});
    const QImage image = Capture(window_);
    // The marker's centre: its surface there faces the camera and its head light.
    const QPointF at = *window_.scene()->Project(w.p_W);
    return image.pixelColor(static_cast<int>(at.x()), static_cast<int>(at.y()));
  };
  const QColor green = colour_at(reachable);
  EXPECT_TRUE(HueOf(Palette::Reachable())(green)) << green.name().toStdString();
  EXPECT_GT(green.valueF(), 0.5) << green.name().toStdString();
  std::printf("reachable weld marker close up: %s (asked %s)\n", green.name().toStdString().c_str(),
              Palette::Reachable().name().toStdString().c_str());
  if (unreachable >= 0) {
    const QColor red = colour_at(unreachable);
    EXPECT_TRUE(HueOf(Palette::Unreachable())(red)) << red.name().toStdString();
  }
  window_.station()->SetWeldColor(reachable, Palette::Robot(1));
  const QColor blue = colour_at(reachable);
  EXPECT_TRUE(HueOf(Palette::Robot(1))(blue)) << blue.name().toStdString();
}

// The collision layer (made the first time it is shown) draws each robot's collision geometry
// in the robot's hue, tinted like the rest when the robot is.
TEST_F(ViewerTest, CollisionLayerShowsTheRobotsCollisionGeometry) {
  OpenDemo();
  StationView& view = *window_.station();
  view.SetRobotTint(1, Palette::Waiting());
  view.SetGeometryLayers(/*visual=*/false, /*collision=*/true);
  const QImage image = Capture(window_);
  const std::vector<Eigen::Vector3d> r1 = LinkCentres(view, 0), r2 = LinkCentres(view, 1);
  EXPECT_GE(CountMatches(window_, image, r1, HueOf(Palette::Robot(0))),
            static_cast<int>(r1.size()) / 2);
  EXPECT_GE(CountMatches(window_, image, r2, HueOf(Palette::Waiting(), 10)),
            static_cast<int>(r2.size()) / 2);
  EXPECT_EQ(CountMatches(window_, image, r2, HueOf(Palette::Robot(1))), 0);
  view.SetGeometryLayers(/*visual=*/false, /*collision=*/false);
  const QImage none = Capture(window_);
  EXPECT_EQ(CountMatches(window_, none, r1, HueOf(Palette::Robot(0))), 0);
}

TEST_F(ViewerTest, PlanOnTheTimelineMovesTheRobotOnScreen) {
  OpenDemo();
  bool finished = false, complete = false;
  QObject::connect(&window_, &MainWindow::planningFinished, [&](bool ok) {
    finished = true;
    complete = ok;
  });
  window_.StartPlanning({.rebalance_rounds = 0}, /*quiet=*/true);
  ASSERT_TRUE(WaitFor([&] { return finished; }, 120000));
  ASSERT_TRUE(complete);
  const plan::Plan& plan = *window_.plan();
  ASSERT_FALSE(plan.robots.empty());
  ASSERT_FALSE(plan.robots[0].welds.empty());
  const cell::Robot& r1 = window_.cell()->robots[0];
  ASSERT_EQ(plan.robots[0].robot, r1.name);
  // R1's gun (its big actuator box) at the start and at its first weld.
  const Eigen::Vector3d p_FG = r1.tool.collision[1].X_FG.translation();
  const double t1 = plan.robots[0].welds.front().start_time;

  // Where the gun should be, from the plan and forward kinematics, independently of the view.
  const kinematics::Chain chain(*r1.model);
  auto gun_at = [&](double t) {
    return Eigen::Vector3d(r1.X_WB * chain.FlangePose(ConfigurationAt(plan.robots[0], t)) * p_FG);
  };
  const Eigen::Vector3d gun0 = gun_at(0), gun1 = gun_at(t1);
  // The weld markers (in R1's colour once planned) are hidden: the gun is looked for.
  window_.station()->SetWeldsVisible(false);
  window_.SetTime(0);
  const QImage image0 = Capture(window_);
  window_.SetTime(t1);
  EXPECT_DOUBLE_EQ(window_.time(), t1);
  const QImage image1 = Capture(window_);
  const QPointF at0 = *window_.scene()->Project(gun0);
  const QPointF at1 = *window_.scene()->Project(gun1);
  ASSERT_GT(std::hypot(at1.x() - at0.x(), at1.y() - at0.y()), 40.0) << "the gun barely moved";
  const auto gun_hue = HueOf(Palette::Gun(0));
  EXPECT_TRUE(AnyPixelNear(image0, at0, 3, gun_hue));
  EXPECT_FALSE(AnyPixelNear(image0, at1, 3, gun_hue)) << "the gun was already at the weld";
  EXPECT_TRUE(AnyPixelNear(image1, at1, 3, gun_hue)) << "the gun is not drawn at the weld";
  EXPECT_FALSE(AnyPixelNear(image1, at0, 3, gun_hue)) << "the gun is still drawn at home";
  image1.save("/tmp/weldcell_viewer_test_plan.png");
  window_.station()->SetWeldsVisible(true);

  // The Gantt chart and the scene share the cursor: a click there moves the scene.
  const double x = window_.gantt()->XAt(plan.robots[0].welds.back().start_time + 0.01);
  QMouseEvent click(QEvent::MouseButtonPress, QPointF(x, window_.gantt()->RowY(0)),
                    window_.gantt()->mapToGlobal(QPointF(x, window_.gantt()->RowY(0))),
                    Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(window_.gantt(), &click);
  EXPECT_NEAR(window_.time(), plan.robots[0].welds.back().start_time, 1e-9);
  EXPECT_NEAR(window_.gantt()->time(), window_.time(), 1e-12);
  // A robot that waits at an interlock keeps its own colour; a yellow ring lies around its base.
  int waiting_robot = -1;
  double wait_time = 0;
  for (std::size_t r = 0; r < plan.robots.size() && waiting_robot < 0; ++r) {
    for (const plan::Segment& s : plan.robots[r].segments) {
      if (s.kind == plan::SegmentKind::kWait && s.times.back() - s.times.front() > 0.2) {
        waiting_robot = static_cast<int>(r);
        wait_time = 0.5 * (s.times.front() + s.times.back());
        break;
      }
    }
  }
  ASSERT_GE(waiting_robot, 0) << "the demo plan has no interlock wait";
  window_.SetTime(wait_time);
  const QImage waiting = Capture(window_);
  const std::vector<Eigen::Vector3d> centres = LinkCentres(*window_.station(), waiting_robot);
  const int cell_robot = waiting_robot;  // the demo plan lists the robots in the cell's order
  EXPECT_TRUE(window_.station()->robot_waiting(cell_robot));
  EXPECT_GE(CountMatches(window_, waiting, centres, HueOf(Palette::Robot(cell_robot))),
            static_cast<int>(centres.size()) / 2);
  EXPECT_GE(CountMatches(window_, waiting, window_.station()->WaitingRingPoints(cell_robot),
                         HueOf(Palette::Waiting(), 10)),
            4);

  // At the end every planned weld is done.
  window_.SetTime(1e9);
  const StationMoment end = MomentAt(plan, window_.time());
  EXPECT_EQ(end.welds_done.size(), window_.cell()->welds.size() - plan.unreachable.size());
}

TEST_F(ViewerTest, CancellingPlanningStopsTheWorkerAndKeepsNoPlan) {
  OpenDemo();
  bool finished = false, complete = true;
  QObject::connect(&window_, &MainWindow::planningFinished, [&](bool ok) {
    finished = true;
    complete = ok;
  });
  window_.StartPlanning({}, /*quiet=*/true);
  ASSERT_TRUE(WaitFor([&] { return window_.planning(); }));
  window_.CancelPlanning();
  ASSERT_TRUE(WaitFor([&] { return finished; }, 60000));
  EXPECT_FALSE(complete);
  EXPECT_EQ(window_.plan(), nullptr);
  EXPECT_FALSE(window_.planning());
}

TEST_F(ViewerTest, ExportWritesEachRobotsProgramAndItsReaderFindsThePlannedWelds) {
  // Six welds of the demo (tests/exporters): R1 FANUC LS, R2 KUKA KRL.
  ASSERT_TRUE(OpenCellAndWait(window_, "tests/exporters/cells/small/cell.yaml"));
  bool planned = false, complete = false;
  QObject::connect(&window_, &MainWindow::planningFinished, [&](bool ok) {
    planned = true;
    complete = ok;
  });
  window_.StartPlanning({.rebalance_rounds = 0}, /*quiet=*/true);
  ASSERT_TRUE(WaitFor([&] { return planned; }, 120000));
  ASSERT_TRUE(complete);
  const std::filesystem::path dir = ScratchPath("viewer_export");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  bool exported = false, ok = false;
  QString message;
  QObject::connect(&window_, &MainWindow::exportFinished, [&](bool success, const QString& m) {
    exported = true;
    ok = success;
    message = m;
  });
  window_.ExportPrograms(QString::fromStdString(dir.string()));
  ASSERT_TRUE(WaitFor([&] { return exported; }, 120000));
  ASSERT_TRUE(ok) << message.toStdString();
  // What the exporter makes of this plan is what is on disk, and each robot's files read back
  // with its dialect's strict reader to one weld call per planned weld.
  const cell::Cell& c = *window_.cell();
  const plan::Plan& plan = *window_.plan();
  const exporters::ExportResult expected = exporters::ExportPlan(plan, c, {});
  ASSERT_EQ(expected.robots.size(), 2u);
  for (std::size_t r = 0; r < expected.robots.size(); ++r) {
    const exporters::RobotExport& e = expected.robots[r];
    std::vector<exporters::ProgramFile> files;
    for (const exporters::ProgramFile& f : e.files) {
      std::ifstream in(dir / f.name, std::ios::binary);
      ASSERT_TRUE(in.good()) << "missing " << (dir / f.name);
      files.push_back({f.name, std::string(std::istreambuf_iterator<char>(in), {})});
      EXPECT_EQ(files.back(), f) << f.name;
    }
    const auto dialect = exporters::MakeDialect(c.robots[r].controller.dialect);
    const exporters::Program read = dialect->Read(files, c.robots[r], e.site);
    const auto welds = std::count_if(read.instructions.begin(), read.instructions.end(),
                                     [](const exporters::Instruction& i) {
                                       return i.kind == exporters::InstructionKind::kWeld;
                                     });
    EXPECT_EQ(welds, static_cast<long>(plan.robots[r].welds.size())) << e.robot;
  }
  std::filesystem::remove_all(dir);
}

TEST_F(ViewerTest, DiagnosticsPaneListsEveryErrorOfAMalformedCellWithItsLine) {
  EXPECT_FALSE(OpenCellAndWait(window_, "tests/gui/malformed/cell.yaml"));
  QListWidget* list = window_.diagnostics_list();
  ASSERT_EQ(list->count(), 2);
  QStringList texts;
  for (int i = 0; i < list->count(); ++i) texts << list->item(i)->text();
  const QString all = texts.join("\n");
  EXPECT_TRUE(all.contains("malformed/cell.yaml:10:17: error: robots[0].base.xyz"))
      << qPrintable(all);
  EXPECT_TRUE(all.contains("malformed/cell.yaml:12:5: error: robots[0].colour")) << qPrintable(all);
  for (int i = 0; i < list->count(); ++i) {
    window_.ShowDiagnosticLine(i);
    const QString shown = window_.diagnostic_line_text();
    if (list->item(i)->text().contains(":10:")) {
      EXPECT_TRUE(shown.contains("base: {xyz: [0, -2100], rpy: [0, 0, 90]}")) << qPrintable(shown);
    } else {
      EXPECT_TRUE(shown.contains("colour: orange")) << qPrintable(shown);
    }
  }
  EXPECT_EQ(window_.station(), nullptr);
}

TEST_F(ViewerTest, JogSlidersTurnARobotRedWhenItTouchesThePart) {
  OpenDemo();
  ASSERT_TRUE(WaitFor([&] { return !window_.background_busy(); }));
  const cell::Robot& r1 = window_.cell()->robots[0];
  const double deg = 180.0 / 3.14159265358979323846;
  // At home R1 is free and orange.
  for (int j = 0; j < 6; ++j) window_.JogJoint(0, j, r1.home[j] * deg);
  EXPECT_EQ(window_.jog_problem(0), "");
  QImage image = Capture(window_);
  std::vector<Eigen::Vector3d> centres = LinkCentres(*window_.station(), 0);
  const auto red = HueOf(Palette::Collision(), 8);
  EXPECT_GE(CountMatches(window_, image, centres, HueOf(Palette::Robot(0))), 3);
  EXPECT_EQ(CountMatches(window_, image, centres, red), 0);
  // Lean the arm forward (J2) within its limits until it touches the rail or a clamp.
  const double upper = window_.station()->chain(0).upper()[1] * deg;
  double j2 = r1.home[1] * deg;
  while (window_.jog_problem(0).empty() && j2 < upper - 1) {
    j2 += 2;
    window_.JogJoint(0, 1, j2);
  }
  const std::string problem = window_.jog_problem(0);
  ASSERT_NE(problem, "") << "R1 never touched anything";
  EXPECT_NE(problem.find("R1/"), std::string::npos) << problem;
  EXPECT_EQ(problem.find("past its limit"), std::string::npos) << problem;
  image = Capture(window_);
  centres = LinkCentres(*window_.station(), 0);
  EXPECT_GE(CountMatches(window_, image, centres, red), 3) << problem;
  EXPECT_EQ(CountMatches(window_, image, centres, HueOf(Palette::Robot(0))), 0) << problem;
  image.save("/tmp/weldcell_viewer_test_jog.png");
  // Past a joint limit is a problem too, even where nothing is touched.
  window_.JogJoint(0, 1, r1.home[1] * deg);
  window_.JogJoint(0, 5, window_.station()->chain(0).upper()[5] * deg + 5);
  EXPECT_NE(window_.jog_problem(0).find("past its limit"), std::string::npos)
      << window_.jog_problem(0);
}

TEST_F(ViewerTest, InspectorSaysWhyARobotCannotReachAWeld) {
  OpenDemo();
  ASSERT_TRUE(WaitFor([&] { return window_.reach_map() != nullptr; }));
  // W10 (y = +650) is beyond R1's reach (cells/demo/cell.yaml) and R2's.
  int w10 = -1;
  for (std::size_t i = 0; i < window_.cell()->welds.size(); ++i) {
    if (window_.cell()->welds[i].id == "W10") w10 = static_cast<int>(i);
  }
  ASSERT_GE(w10, 0);
  window_.SelectWeld(w10);
  const QString text = window_.inspector_text();
  const reach::WeldReach& r1 = window_.reach_map()->at(w10, 0);
  const reach::WeldReach& r2 = window_.reach_map()->at(w10, 1);
  EXPECT_NE(r1.status, reach::ReachStatus::kReachable);
  EXPECT_EQ(r2.status, reach::ReachStatus::kReachable);
  EXPECT_TRUE(text.contains(
      QString("R1: %1").arg(QString::fromStdString(std::string(reach::ToString(r1.status))))))
      << qPrintable(text);
  EXPECT_TRUE(text.contains(QString("R2: reachable, %1 candidate(s)").arg(r2.candidates.size())))
      << qPrintable(text);
}

TEST_F(ViewerTest, ClickingAWeldInTheViewSelectsIt) {
  OpenDemo();
  window_.ShowStandardView(StandardView::kTop);
  QWindow* view = nullptr;
  for (QWindow* candidate : QGuiApplication::allWindows()) {
    if (std::string(candidate->metaObject()->className()) == "Qt3DExtras::Qt3DWindow") {
      view = candidate;
    }
  }
  ASSERT_NE(view, nullptr);
  for (const char* id : {"W05", "W17"}) {
    int weld = -1;
    for (std::size_t i = 0; i < window_.cell()->welds.size(); ++i) {
      if (window_.cell()->welds[i].id == id) weld = static_cast<int>(i);
    }
    ASSERT_GE(weld, 0);
    const QPointF at =
        *window_.scene()->Project(window_.cell()->welds[static_cast<std::size_t>(weld)].p_W);
    QMouseEvent press(QEvent::MouseButtonPress, at, view->mapToGlobal(at), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QMouseEvent release(QEvent::MouseButtonRelease, at, view->mapToGlobal(at), Qt::LeftButton,
                        Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(view, &press);
    QApplication::sendEvent(view, &release);
    EXPECT_TRUE(window_.inspector_text().startsWith(QString("%1 at").arg(id)))
        << qPrintable(window_.inspector_text());
  }
}

// In every standard view the lighting keeps surfaces in their colours: nothing is washed out to
// white (brighter than the light background: the grey part was, in the front, side and top
// views), the part shows its grey, and each robot's links keep its hue.
TEST_F(ViewerTest, EveryStandardViewShowsThePartGreyAndEveryRobotInItsHue) {
  OpenDemo();
  StationView& view = *window_.station();
  const cell::Cell& c = *window_.cell();
  for (const auto& [name, standard] :
       std::vector<std::pair<std::string, StandardView>>{{"iso", StandardView::kIso},
                                                         {"front", StandardView::kFront},
                                                         {"top", StandardView::kTop},
                                                         {"side", StandardView::kSide}}) {
    window_.ShowStandardView(standard);
    const QImage image = Capture(window_);
    image.save(QString("/tmp/weldcell_viewer_test_light_%1.png").arg(QString::fromStdString(name)));
    // Every pixel that is not the background (236, 238, 242) is a surface; none may be
    // near-white, and the part's grey is there.
    int surface = 0, white = 0, grey = 0;
    std::array<int, 2> own{}, pale{};
    for (int y = 0; y < image.height(); ++y) {
      for (int x = 0; x < image.width(); ++x) {
        const QColor p = image.pixelColor(x, y);
        if (std::abs(p.red() - 236) + std::abs(p.green() - 238) + std::abs(p.blue() - 242) <= 6) {
          continue;
        }
        ++surface;
        white += std::min({p.red(), p.green(), p.blue()}) >= 245;
        grey += IsBodyGrey(p) && p.value() > 120;
        for (int r = 0; r < 2; ++r) {
          const QColor robot = Palette::Robot(r);
          own[r] += HueOf(robot)(p);
          // Washed out: the robot's hue, but pale (the part's bluish grey has saturation 0.05).
          const int d = std::abs(p.hsvHue() - robot.hsvHue()) % 360;
          pale[r] += p.hsvHue() >= 0 && std::min(d, 360 - d) <= 30 && p.hsvSaturationF() > 0.1 &&
                     p.hsvSaturationF() < 0.3 && p.value() > 200;
        }
      }
    }
    std::printf("%s: %d surface pixels, %d near-white (%.1f %%), %d of the part's grey\n",
                name.c_str(), surface, white, 100.0 * white / std::max(1, surface), grey);
    EXPECT_LT(white, surface / 100 + 1) << name << ": washed out";
    EXPECT_GT(grey, 200) << name;
    // Every robot is seen in every standard view (the demo's two stand on one axis: looking
    // exactly along it, the front view showed R1 alone), with most of its links in its hue.
    for (int r = 0; r < 2; ++r) {
      EXPECT_GT(own[static_cast<std::size_t>(r)], surface / 10) << name << " robot " << r;
      const std::vector<Eigen::Vector3d> centres = LinkCentres(view, r);
      const int hue_centres = CountMatches(window_, image, centres, HueOf(Palette::Robot(r)));
      std::printf("%s: %s: %d of %zu link centres in its hue; %d pixels in its hue, %d pale\n",
                  name.c_str(), c.robots[static_cast<std::size_t>(r)].name.c_str(), hue_centres,
                  centres.size(), own[static_cast<std::size_t>(r)],
                  pale[static_cast<std::size_t>(r)]);
      EXPECT_GE(hue_centres, static_cast<int>(centres.size()) / 2) << name << " robot " << r;
      EXPECT_LT(pale[static_cast<std::size_t>(r)], own[static_cast<std::size_t>(r)] / 50 + 1)
          << name << " robot " << r << ": washed out";
    }
  }
}

// A robot hidden (scene tree) while the view changes is drawn again when shown: Qt 3D's
// frustum culling kept it culled until it moved (it is off now, see gui/qt3d_scene.cpp).
TEST_F(ViewerTest, ARobotHiddenWhileTheViewChangesIsDrawnWhenShownAgain) {
  OpenDemo();
  StationView& view = *window_.station();
  for (const StandardView standard :
       {StandardView::kSide, StandardView::kFront, StandardView::kTop, StandardView::kIso}) {
    view.SetRobotVisible(0, false);
    Capture(window_);  // drawn without it
    window_.ShowStandardView(standard);
    view.SetRobotVisible(0, true);
    const QImage shown = Capture(window_);
    const std::vector<Eigen::Vector3d> centres = LinkCentres(view, 0);
    EXPECT_GE(CountMatches(window_, shown, centres, HueOf(Palette::Robot(0))),
              static_cast<int>(centres.size()) / 2)
        << "view " << static_cast<int>(standard);
  }
}

// Waiting is shown without losing whose robot it is (station L: four waiting robots were the
// same yellow): the links keep the robot's colour, the gun turns yellow and a yellow ring lies
// around its base; the other robot is unchanged.
TEST_F(ViewerTest, AWaitingRobotKeepsItsColourWithAYellowGunAndRing) {
  OpenDemo();
  StationView& view = *window_.station();
  view.SetRobotWaiting(0, true);
  const QImage image = Capture(window_);
  image.save("/tmp/weldcell_viewer_test_waiting.png");
  const auto yellow = HueOf(Palette::Waiting(), 10);
  for (int r = 0; r < 2; ++r) {
    const std::vector<Eigen::Vector3d> centres = LinkCentres(view, r);
    const int own = CountMatches(window_, image, centres, HueOf(Palette::Robot(r)));
    const int ring = CountMatches(window_, image, view.WaitingRingPoints(r), yellow);
    std::printf(
        "robot %d (%s): %d of %zu link centres in its colour, %d of 12 ring points yellow\n", r,
        r == 0 ? "waiting" : "not waiting", own, centres.size(), ring);
    EXPECT_GE(own, static_cast<int>(centres.size()) / 2) << "robot " << r;
    if (r == 0) {
      EXPECT_GE(ring, 6);
    } else {
      EXPECT_EQ(ring, 0);
    }
  }
  // The gun (its big actuator box) is yellow.
  const cell::Robot& r1 = window_.cell()->robots[0];
  const Eigen::Vector3d gun = r1.X_WB * view.chain(0).FlangePose(view.configuration(0)) *
                              r1.tool.collision[1].X_FG.translation();
  EXPECT_TRUE(AnyPixelNear(image, *window_.scene()->Project(gun), 3, yellow));
  view.SetRobotWaiting(0, false);
  const QImage after = Capture(window_);
  EXPECT_EQ(CountMatches(window_, after, view.WaitingRingPoints(0), yellow), 0);
  EXPECT_FALSE(AnyPixelNear(after, *window_.scene()->Project(gun), 3, yellow));
}

// The small cell's plan with R2 held at home for one more second at its start, waiting for zone
// Z1 (as the plans of generated stations often start); the zone's uses span both robots' whole
// timelines.
plan::Plan SmallPlanWaitingAtStart() {
  plan::Plan p = SmallPlanned();
  constexpr double kWait = 1.0;
  plan::RobotPlan& r1 = p.robots.at(0);
  plan::RobotPlan& r2 = p.robots.at(1);
  for (plan::Segment& s : r2.segments) {
    for (double& t : s.times) t += kWait;
  }
  for (plan::WeldVisit& v : r2.welds) {
    v.start_time += kWait;
    v.end_time += kWait;
  }
  const Eigen::VectorXd home = r2.segments.front().q.front();
  r2.segments.insert(r2.segments.begin(), plan::Segment{.kind = plan::SegmentKind::kWait,
                                                        .from = "home",
                                                        .to = "home",
                                                        .times = {0.0, kWait},
                                                        .q = {home, home}});
  r2.wait_time += kWait;
  r2.finish_time += kWait;
  // R2 waits for Z1 at the standstill before its first motion (after any waits of its own).
  int first_move = 0;
  while (r2.segments[static_cast<std::size_t>(first_move)].kind == plan::SegmentKind::kWait) {
    ++first_move;
  }
  p.zones = {
      {.id = "Z1",
       .uses = {{.robot = r1.robot,
                 .acquire_segment = 0,
                 .release_segment = static_cast<int>(r1.segments.size()),
                 .acquire_time = 0.0,
                 .release_time = r1.finish_time},
                {.robot = r2.robot,
                 .acquire_segment = first_move,
                 .release_segment = static_cast<int>(r2.segments.size()),
                 .acquire_time = r2.segments[static_cast<std::size_t>(first_move)].times.front(),
                 .release_time = r2.finish_time}}}};
  p.weld_signals.clear();
  return p;
}

// A plan opened before the collision world is built (as the command line opens one, and a drop
// of both files) with a robot waiting at t = 0: once the world is there, the zone it waits for
// is drawn, as the status bar says it waits (generated station g5 said "R2 waits for Z1, ..."
// with no zone drawn: the boxes computed without the world were empty and recorded as drawn).
TEST_F(ViewerTest, AZoneARobotWaitsForAtTheStartIsDrawnOnceTheWorldIsBuilt) {
  // The point of the test: the plan is on the timeline before the world is built. The world is
  // built in a worker thread started as the cell is shown and handed over through the event
  // loop, so a plan set from the cellOpened signal (before the loop runs again) always comes
  // first (opening the plan's file races with the world, and the world usually wins).
  bool world_built = false, plan_first = false;
  const QMetaObject::Connection built =
      QObject::connect(&window_, &MainWindow::worldBuilt, [&] { world_built = true; });
  const QMetaObject::Connection opened =
      QObject::connect(&window_, &MainWindow::cellOpened, [&](bool ok) {
        if (!ok) return;
        plan_first = !world_built;
        window_.SetPlan(SmallPlanWaitingAtStart());
      });
  ASSERT_TRUE(OpenCellAndWait(window_, kSmall));
  QObject::disconnect(opened);
  QObject::disconnect(built);
  ASSERT_TRUE(plan_first) << "the collision world was built before the plan was set";
  ASSERT_NE(window_.plan(), nullptr);
  ASSERT_TRUE(WaitFor([&] { return !window_.background_busy() && !window_.verifying(); }));
  window_.ShowStandardView(StandardView::kIso);
  window_.SetTime(0);  // as --screenshot --time 0 does once everything is built
  EXPECT_TRUE(window_.statusBar()->currentMessage().contains("R2 waits for Z1"))
      << window_.statusBar()->currentMessage().toStdString();
  StationView& view = *window_.station();
  ASSERT_EQ(view.zone_boxes().size(), 1u);
  const Eigen::AlignedBox3d box = view.zone_boxes().front();
  EXPECT_GT(box.volume(), 0.01);
  const QImage image = Capture(window_);
  image.save("/tmp/weldcell_viewer_test_zone_at_start.png");
  // Points along the box's twelve edges are drawn in the zone yellow.
  std::vector<Eigen::Vector3d> edge_points;
  for (int axis = 0; axis < 3; ++axis) {
    for (int corner = 0; corner < 4; ++corner) {
      Eigen::Vector3d p0 = box.min();
      const int a = (axis + 1) % 3, b = (axis + 2) % 3;
      if (corner & 1) p0[a] = box.max()[a];
      if (corner & 2) p0[b] = box.max()[b];
      for (double f : {0.3, 0.7}) {
        Eigen::Vector3d p = p0;
        p[axis] = box.min()[axis] + f * (box.max()[axis] - box.min()[axis]);
        edge_points.push_back(p);
      }
    }
  }
  const int yellow = CountMatches(window_, image, edge_points, HueOf(Palette::Zone(), 10));
  std::printf("zone Z1: %d of %zu edge points yellow\n", yellow, edge_points.size());
  EXPECT_GE(yellow, static_cast<int>(edge_points.size()) / 2);
}

// The collision world is handed over as soon as it is built, before the reach map (which took
// XL about a minute): jogging checks collisions meanwhile, and the status bar shows the reach
// map's progress.
TEST_F(ViewerTest, TheCollisionWorldIsUsedBeforeTheReachMapIsDone) {
  bool world_first = false, reach_pending = false, collided_meanwhile = false;
  std::string problem;
  QObject::connect(&window_, &MainWindow::worldBuilt, [&] {
    world_first = true;
    reach_pending = window_.reach_map() == nullptr && window_.background_busy();
    // Lean R1 forward (J2) until it touches the rail or a clamp, before the reach map is there.
    const cell::Robot& r1 = window_.cell()->robots[0];
    const double deg = 180.0 / 3.14159265358979323846;
    for (double j2 = r1.home[1] * deg; j2 < window_.station()->chain(0).upper()[1] * deg - 1;
         j2 += 2) {
      window_.JogJoint(0, 1, j2);
      if (!window_.jog_problem(0).empty()) break;
    }
    problem = window_.jog_problem(0);
    collided_meanwhile = window_.reach_map() == nullptr && problem.find("in collision: R1/") == 0;
  });
  bool finished = false;
  QString progress_shown;
  QObject::connect(&window_, &MainWindow::backgroundFinished, [&] { finished = true; });
  ASSERT_TRUE(OpenCellAndWait(window_, kDemo));
  ASSERT_TRUE(WaitFor([&] {
    if (const auto* label = window_.findChild<QLabel*>("background_label");
        label != nullptr && label->text().startsWith("reach: ")) {
      progress_shown = label->text();
    }
    return finished;
  }));
  EXPECT_TRUE(world_first);
  EXPECT_TRUE(reach_pending);
  EXPECT_TRUE(collided_meanwhile) << problem;
  EXPECT_TRUE(progress_shown.startsWith("reach: ")) << progress_shown.toStdString();
  EXPECT_NE(window_.reach_map(), nullptr);
  EXPECT_TRUE(window_.findChild<QLabel*>("background_label")->text().isEmpty());
}

// Opening a cell runs the station checks of `weldcell check` (verify::CheckHomes): two robots
// on one base are listed in the diagnostics with the cell's file and line, and drawn red.
TEST_F(ViewerTest, TwoRobotsOnOneBaseAreListedAsWeldcellCheckListsThemAndDrawnRed) {
  ASSERT_TRUE(OpenCellAndWait(window_, "tests/gui/cells/one_base/cell.yaml"));
  ASSERT_TRUE(WaitFor([&] { return !window_.background_busy(); }, 60000));
  EXPECT_EQ(window_.station_errors(), 1);
  ASSERT_FALSE(window_.diagnostics().empty());
  const std::string first = window_.diagnostics().front().ToString();
  EXPECT_NE(first.find("tests/gui/cells/one_base/cell.yaml:13:11: error: robots[0].home: R1's "
                       "home [0, -30, -35, 0, 100, 0] deg and R2's home"),
            std::string::npos)
      << first;
  window_.ShowStandardView(StandardView::kIso);
  const QImage image = Capture(window_);
  const auto red = HueOf(Palette::Collision(), 8);
  for (int r = 0; r < 2; ++r) {
    const std::vector<Eigen::Vector3d> centres = LinkCentres(*window_.station(), r);
    EXPECT_GE(CountMatches(window_, image, centres, red), 2) << "R" << r + 1;
    EXPECT_EQ(CountMatches(window_, image, centres, HueOf(Palette::Robot(r))), 0) << "R" << r + 1;
  }
  image.save("/tmp/weldcell_viewer_test_one_base.png");
  // The demo's homes are free: nothing listed, nobody red.
  ASSERT_TRUE(OpenCellAndWait(window_, kDemo));
  ASSERT_TRUE(WaitFor([&] { return !window_.background_busy(); }, 60000));
  EXPECT_EQ(window_.station_errors(), 0);
}

// Interlock zones are outlines: a robot inside three overlapping zone boxes
// (as on station M, where pale filled boxes covered the station) keeps its hue.
// On M four zone boxes covered almost the whole station: the part's grey must stay visible
// inside them (outlines only: even a faint fill, layered by overlapping boxes, tinted it yellow).
TEST_F(ViewerTest, ThePartStaysGreyInsideZoneBoxesCoveringTheStation) {
  OpenDemo();
  StationView& view = *window_.station();
  // The pixels of the part's grey without zones, and how many of them stay grey with them.
  const QImage before = Capture(window_);
  std::vector<QPoint> grey;
  for (int y = 0; y < before.height(); ++y) {
    for (int x = 0; x < before.width(); ++x) {
      if (IsBodyGrey(before.pixelColor(x, y))) grey.emplace_back(x, y);
    }
  }
  const Eigen::AlignedBox3d all = view.bounds();
  const Eigen::Vector3d m = 0.05 * all.sizes();
  view.ShowZoneBoxes({Eigen::AlignedBox3d(all.min() - m, all.max() + m),
                      Eigen::AlignedBox3d(all.min(), all.max()),
                      Eigen::AlignedBox3d(all.min() + m, all.max() + m),
                      Eigen::AlignedBox3d(all.min() - m, all.max() - m)});
  const QImage image = Capture(window_);
  image.save("/tmp/weldcell_viewer_test_zones_over_part.png");
  ASSERT_EQ(view.zone_boxes().size(), 4u);
  int still = 0;
  for (const QPoint& p : grey) still += IsBodyGrey(image.pixelColor(p));
  std::printf("the part's grey: %zu pixels without zones, %d of them grey inside four zone boxes\n",
              grey.size(), still);
  EXPECT_GT(grey.size(), 500u);
  // The outlines cross some of it (82 % stays grey; with the faint fill: none).
  EXPECT_GE(still, static_cast<int>(grey.size()) * 7 / 10);
  view.ShowZoneBoxes({});
}

TEST_F(ViewerTest, ARobotInsideInterlockZonesKeepsItsHue) {
  OpenDemo();
  StationView& view = *window_.station();
  for (int r = 0; r < 2; ++r) {
    const std::vector<Eigen::Vector3d> centres = LinkCentres(view, r);
    Eigen::AlignedBox3d box;
    for (const Eigen::Vector3d& c : centres) box.extend(c);
    const Eigen::Vector3d margin = Eigen::Vector3d::Constant(0.3);
    view.ShowZoneBoxes({Eigen::AlignedBox3d(box.min() - margin, box.max() + margin),
                        Eigen::AlignedBox3d(box.min() - 2 * margin, box.max() + 2 * margin),
                        Eigen::AlignedBox3d(box.min() - 3 * margin, box.max() + margin)});
    const QImage image = Capture(window_);
    image.save(QString("/tmp/weldcell_viewer_test_zones_%1.png").arg(r));
    const int own = CountMatches(window_, image, centres, HueOf(Palette::Robot(r)));
    std::printf("robot %d inside 3 zones: %d of %zu link centres in its colour\n", r, own,
                centres.size());
    EXPECT_GE(own, static_cast<int>(centres.size()) / 2) << "robot " << r;
  }
  view.ShowZoneBoxes({});
}

// Every robot of a 12-robot station (XL) has its own colour, clearly apart from the others and
// from the waiting yellow and the collision red.
TEST(ViewerPalette, TwelveRobotsGetTwelveDistinctColours) {
  auto distance = [](const QColor& a, const QColor& b) {
    return std::hypot(a.red() - b.red(), a.green() - b.green(), a.blue() - b.blue());
  };
  for (int i = 0; i < 12; ++i) {
    const QColor ci = Palette::Robot(i);
    EXPECT_GT(distance(ci, Palette::Waiting()), 80) << i;
    EXPECT_GT(distance(ci, Palette::Collision()), 80) << i;
    for (int j = 0; j < i; ++j) {
      EXPECT_GT(distance(ci, Palette::Robot(j)), 60)
          << "R" << i + 1 << " " << qPrintable(ci.name()) << " vs R" << j + 1 << " "
          << qPrintable(Palette::Robot(j).name());
    }
  }
  EXPECT_NE(Palette::Robot(12), Palette::Robot(0));
}

// A station over 500 m across (a floor plate in mm read as m) is drawn (the far plane follows
// the scene; it was fixed at 500 m and the view was empty), with a warning in Diagnostics.
TEST_F(ViewerTest, AHugeStationIsDrawnAndWarnedAbout) {
  const QString cell =
      SmallCellEdited("small_huge.yaml", {{"obstacles:\n",
                                           "obstacles:\n  - {name: floor, box: [900000, 900000, "
                                           "2000], pose: {xyz: [0, 0, -1000]}}\n"}});
  ASSERT_TRUE(OpenCellAndWait(window_, cell));
  window_.ShowStandardView(StandardView::kIso);
  const QImage image = Capture(window_);
  image.save("/tmp/weldcell_viewer_test_huge.png");
  // The floor (fixture grey or body grey, not the background) covers much of the view.
  int drawn = 0, samples = 0;
  for (int y = 0; y < image.height(); y += 8) {
    for (int x = 0; x < image.width(); x += 8) {
      const QColor c = image.pixelColor(x, y);
      ++samples;
      drawn += c.hsvSaturationF() < 0.15 && c.value() < 200;
    }
  }
  std::printf("huge station: %d of %d samples drawn grey\n", drawn, samples);
  EXPECT_GT(drawn, samples / 10);
  QStringList texts;
  for (int i = 0; i < window_.diagnostics_list()->count(); ++i) {
    texts << window_.diagnostics_list()->item(i)->text();
  }
  EXPECT_TRUE(texts.join("\n").contains(
      "warning: the station is 900 m across, implausible for a welding cell: a mesh without "
      "`scale: 0.001` (mm read as m)?"))
      << qPrintable(texts.join("\n"));
  QFile::remove(cell);
}

// Robot names are shown as text: in the legend HTML is escaped; in the Gantt chart a long
// name is elided with "…".
TEST_F(ViewerTest, RobotNamesAreEscapedInTheLegendAndElidedInTheGantt) {
  const QString cell =
      SmallCellEdited("small_names.yaml",
                      {{"name: R1", "name: <b>R1</b>"}, {"name: R2", "name: R2_with_a_long_name"}});
  ASSERT_TRUE(OpenCellAndWait(window_, cell));
  const QLabel* legend = nullptr;
  for (const QLabel* label : window_.findChildren<QLabel*>()) {
    if (label->text().contains("<b>Robots</b>")) legend = label;
  }
  ASSERT_NE(legend, nullptr);
  EXPECT_TRUE(legend->text().contains("&lt;b&gt;R1&lt;/b&gt;")) << qPrintable(legend->text());
  plan::Plan plan;
  plan.robots = {{.robot = "<b>R1</b>"}, {.robot = "R2_with_a_long_name"}};
  GanttWidget gantt;
  gantt.resize(600, 100);
  gantt.SetPlan(&plan, 10, {Palette::Robot(0), Palette::Robot(1)});
  const QString label = gantt.RobotLabel(1);
  EXPECT_TRUE(label.endsWith(QChar(0x2026))) << qPrintable(label);
  EXPECT_LT(label.size(), QString("R2_with_a_long_name").size());
  QFile::remove(cell);
}

// A folder given as the plan says it is a directory (not "not valid JSON").
// --- issue 14: a new user's trial ---------------------------------------------------------

// One robot: a move 0-1 s, then a weld 1 s-`end` (a hand-edited time).
plan::Plan OneLongSegment(double end) {
  plan::Plan plan;
  plan::RobotPlan r{.robot = "R1"};
  const Eigen::VectorXd q = Eigen::VectorXd::Zero(2);
  r.segments.push_back({.kind = plan::SegmentKind::kMotion, .times = {0, 1}, .q = {q, q}});
  r.segments.push_back({.kind = plan::SegmentKind::kWeld, .times = {1, end}, .q = {q, q}});
  plan.robots = {r};
  return plan;
}

// A time of 1e9 s (or 1e300 s) in a plan: the chart is drawn with at most ten labels at a
// 1-2-5 × 10^k step (a fixed 20 s step drew 5e7 labels, and never ended at 1e300 s where
// t += 20 no longer changes t).
TEST(ViewerGantt, AbsurdButFiniteTimesAreDrawnWithAFewNiceTicks) {
  for (const double end : {21.35, 1e6, 1e9, 1e300, std::numeric_limits<double>::max()}) {
    const plan::Plan plan = OneLongSegment(end);
    GanttWidget gantt;
    gantt.resize(600, 100);
    gantt.SetPlan(&plan, 45, {Palette::Robot(0)});
    const QImage image = gantt.grab().toImage();  // paints: returns at all
    ASSERT_FALSE(image.isNull());
    const std::vector<double> ticks = gantt.AxisTickTimes();
    ASSERT_GE(ticks.size(), 2u) << end;
    EXPECT_LE(ticks.size(), 11u) << end;
    // Labels do not overlap: the ticks are further apart than a label is wide.
    const QString widest = QString::fromStdString(FormatSeconds(ticks.back(), 0));
    EXPECT_GT(gantt.XAt(ticks[1]) - gantt.XAt(ticks[0]),
              gantt.fontMetrics().horizontalAdvance(widest))
        << end;
  }
}

// A cycle time far beyond the plan (3600 s for a 21 s plan): the chart shows the plan across
// its width and a marker names the cycle time, instead of a sliver at the left of a 3600 s axis
// under a smear of labels. A cycle time near the makespan is still drawn as its line.
TEST(ViewerGantt, ACycleTimeFarBeyondThePlanIsAMarkerNotASliver) {
  const plan::Plan plan = OneLongSegment(21.35);
  GanttWidget gantt;
  gantt.resize(600, 100);
  gantt.SetPlan(&plan, 3600, {Palette::Robot(0)});
  EXPECT_LT(gantt.Span(), 25.0);
  EXPECT_EQ(gantt.CycleTimeMarker(), QString("cycle time 3600 s →"));
  const QImage image = gantt.grab().toImage();
  // The weld bar reaches past 3/4 of the chart's width.
  const QColor at =
      image.pixelColor(static_cast<int>(gantt.XAt(0.8 * 21.35)), static_cast<int>(gantt.RowY(0)));
  EXPECT_NE(at, QColor(250, 250, 250)) << qPrintable(at.name());
  EXPECT_GT(gantt.XAt(21.35), 0.8 * gantt.width());
  // Some red text (the marker) at the right end of the axis.
  int red = 0;
  for (int y = static_cast<int>(gantt.RowY(0)); y < image.height(); ++y) {
    for (int x = image.width() * 2 / 3; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      red += c.red() > 150 && c.green() < 100 && c.blue() < 100;
    }
  }
  EXPECT_GT(red, 10);
  gantt.SetPlan(&plan, 45, {Palette::Robot(0)});
  EXPECT_TRUE(gantt.CycleTimeMarker().isEmpty());
  EXPECT_GT(gantt.Span(), 45.0);
}

// A plan (of the right cell) with one time hand-edited to 1e9 s or 1e300 s: the viewer draws
// it and reports the violations with exit 1, as `weldcell verify`, instead of hanging.
TEST(ViewerBinary, APlanWithAnAbsurdTimeIsDrawnAndFailsVerification) {
  const QString shot = ScratchFile("absurd.png");
  for (const double t : {1e9, 1e300}) {
    plan::Plan p = SmallPlanned();
    std::vector<double>& times = p.robots.at(0).segments.at(2).times;
    times.back() = t;
    const std::filesystem::path path = ScratchPath("absurd_time.json");
    std::ofstream(path, std::ios::binary) << plan::ToJson(p);
    const ViewerRun run = RunViewer({kSmall, QString::fromStdString(path.string()), "--tab",
                                     "timeline", "--screenshot", shot, "--size", "640x480"});
    EXPECT_EQ(run.exit_code, 1) << t << "\n" << run.err;
    EXPECT_NE(run.err.find("plan FAILS verification: "), std::string::npos) << run.err;
    EXPECT_EQ(PngSize(shot), QSize(640, 480));
    std::filesystem::remove(path);
  }
  QFile::remove(shot);
}

// --time at the end as the time label writes it (21.35 for 21.3476 s) is the end, not past it.
TEST(ViewerBinary, TheEndAsTheTimeLabelWritesItIsNotPastTheEnd) {
  const QString shot = ScratchFile("end.png");
  const QString plan = SmallPlan(false);
  const double end = PlanDuration(SmallPlanned());
  const std::string shown = FormatSeconds(end);
  ASSERT_NE(std::stod(shown), end);  // the label rounds it
  const ViewerRun at_end = RunViewer({kSmall, plan, "--time", QString::fromStdString(shown),
                                      "--screenshot", shot, "--size", "640x480"});
  EXPECT_EQ(at_end.exit_code, 0) << at_end.err;
  EXPECT_EQ(at_end.err.find("warning: --time"), std::string::npos) << at_end.err;
  const ViewerRun past = RunViewer({kSmall, plan, "--time", QString::number(end + 0.02, 'f', 2),
                                    "--screenshot", shot, "--size", "640x480"});
  EXPECT_EQ(past.exit_code, 0) << past.err;
  EXPECT_NE(past.err.find("is past the end of the plan: showing its end, " + shown + " s"),
            std::string::npos)
      << past.err;
  QFile::remove(shot);
}

// An unknown --select-weld (ids are case-sensitive) is named as such, with the cell's first
// ids, not reported as a plan that could not be opened.
TEST(ViewerBinary, AnUnknownSelectWeldNamesTheOptionAndListsIds) {
  const QString shot = ScratchFile("select.png");
  const ViewerRun run = RunViewer({kSmall, SmallPlan(false), "--select-weld", "w03", "--screenshot",
                                   shot, "--size", "640x480"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("weldcell-viewer: error: --select-weld: the cell has no weld w03 (ids "
                         "are case-sensitive; did you mean W03?; its 6 weld(s): W03, "),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("no picture written (--select-weld names no weld of the cell)"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("the plan could not be opened"), std::string::npos) << run.err;
  EXPECT_FALSE(QFile::exists(shot));
}

// Without --size the window fits the screen's available area (the tests' Xvfb screen is
// 1280x800; the window was 1400x860).
TEST(ViewerBinary, TheInitialWindowFitsTheScreen) {
  const QScreen* screen = QGuiApplication::primaryScreen();
  ASSERT_NE(screen, nullptr);
  const QSize available = screen->availableGeometry().size();
  ASSERT_LT(available.width(), 1400) << "the test needs a screen narrower than 1400 px";
  const QString shot = ScratchFile("fit.png");
  const ViewerRun run = RunViewer({kDemo, "--screenshot", shot});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const QSize size = PngSize(shot);
  EXPECT_LE(size.width(), available.width());
  EXPECT_LE(size.height(), available.height());
  EXPECT_GE(size.width(), 640);
  QFile::remove(shot);
}

// Opening a cell that does not load, after a station and its plan: nothing of the old station
// is left (the legend listed R1 and R2, the jog panel showed sliders that moved nothing).
TEST_F(ViewerTest, OpeningAMalformedCellClearsEverythingOfTheOldStation) {
  ASSERT_TRUE(OpenCellAndWait(window_, kSmall));
  ASSERT_TRUE(OpenPlanAndWait(window_, SmallPlan(false)));
  const auto* legend = window_.findChild<QLabel*>("legend");
  const auto* jog_robot = window_.findChild<QComboBox*>("jog_robot");
  ASSERT_NE(legend, nullptr);
  ASSERT_NE(jog_robot, nullptr);
  ASSERT_TRUE(legend->text().contains("R1"));
  ASSERT_EQ(jog_robot->count(), 2);
  ASSERT_GT(window_.jog_text().count('\n'), 0);
  EXPECT_FALSE(OpenCellAndWait(window_, "tests/gui/malformed/cell.yaml"));
  EXPECT_FALSE(legend->text().contains("R1")) << qPrintable(legend->text());
  EXPECT_FALSE(legend->text().contains("R2")) << qPrintable(legend->text());
  EXPECT_EQ(jog_robot->count(), 0);
  EXPECT_EQ(window_.jog_text().count('\n'), 0) << qPrintable(window_.jog_text());
  EXPECT_EQ(window_.plan(), nullptr);
  EXPECT_EQ(window_.station(), nullptr);
  EXPECT_TRUE(window_.gantt()->AxisTickTimes().size() <= 11u);
  EXPECT_EQ(window_.windowTitle(), QString("weldcell viewer"));
}

// A failed export names the folder it wrote into (not "<input>"); its message goes with the
// next export, so that the pane does not list an old failure beside a success.
TEST_F(ViewerTest, AFailedExportNamesItsFolderAndGoesWithTheNextExport) {
  ASSERT_TRUE(OpenCellAndWait(window_, kSmall));
  int verified = -2;
  QObject::connect(&window_, &MainWindow::planVerified, [&](int v) { verified = v; });
  ASSERT_TRUE(OpenPlanAndWait(window_, SmallPlan(false)));
  ASSERT_TRUE(WaitFor([&] { return verified != -2; }));
  bool exported = false, ok = false;
  QObject::connect(&window_, &MainWindow::exportFinished, [&](bool success, const QString&) {
    exported = true;
    ok = success;
  });
  const QString bad = "/proc/sys/weldcell_viewer_export";
  window_.ExportPrograms(bad);
  ASSERT_TRUE(WaitFor([&] { return exported; }, 120000));
  EXPECT_FALSE(ok);
  auto all = [&] {
    QStringList texts;
    for (int i = 0; i < window_.diagnostics_list()->count(); ++i) {
      texts << window_.diagnostics_list()->item(i)->text();
    }
    return texts.join("\n");
  };
  EXPECT_TRUE(all().contains(bad + ": error: export: ")) << qPrintable(all());
  EXPECT_FALSE(all().contains("<input>")) << qPrintable(all());
  const std::filesystem::path dir = ScratchPath("viewer_export2");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  exported = false;
  window_.ExportPrograms(QString::fromStdString(dir.string()));
  ASSERT_TRUE(WaitFor([&] { return exported; }, 120000));
  EXPECT_TRUE(ok);
  EXPECT_FALSE(all().contains(bad)) << qPrintable(all());
  EXPECT_EQ(window_.diagnostics().size(),
            static_cast<std::size_t>(window_.diagnostics_list()->count()));
  std::filesystem::remove_all(dir);
}

// At the smallest --size (640x480) every pane shows its controls: dock titles above their
// contents, nothing of zero size, the docks apart, the time slider usable, the weld list
// visible in the Inspector (it was squeezed to nothing).
TEST(ViewerSmallWindow, AtTheMinimumSizeEveryPaneShowsItsControls) {
  MainWindow window;
  window.resize(640, 480);
  window.show();
  ASSERT_TRUE(WaitFor([&] { return window.isVisible() && window.size() == QSize(640, 480); }));
  ASSERT_TRUE(OpenCellAndWait(window, kSmall));
  ASSERT_TRUE(OpenPlanAndWait(window, SmallPlan(false)));
  window.ShowPane("timeline");
  QApplication::processEvents();
  std::vector<std::pair<QString, QRect>> docks;
  for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
    if (!dock->isVisible() || dock->visibleRegion().isEmpty()) continue;
    const QRect rect(dock->mapTo(&window, QPoint(0, 0)), dock->size());
    const QRect contents(dock->widget()->mapTo(&window, QPoint(0, 0)), dock->widget()->size());
    const std::string name = dock->objectName().toStdString();
    EXPECT_GE(contents.height(), dock->fontMetrics().height() * 2) << name;
    EXPECT_GE(contents.width(), 60) << name;
    // The title (a line of text at the top) lies above the contents.
    EXPECT_GE(contents.top() - rect.top(), dock->fontMetrics().height()) << name;
    for (const auto& [other, other_rect] : docks) {
      EXPECT_FALSE(rect.intersects(other_rect)) << name << " overlaps " << other.toStdString();
    }
    docks.emplace_back(dock->objectName(), rect);
  }
  EXPECT_GE(docks.size(), 4u);
  const auto* slider = window.findChild<QSlider*>();
  ASSERT_NE(slider, nullptr);
  for (QSlider* s : window.findChildren<QSlider*>()) {
    if (s->maximum() == 1000) slider = s;  // the time slider
  }
  EXPECT_GE(slider->width(), 80);
  EXPECT_FALSE(slider->visibleRegion().isEmpty());
  QDockWidget* inspector = window.findChild<QDockWidget*>("inspector_dock");
  ASSERT_NE(inspector, nullptr);
  const auto* weld_list = inspector->findChild<QTreeWidget*>();
  ASSERT_NE(weld_list, nullptr);
  // At least three of its rows on screen.
  EXPECT_GE(weld_list->visibleRegion().boundingRect().height(),
            weld_list->fontMetrics().height() * 3);
  EXPECT_FALSE(window.gantt()->visibleRegion().isEmpty());
  window.grab().save("/tmp/weldcell_viewer_test_minimum.png");
}

// The scene tree's layer labels fit the pane at the default size ("Interlock zones (of
// waiti…" was cut); a label cut anyway is whole in its tooltip.
TEST_F(ViewerTest, SceneTreeLabelsFitTheDefaultWidth) {
  OpenDemo();
  QApplication::processEvents();
  QTreeWidget* tree = nullptr;
  for (QTreeWidget* t : window_.findChildren<QTreeWidget*>()) {
    if (t->headerItem()->text(0) == "Scene") tree = t;
  }
  ASSERT_NE(tree, nullptr);
  int layers = 0;
  const int indicator = tree->style()->pixelMetric(QStyle::PM_IndicatorWidth) + 8;
  for (QTreeWidgetItemIterator it(tree); *it; ++it) {
    QTreeWidgetItem* item = *it;
    EXPECT_FALSE(item->toolTip(0).isEmpty()) << item->text(0).toStdString();
    if (item->parent() == nullptr || item->parent()->text(0) != "Layers") continue;
    ++layers;
    const QRect rect = tree->visualItemRect(item);
    EXPECT_LE(rect.left() + indicator + tree->fontMetrics().horizontalAdvance(item->text(0)),
              tree->viewport()->width())
        << item->text(0).toStdString();
  }
  EXPECT_EQ(layers, 4);
}

TEST(ViewerBinary, AFolderGivenAsThePlanSaysItIsADirectory) {
  const std::filesystem::path folder = ScratchPath("plan_dir");
  std::filesystem::create_directories(folder);
  const ViewerRun run = RunViewer({kSmall, QString::fromStdString(folder.string()), "--screenshot",
                                   "/tmp/unused.png", "--size", "640x480"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(folder.string() + ": error: is a directory, expected a plan.json file"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("not valid JSON"), std::string::npos) << run.err;
  std::filesystem::remove_all(folder);
}

// At the whole-station view (the default fit of a 1280 px window) a weld marker is a readable
// dot, not 2-3 pixels: its radius is several pixels on screen, and each weld covers dozens.
TEST_F(ViewerTest, WeldMarkersAreReadableAtTheWholeStationView) {
  OpenDemo();
  ASSERT_TRUE(WaitFor([&] { return !window_.background_busy(); }));
  StationView& view = *window_.station();
  const cell::Cell& c = *window_.cell();
  // A colour no other part of the demo has (robot 3's purple), for every weld.
  const QColor mark = Palette::Robot(2);
  for (std::size_t i = 0; i < c.welds.size(); ++i) view.SetWeldColor(static_cast<int>(i), mark);
  const QImage image = Capture(window_);
  image.save("/tmp/weldcell_viewer_test_markers.png");
  const CameraPose camera = window_.scene()->camera();
  const Eigen::Vector3d right =
      (camera.center - camera.eye).cross(camera.up).normalized() * view.weld_marker_radius();
  std::vector<double> radii;
  std::vector<int> footprints;
  for (const cell::Weld& w : c.welds) {
    const QPointF at = *window_.scene()->Project(w.p_W);
    const QPointF side = *window_.scene()->Project(w.p_W + right);
    radii.push_back(std::hypot(side.x() - at.x(), side.y() - at.y()));
    int pixels = 0;
    for (int dy = -10; dy <= 10; ++dy) {
      for (int dx = -10; dx <= 10; ++dx) {
        const int x = static_cast<int>(at.x()) + dx, y = static_cast<int>(at.y()) + dy;
        if (x >= 0 && y >= 0 && x < image.width() && y < image.height()) {
          pixels += HueOf(mark)(image.pixelColor(x, y));
        }
      }
    }
    footprints.push_back(pixels);
  }
  std::sort(radii.begin(), radii.end());
  std::sort(footprints.begin(), footprints.end());
  const double radius = radii[radii.size() / 2];
  const int footprint = footprints[footprints.size() / 2];
  std::printf(
      "marker radius %.1f mm: %.1f px on screen (median), %d px of each weld's colour "
      "within 10 px of it (median; max %d)\n",
      1000 * view.weld_marker_radius(), radius, footprint, footprints.back());
  EXPECT_GE(radius, 3.5);
  EXPECT_GE(footprint, 30);
}

// Below about 700 px the 3D view (a native window) used to be squeezed over the Inspector:
// now at 640x480 the window has that size, the panes shrink (their contents scroll) and no
// visible pane overlaps the view.
TEST_F(ViewerTest, ASmallWindowKeepsTheViewAndThePanelsApart) {
  OpenDemo();
  window_.resize(640, 480);
  ASSERT_TRUE(WaitFor([&] { return window_.size() == QSize(640, 480); }, 5000))
      << window_.width() << "x" << window_.height();
  QApplication::processEvents();
  const QWidget* view = window_.scene()->widget();
  const QRect view_rect(view->mapTo(&window_, QPoint(0, 0)), view->size());
  EXPECT_GE(view_rect.width(), 120);
  EXPECT_GE(view_rect.height(), 90);
  EXPECT_TRUE(QRect(QPoint(0, 0), window_.size()).contains(view_rect));
  int panes = 0;
  for (QDockWidget* dock : window_.findChildren<QDockWidget*>()) {
    if (!dock->isVisible() || dock->visibleRegion().isEmpty()) continue;
    ++panes;
    const QRect dock_rect(dock->mapTo(&window_, QPoint(0, 0)), dock->size());
    EXPECT_FALSE(dock_rect.intersects(view_rect))
        << dock->objectName().toStdString() << " at " << dock_rect.x() << "," << dock_rect.y()
        << " " << dock_rect.width() << "x" << dock_rect.height() << " overlaps the view at "
        << view_rect.x() << "," << view_rect.y() << " " << view_rect.width() << "x"
        << view_rect.height();
    if (dock->objectName() == "inspector_dock") {
      EXPECT_GE(dock_rect.width(), 100);
    }
  }
  EXPECT_GE(panes, 4);  // scene, legend, inspector, timeline
}

// A plan whose cell hash matches but that was edited by hand is re-checked by the independent
// verifier in a worker: its violations are in the diagnostics pane; the planned one passes.
// At 640x480 every toolbar control is on screen ("Welds by" went into the toolbar's overflow
// menu) and the Inspector's contents fit its width (the jog pane's convention note and pendant
// values were cut at the right).
TEST(ViewerSmallWindow, AtSixFortyByFourEightyEveryControlAndTheJogTextsAreShownWhole) {
  // Opened at that size (as --size 640x480 does): the panes take their shares of it.
  MainWindow window_;
  window_.resize(640, 480);
  window_.show();
  ASSERT_TRUE(WaitFor([&] { return window_.isVisible() && window_.size() == QSize(640, 480); }));
  ASSERT_TRUE(OpenCellAndWait(window_, kDemo));
  window_.JogJoint(0, 2, -30.0);  // R1 (FANUC): J3 shows a pendant value
  ASSERT_TRUE(WaitFor([&] { return !window_.background_busy(); }));
  QApplication::processEvents();
  const QRect window_rect(QPoint(0, 0), window_.size());
  int controls = 0;
  for (QToolBar* bar : window_.findChildren<QToolBar*>()) {
    for (QAction* action : bar->actions()) {
      if (action->isSeparator()) continue;
      QWidget* widget = bar->widgetForAction(action);
      ASSERT_NE(widget, nullptr);
      const QRect rect(widget->mapTo(&window_, QPoint(0, 0)), widget->size());
      EXPECT_TRUE(widget->isVisible() && window_rect.contains(rect))
          << bar->objectName().toStdString() << ": " << action->text().toStdString() << " at "
          << rect.x() << "," << rect.y() << " " << rect.width() << "x" << rect.height();
      ++controls;
    }
  }
  EXPECT_GE(controls, 11);  // 4 file actions, 5 views, "Welds by" and its box
  // The Inspector scrolls up and down but never sideways: its texts wrap within its width.
  QDockWidget* inspector = window_.findChild<QDockWidget*>("inspector_dock");
  ASSERT_NE(inspector, nullptr);
  auto* area = qobject_cast<QScrollArea*>(inspector->widget());
  ASSERT_NE(area, nullptr);
  EXPECT_EQ(area->horizontalScrollBar()->maximum(), 0)
      << "contents " << area->widget()->minimumSizeHint().width() << " px wide in a "
      << area->viewport()->width() << " px pane";
  int labels = 0;
  for (QLabel* label : area->widget()->findChildren<QLabel*>()) {
    if (!label->isVisible() || label->text().isEmpty()) continue;
    ++labels;
    const QRect rect(label->mapTo(area->viewport(), QPoint(0, 0)), label->size());
    EXPECT_LE(rect.right(), area->viewport()->width()) << label->text().toStdString();
    // Wrapped or not, the whole text fits the label.
    const int needed =
        label->wordWrap() ? label->heightForWidth(label->width()) : label->sizeHint().height();
    EXPECT_GE(label->height(), needed) << label->text().toStdString();
    if (!label->wordWrap()) {
      EXPECT_GE(label->width(), label->sizeHint().width()) << label->text().toStdString();
    }
  }
  EXPECT_GE(labels, 8);  // "Jog", the convention note, six joint values
  Capture(window_);
  window_.grab().save("/tmp/weldcell_viewer_test_640x480.png");
}

TEST_F(ViewerTest, AnOpenedPlanIsVerifiedAndAHandEditedOneFailsInTheDiagnostics) {
  ASSERT_TRUE(OpenCellAndWait(window_, kSmall));
  int verified = -2;
  QObject::connect(&window_, &MainWindow::planVerified,
                   [&](int violations) { verified = violations; });
  ASSERT_TRUE(OpenPlanAndWait(window_, SmallPlan(/*tamper=*/false)));
  ASSERT_TRUE(WaitFor([&] { return verified != -2; }));
  EXPECT_EQ(verified, 0);
  EXPECT_EQ(window_.plan_violations(), 0);
  EXPECT_EQ(window_.diagnostics_list()->count(), 0);
  verified = -2;
  const QString tampered = SmallPlan(/*tamper=*/true);
  ASSERT_TRUE(OpenPlanAndWait(window_, tampered));  // shown, to inspect it
  EXPECT_TRUE(window_.verifying());
  ASSERT_TRUE(WaitFor([&] { return verified != -2; }));
  EXPECT_FALSE(window_.verifying());
  EXPECT_GT(verified, 0);
  EXPECT_EQ(window_.plan_violations(), verified);
  QStringList texts;
  for (int i = 0; i < window_.diagnostics_list()->count(); ++i) {
    texts << window_.diagnostics_list()->item(i)->text();
  }
  const QString all = texts.join("\n");
  EXPECT_TRUE(all.contains(tampered + ": error: verify: the plan fails independent verification"))
      << qPrintable(all);
  EXPECT_TRUE(all.contains("R1")) << qPrintable(all);
}

// The verification verdict stays visible (a permanent status-bar label) while the timeline's
// messages ("t = ...", who waits) replace each other.
// A plan that fails verification brings the Diagnostics pane to the front; ShowPane (--tab)
// brings the timeline back for the picture.
TEST_F(ViewerTest, ShowPaneBringsTheTimelineBackInFrontOfTheDiagnostics) {
  ASSERT_TRUE(OpenCellAndWait(window_, kSmall));
  ASSERT_TRUE(OpenPlanAndWait(window_, SmallPlan(true)));
  ASSERT_TRUE(WaitFor([&] { return !window_.verifying() && !window_.background_busy(); }, 60000));
  ASSERT_GT(window_.plan_violations(), 0);
  auto* timeline = window_.findChild<QDockWidget*>("timeline_dock");
  auto* diagnostics = window_.findChild<QDockWidget*>("diagnostics_dock");
  ASSERT_NE(timeline, nullptr);
  ASSERT_NE(diagnostics, nullptr);
  QApplication::processEvents();
  EXPECT_FALSE(diagnostics->visibleRegion().isEmpty());
  EXPECT_TRUE(timeline->visibleRegion().isEmpty());
  EXPECT_TRUE(window_.ShowPane("timeline"));
  QApplication::processEvents();
  EXPECT_FALSE(timeline->visibleRegion().isEmpty());
  EXPECT_TRUE(diagnostics->visibleRegion().isEmpty());
  EXPECT_FALSE(window_.ShowPane("gantt"));
}

TEST_F(ViewerTest, TheVerdictStaysOnTheStatusBarWhileTheTimeChanges) {
  ASSERT_TRUE(OpenCellAndWait(window_, kSmall));
  int verified = -2;
  QObject::connect(&window_, &MainWindow::planVerified,
                   [&](int violations) { verified = violations; });
  ASSERT_TRUE(OpenPlanAndWait(window_, SmallPlan(/*tamper=*/false)));
  ASSERT_TRUE(WaitFor([&] { return verified != -2; }));
  const auto* verdict = window_.statusBar()->findChild<QLabel*>("verdict_label");
  ASSERT_NE(verdict, nullptr);
  window_.SetTime(1.0);
  EXPECT_TRUE(window_.statusBar()->currentMessage().startsWith("t = 1.00 s") ||
              window_.statusBar()->currentMessage().contains("waits"))
      << qPrintable(window_.statusBar()->currentMessage());
  EXPECT_TRUE(verdict->isVisible());
  EXPECT_EQ(verdict->text(), "plan verified");
  verified = -2;
  ASSERT_TRUE(OpenPlanAndWait(window_, SmallPlan(/*tamper=*/true)));
  ASSERT_TRUE(WaitFor([&] { return verified != -2; }));
  window_.SetTime(2.0);
  EXPECT_TRUE(verdict->text().startsWith("plan FAILS verification: "))
      << qPrintable(verdict->text());
}

TEST(ViewerBinary, ScreenshotOptionWritesOneFrameAndExits) {
  const QString file = "/tmp/weldcell_viewer_test_screenshot.png";
  QFile::remove(file);
  QProcess viewer;
  viewer.start(WELDCELL_VIEWER, {kDemo, "--screenshot", file, "--view-only", "--size", "800x600"});
  ASSERT_TRUE(viewer.waitForFinished(120000));
  EXPECT_EQ(viewer.exitCode(), 0) << viewer.readAllStandardError().toStdString();
  QImage image(file);
  ASSERT_FALSE(image.isNull());
  // The robots are there: R1's orange covers a visible part of the frame.
  int orange = 0;
  for (int y = 0; y < image.height(); y += 2) {
    for (int x = 0; x < image.width(); x += 2)
      orange += HueOf(Palette::Robot(0))(image.pixelColor(x, y));
  }
  EXPECT_GT(orange, 200);
}

// --size is the picture's size, whole window or 3D view alone, also below the size the panes
// would like (they shrink).
TEST(ViewerBinary, ScreenshotHasTheSizeAskedFor) {
  const QString file = ScratchFile("size.png");
  for (const QStringList& extra : {QStringList{}, QStringList{"--view-only"}}) {
    QFile::remove(file);
    QProcess viewer;
    viewer.start(WELDCELL_VIEWER,
                 QStringList{kDemo, "--screenshot", file, "--size", "720x480"} + extra);
    ASSERT_TRUE(viewer.waitForFinished(120000));
    EXPECT_EQ(viewer.exitCode(), 0) << viewer.readAllStandardError().toStdString();
    EXPECT_EQ(PngSize(file), QSize(720, 480)) << extra.join(' ').toStdString();
  }
  QFile::remove(file);
}

// A plan of another cell: the screenshot run says why and exits 2, as `weldcell export` does.
TEST(ViewerBinary, APlanOfAnotherCellIsAnErrorWithExitTwo) {
  const QString plan = WritePlan("other_plan_cli.json", "S", "59b92715c4a285c2");
  QProcess viewer;
  viewer.start(WELDCELL_VIEWER,
               {kDemo, plan, "--screenshot", "/tmp/unused.png", "--size", "640x480"});
  ASSERT_TRUE(viewer.waitForFinished(120000));
  EXPECT_EQ(viewer.exitCode(), 2);
  const std::string err = viewer.readAllStandardError().toStdString();
  EXPECT_NE(err.find("the plan is of cell S (hash 59b92715c4a285c2), not of demo"),
            std::string::npos)
      << err;
  std::filesystem::remove(plan.toStdString());
}

TEST(ViewerBinary, BadOptionValuesAreUsageErrorsWithExitTwo) {
  const std::vector<std::pair<QStringList, std::string>> cases = {
      {{"--time", "abc"}, "--time"},
      {{"--time", "-1"}, "--time"},
      {{"--view", "diag"}, "--view"},
      {{"--size", "0x0"}, "--size"},
      {{"--size", "100x100"}, "--size: expected WxH, 640..10000 by 480..10000 pixels"},
      // Below 640x480 dock titles overlapped their contents and the weld list was hidden.
      {{"--size", "500x400"}, "--size: expected WxH, 640..10000 by 480..10000 pixels"},
      {{"--welds", "robot"}, "--welds robot needs a plan"},
      {{"--size", "99x99", "--view-only"}, "--size: expected WxH, 100..10000 by 100..10000"},
      {{"--time", " 5"}, "--time: expected seconds >= 0, got ' 5'"},
      {{"--tab", "gantt"}, "--tab: expected timeline or diagnostics"},
      // The Inspector is always shown: the value changed nothing.
      {{"--tab", "inspector"},
       "--tab: expected timeline or diagnostics (the bottom panes; the "
       "Inspector is always shown), got 'inspector'"},
      {{"--welds", "colour"}, "--welds"},
      {{"--bench-frames", "x"}, "--bench-frames"},
      {{"--bench-frames", "2"}, "--bench-frames: expected a number of frames >= 4"},
      {{"--select-weld", "W99"}, "no weld W99"},
      {{"--bogus"}, "Unknown option 'bogus'"},
      {{"cells/S/cell.yaml", "cells/M/cell.yaml"}, "at most a cell and a plan"}};
  for (const auto& [extra, expected] : cases) {
    QProcess viewer;
    viewer.start(WELDCELL_VIEWER, QStringList{kDemo, "--screenshot", "/tmp/unused.png"} + extra);
    ASSERT_TRUE(viewer.waitForFinished(60000));
    EXPECT_EQ(viewer.exitCode(), 2) << extra.join(' ').toStdString();
    const std::string err = viewer.readAllStandardError().toStdString();
    EXPECT_NE(err.find(expected), std::string::npos) << err;
  }
}

// Options that mean nothing together, and files in the wrong order, are usage errors that say
// so (exit 2), instead of being ignored or reported as something else.
TEST(ViewerBinary, MeaninglessOptionsAndSwappedFilesAreUsageErrors) {
  const std::vector<std::pair<QStringList, std::string>> cases = {
      {{kDemo, "--time", "5", "--screenshot", "/tmp/unused.png"}, "--time needs a plan"},
      {{kDemo, "--view-only", "--size", "640x480"}, "--view-only only applies to --screenshot"},
      {{kDemo, "--screenshot", "/tmp/unused.png", "--bench-frames", "5"},
       "--bench-frames and --screenshot exclude each other"},
      {{"out/plan.json", kDemo, "--screenshot", "/tmp/unused.png"},
       "the cell comes first, then its plan: got the plan out/plan.json before the cell "
       "cells/demo/cell.yaml"},
      {{"out/plan.json", "--screenshot", "/tmp/unused.png"},
       "expected a cell YAML first, got the plan out/plan.json"},
      {{kDemo, "cells/S/cell.yaml", "--screenshot", "/tmp/unused.png"},
       "expected a plan.json after the cell, got the YAML cells/S/cell.yaml"},
      {{"--screenshot", "/tmp/weldcell_viewer_test_no_cell.png"}, "--screenshot needs a cell"}};
  QFile::remove("/tmp/weldcell_viewer_test_no_cell.png");
  for (const auto& [args, expected] : cases) {
    const ViewerRun run = RunViewer(args);
    EXPECT_EQ(run.exit_code, 2) << args.join(' ').toStdString();
    EXPECT_NE(run.err.find("weldcell-viewer: error: " + expected), std::string::npos) << run.err;
  }
  EXPECT_FALSE(QFile::exists("/tmp/weldcell_viewer_test_no_cell.png"));  // nothing drawn
}

// A folder given as the cell says it is a directory and names its cell.yaml (as the command
// line does), not "file not found".
TEST(ViewerBinary, AFolderGivenAsTheCellSaysItIsADirectory) {
  const ViewerRun run =
      RunViewer({"cells/demo", "--screenshot", "/tmp/unused.png", "--size", "640x480"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("cells/demo: error: is a directory, expected a YAML file: cells/demo "
                         "(did you mean cells/demo/cell.yaml?)"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("file not found"), std::string::npos) << run.err;
}

// --time past the plan's end shows the end and says so on stderr (the picture is still made).
// A device or FIFO given as the cell or the plan is an error in the diagnostics (exit 2 with
// --screenshot), not a viewer reading /dev/zero until memory runs out.
TEST(ViewerBinary, ADeviceAsTheCellOrThePlanIsAnErrorWithExitTwo) {
  const QString shot = ScratchFile("device.png");
  const ViewerRun cell = RunViewer({"/dev/zero", "--screenshot", shot});
  EXPECT_EQ(cell.exit_code, 2) << cell.err;
  EXPECT_NE(cell.err.find("/dev/zero: error: is not a regular file (a device, FIFO or socket)"),
            std::string::npos)
      << cell.err;
  const ViewerRun plan = RunViewer({kDemo, "/dev/zero", "--screenshot", shot});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_NE(plan.err.find("/dev/zero: error: is not a regular file (a device, FIFO or socket), "
                          "expected the plan (plan.json)"),
            std::string::npos)
      << plan.err;
  std::filesystem::remove(shot.toStdString());
}

TEST(ViewerBinary, TimePastThePlansEndIsClampedWithAWarning) {
  const QString file = ScratchFile("clamp.png");
  const ViewerRun run = RunViewer(
      {kSmall, SmallPlan(false), "--time", "1000", "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("weldcell-viewer: warning: --time 1000 is past the end of the plan: "
                         "showing its end, "),
            std::string::npos)
      << run.err;
  EXPECT_EQ(PngSize(file), QSize(640, 480));
  const ViewerRun within = RunViewer(
      {kSmall, SmallPlan(false), "--time", "1", "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(within.exit_code, 0) << within.err;
  EXPECT_EQ(within.err.find("warning: --time"), std::string::npos) << within.err;
  QFile::remove(file);
}

// As `weldcell verify` (exit 1 on any violation): a hand-edited plan with the right cell hash
// is verified before the screenshot, its violations go to stderr and the exit status is 1.
TEST(ViewerBinary, AScreenshotOfAPlanThatFailsVerificationExitsOne) {
  const QString file = ScratchFile("verify.png");
  const ViewerRun good =
      RunViewer({kSmall, SmallPlan(false), "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  const QString tampered = SmallPlan(true);
  const ViewerRun bad = RunViewer({kSmall, tampered, "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find(tampered.toStdString() +
                         ": error: verify: the plan fails independent verification"),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("weldcell-viewer: plan FAILS verification: "), std::string::npos)
      << bad.err;
  EXPECT_EQ(PngSize(file), QSize(640, 480));  // written all the same
  QFile::remove(file);
}

// A --screenshot name that is no image format is a usage error before anything is drawn, and
// a file that cannot be written is left as it was (written atomically), never emptied.
TEST(ViewerBinary, AScreenshotThatCannotBeWrittenLeavesAnExistingFileAsItWas) {
  const std::string stem = ScratchPath("keep").string();
  const QString yaml = QString::fromStdString(stem + ".yaml");
  std::ofstream(yaml.toStdString(), std::ios::binary) << "name: keep me\n";
  const ViewerRun run = RunViewer({kDemo, "--screenshot", yaml, "--size", "640x480"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--screenshot: '" + yaml.toStdString() +
                         "' is not an image file name: expected one of "),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(".png"), std::string::npos) << run.err;
  QFile kept(yaml);
  ASSERT_TRUE(kept.open(QIODevice::ReadOnly));
  EXPECT_EQ(kept.readAll(), QByteArray("name: keep me\n"));
  // A folder named like a picture cannot be replaced by one: an error, the folder untouched.
  const std::filesystem::path folder = stem + "_folder.png";
  std::filesystem::create_directories(folder / "inside");
  const ViewerRun folder_run = RunViewer(
      {kDemo, "--screenshot", QString::fromStdString(folder.string()), "--size", "640x480"});
  EXPECT_EQ(folder_run.exit_code, 2);
  EXPECT_NE(folder_run.err.find("cannot write " + folder.string()), std::string::npos)
      << folder_run.err;
  EXPECT_TRUE(std::filesystem::is_directory(folder / "inside"));
  std::filesystem::remove_all(folder);
  QFile::remove(yaml);
}

// --plan gives the verdict `weldcell plan` gives: a cell whose check fails (two robots on one
// base, their homes colliding) is exit 2 with its errors, not an empty plan; a plan that fails
// verification (over the cycle time) is exit 1, as an opened plan that fails it.
TEST(ViewerBinary, PlanningInTheViewerGivesTheVerdictOfWeldcellPlan) {
  const QString file = ScratchFile("plan.png");
  const ViewerRun one_base = RunViewer(
      {"tests/gui/cells/one_base/cell.yaml", "--plan", "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(one_base.exit_code, 2) << one_base.err;
  EXPECT_NE(one_base.err.find("R1's home [0, -30, -35, 0, 100, 0] deg and R2's home [0, -25, "
                              "-35, 0, 100, 0] deg are in collision"),
            std::string::npos)
      << one_base.err;
  const ViewerRun too_long =
      RunViewer({SmallCellWithCycleTime(5), "--plan", "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(too_long.exit_code, 1) << too_long.err;
  // Over the cycle time is what `weldcell plan` counts under its requirement "cycle time met",
  // not as unclean verification: the verdict says so instead of "FAILS verification".
  EXPECT_NE(too_long.err.find("weldcell-viewer: plan verified safe, but over the cycle time (1 "
                              "violation(s), none of them unsafe)"),
            std::string::npos)
      << too_long.err;
  const ViewerRun fits =
      RunViewer({SmallCellWithCycleTime(45), "--plan", "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(fits.exit_code, 0) << fits.err;
  QFile::remove(file);
}

// With --screenshot a station whose check fails is exit 2, as `weldcell check`, its errors on
// stderr; and no exit 2 writes a picture: an existing file stays as it was.
TEST(ViewerBinary, AScreenshotOfAFailingStationExitsTwoAndWritesNothing) {
  const std::string file = ScratchPath("exit2.png").string();
  const QString shot = QString::fromStdString(file);
  auto kept = [&] {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str() == "a good picture";
  };
  const QString other_plan = WritePlan("other_plan_exit2.json", "S", "59b92715c4a285c2");
  const std::vector<std::pair<QStringList, std::string>> cases = {
      {{"tests/gui/cells/one_base/cell.yaml"},
       "cell.yaml:13:11: error: robots[0].home: R1's home [0, -30, -35, 0, 100, 0] deg and R2's "
       "home [0, -25, -35, 0, 100, 0] deg are in collision"},
      {{"tests/gui/malformed/cell.yaml"}, ": error: "},
      {{kDemo, other_plan}, "the plan is of cell S"}};
  for (const auto& [files, expected] : cases) {
    std::ofstream(file, std::ios::binary) << "a good picture";
    const ViewerRun run = RunViewer(files + QStringList{"--screenshot", shot, "--size", "640x480"});
    EXPECT_EQ(run.exit_code, 2) << files.join(' ').toStdString() << "\n" << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("weldcell-viewer: no picture written"), std::string::npos) << run.err;
    EXPECT_TRUE(kept()) << files.join(' ').toStdString();
  }
  std::filesystem::remove(file);
  std::filesystem::remove(other_plan.toStdString());
}

// Usage errors and missing files are reported at once, before the display is opened or the
// cell loaded: run without a display, they still give their own message (not "no display").
TEST(ViewerBinary, ArgumentsPathsAndFilesAreCheckedBeforeTheDisplayIsOpened) {
  const std::vector<std::pair<QStringList, std::string>> cases = {
      {{kDemo, "out/demo/plan.json", "--plan", "--screenshot", "/tmp/unused.png"},
       "weldcell-viewer: error: --plan plans the cell anew: give either the plan "
       "out/demo/plan.json or --plan, not both"},
      {{kDemo, "--screenshot", "/tmp/a.png", "--screenshot", "/tmp/b.png"},
       "weldcell-viewer: error: --screenshot given 2 times: give it once"},
      {{kDemo, "--screenshot", "/tmp/weldcell_no_such_folder/a.png"},
       "weldcell-viewer: error: --screenshot: cannot write /tmp/weldcell_no_such_folder/a.png: "
       "the folder /tmp/weldcell_no_such_folder does not exist"},
      {{"cells/no_such_cell.yaml", "--screenshot", "/tmp/unused.png"},
       "cells/no_such_cell.yaml: error: file not found (expected the cell (cell.yaml))"},
      {{kDemo, "out/no_such_plan.json", "--screenshot", "/tmp/unused.png"},
       "out/no_such_plan.json: error: file not found (expected the plan (plan.json))"},
      {{"cells/demo", "--screenshot", "/tmp/unused.png"},
       "cells/demo: error: is a directory, expected a YAML file: cells/demo (did you mean "
       "cells/demo/cell.yaml?)"},
      {{kDemo, "-platform", "offscreen"},
       "weldcell-viewer: error: -platform offscreen is not supported"}};
  for (const auto& [args, expected] : cases) {
    QProcess viewer;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    viewer.setProcessEnvironment(env);
    viewer.start(WELDCELL_VIEWER, args);
    ASSERT_TRUE(viewer.waitForFinished(30000));
    EXPECT_EQ(viewer.exitCode(), 2) << args.join(' ').toStdString();
    const std::string err = viewer.readAllStandardError().toStdString();
    EXPECT_NE(err.find(expected), std::string::npos) << err;
    EXPECT_EQ(err.find("no display"), std::string::npos) << err;
  }
}

// Without QT3D_RENDERER the default RHI renderer read the frame back upside down under Xvfb:
// --screenshot now picks the OpenGL renderer itself, so the picture is the one made with it.
TEST(ViewerBinary, AScreenshotWithoutQt3dRendererSetIsTheRightWayUp) {
  const std::string stem = ScratchPath("renderer").string();
  auto shoot = [&](const QString& renderer, const std::string& file) {
    QProcess viewer;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("QT3D_RENDERER");
    if (!renderer.isEmpty()) env.insert("QT3D_RENDERER", renderer);
    viewer.setProcessEnvironment(env);
    viewer.start(WELDCELL_VIEWER, {kDemo, "--screenshot", QString::fromStdString(file),
                                   "--view-only", "--view", "front", "--size", "640x480"});
    EXPECT_TRUE(viewer.waitForFinished(120000));
    EXPECT_EQ(viewer.exitCode(), 0) << viewer.readAllStandardError().toStdString();
    return QImage(QString::fromStdString(file)).convertToFormat(QImage::Format_RGB32);
  };
  const QImage unset = shoot({}, stem + "_unset.png");
  const QImage opengl = shoot("opengl", stem + "_opengl.png");
  ASSERT_FALSE(unset.isNull());
  ASSERT_EQ(unset.size(), opengl.size());
  // Rows compared as they are and flipped: the picture matches the OpenGL one, not its mirror.
  int same = 0, flipped = 0;
  for (int y = 0; y < unset.height(); y += 3) {
    for (int x = 0; x < unset.width(); x += 3) {
      same += unset.pixel(x, y) == opengl.pixel(x, y);
      flipped += unset.pixel(x, y) == opengl.pixel(x, opengl.height() - 1 - y);
    }
  }
  EXPECT_GT(same, flipped + 1000) << same << " vs " << flipped;
  std::filesystem::remove(stem + "_unset.png");
  std::filesystem::remove(stem + "_opengl.png");
}

// --screenshot runs unattended: its stages and their counts go to stderr as it opens (a large
// station's plan took minutes to verify with nothing shown).
TEST(ViewerBinary, AScreenshotReportsItsStagesOnStderr) {
  const QString file = ScratchFile("stages.png");
  const ViewerRun run =
      RunViewer({kSmall, SmallPlan(false), "--screenshot", file, "--size", "640x480"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::regex drawn(
      R"(weldcell-viewer: +[0-9.]+ s  cell drawn: 2 robot\(s\), [0-9]+ weld\(s\))");
  EXPECT_TRUE(std::regex_search(run.err, drawn)) << run.err;
  for (const std::string line :
       {"collision world built, station check passed", "plan read; verifying it independently",
        "reach: ", "verify robustness: 100 / 100", "plan verified: 0 violation(s)"}) {
    EXPECT_NE(run.err.find(line), std::string::npos) << line << "\n" << run.err;
  }
  QFile::remove(file);
}

// A robot of the plan that the cell does not have is bad input, as in `weldcell verify` and
// `export`: an error at its line in the plan's file (it once said `<input>`), exit 2.
TEST(ViewerBinary, APlanRobotMissingFromTheCellIsAnErrorAtItsLineInThePlansFile) {
  const std::filesystem::path path = ScratchPath("small_r9.json");
  plan::Plan p = SmallPlanned();
  p.robots.at(1).robot = "R9";
  std::ofstream(path, std::ios::binary) << plan::ToJson(p);
  const std::string file = ScratchPath("r9.png").string();
  const ViewerRun run = RunViewer({kSmall, QString::fromStdString(path.string()), "--screenshot",
                                   QString::fromStdString(file), "--size", "640x480"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const std::regex at_line(
      std::regex_replace(path.string(), std::regex(R"([.])"), R"(\.)") +
      R"(:[0-9]+:[0-9]+: error: robots\[1\]\.name: robot R9 is not a robot of cell)");
  EXPECT_TRUE(std::regex_search(run.err, at_line)) << run.err;
  EXPECT_FALSE(std::filesystem::exists(file)) << "no picture on exit 2";
  EXPECT_EQ(run.err.find("<input>"), std::string::npos) << run.err;
  std::filesystem::remove(path);
  std::filesystem::remove(file);
}

// Arguments are checked before the display is opened; without one the viewer says so (exit 2)
// instead of aborting, and refuses the offscreen platform (where Qt 3D never draws).
TEST(ViewerBinary, WithoutADisplayOrWithAnUnreachableOneTheViewerSaysSoWithExitTwo) {
  auto run = [](const QStringList& args, const QString& platform, const QString& display = {}) {
    QProcess viewer;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    if (!display.isEmpty()) env.insert("DISPLAY", display);
    if (!platform.isEmpty()) env.insert("QT_QPA_PLATFORM", platform);
    viewer.setProcessEnvironment(env);
    viewer.start(WELDCELL_VIEWER, args);
    EXPECT_TRUE(viewer.waitForFinished(30000)) << args.join(' ').toStdString();
    return ViewerRun{viewer.exitCode(), viewer.readAllStandardError().toStdString()};
  };
  const ViewerRun usage = run({kDemo, "--time", "-1"}, {});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--time: expected seconds >= 0"), std::string::npos) << usage.err;
  const ViewerRun no_display = run({kDemo}, {});
  EXPECT_EQ(no_display.exit_code, 2);
  EXPECT_NE(no_display.err.find("weldcell-viewer: error: no display"), std::string::npos)
      << no_display.err;
  // A display that is set but where no X server answers: Qt aborted (a core dump).
  int unused = 5000;
  while (std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(unused))) ++unused;
  const QString display = QString(":%1").arg(unused);
  for (const QStringList& args :
       {QStringList{kDemo}, QStringList{kDemo, "--screenshot", "/tmp/weldcell_never.png"}}) {
    const ViewerRun unreachable = run(args, {}, display);
    EXPECT_EQ(unreachable.exit_code, 2) << unreachable.err;
    EXPECT_NE(unreachable.err.find("weldcell-viewer: error: cannot connect to display " +
                                   display.toStdString()),
              std::string::npos)
        << unreachable.err;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/weldcell_never.png"));
  const ViewerRun offscreen = run({kDemo}, "offscreen");
  EXPECT_EQ(offscreen.exit_code, 2);
  EXPECT_NE(offscreen.err.find("QT_QPA_PLATFORM=offscreen is not supported"), std::string::npos)
      << offscreen.err;
}

}  // namespace
}  // namespace weldcell::gui

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
