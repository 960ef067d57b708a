#include "planner/coordination/internal/consistency.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

namespace weldcell::coordination::internal {
namespace {

// The definition, pass by pass: every pass turns, at once, each free zone of the usual
// direction that closes a circle with a zone taken the other way before the pass; until a pass
// turns none.
void ByPasses(const std::vector<ZoneSpan>& zones, const std::vector<std::size_t>& list,
              std::vector<char>& first_is_a) {
  auto release = [&](std::size_t z, bool of_a) {
    const ZoneSpan& s = zones[z];
    return of_a ? s.a1 + (s.a_departs ? 1 : 0) : s.b1 + (s.b_departs ? 1 : 0);
  };
  std::size_t a_first = 0;
  for (std::size_t z : list) a_first += first_is_a[z] ? 1 : 0;
  const bool usual_a = 2 * a_first >= list.size();
  for (bool turned = true; turned;) {
    turned = false;
    std::vector<std::pair<int, int>> other;
    for (std::size_t z : list) {
      if (static_cast<bool>(first_is_a[z]) == usual_a) continue;
      other.emplace_back(usual_a ? zones[z].a0 : zones[z].b0, release(z, !usual_a));
    }
    std::vector<std::size_t> turn;
    for (std::size_t z : list) {
      if (static_cast<bool>(first_is_a[z]) != usual_a || zones[z].forced_first != -1) continue;
      const int own_release = release(z, usual_a);
      const int second_start = usual_a ? zones[z].b0 : zones[z].a0;
      if (std::any_of(other.begin(), other.end(), [&](const std::pair<int, int>& o) {
            return o.first <= own_release && o.second >= second_start;
          })) {
        turn.push_back(z);
      }
    }
    for (std::size_t z : turn) first_is_a[z] = static_cast<char>(!usual_a);
    turned = !turn.empty();
  }
}

// Random zones of robots 0 and 1 (intervals of up to 40 pieces, some forced, some released on
// departure) and random orders, plus zones of another pair that must stay untouched.
TEST(MakePairConsistentTest, TurnsWhatThePassByPassDefinitionTurns) {
  std::mt19937 rng(3);
  int changed = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 60);
    std::vector<ZoneSpan> zones;
    for (int k = 0; k < n + 5; ++k) {
      ZoneSpan s;
      s.a = k < n ? 0 : 2;
      s.b = k < n ? 1 : 3;
      s.a0 = static_cast<int>(rng() % 40);
      s.a1 = s.a0 + static_cast<int>(rng() % 4);
      s.b0 = static_cast<int>(rng() % 40);
      s.b1 = s.b0 + static_cast<int>(rng() % 4);
      s.a_departs = rng() % 3 == 0;
      s.b_departs = rng() % 3 == 0;
      s.forced_first = rng() % 6 == 0 ? (rng() % 2 == 0 ? s.a : s.b) : -1;
      zones.push_back(s);
    }
    std::vector<char> order(zones.size());
    for (std::size_t z = 0; z < zones.size(); ++z) {
      order[z] = zones[z].forced_first >= 0 ? static_cast<char>(zones[z].forced_first == zones[z].a)
                                            : static_cast<char>(rng() % 3 != 0);
    }
    std::vector<std::size_t> list(static_cast<std::size_t>(n));
    std::iota(list.begin(), list.end(), 0);
    std::vector<char> expected = order;
    ByPasses(zones, list, expected);
    std::vector<char> got = order;
    MakePairConsistent(zones, list, got);
    ASSERT_EQ(got, expected) << "trial " << trial;
    changed += got != order;
  }
  EXPECT_GT(changed, 100);
}

}  // namespace
}  // namespace weldcell::coordination::internal
