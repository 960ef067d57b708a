#include "cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace weldcell::cli {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

std::string TimeLeft(std::int64_t done, std::int64_t total, double seconds) {
  if (done <= 0 || done >= total || seconds < 1.0) return "";
  const double left = seconds * static_cast<double>(total - done) / static_cast<double>(done);
  if (left < 1.0) return "";
  return left < 120.0 ? fmt::format(", about {:.0f} s left", left)
                      : fmt::format(", about {:.0f} min left", left / 60.0);
}

void ProgressBar::Update(std::int64_t done, std::int64_t total) {
  if (!enabled_ || finished_ || total <= 0) return;
  last_done_ = done;
  last_total_ = total;
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  if (terminal_) {
    // Redraw at most 20 times a second: drawing is slower than a reach step.
    if (done < total && now - last_draw_ < std::chrono::milliseconds(50)) return;
    last_draw_ = now;
    constexpr std::int64_t kWidth = 30;
    const std::int64_t filled = std::clamp<std::int64_t>(kWidth * done / total, 0, kWidth);
    // Cleared to the end of the line: the time left gets shorter.
    std::fputs(fmt::format("\r{} [{}{}] {}/{} {:.1f} s{}\x1b[K", label_,
                           std::string(static_cast<std::size_t>(filled), '#'),
                           std::string(static_cast<std::size_t>(kWidth - filled), '.'), done, total,
                           seconds, TimeLeft(done, total, seconds))
                   .c_str(),
               stderr);
    std::fflush(stderr);
  } else {
    const std::int64_t quarter = 4 * done / total;
    if (quarter == last_quarter_) return;
    last_quarter_ = quarter;
    std::fputs(fmt::format("{}: {}/{} ({:.1f} s{})\n", label_, done, total, seconds,
                           TimeLeft(done, total, seconds))
                   .c_str(),
               stderr);
    std::fflush(stderr);
  }
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  if (terminal_ && last_total_ > 0) {
    last_draw_ = {};
    Update(last_done_, last_total_);
    std::fputs("\n", stderr);
  }
  finished_ = true;
}

weldcell::Progress StageBars::MakeProgress(const std::atomic<bool>* cancel) {
  return weldcell::Progress([this](std::string_view stage, std::int64_t done,
                                   std::int64_t total) { Update(stage, done, total); },
                            cancel);
}

void StageBars::Update(std::string_view stage, std::int64_t done, std::int64_t total) {
  if (!enabled_) return;
  // A stage that starts again with another count (one robot's travel matrix after another's)
  // gets a bar and a clock of its own.
  if (!bar_ || stage != stage_ || total != total_) {
    if (bar_) bar_->Finish();
    stage_ = stage;
    total_ = total;
    bar_ = std::make_unique<ProgressBar>(stage_, enabled_);
  }
  bar_->Update(done, total);
}

void StageBars::Finish() {
  if (bar_) bar_->Finish();
}

}  // namespace weldcell::cli
