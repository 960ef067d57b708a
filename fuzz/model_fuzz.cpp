// Fuzzes a learned travel model's metadata.json: the input replaces metadata.json in a scratch
// copy of tests/planner/learned/tiny_model/ (its trees, model.json and direct.json, stay), and
// the folder is read as the product reads it:
//   - `weldcell models show` and `models list`: Model::Load; `list --json` writes the first
//     error of a folder that cannot be read as JSON text;
//   - `weldcell plan --travel-time learned`: ChooseModels for the cell of
//     tests/planner/cell/good/ (FindModels, Load, Mismatch), then, for a model chosen, the
//     training-range check and a prediction of a few moves (learned::PredictMatrix's calls),
//     which must be finite and never below the move's t_max.
// Success or weldcell::InputError are the only allowed outcomes.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "planner/cell/load.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/learned/features.hpp"
#include "planner/learned/model.hpp"

namespace {

using weldcell::learned::Features;
using weldcell::learned::kFeatureTMax;

// The cell whose robots the tiny model was trained for (loaded once).
const weldcell::cell::Cell& GoodCell() {
  static const weldcell::cell::Cell cell = weldcell::cell::LoadCell(WELDCELL_FUZZ_CELL).value;
  return cell;
}

// Three moves: inside the training range, at its edge, and far outside it (NaN: a missing
// feature, as schema 1 rows have).
std::vector<Features> Moves() {
  std::vector<Features> x(3);
  x[0].fill(0.5f);
  x[1].fill(1.0f);
  x[2].fill(40.0f);
  x[2][1] = std::numeric_limits<float>::quiet_NaN();
  x[0][kFeatureTMax] = 0.8f;
  x[1][kFeatureTMax] = 2.2f;
  return x;
}

// What `weldcell plan` does with a model it chose: the training-range check, then predictions,
// which are finite and never below a row's t_max.
void UseAsPlanDoes(const weldcell::learned::Model& model) {
  const std::vector<Features> x = Moves();
  std::string worst;
  const double out = weldcell::learned::OutOfRangeFraction(model.info(), x, &worst);
  if (!(out >= 0.0 && out <= 1.0)) std::abort();
  const std::vector<double> seconds = model.Predict(x, 1);
  if (seconds.size() != x.size()) std::abort();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(seconds[i]) || seconds[i] < x[i][kFeatureTMax]) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const weldcell::cell::Cell& cell = GoodCell();
  (void)weldcell::fuzz::WriteScratchFile("metadata.json", data, size);
  const std::filesystem::path& folder = weldcell::fuzz::ScratchDir();
  // weldcell models show / list.
  try {
    (void)weldcell::learned::Model::Load(folder);
  } catch (const weldcell::InputError& e) {
    // `models list --json` writes the first error as JSON text (nlohmann throws on bytes that
    // are not UTF-8).
    if (e.diagnostics().empty()) std::abort();
    (void)nlohmann::json{{"error", e.diagnostics()[0].ToString()}}.dump();
    return 0;
  }
  // weldcell plan --travel-time learned, the folder as the models folder: the model that loaded
  // is chosen for both robots unless its metadata says another robot, tool or schema.
  const weldcell::learned::ModelChoice choice = weldcell::learned::ChooseModels(cell, folder);
  for (const auto& tried : choice.models) {
    for (const auto& m : tried) UseAsPlanDoes(*m);
  }
  return 0;
}
