// Kinematics benchmarks (Release): FK, analytic OPW IK per pose (all 8 branches), and the
// general numeric IK beside KDL's ChainIkSolverPos_NR_JL on the same 10k reachable poses.
//
// Targets (/work/shared/design/TARGETS.md): analytic IK ≤ 0.5 µs/pose with all solutions;
// general IK ≥ 99.5 % success and ≤ 0.2 ms median, measured beside KDL in one run.
//
// Robots: robots/*/robot.yaml, ../shared/robots (when present; run from the project root), and
// two chains built here that are not OPW (an offset-wrist 6R and a 7-DOF arm).
// Counters of the IK comparison: success (fraction of poses solved, re-checked with our FK at
// 1e-6 m / 1e-6 rad for KDL, at the request tolerance 1e-9 for ours), median_us, p95_us.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/kinematics/numeric_ik.hpp"
#include "planner/kinematics/opw_ik.hpp"

#if defined(WELDCELL_HAVE_KDL)
#include <kdl/chain.hpp>
#include <kdl/chainfksolverpos_recursive.hpp>
#include <kdl/chainiksolverpos_nr_jl.hpp>
#include <kdl/chainiksolvervel_pinv.hpp>
#endif

namespace weldcell::kinematics {
namespace {

constexpr int kPoses = 10000;
constexpr std::uint64_t kPoseSeed = 2026;

struct Robot {
  std::string name;
  cell::RobotModel model;
};

Eigen::Isometry3d XyzRpy(double x, double y, double z, double r, double p, double yw) {
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.translation() = Eigen::Vector3d(x, y, z);
  X.linear() = (Eigen::AngleAxisd(yw, Eigen::Vector3d::UnitZ()) *
                Eigen::AngleAxisd(p, Eigen::Vector3d::UnitY()) *
                Eigen::AngleAxisd(r, Eigen::Vector3d::UnitX()))
                   .toRotationMatrix();
  return X;
}

void Add(cell::RobotModel* m, const std::string& name, cell::JointType type,
         const Eigen::Isometry3d& X_PJ, const Eigen::Vector3d& axis, double lo, double hi) {
  if (m->links.empty()) m->links.push_back(cell::Link{.name = "base_link"});
  m->joints.push_back(cell::Joint{.name = name,
                                  .type = type,
                                  .X_PJ = X_PJ,
                                  .axis = axis.normalized(),
                                  .lower = lo,
                                  .upper = hi,
                                  .max_velocity = 2.0,
                                  .max_acceleration = 5.0});
  m->links.push_back(cell::Link{.name = name + "_child"});
}

// Not OPW: the wrist axes do not meet (UR-like layout).
cell::RobotModel OffsetWrist6R() {
  cell::RobotModel m{.name = "offset_wrist_6r"};
  const auto R = cell::JointType::kRevolute;
  const double t = 2 * M_PI;
  Add(&m, "j1", R, XyzRpy(0, 0, 0.089159, 0, 0, 0), {0, 0, 1}, -t, t);
  Add(&m, "j2", R, XyzRpy(0, 0.13585, 0, 0, M_PI / 2, 0), {0, 1, 0}, -t, t);
  Add(&m, "j3", R, XyzRpy(0, -0.1197, 0.425, 0, 0, 0), {0, 1, 0}, -M_PI, M_PI);
  Add(&m, "j4", R, XyzRpy(0, 0, 0.39225, 0, M_PI / 2, 0), {0, 1, 0}, -t, t);
  Add(&m, "j5", R, XyzRpy(0, 0.093, 0, 0, 0, 0), {0, 0, 1}, -t, t);
  Add(&m, "j6", R, XyzRpy(0, 0, 0.09465, 0, 0, 0), {0, 1, 0}, -t, t);
  Add(&m, "tool0", cell::JointType::kFixed, XyzRpy(0, 0.0823, 0, -M_PI / 2, 0, 0), {0, 0, 1}, 0, 0);
  return m;
}

cell::RobotModel SevenDof() {
  cell::RobotModel m{.name = "seven_dof"};
  const auto R = cell::JointType::kRevolute;
  const double l = 2.96, w = 2.09;
  Add(&m, "j1", R, XyzRpy(0, 0, 0.1575, 0, 0, 0), {0, 0, 1}, -l, l);
  Add(&m, "j2", R, XyzRpy(0, 0, 0.2025, 0, 0, 0), {0, 1, 0}, -w, w);
  Add(&m, "j3", R, XyzRpy(0, 0, 0.2045, 0, 0, 0), {0, 0, 1}, -l, l);
  Add(&m, "j4", R, XyzRpy(0, 0, 0.2155, 0, 0, 0), {0, -1, 0}, -w, w);
  Add(&m, "j5", R, XyzRpy(0, 0, 0.1845, 0, 0, 0), {0, 0, 1}, -l, l);
  Add(&m, "j6", R, XyzRpy(0, 0, 0.2155, 0, 0, 0), {0, 1, 0}, -w, w);
  Add(&m, "j7", R, XyzRpy(0, 0, 0.081, 0, 0, 0), {0, 0, 1}, -3.05, 3.05);
  Add(&m, "tool0", cell::JointType::kFixed, XyzRpy(0, 0, 0.045, 0, 0, 0), {0, 0, 1}, 0, 0);
  return m;
}

std::vector<Robot> LoadRobots() {
  std::vector<Robot> out;
  std::vector<std::filesystem::path> yamls;
  if (std::filesystem::is_directory("robots")) {
    for (const auto& e : std::filesystem::directory_iterator("robots")) {
      if (std::filesystem::exists(e.path() / "robot.yaml"))
        yamls.push_back(e.path() / "robot.yaml");
    }
  }
  std::sort(yamls.begin(), yamls.end());
  for (const auto& y : yamls) {
    out.push_back({y.parent_path().filename().string(),
                   *cell::LoadRobotModel(y, {.load_meshes = false}).value});
  }
  const std::filesystem::path shared = std::filesystem::path("..") / "shared" / "robots";
  if (std::filesystem::is_directory(shared)) {
    std::vector<std::filesystem::path> urdfs;
    for (const auto& pkg : std::filesystem::directory_iterator(shared)) {
      for (const auto& f : std::filesystem::directory_iterator(pkg.path() / "urdf")) {
        if (f.path().extension() == ".urdf") urdfs.push_back(f.path());
      }
    }
    std::sort(urdfs.begin(), urdfs.end());
    for (const auto& u : urdfs) {
      out.push_back({"shared_" + u.stem().string(),
                     *cell::LoadUrdfChain(u, "base_link", "tool0", {.load_meshes = false}).value});
    }
  }
  out.push_back({"offset_wrist_6r", OffsetWrist6R()});
  out.push_back({"seven_dof", SevenDof()});
  return out;
}

struct PoseSet {
  std::vector<Eigen::VectorXd> q;
  std::vector<Eigen::Isometry3d> X;
};

PoseSet ReachablePoses(const Chain& chain) {
  std::mt19937_64 rng(kPoseSeed);
  PoseSet set;
  for (int i = 0; i < kPoses; ++i) {
    Eigen::VectorXd q(chain.dof());
    for (int k = 0; k < chain.dof(); ++k) {
      q[k] = std::uniform_real_distribution<double>(chain.lower()[k], chain.upper()[k])(rng);
    }
    set.X.push_back(chain.FlangePose(q));
    set.q.push_back(std::move(q));
  }
  return set;
}

bool Reaches(const Chain& chain, const Eigen::VectorXd& q, const Eigen::Isometry3d& X, double tol) {
  const Eigen::Isometry3d Y = chain.FlangePose(q);
  return (Y.translation() - X.translation()).norm() <= tol &&
         Eigen::AngleAxisd(Y.linear().transpose() * X.linear()).angle() <= tol &&
         chain.WithinLimits(q, 1e-12);
}

// The start configuration shared by both solvers: the middle of the joint limits.
Eigen::VectorXd Start(const Chain& chain) { return 0.5 * (chain.lower() + chain.upper()); }

void ReportTimes(benchmark::State& state, std::vector<double> us, int solved) {
  std::sort(us.begin(), us.end());
  state.counters["success"] = double(solved) / double(us.size());
  state.counters["median_us"] = us[us.size() / 2];
  state.counters["p95_us"] = us[us.size() * 95 / 100];
  state.counters["max_us"] = us.back();
}

void BM_FlangePose(benchmark::State& state, const Chain* chain, const PoseSet* poses) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(chain->FlangePose(poses->q[i]));
    if (++i == poses->q.size()) i = 0;
  }
}

