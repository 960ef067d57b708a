#pragma once
// An event-level simulation of robot programs running cycle after cycle, each robot on its own
// clock (random move and weld times, random pauses between its cycles, random start), their
// outputs wired to the other robots' inputs, and the cell's PLC granting interlock zones in a
// fixed cyclic order of uses, sampling the robots' outputs once per scan. It runs the programs
// as the readers parse them (Program: moves, weld calls, waits, outputs), so it runs programs
// written by hand as well, e.g. the old weld-signal scheme without acknowledges.
//
// It reports: a wait for a weld signal passed before the weld behind that signal was made in
// the waiting robot's own cycle (a stale signal of an earlier cycle), two robots inside one
// zone at once or a zone taken out of its order, and a deadlock (no robot can move on and the PLC
// changes nothing).

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "exporters/program.hpp"

namespace weldcell::exporters::testing {

/// An output of robot `from` wired to an input of robot `to` (numbers as in the programs; the
/// role tells the I/O kinds apart where numbers repeat, as in URScript).
struct Wire {
  int from = 0;
  SignalRole output_role = SignalRole::kWeldSignal;
  int output = 0;
  int to = 0;
  SignalRole input_role = SignalRole::kWeldSignal;
  int input = 0;
};

/// An interlock zone as the PLC runs it: uses in `order` (robot indices), cyclically. Per use:
/// grant (the robot's zone input on) once the robot's zone output is on (clear); when the
/// output goes off (taken), withdraw the grant; when it is on again (released), the next use.
struct PlcZone {
  std::vector<int> order;
  std::map<int, std::pair<int, int>> io;  ///< robot -> (zone input, zone output)
};

struct SimOptions {
  int cycles = 3;
  std::uint64_t seed = 1;
  double max_step = 1.0;   ///< s: a move or weld takes U(0, max_step)
  double max_pause = 4.0;  ///< s: before a robot's first cycle and between its cycles
  double plc_scan = 0.05;  ///< s: the PLC samples outputs and sets inputs once per scan
};

struct SimResult {
  std::vector<std::string> stale;  ///< weld-signal waits passed on an earlier cycle's signal
  /// Two robots inside one zone, or a zone taken out of its order of uses.
  std::vector<std::string> overlaps;
  std::string deadlock;  ///< empty unless the cell stopped: each robot's state
  std::vector<int> cycles_done;
};

inline SimResult Simulate(const std::vector<Program>& programs_in, const std::vector<Wire>& wires,
                          const std::vector<PlcZone>& zones, const SimOptions& options) {
  const int n = static_cast<int>(programs_in.size());
  std::vector<Program> programs = programs_in;  // without comments
  for (Program& p : programs) {
    std::erase_if(p.instructions,
                  [](const Instruction& i) { return i.kind == InstructionKind::kComment; });
  }
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  using Key = std::tuple<int, SignalRole, int>;  // robot, role, number
  std::map<Key, bool> out, in;
  std::map<Key, double> in_since;
  SimResult result;
  result.cycles_done.assign(static_cast<std::size_t>(n), 0);
  std::vector<std::size_t> pc(static_cast<std::size_t>(n), 0);
  std::vector<double> t(static_cast<std::size_t>(n));
  for (double& x : t) x = unit(rng) * options.max_pause;
  // Completion times of each robot's welds, per weld id, in cycle order.
  std::vector<std::map<std::string, std::vector<double>>> welded(static_cast<std::size_t>(n));
  // The weld behind each weld-signal input: the weld call before the giver's `set on`.
  std::map<Key, std::pair<int, std::string>> behind;
  for (const Wire& w : wires) {
    if (w.output_role != SignalRole::kWeldSignal) continue;
    std::string last_weld;
    for (const Instruction& i : programs[static_cast<std::size_t>(w.from)].instructions) {
      if (i.kind == InstructionKind::kWeld) last_weld = i.weld_id;
      if (i.kind == InstructionKind::kSetOutput && i.role == w.output_role &&
          i.signal == w.output && i.value) {
        behind[{w.to, w.input_role, w.input}] = {w.from, last_weld};
        break;
      }
    }
  }
  // Robots inside each zone (taken and not yet released).
  std::vector<std::map<int, bool>> inside(zones.size());
  std::vector<std::size_t> next_use(zones.size(), 0);  // the use whose take comes next
  struct PlcState {
    std::size_t use = 0;
    int phase = 0;  // 0: grant when clear; 1: granted, wait for the take; 2: wait for release
  };
  std::vector<PlcState> plc(zones.size());
  const double scan_phase = unit(rng) * options.plc_scan;
  double next_scan = scan_phase;
  auto set_input = [&](const Key& k, bool v, double now) {
    if (in[k] != v) {
      in[k] = v;
      in_since[k] = now;
    }
  };
  auto plc_scan = [&](double now) {
    bool changed = false;
    for (std::size_t z = 0; z < zones.size(); ++z) {
      const PlcZone& zone = zones[z];
      PlcState& s = plc[z];
      const int r = zone.order[s.use];
      const auto [zin, zout] = zone.io.at(r);
      const bool clear = out[{r, SignalRole::kZone, zout}];
      if (s.phase == 0 && clear) {
        set_input({r, SignalRole::kZone, zin}, true, now);
        s.phase = 1;
        changed = true;
      } else if (s.phase == 1 && !clear) {
        set_input({r, SignalRole::kZone, zin}, false, now);
        s.phase = 2;
        changed = true;
      } else if (s.phase == 2 && clear) {
        s.use = (s.use + 1) % zone.order.size();
        s.phase = 0;
        changed = true;
      }
    }
    return changed;
  };
  double now = 0.0;
  int idle_scans = 0;
  while (true) {
    int best = -1;
    double best_t = std::numeric_limits<double>::infinity();
    bool running = false;
    for (int r = 0; r < n; ++r) {
      const std::size_t ri = static_cast<std::size_t>(r);
      if (result.cycles_done[ri] >= options.cycles) continue;
      running = true;
      const Instruction& i = programs[ri].instructions[pc[ri]];
      double when = t[ri];
      if (i.kind == InstructionKind::kWaitInput) {
        const Key k{r, i.role, i.signal};
        if (in[k] != i.value) continue;
        when = std::max(when, in_since[k]);
      }
      if (when < best_t) {
        best_t = when;
        best = r;
      }
    }
    if (!running) break;
    if (best < 0 || next_scan <= best_t) {
      // The PLC's scan comes first (or is all that can still change anything).
      now = std::max(now, next_scan);
      next_scan += options.plc_scan;
      if (plc_scan(now) || best >= 0) {
        idle_scans = 0;
        continue;
      }
      if (++idle_scans < 3) continue;
      std::string state;
      for (int r = 0; r < n; ++r) {
        const std::size_t ri = static_cast<std::size_t>(r);
        if (result.cycles_done[ri] >= options.cycles) continue;
        const Instruction& i = programs[ri].instructions[pc[ri]];
        state += fmt::format("robot {} cycle {} waits for input {} {}; ", r,
                             result.cycles_done[ri] + 1, i.signal, i.value ? "on" : "off");
      }
      result.deadlock = state;
      break;
    }
    now = best_t;
    const std::size_t ri = static_cast<std::size_t>(best);
    const Instruction& i = programs[ri].instructions[pc[ri]];
    switch (i.kind) {
      case InstructionKind::kMove:
        t[ri] = now + unit(rng) * options.max_step;
        break;
      case InstructionKind::kWeld:
        t[ri] = now + unit(rng) * options.max_step;
        welded[ri][i.weld_id].push_back(t[ri]);
        break;
      case InstructionKind::kWaitInput: {
        t[ri] = now;
        const auto b = behind.find({best, i.role, i.signal});
        if (i.role == SignalRole::kWeldSignal && i.value && b != behind.end()) {
          const int cycle = result.cycles_done[ri] + 1;
          const std::vector<double>& done =
              welded[static_cast<std::size_t>(b->second.first)][b->second.second];
          if (static_cast<int>(done.size()) < cycle ||
              done[static_cast<std::size_t>(cycle - 1)] > now) {
            result.stale.push_back(fmt::format(
                "t={:.3f}: robot {} passed its wait for weld {} in cycle {}, which robot {} has "
                "welded {} times",
                now, best, b->second.second, cycle, b->second.first, done.size()));
          }
        }
        break;
      }
      case InstructionKind::kSetOutput: {
        t[ri] = now;
        out[{best, i.role, i.signal}] = i.value;
        for (const Wire& w : wires) {
          if (w.from == best && w.output_role == i.role && w.output == i.signal) {
            set_input({w.to, w.input_role, w.input}, i.value, now);
          }
        }
        if (i.role == SignalRole::kZone) {
          for (std::size_t z = 0; z < zones.size(); ++z) {
            const auto io = zones[z].io.find(best);
            if (io == zones[z].io.end() || io->second.second != i.signal) continue;
            // A take happens after its wait (the reader checks); a set off before the first
            // wait is no take.
            const bool take =
                !i.value && pc[ri] > 0 &&
                programs[ri].instructions[pc[ri] - 1].kind == InstructionKind::kWaitInput;
            if (take) {
              const std::size_t u = next_use[z]++ % zones[z].order.size();
              if (zones[z].order[u] != best) {
                result.overlaps.push_back(
                    fmt::format("t={:.3f}: robot {} took zone {} where use {} is robot {}'s", now,
                                best, z, u + 1, zones[z].order[u]));
              }
              for (const auto& [other, is_inside] : inside[z]) {
                if (is_inside && other != best) {
                  result.overlaps.push_back(
                      fmt::format("t={:.3f}: robots {} and {} in zone {}", now, other, best, z));
                }
              }
            }
            inside[z][best] = take;
          }
        }
        break;
      }
      case InstructionKind::kComment:
        break;
    }
    if (++pc[ri] == programs[ri].instructions.size()) {
      pc[ri] = 0;
      ++result.cycles_done[ri];
      t[ri] += unit(rng) * options.max_pause;
    }
  }
  return result;
}

}  // namespace weldcell::exporters::testing
