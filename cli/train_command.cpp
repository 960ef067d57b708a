// `weldcell train cell.yaml... -o models/NAME/` and `weldcell models list|show`: the learned
// travel-time model (planner/learned, docs/learned.md).

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/json_output.hpp"
#include "cli/output_paths.hpp"
#include "cli/progress.hpp"
#include "planner/cell/load.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/learned/dataset.hpp"
#include "planner/learned/model.hpp"
#include "planner/motion/weld_sequence.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/station_check.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::vector<std::string> cells;
  std::vector<std::string> data;
  std::string out;
  int jobs = 0;
  std::uint64_t seed = 1;
  int moves = learned::DataOptions{}.moves_per_robot;
  int rounds = learned::TrainOptions{}.rounds;
  int max_depth = learned::TrainOptions{}.max_depth;
  double eta = learned::TrainOptions{}.eta;
  std::string name;
  std::string evaluate;
  int label_spread = 0;
  bool force = false;
  const CLI::Option* moves_option = nullptr;     ///< To tell a given --moves from the default.
  const CLI::Option* evaluate_option = nullptr;  ///< To tell `--evaluate ""` from none.
  const CLI::Option* name_option = nullptr;      ///< To tell `--name ""` from none.
};

[[noreturn]] void Usage(const std::string& option, const std::string& message) {
  throw CommandLineError("weldcell train", option, message);
}

std::string TodayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d", &tm);
  return buffer.data();
}

std::string Slug(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return s;
}

std::string DatasetName(const learned::Dataset& d) { return d.robot_model + " with " + d.tool; }

/// "1 move", "2 moves"; "1 station", …
std::string Count(std::size_t n, std::string_view what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}
std::string Moves(std::size_t n) { return Count(n, "move"); }

/// A data set's (a model's) identity: its robot model and tool, by their hashes.
std::string ModelKey(const learned::Dataset& d) { return d.robot_hash + "/" + d.tool_hash; }

// The robot models and tools of the cells' robots as data sets without moves (the identity
// only), in the order learned::MakeDatasets makes them: what the models' folders are named
// after, known before any planning.
std::vector<learned::Dataset> Identities(const std::vector<cell::Cell>& cells) {
  std::vector<learned::Dataset> out;
  for (const cell::Cell& c : cells) {
    for (const cell::Robot& r : c.robots) {
      learned::Dataset d{.robot_model = r.model->name,
                         .robot_hash = learned::RobotHash(r),
                         .tool = r.tool.name,
                         .tool_hash = learned::ToolHash(r.tool)};
      if (std::none_of(out.begin(), out.end(),
                       [&](const learned::Dataset& e) { return ModelKey(e) == ModelKey(d); })) {
        out.push_back(std::move(d));
      }
    }
  }
  return out;
}

// Per ModelKey the name its files take: "<robot model>-<tool>", with both hashes appended when
// another robot model or tool has the same names (a changed gun kept under its name).
std::map<std::string, std::string> FileNames(const std::vector<learned::Dataset>& identities) {
  std::map<std::string, int> uses;
  for (const learned::Dataset& d : identities) ++uses[Slug(d.robot_model + "-" + d.tool)];
  std::map<std::string, std::string> out;
  for (const learned::Dataset& d : identities) {
    std::string name = Slug(d.robot_model + "-" + d.tool);
    if (uses[name] > 1) name += "-" + d.robot_hash.substr(0, 8) + "-" + d.tool_hash.substr(0, 8);
    out[ModelKey(d)] = name;
  }
  return out;
}

/// A percentage, or "-" for the metadata's -1 (no station held out).
std::string Percent(double pct, int decimals = 1) {
  return pct < 0 ? "-" : fmt::format("{:.{}f} %", pct, decimals);
}
nlohmann::ordered_json PercentJson(double pct) {
  return pct < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(pct);
}

void CheckArguments(const Args& args) {
  if (args.cells.empty() && args.data.empty()) {
    Usage("cells",
          "give cell files, or --data files (and, to recompute their features, the "
          "cell files they came from)");
  }
  if (args.label_spread > 0 && !args.evaluate.empty()) {
    Usage("--label-spread",
          "measures the spread of training labels; --evaluate trains "
          "nothing: give one of the two");
  }
  if (args.label_spread > 0 && args.cells.empty()) {
    Usage("--label-spread",
          "give the cell files the data came from (the moves are planned "
          "again in them)");
  }
  if (!args.data.empty() && args.moves_option->count() > 0) {
    Usage("--moves", "plans new moves; --data reads moves planned before: give one of the two");
  }
  if (args.force && !args.evaluate.empty()) {
    Usage("--force", "replaces models under --out; --evaluate trains none");
  }
  if (args.name_option->count() > 0 && args.name.empty()) {
    Usage("--name",
          "an empty model name (give one, or leave --name out: the output folder's name)");
  }
  if (args.evaluate_option->count() > 0 && args.evaluate.empty()) {
    Usage("--evaluate", "an empty folder name (the folder of the models to measure)");
  }
  // The name goes into metadata.json, which holds UTF-8 only.
  const std::string name = args.name.empty() ? FolderName(args.out) : args.name;
  if (!name.empty() && (name.front() == ' ' || name.back() == ' ')) {
    Usage(args.name.empty() ? "--out" : "--name",
          fmt::format("the model's name \"{}\" begins or ends with a blank (it names the model in "
                      "metadata.json and in plan's messages){}",
                      name, args.name.empty() ? ": give --name" : ""));
  }
  if (name.empty() || Printable(name) != name) {
    Usage(args.name.empty() ? "--out" : "--name",
          fmt::format("the model's name \"{}\" is not printable UTF-8 (it is written into "
                      "metadata.json){}",
                      Printable(name), args.name.empty() ? ": give --name" : ""));
  }
}

