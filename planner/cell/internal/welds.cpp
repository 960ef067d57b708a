#include "planner/cell/internal/welds.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "planner/cell/internal/bounds.hpp"
#include "planner/cell/internal/named_file.hpp"

namespace weldcell::cell::internal {

namespace {

// `id` with ASCII letters in lower case: how controllers that ignore case compare names.
std::string LowerCase(std::string id) {
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

// The unit vector along a weld normal as written, of any finite length (`1e300 0 0` and
// `1e-200 0 0` too: divided by its largest component first, so that its norm neither
// overflows nor underflows); nullopt for the zero vector.
std::optional<Eigen::Vector3d> UnitNormal(const Eigen::Vector3d& n) {
  const double largest = n.cwiseAbs().maxCoeff();
  if (!(largest > 0.0)) return std::nullopt;
  return (n / largest).normalized();
}

std::optional<std::pair<double, double>> ReadSpin(YamlReader& reader, const YAML::Node& node,
                                                  const std::string& key, const Units& units) {
  auto v = reader.Numbers(node, key, 2, "min, max");
  if (!v) return std::nullopt;
  if ((*v)[0] > (*v)[1]) {
    reader.Error(
        node, key,
        "spin min must be <= max, got [" + node[0].Scalar() + ", " + node[1].Scalar() + "]");
    return std::nullopt;
  }
  return std::make_pair((*v)[0] * units.angle, (*v)[1] * units.angle);
}

// The largest tilt tolerance: the gun axis square to the weld normal. Reach samples tilts up to
// the tolerance; one of 360° or more offered poses at 360° and 720° that are the normal itself,
// and plans that said so failed their own verification.
constexpr double kMaxTilt = std::numbers::pi / 2;  // rad

// Why `tilt_rad` cannot be a tilt tolerance (`text` as written, in the file's angle unit
// `unit`); empty when it can.
std::string TiltProblem(double tilt_rad, std::string_view text, const std::string& unit) {
  if (tilt_rad < 0.0) return "must be >= 0, got " + std::string(text);
  // 90° as written to four decimals (1.5708 rad) is 90°.
  if (tilt_rad > kMaxTilt + 1e-4) {
    return "must be at most 90 deg (1.5708 rad: the gun axis square to the normal), got " +
           std::string(text) + " " + unit +
           (unit == "rad" && tilt_rad > std::numbers::pi
                ? " (degrees in a cell whose angle unit is rad? the cell file's units: {angle: "
                  "deg})"
                : "");
  }
  return "";
}

std::optional<double> ReadTilt(YamlReader& reader, const YAML::Node& node, const std::string& key,
                               const Units& units) {
  const std::optional<double> v = reader.Number(node, key);
  if (!v) return std::nullopt;
  if (std::string problem = TiltProblem(*v * units.angle, node.Scalar(), units.angle_name);
      !problem.empty()) {
    reader.Error(node, key, problem);
    return std::nullopt;
  }
  return *v * units.angle;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The weld CSV's columns, in order; the first kRequiredColumns must be there.
const std::vector<std::string>& WeldColumns() {
  static const std::vector<std::string> columns = {
      "id",        "x",    "y",        "z",        "nx",    "ny",   "nz",
      "weld_time", "tilt", "spin_min", "spin_max", "group", "after"};
  return columns;
}
constexpr std::size_t kRequiredColumns = 7;

// One field of a CSV line: its text without surrounding blanks (a quoted field's text between
// its quotes, `""` read as one `"`), and its 1-based column.
struct CsvField {
  std::string text;
  int column = 0;
};

// A line split into fields, or what is wrong with its quoting and where.
struct CsvLine {
  std::vector<CsvField> fields;
  std::string problem;  ///< Empty when the line was split.
  int problem_column = 0;
};

// The fields of a line split at its commas, as RFC 4180 (spreadsheets quote a field that holds a
// comma or a quote, and some every text field): a field whose first non-blank character is `"`
// runs to the next lone `"`, and only blanks may follow it before the comma. A quoted field must
// end on its line (the loader reports by line).
CsvLine SplitCsvLine(const std::string& line) {
  CsvLine out;
  std::size_t at = 0;
  while (true) {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
    CsvField field{.column = static_cast<int>(at) + 1};
    std::size_t end = at;
    if (at < line.size() && line[at] == '"') {
      std::size_t i = at + 1;
      for (; i < line.size(); ++i) {
        if (line[i] != '"') {
          field.text += line[i];
        } else if (i + 1 < line.size() && line[i + 1] == '"') {
          field.text += '"';
          ++i;
        } else {
          break;
        }
      }
      if (i >= line.size()) {
        out.problem = "a quoted field has no closing quote (a field cannot span lines)";
        out.problem_column = field.column;
        return out;
      }
      end = i + 1;
      while (end < line.size() && (line[end] == ' ' || line[end] == '\t' || line[end] == '\r')) {
        ++end;
      }
      if (end < line.size() && line[end] != ',') {
        out.problem = "text after a quoted field's closing quote (write a quote inside it as \"\")";
        out.problem_column = static_cast<int>(end) + 1;
        return out;
      }
    } else {
      end = std::min(line.find(',', at), line.size());
      field.text = std::string(Trim(std::string_view(line).substr(at, end - at)));
    }
    out.fields.push_back(std::move(field));
    if (end >= line.size()) break;
    at = end + 1;
  }
  return out;
}

// The header names the columns so that a swapped x/nx is caught, not silently used. Returns
// the number of columns it names, or 0 after reporting that it is not the header.
std::size_t ReadCsvHeader(const std::vector<CsvField>& fields, std::string_view line,
                          const SourceLocation& at, DiagnosticSink& sink) {
  const std::vector<std::string>& columns = WeldColumns();
  bool good = fields.size() >= kRequiredColumns && fields.size() <= columns.size();
  for (std::size_t i = 0; good && i < fields.size(); ++i) good = fields[i].text == columns[i];
  if (good) return fields.size();
  std::string expected;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    expected += (i == 0 ? "" : ",") + columns[i];
    if (i + 1 == kRequiredColumns) expected += "[";
  }
  expected += "]";
  // What differs first: a separator, a column's name, or the count.
  std::string hint;
  if (line.find(';') != std::string_view::npos && line.find(',') == std::string_view::npos) {
    hint =
        " (its fields are separated by `;`, as a spreadsheet with a decimal comma saves them; "
        "the weld CSV separates them by `,` and writes decimals with `.`)";
  } else if (line.find('\t') != std::string_view::npos &&
             line.find(',') == std::string_view::npos) {
    hint = " (its fields are separated by tabs; the weld CSV separates them by `,`)";
  } else if (fields.size() < kRequiredColumns) {
    hint = " (" + std::to_string(fields.size()) + " columns: the first seven are required)";
  } else if (fields.size() > columns.size()) {
    hint = " (" + std::to_string(fields.size()) + " columns: at most " +
           std::to_string(columns.size()) + ")";
  } else {
    for (std::size_t i = 0; i < fields.size() && i < columns.size(); ++i) {
      if (fields[i].text != columns[i]) {
        hint = " (column " + std::to_string(i + 1) + " is '" + fields[i].text + "', expected '" +
               columns[i] + "')";
        break;
      }
    }
  }
  std::string shown(line);  // a tab shown as \t
  for (std::size_t t = shown.find('\t'); t != std::string::npos; t = shown.find('\t', t + 2)) {
    shown.replace(t, 1, "\\t");
  }
  sink.Error(at, "header", "expected the header " + expected + ", got '" + shown + "'" + hint);
  return 0;
}

// A data line of the weld CSV being read: its fields, where each is, and whether every value
// read so far was good. Each problem is reported at its field's file:line:col.
class CsvRow {
 public:
  CsvRow(std::vector<CsvField> fields, const std::string& file, int line, DiagnosticSink& sink)
      : fields_(std::move(fields)), file_(file), line_(line), sink_(sink) {}

  std::size_t Count() const { return fields_.size(); }
  bool Has(std::size_t i) const { return i < fields_.size(); }
  std::string_view Text(std::size_t i) const { return fields_[i].text; }
  SourceLocation Where(std::size_t i) const {
    return {.file = file_, .line = line_, .column = fields_[i].column};
  }
  bool Good() const { return ok_; }

  // Reports `message` at column i, keyed by `key` (default: the column's name), and marks the
  // row bad.
  void Error(std::size_t i, const std::string& message, const std::string& key = "") {
    sink_.Error(Where(i), key.empty() ? WeldColumns()[i] : key, message);
    ok_ = false;
  }

  // Column i as a finite number; nullopt for an empty field (an error when `required`) or after
  // reporting one that is not a number.
  std::optional<double> Number(std::size_t i, bool required) {
    std::string_view text = fields_[i].text;
    if (text.empty()) {
      if (required) Error(i, "missing value");
      return std::nullopt;
    }
    if (text.front() == '+') text.remove_prefix(1);
    double value = 0.0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range && ptr == text.data() + text.size()) {
      Error(i, "the number " + fields_[i].text +
                   " is out of the range of a double (its magnitude "
                   "must be below 1.8e308 and, unless zero, above 2.2e-308)");
      return std::nullopt;
    }
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      Error(i, "expected a number, got " + Quote(fields_[i].text) +
                   (fields_[i].text.find(',') != std::string::npos
                        ? " (a decimal comma? numbers are written with `.`)"
                        : ""));
      return std::nullopt;
    }
    if (!std::isfinite(value)) {
      Error(i, "NaN and infinity are not allowed (got " + fields_[i].text + ")");
      return std::nullopt;
    }
    return value;
  }

