#include "planner/learned/model.hpp"

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

#include "planner/common/atomic_file.hpp"
#include "planner/common/check.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/common/input_file.hpp"
#include "planner/common/parallel.hpp"
#include "planner/kinematics/chain.hpp"

namespace weldcell::learned {
namespace {

using Json = nlohmann::ordered_json;

// An XGBoost call that failed is a bug or a broken installation, not bad input.
void Xgb(int status, const char* what) {
  if (status != 0) {
    throw std::runtime_error(std::string("XGBoost: ") + what + ": " + XGBGetLastError());
  }
}

struct Fnv {
  std::uint64_t h = 1469598103934665603ULL;
  void Bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= c[i];
      h *= 1099511628211ULL;
    }
  }
  // Doubles rounded to 1e-9 so that a re-export of the same robot hashes the same.
  void Number(double x) {
    const auto r = static_cast<std::int64_t>(std::llround(x * 1e9));
    Bytes(&r, sizeof r);
  }
  void Text(const std::string& s) {
    Bytes(s.data(), s.size());
    Bytes("\0", 1);
  }
  void Pose(const Eigen::Isometry3d& X) {
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 4; ++j) Number(X.matrix()(i, j));
    }
  }
  std::string Hex() const {
    static const char* digits = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 0; i < 16; ++i) out[15 - i] = digits[(h >> (4 * i)) & 15];
    return out;
  }
};

Json FloatsJson(const std::vector<float>& v) {
  Json j = Json::array();
  for (float x : v) j.push_back(static_cast<double>(x));
  return j;
}

// The file's bytes. Only a regular file of at most kMaxInputBytes is read: a folder (XGBoost
// said "not an XGBoost model"), a device (/dev/zero filled memory) or a FIFO (blocked forever)
// is said as such (`what` names the file), and so is a file that cannot be opened or read.
std::string ReadText(const std::filesystem::path& file, const std::string& what) {
  auto bad = [&](const std::string& message) {
    return InputError({{.where = {.file = file.string()}, .message = message}});
  };
  if (const std::optional<std::string> problem = InputFileProblem(file, what)) throw bad(*problem);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw bad("cannot open the file (" + std::generic_category().message(errno) + ")");
  std::stringstream s;
  s << in.rdbuf();
  if (in.bad()) throw bad("cannot read the file");
  return s.str();
}

// A parser callback that keeps in `twice` the first key found twice in one object (empty: none)
// and, with `depth`, the deepest nesting of lists and objects (1: the top one).
// nlohmann keeps the last of them, XGBoost's reader likewise; another reader may keep the first.
Json::parser_callback_t KeyTwiceNoter(std::string* twice, int* depth = nullptr) {
  auto keys = std::make_shared<std::vector<std::set<std::string>>>();  // per open object
  return [keys, twice, depth](int level, Json::parse_event_t event, Json& parsed) {
    if (depth &&
        (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start)) {
      *depth = std::max(*depth, level + 1);
    }
    if (event == Json::parse_event_t::object_start) keys->emplace_back();
    if (event == Json::parse_event_t::object_end) keys->pop_back();
    if (event == Json::parse_event_t::key &&
        !keys->back().insert(parsed.get<std::string>()).second && twice->empty()) {
      *twice = parsed.get<std::string>();
    }
    return true;
  };
}

// XGBoost's message made stable and short: without the "[04:01:05] ./src/learner.cc:1017: "
// prefixes (a wall-clock time, different from run to run) and the stack trace, on one line.
std::string XgboostGist(std::string message) {
  message = message.substr(0, message.find("Stack trace:"));
  static const std::regex kPrefix(R"(\[\d\d:\d\d:\d\d\] [^\s:]+:\d+: )");
  message = std::regex_replace(message, kPrefix, "");
  std::string out;
  for (char c : message) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ':')) out.pop_back();
  return Printable(out.empty() ? std::string("no reason given") : out, 200);
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix: "parse error at
// line 1, column 5: …".
std::string JsonErrorText(const nlohmann::json::exception& e) {
  std::string message = e.what();
  if (const std::size_t end = message.find("] "); message.rfind("[json", 0) == 0) {
    message = message.substr(end + 2);
  }
  return message;
}

std::string FeatureHash(const std::vector<Features>& x, const std::vector<double>& y) {
  Fnv f;
  for (std::size_t i = 0; i < x.size(); ++i) {
    f.Bytes(x[i].data(), sizeof(float) * x[i].size());
    f.Number(y[i]);
  }
  return f.Hex();
}

// ModelInfo::model_hash of a booster file's text.
std::string TextHash(std::string_view text) {
  Fnv f;
  f.Bytes(text.data(), text.size());
  return f.Hex();
}

}  // namespace

struct Model::Impl {
  BoosterHandle booster = nullptr;  // ln(duration ratio); of the planned moves with `direct`
  BoosterHandle direct = nullptr;   // P(the straight move is free), optional
  mutable std::mutex mutex;         // XGBoosterPredict keeps a per-booster prediction cache
  ~Impl() {
    if (booster) XGBoosterFree(booster);
    if (direct) XGBoosterFree(direct);
  }
};

