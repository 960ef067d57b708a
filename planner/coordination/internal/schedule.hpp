#pragma once
// The event graph of a coordinated execution. Node (r, k) is the moment robot r starts its
// piece k (k = its piece count: it has finished). An edge u → v with weight w says v happens
// no earlier than w s after u: each robot's own pieces in order (weight = the piece's
// duration), a zone's order (the second robot acquires no earlier than the first releases,
// weight 0), a weld signal (weight = the weld dwell's duration, from the welding robot's start
// of the dwell). The execution cannot deadlock, whatever the durations, exactly when the graph
// has no cycle; its earliest times are then the longest paths from the start.

#include <utility>
#include <vector>

namespace weldcell::coordination::internal {

struct EventEdge {
  int from = 0, to = 0;  ///< Node ids (EventGraph::Node).
  double weight = 0.0;   ///< s, ≥ 0 (GrowingClock relies on it).
};

class EventGraph {
 public:
  /// durations[r][k]: s of robot r's piece k (≥ 0).
  explicit EventGraph(std::vector<std::vector<double>> durations);

  int robots() const { return static_cast<int>(durations_.size()); }
  int pieces(int robot) const { return static_cast<int>(durations_[robot].size()); }
  double duration(int robot, int piece) const { return durations_[robot][piece]; }
  /// Node id of (robot, k), k in [0, pieces(robot)].
  int Node(int robot, int k) const { return offset_[robot] + k; }
  int node_count() const { return offset_.back(); }
  /// The program-order edge out of a node: the duration of the piece it starts, or −1 at a
  /// robot's end (no successor).
  double next_duration(int node) const { return next_[static_cast<std::size_t>(node)]; }

  /// The earliest time of every node given the extra edges (the program order is built in):
  /// returns false when the edges close a cycle (then `times` is unspecified) and sets
  /// *on_cycle to a node that lies on or after a cycle.
  bool Times(const std::vector<EventEdge>& extra, std::vector<double>* times,
             int* on_cycle = nullptr) const;
  /// The extra edges (indices into `extra`) on one cycle of the graph, in cycle order; empty
  /// when there is none.
  std::vector<int> FindCycle(const std::vector<EventEdge>& extra) const;
  /// max over robots of the time of (r, pieces(r)), given node times.
  double Makespan(const std::vector<double>& times) const;
  /// The robot a node belongs to.
  int RobotOf(int node) const;

 private:
  std::vector<std::vector<double>> durations_;
  std::vector<int> offset_;  ///< offset_[r] = first node of robot r; back() = node count.
  /// Per node: the duration of the piece it starts (the program-order edge to the next node),
  /// or −1 for a robot's end.
  std::vector<double> next_;
  /// Per node: 1 when a piece ends at it (program-order in-degree), else 0.
  std::vector<int> program_indegree_;
};

/// The earliest times of an event graph to which edges are only added, kept up to date edge by
/// edge: an added edge moves only the events after it, where EventGraph::Times would compute
/// every time anew. The times are always those EventGraph::Times gives for the edges so far
/// (the same sums, the same maxima). For list scheduling, which adds one edge per decision.
class GrowingClock {
 public:
  /// The clock of `graph` (kept by reference) with `edges`; acyclic() false when they close a
  /// cycle (then nothing may be added).
  GrowingClock(const EventGraph& graph, const std::vector<EventEdge>& edges);

  bool acyclic() const { return acyclic_; }
  const std::vector<double>& times() const { return times_; }
  /// True when adding `edge` would close a cycle: its target reaches its source. Only events
  /// no later than the source can lead to it (times never fall along an edge: durations and
  /// weights are ≥ 0), so the search stays among those.
  bool ClosesCycle(const EventEdge& edge) const;
  /// Adds `edge` and moves the events after it. Precondition: acyclic() and !ClosesCycle(edge).
  void Add(const EventEdge& edge);
  /// Adds `edge` when it closes no cycle and the makespan then stays within `limit` (s);
  /// otherwise the clock stays as it was. Returns whether the edge was added. Precondition:
  /// acyclic().
  bool AddWithin(const EventEdge& edge, double limit);

 private:
  const EventGraph& graph_;
  std::vector<std::vector<EventEdge>> out_;  ///< Extra edges by source node.
  std::vector<double> times_;
  bool acyclic_ = true;
  /// Adds `edge` (as Add); with `raised`, the events it moved with their times before, in order.
  void Raise(const EventEdge& edge, std::vector<std::pair<int, double>>* raised);
  std::vector<std::pair<int, double>> raised_;  // AddWithin's undo log
  mutable std::vector<int> stack_, visited_;    // search scratch
  mutable std::vector<char> seen_;
};

}  // namespace weldcell::coordination::internal
