// `weldcell generate --robots N --welds M --seed S -o DIR`: writes a generated station
// (planner/generate) into DIR.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output_paths.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/generate/generate_station.hpp"

namespace weldcell::cli {
namespace {

namespace fs = std::filesystem;

struct GenerateArgs {
  int robots = 0;
  int welds = 0;
  std::uint64_t seed = 1;
  std::string out;
  std::string name;
  std::string body = "auto";
  std::string gun = "auto";
  std::string robots_dir = "robots";
  bool force = false;
};

[[noreturn]] void Fail(const std::string& option, const std::string& message) {
  throw CommandLineError("weldcell generate", option, message);
}

generate::BodyKind ParseBody(const std::string& text) {
  using generate::BodyKind;
  for (const BodyKind kind :
       {BodyKind::kAuto, BodyKind::kPart, BodyKind::kPanel, BodyKind::kShell, BodyKind::kTandem}) {
    if (generate::ToString(kind) == text) return kind;
  }
  Fail("--body", "expected auto, part, panel, shell or tandem, got '" + text + "'");
}

generate::GunChoice ParseGun(const std::string& text) {
  using generate::GunChoice;
  for (const GunChoice gun : {GunChoice::kAuto, GunChoice::kCGun, GunChoice::kXGun}) {
    if (generate::ToString(gun) == text) return gun;
  }
  Fail("--gun", "expected auto, c_gun or x_gun, got '" + text + "'");
}

// `text` as one shell word: as is when it has only characters no shell reads specially, else in
// single quotes (a ' inside as '\''), so that the README's command can be pasted back.
std::string ShellWord(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_-./:=@%+,").find(c) != std::string_view::npos;
  });
  if (plain) return text;
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// How cell.yaml (in `folder`, absolute) names `robots_dir`: relative to the folder as the paths
// are written, so that a robots folder that is a link keeps its name (`../../robots`, not where
// the link points); where that path does not lead to the same folder (`..` out of a linked
// output folder goes where the link points), the path between the folders as they are.
std::string RobotsReference(const fs::path& robots_dir, const fs::path& folder) {
  const fs::path as_written =
      fs::absolute(robots_dir).lexically_normal().lexically_relative(folder);
  std::error_code ec;
  if (!as_written.empty() && fs::equivalent(folder / as_written, robots_dir, ec)) {
    return as_written.generic_string();
  }
  return fs::relative(fs::absolute(robots_dir), folder).generic_string();
}

}  // namespace

