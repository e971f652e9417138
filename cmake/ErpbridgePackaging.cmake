# Install rules: headers, one exported CMake target file per component (a consumer's
# find_package(erpbridge COMPONENTS ...) loads and looks for the dependencies of only what it
# asks for), one pkg-config file per component, and the Debian packages (CPack).
include(CMakePackageConfigHelpers)

set(ERPBRIDGE_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/erpbridge")

# What each component needs: the components whose headers its headers include (pkg-config
# Requires), and the system libraries it links privately. A shared library carries those
# itself; a static one's consumer must link them, so a static build lists them in
# Libs.private (as -l flags rather than Requires.private modules: `pkg-config --static`
# would otherwise expand libcurl into every library a static libcurl needs, which Debian does
# not ship).
set(ERPBRIDGE_core_REQUIRES "")
set(ERPBRIDGE_core_PRIVATE "-lcurl -pthread")
set(ERPBRIDGE_ctc_REQUIRES "core")
set(ERPBRIDGE_wms_REQUIRES "core")
set(ERPBRIDGE_wms_PRIVATE "-lcrypto")
set(ERPBRIDGE_wms_sqlite_REQUIRES "wms")
set(ERPBRIDGE_wms_sqlite_PRIVATE "-lsqlite3")
set(ERPBRIDGE_wms_postgres_REQUIRES "wms")
set(ERPBRIDGE_wms_postgres_PRIVATE "-lpq")
set(ERPBRIDGE_kingdee_REQUIRES "core")
set(ERPBRIDGE_kingdee_PRIVATE "-lcrypto")
set(ERPBRIDGE_aftersales_REQUIRES "core")
set(ERPBRIDGE_prometheus_REQUIRES "core")
set(ERPBRIDGE_prometheus_PRIVATE "-lprometheus-cpp-core")
set(ERPBRIDGE_testing_REQUIRES "core;ctc;wms;kingdee;aftersales")
set(ERPBRIDGE_testing_PRIVATE "-lcpp-httplib -lssl -lcrypto")
set(ERPBRIDGE_core_DESCRIPTION "results, decimals, times, HTTP, retries, the JSON engine")
set(ERPBRIDGE_ctc_DESCRIPTION "the CTC after-sales platform")
set(ERPBRIDGE_wms_DESCRIPTION "AI-WMS PLUS entry orders: client and receiver")
set(ERPBRIDGE_wms_sqlite_DESCRIPTION "the WMS receiver's SQLite claim store")
set(ERPBRIDGE_wms_postgres_DESCRIPTION "the WMS receiver's PostgreSQL claim store")
set(ERPBRIDGE_kingdee_DESCRIPTION "the Kingdee cloud gateway")
set(ERPBRIDGE_aftersales_DESCRIPTION "the after-service orders API")
set(ERPBRIDGE_prometheus_DESCRIPTION "call events as Prometheus metrics (prometheus-cpp)")
set(ERPBRIDGE_testing_DESCRIPTION "mocks, emulators and their loopback server")

install(DIRECTORY include/erpbridge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
# The generated headers: version.hpp and each component's export.hpp.
install(DIRECTORY "${PROJECT_BINARY_DIR}/include/erpbridge"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)

# pkg-config paths. With a relative libdir the .pc files are relocatable: the prefix is found
# from where the file lies (${pcfiledir}), so a tree installed with `cmake --install --prefix`
# or unpacked elsewhere is right; relative dirs hang off ${prefix}, absolute ones stand.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ERPBRIDGE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" _up "${_up}")
  set(ERPBRIDGE_PC_PREFIX "\${pcfiledir}/${_up}")
endif()
foreach(_dir IN ITEMS LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(ERPBRIDGE_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(ERPBRIDGE_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()

foreach(_component IN LISTS ERPBRIDGE_COMPONENTS)
  install(TARGETS erpbridge_${_component}
          EXPORT erpbridge-${_component}-targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
                  NAMELINK_COMPONENT development
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT erpbridge-${_component}-targets NAMESPACE erpbridge::
          FILE erpbridge-${_component}-targets.cmake DESTINATION ${ERPBRIDGE_CMAKE_DIR}
          COMPONENT development)

  set(ERPBRIDGE_PC_NAME "erpbridge-${_component}")
  string(REPLACE "_" "-" ERPBRIDGE_PC_NAME "${ERPBRIDGE_PC_NAME}")
  set(ERPBRIDGE_PC_DESCRIPTION "erpbridge: ${ERPBRIDGE_${_component}_DESCRIPTION}")
  set(ERPBRIDGE_PC_REQUIRES "")
  foreach(_needed IN LISTS ERPBRIDGE_${_component}_REQUIRES)
    string(REPLACE "_" "-" _needed "erpbridge-${_needed}")
    list(APPEND ERPBRIDGE_PC_REQUIRES "${_needed} = ${PROJECT_VERSION}")
  endforeach()
  list(JOIN ERPBRIDGE_PC_REQUIRES ", " ERPBRIDGE_PC_REQUIRES)
  set(ERPBRIDGE_PC_LIBS "-lerpbridge_${_component}")
  set(ERPBRIDGE_PC_CFLAGS "")
  set(ERPBRIDGE_PC_LIBS_PRIVATE "")
  if(_component STREQUAL "core")
    set(ERPBRIDGE_PC_LIBS "${ERPBRIDGE_PC_LIBS} -pthread")
  endif()
  if(NOT BUILD_SHARED_LIBS)
    set(ERPBRIDGE_PC_LIBS_PRIVATE "${ERPBRIDGE_${_component}_PRIVATE}")
    # The export macros of a static library are empty for its users too.
    string(TOUPPER "ERPBRIDGE_${_component}_STATIC_DEFINE" ERPBRIDGE_PC_CFLAGS)
    set(ERPBRIDGE_PC_CFLAGS "-D${ERPBRIDGE_PC_CFLAGS}")
  endif()
  configure_file(cmake/erpbridge-component.pc.in
                 "${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${ERPBRIDGE_PC_NAME}.pc" @ONLY)
  install(FILES "${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${ERPBRIDGE_PC_NAME}.pc"
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)
endforeach()

# The package config finds a static build's private dependencies as the build found them.
if(BUILD_SHARED_LIBS)
  set(ERPBRIDGE_STATIC_LIBRARIES OFF)
else()
  set(ERPBRIDGE_STATIC_LIBRARIES ON)
endif()
configure_package_config_file(cmake/erpbridgeConfig.cmake.in
                              "${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfig.cmake"
                              INSTALL_DESTINATION ${ERPBRIDGE_CMAKE_DIR})
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfigVersion.cmake"
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfigVersion.cmake"
        DESTINATION ${ERPBRIDGE_CMAKE_DIR} COMPONENT development)

# Debian packages (`cpack -G DEB` in a build configured with CMAKE_INSTALL_PREFIX=/usr):
#   liberpbridge<major>   the shared libraries (runtime)
#   liberpbridge-dev      headers, CMake package, pkg-config files, the .so links (or, in a
#                         static build, the archives)
#   erpbridge-tools       the erpbridge and erpbridge-emulator programs
# Their dependencies on system libraries are computed by dpkg-shlibdeps.
set(CPACK_PACKAGE_NAME erpbridge)
set(CPACK_PACKAGE_VENDOR "erpbridge")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "erpbridge maintainers <erpbridge@example.invalid>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "erpbridge maintainers <erpbridge@example.invalid>")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
# dpkg-shlibdeps finds our own libraries in the build tree while packaging the tools.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${PROJECT_BINARY_DIR}/src")
set(CPACK_COMPONENTS_ALL development)
if(BUILD_SHARED_LIBS)
  list(APPEND CPACK_COMPONENTS_ALL runtime)
endif()
if(ERPBRIDGE_BUILD_TOOLS)
  list(APPEND CPACK_COMPONENTS_ALL tools)
endif()
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "liberpbridge${PROJECT_VERSION_MAJOR}")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "erpbridge shared libraries\n The CTC, AI-WMS PLUS, Kingdee gateway and after-service API families, the\n WMS receiver's SQLite and PostgreSQL stores, Prometheus metrics, and the testing library.")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME "liberpbridge-dev")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION
    "erpbridge development files\n Headers, the CMake package (find_package(erpbridge)) and pkg-config files.")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME "erpbridge-tools")
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "erpbridge command-line tools\n erpbridge (CTC, WMS, Kingdee and after-service calls, the WMS receiver) and\n erpbridge-emulator (every family's emulator on a loopback port).")
if(BUILD_SHARED_LIBS)
  set(CPACK_COMPONENT_DEVELOPMENT_DEPENDS runtime)
  set(CPACK_COMPONENT_TOOLS_DEPENDS runtime)
