#include "planner/cell/internal/xml_depth.hpp"

#include <algorithm>

namespace weldcell::cell::internal {

std::optional<XmlPosition> FindXmlDeeperThan(std::string_view xml, int max_depth) {
  int depth = 0;
  std::size_t i = 0;
  // Index one past `marker` after `from`, or the end.
  auto skip_past = [&xml](std::size_t from, std::string_view marker) {
    const std::size_t at = xml.find(marker, from);
    return at == std::string_view::npos ? xml.size() : at + marker.size();
  };
  while ((i = xml.find('<', i)) != std::string_view::npos) {
    const std::string_view rest = xml.substr(i);
    if (rest.starts_with("<!--")) {
      i = skip_past(i + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      i = skip_past(i + 9, "]]>");
    } else if (rest.starts_with("<?")) {
      i = skip_past(i + 2, "?>");
    } else if (rest.starts_with("<!")) {
      // <!DOCTYPE ... [ internal subset ]>: skip to the '>' outside brackets.
      int brackets = 0;
      std::size_t p = i + 2;
      for (; p < xml.size(); ++p) {
        if (xml[p] == '[') ++brackets;
        if (xml[p] == ']') --brackets;
        if (xml[p] == '>' && brackets <= 0) break;
      }
      i = p + 1;
    } else if (rest.starts_with("</")) {
      depth = std::max(0, depth - 1);
      i = skip_past(i + 2, ">");
    } else {
      const std::size_t start = i;
      char quote = 0;
      std::size_t p = i + 1;
      for (; p < xml.size() && (quote != 0 || xml[p] != '>'); ++p) {
        if (quote == 0 && (xml[p] == '"' || xml[p] == '\'')) {
          quote = xml[p];
        } else if (quote != 0 && xml[p] == quote) {
          quote = 0;
        }
      }
      const bool self_closing = p < xml.size() && xml[p - 1] == '/';
      if (!self_closing && ++depth > max_depth) {
        XmlPosition where{.line = 1, .column = 1};
        const std::string_view before = xml.substr(0, start);
        where.line += static_cast<int>(std::count(before.begin(), before.end(), '\n'));
        const std::size_t line_start = before.rfind('\n');
        where.column +=
            static_cast<int>(line_start == std::string_view::npos ? start : start - line_start - 1);
        return where;
      }
      i = p + 1;
    }
  }
  return std::nullopt;
}

}  // namespace weldcell::cell::internal
