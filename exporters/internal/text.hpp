#pragma once
// Helpers shared by the dialects: number formatting, controller units, line splitting, the
// weld-call template and reader errors. Internal to exporters/.

#include <Eigen/Core>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/dialect.hpp"
#include "exporters/program.hpp"
#include "exporters/site.hpp"
#include "planner/cell/cell.hpp"

namespace weldcell::exporters::internal {

/// `value` with `decimals` decimals, never "-0.000".
std::string Fixed(double value, int decimals);

/// URDF values → controller values in degrees (revolute) or mm (prismatic).
std::vector<double> ToControllerUnits(const cell::Robot& robot, const Eigen::VectorXd& q);
/// Inverse of ToControllerUnits.
Eigen::VectorXd FromControllerUnits(const cell::Robot& robot, const std::vector<double>& c);

struct Line {
  int number = 0;  ///< 1-based
  std::string text;
};
/// Splits a file into lines. With `crlf`, every line must end in CR LF (else an error naming the
/// line); without, a CR anywhere is an error. The last line must be terminated. A byte outside
/// printable ASCII and tab (a UTF-8 character, a control byte) is an error naming the line: the
/// programs are ASCII.
std::vector<Line> SplitLines(const std::string& file, const std::string& contents, bool crlf);

/// `text` as printable ASCII for a program comment: each UTF-8 character (or any byte) outside
/// 0x20..0x7e becomes one `?` (so a later cut at a byte count never splits a character).
std::string AsciiText(std::string_view text);
/// `text` as comment lines of at most `max` characters (FANUC and INFORM: 32), split at blanks
/// so that no word is cut (the generated comments start with the weld or zone id, at most 27
/// characters); only a word longer than `max` (a long robot or cell name) is cut into pieces,
/// nothing is dropped. `max` 0: one line.
std::vector<std::string> CommentLines(std::string_view text, std::size_t max);

/// `text` (LF line ends) with CR LF line ends.
std::string WithCrlf(std::string_view text);

[[noreturn]] void ReadError(const std::string& file, int line, const std::string& message);

/// `text` with leading and trailing blanks removed.
std::string Trim(std::string_view text);

/// The weld call of the site for `dialect` (or `fallback`) with {n}, {schedule}, {id} filled in.
std::string WeldCall(const Site& site, const std::string& dialect, const std::string& fallback,
                     const Instruction& weld);

/// Matches a line against the weld-call template: the weld number and schedule it names
/// (std::nullopt when the line is not a weld call). {id} must match `id` when given.
struct WeldCallMatch {
  int number = 0;
  int schedule = 0;
  std::string id;
};
std::optional<WeldCallMatch> MatchWeldCall(const Site& site, const std::string& dialect,
                                           const std::string& fallback, const std::string& line);

/// Upper-case letters, digits and `_`, starting with a letter, at most `max_length`: `wanted`
/// made so (other characters become `_`, one per UTF-8 character, cut to the limit).
std::string IdentifierName(const std::string& wanted, std::size_t max_length, bool upper);
/// True when `name` is a letter followed by letters, digits and `_`, at most max_length.
bool IsIdentifier(std::string_view name, std::size_t max_length);

/// Checks an I/O number against the dialect's range; throws InputError at the site key.
void CheckSignal(const Site& site, int signal, int min, int max, const std::string& dialect,
                 const char* what);

/// Parses a whole decimal number (optional sign, digits, optional fraction, optional exponent);
/// std::nullopt for anything else (no nan, inf, hex, trailing text).
std::optional<double> ParseNumber(std::string_view text);
std::optional<int> ParseInt(std::string_view text);

}  // namespace weldcell::exporters::internal

