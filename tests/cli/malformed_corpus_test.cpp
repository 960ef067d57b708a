// Every command on every malformed input: the real `weldcell` binary must exit with 2 (bad
// input) and name the file, never crash (signal), fail internally (3) or hang (killed after
// 60 s). The corpus is the loaders' bad fixtures (tests/planner/cell/bad/: c* cells, r* robot
// files, t* guns, u* URDFs) and tests/cli/malformed/<kind>/ (cell, robot, urdf, tool, welds,
// plan). A robot, URDF, gun or weld CSV is named by a cell (and a robot.yaml for a URDF) that
// the test writes; a plan is verified against the good fixture cell. A new malformed file
// dropped into one of these folders is tested without further changes.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/weldcell_command.hpp"

namespace weldcell {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kTimeout{60};
const fs::path kBad = "tests/planner/cell/bad";
const fs::path kMalformed = "tests/cli/malformed";
const fs::path kGood = "tests/planner/cell/good";

struct Outcome {
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string out;  // stdout and stderr together
};

// Runs the binary with `args` (no shell), killing it after kTimeout.
Outcome RunWeldcell(const std::vector<std::string>& args) {
  std::vector<std::string> words = {WELDCELL_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  Outcome outcome;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    outcome.out = "pipe failed";
    return outcome;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      outcome.timed_out = true;
      break;
    }
    pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // timeout: checked at the top
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    outcome.out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

enum class Kind { kCell, kRobot, kUrdf, kTool, kWelds, kPlan };

struct Case {
  fs::path file;
  Kind kind = Kind::kCell;
  /// The error must name a file matching this (the file itself, or for the loaders' bad
  /// fixtures, whose errors may sit in a file they include, any file of their folder).
  std::string names;
};

std::string RegexEscape(const std::string& s) {
  static const std::regex kSpecial(R"([.^$|()\[\]{}*+?\\])");
  return std::regex_replace(s, kSpecial, R"(\$&)");
}

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<Case> Corpus() {
  std::vector<Case> cases;
  // Files named by a generated cell appear in messages by absolute path.
  const std::string bad_folder = RegexEscape(kBad.string()) + R"(/[^:\s]+)";
  const std::string bad_folder_absolute =
      RegexEscape(fs::absolute(kBad).lexically_normal().string()) + R"(/[^:\s]+)";
  for (const fs::path& f : FilesIn(kBad)) {
    const std::string name = f.filename().string();
    const bool yaml = f.extension() == ".yaml";
    if (name[0] == 'c' && yaml) cases.push_back({f, Kind::kCell, bad_folder});
    if (name[0] == 'r' && yaml) cases.push_back({f, Kind::kRobot, bad_folder_absolute});
    if (name[0] == 't' && yaml) cases.push_back({f, Kind::kTool, bad_folder_absolute});
    if (name[0] == 'u' && f.extension() == ".urdf") {
      cases.push_back({f, Kind::kUrdf, bad_folder_absolute});
    }
  }
  const std::pair<const char*, Kind> kFolders[] = {{"cell", Kind::kCell},   {"robot", Kind::kRobot},
                                                   {"urdf", Kind::kUrdf},   {"tool", Kind::kTool},
                                                   {"welds", Kind::kWelds}, {"plan", Kind::kPlan}};
  for (const auto& [folder, kind] : kFolders) {
    for (const fs::path& f : FilesIn(kMalformed / folder)) {
      const fs::path shown =
          kind == Kind::kCell || kind == Kind::kPlan ? f : fs::absolute(f).lexically_normal();
      cases.push_back({f, kind, RegexEscape(shown.string())});
    }
  }
  return cases;
}

// A YAML single-quoted scalar.
std::string Quoted(const fs::path& p) {
  std::string out = "'";
  for (char c : p.string()) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// The cell that makes the loaders read `c.file` (written into `dir` when needed).
fs::path CellFor(const Case& c, const fs::path& dir) {
  if (c.kind == Kind::kCell) return c.file;
  if (c.kind == Kind::kPlan) return kGood / "cell.yaml";
  const fs::path file = fs::absolute(c.file);
  fs::path model = fs::absolute(kGood / "tiny_robot.yaml");
  fs::path tool = fs::absolute(kGood / "gun.yaml");
  std::string welds = "welds:\n  - {id: W1, p: [0.1, 0.2, 0.3], n: [0, 0, 1]}\n";
  if (c.kind == Kind::kRobot) model = file;
  if (c.kind == Kind::kTool) tool = file;
  if (c.kind == Kind::kWelds) welds = "welds: {file: " + Quoted(file) + "}\n";
  if (c.kind == Kind::kUrdf) {
    model = dir / "robot.yaml";
    std::ofstream(model) << "format: weldcell-robot/1\nname: fuzzed\nurdf: " << Quoted(file)
                         << "\nchain: {base: base_link, tip: tool0}\n"
                            "acceleration: [1, 1, 1, 1]\n";
  }
  const fs::path cell = dir / "cell.yaml";
  std::ofstream(cell) << "format: weldcell/1\nname: wrapper\ncycle_time: 10\nrobots:\n"
                         "  - {name: R1, model: "
                      << Quoted(model) << ", tool: " << Quoted(tool) << "}\n"
                      << welds;
  return cell;
}

void ExpectBadInput(const Case& c, const std::vector<std::string>& args) {
  std::string command = "weldcell";
  for (const std::string& a : args) command += " " + a;
  SCOPED_TRACE(command);
  const Outcome o = RunWeldcell(args);
  ASSERT_FALSE(o.timed_out) << "hangs: killed after " << kTimeout.count() << " s\n" << o.out;
  ASSERT_TRUE(o.exited) << "killed by signal " << o.signal << "\n" << o.out;
  EXPECT_EQ(o.exit_code, 2) << o.out;
  // A URDF whose chain the planner cannot use (no movable joint, a loop) may be reported at the
  // chain's base or tip in the robot.yaml that names it, which the test writes.
  const std::string names =
      c.kind == Kind::kUrdf ? "(" + c.names + R"(|[^:\s]+/robot\.yaml))" : c.names;
  const std::regex names_file("(^|\n)" + names + R"((:[0-9]+:[0-9]+)?: error: )");
  EXPECT_TRUE(std::regex_search(o.out, names_file)) << "no error naming " << c.names << " in:\n"
                                                    << o.out;
}

TEST(MalformedCorpusTest, EveryCommandRejectsEveryMalformedInputWithExitTwo) {
  const std::vector<Case> cases = Corpus();
  ASSERT_GE(cases.size(), 60u) << "corpus folders not found (run from the project root)";
  const fs::path tmp = testing::FreshDirectory("malformed_corpus");
  const std::string plan = (kMalformed / "valid_plan.json").string();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.file.string());
    const fs::path dir = tmp / std::to_string(i);
    fs::create_directories(dir);
    const std::string cell = CellFor(c, dir).string();
    if (c.kind == Kind::kPlan) {
      ExpectBadInput(c, {"verify", cell, c.file.string()});
      ExpectBadInput(c, {"export", cell, c.file.string(), "-o", (dir / "programs").string()});
      EXPECT_FALSE(fs::exists(dir / "programs"));
      continue;
    }
    ExpectBadInput(c, {"check", cell});
    ExpectBadInput(c, {"reach", cell, "-j", "1"});
    ExpectBadInput(c, {"plan", cell, "-j", "1", "-o", (dir / "out").string()});
    EXPECT_FALSE(fs::exists(dir / "out" / "plan.json"));
    ExpectBadInput(c, {"verify", cell, plan, "-j", "1"});
    ExpectBadInput(c, {"export", cell, plan, "-j", "1", "-o", (dir / "programs").string()});
    EXPECT_FALSE(fs::exists(dir / "programs"));
  }
  fs::remove_all(tmp);
}

// The fixture plan that every cell case is verified with is itself readable: the cells, not the
// plan, make those runs fail.
TEST(MalformedCorpusTest, TheFixturePlanIsValid) {
  const Outcome o = RunWeldcell(
      {"verify", (kGood / "cell.yaml").string(), (kMalformed / "valid_plan.json").string()});
  ASSERT_TRUE(o.exited) << o.out;
  EXPECT_NE(o.exit_code, 2) << o.out;
}

}  // namespace
}  // namespace weldcell
