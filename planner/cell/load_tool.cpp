// Weld-gun YAML → Tool, and the shape entries shared by tools and obstacles.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <string>
#include <tuple>

#include "planner/cell/internal/load_context.hpp"
#include "planner/cell/load.hpp"

namespace weldcell::cell {

namespace fs = std::filesystem;

namespace internal {

namespace {

// A box entry: full edge lengths (a length vector in the file's units, m after them), each > 0.
std::optional<Shape> ReadBox(YamlReader& reader, const YAML::Node& box, const std::string& key,
                             const Units& units) {
  auto size = reader.LengthVector3(box, key, units);
  if (!size) return std::nullopt;
  if (size->minCoeff() <= 0.0) {
    reader.Error(box, key, "box edge lengths must be > 0");
    return std::nullopt;
  }
  return Shape::Box(*size);
}

// A cylinder entry: {radius, length} in the file's units (m after them), axis along z.
std::optional<Shape> ReadCylinder(YamlReader& reader, const YAML::Node& cylinder,
                                  const std::string& key, const Units& units) {
  if (!reader.CheckMap(cylinder, key, {"radius", "length"}, {})) return std::nullopt;
  auto r = YamlReader::Get(cylinder, "radius");
  auto l = YamlReader::Get(cylinder, "length");
  std::optional<double> radius =
      r ? reader.Length(*r, JoinKey(key, "radius"), units) : std::nullopt;
  std::optional<double> length =
      l ? reader.Length(*l, JoinKey(key, "length"), units) : std::nullopt;
  if (!radius || !length) return std::nullopt;
  return Shape::Cylinder(*radius, *length);
}

// A sphere entry: {radius} in the file's units (m after them).
std::optional<Shape> ReadSphere(YamlReader& reader, const YAML::Node& sphere,
                                const std::string& key, const Units& units) {
  if (!reader.CheckMap(sphere, key, {"radius"}, {})) return std::nullopt;
  auto r = YamlReader::Get(sphere, "radius");
  std::optional<double> radius =
      r ? reader.Length(*r, JoinKey(key, "radius"), units) : std::nullopt;
  if (!radius) return std::nullopt;
  return Shape::Sphere(*radius);
}

// Why a mesh URI that resolved to no file was not found: the places tried, and for a
// package:// URI the package search path and a hint.
std::string MeshNotFound(const std::string& uri, const ResolvedUri& resolved) {
  if (uri.starts_with("package://")) {
    return "mesh file not found: " + uri +
           (resolved.tried.empty() ? std::string(" (no package search path given)")
                                   : " (tried " + JoinTried(resolved.tried) + ")") +
           PackageHint(uri, false, resolved.tried);
  }
  return "mesh file not found: " + JoinTried(resolved.tried);
}

// A mesh entry: its URI resolved against base_dir and the package paths, loaded (or only named,
// without load_meshes) at `scale` (a positive factor, default 1). A file that cannot be had is
// an error, or a warning when the entry is only drawn (missing_mesh_is_warning).
std::optional<Shape> ReadMesh(YamlReader& reader, const YAML::Node& mesh,
                              const std::optional<YAML::Node>& scale, const std::string& key_path,
                              const fs::path& base_dir, LoadContext& context,
                              bool missing_mesh_is_warning) {
  const std::string key = JoinKey(key_path, "mesh");
  bool ok = true;
  double factor = 1.0;
  if (scale) {
    if (auto s = reader.Positive(*scale, JoinKey(key_path, "scale"))) {
      factor = *s;
    } else {
      ok = false;
    }
  }
  auto uri = reader.String(mesh, key);
  if (!uri) return std::nullopt;
  const ResolvedUri resolved = ResolveMeshUri(*uri, base_dir, context.options.package_paths);
  std::string problem = resolved.problem;
  if (problem.empty() && resolved.path.empty()) problem = MeshNotFound(*uri, resolved);
  std::shared_ptr<const Mesh> data;
  if (problem.empty()) {
    // A scale in error is said alone: the mesh read at another scale would add an error of its
    // size (a "0.001" written as a string was told to add a scale of 0.001).
    if (!context.options.load_meshes || !ok) {
      data = std::make_shared<const Mesh>(Mesh{.source = resolved.path.string()});
    } else {
      data = context.meshes.Load(resolved.path, Eigen::Vector3d::Constant(factor), &problem);
    }
  }
  if (!data) {
    if (missing_mesh_is_warning) {
      reader.Warning(mesh, key, problem + "; drawn with the collision geometry instead");
    } else {
      reader.Error(mesh, key, problem);
    }
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return Shape::FromMesh(std::move(data));
}

}  // namespace

std::optional<Geometry> ReadShapeEntry(YamlReader& reader, const YAML::Node& node,
                                       const std::string& key_path, const Units& units,
                                       const fs::path& base_dir, LoadContext& context,
                                       const std::vector<std::string_view>& extra_keys,
                                       bool missing_mesh_is_warning) {
  std::vector<std::string_view> allowed{"box", "cylinder", "sphere", "mesh", "scale", "pose"};
  allowed.insert(allowed.end(), extra_keys.begin(), extra_keys.end());
  if (!reader.CheckMap(node, key_path, {}, allowed)) return std::nullopt;

  const auto box = YamlReader::Get(node, "box");
  const auto cylinder = YamlReader::Get(node, "cylinder");
  const auto sphere = YamlReader::Get(node, "sphere");
  const auto mesh = YamlReader::Get(node, "mesh");
  const auto scale = YamlReader::Get(node, "scale");
  const int kinds = (box ? 1 : 0) + (cylinder ? 1 : 0) + (sphere ? 1 : 0) + (mesh ? 1 : 0);
  if (kinds != 1) {
    reader.Error(
        node, key_path,
        "expected exactly one of box, cylinder, sphere, mesh (got " + std::to_string(kinds) + ")");
    return std::nullopt;
  }
  if (scale && !mesh) {
    reader.Error(*scale, JoinKey(key_path, "scale"), "scale is only allowed with mesh");
  }

  Geometry geometry;
  bool ok = true;
  if (auto pose = YamlReader::Get(node, "pose")) {
    if (auto X = reader.Pose(*pose, JoinKey(key_path, "pose"), units)) {
      geometry.X_FG = *X;
    } else {
      ok = false;
    }
  }

  std::optional<Shape> shape;
  if (box) {
    shape = ReadBox(reader, *box, JoinKey(key_path, "box"), units);
  } else if (cylinder) {
    shape = ReadCylinder(reader, *cylinder, JoinKey(key_path, "cylinder"), units);
  } else if (sphere) {
    shape = ReadSphere(reader, *sphere, JoinKey(key_path, "sphere"), units);
  } else if (mesh) {
    shape = ReadMesh(reader, *mesh, scale, key_path, base_dir, context, missing_mesh_is_warning);
  }
  if (!ok || !shape) return std::nullopt;
  geometry.shape = std::move(*shape);
  return geometry;
}

namespace {

// The farthest a weld gun's TCP may lie from the flange: the longest guns reach about 1 m. A
// tool written in mm without `units: {length: mm}` (read as m) puts it hundreds of metres
// away, and the home check then names every obstacle instead of the gun.
constexpr double kMaxGunReach = 3.0;  // m
// The longest a gun may take to close, open or weld: real guns take tenths of a second. Times
// are seconds in every file; 250 (ms meant) would make every weld last minutes.
constexpr double kMaxGunTime = 10.0;  // s

// The longest approach (and retract) along the weld normal: guns approach from centimetres.
constexpr double kMaxApproach = 1.0;  // m

// Reports a length `distance` (m) beyond `limit` (m) at `node`, keyed `key`, said as `what`
// then the length then `where` ("the TCP lies", " from the flange"); false then.
bool CheckGunLength(YamlReader& reader, const YAML::Node& node, const std::string& key,
                    const std::string& what, double distance, const std::string& where,
                    double limit, const Units& units) {
  if (distance <= limit) return true;
  std::ostringstream text;
  text << what << " " << distance << " m" << where << ", a weld gun's within " << limit << " m"
       << (units.length == 1.0 ? ": lengths in mm without `units: {length: mm}`?"
                               : ": check the numbers and their unit");
  reader.Error(node, key, text.str());
  return false;
}

// The TCP's z axis is the gun's approach direction, from the gun into the sheet (the weld
// frame's z is −normal): it points away from the flange, along the offset (a C gun) or across
// it (an X gun's TCP to the side). One pointing back at the flange (within 45°) made every weld
// "joint limits" without a word about the gun: a warning at `tcp`.
void WarnOfTcpAxisTowardsTheFlange(YamlReader& reader, const YAML::Node& node,
                                   const Eigen::Isometry3d& X_FT) {
  const Eigen::Vector3d offset = X_FT.translation();
  if (offset.norm() < 1e-3) return;  // at the flange: no direction to compare with
  const Eigen::Vector3d z = X_FT.linear().col(2);
  const double cosine = z.dot(offset.normalized());
  if (cosine > -std::cos(std::numbers::pi / 4)) return;
  std::ostringstream text;
  text << "the TCP's z axis points back towards the flange ("
       << std::round(std::acos(cosine) * 180 / std::numbers::pi)
       << " deg from the direction flange → TCP): weldcell's TCP z is the gun's approach "
          "direction, from the electrodes into the sheet; turn the tcp's rpy by 180 deg about x "
          "if the gun was modelled the other way";
  reader.Warning(node, "tcp", text.str());
}

// How far a collision shape reaches from the flange (m): its origin's distance and the radius of
// the sphere about it that holds it.
double ShapeReach(const Geometry& g) {
  const Shape& s = g.shape;
  double radius = 0.0;
  switch (s.kind) {
    case ShapeKind::kBox:
      radius = s.box_size.norm() / 2;
      break;
    case ShapeKind::kCylinder:
      radius = std::hypot(s.radius, s.length / 2);
      break;
    case ShapeKind::kSphere:
      radius = s.radius;
      break;
    case ShapeKind::kMesh:
      if (s.mesh) {
        for (const Eigen::Vector3d& v : s.mesh->vertices) radius = std::max(radius, v.norm());
      }
      break;
  }
  return g.X_FG.translation().norm() + radius;
}

// Reports a gun time `seconds` beyond kMaxGunTime at `node`; false then.
bool CheckGunTime(YamlReader& reader, const YAML::Node& node, const std::string& key,
                  double seconds) {
  if (seconds <= kMaxGunTime) return true;
  std::ostringstream text;
  text << seconds << " s is beyond any weld gun's (at most " << kMaxGunTime
       << " s; guns take tenths of a second): times are in seconds, not ms";
  reader.Error(node, key, text.str());
  return false;
}

}  // namespace

std::optional<Tool> ReadTool(const fs::path& tool_yaml, const Reference& ref, LoadContext& context,
                             DiagnosticSink& sink) {
  std::error_code ec;
  const std::string cache_key = fs::weakly_canonical(fs::absolute(tool_yaml, ec), ec).string();
  if (auto it = context.tools.find(cache_key); it != context.tools.end()) return it->second;

  YamlReader reader(tool_yaml.string(), sink);
  std::optional<YAML::Node> parsed =
      reader.Parse(tool_yaml, ref.where, ref.key_path, "weldcell-tool/1");
  if (!parsed) return std::nullopt;
  const YAML::Node& root = *parsed;
  const std::size_t first = sink.diagnostics().size();

  reader.CheckMap(root, "",
                  {"format", "name", "tcp", "approach_distance", "close_time", "open_time",
                   "weld_time", "collision"},
                  {"units", "visual"});
  reader.CheckFormat(root, "weldcell-tool/1");
  const std::optional<Units> read_units = reader.ReadKnownUnits(root, true, true);
  if (!read_units) {  // every number of the file would be read in the wrong unit
    context.tools[cache_key] = std::nullopt;
    return std::nullopt;
  }
  const Units& units = *read_units;
  const fs::path dir = tool_yaml.parent_path();

  Tool tool;
  tool.source_file = tool_yaml.string();
  if (auto n = YamlReader::Get(root, "name")) {
    if (auto name = reader.Name(*n, "name")) tool.name = *name;
  }
  if (auto tcp = YamlReader::Get(root, "tcp")) {
    if (auto X = reader.Pose(*tcp, "tcp", units)) {
      tool.X_FT = *X;
      CheckGunLength(reader, *tcp, "tcp", "the TCP lies", tool.X_FT.translation().norm(),
                     " from the flange", kMaxGunReach, units);
      WarnOfTcpAxisTowardsTheFlange(reader, *tcp, tool.X_FT);
    }
  }
  if (auto v = YamlReader::Get(root, "approach_distance")) {
    if (auto d = reader.Length(*v, "approach_distance", units, true);
        d && CheckGunLength(reader, *v, "approach_distance", "the approach distance is", *d, "",
                            kMaxApproach, units)) {
      tool.approach_distance = *d;
    }
  }
  for (const auto& [key, field, allow_zero] : {std::tuple{"close_time", &tool.close_time, true},
                                               std::tuple{"open_time", &tool.open_time, true},
                                               std::tuple{"weld_time", &tool.weld_time, false}}) {
    if (auto v = YamlReader::Get(root, key)) {
      if (auto t = reader.Time(*v, key, allow_zero); t && CheckGunTime(reader, *v, key, *t)) {
        *field = *t;
      }
    }
  }
  if (auto list = YamlReader::Get(root, "collision")) {
    if (!list->IsSequence() || list->size() == 0) {
      reader.Error(*list, "collision", "expected a list of at least one shape");
    } else {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (auto g = ReadShapeEntry(reader, (*list)[i], IndexKey("collision", i), units, dir,
                                    context, {}, false);
            g && CheckGunLength(reader, (*list)[i], IndexKey("collision", i), "the shape reaches",
                                ShapeReach(*g), " from the flange", kMaxGunReach, units)) {
          tool.collision.push_back(std::move(*g));
        }
      }
    }
  }
  if (auto list = YamlReader::Get(root, "visual")) {
    if (!list->IsSequence()) {
      reader.Error(*list, "visual", "expected a list of shapes");
    } else {
      bool complete = true;
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (auto g = ReadShapeEntry(reader, (*list)[i], IndexKey("visual", i), units, dir, context,
                                    {}, true)) {
          tool.visual.push_back(std::move(*g));
        } else {
          complete = false;
        }
      }
      // Empty visual means "draw the collision geometry" (Tool::visual).
      if (!complete) tool.visual.clear();
    }
  }

  bool new_errors = false;
  for (std::size_t i = first; i < sink.diagnostics().size(); ++i) {
    new_errors |= sink.diagnostics()[i].severity == Severity::kError;
  }
  std::optional<Tool> result;
  if (!new_errors) result = std::move(tool);
  context.tools[cache_key] = result;
  return result;
}

}  // namespace internal

Loaded<Tool> LoadTool(const fs::path& tool_yaml, const LoadOptions& options) {
  internal::LoadContext context(options);
  DiagnosticSink sink;
  std::optional<Tool> tool = internal::ReadTool(tool_yaml, {}, context, sink);
  sink.ThrowIfErrors();
  return {.value = std::move(*tool), .warnings = sink.warnings()};
}

}  // namespace weldcell::cell
