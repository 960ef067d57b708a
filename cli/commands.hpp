#pragma once
// The weldcell commands. Each Register* adds a subcommand to the app; the callback it installs
// stores its exit code in *exit_code.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "exporters/export.hpp"
#include "planner/cell/load.hpp"

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

void RegisterCheck(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterReach(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterPlan(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterVerify(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterGenerate(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterExport(CLI::App& app, const GlobalOptions& global, int* exit_code);

/// One line per robot: dialect, program, moves, corridor, estimated vs planned motion time.
std::vector<std::string> ProgramLines(const exporters::ExportResult& result);
void RegisterTrain(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterModels(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace weldcell::cli
