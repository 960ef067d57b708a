// Fuzzes the cell YAML: LoadCell on the input as cell.yaml, beside the fixture's robot model,
// URDF, meshes, gun and weld CSV. Success or weldcell::InputError are the only allowed outcomes.

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "planner/cell/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = weldcell::fuzz::WriteScratchFile("cell.yaml", data, size);
  try {
    (void)weldcell::cell::LoadCell(file);
  } catch (const weldcell::InputError&) {
  }
  return 0;
}
