#pragma once
// Progress of long work on stderr: a redrawn bar on a terminal, plain lines otherwise (CI logs:
// the start and every quarter of each stage), each with the seconds since the stage started and,
// while it is under way, the time left at the rate so far; nothing with --quiet or --json.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "planner/common/progress.hpp"

namespace weldcell::cli {

/// ", about N s left" (", about N min left" from two minutes on) at the rate so far of a stage
/// that has done `done` of `total` steps in `seconds`; empty before a step is done or a second has
/// passed, once the stage is complete, and under a second left.
std::string TimeLeft(std::int64_t done, std::int64_t total, double seconds);

/// One bar (one stage).
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Thread-compatible: call from one thread at a time (callers serialise).
  void Update(std::int64_t done, std::int64_t total);
  /// Ends the bar (prints the final state and a newline on a terminal).
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool terminal_;
  bool finished_ = false;
  std::int64_t last_quarter_ = -1;
  std::int64_t last_done_ = 0;
  std::int64_t last_total_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// Bars for the planner's stages: a new bar whenever the reported stage changes (the stages
/// run one after another), the previous one finished.
class StageBars {
 public:
  explicit StageBars(bool enabled) : enabled_(enabled) {}
  /// A Progress drawing into these bars and cancelled by `cancel` (may be null). The bars must
  /// outlive the work that uses it.
  weldcell::Progress MakeProgress(const std::atomic<bool>* cancel);
  /// Finishes the current bar.
  void Finish();

 private:
  void Update(std::string_view stage, std::int64_t done, std::int64_t total);
  bool enabled_;
  std::string stage_;
  std::int64_t total_ = 0;
  std::unique_ptr<ProgressBar> bar_;
};

}  // namespace weldcell::cli
