#include "planner/collision/allowed_collision.hpp"

#include <gtest/gtest.h>

namespace weldcell::collision {
namespace {

TEST(AllowedCollisionMatrix, StartsCheckedExceptTheDiagonalAndIsSymmetric) {
  AllowedCollisionMatrix acm(4);
  EXPECT_EQ(acm.body_count(), 4);
  EXPECT_EQ(acm.checked_pair_count(), 6);
  for (int a = 0; a < 4; ++a) {
    EXPECT_EQ(acm.reason(a, a), AllowedReason::kSameBody);
    EXPECT_TRUE(acm.allowed(a, a));
  }
  acm.Set(3, 1, AllowedReason::kAdjacent);
  EXPECT_EQ(acm.reason(1, 3), AllowedReason::kAdjacent);
  EXPECT_EQ(acm.reason(3, 1), AllowedReason::kAdjacent);
  EXPECT_TRUE(acm.allowed(1, 3));
  EXPECT_FALSE(acm.allowed(0, 3));
  EXPECT_EQ(acm.checked_pair_count(), 5);
  AllowedCollisionMatrix other(4);
  EXPECT_NE(acm, other);
  other.Set(1, 3, AllowedReason::kAdjacent);
  EXPECT_EQ(acm, other);
  acm.Set(1, 3, AllowedReason::kChecked);
  EXPECT_FALSE(acm.allowed(3, 1));
}

TEST(AllowedCollisionMatrix, ReasonsHaveNames) {
  EXPECT_EQ(ToString(AllowedReason::kNeverColliding), "never in contact in the samples");
  EXPECT_EQ(ToString(AllowedReason::kChecked), "checked");
  EXPECT_EQ(ToString(AllowedReason::kCollidingAtHome), "overlapping at home");
  EXPECT_EQ(ToString(AllowedReason::kDeclared), "declared in robot.yaml");
}

TEST(AllowedCollisionMatrix, StructuralReasonsAreThoseOfTheVerifiersRule) {
  EXPECT_TRUE(IsStructural(AllowedReason::kSameBody));
  EXPECT_TRUE(IsStructural(AllowedReason::kNoGeometry));
  EXPECT_TRUE(IsStructural(AllowedReason::kRigid));
  EXPECT_TRUE(IsStructural(AllowedReason::kAdjacent));
  EXPECT_TRUE(IsStructural(AllowedReason::kDeclared));
  EXPECT_FALSE(IsStructural(AllowedReason::kChecked));
  EXPECT_FALSE(IsStructural(AllowedReason::kCollidingAtHome));
  EXPECT_FALSE(IsStructural(AllowedReason::kNeverColliding));
}

}  // namespace
}  // namespace weldcell::collision
