// The model's files: Save writes a whole model or nothing, Load names the key and what it found,
// FindModels takes only weldcell's models.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/learned/features.hpp"
#include "planner/learned/model.hpp"
#include "tests/planner/learned/learned_cells.hpp"
#include "tests/scratch.hpp"

namespace weldcell::learned {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path Folder(const std::string& name) {
  fs::path p = weldcell::testing::ScratchPath("model_files_" + name);
  fs::remove_all(p);
  return p;
}

std::string Read(const fs::path& file) {
  std::string text;
  std::getline(std::ifstream(file, std::ios::binary), text, '\0');
  return text;
}

// A small model of synthetic rows (a relation the trees learn) for the test cell's arm.
Model SmallModel(const std::string& name, bool direct = false) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<Features> x;
  std::vector<double> y;
  std::vector<bool> free;
  for (int i = 0; i < 60; ++i) {
    Features f{};
    for (int k = 0; k < kNumFeatures; ++k) f[k] = u(rng);
    f[kFeatureTMax] = 0.2f + 2.0f * u(rng);
    x.push_back(f);
    free.push_back(i % 3 == 0);
    y.push_back(free.back() ? f[kFeatureTMax] : 1.3 * f[kFeatureTMax]);
  }
  const cell::Cell c = testing::TablesCell(false);
  const cell::Robot& robot = c.robots[0];
  return Model::Train(x, y, {.rounds = 5, .seed = 2},
                      {.name = name,
                       .robot_model = robot.model->name,
                       .robot_hash = RobotHash(robot),
                       .tool = robot.tool.name,
                       .tool_hash = ToolHash(robot.tool)},
                      direct ? free : std::vector<bool>{});
}

// The small model folder the `model` fuzz target (fuzz/model_fuzz.cpp) copies and the tests of
// broken model files start from: trees of 5 rounds (depth 3) and a classifier of direct moves,
// for the arm and gun of tests/planner/cell/good/cell.yaml, so that a metadata.json the fuzzer
// leaves valid reaches prediction as `weldcell plan` would.
const fs::path kTinyModel = "tests/planner/learned/tiny_model";

// The rows kTinyModel was trained on: features in [0, 1), t_max 0.2–2.2 s; every third move
// direct (t_max), the others (1.1 + 0.8 t_j1) t_max (so that the trees split).
Model TinyModel(const cell::Robot& robot) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<Features> x;
  std::vector<double> y;
  std::vector<bool> direct;
  for (int i = 0; i < 60; ++i) {
    Features f{};
    for (int k = 0; k < kNumFeatures; ++k) f[k] = u(rng);
    f[kFeatureTMax] = 0.2f + 2.0f * u(rng);
    x.push_back(f);
    direct.push_back(i % 3 == 0);
    y.push_back(direct.back() ? f[kFeatureTMax] : (1.1 + 0.8 * f[0]) * f[kFeatureTMax]);
  }
  return Model::Train(x, y, {.rounds = 5, .max_depth = 3, .seed = 3},
                      {.name = "tiny",
                       .robot_model = robot.model->name,
                       .robot_hash = RobotHash(robot),
                       .tool = robot.tool.name,
                       .tool_hash = ToolHash(robot.tool),
                       .training_cells = {"synthetic rows"},
                       .weldcell_version = "0.1.0",
                       .created = "2026-12-06"},
                      direct);
}

void Write(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

// The message Load throws for the folder ("" when it loads).
std::string LoadError(const fs::path& folder) {
  try {
    (void)Model::Load(folder);
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not an InputError: ") + e.what();
  }
  return "";
}

std::map<std::string, std::string> Files(const fs::path& folder) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(folder)) {
    out[e.path().filename().string()] = Read(e.path());
  }
  return out;
}

