#pragma once
// The allowed-collision matrix (ACM) of one robot: which pairs of its bodies (links and gun) are
// never checked against each other, and why.
//
// Bodies are numbered like the robot's links (model.links order, 0 = base link); the gun is body
// number links.size(). The matrix is symmetric; the diagonal is always allowed.
// Thread safety: a const matrix may be read from any number of threads.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weldcell::collision {

/// Why a pair of bodies is not checked (kChecked: it is checked).
enum class AllowedReason : std::uint8_t {
  kChecked = 0,      ///< Not allowed: the pair is checked.
  kSameBody,         ///< The diagonal.
  kNoGeometry,       ///< One of the bodies has no collision geometry.
  kRigid,            ///< No movable joint between them (fixed joints only, or gun and tip
                     ///< link): their relative pose never changes.
  kAdjacent,         ///< Exactly one movable joint between them (parent and child).
  kCollidingAtHome,  ///< Two links of the robot's own model in contact at the home
                     ///< configuration: structural overlap of coarse meshes (e.g. around a
                     ///< joint housing). Never a pair with the gun. Planner rule only.
  kNeverColliding,   ///< Never in contact over the sampled random configurations. Planner
                     ///< rule only.
  kDeclared,         ///< Declared allowed in robot.yaml (`allowed_collisions`).
};

/// True for the allowed reasons that hold whatever the home and the sampling (kSameBody,
/// kNoGeometry, kRigid, kAdjacent, kDeclared): the only ones of the verifier's pair rule
/// (collision::PairPolicy::kVerifier). False for kChecked.
bool IsStructural(AllowedReason reason);

std::string_view ToString(AllowedReason reason);

/// A symmetric body × body table of AllowedReason.
class AllowedCollisionMatrix {
 public:
  AllowedCollisionMatrix() = default;
  /// All off-diagonal pairs start as kChecked. Precondition: body_count >= 0.
  explicit AllowedCollisionMatrix(int body_count);

  int body_count() const { return body_count_; }
  /// True when the pair (a, b) is not checked. Preconditions: 0 <= a, b < body_count().
  bool allowed(int a, int b) const { return reason(a, b) != AllowedReason::kChecked; }
  AllowedReason reason(int a, int b) const;
  /// Sets both (a, b) and (b, a). Preconditions: a != b, both in range.
  void Set(int a, int b, AllowedReason reason);
  /// Number of unordered pairs a < b that are checked.
  int checked_pair_count() const;

  bool operator==(const AllowedCollisionMatrix&) const = default;

 private:
  int body_count_ = 0;
  std::vector<AllowedReason> reasons_;  // row-major body_count_ × body_count_
};

}  // namespace weldcell::collision
