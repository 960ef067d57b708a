#include "cli/json_output.hpp"

namespace weldcell::cli {

void PrintJson(const nlohmann::ordered_json& document, std::ostream& out) {
  out << document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace weldcell::cli
