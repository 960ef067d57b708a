#pragma once
// The viewer's main window: the 3D station (gui::Scene + StationView), a scene tree with
// visibility toggles, the diagnostics pane, the weld inspector with joint jogging, the timeline
// with its Gantt chart, and planning in a worker thread. Planning, reach and collision-world
// construction never run on the UI thread. UI thread only.

#include <QMainWindow>
#include <QString>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gui/scene.hpp"
#include "gui/station_view.hpp"
#include "planner/cell/cell.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/pipeline/stages.hpp"
#include "planner/plan/plan.hpp"
#include "planner/reach/reach.hpp"

class QAction;
class QComboBox;
class QDockWidget;
class QHBoxLayout;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressDialog;
class QSlider;
class QThread;
class QTimer;
class QToolBar;
class QTreeWidget;
class QTreeWidgetItem;
class QElapsedTimer;
class QVBoxLayout;

namespace weldcell::collision {
class CollisionWorld;
class CollisionContext;
}  // namespace weldcell::collision

namespace weldcell::gui {

class GanttWidget;

enum class WeldColoring { kReach, kRobot };

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens a cell: reads it and prepares its display meshes in a worker thread, then draws it
  /// and starts building the collision world and the reach map in another. cellOpened() tells
  /// when; on bad input every error is listed in the diagnostics pane.
  void OpenCell(const QString& path);
  /// True while a cell or a plan is being read (OpenCell, OpenPlan).
  bool loading() const { return loading_ || reading_plans_ > 0; }
  /// Reads a plan.json for the open cell in a worker thread (while a cell is loading: once it
  /// is open) and shows it; planOpened() tells when. A plan of another cell, or of another
  /// version of this one (cell hash), is refused as `weldcell export` refuses it. Errors go to
  /// the diagnostics pane.
  void OpenPlan(const QString& path);
  /// Shows a plan (e.g. from PlanCell) in the scene and the timeline; `file`, where it was read
  /// from (empty: made here), names it in its warnings.
  void SetPlan(plan::Plan plan, const QString& file = {});
  /// Plans the open cell in a worker thread (progress dialog unless `quiet`); the result opens
  /// in the timeline; planningFinished() tells when. Needs the collision world (waits for it).
  void StartPlanning(pipeline::PlanOptions options = {}, bool quiet = false);
  /// Cancels running planning (the worker stops within one unit of work).
  void CancelPlanning();
  /// Exports the open plan as robot programs into `folder` (each robot in its cell dialect,
  /// default site), in a worker thread, as `weldcell export` does: only a plan the verifier
  /// passes (unplanned welds and the cycle time aside), every file read back by its dialect's
  /// reader and written atomically. exportFinished() tells the outcome; errors also go to the
  /// diagnostics pane.
  void ExportPrograms(const QString& folder);

  /// Timeline: moves every robot to the plan at time t (s), clamped to the plan.
  void SetTime(double t);
  double time() const { return time_; }
  void Play();
  void Pause();
  bool playing() const;
  void SetSpeed(double factor);

  void ShowStandardView(StandardView view);
  /// Brings the pane `name` to the front of its tab group: "timeline" or "diagnostics" (they
  /// share the bottom), "inspector". Returns false for another name.
  bool ShowPane(const QString& name);
  void SetWeldColoring(WeldColoring coloring);

  /// Inspection: selects a weld (index into cell.welds; -1 none), shows its candidates' guns
  /// and every robot's reach verdict in the inspector.
  void SelectWeld(int weld);
  QString inspector_text() const;
  /// Jog: sets joint `joint` of robot `robot` to `deg` degrees (or mm for a prismatic joint)
  /// through its slider, and checks limits and collisions like the slider does.
  void JogJoint(int robot, int joint, double deg);
  /// The jog verdict of a robot: empty when free and within limits.
  std::string jog_problem(int robot) const;
  /// The jog panel's text: its note on the joint convention, then one line per joint (the
  /// URDF value, and the teach pendant's in brackets where it differs).
  QString jog_text() const;

