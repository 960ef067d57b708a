// `weldcell export cell.yaml plan.json -o DIR [--dialect D] [--site export.yaml]`, and the
// programs/ folder that `weldcell plan` writes.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/json_output.hpp"
#include "cli/output_paths.hpp"
#include "cli/progress.hpp"
#include "exporters/dialect.hpp"
#include "exporters/export.hpp"
#include "exporters/site.hpp"
#include "planner/cell/load.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::cli {

std::vector<std::string> ProgramLines(const exporters::ExportResult& result) {
  std::vector<std::string> lines;
  for (const exporters::RobotExport& r : result.robots) {
    lines.push_back(fmt::format(
        "{}: {} program {}: {} moves ({} planned samples, corridor {:.4f} deg, {} kept "
        "where the chord collided, {} short moves merged, {} of {} corners blended{}), motion "
        "{:.2f} s estimated vs {:.2f} s planned",
        r.robot, r.dialect, r.program.name, r.figures.moves, r.figures.planned_samples,
        r.figures.corridor_tolerance * 180.0 / 3.14159265358979323846,
        r.figures.rechecked_waypoints, r.figures.merged_moves, r.figures.blended_corners,
        r.figures.blended_corners + r.figures.stopped_corners,
        r.figures.stopped_for_robots > 0
            ? fmt::format(", {} stopped where the blend met another robot",
                          r.figures.stopped_for_robots)
            : "",
        r.estimated_motion_time, r.figures.planned_motion_time));
  }
  for (const std::string& s : result.skipped) {
    lines.push_back(s + ": no program (no `controller:` in the cell)");
  }
  return lines;
}

