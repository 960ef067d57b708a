#pragma once
// The station generator (`weldcell generate`): procedurally built stations that look like
// body-in-white spot-welding work, for tests and benchmarks (the reference stations in cells/).
//
// A station is a sheet-metal body written as a binary STL (millimetres; an open surface, so
// nothing is a solid for containment checks), clamps and robot risers as boxes, welds on the
// body's flanges with their normals, and robots of the shipped models (robots/) with their guns,
// standing on risers on both sides of the body. Bodies, by size:
// - kPart: a short side-frame piece with one door opening (S: 2 robots x 20 welds);
// - kPanel: a side frame standing upright, two door openings, roof rail flange and rocker
//   (M: >= 20k triangles);
// - kShell: a whole shell: floor pan, two side frames with two door openings each, roof rail
//   flanges, inner roof rails, rockers, floor cross members, roof bows, dash and rear panels
//   (L: >= 100k triangles);
// - kTandem: two shells one behind the other (the same body.stl placed twice; XL).
// Welds (ids W0001 ...): on the door-opening flanges (the band of the side panel around each
// opening, 18 mm from its edge, normal out of the side), on the roof rails (the standing
// pinch-weld flange of the roof ditch, 30 mm below its free edge, normal out of the side: a C gun
// straddles it from above, as roof-ditch flanges are welded), and a few inside closed sections
// (rockers, floor cross members; normal into the section), which no gun can reach: those are
// meant unreachable; and on flanges at the body's ends (kEndFlange), which only the robot at that
// end reaches.
// Robots are laid out as a station designer would: along each side, evenly over its welds and
// at least kRobotSpacing (1.3 m) apart (the robots at a row's ends may stand kEndShift, 0.5 m,
// further out, to reach round the body's end), each with a stretch of the body (its share:
// door-opening, roof-rail and end-flange welds, contiguous along x). Each robot's gun (among the
// shipped guns, or the one GenerateOptions::gun gives) and base (distance from the body, riser
// height) are the ones with which it reaches most of its stretch by the planner's own reach check
// (reach::ReachAll: IK, joint limits, collisions, approach), the candidates first sieved by IK
// alone; then the station's reach is computed as `weldcell reach` does on the written files, and
// each side's welds are split again into contiguous stretches that their robots reach
// (SplitIntoStretches in the .cpp). About 15 s for L on 2 cores (two reach runs, ReachOptions
// exact_clearance = false, the second with max_candidates = 1), 1.5 min for XL. Units: the files
// are written in mm and degrees; Station's figures are in mm. Determinism: the same options give
// the same bytes; the seed jitters the body's dimensions, the weld spacing and which model stands
// where. Thread safety: GenerateStation has no shared state.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace weldcell::generate {

enum class BodyKind { kAuto, kPart, kPanel, kShell, kTandem };

/// "auto", "part", "panel", "shell", "tandem".
std::string ToString(BodyKind kind);

/// The gun the robots carry: kAuto chooses per robot, among the shipped guns, the one with which
/// it reaches most of its stretch (the reference stations); kCGun / kXGun give every robot that
/// gun (robots/tools/c_gun.yaml, x_gun.yaml), for example to make training stations for a gun
/// (docs/learned.md).
enum class GunChoice { kAuto, kCGun, kXGun };

/// "auto", "c_gun", "x_gun" (kXGun's string is also the gun's file name in robots/tools/).
std::string ToString(GunChoice gun);

struct GenerateOptions {
  int robots = 2;          ///< >= 1
  int welds = 20;          ///< >= 1
  std::uint64_t seed = 1;  ///< Also the cell's settings.seed.
  std::string name = "station";
  /// kAuto: by the number of welds: <= 40 part, <= 100 panel, <= 300 shell, more tandem.
  BodyKind body = BodyKind::kAuto;
  GunChoice gun = GunChoice::kAuto;
  /// Where the shipped robots are read from (for the reach check of robot placement).
  std::filesystem::path robots_dir = "robots";
  /// How cell.yaml names that folder (relative to the station folder).
  std::string robots_ref = "../../robots";
  /// The command line that generated the station, for its README.
  std::string command;
  /// Worker threads of the reach checks (0 = one per hardware thread); the station does not
  /// depend on it.
  int threads = 0;
  bool operator==(const GenerateOptions&) const = default;
};

