// erpbridge-emulator: serves every family emulator over HTTP on a loopback port.
//   erpbridge-emulator [--port N] [--latency-ms N] [--bandwidth-mbit N] [--variance]
//                      [--fault PATH=WHAT ...]
// Prints "erpbridge-emulator listening on http://127.0.0.1:PORT" once ready, then serves
// until SIGINT or SIGTERM.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/families.hpp"

namespace {

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: erpbridge-emulator [--port N] [--latency-ms N] [--bandwidth-mbit N] "
               "[--variance] [--fault PATH=WHAT ...]\n"
               "  --port N        loopback port to listen on (default 0: any free port)\n"
               "  --latency-ms N  delay every answer by N milliseconds\n"
               "  --bandwidth-mbit N  send every answer's body at N Mbit/s (default: unlimited)\n"
               "  --variance      answer with the shapes the documents allow but their samples\n"
               "                  do not show (empty write data, lists without status, ISO\n"
               "                  times, numbers as strings, exponent amounts, ...)\n"
               "  --fault PATH=WHAT  misbehave on PATH; WHAT is an HTTP status (503), reset,\n"
               "                  truncate or html, optionally followed by xN for the first N\n"
               "                  requests only (e.g. /CreateEntryConfirmation=503x2)\n"
               "Serves on 127.0.0.1 until SIGINT or SIGTERM.\n");
}

// "PATH=WHAT[xN]" -> a fault on PATH.
bool parse_fault(const std::string& text, std::string& path, erpbridge::testing::Fault& fault) {
  const std::size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return false;
  path = text.substr(0, eq);
  std::string what = text.substr(eq + 1);
  const std::size_t times = what.rfind('x');
  if (times != std::string::npos && times > 0) {
    fault.times = std::atoi(what.c_str() + times + 1);
    if (fault.times <= 0) return false;
    what.resize(times);
  }
  if (what == "reset") {
    fault.reset = true;
  } else if (what == "truncate") {
    fault.truncate = true;
  } else if (what == "html") {
    fault.non_json = true;
  } else {
    fault.status = std::atoi(what.c_str());
    if (fault.status < 100 || fault.status > 599) return false;
  }
  return true;
}

bool parse_number(const char* text, long& out) {
  char* end = nullptr;
  out = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && out >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  long port = 0;
  long latency_ms = 0;
  long bandwidth_mbit = 0;
  bool variance = false;
  std::vector<std::pair<std::string, erpbridge::testing::Fault>> faults;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    }
    if (arg == "--variance") {
      variance = true;
      continue;
    }
    if (arg == "--fault") {
      std::string path;
      erpbridge::testing::Fault fault;
      if (i + 1 >= argc || !parse_fault(argv[i + 1], path, fault)) {
        std::fprintf(stderr, "erpbridge-emulator: bad --fault (want PATH=503, PATH=resetx2 ...)\n");
        usage(stderr);
        return 2;
      }
      faults.emplace_back(path, fault);
      ++i;
      continue;
    }
    long* target = arg == "--port"             ? &port
                   : arg == "--latency-ms"     ? &latency_ms
                   : arg == "--bandwidth-mbit" ? &bandwidth_mbit
                                               : nullptr;
    if (target == nullptr || i + 1 >= argc || !parse_number(argv[i + 1], *target)) {
      std::fprintf(stderr, "erpbridge-emulator: bad argument '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
    ++i;
  }
  if (port > 65535) {
    std::fprintf(stderr, "erpbridge-emulator: port must be 0..65535\n");
    return 2;
  }

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto emulator = std::make_shared<erpbridge::testing::Emulator>();
  erpbridge::testing::install_all_families(*emulator);
  emulator->set_global_latency(std::chrono::milliseconds(latency_ms));
  emulator->set_global_bandwidth(static_cast<std::uint64_t>(bandwidth_mbit) * 1000000 / 8);
  if (variance) emulator->set_variance("*");
  for (const auto& [path, fault] : faults) emulator->set_fault(path, fault);
  auto server = erpbridge::testing::EmulatorServer::start(emulator, static_cast<int>(port));
  if (!server.ok()) {
    std::fprintf(stderr, "erpbridge-emulator: %s\n", server.error().to_string().c_str());
    return 1;
  }
  std::printf("erpbridge-emulator listening on %s\n", (*server)->base_url().c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  (*server)->stop();
  std::fprintf(stderr, "erpbridge-emulator: stopped on %s\n",
               received == SIGINT ? "SIGINT" : "SIGTERM");
  return 0;
}
