#include "erpbridge/testing/emulator_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <thread>

#include "core/text.hpp"

namespace erpbridge::testing {
namespace {

// Enough workers that keep-alive connections from parallel test clients never queue.

// A thread per accepted connection, as many as clients open (an async client may keep
// hundreds busy at once; a fixed pool would park the connections beyond it until an idle
// one times out), and a count of them: httplib enqueues one task per accepted socket.
class CountingTaskQueue : public httplib::TaskQueue {
 public:
  explicit CountingTaskQueue(std::atomic<std::size_t>& counter) : counter_(counter) {}
  void enqueue(std::function<void()> fn) override {
    counter_.fetch_add(1);
    {
      std::lock_guard<std::mutex> guard(state_->mutex);
      ++state_->active;
    }
    // The thread keeps the state it signals: the queue may be gone by the time it does.
    std::thread([state = state_, fn = std::move(fn)] {
      fn();
      std::lock_guard<std::mutex> guard(state->mutex);
      if (--state->active == 0) state->idle.notify_all();
    }).detach();
  }
  // Waits for every connection's task: the server has closed their sockets by now.
  void shutdown() override {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->idle.wait(lock, [this] { return state_->active == 0; });
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable idle;
    std::size_t active = 0;
  };
  std::atomic<std::size_t>& counter_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

int port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return -1;
}

// httplib does not expose its connection sockets, so find them among the process's
// descriptors by address: connected sockets whose local port is the server's (and whose peer
// port is `peer_port`, unless that is -1). Calls `action` on each; stops when it returns true.
template <typename Action>
void for_each_connection(int local_port, int peer_port, Action action) {
  const long open_max = sysconf(_SC_OPEN_MAX);
  const int max_fd = static_cast<int>(open_max > 0 && open_max < 65536 ? open_max : 65536);
  for (int fd = 0; fd < max_fd; ++fd) {
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (port_of(local) != local_port) continue;
    if (peer_port != -1 && port_of(peer) != peer_port) continue;
    if (action(fd, local.ss_family)) return;
  }
}

// Aborts the TCP connection of `request` with a RST: arm SO_LINGER 0 and atomically swap the
// socket for an unconnected one (dup2 closes the original, so the kernel sends the RST;
// httplib later closes the stand-in).
bool reset_connection(const httplib::Request& request) {
  bool done = false;
  for_each_connection(request.local_port, request.remote_port, [&](int fd, int family) {
    linger abort_on_close{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    int stand_in = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (stand_in < 0) return true;
    dup2(stand_in, fd);
    close(stand_in);
    done = true;
    return true;
  });
  return done;
}

std::optional<HttpMethod> method_of(const std::string& method) {
  if (method == "GET") return HttpMethod::Get;
  if (method == "POST") return HttpMethod::Post;
  if (method == "PUT") return HttpMethod::Put;
  if (method == "DELETE") return HttpMethod::Delete;
  if (method == "PATCH") return HttpMethod::Patch;
  return std::nullopt;
}

}  // namespace

struct EmulatorServer::Impl {
  std::shared_ptr<Emulator> emulator;
  httplib::Server server;
  std::thread thread;
  std::atomic<std::size_t> accepted{0};
  int port = 0;
  int listen_fd = -1;

