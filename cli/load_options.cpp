// The cell loading options of every command (the package search path), and the travel models
// folder they default to.

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "cli/commands.hpp"

namespace weldcell::cli {

cell::LoadOptions CellLoadOptions(const GlobalOptions& global) {
  cell::LoadOptions options;
  for (const std::string& dir : global.package_paths) options.package_paths.emplace_back(dir);
  // The library never reads the environment: the command line passes it in.
  if (const char* ros = std::getenv("ROS_PACKAGE_PATH"); ros != nullptr) {
    std::string_view rest(ros);
    while (!rest.empty()) {
      const std::size_t colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) options.package_paths.emplace_back(std::string(dir));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  return options;
}

std::string DefaultModelsFolder() {
  std::error_code ec;
  if (std::filesystem::is_directory("models", ec)) return "models";
  if (std::filesystem::is_directory(WELDCELL_SHIPPED_MODELS, ec)) return WELDCELL_SHIPPED_MODELS;
  return "models";
}

}  // namespace weldcell::cli
