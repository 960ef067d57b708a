#pragma once
// Exit codes of the weldcell command line, shared by every command (docs/cli.md).

namespace weldcell::cli {

enum ExitCode : int {
  kExitOk = 0,             ///< Everything asked for succeeded.
  kExitRequirement = 1,    ///< A result was produced but fails a requirement (e.g. unreachable).
  kExitBadInput = 2,       ///< Bad input file or usage.
  kExitInternal = 3,       ///< A bug or an environment failure.
  kExitInterrupted = 130,  ///< Stopped by Ctrl-C (SIGINT); nothing written (shell: 128 + 2).
};

}  // namespace weldcell::cli
