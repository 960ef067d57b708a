// The arm chain of a URDF: urdfdom for the model, a small scan of the XML text for line numbers
// (urdfdom keeps none), assimp (through MeshCache) for the meshes.

#include <console_bridge/console.h>
#include <libxml/parser.h>
#include <urdf_parser/urdf_parser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <optional>
#include <sstream>
#include <tuple>

#include "planner/cell/internal/bounds.hpp"
#include "planner/cell/internal/load_context.hpp"
#include "planner/cell/internal/named_file.hpp"
#include "planner/cell/internal/xml_depth.hpp"

namespace weldcell::cell::internal {

namespace fs = std::filesystem;

namespace {

/// Positions of the elements we report errors on, found by scanning the XML text.
struct XmlIndex {
  struct Element {
    std::string name;  ///< `name` attribute (`filename` for <mesh>).
    std::size_t begin = 0;
    std::size_t end = 0;  ///< One past the element's end (closing tag included).
    int line = 0;
    int column = 0;
    std::string tag;         ///< e.g. "link", "box".
    std::string attributes;  ///< The start tag's text after the tag name.
  };
  std::vector<Element> links;
  std::vector<Element> joints;
  std::vector<Element> meshes;
  std::vector<Element> mimics;  ///< `name` is the `joint` attribute (the joint mimicked).
  std::vector<Element> limits;
  std::vector<Element> collisions;
  std::vector<Element> visuals;
  std::vector<Element> origins;
  std::vector<Element> shapes;  ///< <box>, <cylinder>, <sphere> and <mesh>.

  /// The first <link> / <joint> with that name (urdfdom rejects duplicates).
  std::map<std::string, std::size_t> link_by_name;
  std::map<std::string, std::size_t> joint_by_name;

  const Element* FindLink(const std::string& name) const { return Find(links, link_by_name, name); }
  const Element* FindJoint(const std::string& name) const {
    return Find(joints, joint_by_name, name);
  }

 private:
  static const Element* Find(const std::vector<Element>& list,
                             const std::map<std::string, std::size_t>& by_name,
                             const std::string& name) {
    const auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : &list[it->second];
  }
};

std::optional<std::string> FindAttribute(std::string_view tag_text, std::string_view attribute) {
  std::size_t pos = 0;
  while ((pos = tag_text.find(attribute, pos)) != std::string_view::npos) {
    const bool word_start = pos > 0 && std::isspace(static_cast<unsigned char>(tag_text[pos - 1]));
    std::size_t p = pos + attribute.size();
    while (p < tag_text.size() && std::isspace(static_cast<unsigned char>(tag_text[p]))) ++p;
    if (word_start && p < tag_text.size() && tag_text[p] == '=') {
      ++p;
      while (p < tag_text.size() && std::isspace(static_cast<unsigned char>(tag_text[p]))) ++p;
      if (p < tag_text.size() && (tag_text[p] == '"' || tag_text[p] == '\'')) {
        const char quote = tag_text[p];
        const std::size_t close = tag_text.find(quote, p + 1);
        if (close != std::string_view::npos) {
          return std::string(tag_text.substr(p + 1, close - p - 1));
        }
      }
    }
    pos += attribute.size();
  }
  return std::nullopt;
}

std::string AttributeValue(std::string_view tag_text, std::string_view attribute) {
  return FindAttribute(tag_text, attribute).value_or("");
}

XmlIndex ScanXml(const std::string& text) {
  XmlIndex index;
  std::vector<std::size_t> line_starts{0};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts.push_back(i + 1);
  }
  auto locate = [&](std::size_t offset, XmlIndex::Element& e) {
    const auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
    const auto line = static_cast<std::size_t>(it - line_starts.begin());
    e.line = static_cast<int>(line);
    e.column = static_cast<int>(offset - line_starts[line - 1]) + 1;
  };
  std::size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    if (text.compare(i, 4, "<!--") == 0) {
      const std::size_t close = text.find("-->", i + 4);
      i = close == std::string::npos ? text.size() : close + 3;
      continue;
    }
    std::size_t p = i + 1;
    while (p < text.size() && (std::isalnum(static_cast<unsigned char>(text[p])) ||
                               text[p] == '_' || text[p] == ':' || text[p] == '-')) {
      ++p;
    }
    const std::string tag = text.substr(i + 1, p - i - 1);
    // The end of the start tag, skipping quoted attribute values that may contain '>'.
    std::size_t q = p;
    char quote = 0;
    while (q < text.size() && (quote != 0 || text[q] != '>')) {
      if (quote == 0 && (text[q] == '"' || text[q] == '\'')) {
        quote = text[q];
      } else if (quote != 0 && text[q] == quote) {
        quote = 0;
      }
      ++q;
    }
    if (q >= text.size()) break;
    const std::string_view tag_text(text.data() + p, q - p);
    const bool self_closing = q > 0 && text[q - 1] == '/';
    // <link>, <joint>, <collision> and <visual> enclose others; the rest are read as leaves.
    const bool container = tag == "link" || tag == "joint" || tag == "collision" || tag == "visual";
    const bool leaf = tag == "mesh" || tag == "mimic" || tag == "limit" || tag == "origin" ||
                      tag == "box" || tag == "cylinder" || tag == "sphere";
    if (container || leaf) {
      XmlIndex::Element e;
      e.name = tag == "mesh"    ? AttributeValue(tag_text, "filename")
               : tag == "mimic" ? AttributeValue(tag_text, "joint")
                                : AttributeValue(tag_text, "name");
      e.tag = tag;
      e.attributes = std::string(tag_text);
      e.begin = i;
      e.end = q + 1;
      if (!self_closing && container) {
        const std::size_t close = text.find("</" + tag, q);
        e.end = close == std::string::npos ? text.size() : close;
      }
      locate(i, e);
      if (tag == "link") {
        index.link_by_name.emplace(e.name, index.links.size());
        index.links.push_back(e);
      }
      if (tag == "joint") {
        index.joint_by_name.emplace(e.name, index.joints.size());
        index.joints.push_back(e);
      }
      if (tag == "mesh") index.meshes.push_back(e);
      if (tag == "mimic") index.mimics.push_back(e);
      if (tag == "limit") index.limits.push_back(e);
      if (tag == "collision") index.collisions.push_back(e);
      if (tag == "visual") index.visuals.push_back(e);
      if (tag == "origin") index.origins.push_back(e);
      if (tag == "box" || tag == "cylinder" || tag == "sphere" || tag == "mesh") {
        index.shapes.push_back(e);
      }
    }
    i = q + 1;
  }
  return index;
}

