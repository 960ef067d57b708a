#pragma once
// Invariant checks: a broken invariant is a bug, so it aborts with the condition, file and line.
// These stay on in Release builds; they guard cheap conditions only.

#include <cstdio>
#include <cstdlib>

#define WELDCELL_CHECK(condition)                                                           \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: internal error: check failed: %s\n", __FILE__, __LINE__, \
                   #condition);                                                             \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
