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

TEST(EscapeTest, ShortenedCutsByWidthAndEndsWithAnEllipsis) {
  EXPECT_EQ(Shortened("R1", 128), "R1");
  // 16 lower-case letters fit; 16 W do not (a fresh user's 40 W were clipped at the left).
  EXPECT_EQ(Shortened("abcdefghijklmnop", 128), "abcdefghijklmnop");
  const std::string w = Shortened(std::string(40, 'W'), 128);
  EXPECT_EQ(w, std::string(11, 'W') + "\u2026");
  EXPECT_EQ(Shortened(std::string(40, 'i'), 128), std::string(30, 'i') + "\u2026");
  // "Süd_Ölwanne…": ü and Ö are two bytes each, one character, never cut in half.
  const std::string cut = Shortened(
      "S\xC3\xBC"
      "d_\xC3\x96lwanne_und_mehr_davon",
      60);
  EXPECT_EQ(cut,
            "S\xC3\xBC"
            "d_\xC3\x96l\u2026");
}

}  // namespace
}  // namespace weldcell::report
