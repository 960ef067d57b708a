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

void CheckRobot(const Dialect& dialect, const cell::Robot& robot) {
  DiagnosticSink sink;
  for (const RobotProblem& p : dialect.RobotProblems(robot)) {
    sink.Add(Diagnostic{
        .where = {.file = robot.model->source_file}, .key_path = p.key, .message = p.message});
  }
  sink.ThrowIfErrors();
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
  for (const auto& [key, value, min, max] :
       {std::tuple{"tool", site.tool, limits.min_tool, limits.max_tool},
        std::tuple{"base", site.base, limits.min_base, limits.max_base}}) {
    if (max > 0 && (value > max || value < min)) {
      try {
        SiteError(site, key,
                  fmt::format("{} {} is beyond {}'s {} numbers {}..{}", key, value, dialect.name(),
                              key, min, max));
      } catch (const InputError& e) {
        sink.Merge(e);
      }
    }
  }
  // A speed below what the dialect writes would be raised to its minimum: the robot would run
  // faster than the site asked (commissioning runs are slow for a reason).
  if (limits.min_speed > 0) {
    const double home = site.speed_override * site.home_speed;
    const bool override_low = site.speed_override < limits.min_speed - 1e-12;
    if (override_low || home < limits.min_speed - 1e-12) {
      const std::string key =
          override_low || !site.where.count("home_speed") ? "speed_override" : "home_speed";
      try {
        SiteError(
            site, key,
            override_low
                ? fmt::format("speed_override {:g} is below the slowest speed {} can program, "
                              "{:g} ({}); the controller would run faster than asked: give at "
                              "least {:g}",
                              site.speed_override, dialect.name(), limits.min_speed,
                              limits.min_speed_text, limits.min_speed)
                : fmt::format("the first move to home runs at speed_override {:g} x home_speed "
                              "{:g} = {:g}, below the slowest speed {} can program, {:g} ({}); "
                              "give home_speed at least {:g}",
                              site.speed_override, site.home_speed, home, dialect.name(),
                              limits.min_speed, limits.min_speed_text,
                              limits.min_speed / site.speed_override));
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
