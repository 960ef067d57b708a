#pragma once
// Mesh files (assimp) and mesh URIs (package://, file://, relative), cached per load so that a
// file named many times is read once. Internal to planner/cell.

#include <Eigen/Core>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "planner/cell/geometry.hpp"

namespace weldcell::cell::internal {

/// Where a mesh URI points, or every path that was tried when it points nowhere.
struct ResolvedUri {
  std::filesystem::path path;                ///< Empty when nothing exists.
  std::vector<std::filesystem::path> tried;  ///< Every candidate, in search order.
  /// Non-empty for a malformed URI or a path that is not a regular file (a folder, a device).
  std::string problem;
};

/// Resolves `package://<pkg>/x` through `package_dirs` (in order: `<dir>/<pkg>/x`), `file://x`
/// and plain paths (relative to `base_dir`).
ResolvedUri ResolveMeshUri(const std::string& uri, const std::filesystem::path& base_dir,
                           const std::vector<std::filesystem::path>& package_dirs);

/// For a `package://<pkg>/…` URI that was not found: how to tell weldcell where <pkg> is
/// ("; to find package '<pkg>', …"), naming robot.yaml's package_paths when `in_urdf`; or,
/// when one of the `tried` paths lies in a folder <pkg> that exists, that the package was found
/// without the file. Empty for other URIs.
std::string PackageHint(const std::string& uri, bool in_urdf,
                        const std::vector<std::filesystem::path>& tried);

/// "a, b and c" of the tried paths, for messages.
std::string JoinTried(const std::vector<std::filesystem::path>& tried);

/// Reads meshes into metres. Not thread-safe (one per load).
class MeshCache {
 public:
  MeshCache();
  ~MeshCache();
  MeshCache(const MeshCache&) = delete;
  MeshCache& operator=(const MeshCache&) = delete;

  /// Reads `file`, applies a per-axis `scale` (file units → m) and returns the shared mesh.
  /// On failure returns nullptr and sets `error` to the reason.
  std::shared_ptr<const Mesh> Load(const std::filesystem::path& file, const Eigen::Vector3d& scale,
                                   std::string* error);
  /// Number of files actually read (for tests of the cache).
  int files_read() const { return files_read_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::map<std::tuple<std::string, double, double, double>, std::shared_ptr<const Mesh>> cache_;
  int files_read_ = 0;
};

}  // namespace weldcell::cell::internal
