#pragma once
// Strict reading of YAML values with file:line:col diagnostics (docs/formats.md rules: unknown
// keys are errors, NaN/inf are rejected, units are converted once). Internal to planner/cell.

#include <yaml-cpp/yaml.h>

#include <Eigen/Geometry>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "planner/cell/internal/bounds.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::cell::internal {

/// Multipliers from file units to SI.
struct Units {
  double length = 1.0;  ///< m per file length unit
  double angle = 1.0;   ///< rad per file angle unit
  std::string length_name = "m";
  std::string angle_name = "rad";
};

/// `parent.key` (or `key` at the top level).
std::string JoinKey(const std::string& parent, std::string_view key);
/// `parent[i]`.
std::string IndexKey(const std::string& parent, std::size_t i);

/// `relative` (a path as a file names another) from `base_dir`, lexically normalised (for
/// messages), unless that would name another file: `..` after a symbolic link to a folder goes
/// up from the link's target, as the system resolves it, so where the two differ the path is
/// returned as joined, not normalised. Absolute paths are only normalised.
std::filesystem::path ResolveRelative(const std::filesystem::path& base_dir,
                                      const std::string& relative);

/// Reads one YAML file and reports every problem of it to a sink. Values come back as
/// std::optional: empty when the value was missing or wrong (the error is already reported),
/// so callers keep going and collect all errors of the file.
class YamlReader {
 public:
  YamlReader(std::string display_path, DiagnosticSink& sink)
      : file_(std::move(display_path)), sink_(sink) {}

  /// Reads and parses `path`. A missing file or a YAML syntax error is reported (with the
  /// parser's line and column) and gives std::nullopt. With `expected_format` (`weldcell-tool/1`),
  /// a file of another kind gives one error and std::nullopt, not one per key that kind does
  /// not have: an XML file (a URDF named as a robot.yaml), or another weldcell format (a
  /// robot.yaml named as a tool); said at `referenced_from` (the key that names the file) when
  /// given.
  std::optional<YAML::Node> Parse(const std::filesystem::path& path,
                                  const SourceLocation& referenced_from = {},
                                  const std::string& referenced_key = {},
                                  std::string_view expected_format = {});

  const std::string& file() const { return file_; }
  DiagnosticSink& sink() { return sink_; }

  /// 1-based location of a node; the file alone when the node has no mark.
  SourceLocation Where(const YAML::Node& node) const;
  void Error(const YAML::Node& at, const std::string& key_path, std::string message);
  void Warning(const YAML::Node& at, const std::string& key_path, std::string message);

  /// Checks that `node` is a mapping whose keys are all in `required` or `optional`, with no key
  /// twice and every required key present. Returns false when `node` is not a mapping.
  bool CheckMap(const YAML::Node& node, const std::string& key_path,
                const std::vector<std::string_view>& required,
                const std::vector<std::string_view>& optional);

  /// `map[key]` if present (and not null), else an invalid node.
  static std::optional<YAML::Node> Get(const YAML::Node& map, std::string_view key);

