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

double GanttWidget::Span() const {
  const double duration = plan_ != nullptr ? PlanDuration(*plan_) : 0.0;
  return std::max({duration, cycle_time_, 1.0}) * 1.03;
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
  const double span = Span();
  const double step = span > 200 ? 20 : span > 60 ? 10 : span > 20 ? 5 : 1;
  for (double t = 0; t <= span; t += step) {
    const double x = XAt(t);
    p.drawLine(QPointF(x, axis_y), QPointF(x, axis_y + 4));
    p.drawText(QRectF(x - 20, axis_y + 4, 40, kAxisHeight - 4), Qt::AlignHCenter | Qt::AlignTop,
               QString::number(t, 'f', 0));
  }
  if (cycle_time_ > 0) {
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
              .arg(s->times.front(), 0, 'f', 2)
              .arg(s->times.back(), 0, 'f', 2),
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
