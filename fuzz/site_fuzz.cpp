// Fuzzes the export site file (export.yaml): LoadSite on the input. Success or
// weldcell::InputError are the only allowed outcomes.

#include <cstddef>
#include <cstdint>

#include "exporters/site.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = weldcell::fuzz::WriteScratchFile("fuzz_export.yaml", data, size);
  try {
    (void)weldcell::exporters::LoadSite(file);
  } catch (const weldcell::InputError&) {
  }
  return 0;
}
