#include "planner/coordination/internal/zone.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <vector>

namespace weldcell::coordination::internal {
namespace {

// The rule DropContained keeps, written as plainly as it reads: in order, a zone is dropped when
// a zone not dropped so far holds it and is larger, or is equal to it and comes first.
std::vector<ZoneSpan> DropContainedByEveryPair(std::vector<ZoneSpan> zones) {
  std::vector<char> drop(zones.size(), 0);
  for (std::size_t x = 0; x < zones.size(); ++x) {
    for (std::size_t y = 0; y < zones.size(); ++y) {
      if (x != y && !drop[y] && Inside(zones[x], zones[y]) &&
          (!Inside(zones[y], zones[x]) || y < x)) {
        drop[x] = 1;
      }
    }
  }
  std::vector<ZoneSpan> kept;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    if (!drop[z]) kept.push_back(zones[z]);
  }
  return kept;
}

bool operator==(const ZoneSpan& x, const ZoneSpan& y) {
  return x.a == y.a && x.b == y.b && x.a0 == y.a0 && x.a1 == y.a1 && x.b0 == y.b0 && x.b1 == y.b1 &&
         x.forced_first == y.forced_first && x.a_departs == y.a_departs &&
         x.b_departs == y.b_departs;
}

// On random zone sets full of ties, duplicates, long and short intervals and forced orders,
// DropContained (which compares each zone only with those starting where a zone holding it can
// start) keeps exactly the zones the all-pairs rule keeps, in the same order.
TEST(DropContainedTest, KeepsWhatComparingEveryPairKeeps) {
  std::mt19937 rng(41);
  auto below = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::size_t dropped = 0, equal_pairs = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<ZoneSpan> zones;
    const int count = 1 + below(40);
    const int pieces = 2 + below(12);
    for (int k = 0; k < count; ++k) {
      if (!zones.empty() && below(6) == 0) {  // a duplicate of an earlier zone
        zones.push_back(zones[static_cast<std::size_t>(below(static_cast<int>(zones.size())))]);
        continue;
      }
      ZoneSpan z;
      z.a = below(2);
      z.b = z.a + 1 + below(2);
      z.a0 = below(pieces);
      z.a1 = z.a0 + (below(4) == 0 ? below(pieces) : below(3));
      z.b0 = below(pieces);
      z.b1 = z.b0 + below(3);
      z.forced_first = below(4) == 0 ? (below(2) == 0 ? z.a : z.b) : -1;
      z.a_departs = below(3) == 0;
      z.b_departs = below(3) == 0;
      zones.push_back(z);
    }
    for (std::size_t x = 0; x < zones.size(); ++x) {
      for (std::size_t y = x + 1; y < zones.size(); ++y) {
        equal_pairs += Inside(zones[x], zones[y]) && Inside(zones[y], zones[x]);
      }
    }
    const std::vector<ZoneSpan> expected = DropContainedByEveryPair(zones);
    std::vector<ZoneSpan> got = zones;
    DropContained(got);
    ASSERT_EQ(got.size(), expected.size()) << "trial " << trial << ": of " << zones.size();
    for (std::size_t k = 0; k < got.size(); ++k) {
      ASSERT_TRUE(got[k] == expected[k]) << "trial " << trial << ", kept zone " << k;
    }
    dropped += zones.size() - got.size();
  }
  EXPECT_GT(dropped, 10000u);
  EXPECT_GT(equal_pairs, 1000u);
}

}  // namespace
}  // namespace weldcell::coordination::internal
