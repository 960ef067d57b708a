// `weldcell plan cell.yaml -o out/` and `weldcell verify cell.yaml plan.json`.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string_view>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/json_output.hpp"
#include "cli/output_paths.hpp"
#include "cli/progress.hpp"
#include "exporters/export.hpp"
#include "exporters/site.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/input_file.hpp"
#include "planner/learned/model.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/breakdown.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/station_check.hpp"
#include "planner/verify/verify.hpp"
#include "report/html_report.hpp"
#include "report/junit.hpp"
#include "report/requirements.hpp"

namespace weldcell::cli {
namespace {

cell::Cell LoadForCommand(const std::string& file, const GlobalOptions& global) {
  cell::Loaded<cell::Cell> loaded = cell::LoadCell(file, CellLoadOptions(global));
  for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
  return std::move(loaded.value);
}

plan::Plan ReadPlan(const std::string& file, const cell::Cell& cell) {
  if (const std::optional<std::string> problem = InputFileProblem(file, "plan (plan.json)")) {
    throw InputError({{.where = {.file = file}, .message = *problem}});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw InputError({{.where = {.file = file}, .message = "cannot open the plan file"}});
  }
  std::stringstream text;
  text << in.rdbuf();
  return plan::PlanFromJson(text.str(), file, &cell);
}

nlohmann::ordered_json BreakdownJson(const plan::CycleBreakdown& b) {
  nlohmann::ordered_json j;
  j["makespan"] = b.makespan;
  j["cycle_time"] = b.cycle_time;
  j["slack"] = b.slack;
  j["critical"] = b.critical >= 0 ? nlohmann::ordered_json(b.robots[b.critical].robot)
                                  : nlohmann::ordered_json(nullptr);
  j["critical_reason"] = b.critical_reason;
  j["robots"] = nlohmann::ordered_json::array();
  for (const plan::RobotBreakdown& r : b.robots) {
    nlohmann::ordered_json jr;
    jr["name"] = r.robot;
    jr["welds"] = r.welds;
    jr["moving"] = r.moving;
    jr["welding"] = r.welding;
    jr["waiting"] = r.waiting;
    jr["idle"] = r.idle;
    jr["finish"] = r.finish_time;
    jr["short_waits"] = r.short_waits;
    jr["short_waiting"] = r.short_waiting;
    jr["waits"] = nlohmann::ordered_json::array();
    for (const plan::WaitInterval& w : r.waits) {
      nlohmann::ordered_json jw;
      jw["start"] = w.start_time;
      jw["end"] = w.end_time;
      jw["for"] = nlohmann::ordered_json::array();
      for (const plan::WaitCause& c : w.causes) {
        jw["for"].push_back({{"kind", c.kind == plan::WaitCauseKind::kZone ? "zone" : "weld"},
                             {"id", c.id},
                             {"robot", c.robot},
                             {"ready", c.ready_time}});
      }
      jw["free_zones"] = w.free_zones;
      jr["waits"].push_back(std::move(jw));
    }
    j["robots"].push_back(std::move(jr));
  }
  return j;
}

// ", weld transfers: 1 of 2 plans kept [W0011 R3 -> R4 49.10 s (latest finish 49.18 -> 46.58
// s)], shortest not kept 49.22 s" and ", route starts: …" (pair diagram bound) for the plans
// those rounds tried: the kept ones named (a round may try 40), the others' shortest given
// (--json lists every plan: RearrangeJson).
std::string RearrangeSummary(const pipeline::PlanStatistics& s) {
  std::string out;
  auto add = [&out](std::string_view round, std::string_view estimate,
                    const std::vector<pipeline::PlanStatistics::RoundTry>& tries) {
    if (tries.empty()) return;
    std::vector<std::string> kept;
    std::optional<double> shortest_not_kept;
    for (const pipeline::PlanStatistics::RoundTry& t : tries) {
      if (!t.kept) {
        shortest_not_kept = std::min(shortest_not_kept.value_or(t.makespan), t.makespan);
        continue;
      }
      kept.push_back(fmt::format("{} {:.2f} s ({} {:.2f} -> {:.2f} s)", t.change, t.makespan,
                                 estimate, t.estimate_before, t.estimate_after));
    }
    out += fmt::format(", {}: {} of {} plans kept", round, kept.size(), tries.size());
    if (!kept.empty()) out += fmt::format(" [{}]", fmt::join(kept, "; "));
    if (shortest_not_kept) out += fmt::format(", shortest not kept {:.2f} s", *shortest_not_kept);
  };
  add("weld transfers", "latest finish", s.weld_transfer_tries);
  add("route starts", "pair diagram bound", s.route_start_tries);
  return out;
}

// Every plan the weld-transfer and route-start rounds tried, in order: {"weld_transfers": [...],
// "route_starts": [...]}, each {change, makespan, estimate_before, estimate_after, kept}.
nlohmann::ordered_json RearrangeJson(const pipeline::PlanStatistics& s) {
  auto list = [](const std::vector<pipeline::PlanStatistics::RoundTry>& tries) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const pipeline::PlanStatistics::RoundTry& t : tries) {
      out.push_back({{"change", t.change},
                     {"makespan", t.makespan},
                     {"estimate_before", t.estimate_before},
                     {"estimate_after", t.estimate_after},
                     {"kept", t.kept}});
    }
    return out;
  };
  return {{"weld_transfers", list(s.weld_transfer_tries)},
          {"route_starts", list(s.route_start_tries)}};
}

