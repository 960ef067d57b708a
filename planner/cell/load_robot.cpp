// robot.yaml + URDF → RobotModel; LoadUrdfChain; LoadMesh.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <sstream>

#include "planner/cell/internal/load_context.hpp"
#include "planner/cell/load.hpp"

namespace weldcell::cell {

namespace fs = std::filesystem;

namespace internal {

namespace {

std::optional<int> JointNumber(YamlReader& reader, const YAML::Node& node, const std::string& key,
                               int dof) {
  std::optional<double> v = reader.Number(node, key);
  if (!v) return std::nullopt;
  // Without a usable URDF (dof 0) the range is unknown; still keep the cast to int defined.
  constexpr int kMaxJoints = 64;
  const int last = dof > 0 ? dof : kMaxJoints;
  if (*v != std::floor(*v) || *v < 1 || *v > last) {
    reader.Error(
        node, key,
        "expected a joint number from 1 to " + std::to_string(last) + ", got " + node.Scalar());
    return std::nullopt;
  }
  return static_cast<int>(*v) - 1;
}

// `allowed_collisions: [[link_a, link_b], ...]`: link names of the arm chain. Without a model
// (URDF errors, already reported) only the shape of the list is checked.
void ReadAllowedCollisions(YamlReader& reader, const YAML::Node& node, RobotModel* model) {
  const std::string key = "allowed_collisions";
  if (!node.IsSequence()) {
    reader.Error(node, key, "expected a list of link pairs, e.g. [[link_1, link_3]]");
    return;
  }
  std::map<std::pair<int, int>, int> seen;  // pair -> line of its first mention
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& pair = node[i];
    const std::string pk = IndexKey(key, i);
    if (!pair.IsSequence() || pair.size() != 2) {
      reader.Error(pair, pk, "expected a pair of link names [link_a, link_b]");
      continue;
    }
    std::array<int, 2> index{-1, -1};
    bool ok = true;
    for (std::size_t k = 0; k < 2; ++k) {
      std::optional<std::string> name = reader.String(pair[k], IndexKey(pk, k));
      if (!name) {
        ok = false;
        continue;
      }
      if (!model) continue;
      const auto it = std::find_if(model->links.begin(), model->links.end(),
                                   [&](const Link& l) { return l.name == *name; });
      if (it == model->links.end()) {
        std::string names;
        for (const Link& l : model->links) names += (names.empty() ? "" : ", ") + l.name;
        reader.Error(pair[k], IndexKey(pk, k),
                     "unknown link '" + *name + "': not a link of the arm chain (" + names + ")");
        ok = false;
        continue;
      }
      index[k] = static_cast<int>(it - model->links.begin());
    }
    if (!ok || !model) continue;
    if (index[0] == index[1]) {
      reader.Error(pair, pk, "a link cannot be paired with itself");
      continue;
    }
    const std::pair<int, int> p{std::min(index[0], index[1]), std::max(index[0], index[1])};
    const int line = reader.Where(pair).line;
    if (auto [it, inserted] = seen.emplace(p, line); !inserted) {
      reader.Warning(
          pair, pk,
          "the pair is declared twice (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    model->allowed_collisions.push_back(p);
  }
  if (model) std::sort(model->allowed_collisions.begin(), model->allowed_collisions.end());
}

// `package_paths:` (folders relative to `dir`) → where the URDF's package:// URIs are looked
// up, after the folder two levels above the URDF.
std::vector<fs::path> ReadPackagePaths(YamlReader& reader, const YAML::Node& root,
                                       const fs::path& dir) {
  std::vector<fs::path> package_paths;
  if (auto node = YamlReader::Get(root, "package_paths")) {
    if (!node->IsSequence()) {
      reader.Error(*node, "package_paths", "expected a list of folders");
    } else {
      for (std::size_t i = 0; i < node->size(); ++i) {
        if (auto p = reader.String((*node)[i], IndexKey("package_paths", i))) {
          package_paths.push_back(ResolveRelative(dir, *p));
          // A folder that is not there is a typo the package:// search would hide (as
          // `--package-path`, which is exit 2; here a warning: the URIs may resolve elsewhere).
          if (std::error_code ec; !fs::is_directory(package_paths.back(), ec)) {
            reader.Warning((*node)[i], IndexKey("package_paths", i),
                           "no such folder: " + package_paths.back().string());
          }
        }
      }
    }
  }
  return package_paths;
}

// `chain: {base, tip}` → the base and tip link names and where they are written, into
// `request`; false unless both were read.
bool ReadChainEnds(YamlReader& reader, const YAML::Node& root, UrdfChainRequest* request) {
  auto chain = YamlReader::Get(root, "chain");
  if (!chain || !reader.CheckMap(*chain, "chain", {"base", "tip"}, {})) return false;
  auto base = YamlReader::Get(*chain, "base");
  auto tip = YamlReader::Get(*chain, "tip");
  std::optional<std::string> base_name, tip_name;
  if (base) base_name = reader.String(*base, "chain.base");
  if (tip) tip_name = reader.String(*tip, "chain.tip");
  if (!base_name || !tip_name) return false;
  request->base_link = *base_name;
  request->tip_link = *tip_name;
  request->base_ref = {reader.Where(*base), "chain.base"};
  request->tip_ref = {reader.Where(*tip), "chain.tip"};
  return true;
}

// `urdf:` (relative to `dir`) → the arm chain `request` names, read from the URDF; nullopt
// without a URDF, without both chain ends (`have_chain`), or on the URDF's errors (reported).
std::optional<RobotModel> ReadArmChain(YamlReader& reader, const YAML::Node& root,
                                       const fs::path& dir, bool have_chain,
                                       UrdfChainRequest* request, LoadContext& context,
                                       DiagnosticSink& sink) {
  auto urdf = YamlReader::Get(root, "urdf");
  if (!urdf) return std::nullopt;
  auto path = reader.String(*urdf, "urdf");
  if (!path) return std::nullopt;
  request->urdf = ResolveRelative(dir, *path);
  request->urdf_ref = {reader.Where(*urdf), "urdf"};
  if (have_chain) return ReadUrdfChain(*request, context, sink);
  std::error_code ec;
  if (!fs::is_regular_file(request->urdf, ec)) {
    reader.Error(*urdf, "urdf", "file not found: " + request->urdf.string());
  }
  return std::nullopt;
}

// Above this a revolute joint's acceleration is a warning: industrial arms' joints reach 3 to
// 30 rad/s^2; 172 is what a value in deg/s^2 reads as.
constexpr double kPlausibleAcceleration = 50.0;  // rad/s^2

// `acceleration:` (one per movable joint, > 0) → the joints' max_acceleration of `model`
// (nullptr: without a model only the values are checked).
void ReadAccelerations(YamlReader& reader, const YAML::Node& acc, int dof,
                       const UrdfChainRequest& request, RobotModel* model) {
  const std::string dof_text =
      model ? "one per movable joint of the chain " + request.base_link + " -> " + request.tip_link
            : std::string();
  auto values = reader.Numbers(acc, "acceleration", static_cast<std::size_t>(dof), dof_text);
  if (!values) return;
  for (std::size_t i = 0; i < values->size(); ++i) {
    if ((*values)[i] <= 0.0) {
      reader.Error(acc[i], IndexKey("acceleration", i), "must be > 0, got " + acc[i].Scalar());
    }
  }
  if (!model) return;
  const std::vector<int> movable = model->movable_joint_indices();
  for (std::size_t i = 0; i < values->size() && i < movable.size(); ++i) {
    Joint& joint = model->joints[static_cast<std::size_t>(movable[i])];
    const bool prismatic = joint.type == JointType::kPrismatic;
    if ((*values)[i] > 0.0) {  // else reported above
      reader.CheckBound(
          acc[i], IndexKey("acceleration", i), (*values)[i],
          prismatic ? Quantity::kPrismaticAcceleration : Quantity::kRevoluteAcceleration,
          prismatic ? "m/s^2" : "rad/s^2");
    }
    if (!prismatic && (*values)[i] > kPlausibleAcceleration &&
        (*values)[i] <= MaxMagnitude(Quantity::kRevoluteAcceleration)) {
      std::ostringstream text;
      text << acc[i].Scalar() << " rad/s^2 (" << std::lround((*values)[i] * 180 / std::numbers::pi)
           << " deg/s^2) is more than any industrial arm's joint (the shipped robots': 3.2 to "
              "10.1 rad/s^2): accelerations are rad/s^2 whatever `units` says; deg/s^2 meant?";
      reader.Warning(acc[i], IndexKey("acceleration", i), text.str());
    }
    joint.max_acceleration = (*values)[i];
  }
}

// `controller_joints.dialect` → the controller's dialect (one of kControllerDialects) and where
// it is written; both left empty when absent or unknown.
void ReadControllerDialect(YamlReader& reader, const YAML::Node& cj, std::string* dialect,
                           SourceLocation* dialect_where) {
  auto node = YamlReader::Get(cj, "dialect");
  if (!node) return;
  auto d = reader.String(*node, "controller_joints.dialect");
  if (!d) return;
  if (std::find(kControllerDialects.begin(), kControllerDialects.end(), *d) ==
      kControllerDialects.end()) {
    reader.Error(*node, "controller_joints.dialect",
                 "unknown dialect '" + *d +
                     "' (expected the dialect of the arm's controller: kuka_krl, "
                     "abb_rapid, fanuc_ls, yaskawa_inform or ur_script)");
    return;
  }
  *dialect = *d;
  *dialect_where = reader.Where(*node);
}

// The largest controller zero offset taken: a turn (rad) for a revolute joint, 10 m for a
// prismatic one (ReadJointOffsets).
constexpr double kMaxRevoluteOffset = 2.0 * std::numbers::pi;
constexpr double kMaxPrismaticOffset = 10.0;

// `value` with up to 6 significant digits ("360", "6.28319").
std::string ShortNumber(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.6g", value);
  return text.data();
}

// `controller_joints.offsets` (file units: length for prismatic joints, else angle) → the
// controller's zero offsets in m / rad, one per movable joint (default 0).
std::vector<double> ReadJointOffsets(YamlReader& reader, const YAML::Node& cj, int dof,
                                     const Units& units, const RobotModel* model) {
  std::vector<double> offsets(static_cast<std::size_t>(dof), 0.0);
  auto node = YamlReader::Get(cj, "offsets");
  if (!node) return offsets;
  auto v = reader.Numbers(*node, "controller_joints.offsets", static_cast<std::size_t>(dof),
                          "one per movable joint");
  if (!v) return offsets;
  // Without a model (its errors are reported) any length was accepted: index only the joints
  // that exist.
  const std::vector<int> movable = model ? model->movable_joint_indices() : std::vector<int>{};
  for (std::size_t i = 0; i < v->size(); ++i) {
    const bool prismatic =
        i < movable.size() &&
        model->joints[static_cast<std::size_t>(movable[i])].type == JointType::kPrismatic;
    const double unit = prismatic ? units.length : units.angle;
    (*v)[i] *= unit;
    // A pendant's zero is at most a turn (or a few metres) from the model's: a larger value is
    // a typo that would reach the programs (1e9 deg passed the strict readers).
    const double limit = prismatic ? kMaxPrismaticOffset : kMaxRevoluteOffset;
    if (!(std::abs((*v)[i]) <= limit)) {
      reader.Error((*node)[i], IndexKey("controller_joints.offsets", i),
                   "expected an offset of at most " + ShortNumber(limit / unit) + " " +
                       (prismatic ? units.length_name : units.angle_name) + " either way, got " +
                       (*node)[i].Scalar());
      (*v)[i] = 0.0;
    }
  }
  return *v;
}

// `controller_joints.signs` (1 or -1) → the controller's joint directions, one per movable
// joint (default 1).
std::vector<double> ReadJointSigns(YamlReader& reader, const YAML::Node& cj, int dof) {
  std::vector<double> signs(static_cast<std::size_t>(dof), 1.0);
  auto node = YamlReader::Get(cj, "signs");
  if (!node) return signs;
  auto v = reader.Numbers(*node, "controller_joints.signs", static_cast<std::size_t>(dof),
                          "one per movable joint");
  if (!v) return signs;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if ((*v)[i] != 1.0 && (*v)[i] != -1.0) {
      reader.Error((*node)[i], IndexKey("controller_joints.signs", i),
                   "expected 1 or -1, got " + (*node)[i].Scalar());
    }
  }
  return *v;
}

// The largest |factor| of a controller coupling (ReadJointCouplings).
constexpr double kMaxCouplingFactor = 10.0;

// Couplings compound (a joint coupled to a coupled joint): the controller value each gives, as
// a matrix on the joint values (each applied in turn, as RobotModel's mapping does), may carry
// no joint more than kMaxCouplingFactor times. Three couplings of 10 made a pendant's J3 read
// ~1000 × J2 (and 400 made it -inf), past every single factor's bound.
void CheckCombinedCoupling(YamlReader& reader, const YAML::Node& node,
                           const std::vector<JointCoupling>& couplings, int dof) {
  if (couplings.empty() || dof <= 0) return;
  const auto n = static_cast<std::size_t>(dof);
  std::vector<std::vector<double>> m(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) m[i][i] = 1.0;
  for (const JointCoupling& c : couplings) {
    const auto j = static_cast<std::size_t>(c.joint);
    const auto p = static_cast<std::size_t>(c.plus);
    for (std::size_t k = 0; k < n; ++k) m[j][k] += c.factor * m[p][k];
    for (std::size_t k = 0; k < n; ++k) {
      if (std::abs(m[j][k]) <= kMaxCouplingFactor) continue;
      reader.Error(node, "controller_joints.couplings",
                   "together the couplings make the controller's joint " + std::to_string(j + 1) +
                       " carry " + ShortNumber(m[j][k]) + " × joint " + std::to_string(k + 1) +
                       " (at most " + ShortNumber(kMaxCouplingFactor) +
                       " either way): a joint coupled to a coupled joint compounds the factors");
      return;
    }
  }
}

// `controller_joints.couplings: [{joint, plus, factor}]` → the controller's axis couplings
// (joint numbers 1-based in the file, 0-based here).
std::vector<JointCoupling> ReadJointCouplings(YamlReader& reader, const YAML::Node& cj, int dof) {
  std::vector<JointCoupling> couplings;
  auto node = YamlReader::Get(cj, "couplings");
  if (!node) return couplings;
  const std::string key = "controller_joints.couplings";
  if (!node->IsSequence()) {
    reader.Error(*node, key, "expected a list of {joint, plus, factor}");
    return couplings;
  }
  for (std::size_t i = 0; i < node->size(); ++i) {
    const YAML::Node& c = (*node)[i];
    const std::string ck = IndexKey(key, i);
    if (!reader.CheckMap(c, ck, {"joint", "plus"}, {"factor"})) continue;
    JointCoupling coupling;
    auto j = YamlReader::Get(c, "joint");
    auto p = YamlReader::Get(c, "plus");
    std::optional<int> joint = j ? JointNumber(reader, *j, ck + ".joint", dof) : std::nullopt;
    std::optional<int> plus = p ? JointNumber(reader, *p, ck + ".plus", dof) : std::nullopt;
    if (auto f = YamlReader::Get(c, "factor")) {
      if (auto v = reader.Number(*f, ck + ".factor")) {
        // A pendant's coupling is a gear ratio of a few at most (FANUC's J2/J3: 1): a larger
        // one is a typo that would reach the programs (1e300 was refused only after planning).
        if (std::abs(*v) <= kMaxCouplingFactor) {
          coupling.factor = *v;
        } else {
          reader.Error(*f, ck + ".factor",
                       "expected a factor of at most " + ShortNumber(kMaxCouplingFactor) +
                           " either way, got " + f->Scalar());
        }
      }
    }
    if (joint && plus) {
      if (*joint == *plus) {
        reader.Error(c, ck, "a joint cannot be coupled to itself");
      }
      coupling.joint = *joint;
      coupling.plus = *plus;
      couplings.push_back(coupling);
    }
  }
  CheckCombinedCoupling(reader, *node, couplings, dof);
  return couplings;
}

// `controller_joints.pulses: {per_degree, zero}` → the encoder scaling into `per_degree` and
// `zero`, one per movable joint; both left empty when absent or not all valid.
void ReadJointPulses(YamlReader& reader, const YAML::Node& cj, int dof,
                     std::vector<double>* per_degree, std::vector<double>* zero) {
  auto node = YamlReader::Get(cj, "pulses");
  if (!node) return;
  const std::string key = "controller_joints.pulses";
  auto ppd_node = YamlReader::Get(*node, "per_degree");
  auto z_node = YamlReader::Get(*node, "zero");
  if (!reader.CheckMap(*node, key, {"per_degree", "zero"}, {}) || !ppd_node || !z_node) return;
  const YAML::Node& ppd = *ppd_node;
  const YAML::Node& z = *z_node;
  auto v = reader.Numbers(ppd, key + ".per_degree", static_cast<std::size_t>(dof),
                          "one per movable joint");
  auto w = reader.Numbers(z, key + ".zero", static_cast<std::size_t>(dof), "one per movable joint");
  bool ok = v && w;
  for (std::size_t i = 0; v && i < v->size(); ++i) {
    if ((*v)[i] == 0.0 || std::abs((*v)[i]) > 1e7) {
      reader.Error(ppd[i], IndexKey(key + ".per_degree", i),
                   "expected pulses per degree (or mm), non-zero and at most 1e7 in "
                   "magnitude, got " +
                       ppd[i].Scalar());
      ok = false;
    }
  }
  for (std::size_t i = 0; w && i < w->size(); ++i) {
    if ((*w)[i] != std::round((*w)[i]) || std::abs((*w)[i]) > 1e9) {
      reader.Error(z[i], IndexKey(key + ".zero", i),
                   "expected a whole number of pulses within +-1e9, got " + z[i].Scalar());
      ok = false;
    }
  }
  if (ok) {
    *per_degree = *v;
    *zero = *w;
  }
}

// `controller_joints: {dialect, offsets, signs, couplings, pulses}` → `model->controller`, how
// the arm's controller numbers its joints (nullptr: without a model only the file is checked).
void ReadControllerJoints(YamlReader& reader, const YAML::Node& cj, int dof, const Units& units,
                          RobotModel* model) {
  if (!reader.CheckMap(cj, "controller_joints", {},
                       {"dialect", "offsets", "signs", "couplings", "pulses"})) {
    return;
  }
  std::string dialect;
  SourceLocation dialect_where;
  ReadControllerDialect(reader, cj, &dialect, &dialect_where);
  const std::vector<double> offsets = ReadJointOffsets(reader, cj, dof, units, model);
  const std::vector<double> signs = ReadJointSigns(reader, cj, dof);
  const std::vector<JointCoupling> couplings = ReadJointCouplings(reader, cj, dof);
  std::vector<double> per_degree, zero;
  ReadJointPulses(reader, cj, dof, &per_degree, &zero);
  if (model) {
    model->controller.dialect = dialect;
    model->controller.dialect_where = dialect_where;
    model->controller.pulses_per_degree = per_degree;
    model->controller.pulse_zero = zero;
    model->controller.offsets = offsets;
    model->controller.signs = signs;
    model->controller.couplings = couplings;
  }
}

}  // namespace

std::shared_ptr<const RobotModel> ReadRobotModel(const fs::path& robot_yaml, const Reference& ref,
                                                 LoadContext& context, DiagnosticSink& sink) {
  std::error_code ec;
  const std::string cache_key = fs::weakly_canonical(fs::absolute(robot_yaml, ec), ec).string();
  // A model named twice is read (and its problems reported) once.
  if (auto it = context.models.find(cache_key); it != context.models.end()) return it->second;

  YamlReader reader(robot_yaml.string(), sink);
  std::optional<YAML::Node> parsed =
      reader.Parse(robot_yaml, ref.where, ref.key_path, "weldcell-robot/1");
  if (!parsed) return nullptr;
  const YAML::Node& root = *parsed;
  const std::size_t errors_before = sink.diagnostics().size();
  auto error_count = [&] {
    std::size_t n = 0;
    for (std::size_t i = errors_before; i < sink.diagnostics().size(); ++i) {
      n += sink.diagnostics()[i].severity == Severity::kError ? 1 : 0;
    }
    return n;
  };

  reader.CheckMap(root, "", {"format", "name", "urdf", "chain", "acceleration"},
                  {"units", "controller_joints", "package_paths", "allowed_collisions"});
  reader.CheckFormat(root, "weldcell-robot/1");
  const std::optional<Units> read_units = reader.ReadKnownUnits(root, true, true);
  if (!read_units) {  // every number of the file would be read in the wrong unit
    context.models[cache_key] = nullptr;
    return nullptr;
  }
  const fs::path dir = robot_yaml.parent_path();

  std::optional<std::string> name;
  if (auto n = YamlReader::Get(root, "name")) name = reader.Name(*n, "name");

  UrdfChainRequest request;
  request.package_paths = ReadPackagePaths(reader, root, dir);
  const bool have_chain = ReadChainEnds(reader, root, &request);
  std::optional<RobotModel> model =
      ReadArmChain(reader, root, dir, have_chain, &request, context, sink);
  RobotModel* arm = model ? &*model : nullptr;
  const int dof = model ? model->dof() : 0;
  if (auto acc = YamlReader::Get(root, "acceleration")) {
    ReadAccelerations(reader, *acc, dof, request, arm);
  }
  if (auto cj = YamlReader::Get(root, "controller_joints")) {
    ReadControllerJoints(reader, *cj, dof, *read_units, arm);
  }
  if (auto node = YamlReader::Get(root, "allowed_collisions")) {
    ReadAllowedCollisions(reader, *node, arm);
  }

  if (error_count() > 0 || !model) {
    context.models[cache_key] = nullptr;
    return nullptr;
  }
  if (name) model->name = *name;
  model->source_file = robot_yaml.string();
  auto shared = std::make_shared<const RobotModel>(std::move(*model));
  context.models[cache_key] = shared;
  return shared;
}

}  // namespace internal

Loaded<std::shared_ptr<const RobotModel>> LoadRobotModel(const fs::path& robot_yaml,
                                                         const LoadOptions& options) {
  internal::LoadContext context(options);
  DiagnosticSink sink;
  std::shared_ptr<const RobotModel> model = internal::ReadRobotModel(robot_yaml, {}, context, sink);
  sink.ThrowIfErrors();
  return {.value = std::move(model), .warnings = sink.warnings()};
}

Loaded<std::shared_ptr<const RobotModel>> LoadUrdfChain(const fs::path& urdf,
                                                        const std::string& base_link,
                                                        const std::string& tip_link,
                                                        const LoadOptions& options) {
  internal::LoadContext context(options);
  DiagnosticSink sink;
  internal::UrdfChainRequest request{.urdf = urdf, .base_link = base_link, .tip_link = tip_link};
  std::optional<RobotModel> model = internal::ReadUrdfChain(request, context, sink);
  sink.ThrowIfErrors();
  if (!model) {
    // Defensive: ReadUrdfChain reports a reason whenever it gives nothing.
    sink.Error({.file = urdf.string()}, "", "no arm chain could be read");
    sink.ThrowIfErrors();
  }
  return {.value = std::make_shared<const RobotModel>(std::move(*model)),
          .warnings = sink.warnings()};
}

std::shared_ptr<const Mesh> LoadMesh(const fs::path& file, double scale) {
  DiagnosticSink sink;
  if (!std::isfinite(scale) || scale == 0.0) {
    sink.Error({.file = file.string()}, "", "mesh scale must be finite and non-zero");
    sink.ThrowIfErrors();
  }
  internal::MeshCache cache;
  std::string problem;
  std::shared_ptr<const Mesh> mesh = cache.Load(file, Eigen::Vector3d::Constant(scale), &problem);
  if (!mesh) {
    sink.Error({.file = file.string()}, "", problem);
    sink.ThrowIfErrors();
  }
  return mesh;
}

}  // namespace weldcell::cell