/// Collects urdfdom's console messages while it parses (it reports errors only there).
class CaptureHandler : public console_bridge::OutputHandler {
 public:
  void log(const std::string& text, console_bridge::LogLevel level, const char* /*filename*/,
           int /*line*/) override {
    if (level >= console_bridge::CONSOLE_BRIDGE_LOG_ERROR) errors.push_back(text);
  }
  std::vector<std::string> errors;
};

urdf::ModelInterfaceSharedPtr ParseWithMessages(const std::string& xml,
                                                std::vector<std::string>& errors) {
  // console_bridge's output handler is process-global: serialise the swap.
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  CaptureHandler handler;
  console_bridge::useOutputHandler(&handler);
  urdf::ModelInterfaceSharedPtr model;
  try {
    model = urdf::parseURDF(xml);
  } catch (const std::exception& e) {
    handler.errors.emplace_back(e.what());
  }
  console_bridge::restorePreviousOutputHandler();
  errors = std::move(handler.errors);
  return model;
}

/// Why urdfdom cannot read a URDF document, and where.
struct XmlProblem {
  SourceLocation where;
  std::string key;  ///< The attribute at fault, or empty.
  std::string message;
};

/// Line and column of byte `offset` of `text`, both 1-based.
SourceLocation LocationOf(const std::string& text, std::size_t offset, const std::string& file) {
  offset = std::min(offset, text.size());
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column =
      line_start == std::string::npos || offset == 0 ? offset + 1 : offset - line_start;
  return {.file = file, .line = static_cast<int>(line), .column = static_cast<int>(column)};
}

/// UTF-16 or UTF-32 text (a byte-order mark, or NUL bytes, which UTF-8 XML cannot hold):
/// libxml2 reads it, urdfdom's parser finds "document empty".
std::optional<XmlProblem> NotUtf8(const std::string& xml, const std::string& file) {
  const bool bom = xml.size() >= 2 && ((xml[0] == '\xFF' && xml[1] == '\xFE') ||
                                       (xml[0] == '\xFE' && xml[1] == '\xFF'));
  if (!bom && xml.find('\0') == std::string::npos) return std::nullopt;
  return XmlProblem{{.file = file, .line = 1, .column = 1},
                    "",
                    "the file is UTF-16 or UTF-32 text; a URDF must be UTF-8 (convert it, e.g. "
                    "iconv -f UTF-16 -t UTF-8)"};
}

/// Where `xml` is not well-formed XML, by libxml2 (urdfdom's own parser says what is wrong, not
/// where): the place and libxml2's message, e.g. "Premature end of data in tag robot line 4".
std::optional<XmlProblem> NotWellFormed(xmlParserCtxt& context, xmlDoc* document,
                                        const std::string& file) {
  const xmlError& error = context.lastError;
  if ((document != nullptr && context.wellFormed) || error.code == XML_ERR_OK) return std::nullopt;
  std::string message = error.message != nullptr ? error.message : "not well-formed";
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  return XmlProblem{
      {.file = file, .line = std::max(error.line, 1), .column = std::max(error.int2, 1)},
      "",
      "not well-formed XML: " + message};
}

/// A well-formed document urdfdom cannot read, where it says only what ("Could not find the
/// 'robot' element", "No name given for the robot"): a DOCTYPE with an internal subset (its
/// parser takes the first '>' for the declaration's end), a root other than <robot>, a robot
/// without a name.
std::optional<XmlProblem> NotARobotDocument(const xmlDoc& document, const std::string& xml,
                                            const std::string& file) {
  if (document.intSubset != nullptr && document.intSubset->children != nullptr) {
    return XmlProblem{LocationOf(xml, xml.find("<!DOCTYPE"), file), "",
                      "a DOCTYPE with declarations in brackets ([...]) cannot be read by "
                      "urdfdom: remove the declarations or the DOCTYPE"};
  }
  const xmlNode* root = xmlDocGetRootElement(&document);
  if (root == nullptr) return std::nullopt;  // Not well-formed: reported before.
  const std::string tag = reinterpret_cast<const char*>(root->name);
  // The start tag on the line libxml2 gives (a comment before it may hold the same text).
  std::size_t line_start = 0;
  for (long line = xmlGetLineNo(root); line > 1 && line_start != std::string::npos; --line) {
    line_start = xml.find('\n', line_start);
    if (line_start != std::string::npos) ++line_start;
  }
  const SourceLocation where = LocationOf(xml, xml.find("<" + tag, line_start), file);
  if (tag != "robot") {
    return XmlProblem{where, "", "the root element is <" + tag + ">; a URDF's root is <robot>"};
  }
  const std::unique_ptr<xmlChar, void (*)(void*)> name(
      xmlGetProp(root, reinterpret_cast<const xmlChar*>("name")), xmlFree);
  if (name == nullptr || *name == '\0') {
    return XmlProblem{where, "robot.name", "missing or empty: a URDF's <robot> needs a name"};
  }
  return std::nullopt;
}

