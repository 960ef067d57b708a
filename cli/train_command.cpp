// `weldcell train cell.yaml... -o models/NAME/` and `weldcell models list|show`: the learned
// travel-time model (planner/learned, docs/learned.md).

#include <fmt/format.h>

#include <algorithm>
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

namespace weldcell::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string TodayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm);
  return buffer;
}

struct Split {
  std::vector<learned::Features> x;
  std::vector<double> y;
  std::vector<bool> direct;
};

// Held-out stations: the last fifth of the data set's cells (at least one when there are two or
// more); the model never sees a move of those stations.
int HeldOutFrom(int cells) { return cells < 2 ? cells : cells - std::max(1, cells / 5); }

struct Trained {
  std::filesystem::path folder;
  learned::ModelInfo info;
  double linear_pct = -1;
  double schema1_pct = -1;  ///< Trees on the schema-1 columns only (the rest missing).
  double seconds = 0;
  int train_rows = 0;
};

Trained TrainOne(const learned::Dataset& data, const std::string& name,
                 const std::filesystem::path& folder, const learned::TrainOptions& options) {
  const auto t0 = Clock::now();
  const int first_heldout = HeldOutFrom(static_cast<int>(data.cells.size()));
  Split train, test;
  for (const learned::Sample& s : data.samples) {
    Split& into = s.cell < first_heldout ? train : test;
    into.x.push_back(s.x);
    into.y.push_back(s.duration);
    into.direct.push_back(s.direct);
  }
  if (train.x.empty()) {
    throw InputError({{.message = fmt::format("no training moves for robot model {} with tool {}",
                                              data.robot_model, data.tool)}});
  }
  learned::ModelInfo info{.name = name,
                          .robot_model = data.robot_model,
                          .robot_hash = data.robot_hash,
                          .tool = data.tool,
                          .tool_hash = data.tool_hash,
                          .feature_schema = data.feature_schema};
  for (int c = 0; c < static_cast<int>(data.cells.size()); ++c) {
    (c < first_heldout ? info.training_cells : info.heldout_cells).push_back(data.cells[c]);
  }
  info.resolution = data.resolution;
  info.blend_tolerance = data.blend_tolerance;
  info.speed_scale = data.speed_scale;
  info.travel_plans = data.travel_plans;
  info.weldcell_version = WELDCELL_VERSION;
  info.created = TodayUtc();
  learned::Model model = learned::Model::Train(train.x, train.y, options, info, train.direct);
  Trained out{.folder = folder, .info = {}, .train_rows = static_cast<int>(train.x.size())};
  learned::ModelInfo& mi = model.mutable_info();
  mi.heldout_samples = static_cast<std::int64_t>(test.x.size());
  if (!test.x.empty()) {
    mi.heldout_mae_pct = learned::MaePercent(model.Predict(test.x, options.threads), test.y);
    std::vector<double> analytic;
    for (const learned::Features& f : test.x) analytic.push_back(f[learned::kFeatureTMax]);
    mi.heldout_analytic_pct = learned::MaePercent(analytic, test.y);
    // The linear booster on the same features, for comparison (docs/learned.md).
    learned::TrainOptions linear = options;
    linear.booster = learned::Booster::kLinear;
    const learned::Model lin = learned::Model::Train(train.x, train.y, linear, info, train.direct);
    out.linear_pct = learned::MaePercent(lin.Predict(test.x, options.threads), test.y);
    // The same trees on the schema-1 columns only (the later ones missing), so that what the
    // later features add is measured on the same moves.
    if (data.feature_schema > 1) {
      auto schema1 = [](std::vector<learned::Features> x) {
        for (learned::Features& f : x) {
          std::fill(f.begin() + learned::kSchema1Features, f.end(),
                    std::numeric_limits<float>::quiet_NaN());
        }
        return x;
      };
      const learned::Model s1 =
          learned::Model::Train(schema1(train.x), train.y, options, info, train.direct);
      out.schema1_pct = learned::MaePercent(s1.Predict(schema1(test.x), options.threads), test.y);
    }
    // Drift: well above what held-out stations showed, and never below 8 %.
    mi.drift_threshold_pct = std::max(8.0, 2.0 * mi.heldout_mae_pct);
  }
  model.Save(folder);
  out.info = mi;
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

// The labels' own spread of every data set (learned::MeasureLabelSpread) on its held-out
// stations, all of its stations when none is held out, with one progress bar. `options` gives
// the replans, seed and threads. False when Ctrl-C stopped it (*exit_code set, "interrupted"
// printed).
bool MeasureSpreads(const std::vector<learned::Dataset>& datasets,
                    const std::vector<cell::Cell>& cells, learned::LabelSpreadOptions options,
                    const GlobalOptions& global, int* exit_code,
                    std::vector<std::optional<learned::LabelSpread>>* spreads) {
  const std::atomic<bool>& interrupted = CatchInterrupt();
  StageBars bars(!global.quiet && !global.json);
  options.progress = bars.MakeProgress(&interrupted);
  for (std::size_t k = 0; k < datasets.size(); ++k) {
    const learned::Dataset& d = datasets[k];
    if (d.travel_plans != motion::kTravelPlans && !global.quiet) {
      std::cerr << fmt::format(
          "weldcell train: warning: the labels of {} with {} are the fastest of up to {} plans "
          "per move, the motion stage plans up to {}: the label spread mixes the two\n",
          d.robot_model, d.tool, d.travel_plans, motion::kTravelPlans);
    }
    const int first_heldout = HeldOutFrom(static_cast<int>(d.cells.size()));
    options.first_cell = first_heldout < static_cast<int>(d.cells.size()) ? first_heldout : 0;
    (*spreads)[k] = learned::MeasureLabelSpread(d, cells, options);
    if (StopIfInterrupted(interrupted, &bars, exit_code)) return false;
  }
  bars.Finish();
  return true;
}

std::string Slug(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return s;
}

}  // namespace

