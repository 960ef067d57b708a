#include "cli/output_paths.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

#include "cli/interrupt.hpp"
#include "planner/cell/cell.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/common/input_file.hpp"

namespace weldcell::cli {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void Fail(const fs::path& path, const std::string& option,
                       const std::string& message) {
  throw InputError({{.where = {.file = path.empty() ? "\"\"" : path.string()},
                     .key_path = option,
                     .message = message}});
}

// `folder` (which may not exist yet) can hold new files: its nearest existing ancestor is a
// folder that we may write into.
void CheckCreatableFolder(const fs::path& shown, const fs::path& folder,
                          const std::string& option) {
  fs::path existing = folder.empty() ? fs::path(".") : folder;
  std::error_code ec;
  while (!fs::exists(existing, ec)) {
    if (!existing.has_parent_path() || existing.parent_path() == existing) {
      existing = ".";
      break;
    }
    existing = existing.parent_path();
  }
  if (!fs::is_directory(existing, ec)) {
    Fail(shown, option, existing.string() + " is a file, not a folder");
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    Fail(shown, option,
         "cannot write into folder " + existing.string() + ": " +
             std::error_code(errno, std::generic_category()).message());
  }
}

// Creates the missing folders of `folder` and removes them again: what permissions alone do not
// tell (root may write anywhere, yet make no folder in /proc) fails now, before the work.
void ProbeFolderCreation(const fs::path& folder, const std::string& option) {
  std::error_code ec;
  std::vector<fs::path> missing;  // deepest first
  for (fs::path p = folder; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p.parent_path() == p) break;
  }
  if (missing.empty()) return;
  std::error_code created;
  fs::create_directories(folder, created);
  for (const fs::path& p : missing) fs::remove(p, ec);  // made here, empty: deepest first
  if (created) Fail(folder, option, "cannot create the folder: " + created.message());
}

}  // namespace

void CheckInputFile(const fs::path& file, const std::string& what) {
  auto fail = [&](const std::string& message) {
    throw InputError({{.where = {.file = file.empty() ? "\"\"" : Printable(file.string())},
                       .message = message}});
  };
  if (const std::optional<std::string> problem = InputFileProblem(file, what)) fail(*problem);
}

std::string ReadInputFile(const fs::path& file, const std::string& what) {
  CheckInputFile(file, what);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw InputError(
        {{.where = {.file = Printable(file.string())}, .message = "cannot open the " + what}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto u = static_cast<unsigned char>(text[i]);
    // A well-formed UTF-8 sequence (not a C1 control U+0080..U+009F) is kept as it is.
    const std::size_t n = u >= 0xf0 && u <= 0xf4  ? 4
                          : u >= 0xe0             ? 3
                          : u >= 0xc2 && u < 0xe0 ? 2
                                                  : 0;
    bool ok = n > 0 && i + n <= text.size() &&
              !(u == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0);
    for (std::size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    }
    if (ok) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    if ((u < 0x20 && u != '\n' && u != '\t') || u >= 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += static_cast<char>(u);
    }
    ++i;
  }
  return out;
}

namespace {

constexpr int kLockHeld = -2;

// The folder opened and locked exclusively (flock on the folder itself); kLockHeld when another
// process holds its lock, -1 when the file system cannot lock (written unlocked, as before).
int LockFolder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  const int error = errno;
  ::close(fd);
  return error == EWOULDBLOCK ? kLockHeld : -1;
}

}  // namespace

OutputFolder::OutputFolder(const fs::path& folder, const std::string& option) {
  std::error_code ec;
  fs::path top = folder;  // the topmost missing folder: made here, removed on failure
  while (!top.empty() && top.has_parent_path() && top.parent_path() != top &&
         !fs::exists(top.parent_path(), ec)) {
    top = top.parent_path();
  }
  const bool existed = fs::exists(folder, ec);
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder)) {
    Fail(folder, option,
         "cannot create the folder: " + (ec ? ec.message() : std::string("not a folder")));
  }
  // The folders made here, innermost first: from `folder` up to the topmost missing one.
  if (!existed) {
    for (fs::path p = folder;; p = p.parent_path()) {
      made_.push_back(p);
      if (p == top || !p.has_parent_path()) break;
    }
  }
  // A file can be made in it (a read-only mount or /proc refuses).
  const fs::path probe = folder / fmt::format(".weldcell-probe-{}", ::getpid());
  if (std::ofstream out(probe); !out) {
    const std::string why = std::error_code(errno, std::generic_category()).message();
    if (!made_.empty()) fs::remove_all(made_.back(), ec);
    Fail(folder, option, "cannot write into the folder: " + why);
  }
  fs::remove(probe, ec);
  lock_fd_ = LockFolder(folder);
  if (lock_fd_ == kLockHeld) {
    lock_fd_ = -1;
    Fail(folder, option,
         "another weldcell run is writing into this folder (it holds the folder's lock): wait "
         "for it to end, or give another folder");
  }
  // Killed before its outputs are written, the run leaves none of the folders it made.
  if (!made_.empty()) fatal_signal_slot_ = RemoveOnFatalSignal(made_);
}

void OutputFolder::Keep() const {
  keep_ = true;
  KeepOnFatalSignal(fatal_signal_slot_);
}

