// Serves an Emulator over real HTTP on 127.0.0.1 for integration tests, examples and demos.
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <memory>
#include <string>

#include "erpbridge/core/result.hpp"
#include "erpbridge/testing/emulator.hpp"

namespace erpbridge::testing {

/// A cpp-httplib server on loopback in front of an Emulator; stops when destroyed.
class ERPBRIDGE_TESTING_EXPORT EmulatorServer {
 public:
  /// Starts serving `emulator` on 127.0.0.1:`port` (0 picks a free port) on its own threads.
  static Result<std::unique_ptr<EmulatorServer>> start(std::shared_ptr<Emulator> emulator,
                                                       int port = 0);
  ~EmulatorServer();
  EmulatorServer(const EmulatorServer&) = delete;
  EmulatorServer& operator=(const EmulatorServer&) = delete;

  /// "http://127.0.0.1:PORT".
  std::string base_url() const;
  /// The port it listens on.
  int port() const;
  /// TCP connections accepted since start.
  std::size_t accepted_connections() const;
  /// The emulator it serves.
  Emulator& emulator() const;
  /// Stops accepting and waits for the server thread; also done by the destructor.
  void stop();

 private:
  struct Impl;
  explicit EmulatorServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace erpbridge::testing
