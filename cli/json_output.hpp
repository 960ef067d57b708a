#pragma once
// Machine-readable output of the commands (`--json`): every document is built as a
// nlohmann::ordered_json value (keys in the order they are set) and printed by PrintJson, so
// that any string (paths, names, weld ids, messages) is escaped correctly.

#include <nlohmann/json.hpp>
#include <ostream>

namespace weldcell::verify {
struct VerifyReport;
}

namespace weldcell::cli {

/// Every violation of `report` as `[{kind, time, robot, message}]` (verify's and export's
/// documents).
nlohmann::ordered_json ViolationsJson(const verify::VerifyReport& report);

/// Writes `document` indented by 2 and a newline. Bytes that are not valid UTF-8 (a file name
/// or weld id in another encoding) become U+FFFD rather than failing: the output is always
/// valid JSON. Never throws for the content of strings.
void PrintJson(const nlohmann::ordered_json& document, std::ostream& out);

}  // namespace weldcell::cli
