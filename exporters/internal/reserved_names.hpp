#pragma once
// The names each dialect keeps for itself, as data (one place for every dialect): the words a
// program name or a bare weld id ({id} outside a string in the weld call) may not be, and the
// words a weld call may not invoke. Internal to exporters/; used through NameRules
// (dialect.hpp). Lists are lower-case and blank-separated, compared ignoring case, except
// URScript's, which are compared as written (URScript tells names apart by case).
//
// Sources (the vendors' manual names; the lists are NOT exhaustive: they hold the reserved words,
// the statements a weld call must never be, and every name the exported program itself uses;
// a site that adds its own globals must keep program names apart from them):
//   KUKA  "KUKA System Software 8.x, Operating and Programming Instructions for System
//          Integrators" (KRL syntax, reserved keywords; ASYPTP/ASYLIN of the external axes;
//          SPL/SLIN/SCIRC spline motions)
//   ABB   "Technical reference manual - RAPID Instructions, Functions and Data types" and
//          "RAPID kernel" (reserved words; MoveX, IndXMove, MotionSup, Trigg*, Search*)
//   FANUC "R-30iB Controller Operator's Manual (Basic Operation)" (TP instructions)
//   Yaskawa "DX200/YRC1000 INFORM Language Manual" (INFORM instructions)
//   UR    "The URScript Programming Language" (e-Series, 5.x; keywords and built-in functions)
#include <string_view>

