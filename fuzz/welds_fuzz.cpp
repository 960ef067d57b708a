// Fuzzes the weld CSV: the input becomes welds.csv of a fixed cell, loaded with LoadCell (so the
// cell-level checks of welds run too: defaults, duplicate ids, precedence). The cell has no
// robots, so that reading robot models does not dominate the time per input; its only error
// is that one, and the CSV is read and checked all the same. Success or weldcell::InputError
// are the only allowed outcomes.

#include <cstddef>
#include <cstdint>
#include <fstream>

#include "fuzz/fuzz_support.hpp"
#include "planner/cell/load.hpp"

namespace {

std::filesystem::path CellYaml() {
  static const std::filesystem::path file = [] {
    const std::filesystem::path cell = weldcell::fuzz::ScratchDir() / "fuzz_welds_cell.yaml";
    std::ofstream(cell) << "format: weldcell/1\n"
                           "name: fuzz_welds\n"
                           "units: {length: mm, angle: deg}\n"
                           "cycle_time: 10\n"
                           "robots: []\n"
                           "welds:\n"
                           "  file: welds.csv\n"
                           "  defaults: {weld_time: 0.7, tilt: 5, spin: [-90, 90], group: A}\n";
    return cell;
  }();
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path cell = CellYaml();
  weldcell::fuzz::WriteScratchFile("welds.csv", data, size);
  try {
    (void)weldcell::cell::LoadCell(cell);
  } catch (const weldcell::InputError&) {
  }
  return 0;
}
