#pragma once
// One controller dialect: writes a Program as the controller's files and reads such files back
// (strictly: what a controller would reject, the reader rejects). One implementation per file:
// kuka_krl.cpp, abb_rapid.cpp, fanuc_ls.cpp, yaskawa_inform.cpp, ur_script.cpp.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/corners.hpp"
#include "exporters/program.hpp"
#include "exporters/site.hpp"
#include "planner/cell/cell.hpp"

namespace weldcell::exporters {

/// A file of a program, in memory: its name (no folder) and exact bytes.
struct ProgramFile {
  std::string name;
  std::string contents;
  bool operator==(const ProgramFile&) const = default;
};

/// What a dialect accepts in names and in the line of the site's weld call (docs/export.md
/// "Names"). The limits are the conservative ones every controller generation accepts.
struct NameRules {
  /// Most characters of a name the program declares or calls (program, procedure, job names).
  std::size_t max_length = 8;
  bool dollar = false;              ///< `$` allowed in names (KRL).
  bool leading_underscore = false;  ///< A name may start with `_` (KRL, URScript).
  /// Only the name after this prefix of the weld call is a program name held to max_length
  /// (FANUC "CALL ", INFORM "CALL JOB:"; their instruction words may be longer); empty: every
  /// name in the call is.
  std::string_view call_prefix;
  /// Characters a weld call may hold outside strings besides letters, digits, blanks and
  /// `_()[],=.:+-*/<>` (KRL `$#`, RAPID `\` and one final `;`, ...).
  std::string_view extra_characters;
  std::string_view quotes = "\"";  ///< String delimiters.
  std::string_view comment;        ///< Characters that start a comment.
  bool final_semicolon = false;    ///< A statement ends with `;` (RAPID).
  std::size_t max_comment = 0;     ///< Most characters of a comment (0: no limit).
  /// The shape a weld call must have: a call of a subroutine, never a motion, an I/O statement
  /// or an assignment (docs/export.md "Names").
  enum class CallForm {
    kParens,     ///< `NAME(args)` (KRL, URScript)
    kProcedure,  ///< `Name args;`, `Name\switch ...;` or `Name;` (RAPID procedure call)
    kCall,       ///< `CALL NAME` or `CALL NAME(args)` (FANUC)
    kCallJob,    ///< `CALL JOB:NAME` then ` ARGF<value>` arguments (INFORM)
  };
  CallForm form = CallForm::kParens;
  /// Blank-separated lower-case names the weld call may not invoke (the dialect's motion, I/O
  /// and flow keywords); compared case-insensitively.
  std::string_view keywords;
  /// Lower-case prefixes of such names (URScript `move`, `set_`, ...).
  std::string_view keyword_prefixes;
  /// The controller tells names apart by case (URScript); else names are compared ignoring it.
  bool case_sensitive = false;
  /// Characters that start an escape inside a string (RAPID and URScript `\`): a weld id may
  /// not hold them.
  std::string_view escape;
  /// Blank-separated names a program (or a bare weld id) may not have: the dialect's reserved
  /// words, built-ins and every name the exported program itself uses
  /// (exporters/internal/reserved_names.hpp; not exhaustive).
  std::string_view reserved;
  /// Lower-case prefixes that, followed by digits only, make a reserved name (KRL `XP1`, the
  /// positions; RAPID `jP1`, `tool1`, ...).
  std::string_view reserved_numbered;
  /// A lone `=` outside strings (not part of `==`, `<=`, `>=`) assigns (KRL): refused in a weld
  /// call's arguments. (URScript's `f(x=1)` is a named argument; RAPID assigns with `:=`.)
  bool equals_assigns = false;
};

/// What a dialect can express, for the writer's checks and the defaults of a site.
struct DialectLimits {
  int max_name_length = 8;
  NameRules names;
  /// The weld call when the site gives none (placeholders as Site::weld_call).
  std::string_view default_weld_call;
  /// Largest tool and base numbers the controller holds (KRL TOOL_DATA[16], BASE_DATA[32];
  /// FANUC UTOOL 10, UFRAME 9; INFORM TOOL 23); 0: the dialect does not use the number.
  int max_tool = 999, max_base = 999;
  /// Smallest: 1, or 0 where 0 is a number of the controller (FANUC UFRAME 0, the world;
  /// INFORM TOOL 0, the default tool).
  int min_tool = 1, min_base = 1;
  int min_signal = 1, max_signal = 1024;  ///< I/O numbers the dialect accepts.
  SignalRange zone_inputs, zone_outputs, weld_signal_inputs, weld_signal_outputs;  ///< defaults
  SignalRange weld_ack_inputs, weld_ack_outputs;                                   ///< defaults
  /// How far the dialect's blend of an approximated point may reach (corners.hpp).
  BlendModel blend;
  /// Smallest fraction of full speed a move without a planned time can be programmed with
  /// (KRL `#VEL_PTP` and FANUC % are whole percent: 0.01; INFORM `VJ=0.01`: 0.0001; RAPID
  /// 0.1 mm/s of vmax's 5000: 0.00002); 0: no limit (URScript a and v).
  double min_speed = 0.0;
  /// How the slowest speed is written, for messages.
  std::string_view min_speed_text;
  /// Zone, weld-signal and acknowledge numbers are one I/O space whose ranges must not overlap
  /// (false: URScript's boolean registers, configurable and standard digital I/O are apart).
  bool one_io_space = true;
};

/// Something a dialect refuses about a robot model itself (not about a plan or a site): known
/// from the cell alone, so refused before planning (CheckCellPrograms).
struct RobotProblem {
  std::string key;      ///< The robot.yaml key to change (`chain`, `controller_joints.pulses`).
  std::string message;  ///< What the robot has, what the dialect expects, and what to do.
  bool operator==(const RobotProblem&) const = default;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  /// kuka_krl | abb_rapid | fanuc_ls | yaskawa_inform | ur_script (the cell's `dialect`).
  virtual std::string_view name() const = 0;
  virtual DialectLimits limits() const = 0;
  /// The program name made valid for the dialect from a cell's `program` or robot name
  /// (characters replaced, case, length). Never empty.
  virtual std::string ProgramName(const std::string& wanted) const = 0;
  /// Every rule of the dialect about the robot model itself (its axis count, a pulse
  /// calibration the controller's positions need), one RobotProblem per rule broken; empty when
  /// the dialect can take the robot. The one definition of these rules: Write and Read apply it
  /// (CheckRobot), and CheckCellPrograms at the cell's `controller.dialect` before planning.
  virtual std::vector<RobotProblem> RobotProblems(const cell::Robot& robot) const = 0;
  /// The names of the files Write writes for a program called `program` (its main files, in
  /// Write's order; an INFORM job split in parts also writes NAMEnn.JBI, known only from the
  /// plan).
  virtual std::vector<std::string> FileNames(const std::string& program) const = 0;
  /// Writes `program` for `robot`. Throws InputError when the robot or site asks for something
  /// the dialect cannot express (RobotProblems, an I/O number out of range, a name).
  virtual std::vector<ProgramFile> Write(const Program& program, const cell::Robot& robot,
                                         const Site& site) const = 0;
  /// Parses files written by Write (any order) back into a program with URDF joint values.
  /// Throws InputError (file:line: message) on anything a controller would reject, on a
  /// broken CheckProgram rule, and as CheckRobot.
  virtual Program Read(const std::vector<ProgramFile>& files, const cell::Robot& robot,
                       const Site& site) const = 0;
};

/// The dialect called `name`, or nullptr.
std::unique_ptr<Dialect> MakeDialect(std::string_view name);
/// Every dialect name, in a fixed order.
std::vector<std::string> DialectNames();

/// Throws InputError with every RobotProblem of `robot` under `dialect`, each at the robot's
/// robot.yaml (RobotModel::source_file) and its key.
void CheckRobot(const Dialect& dialect, const cell::Robot& robot);

/// The site's ranges with the dialect's defaults filled in. Throws InputError at the site's
/// `weld_call.<dialect>` (export.yaml:line:col) when the call breaks the dialect's NameRules (a
/// name too long or malformed, a character the controller does not take, a comment start), and
/// at `tool` / `base` when the number is beyond what the controller holds, and at
/// `speed_override` (or `home_speed`) when speed_override, or speed_override × home_speed (the
/// first move), is below DialectLimits::min_speed (the controller would run it faster).
Site WithDefaults(const Site& site, const Dialect& dialect);

}  // namespace weldcell::exporters
