#include "planner/cell/robot_model.hpp"

namespace weldcell::cell {

int RobotModel::dof() const {
  int n = 0;
  for (const Joint& j : joints) n += j.movable() ? 1 : 0;
  return n;
}

std::vector<int> RobotModel::movable_joint_indices() const {
  std::vector<int> out;
  for (int i = 0; i < static_cast<int>(joints.size()); ++i) {
    if (joints[i].movable()) out.push_back(i);
  }
  return out;
}

namespace {
template <typename Field>
Eigen::VectorXd Collect(const RobotModel& model, Field field) {
  Eigen::VectorXd out(model.dof());
  int k = 0;
  for (const Joint& j : model.joints) {
    if (j.movable()) out[k++] = field(j);
  }
  return out;
}
}  // namespace

Eigen::VectorXd RobotModel::lower_limits() const {
  return Collect(*this, [](const Joint& j) { return j.lower; });
}
Eigen::VectorXd RobotModel::upper_limits() const {
  return Collect(*this, [](const Joint& j) { return j.upper; });
}
Eigen::VectorXd RobotModel::velocity_limits() const {
  return Collect(*this, [](const Joint& j) { return j.max_velocity; });
}
Eigen::VectorXd RobotModel::acceleration_limits() const {
  return Collect(*this, [](const Joint& j) { return j.max_acceleration; });
}

}  // namespace weldcell::cell
