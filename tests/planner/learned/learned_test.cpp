#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "planner/collision/collision_world.hpp"
#include "planner/learned/dataset.hpp"
#include "planner/learned/features.hpp"
#include "planner/learned/model.hpp"
#include "planner/learned/travel.hpp"
#include "planner/motion/weld_sequence.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/reach/reach.hpp"
#include "tests/planner/learned/learned_cells.hpp"

namespace weldcell::learned {
namespace {

using ::testing::HasSubstr;

std::filesystem::path TempFolder(const std::string& name) {
  const std::filesystem::path p =
      std::filesystem::temp_directory_path() /
      ("weldcell_learned_test_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(p);
  return p;
}

// Rows with a known relation (a detour factor where "blocked" > 0) for model-only tests.
void SyntheticRows(int n, std::uint64_t seed, std::vector<Features>* x, std::vector<double>* y) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int i = 0; i < n; ++i) {
    Features f{};
    for (int k = 0; k < kNumFeatures; ++k) f[k] = u(rng);
    f[kFeatureTMax] = 0.2f + 2.0f * u(rng);
    f[16] = std::floor(8.0f * u(rng));  // blocked
    x->push_back(f);
    y->push_back(f[kFeatureTMax] * (1.0 + 0.1 * f[16]) + 0.05 * f[8]);
  }
}

ModelInfo InfoFor(const cell::Robot& robot) {
  return {.name = "test",
          .robot_model = robot.model->name,
          .robot_hash = RobotHash(robot),
          .tool = robot.tool.name,
          .tool_hash = ToolHash(robot.tool)};
}

// The training data of the wall cell, planned once for the suite.
class LearnedWall : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // 160 moves were too few for the trees to learn the wall for every data seed once planned
    // detours stopped wandering (segment_planner.hpp, kNearWindowMargin); 240 learn it for
    // seeds 3, 4 and 5.
    data_ = new std::vector<Dataset>(
        MakeDatasets({testing::TablesCell(true)}, {.moves_per_robot = 240, .seed = 3}));
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static Model TrainOn(const Dataset& d, int threads = 0) {
    std::vector<Features> x;
    std::vector<double> y;
    for (const Sample& s : d.samples) {
      x.push_back(s.x);
      y.push_back(s.duration);
    }
    const cell::Cell c = testing::TablesCell(true);
    return Model::Train(x, y, {.rounds = 150, .seed = 5, .threads = threads}, InfoFor(c.robots[0]));
  }
  static std::vector<Dataset>* data_;
};
std::vector<Dataset>* LearnedWall::data_ = nullptr;

TEST(LearnedModel, RoundTripsThroughItsFilesWithIdenticalPredictions) {
  std::vector<Features> x;
  std::vector<double> y;
  SyntheticRows(300, 1, &x, &y);
  const cell::Cell c = testing::TablesCell(false);
  const Model model = Model::Train(x, y, {.rounds = 60, .seed = 2}, InfoFor(c.robots[0]));
  const std::filesystem::path folder = TempFolder("roundtrip");
  model.Save(folder);
  const Model loaded = Model::Load(folder);
  EXPECT_EQ(model.Predict(x), loaded.Predict(x));
  EXPECT_EQ(loaded.info().robot_hash, model.info().robot_hash);
  EXPECT_EQ(loaded.info().feature_min, model.info().feature_min);
  EXPECT_EQ(loaded.info().training_hash, model.info().training_hash);
  // The trees learned the relation (a model that predicts a constant fails this).
  EXPECT_LT(MaePercent(loaded.Predict(x), y), 5.0);
  std::filesystem::remove_all(folder);
}

TEST(LearnedModel, WithTheDirectClassifierRoundTripsAndPredictsTheStraightTimeForFreeMoves) {
  std::vector<Features> x;
  std::vector<double> y;
  SyntheticRows(300, 5, &x, &y);
  std::vector<bool> direct;
  for (std::size_t i = 0; i < x.size(); ++i) {
    direct.push_back(x[i][16] == 0.0f);  // nothing blocked: the straight move is free
    if (direct.back()) y[i] = x[i][kFeatureTMax];
  }
  const cell::Cell c = testing::TablesCell(false);
  const Model model = Model::Train(x, y, {.rounds = 60, .seed = 2}, InfoFor(c.robots[0]), direct);
  ASSERT_TRUE(model.info().direct_classifier);
  const std::filesystem::path folder = TempFolder("direct");
  model.Save(folder);
  ASSERT_TRUE(std::filesystem::exists(folder / "direct.json"));
  const Model loaded = Model::Load(folder);
  EXPECT_TRUE(loaded.info().direct_classifier);
  const std::vector<double> p = loaded.Predict(x);
  EXPECT_EQ(model.Predict(x), p);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (direct[i]) {
      EXPECT_NEAR(p[i], x[i][kFeatureTMax], 0.05 * x[i][kFeatureTMax]) << i;
    }
  }
  std::filesystem::remove_all(folder);
}

