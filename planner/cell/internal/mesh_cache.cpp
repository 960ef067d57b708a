#include "planner/cell/internal/mesh_cache.hpp"

#include <assimp/config.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <array>
#include <assimp/Importer.hpp>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <system_error>
#include <unordered_map>

#include "planner/cell/internal/bounds.hpp"
#include "planner/cell/internal/named_file.hpp"
#include "planner/cell/internal/xml_depth.hpp"
#include "planner/cell/internal/yaml_reader.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::cell::internal {

namespace fs = std::filesystem;

namespace {

// Whether something other than nothing is at `path`: a file of any kind, or an entry the system
// cannot follow (a loop of symbolic links, a folder without permission), which is not "not found".
bool SomethingThere(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec) return ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory;
  return fs::exists(status);
}

}  // namespace

ResolvedUri ResolveMeshUri(const std::string& uri, const fs::path& base_dir,
                           const std::vector<fs::path>& package_dirs) {
  ResolvedUri out;
  constexpr std::string_view kPackage = "package://";
  constexpr std::string_view kFile = "file://";
  if (uri.starts_with(kPackage)) {
    const std::string rest = uri.substr(kPackage.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) {
      out.problem = "malformed package URI '" + uri + "' (expected package://<package>/<path>)";
      return out;
    }
    const std::string package = rest.substr(0, slash);
    for (const fs::path& dir : package_dirs) {
      std::vector<fs::path> candidates{ResolveRelative(dir, rest)};
      // ROS_PACKAGE_PATH may also name a package folder itself.
      fs::path normal = dir.lexically_normal();
      if (!normal.has_filename()) normal = normal.parent_path();  // "dir/" has no file name
      if (normal.filename() == package) {
        candidates.push_back(ResolveRelative(dir, rest.substr(slash + 1)));
      }
      for (const fs::path& candidate : candidates) {
        if (std::find(out.tried.begin(), out.tried.end(), candidate) != out.tried.end()) continue;
        out.tried.push_back(candidate);
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) {
          out.path = candidate;
          out.problem.clear();
          return out;
        }
        // A folder or a device where the mesh should be is said as such, not as "not found".
        if (out.problem.empty() && SomethingThere(candidate)) {
          out.problem = NamedFileProblem(candidate, "mesh").value_or("");
        }
      }
    }
    return out;
  }
  std::string plain = uri;
  if (uri.starts_with(kFile)) plain = uri.substr(kFile.size());
  fs::path candidate = ResolveRelative(base_dir, plain);
  out.tried.push_back(candidate);
  std::error_code ec;
  if (fs::is_regular_file(candidate, ec)) {
    out.path = candidate;
  } else if (SomethingThere(candidate)) {  // a folder, a device, a FIFO, a link loop
    out.problem = NamedFileProblem(candidate, "mesh").value_or("");
  }
  return out;
}

std::string PackageHint(const std::string& uri, bool in_urdf, const std::vector<fs::path>& tried) {
  constexpr std::string_view kPackage = "package://";
  if (!uri.starts_with(kPackage)) return {};
  const std::string rest = uri.substr(kPackage.size());
  const std::string package = rest.substr(0, rest.find('/'));
  // The package found, the file not in it (a support package copied without its visual
  // meshes): another search path would not help.
  const std::string inside = rest.substr(std::min(rest.size(), package.size() + 1));
  for (const fs::path& candidate : tried) {
    const std::string c = candidate.string();
    if (inside.empty() || !c.ends_with("/" + inside)) continue;
    const fs::path folder = c.substr(0, c.size() - inside.size() - 1);
    std::error_code ec;
    if (folder.filename() == package && fs::is_directory(folder, ec)) {
      return "; package '" + package + "' is " + folder.string() +
             ", which lacks this file (copied without it?)";
    }
  }
  return "; to find package '" + package + "', " +
         (in_urdf ? std::string("list the folder that contains it in robot.yaml's "
                                "package_paths, or ")
                  : std::string()) +
         "pass --package-path DIR (the folder that contains " + package +
         "/) on the command line or set ROS_PACKAGE_PATH";
}

std::string JoinTried(const std::vector<fs::path>& tried) {
  std::string out;
  for (std::size_t i = 0; i < tried.size(); ++i) {
    if (i > 0) out += i + 1 == tried.size() ? " and " : ", ";
    out += tried[i].string();
  }
  return out;
}

struct MeshCache::Impl {
  Assimp::Importer importer;
  std::map<std::string, std::shared_ptr<const Mesh>> raw;
};

