// weldcell: plans spot-welding stations. See docs/cli.md.

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output_paths.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/diagnostics.hpp"

namespace {

using weldcell::cli::ExitCode;

// --json among the arguments (before a "--"): a usage error can stop CLI11 before it has set
// GlobalOptions::json.
bool JsonAsked(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--json") return true;
  }
  return false;
}

std::string CommandNames(const CLI::App& app) {
  std::string names;
  for (const CLI::App* command : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + command->get_name();
  }
  return names;
}

// Whether `arg` is one of weldcell's own options other than `--package-path DIR` (whose value
// is the next argument): those that take no value, and `--package-path=DIR`.
bool IsOwnOption(std::string_view arg) {
  return arg == "-q" || arg == "--quiet" || arg == "--json" || arg == "-h" || arg == "--help" ||
         arg == "--version" || arg.starts_with("--package-path=");
}

// What is wrong before the command, in the user's words, or empty: an option weldcell does not
// have there (`weldcell -j 1 check …`: -j is a command's), or a first word that names no
// command. CLI11 says only "A subcommand is required" for both.
std::string ProblemBeforeTheCommand(const CLI::App& app, int argc, char** argv) {
  using weldcell::cli::Printable;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--package-path") {
      ++i;  // its value
      continue;
    }
    if (IsOwnOption(arg)) continue;
    if (arg.starts_with("-")) {
      return "unknown option '" + Printable(arg) +
             "' before the command (weldcell's own options are --quiet, --json and "
             "--package-path; a command's options follow the command, e.g. weldcell plan "
             "cell.yaml -j 2)";
    }
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->check_name(std::string(arg))) return "";
    }
    return "unknown command '" + Printable(arg) + "' (expected one of: " + CommandNames(app) +
           "; weldcell --help describes them)";
  }
  return "";
}

// What stands beside --version that it does not take, or empty. CLI11 prints the version as
// soon as it reads --version, and `weldcell --version bogus` (or `--version check cell.yaml`)
// exited 0; weldcell's own options may stand beside it.
std::string ProblemBesideVersion(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--package-path" && i + 1 < argc) {
      ++i;  // its value
      continue;
    }
    if (IsOwnOption(arg)) continue;
    return "--version takes no argument and no command, got '" + weldcell::cli::Printable(arg) +
           "'";
  }
  return "";
}

// The commands named on the command line, outermost first (`models list`: models, list), as far
// as they are known before parsing: a word that names a command of the one before it, before
// any `--`. `--package-path`'s value is skipped; after the command, a word that names a command
// of the command (only `models` has them) is taken for it.
std::vector<const CLI::App*> CommandsNamed(const CLI::App& app, int argc, char** argv) {
  std::vector<const CLI::App*> chain{&app};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (chain.size() == 1 && arg == "--package-path") {
      ++i;  // its value
      continue;
    }
    if (arg.starts_with("-")) continue;
    const CLI::App* named = nullptr;
    for (const CLI::App* command : chain.back()->get_subcommands({})) {
      if (command->check_name(arg)) named = command;
    }
    if (named != nullptr) {
      chain.push_back(named);
    } else if (chain.size() == 1) {
      break;  // not a command: ProblemBeforeTheCommand says so
    }
  }
  return chain;
}

std::string CommandPath(const std::vector<const CLI::App*>& chain) {
  std::string path;
  for (std::size_t i = 1; i < chain.size(); ++i) {
    path += (path.empty() ? "" : " ") + chain[i]->get_name();
  }
  return path;
}

// An option's names as the help lists them, `-j/--jobs`.
std::string OptionNames(const CLI::Option& option) {
  std::string names;
  for (const std::string& s : option.get_snames()) names += (names.empty() ? "-" : "/-") + s;
  for (const std::string& l : option.get_lnames()) names += (names.empty() ? "--" : "/--") + l;
  return names;
}

// A flag given a value (`--json=1`, `--force=no`), said as a usage error, or empty. CLI11 takes
// `--flag=VALUE` as the flag's value: `--json=0` silently turned --json off and `--json=1`
// passed; weldcell's flags take none.
std::string FlagGivenAValue(const CLI::App& app, int argc, char** argv) {
  const std::vector<const CLI::App*> chain = CommandsNamed(app, argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    const std::size_t equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string_view::npos) continue;
    const std::string name(arg.substr(0, equals));
    if (name == "--version") continue;  // ProblemBesideVersion says what --version takes
    // The innermost command first: it is the one that parses its own options.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const CLI::Option* option = (*it)->get_option_no_throw(name);
      if (option == nullptr) continue;
      if (option->get_expected_max() != 0) break;  // an option with a value: `--out=DIR`
      const std::string path = CommandPath(chain);
      return weldcell::cli::Printable(fmt::format(
          "{}{} is a flag and takes no value, got '{}' (give {} alone, or leave it out); see "
          "weldcell {}--help",
          path.empty() ? "" : path + ": ", name, arg, name, path.empty() ? "" : path + " "));
    }
  }
  return "";
}