/// The first reason, located, why urdfdom cannot read `xml` as a document (the URDF's content
/// is urdfdom's to judge): not UTF-8, not well-formed, or not a named <robot>.
std::optional<XmlProblem> XmlDocumentProblem(const std::string& xml, const std::string& file) {
  if (auto problem = NotUtf8(xml, file)) return problem;
  const std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> context(xmlNewParserCtxt(),
                                                                           xmlFreeParserCtxt);
  if (!context) return std::nullopt;
  // No network, no messages on stderr; the error stays in the context.
  const std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> document(
      xmlCtxtReadMemory(context.get(), xml.data(), static_cast<int>(xml.size()), file.c_str(),
                        nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeDoc);
  if (auto problem = NotWellFormed(*context, document.get(), file)) return problem;
  return NotARobotDocument(*document, xml, file);
}

Eigen::Isometry3d ToIsometry(const urdf::Pose& pose) {
  Eigen::Isometry3d pose_in_parent = Eigen::Isometry3d::Identity();
  pose_in_parent.translation() = Eigen::Vector3d(pose.position.x, pose.position.y, pose.position.z);
  Eigen::Quaterniond q(pose.rotation.w, pose.rotation.x, pose.rotation.y, pose.rotation.z);
  if (q.norm() > 0.0) pose_in_parent.linear() = q.normalized().toRotationMatrix();
  return pose_in_parent;
}

SourceLocation At(const std::string& file, const XmlIndex::Element* e) {
  SourceLocation where{.file = file};
  if (e != nullptr) {
    where.line = e->line;
    where.column = e->column;
  }
  return where;
}

SourceLocation RefOr(const Reference& ref, const SourceLocation& fallback) {
  return ref.where.file.empty() ? fallback : ref.where;
}

/// The elements of `list` (in file order, as ScanXml makes them) that start inside `parent`,
/// found by binary search: inputs with many thousands of elements stay fast.
std::pair<std::vector<XmlIndex::Element>::const_iterator,
          std::vector<XmlIndex::Element>::const_iterator>
RangeInside(const std::vector<XmlIndex::Element>& list, const XmlIndex::Element& parent) {
  const auto first = std::upper_bound(
      list.begin(), list.end(), parent.begin,
      [](std::size_t offset, const XmlIndex::Element& e) { return offset < e.begin; });
  const auto last = std::lower_bound(
      first, list.end(), parent.end,
      [](const XmlIndex::Element& e, std::size_t offset) { return e.begin < offset; });
  return {first, last};
}

/// The first element of `list` that starts inside `parent` (e.g. the <mimic> of a <joint>).
const XmlIndex::Element* Inside(const std::vector<XmlIndex::Element>& list,
                                const XmlIndex::Element* parent) {
  if (parent == nullptr) return nullptr;
  const auto [first, last] = RangeInside(list, *parent);
  return first == last ? nullptr : &*first;
}

/// Every element of `list` that starts inside `parent`, in file order.
std::vector<const XmlIndex::Element*> AllInside(const std::vector<XmlIndex::Element>& list,
                                                const XmlIndex::Element* parent) {
  std::vector<const XmlIndex::Element*> found;
  if (parent == nullptr) return found;
  const auto [first, last] = RangeInside(list, *parent);
  for (auto it = first; it != last; ++it) found.push_back(&*it);
  return found;
}

/// Whitespace-separated numbers as urdfdom reads them; nullopt when a word is not a number.
std::optional<std::vector<double>> ParseNumbers(const std::string& text) {
  std::vector<double> numbers;
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    char* end = nullptr;
    const double value = std::strtod(word.c_str(), &end);
    if (end != word.c_str() + word.size()) return std::nullopt;
    numbers.push_back(value);
  }
  return numbers;
}

enum class NumberRule { kFinite, kPositive, kNonZero };

/// Checks attribute `attribute` of `element`: `count` numbers obeying `rule`. An absent attribute
/// is fine unless `required` (urdfdom's defaults apply). Returns false after reporting a problem.
bool CheckNumbers(const std::string& file, const XmlIndex::Element& element,
                  const std::string& attribute, std::size_t count, NumberRule rule, bool required,
                  const std::string& key, DiagnosticSink& sink,
                  std::optional<Quantity> bound = std::nullopt) {
  const std::optional<std::string> text = FindAttribute(element.attributes, attribute);
  const std::string finite =
      count == 1 ? "a finite number" : std::to_string(count) + " finite numbers";
  const std::string expected = rule == NumberRule::kPositive  ? finite + " > 0"
                               : rule == NumberRule::kNonZero ? finite + ", none of them 0"
                                                              : finite;
  if (!text) {
    if (!required) return true;
    sink.Error(At(file, &element), key,
               "missing attribute " + attribute + ": expected " + expected);
    return false;
  }
  const std::optional<std::vector<double>> numbers = ParseNumbers(*text);
  bool good = numbers && numbers->size() == count;
  for (std::size_t i = 0; good && i < count; ++i) {
    const double v = (*numbers)[i];
    good = std::isfinite(v) && (rule != NumberRule::kPositive || v > 0.0) &&
           (rule != NumberRule::kNonZero || v != 0.0);
  }
  if (!good) {
    sink.Error(At(file, &element), key, "expected " + expected + ", got " + Quote(*text));
    return false;
  }
  for (std::size_t i = 0; bound && i < count; ++i) {
    std::string problem = BoundProblem((*numbers)[i], *bound, "\"" + *text + "\"");
    if (!problem.empty()) {
      sink.Error(At(file, &element), key, std::move(problem));
      return false;
    }
  }
  return good;
}

/// Checks the numbers of one <collision> or <visual> element in the URDF text (urdfdom drops an
/// element it cannot parse without failing, and accepts NaN, zero and negative sizes). Returns
/// false after reporting problems; `key` is e.g. "link[link_1].collision[0]".
bool CheckGeometryElement(const std::string& file, const XmlIndex& index,
                          const XmlIndex::Element& element, const std::string& key,
                          DiagnosticSink& sink) {
  struct Rule {
    std::string_view tag;
    std::string_view attribute;
    std::size_t count;
    NumberRule rule;
    bool required;
    std::optional<Quantity> bound;
  };
  // A negative mesh scale mirrors the mesh (allowed); zero flattens it to nothing.
  static constexpr std::array<Rule, 7> kRules = {{
      {"origin", "xyz", 3, NumberRule::kFinite, false, Quantity::kLength},
      {"origin", "rpy", 3, NumberRule::kFinite, false, std::nullopt},
      {"box", "size", 3, NumberRule::kPositive, true, Quantity::kLength},
      {"cylinder", "radius", 1, NumberRule::kPositive, true, Quantity::kLength},
      {"cylinder", "length", 1, NumberRule::kPositive, true, Quantity::kLength},
      {"sphere", "radius", 1, NumberRule::kPositive, true, Quantity::kLength},
      {"mesh", "scale", 3, NumberRule::kNonZero, false, std::nullopt},
  }};
  // The element's own <origin> (the first one) and its shapes.
  std::vector<const XmlIndex::Element*> checked = AllInside(index.shapes, &element);
  if (const XmlIndex::Element* origin = Inside(index.origins, &element)) {
    checked.insert(checked.begin(), origin);
  }
  bool good = true;
  for (const XmlIndex::Element* e : checked) {
    for (const Rule& r : kRules) {
      if (r.tag != e->tag) continue;
      const std::string attribute(r.attribute);
      if (!CheckNumbers(file, *e, attribute, r.count, r.rule, r.required,
                        std::string(key).append(".").append(e->tag).append(".").append(attribute),
                        sink, r.bound)) {
        good = false;
      }
    }
  }
  return good;
}

