#include "planner/common/atomic_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace weldcell {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WriteFileAtomicallyTest, CreatesFoldersAndReplacesContentWithoutLeftovers) {
  const fs::path dir = fs::temp_directory_path() / "weldcell_atomic_test";
  fs::remove_all(dir);
  const fs::path file = dir / "sub" / "out.txt";
  WriteFileAtomically(file, "first");
  WriteFileAtomically(file, "second, longer");
  EXPECT_EQ(ReadAll(file), "second, longer");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "sub")) ++entries;
  EXPECT_EQ(entries, 1) << "a temporary file was left behind";
  fs::remove_all(dir);
}

TEST(WriteFileAtomicallyTest, FailureLeavesTheOldFileIntact) {
  const fs::path dir = fs::temp_directory_path() / "weldcell_atomic_test2";
  fs::remove_all(dir);
  fs::create_directories(dir / "target_is_a_folder");
  EXPECT_THROW(WriteFileAtomically(dir / "target_is_a_folder", "x"), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(dir / "target_is_a_folder"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace weldcell
