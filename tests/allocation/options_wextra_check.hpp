#pragma once

#include "allocation/solver.hpp"

namespace weldcell::allocation::testing {

/// SolveOptions{.seed = 1, .max_iterations = 10}, built in a TU compiled with -Wextra -Werror.
SolveOptions DesignatedSolveOptions();

}  // namespace weldcell::allocation::testing
