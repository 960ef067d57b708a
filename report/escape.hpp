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

/// `text` cut to about `max_px` pixels of 11 px bold sans-serif (an estimate per character: `W`
/// wider than `i`; UTF-8 code points, a byte that is not UTF-8 counting as one): when wider, its
/// start that fits beside "…", then "…". For labels of a fixed width (the Gantt chart's robot
/// names); not escaped.
std::string Shortened(std::string_view text, double max_px);

}  // namespace weldcell::report
