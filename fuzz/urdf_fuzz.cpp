// Fuzzes the URDF read by the robot loader: the input becomes the URDF named by a fixed copy of
// the fixture's robot.yaml (same chain, accelerations and controller mapping), with the
// fixture's meshes beside it. Success or weldcell::InputError are the only allowed outcomes.

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "planner/cell/load.hpp"

namespace {

// fuzz_urdf_robot.yaml: tiny_robot.yaml naming the fuzzed URDF (in the same folder as the
// original, so that relative and package:// mesh names resolve as they do for it).
std::filesystem::path RobotYaml() {
  static const std::filesystem::path file = [] {
    const std::filesystem::path dir = weldcell::fuzz::ScratchDir();
    std::ifstream in(dir / "tiny_robot.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string from = "tiny_description/urdf/tiny.urdf";
    text.replace(text.find(from), from.size(), "tiny_description/urdf/fuzz.urdf");
    std::ofstream(dir / "fuzz_urdf_robot.yaml") << text;
    return dir / "fuzz_urdf_robot.yaml";
  }();
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path robot_yaml = RobotYaml();
  weldcell::fuzz::WriteScratchFile("tiny_description/urdf/fuzz.urdf", data, size);
  try {
    (void)weldcell::cell::LoadRobotModel(robot_yaml);
  } catch (const weldcell::InputError&) {
  }
  return 0;
}