// A name with a byte that is not UTF-8 (nlohmann's dump throws on it) left the new trees
// beside the metadata.json of the model that was there, which then loaded as that model.
TEST(LearnedModelFiles, SaveWritesAWholeModelOrNothing) {
  const fs::path folder = Folder("save_whole");
  SmallModel("old", /*direct=*/true).Save(folder);
  const std::map<std::string, std::string> before = Files(folder);
  ASSERT_EQ(before.size(), 3u);  // model.json, direct.json, metadata.json
  for (const char* field : {"name", "training_cells"}) {
    Model bad = SmallModel("new");
    if (std::string(field) == "name") {
      bad.mutable_info().name = "new\xff";
    } else {
      bad.mutable_info().training_cells = {"g1", "g\xff"};
    }
    try {
      bad.Save(folder);
      ADD_FAILURE() << field << ": a name that is not UTF-8 was saved";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(),
                  HasSubstr((folder / "metadata.json").string() + ": error: " +
                            (std::string(field) == "name" ? "name" : "training_cells[1]") +
                            ": expected UTF-8 text, got \""));
      EXPECT_THAT(e.what(), HasSubstr("(nothing written)"));
    }
    EXPECT_EQ(Files(folder), before) << field;
  }
  EXPECT_EQ(Model::Load(folder).info().name, "old");
  // The training data goes with the model (`weldcell train`): with a folder in the way of one
  // of the model's files, the old data stays beside the old model (a full disk left new data
  // beside the old model, the old data lost).
  std::ofstream(folder / "data.csv") << "old data\n";
  fs::remove(folder / "direct.json");
  fs::create_directories(folder / "direct.json");
  EXPECT_ANY_THROW(SmallModel("new", /*direct=*/true)
                       .Save(folder, {{.path = folder / "data.csv", .contents = "new data\n"}}));
  EXPECT_EQ(Read(folder / "data.csv"), "old data\n");
  EXPECT_EQ(Read(folder / "model.json"), before.at("model.json"));
  fs::remove(folder / "direct.json");
  // A good model replaces the old one whole, its classifier too.
  SmallModel("new").Save(folder);
  EXPECT_EQ(Model::Load(folder).info().name, "new");
  EXPECT_FALSE(fs::exists(folder / "direct.json"));
  fs::remove_all(folder);
}

// A fresh user copied another model's model.json into a model's folder: it loaded as this
// model (for this robot and gun). metadata.json records the hash of each booster file it was
// saved with, and Load refuses another file; a model saved before (no hashes, as the tiny
// fixture) loads as before.
TEST(LearnedModelFiles, ABoosterFileOfAnotherModelIsRefused) {
  const fs::path folder = Folder("swapped_trees");
  SmallModel("mine", /*direct=*/true).Save(folder);
  const std::string meta = Read(folder / "metadata.json");
  EXPECT_THAT(meta, ::testing::ContainsRegex("\"model_hash\": \"[0-9a-f]{16}\""));
  EXPECT_THAT(meta, ::testing::ContainsRegex("\"direct_hash\": \"[0-9a-f]{16}\""));
  ASSERT_EQ(LoadError(folder), "");
  for (const char* file : {"model.json", "direct.json"}) {
    SCOPED_TRACE(file);
    const std::string own = Read(folder / file);
    fs::copy_file(kTinyModel / file, folder / file, fs::copy_options::overwrite_existing);
    EXPECT_THAT(LoadError(folder),
                HasSubstr((folder / file).string() +
                          ": error: not the file this model's metadata.json was saved with"));
    Write(folder / file, own);
    EXPECT_EQ(LoadError(folder), "");
  }
  ASSERT_EQ(LoadError(kTinyModel), "");
  EXPECT_THAT(Read(kTinyModel / "metadata.json"), Not(HasSubstr("model_hash")));
  fs::remove_all(folder);
}

