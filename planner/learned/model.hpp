#pragma once
// The learned travel-time model: XGBoost gradient-boosted trees (through its C API) that predict
// the duration the motion planner + time parameterization give a travel move, from the features
// of planner/learned/features.hpp; and its files: the booster (model.json, XGBoost's JSON) beside
// metadata.json (what it is for, how it was trained, how good it was on held-out stations).
//
// A second booster may classify whether the straight move is free (a direct move takes exactly
// the analytic time); the prediction is then the expected duration.
//
// Target: the model learns r = ln((duration + kTargetOffset) / (t_max + kTargetOffset)), the
// log ratio of the planned time to the analytic estimate, so that its error is relative and a
// move the analytic estimate gets right needs no correction.
//
// Determinism: training is deterministic for a seed at any thread count (tree_method "exact",
// which parallelises over features and reduces in a fixed order; tested at 1 vs 2 threads).
// Prediction is per row, deterministic.
//
// Thread safety: a Model is immutable after training/loading; Predict() may be called from
// several threads (XGBoost's prediction is thread-safe for a const booster).

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/progress.hpp"
#include "planner/learned/features.hpp"

namespace weldcell::learned {

inline constexpr double kTargetOffset = 0.05;  ///< s

/// The booster kind: trees (the model) or XGBoost's linear booster (the measured comparison).
enum class Booster { kTrees, kLinear };

/// Stage name Model::Train reports.
inline constexpr std::string_view kTrainStage = "train";

struct TrainOptions {
  Booster booster = Booster::kTrees;
  int rounds = 300;   ///< Boosting rounds.
  int max_depth = 6;  ///< Trees only.
  double eta = 0.1;   ///< Learning rate.
  std::uint64_t seed = 1;
  int threads = 0;  ///< 0 = one per hardware thread. The model does not depend on it.
  /// Reports kTrainStage (boosting rounds done, rounds of every booster Train fits) and is
  /// polled between rounds.
  Progress progress;
};

/// Data files and models from before the label's planner was recorded (2026-12-01) labelled
/// each move with the fastest of this many plans.
inline constexpr int kUnrecordedTravelPlans = 3;

/// What a model is for and how it was made (metadata.json).
struct ModelInfo {
  std::string name;
  std::string robot_model;  ///< RobotModel::name, for people.
  std::string robot_hash;   ///< RobotHash(): kinematics and limits.
  std::string tool;         ///< Tool::name, for people.
  std::string tool_hash;    ///< ToolHash().
  int feature_schema = kFeatureSchemaVersion;
  std::string booster = "gbtree";
  /// A classifier of direct (straight, collision-free) moves beside the duration model
  /// (direct.json): prediction = P(direct) · t_max + (1 − P(direct)) · planned duration.
  bool direct_classifier = false;
  std::vector<std::string> training_cells;  ///< Cell names (and hashes) trained on.
  std::vector<std::string> heldout_cells;   ///< Cell names evaluated on, never trained on.
  std::uint64_t seed = 1;
  std::int64_t training_samples = 0;
  std::string training_hash;  ///< DatasetHash() of the training rows.
  /// 64-bit FNV-1a hashes (16 hex digits) of model.json and direct.json as Save wrote them (the
  /// offset basis of the other hashes here): Load refuses a
  /// booster file that is not the one this metadata was saved with (one copied in from another
  /// model). Empty in models saved before 2026-12-07, and for direct.json without a classifier:
  /// not checked.
  std::string model_hash, direct_hash;
  double heldout_mae_pct = -1;  ///< Σ|pred − true| / Σ true × 100 on the held-out stations.
  double heldout_analytic_pct = -1;  ///< The same for the analytic estimate.
  std::int64_t heldout_samples = 0;
  double drift_threshold_pct = 8.0;  ///< Warn when the error on a station in use exceeds it.
  std::vector<float> feature_min, feature_max;  ///< Per feature over the training rows.
  std::string weldcell_version;
  std::string created;                                                  ///< UTC date, ISO 8601.
  double resolution = 0.005, blend_tolerance = 0.1, speed_scale = 1.0;  ///< Of the labels.
  int travel_plans = kUnrecordedTravelPlans;  ///< Of the labels (Dataset::travel_plans).
};

class Model {
 public:
  Model();
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  /// Trains on rows (features) and their planned durations (s). Fills info.training_samples,
  /// feature bounds, training_hash and direct_classifier; the caller fills the rest. With
  /// `direct` (per row: the straight move was free) and at least 10 rows of each kind, a
  /// classifier of direct moves is trained on all rows (binary:logistic) and the duration model
  /// on the planned rows only. Precondition: sizes match, at least one row. Cancelled through
  /// options.progress, it returns at once a model of the rounds fitted so far, which the
  /// caller, who asked to stop, discards.
  static Model Train(const std::vector<Features>& x, const std::vector<double>& duration,
                     const TrainOptions& options, ModelInfo info,
                     const std::vector<bool>& direct = {});

  /// Predicted durations (s) of the moves, in row order: finite, never below the row's t_max
  /// (the straight time-optimal move, a lower bound of every planned move) and never above
  /// e^30 times it. `threads` 0 = all.
  std::vector<double> Predict(const std::vector<Features>& x, int threads = 0) const;

