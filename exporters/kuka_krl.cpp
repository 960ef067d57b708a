// KUKA KRL: NAME.src (the motion program) + NAME.dat (AXIS positions in degrees: the robot's six
// axes only, so that no external axis, a servo gun's E1 above all, is driven), CR LF.
// Advance run: the interpreter runs ahead of the motion, so an output after a motion would be
// set while the robot still moves. Every $OUT is preceded by an exact-stop PTP and WAIT SEC 0
// (which stops the advance run); WAIT FOR $IN stops it by itself.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "exporters/dialect.hpp"
#include "exporters/internal/reserved_names.hpp"
#include "exporters/internal/text.hpp"
#include "planner/common/check.hpp"

namespace weldcell::exporters {

namespace {

using namespace internal;

constexpr const char* kDialect = "kuka_krl";
constexpr const char* kDefaultCall = "SPOT_WELD({schedule},{n})";
constexpr std::size_t kMaxName = 24;
// The header a KRC's editor writes (and expects) at the top of .src and .dat; the BAS
// declaration for the BAS (#INITMOV / #VEL_PTP / #ACC_PTP) calls.
constexpr const char* kHeader =
    "&ACCESS RVP\n&REL 1\n&PARAM TEMPLATE = C:\\KRC\\Roboter\\Template\\vorgabe\n"
    "&PARAM EDITMASK = *\n";
constexpr const char* kExtBas = "EXT BAS (BAS_COMMAND :IN,REAL :IN )";

// Throws unless `lines` start with the header lines (kHeader).
void CheckHeader(const std::string& file, const std::vector<internal::Line>& lines) {
  std::vector<std::string> header;
  for (std::string_view h = kHeader; !h.empty();) {
    const std::size_t lf = h.find('\n');
    header.emplace_back(h.substr(0, lf));
    h.remove_prefix(lf + 1);
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i >= lines.size() || lines[i].text != header[i]) {
      internal::ReadError(file, static_cast<int>(i) + 1,
                          "expected the header line " + header[i] +
                              " (&ACCESS, &REL, &PARAM TEMPLATE, &PARAM EDITMASK)");
    }
  }
}
// C_PTP with $APO.CPTP = 1: the approximation starts at the latest when the leading axis is 1 %
// of $APO_DIS_PTP (machine data, 90 deg by default) from the point: at most 0.9 deg.
constexpr double kApoDistance = 0.9 * 3.14159265358979323846 / 180.0;

class KukaKrl final : public Dialect {
 public:
  std::string_view name() const override { return kDialect; }
  DialectLimits limits() const override {
    return {.max_name_length = kMaxName,
            .names = {.max_length = kMaxName,
                      .dollar = true,
                      .leading_underscore = true,
                      .extra_characters = "#",
                      .comment = ";",
                      .form = NameRules::CallForm::kParens,
                      .keywords = reserved::kKrlCallKeywords,
                      .keyword_prefixes = reserved::kKrlCallPrefixes,
                      .reserved = reserved::kKrlNames,
                      .reserved_numbered = reserved::kKrlNumbered,
                      .equals_assigns = true},
            .default_weld_call = kDefaultCall,
            .max_tool = 16,
            .max_base = 32,
            .min_signal = 1,
            .max_signal = 4096,
            .zone_inputs = {101, 512},
            .zone_outputs = {101, 512},
            .weld_signal_inputs = {701, 128},
            .weld_signal_outputs = {701, 128},
            .weld_ack_inputs = {901, 128},
            .weld_ack_outputs = {901, 128},
            .blend = {.fraction = 0.5, .max_joint = kApoDistance},
            .min_speed = 0.01,
            .min_speed_text = "BAS (#VEL_PTP,1 )"};
  }
  std::vector<RobotProblem> RobotProblems(const cell::Robot& robot) const override {
    return AxisProblems(robot, 6, kDialect);
  }
  std::string ProgramName(const std::string& wanted) const override {
    return IdentifierName(wanted, kMaxName, false);
  }

