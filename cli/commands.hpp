#pragma once
// The weldcell commands. Each Register* adds a subcommand to the app; the callback it installs
// stores its exit code in *exit_code.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "exporters/export.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::cli {

struct GlobalOptions {
  bool quiet = false;  ///< Only errors.
  bool json = false;   ///< Machine-readable output on stdout.
  /// --package-path DIR (repeatable): folders that hold ROS packages, for package:// meshes.
  std::vector<std::string> package_paths;
};

/// How the commands load cells: --package-path folders first, then the folders of the
/// ROS_PACKAGE_PATH environment variable (colon-separated), as LoadOptions::package_paths.
cell::LoadOptions CellLoadOptions(const GlobalOptions& global);

/// The travel models folder when none is given (`plan --models`, `models list`): `models` in the
/// working directory when there is such a folder, else the models shipped with this weldcell
/// (its source tree's `models/`, fixed at build time) when that folder exists, else `models`.
std::string DefaultModelsFolder();

void RegisterCheck(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterReach(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterPlan(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterVerify(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterGenerate(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterExport(CLI::App& app, const GlobalOptions& global, int* exit_code);

/// One line per robot: dialect, program, moves, corridor, estimated vs planned motion time.
std::vector<std::string> ProgramLines(const exporters::ExportResult& result);
/// Throws InputError (at `plan_file`, key cell.name) when `plan` names another cell than
/// `cell`: the wrong file, not a plan that fails (its collisions against this cell's objects
/// would mean nothing). `verify` and `export` (before anything else) refuse it alike.
void CheckPlanCellName(const plan::Plan& plan, const cell::Cell& cell, const std::string& plan_file,
                       const std::string& cell_file);
/// The checks of a loaded cell that `check` makes and `plan` makes before planning: every
/// robot's home (verify::CheckHomes, in `verifier_world`) and the cell's programs as its
/// controllers get them (exporters::CheckCellPrograms with `site`; robots without a
/// `controller:` skipped), its warnings printed on stderr. Returns the programs of the robots
/// with a controller, each with the name it gets (the one given, or the one the dialect makes
/// of the robot's name). Throws InputError with every problem of both.
exporters::CellPrograms CheckStation(const cell::Cell& cell,
                                     const collision::CollisionWorld& verifier_world,
                                     const exporters::Site& site = {});
void RegisterTrain(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterModels(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace weldcell::cli