std::vector<cell::Cell> LoadCells(const Args& args, const GlobalOptions& global) {
  std::vector<cell::Cell> cells;
  std::map<std::string, std::string> file_of_hash;
  for (const std::string& f : args.cells) {
    cell::Loaded<cell::Cell> loaded = cell::LoadCell(f, CellLoadOptions(global));
    for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
    // A station given twice would be trained on and held out at once; so would a copy under
    // another name (the hash of everything but the name).
    cell::Cell unnamed = loaded.value;
    unnamed.name.clear();
    const auto [first, inserted] = file_of_hash.emplace(plan::CellHash(unnamed), f);
    if (!inserted) {
      throw InputError({{.where = {.file = f},
                         .message = fmt::format("the same station as {} (all but its name: "
                                                "hash {}): give each station once",
                                                first->second, first->first)}});
    }
    // A robot that cannot leave its home is an input error, as for `weldcell plan`.
    const collision::CollisionWorld world = verify::MakeVerifierWorld(loaded.value);
    if (std::vector<Diagnostic> homes = verify::CheckHomes(loaded.value, world); !homes.empty()) {
      throw InputError(std::move(homes));
    }
    cells.push_back(std::move(loaded.value));
  }
  return cells;
}

// Adds data file `f`'s moves to the data set of the same robot model and tool (two runs on
// other stations are one data set, cells in the order given), or as a new data set.
void AddDataFile(std::vector<learned::Dataset>& datasets, learned::Dataset d,
                 const std::string& f) {
  if (!datasets.empty() && d.feature_schema != datasets.front().feature_schema) {
    throw InputError({{.where = {.file = f},
                       .message = fmt::format("features of schema {}, the files before of schema "
                                              "{}: give the cell files to recompute them",
                                              d.feature_schema, datasets.front().feature_schema)}});
  }
  auto same = std::find_if(datasets.begin(), datasets.end(), [&](const learned::Dataset& e) {
    return e.robot_hash == d.robot_hash && e.tool_hash == d.tool_hash;
  });
  if (same == datasets.end()) {
    datasets.push_back(std::move(d));
    return;
  }
  if (d.travel_plans != same->travel_plans) {
    throw InputError(
        {{.where = {.file = f},
          .message = fmt::format(
              "labels are the fastest of up to {} plans per move, those of the files before for "
              "{} of {}: plan the moves again (weldcell train CELL.yaml...)",
              d.travel_plans, DatasetName(d), same->travel_plans)}});
  }
  if (d.resolution != same->resolution || d.blend_tolerance != same->blend_tolerance ||
      d.speed_scale != same->speed_scale) {
    throw InputError(
        {{.where = {.file = f},
          .message = fmt::format(
              "labels timed with resolution {} m, blend tolerance {} rad, speed scale {}; those "
              "of the files before for {} with {} m, {} rad, {}: one model learns one timing "
              "(train them apart)",
              d.resolution, d.blend_tolerance, d.speed_scale, DatasetName(d), same->resolution,
              same->blend_tolerance, same->speed_scale)}});
  }
  for (const std::string& c : d.cells) {
    if (std::find(same->cells.begin(), same->cells.end(), c) != same->cells.end()) {
      throw InputError({{.where = {.file = f},
                         .message = fmt::format("station {} is also in a data file before it: "
                                                "give each station's moves once",
                                                c)}});
    }
  }
  const int offset = static_cast<int>(same->cells.size());
  same->cells.insert(same->cells.end(), d.cells.begin(), d.cells.end());
  for (learned::Sample& sample : d.samples) {
    sample.cell += offset;
    same->samples.push_back(std::move(sample));
  }
  same->failed += d.failed;
}

// The data sets of --data files; with cell files, their features recomputed in this weldcell's
// schema from the stored configurations (no planning). Empty when cancelled through `progress`.
std::vector<learned::Dataset> ReadDataFiles(const Args& args, const std::vector<cell::Cell>& cells,
                                            const Progress& progress) {
  std::vector<learned::Dataset> datasets;
  for (const std::string& f : args.data) {
    learned::Dataset d = learned::ReadDataset(f);
    if (args.label_spread > 0 && d.format < 2) {
      throw InputError(
          {{.where = {.file = f, .line = 1, .column = 1},
            .message = "--label-spread: data format 1 stores no joint configurations, so its "
                       "moves cannot be planned again: plan the data anew (weldcell train "
                       "CELL.yaml...)"}});
    }
    if (!cells.empty()) {
      learned::RefeaturizeDataset(d, cells, f, args.jobs, progress);
      if (progress.cancelled()) return {};  // the caller says "interrupted"
    } else if (d.feature_schema != learned::kFeatureSchemaVersion) {
      std::cerr << fmt::format(
          "weldcell train: warning: {}: features of schema {}, not this weldcell's {}: the model "
          "is of schema {}, which weldcell plan refuses; give the cell files the data came from "
          "to recompute the features\n",
          f, d.feature_schema, learned::kFeatureSchemaVersion, d.feature_schema);
    }
    AddDataFile(datasets, std::move(d), f);
  }
  return datasets;
}

// Where the data's time went: the moves without a path are the expensive ones.
void PrintPlanningTime(const learned::DataStats& stats, double seconds) {
  const int moves = stats.solved + stats.failed;
  const double worker = stats.solved_seconds + stats.failed_seconds;
  std::cout << fmt::format(
      "planned {} moves in {:.1f} s ({:.1f} moves per minute; preparation {:.1f} s): {} with a "
      "path ({} by the whole-range search) took {:.0f} % of the planning time, {} without one "
      "{:.0f} %\n",
      moves, seconds, 60.0 * moves / std::max(1e-9, seconds), stats.prepare_seconds, stats.solved,
      stats.wide, 100.0 * stats.solved_seconds / std::max(1e-9, worker), stats.failed,
      100.0 * stats.failed_seconds / std::max(1e-9, worker));
}

// The models under --evaluate's folder; one that cannot be read is said and left out.
struct FoundModel {
  std::filesystem::path folder;
  learned::Model model;
};