namespace weldcell::exporters::internal {
/// The role of an input (or output) number under the site's ranges (defaults filled in).
SignalRole InputRole(const Site& site, int signal);
SignalRole OutputRole(const Site& site, int signal);
/// Throws InputError (at the site's key, naming both ranges) when two of the zone, weld-signal
/// and acknowledge ranges of the site overlap (inputs with inputs, outputs with outputs): a reader
/// could not tell a zone from a weld signal.
void CheckRangesApart(const Site& site, const std::string& dialect);
/// CheckRangesApart, then every I/O number of `program` within [min, max]; throws InputError
/// otherwise.
void CheckSignals(const Program& program, const Site& site, int min, int max,
                  const std::string& dialect);
/// Every I/O number of `program` within [min, zone_max] (zones) or [min, weld_max] (weld
/// signals and their acknowledges); throws InputError naming each range key out of reach once.
void CheckSignalNumbers(const Program& program, const Site& site, int min, int zone_max,
                        int weld_max, const std::string& dialect);
/// The rule of a dialect that writes arms of exactly `axes` axes: one RobotProblem (key
/// `chain`) when the robot has another number of movable joints, else none.
std::vector<RobotProblem> AxisProblems(const cell::Robot& robot, int axes,
                                       std::string_view dialect);
}  // namespace weldcell::exporters::internal

namespace weldcell::exporters::internal {
/// Gives every weld call without an id the id of the "weld <id>" comment right before it (the
/// exporters write one); throws InputError naming `file` when a weld call has neither.
void AttachWeldIds(Program* program, const std::string& file);
}  // namespace weldcell::exporters::internal

namespace weldcell::exporters::internal {
/// The weld call of `site` for `dialect` (or its default) checked against the dialect's
/// NameRules: throws InputError at `weld_call.<dialect>` naming the key, the dialect and the
/// rule broken. Returns true when `{id}` stands outside a string (the weld id is then a name).
bool CheckWeldCall(const Site& site, std::string_view dialect, const DialectLimits& limits);
/// The name of the routine the site's weld call for `dialect` (or its default) invokes (after
/// CheckWeldCall, which throws as there).
std::string WeldCallRoutine(const Site& site, std::string_view dialect,
                            const DialectLimits& limits);
/// Whether two names are the same name for the controller (case ignored unless
/// NameRules::case_sensitive).
bool SameName(std::string_view a, std::string_view b, const NameRules& rules);
/// Why `id` cannot be a weld id in a program of this dialect (its comments, its weld call with
/// `bare` = {id} outside a string), or empty when it can: printable ASCII without blanks and
/// without `,;()"'{}` or the dialect's comment characters, short enough for the dialect's
/// comments; a bare id must be a name of the dialect.
std::string WeldIdProblem(const std::string& id, std::string_view dialect,
                          const DialectLimits& limits, bool bare);
/// Reader side: throws InputError naming `file` when the program's name is reserved
/// (ReservedNameProblem) or for the first weld of `program` whose id is not one the dialect
/// accepts (WeldIdProblem).
void CheckWeldIds(const Program& program, const std::string& file, const Site& site,
                  std::string_view dialect, const DialectLimits& limits);
/// Why `name` may not be a program name or bare weld id of the dialect (empty when it may): one
/// of NameRules::reserved or NameRules::keywords, or a reserved_numbered prefix followed by
/// digits (exporters/internal/reserved_names.hpp).
std::string ReservedNameProblem(std::string_view name, const NameRules& rules);
/// Why `name` is not a name under `rules` (empty when it is).
std::string NameProblem(std::string_view name, const NameRules& rules);
/// "an" before a word starting with a, e, i or o (abb_rapid), else "a" (a ur_script).
std::string_view Article(std::string_view word);
/// Why `name` is not a program name of at most `max_length` characters (empty when it is): in
/// every dialect a letter, then letters, digits and `_` (IsIdentifier; stricter than the names
/// of a weld call: no KRL `$`, no leading `_`, docs/export.md "Names").
std::string ProgramNameProblem(std::string_view name, std::size_t max_length);
}  // namespace weldcell::exporters::internal
