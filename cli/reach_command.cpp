// `weldcell reach cell.yaml [--csv file]`: which robot can put its gun on which weld, and why
// not. Exit 1 when a weld is reachable by no robot.

#include <fmt/format.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/json_output.hpp"
#include "cli/output_paths.hpp"
#include "cli/progress.hpp"
#include "exporters/export.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::cli {
namespace {

std::string ReachCsv(const cell::Cell& c, const reach::ReachMap& map) {
  std::string out = "weld,robot,status,candidates,best_clearance_m,detail\n";
  for (int w = 0; w < map.weld_count(); ++w) {
    for (int r = 0; r < map.robot_count(); ++r) {
      const reach::WeldReach& e = map.at(w, r);
      double best = 0;
      for (const reach::Candidate& cand : e.candidates) best = std::max(best, cand.clearance);
      out += fmt::format("{},{},{},{},{:.4f},{}\n", exporters::CsvField(c.welds[w].id),
                         exporters::CsvField(c.robots[r].name), reach::ToString(e.status),
                         e.candidates.size(), best, exporters::CsvField(e.detail));
    }
  }
  return out;
}

std::string Cell(const reach::WeldReach& e) {
  if (e.status == reach::ReachStatus::kReachable) return std::to_string(e.candidates.size());
  return std::string(reach::ToString(e.status));
}

void PrintTable(const cell::Cell& c, const reach::ReachMap& map) {
  std::size_t id_width = 4;
  for (const cell::Weld& w : c.welds) id_width = std::max(id_width, w.id.size());
  std::cout << fmt::format("{:<{}}", "weld", id_width);
  for (const cell::Robot& r : c.robots) std::cout << fmt::format("  {:>16}", r.name);
  std::cout << '\n';
  for (int w = 0; w < map.weld_count(); ++w) {
    std::cout << fmt::format("{:<{}}", c.welds[w].id, id_width);
    for (int r = 0; r < map.robot_count(); ++r) {
      std::cout << fmt::format("  {:>16}", Cell(map.at(w, r)));
    }
    std::cout << '\n';
  }
  // What the cells mean, for someone who knows robots but not weldcell.
  std::cout << "(a number: the gun poses, IK branches x gun spins x tilts, that put the TCP on "
               "the weld free of collision; else why no pose does: `--csv` gives each reason "
               "in full)\n";
  std::cout << "\nper robot:\n";
  for (int r = 0; r < map.robot_count(); ++r) {
    int reachable = 0, only = 0;
    for (int w = 0; w < map.weld_count(); ++w) {
      if (map.at(w, r).status != reach::ReachStatus::kReachable) continue;
      ++reachable;
      int others = 0;
      for (int s = 0; s < map.robot_count(); ++s) {
        others += s != r && map.at(w, s).status == reach::ReachStatus::kReachable;
      }
      only += others == 0;
    }
    std::cout << fmt::format("  {}: reaches {} of {} welds ({} only by it)\n", c.robots[r].name,
                             reachable, map.weld_count(), only);
  }
}

}  // namespace

void RegisterReach(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "reach",
      "Reachability of every weld by every robot (IK, gun spin, collisions, approach); "
      "exit 1 if a weld is reachable by no robot");
  auto cell_file = std::make_shared<std::string>();
  auto csv_file = std::make_shared<std::string>();
  auto jobs = std::make_shared<int>(0);
  cmd->add_option("cell", *cell_file, "The cell YAML")->required();
  CLI::Option* csv_option =
      cmd->add_option("--csv", *csv_file,
                      "Also write the weld × robot table as CSV to this file (- : to the standard "
                      "output, instead of the table)");
  cmd->add_option("-j,--jobs", *jobs, "Worker threads (0 = one per hardware thread)")
      ->transform(WholeNumber(0, kMaxJobs));
  cmd->callback([&global, exit_code, cell_file, csv_file, csv_option, jobs] {
    const std::atomic<bool>& interrupted = CatchInterrupt();  // from the start, as plan's
    const bool write_csv = csv_option->count() > 0;
    // `--csv -`: the CSV is the standard output (a pipe into another tool), nothing else is.
    const bool csv_to_stdout = write_csv && *csv_file == "-";
    if (csv_to_stdout && global.json) {
      throw InputError({{.where = {.file = "-"},
                         .key_path = "--csv",
                         .message = "--csv - and --json would both print on the standard "
                                    "output; give --csv a file"}});
    }
    if (write_csv && !csv_to_stdout) CheckOutputFile(*csv_file, "--csv");
    const cell::Loaded<cell::Cell> loaded = cell::LoadCell(*cell_file, CellLoadOptions(global));
    for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
    const cell::Cell& c = loaded.value;
    const collision::CollisionWorld world(c);
    StageBars bars(!global.quiet && !global.json);
    const reach::ReachMap map =
        reach::ReachAll(c, world, {.threads = *jobs, .progress = bars.MakeProgress(&interrupted)});
    if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
    bars.Finish();
    if (csv_to_stdout) {
      std::cout << ReachCsv(c, map);
    } else if (write_csv) {
      WriteFileAtomically(*csv_file, ReachCsv(c, map));
    }

    std::vector<int> unreachable;
    for (int w = 0; w < map.weld_count(); ++w) {
      if (!map.reachable(w)) unreachable.push_back(w);
    }
    if (global.json) {
      nlohmann::ordered_json j;
      j["cell"] = c.name;
      j["welds"] = nlohmann::ordered_json::array();
      for (int w = 0; w < map.weld_count(); ++w) {
        nlohmann::ordered_json jw;
        jw["id"] = c.welds[w].id;
        for (int r = 0; r < map.robot_count(); ++r) {
          const reach::WeldReach& e = map.at(w, r);
          jw["robots"][c.robots[r].name] = {{"status", reach::ToString(e.status)},
                                            {"candidates", e.candidates.size()},
                                            {"detail", e.detail}};
        }
        j["welds"].push_back(jw);
      }
      j["unreachable"] = nlohmann::ordered_json::array();
      for (int w : unreachable) j["unreachable"].push_back(c.welds[w].id);
      PrintJson(j, std::cout);
    } else if (!global.quiet && !csv_to_stdout) {
      PrintTable(c, map);
    }
    if (!unreachable.empty() && !global.json && !csv_to_stdout) {
      std::cout << fmt::format("\n{} weld(s) reachable by no robot:\n", unreachable.size());
      for (int w : unreachable) {
        std::cout << "  " << c.welds[w].id << ":";
        for (int r = 0; r < map.robot_count(); ++r) {
          const reach::WeldReach& e = map.at(w, r);
          std::cout << fmt::format("{} {}: {}{}{}", r == 0 ? "" : ";", c.robots[r].name,
                                   reach::ToString(e.status), e.detail.empty() ? "" : " – ",
                                   e.detail);
        }
        std::cout << '\n';
      }
    }
    *exit_code = unreachable.empty() ? kExitOk : kExitRequirement;
  });
}

}  // namespace weldcell::cli
