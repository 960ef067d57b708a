#pragma once
// Training data for the learned travel-time model, made by the real planner: for every robot of
// the given cells, travel moves between configurations the robot really stands in — approach
// configurations of reach candidates of different welds, home, and random collision-free
// configurations near the part — each planned, searched and timed exactly as weldcell plan's
// motion stage plans its weld-to-weld travel moves (PlanLikeTheMotionStage: direct check →
// near RRTConnect, best of up to six → whole-range search only when the near one found no path →
// shortcut → blended timing).
// Label: the planned duration (s) and whether the direct move was free.
//
// Determinism: every move's configurations and planner seed derive from the options' seed, the
// cell's position in the list and the move's index; the moves are planned in parallel and
// stored by index, so the data set is the same for any thread count.
//
// File: a CSV with a header of `# key=value` lines (docs/learned.md), one row per move.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/common/progress.hpp"
#include "planner/learned/features.hpp"
#include "planner/learned/model.hpp"

namespace weldcell::learned {

inline constexpr std::string_view kDataStage = "training data";
/// File format written: 2 adds each move's two configurations and IK branches (format 1 had
/// only the features). Both are read.
inline constexpr int kDataFormat = 2;

/// Kinds of moves in the data set.
enum class PairKind : std::uint8_t { kWeldToWeld, kHome, kRandom };
std::string_view ToString(PairKind kind);

struct Sample {
  int cell = 0;  ///< Index into Dataset::cells.
  std::string robot;
  PairKind kind = PairKind::kWeldToWeld;
  double duration = 0;  ///< s: planned and timed.
  bool direct = false;  ///< The straight joint move was free.
  Features x{};
  /// rad: the move's start and goal configurations (robot's joint order) and their IK branches
  /// (-1 unknown), from which RefeaturizeDataset recomputes x. Empty when read from a file of
  /// format 1, which did not store them.
  std::vector<double> qa, qb;
  int branch_a = -1, branch_b = -1;
  /// The line of the data file it was read from (ReadDataset), for the messages of
  /// RefeaturizeDataset and MeasureLabelSpread; 0 when planned in this run.
  int line = 0;
  bool operator==(const Sample&) const = default;
};

/// The moves of one robot model with one tool (models are per robot model and tool).
struct Dataset {
  std::string robot_model, robot_hash, tool, tool_hash;
  /// The features' schema: kFeatureSchemaVersion when planned or refeaturized by this weldcell;
  /// a file of another schema keeps its own (its columns are read by name, the others missing).
  int feature_schema = kFeatureSchemaVersion;
  int format = kDataFormat;  ///< Of the file it was read from (1 = no configurations).
  std::uint64_t seed = 1;
  double resolution = 0.005, blend_tolerance = 0.1, speed_scale = 1.0;
  /// Plans per move whose fastest is the label (motion::kTravelPlans of the weldcell that planned
  /// them; kUnrecordedTravelPlans for files that do not say).
  int travel_plans = kUnrecordedTravelPlans;
  std::vector<std::string> cells;  ///< "name@cellhash", in the order given.
  std::vector<Sample> samples;     ///< By cell, then robot, then index.
  int failed = 0;                  ///< Moves the planner found no path for (not stored).
  bool operator==(const Dataset&) const = default;
};

struct DataOptions {
  int moves_per_robot = 300;     ///< Planned moves per robot and cell.
  double home_fraction = 0.05;   ///< Of the moves: home ↔ a weld's approach.
  double random_fraction = 0.2;  ///< Of the moves: with a random configuration near the part.
  /// Of the weld-to-weld moves: to a weld within near_distance (m) of the first; the rest to
  /// any other weld. Allocations keep mostly short moves; far ones teach the model the scale.
  double near_fraction = 0.7;
  double near_distance = 0.5;
  /// Candidates per weld, chosen as the pipeline offers them (PlanOptions::max_options_per_robot).
  int options_per_weld = 8;
  std::uint64_t seed = 1;
  int threads = 0;               ///< 0 = one per hardware thread; the data do not depend on it.
  double blend_tolerance = 0.1;  ///< rad; as pipeline::PlanOptions.
  Progress progress;             ///< Reports kDataStage (moves planned, moves).
};

/// Where the planning time of MakeDatasets went (worker seconds, summed over threads; they
/// depend on the machine, so they are kept out of Dataset).
struct DataStats {
  int solved = 0, failed = 0;  ///< Moves with and without a path.
  int wide = 0;                ///< Solved moves that needed the whole-range search.
  double solved_seconds = 0, failed_seconds = 0;  ///< s of worker time planning them.
  double prepare_seconds = 0;  ///< s of wall time: worlds, reach, features' precomputation.
};

/// Plans the training moves of every robot of `cells` (each with its own world and reach), one
/// Dataset per distinct (robot model, tool), in order of first appearance. `stats` (optional)
/// receives where the time went. Throws InputError, before anything is planned, when cells with
/// robots of one robot model and tool differ in settings.motion.resolution or speed_scale
/// (their moves would be one model's labels of different timing).
/// Cancelled (options.progress; polled between the preparation steps of each cell — world,
/// distance field, reach, roadmaps — within the field and the roadmaps, and between moves): returns
/// early, not an error. The data sets are all there (their identity and settings) and hold the
/// moves planned before the stop, none when it came before the planning; moves not planned are
/// neither stored nor counted as failed (stats likewise). The caller, who asked to stop, knows the
/// data are partial.
std::vector<Dataset> MakeDatasets(const std::vector<cell::Cell>& cells, const DataOptions& options,
                                  DataStats* stats = nullptr);

/// 16 hex digits over the rows (features and labels).
std::string DatasetHash(const Dataset& data);

/// The CSV's text (format kDataFormat), as WriteDataset writes it.
std::string DatasetText(const Dataset& data);
/// Writes the CSV (format kDataFormat, atomically). Throws FileWriteError.
void WriteDataset(const Dataset& data, const std::filesystem::path& file);
/// Reads a CSV written by WriteDataset, of format 1 or 2 and of any feature schema (feature
/// columns by name; a feature the file lacks is missing, NaN). Throws InputError (file:line)
/// when it is malformed: a header value that is not wholly valid (docs/learned.md), a key
/// missing, repeated or unknown, stations not cell0, cell1, … or one twice, a column named
/// twice, a row that does not parse, rows or hash not those of the header.
Dataset ReadDataset(const std::filesystem::path& file);

/// Recomputes every move's features (this weldcell's kFeatureSchemaVersion) from its stored
/// configurations, without planning, given the cells the data came from (`cells`, in any order,
/// matched by cell hash; extra cells are ignored). `file` is the data file it was read from, for
/// error messages. Throws InputError naming file:line when the file is of format 1 (no
/// configurations), a data cell's hash matches no given cell, or a move's robot is not in its
/// cell or is another robot model or tool. Deterministic for any thread count.
/// Cancelled (`progress`, polled before anything, between the steps of each cell, within its
/// distance field and roadmaps, and between moves; nothing is reported): returns early, not an
/// error. Then the moves of the cells done (and some of the cell under way) have recomputed
/// features, the others keep those read, and feature_schema is left as read: the data are partial,
/// for the caller to discard.
void RefeaturizeDataset(Dataset& data, const std::vector<cell::Cell>& cells,
                        const std::filesystem::path& file, int threads, Progress progress = {});

inline constexpr std::string_view kLabelSpreadStage = "label spread";

struct LabelSpreadOptions {
  int first_cell = 0;  ///< Moves of the data's cells from this index on (e.g. the held-out ones).
  int replans = 2;     ///< New plans per move (>= 1), each with its own planner seed.
  std::uint64_t seed = 1;  ///< Derives every new plan's planner seed (with the move's row).
  int threads = 0;         ///< 0 = one per hardware thread; the result does not depend on it.
  Progress progress;       ///< Reports kLabelSpreadStage (moves done, moves); may cancel.
};

/// How repeatable a data set's labels are: its moves planned and timed again, exactly as the
/// label was (PlanLikeTheMotionStage), with other planner seeds. Measured over the moves every
/// new plan solved (a move left out is likely among the most variable: the figures lean low):
struct LabelSpread {
  int moves = 0;     ///< Moves measured.
  int unsolved = 0;  ///< Moves a new plan found no path for (left out).
  int plans = 0;     ///< Plans per measured move: the label and options.replans new ones.
  /// %: Σ|d − mean of its move's plans| / Σ d over all plans, scaled by √(n / (n − 1)) for n
  /// plans (a mean of n plans sits closer to them than the true mean; exact for normally spread
  /// durations): the mean error (as the held-out error is measured) of a predictor that knew
  /// each move's mean duration — what the labels' own spread leaves for any model predicting
  /// means. (For a skewed spread a predictor of the median could do a little better.)
  /// BM_SeedSpread's noise_mae_% is the unscaled in-sample figure. NaN when no move was measured.
  double floor_pct = 0;
  /// %: Σ|d_k − label| / Σ label over the new plans k: the error of planning the move once more
  /// as the prediction (what `--travel-time exact` gets on moves the motion stage plans anew).
  /// NaN when no move was measured.
  double replan_pct = 0;
  bool cancelled = false;  ///< Stopped by the progress' cancel flag: the figures are partial.
};

/// Plans again the moves of `data` in cells options.first_cell… (format 2: the stored
/// configurations), in `cells` matched by hash as RefeaturizeDataset matches them, with the
/// same errors (`file`: the data file, for file:line; empty for data planned in this run).
/// Deterministic for any thread count. Precondition: options.replans >= 1.
LabelSpread MeasureLabelSpread(const Dataset& data, const std::vector<cell::Cell>& cells,
                               const LabelSpreadOptions& options,
                               const std::filesystem::path& file = {});

}  // namespace weldcell::learned
