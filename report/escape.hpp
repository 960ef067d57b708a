#pragma once
// Escaping of text for HTML and XML outputs: names, ids and messages come from user files.

#include <string>
#include <string_view>

namespace weldcell::report {

/// `text` as HTML/XML character data or a quoted attribute value: & < > " ' become entities;
/// control characters that XML 1.0 does not allow (below U+0020 except tab, newline and carriage
/// return, and DEL) become U+FFFD. Valid UTF-8 passes through unchanged; bytes that are not
/// UTF-8 become U+FFFD, so the result is always valid UTF-8.
std::string Escape(std::string_view text);

/// `text` cut to at most `max_chars` characters (UTF-8 code points; a byte that is not UTF-8
/// counts as one): when longer, its first `max_chars` − 1 and "…". For labels of a fixed width
/// (the Gantt chart's robot names); not escaped.
std::string Shortened(std::string_view text, std::size_t max_chars);

}  // namespace weldcell::report