namespace {

// XGBoost's handles, freed on every path (a failed call throws between creation and use).
using MatrixPtr = std::unique_ptr<void, decltype(&XGDMatrixFree)>;
using BoosterPtr = std::unique_ptr<void, decltype(&XGBoosterFree)>;

// `rows` rows of kNumFeatures floats (NaN: missing) as an XGBoost matrix.
MatrixPtr MakeMatrix(const std::vector<float>& data, std::size_t rows) {
  DMatrixHandle matrix = nullptr;
  Xgb(XGDMatrixCreateFromMat(data.data(), rows, kNumFeatures,
                             std::numeric_limits<float>::quiet_NaN(), &matrix),
      "DMatrix");
  return {matrix, &XGDMatrixFree};
}

// Fits `options.rounds` rounds, reporting rounds_before + the rounds done of rounds_total and
// stopping early when cancelled.
BoosterHandle TrainBooster(const std::vector<float>& data, const std::vector<float>& label,
                           const char* objective, const TrainOptions& options,
                           std::int64_t rounds_before, std::int64_t rounds_total) {
  const std::size_t rows = label.size();
  const MatrixPtr matrix_ptr = MakeMatrix(data, rows);
  DMatrixHandle matrix = matrix_ptr.get();
  Xgb(XGDMatrixSetFloatInfo(matrix, "label", label.data(), rows), "labels");
  BoosterHandle created = nullptr;
  Xgb(XGBoosterCreate(&matrix, 1, &created), "create");
  BoosterPtr booster(created, &XGBoosterFree);
  BoosterHandle b = booster.get();
  auto set = [&](const char* k, const std::string& v) {
    Xgb(XGBoosterSetParam(b, k, v.c_str()), k);
  };
  set("nthread", std::to_string(ResolveThreadCount(options.threads)));
  set("seed", std::to_string(options.seed % 2147483647ULL));
  set("objective", objective);
  set("verbosity", "0");
  set("eta", std::to_string(options.eta));
  if (options.booster == Booster::kTrees) {
    set("booster", "gbtree");
    // "exact": splits searched per feature, each feature on one thread, gradient sums in a fixed
    // order: the same trees at any thread count (tests/planner/learned).
    set("tree_method", "exact");
    set("max_depth", std::to_string(options.max_depth));
    set("min_child_weight", "2");
    set("subsample", "1");
  } else {
    set("booster", "gblinear");
    // The coordinate-descent updater is deterministic; the default "shotgun" is not.
    set("updater", "coord_descent");
    set("feature_selector", "cyclic");
    set("lambda", "0.01");
  }
  for (int round = 0; round < options.rounds && !options.progress.cancelled(); ++round) {
    Xgb(XGBoosterUpdateOneIter(b, round, matrix), "train");
    options.progress.Report(kTrainStage, rounds_before + round + 1, rounds_total);
  }
  return static_cast<BoosterHandle>(booster.release());
}

// The booster's output for each of `rows` rows of kNumFeatures (`data`, row-major), or in
// *error why XGBoost gave none (its message) or not one per row.
std::vector<float> TryPredict(BoosterHandle b, const std::vector<float>& data, std::size_t rows,
                              int threads, std::string* error) {
  Xgb(XGBoosterSetParam(b, "nthread", std::to_string(ResolveThreadCount(threads)).c_str()),
      "nthread");
  const MatrixPtr matrix = MakeMatrix(data, rows);
  bst_ulong n = 0;
  const float* result = nullptr;
  if (XGBoosterPredict(b, matrix.get(), 0, 0, 0, &n, &result) != 0) {
    *error = XGBGetLastError();
    return {};
  }
  if (n != rows) {
    *error = fmt::format("{} outputs for {} moves, expected one per move", n, rows);
    return {};
  }
  return {result, result + rows};
}

// TryPredict for a booster Load checked (BoosterProblem and a first prediction): a failure is a
// bug or a broken installation.
std::vector<float> PredictBooster(BoosterHandle b, const std::vector<float>& data, std::size_t rows,
                                  int threads) {
  std::string error;
  std::vector<float> out = TryPredict(b, data, rows, threads, &error);
  if (!error.empty()) throw std::runtime_error("XGBoost: predict: " + error);
  return out;
}

// The booster as XGBoost's JSON.
std::string BoosterText(BoosterHandle booster) {
  bst_ulong n = 0;
  const char* buffer = nullptr;
  Xgb(XGBoosterSaveModelToBuffer(booster, R"({"format": "json"})", &n, &buffer), "save");
  return std::string(buffer, n);
}

// Whether `s` is well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates,
// nothing above U+10FFFF), as nlohmann's dump requires.
bool IsUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    int n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(n) >= s.size()) return false;  // cut short
    for (int k = 1; k <= n; ++k) {
      const unsigned char t = b(i + k);
      if (t < (k == 1 ? lo : 0x80) || t > (k == 1 ? hi : 0xBF)) return false;
    }
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

// The text of a ModelInfo that metadata.json cannot hold: bytes that are not UTF-8 (a name
// passed on from a command line or a cell file; nlohmann's dump throws on them). Refused, not
// replaced: the CLI checks names before training, and a model named other than asked would
// surprise.
void CheckText(const ModelInfo& i, const SourceLocation& where, DiagnosticSink& sink) {
  auto check = [&](const std::string& key, const std::string& value) {
    if (!IsUtf8(value)) sink.Error(where, key, "expected UTF-8 text, got " + Quote(value));
  };
  for (auto [key, value] :
       {std::pair{"name", &i.name}, std::pair{"robot_model", &i.robot_model},
        std::pair{"robot_hash", &i.robot_hash}, std::pair{"tool", &i.tool},
        std::pair{"tool_hash", &i.tool_hash}, std::pair{"booster", &i.booster},
        std::pair{"training_hash", &i.training_hash}, std::pair{"model_hash", &i.model_hash},
        std::pair{"direct_hash", &i.direct_hash},
        std::pair{"weldcell_version", &i.weldcell_version}, std::pair{"created", &i.created}}) {
    check(key, *value);
  }
  for (auto [key, list] : {std::pair{"training_cells", &i.training_cells},
                           std::pair{"heldout_cells", &i.heldout_cells}}) {
    for (std::size_t k = 0; k < list->size(); ++k) {
      check(fmt::format("{}[{}]", key, k), (*list)[k]);
    }
  }
}

// metadata.json's text. Precondition: CheckText found nothing.
std::string MetadataText(const ModelInfo& i, const std::filesystem::path& meta_file) {
  Json j;
  j["format"] = "weldcell-travel-model/1";
  j["name"] = i.name;
  j["robot_model"] = i.robot_model;
  j["robot_hash"] = i.robot_hash;
  j["tool"] = i.tool;
  j["tool_hash"] = i.tool_hash;
  j["feature_schema"] = i.feature_schema;
  j["features"] = Json::array();
  for (std::string_view f : kFeatureNames) j["features"].push_back(std::string(f));
  j["booster"] = i.booster;
  j["direct_classifier"] = i.direct_classifier;
  j["training_cells"] = i.training_cells;
  j["heldout_cells"] = i.heldout_cells;
  j["seed"] = i.seed;
  j["training_samples"] = i.training_samples;
  j["training_hash"] = i.training_hash;
  if (!i.model_hash.empty()) j["model_hash"] = i.model_hash;
  if (!i.direct_hash.empty()) j["direct_hash"] = i.direct_hash;
  j["heldout_samples"] = i.heldout_samples;
  j["heldout_mae_pct"] = i.heldout_mae_pct;
  j["heldout_analytic_pct"] = i.heldout_analytic_pct;
  j["drift_threshold_pct"] = i.drift_threshold_pct;
  j["feature_min"] = FloatsJson(i.feature_min);
  j["feature_max"] = FloatsJson(i.feature_max);
  j["resolution"] = i.resolution;
  j["blend_tolerance"] = i.blend_tolerance;
  j["speed_scale"] = i.speed_scale;
  j["travel_plans"] = i.travel_plans;
  j["weldcell_version"] = i.weldcell_version;
  j["created"] = i.created;
  try {
    return j.dump(1) + "\n";
  } catch (const nlohmann::json::exception& e) {
    // CheckText's precondition broken: still nothing written.
    throw InputError(
        {{.where = {.file = meta_file.string()},
          .message = std::string("cannot be written (nothing written): ") + e.what()}});
  }
}

// |bound| of any feature (s, m, rad, counts): far above any a station gives.
constexpr float kMaxFeatureBound = 1e6f;

// The largest log ratio ln((duration + kTargetOffset) / (t_max + kTargetOffset)) Predict turns
// into a duration: a move e^30 ≈ 10^13 times the straight one is no prediction (the labels of
// generated-v4 and -v5 reach 3.2 times), and exp stays finite.
constexpr double kMaxLogRatio = 30.0;

// The largest log ratio a duration model's trees may add up to (with its base score): ln 1000,
// a move a thousand times the straight one's time. The shipped models' trees add up to at most
// 3.1 (ratio 22); a model beyond is a file edited into nonsense (a base score of 1e30 priced
// every move at 10^13 s), refused when loaded.
constexpr double kMaxModelLogRatio = 6.907755;  // ln 1000

// The deepest nesting of lists and objects in an XGBoost model file (a tree's arrays are 7 deep
// in the files XGBoost 1.7 writes: the top object, learner, gradient_booster, model, trees, the
// tree, the array).
constexpr int kMaxBoosterDepth = 32;

// Features an XGBoost model file may say it has (ours have kNumFeatures; another schema's
// some more or fewer): XGBoost sizes each row's buffer by it.
constexpr std::int64_t kMaxJsonFeatures = 1000;

