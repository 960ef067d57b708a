#pragma once
// A small well-formedness check of XML/HTML-like text for the report tests: tags nest and
// close, attribute values are quoted, '&' starts a known entity, '<' starts a tag. Enough to
// catch unescaped user text; not a full XML parser.

#include <regex>
#include <string>
#include <vector>

namespace weldcell::report::testing {

/// Empty when `text` is well formed; otherwise what is wrong and where. `void_tags` close
/// themselves (HTML's meta, br). Content of <style> is skipped.
inline std::string XmlProblem(const std::string& text,
                              const std::vector<std::string>& void_tags = {}) {
  static const std::regex kTag(
      R"(^<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:\s+[A-Za-z][A-Za-z0-9:-]*="[^"<]*")*)\s*(/?)>)");
  static const std::regex kEntity(R"(^&(amp|lt|gt|quot|#39|#[0-9]+);)");
  std::vector<std::string> open;
  std::size_t i = 0;
  const auto where = [&] { return " at byte " + std::to_string(i) + ": " + text.substr(i, 60); };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '&') {
      std::smatch m;
      const std::string rest = text.substr(i, 12);
      if (!std::regex_search(rest, m, kEntity)) return "bare &" + where();
      i += m.length(0);
    } else if (c == '<') {
      if (text.compare(i, 5, "<?xml") == 0 || text.compare(i, 9, "<!DOCTYPE") == 0) {
        i = text.find('>', i) + 1;
        continue;
      }
      const std::string rest = text.substr(i, std::min<std::size_t>(text.size() - i, 4000));
      std::smatch m;
      if (!std::regex_search(rest, m, kTag)) return "malformed tag" + where();
      const std::string name = m[2];
      const bool closing = m[1] == "/", self = m[4] == "/";
      i += m.length(0);
      if (closing) {
        if (open.empty() || open.back() != name) return "unexpected </" + name + ">" + where();
        open.pop_back();
      } else if (!self && std::find(void_tags.begin(), void_tags.end(), name) == void_tags.end()) {
        if (name == "style") {
          i = text.find("</style>", i);
          if (i == std::string::npos) return "unclosed style";
          i += 8;
          continue;
        }
        open.push_back(name);
      }
    } else if (c == '>') {
      return "bare >" + where();
    } else {
      ++i;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

}  // namespace weldcell::report::testing
