#include "gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLayout>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QThread>
#include <QTime>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <utility>

#include "exporters/export.hpp"
#include "gui/gantt_widget.hpp"
#include "gui/playback.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/input_file.hpp"
#include "planner/common/progress.hpp"
#include "planner/kinematics/controller_joints.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/station_check.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::gui {
namespace {

constexpr int kSliderSteps = 1000;
constexpr double kJogOverrange = 10.0;  // deg (or mm) past each limit the sliders go
constexpr int kMaxGhostsPerRobot = 6;

enum SceneItemKind {
  kRobotItem = 1,
  kObstacleItem,
  kWeldsItem,
  kVisualItem,
  kCollisionItem,
  kZonesItem
};

QString Html(const QColor& c, const QString& text) {
  return QString("<span style='color:%1'>&#9632;</span> %2<br>").arg(c.name(), text);
}

double JointScale(cell::JointType type) {
  return type == cell::JointType::kPrismatic ? 1000.0 : 180.0 / std::numbers::pi;
}

std::string ReadLine(const std::string& file, int line) {
  std::ifstream in(file);
  if (!in) return {};
  std::string text;
  for (int i = 1; i <= line && std::getline(in, text); ++i) {
    if (i == line) return text.size() > 2000 ? text.substr(0, 2000) : text;
  }
  return {};
}

// Adds a dock of `title` (its object name `name`, what tests and the saved layout find it by)
// holding `contents` in `area`.
QDockWidget* AddDock(QMainWindow* window, const QString& title, const char* name, QWidget* contents,
                     Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, window);
  dock->setObjectName(name);
  dock->setWidget(contents);
  window->addDockWidget(area, dock);
  return dock;
}

// A pane's contents in a scroll area: the pane can then shrink below its contents' minimum
// size (a small window), and the layout keeps the panes and the 3D view apart instead of
// letting the view's native window paint over a pane it was squeezed into.
QScrollArea* Scrollable(QWidget* contents) {
  auto* area = new QScrollArea;
  area->setWidget(contents);
  area->setWidgetResizable(true);
  area->setFrameShape(QFrame::NoFrame);
  return area;
}

// A splitter that asks for no more than its minimum size (its children's minimum sizes), and
// grows with the room its layout gives it: a pane in a scroll area scrolls only when that
// minimum does not fit.
class MinimumHintSplitter : public QSplitter {
 public:
  using QSplitter::QSplitter;
  QSize sizeHint() const override { return minimumSizeHint(); }
};

cell::LoadOptions ViewerLoadOptions() {
  cell::LoadOptions options;
  // As the command line does: ROS_PACKAGE_PATH extends the package search path.
  if (const char* ros = std::getenv("ROS_PACKAGE_PATH"); ros != nullptr) {
    std::stringstream dirs(ros);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty()) options.package_paths.emplace_back(dir);
    }
  }
  return options;
}

// The verdict on a verified plan, as the status bar says it: its violations, those of them
// unsafe, and the words.
struct PlanVerdict {
  int violations = 0;
  int unsafe = 0;
  QString text;
};

// What `report` (or the `problems` that kept the plan from being verified) comes to, split as
// `weldcell plan`'s requirement lines split it: welds left unplanned and the cycle time exceeded
// (the plan is incomplete or too long, what it does is safe) apart from the rest (collisions,
// limits, ...), the most frequent unsafe kinds first, two of them named (the status bar's width;
// the Diagnostics pane lists every violation).
PlanVerdict VerdictOf(const verify::VerifyReport& report, const std::vector<Diagnostic>& problems) {
  PlanVerdict out;
  out.violations = problems.empty() ? static_cast<int>(report.violations.size())
                                    : static_cast<int>(problems.size());
  int omissions = 0, over_cycle = 0;
  std::map<std::string, int> unsafe;
  if (problems.empty()) {
    for (const verify::Violation& v : report.violations) {
      if (v.omission) {
        ++omissions;
      } else if (v.kind == verify::ViolationKind::kCycleTime) {
        ++over_cycle;
      } else {
        ++unsafe[std::string(verify::ToString(v.kind))];
      }
    }
  } else {
    unsafe["unreadable"] = out.violations;
  }
  QStringList incomplete, kinds;
  if (omissions > 0) incomplete << QString("%1 weld(s) not planned").arg(omissions);
  if (over_cycle > 0) incomplete << "over the cycle time";
  std::vector<std::pair<int, std::string>> by_count;
  for (const auto& [kind, count] : unsafe) {
    by_count.emplace_back(-count, kind);
    out.unsafe += count;
  }
  std::sort(by_count.begin(), by_count.end());
  for (std::size_t k = 0; k < by_count.size() && k < 2; ++k) {
    kinds
        << QString("%1 %2").arg(-by_count[k].first).arg(QString::fromStdString(by_count[k].second));
  }
  if (by_count.size() > 2) kinds << QString("%1 more kind(s)").arg(by_count.size() - 2);
  if (out.violations == 0) {
    out.text = "plan verified";
  } else if (out.unsafe == 0) {
    out.text = "plan verified safe, but " + incomplete.join(" and ") +
               QString(" (%1 violation(s), none of them unsafe)").arg(out.violations);
  } else {
    out.text = QString("plan FAILS verification: %1 unsafe violation(s) (%2)")
                   .arg(out.unsafe)
                   .arg(kinds.join(", ")) +
               (incomplete.isEmpty() ? QString() : "; also " + incomplete.join(", "));
  }
  return out;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), clock_(new QElapsedTimer) {
  scene_ = MakeQt3dScene();
  BuildUi();
  setAcceptDrops(true);
  // A click in the view selects the weld drawn nearest to it (within a few pixels).
  scene_->SetClickCallback([this](QPointF at) {
    if (cell_ == nullptr) return;
    int best = -1;
    double best_distance = 12.0;  // px
    for (std::size_t i = 0; i < cell_->welds.size(); ++i) {
      const std::optional<QPointF> p = scene_->Project(cell_->welds[i].p_W);
      if (!p) continue;
      const double d = std::hypot(p->x() - at.x(), p->y() - at.y());
      if (d < best_distance) {
        best_distance = d;
        best = static_cast<int>(i);
      }
    }
    if (best >= 0) SelectWeld(best);
  });
  timer_ = new QTimer(this);
  timer_->setInterval(33);
  connect(timer_, &QTimer::timeout, this, &MainWindow::Tick);
}

MainWindow::~MainWindow() {
  if (cancel_background_) *cancel_background_ = true;
  if (cancel_planning_) *cancel_planning_ = true;
  if (cancel_verify_) *cancel_verify_ = true;
  for (QThread* thread : threads_) thread->wait();
  gantt_->SetPlan(nullptr, 0, {});
  station_.reset();
}

void MainWindow::RunWorker(std::function<void()> work) {
  QThread* thread = QThread::create(std::move(work));
  threads_.push_back(thread);
  connect(thread, &QThread::finished, this, [this, thread] {
    threads_.erase(std::remove(threads_.begin(), threads_.end(), thread), threads_.end());
    thread->deleteLater();
  });
  thread->start();
}

void MainWindow::BuildUi() {
  setWindowTitle("weldcell viewer");
  setCentralWidget(scene_->widget());
  // Two toolbars, side by side in a wide window and one above the other in a narrow one
  // (resizeEvent): at 640 px in one row "Welds by" went into the overflow menu.
  BuildFileToolbar();
  BuildViewToolbar();
  QDockWidget* scene_dock = AddSceneDock();
  AddLegendDock();
  QDockWidget* inspector_dock = AddInspectorDock();
  QDockWidget* timeline_dock = AddTimelineDock();
  QDockWidget* diagnostics_dock = AddDiagnosticsDock();
  tabifyDockWidget(timeline_dock, diagnostics_dock);
  timeline_dock->raise();
  // Any size asked for (e.g. --size), also below the panes' preferred sizes: they shrink (their
  // contents scroll) and stay beside the 3D view.
  layout()->setSizeConstraint(QLayout::SetNoConstraint);
  resizeDocks({timeline_dock}, {190}, Qt::Vertical);
  resizeDocks({scene_dock, inspector_dock}, {230, 300}, Qt::Horizontal);
  UpdateLegend();
  BuildStatusBar();
}

void MainWindow::BuildFileToolbar() {
  QToolBar* tools = addToolBar("File");
  tools->setObjectName("main_toolbar");
  file_toolbar_ = tools;
  tools->addAction("Open cell…", this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, "Open cell", {}, "Cell (*.yaml *.yml)");
    if (!f.isEmpty()) OpenCell(f);
  });
  tools->addAction("Open plan…", this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, "Open plan", {}, "Plan (*.json)");
    if (!f.isEmpty()) OpenPlan(f);
  });
  plan_action_ = tools->addAction("Plan", this, [this] { StartPlanning(); });
  plan_action_->setEnabled(false);
  export_action_ = tools->addAction("Export programs…", this, [this] {
    const QString f = QFileDialog::getExistingDirectory(this, "Export robot programs into");
    if (!f.isEmpty()) ExportPrograms(f);
  });
  export_action_->setEnabled(false);
}

