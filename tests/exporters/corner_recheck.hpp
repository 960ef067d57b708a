#pragma once
// Re-checks the corners a program blends, independently of exporters::CornerCheck's proof: for
// each approximated waypoint b (between a and c) the cut-corner paths of its blend region
// (corners.hpp) — entry → far corner → exit, the chord entry → exit and the diagonal b → far
// corner — are checked with the verifier's segment check (uniform samples at the cell's
// resolution, as verify::Verify checks a motion).

#include <string>
#include <vector>

#include "exporters/corners.hpp"
#include "exporters/program.hpp"
#include "planner/collision/segment_check.hpp"

namespace weldcell::exporters::testing {

struct CornerRecheck {
  int corners = 0;  ///< Blended corners re-checked.
  long long samples = 0;
  std::vector<std::string> contacts;  ///< One line per corner with a contact.
};

inline CornerRecheck RecheckBlendedCorners(const Program& program,
                                           const collision::CollisionWorld& world, int robot,
                                           double resolution, const BlendModel& blend) {
  CornerRecheck out;
  collision::CollisionContext ctx(world);
  std::vector<const Instruction*> moves;
  for (const Instruction& i : program.instructions) {
    if (i.kind == InstructionKind::kMove) moves.push_back(&i);
  }
  for (std::size_t k = 1; k + 1 < moves.size(); ++k) {
    if (moves[k]->exact_stop) continue;
    ++out.corners;
    const BlendRegion r = BlendRegionOf(moves[k - 1]->q, moves[k]->q, moves[k + 1]->q, blend);
    const Eigen::VectorXd entry = r.corner + r.toward_previous;
    const Eigen::VectorXd exit = r.corner + r.toward_next;
    const Eigen::VectorXd far = entry + r.toward_next;
    const std::vector<std::pair<Eigen::VectorXd, Eigen::VectorXd>> paths = {
        {entry, far}, {far, exit}, {entry, exit}, {r.corner, far}};
    for (const auto& [p, q] : paths) {
      const collision::SegmentCheckResult c = collision::CheckJointSegment(
          world, ctx, robot, p, q,
          {.resolution = resolution, .sampling = collision::SegmentSampling::kUniform});
      out.samples += c.samples;
      if (!c.free()) {
        out.contacts.push_back("move " + std::to_string(k + 1) + ": " + ToString(c.collision));
        break;
      }
    }
  }
  return out;
}

}  // namespace weldcell::exporters::testing
