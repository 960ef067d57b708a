#include "report/escape.hpp"

#include <algorithm>

namespace weldcell::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one.
std::size_t Utf8Length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  std::size_t n = 0;
  unsigned min = 0;
  unsigned cp = 0;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and code points beyond Unicode are not UTF-8.
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return n;
}

}  // namespace

namespace {

// About how wide a character is in 11 px bold sans-serif (px): a cut by width, not by count,
// so that "WWWW…" fits as "iiii…" does.
double GlyphWidth(std::string_view ch) {
  if (ch.size() != 1) return 8.0;  // beyond ASCII: an accented letter, a CJK one wider
  const char c = ch[0];
  if (std::string_view("ijlI.,:;'|!ft ").find(c) != std::string_view::npos) return 3.8;
  if (std::string_view("MWmw@").find(c) != std::string_view::npos) return 10.5;
  if (c >= 'A' && c <= 'Z') return 8.0;
  return 6.6;
}

}  // namespace

std::string Shortened(std::string_view text, double max_px) {
  constexpr double kEllipsis = 11.0;  // px of "…"
  double width = 0.0;
  std::size_t cut = std::string_view::npos;  // the end of what fits beside an ellipsis
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = std::max<std::size_t>(Utf8Length(text, i), 1);
    width += GlyphWidth(text.substr(i, n));
    if (cut == std::string_view::npos && width > max_px - kEllipsis) cut = i;
    i += n;
  }
  if (width <= max_px) return std::string(text);
  return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";  // U+2026
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default: {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && c != '\t' && c != '\n' && c != '\r') || b == 0x7F) {
          out += kReplacement;
          break;
        }
        const std::size_t n = Utf8Length(text, i);
        if (n == 0) {
          out += kReplacement;
          break;
        }
        out.append(text.substr(i, n));
        i += n;
        continue;
      }
    }
    ++i;
  }
  return out;
}

}  // namespace weldcell::report