/// What IsStationName asks of a name, for messages.
inline constexpr const char* kStationNameRule =
    "expected a name of letters, digits, '_', '-' and '.' that starts with a letter, digit or "
    "'_' and is not null";

/// True when `name` can name a station (kStationNameRule): it is written unquoted into cell.yaml
/// and into the README's command line.
bool IsStationName(const std::string& name);

/// The body kind that `options` produce (kAuto resolved).
BodyKind ResolveBodyKind(const GenerateOptions& options);

/// kEndFlange: 18 mm from a free edge at the body's front or rear end (a panel's front and rear
/// edges, normal out of the side; a shell's dash and rear panel tops, normal along the car),
/// meant for the robot at that end of the body.
enum class WeldSite { kDoorOpening, kRoofRail, kClosedSection, kEndFlange };

/// "door opening", "roof rail", "closed section", "end flange".
std::string ToString(WeldSite site);

struct GeneratedWeld {
  std::string id;
  Eigen::Vector3d p_mm = Eigen::Vector3d::Zero();  ///< As written to welds.csv.
  Eigen::Vector3d n = Eigen::Vector3d::UnitZ();
  WeldSite site = WeldSite::kDoorOpening;
  /// Robots that reach it by the planner's reach check (reach::ReachAll on the station as
  /// written: IK, joint limits, collisions, approach), in robot order.
  std::vector<int> reached_by;
};

/// A door opening: a rounded rectangle in a vertical plane y = y_mm, spanning x0..x1, z0..z1.
struct Opening {
  double y_mm = 0, x0_mm = 0, x1_mm = 0, z0_mm = 0, z1_mm = 0, radius_mm = 0;
};

struct GeneratedRobot {
  std::string name, model, tool;
  Eigen::Vector3d base_mm = Eigen::Vector3d::Zero();
  double yaw_deg = 0;
  double riser_mm = 0;  ///< Riser height (0: none).
  /// Its stretch of the body: welds of its side, contiguous along x (indices into
  /// Station::welds, by x), see GenerateStation.
  std::vector<int> share_welds;
  int share = 0;          ///< share_welds.size()
  int share_reached = 0;  ///< Of those, reached by it (GeneratedWeld::reached_by).
  /// Its first stretch (the welds of its side nearest its base, by which its gun and base were
  /// chosen), and how many of them it reaches on the station as written.
  int first_stretch = 0;
  int first_stretch_reached = 0;
};

struct GeneratedFile {
  std::string name;  ///< File name in the station folder.
  std::string contents;
};

struct Station {
  GenerateOptions options;
  BodyKind body = BodyKind::kPart;
  std::size_t body_triangles = 0;  ///< In body.stl.
  int body_instances = 1;          ///< How often the cell places body.stl (2 for kTandem).
  std::vector<Opening> openings;   ///< Of every body instance, in world coordinates.
  std::vector<GeneratedWeld> welds;
  std::vector<GeneratedRobot> robots;
  /// cell.yaml, welds.csv, body.stl, README.md.
  std::vector<GeneratedFile> files;
};

/// With a given gun (GunChoice other than kAuto), every robot must reach, at its best base, at
/// least kMinGivenGunReach of its first stretch (the welds of its side nearest its base) on the
/// station as written; otherwise the station would leave most of the body to no robot.
inline constexpr double kMinGivenGunReach = 0.5;

/// Builds a station. Throws InputError when options are out of range (robots < 1 or > 40,
/// welds < 1 or > 5000, a name that is empty or has other characters than letters, digits,
/// '_', '-' and '.'), a shipped robot or gun cannot be loaded from options.robots_dir, or (key
/// --gun) a robot with the given gun reaches less than kMinGivenGunReach of its first stretch:
/// the message names the robot, its model, how many welds it reaches and what to try.
Station GenerateStation(const GenerateOptions& options);

/// Writes the station's files into `folder` (created if missing), each atomically.
/// Throws std::runtime_error naming the path when the file system refuses.
void WriteStation(const Station& station, const std::filesystem::path& folder);

}  // namespace weldcell::generate