// " (learned asked for; R1, R2 fell back to the analytic estimate: see the warnings)", or ""
// when every robot's moves were priced as asked.
std::string FallbackNote(const plan::TravelReport& t) {
  std::vector<std::string> robots;
  for (const plan::TravelRobotError& e : t.robots) {
    if (!e.fallback.empty()) robots.push_back(e.robot);
  }
  if (robots.empty()) return {};
  return fmt::format(" ({} asked for; {} fell back to the analytic estimate: see the warnings)",
                     t.requested, fmt::join(robots, ", "));
}

// "travel time learned, mean error on the planned moves: R1 3.2 % (analytic 11.0 %), R2 no
// moves; matrices 0.41 s"
std::string TravelSummary(const plan::TravelReport& t, double seconds) {
  std::string line =
      "travel time " + t.kind + FallbackNote(t) + ", mean error on the planned moves:";
  for (std::size_t i = 0; i < t.robots.size(); ++i) {
    const plan::TravelRobotError& e = t.robots[i];
    line += fmt::format("{} {} ", i ? "," : "", e.robot);
    if (e.planned_seconds <= 0) {
      line += "no moves";
      continue;
    }
    line += fmt::format("{:.1f} %", e.error_pct);
    if (e.source != "analytic") line += fmt::format(" (analytic {:.1f} %)", e.analytic_error_pct);
    if (e.drifted) line += " DRIFT";
  }
  line += fmt::format("; matrices {:.2f} s", seconds);
  return line;
}

// --json's "travel_error": per robot what priced its moves, why it fell back (null when it did
// not) and the error; the drift threshold null without a model.
nlohmann::ordered_json TravelErrorJson(const plan::TravelReport& t) {
  using Json = nlohmann::ordered_json;
  Json out = Json::array();
  for (const plan::TravelRobotError& e : t.robots) {
    out.push_back({{"robot", e.robot},
                   {"source", e.source},
                   {"fallback", e.fallback.empty() ? Json(nullptr) : Json(e.fallback)},
                   {"moves", e.moves},
                   {"error_pct", e.error_pct},
                   {"analytic_error_pct", e.analytic_error_pct},
                   {"drift_threshold_pct",
                    e.drift_threshold_pct ? Json(*e.drift_threshold_pct) : Json(nullptr)},
                   {"drifted", e.drifted}});
  }
  return out;
}

// The first ten violations of each robot and kind, then a count of the rest.
void PrintViolations(const verify::VerifyReport& report) {
  for (const std::string& line : verify::SummaryLines(report)) std::cout << line << '\n';
}

// What `weldcell plan` was given (its options' defaults are PlanOptions').
struct PlanArgs {
  std::string cell;
  std::string out = "out";
  int jobs = 0;
  std::optional<std::uint64_t> seed;  // the cell's settings.seed when not given
  int rebalance_rounds = pipeline::PlanOptions{}.rebalance_rounds;
  double spatial_weight = pipeline::PlanOptions{}.spatial_weight;
  double sweep_weight = pipeline::PlanOptions{}.sweep_weight;
  double exclusion_clearance = pipeline::PlanOptions{}.exclusion_clearance;
  std::string travel_time = "analytic";
  std::string allocator = "strong";
  std::string models;  // empty: DefaultModelsFolder()
  int max_options = pipeline::PlanOptions{}.max_options_per_robot;
  std::string site;  // export.yaml for OUT/programs; empty: the default site
  bool force = false;
};

// The pipeline's options from the command's: threads, allocator, travel-time kind (with the
// models that apply; a warning per robot that falls back to the analytic estimate).
pipeline::PlanOptions MakePlanOptions(const PlanArgs& args, const cell::Cell& c,
                                      const Progress& progress) {
  pipeline::PlanOptions options{.threads = args.jobs,
                                .max_options_per_robot = args.max_options,
                                .rebalance_rounds = args.rebalance_rounds,
                                .spatial_weight = args.spatial_weight,
                                .sweep_weight = args.sweep_weight,
                                .exclusion_clearance = args.exclusion_clearance,
                                .progress = progress};
  if (args.allocator == "baseline") options.allocator = pipeline::Allocator::kBaseline;
  if (args.travel_time == "exact") {
    options.travel_time = pipeline::TravelTimeKind::kExact;
  } else if (args.travel_time != "analytic") {
    // Learned even where no model applies: the plan then says so per robot (the fallback's
    // reason), and its kind, analytic, that nothing was priced by a model.
    learned::ModelChoice choice =
        learned::ChooseModels(c, args.models.empty() ? DefaultModelsFolder() : args.models);
    for (const std::string& m : choice.messages) std::cerr << "weldcell: warning: " << m << '\n';
    options.travel_time = pipeline::TravelTimeKind::kLearned;
    options.travel_models = std::move(choice.models);
    options.travel_fallbacks = std::move(choice.fallbacks);
  }
  return options;
}

// What became of OUT/programs/: the summary's lines about it, why it could not be written
// (empty when it was, or none was due) and whether it was.
struct ProgramsOutcome {
  std::vector<std::string> lines;
  std::string error;
  bool written = false;
};

// How OUT/programs/ is written: its site (`--site`, the file's path in the manifest) and options.
struct ProgramsRequest {
  const exporters::Site& site;
  const std::string& site_file;
  bool force = false;
  int threads = 0;
  const std::optional<OutputFolder>& programs_folder;
  const Progress& progress;  ///< Ctrl-C and the bars, as planning's
};

