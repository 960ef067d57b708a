#pragma once
// Helpers of the station generator's tests (generate_station_test, generate_large_test).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "planner/generate/generate_station.hpp"

namespace weldcell::generate::test_support {

namespace fs = std::filesystem;

inline const std::string& FileOf(const Station& station, const std::string& name) {
  for (const GeneratedFile& f : station.files) {
    if (f.name == name) return f.contents;
  }
  ADD_FAILURE() << "no file " << name;
  static const std::string empty;
  return empty;
}

// The robots of one side of a station (y of the base < 0: left), in robot order.
inline std::vector<int> RobotsOnSide(const Station& s, bool left) {
  std::vector<int> out;
  for (std::size_t r = 0; r < s.robots.size(); ++r) {
    if ((s.robots[r].base_mm.y() < 0) == left) out.push_back(static_cast<int>(r));
  }
  return out;
}

inline bool Reaches(const GeneratedWeld& w, int robot) {
  return std::find(w.reached_by.begin(), w.reached_by.end(), robot) != w.reached_by.end();
}

inline std::string ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Fails (naming the file) for every file of `station` that differs from cells/<name>/.
inline void ExpectCommitted(const Station& station, const std::string& name) {
  for (const GeneratedFile& file : station.files) {
    const fs::path committed = fs::path("cells") / name / file.name;
    EXPECT_TRUE(ReadFile(committed) == file.contents)
        << committed << " is not what `weldcell generate` makes now";
  }
}

}  // namespace weldcell::generate::test_support
