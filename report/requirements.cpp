#include "report/requirements.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "planner/plan/breakdown.hpp"

namespace weldcell::report {
namespace {

// "all 20 welds are", "the 1 weld is" (and "all 0 welds are"): `noun` counted.
std::string AllOf(std::size_t count, std::string_view noun) {
  return count == 1 ? fmt::format("the 1 {} is", noun) : fmt::format("all {} {}s are", count, noun);
}

// "W1, W2, W3 and 4 more"
std::string IdList(const std::vector<std::string>& ids, std::size_t shown = 10) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < shown; ++i) {
    out += (i == 0 ? "" : ", ") + ids[i];
  }
  if (ids.size() > shown) out += fmt::format(" and {} more", ids.size() - shown);
  return out;
}

}  // namespace

RequirementResult TimingRobust(const plan::Plan& plan, const verify::VerifyReport& verification) {
  RequirementResult r{.name = kTimingRobust};
  const std::map<verify::ViolationKind, int> counts = verification.CountByKind();
  std::vector<std::string> problems;
  for (const verify::ViolationKind kind :
       {verify::ViolationKind::kRobotCollision, verify::ViolationKind::kTiming,
        verify::ViolationKind::kPrecedence, verify::ViolationKind::kDeadlock,
        verify::ViolationKind::kRobustness, verify::ViolationKind::kUnorderedContact}) {
    if (const auto it = counts.find(kind); it != counts.end()) {
      problems.push_back(fmt::format("{} {} violation(s)", it->second, verify::ToString(kind)));
    }
  }
  int unexplained = 0;
  double unexplained_seconds = 0.0;
  const plan::CycleBreakdown breakdown = plan::BreakDown(plan);
  for (const plan::RobotBreakdown& robot : breakdown.robots) {
    for (const plan::WaitInterval& w : robot.waits) {
      if (!w.causes.empty()) continue;
      ++unexplained;
      unexplained_seconds += w.duration();
      r.details += fmt::format("{} waits {:.2f} s from {:.2f} s with no zone or weld signal\n",
                               robot.robot, w.duration(), w.start_time);
    }
  }
  if (unexplained > 0) {
    problems.push_back(fmt::format(
        "{} wait(s) of {:.2f} s in all that no interlock zone or weld signal explains (time "
        "offsets, safe only on the planned clock)",
        unexplained, unexplained_seconds));
  }
  const verify::RobustnessFigures& runs = verification.robustness;
  if (runs.runs == 0) {
    problems.emplace_back("the random-timing re-simulation did not run");
  } else if (runs.runs_with_contact + runs.runs_deadlocked + runs.runs_out_of_order > 0) {
    problems.push_back(fmt::format(
        "of {} runs with every duration varied: {} with robot-robot contact, {} deadlocked, {} "
        "out of `after:` order",
        runs.runs, runs.runs_with_contact, runs.runs_deadlocked, runs.runs_out_of_order));
  }
  r.passed = problems.empty();
  if (r.passed) {
    r.message = fmt::format(
        "{} runs with every duration varied at random: no contact, no deadlock, every `after:` "
        "kept; every wait is an event ({} zone(s), {} weld signal(s))",
        runs.runs, plan.zones.size(), plan.weld_signals.size());
  } else {
    for (std::size_t i = 0; i < problems.size(); ++i) r.message += (i ? "; " : "") + problems[i];
  }
  return r;
}

