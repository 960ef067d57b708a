// Compiled with -Wextra -Werror -Wmissing-field-initializers (see CMakeLists.txt): users who
// build with those flags can write SolveOptions with designated initializers.

#include "tests/allocation/options_wextra_check.hpp"

namespace weldcell::allocation::testing {

SolveOptions DesignatedSolveOptions() { return SolveOptions{.seed = 1, .max_iterations = 10}; }

}  // namespace weldcell::allocation::testing
