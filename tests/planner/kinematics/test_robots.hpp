#pragma once
// Robot models built in code for the kinematics tests: a hand transcription of the KUKA KR 6
// R700 sixx URDF (ros-industrial/kuka_experimental), chains that are deliberately not OPW
// (offset wrist, 7 DOF, linear track) and random chains with arbitrary origins and axes.

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/cell/robot_model.hpp"

namespace weldcell::kinematics::testing {

inline Eigen::Isometry3d XyzRpy(double x, double y, double z, double roll = 0, double pitch = 0,
                                double yaw = 0) {
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.translation() = Eigen::Vector3d(x, y, z);
  X.linear() = (Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()) *
                Eigen::AngleAxisd(pitch, Eigen::Vector3d::UnitY()) *
                Eigen::AngleAxisd(roll, Eigen::Vector3d::UnitX()))
                   .toRotationMatrix();
  return X;
}

/// Appends a joint and its child link to a model.
inline void AddJoint(cell::RobotModel* m, const std::string& name, cell::JointType type,
                     const Eigen::Isometry3d& X_PJ, const Eigen::Vector3d& axis = {0, 0, 1},
                     double lower = -M_PI, double upper = M_PI) {
  if (m->links.empty()) m->links.push_back(cell::Link{.name = "base_link"});
  m->joints.push_back(cell::Joint{.name = name,
                                  .type = type,
                                  .X_PJ = X_PJ,
                                  .axis = axis.normalized(),
                                  .lower = lower,
                                  .upper = upper,
                                  .max_velocity = 2.0,
                                  .max_acceleration = 5.0});
  m->links.push_back(cell::Link{.name = name + "_child"});
}

inline constexpr cell::JointType kRev = cell::JointType::kRevolute;
inline constexpr cell::JointType kPri = cell::JointType::kPrismatic;
inline constexpr cell::JointType kFix = cell::JointType::kFixed;

/// KUKA KR 6 R700 sixx, base_link → tool0, transcribed from kr6r700sixx.urdf.
inline cell::RobotModel MakeKr6R700() {
  cell::RobotModel m{.name = "kuka_kr6r700sixx"};
  AddJoint(&m, "joint_a1", kRev, XyzRpy(0, 0, 0.4), {0, 0, -1}, -2.9670597283903604,
           2.9670597283903604);
  AddJoint(&m, "joint_a2", kRev, XyzRpy(0.025, 0, 0), {0, 1, 0}, -3.3161255787892263,
           0.7853981633974483);
  AddJoint(&m, "joint_a3", kRev, XyzRpy(0.315, 0, 0), {0, 1, 0}, -2.0943951023931953,
           2.722713633111154);
  AddJoint(&m, "joint_a4", kRev, XyzRpy(0, 0, 0.035), {-1, 0, 0}, -3.2288591161895095,
           3.2288591161895095);
  AddJoint(&m, "joint_a5", kRev, XyzRpy(0.365, 0, 0), {0, 1, 0}, -2.0943951023931953,
           2.0943951023931953);
  AddJoint(&m, "joint_a6", kRev, XyzRpy(0.080, 0, 0), {-1, 0, 0}, -6.1086523819801535,
           6.1086523819801535);
  AddJoint(&m, "joint_a6-flange", kFix, XyzRpy(0, 0, 0));
  AddJoint(&m, "flange-tool0", kFix, XyzRpy(0, 0, 0, 0, M_PI / 2, 0));
  return m;
}

/// A UR5-like arm: the wrist axes do not meet (offset wrist), so it is not OPW.
inline cell::RobotModel MakeOffsetWrist6R() {
  cell::RobotModel m{.name = "offset_wrist_6r"};
  const double kTwoPi = 2 * M_PI;
  AddJoint(&m, "j1", kRev, XyzRpy(0, 0, 0.089159), {0, 0, 1}, -kTwoPi, kTwoPi);
  AddJoint(&m, "j2", kRev, XyzRpy(0, 0.13585, 0, 0, M_PI / 2, 0), {0, 1, 0}, -kTwoPi, kTwoPi);
  AddJoint(&m, "j3", kRev, XyzRpy(0, -0.1197, 0.425), {0, 1, 0}, -M_PI, M_PI);
  AddJoint(&m, "j4", kRev, XyzRpy(0, 0, 0.39225, 0, M_PI / 2, 0), {0, 1, 0}, -kTwoPi, kTwoPi);
  AddJoint(&m, "j5", kRev, XyzRpy(0, 0.093, 0), {0, 0, 1}, -kTwoPi, kTwoPi);
  AddJoint(&m, "j6", kRev, XyzRpy(0, 0, 0.09465), {0, 1, 0}, -kTwoPi, kTwoPi);
  AddJoint(&m, "tool0", kFix, XyzRpy(0, 0.0823, 0, -M_PI / 2, 0, 0));
  return m;
}

