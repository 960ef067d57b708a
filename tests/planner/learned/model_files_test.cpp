// The model's files: Save writes a whole model or nothing, Load names the key and what it found,
// FindModels takes only weldcell's models.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

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
  // A good model replaces the old one whole, its classifier too.
  SmallModel("new").Save(folder);
  EXPECT_EQ(Model::Load(folder).info().name, "new");
  EXPECT_FALSE(fs::exists(folder / "direct.json"));
  fs::remove_all(folder);
}

}  // namespace
}  // namespace weldcell::learned
