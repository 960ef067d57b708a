#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "planner/common/diagnostics.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::plan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Plan SamplePlan() {
  Plan p;
  p.cell_name = "demo";
  p.cell_hash = "0123456789abcdef";
  p.seed = 7;
  p.cycle_time = 30;
  p.makespan = 12.345678901234567;
  p.within_cycle_time = true;
  RobotPlan r;
  r.robot = "R1";
  Eigen::VectorXd q(6);
  q << 0.1, -0.2, 0.3, 1e-17, 3.141592653589793, -2.5;
  r.welds.push_back(
      {.weld_id = "W1", .q = q, .spin = 0.25, .tilt = 0.0, .start_time = 1.5, .end_time = 2.25});
  r.segments.push_back({.kind = SegmentKind::kMotion,
                        .from = "home",
                        .to = "W1",
                        .times = {0.0, 0.75, 1.5},
                        .q = {q * 0.0, q * 0.5, q}});
  r.segments.push_back(
      {.kind = SegmentKind::kWeld, .from = "W1", .to = "W1", .times = {1.5, 2.25}, .q = {q, q}});
  r.busy_time = 2.25;
  r.finish_time = 2.25;
  p.robots.push_back(r);
  // The zone's and weld signal's other robot: it moves out of the zone and waits there.
  RobotPlan other{.robot = "R2"};
  other.segments.push_back({.kind = SegmentKind::kMotion,
                            .from = "home",
                            .to = "home",
                            .times = {0.0, 1.5},
                            .q = {q * 0.0, q * -0.5}});
  other.segments.push_back({.kind = SegmentKind::kWait,
                            .from = "home",
                            .to = "home",
                            .times = {1.5, 2.25},
                            .q = {q * -0.5, q * -0.5}});
  other.busy_time = 1.5;
  other.wait_time = 0.75;
  other.finish_time = 2.25;
  p.robots.push_back(other);
  p.zones.push_back({.id = "Z1",
                     .uses = {{.robot = "R2",
                               .acquire_segment = 0,
                               .release_segment = 1,
                               .acquire_time = 0.0,
                               .release_time = 1.5},
                              {.robot = "R1",
                               .acquire_segment = 1,
                               .release_segment = 2,
                               .release_on_departure = true,
                               .acquire_time = 1.5,
                               .release_time = 2.25}}});
  p.weld_signals.push_back({.robot = "R2", .segment = 1, .weld = "W1"});
  p.unreachable.push_back({.weld_id = "W9", .reason = "out of range for every robot"});
  return p;
}

TEST(PlanJsonTest, RoundTripIsExactAndBytesAreStable) {
  const Plan p = SamplePlan();
  const std::string a = ToJson(p);
  const Plan back = PlanFromJson(a, "plan.json");
  EXPECT_EQ(back, p);
  EXPECT_EQ(ToJson(back), a);
}

// What was asked for, what priced each robot's moves and why a robot fell back are kept; a
// robot without a model has no drift threshold (the key is left out, not -1).
TEST(PlanJsonTest, TravelTimeRoundTripsWithWhatWasAskedForAndWhyARobotFellBack) {
  Plan p = SamplePlan();
  p.travel = {.kind = "learned",
              .requested = "learned",
              .robots = {{.robot = "R1",
                          .source = "learned gen-v4",
                          .moves = 2,
                          .planned_seconds = 1.5,
                          .predicted_seconds = 1.25,
                          .error_pct = 16.5,
                          .analytic_error_pct = 20.25,
                          .drift_threshold_pct = 8.0},
                         {.robot = "R2",
                          .source = "analytic",
                          .fallback = "R2 (arm, gun): no travel model in models applies (gen-v4: "
                                      "trained for tool c_gun (1f), not x_gun (2e)); using the "
                                      "analytic estimate",
                          .moves = 1,
                          .planned_seconds = 1.5,
                          .predicted_seconds = 1.5}}};
  const std::string text = ToJson(p);
  EXPECT_THAT(text, HasSubstr("\"requested\": \"learned\""));
  EXPECT_THAT(text, HasSubstr("\"fallback\": \"R2 (arm, gun): no travel model in models"));
  EXPECT_EQ(text.find("\"drift_threshold_pct\""), text.rfind("\"drift_threshold_pct\""))
      << "only R1's model has a threshold\n"
      << text;
  const Plan back = PlanFromJson(text, "plan.json");
  EXPECT_EQ(back.travel, p.travel);
  EXPECT_EQ(ToJson(back), text);
}