void MainWindow::BuildViewToolbar() {
  QToolBar* tools = addToolBar("View");
  tools->setObjectName("view_toolbar");
  view_toolbar_ = tools;
  tools->addAction("Fit", this, [this] {
    if (station_ == nullptr) return;
    // Keep the viewing direction, fit the distance.
    const CameraPose now = scene_->camera();
    CameraPose fit = station_->ViewOf(
        StandardView::kIso, scene_->field_of_view_deg(),
        double(scene_->widget()->width()) / std::max(1, scene_->widget()->height()));
    const double distance = (fit.eye - fit.center).norm();
    fit.eye = fit.center + (now.eye - now.center).normalized() * distance;
    fit.up = now.up;
    scene_->SetCamera(fit);
  });
  tools->addAction("Iso", this, [this] { ShowStandardView(StandardView::kIso); });
  tools->addAction("Front", this, [this] { ShowStandardView(StandardView::kFront); });
  tools->addAction("Top", this, [this] { ShowStandardView(StandardView::kTop); });
  tools->addAction("Side", this, [this] { ShowStandardView(StandardView::kSide); });
  tools->addSeparator();
  tools->addWidget(new QLabel(" Welds by "));
  coloring_box_ = new QComboBox;
  coloring_box_->addItems({"reach", "robot"});
  tools->addWidget(coloring_box_);
  connect(coloring_box_, &QComboBox::currentIndexChanged, this,
          [this](int i) { SetWeldColoring(i == 0 ? WeldColoring::kReach : WeldColoring::kRobot); });
}

// The scene tree (left): the station's parts, with visibility toggles.
QDockWidget* MainWindow::AddSceneDock() {
  scene_tree_ = new QTreeWidget;
  scene_tree_->setHeaderLabel("Scene");
  connect(scene_tree_, &QTreeWidget::itemChanged, this, &MainWindow::OnSceneItemChanged);
  return AddDock(this, "Scene", "scene_dock", scene_tree_, Qt::LeftDockWidgetArea);
}

// The legend (left, below the scene tree).
void MainWindow::AddLegendDock() {
  legend_ = new QLabel;
  legend_->setTextFormat(Qt::RichText);
  legend_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  legend_->setMargin(4);
  legend_->setObjectName("legend");
  AddDock(this, "Legend", "legend_dock", Scrollable(legend_), Qt::LeftDockWidgetArea);
}

// The inspector (right): welds, their reach, and jogging (BuildJogBox).
QDockWidget* MainWindow::AddInspectorDock() {
  auto* inspector_widget = new QWidget;
  auto* inspector_layout = new QVBoxLayout(inspector_widget);
  weld_list_ = new QTreeWidget;
  weld_list_->setHeaderLabels({"weld", "reach", "robot"});
  weld_list_->setRootIsDecorated(false);
  connect(weld_list_, &QTreeWidget::currentItemChanged, this,
          [this](QTreeWidgetItem* item, QTreeWidgetItem*) {
            if (item != nullptr) SelectWeld(item->data(0, Qt::UserRole).toInt());
          });
  inspector_ = new QPlainTextEdit;
  inspector_->setReadOnly(true);
  inspector_->setPlaceholderText("Select a weld to see why each robot can or cannot weld it.");
  QWidget* jog_box = BuildJogBox();
  auto* splitter = new MinimumHintSplitter(Qt::Vertical);
  splitter->setChildrenCollapsible(false);
  weld_list_->setMinimumHeight(weld_list_->fontMetrics().height() * 6);
  inspector_->setMinimumHeight(inspector_->fontMetrics().height() * 4);
  splitter->addWidget(weld_list_);
  splitter->addWidget(inspector_);
  // Its height is what the jog pane leaves, at least its children's minimum (six rows of the
  // weld list, four of the text): its size hint is its minimum (MinimumHintSplitter). With its
  // full size hint the pane scrolled even in a large window; with the hint ignored a low window
  // (640x480) squeezed the weld list to nothing.
  inspector_layout->addWidget(splitter, 1);
  // Below the splitter, at the height its wrapped texts need for the pane's width (a splitter
  // ignores height-for-width: in a low window it squeezed the sliders to nothing); the pane
  // scrolls instead.
  inspector_layout->addWidget(jog_box, 0);
  return AddDock(this, "Inspector", "inspector_dock", Scrollable(inspector_widget),
                 Qt::RightDockWidgetArea);
}

// The jog panel's frame: the robot to jog, the joint convention and the verdict; BuildJogPanel
// adds the robot's joint sliders.
QWidget* MainWindow::BuildJogBox() {
  auto* jog_box = new QWidget;
  jog_layout_ = new QVBoxLayout(jog_box);
  jog_layout_->setContentsMargins(0, 0, 0, 0);
  auto* jog_row = new QHBoxLayout;
  jog_row->addWidget(new QLabel("Jog"));
  jog_robot_ = new QComboBox;
  jog_robot_->setObjectName("jog_robot");
  // Long robot names do not widen the pane (the list shows them whole).
  jog_robot_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  jog_robot_->setMinimumContentsLength(6);
  jog_row->addWidget(jog_robot_, 1);
  jog_layout_->addLayout(jog_row);
  connect(jog_robot_, &QComboBox::currentIndexChanged, this, [this](int) { BuildJogPanel(); });
  // Which numbers the sliders are: the planner's (URDF) joint values, which differ from a
  // teach pendant's for FANUC (J3 includes J2) and KUKA (signs, A2/A3 zero).
  jog_convention_ = new QLabel(
      "URDF joint values, ° (mm if prismatic); (pendant …) where the "
      "controller shows another value");
  jog_convention_->setToolTip(
      "The sliders set the planner's joint values in the URDF convention of robots/README.md. "
      "A teach pendant may show other numbers (FANUC: J3 includes J2; KUKA: signs and the A2/A3 "
      "zero); they are given in brackets, mapped by robot.yaml controller_joints.");
  jog_convention_->setWordWrap(true);
  jog_layout_->addWidget(jog_convention_);
  jog_status_ = new QLabel;
  jog_status_->setWordWrap(true);
  jog_layout_->addWidget(jog_status_);
  return jog_box;
}

// The timeline (bottom): the playback controls over the Gantt chart.
QDockWidget* MainWindow::AddTimelineDock() {
  auto* timeline = new QWidget;
  auto* timeline_layout = new QVBoxLayout(timeline);
  timeline_layout->addLayout(BuildPlaybackControls());
  gantt_ = new GanttWidget;
  connect(gantt_, &GanttWidget::timeClicked, this, [this](double t) { SetTime(t); });
  timeline_layout->addWidget(gantt_, 1);
  return AddDock(this, "Timeline", "timeline_dock", Scrollable(timeline), Qt::BottomDockWidgetArea);
}

// Previous and next event, play/pause, the speed, the time slider and the time label.
QHBoxLayout* MainWindow::BuildPlaybackControls() {
  auto* controls = new QHBoxLayout;
  auto* back = new QPushButton("|◀");
  back->setToolTip("Previous event");
  auto* play = new QPushButton("▶ / ❚❚");
  auto* forward = new QPushButton("▶|");
  forward->setToolTip("Next event");
  connect(back, &QPushButton::clicked, this, [this] { StepEvent(-1); });
  connect(forward, &QPushButton::clicked, this, [this] { StepEvent(+1); });
  connect(play, &QPushButton::clicked, this, [this] { playing() ? Pause() : Play(); });
  speed_box_ = new QComboBox;
  for (double s : {0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0}) {
    speed_box_->addItem(QString("×%1").arg(s), s);
  }
  speed_box_->setCurrentIndex(3);
  connect(speed_box_, &QComboBox::currentIndexChanged, this,
          [this](int i) { speed_ = speed_box_->itemData(i).toDouble(); });
  time_slider_ = new QSlider(Qt::Horizontal);
  time_slider_->setRange(0, kSliderSteps);
  connect(time_slider_, &QSlider::valueChanged, this, [this](int v) {
    if (plan_) SetTime(PlanDuration(*plan_) * v / kSliderSteps);
  });
  time_label_ = new QLabel("no plan");
  time_label_->setMinimumWidth(150);
  controls->addWidget(back);
  controls->addWidget(play);
  controls->addWidget(forward);
  controls->addWidget(speed_box_);
  controls->addWidget(time_slider_, 1);
  controls->addWidget(time_label_);
  return controls;
}

// Diagnostics (bottom, tabbed with the timeline by BuildUi): the messages, and the source
// line of the one clicked.
QDockWidget* MainWindow::AddDiagnosticsDock() {
  auto* diagnostics = new QWidget;
  auto* diagnostics_layout = new QVBoxLayout(diagnostics);
  diagnostics_list_ = new QListWidget;
  diagnostic_line_ = new QPlainTextEdit;
  diagnostic_line_->setReadOnly(true);
  diagnostic_line_->setMaximumHeight(60);
  diagnostic_line_->setPlaceholderText("Click a message to see its line.");
  QFont mono("monospace");
  mono.setStyleHint(QFont::TypeWriter);
  diagnostic_line_->setFont(mono);
  connect(diagnostics_list_, &QListWidget::currentRowChanged, this,
          [this](int row) { ShowDiagnosticLine(row); });
  diagnostics_layout->addWidget(diagnostics_list_);
  diagnostics_layout->addWidget(diagnostic_line_);
  return AddDock(this, "Diagnostics", "diagnostics_dock", diagnostics, Qt::BottomDockWidgetArea);
}

