# Third-party libraries, all from Debian packages (scripts/install-deps installs them).
# Each one is linked privately: no installed header of ours includes them.
find_package(CURL 7.68 REQUIRED)  # curl_multi_poll (7.66), curl_multi_wakeup (7.68)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)  # libcrypto: HMAC-SHA256 for the Kingdee app_signature
find_package(PkgConfig REQUIRED)
find_package(SQLite3 3.35 REQUIRED)  # the WMS receiver's claim store; RETURNING needs 3.35
# libpq for the claim store of several replicas (Debian libpq-dev ships a .pc file).
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq>=12)
# erpbridge::prometheus and `wms serve`'s /metrics (Debian prometheus-cpp-dev, its core).
find_package(prometheus-cpp CONFIG REQUIRED)

# RapidJSON is header-only; its Debian config sets RAPIDJSON_INCLUDE_DIRS.
find_package(RapidJSON CONFIG QUIET)
find_path(ERPBRIDGE_RAPIDJSON_INCLUDE_DIR rapidjson/reader.h HINTS ${RAPIDJSON_INCLUDE_DIRS})
if(NOT ERPBRIDGE_RAPIDJSON_INCLUDE_DIR)
  message(FATAL_ERROR "RapidJSON not found: run scripts/install-deps (Debian package rapidjson-dev)")
endif()
add_library(erpbridge_rapidjson INTERFACE)
target_include_directories(erpbridge_rapidjson SYSTEM INTERFACE ${ERPBRIDGE_RAPIDJSON_INCLUDE_DIR})
# SSE2 (every x86-64 has it) lets RapidJSON scan strings 16 bytes at a time: its Writer in the
# SDK, its Reader in the benchmark baselines. (The SDK's decoder reads through its own stream,
# json::PieceStream, whose scans stop at a piece's end and need no define.)
# Those scans load whole aligned 16-byte blocks, so they may read a few bytes past a string's
# terminating NUL (never past its page; the bytes are ignored). Sanitizer builds leave them
# off: ASan reports those reads as overflows, TSan as use-after-free when the neighbouring
# heap block was freed. Every target that includes RapidJSON links this one, so all agree.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$"
   AND NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize" AND NOT ERPBRIDGE_BUILD_FUZZ)
  target_compile_definitions(erpbridge_rapidjson INTERFACE RAPIDJSON_SSE2)
endif()

# cpp-httplib (the emulator server, `wms serve`): its CMake package where the system has one,
# else its pkg-config file (Debian ships it compiled, with a .pc only). ERPBRIDGE_HTTPLIB is
# the target to link; the installed package config finds the same one.
find_package(httplib 0.11 CONFIG QUIET)
if(TARGET httplib::httplib)
  set(ERPBRIDGE_HTTPLIB httplib::httplib)
else()
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib>=0.11)
  set(ERPBRIDGE_HTTPLIB PkgConfig::HTTPLIB)
endif()