OutputFolder::~OutputFolder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
  KeepOnFatalSignal(fatal_signal_slot_);
  if (keep_) return;
  std::error_code ec;
  // Only empty folders: never anything a user put there meanwhile.
  for (const fs::path& p : made_) {
    if (!fs::is_empty(p, ec) || ec || !fs::remove(p, ec)) break;
  }
}

void CheckOutputFile(const fs::path& file, const std::string& option) {
  if (file.empty()) Fail(file, option, "empty file name");
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  // Neither there nor missing: a name too long, a folder on the way that cannot be searched, ….
  if (status.type() == fs::file_type::none) {
    Fail(file, option, "cannot be written: " + ec.message());
  }
  if (fs::is_directory(status)) {
    Fail(file, option, "is a folder, where weldcell must write a file");
  }
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    Fail(file, option,
         "is not a regular file (outputs are written to a temporary file that then replaces "
         "the target)");
  }
  CheckCreatableFolder(file, file.parent_path(), option);
}

void CheckOutputFolder(const fs::path& folder, const std::string& option) {
  if (folder.empty()) Fail(folder, option, "empty folder name");
  std::error_code ec;
  // A link whose target does not exist: creating the folder would fail with "File exists".
  if (fs::is_symlink(fs::symlink_status(folder, ec)) && !fs::exists(folder, ec)) {
    Fail(folder, option,
         "is a symbolic link to " + fs::read_symlink(folder, ec).string() +
             ", which does not exist (a dangling link): remove the link or make its target "
             "folder");
  }
  const fs::file_status status = fs::status(folder, ec);
  if (fs::exists(status) && !fs::is_directory(status)) {
    Fail(folder, option,
         fs::is_regular_file(status)
             ? "is a file, not a folder (the outputs are written into it)"
             : "is not a folder but a device or other special file (the outputs are written "
               "into a folder)");
  }
  CheckCreatableFolder(folder, folder, option);
  ProbeFolderCreation(folder, option);
}

std::string FolderName(const fs::path& folder) {
  const fs::path absolute = fs::absolute(folder.lexically_normal()).lexically_normal();
  return (absolute.has_filename() ? absolute.filename() : absolute.parent_path().filename())
      .string();
}

CLI::Validator WholeNumber(std::uint64_t min, std::uint64_t max) {
  return {[min, max](std::string& text) -> std::string {
            // Digits only: from_chars takes no sign, space or prefix for an unsigned value.
            std::uint64_t value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (error != std::errc() || stop != end || value < min || value > max) {
              return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, text);
            }
            // Decimal, as read here: CLI11 converts in base 0, where "010" is 8 and "08" an error.
            text = std::to_string(value);
            return {};
          },
          fmt::format("{} to {}", min, max)};
}

namespace {

// `text` as a decimal number, all of it: no sign '+', space, hex, or value that over- or
// underflows a double (strtod read " 3", "0x3" and made 1e-400 a silent 0); nan and inf are read,
// for the caller's range check to refuse.
std::optional<double> DecimalNumber(const std::string& text) {
  double x = 0.0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, x, std::chars_format::general);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return x;
}

}  // namespace

CLI::Validator FiniteRange(double lo, double hi, const std::string& unit) {
  std::ostringstream range;
  range << lo << " to " << hi << (unit.empty() ? "" : " ") << unit;
  return {[lo, hi, expected = range.str()](std::string& text) -> std::string {
            const std::optional<double> x = DecimalNumber(text);
            if (x && std::isfinite(*x) && *x >= lo && *x <= hi) return {};
            return "expected a number from " + expected + ", got '" + text + "'";
          },
          "[" + range.str() + "]"};
}

CLI::Validator FileName() {
  return {[](std::string& text) -> std::string {
            if (text.empty()) return "an empty file name";
            if (std::any_of(text.begin(), text.end(),
                            [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); })) {
              return "the file name has a control character (such as a line break or a tab)";
            }
            return {};
          },
          ""};
}

std::string SiteFileName(const std::string& site) {
  return site.empty() ? std::string() : fs::absolute(site).lexically_normal().string();
}

CLI::Validator ResolutionMm() {
  std::ostringstream range;
  range << cell::kMinResolution * 1000.0 << " to " << cell::kMaxResolution * 1000.0;
  return {[](std::string& text) -> std::string {
            const std::optional<double> mm = DecimalNumber(text);
            if (mm && *mm == 0.0) return {};
            if (mm && std::isfinite(*mm) && *mm >= cell::kMinResolution * 1000.0 * (1 - 1e-12) &&
                *mm <= cell::kMaxResolution * 1000.0 * (1 + 1e-12)) {
              return {};
            }
            std::ostringstream message;
            message << "expected 0 (the cell's) or " << cell::kMinResolution * 1000.0 << " to "
                    << cell::kMaxResolution * 1000.0 << " mm, got '" << text << "'";
            return message.str();
          },
          "0 or MM in [" + range.str() + "]"};
}

InputError CommandLineError(const std::string& command, const std::string& option,
                            const std::string& message) {
  return InputError({{.where = {.file = command}, .key_path = option, .message = message}});
}

}  // namespace weldcell::cli