// Each key is read as what it is: the message names the key, what was expected and what was
// found. They all said "malformed model metadata: [json.exception.type_error.302] type must be
// number, but is string"; 1e10 plans read as -2147483648, 1.5 moves as 1.
TEST(LearnedModelFiles, MetadataKeysOfTheWrongTypeOrRangeAreRefusedNamingTheKey) {
  const fs::path folder = Folder("metadata_types");
  SmallModel("m").Save(folder);
  const std::string original = Read(folder / "metadata.json");
  ASSERT_EQ(LoadError(folder), "");
  const std::string file = (folder / "metadata.json").string() + ": error: ";
  // (key, value as JSON text, message after "file: error: "); a null value: the key removed.
  const std::vector<std::vector<std::string>> cases = {
      {"resolution", "\"0.005\"", "resolution: expected a number, got \"0.005\""},
      {"travel_plans", "\"6\"",
       "travel_plans: expected a whole number from 1 to 2147483647, got \"6\""},
      {"travel_plans", "2.7",
       "travel_plans: expected a whole number from 1 to 2147483647, got 2.7"},
      {"travel_plans", "1e10",
       "travel_plans: expected a number of plans, at most 2147483647, got 1e+10"},
      {"travel_plans", "0", "travel_plans: expected a number of plans, at least 1, got 0"},
      {"direct_classifier", "\"yes\"", "direct_classifier: expected true or false, got \"yes\""},
      {"training_cells", "\"g1\"", "training_cells: expected a list of text, got \"g1\""},
      {"training_cells", "[\"g1\", 5]", "training_cells[1]: expected text, got 5"},
      {"created", "5", "created: expected text, got 5"},
      {"training_samples", "1e30",
       "training_samples: expected a number of moves, at most 9223372036854775807, got 1e+30"},
      {"training_samples", "1.5",
       "training_samples: expected a whole number from 0 to 9223372036854775807, got 1.5"},
      {"feature_schema", "2.9",
       "feature_schema: expected a whole number from 1 to 2147483647, got 2.9"},
      {"seed", "-1", "seed: expected a whole number, at least 0, got -1"},
      {"feature_min", "[0, \"x\"]", "feature_min[1]: expected a number, got \"x\""},
      {"resolution", "", "resolution: missing"},
      {"drift_treshold_pct", "8", "drift_treshold_pct: unknown key"},
      {"name", "", "name: missing"}};
  for (const std::vector<std::string>& c : cases) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(original);
    if (c[1].empty()) {
      j.erase(c[0]);
    } else {
      j[c[0]] = nlohmann::ordered_json::parse(c[1]);
    }
    Write(folder / "metadata.json", j.dump(1));
    EXPECT_THAT(LoadError(folder), HasSubstr(file + c[2])) << c[0] << " = " << c[1];
    EXPECT_THAT(LoadError(folder), Not(HasSubstr("json.exception"))) << c[0] << " = " << c[1];
  }
  // Every problem of the file is said, not only the first.
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(original);
  j["resolution"] = "0.005";
  j["created"] = 5;
  Write(folder / "metadata.json", j.dump(1));
  EXPECT_THAT(LoadError(folder), HasSubstr(file + "resolution: "));
  EXPECT_THAT(LoadError(folder), HasSubstr(file + "created: "));
  // Whole numbers written as 6.0 are whole; keys files of older versions lack are optional.
  j = nlohmann::ordered_json::parse(original);
  j["travel_plans"] = 6.0;
  Write(folder / "metadata.json", j.dump(1));
  ASSERT_EQ(LoadError(folder), "");
  EXPECT_EQ(Model::Load(folder).info().travel_plans, 6);
  j.erase("travel_plans");
  j.erase("direct_classifier");
  Write(folder / "metadata.json", j.dump(1));
  ASSERT_EQ(LoadError(folder), "");
  EXPECT_EQ(Model::Load(folder).info().travel_plans, kUnrecordedTravelPlans);
  EXPECT_FALSE(Model::Load(folder).info().direct_classifier);
  // A key twice (a refused value before the real one was read as the real one): refused.
  std::string twice = original;
  const std::size_t at = twice.find("\"drift_threshold_pct\"");
  ASSERT_NE(at, std::string::npos);
  twice.insert(at, "\"drift_threshold_pct\": -5, ");
  Write(folder / "metadata.json", twice);
  EXPECT_THAT(LoadError(folder),
              HasSubstr(file + "malformed model metadata: drift_threshold_pct: the key appears "
                               "twice in one object"));
  fs::remove_all(folder);
}