// The status bar: its message, and the background work's progress and the plan's verdict at
// the right.
void MainWindow::BuildStatusBar() {
  background_label_ = new QLabel;
  background_label_->setObjectName("background_label");
  statusBar()->addPermanentWidget(background_label_);
  verdict_label_ = new QLabel;
  verdict_label_->setObjectName("verdict_label");
  statusBar()->addPermanentWidget(verdict_label_);
  statusBar()->showMessage("Open a cell (toolbar, command line or drag and drop)");
}

void MainWindow::ClearCell() {
  Pause();
  ++generation_;
  if (cancel_background_) *cancel_background_ = true;
  if (cancel_planning_) *cancel_planning_ = true;
  if (cancel_verify_) *cancel_verify_ = true;
  verifying_ = false;
  plan_violations_ = -1;
  plan_verdict_.clear();
  station_errors_ = 0;
  if (verdict_label_ != nullptr) verdict_label_->clear();
  gantt_->SetPlan(nullptr, 0, {});
  plan_.reset();
  if (export_action_ != nullptr) export_action_->setEnabled(false);
  station_.reset();
  context_.reset();
  world_.reset();
  reach_.reset();
  cell_.reset();
  weld_index_.clear();
  weld_robot_.clear();
  zone_box_cache_.clear();
  welds_done_.clear();
  jog_problems_.clear();
  selected_weld_ = -1;
  time_ = 0;
  background_busy_ = false;
  loading_ = false;
  pending_plan_.clear();
  shown_zones_.reset();
  plan_action_->setEnabled(false);
  // Everything tied to the old station goes with it (a cell that then fails to load leaves
  // an empty window, not R1's legend entry and jog sliders that move nothing).
  scene_tree_->clear();
  weld_list_->clear();
  inspector_->clear();
  {
    const QSignalBlocker block(jog_robot_);
    jog_robot_->clear();
  }
  BuildJogPanel();  // no robot: removes the sliders
  setWindowTitle("weldcell viewer");
  UpdateLegend();
  UpdateTimeWidgets();
}

void MainWindow::ClearDiagnostics(const QString& action) {
  for (int row = diagnostics_list_->count() - 1; row >= 0; --row) {
    if (diagnostics_list_->item(row)->data(Qt::UserRole).toString() != action) continue;
    delete diagnostics_list_->takeItem(row);
    diagnostics_.erase(diagnostics_.begin() + row);
  }
}

void MainWindow::AddDiagnostics(const std::vector<Diagnostic>& diagnostics, const QString& action) {
  for (const Diagnostic& d : diagnostics) {
    // Errors above every warning (a plan's failure is not under nine URDF warnings), each kind
    // in the order it came.
    auto row = static_cast<std::ptrdiff_t>(diagnostics_.size());
    if (d.severity == Severity::kError) {
      row = std::find_if(diagnostics_.begin(), diagnostics_.end(),
                         [](const Diagnostic& e) { return e.severity != Severity::kError; }) -
            diagnostics_.begin();
    }
    diagnostics_.insert(diagnostics_.begin() + row, d);
    auto* item = new QListWidgetItem(QString::fromStdString(d.ToString()));
    item->setData(Qt::UserRole, action);
    item->setToolTip(QString("%1 (%2)").arg(action.isEmpty() ? QString("opening the cell") : action,
                                            QTime::currentTime().toString("HH:mm:ss")));
    item->setForeground(d.severity == Severity::kError ? QColor(180, 0, 0) : QColor(140, 90, 0));
    diagnostics_list_->insertItem(static_cast<int>(row), item);
  }
  if (!diagnostics.empty()) {
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
      if (dock->objectName() == "diagnostics_dock") dock->raise();
    }
  }
}

void MainWindow::ShowDiagnosticLine(int row) {
  if (row < 0 || row >= static_cast<int>(diagnostics_.size())) {
    diagnostic_line_->clear();
    return;
  }
  const Diagnostic& d = diagnostics_[static_cast<std::size_t>(row)];
  if (d.where.line <= 0) {
    diagnostic_line_->setPlainText(QString::fromStdString(d.where.file) + " (no line)");
    return;
  }
  const std::string text = ReadLine(d.where.file, d.where.line);
  QString caret;
  if (d.where.column > 0) caret = QString(d.where.column - 1, ' ') + "^";
  diagnostic_line_->setPlainText(QString("%1:%2\n%3\n%4")
                                     .arg(QString::fromStdString(d.where.file))
                                     .arg(d.where.line)
                                     .arg(QString::fromStdString(text), caret));
}

QString MainWindow::diagnostic_line_text() const { return diagnostic_line_->toPlainText(); }