// The value an option takes, in words, from the type name its --help shows (CLI11's
// TYPE:VALIDATOR: `INT:0 to 1024`, `FLOAT:[0 to 10 m]`, `TEXT:{strong,baseline}`, `TEXT:FILE`),
// or, for plain text, its description (`Output folder (created)`).
std::string ExpectedValue(const CLI::Option& option) {
  const std::string type = option.get_type_name();
  const std::size_t colon = type.find(':');
  const std::string base = type.substr(0, colon);
  const std::string check = colon == std::string::npos ? "" : type.substr(colon + 1);
  if ((base == "INT" || base == "UINT" || base == "N") && check.find(" to ") != std::string::npos) {
    return "a whole number from " + check;
  }
  if (base == "FLOAT") {
    if (check.size() > 2 && check.front() == '[' && check.back() == ']') {
      return "a number from " + check.substr(1, check.size() - 2);
    }
    // ResolutionMm: `0 or MM in [0.1 to 100]`.
    const std::size_t open = check.find(" or MM in [");
    if (open != std::string::npos && check.back() == ']') {
      return check.substr(0, open) + " or a number of mm from " +
             check.substr(open + 11, check.size() - open - 12);
    }
    return check.empty() ? "a number" : "a number, " + check;
  }
  if (check.size() > 2 && check.front() == '{' && check.back() == '}') {
    std::string one_of = check.substr(1, check.size() - 2);
    for (std::size_t p = one_of.find(','); p != std::string::npos; p = one_of.find(',', p + 2)) {
      one_of.replace(p, 1, ", ");
    }
    return "one of " + one_of;
  }
  if (check == "FILE") return "a file that exists";
  if (check == "DIR") return "a folder that exists";
  if (base == "DIR") return "a folder";
  return option.get_description();  // TEXT: what the help says of it
}

// An option given without its value (`plan cell.yaml -j`), said in words, or empty. CLI11 said
// `--jobs: 1 required INT:0 to 1024 missing`.
std::string MissingValue(const CLI::App& command, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) == nullptr) return "";
  static const std::regex missing(
      R"(^(--?[A-Za-z0-9][A-Za-z0-9_-]*): (\d+ required .* missing|At least \d+ required .*)$)");
  std::smatch m;
  const std::string what = e.what();
  if (!std::regex_match(what, m, missing)) return "";
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
    if (const CLI::Option* option = app->get_option_no_throw(m[1].str()); option != nullptr) {
      return OptionNames(*option) + " needs a value: " + ExpectedValue(*option);
    }
  }
  return "";
}

// A command line CLI11 refused, said as weldcell says its errors: the command it was refused
// in first (`check: cell is required`), the extra arguments in the order given (CLI11 lists
// them backwards), a missing or unknown command with the commands there are, then which --help
// to read. CLI11's own text ended in "Run with --help for more information." on a line of its
// own and named no command.
std::string UsageProblem(const CLI::App& app, const CLI::ParseError& e) {
  const CLI::App* command = &app;  // the innermost command named, e.g. `models list`
  std::string path;
  while (!command->get_subcommands().empty()) {
    command = command->get_subcommands().back();
    path += (path.empty() ? "" : " ") + command->get_name();
  }
  // With fallthrough, every argument no command took is left to the tool itself.
  const std::vector<std::string> extras = app.remaining();
  std::string problem = e.what();
  const bool no_command = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
                          command->get_require_subcommand_min() > 0 &&
                          command->get_subcommands().empty();
  if (no_command) {
    const bool named = !extras.empty() && !extras.front().starts_with("-");
    problem = (named ? "unknown command '" + extras.front() + "'"
                     : std::string("a command is required")) +
              " (expected one of: " + CommandNames(*command) + ")";
  } else if (std::string missing = MissingValue(*command, e); !missing.empty()) {
    problem = std::move(missing);
  } else if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr && !extras.empty()) {
    problem = extras.size() == 1 ? "unexpected argument" : "unexpected arguments";
    for (std::size_t i = 0; i < extras.size(); ++i) {
      problem += (i == 0 ? " '" : ", '") + extras[i] + "'";
    }
  }
  const std::string help = "weldcell " + (path.empty() ? "" : path + " ") + "--help";
  return weldcell::cli::Printable((path.empty() ? "" : path + ": ") + problem + "; see " + help);
}