// Held-out figures that contradict each other and a feature list other than the schema's were
// loaded; a model without held-out stations is saved as one (-1, 0 moves) and loads.
TEST(LearnedModelFiles, ContradictionsAreRefusedAndSavesOwnOutputLoads) {
  const fs::path folder = Folder("metadata_contradictions");
  SmallModel("m").Save(folder);  // no station held out
  const std::string original = Read(folder / "metadata.json");
  ASSERT_EQ(LoadError(folder), "");
  {
    const nlohmann::json j = nlohmann::json::parse(original);
    EXPECT_EQ(j["heldout_samples"], 0);
    EXPECT_EQ(j["heldout_mae_pct"], -1);
    EXPECT_EQ(j["heldout_analytic_pct"], -1);
  }
  const std::string file = (folder / "metadata.json").string() + ": error: ";
  auto edited = [&](const std::map<std::string, std::string>& edits) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(original);
    for (const auto& [key, value] : edits) j[key] = nlohmann::ordered_json::parse(value);
    Write(folder / "metadata.json", j.dump(1));
    return LoadError(folder);
  };
  EXPECT_THAT(edited({{"heldout_samples", "14"}}),
              HasSubstr(file + "heldout_mae_pct: expected a percentage, at least 0, for the 14 "
                               "held-out moves (heldout_samples), got -1"));
  EXPECT_THAT(edited({{"heldout_mae_pct", "12.5"}}),
              HasSubstr(file + "heldout_mae_pct: expected -1 (no station held out: "
                               "heldout_samples is 0), got 12.5"));
  EXPECT_EQ(
      edited(
          {{"heldout_samples", "14"}, {"heldout_mae_pct", "12.5"}, {"heldout_analytic_pct", "20"}}),
      "");
  nlohmann::json names = nlohmann::json::array();
  for (std::string_view f : kFeatureNames) names.push_back(std::string(f));
  nlohmann::json swapped = names;
  std::swap(swapped[0], swapped[1]);
  EXPECT_THAT(edited({{"features", swapped.dump()}}),
              HasSubstr(file + "features: expected the " + std::to_string(kNumFeatures) +
                        " feature names of schema " + std::to_string(kFeatureSchemaVersion) +
                        " in order, got \"t_j2\" as name 1 (\"t_j1\" expected)"));
  nlohmann::json shorter = names;
  shorter.erase(shorter.size() - 1);
  EXPECT_THAT(edited({{"features", shorter.dump()}}), HasSubstr(file + "features: expected the "));
  EXPECT_THAT(edited({{"features", "[]"}}), HasSubstr(file + "features: expected the "));
  // Save refuses what Load would, before writing anything.
  edited({});
  const std::map<std::string, std::string> before = Files(folder);
  Model contradiction = SmallModel("other");
  contradiction.mutable_info().heldout_samples = 14;
  try {
    contradiction.Save(folder);
    ADD_FAILURE() << "held-out moves without their error were saved";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file + "heldout_mae_pct: expected a percentage"));
  }
  EXPECT_EQ(Files(folder), before);
  fs::remove_all(folder);
}

// A model.json cut short said XGBoost's "[04:01:05] ./src/learner.cc:1017: Check failed: …" (a
// wall-clock time: another message every run) or "map::at"; a folder where it goes was "not an
// XGBoost model".
TEST(LearnedModelFiles, ABrokenModelJsonIsSaidStablyAndAFolderAsAFolder) {
  const fs::path folder = Folder("broken_trees");
  SmallModel("m").Save(folder);
  const std::string trees = Read(folder / "model.json");
  const std::string where = (folder / "model.json").string() + ": error: ";
  for (const std::string& text : {trees.substr(0, trees.size() / 2), std::string("{}"),
                                  std::string("[1, 2]"), std::string()}) {
    Write(folder / "model.json", text);
    const std::string message = LoadError(folder);
    EXPECT_THAT(message, HasSubstr(where + "not an XGBoost model: ")) << text.size();
    EXPECT_THAT(message, HasSubstr(text.size() > 6 || text.empty()
                                       ? "not JSON (parse error at line 1, column "
                                       : "learner: expected an object"))
        << text;
    EXPECT_THAT(message, Not(::testing::ContainsRegex(R"(\[[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\])")));
    EXPECT_THAT(message, Not(::testing::ContainsRegex(R"(\.(cc|h):[0-9]+:)")));
    EXPECT_THAT(message, Not(HasSubstr("Stack trace")));
    EXPECT_THAT(message, Not(HasSubstr("\n")));
    EXPECT_EQ(LoadError(folder), message) << "the same message every time";
  }
  // A key twice (XGBoost kept the last: an edited base_score changed every prediction).
  std::string twice = trees;
  const std::size_t at = twice.find("\"base_score\"");
  ASSERT_NE(at, std::string::npos);
  twice.insert(at, "\"base_score\":\"9E-1\",");
  Write(folder / "model.json", twice);
  EXPECT_EQ(LoadError(folder), where +
                                   "not an XGBoost model: the key base_score appears twice in one "
                                   "object (which value is meant cannot be told)");
  fs::remove(folder / "model.json");
  fs::create_directory(folder / "model.json");
  EXPECT_EQ(LoadError(folder),
            where + "is a directory, expected the model's XGBoost trees (a file)");
  fs::remove(folder / "model.json");
  EXPECT_EQ(LoadError(folder), where + "file not found (expected the model's XGBoost trees)");
  // A device (/dev/zero filled memory until killed) or a FIFO (blocked forever) is not read.
  fs::create_symlink("/dev/zero", folder / "model.json");
  EXPECT_EQ(LoadError(folder), where +
                                   "is not a regular file (a device, FIFO or socket), expected "
                                   "the model's XGBoost trees");
  fs::remove(folder / "model.json");
  ASSERT_EQ(::mkfifo((folder / "model.json").c_str(), 0600), 0);
  EXPECT_THAT(LoadError(folder), HasSubstr(where + "is not a regular file"));
  // The same for metadata.json; a FIFO there beside a model.json is listed, not skipped.
  fs::remove(folder / "model.json");
  SmallModel("m").Save(folder);
  fs::remove(folder / "metadata.json");
  ASSERT_EQ(::mkfifo((folder / "metadata.json").c_str(), 0600), 0);
  EXPECT_EQ(LoadError(folder), (folder / "metadata.json").string() +
                                   ": error: is not a regular file (a device, FIFO or socket), "
                                   "expected the model's metadata");
  EXPECT_THAT(FindModels(folder.parent_path()), ::testing::Contains(folder));
  fs::remove(folder / "metadata.json");
  fs::create_directory(folder / "metadata.json");
  EXPECT_EQ(LoadError(folder), (folder / "metadata.json").string() +
                                   ": error: is a directory, expected the model's metadata (a "
                                   "file)");
  EXPECT_THAT(FindModels(folder.parent_path()), ::testing::Contains(folder))
      << "a folder named metadata.json beside a model.json was skipped without a word";
  fs::remove_all(folder);
}

