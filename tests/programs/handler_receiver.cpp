// A handler-mode receiver whose handler can be made to hang on one entry code, so that a test
// can kill it mid-delivery (SIGKILL) and watch another process take the order over after the
// lease. The handler appends "ENTRY_CODE BIL_NO FENCE" to a delivery log (no deduplication of
// its own: the log shows every time the handler ran that far, and with which fencing token).
//   handler_receiver STORE LOG LEASE_MS HANG_CODE before|after|never
// STORE is sqlite:PATH or postgres:CONNINFO; the token is $ERPBRIDGE_WMS_TOKEN. Prints
// "listening PORT", and "handling CODE" once it hangs; stops on SIGTERM.
#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "erpbridge/wms/postgres_store.hpp"
#include "erpbridge/wms/receiver.hpp"
#include "erpbridge/wms/sqlite_store.hpp"

namespace wms = erpbridge::wms;

int main(int argc, char** argv) {
  if (argc != 6 || std::getenv("ERPBRIDGE_WMS_TOKEN") == nullptr) {
    std::fprintf(stderr,
                 "usage: handler_receiver STORE LOG LEASE_MS HANG_CODE before|after|never\n");
    return 2;
  }
  const std::string spec = argv[1];
  erpbridge::Result<std::shared_ptr<wms::ReceiverStore>> store =
      spec.rfind("sqlite:", 0) == 0 ? wms::open_sqlite_store(spec.substr(7))
                                    : wms::open_postgres_store(spec.substr(9));
  if (!store.ok()) {
    std::fprintf(stderr, "handler_receiver: %s\n", store.error().to_string().c_str());
    return 1;
  }
  const int log = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const std::string hang_code = argv[4];
  const std::string hang_when = argv[5];
  std::mutex log_mutex;
  auto numbers = *store;

  auto hang = [&](const std::string& code) {
    std::printf("handling %s\n", code.c_str());
    std::fflush(stdout);
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  };
  wms::ReceiverOptions options;
  options.lease = std::chrono::milliseconds(std::atol(argv[3]));
  options.duplicate_wait = std::chrono::milliseconds(200);
  wms::Receiver receiver(
      [&](const wms::EntryConfirmation& order) -> erpbridge::Result<wms::PushReply> {
        const std::string& code = order.order.entry_code;
        if (code == hang_code && hang_when == "before") hang(code);
        auto number = numbers->next_sequence("handler");
        if (!number.ok()) return std::move(number).error();
        wms::PushReply reply{"0", "新增成功", "HD", "HD" + std::to_string(*number)};
        {
          std::lock_guard<std::mutex> guard(log_mutex);
          const std::string line = code + " " + reply.bil_no + " " +
                                   std::to_string(wms::delivery_fencing_token()) + "\n";
          if (::write(log, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
              ::fdatasync(log) != 0) {
            return erpbridge::make_error(erpbridge::ErrorCode::Transport, "log write failed");
          }
        }
        if (code == hang_code && hang_when == "after") hang(code);
        return reply;
      },
      wms::expect_token(std::getenv("ERPBRIDGE_WMS_TOKEN")), *store, options);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  httplib::Server server;
  server.set_keep_alive_timeout(1);
  server.Post("/CreateEntryConfirmation", [&](const httplib::Request& in, httplib::Response& out) {
    erpbridge::HttpHeaders headers;
    for (const auto& header : in.headers) headers.emplace_back(header.first, header.second);
    wms::ReceiverReply reply = receiver.handle(headers, in.body);
    out.status = reply.http_status;
    if (reply.retry_after_seconds) {
      out.set_header("Retry-After", std::to_string(*reply.retry_after_seconds));
    }
    out.set_content(reply.body, "application/json; charset=utf-8");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });
  std::printf("listening %d\n", port);
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  server.stop();
  serving.join();
  return 0;
}
