#pragma once
// A fingerprint of a loaded cell, so that a plan can tell which cell it was made for.

#include <string>

#include "planner/cell/cell.hpp"

namespace weldcell::plan {

/// 16 hex digits (FNV-1a, 64 bit) over everything in the cell that planning depends on: robots
/// (model chain, limits, base, tool, home), welds, obstacles (incl. mesh vertices), cycle time
/// and settings. Independent of file paths and formatting.
std::string CellHash(const cell::Cell& cell);
/// The same with settings.seed taken as `seed`: the hash of the cell a plan made with
/// `weldcell plan --seed` was made for (the seed overrides the cell's; Plan::seed records it).
/// Checks of a plan against a cell compare Plan::cell_hash with CellHash(cell, plan.seed).
std::string CellHash(const cell::Cell& cell, std::uint64_t seed);

}  // namespace weldcell::plan