// A website's metadata.json was listed as a model (and removed by `train --force`).
TEST(LearnedModelFiles, OnlyWeldcellModelsAreFound) {
  const fs::path root = Folder("find");
  SmallModel("a").Save(root / "a");
  SmallModel("b").Save(root / "deeper" / "b");
  // Someone else's: a website's, a TensorFlow.js export beside its model.json, another format.
  fs::create_directories(root / "site");
  Write(root / "site" / "metadata.json", R"({"title": "Our cell", "author": "x"})");
  fs::create_directories(root / "tfjs");
  Write(root / "tfjs" / "metadata.json", R"({"tfjsVersion": "1.3.1", "modelName": "m"})");
  Write(root / "tfjs" / "model.json", R"({"modelTopology": {}})");
  fs::create_directories(root / "other_format");
  Write(root / "other_format" / "metadata.json", R"({"format": "geojson"})");
  fs::create_directories(root / "list");
  Write(root / "list" / "metadata.json", "[1, 2]");
  // Ours, broken by an edit: no JSON any more beside the trees. Without the trees it cannot be
  // told from anyone's.
  fs::create_directories(root / "broken");
  fs::copy_file(root / "a" / "model.json", root / "broken" / "model.json");
  Write(root / "broken" / "metadata.json", "{\"format\": \"weldcell-trav");
  fs::create_directories(root / "not_json");
  Write(root / "not_json" / "metadata.json", "<html>");
  // A later format of ours: found, and Load says the format.
  fs::create_directories(root / "later");
  Write(root / "later" / "metadata.json", R"({"format": "weldcell-travel-model/2"})");

  EXPECT_TRUE(IsModelFolder(root / "a"));
  EXPECT_TRUE(IsModelFolder(root / "later"));
  for (const char* f : {"site", "tfjs", "other_format", "list", "broken", "not_json", "nowhere"}) {
    EXPECT_FALSE(IsModelFolder(root / f)) << f;
  }
  EXPECT_FALSE(IsModelFolder(root));
  EXPECT_EQ(FindModels(root), (std::vector<fs::path>{root / "a", root / "broken",
                                                     root / "deeper" / "b", root / "later"}));
  EXPECT_THAT(LoadError(root / "broken"),
              HasSubstr((root / "broken" / "metadata.json").string() +
                        ": error: malformed model metadata: not JSON ("));
  EXPECT_THAT(LoadError(root / "later"),
              HasSubstr("format: expected \"weldcell-travel-model/1\", got "
                        "\"weldcell-travel-model/2\""));
  EXPECT_TRUE(FindModels(root / "nowhere").empty());
  fs::remove_all(root);
}

