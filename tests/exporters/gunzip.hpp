#pragma once
// Reading the gzip'd plan fixtures of tests/exporters/plans.

#include <zlib.h>

#include <string>

namespace weldcell::exporters::testing {

/// The unpacked bytes of the gzip file at `path`; empty when it cannot be read.
inline std::string Gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return {};
  std::string out;
  std::string buffer(1 << 16, '\0');
  int n = 0;
  while ((n = gzread(f, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) {
    out.append(buffer.data(), static_cast<std::size_t>(n));
  }
  gzclose(f);
  return out;
}

}  // namespace weldcell::exporters::testing