// The programs of a finished plan, made and not yet written: the export when there is one to
// write, else why not (outcome: the lines, or the export's error).
struct MadePrograms {
  std::optional<exporters::ExportResult> result;
  ProgramsOutcome outcome;
};

// Each robot's program in its cell dialect (docs/export.md), only for a plan that is safe to run
// (as `weldcell export`): a program of a colliding plan must never reach a controller; unplanned
// welds and the cycle time do not block it (a plan without any weld gets none: they would only
// go home).
MadePrograms MakePrograms(const std::filesystem::path& folder, const plan::Plan& plan,
                          const cell::Cell& c, const collision::CollisionWorld& verifier_world,
                          const verify::VerifyReport& report, const ProgramsRequest& request) {
  MadePrograms made;
  const bool any_weld = std::any_of(plan.robots.begin(), plan.robots.end(),
                                    [](const plan::RobotPlan& r) { return !r.welds.empty(); });
  if (!any_weld) {
    // Programs that only go home would tell a controller nothing.
    made.outcome.lines.emplace_back("programs: not written (no weld is planned)");
  } else if (report.unsafe_count() != 0) {
    made.outcome.lines.emplace_back("programs: not written (the plan fails verification)");
  } else {
    try {
      exporters::ExportResult programs =
          exporters::ExportPlan(plan, c, request.site,
                                {.skip_robots_without_controller = true,
                                 .world = &verifier_world,
                                 .plan_file = (folder / "plan.json").string(),
                                 .threads = request.threads,
                                 .progress = request.progress});
      // Its name warnings were printed before planning (CheckStation); the handshakes of
      // robots without a program come with the plan.
      for (const std::string& w : programs.handshake_warnings) {
        std::cerr << "weldcell: warning: " << w << '\n';
      }
      if (!programs.robots.empty()) made.result = std::move(programs);
    } catch (const InputError& e) {
      made.outcome.error = e.what();
    }
  }
  return made;
}

// Writes the run's outputs: the programs into folder/programs/ (when `made` has them) together
// with `outputs(programs_error)` (plan.json, report.html, junit.xml, made for the programs'
// error, "" when they are written) in one all-or-nothing step, fatal signals held off meanwhile:
// no folder holds the plan.json of this run beside the programs or junit.xml of another. When
// the programs cannot be written (a file in the way, a full disk: before any file is replaced),
// the other outputs are written saying so. Without programs of this plan, those an earlier run
// wrote (its manifest lists them) are removed, so they cannot stay beside the new plan.json;
// other files in programs/ are left alone.
ProgramsOutcome WriteOutputs(
    const std::filesystem::path& folder, const plan::Plan& plan, MadePrograms made,
    const ProgramsRequest& request,
    const std::function<std::vector<FileToWrite>(const std::string& programs_error)>& outputs) {
  ProgramsOutcome outcome = std::move(made.outcome);
  // Made before the signals are held off (report.html takes a fraction of a second), so that
  // only the renames wait for them.
  std::vector<FileToWrite> files = outputs(outcome.error);
  const FatalSignalsDeferred deferred;
  if (made.result) {
    try {
      std::vector<std::string> removed;
      exporters::WriteProgramFiles(
          folder / "programs", plan, *made.result,
          {.force = request.force, .site_file = request.site_file, .with = std::move(files)},
          &removed);
      for (const std::string& name : removed) {
        std::cerr << "weldcell: removed " << (folder / "programs" / name).string()
                  << " (written by the previous plan's export, not by this one)\n";
      }
      if (request.programs_folder) request.programs_folder->Keep();
      outcome.written = true;
      outcome.lines = ProgramLines(*made.result);
      return outcome;
    } catch (const InputError& e) {
      outcome.error = e.what();
    } catch (const FileWriteError& e) {
      // Any file of the step, a program or plan.json alike (a full disk): the programs are
      // dropped and the rest written without them, below.
      outcome.error = std::string(
                          "the programs and the other outputs could not be written "
                          "together, so the programs were left out: ") +
                      e.what();
    }
  }
  // With the programs' error (made again), or as made above when no program was due.
  WriteFilesTogether(made.result ? outputs(outcome.error) : std::move(files));
  const int removed = exporters::RemoveProgramFiles(folder / "programs");
  if (removed > 0) {
    outcome.lines.push_back(
        fmt::format("programs: removed the {} file(s) of the previous plan", removed));
  }
  return outcome;
}

// What a finished plan run hands to its printing: the outputs, the verification and the
// derived figures.
struct PlanResult {
  const cell::Cell& cell;
  const std::string& cell_file;             ///< As given on the command line.
  const std::vector<Diagnostic>& warnings;  ///< The cell's load warnings.
  const pipeline::PlanOutput& out;
  const verify::VerifyReport& report;
  const std::vector<report::RequirementResult>& requirements;
  const ProgramsOutcome& programs;
  std::filesystem::path folder;
  pipeline::Allocator allocator;
  double verify_seconds = 0;
  verify::StationVerdict verdict;
  plan::CycleBreakdown breakdown;
  plan::OverheadSplit overhead;
};