std::vector<FoundModel> LoadModelsToEvaluate(const std::string& root) {
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) {
    Usage("--evaluate",
          fmt::format("no such folder: {} (the folder of the models to measure)", root));
  }
  if (!std::filesystem::is_directory(root, ec)) {
    Usage("--evaluate", fmt::format("{} is a file, not a folder of models", root));
  }
  const std::vector<std::filesystem::path> found = learned::FindModels(root);
  if (found.empty()) {
    Usage("--evaluate",
          fmt::format("no model under {} (a model's folder holds metadata.json)", root));
  }
  std::vector<FoundModel> models;
  for (const std::filesystem::path& p : found) {
    try {
      models.push_back({p, learned::Model::Load(p)});
    } catch (const InputError& e) {
      for (Diagnostic d : e.diagnostics()) {
        d.severity = Severity::kWarning;
        std::cerr << d.ToString() << " (this model is left out)\n";
      }
    }
  }
  if (models.empty()) {
    Usage("--evaluate", fmt::format("none of the {} under {} can be read (see the warnings)",
                                    Count(found.size(), "model"), root));
  }
  return models;
}

// The model weldcell plan would choose for the data set's robot model and tool: the first that
// applies, in FindModels order (learned::ChooseModels); its features must be the data's.
const FoundModel* ModelFor(const std::vector<FoundModel>& models, const learned::Dataset& d) {
  for (const FoundModel& m : models) {
    const learned::ModelInfo& i = m.model.info();
    if (i.robot_hash == d.robot_hash && i.tool_hash == d.tool_hash &&
        i.feature_schema == d.feature_schema) {
      return &m;
    }
  }
  return nullptr;
}

// --evaluate: every data set's moves predicted by its model beside the analytic estimate; its
// moves written to `files` (by robot and tool hash, ModelKey). A data set without moves is said
// and left out.
void Evaluate(const Args& args, const std::vector<learned::Dataset>& datasets,
              const std::vector<FoundModel>& models,
              const std::map<std::string, std::filesystem::path>& files,
              const GlobalOptions& global) {
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const learned::Dataset& d : datasets) {
    if (d.samples.empty()) {
      std::cerr << fmt::format(
          "weldcell train: warning: no moves for {} ({} without a path): "
          "nothing to measure\n",
          DatasetName(d), d.failed);
      continue;
    }
    const std::filesystem::path& file = files.at(ModelKey(d));
    std::filesystem::create_directories(file.parent_path());
    learned::WriteDataset(d, file);
    std::vector<learned::Features> x;
    std::vector<double> y, analytic;
    for (const learned::Sample& s : d.samples) {
      x.push_back(s.x);
      y.push_back(s.duration);
      analytic.push_back(s.x[learned::kFeatureTMax]);
    }
    const FoundModel* found = ModelFor(models, d);
    const learned::Model* model = found ? &found->model : nullptr;
    const std::string model_folder = found ? found->folder.string() : std::string();
    // A station the model was trained on measures how well it fits, not how it generalizes.
    if (model) {
      std::vector<std::string> trained;
      for (const std::string& cell : d.cells) {
        const std::vector<std::string>& seen = model->info().training_cells;
        if (std::find(seen.begin(), seen.end(), cell) != seen.end()) trained.push_back(cell);
      }
      if (!trained.empty()) {
        std::string list;
        for (const std::string& t : trained) list += (list.empty() ? "" : ", ") + t;
        std::cerr << fmt::format(
            "weldcell train: warning: {} was trained on {}: its error there is how well it "
            "fits its training data, not how it does on a new station\n",
            model_folder, list);
      }
    }
    if (model && model->info().travel_plans != d.travel_plans) {
      std::cerr << fmt::format(
          "weldcell train: warning: {} learned the fastest of up to {} plans per move, these "
          "moves are the fastest of up to {}: its error includes that difference\n",
          model_folder, model->info().travel_plans, d.travel_plans);
    }
    const double analytic_pct = learned::MaePercent(analytic, y);
    const double analytic_bias = learned::BiasPercent(analytic, y);
    const auto p0 = Clock::now();
    const std::vector<double> predicted =
        model ? model->Predict(x, args.jobs) : std::vector<double>();
    const double predict_us = 1e6 * std::chrono::duration<double>(Clock::now() - p0).count() /
                              std::max<double>(1.0, static_cast<double>(x.size()));
    std::string worst;
    const double out_of_range = model ? learned::OutOfRangeFraction(model->info(), x, &worst) : 0;
    const double learned_pct = model ? learned::MaePercent(predicted, y) : -1;
    const double learned_bias = model ? learned::BiasPercent(predicted, y) : 0;
    if (global.json) {
      json.push_back(
          {{"robot_model", d.robot_model},
           {"tool", d.tool},
           {"model", model ? nlohmann::ordered_json(model_folder) : nullptr},
           {"model_name", model ? nlohmann::ordered_json(model->info().name) : nullptr},
           {"moves", x.size()},
           {"learned_pct", PercentJson(learned_pct)},
           {"analytic_pct", analytic_pct},
           {"learned_bias_pct", model ? nlohmann::ordered_json(learned_bias) : nullptr},
           {"analytic_bias_pct", analytic_bias},
           {"out_of_range", out_of_range},
           {"predict_us_per_move", model ? nlohmann::ordered_json(predict_us) : nullptr}});
    } else if (model) {
      std::cout << fmt::format(
          "{}: {}: {} {:.1f} %, analytic {:.1f} % mean error (signed: {:+.1f} %, {:+.1f} %); "
          "{:.0f} % of the moves out of the training range; prediction {:.1f} µs per move\n",
          DatasetName(d), Moves(x.size()), model_folder, learned_pct, analytic_pct, learned_bias,
          analytic_bias, 100.0 * out_of_range, predict_us);
    } else {
      std::cout << fmt::format(
          "{}: {}: no model of these features under {}; analytic {:.1f} % mean error (signed: "
          "{:+.1f} %)\n",
          DatasetName(d), Moves(x.size()), args.evaluate, analytic_pct, analytic_bias);
    }
  }
  if (global.json) PrintJson(json, std::cout);
}