  std::vector<std::string> FileNames(const std::string& program) const override {
    return {program + ".src", program + ".dat"};
  }
  std::vector<ProgramFile> Write(const Program& program, const cell::Robot& robot,
                                 const Site& site_in) const override {
    const Site site = WithDefaults(site_in, *this);
    CheckRobot(*this, robot);
    CheckSignals(program, site, 1, 4096, kDialect);
    const std::string& n = program.name;
    WELDCELL_CHECK(IsIdentifier(n, kMaxName));
    std::string src, dat;
    src += kHeader;
    src += fmt::format("DEF {}( )\n", n);
    src += std::string(kExtBas) + "\n";
    if (site.weld_call.find(kDialect) == site.weld_call.end()) {
      src += "EXT SPOT_WELD (INT :IN,INT :IN )\n";
    }
    src += ";FOLD INI\n  BAS (#INITMOV,0 )\n;ENDFOLD (INI)\n";
    // BAS sets $TOOL and the tool's load $LOAD (LOAD_DATA[tool]: the gun's mass for the
    // dynamic model and collision detection; `$TOOL = TOOL_DATA[tool]` left $LOAD at whatever
    // was set last), and $BASE, as the inline forms do.
    src += fmt::format("BAS (#TOOL,{} )\nBAS (#BASE,{} )\n", site.tool, site.base);
    src += "$APO.CPTP = 1\nBAS (#ACC_PTP,100 )\n";
    dat += std::string(kHeader) + fmt::format("DEFDAT {}\n", n);
    int point = 0, velocity = -1;
    bool advance_stopped = true;
    for (const Instruction& i : program.instructions) {
      switch (i.kind) {
        case InstructionKind::kComment:
          src += "; " + i.text + "\n";
          break;
        case InstructionKind::kMove: {
          const int pct = std::clamp(static_cast<int>(std::ceil(i.speed * 100.0 - 1e-9)), 1, 100);
          if (pct != velocity) src += fmt::format("BAS (#VEL_PTP,{} )\n", pct);
          velocity = pct;
          const std::string p = fmt::format("XP{}", ++point);
          const std::vector<double> a = ToControllerUnits(robot, i.q);
          dat += fmt::format("DECL AXIS {}={{A1 {},A2 {},A3 {},A4 {},A5 {},A6 {}}}\n", p,
                             Fixed(a[0], 4), Fixed(a[1], 4), Fixed(a[2], 4), Fixed(a[3], 4),
                             Fixed(a[4], 4), Fixed(a[5], 4));
          src += fmt::format("PTP {}{}\n", p, i.exact_stop ? "" : " C_PTP");
          advance_stopped = false;
          break;
        }
        case InstructionKind::kWeld:
          // The call's own I/O must not run ahead of the arm either.
          if (!advance_stopped) src += "WAIT SEC 0\n";
          advance_stopped = true;
          src += WeldCall(site, kDialect, kDefaultCall, i) + "\n";
          break;
        case InstructionKind::kWaitInput:
          src += fmt::format("WAIT FOR {}$IN[{}]\n", i.value ? "" : "NOT ", i.signal);
          advance_stopped = true;
          break;
        case InstructionKind::kSetOutput:
          // WAIT SEC 0 stops the advance run: the output is set when the robot stands.
          if (!advance_stopped) src += "WAIT SEC 0\n";
          advance_stopped = true;
          src += fmt::format("$OUT[{}]={}\n", i.signal, i.value ? "TRUE" : "FALSE");
          break;
      }
    }
    src += "END\n";
    dat += "ENDDAT\n";
    // KRC controllers run on Windows and their editors write and expect CR LF.
    const std::vector<std::string> names = FileNames(n);
    return {{names[0], WithCrlf(src)}, {names[1], WithCrlf(dat)}};
  }