  /// Writes folder/model.json, folder/metadata.json and, with a classifier, folder/direct.json
  /// as one model (folder created; a direct.json of an earlier model removed): every file is
  /// serialized and checked first, then all are written to temporaries and renamed into place
  /// together, metadata.json last (WriteFilesTogether), so that the folder never holds these
  /// trees beside another model's metadata. Throws InputError naming metadata.json and the key
  /// when the metadata cannot be written as Load would read it (text that is not UTF-8: refused,
  /// not replaced), and FileWriteError when the file system refuses; either way before the
  /// first file is replaced (but for a rename refused after every check passed). `with`: files
  /// written together with the model's, before metadata.json (`weldcell train`: the model's
  /// data.csv), so that a failure never leaves new data beside the old model.
  void Save(const std::filesystem::path& folder, std::vector<FileToWrite> with = {}) const;
  /// Reads a folder written by Save. Throws InputError naming the file (and the key) when it is
  /// missing or malformed: metadata.json's keys are read as Save writes them, and the boosters
  /// (XGBoost's JSON only) are checked before XGBoost reads them, so that every tree can be
  /// walked for a row of this schema's features and gives one finite value (docs/learned.md,
  /// "Model files"), then asked for one prediction.
  static Model Load(const std::filesystem::path& folder);

  const ModelInfo& info() const { return info_; }
  ModelInfo& mutable_info() { return info_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ModelInfo info_;
};

/// 16 hex digits over the robot model's kinematics and limits (joint names, types, axes, link
/// offsets via FK at fixed configurations, position/velocity/acceleration limits).
std::string RobotHash(const cell::Robot& robot);
/// 16 hex digits over the tool's TCP, collision geometry sizes and approach distance.
std::string ToolHash(const cell::Tool& tool);

/// Whether the model's labels were timed at `speed_scale` (settings.motion.speed_scale): at
/// another, every move takes that much longer or shorter than it predicts.
inline bool TimedAtSpeedScale(const ModelInfo& info, double speed_scale) {
  return std::abs(info.speed_scale - speed_scale) <= 1e-9;
}

/// Why a model does not apply to a robot (empty when it does): another robot model, another
/// tool, another feature schema.
std::string Mismatch(const ModelInfo& info, const cell::Robot& robot);

/// Features far outside the training range: a row is out when some feature lies more than half
/// the feature's training range beyond its bounds. Returns the fraction of such rows and, in
/// *worst, the feature that was out most often.
double OutOfRangeFraction(const ModelInfo& info, const std::vector<Features>& x,
                          std::string* worst);

/// Σ|p − t| / Σ t × 100 (0 when Σ t = 0).
double MaePercent(const std::vector<double>& predicted, const std::vector<double>& truth);

/// Σ(p − t) / Σ t × 100, the signed error (0 when Σ t = 0): negative when the predictions fall
/// short of the truth on the whole.
double BiasPercent(const std::vector<double>& predicted, const std::vector<double>& truth);

/// Whether `folder` holds a weldcell model: its metadata.json is a JSON object (of at most 1 MiB)
/// whose "format" is text starting with "weldcell-travel-model/" (a later format too, which
/// Load then refuses by name). Reads and parses metadata.json only; never throws.
bool IsModelFolder(const std::filesystem::path& folder);

/// The model folders under `root`, searched recursively, in path order: those IsModelFolder
/// takes, and, so that a model of ours broken by an edit is shown as unreadable rather than
/// hidden, those whose metadata.json is not JSON at all or has a "format" that is not text,
/// beside a model.json. A metadata.json that is a JSON object with another format or none (a
/// website's, a TensorFlow.js export's) is someone else's: not listed, and so never removed by
/// `train --force`.
std::vector<std::filesystem::path> FindModels(const std::filesystem::path& root);

/// The models each robot of a cell may use, in the order the pipeline tries them: the models
/// under `root` that apply to it (Mismatch empty), in FindModels order, those whose labels were
/// timed at the cell's speed scale first (another scale is refused when pricing, naming both;
/// so is a model whose inputs on the station lie far outside its training range, and the next
/// one is tried). For every robot without one,
/// `fallbacks` says why each model found was refused (or could not be read, or that none was
/// found), naming the fallback (the analytic estimate). Unreadable model folders are reported
/// there, not thrown.
struct ModelChoice {
  /// [robot]: the models to try, first first; empty = none applies.
  std::vector<std::vector<std::shared_ptr<const Model>>> models;
  /// [robot]: why models[r] is empty, e.g. "R2 (kuka_kr210r2700extra, x_gun_servo_350): no
  /// travel model in models applies (…); using the analytic estimate"; empty where one applies.
  std::vector<std::string> fallbacks;
  /// The warnings to print: every fallback, in robot order; an unreadable model folder on its
  /// own only when no robot falls back (else its fallback names it).
  std::vector<std::string> messages;
  bool any() const;
};
ModelChoice ChooseModels(const cell::Cell& cell, const std::filesystem::path& root);

}  // namespace weldcell::learned