// Held-out stations: the last fifth of the data set's cells (at least one when there are two or
// more); the model never sees a move of those stations.
int HeldOutFrom(int cells) { return cells < 2 ? cells : cells - std::max(1, cells / 5); }

// Data sets without a move (no robot of that model and tool reaches two welds) are said and
// left out; a data set with moves only on held-out stations, or nothing left at all, is an
// input error. Checked before anything is trained or written.
void DropDatasetsWithoutMoves(std::vector<learned::Dataset>& datasets) {
  std::erase_if(datasets, [&](const learned::Dataset& d) {
    if (!d.samples.empty()) return false;
    std::cerr << fmt::format(
        "weldcell train: warning: no moves for {} ({} without a path): none of its robots "
        "reaches two weld poses in these stations; no model is trained for it\n",
        DatasetName(d), d.failed);
    return true;
  });
  if (datasets.empty()) {
    throw InputError({{.where = {.file = "weldcell train"},
                       .message = "no moves to train on: no robot reaches two weld poses in "
                                  "these stations (see weldcell reach)"}});
  }
  for (const learned::Dataset& d : datasets) {
    const int first_heldout = HeldOutFrom(static_cast<int>(d.cells.size()));
    if (std::none_of(d.samples.begin(), d.samples.end(),
                     [&](const learned::Sample& s) { return s.cell < first_heldout; })) {
      throw InputError({{.where = {.file = "weldcell train"},
                         .message = fmt::format("{}: moves only on the held-out stations (the "
                                                "last fifth of the cells given): give a station "
                                                "where its robots weld first",
                                                DatasetName(d))}});
    }
  }
}

// The labels' own spread of every data set (learned::MeasureLabelSpread) on its held-out
// stations, all of its stations when none is held out. Stops early when cancelled.
std::vector<std::optional<learned::LabelSpread>> MeasureSpreads(
    const std::vector<learned::Dataset>& datasets, const std::vector<cell::Cell>& cells,
    const learned::LabelSpreadOptions& options) {
  std::vector<std::optional<learned::LabelSpread>> spreads(datasets.size());
  for (std::size_t k = 0; k < datasets.size() && !options.progress.cancelled(); ++k) {
    const learned::Dataset& d = datasets[k];
    if (d.travel_plans != motion::kTravelPlans) {
      std::cerr << fmt::format(
          "weldcell train: warning: the labels of {} are the fastest of up to {} plans per "
          "move, the motion stage plans up to {}: the label spread mixes the two\n",
          DatasetName(d), d.travel_plans, motion::kTravelPlans);
    }
    learned::LabelSpreadOptions o = options;
    const int first_heldout = HeldOutFrom(static_cast<int>(d.cells.size()));
    o.first_cell = first_heldout < static_cast<int>(d.cells.size()) ? first_heldout : 0;
    spreads[k] = learned::MeasureLabelSpread(d, cells, o);
  }
  return spreads;
}

// A model trained and measured, not yet written.
struct Trained {
  std::filesystem::path folder;
  learned::Model model;
  double linear_pct = -1;
  double schema1_pct = -1;  ///< Trees on the schema-1 columns only (the rest missing).
  double seconds = 0;
  int train_rows = 0;
};

struct Split {
  std::vector<learned::Features> x;
  std::vector<double> y;
  std::vector<bool> direct;
};

// `bar` as one bar of `label` for a model whose `parts` boosters fill it in turn: part `part`'s
// (rounds done, rounds) fills its share.
Progress PartOfBar(const Progress& bar, const std::string& label, int part, int parts,
                   const std::atomic<bool>* cancel) {
  return Progress(
      [bar, label, part, parts](std::string_view, std::int64_t done, std::int64_t total) {
        constexpr std::int64_t kUnits = 1000;
        bar.Report(label, (part * kUnits + kUnits * done / total) / parts, kUnits);
      },
      cancel);
}