// With --json, the document of a run that ends without its result (docs/cli.md#--json): a
// usage, input or write error, an interrupt or an internal error. `message` is what stderr
// says; `problems` every error of an input file, with its place.
int Fail(bool json, ExitCode code, std::string_view kind, std::string_view message,
         const std::vector<weldcell::Diagnostic>& problems = {}) {
  if (!json) return code;
  using Json = nlohmann::ordered_json;
  auto positive_or_null = [](int v) { return v > 0 ? Json(v) : Json(nullptr); };
  Json list = Json::array();
  for (const weldcell::Diagnostic& d : problems) {
    if (d.severity != weldcell::Severity::kError) continue;  // InputError::what() has no warning
    list.push_back({{"file", d.where.file},
                    {"line", positive_or_null(d.where.line)},
                    {"column", positive_or_null(d.where.column)},
                    {"key", d.key_path.empty() ? Json(nullptr) : Json(d.key_path)},
                    {"message", d.message}});
  }
  weldcell::cli::PrintJson(
      {{"error", {{"kind", kind}, {"message", message}, {"problems", std::move(list)}}},
       {"exit_code", static_cast<int>(code)}},
      std::cout);
  return code;
}

// The command line parsed and run: its exit code (docs/cli.md).
int Run(int argc, char** argv) {
  using namespace weldcell::cli;
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
      ->check(CLI::ExistingDirectory)
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
  const auto json = [&] { return global.json || JsonAsked(argc, argv); };
  try {
    if (const std::string message = FlagGivenAValue(app, argc, argv); !message.empty()) {
      std::cerr << "weldcell: error: " << message << '\n';
      return Fail(json(), kExitBadInput, "usage", message);
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion&) {
    if (const std::string message = ProblemBesideVersion(argc, argv); !message.empty()) {
      std::cerr << "weldcell: error: " << message << '\n';
      return Fail(json(), kExitBadInput, "usage", message);
    }
    if (json()) {
      PrintJson({{"version", WELDCELL_VERSION}}, std::cout);
    } else {
      std::cout << "weldcell " WELDCELL_VERSION "\n";
    }
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (const std::string message = ProblemBeforeTheCommand(app, argc, argv); !message.empty()) {
      std::cerr << "weldcell: error: " << message << '\n';
      return Fail(json(), kExitBadInput, "usage", message);
    }
    if (e.get_exit_code() == 0) return app.exit(e);  // --help: the help text on stdout
    const std::string message = UsageProblem(app, e);
    std::cerr << "weldcell: error: " << message << '\n';
    return Fail(json(), kExitBadInput, "usage", message);
  } catch (const weldcell::InputError& e) {
    std::cerr << weldcell::cli::Printable(e.what()) << '\n';
    return Fail(json(), kExitBadInput, "input", e.what(), e.diagnostics());
  } catch (const weldcell::FileWriteError& e) {
    // An output path the user gave that the file system refused (docs/cli.md: exit 2).
    std::cerr << "weldcell: error: " << weldcell::cli::Printable(e.what()) << '\n';
    return Fail(json(), kExitBadInput, "write", e.what());
  } catch (const std::exception& e) {
    std::cerr << "weldcell: internal error: " << e.what() << '\n';
    return Fail(json(), kExitInternal, "internal", e.what());
  }
  // The command said "interrupted" on stderr and printed no result.
  if (exit_code == kExitInterrupted)
    return Fail(json(), kExitInterrupted, "interrupted", "interrupted");
  return exit_code;
}

// What the command printed reached stdout, or the run fails with exit 2 (docs/cli.md: a write
// that fails, e.g. a full disk): `weldcell --json plan … > result.json` on a full disk or a
// closed stdout exited 0 with its result lost. `code` is kept when it is worse.
int StdoutWritten(int code) {
  errno = 0;
  std::cout.flush();
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0 || !std::cout;
  if (!failed) return code;
  const int error = errno;
  std::cerr << "weldcell: error: the standard output could not be written"
            << (error != 0 ? std::string(" (") + std::strerror(error) + ")" : std::string())
            << ": what the command printed there is incomplete\n";
  return std::max(code, static_cast<int>(weldcell::cli::kExitBadInput));
}

}  // namespace

int main(int argc, char** argv) {
  // XGBoost's OpenMP threads (weldcell train, learned travel times) spin while they wait by
  // default: on cores shared with other work one retraining took 144 s instead of 0.3 s.
  // libgomp reads its environment when it is loaded, before main, so the setting takes effect
  // only in a process started with it: run this program again with it set (a value the user
  // set is kept; should the new start fail, this one goes on spinning).
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "passive", /*overwrite=*/0);
    execv("/proc/self/exe", argv);
  }
  return StdoutWritten(Run(argc, argv));
}