std::string Number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// Sanity bounds on joint limits (docs/formats.md). Real robots stay far inside them: ABB's
// "independent axis" option lets axis 6 turn hundreds of times, and linear tracks are tens of
// metres long. Limits beyond them are typing errors (or "unlimited" written as a huge number),
// and make sampling-based planning and turn enumeration useless.
constexpr double kMaxRevoluteLimit = 2.0 * std::numbers::pi * 1000.0;  // rad: 1000 turns
constexpr double kMaxPrismaticLimit = 100.0;                           // m

// What every step of reading one URDF's arm chain reports against: the request, the file's
// name, the index of its XML text and the sink.
struct UrdfReading {
  const UrdfChainRequest& request;
  const std::string& file;
  const XmlIndex& index;
  DiagnosticSink& sink;

  // Where the tip link was named (robot.yaml), else its <link> in the URDF.
  SourceLocation TipWhere() const {
    return RefOr(request.tip_ref, At(file, index.FindLink(request.tip_link)));
  }
  std::string ChainName() const {
    return "the chain " + request.base_link + " -> " + request.tip_link;
  }
};

// The URDF's text when it can be read and is well-formed XML that weldcell's parsers can take
// (not nested deeper than their stacks allow); nullopt after reporting why not.
std::optional<std::string> ReadUrdfText(const UrdfChainRequest& request, const std::string& file,
                                        DiagnosticSink& sink) {
  if (const std::optional<std::string> problem = NamedFileProblem(request.urdf, "URDF")) {
    sink.Error(RefOr(request.urdf_ref, {.file = file}), request.urdf_ref.key_path, *problem);
    return std::nullopt;
  }
  std::ifstream in(request.urdf, std::ios::binary);
  if (!in) {
    sink.Error(RefOr(request.urdf_ref, {.file = file}), request.urdf_ref.key_path,
               "cannot be read: " + file);
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string xml = buffer.str();
  // urdfdom's XML parser recurses per level: refuse what would overflow its stack.
  if (const auto deep = FindXmlDeeperThan(xml)) {
    sink.Error({.file = file, .line = deep->line, .column = deep->column}, "",
               "XML nested more than " + std::to_string(kMaxXmlDepth) +
                   " levels deep: not a URDF weldcell can read");
    return std::nullopt;
  }
  // Well-formed first: urdfdom's TinyXML takes some XML that is not (text after </robot>, a
  // second root) and, where it refuses, says what but not where.
  if (const auto problem = XmlDocumentProblem(xml, file)) {
    sink.Error(problem->where, problem->key, problem->message);
    return std::nullopt;
  }
  return xml;
}

// urdfdom's model of the text, its messages in `parse_errors`; null after reporting each
// message at the first element it names that the file has.
urdf::ModelInterfaceSharedPtr ParseUrdf(const std::string& xml, const UrdfReading& r,
                                        std::vector<std::string>& parse_errors) {
  urdf::ModelInterfaceSharedPtr model = ParseWithMessages(xml, parse_errors);
  if (model) return model;
  for (const std::string& message : parse_errors) {
    // urdfdom names elements in brackets ("Joint [joint_1] is of type ...", "child link
    // [link_9] of joint [joint_3] not found"): point at the first that the file has.
    const XmlIndex::Element* element = nullptr;
    for (std::size_t open = message.find('['); element == nullptr && open != std::string::npos;
         open = message.find('[', open + 1)) {
      const std::size_t close = message.find(']', open);
      if (close == std::string::npos) break;
      const std::string name = message.substr(open + 1, close - open - 1);
      element = r.index.FindJoint(name);
      if (element == nullptr) element = r.index.FindLink(name);
    }
    r.sink.Error(At(r.file, element), "", "urdfdom: " + message);
  }
  r.sink.Error({.file = r.file}, "", "not a valid URDF (urdfdom could not parse it)");
  return nullptr;
}

// urdfdom keeps the last of several joints that name the same child link: a link with two
// parents (a closed loop or a copy-paste slip) would silently lose one of them. Reports each
// such link; true when there is none.
bool CheckOneParentPerLink(const urdf::ModelInterface& model, const UrdfReading& r) {
  bool ok = true;
  std::map<std::string, std::vector<const XmlIndex::Element*>> parents_of;
  for (const auto& entry : model.joints_) {
    if (!entry.second) continue;
    parents_of[entry.second->child_link_name].push_back(r.index.FindJoint(entry.first));
  }
  for (auto& [child, joint_elements] : parents_of) {
    if (joint_elements.size() < 2) continue;
    std::sort(joint_elements.begin(), joint_elements.end(), [](const auto* a, const auto* b) {
      return (a != nullptr ? a->begin : 0) < (b != nullptr ? b->begin : 0);
    });
    std::string names;
    for (const XmlIndex::Element* e : joint_elements) {
      if (e == nullptr) continue;
      names += (names.empty() ? "" : ", ") + e->name + " (line " + std::to_string(e->line) + ")";
    }
    const XmlIndex::Element* second = joint_elements[1];
    r.sink.Error(
        At(r.file, second), second != nullptr ? "joint[" + second->name + "]" : "",
        "link " + child + " is the child of " + std::to_string(joint_elements.size()) +
            " joints: " + names.append("; a URDF must be a tree (one parent joint per link)"));
    ok = false;
  }
  return ok;
}

// " (its links: a, b, c)" for a link not found: the names to choose from, sorted (at most 30,
// then how many more).
std::string LinkNames(const urdf::ModelInterface& model) {
  std::vector<std::string> names;
  names.reserve(model.links_.size());
  for (const auto& [name, link] : model.links_) names.push_back(name);  // a map: sorted
  std::string out;
  constexpr std::size_t kShown = 30;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > kShown) out += ", and " + std::to_string(names.size() - kShown) + " more";
  return names.empty() ? std::string() : " (its links: " + out + ")";
}

