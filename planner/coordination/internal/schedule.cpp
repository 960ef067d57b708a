#include "planner/coordination/internal/schedule.hpp"

#include <algorithm>
#include <limits>
#include <ranges>

#include "planner/common/check.hpp"

namespace weldcell::coordination::internal {

EventGraph::EventGraph(std::vector<std::vector<double>> durations)
    : durations_(std::move(durations)) {
  offset_.push_back(0);
  for (const std::vector<double>& d : durations_) {
    offset_.push_back(offset_.back() + static_cast<int>(d.size()) + 1);
    next_.insert(next_.end(), d.begin(), d.end());
    next_.push_back(-1.0);
    program_indegree_.push_back(0);
    program_indegree_.insert(program_indegree_.end(), d.size(), 1);
  }
}

namespace {
// Reused storage of Times (one per thread: the order search calls it from several).
struct TimesScratch {
  std::vector<int> start, fill, order, indegree, ready;
};
}  // namespace

int EventGraph::RobotOf(int node) const {
  const auto it = std::upper_bound(offset_.begin(), offset_.end(), node);
  return static_cast<int>(it - offset_.begin()) - 1;
}

bool EventGraph::Times(const std::vector<EventEdge>& extra, std::vector<double>* times,
                       int* on_cycle) const {
  const int n = node_count();
  thread_local TimesScratch scratch;
  // Adjacency in compressed form: program-order successors are implicit (node + 1 within a
  // robot), extra edges listed per source.
  std::vector<int>& start = scratch.start;
  start.assign(static_cast<std::size_t>(n) + 1, 0);
  for (const EventEdge& e : extra) ++start[static_cast<std::size_t>(e.from) + 1];
  for (int v = 0; v < n; ++v) start[v + 1] += start[v];
  std::vector<int>& order = scratch.order;
  order.resize(extra.size());
  scratch.fill.assign(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < extra.size(); ++i) {
    order[scratch.fill[extra[i].from]++] = static_cast<int>(i);
  }
  std::vector<int>& indegree = scratch.indegree;
  indegree = program_indegree_;
  for (const EventEdge& e : extra) ++indegree[e.to];
  times->assign(static_cast<std::size_t>(n), 0.0);
  std::vector<int>& ready = scratch.ready;
  ready.clear();
  for (int v = n - 1; v >= 0; --v) {
    if (indegree[v] == 0) ready.push_back(v);
  }
  // Each time is the largest over its incoming edges, whatever order they are relaxed in.
  int done = 0;
  auto relax = [&](int to, double t) {
    (*times)[to] = std::max((*times)[to], t);
    if (--indegree[to] == 0) ready.push_back(to);
  };
  while (!ready.empty()) {
    const int v = ready.back();
    ready.pop_back();
    ++done;
    if (next_[v] >= 0.0) relax(v + 1, (*times)[v] + next_[v]);
    for (int i = start[v]; i < start[v + 1]; ++i) {
      const EventEdge& e = extra[order[i]];
      relax(e.to, (*times)[v] + e.weight);
    }
  }
  if (done == n) return true;
  if (on_cycle) {
    *on_cycle = static_cast<int>(
        std::find_if(indegree.begin(), indegree.end(), [](int d) { return d > 0; }) -
        indegree.begin());
  }
  return false;
}

std::vector<int> EventGraph::FindCycle(const std::vector<EventEdge>& extra) const {
  const int n = node_count();
  std::vector<std::vector<int>> out(static_cast<std::size_t>(n));  // extra edges per source
  for (std::size_t i = 0; i < extra.size(); ++i) out[extra[i].from].push_back(static_cast<int>(i));
  // Successors of v: the next piece start of the same robot (edge -1), then its extra edges.
  auto successor = [&](int v, int k, int* edge) {
    const int r = RobotOf(v);
    const bool has_next = v - offset_[r] < pieces(r);
    if (has_next && k == 0) {
      *edge = -1;
      return v + 1;
    }
    const int i = k - (has_next ? 1 : 0);
    if (i >= static_cast<int>(out[v].size())) return -1;
    *edge = out[v][i];
    return extra[out[v][i]].to;
  };
  std::vector<char> color(static_cast<std::size_t>(n), 0);  // 0 new, 1 on the path, 2 done
  struct Frame {
    int node, next, edge;  // edge: how the node was reached (-1 program order or root)
  };
  for (int root = 0; root < n; ++root) {
    if (color[root]) continue;
    std::vector<Frame> path = {{root, 0, -1}};
    color[root] = 1;
    while (!path.empty()) {
      Frame& f = path.back();
      int edge = -1;
      const int w = successor(f.node, f.next++, &edge);
      if (w < 0) {
        color[f.node] = 2;
        path.pop_back();
      } else if (color[w] == 1) {
        std::vector<int> cycle;
        if (edge >= 0) cycle.push_back(edge);
        for (std::size_t k = path.size(); k-- > 0 && path[k].node != w;) {
          if (path[k].edge >= 0) cycle.push_back(path[k].edge);
        }
        std::reverse(cycle.begin(), cycle.end());
        return cycle;
      } else if (color[w] == 0) {
        color[w] = 1;
        path.push_back({w, 0, edge});
      }
    }
  }
  return {};
}

GrowingClock::GrowingClock(const EventGraph& graph, const std::vector<EventEdge>& edges)
    : graph_(graph), out_(static_cast<std::size_t>(graph.node_count())) {
  for (const EventEdge& e : edges) out_[static_cast<std::size_t>(e.from)].push_back(e);
  acyclic_ = graph.Times(edges, &times_);
  seen_.assign(static_cast<std::size_t>(graph.node_count()), 0);
}

bool GrowingClock::ClosesCycle(const EventEdge& edge) const {
  WELDCELL_CHECK(acyclic_);
  if (edge.to == edge.from) return true;
  const double limit = times_[static_cast<std::size_t>(edge.from)];
  bool found = false;
  std::vector<int>& visited = visited_;
  visited.clear();
  stack_.assign(1, edge.to);
  seen_[static_cast<std::size_t>(edge.to)] = 1;
  visited.push_back(edge.to);
  auto visit = [&](int w) {
    if (w == edge.from) found = true;
    if (found || seen_[static_cast<std::size_t>(w)] ||
        times_[static_cast<std::size_t>(w)] > limit) {
      return;
    }
    seen_[static_cast<std::size_t>(w)] = 1;
    visited.push_back(w);
    stack_.push_back(w);
  };
  while (!stack_.empty() && !found) {
    const int v = stack_.back();
    stack_.pop_back();
    if (graph_.next_duration(v) >= 0.0) visit(v + 1);
    for (const EventEdge& e : out_[static_cast<std::size_t>(v)]) visit(e.to);
  }
  for (const int v : visited) seen_[static_cast<std::size_t>(v)] = 0;
  return found;
}

void GrowingClock::Add(const EventEdge& edge) { Raise(edge, nullptr); }

bool GrowingClock::AddWithin(const EventEdge& edge, double limit) {
  if (ClosesCycle(edge)) return false;
  raised_.clear();
  Raise(edge, &raised_);
  if (graph_.Makespan(times_) <= limit) return true;
  // Back to the times before, latest change first (an event may have been raised twice).
  for (const auto& [node, before] : std::views::reverse(raised_)) {
    times_[static_cast<std::size_t>(node)] = before;
  }
  out_[static_cast<std::size_t>(edge.from)].pop_back();
  return false;
}

void GrowingClock::Raise(const EventEdge& edge, std::vector<std::pair<int, double>>* raised) {
  WELDCELL_CHECK(acyclic_);
  out_[static_cast<std::size_t>(edge.from)].push_back(edge);
  // Label-correcting along the increases: each time ends as the largest of its incoming edges'
  // sums, as in EventGraph::Times.
  auto raise = [&](int to, double t) {
    if (t > times_[static_cast<std::size_t>(to)]) {
      if (raised) raised->emplace_back(to, times_[static_cast<std::size_t>(to)]);
      times_[static_cast<std::size_t>(to)] = t;
      stack_.push_back(to);
    }
  };
  stack_.clear();
  raise(edge.to, times_[static_cast<std::size_t>(edge.from)] + edge.weight);
  while (!stack_.empty()) {
    const int v = stack_.back();
    stack_.pop_back();
    const double t = times_[static_cast<std::size_t>(v)];
    if (graph_.next_duration(v) >= 0.0) raise(v + 1, t + graph_.next_duration(v));
    for (const EventEdge& e : out_[static_cast<std::size_t>(v)]) raise(e.to, t + e.weight);
  }
}

double EventGraph::Makespan(const std::vector<double>& times) const {
  double m = 0.0;
  for (int r = 0; r < robots(); ++r) m = std::max(m, times[Node(r, pieces(r))]);
  return m;
}

}  // namespace weldcell::coordination::internal