void RegisterTrain(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train the learned travel-time model: plan travel moves of every robot in the cells, "
      "store them (OUT/data.csv), train XGBoost trees on all but the last fifth of the cells "
      "and measure the error on those held-out stations; writes OUT/model.json + "
      "OUT/metadata.json (one subfolder per robot model and tool when there are several)");
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
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("cells", args->cells,
                  "Cell YAML files; held-out stations are the last ones. With --data: the cells "
                  "the data came from (matched by hash), to recompute the features");
  cmd->add_option("--data", args->data,
                  "Retrain from data.csv files of an earlier run instead of planning")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", args->out, "Model folder, e.g. models/kr210-x_gun (created)")
      ->required();
  cmd->add_option("-j,--jobs", args->jobs,
                  "Worker threads (0 = one per hardware thread); the data and the "
                  "model do not depend on it")
      ->transform(WholeNumber(0, kMaxJobs));
  cmd->add_option("--seed", args->seed, "Seed of the moves, the planner and XGBoost")
      ->capture_default_str()
      ->transform(WholeNumber(0, kMaxSeed));
  cmd->add_option("--moves", args->moves, "Planned moves per robot and cell")
      ->transform(WholeNumber(10, 1000000))
      ->capture_default_str();
  cmd->add_option("--rounds", args->rounds, "Boosting rounds")
      ->transform(WholeNumber(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-depth", args->max_depth, "Depth of the trees")
      ->transform(WholeNumber(1, 20))
      ->capture_default_str();
  cmd->add_option("--eta", args->eta, "Learning rate")
      ->check(FiniteRange(0.001, 1.0, ""))
      ->capture_default_str();
  cmd->add_option("--name", args->name, "Model name (default: the output folder's name)");
  cmd->add_option("--evaluate", args->evaluate,
                  "Train nothing: measure the models under DIR on the moves of these cells "
                  "(stations they were not trained on), beside the analytic estimate")
      ->type_name("DIR");
  cmd->add_option("--label-spread", args->label_spread,
                  "Also plan every held-out move (every move when no station is held out) again "
                  "with N other planner seeds and report how much its durations differ: the "
                  "error of a predictor that knew each move's mean duration, what the labels' own "
                  "spread leaves for any model (needs the cell files and data of format 2; not "
                  "with --evaluate; slow: N plannings of those moves)")
      ->transform(WholeNumber(0, 100))
      ->type_name("N");
  cmd->callback([&global, exit_code, args] {
    if (args->cells.empty() && args->data.empty()) {
      throw InputError({{.message = "train: give cell files, or --data files (and, to recompute "
                                    "their features, the cell files they came from)"}});
    }
    CheckOutputFolder(args->out, "--out");
    const std::filesystem::path out(args->out);
    const std::string name = args->name.empty() ? FolderName(out) : args->name;
    const auto t0 = Clock::now();
    std::vector<learned::Dataset> datasets;
    learned::DataStats stats;
    bool planned = false;
    if (args->label_spread > 0 && !args->evaluate.empty()) {
      throw InputError({{.message = "--label-spread measures the spread of training labels; "
                                    "--evaluate trains nothing: give one of the two"}});
    }
    if (args->label_spread > 0 && args->cells.empty()) {
      throw InputError({{.message = "--label-spread: give the cell files the data came from (the "
                                    "moves are planned again in them)"}});
    }
    std::vector<cell::Cell> cells;
    std::map<std::string, std::string> file_of_hash;
    for (const std::string& f : args->cells) {
      cell::Loaded<cell::Cell> loaded = cell::LoadCell(f, CellLoadOptions(global));
      for (const Diagnostic& d : loaded.warnings) std::cerr << d.ToString() << '\n';
      // A station given twice would be trained on and held out at once.
      const auto [first, inserted] = file_of_hash.emplace(plan::CellHash(loaded.value), f);
      if (!inserted) {
        throw InputError({{.where = {.file = f},
                           .message = fmt::format("the same station as {} (hash {}): give each "
                                                  "station once",
                                                  first->second, first->first)}});
      }
      cells.push_back(std::move(loaded.value));
    }
    if (!args->data.empty()) {
      // With cell files: the cells the data came from, to recompute the features of this
      // weldcell's schema from the stored configurations (no planning).
      // Files of the same robot model and tool (e.g. two runs on other stations) are one data
      // set, cells in the order given.
      for (const std::string& f : args->data) {
        learned::Dataset d = learned::ReadDataset(f);
        if (args->label_spread > 0 && d.format < 2) {
          throw InputError(
              {{.where = {.file = f, .line = 1, .column = 1},
                .message = "--label-spread: data format 1 stores no joint configurations, so its "
                           "moves cannot be planned again: plan the data anew (weldcell train "
                           "CELL.yaml...)"}});
        }
        if (!cells.empty()) {
          learned::RefeaturizeDataset(d, cells, f, args->jobs);
        } else if (d.feature_schema != learned::kFeatureSchemaVersion && !global.quiet) {
          std::cerr << fmt::format(
              "weldcell train: warning: {}: features of schema {}, not this weldcell's {}: the "
              "model is of schema {}, which weldcell plan refuses; give the cell files the data "
              "came from to recompute the features\n",
              f, d.feature_schema, learned::kFeatureSchemaVersion, d.feature_schema);
        }
        if (!datasets.empty() && d.feature_schema != datasets.front().feature_schema) {
          throw InputError(
              {{.where = {.file = f},
                .message = fmt::format("features of schema {}, the files before "
                                       "of schema {}: give the cell files to "
                                       "recompute them",
                                       d.feature_schema, datasets.front().feature_schema)}});
        }
        auto same = std::find_if(datasets.begin(), datasets.end(), [&](const learned::Dataset& e) {
          return e.robot_hash == d.robot_hash && e.tool_hash == d.tool_hash;
        });
        if (same == datasets.end()) {
          datasets.push_back(std::move(d));
          continue;
        }
        if (d.travel_plans != same->travel_plans) {
          throw InputError(
              {{.where = {.file = f},
                .message = fmt::format(
                    "labels are the fastest of up to {} plans per move, those of the files before "
                    "for {} with {} of {}: plan the moves again (weldcell train CELL.yaml...)",
                    d.travel_plans, d.robot_model, d.tool, same->travel_plans)}});
        }
        for (const std::string& c : d.cells) {
          if (std::find(same->cells.begin(), same->cells.end(), c) != same->cells.end()) {
            throw InputError(
                {{.where = {.file = f},
                  .message = fmt::format("station {} is also in a data file before it: give "
                                         "each station's moves once",
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
    } else {
      const std::atomic<bool>& interrupted = CatchInterrupt();
      StageBars bars(!global.quiet && !global.json);
      datasets = learned::MakeDatasets(cells,
                                       {.moves_per_robot = args->moves,
                                        .seed = args->seed,
                                        .threads = args->jobs,
                                        .progress = bars.MakeProgress(&interrupted)},
                                       &stats);
      if (StopIfInterrupted(interrupted, &bars, exit_code)) return;
      bars.Finish();
      planned = true;
    }
    const double data_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (planned && !global.quiet && !global.json) {
      // Where the data's time went: the moves without a path are the expensive ones.
      const int moves = stats.solved + stats.failed;
      const double worker = stats.solved_seconds + stats.failed_seconds;
      std::cout << fmt::format(
          "planned {} moves in {:.1f} s ({:.1f} moves per minute; preparation {:.1f} s): {} "
          "with a path ({} by the whole-range search) took {:.0f} % of the planning time, {} "
          "without one {:.0f} %\n",
          moves, data_seconds, 60.0 * moves / std::max(1e-9, data_seconds), stats.prepare_seconds,
          stats.solved, stats.wide, 100.0 * stats.solved_seconds / std::max(1e-9, worker),
          stats.failed, 100.0 * stats.failed_seconds / std::max(1e-9, worker));
    }
    nlohmann::ordered_json json = nlohmann::ordered_json::array();
    if (!args->evaluate.empty()) {
      std::vector<learned::Model> models;
      for (const std::filesystem::path& p : learned::FindModels(args->evaluate)) {
        models.push_back(learned::Model::Load(p));
      }
      for (const learned::Dataset& d : datasets) {
        std::filesystem::create_directories(out);
        learned::WriteDataset(d, out / ("data-" + Slug(d.robot_model + "-" + d.tool) + ".csv"));
        std::vector<learned::Features> x;
        std::vector<double> y, analytic;
        for (const learned::Sample& s : d.samples) {
          x.push_back(s.x);
          y.push_back(s.duration);
          analytic.push_back(s.x[learned::kFeatureTMax]);
        }
        const learned::Model* model = nullptr;
        for (const learned::Model& m : models) {
          if (m.info().robot_hash == d.robot_hash && m.info().tool_hash == d.tool_hash) model = &m;
        }
        if (model && model->info().travel_plans != d.travel_plans) {
          std::cerr << fmt::format(
              "weldcell train: warning: {} learned the fastest of up to {} plans per move, these "
              "moves are the fastest of up to {}: its error includes that difference\n",
              model->info().name, model->info().travel_plans, d.travel_plans);
        }
        const double analytic_pct = learned::MaePercent(analytic, y);
        const auto p0 = Clock::now();
        const std::vector<double> predicted =
            model ? model->Predict(x, args->jobs) : std::vector<double>();
        const double predict_us = 1e6 * std::chrono::duration<double>(Clock::now() - p0).count() /
                                  std::max<double>(1.0, static_cast<double>(x.size()));
        const double learned_pct = model ? learned::MaePercent(predicted, y) : -1.0;
        const std::optional<double> learned_bias =
            model ? std::optional<double>(learned::BiasPercent(predicted, y)) : std::nullopt;
        const double analytic_bias = learned::BiasPercent(analytic, y);
        std::string worst;
        const double out_of_range =
            model ? learned::OutOfRangeFraction(model->info(), x, &worst) : 0;
        if (global.json) {
          json.push_back({{"robot_model", d.robot_model},
                          {"tool", d.tool},
                          {"model", model ? model->info().name : ""},
                          {"moves", x.size()},
                          {"learned_pct", learned_pct},
                          {"analytic_pct", analytic_pct},
                          {"learned_bias_pct", learned_bias ? nlohmann::ordered_json(*learned_bias)
                                                            : nlohmann::ordered_json(nullptr)},
                          {"analytic_bias_pct", analytic_bias},
                          {"out_of_range", out_of_range},
                          {"predict_us_per_move", predict_us}});
        } else {
          std::cout << fmt::format(
              "{} with {}: {} moves: {} {:.1f} %, analytic {:.1f} % mean error (signed: {:+.1f} "
              "%, {:+.1f} %); {:.0f} % of the moves out of the training range; prediction {:.1f} "
              "µs per move\n",
              d.robot_model, d.tool, x.size(), model ? model->info().name : "(no model)",
              learned_pct, analytic_pct, learned_bias.value_or(0.0), analytic_bias,
              100.0 * out_of_range, predict_us);
        }
      }
      if (global.json) PrintJson(json, std::cout);
      *exit_code = kExitOk;
      return;
    }
    // Measured before anything is written, so that Ctrl-C leaves no model behind.
    std::vector<std::optional<learned::LabelSpread>> spreads(datasets.size());
    if (args->label_spread > 0 &&
        !MeasureSpreads(datasets, cells,
                        {.replans = args->label_spread, .seed = args->seed, .threads = args->jobs},
                        global, exit_code, &spreads)) {
      return;
    }
    auto folder_of = [&](const learned::Dataset& d) {
      return datasets.size() == 1 ? out : out / Slug(d.robot_model + "-" + d.tool);
    };
    // Every model's folder and files can be written, checked before the first is: a file where
    // a folder goes (or the reverse) would otherwise stop the run with some models written.
    for (const learned::Dataset& d : datasets) {
      const std::filesystem::path folder = folder_of(d);
      CheckOutputFolder(folder, "--out");
      for (const char* file : {"data.csv", "model.json", "direct.json", "metadata.json"}) {
        CheckOutputFile(folder / file, "--out");
      }
    }
    for (std::size_t k = 0; k < datasets.size(); ++k) {
      const learned::Dataset& d = datasets[k];
      const std::optional<learned::LabelSpread>& spread = spreads[k];
      const std::filesystem::path folder = folder_of(d);
      const std::string model_name =
          datasets.size() == 1 ? name : name + "/" + folder.filename().string();
      // The moves trained on and held out (merged when --data gave several files).
      std::filesystem::create_directories(folder);
      learned::WriteDataset(d, folder / "data.csv");
      const Trained t = TrainOne(d, model_name, folder,
                                 {.rounds = args->rounds,
                                  .max_depth = args->max_depth,
                                  .eta = args->eta,
                                  .seed = args->seed,
                                  .threads = args->jobs});
      const bool heldout = t.info.heldout_samples > 0;
      nlohmann::ordered_json spread_json = nullptr;
      if (spread) {
        // NaN (no move measured) is written as null.
        spread_json = {{"moves", spread->moves},          {"unsolved", spread->unsolved},
                       {"plans_per_move", spread->plans}, {"heldout", heldout},
                       {"floor_pct", spread->floor_pct},  {"replan_pct", spread->replan_pct}};
      }
      if (global.json) {
        json.push_back({{"folder", t.folder.string()},
                        {"robot_model", d.robot_model},
                        {"tool", d.tool},
                        {"moves", d.samples.size()},
                        {"failed", d.failed},
                        {"train_moves", t.train_rows},
                        {"heldout_moves", t.info.heldout_samples},
                        {"heldout_mae_pct", t.info.heldout_mae_pct},
                        {"heldout_analytic_pct", t.info.heldout_analytic_pct},
                        {"heldout_linear_pct", t.linear_pct},
                        {"heldout_schema1_pct", t.schema1_pct},
                        {"label_spread", spread_json},
                        {"data_seconds", data_seconds},
                        {"train_seconds", t.seconds}});
      } else if (!global.quiet) {
        std::cout << fmt::format(
            "{}: {} with {}: {} moves ({} without a path), trained on {} of {} station(s)\n",
            t.folder.string(), d.robot_model, d.tool, d.samples.size(), d.failed, t.train_rows,
            d.cells.size());
        if (t.info.heldout_samples > 0) {
          std::cout << fmt::format(
              "  held-out stations ({} moves): mean error {:.1f} % (analytic {:.1f} %, linear "
              "{:.1f} %, trees on the schema-1 features {:.1f} %); drift threshold {:.1f} %\n",
              t.info.heldout_samples, t.info.heldout_mae_pct, t.info.heldout_analytic_pct,
              t.linear_pct, t.schema1_pct, t.info.drift_threshold_pct);
        } else {
          std::cout << "  no held-out station (give two or more cells to measure the error)\n";
        }
        if (spread && spread->moves == 0) {
          std::cout << fmt::format(
              "  label spread: no move measured ({} left out: a new plan found no path)\n",
              spread->unsolved);
        } else if (spread) {
          std::cout << fmt::format(
              "  label spread ({} moves{} planned {} more time(s), {} left out: a new plan found "
              "no path): a predictor of each move's mean duration would be off by {:.1f} % (the "
              "labels' own spread{}); planning a move once more as its prediction {:.1f} %\n",
              spread->moves, heldout ? " of the held-out stations" : "", spread->plans - 1,
              spread->unsolved, spread->floor_pct,
              heldout ? ", under the held-out error of any model predicting means" : "",
              spread->replan_pct);
        }
        std::cout << fmt::format("  time: data {:.1f} s, training {:.1f} s\n", data_seconds,
                                 t.seconds);
      }
    }
    if (global.json) PrintJson(json, std::cout);
    *exit_code = kExitOk;
  });
}

void RegisterModels(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("models", "List or show the learned travel models");
  cmd->require_subcommand(1);
  auto root = std::make_shared<std::string>("models");
  CLI::App* list = cmd->add_subcommand("list", "One line per model found under DIR");
  list->add_option("dir", *root, "Models folder")->capture_default_str();
  auto folder = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "The metadata of one model");
  show->add_option("model", *folder, "Model folder (holds metadata.json)")->required();
  list->callback([&global, exit_code, root] {
    if (std::error_code ec; !std::filesystem::is_directory(*root, ec)) {
      throw InputError({{.where = {.file = *root},
                         .key_path = "dir",
                         .message = "no such folder (the models folder to list)"}});
    }
    nlohmann::ordered_json json = nlohmann::ordered_json::array();
    for (const std::filesystem::path& p : learned::FindModels(*root)) {
      const learned::Model m = learned::Model::Load(p);
      const learned::ModelInfo& i = m.info();
      if (global.json) {
        json.push_back({{"folder", p.string()},
                        {"name", i.name},
                        {"robot_model", i.robot_model},
                        {"tool", i.tool},
                        {"feature_schema", i.feature_schema},
                        {"training_samples", i.training_samples},
                        {"heldout_mae_pct", i.heldout_mae_pct},
                        {"created", i.created}});
      } else {
        std::cout << fmt::format("{}  {} + {}  schema {}  {} moves  held-out error {:.1f} %  {}\n",
                                 p.string(), i.robot_model, i.tool, i.feature_schema,
                                 i.training_samples, i.heldout_mae_pct, i.created);
      }
    }
    if (global.json) PrintJson(json, std::cout);
    *exit_code = kExitOk;
  });
  show->callback([&global, exit_code, folder] {
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
          "feature schema:    {}\nbooster:           {}\ntrained on:        {}\n"
          "held out:          {}\nseed:              {}\ntraining moves:    {} (hash {})\n"
          "held-out error:    {:.2f} % over {} moves (analytic {:.2f} %)\n"
          "drift threshold:   {:.1f} %\nlabels:            resolution {} m, blend {} rad, "
          "speed scale {}, fastest of up to {} plans per move\ncreated:           {} by weldcell "
          "{}\n",
          i.name, i.robot_model, i.robot_hash, i.tool, i.tool_hash, i.feature_schema, i.booster,
          join(i.training_cells), join(i.heldout_cells), i.seed, i.training_samples,
          i.training_hash, i.heldout_mae_pct, i.heldout_samples, i.heldout_analytic_pct,
          i.drift_threshold_pct, i.resolution, i.blend_tolerance, i.speed_scale, i.travel_plans,
          i.created, i.weldcell_version);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace weldcell::cli
