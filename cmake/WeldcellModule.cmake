# weldcell_module(NAME <name> [DEPS <targets>...] [SYSTEM_DEPS <targets>...])
# One static library per module folder, built from the folder's .cpp files, with the alias
# weldcell::<name>. DEPS are our own modules (PUBLIC); SYSTEM_DEPS third-party targets whose
# include directories are marked SYSTEM.
function(weldcell_module)
  cmake_parse_arguments(ARG "" "NAME" "DEPS;PUBLIC_SYSTEM_DEPS;PRIVATE_SYSTEM_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp
                                      ${CMAKE_CURRENT_SOURCE_DIR}/internal/*.cpp)
  add_library(weldcell_${ARG_NAME} STATIC ${sources})
  add_library(weldcell::${ARG_NAME} ALIAS weldcell_${ARG_NAME})
  target_link_libraries(weldcell_${ARG_NAME} PUBLIC weldcell::options ${ARG_DEPS})
  foreach(dep IN LISTS ARG_PUBLIC_SYSTEM_DEPS)
    weldcell_link_system(weldcell_${ARG_NAME} PUBLIC ${dep})
  endforeach()
  foreach(dep IN LISTS ARG_PRIVATE_SYSTEM_DEPS)
    weldcell_link_system(weldcell_${ARG_NAME} PRIVATE ${dep})
  endforeach()
endfunction()

# Links a third-party target and re-declares its include directories as SYSTEM.
function(weldcell_link_system target scope dep)
  if(TARGET ${dep})
    get_target_property(dirs ${dep} INTERFACE_INCLUDE_DIRECTORIES)
    if(dirs)
      target_include_directories(${target} SYSTEM ${scope} ${dirs})
    endif()
  endif()
  target_link_libraries(${target} ${scope} ${dep})
endfunction()

# weldcell_test(NAME <name> [ONE_PROCESS] [LABELS <labels>...] SOURCES <files>... DEPS <targets>...)
# A GoogleTest executable; every TEST becomes one CTest test, or with ONE_PROCESS the whole
# executable is one CTest test (its tests share what they build once, e.g. a large station).
# LABELS: CTest labels. Tests run from the project root so that they find robots/, cells/ and
# ../shared by relative path.
# Sanitizer builds (WELDCELL_SANITIZE, CI's second run), where planning is about 25 times
# slower: every executable is one CTest test, so that a suite's fixture (SetUpTestSuite, often a
# planned station) is built once per executable rather than once per test, and executables
# labelled `heavy` (the same checks on larger stations, or the whole `weldcell plan` run many
# times over) are neither built by default nor tests (the target exists, so callers may still
# configure it); the Release run has them.
function(weldcell_test)
  cmake_parse_arguments(ARG "ONE_PROCESS" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  set(left_out FALSE)
  if(WELDCELL_SANITIZE AND "heavy" IN_LIST ARG_LABELS)
    set(left_out TRUE)
    add_executable(${ARG_NAME} EXCLUDE_FROM_ALL ${ARG_SOURCES})
  else()
    add_executable(${ARG_NAME} ${ARG_SOURCES})
  endif()
  target_link_libraries(${ARG_NAME} PRIVATE weldcell::options ${ARG_DEPS})
  weldcell_link_system(${ARG_NAME} PRIVATE GTest::gtest_main)
  weldcell_link_system(${ARG_NAME} PRIVATE GTest::gmock)
  if(left_out)
    return()
  elseif(ARG_ONE_PROCESS OR WELDCELL_SANITIZE)
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(${ARG_NAME} PROPERTIES TIMEOUT 1800 LABELS "${ARG_LABELS}")
  elseif(ARG_LABELS)
    gtest_discover_tests(${ARG_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 900 LABELS "${ARG_LABELS}")
  else()
    gtest_discover_tests(${ARG_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 900)
  endif()
endfunction()