// --json's result of `weldcell plan` (docs/cli.md).
nlohmann::ordered_json PlanResultJson(const PlanResult& r) {
  const pipeline::PlanStatistics& s = r.out.statistics;
  nlohmann::ordered_json j;
  j["plan"] = (r.folder / "plan.json").string();
  j["report"] = (r.folder / "report.html").string();
  j["junit"] = (r.folder / "junit.xml").string();
  // Which station, for a CI job that plans many (its name alone may repeat across copies).
  j["cell"] = {{"name", r.cell.name}, {"file", r.cell_file}};
  j["warnings"] = nlohmann::ordered_json::array();
  for (const Diagnostic& d : r.warnings) j["warnings"].push_back(d.ToString());
  j["makespan"] = r.out.plan.makespan;
  j["cycle_time"] = r.cell.cycle_time;
  j["unplanned"] = r.out.plan.unreachable.size();
  j["violations"] = r.report.violations.size();
  // Those that make the plan unsafe to run (what blocks the programs): `violations` also counts
  // the unplanned welds and the cycle time, which a script took for collisions.
  j["unsafe_violations"] = r.report.unsafe_count();
  j["verdict"] = verify::ToString(r.verdict);
  // null when the programs were written, or none were due (no controller, a plan that fails
  // verification); else why not (the exit code is 2).
  j["programs_error"] = r.programs.error.empty() ? nlohmann::ordered_json(nullptr)
                                                 : nlohmann::ordered_json(r.programs.error);
  j["breakdown"] = BreakdownJson(r.breakdown);
  j["estimate"] = s.estimated_makespan;
  // Null where the summary leaves the split out: no estimate, or no robot.
  j["overhead"] = nlohmann::ordered_json(nullptr);
  if (!r.overhead.robot.empty()) {
    j["overhead"] = {{"robot", r.overhead.robot},
                     {"overhead", r.overhead.overhead},
                     {"travel", r.overhead.travel},
                     {"waiting", r.overhead.waiting},
                     {"signal_waiting", r.overhead.signal_waiting},
                     {"route", r.overhead.route},
                     {"travel_source", r.overhead.travel_source},
                     {"near_critical", r.overhead.near_critical}};
  }
  j["travel_time"] = r.out.plan.travel.kind;
  j["travel_time_requested"] = r.out.plan.travel.requested;
  j["travel_error"] = TravelErrorJson(r.out.plan.travel);
  j["rearrange"] = RearrangeJson(s);
  j["requirements"] = nlohmann::ordered_json::array();
  for (const report::RequirementResult& q : r.requirements) {
    j["requirements"].push_back({{"name", q.name}, {"passed", q.passed}, {"message", q.message}});
  }
  return j;
}

// "makespan 25.49 s of 30 s cycle time (fits); allocation estimate …": the verdict line.
std::string MakespanLine(const PlanResult& r) {
  const pipeline::PlanStatistics& s = r.out.statistics;
  // "fits" only for a complete station that verification passes: unplanned welds take no time
  // in the makespan, and a plan with a collision fits nothing.
  const std::string verdict_text =
      r.verdict == verify::StationVerdict::kIncomplete
          ? fmt::format("incomplete: {} of {} welds not planned", r.out.plan.unreachable.size(),
                        r.cell.welds.size())
      : r.verdict == verify::StationVerdict::kInvalid
          ? fmt::format("invalid: {} verification violation(s)", r.report.violations.size())
          : std::string(verify::ToString(r.verdict));
  return fmt::format(
      "makespan {:.2f} s of {} s cycle time ({}); allocation estimate {:.2f} s{}, lower bound "
      "{:.2f} s, baseline {:.2f} s",
      r.out.plan.makespan, report::CycleTimeText(r.cell.cycle_time), verdict_text,
      s.estimated_makespan,
      r.allocator == pipeline::Allocator::kStrong
          ? ""
          : fmt::format(" ({} allocator)", pipeline::ToString(r.allocator)),
      s.lower_bound, s.baseline_makespan);
}

// "moves: 12 direct, 9 planned; 4 interlock zone(s); time: reach …": where the time went.
std::string StageTimesLine(const PlanResult& r) {
  const pipeline::PlanStatistics& s = r.out.statistics;
  return fmt::format(
      "moves: {} direct, {} planned; {} interlock zone(s); time: reach {:.2f} s,{} allocation "
      "{:.2f} s{}, motion {:.2f} s, coordination {:.2f} s, verification {:.2f} s",
      s.direct_moves, s.planned_moves, r.out.plan.zones.size(), s.reach_seconds,
      s.travel_seconds > 0 ? fmt::format(" travel times {:.2f} s,", s.travel_seconds) : "",
      s.allocation_seconds,
      s.ahead_allocation_seconds > 0
          ? fmt::format(" (+{:.2f} s ahead, overlapped)", s.ahead_allocation_seconds)
          : "",
      s.motion_seconds, s.coordination_seconds, r.verify_seconds);
}