 private:
  std::vector<CsvField> fields_;
  const std::string& file_;
  int line_;
  DiagnosticSink& sink_;
  bool ok_ = true;
};

// Column indices of the weld CSV (WeldColumns).
enum WeldColumn : std::size_t {
  kIdColumn = 0,
  kXColumn = 1,
  kNxColumn = 4,
  kWeldTimeColumn = 7,
  kTiltColumn = 8,
  kSpinMinColumn = 9,
  kSpinMaxColumn = 10,
  kGroupColumn = 11,
  kAfterColumn = 12,
};

// The id (required), the group and the ids of `after`: text that ends up in plan.json, which
// holds only UTF-8.
void ReadCsvNames(CsvRow& row, Weld& w) {
  if (row.Text(kIdColumn).empty()) row.Error(kIdColumn, "missing weld id");
  for (const std::size_t i :
       {std::size_t{kIdColumn}, std::size_t{kGroupColumn}, std::size_t{kAfterColumn}}) {
    if (!row.Has(i)) continue;
    if (const std::size_t bad = FindInvalidUtf8(row.Text(i)); bad != std::string_view::npos) {
      row.Error(i, "not valid UTF-8 text (byte " + std::to_string(bad + 1) +
                       " of the value); save the file as UTF-8");
    } else if (std::string text(row.Text(i)); i == kAfterColumn) {
      // Tabs separate ids as blanks do (ReadCsvAfter).
      std::replace(text.begin(), text.end(), '\t', ' ');
      if (const std::string problem = ControlCharacterProblem(text); !problem.empty()) {
        row.Error(i, problem);
      }
    } else if (const std::string problem = ControlCharacterProblem(text); !problem.empty()) {
      row.Error(i, problem);
    } else if (!text.empty() && (text.front() == ' ' || text.back() == ' ')) {
      // Only a quoted field keeps its blanks: "A1 " would print as A1 and be another weld (as
      // in cell.yaml, YamlReader::Name).
      row.Error(i, "'" + text + "' begins or ends with a space (names are compared exactly)");
    }
  }
  // Trimmed: an id refused for its blanks stays known as the id meant (another row's `after`
  // naming it is not an unknown weld too).
  w.id = std::string(Trim(row.Text(kIdColumn)));
  if (row.Has(kGroupColumn) && !row.Text(kGroupColumn).empty()) {
    w.group = std::string(row.Text(kGroupColumn));
  }
}

// The `after` column: weld ids separated by blanks, each at the field's column (whether they
// exist, repeat or form a cycle is checked with the whole weld set, as for inline welds).
void ReadCsvAfter(CsvRow& row, WeldEntry& entry) {
  if (!row.Has(kAfterColumn)) return;
  const std::string_view text = row.Text(kAfterColumn);
  for (std::size_t at = text.find_first_not_of(" \t"); at != std::string_view::npos;) {
    const std::size_t end = std::min(text.find_first_of(" \t", at), text.size());
    const std::string_view id = text.substr(at, end - at);
    if (id.find_first_of(";,") != std::string_view::npos) {
      row.Error(kAfterColumn,
                "weld ids in after are separated by blanks, got " + Quote(std::string(text)));
      return;
    }
    entry.weld.after.emplace_back(id);
    SourceLocation where = row.Where(kAfterColumn);
    where.column += static_cast<int>(at);
    entry.after_where.push_back(where);
    at = text.find_first_not_of(" \t", end);
  }
}

// x, y, z (in the file's length unit, within the loader's bounds) and the normal nx, ny, nz
// (non-zero, normalised).
void ReadCsvPositionAndNormal(CsvRow& row, const Units& units, Weld& w) {
  Eigen::Vector3d p;
  for (std::size_t k = 0; k < 3; ++k) {
    const std::size_t i = kXColumn + k;
    p[static_cast<Eigen::Index>(k)] = row.Number(i, true).value_or(0.0) * units.length;
    if (std::string problem = BoundProblem(p[static_cast<Eigen::Index>(k)], Quantity::kLength,
                                           std::string(row.Text(i)) + " " + units.length_name);
        !problem.empty()) {
      row.Error(i, problem);
    }
  }
  w.p_W = p;
  Eigen::Vector3d n;
  bool normal_ok = true;
  for (std::size_t k = 0; k < 3; ++k) {
    const std::optional<double> v = row.Number(kNxColumn + k, true);
    normal_ok &= v.has_value();
    n[static_cast<Eigen::Index>(k)] = v.value_or(0.0);
  }
  if (!normal_ok) return;
  if (const std::optional<Eigen::Vector3d> unit = UnitNormal(n)) {
    w.n_W = *unit;
  } else {
    row.Error(kNxColumn, "the normal must be non-zero");
  }
}

// The optional columns: weld_time (s, > 0), tilt (0-90°) and spin_min <= spin_max (the file's
// angle unit); an empty or missing field keeps the default.
void ReadCsvOptionalColumns(CsvRow& row, const Units& units, Weld& w) {
  if (row.Has(kWeldTimeColumn)) {
    if (auto t = row.Number(kWeldTimeColumn, false)) {
      const std::string text(row.Text(kWeldTimeColumn));
      if (*t <= 0.0) {
        row.Error(kWeldTimeColumn, "must be > 0, got " + text);
      } else if (std::string problem = BoundProblem(*t, Quantity::kTime, text + " s");
                 !problem.empty()) {
        row.Error(kWeldTimeColumn, problem);
      }
      w.weld_time = *t;
    }
  }
  if (row.Has(kTiltColumn)) {
    if (auto t = row.Number(kTiltColumn, false)) {
      if (std::string problem =
              TiltProblem(*t * units.angle, row.Text(kTiltColumn), units.angle_name);
          !problem.empty()) {
        row.Error(kTiltColumn, problem);
      }
      w.tilt_tolerance = *t * units.angle;
    }
  }
  if (row.Has(kSpinMinColumn)) {
    if (auto v = row.Number(kSpinMinColumn, false)) w.spin_min = *v * units.angle;
  }
  if (row.Has(kSpinMaxColumn)) {
    if (auto v = row.Number(kSpinMaxColumn, false)) w.spin_max = *v * units.angle;
  }
  if (w.spin_min > w.spin_max) {
    // Reported at spin_min, or at the last column when the line stops before it (the spins then
    // come from the defaults).
    row.Error(std::min<std::size_t>(kSpinMinColumn, row.Count() - 1), "spin min must be <= max",
              "spin_min");
  }
}

// A row whose fields could not be read (its quoting, its number of columns; reported) as a weld
// that is not loaded (WeldEntry::valid false), so that an `after` naming its id is not said to
// name an unknown weld too. Nothing when the id is empty, quoted or not printable UTF-8.
void AddBadRowId(std::string_view id, const SourceLocation& where, std::vector<WeldEntry>& out) {
  if (id.empty() || id.find('"') != std::string_view::npos ||
      FindInvalidUtf8(id) != std::string_view::npos || !ControlCharacterProblem(id).empty()) {
    return;
  }
  WeldEntry entry{.where = where, .id_key = "id", .valid = false};
  entry.weld.id = std::string(id);
  out.push_back(std::move(entry));
}

// One data line of the weld CSV as a weld with the defaults where a field is empty or missing;
// nullopt after reporting its problems.
std::optional<WeldEntry> ReadCsvWeld(CsvRow& row, const WeldDefaults& defaults,
                                     const Units& units) {
  WeldEntry entry;
  entry.id_key = "id";
  entry.where = row.Where(kIdColumn);
  Weld& w = entry.weld;
  w.weld_time = defaults.weld_time;
  w.tilt_tolerance = defaults.tilt;
  w.spin_min = defaults.spin_min;
  w.spin_max = defaults.spin_max;
  w.group = defaults.group;
  ReadCsvNames(row, w);
  ReadCsvAfter(row, entry);
  ReadCsvPositionAndNormal(row, units, w);
  ReadCsvOptionalColumns(row, units, w);
  if (row.Text(kIdColumn).empty()) return std::nullopt;
  entry.valid = row.Good();
  return entry;
}

}  // namespace

