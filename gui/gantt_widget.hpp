#pragma once
// Gantt chart of a plan: one row per robot with its motions, welds and waits against the cycle
// time line, and the time cursor. Clicking a bar (or anywhere on the time axis) asks to jump
// there: timeClicked(t). UI thread only.

#include <QColor>
#include <QWidget>
#include <vector>

#include "planner/plan/plan.hpp"

namespace weldcell::gui {

class GanttWidget : public QWidget {
  Q_OBJECT

 public:
  explicit GanttWidget(QWidget* parent = nullptr);

  /// Shows `plan` (not owned; must stay valid until the next SetPlan; nullptr clears). Row
  /// colours: colors[i] for plan.robots[i].
  void SetPlan(const plan::Plan* plan, double cycle_time, std::vector<QColor> colors);
  void SetTime(double t);
  double time() const { return time_; }
  /// The time at widget x (logical px), for tests and clicks.
  double TimeAt(double x) const;
  /// The widget x of time t.
  double XAt(double t) const;
  /// Row centre (y, logical px) of plan robot `robot`.
  double RowY(int robot) const;
  QSize sizeHint() const override;
  /// The robot name of row `row` as drawn: elided with "…" to the label column's width (its
  /// tooltip gives it whole).
  QString RobotLabel(int row) const;
  /// The times labelled on the axis: multiples of a 1-2-5 × 10^k s step, at most ten and as
  /// many as fit the width (gui/playback.hpp AxisTicks), whatever the span.
  std::vector<double> AxisTickTimes() const;
  /// s: the time at the axis's right end. The makespan (at least 1 s) and the cycle time when
  /// that is at most 3 times the makespan; a cycle time beyond is not drawn as a line but named
  /// by a marker at the axis's right end (CycleTimeMarker), so that the plan fills the chart.
  double Span() const;
  /// The marker's text, "cycle time 3600 s →", or empty when the cycle-time line is drawn.
  QString CycleTimeMarker() const;

 signals:
  void timeClicked(double t);

 protected:
  bool event(QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  bool CycleTimeShown() const;
  int RowHeight() const;
  /// The segment under widget point (x, y), or nullptr.
  const plan::Segment* SegmentAt(double x, double y) const;
  const plan::Plan* plan_ = nullptr;
  double cycle_time_ = 0;
  std::vector<QColor> colors_;
  double time_ = 0;
};

}  // namespace weldcell::gui
