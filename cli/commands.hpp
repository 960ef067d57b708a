#pragma once
// The weldcell commands. Each Register* adds a subcommand to the app; the callback it installs
// stores its exit code in *exit_code.

#include <CLI/CLI.hpp>

namespace weldcell::cli {

struct GlobalOptions {
  bool quiet = false;  ///< Only errors.
  bool json = false;   ///< Machine-readable output on stdout.
};

void RegisterCheck(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterReach(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterPlan(CLI::App& app, const GlobalOptions& global, int* exit_code);
void RegisterVerify(CLI::App& app, const GlobalOptions& global, int* exit_code);

}  // namespace weldcell::cli
