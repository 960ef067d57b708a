#include "planner/coordination/internal/consistency.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace weldcell::coordination::internal {
namespace {

// A tree of minima over values by position, from which every value at most x at positions from
// a given one on is taken once (its value then counts as +∞).
class MinTree {
 public:
  explicit MinTree(const std::vector<int>& values) {
    while (leaves_ < values.size()) leaves_ *= 2;
    min_.assign(2 * leaves_, kNone);
    std::copy(values.begin(), values.end(), min_.begin() + static_cast<std::ptrdiff_t>(leaves_));
    for (std::size_t i = leaves_ - 1; i > 0; --i) min_[i] = std::min(min_[2 * i], min_[2 * i + 1]);
  }

  // Calls take(position) for every position ≥ from whose value is ≤ x, and removes it.
  template <typename Take>
  void TakeAtMost(std::size_t from, int x, Take&& take) {
    Visit(1, 0, leaves_, from, x, take);
  }

 private:
  static constexpr int kNone = std::numeric_limits<int>::max();

  template <typename Take>
  void Visit(std::size_t node, std::size_t begin, std::size_t end, std::size_t from, int x,
             Take& take) {
    if (end <= from || min_[node] > x) return;
    if (end - begin == 1) {
      min_[node] = kNone;
      take(begin);
    } else {
      const std::size_t mid = begin + (end - begin) / 2;
      Visit(2 * node, begin, mid, from, x, take);
      Visit(2 * node + 1, mid, end, from, x, take);
      min_[node] = std::min(min_[2 * node], min_[2 * node + 1]);
    }
  }

  std::size_t leaves_ = 1;
  std::vector<int> min_;
};

}  // namespace

void MakePairConsistent(const std::vector<ZoneSpan>& zones, const std::vector<std::size_t>& list,
                        std::vector<char>& first_is_a) {
  // The node (program position) where robot `r` releases zone z: the start of its piece after
  // the interval on departure, else the end of its last piece (reached from that piece's start).
  auto release = [&](std::size_t z, bool of_a) {
    const ZoneSpan& s = zones[z];
    return of_a ? s.a1 + (s.a_departs ? 1 : 0) : s.b1 + (s.b_departs ? 1 : 0);
  };
  // The usual direction: the one most zones of the pair already take.
  std::size_t a_first = 0;
  for (const std::size_t z : list) a_first += first_is_a[z] ? 1 : 0;
  const bool usual_a = 2 * a_first >= list.size();
  // A zone taken the other way: the usual-first robot's start there and the other's release.
  struct Other {
    int start, release;
  };
  auto other_of = [&](std::size_t z) {
    return Other{usual_a ? zones[z].a0 : zones[z].b0, release(z, !usual_a)};
  };
  // The free zones of the usual direction by the usual-first robot's release there, with the
  // other robot's start.
  struct Usual {
    int release, second_start;
    std::size_t zone;
  };
  std::vector<Usual> usual;
  std::vector<Other> work;  // zones taken the other way whose circles are still to be turned
  for (const std::size_t z : list) {
    if (static_cast<bool>(first_is_a[z]) != usual_a) {
      work.push_back(other_of(z));
    } else if (zones[z].forced_first == -1) {
      usual.push_back({release(z, usual_a), usual_a ? zones[z].b0 : zones[z].a0, z});
    }
  }
  if (work.empty() || usual.empty()) return;
  std::sort(usual.begin(), usual.end(), [](const Usual& x, const Usual& y) {
    return std::pair{x.release, x.zone} < std::pair{y.release, y.zone};
  });
  std::vector<int> second_starts(usual.size());
  for (std::size_t k = 0; k < usual.size(); ++k) second_starts[k] = usual[k].second_start;
  MinTree tree(second_starts);
  while (!work.empty()) {
    const Other o = work.back();
    work.pop_back();
    // A usual zone closes a circle with o when o's usual-first part starts by the zone's release
    // and o's other part is released no earlier than the zone's other part starts.
    const auto from = static_cast<std::size_t>(
        std::lower_bound(usual.begin(), usual.end(), o.start,
                         [](const Usual& u, int start) { return u.release < start; }) -
        usual.begin());
    tree.TakeAtMost(from, o.release, [&](std::size_t k) {
      const std::size_t z = usual[k].zone;
      first_is_a[z] = static_cast<char>(!usual_a);
      work.push_back(other_of(z));
    });
  }
}

}  // namespace weldcell::coordination::internal
