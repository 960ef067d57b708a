#pragma once
// A command's `--json` output read in a test.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/weldcell_command.hpp"

namespace weldcell::testing {

/// `out`, a command's stdout, as one JSON document. When it is not one, the test fails showing
/// `out` and what the command printed on stderr (`stderr_file`), and the result is null.
inline nlohmann::json ParseJsonOutput(const std::string& out,
                                      const std::filesystem::path& stderr_file) {
  try {
    return nlohmann::json::parse(out);
  } catch (const nlohmann::json::parse_error& e) {
    ADD_FAILURE() << "not valid JSON (" << e.what() << "):\n"
                  << out << "\nstderr:\n"
                  << ReadText(stderr_file);
    return nullptr;
  }
}

}  // namespace weldcell::testing
