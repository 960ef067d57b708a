#include "planner/coordination/internal/zone.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>
#include <utility>

namespace weldcell::coordination::internal {

bool Inside(const ZoneSpan& x, const ZoneSpan& y) {
  // y ends later, or as late and released no earlier.
  auto covers = [](int x1, bool x_departs, int y1, bool y_departs) {
    return x1 < y1 || (x1 == y1 && (y_departs || !x_departs));
  };
  return x.a == y.a && x.b == y.b && y.a0 <= x.a0 && covers(x.a1, x.a_departs, y.a1, y.a_departs) &&
         y.b0 <= x.b0 && covers(x.b1, x.b_departs, y.b1, y.b_departs) &&
         (x.forced_first == -1 || x.forced_first == y.forced_first);
}

void DropContained(std::vector<ZoneSpan>& zones) {
  // A zone y holding x has x's robot pair, y.a0 ≤ x.a0 and y.a1 ≥ x.a1, so y.a0 lies in
  // [x.a1 − the pair's longest interval of robot a, x.a0]: only the zones starting there, found
  // in the zones sorted by (a, b, a0), are compared. (Whether x is dropped does not depend on the
  // order they are compared in: any one of them can drop it.)
  using Start = std::tuple<int, int, int>;
  auto start = [&](std::size_t z) { return Start{zones[z].a, zones[z].b, zones[z].a0}; };
  std::vector<std::size_t> by_start(zones.size());
  std::iota(by_start.begin(), by_start.end(), 0);
  std::stable_sort(by_start.begin(), by_start.end(),
                   [&](std::size_t x, std::size_t y) { return start(x) < start(y); });
  std::map<std::pair<int, int>, int> longest;  // per robot pair: the longest a1 − a0
  for (const ZoneSpan& z : zones) {
    int& l = longest[{z.a, z.b}];
    l = std::max(l, z.a1 - z.a0);
  }
  auto first_from = [&](const Start& s) {
    return std::lower_bound(by_start.begin(), by_start.end(), s,
                            [&](std::size_t z, const Start& t) { return start(z) < t; });
  };
  std::vector<char> drop(zones.size(), 0);
  for (std::size_t x = 0; x < zones.size(); ++x) {
    const ZoneSpan& zx = zones[x];
    const auto last = first_from({zx.a, zx.b, zx.a0 + 1});
    for (auto it = first_from({zx.a, zx.b, zx.a1 - longest[{zx.a, zx.b}]}); it != last && !drop[x];
         ++it) {
      const std::size_t y = *it;
      if (x == y || drop[y] || !Inside(zx, zones[y])) continue;
      // Equal zones: keep the first of them.
      drop[x] = static_cast<char>(!Inside(zones[y], zx) || y < x);
    }
  }
  std::size_t kept = 0;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    if (!drop[z]) zones[kept++] = zones[z];
  }
  zones.resize(kept);
}

}  // namespace weldcell::coordination::internal
