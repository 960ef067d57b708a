#pragma once
// Progress of long work on stderr: a redrawn bar on a terminal, a few plain lines otherwise
// (CI logs), nothing with --quiet or --json.

#include <chrono>
#include <string>

namespace weldcell::cli {

class Progress {
 public:
  Progress(std::string label, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Thread-compatible: call from one thread at a time (callers serialise).
  void Update(int done, int total);
  /// Ends the bar (prints the final state and a newline on a terminal).
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool terminal_;
  bool finished_ = false;
  int last_quarter_ = -1;
  int last_done_ = 0;
  int last_total_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace weldcell::cli