// Plans written before the travel choice was recorded: no `requested`, no `fallback`, and -1 as
// the drift threshold of a robot without a model.
TEST(PlanJsonTest, TravelTimeOfOlderPlansStillReads) {
  std::string text = ToJson(SamplePlan());
  const std::string older =
      "\"travel_time\": {\"kind\": \"analytic\", \"robots\": [{\"name\": \"R1\", "
      "\"source\": \"analytic\", \"moves\": 2, \"planned\": 1.5, \"predicted\": 1.25, "
      "\"error_pct\": 16.5, \"analytic_error_pct\": 16.5, \"drift_threshold_pct\": -1, "
      "\"drifted\": false}]}";
  text.insert(text.rfind('}'), ", " + older);
  const Plan p = PlanFromJson(text, "plan.json");
  EXPECT_EQ(p.travel.kind, "analytic");
  EXPECT_EQ(p.travel.requested, "");
  ASSERT_EQ(p.travel.robots.size(), 1u);
  EXPECT_EQ(p.travel.robots[0].fallback, "");
  EXPECT_EQ(p.travel.robots[0].drift_threshold_pct, std::nullopt);
  EXPECT_DOUBLE_EQ(p.travel.robots[0].error_pct, 16.5);
  // Written again, the sentinel is gone.
  EXPECT_THAT(ToJson(p), Not(HasSubstr("drift_threshold_pct")));
  // A kind weldcell does not know is an error at its key.
  std::string unknown = text;
  unknown.replace(unknown.find("\"kind\": \"analytic\""), 18, "\"kind\": \"fastest\"");
  try {
    PlanFromJson(unknown, "p.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::ContainsRegex(R"(p\.json:[0-9]+:[0-9]+: error: )"
                                                   R"(travel_time\.kind: expected analytic, )"
                                                   R"(learned or exact, got 'fastest')"));
  }
}

TEST(PlanJsonTest, SyntaxErrorNamesFileLineAndColumn) {
  const std::string text = "{\n  \"format\": \"weldcell-plan/2\",\n  \"seed\": ,\n}";
  try {
    PlanFromJson(text, "out/plan.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::ContainsRegex(R"(^out/plan\.json:3:[0-9]+: error: not )"
                                                   R"(valid JSON: parse error at line 3)"));
  }
}

TEST(PlanJsonTest, ReportsEveryMissingOrWrongKey) {
  std::string text = ToJson(SamplePlan());
  text.replace(text.find("\"format\": \"weldcell-plan/2\""), 27, "\"format\": \"weldcell-plan/9\"");
  text.replace(text.find("\"makespan\""), 10, "\"makespam\"");
  // An integer past int's range is one, just too large (it was "expected a non-negative integer").
  const std::string acquire = "\"acquire_segment\": 0";
  ASSERT_NE(text.find(acquire), std::string::npos);
  text.replace(text.find(acquire), acquire.size(), "\"acquire_segment\": 2147483648");
  try {
    PlanFromJson(text, "p.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(),
                ::testing::ContainsRegex(R"(p\.json:2:[0-9]+: error: format: unknown plan format )"
                                         R"('weldcell-plan/9')"));
    EXPECT_THAT(e.what(), HasSubstr("p.json: error: missing key 'makespan'"));
    EXPECT_THAT(e.what(), ::testing::ContainsRegex(R"(p\.json:[0-9]+:[0-9]+: error: makespam: )"
                                                   R"(unknown key 'makespam')"));
    EXPECT_THAT(e.what(), HasSubstr("error: zones[0].uses[0].acquire_segment: expected a "
                                    "non-negative integer up to 2147483647, got 2147483648"));
  }
}

