#pragma once
// A guard for third-party XML parsers that recurse per nesting level (TinyXML in urdfdom,
// assimp's COLLADA reader): deeply nested input would overflow the call stack. Internal.

#include <optional>
#include <string_view>

namespace weldcell::cell::internal {

/// Nesting deeper than this is rejected before parsing. Real URDFs nest about 5 levels, COLLADA
/// files from CAD exports a few dozen.
inline constexpr int kMaxXmlDepth = 1000;

struct XmlPosition {
  int line = 0;    ///< 1-based
  int column = 0;  ///< 1-based
};

/// The start tag of the first element nested deeper than `max_depth` in `xml`, or nullopt.
/// Comments, CDATA, processing instructions, declarations and quoted attribute values are
/// skipped. Iterative, O(size). Malformed XML is left to the real parser.
std::optional<XmlPosition> FindXmlDeeperThan(std::string_view xml, int max_depth = kMaxXmlDepth);

}  // namespace weldcell::cell::internal