// kTinyModel loads and applies to both robots of the good cell (a changed RobotHash, ToolHash or
// feature schema makes it stale: the fuzzer would no longer reach prediction). Rewritten by
// running this test with WELDCELL_WRITE_TINY_MODEL=1 from the project root.
TEST(LearnedModelFiles, TheTinyFixtureModelAppliesToTheGoodCell) {
  const cell::Cell c = cell::LoadCell("tests/planner/cell/good/cell.yaml").value;
  if (std::getenv("WELDCELL_WRITE_TINY_MODEL") != nullptr) TinyModel(c.robots[0]).Save(kTinyModel);
  const ModelChoice choice = ChooseModels(c, kTinyModel);
  EXPECT_TRUE(choice.messages.empty()) << ::testing::PrintToString(choice.messages);
  ASSERT_EQ(choice.models.size(), 2u);
  ASSERT_EQ(choice.models[0].size(), 1u);
  EXPECT_EQ(choice.models[1], choice.models[0]);
  const Model& model = *choice.models[0].front();
  EXPECT_EQ(model.info().name, "tiny");
  EXPECT_TRUE(model.info().direct_classifier);
  Features f{};
  f.fill(0.5f);
  f[kFeatureTMax] = 1.0f;
  const std::vector<double> p = model.Predict({f});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_GE(p[0], 1.0);
  EXPECT_LE(p[0], 1.9);
}