void BM_OpwSolveRaw(benchmark::State& state, const OpwIk* ik, const PoseSet* poses) {
  std::array<Vector6d, 8> q;
  size_t i = 0;
  unsigned branches = 0;
  for (auto _ : state) {
    branches += static_cast<unsigned>(__builtin_popcount(ik->SolveRaw(poses->X[i], &q)));
    benchmark::DoNotOptimize(q);
    if (++i == poses->X.size()) i = 0;
  }
  state.counters["branches_per_pose"] = double(branches) / double(state.iterations());
}

void BM_OpwSolve(benchmark::State& state, const OpwIk* ik, const PoseSet* poses) {
  size_t i = 0, solutions = 0;
  for (auto _ : state) {
    solutions += ik->Solve(poses->X[i]).size();
    if (++i == poses->X.size()) i = 0;
  }
  state.counters["solutions_per_pose"] = double(solutions) / double(state.iterations());
}

void BM_NumericIk(benchmark::State& state, const Chain* chain, const PoseSet* poses) {
  const NumericIk ik(*chain);
  const Eigen::VectorXd start = Start(*chain);
  for (auto _ : state) {
    std::vector<double> us;
    us.reserve(poses->X.size());
    int solved = 0;
    for (size_t i = 0; i < poses->X.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const std::vector<Eigen::VectorXd> s = ik.Solve(
          poses->X[i], {.seed = start, .random_seed = i, .include_2pi_equivalents = false});
      const auto t1 = std::chrono::steady_clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      if (!s.empty() && Reaches(*chain, s[0], poses->X[i], 1e-9)) ++solved;
    }
    ReportTimes(state, std::move(us), solved);
  }
}