// The joints and links from the base link to the tip link, base first (links: one more than
// joints).
struct UrdfArmChain {
  std::vector<urdf::JointConstSharedPtr> joints;
  std::vector<urdf::LinkConstSharedPtr> links;
};

// Walks up from the tip to the base: side branches (balancers, extra frames) never enter the
// chain. nullopt after reporting a tip that is not below the base, or joints that form a loop.
std::optional<UrdfArmChain> WalkUpFromTip(const urdf::ModelInterface& model,
                                          const urdf::LinkConstSharedPtr& tip,
                                          const UrdfReading& r) {
  UrdfArmChain chain{.links = {tip}};
  urdf::LinkConstSharedPtr current = tip;
  while (current->name != r.request.base_link) {
    // urdfdom accepts joints that form a loop (a link that is its own ancestor): a walk longer
    // than the number of links has gone round one.
    if (chain.links.size() > model.links_.size()) {
      r.sink.Error(At(r.file, r.index.FindLink(current->name)), "link[" + current->name + "]",
                   "the joints above tip link '" + r.request.tip_link + "' in " + r.file +
                       " form a loop (walking up from the tip comes back to '" + current->name +
                       "'): a URDF must be a tree");
      return std::nullopt;
    }
    urdf::LinkConstSharedPtr parent = current->getParent();
    if (!parent || !current->parent_joint) {
      r.sink.Error(r.TipWhere(), r.request.tip_ref.key_path,
                   "tip link '" + r.request.tip_link + "' is not below base link '" +
                       r.request.base_link + "' in " + r.file +
                       " (walking up from the tip reaches '" + current->name + "')");
      return std::nullopt;
    }
    chain.joints.push_back(current->parent_joint);
    chain.links.push_back(parent);
    current = parent;
  }
  std::reverse(chain.joints.begin(), chain.joints.end());
  std::reverse(chain.links.begin(), chain.links.end());
  return chain;
}

// The joint's origin: finite, and within the loader's length bound. False after reporting.
bool ReadJointOrigin(const urdf::Joint& uj, const XmlIndex::Element* element,
                     const std::string& key, const UrdfReading& r, Joint& joint) {
  joint.X_PJ = ToIsometry(uj.parent_to_joint_origin_transform);
  const XmlIndex::Element* origin = Inside(r.index.origins, element);
  const SourceLocation where = At(r.file, origin != nullptr ? origin : element);
  if (!joint.X_PJ.matrix().allFinite()) {
    r.sink.Error(where, key + ".origin", "joint origin must be finite numbers (xyz and rpy)");
    return false;
  }
  if (const double far = joint.X_PJ.translation().cwiseAbs().maxCoeff();
      !BoundProblem(far, Quantity::kLength, "").empty()) {
    r.sink.Error(where, key + ".origin.xyz",
                 BoundProblem(far, Quantity::kLength, Number(far) + " m"));
    return false;
  }
  return true;
}

// A mimic joint on the chain is driven by another joint: planning it freely would produce
// motions the robot cannot make. Dependent joints are not modelled, so the chain is rejected.
// False after reporting.
bool CheckNoMimic(const urdf::Joint& uj, const XmlIndex::Element* element, const std::string& key,
                  const UrdfReading& r) {
  if (!uj.mimic) return true;
  const XmlIndex::Element* mimic = Inside(r.index.mimics, element);
  r.sink.Error(At(r.file, mimic != nullptr ? mimic : element), key + ".mimic",
               "joint " + uj.name + " mimics joint " + uj.mimic->joint_name + " (multiplier " +
                   Number(uj.mimic->multiplier) + ", offset " + Number(uj.mimic->offset) +
                   "): mimic joints on the arm chain are not supported (weldcell would move it "
                   "independently). If the coupling exists only in the controller's joint "
                   "values (as FANUC's J2/J3), remove the <mimic> and describe it in "
                   "robot.yaml's controller_joints.couplings");
  return false;
}

