#include "planner/cell/internal/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "planner/cell/internal/named_file.hpp"

namespace weldcell::cell::internal {

std::string JoinKey(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string IndexKey(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

std::filesystem::path ResolveRelative(const std::filesystem::path& base_dir,
                                      const std::string& relative) {
  namespace fs = std::filesystem;
  const fs::path p(relative);
  fs::path joined = p.is_absolute() ? p : base_dir / p;
  fs::path normal = joined.lexically_normal();
  const bool goes_up = std::any_of(joined.begin(), joined.end(),
                                   [](const fs::path& element) { return element == ".."; });
  if (!goes_up) return normal;
  // "demo/../../robots" with demo a link to cells/demo: the system goes up from cells/demo.
  std::error_code ec_joined, ec_normal;
  const fs::path physical = fs::weakly_canonical(joined, ec_joined);
  const fs::path lexical = fs::weakly_canonical(normal, ec_normal);
  if (ec_joined || ec_normal || physical == lexical) return normal;
  return joined;
}

std::size_t FindInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b = byte(i);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (b < 0x80) {
      length = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      if (b == 0xE0) low = 0xA0;   // overlong
      if (b == 0xED) high = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      if (b == 0xF0) low = 0x90;   // overlong
      if (b == 0xF4) high = 0x8F;  // beyond U+10FFFF
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const unsigned char c = byte(i + k);
      const unsigned char lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
      if (c < lo || c > hi) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

Eigen::Matrix3d RotationFromRpy(double roll, double pitch, double yaw) {
  return (Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()) *
          Eigen::AngleAxisd(pitch, Eigen::Vector3d::UnitY()) *
          Eigen::AngleAxisd(roll, Eigen::Vector3d::UnitX()))
      .toRotationMatrix();
}

namespace {

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list of " + std::to_string(node.size());
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return node.Tag() == "!" ? "the string " + Quote(node.Scalar()) : Quote(node.Scalar());
    default:
      return "nothing";
  }
}

bool IsNonFiniteSpelling(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.erase(0, 1);
  return s == ".inf" || s == ".nan" || s == "inf" || s == "nan" || s == "infinity";
}

// The documents of a YAML text, found by yaml-cpp's parser without building nodes.
struct DocumentOutline {
  // Where each document's first node is, and whether it holds more than a null.
  struct Document {
    YAML::Mark node;
    bool has_content = false;
  };
  // A node with an explicit tag (`!!str 45`, `!foo`): where the node starts and the tag as
  // yaml-cpp resolved it (`tag:yaml.org,2002:str`).
  struct Tag {
    YAML::Mark node;
    std::string tag;
  };
  std::vector<Document> documents;
  std::vector<Tag> tags;
  // Where the parser stopped advancing, if it did (see OutlineDocuments).
  std::optional<YAML::Mark> stuck_at;
};

// yaml-cpp gives an untagged node the tag "?" (plain) or "!" (quoted, or the non-specific tag
// `!`, which makes a value a string); anything else was written as a tag.
bool IsExplicitTag(const std::string& tag) { return tag != "?" && tag != "!"; }

// A tag as it is usually written: yaml-cpp expands `!!str` to `tag:yaml.org,2002:str`.
std::string TagAsWritten(const std::string& tag) {
  constexpr std::string_view kYamlTags = "tag:yaml.org,2002:";
  if (tag.starts_with(kYamlTags)) return "!!" + tag.substr(kYamlTags.size());
  if (tag.starts_with("!")) return tag;
  return "!<" + tag + ">";
}

class OutlineHandler : public YAML::EventHandler {
 public:
  explicit OutlineHandler(DocumentOutline& out) : out_(out) {}
  void OnDocumentStart(const YAML::Mark& mark) override {
    out_.documents.push_back({.node = mark});
    first_node_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override { Node(mark, false); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override { Node(mark, true); }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {
    Node(mark, true);
    Tagged(mark, tag);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {
    Node(mark, true);
    Tagged(mark, tag);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    Node(mark, true);
    Tagged(mark, tag);
  }
  void OnMapEnd() override {}

 private:
  void Tagged(const YAML::Mark& mark, const std::string& tag) {
    if (IsExplicitTag(tag)) out_.tags.push_back({.node = mark, .tag = tag});
  }
  void Node(const YAML::Mark& mark, bool content) {
    DocumentOutline::Document& document = out_.documents.back();
    if (first_node_) document.node = mark;
    first_node_ = false;
    document.has_content = document.has_content || content;
  }
  DocumentOutline& out_;
  bool first_node_ = false;
};

// yaml-cpp 0.7 (Debian 12) stops advancing at a stray token where a node should start (a `,`
// after a document or before its first key): every further call reports one more empty
// document at the same place, and YAML::LoadAll loops until memory runs out (fixed upstream in
// jbeder/yaml-cpp#1319). A document that starts where the one before it started is that case:
// the outline stops there. Throws what yaml-cpp throws for a syntax error.
DocumentOutline OutlineDocuments(const std::string& text) {
  DocumentOutline outline;
  std::istringstream in(text);
  YAML::Parser parser(in);
  OutlineHandler handler(outline);
  std::optional<YAML::Mark> previous_start;
  while (true) {
    const std::size_t before = outline.documents.size();
    if (!parser.HandleNextDocument(handler) || outline.documents.size() == before) break;
    const YAML::Mark start = outline.documents.back().node;
    if (previous_start && previous_start->pos == start.pos) {
      outline.documents.pop_back();
      outline.stuck_at = start;
      break;
    }
    previous_start = start;
  }
  return outline;
}

// Whether the indentation of `line` holds a tab: the blanks that start it, and the `- ` of
// sequence entries among them (in `-<tab>name: R1` the tab indents the mapping). yaml-cpp also
// refuses a line of blanks with a tab, or a comment line indented with one, inside a block.
bool IndentedWithTab(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() &&
         (line[i] == ' ' || line[i] == '\t' ||
          (line[i] == '-' && i + 1 < line.size() && (line[i + 1] == ' ' || line[i + 1] == '\t')))) {
    if (line[i] == '\t') return true;
    ++i;
  }
  return false;
}

// Line `index` (0-based) of `text`, without its `\n`; empty past the end.
std::string_view LineAt(std::string_view text, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  return text.substr(start, text.find('\n', start) - start);
}

// Where the tag of a node that starts at `node` is written: yaml-cpp marks the node's first
// token, which is its anchor in `&a !!str 45`.
SourceLocation TagLocation(const std::string& file, std::string_view text, const YAML::Mark& node) {
  const std::string_view line = LineAt(text, node.line);
  const std::size_t bang = line.find('!', static_cast<std::size_t>(node.column));
  const int column = bang == std::string_view::npos ? node.column : static_cast<int>(bang);
  return {.file = file, .line = node.line + 1, .column = column + 1};
}

// What to add to a YAML syntax error at 0-based `line` of `text` when that line or the one
// before it is indented with a tab: yaml-cpp's messages ("illegal map value", "illegal block
// entry") do not say that YAML indents with spaces. Empty otherwise.
std::string TabIndentHint(std::string_view text, int line) {
  for (const int index : {line, line - 1}) {
    if (index < 0 || !IndentedWithTab(LineAt(text, index))) continue;
    return " (line " + std::to_string(index + 1) +
           " is indented with a tab: YAML indents with spaces, not tabs)";
  }
  return {};
}

// A parser mark (0-based, line -1 when unknown) → its 1-based location in `file`; the file
// alone without a line.
SourceLocation MarkLocation(const std::string& file, const YAML::Mark& mark) {
  SourceLocation where{.file = file};
  if (mark.line >= 0) {
    where.line = mark.line + 1;
    where.column = mark.column + 1;
  }
  return where;
}

// Where a blank value (`home:` with nothing after it) stands: yaml-cpp marks it at the next
// token, often on a later line (past comments), so the error named the next key's line. Just
// after the `:` or `-` that leaves it blank, found back from the mark over blanks and comments;
// `at` (the mark) unchanged when the mark is on a written null (`~`, `null`) or nothing such
// is found.
SourceLocation BlankValueWhere(const std::string& text, const YAML::Mark& mark, SourceLocation at) {
  if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) > text.size()) return at;
  const std::string_view rest = std::string_view(text).substr(static_cast<std::size_t>(mark.pos));
  for (const std::string_view written : {"~", "null", "Null", "NULL"}) {
    if (rest.starts_with(written)) return at;
  }
  // Lines back from the mark's (its part before the mark first), comments cut off.
  auto end = static_cast<std::size_t>(mark.pos);
  for (int line = mark.line; line >= 0; --line) {
    const std::size_t begin = end == 0 ? 0 : text.rfind('\n', end - 1) + 1;  // npos + 1 = 0
    std::string_view content = std::string_view(text).substr(begin, end - begin);
    for (std::size_t hash = content.find('#'); hash != std::string_view::npos;
         hash = content.find('#', hash + 1)) {
      if (hash == 0 || content[hash - 1] == ' ' || content[hash - 1] == '\t') {
        content = content.substr(0, hash);
        break;
      }
    }
    const std::size_t last = content.find_last_not_of(" \t\r");
    if (last != std::string_view::npos) {
      if (content[last] != ':' && content[last] != '-') return at;
      return {.file = at.file, .line = line + 1, .column = static_cast<int>(last) + 2};
    }
    if (begin == 0) break;
    end = begin - 1;
  }
  return at;
}

// What a weldcell YAML format holds ("a robot file"), "" for a format that is none of them.
std::string KindOf(std::string_view format) {
  if (format == "weldcell/1") return "a cell file";
  if (format == "weldcell-robot/1") return "a robot file";
  if (format == "weldcell-tool/1") return "a tool file";
  if (format == "weldcell-export/1") return "an export site file";
  if (format.starts_with("weldcell-plan/")) return "a plan file";
  return "";
}

// Which key takes a file of `format`, for the message of a file of another kind.
std::string KindHint(std::string_view format) {
  if (format == "weldcell-robot/1") {
    return " (a cell's robots[].model names a robot.yaml, which names its URDF under `urdf`)";
  }
  if (format == "weldcell-tool/1") return " (a cell's robots[].tool names a tool.yaml)";
  return "";
}

// The message for a file `file` whose `format` is another weldcell kind than `expected` (a
// robot.yaml named as a tool, a plan given as the cell); nullopt when it is of that kind, has
// no format (CheckMap says so) or names none weldcell knows (CheckFormat says so).
std::optional<std::string> OtherKind(const YAML::Node& root, std::string_view expected,
                                     const std::string& file) {
  const std::optional<YAML::Node> format = YamlReader::Get(root, "format");
  if (expected.empty() || !format || !format->IsScalar()) return std::nullopt;
  const std::string found = format->Scalar();
  if (found == expected || KindOf(found).empty()) return std::nullopt;
  const std::string hint = KindOf(found) == "a plan file" && expected == "weldcell/1"
                               ? " (the cell comes first: weldcell verify CELL PLAN)"
                               : KindHint(expected);
  return file + " is " + KindOf(found) + " (format " + found + "), expected " + KindOf(expected) +
         " (format " + std::string(expected) + ")" + hint;
}

}  // namespace

SourceLocation YamlReader::DocumentStart(const std::string& text, const YAML::Mark& mark) const {
  if (mark.line < 0) return {.file = file_};
  SourceLocation where{.file = file_, .line = mark.line + 1, .column = mark.column + 1};
  // The document's `---` line, if the document has one: the last marker line up to its first
  // node (a `...` line before that means the document starts at the node itself).
  std::istringstream in(text);
  std::string line;
  for (int number = 0; number <= mark.line && std::getline(in, line); ++number) {
    const bool start = line.starts_with("---") &&
                       (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    const bool end = line.starts_with("...") &&
                     (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    if (start) where = {.file = file_, .line = number + 1, .column = 1};
    if (end) where = {.file = file_, .line = mark.line + 1, .column = mark.column + 1};
  }
  return where;
}

std::optional<std::string> YamlReader::ReadFileText(const std::filesystem::path& path,
                                                    const SourceLocation& referenced_from,
                                                    const std::string& referenced_key) {
  // Named from another file: the message is at the line that names this one.
  const SourceLocation where =
      referenced_from.file.empty() ? SourceLocation{.file = file_} : referenced_from;
  // A device (/dev/zero), FIFO or huge file would be read until memory runs out, or forever
  // (a FIFO blocks even the opening).
  if (std::optional<std::string> problem = NamedFileProblem(path, "YAML file")) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      // A folder where a file belongs (e.g. `cells/demo` for `cells/demo/cell.yaml`): say which
      // file of it was probably meant.
      for (const char* name : {"cell.yaml", "robot.yaml", "tool.yaml"}) {
        if (std::filesystem::is_regular_file(path / name, ec)) {
          *problem += " (did you mean " + (path / name).string() + "?)";
          break;
        }
      }
    }
    sink_.Error(where, referenced_key, *problem);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    sink_.Error(where, referenced_key, "cannot be read: " + path.string());
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool YamlReader::CheckPlainText(const std::string& text) {
  int line = 1, column = 1;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f) {
      std::array<char, 8> hex{};
      std::snprintf(hex.data(), hex.size(), "\\x%02x", u);
      sink_.Error({.file = file_, .line = line, .column = column}, "",
                  std::string("control character ") + hex.data() +
                      " (a YAML file is text; a binary or corrupted file?)");
      return false;
    }
    // A line starting with `%` is a YAML directive (%YAML, %TAG), which belongs before a
    // document: yaml-cpp applied one on a file's last line to a next document and dropped
    // the line, keys and all (`% speed_override: 0.5` exported at full speed). weldcell
    // files have none.
    if (c == '%' && column == 1) {
      sink_.Error({.file = file_, .line = line, .column = 1}, "",
                  "a line starting with '%' is a YAML directive (%YAML, %TAG), which a "
                  "weldcell file does not use; its line would be dropped (a comment starts "
                  "with #)");
      return false;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return true;
}

bool YamlReader::CheckOutline(const std::string& text) {
  const DocumentOutline outline = OutlineDocuments(text);
  if (outline.stuck_at) {
    const YAML::Mark& at = *outline.stuck_at;
    const bool in_text = at.pos >= 0 && static_cast<std::size_t>(at.pos) < text.size();
    const std::string what =
        in_text ? Quote(std::string(1, text[static_cast<std::size_t>(at.pos)])) : "end of file";
    sink_.Error({.file = file_, .line = at.line + 1, .column = at.column + 1}, "",
                "YAML syntax error: unexpected " + what + " where a key or a value should start" +
                    TabIndentHint(text, at.line));
    return false;
  }
  // A second document (after a `---` line) was silently ignored, keys and all.
  for (std::size_t i = 1; i < outline.documents.size(); ++i) {
    if (!outline.documents[i].has_content) continue;  // a `---` with nothing after it
    sink_.Error(DocumentStart(text, outline.documents[i].node), "",
                "a second YAML document starts here: a weldcell file is one document (its "
                "keys would be ignored)");
    return false;
  }
  // yaml-cpp keeps a tag beside the value and weldcell reads the value alone: `!!str 45` was
  // the number 45. Each tag is refused where it is written.
  for (const DocumentOutline::Tag& tag : outline.tags) {
    sink_.Error(TagLocation(file_, text, tag.node), "",
                "YAML tags are not supported (" + Quote(TagAsWritten(tag.tag)) +
                    "): write the value itself");
  }
  return outline.tags.empty();
}

std::optional<YAML::Node> YamlReader::Parse(const std::filesystem::path& path,
                                            const SourceLocation& referenced_from,
                                            const std::string& referenced_key,
                                            std::string_view expected_format) {
  std::optional<std::string> read = ReadFileText(path, referenced_from, referenced_key);
  if (!read) return std::nullopt;
  text_ = std::move(*read);
  const std::string& text = text_;
  // Where a file of the wrong kind is said: the key that names it, else the file's start.
  const SourceLocation named_at = referenced_from.file.empty()
                                      ? SourceLocation{.file = file_, .line = 1, .column = 1}
                                      : referenced_from;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (!expected_format.empty() && first != std::string::npos && text[first] == '<') {
    sink_.Error(named_at, referenced_key,
                file_ + " is XML (a URDF?), expected a YAML file of format " +
                    std::string(expected_format) + KindHint(expected_format));
    return std::nullopt;
  }
  if (!CheckPlainText(text)) return std::nullopt;
  try {
    if (!CheckOutline(text)) return std::nullopt;
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) {
      // A file named by another (a welds CSV given as a robot's model): the key that names it
      // is said too, with the kind it takes.
      std::string named_by;
      if (!referenced_from.file.empty() && !expected_format.empty()) {
        named_by = " (named by " + referenced_key + " at " + referenced_from.file + ":" +
                   std::to_string(referenced_from.line) + ", which takes a file of format " +
                   std::string(expected_format) + ")";
      }
      sink_.Error({.file = file_, .line = 1, .column = 1}, "",
                  "expected a mapping at the top level, got " + Describe(root) + named_by);
      return std::nullopt;
    }
    if (const std::optional<std::string> other = OtherKind(root, expected_format, file_)) {
      sink_.Error(named_at, referenced_key, *other);
      return std::nullopt;
    }
    return root;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp parses recursively and stops at a fixed depth instead of overflowing the stack;
    // its own message for that ("bad file") says nothing.
    sink_.Error(MarkLocation(file_, e.mark), "",
                "YAML nested too deeply (more than " + std::to_string(e.depth()) +
                    " parser levels; weldcell files need fewer than 10 levels of nesting)");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    sink_.Error(MarkLocation(file_, e.mark), "",
                "YAML syntax error: " + e.msg + TabIndentHint(text, e.mark.line));
    return std::nullopt;
  }
}

SourceLocation YamlReader::Where(const YAML::Node& node) const {
  SourceLocation where{.file = file_};
  if (node.IsDefined()) {
    const YAML::Mark mark = node.Mark();
    if (mark.line >= 0) {
      where.line = mark.line + 1;
      where.column = mark.column + 1;
      if (node.IsNull()) where = BlankValueWhere(text_, mark, where);
    }
  }
  return where;
}

void YamlReader::Error(const YAML::Node& at, const std::string& key_path, std::string message) {
  sink_.Error(Where(at), key_path, std::move(message));
}

void YamlReader::Warning(const YAML::Node& at, const std::string& key_path, std::string message) {
  sink_.Warning(Where(at), key_path, std::move(message));
}

namespace {

// The edit distance (insertions, deletions, substitutions; a swap of neighbours counts one)
// between `a` and `b`, compared ignoring case.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  const auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The allowed key nearest to the unknown `name` (a typo: at most 2 edits, and fewer than half
// its letters), or "" when none is that near. Names of any length are compared by their
// first 64 characters.
std::string NearestKey(const std::string& name, const std::vector<std::string_view>& required,
                       const std::vector<std::string_view>& optional) {
  const std::string_view typed = std::string_view(name).substr(0, 64);
  std::string best;
  std::size_t best_distance = std::min<std::size_t>(3, (typed.size() + 1) / 2);
  for (const auto* keys : {&required, &optional}) {
    for (std::string_view k : *keys) {
      if (const std::size_t d = EditDistance(typed, k); d < best_distance) {
        best_distance = d;
        best = std::string(k);
      }
    }
  }
  return best;
}

}  // namespace

bool YamlReader::CheckMap(const YAML::Node& node, const std::string& key_path,
                          const std::vector<std::string_view>& required,
                          const std::vector<std::string_view>& optional) {
  if (!node.IsMap()) {
    Error(node, key_path, "expected a mapping, got " + Describe(node));
    return false;
  }
  std::set<std::string, std::less<>> seen;
  bool merged = false;  // a merge key: the keys it was to bring are said missing by it alone
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string();
    const bool known = std::find(required.begin(), required.end(), name) != required.end() ||
                       std::find(optional.begin(), optional.end(), name) != optional.end();
    if (!known && name == "<<") {
      // YAML 1.1's merge key, which yaml-cpp reads as a plain key: the merged keys are missing.
      Error(key, JoinKey(key_path, name),
            "merge keys (`<<: *anchor`) are not supported: write the keys out (anchors and "
            "aliases of whole values are)");
      merged = true;
      continue;
    }
    if (!known) {
      std::string message = "unknown key '" + name + "' (";
      if (const std::string near = NearestKey(name, required, optional); !near.empty()) {
        message += "did you mean '" + near + "'? ";
      }
      message += "expected one of: ";
      bool first = true;
      for (const auto* keys : {&required, &optional}) {
        for (std::string_view k : *keys) {
          message.append(first ? "" : ", ").append(k);
          first = false;
        }
      }
      Error(key, JoinKey(key_path, name), message + ")");
      continue;
    }
    if (!seen.insert(name).second) {
      Error(key, JoinKey(key_path, name), "duplicate key '" + name + "'");
    }
  }
  for (std::string_view k : required) {
    if (!seen.contains(k) && !merged) {
      Error(node, JoinKey(key_path, k), "missing required key '" + std::string(k) + "'");
    }
  }
  return true;
}

std::optional<YAML::Node> YamlReader::Get(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return std::nullopt;
  // Iterate instead of operator[]: the first occurrence wins and nothing is created.
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return std::nullopt;
}

std::optional<double> YamlReader::Number(const YAML::Node& node, const std::string& key_path) {
  if (!node.IsScalar() || node.Tag() == "!") {
    Error(node, key_path, "expected a number, got " + Describe(node));
    return std::nullopt;
  }
  const std::string& text = node.Scalar();
  if (IsNonFiniteSpelling(text)) {
    Error(node, key_path, "NaN and infinity are not allowed (got " + text + ")");
    return std::nullopt;
  }
  std::string_view view(text);
  if (!view.empty() && view.front() == '+') view.remove_prefix(1);
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (ec == std::errc::result_out_of_range) {
    Error(node, key_path, "number out of range: " + text);
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != view.data() + view.size() || view.empty()) {
    Error(node, key_path, "expected a number, got " + Describe(node));
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    Error(node, key_path, "NaN and infinity are not allowed (got " + text + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<double> YamlReader::Positive(const YAML::Node& node, const std::string& key_path,
                                           double unit, bool allow_zero) {
  std::optional<double> v = Number(node, key_path);
  if (!v) return std::nullopt;
  if (allow_zero ? *v < 0.0 : *v <= 0.0) {
    Error(node, key_path,
          std::string(allow_zero ? "must be >= 0" : "must be > 0") + ", got " + node.Scalar());
    return std::nullopt;
  }
  return *v * unit;
}

bool YamlReader::CheckBound(const YAML::Node& node, const std::string& key_path, double value_si,
                            Quantity q, std::string_view unit_name) {
  const std::string shown =
      node.Scalar() + (unit_name.empty() ? std::string() : " " + std::string(unit_name));
  std::string problem = BoundProblem(value_si, q, shown);
  if (problem.empty()) return true;
  Error(node, key_path, std::move(problem));
  return false;
}

std::optional<double> YamlReader::Length(const YAML::Node& node, const std::string& key_path,
                                         const Units& units, bool allow_zero) {
  std::optional<double> v = Positive(node, key_path, units.length, allow_zero);
  if (v && !CheckBound(node, key_path, *v, Quantity::kLength, units.length_name)) {
    return std::nullopt;
  }
  return v;
}

std::optional<double> YamlReader::Time(const YAML::Node& node, const std::string& key_path,
                                       bool allow_zero) {
  std::optional<double> v = Positive(node, key_path, 1.0, allow_zero);
  if (v && !CheckBound(node, key_path, *v, Quantity::kTime, "s")) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> YamlReader::UnsignedInteger(const YAML::Node& node,
                                                         const std::string& key_path) {
  if (!node.IsScalar() || node.Tag() == "!") {
    Error(node, key_path, "expected a non-negative integer, got " + Describe(node));
    return std::nullopt;
  }
  const std::string& text = node.Scalar();
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    Error(node, key_path, "expected a non-negative integer, got " + Describe(node));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> YamlReader::String(const YAML::Node& node, const std::string& key_path) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    Error(node, key_path, "expected a non-empty string, got " + Describe(node));
    return std::nullopt;
  }
  if (const std::size_t bad = FindInvalidUtf8(node.Scalar()); bad != std::string_view::npos) {
    Error(node, key_path,
          "not valid UTF-8 text (byte " + std::to_string(bad + 1) +
              " of the value); save the "
              "file as UTF-8");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> YamlReader::Name(const YAML::Node& node, const std::string& key_path) {
  std::optional<std::string> name = String(node, key_path);
  if (!name) return name;
  if (const std::string problem = ControlCharacterProblem(*name); !problem.empty()) {
    Error(node, key_path, problem);
    return std::nullopt;
  }
  // Names are compared exactly: "R1 " would print as R1 and be another robot or obstacle.
  if (!name->empty() && (name->front() == ' ' || name->back() == ' ')) {
    Error(node, key_path,
          "'" + *name + "' begins or ends with a space (names are compared exactly)");
    return std::nullopt;
  }
  return name;
}

namespace {

// Characters that print as nothing and so make a name look like another one, or reorder what is
// printed after it (a right-to-left override): Unicode's default-ignorable code points
// (DerivedCoreProperties.txt, Default_Ignorable_Code_Point), the interlinear annotation marks
// and the line and paragraph separators; what they are, or nullptr. The zero-width joiners
// U+200C and U+200D are not among them: Persian and Indic words need them.
const char* InvisibleFormatCharacter(char32_t c) {
  if (c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
      (c >= 0x2066 && c <= 0x2069)) {
    return "bidirectional control";
  }
  if (c == 0x200B || c == 0xFEFF || (c >= 0x2060 && c <= 0x2064)) return "zero-width";
  if (c == 0x00AD) return "soft hyphen";
  if (c == 0x2028 || c == 0x2029) return "line or paragraph separator";
  if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x180B && c <= 0x180D) || c == 0x180F ||
      (c >= 0xE0100 && c <= 0xE01EF)) {
    return "variation selector";
  }
  if (c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5 || c == 0x180E ||
      c == 0x3164 || c == 0xFFA0 || (c >= 0x2065 && c <= 0x206F) || (c >= 0xFFF0 && c <= 0xFFFB) ||
      (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) ||
      (c >= 0xE0000 && c <= 0xE0FFF)) {
    return "invisible";
  }
  if (c == 0x2800) return "blank braille pattern";  // prints as a space
  return nullptr;
}

// Unicode's space separators (general category Zs) other than the ASCII space.
bool IsNonAsciiSpace(char32_t c) {
  return c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

}  // namespace

std::string ControlCharacterProblem(std::string_view name) {
  std::size_t length = 1;
  for (std::size_t i = 0; i < name.size(); i += length) {
    // Decode one UTF-8 sequence (the name is valid UTF-8).
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(name[k]); };
    const unsigned char c = byte(i);
    length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    length = std::min(length, name.size() - i);
    char32_t code = length == 1 ? c : c & (0xFF >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (byte(i + k) & 0x3F);

    std::array<char, 12> text{};
    std::snprintf(text.data(), text.size(), "U+%04X", static_cast<unsigned>(code));
    const char* hex = text.data();
    const std::string at = " at byte " + std::to_string(i + 1);
    if (code < 0x20 || code == 0x7f || (code >= 0x80 && code <= 0x9f)) {
      const char* what = code == '\t'   ? " (tab)"
                         : code == '\n' ? " (newline)"
                         : code == '\r' ? " (carriage return)"
                                        : "";
      return "names must be printable: control character " + std::string(hex) + what + at;
    }
    if (const char* what = InvisibleFormatCharacter(code)) {
      return "names must be printable: invisible format character " + std::string(hex) + " (" +
             what + ")" + at;
    }
    // "R1" followed by a no-break space prints as R1 and is another name (as "R1 " is); so
    // does one followed by a zero-width joiner, which only joins letters inside a word.
    if ((i == 0 || i + length == name.size()) &&
        (IsNonAsciiSpace(code) || code == 0x200C || code == 0x200D)) {
      return "names must not begin or end with a space: " + std::string(hex) +
             (code == 0x00A0   ? " (no-break space)"
              : code == 0x200C ? " (zero-width non-joiner)"
              : code == 0x200D ? " (zero-width joiner)"
                               : " (a space)") +
             at + " (names are compared exactly)";
    }
  }
  return {};
}

std::optional<std::vector<double>> YamlReader::Numbers(const YAML::Node& node,
                                                       const std::string& key_path,
                                                       std::size_t expected_size,
                                                       std::string_view what) {
  const std::string expected =
      expected_size == 0
          ? std::string("a list of numbers")
          : std::to_string(expected_size) + (expected_size == 1 ? " number" : " numbers") +
                (what.empty() ? std::string() : " (" + std::string(what) + ")");
  if (!node.IsSequence()) {
    Error(node, key_path, "expected " + expected + ", got " + Describe(node));
    return std::nullopt;
  }
  if (expected_size != 0 && node.size() != expected_size) {
    Error(node, key_path, "expected " + expected + ", got " + std::to_string(node.size()));
    return std::nullopt;
  }
  std::vector<double> out;
  out.reserve(node.size());
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::optional<double> v = Number(node[i], IndexKey(key_path, i));
    if (v) {
      out.push_back(*v);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Eigen::Vector3d> YamlReader::Vector3(const YAML::Node& node,
                                                   const std::string& key_path, double unit) {
  std::optional<std::vector<double>> v = Numbers(node, key_path, 3);
  if (!v) return std::nullopt;
  return Eigen::Vector3d((*v)[0], (*v)[1], (*v)[2]) * unit;
}

std::optional<Eigen::Vector3d> YamlReader::LengthVector3(const YAML::Node& node,
                                                         const std::string& key_path,
                                                         const Units& units) {
  std::optional<Eigen::Vector3d> v = Vector3(node, key_path, units.length);
  if (!v) return std::nullopt;
  bool ok = true;
  for (std::size_t i = 0; i < 3; ++i) {
    ok = CheckBound(node[i], IndexKey(key_path, i), (*v)[static_cast<Eigen::Index>(i)],
                    Quantity::kLength, units.length_name) &&
         ok;
  }
  if (!ok) return std::nullopt;
  return v;
}

std::optional<Eigen::Isometry3d> YamlReader::Pose(const YAML::Node& node,
                                                  const std::string& key_path, const Units& units) {
  if (!CheckMap(node, key_path, {}, {"xyz", "rpy"})) return std::nullopt;
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  bool ok = true;
  if (auto xyz = Get(node, "xyz")) {
    if (auto v = LengthVector3(*xyz, JoinKey(key_path, "xyz"), units)) {
      pose.translation() = *v;
    } else {
      ok = false;
    }
  }
  if (auto rpy = Get(node, "rpy")) {
    if (auto v = Vector3(*rpy, JoinKey(key_path, "rpy"), units.angle)) {
      pose.linear() = RotationFromRpy((*v)[0], (*v)[1], (*v)[2]);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return pose;
}

Units YamlReader::ReadUnits(const YAML::Node& root, bool allow_length, bool allow_angle) {
  Units units;
  std::optional<YAML::Node> node = Get(root, "units");
  if (!node) return units;
  if (allow_length && allow_angle) {
    if (!CheckMap(*node, "units", {}, {"length", "angle"})) return units;
  } else if (allow_length) {
    if (!CheckMap(*node, "units", {}, {"length"})) return units;
  } else {
    if (!CheckMap(*node, "units", {}, {"angle"})) return units;
  }
  if (auto length = Get(*node, "length"); length && allow_length) {
    if (auto name = String(*length, "units.length")) {
      if (*name == "m") {
        units.length = 1.0;
      } else if (*name == "cm") {
        units.length = 0.01;
      } else if (*name == "mm") {
        units.length = 0.001;
      } else {
        Error(*length, "units.length",
              "unknown length unit '" + *name + "' (expected mm, cm or m)");
      }
      units.length_name = *name;
    }
  }
  if (auto angle = Get(*node, "angle"); angle && allow_angle) {
    if (auto name = String(*angle, "units.angle")) {
      if (*name == "rad") {
        units.angle = 1.0;
      } else if (*name == "deg") {
        units.angle = std::numbers::pi / 180.0;
      } else {
        Error(*angle, "units.angle", "unknown angle unit '" + *name + "' (expected deg or rad)");
      }
      units.angle_name = *name;
    }
  }
  return units;
}

std::optional<Units> YamlReader::ReadKnownUnits(const YAML::Node& root, bool allow_length,
                                                bool allow_angle) {
  const std::size_t before = sink_.diagnostics().size();
  const Units units = ReadUnits(root, allow_length, allow_angle);
  if (sink_.diagnostics().size() != before) return std::nullopt;
  return units;
}

void YamlReader::CheckFormat(const YAML::Node& root, std::string_view expected) {
  std::optional<YAML::Node> node = Get(root, "format");
  if (!node) return;  // CheckMap reports the missing key.
  if (auto value = String(*node, "format"); value && *value != expected) {
    Error(*node, "format",
          "unknown format version '" + *value + "' (expected '" + std::string(expected) + "')");
  }
}

}  // namespace weldcell::cell::internal