#if defined(WELDCELL_HAVE_KDL)
KDL::Frame ToKdl(const Eigen::Isometry3d& X) {
  const Eigen::Matrix3d& R = X.linear();
  return KDL::Frame(KDL::Rotation(R(0, 0), R(0, 1), R(0, 2), R(1, 0), R(1, 1), R(1, 2), R(2, 0),
                                  R(2, 1), R(2, 2)),
                    KDL::Vector(X.translation().x(), X.translation().y(), X.translation().z()));
}

// The KDL chain of our RobotModel, built the way kdl_parser builds URDF joints: the joint sits at
// the origin frame (axis expressed in the parent), then the segment's tip is that frame.
KDL::Chain ToKdlChain(const cell::RobotModel& m) {
  KDL::Chain chain;
  for (const cell::Joint& j : m.joints) {
    const KDL::Frame f = ToKdl(j.X_PJ);
    const KDL::Vector axis = f.M * KDL::Vector(j.axis.x(), j.axis.y(), j.axis.z());
    KDL::Joint joint(j.name, KDL::Joint::None);
    if (j.type == cell::JointType::kRevolute) {
      joint = KDL::Joint(j.name, f.p, axis, KDL::Joint::RotAxis);
    } else if (j.type == cell::JointType::kPrismatic) {
      joint = KDL::Joint(j.name, f.p, axis, KDL::Joint::TransAxis);
    }
    chain.addSegment(KDL::Segment(j.name + "_child", joint, f));
  }
  return chain;
}

