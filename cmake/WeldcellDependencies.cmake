# Every dependency comes from a Debian 12 package (scripts/setup installs them).
# Names and quirks: see docs/development.md.

find_package(Threads REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(yaml-cpp REQUIRED)
find_package(urdfdom REQUIRED)
find_package(assimp REQUIRED)
find_package(fcl REQUIRED)
find_package(ompl REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(fmt REQUIRED)
# libxml2-dev: the line and column where a URDF is not well-formed XML (urdfdom's parser says
# what, not where).
find_package(LibXml2 REQUIRED)
# libxgboost-dev (1.7.4): the learned travel-time model (planner/learned), through its C API.
# Found by path: Debian's xgboost-config.cmake also imports the `xgboost` command-line program,
# which is in another package, and fails without it.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h REQUIRED)
find_library(XGBOOST_LIBRARY xgboost REQUIRED)
if(NOT TARGET weldcell_xgboost)
  add_library(weldcell_xgboost INTERFACE)
  target_include_directories(weldcell_xgboost SYSTEM INTERFACE ${XGBOOST_INCLUDE_DIR})
  target_link_libraries(weldcell_xgboost INTERFACE ${XGBOOST_LIBRARY})
endif()

# OMPL ships no imported target: wrap it so that its headers are SYSTEM.
if(NOT TARGET weldcell_ompl)
  add_library(weldcell_ompl INTERFACE)
  target_include_directories(weldcell_ompl SYSTEM INTERFACE ${OMPL_INCLUDE_DIRS})
  target_link_libraries(weldcell_ompl INTERFACE ${OMPL_LIBRARIES})
endif()

if(WELDCELL_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(WELDCELL_BUILD_BENCH)
  find_package(benchmark REQUIRED)
  find_package(orocos_kdl QUIET)
endif()
if(WELDCELL_BUILD_GUI)
  find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets 3DCore 3DRender 3DExtras 3DInput)
endif()
