#include "planner/collision/allowed_collision.hpp"

#include "planner/common/check.hpp"

namespace weldcell::collision {

std::string_view ToString(AllowedReason reason) {
  switch (reason) {
    case AllowedReason::kChecked:
      return "checked";
    case AllowedReason::kSameBody:
      return "same body";
    case AllowedReason::kNoGeometry:
      return "no geometry";
    case AllowedReason::kRigid:
      return "rigidly attached";
    case AllowedReason::kAdjacent:
      return "adjacent";
    case AllowedReason::kCollidingAtHome:
      return "overlapping at home";
    case AllowedReason::kNeverColliding:
      return "never in contact in the samples";
    case AllowedReason::kDeclared:
      return "declared in robot.yaml";
  }
  return "?";
}

bool IsStructural(AllowedReason reason) {
  switch (reason) {
    case AllowedReason::kSameBody:
    case AllowedReason::kNoGeometry:
    case AllowedReason::kRigid:
    case AllowedReason::kAdjacent:
    case AllowedReason::kDeclared:
      return true;
    case AllowedReason::kChecked:
    case AllowedReason::kCollidingAtHome:
    case AllowedReason::kNeverColliding:
      return false;
  }
  return false;
}

AllowedCollisionMatrix::AllowedCollisionMatrix(int body_count)
    : body_count_(body_count),
      reasons_(static_cast<std::size_t>(body_count) * static_cast<std::size_t>(body_count),
               AllowedReason::kChecked) {
  WELDCELL_CHECK(body_count >= 0);
  for (int i = 0; i < body_count; ++i) {
    reasons_[static_cast<std::size_t>(i * body_count + i)] = AllowedReason::kSameBody;
  }
}

AllowedReason AllowedCollisionMatrix::reason(int a, int b) const {
  WELDCELL_CHECK(a >= 0 && a < body_count_ && b >= 0 && b < body_count_);
  return reasons_[static_cast<std::size_t>(a * body_count_ + b)];
}

void AllowedCollisionMatrix::Set(int a, int b, AllowedReason reason) {
  WELDCELL_CHECK(a >= 0 && a < body_count_ && b >= 0 && b < body_count_ && a != b);
  WELDCELL_CHECK(reason != AllowedReason::kSameBody);
  reasons_[static_cast<std::size_t>(a * body_count_ + b)] = reason;
  reasons_[static_cast<std::size_t>(b * body_count_ + a)] = reason;
}

int AllowedCollisionMatrix::checked_pair_count() const {
  int count = 0;
  for (int a = 0; a < body_count_; ++a) {
    for (int b = a + 1; b < body_count_; ++b) {
      if (!allowed(a, b)) ++count;
    }
  }
  return count;
}

}  // namespace weldcell::collision
