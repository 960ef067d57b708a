#pragma once
// Seed derivation shared by the modules that draw random numbers reproducibly.

#include <cstdint>

namespace weldcell {

/// SplitMix64 (Steele, Lea, Flood 2014): a well-mixed 64-bit value from any input, for deriving
/// independent seeds from one seed and an index (e.g. SplitMix64(seed ^ SplitMix64(i))).
constexpr std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace weldcell
