# Compiler options for our own code only. Third-party headers come in as SYSTEM, so their
# warnings never fail our build.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  # Paths below the source folder hashed relative to it, and not the build folder: a clone
  # elsewhere (CI's clean clone) reuses the objects this one compiled.
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
                                  CCACHE_NOHASHDIR=true ${CCACHE_PROGRAM})
endif()

add_library(weldcell_options INTERFACE)
add_library(weldcell::options ALIAS weldcell_options)
target_compile_options(weldcell_options INTERFACE -Wall -Wextra -Wpedantic -Werror
  # Designated initializers that leave members at their defaults are our convention.
  -Wno-missing-field-initializers)
# GCC 12 reports false -Wrestrict and -Wmaybe-uninitialized positives inside libstdc++ and
# Eigen at -O2/-O3 (GCC bugs 105329, 107919); they are not in our code, so keep them from
# failing the build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(weldcell_options INTERFACE -Wno-restrict -Wno-maybe-uninitialized)
endif()
target_include_directories(weldcell_options INTERFACE ${PROJECT_SOURCE_DIR})

if(WELDCELL_SANITIZE)
  # Applied globally so that gtest and our code agree on the runtime.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(WELDCELL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WELDCELL_FUZZ needs clang's libFuzzer: configure with CC=clang CXX=clang++ "
                        "(scripts/fuzz does)")
  endif()
  # Coverage instrumentation and the sanitizers on every library; the fuzz targets add the
  # libFuzzer main (-fsanitize=fuzzer, fuzz/CMakeLists.txt). Any UB report is a finding.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
