// wms_receiver_server: the endpoint AI-WMS PLUS pushes entry orders to.
//   wms_receiver_server <port> <token>
// Serves POST /CreateEntryConfirmation on 127.0.0.1 (port 0 picks a free one), checks the
// Authorization token, validates, and hands each new order to the application exactly once,
// however often WMS repeats it. Stops on SIGINT or SIGTERM.
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "erpbridge/wms/receiver.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: wms_receiver_server <port> <token>\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);

  // The application: here it numbers the orders and prints them.
  std::mutex print_mutex;
  std::atomic<int> sequence{0};
  erpbridge::wms::Receiver receiver(
      [&](const erpbridge::wms::EntryConfirmation& order)
          -> erpbridge::Result<erpbridge::wms::PushReply> {
        const int number = ++sequence;
        {
          std::lock_guard<std::mutex> guard(print_mutex);
          std::printf("delivered %s (%zu lines)\n", order.order.entry_code.c_str(),
                      order.lines.size());
          std::fflush(stdout);
        }
        return erpbridge::wms::PushReply{"0", "新增成功", "PC",
                                         "PC" + std::to_string(230301000 + number)};
      },
      erpbridge::wms::expect_token(argv[2]));

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  httplib::Server server;
  server.set_tcp_nodelay(true);
  // Stopping waits for idle keep-alive connections to time out: keep that wait short.
  server.set_keep_alive_timeout(2);
  server.Post("/CreateEntryConfirmation", [&](const httplib::Request& in, httplib::Response& out) {
    erpbridge::HttpHeaders headers;
    for (const auto& header : in.headers) headers.emplace_back(header.first, header.second);
    erpbridge::wms::ReceiverReply reply = receiver.handle(headers, in.body);
    out.status = reply.http_status;
    if (reply.retry_after_seconds) {
      out.set_header("Retry-After", std::to_string(*reply.retry_after_seconds));
    }
    out.set_content(reply.body, "application/json; charset=utf-8");
  });
  const int bound = port == 0 ? server.bind_to_any_port("127.0.0.1")
                              : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(stderr, "wms_receiver_server: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  std::thread serving([&] { server.listen_after_bind(); });
  std::printf("wms_receiver_server listening on http://127.0.0.1:%d\n", bound);
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  server.stop();
  serving.join();
  return 0;
}