// What makes metadata unusable, each as "key: expected …, got …". A threshold, bound or count
// edited into nonsense would otherwise silence the drift warning or the training-range check;
// held-out figures that contradict each other mislead `models list`.
void CheckInfo(const ModelInfo& i, const SourceLocation& where, DiagnosticSink& sink) {
  auto error = [&](std::string key, std::string message) {
    sink.Error(where, std::move(key), std::move(message));
  };
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (i.booster != "gbtree" && i.booster != "gblinear") {
    error("booster", R"(expected "gbtree" or "gblinear", got )" + Quote(i.booster));
  }
  if (i.travel_plans < 1) {
    error("travel_plans",
          fmt::format("expected a number of plans, at least 1, got {}", i.travel_plans));
  }
  if (i.training_samples < 1 || i.heldout_samples < 0) {
    error("training_samples / heldout_samples",
          fmt::format("expected at least 1 / 0 moves, got {} / {}", i.training_samples,
                      i.heldout_samples));
  }
  for (auto [key, value] : {std::pair{"heldout_mae_pct", i.heldout_mae_pct},
                            std::pair{"heldout_analytic_pct", i.heldout_analytic_pct}}) {
    // -1: no station held out.
    if (!(value == -1 || (std::isfinite(value) && value >= 0))) {
      error(key, fmt::format("expected a percentage, at least 0 (-1: no station held out), got {}",
                             value));
    } else if (i.heldout_samples > 0 && value == -1) {
      error(key, fmt::format("expected a percentage, at least 0, for the {} held-out moves "
                             "(heldout_samples), got -1 (no station held out)",
                             i.heldout_samples));
    } else if (i.heldout_samples == 0 && value != -1) {
      error(key,
            fmt::format("expected -1 (no station held out: heldout_samples is 0), got {}", value));
    }
  }
  for (auto [key, value] :
       {std::pair{"drift_threshold_pct", i.drift_threshold_pct},
        std::pair{"resolution", i.resolution}, std::pair{"blend_tolerance", i.blend_tolerance},
        std::pair{"speed_scale", i.speed_scale}}) {
    if (!positive(value)) error(key, fmt::format("expected a number above 0, got {}", value));
  }
  if (i.feature_schema != kFeatureSchemaVersion) return;  // refused when chosen (Mismatch)
  if (i.feature_min.size() != kNumFeatures || i.feature_max.size() != kNumFeatures) {
    error("feature_min/feature_max",
          fmt::format("expected {} values each, got {} and {}", kNumFeatures, i.feature_min.size(),
                      i.feature_max.size()));
    return;
  }
  for (int k = 0; k < kNumFeatures; ++k) {
    const float lo = i.feature_min[k], hi = i.feature_max[k];
    // Finite with room to spare: the range check adds half the range to each bound.
    if (!(std::abs(lo) <= kMaxFeatureBound && std::abs(hi) <= kMaxFeatureBound && lo <= hi)) {
      error("feature_min/feature_max",
            fmt::format("{} (feature {}) from {} to {}: expected bounds within ±{:g}, the lower "
                        "one not above the upper",
                        kFeatureNames[k], k + 1, lo, hi, kMaxFeatureBound));
    }
  }
}

// A number as a message shows it: 2.7, 1e+10 (%g when that reads back the same, else the
// shortest text that does).
std::string NumberText(double x) {
  std::string g = fmt::format("{:g}", x);
  if (std::isfinite(x) && std::strtod(g.c_str(), nullptr) != x) g = fmt::format("{}", x);
  return g;
}

// What a JSON value is, for "got …": strings quoted, numbers as written, lists and objects
// named.
std::string Describe(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return Quote(v.get_ref<const std::string&>());
    case Json::value_t::number_unsigned:
      return std::to_string(v.get<std::uint64_t>());
    case Json::value_t::number_integer:
      return std::to_string(v.get<std::int64_t>());
    case Json::value_t::number_float:
      return NumberText(v.get<double>());
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::null:
      return "null";
    case Json::value_t::array:
      return fmt::format("a list of {} values", v.size());
    case Json::value_t::object:
      return "an object";
    default:
      return "something else";
  }
}

// Typed reads of metadata.json's keys: each problem is collected naming the key, what was
// expected and what was found ("travel_plans: expected a whole number from 1 to 2147483647, got
// "6""); a key left unread keeps the field's default.
class MetadataReader {
 public:
  MetadataReader(const Json& j, SourceLocation where, DiagnosticSink& sink)
      : j_(j), where_(std::move(where)), sink_(sink) {}

  void Error(const std::string& key, std::string message) {
    sink_.Error(where_, key, std::move(message));
  }

  // The value of `key`; null (and, when required, an error "missing") when it is absent.
  const Json* Find(const char* key, bool required) {
    known_.insert(key);
    const auto it = j_.find(key);
    if (it != j_.end()) return &*it;
    if (required) Error(key, "missing");
    return nullptr;
  }

  // Every key of the object not asked for (Find) so far, besides "format", is an error: a
  // misspelt key would otherwise be a default silently taken.
  void RejectUnknownKeys() {
    for (const auto& [key, value] : j_.items()) {
      if (key != "format" && !known_.contains(key)) {
        Error(key, "unknown key (a model of another weldcell version, or a misspelt key)");
      }
    }
  }

  void String(const char* key, std::string* out, bool required = true) {
    if (const Json* v = Find(key, required)) {
      if (v->is_string()) {
        *out = v->get<std::string>();
      } else {
        Error(key, "expected text, got " + Describe(*v));
      }
    }
  }

  void Bool(const char* key, bool* out, bool required) {
    if (const Json* v = Find(key, required)) {
      if (v->is_boolean()) {
        *out = v->get<bool>();
      } else {
        Error(key, "expected true or false, got " + Describe(*v));
      }
    }
  }

  void Number(const char* key, double* out) {
    if (const Json* v = Find(key, true)) {
      if (v->is_number() && std::isfinite(v->get<double>())) {
        *out = v->get<double>();
      } else {
        Error(key, "expected a number, got " + Describe(*v));
      }
    }
  }