// XGBoost 1.7 checks the lengths of a tree's arrays when it reads a model, not where they point;
// weldcell predicted with whatever it read. A model.json (or direct.json) edited or damaged
// this way, beside a valid metadata.json, crashed the first prediction (a child or split
// feature out of range: a segmentation fault; tree_info naming another output, several outputs
// per move: an abort), hung it (a child pointing back up the tree), predicted from memory past
// the row (split feature 100 of 22) or threw XGBoost's own error. Each is refused by Load,
// naming the file and the key.
TEST(LearnedModelFiles, TreesXGBoostCannotWalkAreRefusedNamingTheFileAndKey) {
  const fs::path folder = Folder("unwalkable_trees");
  fs::copy(kTinyModel, folder, fs::copy_options::recursive);
  ASSERT_EQ(LoadError(folder), "");
  using Json = nlohmann::ordered_json;
  const std::map<std::string, Json> original = {
      {"model.json", Json::parse(Read(folder / "model.json"))},
      {"direct.json", Json::parse(Read(folder / "direct.json"))}};
  auto learner = [](Json& j) -> Json& { return j["learner"]; };
  auto model = [&](Json& j) -> Json& { return learner(j)["gradient_booster"]["model"]; };
  auto tree = [&](Json& j) -> Json& { return model(j)["trees"][0]; };
  struct Case {
    std::string file;
    std::function<void(Json&)> edit;
    std::string message;  // after "<file>: error: not an XGBoost model: "
  };
  const std::string trees0 = "learner.gradient_booster.model.trees[0].";
  const std::vector<Case> cases = {
      {"model.json", [&](Json& j) { tree(j)["left_children"][0] = 0; },
       trees0 + "left_children[0]: node 0 is reached twice (a tree must not loop)"},
      {"model.json", [&](Json& j) { tree(j)["left_children"][1] = 0; },
       trees0 + "left_children[1]: node 0 is reached twice (a tree must not loop)"},
      {"model.json", [&](Json& j) { tree(j)["right_children"][0] = 999; },
       trees0 + "right_children[0]: expected a node from 0 to 10, got 999"},
      {"model.json", [&](Json& j) { tree(j)["split_indices"][0] = -5; },
       trees0 + "split_indices[0]: expected a feature from 0 to 21, got -5"},
      {"model.json", [&](Json& j) { tree(j)["split_indices"][0] = 100; },
       trees0 + "split_indices[0]: expected a feature from 0 to 21, got 100"},
      {"model.json", [&](Json& j) { tree(j)["split_type"][0] = 1; },
       trees0 + "split_type[0]: expected 0 (a numerical split), got 1"},
      {"model.json", [&](Json& j) { tree(j)["split_conditions"][0] = "nan"; },
       trees0 + "split_conditions[0]: expected a finite number, got \"nan\""},
      {"model.json", [&](Json& j) { tree(j)["left_children"].erase(0); },
       trees0 + "left_children: expected a list of 11 values (num_nodes)"},
      {"model.json", [&](Json& j) { model(j)["tree_info"][0] = 5; },
       "learner.gradient_booster.model.tree_info: expected a 0 (the one output) per tree"},
      {"model.json", [&](Json& j) { model(j)["gbtree_model_param"]["num_trees"] = "2"; },
       "learner.gradient_booster.model.trees: expected as many trees as "
       "gbtree_model_param.num_trees says"},
      {"model.json",
       [&](Json& j) {
         learner(j)["learner_model_param"]["num_class"] = "3";
         learner(j)["objective"] = {{"name", "multi:softprob"},
                                    {"softmax_multiclass_param", {{"num_class", "3"}}}};
       },
       "learner.learner_model_param.num_class: expected 0 or 1 (one output per move)"},
      {"model.json",
       [&](Json& j) { learner(j)["learner_model_param"]["num_feature"] = "twenty-two"; },
       "learner.learner_model_param.num_feature: expected a number of features from 1 to 1000"},
      {"model.json", [&](Json& j) { learner(j)["objective"]["name"] = "binary:logistic"; },
       R"(learner.objective.name: expected "reg:squarederror", got "binary:logistic")"},
      {"model.json",
       [&](Json& j) {
         learner(j)["gradient_booster"] = {{"name", "gblinear"},
                                           {"model", {{"weights", {0.1, 0.2}}}}};
       },
       "learner.gradient_booster.name: expected \"gbtree\" (metadata.json's booster), got "
       "\"gblinear\""},
      {"direct.json", [&](Json& j) { learner(j)["objective"]["name"] = "reg:squarederror"; },
       R"(learner.objective.name: expected "binary:logistic", got "reg:squarederror")"},
      {"direct.json", [&](Json& j) { tree(j)["right_children"][0] = 0; },
       trees0 + "right_children[0]: node 0 is reached twice (a tree must not loop)"},
      // A fresh user: two trees of one id crashed every command that read the model (XGBoost
      // places a tree by its id); no trees, a base score of 1e30 or one leaf of 1e30 were
      // taken, and every move was priced at 10^13 s.
      {"model.json", [&](Json& j) { model(j)["trees"][3]["id"] = 0; },
       "learner.gradient_booster.model.trees[3].id: expected 3 (the tree's place in the list)"},
      {"model.json",
       [&](Json& j) {
         model(j)["trees"] = Json::array();
         model(j)["tree_info"] = Json::array();
         model(j)["gbtree_model_param"]["num_trees"] = "0";
       },
       "learner.gradient_booster.model.gbtree_model_param.num_trees: expected at least one tree "
       "(a model of none predicts one constant)"},
      {"model.json", [&](Json& j) { learner(j)["learner_model_param"]["base_score"] = "1E30"; },
       "learner: the base score and the trees' largest leaves add up to a log ratio of 1e+30: a "
       "move up to e^1e+30 times the straight move's time (a travel model's stay within 1000 "
       "times; the shipped ones within 22)"},
      {"model.json", [&](Json& j) { tree(j)["split_conditions"][3] = 8.0; },
       "learner: the base score and the trees' largest leaves add up to a log ratio of 8.518: a "
       "move up to e^8.518 times the straight move's time (a travel model's stay within 1000 "
       "times; the shipped ones within 22)"},
      // Far below: every prediction clamped to the straight move, the model the analytic
      // estimate under its own name.
      {"model.json", [&](Json& j) { learner(j)["learner_model_param"]["base_score"] = "-1E30"; },
       "learner: the base score and the trees' smallest leaves add up to a log ratio of -1e+30: a "
       "move e^-1e+30 times the straight move's time (a travel model's stay above a thousandth; "
       "the shipped ones above a tenth)"},
      {"model.json", [&](Json& j) { learner(j)["learner_model_param"]["base_score"] = "half"; },
       "learner.learner_model_param.base_score: expected a finite number"},
      {"direct.json", [&](Json& j) { learner(j)["learner_model_param"]["base_score"] = "1.5"; },
       "learner.learner_model_param.base_score: expected a probability between 0 and 1"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file + ": " + c.message);
    Json edited = original.at(c.file);
    c.edit(edited);
    Write(folder / c.file, edited.dump());
    EXPECT_EQ(LoadError(folder),
              (folder / c.file).string() + ": error: not an XGBoost model: " + c.message);
    Write(folder / c.file, original.at(c.file).dump());
  }
  // Lists nested 200,000 deep beside the trees (XGBoost's reader recursed until the stack
  // overflowed).
  const std::string deep = original.at("model.json").dump();
  Write(folder / "model.json", deep.substr(0, deep.size() - 1) + ", \"x\": " +
                                   std::string(200'000, '[') + std::string(200'000, ']') + "}");
  EXPECT_EQ(LoadError(folder), (folder / "model.json").string() +
                                   ": error: not an XGBoost model: lists and objects nested "
                                   "200001 deep, expected at most 32");
  // Trees of no features (XGBoost threw its own error when asked how many): not this schema's.
  Json none = original.at("model.json");
  learner(none)["learner_model_param"]["num_feature"] = "0";
  Write(folder / "model.json", none.dump());
  EXPECT_EQ(LoadError(folder), (folder / "model.json").string() +
                                   ": error: a model of 0 features, where feature schema 2 "
                                   "(metadata.json) has 22: not the model its metadata describes");
  Write(folder / "model.json", original.at("model.json").dump());
  // Cut short or not JSON at all (XGBoost's binary and UBJSON forms are not read: their trees
  // could not be checked), either file.
  for (const char* file : {"model.json", "direct.json"}) {
    const std::string text = original.at(file).dump();
    for (const std::string& bad : {text.substr(0, text.size() / 3), std::string("binf\x01\x02"),
                                   std::string("{L\x07learner"), std::string(64, '\0')}) {
      Write(folder / file, bad);
      EXPECT_THAT(LoadError(folder),
                  HasSubstr((folder / file).string() + ": error: not an XGBoost model: not JSON ("))
          << file << " " << bad.size();
    }
    Write(folder / file, text);
  }
  ASSERT_EQ(LoadError(folder), "");
  // metadata.json's booster is one of the two Train fits.
  nlohmann::ordered_json meta = nlohmann::ordered_json::parse(Read(folder / "metadata.json"));
  meta["booster"] = "dart";
  Write(folder / "metadata.json", meta.dump(1));
  EXPECT_THAT(LoadError(folder),
              HasSubstr((folder / "metadata.json").string() +
                        ": error: booster: expected \"gbtree\" or \"gblinear\", got \"dart\""));
  fs::remove_all(folder);
}

// Leaves that add up to nonsense (finite, far beyond any move: 1e38 each) predicted +inf
// seconds; such a model is refused when loaded now, and Predict still keeps every price finite
// for the leaves a model may have (up to e^6.9 times the straight move). A linear model (the
// comparison `train` fits) saves and loads (its weights are checked: one per feature and the
// bias).
TEST(LearnedModelFiles, PredictionsStayFiniteAndLinearModelsLoad) {
  const fs::path folder = Folder("huge_leaves");
  fs::copy(kTinyModel, folder, fs::copy_options::recursive);
  nlohmann::ordered_json trees = nlohmann::ordered_json::parse(Read(folder / "model.json"));
  for (auto& tree : trees["learner"]["gradient_booster"]["model"]["trees"]) {
    for (auto& value : tree["split_conditions"]) value = 1e38;
  }
  Write(folder / "model.json", trees.dump());
  EXPECT_THAT(LoadError(folder), HasSubstr("the base score and the trees' largest leaves add up "
                                           "to a log ratio of 5e+38"));
  // The largest a model may add up to: 0.5 + 5 × 1.28 = 6.9.
  for (auto& tree : trees["learner"]["gradient_booster"]["model"]["trees"]) {
    for (auto& value : tree["split_conditions"]) value = 1.28;
  }
  Write(folder / "model.json", trees.dump());
  ASSERT_EQ(LoadError(folder), "");
  Features f{};
  f.fill(0.5f);
  f[kFeatureTMax] = 1.0f;
  for (const double p : Model::Load(folder).Predict({f})) {
    EXPECT_TRUE(std::isfinite(p)) << p;
    EXPECT_GE(p, 1.0);
  }
  fs::remove_all(folder);

  const cell::Cell c = cell::LoadCell("tests/planner/cell/good/cell.yaml").value;
  std::vector<Features> x;
  std::vector<double> y;
  for (int i = 0; i < 30; ++i) {
    Features row{};
    row.fill(0.01f * static_cast<float>(i));
    row[kFeatureTMax] = 0.2f + 0.05f * static_cast<float>(i);
    x.push_back(row);
    y.push_back(1.2 * row[kFeatureTMax]);
  }
  const cell::Robot& robot = c.robots[0];
  const Model linear = Model::Train(x, y, {.booster = Booster::kLinear, .rounds = 5},
                                    {.name = "linear",
                                     .robot_model = robot.model->name,
                                     .robot_hash = RobotHash(robot),
                                     .tool = robot.tool.name,
                                     .tool_hash = ToolHash(robot.tool)});
  const fs::path linear_folder = Folder("linear");
  linear.Save(linear_folder);
  ASSERT_EQ(LoadError(linear_folder), "");
  EXPECT_EQ(Model::Load(linear_folder).Predict(x), linear.Predict(x));
  fs::remove_all(linear_folder);
}

}  // namespace
}  // namespace weldcell::learned