// New-user trial: plan.json was read more loosely than cell and site files: unknown keys were
// ignored and a duplicated weld_signals entry accepted (a redundant handshake in the programs).
// Both are errors at their line and column.
TEST(PlanJsonTest, UnknownKeysAndDuplicateWeldSignalsAreErrorsAtTheirLine) {
  const std::string good = ToJson(SamplePlan());
  auto line_of = [](const std::string& text, std::size_t byte) {
    return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte), '\n');
  };
  std::string text = good;
  const std::size_t kind = text.find("\"kind\"");
  ASSERT_NE(kind, std::string::npos);
  text.insert(kind, "\"speed\": 2, ");
  try {
    PlanFromJson(text, "p.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("p.json:" + std::to_string(line_of(text, kind)) + ":"));
    EXPECT_THAT(e.what(), ::testing::ContainsRegex(
                              R"(error: robots\[0\]\.segments\[0\]\.speed: unknown key 'speed')"));
  }
  // The same weld signal twice.
  text = good;
  const std::size_t list = text.find("\"weld_signals\": [");
  ASSERT_NE(list, std::string::npos);
  const std::size_t open = text.find('{', list), close = text.find('}', open);
  text.insert(close + 1, "," + text.substr(open, close + 1 - open));
  try {
    PlanFromJson(text, "p.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::ContainsRegex(
                              R"(p\.json:[0-9]+:[0-9]+: error: weld_signals\[1\]: duplicates )"
                              R"(weld_signals\[0\]: robot R2 waits for weld W1 once)"));
  }
  EXPECT_NO_THROW(PlanFromJson(good, "p.json"));
}

// A key twice in one object: nlohmann keeps the last, so `"zones": []` before the zones (or
// after them) and `"kind": "wait", "kind": "motion"` were read silently. Each repeat is an
// error at its own line and column, naming the key and its path, as the cell's YAML says it.
TEST(PlanJsonTest, AKeyTwiceInAnObjectIsAnErrorAtTheSecond) {
  const std::string good = ToJson(SamplePlan());
  // "line:col" of a byte of `text`, 1-based.
  auto where = [](const std::string& text, std::size_t byte) {
    const std::size_t line_start = text.rfind('\n', byte - 1);
    return std::to_string(1 + std::count(text.begin(),
                                         text.begin() + static_cast<std::ptrdiff_t>(byte), '\n')) +
           ":" + std::to_string(byte - (line_start == std::string::npos ? 0 : line_start + 1) + 1);
  };
  auto expect_error = [](const std::string& text, const std::string& error) {
    try {
      PlanFromJson(text, "p.json");
      ADD_FAILURE() << "expected InputError for\n" << text;
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr(error));
    }
  };
  const std::size_t zones = good.find("\"zones\"");
  ASSERT_NE(zones, std::string::npos);
  {  // An empty list first: the zones after it won.
    std::string text = good;
    text.insert(zones, "\"zones\": [],\n ");
    std::string first = where(text, zones);
    first.replace(first.find(':'), 1, ", column ");
    expect_error(text, "p.json:" + where(text, text.find("\"zones\"", zones + 1)) +
                           ": error: zones: duplicate key 'zones' (first at line " + first + ")");
  }
  {  // After them: the empty list won. Escaped, the key is the same key.
    std::string text = good;
    const std::size_t end = text.rfind('}');
    text.insert(end, ",\n \"zo\\u006ees\": []");
    expect_error(text, "p.json:" + where(text, text.find("\"zo\\u006ees\"")) +
                           ": error: zones: duplicate key 'zones'");
  }
  {  // In a segment, deep in the plan.
    std::string text = good;
    const std::size_t kind = text.find("\"kind\"");
    ASSERT_NE(kind, std::string::npos);
    text.insert(kind, "\"kind\": \"wait\", ");
    expect_error(text, "p.json:" + where(text, text.find("\"kind\"", kind + 1)) +
                           ": error: robots[0].segments[0].kind: duplicate key 'kind'");
  }
  EXPECT_NO_THROW(PlanFromJson(good, "p.json"));
}

// A cell of two 6-axis robots R1, R2 and welds W1, W9, for the plan's checks against its cell.
cell::Cell SampleCell() {
  cell::Cell c;
  c.name = "demo";
  c.cycle_time = 30;
  auto model = std::make_shared<cell::RobotModel>();
  model->links.resize(7);
  for (int j = 0; j < 6; ++j) {
    model->joints.push_back({.name = "j" + std::to_string(j + 1),
                             .type = cell::JointType::kRevolute,
                             .lower = -3,
                             .upper = 3,
                             .max_velocity = 1,
                             .max_acceleration = 1});
  }
  for (const char* name : {"R1", "R2"}) {
    c.robots.push_back({.name = name, .model = model, .home = Eigen::VectorXd::Zero(6)});
  }
  for (const char* id : {"W1", "W9"}) {
    c.welds.push_back({.id = id, .p_W = {1, 0, 0.5}, .n_W = {0, 0, 1}, .weld_time = 0.5});
  }
  return c;
}