// Trains data set `d`'s model on its training stations and measures it, the linear booster and
// the trees on the schema-1 columns on its held-out ones. Returns early when cancelled (the
// caller, who asked to stop, discards the result).
Trained TrainOne(const learned::Dataset& d, const std::string& name,
                 const std::filesystem::path& folder, learned::TrainOptions options,
                 const std::atomic<bool>* cancel) {
  const auto t0 = Clock::now();
  const int first_heldout = HeldOutFrom(static_cast<int>(d.cells.size()));
  Split train, test;
  for (const learned::Sample& s : d.samples) {
    Split& into = s.cell < first_heldout ? train : test;
    into.x.push_back(s.x);
    into.y.push_back(s.duration);
    into.direct.push_back(s.direct);
  }
  learned::ModelInfo info{.name = name,
                          .robot_model = d.robot_model,
                          .robot_hash = d.robot_hash,
                          .tool = d.tool,
                          .tool_hash = d.tool_hash,
                          .feature_schema = d.feature_schema};
  for (int c = 0; c < static_cast<int>(d.cells.size()); ++c) {
    (c < first_heldout ? info.training_cells : info.heldout_cells).push_back(d.cells[c]);
  }
  info.resolution = d.resolution;
  info.blend_tolerance = d.blend_tolerance;
  info.speed_scale = d.speed_scale;
  info.travel_plans = d.travel_plans;
  info.weldcell_version = WELDCELL_VERSION;
  info.created = TodayUtc();
  const Progress bar = options.progress;
  const std::string label = "train " + name;
  const int parts = test.x.empty() ? 1 : d.feature_schema > 1 ? 3 : 2;
  options.progress = PartOfBar(bar, label, 0, parts, cancel);
  Trained out{.folder = folder,
              .model = learned::Model::Train(train.x, train.y, options, info, train.direct),
              .train_rows = static_cast<int>(train.x.size())};
  learned::ModelInfo& mi = out.model.mutable_info();
  mi.heldout_samples = static_cast<std::int64_t>(test.x.size());
  if (!test.x.empty() && !bar.cancelled()) {
    mi.heldout_mae_pct = learned::MaePercent(out.model.Predict(test.x, options.threads), test.y);
    std::vector<double> analytic;
    for (const learned::Features& f : test.x) analytic.push_back(f[learned::kFeatureTMax]);
    mi.heldout_analytic_pct = learned::MaePercent(analytic, test.y);
    // The linear booster on the same features, for comparison (docs/learned.md).
    learned::TrainOptions linear = options;
    linear.booster = learned::Booster::kLinear;
    linear.progress = PartOfBar(bar, label, 1, parts, cancel);
    const learned::Model lin = learned::Model::Train(train.x, train.y, linear, info, train.direct);
    out.linear_pct = learned::MaePercent(lin.Predict(test.x, options.threads), test.y);
    // The same trees on the schema-1 columns only (the later ones missing), so that what the
    // later features add is measured on the same moves.
    if (d.feature_schema > 1 && !bar.cancelled()) {
      auto schema1 = [](std::vector<learned::Features> x) {
        for (learned::Features& f : x) {
          std::fill(f.begin() + learned::kSchema1Features, f.end(),
                    std::numeric_limits<float>::quiet_NaN());
        }
        return x;
      };
      options.progress = PartOfBar(bar, label, 2, parts, cancel);
      const learned::Model s1 =
          learned::Model::Train(schema1(train.x), train.y, options, info, train.direct);
      out.schema1_pct = learned::MaePercent(s1.Predict(schema1(test.x), options.threads), test.y);
    }
    // Drift: well above what held-out stations showed, and never below 8 %.
    mi.drift_threshold_pct = std::max(8.0, 2.0 * mi.heldout_mae_pct);
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

// The models already under --out or where the new ones go (a folder reached through a symbolic
// link too): weldcell plan --models would mix them with the new ones, so they are refused
// without --force; with it, those the new ones do not replace are removed after the new ones
// are written (RemoveStaleModels). An --out inside a model's folder is refused.
std::vector<std::filesystem::path> CheckExistingModels(
    const Args& args, const std::map<std::string, std::filesystem::path>& folders) {
  std::error_code ec;
  const std::filesystem::path out = std::filesystem::absolute(args.out, ec);
  for (std::filesystem::path p = out.parent_path(); p.has_relative_path(); p = p.parent_path()) {
    if (learned::IsModelFolder(p)) {
      Usage("--out", fmt::format("{} is inside the model folder {} (weldcell plan --models {} "
                                 "would take both): give a folder outside it",
                                 args.out, p.string(), p.string()));
    }
  }
  std::vector<std::filesystem::path> found;
  if (std::filesystem::is_directory(args.out, ec)) found = learned::FindModels(args.out);
  for (const auto& entry : folders) {
    const std::filesystem::path& folder = entry.second;
    const bool listed = std::any_of(found.begin(), found.end(), [&](const auto& p) {
      return std::filesystem::equivalent(p, folder, ec);
    });
    if (!listed && learned::IsModelFolder(folder)) found.push_back(folder);
  }
  if (!found.empty() && !args.force) {
    std::string list;
    for (const std::filesystem::path& p : found) list += (list.empty() ? "" : ", ") + p.string();
    Usage("--out", fmt::format("{} already holds models ({}): give another folder, or --force "
                               "to replace them",
                               args.out, list));
  }
  return found;
}

// Removes the files of the old models the new ones (in `written`) did not replace, and their
// folders when that leaves them empty; never a --data file given.
void RemoveStaleModels(const std::vector<std::filesystem::path>& old_models,
                       const std::vector<std::filesystem::path>& written, const Args& args) {
  std::error_code ec;
  auto among = [&](const std::filesystem::path& p, const auto& paths) {
    return std::any_of(paths.begin(), paths.end(), [&](const auto& q) {
      return std::filesystem::equivalent(p, std::filesystem::path(q), ec);
    });
  };
  for (const std::filesystem::path& old : old_models) {
    if (among(old, written)) continue;
    for (const char* file : {"data.csv", "model.json", "direct.json", "metadata.json"}) {
      if (!among(old / file, args.data)) std::filesystem::remove(old / file, ec);
    }
    std::filesystem::remove(old, ec);  // only when now empty
  }
}

// Every model's folder and files can be written, checked before the first is: a file where a
// folder goes (or the reverse) would otherwise stop the run with some models written.
void CheckModelOutputs(const std::map<std::string, std::filesystem::path>& folders) {
  for (const auto& [key, folder] : folders) {
    CheckOutputFolder(folder, "--out");
    for (const char* file : {"data.csv", "model.json", "direct.json", "metadata.json"}) {
      CheckOutputFile(folder / file, "--out");
    }
  }
}

nlohmann::ordered_json SpreadJson(const std::optional<learned::LabelSpread>& spread, bool heldout) {
  if (!spread) return nullptr;
  // NaN (no move measured) is written as null.
  return {{"moves", spread->moves},          {"unsolved", spread->unsolved},
          {"plans_per_move", spread->plans}, {"heldout", heldout},
          {"floor_pct", spread->floor_pct},  {"replan_pct", spread->replan_pct}};
}

void PrintSpread(const learned::LabelSpread& spread, bool heldout) {
  if (spread.moves == 0) {
    std::cout << fmt::format(
        "  label spread: no move measured ({} left out: a new plan found no path)\n",
        spread.unsolved);
    return;
  }
  std::cout << fmt::format(
      "  label spread ({}{} planned {} more, {} left out: a new plan found no path): a "
      "predictor of each move's mean duration would be off by {:.1f} % (the labels' own "
      "spread{}); planning a move once more as its prediction {:.1f} %\n",
      Moves(spread.moves), heldout ? " of the held-out stations" : "",
      Count(spread.plans - 1, "time"), spread.unsolved, spread.floor_pct,
      heldout ? ", under the held-out error of any model predicting means" : "", spread.replan_pct);
}

// What one written model is: a JSON object, or its lines.
void ReportTrained(const Trained& t, const learned::Dataset& d,
                   const std::optional<learned::LabelSpread>& spread, double data_seconds,
                   const GlobalOptions& global, nlohmann::ordered_json& json) {
  const learned::ModelInfo& i = t.model.info();
  const bool heldout = i.heldout_samples > 0;
  // A model that prices the held-out stations worse than the straight-move estimate would make
  // `plan --travel-time learned` (the default where it applies) plan worse than analytic: said
  // on stderr, with --json and --quiet too (a fresh user's 22-move model: 13.9 % against 6.4 %).
  if (heldout && i.heldout_mae_pct > i.heldout_analytic_pct) {
    std::cerr << fmt::format(
        "weldcell: warning: {}: its held-out error {:.1f} % is above the analytic estimate's "
        "{:.1f} % (trained on {}): plan would price these stations better without it; train "
        "it on more stations or moves, or remove it\n",
        t.folder.string(), i.heldout_mae_pct, i.heldout_analytic_pct, Moves(t.train_rows));
  }
  if (global.json) {
    json.push_back({{"folder", t.folder.string()},
                    {"robot_model", d.robot_model},
                    {"tool", d.tool},
                    {"moves", d.samples.size()},
                    {"failed", d.failed},
                    {"train_moves", t.train_rows},
                    {"heldout_moves", i.heldout_samples},
                    {"heldout_mae_pct", PercentJson(i.heldout_mae_pct)},
                    {"heldout_analytic_pct", PercentJson(i.heldout_analytic_pct)},
                    {"heldout_linear_pct", PercentJson(t.linear_pct)},
                    {"heldout_schema1_pct", PercentJson(t.schema1_pct)},
                    {"drift_threshold_pct", i.drift_threshold_pct},
                    {"label_spread", SpreadJson(spread, heldout)},
                    {"data_seconds", data_seconds},
                    {"train_seconds", t.seconds}});
    return;
  }
  if (global.quiet) return;
  std::cout << fmt::format("{}: {}: {} ({} without a path); trained on the {} of {}\n",
                           t.folder.string(), DatasetName(d), Moves(d.samples.size()), d.failed,
                           Moves(t.train_rows), Count(i.training_cells.size(), "station"));
  if (heldout) {
    std::cout << fmt::format(
        "  held out: {} of {}: mean error {:.1f} % (analytic {:.1f} %, linear {}, "
        "trees on the schema-1 features {}); drift threshold {:.1f} %\n",
        Moves(i.heldout_samples), Count(i.heldout_cells.size(), "station"), i.heldout_mae_pct,
        i.heldout_analytic_pct, Percent(t.linear_pct), Percent(t.schema1_pct),
        i.drift_threshold_pct);
  } else {
    std::cout << "  no held-out station (give two or more cells to measure the error)\n";
  }
  if (spread) PrintSpread(*spread, heldout);
  std::cout << fmt::format("  time: data {:.1f} s, training {:.1f} s\n", data_seconds, t.seconds);
}

nlohmann::ordered_json ListJson(const std::filesystem::path& folder, const learned::ModelInfo& i) {
  return {{"folder", folder.string()},
          {"name", i.name},
          {"robot_model", i.robot_model},
          {"tool", i.tool},
          {"feature_schema", i.feature_schema},
          {"training_samples", i.training_samples},
          {"heldout_mae_pct", PercentJson(i.heldout_mae_pct)},
          {"created", i.created}};
}

void AddTrainOptions(CLI::App* cmd, Args& args) {
  cmd->add_option("cells", args.cells,
                  "Cell YAML files; held-out stations are the last ones. With --data: the cells "
                  "the data came from (matched by hash), to recompute the features");
  cmd->add_option("--data", args.data,
                  "Retrain from data.csv files of an earlier run instead of planning")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", args.out, "Model folder, e.g. models/kr210-x_gun (created)")
      ->required();
  cmd->add_flag("--force", args.force,
                "Replace the models already under --out (without it such a folder is refused: "
                "weldcell plan would mix the old models with the new)");
  cmd->add_option("-j,--jobs", args.jobs,
                  "Worker threads (0 = one per hardware thread); the data and the "
                  "model do not depend on it")
      ->transform(WholeNumber(0, kMaxJobs));
  cmd->add_option("--seed", args.seed, "Seed of the moves, the planner and XGBoost")
      ->capture_default_str()
      ->transform(WholeNumber(0, kMaxSeed));
  args.moves_option =
      cmd->add_option("--moves", args.moves, "Planned moves per robot and cell (not with --data)")
          ->transform(WholeNumber(10, 1000000))
          ->capture_default_str();
  cmd->add_option("--rounds", args.rounds, "Boosting rounds")
      ->transform(WholeNumber(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-depth", args.max_depth, "Depth of the trees")
      ->transform(WholeNumber(1, 20))
      ->capture_default_str();
  cmd->add_option("--eta", args.eta, "Learning rate")
      ->check(FiniteRange(0.001, 1.0, ""))
      ->capture_default_str();
  args.name_option =
      cmd->add_option("--name", args.name, "Model name (default: the output folder's name)");
  args.evaluate_option =
      cmd->add_option("--evaluate", args.evaluate,
                      "Train nothing: measure the models under DIR on the moves of these cells "
                      "(stations they were not trained on), beside the analytic estimate; each "
                      "robot model and tool by the model weldcell plan would choose")
          ->type_name("DIR");
  cmd->add_option("--label-spread", args.label_spread,
                  "Also plan every held-out move (every move when no station is held out) again "
                  "with N other planner seeds and report how much its durations differ: the "
                  "error of a predictor that knew each move's mean duration, what the labels' own "
                  "spread leaves for any model (needs the cell files and data of format 2; not "
                  "with --evaluate; slow: N plannings of those moves)")
      ->transform(WholeNumber(0, 100))
      ->type_name("N");
}

// Where the outputs go, by ModelKey, decided from the data sets' identities before any planning:
// --evaluate's data files (OUT/data-NAME.csv) or each model's folder (OUT itself for one
// model, else OUT/NAME). Checked writable; for models, the models already there checked too.
struct Outputs {
  std::map<std::string, std::filesystem::path> places;
  std::vector<std::filesystem::path> old_models;
};
Outputs PlanOutputs(const Args& args, const std::vector<learned::Dataset>& identities) {
  const std::filesystem::path out(args.out);
  Outputs o;
  for (const auto& [key, name] : FileNames(identities)) {
    if (!args.evaluate.empty()) {
      o.places[key] = out / ("data-" + name + ".csv");
      CheckOutputFile(o.places[key], "--out");
    } else {
      o.places[key] = identities.size() == 1 ? out : out / name;
    }
  }
  if (args.evaluate.empty()) {
    CheckModelOutputs(o.places);
    o.old_models = CheckExistingModels(args, o.places);
  }
  return o;
}

// Every data set's model trained and measured (folder from `folders`), none written. Stops
// early when cancelled.
std::vector<Trained> TrainAll(const Args& args, const std::vector<learned::Dataset>& datasets,
                              const std::map<std::string, std::filesystem::path>& folders,
                              const Progress& progress, const std::atomic<bool>& interrupted) {
  const std::string name = args.name.empty() ? FolderName(args.out) : args.name;
  std::vector<Trained> trained;
  for (std::size_t k = 0; k < datasets.size() && !interrupted.load(); ++k) {
    const std::filesystem::path& folder = folders.at(ModelKey(datasets[k]));
    const std::string model_name =
        folders.size() == 1 ? name : name + "/" + folder.filename().string();
    trained.push_back(TrainOne(datasets[k], model_name, folder,
                               {.rounds = args.rounds,
                                .max_depth = args.max_depth,
                                .eta = args.eta,
                                .seed = args.seed,
                                .threads = args.jobs,
                                .progress = progress},
                               &interrupted));
  }
  return trained;
}

// The whole command: the outputs checked, data (planned, or read from --data), then
// --evaluate's measurement, or the label spread, every model trained, and only then every file
// written. Ctrl-C at any point stops it with nothing written (exit 130).
void RunTrain(const Args& args, const GlobalOptions& global, int* exit_code) {
  const std::atomic<bool>& interrupted = CatchInterrupt();  // from the start, as plan's
  CheckOutputFolder(args.out, "--out");  // first: `-o ""` names no folder to name models after
  CheckArguments(args);
  const std::vector<FoundModel> models =
      args.evaluate.empty() ? std::vector<FoundModel>() : LoadModelsToEvaluate(args.evaluate);
  // Made and locked now, as `plan -o`: a second train into the same folder is refused at once
  // instead of replacing this one's models under it; removed again when nothing is written.
  std::optional<OutputFolder> out_folder;
  if (args.evaluate.empty()) out_folder.emplace(args.out, "--out");
  StageBars bars(!global.quiet && !global.json);
  const Progress progress = bars.MakeProgress(&interrupted);
  const auto t0 = Clock::now();
  const std::vector<cell::Cell> cells = LoadCells(args, global);
  std::vector<learned::Dataset> datasets;
  if (!args.data.empty()) datasets = ReadDataFiles(args, cells, progress);
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  const Outputs outputs = PlanOutputs(args, args.data.empty() ? Identities(cells) : datasets);
  learned::DataStats stats;
  if (args.data.empty()) {
    datasets = learned::MakeDatasets(cells,
                                     {.moves_per_robot = args.moves,
                                      .seed = args.seed,
                                      .threads = args.jobs,
                                      .progress = progress},
                                     &stats);
  }
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  bars.Finish();
  const double data_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (args.data.empty() && !global.quiet && !global.json) PrintPlanningTime(stats, data_seconds);
  if (!args.evaluate.empty()) {
    Evaluate(args, datasets, models, outputs.places, global);
    *exit_code = kExitOk;
    return;
  }
  DropDatasetsWithoutMoves(datasets);
  // Measured and trained before anything is written, so that Ctrl-C leaves no model behind.
  std::vector<std::optional<learned::LabelSpread>> spreads(datasets.size());
  if (args.label_spread > 0) {
    spreads = MeasureSpreads(datasets, cells,
                             {.replans = args.label_spread,
                              .seed = args.seed,
                              .threads = args.jobs,
                              .progress = progress});
  }
  std::vector<Trained> trained = TrainAll(args, datasets, outputs.places, progress, interrupted);
  if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
  bars.Finish();
  std::vector<std::filesystem::path> written;
  for (std::size_t k = 0; k < datasets.size(); ++k) {
    // The moves trained on and held out (merged when --data gave several files) with the model,
    // all its files or none: a full disk leaves the old model with its own data.
    trained[k].model.Save(trained[k].folder, {{.path = trained[k].folder / "data.csv",
                                               .contents = learned::DatasetText(datasets[k])}});
    written.push_back(trained[k].folder);
  }
  RemoveStaleModels(outputs.old_models, written, args);
  if (out_folder) out_folder->Keep();
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (std::size_t k = 0; k < datasets.size(); ++k) {
    ReportTrained(trained[k], datasets[k], spreads[k], data_seconds, global, json);
  }
  if (global.json) PrintJson(json, std::cout);
  *exit_code = kExitOk;
}

// `models show FOLDER` where FOLDER is no model folder: missing, a file, or a folder of models
// (what `plan --models` and `models list` take, named with its models); each said as it is,
// not as "FOLDER/metadata.json: file not found".
void RefuseFolderOfModels(const std::string& folder) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(folder) / "metadata.json", ec)) return;
  if (!std::filesystem::is_directory(folder, ec)) {
    const bool exists = std::filesystem::exists(folder, ec);
    throw InputError({{.where = {.file = folder},
                       .message = exists ? "is a file, not a model folder (one that holds "
                                           "metadata.json)"
                                         : "no such folder (the model folder, which holds "
                                           "metadata.json)"}});
  }
  const std::vector<std::filesystem::path> models = learned::FindModels(folder);
  if (models.empty()) return;
  std::string names;
  for (const std::filesystem::path& m : models) {
    names += (names.empty() ? "" : ", ") + m.lexically_relative(folder).string();
  }
  std::string root = folder;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  throw InputError({{.where = {.file = folder},
                     .message = fmt::format("is a folder of {} model(s), not a model: {} (show one "
                                            "with weldcell models show {}/NAME; weldcell models "
                                            "list {} lists them)",
                                            models.size(), names, root, root)}});
}

}  // namespace