  void handle(const httplib::Request& in, httplib::Response& out) {
    EmulatorRequest request;
    request.method = method_of(in.method).value_or(HttpMethod::Get);
    request.path = in.path;
    for (const auto& param : in.params) request.query[param.first] = param.second;
    for (const auto& header : in.headers) request.headers.emplace_back(header.first, header.second);
    request.body = in.body;

    EmulatorReply reply = emulator->dispatch(request);
    if (reply.reset && reset_connection(in)) {
      out.status = 500;
      return;
    }
    out.status = reply.response.status;
    std::string content_type = "application/json";
    for (const auto& header : reply.response.headers) {
      if (internal::iequals(header.first, "Content-Type")) {
        content_type = header.second;
      } else if (!internal::iequals(header.first, "Content-Length")) {
        out.set_header(header.first.c_str(), header.second);
      }
    }
    if (!reply.truncate && reply.bytes_per_second != 0) {
      // Paced: each 64 KiB piece waits until the link would have carried the bytes before it.
      auto body = std::make_shared<std::string>(std::move(reply.response.body));
      const auto start = std::chrono::steady_clock::now();
      const std::uint64_t rate = reply.bytes_per_second;
      out.set_content_provider(
          body->size(), content_type.c_str(),
          [body, start, rate](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            std::this_thread::sleep_until(start +
                                          std::chrono::microseconds(offset * 1000000 / rate));
            const std::size_t piece = std::min<std::size_t>(length, 64 * 1024);
            return sink.write(body->data() + offset, piece);
          });
      return;
    }
    if (!reply.truncate) {
      // What set_content() does, without copying the body.
      out.body = std::move(reply.response.body);
      out.set_header("Content-Type", content_type);
      return;
    }
    // Promise the full length, deliver half, then drop the connection.
    auto body = std::make_shared<std::string>(std::move(reply.response.body));
    if (body->size() < 2) body->append(64, ' ');
    const std::size_t full = body->size();
    out.set_content_provider(full, content_type.c_str(),
                             [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset == 0) sink.write(body->data(), body->size() / 2);
                               return false;
                             });
  }
};

EmulatorServer::EmulatorServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<EmulatorServer>> EmulatorServer::start(std::shared_ptr<Emulator> emulator,
                                                              int port) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the test process
  auto impl = std::make_unique<Impl>();
  impl->emulator = std::move(emulator);
  Impl* raw = impl.get();
  impl->server.new_task_queue = [raw] { return new CountingTaskQueue(raw->accepted); };
  impl->server.set_tcp_nodelay(true);  // without it a reused connection stalls ~40 ms
  impl->server.set_keep_alive_max_count(1000000);
  impl->server.set_keep_alive_timeout(5);
  impl->server.set_payload_max_length(256u * 1024u * 1024u);
  impl->server.set_socket_options([raw](int fd) {
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    raw->listen_fd = fd;
  });
  auto handler = [raw](const httplib::Request& in, httplib::Response& out) {
    raw->handle(in, out);
  };
  impl->server.Get(".*", handler);
  impl->server.Post(".*", handler);
  impl->server.Put(".*", handler);
  impl->server.Delete(".*", handler);
  impl->server.Patch(".*", handler);

  if (port == 0) {
    impl->port = impl->server.bind_to_any_port("127.0.0.1");
    if (impl->port <= 0) {
      return make_error(ErrorCode::Transport, "cannot bind a loopback port");
    }
  } else {
    if (!impl->server.bind_to_port("127.0.0.1", port)) {
      return make_error(ErrorCode::Transport,
                        "cannot bind 127.0.0.1:" + std::to_string(port) + " (in use?)");
    }
    impl->port = port;
  }
  // httplib listens with a backlog of 5: a burst of concurrent connects overflows it and the
  // dropped SYNs are retried a second later. Listening again just raises the backlog.
  if (impl->listen_fd >= 0) ::listen(impl->listen_fd, SOMAXCONN);
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  for (int waited = 0; !impl->server.is_running(); ++waited) {
    if (waited > 5000) {
      impl->server.stop();
      impl->thread.join();
      return make_error(ErrorCode::Transport, "emulator server did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<EmulatorServer>(new EmulatorServer(std::move(impl)));
}

EmulatorServer::~EmulatorServer() {
  stop();
}

void EmulatorServer::stop() {
  if (!impl_) return;
  impl_->server.stop();
  impl_->emulator->cut_latency_waits();
  // Workers wait up to the keep-alive timeout for a client's next request; end idle
  // connections now so stopping is prompt.
  for_each_connection(impl_->port, -1, [](int fd, int) {
    ::shutdown(fd, SHUT_RDWR);
    return false;
  });
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string EmulatorServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

int EmulatorServer::port() const {
  return impl_->port;
}

std::size_t EmulatorServer::accepted_connections() const {
  return impl_->accepted.load();
}

Emulator& EmulatorServer::emulator() const {
  return *impl_->emulator;
}

}  // namespace erpbridge::testing
