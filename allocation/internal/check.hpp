#pragma once
// Invariant check for the allocation module (which depends on no other weldcell module): a broken
// invariant is a bug, so it aborts with condition, file and line. Cheap conditions only.

#include <cstdio>
#include <cstdlib>

#define ALLOCATION_CHECK(condition)                                                         \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: internal error: check failed: %s\n", __FILE__, __LINE__, \
                   #condition);                                                             \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
