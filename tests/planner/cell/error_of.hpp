#pragma once
// Test helper of the loader tests: the text of the InputError a load throws.

#include <functional>
#include <string>

#include "planner/common/diagnostics.hpp"

namespace weldcell::cell::test_support {

/// The message of the weldcell::InputError that `load` throws, or "(no error)".
inline std::string ErrorOf(const std::function<void()>& load) {
  try {
    load();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace weldcell::cell::test_support
