#include "planner/common/progress.hpp"

#include <mutex>

namespace weldcell {

struct Progress::Shared {
  explicit Shared(Callback c) : callback(std::move(c)) {}
  Callback callback;
  std::mutex mutex;
};

Progress::Progress(Callback callback, const std::atomic<bool>* cancel)
    : shared_(callback ? std::make_shared<Shared>(std::move(callback)) : nullptr),
      cancel_(cancel) {}

void Progress::Report(std::string_view stage, std::int64_t done, std::int64_t total) const {
  if (!shared_) return;
  const std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->callback(stage, done, total);
}

}  // namespace weldcell