// "coordination overhead +9.1 % of the allocation estimate; conflict-aware re-allocation: …":
// what the re-allocation rounds tried and kept.
std::string OverheadLine(const PlanResult& r) {
  const pipeline::PlanStatistics& s = r.out.statistics;
  return fmt::format(
      "coordination overhead {:+.1f} % of the allocation estimate; conflict-aware "
      "re-allocation: {} of {} kept{}{}{}{} (first coordinated makespan {:.2f} s)",
      s.estimated_makespan > 0
          ? 100.0 * (r.out.plan.makespan - s.estimated_makespan) / s.estimated_makespan
          : 0.0,
      s.rebalance_kept, s.rebalance_rounds,
      s.spatial_makespan > 0 ? fmt::format(", spatial term {}: {:.2f} s, {} unplanned",
                                           s.spatial_kept ? "kept" : "not kept", s.spatial_makespan,
                                           s.spatial_unplanned)
                             : std::string(),
      s.exclusion_makespan > 0
          ? fmt::format(", with exclusions {}: {:.2f} s (its estimate {:.2f} s), {} unplanned",
                        s.exclusion_kept ? "kept" : "not kept", s.exclusion_makespan,
                        s.exclusion_estimate, s.exclusion_unplanned)
          : std::string(),
      s.baseline_round_makespan > 0
          ? fmt::format(
                ", the baseline allocation's plan {}: {:.2f} s, {} unplanned (first {:.2f} s, "
                "{} of {} withhold rounds kept)",
                s.baseline_kept ? "kept" : "not kept", s.baseline_round_makespan,
                s.baseline_round_unplanned, s.baseline_round_first, s.baseline_round_kept,
                s.baseline_round_rounds)
          : std::string(),
      RearrangeSummary(s), s.first_makespan);
}

// The summary on a terminal or in a log: the breakdown, the verdict, stage times, overhead,
// travel error, unplanned welds, violations, requirements, programs and the files written.
void PrintPlanSummary(const PlanResult& r) {
  const pipeline::PlanStatistics& s = r.out.statistics;
  for (const std::string& line : plan::BreakdownLines(r.breakdown)) std::cout << line << '\n';
  std::cout << MakespanLine(r) << '\n';
  std::cout << StageTimesLine(r) << '\n';
  std::cout << OverheadLine(r) << '\n';
  if (!r.overhead.robot.empty()) std::cout << "overhead: " << plan::Describe(r.overhead) << '\n';
  std::cout << TravelSummary(r.out.plan.travel, s.travel_seconds) << '\n';
  if (!s.coordination_message.empty()) {
    std::cout << "coordination: " << s.coordination_message << '\n';
  }
  for (const plan::UnreachableWeld& u : r.out.plan.unreachable) {
    std::cout << "not planned: " << u.weld_id << ": " << u.reason << '\n';
  }
  std::cout << fmt::format("verification: {}, {} configurations checked\n",
                           report::ViolationCountText(r.report), r.report.collision_checks);
  PrintViolations(r.report);
  for (const report::RequirementResult& q : r.requirements) {
    std::cout << fmt::format("requirement {}: {}: {}\n", q.name, q.passed ? "pass" : "FAIL",
                             q.message);
  }
  for (const std::string& line : r.programs.lines) std::cout << line << '\n';
  std::cout << "wrote " << (r.folder / "plan.json").string() << ", "
            << (r.folder / "report.html").string() << ", " << (r.folder / "junit.xml").string()
            << (r.programs.written ? ", " + (r.folder / "programs").string() + "/" : "") << '\n';
}

// --quiet: only why the run fails, so that a CI log says it beside the exit code.
void PrintFailedRequirements(const std::vector<report::RequirementResult>& requirements) {
  for (const report::RequirementResult& q : requirements) {
    if (!q.passed) std::cout << fmt::format("requirement {}: FAIL: {}\n", q.name, q.message);
  }
}

