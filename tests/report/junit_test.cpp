#include "report/junit.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "report/requirements.hpp"
#include "tests/report/sample_station.hpp"
#include "tests/report/xml_check.hpp"

namespace weldcell::report {
namespace {

using ::testing::HasSubstr;

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(JunitTest, OneCasePerRequirementAndFailuresCarryTheirNumbers) {
  const testing::SampleStation s = testing::MakeSampleStation();
  const std::string xml =
      JunitXml("sample", CheckRequirements(s.cell, s.output.plan, s.output.reach, s.verification));
  EXPECT_EQ(testing::XmlProblem(xml), "") << xml;
  EXPECT_EQ(Count(xml, "<testsuite "), 1);
  EXPECT_EQ(Count(xml, "<testcase "), 5);
  EXPECT_EQ(Count(xml, "<failure "), 2);
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"weldcell.sample\" tests=\"5\" failures=\"2\""));
  EXPECT_TRUE(std::regex_search(
      xml, std::regex("name=\"cycle time met\" time=\"0\">\\s*<failure message=\"makespan 10.00 "
                      "s exceeds the cycle time 9.00 s by 1.00 s")))
      << xml;
  EXPECT_TRUE(
      std::regex_search(xml, std::regex("name=\"timing-robust\" time=\"0\">\\s*<system-out>")))
      << xml;
}

// Programs that could not be written after planning (`weldcell plan`: a disk full, a file
// made in the programs folder while it planned) are one more failing case, with the error.
TEST(JunitTest, ProgramsNotWrittenIsOneMoreFailingCaseWithTheError) {
  const testing::SampleStation s = testing::MakeSampleStation();
  std::vector<RequirementResult> requirements =
      CheckRequirements(s.cell, s.output.plan, s.output.reach, s.verification);
  requirements.push_back(ProgramsNotWritten("out/programs: error: No space left on device"));
  const std::string xml = JunitXml("sample", requirements);
  EXPECT_EQ(testing::XmlProblem(xml), "") << xml;
  EXPECT_THAT(xml, HasSubstr("tests=\"6\" failures=\"3\""));
  EXPECT_TRUE(std::regex_search(
      xml, std::regex("name=\"programs written\" time=\"0\">\\s*<failure message=\"the robot "
                      "programs could not be written\"[^>]*>the robot programs could not be "
                      "written\nout/programs: error: No space left on device</failure>")))
      << xml;
}

TEST(JunitTest, NamesAndMessagesAreEscaped) {
  const std::string xml = JunitXml(
      "cell <&> \"q\"",
      {{.name = "a <b> & 'c'", .passed = false, .message = "R<1> & \"R2\"", .details = "x < y\n"},
       {.name = "ok", .passed = true, .message = "a&b"}});
  EXPECT_EQ(testing::XmlProblem(xml), "") << xml;
  EXPECT_THAT(xml, HasSubstr("weldcell.cell &lt;&amp;&gt; &quot;q&quot;"));
  EXPECT_THAT(xml, HasSubstr("message=\"R&lt;1&gt; &amp; &quot;R2&quot;\""));
  EXPECT_THAT(xml, HasSubstr("<system-out>a&amp;b</system-out>"));
  // The checker itself catches what escaping prevents.
  EXPECT_NE(testing::XmlProblem("<a>x < y</a>"), "");
  EXPECT_NE(testing::XmlProblem("<a b=\"1\">R&1</a>"), "");
}

}  // namespace
}  // namespace weldcell::report