// Issue 13: a hand-broken plan (3 joint values for a 6-axis robot, a robot listed twice, a zone
// use or weld signal of a robot R7 not in the plan or at a segment past its timeline, a weld id
// not in the cell) passed the
// reader and failed verification (exit 1, no line). Each is an InputError at its file:line:col;
// the cell's checks only for a plan of that cell (another cell's plan is the hash check's).
TEST(PlanJsonTest, APlanThatDoesNotHoldTogetherOrFitItsCellIsAnErrorAtItsLine) {
  const cell::Cell c = SampleCell();
  Plan good = SamplePlan();
  good.cell_hash = CellHash(c, good.seed);
  EXPECT_NO_THROW(PlanFromJson(ToJson(good), "p.json", &c));
  struct Case {
    std::string name;
    std::function<void(Plan&)> breaks;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"short q", [](Plan& p) { p.robots[0].segments[0].q[1] = Eigen::VectorXd::Zero(3); },
       R"(error: robots\[0\]\.segments\[0\]\.q\[1\]: has 3 joint values, robot R1 has 6)"},
      {"twice", [](Plan& p) { p.robots[1].robot = "R1"; },
       R"(error: robots\[1\]\.name: robot R1 is listed twice \(also robots\[0\]\))"},
      {"zone R7", [](Plan& p) { p.zones[0].uses[0].robot = "R7"; },
       R"(error: zones\[0\]\.uses\[0\]\.robot: names robot R7, which the plan does not list)"},
      {"signal R7", [](Plan& p) { p.weld_signals[0].robot = "R7"; },
       R"(error: weld_signals\[0\]\.robot: names robot R7)"},
      // Segment indices past a robot's timeline (a negative one is the reader's type error):
      // exit 1 as a plan mismatch before, where -3 was exit 2.
      {"acquire past the end", [](Plan& p) { p.zones[0].uses[1].acquire_segment = 100000; },
       R"(error: zones\[0\]\.uses\[1\]\.acquire_segment: is segment 100000 of robot R1, which )"
       R"(has 2 segment\(s\) \(0 to 1\))"},
      {"release past the end", [](Plan& p) { p.zones[0].uses[0].release_segment = 3; },
       R"(error: zones\[0\]\.uses\[0\]\.release_segment: is segment 3 of robot R2, which has )"
       R"(2 segment\(s\) \(0 to 2\))"},
      // Zones that do not hold together and a robot waiting for its own weld: exit 1 in
      // verification before, with no line.
      {"release before acquire", [](Plan& p) { p.zones[0].uses[1].release_segment = 1; },
       R"(error: zones\[0\]\.uses\[1\]\.release_segment: is 1, not above acquire_segment 1: )"
       R"(a use holds its zone over segments \[acquire_segment, release_segment\))"},
      {"one use", [](Plan& p) { p.zones[0].uses.pop_back(); },
       R"(error: zones\[0\]\.uses: has 1 use\(s\): a zone is shared by at least two robots)"},
      {"zone twice", [](Plan& p) { p.zones.push_back(p.zones[0]); },
       R"(error: zones\[1\]\.id: zone Z1 is listed twice \(also zones\[0\]\))"},
      {"used twice", [](Plan& p) { p.zones[0].uses[1] = p.zones[0].uses[0]; },
       R"(error: zones\[0\]\.uses\[1\]\.robot: robot R2 uses zone Z1 twice \(also uses\[0\]\))"},
      {"own weld", [](Plan& p) { p.weld_signals[0] = {.robot = "R1", .segment = 0, .weld = "W1"}; },
       R"(error: weld_signals\[0\]\.weld: weld W1 is welded by robot R1 itself)"},
      {"signal past the end", [](Plan& p) { p.weld_signals[0].segment = 2; },
       R"(error: weld_signals\[0\]\.segment: is segment 2 of robot R2, which has 2 segment)"},
      {"robot R7", [](Plan& p) { p.robots[1].robot = "R7"; },
       R"(error: robots\[1\]\.name: robot R7 is not a robot of cell demo)"},
      {"weld", [](Plan& p) { p.robots[0].welds[0].weld_id = "W77"; },
       R"(error: robots\[0\]\.welds\[0\]\.id: weld W77 is not a weld of cell demo)"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    Plan p = good;
    k.breaks(p);
    const std::string text = ToJson(p);
    try {
      PlanFromJson(text, "p.json", &c);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), ::testing::ContainsRegex(R"(p\.json:[0-9]+:[0-9]+: )" + k.expected));
    }
  }
  // Of another cell: only the plan's own structure is checked here.
  Plan other = good;
  other.cell_hash = "0123456789abcdef";
  other.robots[0].welds[0].weld_id = "W77";
  EXPECT_NO_THROW(PlanFromJson(ToJson(other), "p.json", &c));
}

