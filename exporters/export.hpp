#pragma once
// Exports a plan as robot programs: per robot, BuildProgram, the dialect's Write, and a read
// back with the dialect's strict reader (a program that its own reader rejects is never
// returned). Nothing is written to disk here (the CLI writes the files atomically).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/dialect.hpp"
#include "exporters/program.hpp"
#include "exporters/site.hpp"
#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/atomic_file.hpp"
#include "planner/common/progress.hpp"
#include "planner/plan/plan.hpp"

namespace weldcell::exporters {

struct RobotExport {
  std::string robot;
  std::string dialect;
  Program program;  ///< As read back from `files`.
  std::vector<ProgramFile> files;
  ProgramFigures figures;
  double estimated_motion_time = 0.0;  ///< s: EstimateMotionTime of the read-back program.
  Site site;  ///< The site with the dialect's defaults filled in (its I/O numbers).
};

struct ExportRequest {
  /// Dialect for every robot; empty = each robot's `controller.dialect` from the cell.
  std::string dialect;
  /// Robots with neither a dialect here nor a controller in the cell: skipped (listed in
  /// ExportResult::skipped) when true, an error when false.
  bool skip_robots_without_controller = false;
  /// The verifier's world of the cell (verify::MakeVerifierWorld) for the corner proofs
  /// (corners.hpp); nullptr: ExportPlan makes one.
  const collision::CollisionWorld* world = nullptr;
  /// The plan file as the user gave it, for errors about the plan.
  std::string plan_file = "plan.json";
  /// How far the controllers blend through a waypoint, when not as the dialect assumes
  /// (DialectLimits::blend; e.g. a KRL controller whose $APO_DIS_PTP is not the default).
  std::optional<BlendModel> blend;
  /// Worker threads of the check of the programs' motion (CheckExportedMotion); 0 = one per
  /// hardware thread. The programs do not depend on it.
  int threads = 0;
  /// Reports kProgramsStage (a unit per robot's program made, and one for the check of their
  /// motion) and is polled between robots:
  /// once cancelled, ExportPlan returns an empty result, which the caller must not write.
  Progress progress;
};

/// The stage ExportPlan reports through ExportRequest::progress.
inline constexpr std::string_view kProgramsStage = "programs";

struct ExportResult {
  std::vector<RobotExport> robots;   ///< In cell order.
  std::vector<std::string> skipped;  ///< Robots without a dialect (see ExportRequest).
  /// Program names made from a robot name that the dialect changed (beyond case), one line
  /// each naming the robot, the name wanted and the name given (docs/export.md "Names").
  std::vector<std::string> warnings;
  /// Robots without a program of ours that robots with one handshake with (zones, weld
  /// signals), one line each naming what its hand-written program must do.
  std::vector<std::string> handshake_warnings;
};

/// Exports `plan` (planned for `cell`: the cell hash must match) with `site`. Throws InputError
/// for a plan of another cell, whatever CheckCellPrograms refuses, two robots writing a file
/// of one name (split INFORM parts), or whatever the dialect cannot express.
/// A program name made from a robot name and changed to fit the dialect is a warning
/// (ExportResult::warnings). The programs' moves are checked with the verifier where they leave
/// the planned path (CheckExportedMotion): contact throws InputError at the site's tolerances.
/// `text` as one CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, a quote
/// doubled inside. Written as it is otherwise: a leading `=`, `+`, `-` or `@` is not guarded
/// against spreadsheet formulas (a prefix would change the names a PLC tool must match;
/// docs/export.md). `weldcell reach --csv` writes its fields with it too.
std::string CsvField(std::string_view text);

/// The interlock table for the station's PLC, as CSV (fields by CsvField): one row per zone use
/// `zone,order,robot,dialect,input,output` (order = 1-based place in the zone's order: the PLC
/// grants the uses in this order, cyclically; docs/export.md "Handshakes"). Every use is listed;
/// a robot the export skipped (no program of ours) leaves dialect, input and output empty.
std::string InterlockTable(const plan::Plan& plan, const ExportResult& result);

/// The wiring of the weld signals, as CSV: one row per plan.weld_signals entry
/// `signal,weld,giver,giver_dialect,output,ack_input,waiter,waiter_dialect,input,ack_output`
/// (signal = 1-based; the giver welds `weld` and sets `output`, wired to the waiter's `input`;
/// the waiter's `ack_output` is wired to the giver's `ack_input`). A robot the export skipped
/// leaves its columns empty.
std::string WeldSignalTable(const plan::Plan& plan, const ExportResult& result);

ExportResult ExportPlan(const plan::Plan& plan, const cell::Cell& cell, const Site& site,
                        const ExportRequest& request = {});

/// A robot's program as CheckCellPrograms names it.
struct CellProgram {
  int robot = 0;        ///< Index in cell.robots.
  std::string dialect;  ///< The robot's dialect (or the one given for all).
  std::string name;     ///< The program name, valid for the dialect.
};
struct CellPrograms {
  std::vector<CellProgram> programs;  ///< In cell order, robots with a dialect.
  std::vector<std::string> skipped;   ///< Robots without a dialect (when skipped).
  std::vector<std::string> warnings;  ///< As ExportResult::warnings.
};

/// Every rule of the export about the cell's names, programs and controllers, which needs no
/// plan: per dialect of the cell's robots (or `dialect` for all) the site (WithDefaults: weld
/// call, tool, base, slowest speed; the I/O ranges kept apart) and every weld id of the cell
/// (before planning it is not known which robot welds it); `site`'s tool loads naming robots
/// or tools of the cell; per robot its dialect (or skipped when
/// `skip_robots_without_controller`), what the dialect refuses of the robot model itself
/// (Dialect::RobotProblems: the axis count, INFORM's pulse calibration; at the cell's
/// `controller.dialect`, or with `dialect` given at the robot.yaml and its key, as CheckRobot)
/// and its program name (given: valid for the dialect, case
/// aside; made from the robot name: a warning when changed), no two programs of one name, none
/// named like its weld routine or a reserved word of its dialect. Throws InputError with every
/// problem at once, in file order, at the cell's lines. ExportPlan runs it first; `check`, and
/// `plan` before planning, run it with the default site, so that a station whose programs
/// cannot be written fails in a second, not after minutes.
CellPrograms CheckCellPrograms(const cell::Cell& cell, const Site& site,
                               const std::string& dialect = "",
                               bool skip_robots_without_controller = true);

/// Throws InputError (at `plan_file`, the path the user gave) when `plan` was not made for
/// `cell` (cell hash differs).
void CheckPlanOfCell(const plan::Plan& plan, const cell::Cell& cell,
                     const std::string& plan_file = "plan.json");

/// The list of files an export wrote into its folder: one `name<TAB>hash` a line (FNV-1a 64 of
/// the bytes written, 16 hex digits); lines starting with `#` are comments.
inline constexpr const char* kManifestName = "weldcell-files.txt";
/// The PLC's tables an export writes beside the programs (InterlockTable, WeldSignalTable).
inline constexpr const char* kInterlockTableName = "interlocks.csv";
inline constexpr const char* kWeldSignalTableName = "weld_signals.csv";

struct WriteOptions {
  /// Replace or remove files of the previous export that were edited since it wrote them (or
  /// that it did not write), and write without a site where the previous export had one.
  bool force = false;
  /// The site file the programs are written with (its path, recorded in the manifest as
  /// `# site: PATH`); empty: the default site. Programs written with a site file are not
  /// replaced by programs of the default site unless `force` (a `plan` run again without
  /// `--site` would silently undo the weld calls, I/O and numbers of the site).
  std::string site_file;
  /// Files written together with the programs, in the same all-or-nothing step (`weldcell
  /// plan`: plan.json, report.html and junit.xml, so that no folder holds the plan of one run
  /// beside the programs of another).
  std::vector<FileToWrite> with;
  /// The station whose programs these are (plan::Plan::cell_name). When given, a folder whose
  /// manifest names another station (`# cell: NAME`, recorded by every export) is refused
  /// unless `force`: `weldcell export` of station B into the folder of station A's programs
  /// removed A's programs. Empty: not checked (`weldcell plan`, whose output folder is the
  /// run's, replaces its plan.json and programs alike).
  std::string cell_name;
};

/// Writes every program file of `result`, `interlocks.csv` and `weld_signals.csv` (each its
/// header alone when the plan has no zones or weld signals), and the new
/// manifest into `folder` all together (WriteFilesTogether: every file to a temporary, every
/// target checked, then all renamed; a file that cannot be written, e.g. a folder in the way,
/// leaves every old file as it was); then removes the files that the folder's previous manifest
/// (kManifestName) lists and this export does not write (e.g. a robot's program in a dialect
/// no longer used), adding their names to `removed` (when given). Files the manifest does not
/// name are never removed. Returns the paths written (the manifest last). Throws InputError
/// (naming the manifest and every such file, nothing written) when a file the previous manifest
/// lists was changed since (its hash differs), or a file to write is there and not listed, unless
/// options.force, or a folder stands where a file goes; throws FileWriteError
/// (planner/common/atomic_file.hpp).
std::vector<std::filesystem::path> WriteProgramFiles(const std::filesystem::path& folder,
                                                     const plan::Plan& plan,
                                                     const ExportResult& result,
                                                     const WriteOptions& options = {},
                                                     std::vector<std::string>* removed = nullptr);

/// What WriteProgramFiles would refuse in `folder`, said before the work that would end in it
/// (`weldcell plan`, before planning, so that nothing is written): throws InputError (naming the
/// folder's manifest, or the folder, and the files) when a file the manifest lists was changed
/// since the export wrote it, or a file that `programs` will write (Dialect::FileNames, the PLC
/// tables) is there and not in the manifest, or the manifest names a site file and
/// options.site_file is empty, unless options.force; and when a folder stands where one of
/// them goes. The parts of a split INFORM job are named only by the plan: WriteProgramFiles
/// still checks those.
void CheckProgramsFolder(const std::filesystem::path& folder, const CellPrograms& programs,
                         const WriteOptions& options);

/// Removes the files an earlier export wrote into `folder` (those its manifest lists, regular
/// files only) and the manifest: no stale program stays beside a plan that has none (`weldcell
/// plan` when exporting fails). Files the manifest does not name, and files edited since the
/// export wrote them (their hash differs), are never removed. Returns the files removed (the
/// manifest not counted).
int RemoveProgramFiles(const std::filesystem::path& folder);

}  // namespace weldcell::exporters
