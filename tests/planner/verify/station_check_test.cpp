#include "planner/verify/station_check.hpp"