// `weldcell plan` in its claimed output folder: load and check the station, plan and verify it
// (Ctrl-C stops either), then write plan.json, the programs, report.html and junit.xml, and say
// how it went. `suite` is set to the station's name once it is read (for RunPlan's junit.xml
// of an input error).
void PlanIntoFolder(const PlanArgs& args, const GlobalOptions& global,
                    const std::atomic<bool>& interrupted, const OutputFolder& out_folder,
                    std::string* suite, int* exit_code) {
  const std::filesystem::path folder(args.out);
  const std::filesystem::path plan_file = folder / "plan.json";
  const std::filesystem::path report_file = folder / "report.html";
  const std::filesystem::path junit_file = folder / "junit.xml";
  // The site of OUT/programs/ (as `export --site`), named in its manifest by its absolute path.
  std::string site_file;
  exporters::Site site;
  if (!args.site.empty()) {
    CheckInputFile(args.site, "site file (export.yaml)");
    site = exporters::LoadSite(args.site);
    site_file = SiteFileName(args.site);
  }
  cell::Loaded<cell::Cell> loaded = cell::LoadCell(args.cell, CellLoadOptions(global));
  for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
  cell::Cell c = std::move(loaded.value);
  *suite = c.name;
  if (args.seed) c.settings.seed = *args.seed;
  // A robot that cannot leave its home, or a program its controller would refuse (its name, a
  // weld id: whatever needs no plan), is an input error said now, not after planning.
  const collision::CollisionWorld verifier_world = verify::MakeVerifierWorld(c);
  const exporters::CellPrograms cell_programs = CheckStation(c, verifier_world, site);
  // OUT/programs/ is made and probed before planning (as `export -o`), where a robot has a
  // controller: a folder the programs cannot be written into fails now, not after minutes of
  // planning. Removed again (if made here) when no program is written.
  std::optional<OutputFolder> programs_folder;
  if (!cell_programs.programs.empty()) {
    CheckOutputFolder(folder / "programs", "--out");
    // A program touched up since the last run (its manifest's hash differs), or a file of the
    // user's where a program goes, would make the export refuse after planning, with plan.json
    // already replaced: refused now, nothing written.
    exporters::CheckProgramsFolder(folder / "programs", cell_programs,
                                   {.force = args.force, .site_file = site_file});
    programs_folder.emplace(folder / "programs", "--out");
  }
  const collision::CollisionWorld world(c);
  // Ctrl-C stops the pipeline (polled within every stage); the outputs are written only when
  // planning and verification both ran to the end, so an interrupted run leaves nothing.
  StageBars bars(!global.quiet && !global.json);
  const Progress progress = bars.MakeProgress(&interrupted);
  const pipeline::PlanOptions plan_options = MakePlanOptions(args, c, progress);
  const pipeline::PlanOutput out = pipeline::PlanCell(c, world, plan_options);
  // Stopped: the travel warnings are of matrices cut short (16 of 600 moves without a path).
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  for (const std::string& w : out.statistics.travel_warnings) {
    std::cerr << "weldcell: warning: " << w << '\n';
  }
  const auto verify_start = std::chrono::steady_clock::now();
  const verify::VerifyReport report =
      verify::Verify(out.plan, c, verifier_world, {.threads = args.jobs, .progress = progress});
  const double verify_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - verify_start).count();
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  bars.Finish();
  std::vector<report::RequirementResult> requirements =
      report::CheckRequirements(c, out.plan, out.reach, report);
  const ProgramsRequest programs_request{.site = site,
                                         .site_file = site_file,
                                         .force = args.force,
                                         .threads = args.jobs,
                                         .programs_folder = programs_folder,
                                         .progress = progress};
  MadePrograms made = MakePrograms(folder, out.plan, c, verifier_world, report, programs_request);
  // Ctrl-C while the programs were made (seconds on a big station) stops here too: nothing is
  // written yet.
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  bars.Finish();
  // plan.json and junit.xml are deterministic; report.html also shows the stage timings. A plan
  // whose programs could not be written (exit 2) is not all well: junit.xml, report.html and
  // --json say so with a failing requirement.
  const std::string plan_text = plan::ToJson(out.plan);
  const std::vector<report::RequirementResult> plan_requirements = requirements;
  const auto outputs = [&](const std::string& programs_error) {
    requirements = plan_requirements;
    if (!programs_error.empty()) {
      requirements.push_back(report::ProgramsNotWritten(programs_error));
    }
    return std::vector<FileToWrite>{
        {.path = plan_file, .contents = plan_text},
        {.path = report_file,
         .contents = report::HtmlReport(c, out, report,
                                        {.version = WELDCELL_VERSION,
                                         .cell_file = args.cell,
                                         .warnings = loaded.warnings,
                                         .verify_seconds = verify_seconds,
                                         .programs_error = programs_error})},
        {.path = junit_file, .contents = report::JunitXml(c.name, requirements)}};
  };
  out_folder.Keep();
  const ProgramsOutcome programs =
      WriteOutputs(folder, out.plan, std::move(made), programs_request, outputs);
  const plan::CycleBreakdown breakdown = plan::BreakDown(out.plan);
  const PlanResult result{.cell = c,
                          .cell_file = args.cell,
                          .warnings = loaded.warnings,
                          .out = out,
                          .report = report,
                          .requirements = requirements,
                          .programs = programs,
                          .folder = folder,
                          .allocator = plan_options.allocator,
                          .verify_seconds = verify_seconds,
                          .verdict = verify::Judge(out.plan, report),
                          .breakdown = breakdown,
                          .overhead = plan::SplitOverhead(breakdown, out.plan.travel,
                                                          out.statistics.estimated_makespan)};
  if (global.json) {
    PrintJson(PlanResultJson(result), std::cout);
  } else if (!global.quiet) {
    PrintPlanSummary(result);
  } else if (result.verdict != verify::StationVerdict::kFits) {
    PrintFailedRequirements(requirements);
  }
  *exit_code = result.verdict == verify::StationVerdict::kFits ? kExitOk : kExitRequirement;
  if (!programs.error.empty()) {
    // The error as the export says it (its own `file: error:` form; its "nothing written"
    // speaks of the programs folder), then what this run did write.
    // An export error is said in its own `file: error:` form; a write error is not.
    std::cerr << (programs.error.find(": error: ") == std::string::npos ? "weldcell: error: " : "")
              << programs.error << "\nweldcell: error: the robot programs were not written (the "
              << "error above); " << (folder / "plan.json").string()
              << ", report.html and junit.xml were written, with a failing requirement "
                 "`programs written`\n";
    *exit_code = kExitBadInput;
  }
}

// The junit suite of a station whose cell file could not be loaded: the top-level `name:` its
// first lines give (a passing run's suite is the station's name), else as
// report::SuiteOfCellFile.
std::string SuiteOfCellFile(const std::string& cell_file) {
  static const std::regex kName(R"(name:[ \t]*(["']?)([^"'#\r]*?)\1[ \t]*(#.*)?\r?)");
  // Only a regular file of a cell's size is read: a FIFO given as the cell would block the run.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(cell_file, ec) ||
      std::filesystem::file_size(cell_file, ec) > (std::uintmax_t{1} << 24) || ec) {
    return report::SuiteOfCellFile(cell_file);
  }
  std::ifstream in(cell_file);
  std::string line;
  for (int i = 0; i < 200 && std::getline(in, line); ++i) {
    std::smatch m;
    if (std::regex_match(line, m, kName) && m[2].length() > 0) return m[2].str();
  }
  return report::SuiteOfCellFile(cell_file);
}

