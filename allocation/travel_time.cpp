#include "allocation/travel_time.hpp"

#include <cmath>
#include <string>

#include "planner/common/check.hpp"

namespace weldcell::allocation {

NodeLayout::NodeLayout(const std::vector<Task>& tasks, RobotId robot)
    : first_(tasks.size(), -1), count_(tasks.size(), 0), task_of_node_(1, -1) {
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    for (const Capability& c : tasks[t].capabilities) {
      if (c.robot != robot) continue;
      first_[t] = num_nodes_;
      count_[t] = static_cast<int>(c.options.size());
      num_nodes_ += count_[t];
      task_of_node_.insert(task_of_node_.end(), c.options.size(), static_cast<int>(t));
    }
  }
}

int NodeLayout::Node(const Stop& stop) const {
  if (stop.is_home()) return 0;
  const auto t = static_cast<std::size_t>(stop.task.value);
  WELDCELL_CHECK(t < first_.size() && first_[t] >= 0);
  WELDCELL_CHECK(stop.option >= 0 && stop.option < count_[t]);
  return first_[t] + stop.option;
}

Stop NodeLayout::StopOf(int node) const {
  WELDCELL_CHECK(node >= 0 && node < num_nodes_);
  if (node == 0) return Stop::Home();
  const int t = task_of_node_[static_cast<std::size_t>(node)];
  return Stop{.task = TaskId{t}, .option = node - first_[static_cast<std::size_t>(t)]};
}

DenseTravelTime::DenseTravelTime(const std::vector<Task>& tasks,
                                 std::vector<Eigen::MatrixXd> seconds,
                                 const std::vector<Robot>& robots)
    : seconds_(std::move(seconds)) {
  matrix_of_.resize(seconds_.size());
  for (std::size_t r = 0; r < seconds_.size(); ++r) {
    layouts_.emplace_back(tasks, RobotId{static_cast<int>(r)});
    const int same = r < robots.size() ? robots[r].same_travel_as.value : -1;
    matrix_of_[r] = same >= 0 && static_cast<std::size_t>(same) < r ? matrix_of_[same] : r;
    if (matrix_of_[r] != r) continue;
    const Eigen::Index n = layouts_.back().num_nodes();
    const Eigen::MatrixXd& m = seconds_[r];
    if (m.rows() != n || m.cols() != n) {
      throw ProblemError("DenseTravelTime: robot " + std::to_string(r) + ": matrix is " +
                         std::to_string(m.rows()) + "x" + std::to_string(m.cols()) + ", expected " +
                         std::to_string(n) + "x" + std::to_string(n));
    }
    if (!m.allFinite() || (n > 0 && m.minCoeff() < 0.0)) {
      throw ProblemError("DenseTravelTime: robot " + std::to_string(r) +
                         ": entries must be finite and >= 0");
    }
  }
}

DenseTravelTime DenseTravelTime::FromOracle(const Problem& problem) {
  CheckProblem(problem);
  std::vector<Eigen::MatrixXd> seconds;
  for (int r = 0; r < problem.num_robots(); ++r) {
    if (problem.robots[static_cast<std::size_t>(r)].same_travel_as.value >= 0) {
      seconds.emplace_back();  // shares the matrix of the robot it names
      continue;
    }
    const NodeLayout layout(problem.tasks, RobotId{r});
    const int n = layout.num_nodes();
    Eigen::MatrixXd m(n, n);
    for (int a = 0; a < n; ++a) {
      const Stop from = layout.StopOf(a);
      for (int b = 0; b < n; ++b) {
        m(a, b) = a == b ? 0.0 : problem.travel->Seconds(RobotId{r}, from, layout.StopOf(b));
      }
    }
    seconds.push_back(std::move(m));
  }
  DenseTravelTime dense(problem.tasks, std::move(seconds), problem.robots);
  return dense;
}

double DenseTravelTime::Seconds(RobotId robot, const Stop& from, const Stop& to) const {
  const auto r = static_cast<std::size_t>(robot.value);
  WELDCELL_CHECK(r < layouts_.size());
  return seconds_[matrix_of_[r]](layouts_[r].Node(from), layouts_[r].Node(to));
}

EuclideanTravelTime::EuclideanTravelTime(std::vector<EuclideanRobot> robots) {
  for (std::size_t r = 0; r < robots.size(); ++r) {
    const EuclideanRobot& in = robots[r];
    const std::string where = "EuclideanTravelTime: robot " + std::to_string(r);
    if (!(in.speed > 0.0) || !std::isfinite(in.speed)) {
      throw ProblemError(where + ": speed " + std::to_string(in.speed) + " must be > 0");
    }
    const Eigen::Index dim = in.home.size();
    Flat flat;
    flat.inv_speed = 1.0 / in.speed;
    flat.first.assign(in.points.size(), -1);
    int n = 1;
    for (std::size_t t = 0; t < in.points.size(); ++t) {
      if (!in.points[t].empty()) {
        flat.first[t] = n;
        n += static_cast<int>(in.points[t].size());
      }
    }
    flat.columns.resize(dim, n);
    flat.columns.col(0) = in.home;
    for (std::size_t t = 0; t < in.points.size(); ++t) {
      for (std::size_t o = 0; o < in.points[t].size(); ++o) {
        if (in.points[t][o].size() != dim) {
          throw ProblemError(where + ": task " + std::to_string(t) + " option " +
                             std::to_string(o) + " has dimension " +
                             std::to_string(in.points[t][o].size()) + ", home has " +
                             std::to_string(dim));
        }
        flat.columns.col(flat.first[t] + static_cast<int>(o)) = in.points[t][o];
      }
    }
    robots_.push_back(std::move(flat));
  }
}

double EuclideanTravelTime::Seconds(RobotId robot, const Stop& from, const Stop& to) const {
  const auto r = static_cast<std::size_t>(robot.value);
  WELDCELL_CHECK(r < robots_.size());
  const Flat& f = robots_[r];
  auto column = [&f](const Stop& s) {
    if (s.is_home()) return 0;
    const auto t = static_cast<std::size_t>(s.task.value);
    WELDCELL_CHECK(t < f.first.size() && f.first[t] >= 0);
    return f.first[t] + s.option;
  };
  const int a = column(from);
  const int b = column(to);
  WELDCELL_CHECK(b < f.columns.cols() && a < f.columns.cols());
  return (f.columns.col(a) - f.columns.col(b)).norm() * f.inv_speed;
}

}  // namespace weldcell::allocation