namespace {

// The command line of `weldcell export`.
struct ExportArgs {
  std::string cell, plan, out, dialect, site;
  int jobs = 0;
  bool force = false;
};

// Declares export's arguments and options on `cmd`, bound to `args`.
void AddExportOptions(CLI::App* cmd, ExportArgs* args) {
  cmd->add_option("cell", args->cell, "The cell YAML")->required();
  cmd->add_option("plan", args->plan, "The plan.json of the cell")->required();
  cmd->add_option("-o,--out", args->out, "Output folder (created)")->required();
  std::string dialects;
  for (const std::string& n : exporters::DialectNames())
    dialects += (dialects.empty() ? "" : ", ") + n;
  cmd->add_option(
         "--dialect", args->dialect,
         "One dialect for every robot (default: each robot's controller.dialect): " + dialects)
      ->check(CLI::IsMember(exporters::DialectNames()));
  cmd->add_option("--site", args->site, "Site configuration (export.yaml, docs/export.md)")
      ->check(FileName());
  cmd->add_flag("--force", args->force,
                "Replace or remove files of the previous export into --out that were edited since "
                "(without: exit 2 naming them, nothing written)");
  cmd->add_option("-j,--jobs", args->jobs,
                  "Worker threads of the verification (0 = one per hardware thread)")
      ->transform(WholeNumber(0, kMaxJobs));
}

// Refuses a plan with violations that block programs (all but unplanned welds and the cycle
// time): prints them and the error (and the JSON answer), sets the exit code; false if none.
bool RefuseFailedVerification(const verify::VerifyReport& report, const GlobalOptions& global,
                              int* exit_code) {
  const int blocking = report.unsafe_count();
  if (blocking <= 0) return false;
  for (const std::string& line : verify::SummaryLines(report)) std::cerr << line << '\n';
  const std::string error = fmt::format(
      "no programs written: the plan fails verification ({} violation(s) besides unplanned "
      "welds and the cycle time)",
      blocking);
  std::cerr << "weldcell: error: " << error << '\n';
  if (global.json) {
    PrintJson({{"programs", nlohmann::ordered_json::array()},
               {"error", error},
               {"violations", ViolationsJson(report)}},
              std::cout);
  }
  *exit_code = kExitRequirement;
  return true;
}

// Warns that the plan's unplanned welds are not in the programs, naming the first ten and a
// count (in both modes: stderr is the user's either way).
void WarnUnplannedWelds(const plan::Plan& p) {
  if (p.unreachable.empty()) return;
  constexpr std::size_t kShown = 10;
  std::string names;
  for (std::size_t i = 0; i < std::min(kShown, p.unreachable.size()); ++i) {
    names += (i ? ", " : "") + p.unreachable[i].weld_id;
  }
  if (p.unreachable.size() > kShown) {
    names += fmt::format(" and {} more", p.unreachable.size() - kShown);
  }
  std::cerr << fmt::format(
      "weldcell: warning: {} weld(s) of the cell are not in the plan and "
      "not in the programs: {}\n",
      p.unreachable.size(), names);
}

// The `--json` answer of a written export: per robot its program, files (under `out`) and
// figures (deg as the exporters give them, s), the unplanned welds and the files removed.
nlohmann::ordered_json ExportJson(const exporters::ExportResult& result, const plan::Plan& p,
                                  const std::string& out, const std::vector<std::string>& removed) {
  nlohmann::ordered_json j;
  j["programs"] = nlohmann::ordered_json::array();
  for (const exporters::RobotExport& r : result.robots) {
    nlohmann::ordered_json jr;
    jr["robot"] = r.robot;
    jr["dialect"] = r.dialect;
    jr["program"] = r.program.name;
    jr["files"] = nlohmann::ordered_json::array();
    for (const exporters::ProgramFile& f : r.files) {
      jr["files"].push_back((std::filesystem::path(out) / f.name).string());
    }
    jr["moves"] = r.figures.moves;
    jr["corridor_tolerance"] = r.figures.corridor_tolerance;
    jr["max_deviation"] = r.figures.max_deviation;
    jr["rechecked_waypoints"] = r.figures.rechecked_waypoints;
    jr["merged_moves"] = r.figures.merged_moves;
    jr["blended_corners"] = r.figures.blended_corners;
    jr["stopped_corners"] = r.figures.stopped_corners;
    jr["stopped_for_robots"] = r.figures.stopped_for_robots;
    jr["estimated_motion_time"] = r.estimated_motion_time;
    jr["planned_motion_time"] = r.figures.planned_motion_time;
    j["programs"].push_back(std::move(jr));
  }
  j["unplanned_welds"] = nlohmann::ordered_json::array();
  for (const plan::UnreachableWeld& u : p.unreachable) {
    j["unplanned_welds"].push_back({{"weld", u.weld_id}, {"reason", u.reason}});
  }
  j["removed"] = removed;
  return j;
}

// The export command: checks the inputs, the plan's cell and the cell's programs, verifies the
// plan, and writes the programs of a plan that passes into args.out.
void RunExport(const ExportArgs& args, const GlobalOptions& global, int* exit_code) {
  // Ctrl-C stops the verification (polled) or the export before anything is written: exit 130,
  // "interrupted", as `plan` (it ended the process by the signal, with nothing said).
  const std::atomic<bool>& interrupted = CatchInterrupt();
  CheckOutputFolder(args.out, "--out");
  // Inputs are regular files of a sane size (a device like /dev/zero never ends).
  CheckInputFile(args.cell, "cell YAML");
  if (!args.site.empty()) CheckInputFile(args.site, "site file (export.yaml)");
  const std::string plan_text = ReadInputFile(args.plan, "plan (plan.json)");
  // The output folder is made now, before any work, so that a path the file system refuses
  // (`-o /proc/nope`) fails at once; a folder made here is removed again if nothing is written.
  const OutputFolder out_folder(args.out, "--out");
  const exporters::Site site =
      args.site.empty() ? exporters::Site{} : exporters::LoadSite(args.site);
  cell::Loaded<cell::Cell> loaded = cell::LoadCell(args.cell, CellLoadOptions(global));
  for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
  const plan::Plan p = plan::PlanFromJson(plan_text, args.plan, &loaded.value);
  // Programs only for a plan the verifier passes (unplanned welds and the cycle time aside):
  // a colliding plan must never reach a controller.
  // A plan of another cell is bad input, said before verifying it against this cell: one
  // naming another cell (as `verify` refuses it), or of another cell hash.
  CheckPlanCellName(p, loaded.value, args.plan, args.cell);
  exporters::CheckPlanOfCell(p, loaded.value, args.plan);
  // The problems of the cell's names and the site that need no plan (program names, weld
  // ids, overlapping I/O ranges, a weld call or speed a dialect refuses) before the
  // verification, which takes seconds to minutes.
  // Robots without a controller get no program where others have one (as `plan` writes them);
  // with none anywhere and no --dialect, there is nothing to export: an error naming each.
  const std::vector<cell::Robot>& robots = loaded.value.robots;
  const bool skip_robots_without_controller =
      args.dialect.empty() && std::any_of(robots.begin(), robots.end(), [](const cell::Robot& r) {
        return !r.controller.dialect.empty();
      });
  exporters::CheckCellPrograms(loaded.value, site, args.dialect, skip_robots_without_controller);
  const collision::CollisionWorld world = verify::MakeVerifierWorld(loaded.value);
  StageBars bars(!global.quiet && !global.json);
  const Progress progress = bars.MakeProgress(&interrupted);
  const verify::VerifyReport report =
      verify::Verify(p, loaded.value, world, {.threads = args.jobs, .progress = progress});
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  bars.Finish();
  if (RefuseFailedVerification(report, global, exit_code)) return;
  // Programs that only go home would tell a controller nothing: none, as `plan` writes none.
  if (std::none_of(p.robots.begin(), p.robots.end(),
                   [](const plan::RobotPlan& r) { return !r.welds.empty(); })) {
    if (global.json) {
      PrintJson(ExportJson(exporters::ExportResult{}, p, args.out, {}), std::cout);
    } else if (!global.quiet) {
      std::cout << "programs: not written (no weld is planned)\n";
    }
    *exit_code = kExitOk;
    return;
  }
  const exporters::ExportResult result =
      exporters::ExportPlan(p, loaded.value, site,
                            {.dialect = args.dialect,
                             .skip_robots_without_controller = skip_robots_without_controller,
                             .world = &world,
                             .plan_file = args.plan,
                             .threads = args.jobs,
                             .progress = progress});
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  bars.Finish();
  for (const std::string& w : result.warnings) std::cerr << "weldcell: warning: " << w << '\n';
  for (const std::string& w : result.handshake_warnings) {
    std::cerr << "weldcell: warning: " << w << '\n';
  }
  WarnUnplannedWelds(p);
  std::vector<std::string> removed;
  std::vector<std::filesystem::path> written;
  {
    const FatalSignalsDeferred deferred;  // every program of this plan, or none
    written = exporters::WriteProgramFiles(
        args.out, p, result,
        {.force = args.force, .site_file = SiteFileName(args.site), .cell_name = p.cell_name},
        &removed);
  }
  for (const std::string& name : removed) {
    std::cerr << "weldcell: removed " << (std::filesystem::path(args.out) / name).string()
              << " (written by the previous export, not by this one)\n";
  }
  out_folder.Keep();
  if (global.json) {
    PrintJson(ExportJson(result, p, args.out, removed), std::cout);
  } else if (!global.quiet) {
    for (const std::string& line : ProgramLines(result)) std::cout << line << '\n';
    std::cout << "wrote " << written.size() << " file(s) to " << args.out << '\n';
  }
  *exit_code = kExitOk;
}

}  // namespace

void RegisterExport(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Write the robot programs of a plan for the controllers (KUKA KRL, ABB RAPID, FANUC LS, "
      "Yaskawa INFORM, URScript), each read back by a strict reader before it is written");
  auto args = std::make_shared<ExportArgs>();
  AddExportOptions(cmd, args.get());
  cmd->callback([&global, exit_code, args] { RunExport(*args, global, exit_code); });
}

}  // namespace weldcell::cli
