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

}  // namespace weldcell::report
