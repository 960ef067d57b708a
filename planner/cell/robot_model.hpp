#pragma once
// A robot model: the arm chain read from URDF plus what URDF lacks (robot.yaml). Immutable
// after loading; shared by every robot of the same model in a cell.

#include <Eigen/Geometry>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "planner/cell/geometry.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::cell {

/// Most movable joints of an arm chain that the loader accepts and the planner supports
/// (kinematics keeps fixed-capacity scratch of this size). The loader also rejects chains
/// without a movable joint.
inline constexpr int kMaxDof = 16;
/// Most links of an arm chain, fixed frames included (real arms have 8 to 15): self-collision
/// pairs grow with the square of the link count.
inline constexpr int kMaxChainLinks = 64;

enum class JointType { kRevolute, kPrismatic, kFixed };

/// One joint of the arm chain. Joint values are rad (revolute) or m (prismatic).
struct Joint {
  std::string name;
  JointType type = JointType::kFixed;
  /// Pose of the joint frame in the parent link frame at joint value 0 (URDF <origin>).
  Eigen::Isometry3d X_PJ = Eigen::Isometry3d::Identity();
  Eigen::Vector3d axis = Eigen::Vector3d::UnitZ();  ///< Unit vector in the joint frame.
  double lower = 0.0;  ///< Position limits (rad or m); a continuous joint gets ±2π.
  double upper = 0.0;
  double max_velocity = 0.0;      ///< rad/s or m/s (URDF).
  double max_acceleration = 0.0;  ///< rad/s² or m/s² (robot.yaml).

  bool movable() const { return type != JointType::kFixed; }
};

/// A link on the arm chain with its geometry in the link frame.
struct Link {
  std::string name;
  std::vector<Geometry> collision;
  /// Visual geometry; when a visual mesh is missing the loader falls back to `collision`.
  std::vector<Geometry> visual;
};

/// How controller joint values relate to URDF joint values (per movable joint, 0-based):
/// controller[i] = signs[i] * (urdf[i] + offsets[i]) + Σ factor * urdf-derived controller term
/// of each coupling with `joint == i` (e.g. FANUC pendant J3 includes J2).
struct JointCoupling {
  int joint = 0;  ///< 0-based index of the coupled joint.
  int plus = 0;   ///< 0-based index of the joint whose value is added.
  double factor = 1.0;
  bool operator==(const JointCoupling&) const = default;
};

/// The controller dialects of weldcell's exporters, the names cell.yaml's `controller.dialect`
/// and robot.yaml's `controller_joints.dialect` take.
inline constexpr std::array<std::string_view, 5> kControllerDialects = {
    "kuka_krl", "abb_rapid", "fanuc_ls", "yaskawa_inform", "ur_script"};

struct ControllerJoints {
  /// The dialect of the controller that drives this arm, whose pendant values the mapping below
  /// gives (robot.yaml `controller_joints.dialect`, optional): its programs are for that
  /// controller only (exporters::CheckCellPrograms). Empty: not declared.
  std::string dialect;
  /// Where robot.yaml gives `dialect` (for messages); empty when not given.
  SourceLocation dialect_where;
  std::vector<double> offsets;  ///< rad (or m)
  std::vector<double> signs;    ///< +1 or -1
  std::vector<JointCoupling> couplings;
  /// Yaskawa encoder pulses (robot.yaml `controller_joints.pulses`, optional): the pulse count
  /// of joint i is pulse_zero[i] + pulses_per_degree[i] * (controller value of joint i in
  /// degrees; mm for prismatic joints). Both empty when robot.yaml gives none; else one entry
  /// per movable joint, pulses_per_degree[i] != 0 (a negative value flips the direction).
  std::vector<double> pulses_per_degree;
  std::vector<double> pulse_zero;
};

/// The arm: links[0] is the base link, links.back() the tip (flange) link; joints[i] connects
/// links[i] (parent) to links[i+1] (child). Fixed joints along the chain are kept (they carry
/// offsets); side branches of the URDF (balancers, extra frames) are not part of the chain.
struct RobotModel {
  std::string name;         ///< robot.yaml `name` (the URDF robot name for LoadUrdfChain).
  std::string source_file;  ///< robot.yaml path (the URDF path for LoadUrdfChain).
  std::string urdf_file;
  std::vector<Link> links;
  std::vector<Joint> joints;
  ControllerJoints controller;
  /// Pairs of links that robot.yaml declares allowed to touch (`allowed_collisions`): indices
  /// into `links`, first < second, no pair twice. Neither the planner nor the verifier checks
  /// them against each other (docs/formats.md).
  std::vector<std::pair<int, int>> allowed_collisions;

  /// Number of movable joints (the size of a configuration vector).
  int dof() const;
  /// Indices into `joints` of the movable joints, in chain order.
  std::vector<int> movable_joint_indices() const;
  Eigen::VectorXd lower_limits() const;
  Eigen::VectorXd upper_limits() const;
  Eigen::VectorXd velocity_limits() const;
  Eigen::VectorXd acceleration_limits() const;
};

}  // namespace weldcell::cell
