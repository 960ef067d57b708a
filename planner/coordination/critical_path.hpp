#pragma once
// The robots a coordinated plan's makespan depends on: its critical path through the waits.
//
// The robot that finishes last either never waits, or its last wait ended when another robot
// released the zone it waited for (or welded the weld it waited for); that robot's time up to
// then counts, and its own last wait before then leads on, back to the start. A plan that changes
// no robot on that path keeps every one of those robots' pieces and every release they waited
// for, so it cannot finish sooner unless the zones' orders change. The re-arranging rounds
// (pipeline::PlanCell) try only plans that change a robot on it.
//
// Units: s on the coordinated clock. Thread safety: a pure function of its argument.

#include <vector>

namespace weldcell::coordination {

struct CoordinationResult;

/// Robots finishing within this of the makespan are critical too (s).
inline constexpr double kCriticalTie = 0.05;

/// Per robot (index as in `result.trajectories`), whether it is on the critical path: every robot
/// that finishes within kCriticalTie of the makespan, and, walking back from each along its own
/// timeline, at each wait (a wait segment longer than 0 that ends no later than the time reached)
/// the robot it waited for last — of the zones acquired where the wait ends, the earlier user
/// (another robot) whose release, no later than the wait's end, came last; of the weld signals
/// there, the robot that welds the weld — continuing on that robot's timeline from that release
/// (or weld end). A wait whose end no zone use or weld explains is stepped over. Empty
/// trajectories: nobody.
std::vector<char> CriticalRobots(const CoordinationResult& result);

}  // namespace weldcell::coordination
