#include "planner/common/diagnostics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weldcell {
namespace {

using ::testing::HasSubstr;

TEST(DiagnosticTest, FormatsLikeACompiler) {
  Diagnostic d{.severity = Severity::kError,
               .where = {.file = "cells/a/cell.yaml", .line = 12, .column = 7},
               .key_path = "robots[1].base.xyz",
               .message = "expected 3 numbers, got 2"};
  EXPECT_EQ(d.ToString(),
            "cells/a/cell.yaml:12:7: error: robots[1].base.xyz: expected 3 numbers, got 2");
}

TEST(DiagnosticSinkTest, CollectsAllErrorsThenThrowsOnce) {
  DiagnosticSink sink;
  sink.Error({.file = "a.yaml", .line = 1, .column = 1}, "x", "bad x");
  sink.Warning({.file = "a.yaml", .line = 2, .column = 1}, "y", "odd y");
  sink.Error({.file = "a.yaml", .line = 3, .column = 5}, "z", "bad z");
  ASSERT_TRUE(sink.has_errors());
  EXPECT_EQ(sink.warnings().size(), 1u);
  try {
    sink.ThrowIfErrors();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostics().size(), 3u);
    EXPECT_THAT(e.what(), HasSubstr("a.yaml:1:1: error: x: bad x\na.yaml:3:5: error: z: bad z"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("odd y")));
  }
}

TEST(DiagnosticSinkTest, WarningsAloneDoNotThrow) {
  DiagnosticSink sink;
  sink.Warning({.file = "a.yaml"}, "", "only a warning");
  EXPECT_NO_THROW(sink.ThrowIfErrors());
}

// Raw bytes a library quotes from the input (nlohmann: "last read: 'f\xEA'") are written as
// \xNN, not sent to the terminal; UTF-8 text (…, →, °) stays as it is.
TEST(DiagnosticTest, NonPrintableBytesAreEscapedInTheMessage) {
  const Diagnostic d{.where = {.file = "p.json", .line = 1, .column = 2},
                     .message = std::string("not valid JSON; last read: 'f\xEA\x01' → …")};
  EXPECT_EQ(d.ToString(), "p.json:1:2: error: not valid JSON; last read: 'f\\xea\\x01' → …");
  EXPECT_EQ(Printable("a\tb\nc\x7F"), "a\tb\nc\\x7f");
  EXPECT_EQ(Printable("\xE2\x86"), "\\xe2\\x86");  // a truncated sequence
}

// Quoted input is cut at 60 characters with "…": a CSV file given as a cell.yaml quoted 800.
TEST(DiagnosticTest, QuotedInputIsCutToSixtyCharacters) {
  const std::string long_text(800, 'x');
  EXPECT_EQ(Quote(long_text), "\"" + std::string(60, 'x') + "…\"");
  EXPECT_EQ(Quote("W01"), "\"W01\"");
  EXPECT_EQ(Quote("°°°", 2), "\"°°…\"");  // characters, not bytes
}

}  // namespace
}  // namespace weldcell
