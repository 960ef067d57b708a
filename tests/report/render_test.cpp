// report.html rendered by a real browser (headless Chromium, Debian's `chromium`), then its
// pixels checked: the verdict banner and the Gantt bars show in their colours. Skips when
// chromium or ImageMagick's `convert` is missing.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "report/html_report.hpp"
#include "tests/report/sample_station.hpp"
#include "tests/scratch.hpp"

namespace weldcell::report {
namespace {

namespace fs = std::filesystem;

int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool Have(const std::string& program) {
  return Shell("command -v " + program + " >/dev/null 2>&1") == 0;
}

std::array<int, 3> Rgb(const std::string& hex) {
  const long v = std::strtol(hex.c_str() + 1, nullptr, 16);
  return {static_cast<int>((v >> 16) & 0xff), static_cast<int>((v >> 8) & 0xff),
          static_cast<int>(v & 0xff)};
}

struct Image {
  int width = 0, height = 0;
  std::string rgb;  // width × height × 3 bytes
  // Pixels within `tolerance` per channel of `hex`.
  int Count(const std::string& hex, int tolerance = 3) const {
    const std::array<int, 3> c = Rgb(hex);
    int n = 0;
    for (std::size_t i = 0; i + 2 < rgb.size(); i += 3) {
      bool near = true;
      for (int k = 0; k < 3; ++k) {
        near = near && std::abs(static_cast<unsigned char>(rgb[i + k]) - c[k]) <= tolerance;
      }
      n += near;
    }
    return n;
  }
};

// Reads a binary PPM (P6, maxval 255) as ImageMagick writes it.
Image ReadPpm(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  Image image;
  std::string magic;
  int maxval = 0;
  in >> magic >> image.width >> image.height >> maxval;
  in.get();
  if (magic != "P6" || maxval != 255) return {};
  image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
  in.read(image.rgb.data(), static_cast<std::streamsize>(image.rgb.size()));
  return image;
}

TEST(RenderTest, ChromiumShowsTheVerdictBannerAndTheGanttBarsInTheirColours) {
  if (!Have("chromium")) GTEST_SKIP() << "chromium is not installed (scripts/setup installs it)";
  if (!Have("convert")) GTEST_SKIP() << "ImageMagick's convert is not installed";
  const fs::path dir = weldcell::testing::FreshDirectory("report_render");
  const testing::SampleStation s = testing::MakeSampleStation();
  std::ofstream(dir / "report.html")
      << HtmlReport(s.cell, s.output, s.verification, {.version = "test"});
  const std::string png = (dir / "shot.png").string();
  const int chromium = Shell(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
      "--user-data-dir=" +
      (dir / "profile").string() + " --screenshot=" + png + " --window-size=1280,1600 file://" +
      fs::absolute(dir / "report.html").string() + " >" + (dir / "chromium.log").string() +
      " 2>&1");
  ASSERT_EQ(chromium, 0) << "chromium failed; see " << (dir / "chromium.log");
  ASSERT_EQ(Shell("convert " + png + " -depth 8 " + (dir / "shot.ppm").string()), 0);
  const Image image = ReadPpm(dir / "shot.ppm");
  ASSERT_EQ(image.width, 1280);
  ASSERT_GT(image.height, 0);
  // The banner: a wide block of the verdict's colour (incomplete: W4 is not planned).
  EXPECT_GT(image.Count(kIncompleteColour), 20000);
  // Not the banner of another verdict (a few pixels of "pass" text share the fits colour).
  EXPECT_LT(image.Count(kFitsColour), 2000);
  EXPECT_LT(image.Count(kTooLongColour), 2000);
  // The bars: R1 moves 6 s, welds 2 s, waits 2 s of a ~10 s axis about 1000 px wide.
  EXPECT_GT(image.Count(kMoveColour), 3000);
  EXPECT_GT(image.Count(kWeldColour), 1000);
  EXPECT_GT(image.Count(kWaitColour), 1000);
}

}  // namespace
}  // namespace weldcell::report