// A movable joint's axis (non-zero, normalised), position limits (finite, lower < upper, within
// the sanity bounds; ±2π for a continuous joint), velocity limit (> 0, bounded) and effort
// (finite, bounded). False after reporting.
bool ReadJointMotion(const urdf::Joint& uj, const XmlIndex::Element* element,
                     const std::string& key, const UrdfReading& r, Joint& joint) {
  bool ok = true;
  const XmlIndex::Element* limit_element = Inside(r.index.limits, element);
  const SourceLocation limit_where = At(r.file, limit_element != nullptr ? limit_element : element);
  const Eigen::Vector3d axis(uj.axis.x, uj.axis.y, uj.axis.z);
  if (!axis.allFinite() || axis.norm() < 1e-9) {
    r.sink.Error(At(r.file, element), key + ".axis", "joint axis must be a non-zero vector");
    ok = false;
  } else {
    joint.axis = axis.normalized();
  }
  if (uj.type == urdf::Joint::CONTINUOUS) {
    joint.lower = -2.0 * std::numbers::pi;
    joint.upper = 2.0 * std::numbers::pi;
  } else if (uj.limits) {
    joint.lower = uj.limits->lower;
    joint.upper = uj.limits->upper;
  }
  const bool revolute = joint.type == JointType::kRevolute;
  const double bound = revolute ? kMaxRevoluteLimit : kMaxPrismaticLimit;
  const std::string unit = revolute ? " rad" : " m";
  const std::string range = "[" + Number(-bound) + ", " + Number(bound) + "]" + unit +
                            (revolute ? " (1000 turns each way)" : "");
  if (!std::isfinite(joint.lower) || !std::isfinite(joint.upper)) {
    r.sink.Error(limit_where, key + ".limit",
                 "joint limits must be finite numbers, got lower " + Number(joint.lower) +
                     ", upper " + Number(joint.upper));
    ok = false;
  } else if (joint.lower >= joint.upper) {
    r.sink.Error(limit_where, key + ".limit",
                 joint.lower == joint.upper
                     ? "lower and upper limit are both " + Number(joint.lower) + unit +
                           ": a joint that cannot move must be a fixed joint"
                     : "lower limit " + Number(joint.lower) + unit + " must be below upper limit " +
                           Number(joint.upper) + unit);
    ok = false;
  } else if (std::abs(joint.lower) > bound || std::abs(joint.upper) > bound) {
    const double value = std::abs(joint.lower) > bound ? joint.lower : joint.upper;
    r.sink.Error(limit_where, key + ".limit",
                 std::string(value == joint.lower ? "lower" : "upper") + " limit " + Number(value) +
                     unit + " is beyond the sanity bound: expected limits in " + range);
    ok = false;
  }
  joint.max_velocity = uj.limits ? uj.limits->velocity : 0.0;
  if (!(std::isfinite(joint.max_velocity) && joint.max_velocity > 0.0)) {
    std::ostringstream message;
    message << "velocity limit must be > 0 for a movable joint, got " << joint.max_velocity;
    r.sink.Error(limit_where, key + ".limit", message.str());
    ok = false;
  } else if (std::string problem = BoundProblem(
                 joint.max_velocity,
                 revolute ? Quantity::kRevoluteVelocity : Quantity::kPrismaticVelocity,
                 "velocity " + Number(joint.max_velocity) + (revolute ? " rad/s" : " m/s"));
             !problem.empty()) {
    r.sink.Error(limit_where, key + ".limit.velocity", problem);
    ok = false;
  }
  const double effort = uj.limits ? uj.limits->effort : 0.0;
  if (std::string problem = BoundProblem(effort, Quantity::kEffort, "effort " + Number(effort));
      !std::isfinite(effort) || !problem.empty()) {
    r.sink.Error(limit_where, key + ".limit.effort",
                 std::isfinite(effort)
                     ? problem
                     : "effort limit must be a finite number, got " + Number(effort));
    ok = false;
  }
  return ok;
}

// One joint of the chain: origin, no mimic, type (revolute, continuous, prismatic or fixed)
// and, when movable, its axis and limits. nullopt for a type the chain cannot have; `ok` is
// cleared after any problem reported.
std::optional<Joint> ReadChainJoint(const urdf::Joint& uj, const UrdfReading& r, bool& ok) {
  const XmlIndex::Element* element = r.index.FindJoint(uj.name);
  const std::string key = "joint[" + uj.name + "]";
  Joint joint;
  joint.name = uj.name;
  ok &= ReadJointOrigin(uj, element, key, r, joint);
  ok &= CheckNoMimic(uj, element, key, r);
  switch (uj.type) {
    case urdf::Joint::REVOLUTE:
    case urdf::Joint::CONTINUOUS:
      joint.type = JointType::kRevolute;
      break;
    case urdf::Joint::PRISMATIC:
      joint.type = JointType::kPrismatic;
      break;
    case urdf::Joint::FIXED:
      joint.type = JointType::kFixed;
      break;
    default:
      r.sink.Error(At(r.file, element), key,
                   "joint type not supported on the arm chain (expected revolute, continuous, "
                   "prismatic or fixed)");
      ok = false;
      return std::nullopt;
  }
  if (joint.movable()) ok &= ReadJointMotion(uj, element, key, r, joint);
  return joint;
}

// Mimic joints off the chain (gripper fingers, balancer linkages) do not move the arm: a
// warning that they are ignored.
void WarnOffChainMimics(const urdf::ModelInterface& model, const UrdfArmChain& chain,
                        const UrdfReading& r) {
  for (const auto& entry : model.joints_) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    const std::string& name = entry.first;
    const urdf::JointSharedPtr& uj = entry.second;
    if (!uj || !uj->mimic) continue;
    const bool on_chain = std::any_of(chain.joints.begin(), chain.joints.end(),
                                      [&](const auto& c) { return c->name == name; });
    if (on_chain) continue;
    const XmlIndex::Element* element = r.index.FindJoint(name);
    const XmlIndex::Element* mimic = Inside(r.index.mimics, element);
    r.sink.Warning(At(r.file, mimic != nullptr ? mimic : element), "joint[" + name + "].mimic",
                   "ignored: joint " + name + " is not on the arm chain " + r.request.base_link +
                       " -> " + r.request.tip_link);
  }
}

// The planner handles 1 to kMaxDof movable joints (0 leaves nothing to plan; more exceeds the
// kinematics' fixed-capacity scratch). False after reporting.
bool CheckDof(int dof, const UrdfReading& r) {
  if (dof > 0 && dof <= kMaxDof) return true;
  r.sink.Error(r.TipWhere(), r.request.tip_ref.key_path,
               dof == 0
                   ? r.ChainName() +
                         " has no movable joint (only fixed joints): there is nothing to "
                         "plan; weldcell needs 1 to " +
                         std::to_string(kMaxDof) + " revolute or prismatic joints"
                   : r.ChainName() + " has " + std::to_string(dof) +
                         " movable joints; weldcell supports at most " + std::to_string(kMaxDof));
  return false;
}

// Package search path: the folder that holds the URDF's package (`<root>/<pkg>/urdf/x.urdf`
// and `<root>/<pkg>/x.urdf`), then robot.yaml's package_paths, then the options.
std::vector<fs::path> PackageDirs(const UrdfChainRequest& request, const LoadContext& context) {
  const fs::path urdf_dir = request.urdf.parent_path();
  std::vector<fs::path> dirs{urdf_dir.parent_path().parent_path(), urdf_dir.parent_path()};
  for (const fs::path& p : request.package_paths) dirs.push_back(p);
  for (const fs::path& p : context.options.package_paths) dirs.push_back(p);
  return dirs;
}