TEST(LearnedModel, TrainingIsDeterministicForOneAndTwoThreads) {
  std::vector<Features> x;
  std::vector<double> y;
  SyntheticRows(300, 7, &x, &y);
  const cell::Cell c = testing::TablesCell(false);
  for (Booster b : {Booster::kTrees, Booster::kLinear}) {
    const Model one = Model::Train(x, y, {.booster = b, .rounds = 40, .seed = 9, .threads = 1},
                                   InfoFor(c.robots[0]));
    const Model two = Model::Train(x, y, {.booster = b, .rounds = 40, .seed = 9, .threads = 2},
                                   InfoFor(c.robots[0]));
    EXPECT_EQ(one.Predict(x, 1), two.Predict(x, 2));
    const std::filesystem::path f1 = TempFolder("det1"), f2 = TempFolder("det2");
    one.Save(f1);
    two.Save(f2);
    std::ifstream a(f1 / "model.json"), b2(f2 / "model.json");
    const std::string sa((std::istreambuf_iterator<char>(a)), {}),
        sb((std::istreambuf_iterator<char>(b2)), {});
    EXPECT_EQ(sa, sb);
    std::filesystem::remove_all(f1);
    std::filesystem::remove_all(f2);
  }
}

TEST(LearnedModel, RefusesAnotherRobotAnotherToolAndAnOlderSchema) {
  std::vector<Features> x;
  std::vector<double> y;
  SyntheticRows(100, 3, &x, &y);
  cell::Cell c = testing::TablesCell(false);
  const Model model = Model::Train(x, y, {.rounds = 5}, InfoFor(c.robots[0]));
  EXPECT_EQ(Mismatch(model.info(), c.robots[0]), "");

  cell::Robot other_robot =
      testing::MakeTestRobot("R9", Eigen::Isometry3d::Identity(), {.j1 = 2.0});
  EXPECT_THAT(Mismatch(model.info(), other_robot), HasSubstr("trained for robot model test_arm"));

  cell::Robot other_tool = c.robots[0];
  other_tool.tool.name = "other_gun";
  other_tool.tool.X_FT = testing::Pose(0.3, 0, 0.35);
  EXPECT_THAT(Mismatch(model.info(), other_tool), HasSubstr("trained for tool test_c_gun"));

  // An older schema, through the files: ChooseModels refuses it and names the fallback.
  const std::filesystem::path root = TempFolder("schema");
  Model old = Model::Train(x, y, {.rounds = 5}, InfoFor(c.robots[0]));
  old.mutable_info().feature_schema = kFeatureSchemaVersion - 1;
  old.mutable_info().name = "old";
  old.Save(root / "old");
  EXPECT_THAT(Mismatch(Model::Load(root / "old").info(), c.robots[0]),
              HasSubstr("feature schema 0 is not this weldcell's 1"));
  const ModelChoice choice = ChooseModels(c, root);
  EXPECT_FALSE(choice.any());
  ASSERT_EQ(choice.messages.size(), 1u);
  EXPECT_THAT(choice.messages[0], HasSubstr("old: feature schema 0"));
  EXPECT_THAT(choice.messages[0], HasSubstr("using the analytic estimate"));
  // A matching model beside it is chosen.
  model.Save(root / "good");
  EXPECT_TRUE(ChooseModels(c, root).any());
  std::filesystem::remove_all(root);
}

TEST(LearnedModel, InputsFarOutsideTheTrainingRangeAreCounted) {
  std::vector<Features> x;
  std::vector<double> y;
  SyntheticRows(100, 4, &x, &y);
  const cell::Cell c = testing::TablesCell(false);
  const Model model = Model::Train(x, y, {.rounds = 5}, InfoFor(c.robots[0]));
  std::string worst;
  EXPECT_EQ(OutOfRangeFraction(model.info(), x, &worst), 0.0);
  std::vector<Features> far = x;
  for (Features& f : far) f[8] = 50.0f;  // d_tcp of 50 m
  EXPECT_EQ(OutOfRangeFraction(model.info(), far, &worst), 1.0);
  EXPECT_EQ(worst, "d_tcp");
}

TEST(LearnedData, DeterministicForASeedAndForOneAndTwoThreads) {
  const std::vector<cell::Cell> cells = {testing::TablesCell(true)};
  const std::vector<Dataset> one =
      MakeDatasets(cells, {.moves_per_robot = 24, .seed = 11, .threads = 1});
  const std::vector<Dataset> two =
      MakeDatasets(cells, {.moves_per_robot = 24, .seed = 11, .threads = 2});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_GT(one[0].samples.size(), 12u);
  EXPECT_EQ(one, two);
  const std::vector<Dataset> other =
      MakeDatasets(cells, {.moves_per_robot = 24, .seed = 12, .threads = 2});
  EXPECT_NE(one[0].samples, other[0].samples);
}

