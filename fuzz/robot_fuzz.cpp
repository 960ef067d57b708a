// Fuzzes robot.yaml: LoadRobotModel on the input, beside the fixture's URDF and meshes.
// Success or weldcell::InputError are the only allowed outcomes.

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "planner/cell/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = weldcell::fuzz::WriteScratchFile("fuzz_robot.yaml", data, size);
  try {
    (void)weldcell::cell::LoadRobotModel(file);
  } catch (const weldcell::InputError&) {
  }
  return 0;
}
