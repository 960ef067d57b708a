#include "cli/output_paths.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <system_error>

#include "planner/cell/cell.hpp"
#include "planner/common/diagnostics.hpp"

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

}  // namespace

void CheckOutputFile(const fs::path& file, const std::string& option) {
  if (file.empty()) Fail(file, option, "empty file name");
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
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
  const fs::file_status status = fs::status(folder, ec);
  if (fs::exists(status) && !fs::is_directory(status)) {
    Fail(folder, option, "is a file, not a folder (the outputs are written into it)");
  }
  CheckCreatableFolder(folder, folder, option);
}

CLI::Validator ResolutionMm() {
  std::ostringstream range;
  range << cell::kMinResolution * 1000.0 << " to " << cell::kMaxResolution * 1000.0;
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double mm = std::strtod(text.c_str(), &end);
        const bool number = !text.empty() && end == text.c_str() + text.size();
        if (number && mm == 0.0) return {};
        if (number && std::isfinite(mm) && mm >= cell::kMinResolution * 1000.0 * (1 - 1e-12) &&
            mm <= cell::kMaxResolution * 1000.0 * (1 + 1e-12)) {
          return {};
        }
        std::ostringstream message;
        message << "expected 0 (the cell's) or " << cell::kMinResolution * 1000.0 << " to "
                << cell::kMaxResolution * 1000.0 << " mm, got '" << text << "'";
        return message.str();
      },
      "0 or MM in [" + range.str() + "]");
}

}  // namespace weldcell::cli
