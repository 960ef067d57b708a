#include "cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace weldcell::cli {

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Update(int done, int total) {
  if (!enabled_ || total <= 0) return;
  last_done_ = done;
  last_total_ = total;
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  if (terminal_) {
    // Redraw at most 20 times a second: drawing is slower than a reach step.
    if (done < total && now - last_draw_ < std::chrono::milliseconds(50)) return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    const int filled = kWidth * done / total;
    std::fputs(fmt::format("\r{} [{}{}] {}/{} {:.1f} s", label_, std::string(filled, '#'),
                           std::string(kWidth - filled, '.'), done, total, seconds)
                   .c_str(),
               stderr);
    std::fflush(stderr);
  } else {
    const int quarter = 4 * done / total;
    if (quarter == last_quarter_) return;
    last_quarter_ = quarter;
    std::fputs(fmt::format("{}: {}/{} ({:.1f} s)\n", label_, done, total, seconds).c_str(), stderr);
  }
}

void Progress::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (terminal_ && last_total_ > 0) {
    last_draw_ = {};
    Update(last_done_, last_total_);
    std::fputs("\n", stderr);
  }
}

}  // namespace weldcell::cli