  Scene* scene() { return scene_.get(); }
  StationView* station() { return station_.get(); }
  const cell::Cell* cell() const { return cell_.get(); }
  const plan::Plan* plan() const { return plan_ ? &*plan_ : nullptr; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  QListWidget* diagnostics_list() { return diagnostics_list_; }
  /// Shows the source line of diagnostics row `row` in the pane (as a click does).
  void ShowDiagnosticLine(int row);
  QString diagnostic_line_text() const;
  GanttWidget* gantt() { return gantt_; }
  /// True while the collision world or the reach map is being built.
  bool background_busy() const { return background_busy_; }
  bool planning() const { return planning_; }
  /// True while an opened plan is being verified (OpenPlan).
  bool verifying() const { return verifying_; }
  /// Violations the independent verifier (planner/verify, as `weldcell verify`) found in the
  /// plan opened last; -1 while it runs or when the open plan was not opened from a file.
  int plan_violations() const { return plan_violations_; }
  /// The verdict on the plan opened last, as the status bar shows it: "plan verified"; "plan
  /// verified safe, but 3 weld(s) not planned and over the cycle time (4 violation(s), none of
  /// them unsafe)" (what `weldcell plan` counts under its requirement lines, not as unclean
  /// verification); or "plan FAILS verification: 2 unsafe violation(s) (1 collision, ...)".
  /// Empty while it is verified.
  QString plan_verdict() const { return plan_verdict_; }
  /// Errors of the station checks `weldcell check` runs (verify::CheckHomes: homes in
  /// collision), found once the collision world is built; 0 before. They are in the
  /// diagnostics, and the robots concerned are drawn red until a plan moves them.
  int station_errors() const { return station_errors_; }
  const reach::ReachMap* reach_map() const { return reach_ ? &*reach_ : nullptr; }

 signals:
  /// OpenCell is done: ok, or the diagnostics pane lists why not.
  void cellOpened(bool ok);
  /// OpenPlan is done: ok (the plan is on the timeline), or the diagnostics pane lists why not.
  void planOpened(bool ok);
  /// The opened plan is verified: `violations` found (0: it passes), also in the diagnostics.
  void planVerified(int violations);
  /// The collision world is built (jogging checks collisions, zones are drawn, planning may
  /// start); the reach map follows (backgroundFinished).
  void worldBuilt();
  /// The collision world and the reach map are built (or failed: see the diagnostics).
  void backgroundFinished();
  void planningFinished(bool complete);
  /// Progress of background work, on the UI thread: `stage` ("reach", "verify", or a planner
  /// stage such as "motion"), `done` of `total` units (welds, checks, ...).
  void workProgress(const QString& stage, qint64 done, qint64 total);
  /// ok: every program written; message: what was written, or why nothing was.
  void exportFinished(bool ok, const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  /// Builds the window, part by part with the functions below: the toolbars, the panes (each
  /// Add...Dock adds its dock and returns it for BuildUi to arrange) and the status bar.
  void BuildUi();
  void BuildFileToolbar();
  void BuildViewToolbar();
  QDockWidget* AddSceneDock();
  void AddLegendDock();
  QDockWidget* AddInspectorDock();
  QWidget* BuildJogBox();
  QDockWidget* AddTimelineDock();
  QHBoxLayout* BuildPlaybackControls();
  QDockWidget* AddDiagnosticsDock();
  void BuildStatusBar();
  void BuildSceneTree();
  void BuildWeldList();
  void BuildJogPanel();
  void ClearCell();
  void ShowCell(DisplayMeshes meshes);
  /// Builds the collision world (unless built) and then the reach map in a worker.
  void BuildWorldAndReach();
  /// Lists diagnostics in the pane; `action` tags them ("plan": reading and verifying the open
  /// plan, "export"; empty: opening the cell) so that ClearDiagnostics(action) removes them when
  /// that action runs again: a message in the pane is about what is open now. Each row's
  /// tooltip says which action it came from and when.
  void AddDiagnostics(const std::vector<Diagnostic>& diagnostics, const QString& action = {});
  void ClearDiagnostics(const QString& action);
  void ApplyWeldColors();
  void UpdateTimeWidgets();
  void UpdateLegend();
  void UpdateStatus();
  void Tick();
  void StepEvent(int direction);
  void ApplyJog(int robot);
  void SyncJogSliders();
  void ShowJogValues(int robot, const Eigen::VectorXd& q);
  void OnSceneItemChanged(QTreeWidgetItem* item, int column);
  std::vector<Eigen::AlignedBox3d> ZoneBoxes(const std::vector<std::string>& zone_ids);
  void UpdateWeldList();
  void RunWorker(std::function<void()> work);
  void VerifyPlan(const QString& path);

  std::unique_ptr<Scene> scene_;
  std::shared_ptr<const cell::Cell> cell_;
  std::unique_ptr<StationView> station_;
  std::shared_ptr<const collision::CollisionWorld> world_;
  std::unique_ptr<collision::CollisionContext> context_;
  std::optional<reach::ReachMap> reach_;
  std::optional<plan::Plan> plan_;
  std::vector<int> plan_robot_to_cell_;  // plan.robots index -> cell.robots index (-1: none)
  std::map<std::string, int> weld_index_;
  std::map<std::string, int> weld_robot_;  // weld id -> cell robot index from the plan
  std::map<std::string, Eigen::AlignedBox3d> zone_box_cache_;
  std::vector<Diagnostic> diagnostics_;
  std::vector<std::string> jog_problems_;
  QString cell_path_;
  int generation_ = 0;
  bool loading_ = false;
  int reading_plans_ = 0;
  QString pending_plan_;
  // Zones drawn now (SetTime redraws them only when they change); nullopt: none drawn yet.
  std::optional<std::vector<std::string>> shown_zones_;
  bool background_busy_ = false;
  bool planning_ = false;
  bool verifying_ = false;
  int plan_violations_ = -1;
  QString plan_verdict_;
  int station_errors_ = 0;
  QLabel* verdict_label_ = nullptr;     ///< The plan's verification verdict (status bar, right).
  QLabel* background_label_ = nullptr;  ///< Progress of the world and reach (status bar).
  std::shared_ptr<std::atomic<bool>> cancel_verify_;
  std::shared_ptr<std::atomic<bool>> cancel_background_;
  std::shared_ptr<std::atomic<bool>> cancel_planning_;
  std::vector<QThread*> threads_;  // running workers; joined in the destructor
  std::set<std::string> welds_done_;
  double time_ = 0;
  double speed_ = 1;
  WeldColoring coloring_ = WeldColoring::kReach;
  int selected_weld_ = -1;
  bool updating_jog_ = false;
  bool docks_sized_ = false;  // the panes' first sizes are set for the window's first size

  QTimer* timer_ = nullptr;
  std::unique_ptr<QElapsedTimer> clock_;
  QTreeWidget* scene_tree_ = nullptr;
  QTreeWidget* weld_list_ = nullptr;
  QListWidget* diagnostics_list_ = nullptr;
  QPlainTextEdit* diagnostic_line_ = nullptr;
  QPlainTextEdit* inspector_ = nullptr;
  QLabel* legend_ = nullptr;
  QLabel* time_label_ = nullptr;
  QSlider* time_slider_ = nullptr;
  QComboBox* speed_box_ = nullptr;
  QComboBox* coloring_box_ = nullptr;
  QAction* play_action_ = nullptr;
  QToolBar* file_toolbar_ = nullptr;
  QToolBar* view_toolbar_ = nullptr;
  bool toolbars_wrapped_ = false;  // the view toolbar in a second row (a narrow window)
  QAction* plan_action_ = nullptr;
  QAction* export_action_ = nullptr;
  GanttWidget* gantt_ = nullptr;
  QComboBox* jog_robot_ = nullptr;
  QVBoxLayout* jog_layout_ = nullptr;
  QWidget* jog_joints_ = nullptr;
  std::vector<QSlider*> jog_sliders_;
  std::vector<QLabel*> jog_values_;
  QLabel* jog_status_ = nullptr;
  QLabel* jog_convention_ = nullptr;
  QProgressDialog* progress_ = nullptr;
};

}  // namespace weldcell::gui