void BM_KdlNrJl(benchmark::State& state, const Chain* chain, const cell::RobotModel* model,
                const PoseSet* poses) {
  const KDL::Chain kdl = ToKdlChain(*model);
  const int n = chain->dof();
  KDL::JntArray q_min(n), q_max(n), q_init(n), q_out(n);
  const Eigen::VectorXd start = Start(*chain);
  for (int k = 0; k < n; ++k) {
    q_min(k) = chain->lower()[k];
    q_max(k) = chain->upper()[k];
    q_init(k) = start[k];
  }
  KDL::ChainFkSolverPos_recursive fk(kdl);
  KDL::ChainIkSolverVel_pinv vel(kdl);
  KDL::ChainIkSolverPos_NR_JL ik(kdl, q_min, q_max, fk, vel);  // defaults: 100 iterations, 1e-6
  // Sanity: the KDL chain has our FK.
  {
    KDL::Frame f;
    KDL::JntArray q(n);
    for (int k = 0; k < n; ++k) q(k) = poses->q[0][k];
    fk.JntToCart(q, f);
    if ((Eigen::Vector3d(f.p.x(), f.p.y(), f.p.z()) - poses->X[0].translation()).norm() > 1e-9) {
      state.SkipWithError("KDL chain FK differs from ours");
      return;
    }
  }
  for (auto _ : state) {
    std::vector<double> us;
    us.reserve(poses->X.size());
    int solved = 0;
    for (size_t i = 0; i < poses->X.size(); ++i) {
      const KDL::Frame target = ToKdl(poses->X[i]);
      const auto t0 = std::chrono::steady_clock::now();
      const int rc = ik.CartToJnt(q_init, target, q_out);
      const auto t1 = std::chrono::steady_clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      if (rc >= 0) {
        Eigen::VectorXd q(n);
        for (int k = 0; k < n; ++k) q[k] = q_out(k);
        if (Reaches(*chain, q, poses->X[i], 1e-6)) ++solved;
      }
    }
    ReportTimes(state, std::move(us), solved);
  }
}
#endif

// Kept alive for the whole run (benchmarks hold pointers).
struct Fixture {
  Robot robot;
  Chain chain;
  PoseSet poses;
  std::optional<OpwIk> opw;
};

}  // namespace
}  // namespace weldcell::kinematics

int main(int argc, char** argv) {
  using namespace weldcell::kinematics;
  benchmark::Initialize(&argc, argv);
  std::vector<std::unique_ptr<Fixture>> fixtures;
  for (Robot& robot : LoadRobots()) {
    Chain chain(robot.model);
    PoseSet poses = ReachablePoses(chain);
    std::optional<OpwIk> opw = OpwIk::FromChain(chain);
    fixtures.push_back(std::make_unique<Fixture>(
        Fixture{std::move(robot), std::move(chain), std::move(poses), std::move(opw)}));
  }
  for (const auto& f : fixtures) {
    const std::string& name = f->robot.name;
    benchmark::RegisterBenchmark(("FlangePose/" + name).c_str(), BM_FlangePose, &f->chain,
                                 &f->poses);
    if (f->opw) {
      benchmark::RegisterBenchmark(("OpwSolveRaw_all8/" + name).c_str(), BM_OpwSolveRaw, &*f->opw,
                                   &f->poses);
      benchmark::RegisterBenchmark(("OpwSolve_vector_with_2pi/" + name).c_str(), BM_OpwSolve,
                                   &*f->opw, &f->poses);
    }
  }
  for (const auto& f : fixtures) {
    const std::string& name = f->robot.name;
    benchmark::RegisterBenchmark(("GeneralIk_10k/weldcell_numeric/" + name).c_str(), BM_NumericIk,
                                 &f->chain, &f->poses)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
#if defined(WELDCELL_HAVE_KDL)
    benchmark::RegisterBenchmark(("GeneralIk_10k/kdl_nr_jl/" + name).c_str(), BM_KdlNrJl, &f->chain,
                                 &f->robot.model, &f->poses)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
#endif
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