// Makes the collision and visual geometry of one link of the chain.
class LinkGeometryReader {
 public:
  LinkGeometryReader(const UrdfReading& r, const XmlIndex::Element* link_element,
                     const std::vector<fs::path>& package_dirs, LoadContext& context)
      : r_(r), link_element_(link_element), package_dirs_(package_dirs), context_(context) {}

  // One <collision> or <visual> geometry; nullopt when it could not be made (the problem is
  // reported: an error for collision geometry, a warning for visual geometry, which the
  // collision geometry then stands in for).
  std::optional<Geometry> Make(const urdf::GeometrySharedPtr& g, const urdf::Pose& origin,
                               const std::string& key, bool is_visual) const {
    Geometry geometry{.X_FG = ToIsometry(origin)};
    const SourceLocation where = At(r_.file, link_element_);
    if (!g) {
      r_.sink.Error(where, key, "geometry missing");
      return std::nullopt;
    }
    switch (g->type) {
      case urdf::Geometry::BOX: {
        const auto& box = static_cast<const urdf::Box&>(*g);
        const Eigen::Vector3d size(box.dim.x, box.dim.y, box.dim.z);
        if (!(size.allFinite() && size.minCoeff() > 0.0)) {
          r_.sink.Error(where, key + ".box", "box sizes must be > 0");
          return std::nullopt;
        }
        geometry.shape = Shape::Box(size);
        return geometry;
      }
      case urdf::Geometry::CYLINDER: {
        const auto& cylinder = static_cast<const urdf::Cylinder&>(*g);
        if (!(cylinder.radius > 0.0 && cylinder.length > 0.0 && std::isfinite(cylinder.radius) &&
              std::isfinite(cylinder.length))) {
          r_.sink.Error(where, key + ".cylinder", "cylinder radius and length must be > 0");
          return std::nullopt;
        }
        geometry.shape = Shape::Cylinder(cylinder.radius, cylinder.length);
        return geometry;
      }
      case urdf::Geometry::SPHERE: {
        const auto& sphere = static_cast<const urdf::Sphere&>(*g);
        if (!(sphere.radius > 0.0 && std::isfinite(sphere.radius))) {
          r_.sink.Error(where, key + ".sphere", "sphere radius must be > 0");
          return std::nullopt;
        }
        geometry.shape = Shape::Sphere(sphere.radius);
        return geometry;
      }
      case urdf::Geometry::MESH: {
        std::shared_ptr<const Mesh> mesh =
            LoadMesh(static_cast<const urdf::Mesh&>(*g), key, is_visual);
        if (!mesh) return std::nullopt;
        geometry.shape = Shape::FromMesh(std::move(mesh));
        return geometry;
      }
    }
    return std::nullopt;
  }

 private:
  // The <mesh> element of this link with that filename, else the link.
  SourceLocation MeshWhere(const std::string& filename) const {
    const XmlIndex::Element* best = link_element_;
    for (const XmlIndex::Element& m : r_.index.meshes) {
      if (m.name == filename && link_element_ != nullptr && m.begin >= link_element_->begin &&
          m.begin < link_element_->end) {
        best = &m;
        break;
      }
    }
    return At(r_.file, best);
  }

  // The mesh file found (URDF folder, package folders), loaded and scaled; null after reporting.
  std::shared_ptr<const Mesh> LoadMesh(const urdf::Mesh& mesh, const std::string& key,
                                       bool is_visual) const {
    const ResolvedUri resolved =
        ResolveMeshUri(mesh.filename, r_.request.urdf.parent_path(), package_dirs_);
    std::string problem = resolved.problem;
    if (problem.empty() && resolved.path.empty()) {
      problem = "mesh file not found: " + mesh.filename + " (tried " + JoinTried(resolved.tried) +
                ")" + PackageHint(mesh.filename, true, resolved.tried);
    }
    const Eigen::Vector3d scale(mesh.scale.x, mesh.scale.y, mesh.scale.z);
    std::shared_ptr<const Mesh> data;
    if (problem.empty()) {
      if (!context_.options.load_meshes) {
        data = std::make_shared<const Mesh>(Mesh{.source = resolved.path.string()});
      } else {
        data = context_.meshes.Load(resolved.path, scale, &problem);
      }
    }
    if (!data) {
      const SourceLocation where = MeshWhere(mesh.filename);
      if (is_visual) {
        r_.sink.Warning(where, key + ".mesh",
                        problem + "; the link is drawn with its collision geometry");
      } else {
        r_.sink.Error(where, key + ".mesh", problem);
      }
    }
    return data;
  }

  const UrdfReading& r_;
  const XmlIndex::Element* link_element_;
  const std::vector<fs::path>& package_dirs_;
  LoadContext& context_;
};

// The link's <collision> and <visual> elements as written (numbers and shapes), and as many
// read by urdfdom as written (anything else urdfdom dropped without failing, it only logs: never
// plan without it). False after reporting.
bool CheckLinkGeometryAsWritten(const urdf::Link& ul, const XmlIndex::Element* link_element,
                                const std::string& link_key,
                                const std::vector<std::string>& parse_errors,
                                const UrdfReading& r) {
  const std::vector<const XmlIndex::Element*> xml_collisions =
      AllInside(r.index.collisions, link_element);
  const std::vector<const XmlIndex::Element*> xml_visuals =
      AllInside(r.index.visuals, link_element);
  bool good = true;
  for (std::size_t i = 0; i < xml_collisions.size(); ++i) {
    good &= CheckGeometryElement(r.file, r.index, *xml_collisions[i],
                                 IndexKey(link_key + ".collision", i), r.sink);
  }
  for (std::size_t i = 0; i < xml_visuals.size(); ++i) {
    good &= CheckGeometryElement(r.file, r.index, *xml_visuals[i],
                                 IndexKey(link_key + ".visual", i), r.sink);
  }
  if (!good || link_element == nullptr) return good;
  for (const auto& [element_name, written, read] :
       {std::tuple{std::string("collision"), xml_collisions.size(), ul.collision_array.size()},
        std::tuple{std::string("visual"), xml_visuals.size(), ul.visual_array.size()}}) {
    if (written == read) continue;
    std::string message = "link " + ul.name + " has " + std::to_string(written) + " <" +
                          element_name + "> elements but urdfdom read only " +
                          std::to_string(read) + ": check their numbers and shapes";
    for (const std::string& m : parse_errors) message += " (urdfdom: " + m + ")";
    r.sink.Error(At(r.file, link_element), std::string(link_key).append(".").append(element_name),
                 message);
    good = false;
  }
  return good;
}

