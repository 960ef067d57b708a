#pragma once
// Progress and cancellation of long work, one type for every stage (reach, allocation, motion,
// coordination, the whole pipeline, verification): reports (stage, done, total) to a callback and
// carries a cancellation flag that the work polls.
//
// Cancellation is an expected outcome, not an error (CONVENTIONS.md, tier 3): cancelled work
// returns early with a partial result and never throws. Each stage documents what its partial
// result holds; the caller, who owns the flag, knows it asked to stop (`cancelled()`), and
// pipeline::PlanCell says so in its status.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace weldcell {

/// Stage names reported by the planner (the `stage` argument of Progress::Callback).
inline constexpr std::string_view kReachStage = "reach";
inline constexpr std::string_view kAllocateStage = "allocate";
inline constexpr std::string_view kMotionStage = "motion";
inline constexpr std::string_view kCoordinateStage = "coordinate";
inline constexpr std::string_view kRouteStartStage = "route starts";
inline constexpr std::string_view kVerifyStage = "verify";
inline constexpr std::string_view kRobustnessStage = "robustness";
inline constexpr std::string_view kConcurrencyStage = "concurrency";

/// A progress sink plus a cancellation flag. Cheap to copy: copies share the callback and its
/// lock. A default-constructed Progress reports nowhere and is never cancelled.
///
/// Thread safety: Report() and cancelled() may be called from any thread; Report() serialises
/// the callback calls (one at a time, never concurrently). Each stage reports its own `done` in
/// non-decreasing order, ending with done == total when it ran to completion.
class Progress {
 public:
  /// (stage name, units of work done, units in total); total > 0.
  using Callback =
      std::function<void(std::string_view stage, std::int64_t done, std::int64_t total)>;

  Progress() = default;
  /// `cancel` (may be null: never cancelled) is owned by the caller and must outlive every copy
  /// of this Progress that work still uses. Setting it to true asks the work to stop; storing to
  /// a lock-free std::atomic<bool> is async-signal-safe, so a signal handler may do it.
  explicit Progress(Callback callback, const std::atomic<bool>* cancel = nullptr);

  /// Calls the callback (if any) under the shared lock.
  void Report(std::string_view stage, std::int64_t done, std::int64_t total) const;

  /// A Progress that reports nowhere but is cancelled with this one: for work done ahead on a
  /// background thread, whose reports would interleave with the current stage's.
  Progress Silent() const {
    Progress p;
    p.cancel_ = cancel_;
    return p;
  }

  /// True once the caller asked to stop. One relaxed atomic load: poll it freely.
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }

 private:
  struct Shared;  // the callback and its lock
  std::shared_ptr<Shared> shared_;
  const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace weldcell