// Whether every problem of `e` lies in the output folder `folder` (a program there edited
// since, OUT/programs/ a file): a problem of the outputs, not of the station.
bool InTheOutputFolder(const InputError& e, const std::filesystem::path& folder) {
  std::error_code ec;
  const std::filesystem::path out = std::filesystem::weakly_canonical(folder, ec);
  return !e.diagnostics().empty() &&
         std::all_of(e.diagnostics().begin(), e.diagnostics().end(), [&](const Diagnostic& d) {
           std::error_code ec2;
           const std::filesystem::path file = std::filesystem::weakly_canonical(d.where.file, ec2);
           const std::filesystem::path rel = file.lexically_relative(out);
           return !d.where.file.empty() && !rel.empty() && *rel.begin() != "..";
         });
}

// `weldcell plan`: claims the output folder, then PlanIntoFolder. Bad input of the station
// found after the folder is claimed (the station, the site, a plan it cannot hold) replaces
// OUT/junit.xml by one error case, so that a CI job's report does not keep the last run's
// passing cases; plan.json, report.html and the programs stay as they were. A problem of the
// output folder itself (OUT/programs/ not writable, a program there edited since) and a run
// interrupted meanwhile write nothing (Ctrl-C while a broken station loads is exit 130).
void RunPlan(const PlanArgs& args, const GlobalOptions& global, int* exit_code) {
  // Ctrl-C is caught from the start (loading a big station takes a while, and the output
  // folder is made and probed here): the first one is seen at the pipeline's first poll.
  const std::atomic<bool>& interrupted = CatchInterrupt();
  const std::filesystem::path folder(args.out);
  const std::filesystem::path junit_file = folder / "junit.xml";
  CheckOutputFolder(args.out, "--out");
  for (const char* name : {"plan.json", "report.html", "junit.xml"}) {
    CheckOutputFile(folder / name, "--out");
  }
  // Made (and removed again when nothing is written) and locked now: a second run into the same
  // folder is refused at once, not mixed with this one's files.
  const OutputFolder out_folder(args.out, "--out");
  std::string suite;  // the station's name once it is loaded
  try {
    PlanIntoFolder(args, global, interrupted, out_folder, &suite, exit_code);
  } catch (const InputError& e) {
    if (interrupted.load()) {
      StageBars quiet(false);
      StopIfInterrupted(interrupted, &quiet, exit_code);
      return;
    }
    if (InTheOutputFolder(e, folder)) throw;
    try {
      const FatalSignalsDeferred deferred;
      WriteFileAtomically(
          junit_file, report::JunitOfInputError(suite.empty() ? SuiteOfCellFile(args.cell) : suite,
                                                args.cell, e.what()));
      out_folder.Keep();
    } catch (const std::exception&) {
      // The folder takes no file (a full disk): the error said on stderr is all there is.
    }
    throw;
  }
}
}  // namespace

void RegisterPlan(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Plan the station (reach, allocate, motion) and verify the plan; writes "
      "OUT/plan.json, OUT/report.html (for people), OUT/junit.xml (one test case per "
      "requirement, for CI) and, for a plan that passes verification, OUT/programs/ (the robot "
      "programs of robots with a controller dialect). Exit 1 if a weld is not planned, the plan "
      "fails verification or "
      "the plan exceeds the cycle time");
  auto args = std::make_shared<PlanArgs>();
  cmd->add_option("cell", args->cell, "The cell YAML")->required();
  cmd->add_option("-o,--out", args->out, "Output folder (created)")->capture_default_str();
  cmd->add_option("-j,--jobs", args->jobs,
                  "Worker threads (0 = one per hardware thread); the plan does "
                  "not depend on it")
      ->transform(WholeNumber(0, kMaxJobs));
  cmd->add_option("--seed", args->seed, "Random seed (default: the cell's settings.seed)")
      ->transform(WholeNumber(0, kMaxSeed));
  cmd->add_option("--rebalance-rounds", args->rebalance_rounds,
                  "Re-allocations tried after coordination, away from failed motions and "
                  "interlock waits (0 = none); one is kept only when more welds are planned or "
                  "the coordinated makespan drops")
      ->transform(WholeNumber(0, 100))
      ->capture_default_str();
  cmd->add_option("--spatial-weight", args->spatial_weight,
                  "Seconds per metre a weld costs a robot in the allocator's search for every "
                  "metre its tool at home is farther from the weld than the nearest reaching "
                  "robot's: keeps each robot's welds near it; tried in the last re-allocation "
                  "rounds, kept only when the coordinated plan gets better (0 = never)")
      ->check(FiniteRange(0.0, 1000.0, "s/m"))
      ->capture_default_str();
  cmd->add_option("--sweep-weight", args->sweep_weight,
                  "Seconds per metre a robot's move costs in the allocator's search for every "
                  "metre it goes back against its sweep direction (along the line of bases, "
                  "opposite on the two sides); used with --spatial-weight (0 = off)")
      ->check(FiniteRange(0.0, 1000.0, "s/m"))
      ->capture_default_str();
  cmd->add_option("--exclusion-clearance", args->exclusion_clearance,
                  "Metres: the allocator keeps two robots from working at the same time where "
                  "their arms, at the two welds' configurations, come this close (waits "
                  "counted in its estimate); 0 = off")
      ->check(FiniteRange(0.0, 10.0, "m"))
      ->capture_default_str();
  cmd->add_option("--allocator", args->allocator,
                  "Who assigns and orders the welds: strong (weldcell's search) or baseline "
                  "(nearest robot, then nearest neighbour: the everyday method, planned, "
                  "coordinated and re-allocated the same way, to compare makespans)")
      ->check(CLI::IsMember({"strong", "baseline"}))
      ->capture_default_str();
  cmd->add_option("--travel-time", args->travel_time,
                  "How the allocator prices travel moves: learned (the robot's model from "
                  "--models; analytic where none applies, with a warning), analytic (straight "
                  "joint move) or exact (plans every pair; slow)")
      ->check(CLI::IsMember({"learned", "analytic", "exact"}))
      ->capture_default_str();
  cmd->add_option("--max-options", args->max_options,
                  "Candidates per weld and robot offered to the allocator")
      ->transform(WholeNumber(1, 64))
      ->capture_default_str();
  cmd->add_option("--models", args->models,
                  "Folder of travel models (weldcell train); default: ./models if there is "
                  "one, else the models shipped with weldcell")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--site", args->site,
                  "Site configuration of OUT/programs/ (export.yaml, as `weldcell export --site`; "
                  "docs/export.md)")
      ->type_name("FILE")
      ->check(FileName());
  cmd->add_flag("--force", args->force,
                "Replace or remove files in OUT/programs/ that were edited since weldcell wrote "
                "them, or that weldcell did not write, or write them without the site file they "
                "were written with (without: exit 2 naming them, no program written)");
  cmd->callback([&global, exit_code, args] { RunPlan(*args, global, exit_code); });
}