  std::optional<double> Number(const YAML::Node& node, const std::string& key_path);
  /// A number that must be > 0 (or ≥ 0 with allow_zero), scaled by `unit`.
  std::optional<double> Positive(const YAML::Node& node, const std::string& key_path,
                                 double unit = 1.0, bool allow_zero = false);
  /// A Positive length in the file's length unit, returned in m, within the sanity bound
  /// |x| <= 1 km (bounds.hpp).
  std::optional<double> Length(const YAML::Node& node, const std::string& key_path,
                               const Units& units, bool allow_zero = false);
  /// A Positive time in s within the sanity bound (0, 1 day] ([0, 1 day] with allow_zero).
  std::optional<double> Time(const YAML::Node& node, const std::string& key_path,
                             bool allow_zero = false);
  /// Reports an error (and gives false) when `value_si` is beyond the sanity bound of `q`;
  /// the message shows the node's text followed by `unit_name`.
  bool CheckBound(const YAML::Node& node, const std::string& key_path, double value_si, Quantity q,
                  std::string_view unit_name = "");
  std::optional<std::uint64_t> UnsignedInteger(const YAML::Node& node, const std::string& key_path);
  /// A non-empty scalar that is valid UTF-8.
  std::optional<std::string> String(const YAML::Node& node, const std::string& key_path);
  /// A String that names something (a robot, weld, obstacle, group): printable, no control
  /// characters, no space at either end.
  std::optional<std::string> Name(const YAML::Node& node, const std::string& key_path);
  /// A sequence of numbers; `expected_size` 0 accepts any length.
  std::optional<std::vector<double>> Numbers(const YAML::Node& node, const std::string& key_path,
                                             std::size_t expected_size = 0,
                                             std::string_view what = "");
  std::optional<Eigen::Vector3d> Vector3(const YAML::Node& node, const std::string& key_path,
                                         double unit = 1.0);
  /// Three lengths (a position or a size) in the file's length unit, returned in m, each within
  /// the sanity bound |x| <= 1 km.
  std::optional<Eigen::Vector3d> LengthVector3(const YAML::Node& node, const std::string& key_path,
                                               const Units& units);
  /// `{xyz: [..], rpy: [..]}`; both optional; xyz within the length sanity bound. R =
  /// Rz(yaw)·Ry(pitch)·Rx(roll) as in URDF.
  std::optional<Eigen::Isometry3d> Pose(const YAML::Node& node, const std::string& key_path,
                                        const Units& units);
  /// `units: {length: mm|cm|m, angle: deg|rad}`.
  Units ReadUnits(const YAML::Node& root, bool allow_length, bool allow_angle);
  /// ReadUnits, or nullopt after it reported an error (an unknown unit, a misspelt key): the
  /// file's numbers are then in an unknown unit, and its loader stops instead of checking them
  /// against their bounds in a unit they are not in.
  std::optional<Units> ReadKnownUnits(const YAML::Node& root, bool allow_length, bool allow_angle);
  /// `format: <expected>`: required, anything else is an error.
  void CheckFormat(const YAML::Node& root, std::string_view expected);

 private:
  /// Where the document whose first node is at `mark` starts in `text`: its `---` line, else
  /// the node.
  SourceLocation DocumentStart(const std::string& text, const YAML::Mark& mark) const;
  /// The file at `path` → its whole text; nullopt after reporting (at `referenced_from`, the
  /// line that names it, if any) a file that is not a regular, readable file.
  std::optional<std::string> ReadFileText(const std::filesystem::path& path,
                                          const SourceLocation& referenced_from,
                                          const std::string& referenced_key);
  /// `text` → false after reporting its first control character (other than tab and line
  /// ends) or YAML directive line (`%`), at its own line and column.
  bool CheckPlainText(const std::string& text);
  /// `text` → false after reporting what its document outline shows: a syntax error where a
  /// key or value should start, a second document, or YAML tags (each where written). May
  /// throw yaml-cpp's exceptions.
  bool CheckOutline(const std::string& text);

  std::string file_;
  DiagnosticSink& sink_;
  std::string text_;  ///< The file as Parse read it (to place a blank value at its key).
};

/// Byte offset of the first byte that is not part of valid UTF-8 (no overlong forms, no
/// surrogates, at most U+10FFFF), or std::string_view::npos when `text` is valid UTF-8. Names
/// and ids end up in JSON (plan.json, --json), which holds only UTF-8.
std::size_t FindInvalidUtf8(std::string_view text);

/// Why `name` (valid UTF-8) cannot be a name: empty when it is printable, else which control
/// character (C0, DEL or C1, e.g. a tab or a newline) or invisible format character (a
/// bidirectional control such as U+202E, a zero-width space U+200B, U+FEFF, a soft hyphen) it
/// holds and where, or a space other than ASCII's (a no-break space U+00A0 ...) at its start or
/// end. Names are printed one per line and in columns, which a control character would break,
/// and an invisible one or a trailing space makes a name look like another (or reorders the
/// line).
std::string ControlCharacterProblem(std::string_view name);

/// Rotation R = Rz(yaw)·Ry(pitch)·Rx(roll) (URDF convention), angles in rad.
Eigen::Matrix3d RotationFromRpy(double roll, double pitch, double yaw);

}  // namespace weldcell::cell::internal