  // A whole number from lo to hi: a JSON number that is integral (2 or 2.0, not 2.7) and in
  // range, never converted with a wrap or a cut. `noun` says what is counted when the value is
  // out of range.
  template <typename T>
  void Whole(const char* key, T lo, T hi, T* out, bool required,
             std::string_view noun = "a whole number") {
    const Json* v = Find(key, required);
    if (!v) return;
    const std::string range = fmt::format("a whole number from {} to {}", lo, hi);
    auto check = [&](auto x) {
      if (std::cmp_less(x, lo)) {
        Error(key, fmt::format("expected {}, at least {}, got {}", noun, lo, Describe(*v)));
      } else if (std::cmp_greater(x, hi)) {
        Error(key, fmt::format("expected {}, at most {}, got {}", noun, hi, Describe(*v)));
      } else {
        *out = static_cast<T>(x);
      }
    };
    if (v->is_number_unsigned()) {
      check(v->get<std::uint64_t>());
    } else if (v->is_number_integer()) {
      check(v->get<std::int64_t>());
    } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
               std::floor(v->get<double>()) == v->get<double>()) {
      // Compared as long double, which holds every 64-bit integer exactly.
      const long double x = v->get<double>();
      if (x < static_cast<long double>(lo)) {
        Error(key, fmt::format("expected {}, at least {}, got {}", noun, lo, Describe(*v)));
      } else if (x > static_cast<long double>(hi)) {
        Error(key, fmt::format("expected {}, at most {}, got {}", noun, hi, Describe(*v)));
      } else {
        *out = static_cast<T>(x);
      }
    } else {
      Error(key, "expected " + range + ", got " + Describe(*v));
    }
  }

  void Strings(const char* key, std::vector<std::string>* out) {
    const Json* v = Find(key, true);
    if (!v) return;
    if (!v->is_array()) {
      Error(key, "expected a list of text, got " + Describe(*v));
      return;
    }
    std::vector<std::string> list;
    bool ok = true;
    for (std::size_t k = 0; k < v->size(); ++k) {
      if ((*v)[k].is_string()) {
        list.push_back((*v)[k].get<std::string>());
      } else {
        Error(fmt::format("{}[{}]", key, k), "expected text, got " + Describe((*v)[k]));
        ok = false;
      }
    }
    if (ok) *out = std::move(list);
  }

  void Floats(const char* key, std::vector<float>* out) {
    const Json* v = Find(key, true);
    if (!v) return;
    if (!v->is_array()) {
      Error(key, "expected a list of numbers, got " + Describe(*v));
      return;
    }
    std::vector<float> list;
    bool ok = true;
    for (std::size_t k = 0; k < v->size(); ++k) {
      const Json& x = (*v)[k];
      if (x.is_number() && std::isfinite(x.get<double>())) {
        // Beyond float's range: ±inf, which CheckInfo refuses as a bound.
        list.push_back(static_cast<float>(x.get<double>()));
      } else {
        Error(fmt::format("{}[{}]", key, k), "expected a number, got " + Describe(x));
        ok = false;
      }
    }
    if (ok) *out = std::move(list);
  }

 private:
  const Json& j_;
  SourceLocation where_;
  DiagnosticSink& sink_;
  std::set<std::string, std::less<>> known_;  ///< The keys asked for.
};

// XGBoost writes its parameters as text ("num_trees": "5", "base_score": "5E-1") and its arrays
// as numbers: a T (std::int64_t: a whole number; double) given either way, else none.
template <typename T>
std::optional<T> ValueIn(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (std::is_integral_v<T> ? it->is_number_integer() : it->is_number()) return it->get<T>();
  if (!it->is_string()) return std::nullopt;
  const auto& text = it->get_ref<const std::string&>();
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}
std::optional<std::int64_t> WholeIn(const Json& object, const char* key) {
  return ValueIn<std::int64_t>(object, key);
}
std::optional<double> NumberIn(const Json& object, const char* key) {
  return ValueIn<double>(object, key);
}