void RegisterGenerate(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Generate a body-in-white-like station (body mesh, clamps, risers, welds, robots) into a "
      "folder");
  auto args = std::make_shared<GenerateArgs>();
  cmd->add_option("--robots", args->robots, "Number of robots (1 to 40), on both sides")
      ->required()
      ->transform(WholeNumber(1, 40));
  cmd->add_option("--welds", args->welds, "Number of welds (1 to 5000)")
      ->required()
      ->transform(WholeNumber(1, 5000));
  cmd->add_option("--seed", args->seed, "Seed: the same seed gives the same files")
      ->capture_default_str()
      ->transform(WholeNumber(0, kMaxSeed));
  cmd->add_option("-o,--out", args->out, "Output folder, e.g. cells/L (created)")->required();
  cmd->add_option("--name", args->name, "Station name (default: the output folder's name)");
  cmd->add_option("--body", args->body,
                  "Body: part, panel, shell, tandem, or auto (by the number of welds: <= 40 "
                  "part, <= 100 panel, <= 300 shell, more tandem)")
      ->capture_default_str();
  cmd->add_option("--gun", args->gun,
                  "Gun of every robot: c_gun, x_gun (robots/tools/), or auto (each robot the "
                  "gun with which it reaches most of its stretch)")
      ->capture_default_str();
  cmd->add_option("--robots-dir", args->robots_dir,
                  "Folder of the shipped robots and guns (read for the reach check; cell.yaml "
                  "names it relative to the output folder)")
      ->capture_default_str();
  cmd->add_flag("--force", args->force, "Overwrite the files of a non-empty output folder");
  cmd->callback([&global, exit_code, args] {
    const fs::path out = fs::path(args->out).lexically_normal();
    CheckOutputFolder(out, "--out");  // first: `-o ""` has no absolute path
    const fs::path absolute = fs::absolute(out).lexically_normal();
    const fs::path folder_name = FolderName(out);
    std::error_code ec;
    // The path is written into cell.yaml's comment and the README: one line each.
    if (std::any_of(args->out.begin(), args->out.end(),
                    [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); })) {
      Fail("--out",
           "the folder name has a control character (such as a line break or a tab); it is "
           "written into the station's files");
    }
    if (fs::is_directory(out, ec) && !fs::is_empty(out, ec) && !args->force) {
      Fail("--out", out.string() + " is not empty (--force overwrites its station files)");
    }
    if (args->name.empty() && !generate::IsStationName(folder_name.string())) {
      Fail("--out", "the station is named after its folder, '" + folder_name.string() +
                        "', which cannot name it: " + generate::kStationNameRule +
                        " (give --name)");
    }
    if (!fs::is_directory(args->robots_dir, ec)) {
      Fail("--robots-dir", "no folder " + args->robots_dir +
                               " (run from the repository root or give --robots-dir)");
    }
    // Made (and a file probed in it) before the work, as `plan -o`: a folder the station cannot
    // be written into fails now; removed again if the generation fails.
    const OutputFolder out_folder(out, "--out");
    generate::GenerateOptions options{
        .robots = args->robots,
        .welds = args->welds,
        .seed = args->seed,
        .name = args->name.empty() ? folder_name.string() : args->name,
        .body = ParseBody(args->body),
        .gun = ParseGun(args->gun),
        .robots_dir = args->robots_dir,
        .robots_ref = RobotsReference(args->robots_dir, absolute),
        .command = ""};
    std::string out_text = out.generic_string();
    while (out_text.size() > 1 && out_text.back() == '/') out_text.pop_back();
    options.command = fmt::format(
        "weldcell generate --robots {} --welds {} --seed {}{}{}{}{} -o {}", args->robots,
        args->welds, args->seed, args->body == "auto" ? "" : " --body " + args->body,
        args->gun == "auto" ? "" : " --gun " + args->gun,
        args->name.empty() ? "" : " --name " + ShellWord(args->name),
        args->robots_dir == "robots" ? "" : " --robots-dir " + ShellWord(args->robots_dir),
        ShellWord(out_text));
    const generate::Station station = generate::GenerateStation(options);
    generate::WriteStation(station, out);
    out_folder.Keep();
    int openings = 0, roof = 0, ends = 0, closed = 0, unreached = 0;
    for (const generate::GeneratedWeld& w : station.welds) {
      openings += w.site == generate::WeldSite::kDoorOpening;
      roof += w.site == generate::WeldSite::kRoofRail;
      ends += w.site == generate::WeldSite::kEndFlange;
      closed += w.site == generate::WeldSite::kClosedSection;
      unreached += w.reached_by.empty();
    }
    const std::size_t triangles = station.body_triangles * station.body_instances;
    if (global.json) {
      nlohmann::ordered_json j;
      j["folder"] = out_text;
      j["name"] = options.name;
      j["body"] = generate::ToString(station.body);
      j["gun"] = generate::ToString(options.gun);
      j["triangles"] = triangles;
      j["robots"] = station.robots.size();
      j["welds"] = station.welds.size();
      j["door_opening_welds"] = openings;
      j["roof_rail_welds"] = roof;
      j["end_flange_welds"] = ends;
      j["closed_section_welds"] = closed;
      j["welds_reached_by_none"] = unreached;
      PrintJson(j, std::cout);
    } else if (!global.quiet) {
      std::cout << fmt::format(
          "wrote {}/: {} body, {} triangles, {} robot{}, {} weld{} ({} in door openings, {} on "
          "roof rails, {} on end flanges, {} inside closed sections; {} reached by no robot)\n",
          out_text, generate::ToString(station.body), triangles, station.robots.size(),
          station.robots.size() == 1 ? "" : "s", station.welds.size(),
          station.welds.size() == 1 ? "" : "s", openings, roof, ends, closed, unreached);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace weldcell::cli
