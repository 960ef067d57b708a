#pragma once
// junit.xml: the station's requirements as one JUnit test suite for CI (one test case per
// requirement, report::CheckRequirements), so that a CI system shows which requirement a plan
// fails and by how much. Deterministic: no timestamps, no durations (time="0").

#include <string>
#include <vector>

#include "report/requirements.hpp"

namespace weldcell::report {

/// A JUnit XML document: <testsuites> holding one <testsuite name="weldcell.<suite>"> with one
/// <testcase classname="weldcell.<suite>" name="<requirement>"> per result; a failed one holds
/// <failure message="<message>" type="requirement"><details></failure>. All text escaped.
std::string JunitXml(const std::string& suite, const std::vector<RequirementResult>& results);

/// The suite name of a station whose file could not be read: its folder's name for a file named
/// cell.yaml (`cells/S/cell.yaml` → "S"), else the file's name without extension.
std::string SuiteOfCellFile(const std::string& cell_file);

/// A JUnit XML document for a run stopped by bad input (exit 2): the suite `weldcell.<suite>`
/// with one test case, "station input valid", holding <error type="input"> whose message is the
/// first line of `errors` (`file:line:col: error: …`, with "(and N more)") and whose text is
/// all of it; `cell_file` names the station in the case's system-out.
std::string JunitOfInputError(const std::string& suite, const std::string& cell_file,
                              const std::string& errors);

}  // namespace weldcell::report