std::vector<RequirementResult> CheckRequirements(const cell::Cell& cell, const plan::Plan& plan,
                                                 const reach::ReachMap& reach,
                                                 const verify::VerifyReport& verification) {
  std::vector<RequirementResult> out;
  const int welds = static_cast<int>(cell.welds.size());
  const bool have_reach =
      reach.weld_count() == welds && reach.robot_count() == static_cast<int>(cell.robots.size());
  std::set<std::string> unplanned;
  for (const plan::UnreachableWeld& u : plan.unreachable) unplanned.insert(u.weld_id);

  // Every weld reachable.
  std::vector<std::string> unreachable;
  std::set<std::string> unreachable_set;
  for (int w = 0; w < welds; ++w) {
    const bool reachable = have_reach ? reach.reachable(w) : unplanned.count(cell.welds[w].id) == 0;
    if (!reachable) {
      unreachable.push_back(cell.welds[w].id);
      unreachable_set.insert(cell.welds[w].id);
    }
  }
  {
    RequirementResult r{.name = kEveryWeldReachable, .passed = unreachable.empty()};
    r.message = r.passed ? fmt::format("{} reachable by at least one robot",
                                       AllOf(static_cast<std::size_t>(welds), "weld"))
                         : fmt::format("{} of {} welds reachable by no robot: {}",
                                       unreachable.size(), welds, IdList(unreachable));
    for (const plan::UnreachableWeld& u : plan.unreachable) {
      if (unreachable_set.count(u.weld_id) != 0) r.details += u.weld_id + ": " + u.reason + "\n";
    }
    out.push_back(std::move(r));
  }

  // Every reachable weld planned.
  {
    std::vector<std::string> missed;
    RequirementResult r{.name = kEveryReachableWeldPlanned};
    for (const plan::UnreachableWeld& u : plan.unreachable) {
      if (unreachable_set.count(u.weld_id) != 0) continue;
      missed.push_back(u.weld_id);
      r.details += u.weld_id + ": " + u.reason + "\n";
    }
    const std::size_t reachable = static_cast<std::size_t>(welds) - unreachable.size();
    r.passed = missed.empty();
    r.message = r.passed ? fmt::format("{} planned", AllOf(reachable, "reachable weld"))
                         : fmt::format("{} of {} reachable welds not planned: {}", missed.size(),
                                       reachable, IdList(missed));
    out.push_back(std::move(r));
  }

  // Cycle time met.
  {
    RequirementResult r{.name = kCycleTimeMet, .passed = plan.makespan <= cell.cycle_time + 1e-9};
    r.message = r.passed
                    ? fmt::format("makespan {:.2f} s within the cycle time {} s (slack {:.2f} s)",
                                  plan.makespan, CycleTimeText(cell.cycle_time),
                                  cell.cycle_time - plan.makespan)
                    : fmt::format("makespan {:.2f} s exceeds the cycle time {} s by {:.2f} s",
                                  plan.makespan, CycleTimeText(cell.cycle_time),
                                  plan.makespan - cell.cycle_time);
    if (!plan.unreachable.empty()) {
      r.message +=
          fmt::format(" ({} unplanned weld(s) take no time in it)", plan.unreachable.size());
    }
    const plan::CycleBreakdown breakdown = plan::BreakDown(plan);
    if (!breakdown.critical_reason.empty()) r.details = "critical: " + breakdown.critical_reason;
    out.push_back(std::move(r));
  }

  // Verification clean: every violation except those the requirements above already count
  // (the cycle time, and welds the plan itself lists as not planned), so that one cause fails
  // one case.
  {
    verify::VerifyReport rest{.collision_checks = verification.collision_checks};
    int counted_above = 0;
    for (const verify::Violation& v : verification.violations) {
      const bool cycle = v.kind == verify::ViolationKind::kCycleTime;
      bool listed_unplanned = false;
      if (v.kind == verify::ViolationKind::kWeld) {
        for (const std::string& id : unplanned) {
          listed_unplanned =
              listed_unplanned || v.message.rfind(id + " is not welded (plan: ", 0) == 0;
        }
      }
      if (cycle || listed_unplanned) {
        ++counted_above;
      } else {
        rest.violations.push_back(v);
      }
    }
    RequirementResult r{.name = kVerificationClean, .passed = rest.ok()};
    if (r.passed) {
      r.message =
          fmt::format("0 violations in {} configurations checked", verification.collision_checks);
    } else {
      r.message = fmt::format("{} violation(s):", rest.violations.size());
      bool first = true;
      for (const auto& [kind, count] : rest.CountByKind()) {
        r.message += fmt::format("{} {} {}", first ? "" : ",", count, verify::ToString(kind));
        first = false;
      }
      for (const std::string& line : verify::SummaryLines(rest)) r.details += line + "\n";
    }
    if (counted_above > 0) {
      r.message += fmt::format(" (besides {} counted by the requirements above)", counted_above);
    }
    out.push_back(std::move(r));
  }

  out.push_back(TimingRobust(plan, verification));
  return out;
}

std::string CycleTimeText(double seconds) {
  return std::abs(seconds) < 0.1 && seconds != 0.0 ? fmt::format("{:.3g}", seconds)
                                                   : fmt::format("{:.2f}", seconds);
}

std::string ViolationCountText(const verify::VerifyReport& report) {
  const int all = static_cast<int>(report.violations.size());
  const int unsafe = report.unsafe_count();
  if (unsafe == all) return fmt::format("{} violation(s)", all);
  return unsafe == 0 ? fmt::format("{} violation(s) (none of them unsafe)", all)
                     : fmt::format("{} violation(s) ({} of them unsafe)", all, unsafe);
}

RequirementResult ProgramsNotWritten(const std::string& error) {
  return {.name = kProgramsWritten,
          .passed = false,
          .message = "the robot programs could not be written",
          .details = error};
}

}  // namespace weldcell::report
