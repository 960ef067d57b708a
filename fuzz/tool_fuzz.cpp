// Fuzzes the weld-gun YAML: LoadTool on the input, beside the fixture's meshes.
// Success or weldcell::InputError are the only allowed outcomes.

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "planner/cell/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = weldcell::fuzz::WriteScratchFile("fuzz_gun.yaml", data, size);
  try {
    (void)weldcell::cell::LoadTool(file);
  } catch (const weldcell::InputError&) {
  }
  return 0;
}
