#include "cli/json_output.hpp"

#include "planner/verify/verify.hpp"

namespace weldcell::cli {

nlohmann::ordered_json ViolationsJson(const verify::VerifyReport& report) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const verify::Violation& v : report.violations) {
    out.push_back({{"kind", verify::ToString(v.kind)},
                   {"time", v.time},
                   {"robot", v.robot},
                   {"message", v.message}});
  }
  return out;
}

void PrintJson(const nlohmann::ordered_json& document, std::ostream& out) {
  out << document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace weldcell::cli
