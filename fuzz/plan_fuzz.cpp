// Fuzzes the plan.json reader (PlanFromJson, in memory); a plan it accepts must also write back
// and read again to the same plan. Success or weldcell::InputError are the only allowed
// outcomes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "planner/common/diagnostics.hpp"
#include "planner/plan/plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  weldcell::plan::Plan plan;
  try {
    plan = weldcell::plan::PlanFromJson(text, "fuzz.json");
  } catch (const weldcell::InputError&) {
    return 0;
  }
  // What was accepted round-trips (JSON numbers are finite, so == is exact).
  if (!(weldcell::plan::PlanFromJson(weldcell::plan::ToJson(plan), "again.json") == plan)) {
    std::abort();
  }
  return 0;
}
