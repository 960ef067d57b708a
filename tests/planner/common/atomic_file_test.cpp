#include "planner/common/atomic_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/scratch.hpp"

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
  const fs::path dir = weldcell::testing::FreshDirectory("atomic_test");
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
  const fs::path dir = weldcell::testing::FreshDirectory("atomic_test2");
  fs::create_directories(dir / "target_is_a_folder");
  EXPECT_THROW(WriteFileAtomically(dir / "target_is_a_folder", "x"), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(dir / "target_is_a_folder"));
  fs::remove_all(dir);
}

// The error named "Success" (errno after a later call) instead of the rename's own reason.
TEST(WriteFileAtomicallyTest, FailuresSayWhyAndNameThePath) {
  const fs::path dir = weldcell::testing::FreshDirectory("atomic_test3");
  fs::create_directories(dir / "a_folder" / "inside");
  std::ofstream(dir / "a_file") << "x";
  const auto message_of = [](const fs::path& target) -> std::string {
    try {
      WriteFileAtomically(target, "x");
    } catch (const FileWriteError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string onto_folder = message_of(dir / "a_folder");
  EXPECT_NE(onto_folder.find((dir / "a_folder").string()), std::string::npos) << onto_folder;
  EXPECT_NE(onto_folder.find("Is a directory"), std::string::npos) << onto_folder;
  const std::string below_file = message_of(dir / "a_file" / "plan.json");
  EXPECT_NE(below_file.find("cannot create folder " + (dir / "a_file").string()), std::string::npos)
      << below_file;
  for (const std::string& m : {onto_folder, below_file}) {
    EXPECT_EQ(m.find("Success"), std::string::npos) << m;
  }
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2) << "a temporary file was left behind";
  fs::remove_all(dir);
}

// A folder in the way of the second file: the first keeps its old content (nothing is
// renamed before every target is known writable) and no temporary is left.
TEST(WriteFilesTogetherTest, OneTargetInTheWayReplacesNone) {
  const fs::path dir = weldcell::testing::FreshDirectory("atomic_together");
  fs::create_directories(dir / "b.txt");
  WriteFileAtomically(dir / "a.txt", "old");
  try {
    WriteFilesTogether({{dir / "a.txt", "new"}, {dir / "b.txt", "new"}});
    ADD_FAILURE() << "expected a FileWriteError";
  } catch (const FileWriteError& e) {
    EXPECT_NE(std::string(e.what()).find("b.txt"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ReadAll(dir / "a.txt"), "old");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2) << "a temporary file was left behind";
  fs::remove(dir / "b.txt");
  WriteFilesTogether({{dir / "a.txt", "new a"}, {dir / "b.txt", "new b"}});
  EXPECT_EQ(ReadAll(dir / "a.txt"), "new a");
  EXPECT_EQ(ReadAll(dir / "b.txt"), "new b");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace weldcell
