#include "planner/kinematics/controller_joints.hpp"

#include <cmath>

#include "planner/common/check.hpp"

namespace weldcell::kinematics {

namespace {
void CheckMapping(const cell::ControllerJoints& m, Eigen::Index n) {
  WELDCELL_CHECK(m.offsets.empty() || static_cast<Eigen::Index>(m.offsets.size()) == n);
  WELDCELL_CHECK(m.signs.empty() || static_cast<Eigen::Index>(m.signs.size()) == n);
  for (double s : m.signs) WELDCELL_CHECK(s == 1.0 || s == -1.0);
  for (const cell::JointCoupling& c : m.couplings) {
    WELDCELL_CHECK(c.joint >= 0 && c.joint < n && c.plus >= 0 && c.plus < n);
    WELDCELL_CHECK(c.joint != c.plus);
  }
}
double Offset(const cell::ControllerJoints& m, Eigen::Index i) {
  return m.offsets.empty() ? 0.0 : m.offsets[i];
}
double Sign(const cell::ControllerJoints& m, Eigen::Index i) {
  return m.signs.empty() ? 1.0 : m.signs[i];
}
}  // namespace

Eigen::VectorXd ToController(const cell::ControllerJoints& mapping,
                             const Eigen::Ref<const Eigen::VectorXd>& q) {
  CheckMapping(mapping, q.size());
  Eigen::VectorXd c(q.size());
  for (Eigen::Index i = 0; i < q.size(); ++i) c[i] = Sign(mapping, i) * (q[i] + Offset(mapping, i));
  for (const cell::JointCoupling& k : mapping.couplings) c[k.joint] += k.factor * c[k.plus];
  return c;
}

Eigen::VectorXd FromController(const cell::ControllerJoints& mapping,
                               const Eigen::Ref<const Eigen::VectorXd>& c_in) {
  CheckMapping(mapping, c_in.size());
  Eigen::VectorXd c = c_in;
  // Each coupling step only changed c[joint] using c[plus] as it was at that moment, so undoing
  // the steps last-first restores every intermediate state exactly.
  for (auto it = mapping.couplings.rbegin(); it != mapping.couplings.rend(); ++it) {
    c[it->joint] -= it->factor * c[it->plus];
  }
  Eigen::VectorXd q(c.size());
  for (Eigen::Index i = 0; i < c.size(); ++i) q[i] = Sign(mapping, i) * c[i] - Offset(mapping, i);
  return q;
}

}  // namespace weldcell::kinematics