MeshCache::MeshCache() : impl_(std::make_unique<Impl>()) {
  // ROS-Industrial DAE files declare Z_UP; their coordinates are already in the link frame, so
  // assimp's conversion to Y-up would rotate the mesh away from the URDF frame. The <unit>
  // element is still applied by assimp (to the root node transform, which we apply below).
  impl_->importer.SetPropertyBool(AI_CONFIG_IMPORT_COLLADA_IGNORE_UP_DIRECTION, true);
  // Points and lines carry no volume: let the triangulation step drop them.
  impl_->importer.SetPropertyInteger(AI_CONFIG_PP_SBP_REMOVE,
                                     aiPrimitiveType_POINT | aiPrimitiveType_LINE);
}

MeshCache::~MeshCache() = default;

namespace {

/// Shares the corners of adjacent triangles: STL repeats them per triangle. Exact matching on
/// the transformed coordinates, O(n) with a hash map (assimp's JoinIdenticalVertices step is
/// about 10x slower on the 30k-triangle KR 120 meshes).
struct VertexHash {
  std::size_t operator()(const std::array<double, 3>& v) const {
    std::size_t h = 0;
    for (double c : v) {
      const double normalized = c == 0.0 ? 0.0 : c;  // -0.0 and 0.0 are the same corner
      h = h * 1000003u ^ std::hash<double>{}(normalized);
    }
    return h;
  }
};

struct MeshBuilder {
  Mesh& out;
  std::unordered_map<std::array<double, 3>, std::uint32_t, VertexHash> index;

  std::uint32_t Add(const aiVector3D& p) {
    const std::array<double, 3> key{p.x == 0.0f ? 0.0 : double(p.x),
                                    p.y == 0.0f ? 0.0 : double(p.y),
                                    p.z == 0.0f ? 0.0 : double(p.z)};
    auto [it, inserted] = index.emplace(key, static_cast<std::uint32_t>(out.vertices.size()));
    if (inserted) out.vertices.emplace_back(key[0], key[1], key[2]);
    return it->second;
  }

  /// Every mesh of the node tree below `root`, in the root's parent frame. Iterative: a file
  /// may nest nodes arbitrarily deep.
  void CollectTree(const aiScene& scene, const aiNode& root) {
    std::vector<std::pair<const aiNode*, aiMatrix4x4>> pending{{&root, aiMatrix4x4()}};
    std::vector<std::uint32_t> remap;
    while (!pending.empty()) {
      const auto [node, parent] = pending.back();
      pending.pop_back();
      const aiMatrix4x4 transform = parent * node->mTransformation;
      for (unsigned k = 0; k < node->mNumMeshes; ++k) {
        const aiMesh& mesh = *scene.mMeshes[node->mMeshes[k]];
        remap.resize(mesh.mNumVertices);
        for (unsigned v = 0; v < mesh.mNumVertices; ++v)
          remap[v] = Add(transform * mesh.mVertices[v]);
        for (unsigned f = 0; f < mesh.mNumFaces; ++f) {
          const aiFace& face = mesh.mFaces[f];
          if (face.mNumIndices != 3) continue;
          const std::array<std::uint32_t, 3> t{remap[face.mIndices[0]], remap[face.mIndices[1]],
                                               remap[face.mIndices[2]]};
          // A triangle that collapsed onto a repeated corner has no area.
          if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2]) continue;
          out.triangles.push_back(t);
        }
      }
      // Children in reverse so that they are visited in file order (vertex order as before).
      for (unsigned c = node->mNumChildren; c-- > 0;) {
        pending.emplace_back(node->mChildren[c], transform);
      }
    }
  }
};

/// For a mesh file in XML (COLLADA, ...): the reason to refuse it when it nests too deeply for
/// assimp's recursive readers; nullopt otherwise. Binary formats are recognised by their first
/// bytes and not read further.
std::optional<std::string> XmlTooDeep(const fs::path& path, const fs::path& shown) {
  std::ifstream in(path, std::ios::binary);
  std::string head(512, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const std::size_t first = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first == std::string::npos || head[first] != '<') return std::nullopt;
  std::string text = head + std::string(std::istreambuf_iterator<char>(in), {});
  if (const auto deep = FindXmlDeeperThan(text)) {
    return "cannot read mesh " + shown.string() + ": XML nested more than " +
           std::to_string(kMaxXmlDepth) + " levels deep (line " + std::to_string(deep->line) + ")";
  }
  return std::nullopt;
}