namespace weldcell::exporters::internal::reserved {

// --- Words a program name (and a bare weld id) may not be. ---

/// KRL reserved words, the system routines the program calls (BAS, its EXT declaration) and
/// the names of the program's own declarations.
inline constexpr std::string_view kKrlNames =
    "and anin anout b_and b_not b_or b_exor bas brake c_dis c_orient c_ptp c_vel case circ "
    "circ_rel const continue decl def defdat deffct default delay digin do else end enddat "
    "endfct endfor endif endloop endswitch endwhile exit ext extfct false fct for global goto "
    "halt if imports in int interrupt is lin lin_rel loop maximum minimum not or out prio ptp "
    "ptp_rel public pulse real repeat resume return sec signal spl slin scirc sptp struc switch "
    "then to trigger true until wait when while exor bool char frame pos axis e6pos e6axis "
    "enum tool_data base_data initmov vel_ptp acc_ptp "
    // The controller's own modules and programs: the system's SPS, the standard P00 and
    // IR_STOPM, and CELL (the cell program that calls the station's programs, docs/export.md).
    "sps p00 ir_stopm cell";
/// Names of KRL declarations the exporter numbers: XP1, XP2, ... (the positions in the .dat).
inline constexpr std::string_view kKrlNumbered = "xp";

/// RAPID reserved words, the instructions and data the module uses, and `main`.
inline constexpr std::string_view kRapidNames =
    "alias and backward case connect const default div do else elseif endfor endfunc endif "
    "endmodule endproc endrecord endtest endtrap endwhile error exit false for from func goto "
    "if inout local module mod nostepin not noview or pers proc raise readonly record retry "
    "return step sysmodule test then to trap true trynext undo var viewonly while with xor "
    "main moveabsj movej movel movec waitdi setdo vmax fine z1 jointtarget tooldata speeddata "
    "zonedata wobjdata bool num string rob_1 tool0 wobj0 load0 "
    // RobotWare's system modules: a program module of that name clashes with them on loading.
    "base user";
/// Names the module declares or uses numbered: jP1, ..., tool<n>, wcTool<n>, wobj<n> and the
/// signal names diZone<n>, doWeld<n>, ... .
inline constexpr std::string_view kRapidNumbered =
    "jp tool wctool wobj dizone dozone diweld doweld diack doack";

/// FANUC TP instruction words (a program called like one is unreadable on the pendant).
inline constexpr std::string_view kFanucNames =
    "call end jmp lbl if select wait abort pause run else endif for endfor j l c a p pr r di do "
    "ri ro gi go ai ao ui uo si so fine cnt uframe utool uframe_num utool_num offset tool_offset "
    "skip timer payload override on off pulse and or not mod div";
inline constexpr std::string_view kFanucNumbered = "";

/// INFORM instruction words and the names of the job's own lines.
inline constexpr std::string_view kInformNames =
    "nop end movj movl movc movs imov call job ret jump label if wait timer dout dout pulse din "
    "set add sub mul div inc dec and or not xor cwait advstop pause stop on off in ot ib ob "
    "argf vj v pl tool shifton shiftoff mshift";
inline constexpr std::string_view kInformNumbered = "";

/// URScript keywords, the built-in functions the program calls and those that must never be
/// shadowed (compared as written).
inline constexpr std::string_view kUrNames =
    "def end if elif else while for return thread run kill halt break continue pass not and or "
    "xor True False None global local sec p sync sleep popup textmsg set_tcp set_payload "
    "movej movel movep movec servoj speedj speedl stopj stopl read_input_boolean_register "
    "write_output_boolean_register get_configurable_digital_in set_configurable_digital_out "
    "get_standard_digital_in set_standard_digital_out get_tool_digital_in "
    "set_tool_digital_out get_actual_joint_positions get_actual_tcp_pose get_inverse_kin "
    "get_forward_kin is_steady enter_critical exit_critical force_mode end_force_mode "
    "freedrive_mode end_freedrive_mode teach_mode end_teach_mode position_deviation_warning "
    "protective_stop power_off zero_ftsensor";
inline constexpr std::string_view kUrNumbered = "";

// --- Words a weld call may not invoke (motion, independent axes, supervision, I/O, flow). ---

inline constexpr std::string_view kKrlCallKeywords =
    "ptp lin circ sptp slin scirc spl spline endspline ptp_spline ptp_rel lin_rel circ_rel "
    "sptp_rel slin_rel scirc_rel asyptp asylin asycirc asystop asyconti asycancel bas pulse "
    "anout anin digin wait halt if for while loop repeat switch goto return exit brake continue "
    "resume trigger interrupt def deffct end endfct cwrite cread copen cclose on_error_proceed "
    "delay";
/// Prefixes: every asynchronous (external-axis) motion, relative and spline variants.
inline constexpr std::string_view kKrlCallPrefixes = "asy ptp_ lin_ circ_ sptp_ slin_ scirc_ spl_";

inline constexpr std::string_view kRapidCallKeywords =
    "moveabsj moveextj movesync setdo setao setgo set reset pulsedo invertdo setalldatatype "
    "waitdi waitdo waitai waitao waitgi waitgo waittime waituntil waitrob waitload waitsynctask "
    "waitwobj stop stoppath startmove stopmove stopmovereset restopath storepath clearpath exit "
    "exitcycle break return raise retry trynext goto velset accset confj confl singarea "
    "pathacclim worldacclim speedlimaxis speedlimcheckpoint motionsup motionprocessmodeset "
    "triggj triggl triggc triggio triggeq triggint triggcheckio triggspeed searchl searchc "
    "searchextj spotj spotl spotml indamove indcmove inddmove indrmove indreset actunit "
    "deactunit syncmoveon syncmoveoff softact softdeact gripload mechunitload loadid "
    "connect idelete ienable idisable isignaldi isignaldo isignalgi isignalgo itimer "
    "wzlimsup wzenable wzdisable wzfree tunereset tuneservo callbyvar "
    // Program displacement and external axis offsets: they would shift every later position.
    "pdispon pdispset pdispoff eoffson eoffsset eoffsoff";
/// Prefixes: every Move*, the independent axes (Ind*), Trigg*, Search*, world zones (WZ*).
inline constexpr std::string_view kRapidCallPrefixes = "move ind trigg search wz";

inline constexpr std::string_view kUrCallKeywords =
    "halt popup sleep sync textmsg def end if elif else while return thread run kill "
    "enter_critical exit_critical force_mode end_force_mode freedrive_mode end_freedrive_mode "
    "teach_mode end_teach_mode position_deviation_warning protective_stop power_off "
    "zero_ftsensor powerdown";
/// Prefixes: every move*, servo*, speed*, stop*, set_*, write_*, path offsets and conveyor
/// tracking.
inline constexpr std::string_view kUrCallPrefixes =
    "move servo speed stop set_ write_ end_ path_offset conveyor_ encoder_ socket_";

}  // namespace weldcell::exporters::internal::reserved
