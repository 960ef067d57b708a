#include "exporters/dialect.hpp"

#include <fmt/format.h>

#include <tuple>

#include "exporters/internal/text.hpp"
#include "planner/common/diagnostics.hpp"

namespace weldcell::exporters {

// Defined in the dialect files.
std::unique_ptr<Dialect> MakeKukaKrl();
std::unique_ptr<Dialect> MakeAbbRapid();
std::unique_ptr<Dialect> MakeFanucLs();
std::unique_ptr<Dialect> MakeYaskawaInform();
std::unique_ptr<Dialect> MakeUrScript();

std::vector<std::string> DialectNames() {
  return {"kuka_krl", "abb_rapid", "fanuc_ls", "yaskawa_inform", "ur_script"};
}

std::unique_ptr<Dialect> MakeDialect(std::string_view name) {
  if (name == "kuka_krl") return MakeKukaKrl();
  if (name == "abb_rapid") return MakeAbbRapid();
  if (name == "fanuc_ls") return MakeFanucLs();
  if (name == "yaskawa_inform") return MakeYaskawaInform();
  if (name == "ur_script") return MakeUrScript();
  return nullptr;
}

Site WithDefaults(const Site& site, const Dialect& dialect) {
  Site out = site;
  const DialectLimits limits = dialect.limits();
  // Every problem of the site for this dialect at once.
  DiagnosticSink sink;
  try {
    internal::CheckWeldCall(site, dialect.name(), limits);
  } catch (const InputError& e) {
    sink.Merge(e);
  }
  for (const auto& [key, value, max] : {std::tuple{"tool", site.tool, limits.max_tool},
                                        std::tuple{"base", site.base, limits.max_base}}) {
    if (max > 0 && value > max) {
      try {
        SiteError(site, key,
                  fmt::format("{} {} is beyond {}'s {} numbers 1..{}", key, value, dialect.name(),
                              key, max));
      } catch (const InputError& e) {
        sink.Merge(e);
      }
    }
  }
  sink.ThrowIfErrors();
  if (out.zone_inputs.count == 0) out.zone_inputs = limits.zone_inputs;
  if (out.zone_outputs.count == 0) out.zone_outputs = limits.zone_outputs;
  if (out.weld_signal_inputs.count == 0) out.weld_signal_inputs = limits.weld_signal_inputs;
  if (out.weld_signal_outputs.count == 0) out.weld_signal_outputs = limits.weld_signal_outputs;
  if (out.weld_ack_inputs.count == 0) out.weld_ack_inputs = limits.weld_ack_inputs;
  if (out.weld_ack_outputs.count == 0) out.weld_ack_outputs = limits.weld_ack_outputs;
  return out;
}

}  // namespace weldcell::exporters
