#include "fuzz/fuzz_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace weldcell::fuzz {

namespace fs = std::filesystem;

namespace {

fs::path& Scratch() {
  static fs::path dir;
  return dir;
}

void RemoveScratch() {
  std::error_code ec;
  if (!Scratch().empty()) fs::remove_all(Scratch(), ec);
}

}  // namespace

const fs::path& ScratchDir() {
  fs::path& dir = Scratch();
  if (dir.empty()) {
    const fs::path made =
        fs::temp_directory_path() / ("weldcell_fuzz_" + std::to_string(::getpid()));
    fs::remove_all(made);
    fs::create_directories(made);
    fs::copy(WELDCELL_FUZZ_FIXTURE, made, fs::copy_options::recursive);
    dir = made;
    std::atexit(RemoveScratch);
  }
  return dir;
}

fs::path WriteScratchFile(std::string_view relative, const std::uint8_t* data, std::size_t size) {
  const fs::path file = ScratchDir() / relative;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file;
}

}  // namespace weldcell::fuzz