void CheckPlanCellName(const plan::Plan& plan, const cell::Cell& cell, const std::string& plan_file,
                       const std::string& cell_file) {
  if (plan.cell_name != cell.name) {
    throw InputError({{.where = {.file = plan_file},
                       .key_path = "cell.name",
                       .message = fmt::format("the plan is of cell {}, not of {} ({}): give "
                                              "this cell's plan, or plan it (weldcell plan)",
                                              plan.cell_name, cell.name, cell_file)}});
  }
}

void RegisterVerify(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd =
      app.add_subcommand("verify",
                         "Re-check a plan against its cell, independently of the planner: dense "
                         "collisions, joint limits, timing, welds; exit 1 on any violation");
  auto cell_file = std::make_shared<std::string>();
  auto plan_file = std::make_shared<std::string>();
  auto resolution_mm = std::make_shared<double>(0.0);
  auto jobs = std::make_shared<int>(0);
  cmd->add_option("cell", *cell_file, "The cell YAML")->required();
  cmd->add_option("plan", *plan_file, "The plan.json to check")->required();
  cmd->add_option("--resolution", *resolution_mm,
                  "mm of robot travel between collision checks (default: the cell's)")
      ->check(ResolutionMm());
  cmd->add_option("-j,--jobs", *jobs, "Worker threads (0 = one per hardware thread)")
      ->transform(WholeNumber(0, kMaxJobs));
  cmd->callback([&global, exit_code, cell_file, plan_file, resolution_mm, jobs] {
    const std::atomic<bool>& interrupted = CatchInterrupt();  // from the start, as plan's
    const cell::Cell c = LoadForCommand(*cell_file, global);
    const plan::Plan p = ReadPlan(*plan_file, c);
    // A plan of this cell edited since (same name, another hash) is checked against the cell
    // as it is now: a plan-mismatch violation, exit 1.
    CheckPlanCellName(p, c, *plan_file, *cell_file);
    StageBars bars(!global.quiet && !global.json);
    const verify::VerifyReport report =
        verify::Verify(p, c,
                       {.resolution = *resolution_mm / 1000.0,
                        .threads = *jobs,
                        .progress = bars.MakeProgress(&interrupted)});
    if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
    bars.Finish();
    if (global.json) {
      nlohmann::ordered_json j;
      // Every violation (the text output summarises), and the count per kind.
      j["violations"] = ViolationsJson(report);
      j["violation_count"] = report.violations.size();
      j["counts"] = nlohmann::ordered_json::object();
      for (const auto& [kind, count] : report.CountByKind()) {
        j["counts"][std::string(verify::ToString(kind))] = count;
      }
      j["checks"] = report.collision_checks;
      j["unordered_pairs"] = report.concurrency.unordered_pairs;
      j["unordered_checks"] = report.concurrency.checks;
      j["unordered_checked_pairs"] = report.concurrency.checked_pairs;
      j["unordered_capped"] = report.concurrency.capped;
      j["robustness_checks"] = report.robustness.checks;
      j["robustness_piece_pairs"] = report.robustness.piece_pairs;
      j["robustness_near_piece_pairs"] = report.robustness.near_piece_pairs;
      PrintJson(j, std::cout);
    } else if (!global.quiet || !report.ok()) {
      PrintViolations(report);
      std::cout << fmt::format(
          "{} violation(s); {} configurations checked; {} pairs of two robots' segments that no "
          "interlock or weld signal orders, checked with {} robot-pair collision checks\n",
          report.violations.size(), report.collision_checks, report.concurrency.unordered_pairs,
          report.concurrency.checks);
    }
    *exit_code = report.ok() ? kExitOk : kExitRequirement;
  });
}

}  // namespace weldcell::cli