void MainWindow::OpenCell(const QString& path) {
  ClearCell();
  diagnostics_.clear();
  diagnostics_list_->clear();
  diagnostic_line_->clear();
  cell_path_ = path;
  loading_ = true;
  statusBar()->showMessage(QString("Loading %1…").arg(path));
  // Reading the cell (a large body mesh takes a few hundred ms) and preparing its display meshes
  // run in a worker; the UI thread only builds the scene from the results.
  const int generation = generation_;
  RunWorker([this, path, generation] {
    std::shared_ptr<const cell::Cell> cell;
    auto meshes = std::make_shared<DisplayMeshes>();
    std::vector<Diagnostic> diagnostics;
    int errors = 0;
    try {
      cell::Loaded<cell::Cell> loaded = cell::LoadCell(path.toStdString(), ViewerLoadOptions());
      diagnostics = loaded.warnings;
      cell = std::make_shared<const cell::Cell>(std::move(loaded.value));
      *meshes = MakeDisplayMeshes(*cell);
    } catch (const InputError& e) {
      diagnostics = e.diagnostics();
      errors = static_cast<int>(e.diagnostics().size());
      cell.reset();
    } catch (const std::exception& e) {
      diagnostics.push_back({.where = {.file = path.toStdString()}, .message = e.what()});
      errors = 1;
      cell.reset();
    }
    QMetaObject::invokeMethod(
        this,
        [this, path, generation, cell, meshes, diagnostics, errors] {
          if (generation != generation_) return;
          loading_ = false;
          AddDiagnostics(diagnostics);
          if (cell == nullptr) {
            pending_plan_.clear();
            statusBar()->showMessage(
                QString("%1: %2 error(s), see Diagnostics").arg(path).arg(errors));
            emit cellOpened(false);
            return;
          }
          cell_ = cell;
          ShowCell(std::move(*meshes));
          // A station over 100 m across is most likely a mesh in mm read as m (drawn, but
          // the rest is a speck in it).
          if (const double extent = station_->bounds().sizes().maxCoeff(); extent > 100.0) {
            AddDiagnostics(
                {{.severity = Severity::kWarning,
                  .where = {.file = path.toStdString()},
                  .message = QString("the station is %1 m across, implausible for a welding "
                                     "cell: a mesh without `scale: 0.001` (mm read as m)?")
                                 .arg(extent, 0, 'f', 0)
                                 .toStdString()}});
          }
          emit cellOpened(true);
          if (!pending_plan_.isEmpty()) OpenPlan(std::exchange(pending_plan_, QString()));
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::ShowCell(DisplayMeshes meshes) {
  station_ = std::make_unique<StationView>(scene_.get(), *cell_, std::move(meshes));
  for (std::size_t i = 0; i < cell_->welds.size(); ++i) {
    weld_index_[cell_->welds[i].id] = static_cast<int>(i);
  }
  jog_problems_.assign(cell_->robots.size(), {});
  setWindowTitle(QString("weldcell viewer — %1").arg(QString::fromStdString(cell_->name)));
  BuildSceneTree();
  UpdateWeldList();
  {
    const QSignalBlocker block(jog_robot_);
    jog_robot_->clear();
    for (const cell::Robot& r : cell_->robots) jog_robot_->addItem(QString::fromStdString(r.name));
  }
  BuildJogPanel();
  ApplyWeldColors();
  UpdateLegend();
  ShowStandardView(StandardView::kIso);

  BuildWorldAndReach();
}

void MainWindow::BuildWorldAndReach() {
  // The collision world (the planner's, with its sampled allowed-collision matrix) and then the
  // reach map are built in a worker; the scene is usable meanwhile. The world is handed over as
  // soon as it is built (jogging, interlock zones and planning need only it): on a large
  // station the reach map takes most of the time (XL: about a minute on two cores).
  background_busy_ = true;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancel_background_ = cancel;
  const int generation = generation_;
  std::shared_ptr<const cell::Cell> cell = cell_;
  std::shared_ptr<const collision::CollisionWorld> built = world_;
  background_label_->setText(built == nullptr ? "building the collision world…"
                                              : "reach: starting…");
  RunWorker([this, cell, built, cancel, generation] {
    std::shared_ptr<const collision::CollisionWorld> world = built;
    std::vector<Diagnostic> problems;
    auto fail = [&](const std::exception& e) {
      if (const auto* input = dynamic_cast<const InputError*>(&e)) {
        problems = input->diagnostics();
      } else {
        problems.push_back({.where = {.file = cell->source_file}, .message = e.what()});
      }
    };
    if (world == nullptr) {
      // The station checks of `weldcell check` (the same function): a home in collision, e.g.
      // two robots on one base, is an error of the cell shown at once, not an empty plan later.
      std::vector<Diagnostic> homes;
      try {
        world = std::make_shared<const collision::CollisionWorld>(*cell);
        homes = verify::CheckHomes(*cell, verify::MakeVerifierWorld(*cell));
      } catch (const std::exception& e) {
        fail(e);
      }
      QMetaObject::invokeMethod(
          this,
          [this, world, homes, cancel, generation] {
            if (generation != generation_ || *cancel || world == nullptr) return;
            station_errors_ = static_cast<int>(homes.size());
            AddDiagnostics(homes);
            // The robots whose homes collide (key robots[i].home) are drawn red.
            for (const Diagnostic& d : homes) {
              int robot = -1;
              if (std::sscanf(d.key_path.c_str(), "robots[%d]", &robot) == 1 && robot >= 0 &&
                  robot < static_cast<int>(cell_->robots.size()) && !plan_) {
                station_->SetRobotTint(robot, Palette::Collision());
              }
              // A pair of robots names the other one in its message.
              for (std::size_t other = 0; other < cell_->robots.size() && !plan_; ++other) {
                if (d.message.find(" and " + cell_->robots[other].name + "'s home") !=
                    std::string::npos) {
                  station_->SetRobotTint(static_cast<int>(other), Palette::Collision());
                }
              }
            }
            if (!homes.empty()) {
              statusBar()->showMessage(
                  QString("%1 error(s) of the station (as weldcell check), see Diagnostics")
                      .arg(homes.size()));
            }
            world_ = world;
            context_ = std::make_unique<collision::CollisionContext>(*world_);
            plan_action_->setEnabled(!planning_);
            background_label_->setText("reach: starting…");
            // The zones of the robots waiting now can be drawn now (and the status says who).
            if (plan_) SetTime(time_);
            emit worldBuilt();
          },
          Qt::QueuedConnection);
    }
    std::optional<reach::ReachMap> reach;
    if (world != nullptr && !*cancel) {
      try {
        reach = reach::ReachAll(
            *cell, *world,
            {.progress = Progress(
                 [this, generation](std::string_view, std::int64_t done, std::int64_t total) {
                   QMetaObject::invokeMethod(
                       this,
                       [this, generation, done, total] {
                         if (generation != generation_ || !background_busy_) return;
                         emit workProgress("reach", done, total);
                         background_label_->setText(
                             QString("reach: %1 / %2 welds…").arg(done).arg(total));
                       },
                       Qt::QueuedConnection);
                 },
                 cancel.get())});
      } catch (const std::exception& e) {
        fail(e);
      }
      if (*cancel) reach.reset();  // a cancelled map is partial
    }
    QMetaObject::invokeMethod(
        this,
        [this, reach = std::move(reach), problems, cancel, generation]() mutable {
          if (generation != generation_ || *cancel) return;
          background_busy_ = false;
          background_label_->clear();
          AddDiagnostics(problems);
          if (reach && !reach_) reach_ = std::move(reach);
          ApplyWeldColors();
          UpdateWeldList();
          if (selected_weld_ >= 0) SelectWeld(selected_weld_);
          UpdateStatus();
          if (plan_) SetTime(time_);
          emit backgroundFinished();
        },
        Qt::QueuedConnection);
  });
  UpdateStatus();
}

void MainWindow::OpenPlan(const QString& path) {
  if (loading_) {
    pending_plan_ = path;  // opened once the cell is there
    return;
  }
  if (cell_ == nullptr) {
    AddDiagnostics({{.where = {.file = path.toStdString()},
                     .message = "open the plan's cell first (the plan holds no geometry)"}});
    emit planOpened(false);
    return;
  }
  // The messages of the plan opened (or made) before go with it.
  ClearDiagnostics("plan");
  // A plan of a large station is megabytes of JSON: it is read in a worker.
  ++reading_plans_;
  statusBar()->showMessage(QString("Reading %1…").arg(path));
  const int generation = generation_;
  std::shared_ptr<const cell::Cell> cell = cell_;
  RunWorker([this, path, generation, cell] {
    auto plan = std::make_shared<std::optional<plan::Plan>>();
    std::vector<Diagnostic> problems;
    try {
      if (std::filesystem::is_directory(path.toStdString())) {
        throw InputError(
            {{.where = {.file = path.toStdString()},
              .message = "is a directory, expected a plan.json file (did you mean " +
                         (std::filesystem::path(path.toStdString()) / "plan.json").string() +
                         "?)"}});
      }
      // A device (/dev/zero), FIFO or huge file would be read until memory runs out.
      if (const std::optional<std::string> problem =
              InputFileProblem(path.toStdString(), "plan (plan.json)")) {
        throw InputError({{.where = {.file = path.toStdString()}, .message = *problem}});
      }
      std::ifstream in(path.toStdString(), std::ios::binary);
      if (!in) {
        throw InputError(
            {{.where = {.file = path.toStdString()}, .message = "cannot read the file"}});
      }
      std::stringstream text;
      text << in.rdbuf();
      // With the cell: a hand-broken plan (a robot or weld the cell lacks, joint vectors of
      // another size) is refused at its line, as by `weldcell verify` and `export`.
      plan::Plan p = plan::PlanFromJson(text.str(), path.toStdString(), cell.get());
      try {
        // As `weldcell export`: a plan of another cell (or of another version of this one) is
        // refused, its robots would not be where it says.
        exporters::CheckPlanOfCell(p, *cell);
      } catch (const InputError& e) {
        std::vector<Diagnostic> diagnostics = e.diagnostics();
        for (Diagnostic& d : diagnostics) {
          d.where.file = path.toStdString();
          // Same name, another hash: the cell (or a file it names) was edited after planning.
          if (p.cell_name == cell->name) {
            d.message = "the plan was made for another version of cell " + cell->name +
                        ": the cell's files (cell.yaml, robots, guns, meshes, welds) changed "
                        "since the plan was made (hash " +
                        p.cell_hash + " then, " + plan::CellHash(*cell, p.seed) +
                        " now): plan this cell again";
          }
        }
        throw InputError(std::move(diagnostics));
      }
      *plan = std::move(p);
    } catch (const InputError& e) {
      problems = e.diagnostics();
    }
    QMetaObject::invokeMethod(
        this,
        [this, path, generation, plan, problems] {
          --reading_plans_;
          if (generation != generation_) return;
          if (!plan->has_value()) {
            AddDiagnostics(problems, "plan");
            statusBar()->showMessage(QString("%1: not opened, see Diagnostics").arg(path));
            emit planOpened(false);
            return;
          }
          SetPlan(std::move(**plan), path);
          emit planOpened(true);
          VerifyPlan(path);
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::VerifyPlan(const QString& path) {
  if (cell_ == nullptr || !plan_) return;
  // A plan file may have been edited after planning (its cell hash only says which cell it is
  // of): the independent verifier re-checks it, as `weldcell verify` does, in a worker.
  verifying_ = true;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancel_verify_ = cancel;
  const int generation = generation_;
  std::shared_ptr<const cell::Cell> cell = cell_;
  auto plan = std::make_shared<const plan::Plan>(*plan_);
  statusBar()->showMessage(QString("Verifying %1…").arg(path));
  RunWorker([this, path, generation, cell, plan, cancel] {
    auto report = std::make_shared<verify::VerifyReport>();
    std::vector<Diagnostic> problems;
    try {
      *report = verify::Verify(
          *plan, *cell,
          {.progress = Progress(
               [this, generation](std::string_view stage, std::int64_t done, std::int64_t total) {
                 const QString name =
                     stage == "verify" ? QString("verify")
                                       : "verify " + QString::fromUtf8(stage.data(), stage.size());
                 QMetaObject::invokeMethod(
                     this,
                     [this, generation, name, done, total] {
                       if (generation == generation_) emit workProgress(name, done, total);
                     },
                     Qt::QueuedConnection);
               },
               cancel.get())});
    } catch (const InputError& e) {
      problems = e.diagnostics();
    } catch (const std::exception& e) {
      problems.push_back({.where = {.file = path.toStdString()}, .message = e.what()});
    }
    QMetaObject::invokeMethod(
        this,
        [this, path, generation, report, problems, cancel] {
          if (generation != generation_ || *cancel) return;
          verifying_ = false;
          const std::string file = path.toStdString();
          std::vector<Diagnostic> diagnostics = problems;
          const PlanVerdict verdict = VerdictOf(*report, problems);
          const int violations = verdict.violations;
          const int unsafe_count = verdict.unsafe;
          plan_violations_ = violations;
          plan_verdict_ = verdict.text;
          if (problems.empty() && violations > 0) {
            diagnostics.push_back(
                {.where = {.file = file},
                 .key_path = "verify",
                 .message = "the plan fails independent verification (as `weldcell verify`): " +
                            std::to_string(violations) +
                            " violation(s): " + plan_verdict_.toStdString()});
            for (const std::string& line : verify::SummaryLines(*report)) {
              diagnostics.push_back(
                  {.where = {.file = file}, .key_path = "verify", .message = line});
            }
          }
          AddDiagnostics(diagnostics, "plan");
          // The verdict stays on the status bar's right while the time and waits change.
          verdict_label_->setText(plan_verdict_);
          verdict_label_->setToolTip(plan_verdict_);
          verdict_label_->setStyleSheet(violations == 0     ? "color: #1a7f37; font-weight: bold"
                                        : unsafe_count == 0 ? "color: #b06000; font-weight: bold"
                                                            : "color: #c00000; font-weight: bold");
          statusBar()->showMessage(
              violations == 0 ? QString("%1: verified, no violations").arg(path)
                              : QString("%1: %2, see Diagnostics").arg(path, plan_verdict_));
          emit planVerified(violations);
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::SetPlan(plan::Plan p, const QString& file) {
  if (cell_ == nullptr) return;
  if (cancel_verify_) *cancel_verify_ = true;
  verifying_ = false;
  plan_violations_ = -1;
  plan_verdict_.clear();
  verdict_label_->setText("plan not verified yet");
  verdict_label_->setStyleSheet({});
  plan_ = std::move(p);
  plan_robot_to_cell_.clear();
  weld_robot_.clear();
  zone_box_cache_.clear();
  shown_zones_.reset();
  std::vector<QColor> colors;
  for (const plan::RobotPlan& rp : plan_->robots) {
    int index = -1;
    for (std::size_t r = 0; r < cell_->robots.size(); ++r) {
      if (cell_->robots[r].name == rp.robot) index = static_cast<int>(r);
    }
    if (index < 0) {
      AddDiagnostics({{.severity = Severity::kWarning,
                       .where = {.file = file.isEmpty() ? cell_->source_file : file.toStdString()},
                       .key_path = "robots." + rp.robot,
                       .message = "the plan's robot is not in the open cell; not shown"}},
                     "plan");
    }
    plan_robot_to_cell_.push_back(index);
    colors.push_back(index >= 0 ? Palette::Robot(index) : QColor(Qt::gray));
    for (const plan::WeldVisit& visit : rp.welds) weld_robot_[visit.weld_id] = index;
  }
  gantt_->SetPlan(&*plan_, cell_->cycle_time, colors);
  export_action_->setEnabled(true);
  {
    const QSignalBlocker block(coloring_box_);
    coloring_box_->setCurrentIndex(1);
  }
  coloring_ = WeldColoring::kRobot;
  UpdateWeldList();
  UpdateLegend();
  SetTime(0);
  for (QDockWidget* dock : findChildren<QDockWidget*>()) {
    if (dock->objectName() == "timeline_dock") dock->raise();
  }
}

void MainWindow::ExportPrograms(const QString& folder) {
  if (cell_ == nullptr || !plan_) {
    emit exportFinished(false, "no plan to export");
    return;
  }
  statusBar()->showMessage("Exporting robot programs…");
  export_action_->setEnabled(false);
  // Why an earlier export wrote nothing is no longer news.
  ClearDiagnostics("export");
  std::shared_ptr<const cell::Cell> cell = cell_;
  auto plan = std::make_shared<const plan::Plan>(*plan_);
  const std::filesystem::path target = folder.toStdString();
  RunWorker([this, cell, plan, target] {
    bool ok = false;
    QString message;
    std::vector<Diagnostic> problems;
    try {
      // As `weldcell export`: programs only for a plan the independent verifier passes.
      exporters::CheckPlanOfCell(*plan, *cell);
      const int blocking = verify::Verify(*plan, *cell).unsafe_count();
      if (blocking > 0) {
        message = QString("no programs written: the plan fails verification (%1 violation(s))")
                      .arg(blocking);
      } else {
        const exporters::ExportResult result = exporters::ExportPlan(
            *plan, *cell, exporters::Site{}, {.skip_robots_without_controller = true});
        const std::size_t files =
            exporters::WriteProgramFiles(target, *plan, result, {.cell_name = plan->cell_name})
                .size();
        ok = true;
        message = QString("wrote %1 file(s) to %2")
                      .arg(files)
                      .arg(QString::fromStdString(target.string()));
      }
    } catch (const InputError& e) {
      problems = e.diagnostics();
      for (Diagnostic& d : problems) {
        if (d.where.file.empty()) d.where.file = target.string();
      }
      message = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      message = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, ok, message, problems, target] {
          export_action_->setEnabled(plan_.has_value());
          if (!problems.empty()) AddDiagnostics(problems, "export");
          if (!ok && problems.empty()) {
            // Named by the folder written into (there is no input file to name).
            AddDiagnostics({{.severity = Severity::kError,
                             .where = {.file = target.string()},
                             .key_path = "export",
                             .message = message.toStdString()}},
                           "export");
          }
          statusBar()->showMessage(message);
          emit exportFinished(ok, message);
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::StartPlanning(pipeline::PlanOptions options, bool quiet) {
  if (cell_ == nullptr || planning_) return;
  if (world_ == nullptr) {
    // The collision world is still being built: plan as soon as it is there (or not at all
    // when it cannot be built: backgroundFinished without a world).
    auto connections = std::make_shared<std::array<QMetaObject::Connection, 2>>();
    auto start = [this, options, quiet, connections] {
      for (const auto& c : *connections) disconnect(c);
      if (world_ != nullptr) StartPlanning(options, quiet);
    };
    (*connections)[0] = connect(this, &MainWindow::worldBuilt, this, start);
    (*connections)[1] = connect(this, &MainWindow::backgroundFinished, this, start);
    return;
  }
  if (background_busy_ && cancel_background_) {
    // Planning computes the reach map itself (it comes with the plan): the one being built
    // would only halve the cores for it. Built again if planning ends without one.
    *cancel_background_ = true;
    background_busy_ = false;
    background_label_->clear();
    UpdateStatus();
  }
  planning_ = true;
  plan_action_->setEnabled(false);
  ClearDiagnostics("plan");  // the new plan replaces the one they were about
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancel_planning_ = cancel;
  if (!quiet) {
    progress_ = new QProgressDialog("Planning…", "Cancel", 0, 100, this);
    progress_->setWindowModality(Qt::WindowModal);
    progress_->setMinimumDuration(0);
    progress_->setAutoClose(false);
    progress_->setAutoReset(false);
    connect(progress_, &QProgressDialog::canceled, this, [this] { CancelPlanning(); });
    progress_->show();
  }
  options.progress = Progress(
      [this](std::string_view stage, std::int64_t done, std::int64_t total) {
        const QString label = QString("Planning: %1 %2 / %3")
                                  .arg(QString::fromUtf8(stage.data(), stage.size()))
                                  .arg(done)
                                  .arg(total);
        const int percent = total > 0 ? static_cast<int>(100 * done / total) : 0;
        const QString name = "plan " + QString::fromUtf8(stage.data(), stage.size());
        QMetaObject::invokeMethod(
            this,
            [this, label, percent, name, done, total] {
              emit workProgress(name, done, total);
              if (progress_ != nullptr) {
                progress_->setLabelText(label);
                progress_->setValue(percent);
              }
              statusBar()->showMessage(label);
            },
            Qt::QueuedConnection);
      },
      cancel.get());
  const int generation = generation_;
  std::shared_ptr<const cell::Cell> cell = cell_;
  std::shared_ptr<const collision::CollisionWorld> world = world_;
  RunWorker([this, cell, world, options, cancel, generation] {
    // As `weldcell plan`: a robot that cannot leave its home (homes colliding, two robots on
    // one base) is an error of the cell, not an empty plan.
    std::vector<Diagnostic> problems;
    try {
      problems = verify::CheckHomes(*cell, verify::MakeVerifierWorld(*cell));
    } catch (const InputError& e) {
      problems = e.diagnostics();
    }
    auto out = std::make_shared<pipeline::PlanOutput>();
    if (problems.empty()) {
      try {
        *out = pipeline::PlanCell(*cell, *world, options);
      } catch (const InputError& e) {
        // A robot that moves for longer than a plan may hold (pipeline::CheckMotionTimes).
        problems = e.diagnostics();
      }
    }
    QMetaObject::invokeMethod(
        this,
        [this, out, cancel, generation, problems] {
          planning_ = false;
          if (progress_ != nullptr) {
            progress_->deleteLater();
            progress_ = nullptr;
          }
          if (generation != generation_) return;
          plan_action_->setEnabled(world_ != nullptr);
          // Planning cancelled the reach map being built; without its own, build it again.
          const bool complete =
              problems.empty() && out->status == pipeline::PlanStatus::kComplete && !*cancel;
          if (!complete && !reach_ && !background_busy_ && world_ != nullptr) {
            BuildWorldAndReach();
          }
          if (!problems.empty()) {
            // Listed already when the collision world was built (the same check).
            if (station_errors_ == 0) AddDiagnostics(problems);
            statusBar()->showMessage(
                QString("Not planned: %1 error(s) of the cell, see Diagnostics")
                    .arg(problems.size()));
            emit planningFinished(false);
            return;
          }
          if (complete) {
            reach_ = std::move(out->reach);
            SetPlan(std::move(out->plan));
            // The plan is verified as `weldcell plan` verifies it (and as an opened plan).
            VerifyPlan("the plan made here");
          } else {
            statusBar()->showMessage("Planning cancelled");
          }
          emit planningFinished(complete);
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::CancelPlanning() {
  if (cancel_planning_) *cancel_planning_ = true;
}

void MainWindow::UpdateTimeWidgets() {
  const double duration = plan_ ? PlanDuration(*plan_) : 0.0;
  if (!plan_) {
    time_label_->setText("no plan");
  } else {
    time_label_->setText(QString("%1 s / %2 s")
                             .arg(QString::fromStdString(FormatSeconds(time_)),
                                  QString::fromStdString(FormatSeconds(duration))));
  }
  const QSignalBlocker block(time_slider_);
  time_slider_->setValue(
      duration > 0 ? static_cast<int>(std::lround(time_ / duration * kSliderSteps)) : 0);
  gantt_->SetTime(time_);
}

void MainWindow::SetTime(double t) {
  if (!plan_ || station_ == nullptr) return;
  time_ = std::clamp(t, 0.0, PlanDuration(*plan_));
  const StationMoment moment = MomentAt(*plan_, time_);
  std::vector<std::string> zones;
  QStringList waiting;
  for (std::size_t i = 0; i < moment.robots.size(); ++i) {
    const int r = plan_robot_to_cell_[i];
    if (r < 0) continue;
    const RobotMoment& m = moment.robots[i];
    station_->SetConfiguration(r, m.q);
    const bool waits = m.segment >= 0 && m.activity == plan::SegmentKind::kWait;
    station_->SetRobotTint(r, std::nullopt);
    station_->SetRobotWaiting(r, waits);
    if (waits) {
      QStringList what;
      for (const std::string& w : m.waiting_for) {
        what << QString::fromStdString(w);
        if (w.rfind("after ", 0) != 0) zones.push_back(w);
      }
      waiting << QString("%1 waits for %2")
                     .arg(QString::fromStdString(plan_->robots[i].robot),
                          what.isEmpty() ? QString("its turn") : what.join(", "));
    }
  }
  std::fill(jog_problems_.begin(), jog_problems_.end(), std::string());
  SyncJogSliders();
  // The zones' boxes need the collision world (the robots' bodies): until it is built none are
  // drawn and none are recorded as drawn, so that they are drawn once it is there.
  const bool zones_drawable = zones.empty() || world_ != nullptr;
  if (!zones_drawable) {
    if (shown_zones_ && !shown_zones_->empty()) station_->ShowZoneBoxes({});
    shown_zones_.reset();
  } else if (zones != shown_zones_) {
    station_->ShowZoneBoxes(ZoneBoxes(zones));
    shown_zones_ = zones;
  }
  welds_done_ = {moment.welds_done.begin(), moment.welds_done.end()};
  ApplyWeldColors();
  UpdateTimeWidgets();
  statusBar()->showMessage(
      waiting.isEmpty()
          ? QString("t = %1 s").arg(QString::fromStdString(FormatSeconds(time_)))
          : waiting.join("; ") + (zones_drawable ? QString()
                                                 : QString(" (zones drawn once the collision world "
                                                           "is built)")));
}

std::vector<Eigen::AlignedBox3d> MainWindow::ZoneBoxes(const std::vector<std::string>& zone_ids) {
  std::vector<Eigen::AlignedBox3d> boxes;
  if (!plan_ || world_ == nullptr || context_ == nullptr) return boxes;
  for (const std::string& id : zone_ids) {
    if (auto it = zone_box_cache_.find(id); it != zone_box_cache_.end()) {
      boxes.push_back(it->second);
      continue;
    }
    // The zone drawn is the space its robots share: the intersection of the boxes each robot's
    // bodies sweep while it holds the zone (their union when they do not intersect).
    Eigen::AlignedBox3d shared, all;
    bool first = true;
    for (const plan::Zone& zone : plan_->zones) {
      if (zone.id != id) continue;
      for (const plan::ZoneUse& use : zone.uses) {
        int robot = -1, plan_robot = -1;
        for (std::size_t i = 0; i < plan_->robots.size(); ++i) {
          if (plan_->robots[i].robot == use.robot) {
            plan_robot = static_cast<int>(i);
            robot = plan_robot_to_cell_[i];
          }
        }
        if (robot < 0) continue;
        const plan::RobotPlan& rp = plan_->robots[static_cast<std::size_t>(plan_robot)];
        Eigen::AlignedBox3d swept;
        std::vector<Eigen::AlignedBox3d> body_boxes;
        const int end = std::min<int>(use.release_segment, static_cast<int>(rp.segments.size()));
        for (int s = use.acquire_segment; s < end; ++s) {
          const plan::Segment& segment = rp.segments[static_cast<std::size_t>(s)];
          for (std::size_t k = 0; k < segment.q.size(); k += 5) {
            world_->BodyBoxes(*context_, robot, segment.q[k], 0.0, &body_boxes);
            for (const Eigen::AlignedBox3d& b : body_boxes) swept.extend(b);
          }
        }
        if (swept.isEmpty()) continue;
        all.extend(swept);
        shared = first ? swept : shared.intersection(swept);
        first = false;
      }
    }
    const Eigen::AlignedBox3d box = !shared.isEmpty() ? shared : all;
    zone_box_cache_[id] = box;
    boxes.push_back(box);
  }
  return boxes;
}

void MainWindow::Play() {
  if (!plan_) return;
  if (time_ >= PlanDuration(*plan_)) SetTime(0);
  clock_->start();
  timer_->start();
}

void MainWindow::Pause() {
  if (timer_ != nullptr) timer_->stop();
}

bool MainWindow::playing() const { return timer_->isActive(); }

void MainWindow::SetSpeed(double factor) {
  speed_ = std::clamp(factor, 0.1, 10.0);
  for (int i = 0; i < speed_box_->count(); ++i) {
    if (std::abs(speed_box_->itemData(i).toDouble() - speed_) < 1e-9) {
      const QSignalBlocker block(speed_box_);
      speed_box_->setCurrentIndex(i);
    }
  }
}

void MainWindow::Tick() {
  if (!plan_) return;
  const double dt = clock_->restart() / 1000.0;
  SetTime(time_ + dt * speed_);
  if (time_ >= PlanDuration(*plan_)) Pause();
}

void MainWindow::StepEvent(int direction) {
  if (!plan_) return;
  Pause();
  // Events: the starts of every robot's segments (moves, welds, waits) and the plan's end.
  std::vector<double> events{PlanDuration(*plan_)};
  for (const plan::RobotPlan& rp : plan_->robots) {
    for (const plan::Segment& s : rp.segments) {
      if (!s.times.empty()) events.push_back(s.times.front());
    }
  }
  std::sort(events.begin(), events.end());
  double target = direction > 0 ? events.back() : 0.0;
  if (direction > 0) {
    for (double e : events) {
      if (e > time_ + 1e-6) {
        target = e;
        break;
      }
    }
  } else {
    for (double e : events) {
      if (e < time_ - 1e-6) target = e;
    }
  }
  SetTime(target);
}

void MainWindow::ShowStandardView(StandardView view) {
  if (station_ == nullptr) return;
  const QWidget* w = scene_->widget();
  scene_->SetCamera(station_->ViewOf(view, scene_->field_of_view_deg(),
                                     double(w->width()) / std::max(1, w->height())));
}

bool MainWindow::ShowPane(const QString& name) {
  if (!QStringList{"timeline", "diagnostics", "inspector"}.contains(name)) return false;
  for (QDockWidget* dock : findChildren<QDockWidget*>()) {
    if (dock->objectName() == name + "_dock") {
      dock->show();
      dock->raise();
    }
  }
  return true;
}

void MainWindow::SetWeldColoring(WeldColoring coloring) {
  coloring_ = coloring;
  {
    const QSignalBlocker block(coloring_box_);
    coloring_box_->setCurrentIndex(coloring == WeldColoring::kReach ? 0 : 1);
  }
  ApplyWeldColors();
  UpdateLegend();
}

void MainWindow::ApplyWeldColors() {
  if (station_ == nullptr) return;
  for (std::size_t i = 0; i < cell_->welds.size(); ++i) {
    const std::string& id = cell_->welds[i].id;
    QColor color = Palette::ReachUnknown();
    if (welds_done_.count(id) != 0) {
      color = Palette::Done();
    } else if (coloring_ == WeldColoring::kRobot) {
      if (auto it = weld_robot_.find(id); it != weld_robot_.end() && it->second >= 0) {
        color = Palette::Robot(it->second);
      } else if (reach_ && !reach_->reachable(static_cast<int>(i))) {
        color = Palette::Unreachable();
      }
    } else if (reach_) {
      color =
          reach_->reachable(static_cast<int>(i)) ? Palette::Reachable() : Palette::Unreachable();
    }
    station_->SetWeldColor(static_cast<int>(i), color);
  }
}

void MainWindow::UpdateLegend() {
  QString html = "<b>Robots</b><br>";
  if (cell_ != nullptr) {
    for (std::size_t r = 0; r < cell_->robots.size(); ++r) {
      html += Html(Palette::Robot(static_cast<int>(r)),
                   QString::fromStdString(cell_->robots[r].name).toHtmlEscaped());
    }
  }
  html += Html(Palette::Body(), "body / part") + Html(Palette::Fixture(), "fixtures");
  html += "<b>Welds</b><br>";
  if (coloring_ == WeldColoring::kReach) {
    html += Html(Palette::Reachable(), "reachable") + Html(Palette::Unreachable(), "unreachable") +
            Html(Palette::ReachUnknown(), "reach running");
  } else {
    html += "robot colour: assigned<br>" + Html(Palette::Unreachable(), "unreachable") +
            Html(Palette::ReachUnknown(), "not planned");
  }
  html += Html(Palette::Done(), "done (timeline)");
  html += "<b>States</b><br>" + Html(Palette::Waiting(), "waiting: gun and base ring") +
          QString("<span style='color:%1'>&#9633;</span> zone it waits for (outline)<br>")
              .arg(Palette::Zone().name()) +
          Html(Palette::Collision(), "in collision / past a limit (jog)");
  legend_->setText(html);
}

void MainWindow::UpdateStatus() {
  if (cell_ == nullptr) return;
  statusBar()->showMessage(
      QString("%1: %2 robots, %3 welds, %4 obstacles%5")
          .arg(QString::fromStdString(cell_->name))
          .arg(cell_->robots.size())
          .arg(cell_->welds.size())
          .arg(cell_->obstacles.size())
          .arg(background_busy_ ? " — building collision world and reach…" : ""));
}

void MainWindow::BuildSceneTree() {
  const QSignalBlocker block(scene_tree_);
  scene_tree_->clear();
  auto add = [](QTreeWidgetItem* parent, const QString& name, int kind, int index, bool on) {
    auto* item = new QTreeWidgetItem(parent, {name});
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(0, on ? Qt::Checked : Qt::Unchecked);
    item->setData(0, Qt::UserRole, kind);
    item->setData(0, Qt::UserRole + 1, index);
    return item;
  };
  auto* robots = new QTreeWidgetItem(scene_tree_, {"Robots"});
  for (std::size_t r = 0; r < cell_->robots.size(); ++r) {
    const cell::Robot& robot = cell_->robots[r];
    add(robots,
        QString("%1 (%2, %3)")
            .arg(QString::fromStdString(robot.name), QString::fromStdString(robot.model->name),
                 QString::fromStdString(robot.tool.name)),
        kRobotItem, static_cast<int>(r), true);
  }
  auto* obstacles = new QTreeWidgetItem(scene_tree_, {"Obstacles"});
  for (std::size_t o = 0; o < cell_->obstacles.size(); ++o) {
    add(obstacles, QString::fromStdString(cell_->obstacles[o].name), kObstacleItem,
        static_cast<int>(o), true);
  }
  auto* layers = new QTreeWidgetItem(scene_tree_, {"Layers"});
  add(layers, QString("Welds (%1)").arg(cell_->welds.size()), kWeldsItem, 0, true);
  add(layers, "Visual geometry", kVisualItem, 0, true);
  add(layers, "Collision geometry", kCollisionItem, 0, false);
  add(layers, "Interlock zones", kZonesItem, 0, true)
      ->setToolTip(0, "The interlock zones that waiting robots wait for (yellow outlines)");
  // A label cut by a narrow pane is whole in its tooltip.
  for (QTreeWidgetItemIterator it(scene_tree_); *it; ++it) {
    if ((*it)->toolTip(0).isEmpty()) (*it)->setToolTip(0, (*it)->text(0));
  }
  scene_tree_->expandAll();
}

void MainWindow::OnSceneItemChanged(QTreeWidgetItem* item, int) {
  if (station_ == nullptr) return;
  const bool on = item->checkState(0) == Qt::Checked;
  const int index = item->data(0, Qt::UserRole + 1).toInt();
  switch (item->data(0, Qt::UserRole).toInt()) {
    case kRobotItem:
      station_->SetRobotVisible(index, on);
      break;
    case kObstacleItem:
      station_->SetObstacleVisible(index, on);
      break;
    case kWeldsItem:
      station_->SetWeldsVisible(on);
      break;
    case kVisualItem:
    case kCollisionItem: {
      bool visual = true, collision = false;
      for (QTreeWidgetItemIterator it(scene_tree_); *it; ++it) {
        const int kind = (*it)->data(0, Qt::UserRole).toInt();
        if (kind == kVisualItem) visual = (*it)->checkState(0) == Qt::Checked;
        if (kind == kCollisionItem) collision = (*it)->checkState(0) == Qt::Checked;
      }
      station_->SetGeometryLayers(visual, collision);
      break;
    }
    default:
      break;
  }
}

void MainWindow::UpdateWeldList() {
  const QSignalBlocker block(weld_list_);
  weld_list_->clear();
  if (cell_ == nullptr) return;
  for (std::size_t i = 0; i < cell_->welds.size(); ++i) {
    const std::string& id = cell_->welds[i].id;
    QString reach = "…";
    if (reach_) {
      int robots = 0;
      for (int r = 0; r < reach_->robot_count(); ++r) {
        robots += reach_->at(static_cast<int>(i), r).status == reach::ReachStatus::kReachable;
      }
      reach = robots == 0 ? QString("none") : QString("%1 robot(s)").arg(robots);
    }
    QString robot;
    if (auto it = weld_robot_.find(id); it != weld_robot_.end() && it->second >= 0) {
      robot = QString::fromStdString(cell_->robots[static_cast<std::size_t>(it->second)].name);
    }
    auto* item = new QTreeWidgetItem(weld_list_, {QString::fromStdString(id), reach, robot});
    item->setData(0, Qt::UserRole, static_cast<int>(i));
    if (static_cast<int>(i) == selected_weld_) weld_list_->setCurrentItem(item);
  }
}

void MainWindow::SelectWeld(int weld) {
  if (cell_ == nullptr || weld >= static_cast<int>(cell_->welds.size())) return;
  selected_weld_ = weld;
  station_->SelectWeld(weld);
  if (weld < 0) {
    inspector_->clear();
    station_->ShowGhostGuns({});
    return;
  }
  const cell::Weld& w = cell_->welds[static_cast<std::size_t>(weld)];
  QString text = QString("%1 at (%2, %3, %4) mm, normal (%5, %6, %7)\n")
                     .arg(QString::fromStdString(w.id))
                     .arg(w.p_W.x() * 1000, 0, 'f', 1)
                     .arg(w.p_W.y() * 1000, 0, 'f', 1)
                     .arg(w.p_W.z() * 1000, 0, 'f', 1)
                     .arg(w.n_W.x(), 0, 'f', 2)
                     .arg(w.n_W.y(), 0, 'f', 2)
                     .arg(w.n_W.z(), 0, 'f', 2);
  if (plan_) {
    for (const plan::RobotPlan& rp : plan_->robots) {
      for (const plan::WeldVisit& v : rp.welds) {
        if (v.weld_id == w.id) {
          text += QString("planned: %1 welds it %2–%3 s\n")
                      .arg(QString::fromStdString(rp.robot))
                      .arg(QString::fromStdString(FormatSeconds(v.start_time)),
                           QString::fromStdString(FormatSeconds(v.end_time)));
        }
      }
    }
    for (const plan::UnreachableWeld& u : plan_->unreachable) {
      if (u.weld_id == w.id) text += "not planned: " + QString::fromStdString(u.reason) + "\n";
    }
  }
  std::vector<std::pair<int, Eigen::Isometry3d>> ghosts;
  if (!reach_) {
    text += "reach: still running…\n";
  } else {
    for (int r = 0; r < reach_->robot_count(); ++r) {
      const reach::WeldReach& wr = reach_->at(weld, r);
      text += QString("%1: %2").arg(
          QString::fromStdString(cell_->robots[static_cast<std::size_t>(r)].name),
          QString::fromStdString(std::string(reach::ToString(wr.status))));
      if (!wr.candidates.empty()) text += QString(", %1 candidate(s)").arg(wr.candidates.size());
      if (!wr.detail.empty()) text += " — " + QString::fromStdString(wr.detail);
      text += "\n";
      const int shown = std::min<int>(kMaxGhostsPerRobot, static_cast<int>(wr.candidates.size()));
      for (int c = 0; c < shown; ++c) {
        // Spread the ghosts over the candidate list (spins differ most across it).
        const auto k = static_cast<std::size_t>(c * static_cast<int>(wr.candidates.size()) / shown);
        const cell::Robot& robot = cell_->robots[static_cast<std::size_t>(r)];
        ghosts.emplace_back(r, robot.X_WB * station_->chain(r).FlangePose(wr.candidates[k].q));
      }
    }
  }
  station_->ShowGhostGuns(ghosts);
  inspector_->setPlainText(text);
  const QSignalBlocker block(weld_list_);
  for (int i = 0; i < weld_list_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = weld_list_->topLevelItem(i);
    if (item->data(0, Qt::UserRole).toInt() == weld) weld_list_->setCurrentItem(item);
  }
}

QString MainWindow::inspector_text() const { return inspector_->toPlainText(); }

void MainWindow::BuildJogPanel() {
  if (jog_joints_ != nullptr) {
    jog_layout_->removeWidget(jog_joints_);
    jog_joints_->deleteLater();
    jog_joints_ = nullptr;
  }
  jog_sliders_.clear();
  jog_values_.clear();
  jog_status_->clear();
  const int robot = jog_robot_->currentIndex();
  if (cell_ == nullptr || station_ == nullptr || robot < 0) return;
  const kinematics::Chain& chain = station_->chain(robot);
  const Eigen::VectorXd& q = station_->configuration(robot);
  jog_joints_ = new QWidget;
  auto* form = new QFormLayout(jog_joints_);
  form->setContentsMargins(0, 0, 0, 0);
  // In a narrow pane (a 640 px window) the joint's name goes above its slider instead of the
  // row running out of the pane.
  form->setRowWrapPolicy(QFormLayout::WrapLongRows);
  updating_jog_ = true;
  for (int j = 0; j < chain.dof(); ++j) {
    const double scale = JointScale(chain.joint_type(j));
    auto* slider = new QSlider(Qt::Horizontal);
    // Tenths of a degree (or mm), a little past each limit so that a limit can be crossed.
    slider->setRange(static_cast<int>(std::floor((chain.lower()[j] * scale - kJogOverrange) * 10)),
                     static_cast<int>(std::ceil((chain.upper()[j] * scale + kJogOverrange) * 10)));
    slider->setValue(static_cast<int>(std::lround(q[j] * scale * 10)));
    slider->setMinimumWidth(40);
    auto* value = new QLabel;
    // Slider and value share the row; a value with its pendant value wraps to a second line in
    // a narrow pane (a 640 px window: it was cut at the pane's edge).
    value->setWordWrap(true);
    value->setMinimumWidth(value->fontMetrics().horizontalAdvance("-999.9 (pendant"));
    auto* row = new QHBoxLayout;
    row->addWidget(slider, 2);
    row->addWidget(value, 3);
    form->addRow(QString::fromStdString(chain.joint_names()[static_cast<std::size_t>(j)]), row);
    connect(slider, &QSlider::valueChanged, this, [this, robot](int) {
      if (!updating_jog_) ApplyJog(robot);
    });
    jog_sliders_.push_back(slider);
    jog_values_.push_back(value);
  }
  updating_jog_ = false;
  ShowJogValues(robot, q);
  jog_layout_->insertWidget(2, jog_joints_);
}

void MainWindow::ShowJogValues(int robot, const Eigen::VectorXd& q) {
  const kinematics::Chain& chain = station_->chain(robot);
  const Eigen::VectorXd pendant =
      kinematics::ToController(cell_->robots[static_cast<std::size_t>(robot)].model->controller, q);
  for (int j = 0; j < chain.dof() && j < static_cast<int>(jog_values_.size()); ++j) {
    const double scale = JointScale(chain.joint_type(j));
    QString text = QString::number(q[j] * scale, 'f', 1);
    if (std::abs(pendant[j] - q[j]) > 1e-9) {
      text += QString(" (pendant %1)").arg(pendant[j] * scale, 0, 'f', 1);
    }
    jog_values_[static_cast<std::size_t>(j)]->setText(text);
  }
}

QString MainWindow::jog_text() const {
  QString text = jog_convention_->text();
  for (const QLabel* value : jog_values_) text += "\n" + value->text();
  return text;
}

void MainWindow::SyncJogSliders() {
  const int robot = jog_robot_->currentIndex();
  if (station_ == nullptr || robot < 0 || jog_sliders_.empty()) return;
  const kinematics::Chain& chain = station_->chain(robot);
  const Eigen::VectorXd& q = station_->configuration(robot);
  updating_jog_ = true;
  for (int j = 0; j < chain.dof() && j < static_cast<int>(jog_sliders_.size()); ++j) {
    const double scale = JointScale(chain.joint_type(j));
    jog_sliders_[static_cast<std::size_t>(j)]->setValue(
        static_cast<int>(std::lround(q[j] * scale * 10)));
  }
  updating_jog_ = false;
  ShowJogValues(robot, q);
  jog_status_->clear();
}

void MainWindow::ApplyJog(int robot) {
  if (station_ == nullptr) return;
  Pause();
  const kinematics::Chain& chain = station_->chain(robot);
  Eigen::VectorXd q(chain.dof());
  for (int j = 0; j < chain.dof(); ++j) {
    const double scale = JointScale(chain.joint_type(j));
    q[j] = jog_sliders_[static_cast<std::size_t>(j)]->value() / 10.0 / scale;
  }
  ShowJogValues(robot, q);
  station_->SetConfiguration(robot, q);
  std::string problem;
  for (int j = 0; j < chain.dof(); ++j) {
    if (q[j] < chain.lower()[j] || q[j] > chain.upper()[j]) {
      const double scale = JointScale(chain.joint_type(j));
      problem += (problem.empty() ? "" : "; ") + chain.joint_names()[static_cast<std::size_t>(j)] +
                 " past its limit (" +
                 QString::number(chain.lower()[j] * scale, 'f', 1).toStdString() + " … " +
                 QString::number(chain.upper()[j] * scale, 'f', 1).toStdString() + ")";
    }
  }
  if (world_ != nullptr && context_ != nullptr) {
    const collision::CollisionResult hit =
        world_->CheckRobot(*context_, robot, q, {.report = collision::ContactReport::kAll});
    if (hit.in_collision()) problem += (problem.empty() ? "" : "; ") + collision::ToString(hit);
    for (int other = 0; other < world_->robot_count(); ++other) {
      if (other == robot) continue;
      const collision::CollisionResult pair =
          world_->CheckRobotPair(*context_, robot, q, other, station_->configuration(other));
      if (pair.in_collision()) problem += (problem.empty() ? "" : "; ") + collision::ToString(pair);
    }
  }
  jog_problems_[static_cast<std::size_t>(robot)] = problem;
  station_->SetRobotTint(
      robot, problem.empty() ? std::nullopt : std::optional<QColor>(Palette::Collision()));
  jog_status_->setText(world_ == nullptr ? "collision world still being built: limits only"
                       : problem.empty() ? "free, within limits"
                                         : QString::fromStdString(problem));
  jog_status_->setStyleSheet(problem.empty() ? "" : "color: rgb(200,0,0)");
}

void MainWindow::JogJoint(int robot, int joint, double deg) {
  if (cell_ == nullptr || robot < 0 || robot >= static_cast<int>(cell_->robots.size())) return;
  if (jog_robot_->currentIndex() != robot) jog_robot_->setCurrentIndex(robot);
  if (joint < 0 || joint >= static_cast<int>(jog_sliders_.size())) return;
  QSlider* slider = jog_sliders_[static_cast<std::size_t>(joint)];
  const int value = static_cast<int>(std::lround(deg * 10));
  if (slider->value() == value) {
    ApplyJog(robot);
  } else {
    slider->setValue(value);
  }
}

std::string MainWindow::jog_problem(int robot) const {
  return robot >= 0 && robot < static_cast<int>(jog_problems_.size())
             ? jog_problems_[static_cast<std::size_t>(robot)]
             : std::string();
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (docks_sized_) return;
  docks_sized_ = true;
  // The panes' preferred sizes (230 px left, 300 px right, 190 px timeline) leave a small
  // window (say 640x480) little room for the station: there they take a share of it instead.
  QDockWidget* scene = findChild<QDockWidget*>("scene_dock");
  QDockWidget* inspector = findChild<QDockWidget*>("inspector_dock");
  QDockWidget* timeline = findChild<QDockWidget*>("timeline_dock");
  if (scene == nullptr || inspector == nullptr || timeline == nullptr) return;
  resizeDocks({scene, inspector}, {std::min(230, width() / 5), std::min(300, width() * 2 / 7)},
              Qt::Horizontal);
  resizeDocks({timeline}, {std::min(190, height() / 4)}, Qt::Vertical);
}

void MainWindow::resizeEvent(QResizeEvent* event) {
  QMainWindow::resizeEvent(event);
  if (file_toolbar_ == nullptr || view_toolbar_ == nullptr) return;
  // One row when both toolbars fit side by side, else two.
  const int needed = file_toolbar_->sizeHint().width() + view_toolbar_->sizeHint().width() + 16;
  const bool wrap = needed > width();
  if (wrap == toolbars_wrapped_) return;
  toolbars_wrapped_ = wrap;
  if (wrap) {
    insertToolBarBreak(view_toolbar_);
  } else {
    removeToolBarBreak(view_toolbar_);
  }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    const QString file = url.toLocalFile();
    if (file.endsWith(".json", Qt::CaseInsensitive)) {
      OpenPlan(file);
    } else {
      OpenCell(file);
    }
  }
}

}  // namespace weldcell::gui