// One link of the chain with its collision and visual geometry (the collision geometry drawn
// where a visual one could not be made). `ok` is cleared after any problem reported; the link
// is returned all the same (by name) so that the chain keeps its shape.
Link ReadChainLink(const urdf::Link& ul, const std::vector<std::string>& parse_errors,
                   const std::vector<fs::path>& package_dirs, const UrdfReading& r,
                   LoadContext& context, bool& ok) {
  Link link;
  link.name = ul.name;
  const XmlIndex::Element* link_element = r.index.FindLink(ul.name);
  const std::string link_key = "link[" + ul.name + "]";
  if (!CheckLinkGeometryAsWritten(ul, link_element, link_key, parse_errors, r)) {
    ok = false;
    return link;
  }
  if (ul.collision_array.empty() && !ul.visual_array.empty()) {
    r.sink.Warning(At(r.file, link_element), link_key + ".collision",
                   "link " + ul.name +
                       " has visual geometry but no <collision>: planning and verification "
                       "cannot see it, so it may pass through obstacles, other robots and its "
                       "own arm unreported (the verifier's result is only as good as the "
                       "collision geometry)");
  }
  const LinkGeometryReader geometry(r, link_element, package_dirs, context);
  for (std::size_t i = 0; i < ul.collision_array.size(); ++i) {
    const auto& c = ul.collision_array[i];
    if (auto g =
            geometry.Make(c->geometry, c->origin, IndexKey(link_key + ".collision", i), false)) {
      link.collision.push_back(std::move(*g));
    } else {
      ok = false;
    }
  }
  bool visual_complete = true;
  for (std::size_t i = 0; i < ul.visual_array.size(); ++i) {
    const auto& v = ul.visual_array[i];
    if (auto g = geometry.Make(v->geometry, v->origin, IndexKey(link_key + ".visual", i), true)) {
      link.visual.push_back(std::move(*g));
    } else {
      visual_complete = false;
    }
  }
  if (!visual_complete) link.visual = link.collision;
  return link;
}

}  // namespace

std::optional<RobotModel> ReadUrdfChain(const UrdfChainRequest& request, LoadContext& context,
                                        DiagnosticSink& sink) {
  const std::string file = request.urdf.string();
  const std::optional<std::string> xml = ReadUrdfText(request, file, sink);
  if (!xml) return std::nullopt;
  const XmlIndex index = ScanXml(*xml);
  const UrdfReading r{.request = request, .file = file, .index = index, .sink = sink};
  std::vector<std::string> parse_errors;
  const urdf::ModelInterfaceSharedPtr urdf_model = ParseUrdf(*xml, r, parse_errors);
  if (!urdf_model) return std::nullopt;

  // urdfdom's links own their children (shared_ptr): joints that form a loop make a cycle of
  // owners that would never be freed. Cut every child list when this function is done with it.
  struct CutLinksOnExit {
    const urdf::ModelInterfaceSharedPtr& model;
    ~CutLinksOnExit() {
      for (const auto& entry : model->links_) {
        if (entry.second) entry.second->child_links.clear();
      }
    }
  } cut_links_on_exit{urdf_model};

  RobotModel model;
  model.name = urdf_model->getName();
  model.urdf_file = file;
  model.source_file = file;

  const auto base = urdf_model->getLink(request.base_link);
  const auto tip = urdf_model->getLink(request.tip_link);
  if (!base) {
    sink.Error(
        RefOr(request.base_ref, {.file = file}), request.base_ref.key_path,
        "base link '" + request.base_link + "' not found in " + file + LinkNames(*urdf_model));
  }
  if (!tip) {
    sink.Error(RefOr(request.tip_ref, {.file = file}), request.tip_ref.key_path,
               "tip link '" + request.tip_link + "' not found in " + file + LinkNames(*urdf_model));
  }
  if (!base || !tip) return std::nullopt;

  bool ok = CheckOneParentPerLink(*urdf_model, r);
  const std::optional<UrdfArmChain> chain = WalkUpFromTip(*urdf_model, tip, r);
  if (!chain) return std::nullopt;
  for (const urdf::JointConstSharedPtr& uj : chain->joints) {
    if (std::optional<Joint> joint = ReadChainJoint(*uj, r, ok)) model.joints.push_back(*joint);
  }
  WarnOffChainMimics(*urdf_model, *chain, r);
  if (ok) ok = CheckDof(model.dof(), r);
  if (chain->links.size() > static_cast<std::size_t>(kMaxChainLinks)) {
    sink.Error(r.TipWhere(), request.tip_ref.key_path,
               r.ChainName() + " has " + std::to_string(chain->links.size()) +
                   " links; weldcell supports at most " + std::to_string(kMaxChainLinks) +
                   " (fixed frames included)");
    return std::nullopt;
  }
  const std::vector<fs::path> package_dirs = PackageDirs(request, context);
  for (const urdf::LinkConstSharedPtr& ul : chain->links) {
    model.links.push_back(ReadChainLink(*ul, parse_errors, package_dirs, r, context, ok));
  }

  if (ok && std::all_of(model.links.begin(), model.links.end(),
                        [](const Link& l) { return l.collision.empty(); })) {
    sink.Warning(RefOr(request.urdf_ref, {.file = file}), request.urdf_ref.key_path,
                 "no link of " + r.ChainName() + " in " + file +
                     " has <collision> geometry: planning and verification cannot see the robot "
                     "arm, so it may pass through obstacles, other robots and itself unreported");
  }
  if (!ok) return std::nullopt;
  const int dof = model.dof();
  model.controller.offsets.assign(static_cast<std::size_t>(dof), 0.0);
  model.controller.signs.assign(static_cast<std::size_t>(dof), 1.0);
  return model;
}

}  // namespace weldcell::cell::internal
