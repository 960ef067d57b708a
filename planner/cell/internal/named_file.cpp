#include "planner/cell/internal/named_file.hpp"

#include <system_error>

#include "planner/common/input_file.hpp"

namespace weldcell::cell::internal {

std::optional<std::string> NamedFileProblem(const std::filesystem::path& file,
                                            const std::string& what) {
  const std::optional<std::string> problem = InputFileProblem(file, what);
  if (!problem) return std::nullopt;
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(file, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return "file not found: " + file.string();
  }
  if (std::filesystem::is_directory(status)) {
    return "is a directory, expected a " + what + ": " + file.string();
  }
  return *problem + ": " + file.string();
}

}  // namespace weldcell::cell::internal