WeldDefaults ReadWeldDefaults(YamlReader& reader, const YAML::Node& node,
                              const std::string& key_path, const Units& units) {
  WeldDefaults d;
  if (!reader.CheckMap(node, key_path, {}, {"weld_time", "tilt", "spin", "group"})) return d;
  if (auto v = YamlReader::Get(node, "weld_time")) {
    if (auto t = reader.Time(*v, JoinKey(key_path, "weld_time"))) d.weld_time = *t;
  }
  if (auto v = YamlReader::Get(node, "tilt")) {
    if (auto t = ReadTilt(reader, *v, JoinKey(key_path, "tilt"), units)) d.tilt = *t;
  }
  if (auto v = YamlReader::Get(node, "spin")) {
    if (auto s = ReadSpin(reader, *v, JoinKey(key_path, "spin"), units)) {
      d.spin_min = s->first;
      d.spin_max = s->second;
    }
  }
  if (auto v = YamlReader::Get(node, "group")) {
    if (auto g = reader.Name(*v, JoinKey(key_path, "group"))) d.group = *g;
  }
  return d;
}

std::optional<WeldEntry> ReadInlineWeld(YamlReader& reader, const YAML::Node& node,
                                        const std::string& key_path, const Units& units) {
  if (!reader.CheckMap(node, key_path, {"id", "p", "n"},
                       {"weld_time", "tilt", "spin", "group", "after"})) {
    return std::nullopt;
  }
  WeldEntry entry;
  entry.key_path = key_path;
  entry.id_key = JoinKey(key_path, "id");
  entry.where = reader.Where(node);
  Weld& w = entry.weld;
  bool ok = true;
  if (auto v = YamlReader::Get(node, "id")) {
    entry.where = reader.Where(*v);
    if (auto id = reader.Name(*v, JoinKey(key_path, "id"))) {
      w.id = *id;
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (auto v = YamlReader::Get(node, "p")) {
    if (auto p = reader.LengthVector3(*v, JoinKey(key_path, "p"), units)) {
      w.p_W = *p;
    } else {
      ok = false;
    }
  }
  if (auto v = YamlReader::Get(node, "n")) {
    if (auto n = reader.Vector3(*v, JoinKey(key_path, "n"))) {
      if (const std::optional<Eigen::Vector3d> unit = UnitNormal(*n)) {
        w.n_W = *unit;
      } else {
        reader.Error(*v, JoinKey(key_path, "n"), "the normal must be non-zero");
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (auto v = YamlReader::Get(node, "weld_time")) {
    if (auto t = reader.Time(*v, JoinKey(key_path, "weld_time"))) w.weld_time = *t;
  }
  if (auto v = YamlReader::Get(node, "tilt")) {
    if (auto t = ReadTilt(reader, *v, JoinKey(key_path, "tilt"), units)) w.tilt_tolerance = *t;
  }
  if (auto v = YamlReader::Get(node, "spin")) {
    if (auto s = ReadSpin(reader, *v, JoinKey(key_path, "spin"), units)) {
      w.spin_min = s->first;
      w.spin_max = s->second;
    }
  }
  if (auto v = YamlReader::Get(node, "group")) {
    if (auto g = reader.Name(*v, JoinKey(key_path, "group"))) w.group = *g;
  }
  if (auto v = YamlReader::Get(node, "after")) {
    const std::string key = JoinKey(key_path, "after");
    if (!v->IsSequence()) {
      reader.Error(*v, key, "expected a list of weld ids");
    } else {
      for (std::size_t i = 0; i < v->size(); ++i) {
        if (auto id = reader.Name((*v)[i], IndexKey(key, i))) {
          w.after.push_back(*id);
          entry.after_where.push_back(reader.Where((*v)[i]));
        }
      }
    }
  }
  if (w.id.empty()) return std::nullopt;
  entry.valid = ok;
  return entry;
}

std::vector<WeldEntry> ReadWeldsCsv(const std::filesystem::path& csv,
                                    const SourceLocation& named_at, const std::string& named_key,
                                    const WeldDefaults& defaults, const Units& units,
                                    DiagnosticSink& sink) {
  const std::string file = csv.string();
  std::vector<WeldEntry> out;
  if (const std::optional<std::string> problem = NamedFileProblem(csv, "welds CSV")) {
    sink.Error(named_at, named_key, *problem);
    return out;
  }
  std::ifstream in(csv, std::ios::binary);
  if (!in) {
    sink.Error(named_at, named_key, "cannot be read: " + file);
    return out;
  }
  std::size_t header_columns = 0;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    // Spreadsheet programs often save "UTF-8 with BOM".
    if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    CsvLine split = SplitCsvLine(line);
    if (!split.problem.empty()) {
      sink.Error({.file = file, .line = line_number, .column = split.problem_column}, "",
                 split.problem);
      if (header_columns == 0) return out;
      // The id before the first comma, when it is not the quoted field.
      const std::string_view text(line);
      const std::string_view id = Trim(text.substr(0, std::min(text.find(','), text.size())));
      AddBadRowId(id, {.file = file, .line = line_number, .column = 1}, out);
      continue;
    }
    std::vector<CsvField>& fields = split.fields;
    if (header_columns == 0) {
      header_columns =
          ReadCsvHeader(fields, trimmed, {.file = file, .line = line_number, .column = 1}, sink);
      if (header_columns == 0) return out;
      continue;
    }
    CsvRow row(std::move(fields), file, line_number, sink);
    if (row.Count() < kRequiredColumns || row.Count() > header_columns) {
      sink.Error(
          row.Where(row.Count() > header_columns ? header_columns : row.Count() - 1), "",
          "expected " +
              (header_columns == kRequiredColumns
                   ? std::to_string(kRequiredColumns)
                   : std::to_string(kRequiredColumns) + " to " + std::to_string(header_columns)) +
              " columns (as in the header), got " + std::to_string(row.Count()) +
              (line.find(';') != std::string::npos
                   ? " (fields separated by `;`? the weld CSV separates them by `,`)"
                   : ""));
      if (row.Count() > 0) AddBadRowId(row.Text(kIdColumn), row.Where(kIdColumn), out);
      continue;
    }
    if (std::optional<WeldEntry> entry = ReadCsvWeld(row, defaults, units)) {
      out.push_back(std::move(*entry));
    }
  }
  if (header_columns == 0) {
    sink.Error({.file = file}, "header", "the weld CSV has no header line");
  }
  return out;
}

namespace {

// Welds closer than this are one spot: a nugget is 4–8 mm across.
constexpr double kSameSpot = 0.001;  // m
// Welds kept per grid cell of WarnSameSpots.
constexpr std::size_t kWeldsPerGridCell = 4;
// Welds on the spot of another said one by one; the rest are counted in one more warning.
constexpr int kMaxSameSpotWarnings = 10;

// A warning per weld closer than kSameSpot to an earlier one (a row copied twice: both are
// planned as separate welds, the gun closing twice on one spot). Welds on a grid of kSameSpot
// cells, each compared with those of its 27 neighbouring cells.
void WarnSameSpots(const std::vector<WeldEntry>& welds, DiagnosticSink& sink) {
  using Cell = std::array<std::int64_t, 3>;
  std::map<Cell, std::vector<std::size_t>> grid;
  const auto cell_of = [](const Eigen::Vector3d& p) {
    return Cell{static_cast<std::int64_t>(std::floor(p.x() / kSameSpot)),
                static_cast<std::int64_t>(std::floor(p.y() / kSameSpot)),
                static_cast<std::int64_t>(std::floor(p.z() / kSameSpot))};
  };
  int warned = 0, unsaid = 0;
  for (std::size_t i = 0; i < welds.size(); ++i) {
    if (!welds[i].valid) continue;  // its position may not have been read
    const Eigen::Vector3d& p = welds[i].weld.p_W;
    const Cell c = cell_of(p);
    std::optional<std::size_t> nearest;
    for (std::int64_t dx = -1; dx <= 1; ++dx) {
      for (std::int64_t dy = -1; dy <= 1; ++dy) {
        for (std::int64_t dz = -1; dz <= 1; ++dz) {
          const auto it = grid.find({c[0] + dx, c[1] + dy, c[2] + dz});
          if (it == grid.end()) continue;
          for (const std::size_t j : it->second) {
            const double d = (welds[j].weld.p_W - p).norm();
            if (d < kSameSpot && (!nearest || d < (welds[*nearest].weld.p_W - p).norm())) {
              nearest = j;
            }
          }
        }
      }
    }
    if (nearest && ++warned > kMaxSameSpotWarnings) {
      ++unsaid;
    } else if (nearest) {
      const WeldEntry& first = welds[*nearest];
      std::ostringstream text;
      text << std::fixed << std::setprecision(2) << "weld " << welds[i].weld.id << " is "
           << (first.weld.p_W - p).norm() * 1000 << " mm from weld " << first.weld.id << " (at "
           << first.where.file << ":" << first.where.line
           << "): one spot listed twice? Both are planned, the gun closing on it twice";
      sink.Warning(welds[i].where, welds[i].id_key, text.str());
    }
    // A cell keeps a few welds: one closer than kSameSpot is warned about already, so that a
    // station of welds all on one point stays linear, not quadratic.
    if (std::vector<std::size_t>& here = grid[c]; here.size() < kWeldsPerGridCell) {
      here.push_back(i);
    }
  }
  if (unsaid > 0) {
    sink.Warning({.file = welds.back().where.file}, "welds",
                 "and " + std::to_string(unsaid) + " more weld(s) on the spot of another");
  }
}

// Precedence cycles make the station unplannable: every cycle of `before` (per weld, the welds
// it comes after) is an error at its first weld. A depth-first search with its own stack (a
// chain of 50,000 precedences would overflow the call stack).
void ReportPrecedenceCycles(const std::vector<WeldEntry>& welds,
                            const std::vector<std::vector<std::size_t>>& before,
                            DiagnosticSink& sink) {
  enum class Mark { kNew, kActive, kDone };
  std::vector<Mark> mark(welds.size(), Mark::kNew);
  std::vector<std::size_t> depth_of(welds.size(), 0);  // position on the path while active
  struct Frame {
    std::size_t weld;
    std::size_t next_edge;
  };
  std::vector<Frame> path;
  constexpr std::size_t kShownCycleLength = 20;
  for (std::size_t root = 0; root < welds.size(); ++root) {
    if (mark[root] != Mark::kNew) continue;
    mark[root] = Mark::kActive;
    depth_of[root] = 0;
    path.push_back({root, 0});
    while (!path.empty()) {
      Frame& frame = path.back();
      const std::size_t i = frame.weld;
      if (frame.next_edge == before[i].size()) {
        mark[i] = Mark::kDone;
        path.pop_back();
        continue;
      }
      const std::size_t j = before[i][frame.next_edge++];
      if (mark[j] == Mark::kActive) {
        const std::size_t from = depth_of[j];
        const std::size_t length = path.size() - from;
        std::string cycle;
        for (std::size_t k = from; k < path.size(); ++k) {
          const std::size_t shown = k - from;
          if (length > kShownCycleLength && shown == kShownCycleLength / 2) {
            cycle += "... (" + std::to_string(length - kShownCycleLength) + " more) after ";
            k = path.size() - kShownCycleLength / 2 - 1;
            continue;
          }
          cycle += welds[path[k].weld].weld.id + " after ";
        }
        cycle += welds[j].weld.id;
        // Said at the cycle's first weld, at its `after` entry that names the second: where the
        // printed chain starts.
        const WeldEntry& first = welds[j];
        const std::string& second = welds[length > 1 ? path[from + 1].weld : i].weld.id;
        SourceLocation at = first.where;
        std::string key = JoinKey(first.key_path, "after");
        for (std::size_t k = 0; k < first.weld.after.size(); ++k) {
          if (first.weld.after[k] == second && k < first.after_where.size()) {
            at = first.after_where[k];
            key = IndexKey(key, k);
            break;
          }
        }
        sink.Error(at, key,
                   "precedence cycle" +
                       (length > kShownCycleLength ? " of " + std::to_string(length) + " welds"
                                                   : std::string()) +
                       ": " + cycle);
      } else if (mark[j] == Mark::kNew) {
        mark[j] = Mark::kActive;
        depth_of[j] = path.size();
        path.push_back({j, 0});  // invalidates `frame`
      }
    }
  }
}

}  // namespace

void CheckWeldSet(const std::vector<WeldEntry>& welds, DiagnosticSink& sink) {
  WarnSameSpots(welds, sink);
  std::map<std::string, std::size_t> by_id, by_lower_id;
  for (std::size_t i = 0; i < welds.size(); ++i) {
    const WeldEntry& e = welds[i];
    // plan.json's segments go "from" and "to" a weld id or "home" (docs/plan-format.md): a weld
    // called home would be taken for the robot's home position, and one called HOME beside it
    // in the programs of controllers that ignore case.
    const std::string lower = LowerCase(e.weld.id);
    if (lower == kReservedWeldId) {
      sink.Error(e.where, e.id_key,
                 "weld id '" + e.weld.id +
                     "' is reserved (plan.json names a robot's home position \"home\", and "
                     "controllers compare names with case ignored); choose another id");
    }
    // Ids that differ only in case are one name to the controllers that ignore case (KRL,
    // RAPID, INFORM): `SPOT(W20)` and `SPOT(w20)` would be one weld there.
    by_id.emplace(e.weld.id, i);
    auto [it, inserted] = by_lower_id.emplace(lower, i);
    if (!inserted) {
      const WeldEntry& first = welds[it->second];
      const std::string at = first.where.file + ":" + std::to_string(first.where.line);
      sink.Error(e.where, e.id_key,
                 first.weld.id == e.weld.id
                     ? "duplicate weld id '" + e.weld.id + "' (first at " + at + ")"
                     : "weld id '" + e.weld.id + "' differs from '" + first.weld.id + "' (at " +
                           at +
                           ") only in case, and controllers compare names with case ignored; "
                           "choose another id");
    }
  }
  // Edges of the precedence graph that point at existing other welds.
  std::vector<std::vector<std::size_t>> before(welds.size());
  for (std::size_t i = 0; i < welds.size(); ++i) {
    const WeldEntry& e = welds[i];
    std::unordered_map<std::string_view, std::size_t> listed;  // id -> its first place in after
    for (std::size_t k = 0; k < e.weld.after.size(); ++k) {
      const std::string& id = e.weld.after[k];
      const std::size_t first = listed.try_emplace(id, k).first->second;
      const SourceLocation& where = k < e.after_where.size() ? e.after_where[k] : e.where;
      const std::string key = IndexKey(JoinKey(e.key_path, "after"), k);
      if (!by_id.contains(id)) {
        // Ids are compared as written; one that differs only in case is named (`w02`: W02).
        const auto near = by_lower_id.find(LowerCase(id));
        sink.Error(
            where, key,
            "unknown weld id '" + id + "' in after" +
                (near == by_lower_id.end() ? std::string()
                                           : " (ids are compared as written: did you mean '" +
                                                 welds[near->second].weld.id + "'?)"));
      } else if (id == e.weld.id) {
        sink.Error(where, key, "a weld cannot come after itself");
      } else if (first != k) {
        sink.Error(where, key,
                   "weld '" + id + "' is listed twice in after (also after[" +
                       std::to_string(first) + "])");
      } else if (e.valid && welds[by_id.at(id)].valid) {
        before[i].push_back(by_id.at(id));
      }
    }
  }

  ReportPrecedenceCycles(welds, before, sink);
}

}  // namespace weldcell::cell::internal
