#pragma once
// Runs independent work items on a few threads. Results are written by index, so the output
// does not depend on the number of threads or on scheduling (determinism rule).

#include <functional>

namespace weldcell {

/// The number of worker threads to use for `requested` (0 = one per hardware thread).
int ResolveThreadCount(int requested);

/// Calls body(item, worker) for every item in [0, count) on `threads` workers (0 = one per
/// hardware thread; never more than count). `worker` in [0, threads) identifies the calling
/// thread, so that the caller can hand each worker its own scratch (e.g. a collision context).
/// Items are taken in increasing order. If `cancelled` becomes true, no new item starts.
/// An exception thrown by body stops new items and is rethrown (the first one) after all
/// workers have stopped.
void ParallelFor(int count, int threads, const std::function<void(int item, int worker)>& body,
                 const std::function<bool()>& cancelled = {});

}  // namespace weldcell