// A number written as a string in a joint vector or a segment's times is that one error: the
// reader went on to "has 0 joint values, robot R2 has 6" (or "has 0 times but 253
// configurations"), which the file does not have (a fresh user's hand-edited plan).
TEST(PlanJsonTest, ANumberWrittenAsAStringIsOneErrorAtItsPlace) {
  const cell::Cell c = SampleCell();
  Plan good = SamplePlan();
  good.cell_hash = CellHash(c, good.seed);
  const std::string text = ToJson(good);
  for (const std::string key : {"\"q\": [", "\"t\": ["}) {
    SCOPED_TRACE(key);
    std::string edited = text;
    const std::size_t at = edited.find(key);
    ASSERT_NE(at, std::string::npos);
    // The first number after the key (of its first vector) becomes "1.0" in quotes.
    const std::size_t number = edited.find_first_of("-0123456789", at + key.size());
    const std::size_t end = edited.find_first_of(",]\n", number);
    edited.replace(number, end - number, "\"" + edited.substr(number, end - number) + "\"");
    try {
      PlanFromJson(edited, "p.json", &c);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), ::testing::ContainsRegex(
                                R"(p\.json:[0-9]+:[0-9]+: error: .*: expected a number)"));
      EXPECT_EQ(e.diagnostics().size(), 1u) << e.what();
      EXPECT_THAT(e.what(), Not(HasSubstr("has 0 ")));
    }
  }
}

TEST(PlanJsonTest, MismatchedSampleCountsAreAnError) {
  std::string text = ToJson(SamplePlan());
  const auto pos = text.find("\"t\": [");
  ASSERT_NE(pos, std::string::npos);
  text.insert(pos + 6, "0.0,");
  EXPECT_THROW(PlanFromJson(text, "p.json"), InputError);
}

// A number beyond a double is valid JSON syntax but no plan value: bad input naming the file,
// not another exception (found by fuzz/plan_fuzz.cpp; the CLI reported an internal error).
TEST(PlanJsonTest, NumberBeyondADoubleIsAnInputError) {
  Plan p = SamplePlan();
  p.cycle_time = 12345.0;
  std::string text = ToJson(p);
  const auto at = text.find("12345.0");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 7, "1e400");
  try {
    PlanFromJson(text, "p.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    // Issue 13: at its line and column (nlohmann's error carries no position).
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    const auto column = at - text.rfind('\n', at);
    EXPECT_THAT(e.what(), HasSubstr("p.json:" + std::to_string(line) + ":" +
                                    std::to_string(column) + ": error: not valid JSON: "));
    EXPECT_THAT(e.what(), HasSubstr("number overflow parsing '1e400'"));
    // Without nlohmann's exception id ("[json.exception.out_of_range.406] ").
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("[json.exception")));
  }
}

// JSON that is not an object (an array, a number) is said to be so once, not once per key.
TEST(PlanJsonTest, APlanThatIsNoObjectIsSaidOnce) {
  try {
    PlanFromJson("[1, 2, 3]", "p.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostics().size(), 1u) << e.what();
    EXPECT_THAT(e.what(),
                HasSubstr("p.json: error: expected a JSON object (a weldcell plan), got array"));
  }
}

// Names that are not UTF-8 (e.g. URDF link names quoted in a reason) do not make the plan
// unwritable: such bytes become U+FFFD.
TEST(PlanJsonTest, BytesThatAreNotUtf8AreReplacedWhenWriting) {
  Plan p = SamplePlan();
  p.unreachable[0].reason = "blocked by link_\xff";
  const Plan back = PlanFromJson(ToJson(p), "p.json");
  EXPECT_EQ(back.unreachable[0].reason, "blocked by link_\xEF\xBF\xBD");
}

}  // namespace
}  // namespace weldcell::plan
