# Install rules: headers, libraries, an exported CMake package with components, and a .pc.
include(CMakePackageConfigHelpers)

set(ERPBRIDGE_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/erpbridge")

install(DIRECTORY include/erpbridge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ${ERPBRIDGE_INSTALLED_TARGETS}
        EXPORT erpbridgeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT erpbridgeTargets NAMESPACE erpbridge:: DESTINATION ${ERPBRIDGE_CMAKE_DIR})

configure_package_config_file(cmake/erpbridgeConfig.cmake.in
                              "${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfig.cmake"
                              INSTALL_DESTINATION ${ERPBRIDGE_CMAKE_DIR})
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfigVersion.cmake"
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/erpbridgeConfigVersion.cmake"
        DESTINATION ${ERPBRIDGE_CMAKE_DIR})

configure_file(cmake/erpbridge.pc.in "${CMAKE_CURRENT_BINARY_DIR}/erpbridge.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/erpbridge.pc"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
