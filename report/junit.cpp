#include "report/junit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

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

std::string SuiteOfCellFile(const std::string& cell_file) {
  const std::filesystem::path file(cell_file);
  const std::string folder = std::filesystem::absolute(file).parent_path().filename().string();
  return file.stem() == "cell" && !folder.empty() ? folder : file.stem().string();
}

std::string JunitOfInputError(const std::string& suite, const std::string& cell_file,
                              const std::string& errors) {
  const std::string name = Escape("weldcell." + suite);
  const std::size_t lines =
      static_cast<std::size_t>(std::count(errors.begin(), errors.end(), '\n')) +
      (errors.empty() || errors.back() == '\n' ? 0 : 1);
  std::string message = errors.substr(0, errors.find('\n'));
  if (lines > 1) message += fmt::format(" (and {} more)", lines - 1);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"weldcell\" tests=\"1\" failures=\"0\" errors=\"1\">\n";
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" "
      "time=\"0\">\n",
      name);
  out += fmt::format(
      "    <testcase classname=\"{}\" name=\"station input valid\" time=\"0\">\n"
      "      <error message=\"{}\" type=\"input\">{}</error>\n"
      "      <system-out>weldcell plan {}: bad input (exit 2), nothing planned</system-out>\n"
      "    </testcase>\n",
      name, Escape(message), Escape(errors), Escape(cell_file));
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace weldcell::report