// The object at `key` of `object`, or null when there is none.
const Json* ObjectIn(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

// The text at `key` of `object` ("" when it is not text).
std::string TextIn(const Json* object, const char* key) {
  if (!object) return {};
  const auto it = object->find(key);
  return it != object->end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The number of features XGBoost's JSON model `j` takes (learner.learner_model_param.
// num_feature), if it says one.
std::optional<std::int64_t> FeatureCount(const Json& j) {
  const Json* learner = j.is_object() ? ObjectIn(j, "learner") : nullptr;
  const Json* shape = learner ? ObjectIn(*learner, "learner_model_param") : nullptr;
  return shape ? WholeIn(*shape, "num_feature") : std::nullopt;
}

// Why the tree `tree` (one of XGBoost's JSON trees, at `index` of the list) cannot be walked for
// rows of `features` features: "" when its id is its index and from its root every node reached is
// a leaf with a finite value or a numerical split of a feature below `features` at a finite
// threshold, whose two children are nodes of the tree not reached before (so that the walk ends).
std::string TreeProblem(const Json& tree, std::size_t index, std::int64_t features) {
  // XGBoost 1.7 places a tree by its id: two of one id crashed its prediction.
  if (const std::optional<std::int64_t> id = WholeIn(tree, "id");
      !id || *id != static_cast<std::int64_t>(index)) {
    return fmt::format("id: expected {} (the tree's place in the list)", index);
  }
  const Json* param = ObjectIn(tree, "tree_param");
  const std::optional<std::int64_t> nodes = param ? WholeIn(*param, "num_nodes") : std::nullopt;
  if (!nodes || *nodes < 1) return "tree_param.num_nodes: expected a number of nodes, at least 1";
  const auto n = static_cast<std::size_t>(*nodes);
  for (const char* key :
       {"left_children", "right_children", "split_indices", "split_conditions", "split_type"}) {
    const auto it = tree.find(key);
    if (it == tree.end() || !it->is_array() || it->size() != n) {
      return fmt::format("{}: expected a list of {} values (num_nodes)", key, n);
    }
  }
  const Json& left = tree["left_children"];
  const Json& right = tree["right_children"];
  std::vector<bool> reached(n, false);
  std::vector<std::size_t> open{0};
  reached[0] = true;
  while (!open.empty()) {
    const std::size_t i = open.back();
    open.pop_back();
    const Json& value = tree["split_conditions"][i];
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      return fmt::format("split_conditions[{}]: expected a finite number, got {}", i,
                         Describe(value));
    }
    if (left[i] == -1) continue;  // a leaf (XGBoost's test); split_conditions holds its value
    const Json& feature = tree["split_indices"][i];
    if (!feature.is_number_integer() || feature.get<std::int64_t>() < 0 ||
        feature.get<std::int64_t>() >= features) {
      return fmt::format("split_indices[{}]: expected a feature from 0 to {}, got {}", i,
                         features - 1, Describe(feature));
    }
    if (tree["split_type"][i] != 0) {
      return fmt::format("split_type[{}]: expected 0 (a numerical split), got {}", i,
                         Describe(tree["split_type"][i]));
    }
    for (const Json* children : {&left, &right}) {
      const Json& child = (*children)[i];
      const char* key = children == &left ? "left_children" : "right_children";
      if (!child.is_number_integer() || child.get<std::int64_t>() < 0 ||
          child.get<std::int64_t>() >= *nodes) {
        return fmt::format("{}[{}]: expected a node from 0 to {}, got {}", key, i, n - 1,
                           Describe(child));
      }
      const auto c = child.get<std::size_t>();
      if (reached[c]) {
        return fmt::format("{}[{}]: node {} is reached twice (a tree must not loop)", key, i, c);
      }
      reached[c] = true;
      open.push_back(c);
    }
  }
  return {};
}

// Why the trees' outputs (walked by TreeProblem) and the base score of a model with
// `objective` are no travel model's: a base score that is no finite number (a probability for
// the classifier), or a duration model whose largest output (the base score and every tree's
// largest leaf) or smallest lies beyond ±kMaxModelLogRatio. "" when they are one's.
std::string OutputRangeProblem(const Json& shape, const Json& trees, std::string_view objective) {
  const std::optional<double> base = NumberIn(shape, "base_score");
  const bool classifier = objective == "binary:logistic";
  if (!base || !std::isfinite(*base) || (classifier && (*base <= 0.0 || *base >= 1.0))) {
    return classifier ? "learner.learner_model_param.base_score: expected a probability between "
                        "0 and 1"
                      : "learner.learner_model_param.base_score: expected a finite number";
  }
  if (classifier) return {};
  double largest = *base, smallest = *base;
  for (const Json& tree : trees) {
    double most = -std::numeric_limits<double>::infinity();
    double least = std::numeric_limits<double>::infinity();
    const Json& left = tree["left_children"];
    for (std::size_t i = 0; i < left.size(); ++i) {
      const Json& value = tree["split_conditions"][i];
      if (left[i] != -1 || !value.is_number()) continue;
      most = std::max(most, value.get<double>());
      least = std::min(least, value.get<double>());
    }
    largest += most;
    smallest += least;
  }
  // Far below: every prediction would be clamped to the straight move (a base score of -1e30
  // made the model the analytic estimate under its name).
  if (!(smallest >= -kMaxModelLogRatio)) {
    return fmt::format(
        "learner: the base score and the trees' smallest leaves add up to a log ratio of {:.4g}: "
        "a move e^{:.4g} times the straight move's time (a travel model's stay above a "
        "thousandth; the shipped ones above a tenth)",
        smallest, smallest);
  }
  if (!(largest <= kMaxModelLogRatio)) {
    return fmt::format(
        "learner: the base score and the trees' largest leaves add up to a log ratio of {:.4g}: "
        "a move up to e^{:.4g} times the straight move's time (a travel model's stay within "
        "{:.0f} times; the shipped ones within 22)",
        largest, largest, std::exp(kMaxModelLogRatio));
  }
  return {};
}

// Why `j`, XGBoost's JSON model, is not a booster of `booster` ("gbtree" or "gblinear", as
// metadata.json says) and `objective` that predicts one finite value per move: "" when it is
// one, else "key.path: problem". XGBoost 1.7 checks the lengths of a tree's arrays when it loads
// a model, not where they point: its prediction then read past them (a child, a split feature
// or a tree's output group out of range, num_trees other than the trees given, linear weights
// too few), looped forever (a child pointing back up the tree) or aborted.
std::string BoosterProblem(const Json& j, std::string_view booster, std::string_view objective) {
  const Json* learner = j.is_object() ? ObjectIn(j, "learner") : nullptr;
  if (!learner) return "learner: expected an object";
  const Json* shape = ObjectIn(*learner, "learner_model_param");
  if (!shape) return "learner.learner_model_param: expected an object";
  const std::optional<std::int64_t> classes = WholeIn(*shape, "num_class");
  if (!classes || (*classes != 0 && *classes != 1)) {
    return "learner.learner_model_param.num_class: expected 0 or 1 (one output per move)";
  }
  const std::optional<std::int64_t> features = FeatureCount(j);
  if (!features || *features < 1 || *features > kMaxJsonFeatures) {
    return fmt::format(
        "learner.learner_model_param.num_feature: expected a number of features from 1 to {}",
        kMaxJsonFeatures);
  }
  if (const std::string name = TextIn(ObjectIn(*learner, "objective"), "name"); name != objective) {
    return fmt::format("learner.objective.name: expected \"{}\", got {}", objective, Quote(name));
  }
  const Json* gradient_booster = ObjectIn(*learner, "gradient_booster");
  if (!gradient_booster) return "learner.gradient_booster: expected an object";
  if (const std::string name = TextIn(gradient_booster, "name"); name != booster) {
    return fmt::format(
        "learner.gradient_booster.name: expected \"{}\" (metadata.json's booster), "
        "got {}",
        booster, Quote(name));
  }
  const Json* model = ObjectIn(*gradient_booster, "model");
  if (!model) return "learner.gradient_booster.model: expected an object";
  if (booster == "gblinear") {
    const auto weights = model->find("weights");
    const auto expected = static_cast<std::size_t>(*features + 1);  // one per feature + bias
    if (weights == model->end() || !weights->is_array() || weights->size() != expected) {
      return fmt::format("learner.gradient_booster.model.weights: expected {} numbers", expected);
    }
    for (std::size_t k = 0; k < expected; ++k) {
      if (!(*weights)[k].is_number() || !std::isfinite((*weights)[k].get<double>())) {
        return fmt::format("learner.gradient_booster.model.weights[{}]: expected a finite number",
                           k);
      }
    }
    return {};
  }
  const Json* param = ObjectIn(*model, "gbtree_model_param");
  const std::optional<std::int64_t> count = param ? WholeIn(*param, "num_trees") : std::nullopt;
  const auto trees = model->find("trees");
  const auto groups = model->find("tree_info");
  if (trees == model->end() || !trees->is_array() || !count ||
      *count != static_cast<std::int64_t>(trees->size())) {
    return "learner.gradient_booster.model.trees: expected as many trees as "
           "gbtree_model_param.num_trees says";
  }
  if (trees->empty()) {
    return "learner.gradient_booster.model.gbtree_model_param.num_trees: expected at least one "
           "tree (a model of none predicts one constant)";
  }
  if (groups == model->end() || !groups->is_array() || groups->size() != trees->size() ||
      std::any_of(groups->begin(), groups->end(), [](const Json& g) { return g != 0; })) {
    return "learner.gradient_booster.model.tree_info: expected a 0 (the one output) per tree";
  }
  for (std::size_t t = 0; t < trees->size(); ++t) {
    const Json& tree = (*trees)[t];
    const std::string problem =
        tree.is_object() ? TreeProblem(tree, t, *features) : std::string("expected an object");
    if (!problem.empty()) {
      return fmt::format("learner.gradient_booster.model.trees[{}].{}", t, problem);
    }
  }
  return OutputRangeProblem(*shape, *trees, objective);
}

}  // namespace

Model::Model() : impl_(std::make_unique<Impl>()) {}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

Model Model::Train(const std::vector<Features>& x, const std::vector<double>& duration,
                   const TrainOptions& options, ModelInfo info, const std::vector<bool>& direct) {
  WELDCELL_CHECK(x.size() == duration.size() && !x.empty());
  WELDCELL_CHECK(direct.empty() || direct.size() == x.size());
  info.feature_min.assign(kNumFeatures, std::numeric_limits<float>::infinity());
  info.feature_max.assign(kNumFeatures, -std::numeric_limits<float>::infinity());
  for (const Features& f : x) {
    for (int k = 0; k < kNumFeatures; ++k) {
      if (std::isfinite(f[k])) {
        info.feature_min[k] = std::min(info.feature_min[k], f[k]);
        info.feature_max[k] = std::max(info.feature_max[k], f[k]);
      }
    }
  }
  for (int k = 0; k < kNumFeatures; ++k) {
    if (!std::isfinite(info.feature_min[k])) info.feature_min[k] = info.feature_max[k] = 0;
  }
  info.training_samples = static_cast<std::int64_t>(x.size());
  info.training_hash = FeatureHash(x, duration);
  info.booster = options.booster == Booster::kTrees ? "gbtree" : "gblinear";
  info.seed = options.seed;
  // With the direct labels (and enough of both kinds): the classifier on every move, the
  // duration model on the planned ones only; a direct move takes exactly t_max.
  const std::size_t planned =
      static_cast<std::size_t>(std::count(direct.begin(), direct.end(), false));
  info.direct_classifier = !direct.empty() && planned >= 10 && x.size() - planned >= 10;
  std::vector<float> data, label, all, is_direct;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (info.direct_classifier) {
      all.insert(all.end(), x[i].begin(), x[i].end());
      is_direct.push_back(direct[i] ? 1.0f : 0.0f);
      if (direct[i]) continue;
    }
    data.insert(data.end(), x[i].begin(), x[i].end());
    label.push_back(static_cast<float>(
        std::log((duration[i] + kTargetOffset) / (x[i][kFeatureTMax] + kTargetOffset))));
  }
  Model model;
  model.info_ = std::move(info);
  const std::int64_t rounds = options.rounds;
  const std::int64_t total = model.info_.direct_classifier ? 2 * rounds : rounds;
  model.impl_->booster = TrainBooster(data, label, "reg:squarederror", options, 0, total);
  if (model.info_.direct_classifier) {
    model.impl_->direct = TrainBooster(all, is_direct, "binary:logistic", options, rounds, total);
  }
  return model;
}

