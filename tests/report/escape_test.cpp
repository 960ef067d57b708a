#include "report/escape.hpp"

#include <gtest/gtest.h>

namespace weldcell::report {
namespace {

TEST(EscapeTest, MarkupCharactersBecomeEntities) {
  EXPECT_EQ(Escape("R<&>\"1'"), "R&lt;&amp;&gt;&quot;1&#39;");
  EXPECT_EQ(Escape("plain W01 – clamp_1"), "plain W01 – clamp_1");
}

TEST(EscapeTest, ControlCharactersAndBytesThatAreNotUtf8BecomeReplacementCharacters) {
  EXPECT_EQ(Escape(std::string("a\x01z\tb\n")), "a\xEF\xBF\xBDz\tb\n");
  EXPECT_EQ(Escape("Schwei\xdf"), "Schwei\xEF\xBF\xBD");
  EXPECT_EQ(Escape("\xC3\xA4"), "\xC3\xA4");                  // ä
  EXPECT_EQ(Escape("\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '<'
  EXPECT_EQ(Escape("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
}

}  // namespace
}  // namespace weldcell::report
