#pragma once
// State shared by the loaders of one LoadCell/LoadRobotModel/LoadTool call. Internal.

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "planner/cell/internal/mesh_cache.hpp"
#include "planner/cell/internal/yaml_reader.hpp"
#include "planner/cell/load.hpp"

namespace weldcell::cell::internal {

struct LoadContext {
  explicit LoadContext(const LoadOptions& opts) : options(opts) {}
  const LoadOptions& options;
  MeshCache meshes;
  /// Robot models and tools by canonical path: a cell naming one model twice shares it.
  std::map<std::string, std::shared_ptr<const RobotModel>> models;
  std::map<std::string, std::optional<Tool>> tools;
};

/// Where a file name came from, so that "file not found" points at the naming key.
struct Reference {
  SourceLocation where;  ///< Empty file: the file was named by the caller (API argument).
  std::string key_path;
};

struct UrdfChainRequest {
  std::filesystem::path urdf;  ///< As it should appear in messages.
  std::string base_link;
  std::string tip_link;
  /// Searched after the folder two levels above the URDF.
  std::vector<std::filesystem::path> package_paths;
  Reference urdf_ref;  ///< Who named the URDF.
  Reference base_ref;  ///< Who named the base link (robot.yaml chain.base), else the URDF.
  Reference tip_ref;
};

/// Reads the arm chain of a URDF (urdfdom) with its link geometry; the model's name,
/// source_file, accelerations and controller mapping are left for the caller.
/// Reports every problem to `sink`; returns nullopt when no usable chain was found.
std::optional<RobotModel> ReadUrdfChain(const UrdfChainRequest& request, LoadContext& context,
                                        DiagnosticSink& sink);

/// Reads a robot.yaml and its URDF. nullptr on errors (reported to `sink`).
std::shared_ptr<const RobotModel> ReadRobotModel(const std::filesystem::path& robot_yaml,
                                                 const Reference& ref, LoadContext& context,
                                                 DiagnosticSink& sink);

/// Reads a tool YAML. nullopt on errors (reported to `sink`).
std::optional<Tool> ReadTool(const std::filesystem::path& tool_yaml, const Reference& ref,
                             LoadContext& context, DiagnosticSink& sink);

/// One shape entry `{box|cylinder|sphere|mesh, scale, pose}` of a tool or obstacle list.
/// `extra_keys` are further allowed keys handled by the caller (e.g. `name`). A missing mesh
/// file is an error, or with `missing_mesh_is_warning` a warning (and nullopt).
std::optional<Geometry> ReadShapeEntry(YamlReader& reader, const YAML::Node& node,
                                       const std::string& key_path, const Units& units,
                                       const std::filesystem::path& base_dir, LoadContext& context,
                                       const std::vector<std::string_view>& extra_keys,
                                       bool missing_mesh_is_warning);

}  // namespace weldcell::cell::internal