std::vector<double> Model::Predict(const std::vector<Features>& x, int threads) const {
  std::vector<double> out(x.size());
  if (x.empty()) return out;
  std::vector<float> data(x.size() * kNumFeatures);
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::copy(x[i].begin(), x[i].end(),
              data.begin() + static_cast<std::ptrdiff_t>(i) * kNumFeatures);
  }
  const std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::vector<float> r = PredictBooster(impl_->booster, data, x.size(), threads);
  std::vector<float> p;
  if (impl_->direct) p = PredictBooster(impl_->direct, data, x.size(), threads);
  for (std::size_t i = 0; i < x.size(); ++i) {
    // No planned move is faster than the straight time-optimal one (within 0.2 % in every
    // training move of generated-v4 and -v5): the trees' lower predictions are clamped to it.
    // A log ratio above kMaxLogRatio is a model whose (finite, BoosterProblem) leaves add up to
    // nonsense: clamped, so that every price stays finite.
    const double t_max = std::max(0.0, static_cast<double>(x[i][kFeatureTMax]));
    const double log_ratio = std::min(static_cast<double>(r[i]), kMaxLogRatio);
    const double planned =
        std::max(t_max, (t_max + kTargetOffset) * std::exp(log_ratio) - kTargetOffset);
    // The expected duration: a direct move takes t_max exactly.
    out[i] = p.empty() ? planned : p[i] * t_max + (1.0 - p[i]) * planned;
  }
  return out;
}

void Model::Save(const std::filesystem::path& folder, std::vector<FileToWrite> with) const {
  // Every file is serialized (and the metadata checked) before the first is written: an
  // exception here leaves the folder as it was, never new trees beside another model's
  // metadata.json. metadata.json is renamed into place last.
  const std::filesystem::path meta_file = folder / "metadata.json";
  DiagnosticSink sink;
  // What Load would refuse is not written: Save's output always loads.
  CheckText(info_, {.file = meta_file.string()}, sink);
  CheckInfo(info_, {.file = meta_file.string()}, sink);
  if (sink.has_errors()) {
    std::vector<Diagnostic> errors = sink.diagnostics();
    for (Diagnostic& d : errors) d.message += " (nothing written)";
    throw InputError(std::move(errors));
  }
  std::vector<FileToWrite> files = std::move(with);
  // The metadata records the hash of each booster file it is saved with (Load checks them).
  ModelInfo info = info_;
  files.push_back({.path = folder / "model.json", .contents = BoosterText(impl_->booster)});
  info.model_hash = TextHash(files.back().contents);
  info.direct_hash.clear();
  if (impl_->direct) {
    files.push_back({.path = folder / "direct.json", .contents = BoosterText(impl_->direct)});
    info.direct_hash = TextHash(files.back().contents);
  }
  files.push_back({.path = meta_file, .contents = MetadataText(info, meta_file)});
  WriteFilesTogether(files);
  if (!impl_->direct) {
    // No classifier of an earlier model left beside this one (Load would ignore it; a reader
    // of the folder would not). Removed after the new metadata is in place, which says there
    // is none.
    std::error_code ignored;
    std::filesystem::remove(folder / "direct.json", ignored);
  }
}

namespace {

// metadata.json's text (at `where`) → its JSON object, of the model format; problems of the
// whole file (not JSON, a key twice, not a model's metadata) say "malformed model metadata".
Json ParseMetadata(const std::string& text, const SourceLocation& where) {
  auto malformed = [&](const std::string& message) {
    return InputError({{.where = where, .message = "malformed model metadata: " + message}});
  };
  Json j;
  std::string twice;
  try {
    j = Json::parse(text, KeyTwiceNoter(&twice));
  } catch (const nlohmann::json::exception& e) {
    throw malformed("not JSON (" + JsonErrorText(e) + ")");
  }
  if (!twice.empty()) {
    throw malformed(
        fmt::format("{}: the key appears twice in one object (which value is meant "
                    "cannot be told)",
                    Printable(twice)));
  }
  if (!j.is_object()) throw malformed("expected a JSON object, got " + Describe(j));
  constexpr std::string_view kFormat = "weldcell-travel-model/1";
  if (const auto f = j.find("format");
      f == j.end() || !f->is_string() || f->get<std::string>() != kFormat) {
    throw malformed(fmt::format("format: expected \"{}\", got {}", kFormat,
                                f == j.end() ? std::string("no format") : Describe(*f)));
  }
  return j;
}

// The metadata's `features` → "" when they are this schema's names in order, else what is
// wrong with them: the first name out of place, or how many are missing or too many.
std::string FeatureNamesProblem(const std::vector<std::string>& features) {
  if (std::equal(features.begin(), features.end(), kFeatureNames.begin(), kFeatureNames.end())) {
    return "";
  }
  const std::size_t n = kFeatureNames.size();
  std::size_t k = 0;
  while (k < features.size() && k < n && features[k] == kFeatureNames[k]) ++k;
  const std::string found =
      k < features.size() && k < n ? fmt::format("{} as name {} (\"{}\" expected)",
                                                 Quote(features[k]), k + 1, kFeatureNames[k])
      : features.size() < n
          ? fmt::format("{} names (\"{}\" missing)", features.size(), kFeatureNames[k])
          : fmt::format("{} names ({} too many)", features.size(), Quote(features[n]));
  return fmt::format("expected the {} feature names of schema {} in order, got {}", n,
                     kFeatureSchemaVersion, found);
}

// The metadata's JSON object `j` (at `where`) → the model's info `i`, every key read and
// checked (CheckInfo); the problems into `sink`.
void ReadModelInfo(const Json& j, const SourceLocation& where, DiagnosticSink& sink, ModelInfo& i) {
  MetadataReader r(j, where, sink);
  constexpr int kMaxInt = std::numeric_limits<int>::max();
  r.String("name", &i.name);
  r.String("robot_model", &i.robot_model);
  r.String("robot_hash", &i.robot_hash);
  r.String("tool", &i.tool);
  r.String("tool_hash", &i.tool_hash);
  r.Whole("feature_schema", 1, kMaxInt, &i.feature_schema, true, "a feature schema version");
  std::vector<std::string> features;
  r.Strings("features", &features);
  r.String("booster", &i.booster);
  r.Bool("direct_classifier", &i.direct_classifier, false);  // absent before 2026-11
  r.Strings("training_cells", &i.training_cells);
  r.Strings("heldout_cells", &i.heldout_cells);
  // A seed of -1 would read as 2^64 - 1.
  r.Whole("seed", std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), &i.seed, true);
  constexpr std::int64_t kMaxCount = std::numeric_limits<std::int64_t>::max();
  r.Whole("training_samples", std::int64_t{0}, kMaxCount, &i.training_samples, true,
          "a number of moves");
  r.String("training_hash", &i.training_hash);
  r.String("model_hash", &i.model_hash, false);  // absent before 2026-12-07
  r.String("direct_hash", &i.direct_hash, false);
  r.Whole("heldout_samples", std::int64_t{0}, kMaxCount, &i.heldout_samples, true,
          "a number of moves");
  r.Number("heldout_mae_pct", &i.heldout_mae_pct);
  r.Number("heldout_analytic_pct", &i.heldout_analytic_pct);
  r.Number("drift_threshold_pct", &i.drift_threshold_pct);
  r.Floats("feature_min", &i.feature_min);
  r.Floats("feature_max", &i.feature_max);
  r.Number("resolution", &i.resolution);
  r.Number("blend_tolerance", &i.blend_tolerance);
  r.Number("speed_scale", &i.speed_scale);
  // Absent before the labels' planner was recorded: kUnrecordedTravelPlans.
  r.Whole("travel_plans", 1, kMaxInt, &i.travel_plans, false, "a number of plans");
  r.String("weldcell_version", &i.weldcell_version);
  r.String("created", &i.created);
  r.RejectUnknownKeys();
  if (sink.has_errors()) return;
  // The columns the trees were fitted on, in order: this schema's (another schema is refused
  // when chosen, Mismatch).
  if (i.feature_schema == kFeatureSchemaVersion) {
    if (const std::string problem = FeatureNamesProblem(features); !problem.empty()) {
      r.Error("features", problem);
    }
  }
  CheckInfo(i, where, sink);
}

