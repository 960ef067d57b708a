#include "gui/gantt_widget.hpp"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "gui/playback.hpp"

namespace weldcell::gui {
namespace {
constexpr int kLabelWidth = 48;
constexpr int kMaxRowHeight = 22;
constexpr int kMinRowHeight = 8;
constexpr int kTop = 6;
constexpr int kAxisHeight = 20;
constexpr int kRight = 12;
// The cycle-time line is drawn when the cycle time is at most this many times the makespan;
// beyond, the chart shows the plan and a marker says where the line lies (a 21 s plan was a
// sliver at the left of a 3600 s axis).
constexpr double kCycleTimeShownUpTo = 3.0;
constexpr int kMaxAxisLabels = 10;

QString Seconds(double t, int decimals) {
  return QString::fromStdString(FormatSeconds(t, decimals));
}

// Decimals a tick label needs at this step (0 from 1 s up; 0.5 s: 1; 0.05 s: 2).
int TickDecimals(double step) {
  return step >= 1 ? 0 : std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
}
}  // namespace

GanttWidget::GanttWidget(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(80);
  setMouseTracking(false);
}

void GanttWidget::SetPlan(const plan::Plan* plan, double cycle_time, std::vector<QColor> colors) {
  plan_ = plan;
  cycle_time_ = cycle_time;
  colors_ = std::move(colors);
  updateGeometry();
  update();
}

void GanttWidget::SetTime(double t) {
  time_ = t;
  update();
}

QSize GanttWidget::sizeHint() const {
  const int rows = plan_ != nullptr ? static_cast<int>(plan_->robots.size()) : 2;
  return {600, kTop + rows * kMaxRowHeight + kAxisHeight + 4};
}

bool GanttWidget::CycleTimeShown() const {
  const double duration = plan_ != nullptr ? PlanDuration(*plan_) : 0.0;
  return cycle_time_ > 0 && cycle_time_ <= kCycleTimeShownUpTo * std::max(duration, 1.0);
}

double GanttWidget::Span() const {
  const double duration = plan_ != nullptr ? PlanDuration(*plan_) : 0.0;
  const double shown = std::max({duration, CycleTimeShown() ? cycle_time_ : 0.0, 1.0});
  // 3 % room at the right, unless that overflows (a time near the largest double).
  return std::isfinite(shown * 1.03) ? shown * 1.03 : shown;
}

std::vector<double> GanttWidget::AxisTickTimes() const {
  const double span = Span();
  // As many labels as fit the axis's width (each as wide as the widest), at most ten.
  const int label_width = fontMetrics().horizontalAdvance(Seconds(span, 2)) + 16;
  const int axis_width = std::max(1, width() - kLabelWidth - kRight);
  return AxisTicks(span, std::clamp(axis_width / std::max(1, label_width), 1, kMaxAxisLabels));
}

QString GanttWidget::CycleTimeMarker() const {
  if (plan_ == nullptr || cycle_time_ <= 0 || CycleTimeShown()) return {};
  return QString("cycle time %1 s →").arg(Seconds(cycle_time_, cycle_time_ < 100 ? 1 : 0));
}

double GanttWidget::XAt(double t) const {
  const double width = std::max(1, this->width() - kLabelWidth - kRight);
  return kLabelWidth + t / Span() * width;
}

double GanttWidget::TimeAt(double x) const {
  const double width = std::max(1, this->width() - kLabelWidth - kRight);
  return std::clamp((x - kLabelWidth) / width * Span(), 0.0, Span());
}

int GanttWidget::RowHeight() const {
  const int rows = plan_ != nullptr ? std::max<int>(1, static_cast<int>(plan_->robots.size())) : 1;
  // Rows shrink to fit the widget (many robots in a short dock), down to a few pixels.
  return std::clamp((height() - kTop - kAxisHeight - 2) / rows, kMinRowHeight, kMaxRowHeight);
}

double GanttWidget::RowY(int robot) const { return kTop + (robot + 0.5) * RowHeight(); }

void GanttWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(250, 250, 250));
  if (plan_ == nullptr) {
    p.setPen(Qt::gray);
    p.drawText(rect(), Qt::AlignCenter, tr("No plan: open a plan.json or plan the station"));
    return;
  }
  const int rows = static_cast<int>(plan_->robots.size());
  const int row_height = RowHeight();
  for (int r = 0; r < rows; ++r) {
    const plan::RobotPlan& robot = plan_->robots[static_cast<std::size_t>(r)];
    const int y = kTop + r * row_height;
    p.setPen(Qt::black);
    // A long name is elided with "…" (its tooltip gives it whole).
    p.drawText(QRect(2, y, kLabelWidth - 4, row_height), Qt::AlignVCenter | Qt::AlignLeft,
               RobotLabel(r));
    const QColor color = r < static_cast<int>(colors_.size()) ? colors_[static_cast<std::size_t>(r)]
                                                              : QColor(Qt::gray);
    for (const plan::Segment& s : robot.segments) {
      if (s.times.empty()) continue;
      const double x0 = XAt(s.times.front()), x1 = XAt(s.times.back());
      QRectF bar(x0, y + row_height / 7, std::max(1.0, x1 - x0), row_height - 2 * (row_height / 7));
      switch (s.kind) {
        case plan::SegmentKind::kMotion:
          p.fillRect(bar, color.lighter(150));
          break;
        case plan::SegmentKind::kWeld:
          p.fillRect(bar, color.darker(130));
          break;
        case plan::SegmentKind::kWait:
          p.fillRect(bar, QColor(250, 215, 0));
          p.fillRect(bar, QBrush(QColor(120, 90, 0), Qt::BDiagPattern));
          break;
      }
    }
  }
  const int axis_y = kTop + rows * row_height;
  p.setPen(Qt::darkGray);
  p.drawLine(kLabelWidth, axis_y, width() - kRight, axis_y);
  // The cycle time far beyond the plan: a marker at the axis's right end says where its line
  // lies; tick labels under it are left out.
  const QString marker = CycleTimeMarker();
  QRectF marker_rect;
  if (!marker.isEmpty()) {
    const double w = fontMetrics().horizontalAdvance(marker) + 6;
    marker_rect = QRectF(width() - kRight - w + 8, axis_y + 4, w, kAxisHeight - 4);
  }
  // A bounded number of ticks, whatever the span (AxisTicks).
  const std::vector<double> ticks = AxisTickTimes();
  const int decimals = TickDecimals(ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0);
  for (const double t : ticks) {
    const double x = XAt(t);
    p.drawLine(QPointF(x, axis_y), QPointF(x, axis_y + 4));
    const QString label = Seconds(t, decimals);
    const double w = fontMetrics().horizontalAdvance(label) + 4;
    // Kept inside the widget (the last label was cut at the right edge).
    const QRectF rect(std::clamp(x - w / 2, 0.0, std::max(0.0, width() - w)), axis_y + 4, w,
                      kAxisHeight - 4);
    if (!marker_rect.isNull() && rect.intersects(marker_rect)) continue;
    p.drawText(rect, Qt::AlignHCenter | Qt::AlignTop, label);
  }
  if (!marker.isEmpty()) {
    p.setPen(QColor(200, 0, 0));
    p.drawText(marker_rect, Qt::AlignRight | Qt::AlignTop, marker);
    p.setPen(Qt::darkGray);
  }
  if (CycleTimeShown()) {
    p.setPen(QPen(QColor(200, 0, 0), 2, Qt::DashLine));
    const double x = XAt(cycle_time_);
    p.drawLine(QPointF(x, kTop), QPointF(x, axis_y));
  }
  p.setPen(QPen(Qt::black, 2));
  const double x = XAt(time_);
  p.drawLine(QPointF(x, 0), QPointF(x, axis_y));
}

