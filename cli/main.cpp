// weldcell: plans spot-welding stations. See docs/cli.md.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output_paths.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/diagnostics.hpp"

int main(int argc, char** argv) {
  using namespace weldcell::cli;
  // XGBoost's OpenMP threads (weldcell train, learned travel times) spin while they wait by
  // default: on cores shared with other work one retraining took 144 s instead of 0.3 s.
  // libgomp reads its environment when it is loaded, before main, so the setting takes effect
  // only in a process started with it: run this program again with it set (a value the user
  // set is kept; should the new start fail, this one goes on spinning).
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "passive", /*overwrite=*/0);
    execv("/proc/self/exe", argv);
  }
  CLI::App app{
      "weldcell: plans robot spot-welding stations (reach, weld allocation, collision-free "
      "motion, timing) and verifies the plans; writes plan.json"};
  app.set_version_flag("--version", "weldcell " WELDCELL_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // --quiet and --json may also follow the command
  GlobalOptions global;
  app.add_flag("-q,--quiet", global.quiet, "Print only errors, and why a run fails");
  app.add_flag("--json", global.json, "Print machine-readable JSON on stdout");
  app.add_option("--package-path", global.package_paths,
                 "Folder that contains ROS packages, for package:// mesh URIs (repeatable; "
                 "searched before ROS_PACKAGE_PATH)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  int exit_code = kExitOk;
  RegisterCheck(app, global, &exit_code);
  RegisterReach(app, global, &exit_code);
  RegisterPlan(app, global, &exit_code);
  RegisterVerify(app, global, &exit_code);
  RegisterGenerate(app, global, &exit_code);
  RegisterExport(app, global, &exit_code);
  RegisterTrain(app, global, &exit_code);
  RegisterModels(app, global, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  } catch (const weldcell::InputError& e) {
    std::cerr << weldcell::cli::Printable(e.what()) << '\n';
    return kExitBadInput;
  } catch (const weldcell::FileWriteError& e) {
    // An output path the user gave that the file system refused (docs/cli.md: exit 2).
    std::cerr << "weldcell: error: " << weldcell::cli::Printable(e.what()) << '\n';
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "weldcell: internal error: " << e.what() << '\n';
    return kExitInternal;
  }
  return exit_code;
}