TEST_F(LearnedWall, DataFileRoundTripsAndKeepsItsHash) {
  const Dataset& d = (*data_)[0];
  const std::filesystem::path file = TempFolder("csv.csv");
  WriteDataset(d, file);
  const Dataset back = ReadDataset(file);
  EXPECT_EQ(back.robot_hash, d.robot_hash);
  EXPECT_EQ(back.cells, d.cells);
  ASSERT_EQ(back.samples.size(), d.samples.size());
  for (std::size_t i = 0; i < d.samples.size(); ++i) {
    EXPECT_EQ(back.samples[i].x == d.samples[i].x || std::isnan(d.samples[i].x[12]),  // NaN != NaN
              true);
    EXPECT_NEAR(back.samples[i].duration, d.samples[i].duration, 1e-6);
  }
  EXPECT_EQ(DatasetHash(back), DatasetHash(d));
  std::filesystem::remove(file);
}

// The wall between the two tables: the straight joint move from a left weld to a right one
// crosses it, the planner detours; the analytic estimate does not see it, the model does.
TEST_F(LearnedWall, PredictionReflectsTheDetourTheAnalyticEstimateMisses) {
  const Dataset& d = (*data_)[0];
  const Model model = TrainOn(d);
  const cell::Cell c = testing::TablesCell(true);
  const collision::CollisionWorld world(c);
  const reach::ReachMap reach = reach::ReachAll(c, world);
  ASSERT_EQ(reach.at(0, 0).status, reach::ReachStatus::kReachable);
  ASSERT_EQ(reach.at(2, 0).status, reach::ReachStatus::kReachable);
  const Eigen::VectorXd a = reach.at(0, 0).candidates[0].q_approach;  // L1
  const Eigen::VectorXd b = reach.at(2, 0).candidates[0].q_approach;  // R1
  const FeatureRobot fr = FeatureRobot::FromCell(c, 0);
  const DistanceField field(c);
  const Features f = ComputeFeatures(fr, field, MakeFeatureNode(fr, field, a, -1),
                                     MakeFeatureNode(fr, field, b, -1));
  EXPECT_GT(f[16], 0.0f) << "the straight move should pass the wall";
  const double analytic = f[kFeatureTMax];
  const double predicted = model.Predict({f})[0];
  motion::SegmentPlanner planner(world, 0);
  const motion::TravelMove truth = motion::PlanTravelMove(
      planner, {.start = a, .goal = b, .seed = 77}, fr.limits, {.blend_tolerance = 0.1});
  ASSERT_TRUE(truth.path.solved());
  ASSERT_FALSE(truth.path.direct);
  const double planned = truth.profile.duration();
  EXPECT_GT(planned, 1.1 * analytic);
  EXPECT_GT(predicted, 1.1 * analytic);
  EXPECT_LT(std::abs(predicted - planned), std::abs(analytic - planned))
      << "analytic " << analytic << " s, predicted " << predicted << " s, planned " << planned;
}

TEST_F(LearnedWall, TrainingOnPlannedDataIsDeterministicForOneAndTwoThreads) {
  const Dataset& d = (*data_)[0];
  std::vector<Features> x;
  for (const Sample& s : d.samples) x.push_back(s.x);
  EXPECT_EQ(TrainOn(d, 1).Predict(x), TrainOn(d, 2).Predict(x));
}

// A model trained on the station without the wall, used on the station with it: the moves
// across the wall take far longer than it learned, and the plan says so.
TEST(LearnedMonitoring, DriftWarningOnAStationUnlikeTheTrainingOnes) {
  const std::vector<Dataset> d =
      MakeDatasets({testing::TablesCell(false)}, {.moves_per_robot = 240, .seed = 3});
  std::vector<Features> x;
  std::vector<double> y;
  for (const Sample& s : d[0].samples) {
    x.push_back(s.x);
    y.push_back(s.duration);
  }
  const cell::Cell c = testing::TablesCell(true);
  ModelInfo info = InfoFor(c.robots[0]);
  info.name = "no_wall";
  info.drift_threshold_pct = 8.0;
  auto model = std::make_shared<const Model>(Model::Train(x, y, {.rounds = 100}, info));
  const collision::CollisionWorld world(c);
  const pipeline::PlanOutput out =
      pipeline::PlanCell(c, world,
                         {.rebalance_rounds = 0,
                          .travel_time = pipeline::TravelTimeKind::kLearned,
                          .travel_models = {model}});
  ASSERT_EQ(out.plan.travel.robots.size(), 1u);
  const plan::TravelRobotError& e = out.plan.travel.robots[0];
  EXPECT_EQ(out.plan.travel.kind, "learned");
  EXPECT_EQ(e.source, "learned no_wall");
  EXPECT_GT(e.moves, 0);
  EXPECT_TRUE(e.drifted) << "error " << e.error_pct << " %";
  std::string warnings;
  for (const std::string& w : out.statistics.travel_warnings) warnings += w + "\n";
  EXPECT_THAT(warnings, HasSubstr("travel model no_wall drifted on this station"));
  // The error is what the plan's own moves show: planned ≠ predicted.
  EXPECT_GT(std::abs(e.planned_seconds - e.predicted_seconds), 0.0);
  // plan.json carries it and reads it back.
  EXPECT_EQ(plan::PlanFromJson(plan::ToJson(out.plan), "plan.json").travel, out.plan.travel);
}

}  // namespace
}  // namespace weldcell::learned