void RegisterTrain(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train the learned travel-time model: plan travel moves of every robot in the cells, "
      "store them (OUT/data.csv), train XGBoost trees on all but the last fifth of the cells "
      "and measure the error on those held-out stations; writes OUT/model.json + "
      "OUT/metadata.json (one subfolder per robot model and tool when there are several)");
  auto args = std::make_shared<Args>();
  AddTrainOptions(cmd, *args);
  cmd->callback([&global, exit_code, args] { RunTrain(*args, global, exit_code); });
}

void RegisterModels(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("models", "List or show the learned travel models");
  cmd->require_subcommand(1);
  auto root = std::make_shared<std::string>();
  CLI::App* list = cmd->add_subcommand("list", "One line per model found under DIR");
  list->add_option("dir", *root,
                   "Models folder (default: ./models if there is one, else the models shipped "
                   "with weldcell)");
  auto folder = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "The metadata of one model");
  show->add_option("model", *folder, "Model folder (holds metadata.json)")->required();
  list->callback([&global, exit_code, root] {
    if (root->empty()) *root = DefaultModelsFolder();
    if (std::error_code ec; !std::filesystem::is_directory(*root, ec)) {
      throw InputError({{.where = {.file = *root},
                         .key_path = "dir",
                         .message = std::filesystem::exists(*root, ec)
                                        ? "is a file, not a folder of models (the models "
                                          "folder to list)"
                                        : "no such folder (the models folder to list)"}});
    }
    nlohmann::ordered_json json = nlohmann::ordered_json::array();
    bool unreadable = false;
    const std::vector<std::filesystem::path> models = learned::FindModels(*root);
    // A folder without a model is said as such (it printed nothing, as if the command had not
    // run); `--json` gives the empty list.
    if (models.empty() && !global.json) {
      std::cout << fmt::format(
          "no models in {} (a model is a folder with a metadata.json; "
          "weldcell train makes one)\n",
          *root);
    }
    // Every model is listed: one that cannot be read says why, and the others still show.
    for (const std::filesystem::path& p : models) {
      std::optional<learned::Model> m;
      std::string error;
      try {
        m = learned::Model::Load(p);
      } catch (const InputError& e) {
        error = e.diagnostics().empty() ? std::string("unreadable") : e.diagnostics()[0].ToString();
        unreadable = true;
      }
      if (global.json) {
        json.push_back(m ? ListJson(p, m->info())
                         : nlohmann::ordered_json{{"folder", p.string()}, {"error", error}});
      } else if (m) {
        const learned::ModelInfo& i = m->info();
        std::cout << fmt::format("{}  {} + {}  schema {}  {}  held-out error {}  {}\n", p.string(),
                                 i.robot_model, i.tool, i.feature_schema, Moves(i.training_samples),
                                 Percent(i.heldout_mae_pct), i.created);
      } else {
        std::cout << fmt::format("{}  unreadable: {}\n", p.string(), error);
      }
    }
    if (global.json) PrintJson(json, std::cout);
    *exit_code = unreadable ? kExitBadInput : kExitOk;
  });
  show->callback([&global, exit_code, folder] {
    RefuseFolderOfModels(*folder);
    const learned::Model m = learned::Model::Load(*folder);
    const learned::ModelInfo& i = m.info();
    if (global.json) {
      std::ifstream in(std::filesystem::path(*folder) / "metadata.json");
      PrintJson(nlohmann::ordered_json::parse(in), std::cout);
    } else {
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
        return s.empty() ? std::string("-") : s;
      };
      std::cout << fmt::format(
          "name:              {}\nrobot model:       {} ({})\ntool:              {} ({})\n"
          "feature schema:    {}\nbooster:           {}{}\nfiles:             model.json {}{}\n"
          "trained on:        {}\n"
          "held out:          {}\nseed:              {}\ntraining moves:    {} (hash {})\n"
          "held-out error:    {} over {} (analytic {})\n"
          "drift threshold:   {:.1f} %\nlabels:            resolution {} m, blend {} rad, "
          "speed scale {}, fastest of up to {} plans per move\ncreated:           {} by weldcell "
          "{}\n",
          i.name, i.robot_model, i.robot_hash, i.tool, i.tool_hash, i.feature_schema, i.booster,
          i.direct_classifier ? ", with a classifier of direct moves (direct.json)" : "",
          i.model_hash.empty() ? "(no hash recorded)" : "(hash " + i.model_hash + ")",
          i.direct_hash.empty() ? "" : ", direct.json (hash " + i.direct_hash + ")",
          join(i.training_cells), join(i.heldout_cells), i.seed, i.training_samples,
          i.training_hash, Percent(i.heldout_mae_pct, 2), Moves(i.heldout_samples),
          Percent(i.heldout_analytic_pct, 2), i.drift_threshold_pct, i.resolution,
          i.blend_tolerance, i.speed_scale, i.travel_plans, i.created, i.weldcell_version);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace weldcell::cli