// A vertex that is not finite, or beyond the length bound once scaled (a mesh in mm read as
// m: a car body 2 km long that encloses the station, so that nothing ever touches it); nullopt
// when every vertex is within it.
std::optional<std::string> VertexProblem(const Mesh& mesh, const fs::path& file,
                                         const Eigen::Vector3d& scale) {
  const double bound = MaxMagnitude(Quantity::kLength);
  for (std::size_t k = 0; k < mesh.vertices.size(); ++k) {
    const Eigen::Vector3d& v = mesh.vertices[k];
    if (v.allFinite() && v.cwiseAbs().maxCoeff() <= bound) continue;
    std::ostringstream at;
    at.precision(6);
    at << "mesh " << file.string() << " has vertex " << k;
    // Its coordinates after the file's own node transforms would show NaN where the file has
    // a number (inf × 0): not shown.
    if (!v.allFinite()) return at.str() + " not finite (a NaN or an infinity in the file)";
    at << " at (" << v.x() << ", " << v.y() << ", " << v.z() << ") m";
    if (scale != Eigen::Vector3d::Ones()) {
      at << " (scaled by " << scale.x() << " " << scale.y() << " " << scale.z() << ")";
    }
    std::ostringstream largest;
    largest.precision(6);
    largest << v.cwiseAbs().maxCoeff() << " m";
    return at.str() + ": " +
           BoundProblem(v.cwiseAbs().maxCoeff(), Quantity::kLength, largest.str()) +
           "; a mesh in millimetres needs a scale of 0.001";
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<const Mesh> MeshCache::Load(const fs::path& file, const Eigen::Vector3d& scale,
                                            std::string* error) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(file, ec), ec);
  if (ec) canonical = file;
  const std::string key = canonical.string();

  const auto scaled_key = std::make_tuple(key, scale.x(), scale.y(), scale.z());
  if (auto it = cache_.find(scaled_key); it != cache_.end()) return it->second;

  std::shared_ptr<const Mesh> raw;
  if (auto it = impl_->raw.find(key); it != impl_->raw.end()) {
    raw = it->second;
  } else {
    if (const std::optional<std::string> problem = NamedFileProblem(file, "mesh")) {
      *error = *problem;
      return nullptr;
    }
    ++files_read_;
    // assimp's XML-based readers (COLLADA, ...) recurse per nesting level: refuse what would
    // overflow their stack.
    if (std::optional<std::string> problem = XmlTooDeep(canonical, file)) {
      *error = *problem;
      return nullptr;
    }
    const aiScene* scene =
        impl_->importer.ReadFile(key, aiProcess_Triangulate | aiProcess_SortByPType);
    if (scene == nullptr || scene->mRootNode == nullptr) {
      // What is wrong in the user's words first, the library's text after it (assimp says
      // "Failed to determine STL storage representation" for a file that is no STL at all).
      std::string format = file.extension().string();
      if (!format.empty()) format.erase(0, 1);
      std::transform(format.begin(), format.end(), format.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      *error = "cannot read mesh " + file.string() + ": not a valid " +
               (format.empty() ? std::string("mesh file") : format + " file") +
               (format == "STL" ? " (binary or ASCII)" : "") + "; the mesh reader (assimp) said: " +
               Printable(impl_->importer.GetErrorString(), 200);
      return nullptr;
    }
    auto mesh = std::make_shared<Mesh>();
    mesh->source = file.string();
    MeshBuilder builder{.out = *mesh, .index = {}};
    builder.CollectTree(*scene, *scene->mRootNode);
    impl_->importer.FreeScene();
    if (mesh->triangles.empty()) {
      *error = "mesh " + file.string() + " contains no triangles";
      return nullptr;
    }
    raw = mesh;
    impl_->raw.emplace(key, raw);
  }

  std::shared_ptr<const Mesh> result = raw;
  if (scale != Eigen::Vector3d::Ones()) {
    auto mesh = std::make_shared<Mesh>(*raw);
    for (Eigen::Vector3d& v : mesh->vertices) v = v.cwiseProduct(scale);
    // A mirroring scale turns the triangles inside out; keep the normals pointing outwards.
    if (scale.x() * scale.y() * scale.z() < 0.0) {
      for (auto& t : mesh->triangles) std::swap(t[1], t[2]);
    }
    result = mesh;
  }
  if (std::optional<std::string> problem = VertexProblem(*result, file, scale)) {
    *error = *problem;
    return nullptr;
  }
  cache_.emplace(scaled_key, result);
  return result;
}

}  // namespace weldcell::cell::internal
