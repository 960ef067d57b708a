#include "planner/cell/internal/mesh_cache.hpp"

#include <assimp/Importer.hpp>
#include <assimp/config.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <system_error>

namespace weldcell::cell::internal {

namespace fs = std::filesystem;

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
    for (const fs::path& dir : package_dirs) {
      fs::path candidate = (dir / rest).lexically_normal();
      out.tried.push_back(candidate);
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) {
        out.path = candidate;
        return out;
      }
    }
    return out;
  }
  std::string plain = uri;
  if (uri.starts_with(kFile)) plain = uri.substr(kFile.size());
  fs::path candidate = fs::path(plain).is_absolute() ? fs::path(plain).lexically_normal()
                                                     : (base_dir / plain).lexically_normal();
  out.tried.push_back(candidate);
  std::error_code ec;
  if (fs::is_regular_file(candidate, ec)) out.path = candidate;
  return out;
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
  // Only positions matter here. Dropping normals (STL stores one per face) lets
  // JoinIdenticalVertices share the corners of adjacent triangles.
  impl_->importer.SetPropertyInteger(
      AI_CONFIG_PP_RVC_FLAGS, aiComponent_NORMALS | aiComponent_TANGENTS_AND_BITANGENTS |
                                  aiComponent_COLORS | aiComponent_TEXCOORDS |
                                  aiComponent_BONEWEIGHTS | aiComponent_ANIMATIONS |
                                  aiComponent_TEXTURES | aiComponent_LIGHTS |
                                  aiComponent_CAMERAS | aiComponent_MATERIALS);
  // Points and lines carry no volume: let the triangulation step drop them.
  impl_->importer.SetPropertyInteger(AI_CONFIG_PP_SBP_REMOVE,
                                     aiPrimitiveType_POINT | aiPrimitiveType_LINE);
}

MeshCache::~MeshCache() = default;

namespace {

void CollectNode(const aiScene& scene, const aiNode& node, const aiMatrix4x4& parent,
                 Mesh& out) {
  const aiMatrix4x4 transform = parent * node.mTransformation;
  for (unsigned k = 0; k < node.mNumMeshes; ++k) {
    const aiMesh& mesh = *scene.mMeshes[node.mMeshes[k]];
    const auto base = static_cast<std::uint32_t>(out.vertices.size());
    for (unsigned v = 0; v < mesh.mNumVertices; ++v) {
      const aiVector3D p = transform * mesh.mVertices[v];
      out.vertices.emplace_back(p.x, p.y, p.z);
    }
    for (unsigned f = 0; f < mesh.mNumFaces; ++f) {
      const aiFace& face = mesh.mFaces[f];
      if (face.mNumIndices != 3) continue;
      out.triangles.push_back({base + face.mIndices[0], base + face.mIndices[1],
                               base + face.mIndices[2]});
    }
  }
  for (unsigned c = 0; c < node.mNumChildren; ++c) {
    CollectNode(scene, *node.mChildren[c], transform, out);
  }
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
    if (!fs::is_regular_file(canonical, ec)) {
      *error = "file not found: " + file.string();
      return nullptr;
    }
    ++files_read_;
    const aiScene* scene = impl_->importer.ReadFile(
        key, aiProcess_RemoveComponent | aiProcess_Triangulate | aiProcess_JoinIdenticalVertices |
                 aiProcess_SortByPType);
    if (scene == nullptr || scene->mRootNode == nullptr) {
      *error = "cannot read mesh " + file.string() + ": " + impl_->importer.GetErrorString();
      return nullptr;
    }
    auto mesh = std::make_shared<Mesh>();
    mesh->source = file.string();
    CollectNode(*scene, *scene->mRootNode, aiMatrix4x4(), *mesh);
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
  cache_.emplace(scaled_key, result);
  return result;
}

}  // namespace weldcell::cell::internal