  Program Read(const std::vector<ProgramFile>& files, const cell::Robot& robot,
               const Site& site_in) const override {
    const Site site = WithDefaults(site_in, *this);
    CheckRobot(*this, robot);
    const ProgramFile* src = nullptr;
    const ProgramFile* dat = nullptr;
    for (const ProgramFile& f : files) {
      if (f.name.ends_with(".src")) src = &f;
      if (f.name.ends_with(".dat")) dat = &f;
    }
    if (!src || !dat)
      ReadError(files.empty() ? "" : files[0].name, 0, "expected NAME.src and NAME.dat");
    const std::string stem = src->name.substr(0, src->name.size() - 4);
    if (dat->name != stem + ".dat")
      ReadError(dat->name, 0, "the .dat must be named " + stem + ".dat");
    if (!IsIdentifier(stem, kMaxName)) {
      ReadError(src->name, 0,
                fmt::format("program name {} is not a KRL name of at most {} "
                            "letters, digits and _",
                            stem, kMaxName));
    }
    Program program{.name = stem, .robot = robot.name};

    // .dat
    std::map<std::string, Eigen::VectorXd> points;
    static const std::regex kDecl(
        R"(DECL AXIS ([A-Za-z_][A-Za-z0-9_]*)=\{A1 ([^,]+),A2 ([^,]+),A3 ([^,]+),A4 ([^,]+),A5 ([^,]+),A6 ([^,}]+)\})");
    bool defdat = false, enddat = false;
    const std::vector<Line> dat_lines = SplitLines(dat->name, dat->contents, true);
    CheckHeader(dat->name, dat_lines);
    for (const Line& l : dat_lines) {
      const std::string t = Trim(l.text);
      if (l.number <= 4 || t.empty() || t.starts_with(';')) continue;
      if (enddat) ReadError(dat->name, l.number, "text after ENDDAT");
      std::smatch m;
      if (t.starts_with("DEFDAT ")) {
        if (defdat || t != "DEFDAT " + stem)
          ReadError(dat->name, l.number, "expected DEFDAT " + stem + " once");
        defdat = true;
      } else if (t == "ENDDAT") {
        enddat = true;
      } else if (std::regex_match(t, m, kDecl)) {
        if (!defdat) ReadError(dat->name, l.number, "DECL before DEFDAT");
        const std::string p = m[1].str();
        if (p.size() > kMaxName)
          ReadError(dat->name, l.number, "name longer than 24 characters: " + p);
        std::vector<double> a;
        for (int k = 2; k <= 7; ++k) {
          auto v = ParseNumber(m[k].str());
          if (!v) ReadError(dat->name, l.number, "not a number: " + m[k].str());
          a.push_back(*v);
        }
        if (!points.emplace(p, FromControllerUnits(robot, a)).second) {
          ReadError(dat->name, l.number, "position " + p + " declared twice");
        }
      } else {
        ReadError(dat->name, l.number, "not a KRL data declaration: " + t);
      }
    }
    if (!defdat || !enddat) ReadError(dat->name, 0, "expected DEFDAT ... ENDDAT");

    // .src
    static const std::regex kPtp(R"(PTP ([A-Za-z_][A-Za-z0-9_]*)( C_PTP)?)");
    static const std::regex kVel(R"(BAS \(#VEL_PTP,([0-9]+) \))");
    static const std::regex kWait(R"(WAIT FOR (NOT )?\$IN\[([0-9]+)\])");
    static const std::regex kOut(R"(\$OUT\[([0-9]+)\]=(TRUE|FALSE))");
    bool def = false, end = false, advance_stopped = true;
    double speed = 0.0;
    std::set<std::string> used;
    bool ext_bas = false, initmov = false;
    const std::vector<Line> src_lines = SplitLines(src->name, src->contents, true);
    CheckHeader(src->name, src_lines);
    for (const Line& l : src_lines) {
      const std::string t = Trim(l.text);
      if (l.number <= 4 || t.empty()) continue;
      if (t.starts_with(';')) {
        if (t.starts_with("; "))
          program.instructions.push_back({.kind = InstructionKind::kComment, .text = t.substr(2)});
        continue;
      }
      if (end) ReadError(src->name, l.number, "text after END");
      std::smatch m;
      auto need_def = [&] {
        if (!def) ReadError(src->name, l.number, "instruction before DEF");
      };
      if (t.starts_with("DEF ")) {
        if (def || t != "DEF " + stem + "( )")
          ReadError(src->name, l.number, "expected DEF " + stem + "( ) once (the file name)");
        def = true;
      } else if (t == "END") {
        need_def();
        end = true;
      } else if (t == kExtBas) {
        need_def();
        ext_bas = true;
      } else if (t == "EXT SPOT_WELD (INT :IN,INT :IN )" &&
                 site.weld_call.find(kDialect) == site.weld_call.end()) {
        need_def();
      } else if (t.starts_with("BAS (") && !ext_bas) {
        ReadError(src->name, l.number, "BAS called before its declaration " + std::string(kExtBas));
      } else if (t == "BAS (#INITMOV,0 )") {
        need_def();
        initmov = true;
      } else if (t == "BAS (#ACC_PTP,100 )" || t == "$APO.CPTP = 1" ||
                 t == fmt::format("BAS (#TOOL,{} )", site.tool) ||
                 t == fmt::format("BAS (#BASE,{} )", site.base)) {
        need_def();
      } else if (std::regex_match(t, m, kVel)) {
        need_def();
        auto v = ParseInt(m[1].str());
        if (!v || *v < 1 || *v > 100) ReadError(src->name, l.number, "#VEL_PTP must be 1..100");
        speed = *v / 100.0;
      } else if (std::regex_match(t, m, kPtp)) {
        need_def();
        auto it = points.find(m[1].str());
        if (it == points.end())
          ReadError(src->name, l.number,
                    "position " + m[1].str() + " is not declared in " + dat->name);
        if (speed <= 0) ReadError(src->name, l.number, "PTP before BAS (#VEL_PTP,..)");
        if (!initmov) ReadError(src->name, l.number, "PTP before BAS (#INITMOV,0 )");
        used.insert(it->first);
        program.instructions.push_back({.kind = InstructionKind::kMove,
                                        .q = it->second,
                                        .exact_stop = !m[2].matched,
                                        .speed = speed});
        advance_stopped = false;
      } else if (std::regex_match(t, m, kWait)) {
        need_def();
        const int s = *ParseInt(m[2].str());
        program.instructions.push_back({.kind = InstructionKind::kWaitInput,
                                        .signal = s,
                                        .value = !m[1].matched,
                                        .role = InputRole(site, s)});
        advance_stopped = true;
      } else if (t == "WAIT SEC 0") {
        need_def();
        advance_stopped = true;
      } else if (std::regex_match(t, m, kOut)) {
        need_def();
        if (!advance_stopped)
          ReadError(
              src->name, l.number,
              "$OUT without WAIT SEC 0 after the last motion: the advance run would set it early");
        const int s = *ParseInt(m[1].str());
        program.instructions.push_back({.kind = InstructionKind::kSetOutput,
                                        .signal = s,
                                        .value = m[2].str() == "TRUE",
                                        .role = OutputRole(site, s)});
      } else if (auto w = MatchWeldCall(site, kDialect, kDefaultCall, t)) {
        need_def();
        if (!advance_stopped) {
          ReadError(src->name, l.number,
                    "weld call without WAIT SEC 0 after the last motion: the advance run would "
                    "start it early");
        }
        program.instructions.push_back({.kind = InstructionKind::kWeld,
                                        .weld_id = w->id,
                                        .weld_number = w->number,
                                        .schedule = w->schedule});
      } else {
        ReadError(src->name, l.number, "not an instruction this exporter writes: " + t);
      }
    }
    if (!def || !end) ReadError(src->name, 0, "expected DEF ... END");
    if (used.size() != points.size()) ReadError(dat->name, 0, "positions declared but never used");
    // Weld ids are in the comments only: take them from the "; weld <id>" comment before.
    AttachWeldIds(&program, src->name);
    CheckWeldIds(program, src->name, site, kDialect, limits());
    CheckProgram(program, robot, site, src->name, 1e-4);
    return program;
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeKukaKrl() { return std::make_unique<KukaKrl>(); }

}  // namespace weldcell::exporters