const plan::Segment* GanttWidget::SegmentAt(double x, double y) const {
  if (plan_ == nullptr || y < kTop) return nullptr;
  const double t = TimeAt(x);
  const int row = static_cast<int>((y - kTop) / RowHeight());
  if (row < 0 || row >= static_cast<int>(plan_->robots.size())) return nullptr;
  for (const plan::Segment& s : plan_->robots[static_cast<std::size_t>(row)].segments) {
    if (!s.times.empty() && t >= s.times.front() && t <= s.times.back()) return &s;
  }
  return nullptr;
}

QString GanttWidget::RobotLabel(int row) const {
  if (plan_ == nullptr || row < 0 || row >= static_cast<int>(plan_->robots.size())) return {};
  return fontMetrics().elidedText(
      QString::fromStdString(plan_->robots[static_cast<std::size_t>(row)].robot), Qt::ElideRight,
      kLabelWidth - 4);
}

bool GanttWidget::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    const auto* help = static_cast<QHelpEvent*>(event);
    const plan::Segment* s = SegmentAt(help->pos().x(), help->pos().y());
    const int row = plan_ == nullptr || RowHeight() <= 0
                        ? -1
                        : static_cast<int>(std::floor((help->pos().y() - kTop) / RowHeight()));
    if (help->pos().x() < kLabelWidth && plan_ != nullptr && row >= 0 &&
        row < static_cast<int>(plan_->robots.size())) {
      QToolTip::showText(help->globalPos(),
                         QString::fromStdString(plan_->robots[static_cast<std::size_t>(row)].robot),
                         this);
    } else if (s == nullptr) {
      QToolTip::hideText();
    } else {
      const char* kind = s->kind == plan::SegmentKind::kMotion ? "move"
                         : s->kind == plan::SegmentKind::kWeld ? "weld"
                                                               : "wait";
      QToolTip::showText(
          help->globalPos(),
          QString("%1 %2 → %3, %4–%5 s")
              .arg(kind, QString::fromStdString(s->from), QString::fromStdString(s->to))
              .arg(Seconds(s->times.front(), 2), Seconds(s->times.back(), 2)),
          this);
    }
    return true;
  }
  return QWidget::event(event);
}

void GanttWidget::mousePressEvent(QMouseEvent* event) {
  if (plan_ == nullptr) return;
  // A click on a bar jumps to the bar's start, so that a weld or wait is seen from its start.
  if (const plan::Segment* s = SegmentAt(event->position().x(), event->position().y())) {
    emit timeClicked(s->times.front());
    return;
  }
  emit timeClicked(TimeAt(event->position().x()));
}

void GanttWidget::mouseMoveEvent(QMouseEvent* event) {
  if (plan_ != nullptr && (event->buttons() & Qt::LeftButton)) {
    emit timeClicked(TimeAt(event->position().x()));
  }
}

}  // namespace weldcell::gui
