// The handshakes of the exported programs run cycle after cycle with random relative timing
// (tests/exporters/handshake_sim.hpp): no wait passes on an earlier cycle's weld signal, no two
// robots share a zone, nothing deadlocks; the old schemes (a weld signal without acknowledge,
// a zone released without waiting for the grant to drop) fail the same simulation.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "exporters/dialect.hpp"
#include "exporters/program.hpp"
#include "exporters/site.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "tests/exporters/handshake_sim.hpp"
#include "tests/exporters/test_support.hpp"

namespace weldcell::exporters {
namespace {

using testing::OneJointRobot;
using testing::PlcZone;
using testing::SimOptions;
using testing::SimResult;
using testing::Simulate;
using testing::Wire;

constexpr int kSeeds = 200;

Instruction Move(double q) {
  return {.kind = InstructionKind::kMove, .q = Eigen::VectorXd::Constant(1, q)};
}
Instruction Weld(const std::string& id) {
  return {.kind = InstructionKind::kWeld, .weld_id = id, .weld_number = 1};
}
Instruction Wait(SignalRole role, int signal, bool on) {
  return {.kind = InstructionKind::kWaitInput, .signal = signal, .value = on, .role = role};
}
Instruction Set(SignalRole role, int signal, bool on) {
  return {.kind = InstructionKind::kSetOutput, .signal = signal, .value = on, .role = role};
}

const Site kSite{.zone_inputs = {101, 8},
                 .zone_outputs = {101, 8},
                 .weld_signal_inputs = {701, 8},
                 .weld_signal_outputs = {701, 8},
                 .weld_ack_inputs = {901, 8},
                 .weld_ack_outputs = {901, 8}};

struct Tally {
  int stale_runs = 0, deadlock_runs = 0, overlap_runs = 0, incomplete_runs = 0;
  std::string first;  // the first failure seen, for the log
};
Tally RunSeeds(const std::vector<Program>& programs, const std::vector<Wire>& wires,
               const std::vector<PlcZone>& zones, SimOptions options, int seeds) {
  Tally tally;
  for (int seed = 1; seed <= seeds; ++seed) {
    options.seed = static_cast<std::uint64_t>(seed);
    const SimResult r = Simulate(programs, wires, zones, options);
    tally.stale_runs += r.stale.empty() ? 0 : 1;
    tally.overlap_runs += r.overlaps.empty() ? 0 : 1;
    tally.deadlock_runs += r.deadlock.empty() ? 0 : 1;
    bool complete = true;
    for (int c : r.cycles_done) complete = complete && c == options.cycles;
    tally.incomplete_runs += complete ? 0 : 1;
    if (tally.first.empty()) {
      if (!r.stale.empty()) tally.first = fmt::format("seed {}: {}", seed, r.stale.front());
      if (!r.overlaps.empty()) tally.first = fmt::format("seed {}: {}", seed, r.overlaps.front());
      if (!r.deadlock.empty()) tally.first = fmt::format("seed {}: deadlock: {}", seed, r.deadlock);
    }
  }
  return tally;
}

// Robot 0 welds A and signals it; robot 1 waits for it (early in its cycle) before welding B.
TEST(HandshakeSimTest, OldWeldSignalsPassStaleSignalsTheHandshakeNever) {
  const cell::Robot robot = OneJointRobot();
  constexpr auto kSig = SignalRole::kWeldSignal;
  constexpr auto kAck = SignalRole::kWeldAck;
  // The old scheme: the signal reset only at the start of the giver's program, no acknowledge.
  const Program old_giver{.instructions = {Move(0), Set(kSig, 701, false), Move(1), Move(2),
                                           Weld("A"), Set(kSig, 701, true), Move(0)}};
  const Program old_waiter{
      .instructions = {Move(0), Move(1), Wait(kSig, 701, true), Weld("B"), Move(2), Move(0)}};
  // The four-phase handshake, as BuildProgram writes it.
  const Program giver{.instructions = {Move(0), Set(kSig, 701, false), Move(1), Move(2), Weld("A"),
                                       Wait(kAck, 901, false), Set(kSig, 701, true), Move(0),
                                       Wait(kAck, 901, true), Set(kSig, 701, false)}};
  const Program waiter{.instructions = {Move(0), Set(kAck, 901, false), Move(1),
                                        Wait(kSig, 701, true), Set(kAck, 901, true), Weld("B"),
                                        Move(2), Move(0), Wait(kSig, 701, false),
                                        Set(kAck, 901, false)}};
  // The readers' rules accept the handshake and refuse the old scheme.
  EXPECT_NO_THROW(CheckProgram(giver, robot, kSite, "giver", 1e-9));
  EXPECT_NO_THROW(CheckProgram(waiter, robot, kSite, "waiter", 1e-9));
  EXPECT_THROW(CheckProgram(old_giver, robot, kSite, "old_giver", 1e-9), InputError);
  EXPECT_THROW(CheckProgram(old_waiter, robot, kSite, "old_waiter", 1e-9), InputError);

  const SimOptions options{.cycles = 5};
  const Tally old_tally =
      RunSeeds({old_giver, old_waiter}, {{.from = 0, .output = 701, .to = 1, .input = 701}}, {},
               options, kSeeds);
  EXPECT_GT(old_tally.stale_runs, 0) << "the old scheme never passed on a stale signal";
  std::cout << "old scheme: " << old_tally.stale_runs << " of " << kSeeds
            << " runs passed a stale signal, e.g. " << old_tally.first << "\n";

  const std::vector<Wire> wires = {
      {.from = 0, .output = 701, .to = 1, .input = 701},
      {.from = 1, .output_role = kAck, .output = 901, .to = 0, .input_role = kAck, .input = 901}};
  const Tally tally = RunSeeds({giver, waiter}, wires, {}, options, kSeeds);
  EXPECT_EQ(tally.stale_runs, 0) << tally.first;
  EXPECT_EQ(tally.deadlock_runs, 0) << tally.first;
  EXPECT_EQ(tally.incomplete_runs, 0) << tally.first;
}

// Two robots share a zone, robot 0 first. Old: released without waiting for the grant to drop,
// so a PLC that samples its inputs can miss a short use: the grant stays on, the ring stalls or
// a robot enters again on last cycle's grant. The handshake: neither.
TEST(HandshakeSimTest, OldZoneReleasesStallTheRingTheHandshakeNever) {
  const cell::Robot robot = OneJointRobot();
  constexpr auto kZone = SignalRole::kZone;
  auto program = [&](bool handshake) {
    Program p{.instructions = {Move(0), Set(kZone, 101, true), Move(1), Wait(kZone, 101, true),
                               Set(kZone, 101, false), Move(2)}};
    if (handshake) p.instructions.push_back(Wait(kZone, 101, false));
    p.instructions.push_back(Set(kZone, 101, true));
    p.instructions.push_back(Move(0));
    return p;
  };
  EXPECT_NO_THROW(CheckProgram(program(true), robot, kSite, "new", 1e-9));
  EXPECT_THROW(CheckProgram(program(false), robot, kSite, "old", 1e-9), InputError);
  const std::vector<PlcZone> zones = {{.order = {0, 1}, .io = {{0, {101, 101}}, {1, {101, 101}}}}};
  // Moves as short as a few PLC scans.
  const SimOptions options{.cycles = 5, .max_step = 0.1, .max_pause = 0.3, .plc_scan = 0.05};
  const Tally old_tally = RunSeeds({program(false), program(false)}, {}, zones, options, kSeeds);
  EXPECT_GT(old_tally.deadlock_runs + old_tally.overlap_runs, 0)
      << "the old zone scheme never failed";
  std::cout << "old zones: " << old_tally.deadlock_runs << " deadlocks, " << old_tally.overlap_runs
            << " overlaps in " << kSeeds << " runs, e.g. " << old_tally.first << "\n";
  const Tally tally = RunSeeds({program(true), program(true)}, {}, zones, options, kSeeds);
  EXPECT_EQ(tally.deadlock_runs, 0) << tally.first;
  EXPECT_EQ(tally.overlap_runs, 0) << tally.first;
  EXPECT_EQ(tally.incomplete_runs, 0) << tally.first;
}

// The programs every dialect writes for a station, read back, wired as docs/export.md says (weld
// signals and acknowledges robot to robot, zones through the PLC's ring), run four cycles with
// random timing; with weld signals, the same programs stripped to the old scheme fail.
void RunExportedCycles(const std::string& cell_yaml, const pipeline::PlanOptions& options,
                       bool signals, bool zones_used) {
  const cell::Cell c = testing::WithPulses(cell::LoadCell(cell_yaml).value);
  const collision::CollisionWorld world(c);
  const plan::Plan p = pipeline::PlanCell(c, world, options).plan;
  ASSERT_EQ(!p.weld_signals.empty(), signals);
  ASSERT_EQ(!p.zones.empty(), zones_used);
  auto robot_index = [&](const std::string& name) {
    for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
      if (c.robots[static_cast<std::size_t>(r)].name == name) return r;
    }
    return -1;
  };
  for (const std::string& d : DialectNames()) {
    SCOPED_TRACE(d);
    const auto dialect = MakeDialect(d);
    const Site site = WithDefaults({}, *dialect);
    std::vector<Program> programs;
    for (int r = 0; r < static_cast<int>(c.robots.size()); ++r) {
      const cell::Robot& robot = c.robots[static_cast<std::size_t>(r)];
      programs.push_back(dialect->Read(
          dialect->Write(BuildProgram(p, c, r, dialect->ProgramName(robot.name + "_sim"), site),
                         robot, site),
          robot, site));
    }
    std::vector<Wire> wires;
    for (std::size_t j = 0; j < p.weld_signals.size(); ++j) {
      const plan::WeldSignal& ws = p.weld_signals[j];
      int giver = -1;
      for (const plan::RobotPlan& rp : p.robots) {
        for (const plan::Segment& s : rp.segments) {
          if (s.kind == plan::SegmentKind::kWeld && s.to == ws.weld) giver = robot_index(rp.robot);
        }
      }
      const int waiter = robot_index(ws.robot);
      ASSERT_GE(giver, 0);
      ASSERT_GE(waiter, 0);
      const int n = static_cast<int>(j);
      wires.push_back({.from = giver,
                       .output = site.weld_signal_outputs.first + n,
                       .to = waiter,
                       .input = site.weld_signal_inputs.first + n});
      wires.push_back({.from = waiter,
                       .output_role = SignalRole::kWeldAck,
                       .output = site.weld_ack_outputs.first + n,
                       .to = giver,
                       .input_role = SignalRole::kWeldAck,
                       .input = site.weld_ack_inputs.first + n});
    }
    std::vector<PlcZone> zones;
    for (std::size_t z = 0; z < p.zones.size(); ++z) {
      PlcZone zone;
      for (const plan::ZoneUse& u : p.zones[z].uses) {
        const int r = robot_index(u.robot);
        zone.order.push_back(r);
        zone.io[r] = {site.zone_inputs.first + static_cast<int>(z),
                      site.zone_outputs.first + static_cast<int>(z)};
      }
      zones.push_back(zone);
    }
    const Tally tally = RunSeeds(programs, wires, zones, {.cycles = 4, .max_pause = 30}, 40);
    EXPECT_EQ(wires.empty(), !signals);
    EXPECT_EQ(tally.stale_runs, 0) << tally.first;
    EXPECT_EQ(tally.overlap_runs, 0) << tally.first;
    EXPECT_EQ(tally.deadlock_runs, 0) << tally.first;
    EXPECT_EQ(tally.incomplete_runs, 0) << tally.first;
    // The simulation can fail these programs: without the acknowledges wired the givers wait
    // at home forever.
    std::vector<Wire> signals_only;
    for (const Wire& w : wires) {
      if (w.output_role == SignalRole::kWeldSignal) signals_only.push_back(w);
    }
    if (signals) {
      EXPECT_EQ(
          RunSeeds(programs, signals_only, zones, {.cycles = 4, .max_pause = 30}, 10).deadlock_runs,
          10);
    }
    // Nor do they run without the PLC granting the zones.
    if (zones_used) {
      EXPECT_EQ(RunSeeds(programs, wires, {}, {.cycles = 4, .max_pause = 30}, 10).deadlock_runs,
                10);
    }
    if (d != DialectNames().front() || !signals) continue;
    // The same programs with the old weld signals (no acknowledge, the signal reset only at the
    // start) pass stale signals.
    std::vector<Program> old = programs;
    for (Program& prog : old) {
      std::vector<Instruction> kept;
      std::size_t last_move = 0;
      for (std::size_t k = 0; k < prog.instructions.size(); ++k) {
        if (prog.instructions[k].kind == InstructionKind::kMove) last_move = k;
      }
      for (std::size_t k = 0; k < prog.instructions.size(); ++k) {
        const Instruction& i = prog.instructions[k];
        const bool io =
            i.kind == InstructionKind::kWaitInput || i.kind == InstructionKind::kSetOutput;
        if (io && i.role == SignalRole::kWeldAck) continue;
        if (io && i.role == SignalRole::kWeldSignal && k > last_move) continue;
        kept.push_back(i);
      }
      prog.instructions = kept;
    }
    const Tally old_tally =
        RunSeeds(old, signals_only, zones, {.cycles = 4, .max_pause = 30}, kSeeds);
    EXPECT_GT(old_tally.stale_runs, 0) << "the old scheme never passed on a stale signal";
    std::cout << "old scheme on the exported programs: " << old_tally.stale_runs << " of " << kSeeds
              << " runs passed a stale signal, e.g. " << old_tally.first << "\n";
  }
}

TEST(HandshakeSimTest, ExportedWeldSignalsRunCyclesWithoutStaleSignalsOrDeadlock) {
  RunExportedCycles("tests/exporters/cells/after/cell.yaml", {.threads = 2}, true, false);
}

// The six-weld station: its interlock zones run by the PLC's ring.
TEST(HandshakeSimTest, ExportedZonesRunCyclesWithoutOverlapsOrDeadlock) {
  RunExportedCycles("tests/exporters/cells/small/cell.yaml",
                    {.threads = 2, .allocation_iterations = 2000, .rebalance_rounds = 0}, false,
                    true);
}

}  // namespace
}  // namespace weldcell::exporters