/// A 7-DOF arm with alternating z/y axes (the layout of lightweight cobots).
inline cell::RobotModel MakeSevenDof() {
  cell::RobotModel m{.name = "seven_dof"};
  const double l = 2.96, w = 2.09;
  AddJoint(&m, "j1", kRev, XyzRpy(0, 0, 0.1575), {0, 0, 1}, -l, l);
  AddJoint(&m, "j2", kRev, XyzRpy(0, 0, 0.2025), {0, 1, 0}, -w, w);
  AddJoint(&m, "j3", kRev, XyzRpy(0, 0, 0.2045), {0, 0, 1}, -l, l);
  AddJoint(&m, "j4", kRev, XyzRpy(0, 0, 0.2155), {0, -1, 0}, -w, w);
  AddJoint(&m, "j5", kRev, XyzRpy(0, 0, 0.1845), {0, 0, 1}, -l, l);
  AddJoint(&m, "j6", kRev, XyzRpy(0, 0, 0.2155), {0, 1, 0}, -w, w);
  AddJoint(&m, "j7", kRev, XyzRpy(0, 0, 0.081), {0, 0, 1}, -3.05, 3.05);
  AddJoint(&m, "tool0", kFix, XyzRpy(0, 0, 0.045));
  return m;
}

/// The KR 6 R700 on a linear track along y (7 DOF, first joint prismatic).
inline cell::RobotModel MakeTrackKr6() {
  cell::RobotModel arm = MakeKr6R700();
  cell::RobotModel m{.name = "track_kr6"};
  AddJoint(&m, "track", kPri, XyzRpy(0.1, 0, 0.3, 0, 0, 0.3), {0, 1, 0}, -1.5, 1.5);
  for (const cell::Joint& j : arm.joints) {
    AddJoint(&m, j.name, j.type, j.X_PJ, j.axis, j.lower, j.upper);
  }
  return m;
}

/// A random chain: n movable joints (revolute or prismatic), random origins, rpy and axes, with
/// fixed joints sprinkled in.
inline cell::RobotModel MakeRandomChain(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  cell::RobotModel m{.name = "random_" + std::to_string(seed)};
  for (int i = 0; i < n; ++i) {
    if (u(rng) > 0.5) {
      AddJoint(
          &m, "fixed_" + std::to_string(i), kFix,
          XyzRpy(0.3 * u(rng), 0.3 * u(rng), 0.3 * u(rng), 3 * u(rng), 3 * u(rng), 3 * u(rng)));
    }
    const cell::JointType type = u(rng) > 0.6 ? kPri : kRev;
    AddJoint(&m, "j" + std::to_string(i), type,
             XyzRpy(0.4 * u(rng), 0.4 * u(rng), 0.4 * u(rng), 3 * u(rng), 3 * u(rng), 3 * u(rng)),
             Eigen::Vector3d(u(rng), u(rng), u(rng)), -2.5, 2.5);
  }
  AddJoint(&m, "tip", kFix, XyzRpy(0.1, 0.05, 0.2, 0.3, 0.2, 0.1));
  return m;
}

/// Uniform random configuration within the model's limits.
inline Eigen::VectorXd RandomConfiguration(const Eigen::VectorXd& lower,
                                           const Eigen::VectorXd& upper, std::mt19937_64* rng) {
  Eigen::VectorXd q(lower.size());
  for (Eigen::Index i = 0; i < q.size(); ++i) {
    q[i] = std::uniform_real_distribution<double>(lower[i], upper[i])(*rng);
  }
  return q;
}

/// Pose error between two poses: position (m) and rotation angle (rad).
inline std::pair<double, double> PoseError(const Eigen::Isometry3d& a, const Eigen::Isometry3d& b) {
  const double dp = (a.translation() - b.translation()).norm();
  const double dr = Eigen::AngleAxisd(a.linear().transpose() * b.linear()).angle();
  return {dp, dr};
}

/// ../shared relative to the project root (tests run from the root).
inline std::filesystem::path SharedDir() { return std::filesystem::path("..") / "shared"; }

struct NamedModel {
  std::string name;
  std::shared_ptr<const cell::RobotModel> model;
};

/// The robots shipped with the project: robots/*/robot.yaml (sorted by folder name).
inline std::vector<NamedModel> LoadShippedRobots() {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory("robots")) {
    for (const auto& entry : std::filesystem::directory_iterator("robots")) {
      if (std::filesystem::exists(entry.path() / "robot.yaml")) {
        files.push_back(entry.path() / "robot.yaml");
      }
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<NamedModel> out;
  for (const auto& f : files) {
    out.push_back({f.parent_path().filename().string(),
                   cell::LoadRobotModel(f, {.load_meshes = false}).value});
  }
  return out;
}

/// base_link → tool0 of ../shared/robots/<package>/urdf/*.urdf (the only URDF there).
inline std::shared_ptr<const cell::RobotModel> LoadSharedRobot(const std::string& package) {
  const std::filesystem::path dir = SharedDir() / "robots" / package / "urdf";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".urdf") {
      return cell::LoadUrdfChain(entry.path(), "base_link", "tool0", {.load_meshes = false}).value;
    }
  }
  return nullptr;
}

inline const std::vector<std::string>& SharedRobotPackages() {
  static const std::vector<std::string> kPackages = {"abb_irb2400_support", "abb_irb6640_support",
                                                     "kuka_kr120_support", "kuka_kr6_support",
                                                     "fanuc_r2000ic_support"};
  return kPackages;
}

#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kIterationScale = 10;  // sanitizer builds run ~10x slower
#else
inline constexpr int kIterationScale = 1;
#endif

}  // namespace weldcell::kinematics::testing