endif()
set(CPACK_STRIP_FILES ON)
# Debian wants a copyright file and a changelog in each package's documentation directory,
# and an ldconfig trigger (not only maintainer scripts) for the runtime libraries.
string(TIMESTAMP ERPBRIDGE_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(READ "${PROJECT_SOURCE_DIR}/LICENSE" ERPBRIDGE_LICENSE_TEXT)
string(REGEX REPLACE "\n\n" "\n.\n" ERPBRIDGE_LICENSE_TEXT "${ERPBRIDGE_LICENSE_TEXT}")
string(REGEX REPLACE "\n" "\n " ERPBRIDGE_LICENSE_TEXT "${ERPBRIDGE_LICENSE_TEXT}")
set(ERPBRIDGE_DEB_DIR "${PROJECT_BINARY_DIR}/debian")
foreach(_package_component IN ITEMS runtime development tools)
  string(TOUPPER "${_package_component}" _upper)
  set(_package "${CPACK_DEBIAN_${_upper}_PACKAGE_NAME}")
  file(WRITE "${ERPBRIDGE_DEB_DIR}/${_package}/copyright"
       "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
       "Upstream-Name: erpbridge\n\nFiles: *\nCopyright: the erpbridge authors\n"
       "License: MIT\n ${ERPBRIDGE_LICENSE_TEXT}\n")
  file(WRITE "${ERPBRIDGE_DEB_DIR}/${_package}/changelog"
       "${_package} (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
       "  * Release ${PROJECT_VERSION}.\n\n"
       " -- ${CPACK_DEBIAN_PACKAGE_MAINTAINER}  ${ERPBRIDGE_CHANGELOG_DATE}\n")
  execute_process(COMMAND gzip -9nf "${ERPBRIDGE_DEB_DIR}/${_package}/changelog")
  install(FILES "${ERPBRIDGE_DEB_DIR}/${_package}/copyright"
                "${ERPBRIDGE_DEB_DIR}/${_package}/changelog.gz"
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${_package}
          COMPONENT ${_package_component} EXCLUDE_FROM_ALL)
endforeach()
file(WRITE "${ERPBRIDGE_DEB_DIR}/triggers" "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA "${ERPBRIDGE_DEB_DIR}/triggers")
include(CPack)
