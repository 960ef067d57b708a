#pragma once
// Runs the real `weldcell` binary from a test: the target defines WELDCELL_BINARY (its path).

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/scratch.hpp"

namespace weldcell::testing {

struct CommandRun {
  int exit_code = -1;  ///< -1 when the command did not exit normally.
  std::string out;     ///< What it printed, as `redirect` routes it (default: stdout + stderr).
};

/// `weldcell <args> <redirect>` through /bin/sh, without ROS_PACKAGE_PATH (package:// URIs
/// must not resolve from the caller's environment).
inline CommandRun Weldcell(const std::string& args, const std::string& redirect = "2>&1") {
  CommandRun run;
  const std::string command =
      "env ROS_PACKAGE_PATH= " + std::string(WELDCELL_BINARY) + " " + args + " " + redirect;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

/// The whole file, bytes as they are ("" when it cannot be read).
inline std::string ReadText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace weldcell::testing
