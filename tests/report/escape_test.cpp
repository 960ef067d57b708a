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

TEST(EscapeTest, ShortenedCountsCharactersNotBytesAndEndsWithAnEllipsis) {
  EXPECT_EQ(Shortened("R1", 16), "R1");
  EXPECT_EQ(Shortened("0123456789abcdef", 16), "0123456789abcdef");
  EXPECT_EQ(Shortened("0123456789abcdefg", 16), "0123456789abcde\u2026");
  // "Süd_Ölwanne": ü and Ö are two bytes each, one character.
  EXPECT_EQ(Shortened("S\xC3\xBC"
                      "d_\xC3\x96lwanne",
                      5),
            "S\xC3\xBC"
            "d_\u2026");
  EXPECT_EQ(Shortened("abc", 0), "");
}

}  // namespace
}  // namespace weldcell::report