// A booster file of the model's folder (`objective` its XGBoost objective) → loaded into
// `handle`. The file is XGBoost's JSON (as Save writes it: the binary and UBJSON forms XGBoost
// also reads are refused, their trees could not be checked), checked by BoosterProblem before
// XGBoost reads it, then asked for one prediction: every problem names the file.
void LoadBooster(const std::filesystem::path& folder, const char* file, std::string_view objective,
                 const ModelInfo& i, BoosterHandle* handle) {
  const std::string text = ReadText(folder / file, "model's XGBoost trees");
  auto bad = [&](const std::string& message) {
    return InputError({{.where = {.file = (folder / file).string()},
                        .message = "not an XGBoost model: " + message}});
  };
  Json trees;
  std::string twice;
  int depth = 0;
  try {
    trees = Json::parse(text, KeyTwiceNoter(&twice, &depth));
  } catch (const nlohmann::json::exception& e) {
    throw bad("not JSON (" + JsonErrorText(e) + ")");
  }
  // XGBoost's reader recurses once per level: 200,000 nested lists overflowed the stack.
  if (depth > kMaxBoosterDepth) {
    throw bad(fmt::format("lists and objects nested {} deep, expected at most {}", depth,
                          kMaxBoosterDepth));
  }
  // XGBoost keeps the last of a key given twice (an edited base_score changed every prediction).
  if (!twice.empty()) {
    throw bad("the key " + Printable(twice) +
              " appears twice in one object (which value is meant cannot be told)");
  }
  // Trees of other features than the metadata's schema has failed at the first prediction
  // (XGBoost: "Number of columns does not match"); another schema is refused when chosen.
  const bool ours = i.feature_schema == kFeatureSchemaVersion;
  if (const std::optional<std::int64_t> features = FeatureCount(trees);
      ours && features && *features != kNumFeatures) {
    throw InputError(
        {{.where = {.file = (folder / file).string()},
          .message = "a model of " + std::to_string(*features) +
                     " features, where feature schema " + std::to_string(i.feature_schema) +
                     " (metadata.json) has " + std::to_string(kNumFeatures) +
                     ": not the model its metadata describes"}});
  }
  if (const std::string problem = BoosterProblem(trees, i.booster, objective); !problem.empty()) {
    throw bad(problem);
  }
  // A booster file of another model (copied in by hand) beside this metadata would be used as
  // this model, for its robot and gun (checked after what is wrong with the file itself).
  const std::string& recorded =
      std::string_view(file) == "model.json" ? i.model_hash : i.direct_hash;
  if (const std::string hash = TextHash(text); !recorded.empty() && hash != recorded) {
    throw InputError(
        {{.where = {.file = (folder / file).string()},
          .message = fmt::format(
              "not the file this model's metadata.json was saved with (its "
              "hash is {}, metadata.json's {} {}): a file of another model "
              "copied in? Train the model again, or restore its file",
              hash, std::string_view(file) == "model.json" ? "model_hash" : "direct_hash",
              recorded)}});
  }
  Xgb(XGBoosterCreate(nullptr, 0, handle), "create");
  if (XGBoosterLoadModelFromBuffer(*handle, text.data(), text.size()) != 0) {
    throw bad("XGBoost could not read it (" + XgboostGist(XGBGetLastError()) + ")");
  }
  if (!ours) return;
  std::string error;
  (void)TryPredict(*handle, std::vector<float>(kNumFeatures, 0.0f), 1, 1, &error);
  if (!error.empty()) throw bad("XGBoost cannot predict with it (" + XgboostGist(error) + ")");
}

}  // namespace

Model Model::Load(const std::filesystem::path& folder) {
  const std::filesystem::path meta_file = folder / "metadata.json";
  const std::string text = ReadText(meta_file, "model's metadata");
  Model model;
  ModelInfo& i = model.info_;
  const SourceLocation where{.file = meta_file.string()};
  const Json j = ParseMetadata(text, where);
  DiagnosticSink sink;
  ReadModelInfo(j, where, sink, i);
  sink.ThrowIfErrors();
  LoadBooster(folder, "model.json", "reg:squarederror", i, &model.impl_->booster);
  if (i.direct_classifier) {
    LoadBooster(folder, "direct.json", "binary:logistic", i, &model.impl_->direct);
  }
  return model;
}

std::string RobotHash(const cell::Robot& robot) {
  const kinematics::Chain chain(*robot.model);
  Fnv f;
  f.Number(chain.dof());
  for (const std::string& n : chain.joint_names()) f.Text(n);
  for (int i = 0; i < chain.dof(); ++i) {
    f.Number(static_cast<int>(chain.joint_type(i)));
    f.Number(chain.lower()[i]);
    f.Number(chain.upper()[i]);
    f.Number(chain.velocity_limits()[i]);
    f.Number(chain.acceleration_limits()[i]);
  }
  // The link offsets through FK at a few fixed configurations.
  for (double v : {0.0, 0.3, -0.7}) {
    Eigen::VectorXd q = Eigen::VectorXd::Constant(chain.dof(), v);
    for (int k = 0; k < chain.dof(); ++k) q[k] = v * (1.0 + 0.1 * k);
    f.Pose(chain.FlangePose(q));
  }
  return f.Hex();
}

std::string ToolHash(const cell::Tool& tool) {
  Fnv f;
  f.Pose(tool.X_FT);
  f.Number(tool.approach_distance);
  f.Number(static_cast<double>(tool.collision.size()));
  for (const cell::Geometry& g : tool.collision) {
    f.Number(static_cast<int>(g.shape.kind));
    f.Number(g.shape.box_size.x());
    f.Number(g.shape.box_size.y());
    f.Number(g.shape.box_size.z());
    f.Number(g.shape.radius);
    f.Number(g.shape.length);
    f.Number(static_cast<double>(g.shape.triangle_count()));
    f.Pose(g.X_FG);
  }
  return f.Hex();
}

