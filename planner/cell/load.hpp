#pragma once
// Loading and validating cell, robot and tool files (formats: docs/formats.md).
//
// Every problem of a file is collected and reported at once as
// `file:line:col: error: key.path: message`; then one weldcell::InputError is thrown.
// Warnings (e.g. a missing visual mesh, replaced by the collision geometry) are returned.
// Within one call, a file named several times is read once: robots of one model share one
// RobotModel, and one mesh file (at one scale) is one shared Mesh.
// Thread-safety: the functions may run concurrently on different files (urdfdom's global
// console handler is swapped under a mutex).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::cell {

struct LoadOptions {
  /// Folders that contain ROS-style packages: `package://<pkg>/x` resolves to `<dir>/<pkg>/x`
  /// for the first dir where it exists. For a URDF, the folders that hold its own package
  /// (`<dir>/<pkg>/urdf/robot.urdf` and `<dir>/<pkg>/robot.urdf`) and robot.yaml's
  /// `package_paths` are tried first (docs/formats.md).
  std::vector<std::filesystem::path> package_paths;
  /// Read meshes (assimp). Off only checks that mesh files exist (fast checks of structure):
  /// each mesh is then an empty Mesh whose `source` names the file.
  bool load_meshes = true;
};

template <typename T>
struct Loaded {
  T value;
  std::vector<Diagnostic> warnings;
};

/// Loads a cell YAML with everything it names (robots, tools, welds CSV, meshes).
/// Throws InputError listing every error found.
Loaded<Cell> LoadCell(const std::filesystem::path& cell_yaml, const LoadOptions& options = {});

/// Loads a robot.yaml and the URDF it names.
Loaded<std::shared_ptr<const RobotModel>> LoadRobotModel(const std::filesystem::path& robot_yaml,
                                                         const LoadOptions& options = {});

/// Loads the chain base_link → tip_link of a URDF directly (no robot.yaml: no acceleration
/// limits, identity controller mapping). For URDFs from elsewhere, e.g. in tests.
Loaded<std::shared_ptr<const RobotModel>> LoadUrdfChain(const std::filesystem::path& urdf,
                                                        const std::string& base_link,
                                                        const std::string& tip_link,
                                                        const LoadOptions& options = {});

/// Loads a weld-gun YAML.
Loaded<Tool> LoadTool(const std::filesystem::path& tool_yaml, const LoadOptions& options = {});

/// Reads a mesh file (STL, DAE, OBJ, …) into metres. Throws InputError naming the file.
std::shared_ptr<const Mesh> LoadMesh(const std::filesystem::path& file, double scale = 1.0);

}  // namespace weldcell::cell
