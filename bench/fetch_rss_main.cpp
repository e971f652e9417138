// Peak resident memory growth of a typed CTC query whose reply is FILE (100k receipts, as
// `erpbridge_bench_rss write` makes it), served by a child process over loopback: how much the
// resident set grows during the call against the bytes the decoded result holds (issue 21).
//   erpbridge_bench_fetch_rss FILE
// A program of its own because it links the emulator server (cpp-httplib, and through
// Debian's build of it OpenSSL, initialised at load): the in-memory decode's figure, which
// counts the whole process, must not pay for a server it does not run.
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <string>

#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/mock_transport.hpp"

// Every heap byte this process holds, counted by replacing the global allocation functions:
// what the decoded result holds is the growth of this count across the call.
namespace {
std::atomic<long long> live_heap_bytes{0};
}  // namespace

void* operator new(std::size_t size) {
  void* block = std::malloc(size == 0 ? 1 : size);
  if (block == nullptr) throw std::bad_alloc();
  live_heap_bytes += static_cast<long long>(malloc_usable_size(block));
  return block;
}
void operator delete(void* block) noexcept {
  if (block == nullptr) return;
  live_heap_bytes -= static_cast<long long>(malloc_usable_size(block));
  std::free(block);
}
void operator delete(void* block, std::size_t) noexcept {
  operator delete(block);
}

// VmRSS or VmHWM of this process, in bytes.
long long status_bytes(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atoll(line.c_str() + prefix.size()) * 1024;
  }
  return 0;
}

int fetch(const char* file) {
  std::string payload;
  {
    std::ifstream in(file, std::ios::binary);
    payload.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  int ready[2];
  if (pipe(ready) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {  // the server: answers every receipts query with the payload
    auto emulator = std::make_shared<erpbridge::testing::Emulator>();
    emulator->route(erpbridge::HttpMethod::Post, "/doscall/oa/api/receipt_parts/",
                    [&payload](const erpbridge::testing::EmulatorRequest&) {
                      return erpbridge::testing::json_response(200, payload);
                    });
    auto server = erpbridge::testing::EmulatorServer::start(emulator);
    if (!server.ok()) _exit(1);
    const int port = (*server)->port();
    if (write(ready[1], &port, sizeof port) != sizeof port) _exit(1);
    pause();  // until the parent kills it
    _exit(0);
  }
  int port = 0;
  if (read(ready[0], &port, sizeof port) != sizeof port) return 1;
  payload = std::string();  // the parent does not hold the body

  erpbridge::ctc::Options options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.key = erpbridge::make_static_token("bench-key");
  options.max_response_bytes = 256u << 20;
  options.request_timeout = std::chrono::minutes(2);
  options.overall_deadline = std::chrono::minutes(2);
  erpbridge::ctc::Client client(options);
  const erpbridge::ctc::ReceiptQuery query{
      erpbridge::ctc::Direction::In, erpbridge::DateTime::parse("2020-05-21 00:00:00").value(),
      erpbridge::DateTime::parse("2020-05-27 00:00:00").value()};

  malloc_trim(0);
  { std::ofstream("/proc/self/clear_refs") << "5"; }  // restart the high-water mark here
  const long long rss_before = status_bytes("VmRSS");
  const long long heap_before = live_heap_bytes.load();
  auto receipts = client.query_receipts(query);
  const long long peak = status_bytes("VmHWM");
  const long long result_bytes = live_heap_bytes.load() - heap_before;
  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);
  if (!receipts.ok()) {
    std::fprintf(stderr, "%s\n", receipts.error().to_string().c_str());
    return 1;
  }
  const double growth_mb = static_cast<double>(peak - rss_before) / 1e6;
  const double result_mb = static_cast<double>(result_bytes) / 1e6;
  std::printf("fetch_receipts=%zu fetch_rss_growth_MB=%.1f fetch_result_MB=%.1f fetch_ratio=%.2f\n",
              receipts->size(), growth_mb, result_mb, growth_mb / result_mb);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  return fetch(argv[1]);
}