std::string Mismatch(const ModelInfo& info, const cell::Robot& robot) {
  if (info.feature_schema != kFeatureSchemaVersion) {
    return "feature schema " + std::to_string(info.feature_schema) + " is not this weldcell's " +
           std::to_string(kFeatureSchemaVersion) + " (retrain it)";
  }
  if (info.robot_hash != RobotHash(robot)) {
    return "trained for robot model " + info.robot_model + " (" + info.robot_hash + "), not " +
           robot.model->name + " (" + RobotHash(robot) + ")";
  }
  if (info.tool_hash != ToolHash(robot.tool)) {
    return "trained for tool " + info.tool + " (" + info.tool_hash + "), not " + robot.tool.name +
           " (" + ToolHash(robot.tool) + ")";
  }
  if (robot.model->dof() > kMaxJoints) {
    return "the robot has more than " + std::to_string(kMaxJoints) + " joints";
  }
  return {};
}

double OutOfRangeFraction(const ModelInfo& info, const std::vector<Features>& x,
                          std::string* worst) {
  if (x.empty() || info.feature_min.size() != kNumFeatures) return 0.0;
  std::vector<std::int64_t> per_feature(kNumFeatures, 0);
  std::int64_t rows = 0;
  for (const Features& f : x) {
    bool out = false;
    for (int k = 0; k < kNumFeatures; ++k) {
      if (!std::isfinite(f[k])) continue;
      const double lo = info.feature_min[k], hi = info.feature_max[k];
      const double slack = 0.5 * std::max(hi - lo, 1e-3);
      if (f[k] < lo - slack || f[k] > hi + slack) {
        ++per_feature[k];
        out = true;
      }
    }
    rows += out;
  }
  if (worst) {
    const auto it = std::max_element(per_feature.begin(), per_feature.end());
    *worst = *it > 0 ? std::string(kFeatureNames[it - per_feature.begin()]) : std::string();
  }
  return static_cast<double>(rows) / static_cast<double>(x.size());
}

double MaePercent(const std::vector<double>& predicted, const std::vector<double>& truth) {
  double err = 0.0, sum = 0.0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    err += std::abs(predicted[i] - truth[i]);
    sum += truth[i];
  }
  return sum > 0 ? 100.0 * err / sum : 0.0;
}

double BiasPercent(const std::vector<double>& predicted, const std::vector<double>& truth) {
  double err = 0.0, sum = 0.0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    err += predicted[i] - truth[i];
    sum += truth[i];
  }
  return sum > 0 ? 100.0 * err / sum : 0.0;
}

namespace {

// metadata.json far above the few kB Save writes is someone else's (not read whole).
constexpr std::uintmax_t kMaxMetadataBytes = 1 << 20;

// What a folder's metadata.json says it is.
enum class MetadataKind { kNone, kOurs, kNotJson, kFormatNotText, kOther };

MetadataKind KindOf(const std::filesystem::path& folder) {
  const std::filesystem::path file = folder / "metadata.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return MetadataKind::kNone;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxMetadataBytes) return MetadataKind::kOther;
  std::ifstream in(file, std::ios::binary);
  if (!in) return MetadataKind::kNotJson;  // ours or not, it cannot be told: see FindModels
  const Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return MetadataKind::kNotJson;
  if (!j.is_object()) return MetadataKind::kOther;
  const auto format = j.find("format");
  if (format == j.end()) return MetadataKind::kOther;
  if (!format->is_string()) return MetadataKind::kFormatNotText;
  return format->get<std::string>().starts_with("weldcell-travel-model/") ? MetadataKind::kOurs
                                                                          : MetadataKind::kOther;
}

}  // namespace

bool IsModelFolder(const std::filesystem::path& folder) {
  return KindOf(folder) == MetadataKind::kOurs;
}

std::vector<std::filesystem::path> FindModels(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return out;
  auto take = [&](const std::filesystem::path& folder) {
    switch (KindOf(folder)) {
      case MetadataKind::kOurs:
        return true;
      case MetadataKind::kNotJson:
      case MetadataKind::kFormatNotText: {
        // A metadata.json that is no JSON, or whose format is not text, beside a model.json:
        // most likely a model of ours broken by an edit, shown (unreadable) rather than hidden.
        std::error_code e;
        return std::filesystem::is_regular_file(folder / "model.json", e);
      }
      default:
        return false;
    }
  };
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    // A metadata.json that is no regular file (a folder, a FIFO, a device) beside a model.json
    // is shown unreadable (Load says why) rather than skipped without a word; it is never
    // opened here.
    std::error_code e;
    if (it->path().filename() == "metadata.json" &&
        (it->is_regular_file(e)
             ? take(it->path().parent_path())
             : std::filesystem::is_regular_file(it->path().parent_path() / "model.json", e))) {
      out.push_back(it->path().parent_path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool ModelChoice::any() const {
  return std::any_of(models.begin(), models.end(), [](const auto& m) { return !m.empty(); });
}

namespace {

// The models under `root` that could be read, and an error per folder that could not.
struct FoundModels {
  std::vector<std::shared_ptr<const Model>> loaded;
  std::vector<std::string> errors;
};

FoundModels LoadModels(const std::filesystem::path& root) {
  FoundModels out;
  for (const std::filesystem::path& folder : FindModels(root)) {
    try {
      out.loaded.push_back(std::make_shared<const Model>(Model::Load(folder)));
    } catch (const InputError& e) {
      out.errors.emplace_back(e.what());
    } catch (const std::exception& e) {
      out.errors.push_back(folder.string() + ": " + e.what());
    }
  }
  return out;
}

// Why no model found applies to `robot`, naming the fallback.
std::string FallbackReason(const cell::Robot& robot, const std::filesystem::path& root,
                           const FoundModels& found) {
  std::string reasons;
  auto add = [&reasons](const std::string& reason) {
    reasons += (reasons.empty() ? "" : "; ") + reason;
  };
  for (const auto& m : found.loaded) add(m->info().name + ": " + Mismatch(m->info(), robot));
  for (const std::string& e : found.errors) add(e);
  std::string why = "no travel model in " + root.string();
  if (reasons.empty()) {
    std::error_code ec;  // (a folder that cannot be looked at is "no such folder" too)
    if (!std::filesystem::is_directory(root, ec)) why += " (there is no such folder)";
  } else {
    why += (found.loaded.empty() ? " could be read (" : " applies (") + reasons + ")";
  }
  return robot.name + " (" + robot.model->name + ", " + robot.tool.name + "): " + why +
         "; using the analytic estimate";
}

}  // namespace

ModelChoice ChooseModels(const cell::Cell& cell, const std::filesystem::path& root) {
  ModelChoice out;
  out.models.resize(cell.robots.size());
  out.fallbacks.resize(cell.robots.size());
  const FoundModels found = LoadModels(root);
  for (std::size_t r = 0; r < cell.robots.size(); ++r) {
    // Those that apply, the ones whose labels were timed at the station's speed scale before
    // the others (one of another scale is refused when pricing, saying so).
    std::vector<std::shared_ptr<const Model>> other_scale;
    for (const auto& m : found.loaded) {
      if (!Mismatch(m->info(), cell.robots[r]).empty()) continue;
      const bool same_scale = TimedAtSpeedScale(m->info(), cell.settings.motion.speed_scale);
      (same_scale ? out.models[r] : other_scale).push_back(m);
    }
    out.models[r].insert(out.models[r].end(), other_scale.begin(), other_scale.end());
    if (!out.models[r].empty()) continue;
    out.fallbacks[r] = FallbackReason(cell.robots[r], root, found);
    out.messages.push_back(out.fallbacks[r]);
  }
  if (out.messages.empty()) {
    for (const std::string& e : found.errors) out.messages.push_back("travel model skipped: " + e);
  }
  return out;
}

}  // namespace weldcell::learned
