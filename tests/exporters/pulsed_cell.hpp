#pragma once
// The cell with every robot model given a Yaskawa pulse calibration (non-trivial scale, sign and
// zero per axis), so that every dialect can be written for every robot.

#include <memory>

#include "planner/cell/cell.hpp"

namespace weldcell::exporters::testing {

inline cell::Cell WithPulses(const cell::Cell& in) {
  cell::Cell c = in;
  for (cell::Robot& r : c.robots) {
    auto m = std::make_shared<cell::RobotModel>(*r.model);
    m->controller.pulses_per_degree = {1434.25, -1311.5, 1290.75, -820.5, 915.0, -612.25};
    m->controller.pulse_zero = {120, -3400, 0, 77, -15000, 9};
    r.model = m;
  }
  return c;
}

}  // namespace weldcell::exporters::testing
