#include "report/junit.hpp"

#include <fmt/format.h>

#include "report/escape.hpp"

namespace weldcell::report {

std::string JunitXml(const std::string& suite, const std::vector<RequirementResult>& results) {
  int failures = 0;
  for (const RequirementResult& r : results) failures += r.passed ? 0 : 1;
  const std::string name = Escape("weldcell." + suite);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"weldcell\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
                     results.size(), failures);
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
      "time=\"0\">\n",
      name, results.size(), failures);
  for (const RequirementResult& r : results) {
    out +=
        fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"", name, Escape(r.name));
    if (r.passed) {
      out += ">\n      <system-out>" + Escape(r.message) + "</system-out>\n    </testcase>\n";
    } else {
      out += ">\n      <failure message=\"" + Escape(r.message) + "\" type=\"requirement\">" +
             Escape(r.message + (r.details.empty() ? "" : "\n" + r.details)) +
             "</failure>\n    </testcase>\n";
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace weldcell::report
