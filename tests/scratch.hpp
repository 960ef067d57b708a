#pragma once
// Where a test writes its files: one folder per test process, removed when the process exits.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

namespace weldcell::testing {

/// A folder owned by the process that made it: made empty on construction and removed with
/// everything in it on destruction, unless the environment sets WELDCELL_KEEP_TEST_FILES (to
/// look at a failing test's outputs) or the destructor runs in another process (a forked child
/// that leaves through exit() must not remove its parent's folder).
class ScratchFolder {
 public:
  explicit ScratchFolder(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  ~ScratchFolder() {
    if (::getpid() != owner_ || std::getenv("WELDCELL_KEEP_TEST_FILES") != nullptr) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  pid_t owner_ = ::getpid();
  std::filesystem::path dir_;
};

/// `<tmp>/weldcell_test_<pid>`: this test process's ScratchFolder, made on first use and removed
/// when the process exits normally. ctest runs every test in a process of its own, so tests run
/// in parallel never share a file and a passing run leaves nothing behind (a crashed test keeps
/// its folder).
inline const std::filesystem::path& ScratchRoot() {
  static const ScratchFolder root(std::filesystem::temp_directory_path() /
                                  ("weldcell_test_" + std::to_string(::getpid())));
  return root.dir();
}

/// `<ScratchRoot()>/<name>`: a path for one file or folder of the test (nothing is created).
inline std::filesystem::path ScratchPath(const std::string& name) { return ScratchRoot() / name; }

/// An empty folder `<ScratchRoot()>/<name>` (emptied when it exists).
inline std::filesystem::path FreshDirectory(const std::string& name) {
  const std::filesystem::path dir = ScratchPath(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace weldcell::testing
