// The libcurl transport, used as libcurl documents it may be: a pool of easy handles, each
// used by one thread at a time and keeping its own connections (a thread that makes call
// after call gets the same handle back, so 1,000 sequential calls use one connection; the
// pool grows with concurrency); batches go through pooled multi handles, which keep their
// own connections between batches. Only DNS answers and TLS sessions are shared, under
// locks: libcurl does not support sharing a connection cache between concurrent threads.
// Async calls go through one I/O thread per transport, started on first use, which owns a
// multi handle (and the connections in its pool) and the transport's timers.
#include <curl/curl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <queue>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/redact.hpp"
#include "erpbridge/core/options.hpp"
#include "http/curl_probe.hpp"
#include "runtime/thread_pool.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

void init_curl_once() {
  static std::once_flag once;
  // Never paired with curl_global_cleanup: handles may outlive static destruction order.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A pooled easy handle and the buffers its requests reuse, so that a warm call allocates
// nothing for its header list or error text.
struct Handle {
  CURL* easy = nullptr;
  std::string header_text;               // the request's header lines, each ending in NUL
  std::vector<curl_slist> header_nodes;  // libcurl's list, pointing into header_text
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  long timeout_ms = -1;  // CURLOPT_TIMEOUT_MS as last set
  bool custom_method = false;
  bool http1_only = false;  // CURLOPT_HTTP_VERSION is 1.1 (see prepare)

  explicit Handle(CURL* handle) : easy(handle) {}
  ~Handle() { curl_easy_cleanup(easy); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

// State of one transfer, reachable from libcurl callbacks.
struct Transfer {
  std::unique_ptr<Handle> handle;
  HttpResponse response;
  std::size_t max_bytes = 0;
  bool too_large = false;
  const HttpRequest* request = nullptr;
  BodyStream* stream = nullptr;
  bool stream_asked = false;  // begin() was called for this try
  bool streaming = false;     // and took the body
  std::size_t streamed_bytes = 0;
  // Async transfers: the I/O thread never waits for a stream's consumer. A stream that
  // would make it wait pauses the transfer (CURL_WRITEFUNC_PAUSE); `resume`, called from
  // the consumer's thread when it has caught up, has the I/O thread continue it.
  std::function<void()> resume;
  bool paused = false;  // was paused at least once
  // A callback caught an exception: the transfer was aborted, and this says why (a fixed
  // buffer: recording it must not allocate, the failure may be an allocation's).
  std::array<char, 160> callback_failure{};
};

// Test hook (core/curl_probe.hpp): body writes still to fail as if out of memory.
std::atomic<int> body_writes_to_fail{0};

// Keeps what an exception says in `transfer` and returns 0, which makes libcurl abort the
// transfer (CURLE_WRITE_ERROR): nothing may unwind through libcurl's C frames.
std::size_t abort_for(Transfer& transfer, const char* what) noexcept {
  std::snprintf(transfer.callback_failure.data(), transfer.callback_failure.size(), "%s", what);
  return 0;
}

std::size_t write_body(Transfer* transfer, char* data, std::size_t bytes) {
  if (body_writes_to_fail.load(std::memory_order_relaxed) > 0 &&
      body_writes_to_fail.fetch_sub(1) > 0) {
    throw std::bad_alloc();
  }
  if (transfer->stream != nullptr && !transfer->stream_asked) {
    transfer->stream_asked = true;
    long status = 0;
    curl_easy_getinfo(transfer->handle->easy, CURLINFO_RESPONSE_CODE, &status);
    transfer->streaming =
        transfer->stream->begin(static_cast<int>(status), transfer->response.headers);
  }
  if (transfer->streaming) {
    // Held back, not taken: libcurl hands the same bytes again once the transfer resumes.
    if (transfer->resume && transfer->stream->would_wait(transfer->resume)) {
      transfer->paused = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    transfer->streamed_bytes += bytes;
    if (transfer->streamed_bytes > transfer->max_bytes) {
      transfer->too_large = true;
      return 0;
    }
    std::string& excerpt = transfer->response.body;
    if (excerpt.size() < internal::kKeptBodyBytes) {
      excerpt.append(data, std::min(bytes, internal::kKeptBodyBytes - excerpt.size()));
    }
    transfer->stream->write(data, bytes);
    return bytes;
  }
  if (transfer->response.body.size() + bytes > transfer->max_bytes) {
    transfer->too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  try {
    return write_body(transfer, data, size * count);
  } catch (const std::bad_alloc&) {
    return abort_for(*transfer, "out of memory while receiving the reply");
  } catch (const std::exception& exception) {
    return abort_for(*transfer, exception.what());
  } catch (...) {
    return abort_for(*transfer, "an exception while receiving the reply");
  }
}

std::size_t read_header(Transfer* transfer, char* data, std::size_t bytes) {
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response.headers.clear();  // a new status line (after 100 Continue)
    return bytes;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  // One allocation for a typical reply's headers rather than one per doubling.
  if (transfer->response.headers.empty()) transfer->response.headers.reserve(8);
  transfer->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* transfer = static_cast<Transfer*>(user);
  try {
    return read_header(transfer, data, size * count);
  } catch (const std::bad_alloc&) {
    return abort_for(*transfer, "out of memory while receiving the reply's headers");
  } catch (...) {
    return abort_for(*transfer, "an exception while receiving the reply's headers");
  }
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const ClientOptions& options)
      : connect_timeout_(options.connect_timeout),
        default_timeout_(options.request_timeout),
        proxy_(options.proxy),
        ca_file_(options.ca_file),
        verify_tls_(options.verify_tls),
        user_agent_header_(options.user_agent.empty() ? std::string()
                                                      : "User-Agent: " + options.user_agent),
        accept_compressed_(options.accept_compressed),
        keep_alive_(std::min(options.extensions.get_or<TcpKeepAliveOption>(std::chrono::seconds(0)),
                             kMaxKeepAlive)),
        max_bytes_(options.max_response_bytes),
        max_in_flight_(std::max<std::size_t>(1, options.max_in_flight)) {
    init_curl_once();
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlTransport::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlTransport::unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~CurlTransport() override {
    stop_loop();
    for (CURLM* multi : idle_multis_) curl_multi_cleanup(multi);
    idle_.clear();  // the handles go before the share they use
    curl_share_cleanup(share_);
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override {
    Transfer transfer;
    prepare(transfer, request);
    transfer.stream = request.body_stream.get();
    CURLcode code = curl_easy_perform(transfer.handle->easy);
    Result<HttpResponse> result = finish(transfer, code);
    give_back(transfer, code == CURLE_OK);
    return result;
  }

  std::vector<Result<HttpResponse>> send_all(const std::vector<HttpRequest>& requests,
                                             std::size_t max_concurrency) override {
    std::vector<Result<HttpResponse>> results(
        requests.size(), Result<HttpResponse>(make_error(ErrorCode::Cancelled, "not sent")));
    if (requests.empty()) return results;
    max_concurrency = std::max<std::size_t>(1, max_concurrency);
    std::vector<Transfer> transfers(requests.size());
    CURLM* multi = acquire_multi();
    std::size_t next = 0;
    std::size_t active = 0;
    auto start_next = [&] {
      Transfer& transfer = transfers[next];
      prepare(transfer, requests[next]);
      curl_easy_setopt(transfer.handle->easy, CURLOPT_PRIVATE, reinterpret_cast<char*>(next));
      curl_multi_add_handle(multi, transfer.handle->easy);
      ++next;
      ++active;
    };
    while (next < requests.size() && active < max_concurrency) start_next();
    while (active > 0) {
      int running = 0;
      curl_multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        char* index_pointer = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &index_pointer);
        const auto index = reinterpret_cast<std::size_t>(index_pointer);
        CURLcode code = message->data.result;
        curl_multi_remove_handle(multi, transfers[index].handle->easy);
        results[index] = finish(transfers[index], code);
        give_back(transfers[index], code == CURLE_OK);
        --active;
        if (next < requests.size()) start_next();
      }
      if (active > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    release_multi(multi);
    return results;
  }

  Future<HttpResponse> send_async(HttpRequest request) override {
    auto exchange = std::make_unique<AsyncTransfer>();
    exchange->request = std::move(request);
    Future<HttpResponse> future = exchange->promise.future();
    std::shared_ptr<Loop> loop = start_loop();
    if (!loop) {
      exchange->promise.complete(make_error(ErrorCode::Cancelled, "the transport is closed"));
      return future;
    }
    const std::uint64_t id = exchange->id = loop->next_id.fetch_add(1);
    std::weak_ptr<Loop> weak = loop;
    exchange->promise.on_cancel([weak, id] {
      if (std::shared_ptr<Loop> running = weak.lock()) {
        {
          std::lock_guard<std::mutex> guard(running->mutex);
          running->cancels.push_back(id);
        }
        wake(*running);
      }
    });
    bool first = false;
    {
      std::lock_guard<std::mutex> guard(loop->mutex);
      if (loop->stopping) {
        exchange->promise.complete(make_error(ErrorCode::Cancelled, "the transport is closed"));
        return future;
      }
      first = loop->incoming.empty();
      loop->incoming.push_back(std::move(exchange));
    }
    // The I/O thread takes every waiting transfer at once: only the first of them needs to
    // wake it (a write to the eventfd is a system call; 10,000 calls issued at once made one
    // each).
    if (first) wake(*loop);
    return future;
  }

  void close_async() { stop_loop(); }

  // For tests (curl_probe.hpp): how many sockets the I/O thread counts as in its epoll set
  // that the set does not hold (closed, or their number reused), read on that thread.
  int stale_watches() {
    std::shared_ptr<Loop> loop;
    {
      std::lock_guard<std::mutex> guard(loop_mutex_);
      loop = loop_;
    }
    if (!loop) return 0;
    auto counted = std::make_shared<std::promise<int>>();
    std::future<int> stale = counted->get_future();
    schedule(std::chrono::milliseconds(0), [loop, counted] {
      int missing = 0;
      for (std::size_t index = 0; index < loop->watches.size(); ++index) {
        if (loop->watches[index].events == 0) continue;
        epoll_event event{};
        event.events = loop->watches[index].events;
        event.data.fd = static_cast<int>(index);
        if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, static_cast<int>(index), &event) != 0) {
          ++missing;
        }
      }
      counted->set_value(missing);
    });
    if (stale.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return -1;
    try {
      return stale.get();
    } catch (const std::future_error&) {
      return -1;  // the loop stopped before the count ran
    }
  }

  void schedule(std::chrono::milliseconds delay, std::function<void()> task) override {
    std::shared_ptr<Loop> loop = start_loop();
    if (!loop) return;
    {
      std::lock_guard<std::mutex> guard(loop->mutex);
      if (loop->stopping) return;
      loop->timers.push(
          Timer{std::chrono::steady_clock::now() + delay, loop->timer_sequence++, std::move(task)});
    }
    wake(*loop);
  }

 private:
  // ---- the I/O thread ----

  struct AsyncTransfer {
    std::uint64_t id = 0;
    HttpRequest request;
    Transfer transfer;
    Promise<HttpResponse> promise;
  };
  struct Timer {
    std::chrono::steady_clock::time_point at;
    std::uint64_t sequence;
    std::function<void()> task;
    bool operator>(const Timer& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };
  // A socket in the I/O thread's epoll set: the events asked for (0: not in the set),
  // whether libcurl has stopped watching it (its connection is idle, see watch_socket), and
  // whether it is a connection's, opened by open_socket and closed by close_socket.
  struct SocketWatch {
    std::uint32_t events = 0;
    bool idle = false;
    bool connection = false;
  };
  // What the I/O thread shares with callers; the thread keeps it alive, so it may outlive
  // the transport by the moment it takes the thread to notice.
  //
  // The thread waits in epoll for the sockets libcurl names (CURLMOPT_SOCKETFUNCTION) and
  // for an eventfd that callers write to, and hands libcurl only the sockets that are ready
  // (curl_multi_socket_action): with curl_multi_perform every turn visited every transfer
  // in flight, and polled each one's socket, so a turn cost grew with the calls in flight.
  struct Loop {
    CURLM* multi = nullptr;
    int epoll_fd = -1;
    int wake_fd = -1;  // an eventfd: new transfers, cancellations, timers, stopping
    std::thread thread;
    std::mutex mutex;  // guards what follows
    std::vector<std::unique_ptr<AsyncTransfer>> incoming;
    std::vector<std::uint64_t> cancels;
    std::vector<std::uint64_t> resumes;  // paused transfers whose stream has room again
    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers;
    std::uint64_t timer_sequence = 0;
    bool stopping = false;
    std::atomic<std::uint64_t> next_id{1};
    std::weak_ptr<Loop> self;  // for the resume callbacks of streamed transfers
    // The I/O thread's own.
    std::unordered_map<std::uint64_t, std::unique_ptr<AsyncTransfer>> active;
    std::vector<epoll_event> ready;  // what the last wait returned
    int ready_count = 0;
    std::vector<SocketWatch> watches;      // by socket number (see watch_socket)
    std::vector<curl_socket_t> unwatched;  // sockets epoll_ctl refused (see watch_socket)
    bool curl_timer_set = false;           // libcurl asked to be called back at curl_timer_at
    std::chrono::steady_clock::time_point curl_timer_at;

    ~Loop() {
      if (epoll_fd >= 0) close(epoll_fd);
      if (wake_fd >= 0) close(wake_fd);
    }
  };

  // The loop the calling thread drives, if it is an I/O thread.
  static inline thread_local const Loop* driven_loop = nullptr;

  static void wake(Loop& loop) {
    // A call from the I/O thread itself (a completion that starts the next call, a retry's
    // timer) needs no wake-up: the thread looks at its queues after each turn. Writing the
    // eventfd would cost that thread a write, a read and one more turn of the loop.
    if (driven_loop == &loop) return;
    const std::uint64_t one = 1;
    // A full counter (never, in practice) already means "wake up".
    [[maybe_unused]] const ssize_t written = write(loop.wake_fd, &one, sizeof one);
  }

  // libcurl's CURLMOPT_SOCKETFUNCTION: which events of socket `s` it waits for.
  //
  // A connection's socket stays in epoll between the transfers that use it: libcurl says
  // "remove" when a transfer ends and "add" when the next one takes the connection, and
  // following it cost each call two epoll_ctl system calls. So a socket of a connection that
  // stops waiting for input is only marked idle: an event on it (the server closed the
  // connection, say) takes it out then, and libcurl closes such sockets through close_socket,
  // which takes them out first. Only sockets opened through open_socket are kept so: others
  // (the threaded resolver's socketpair) libcurl closes itself, and a number left marked as
  // watched would leave the next socket given that number out of epoll.
  static int watch_socket(CURL*, curl_socket_t s, int what, void* user, void*) noexcept {
    try {
      auto& loop = *static_cast<Loop*>(user);
      loop.unwatched.erase(std::remove(loop.unwatched.begin(), loop.unwatched.end(), s),
                           loop.unwatched.end());
      if (s < 0) return 0;
      SocketWatch& watch = watch_of(loop, s);
      if (what == CURL_POLL_REMOVE) {
        if (watch.connection && watch.events == EPOLLIN) {
          watch.idle = true;  // reading is all it waited for: kept for the next transfer
        } else {
          unwatch(loop, s);  // not ours to keep, or writable (it would wake every wait)
        }
        return 0;
      }
      const std::uint32_t events = ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0u) |
                                   ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0u);
      watch.idle = false;
      if (watch.events == events) return 0;  // in epoll as wanted already
      epoll_event event{};
      event.events = events;
      event.data.fd = s;
      const bool known = watch.events != 0;
      bool watched =
          epoll_ctl(loop.epoll_fd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &event) == 0;
      if (!watched && errno == (known ? ENOENT : EEXIST)) {
        watched = epoll_ctl(loop.epoll_fd, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s, &event) == 0;
      }
      watch.events = watched ? events : 0;
      // A socket epoll refused (out of memory, max_user_watches) is handed to libcurl every
      // turn instead, for it to check itself, rather than left waiting for its timeout.
      if (!watched) loop.unwatched.push_back(s);
      return 0;
    } catch (...) {
      return -1;  // out of memory for the bookkeeping: libcurl ends the transfer
    }
  }

  // The entry of socket `s` (not negative), made if new. May throw std::bad_alloc.
  static SocketWatch& watch_of(Loop& loop, curl_socket_t s) {
    const auto index = static_cast<std::size_t>(s);
    if (index >= loop.watches.size()) loop.watches.resize(index + 1);
    return loop.watches[index];
  }

  // Takes socket `s` out of epoll, if it is there.
  static void unwatch(Loop& loop, curl_socket_t s) noexcept {
    const auto index = static_cast<std::size_t>(s);
    if (s < 0 || index >= loop.watches.size() || loop.watches[index].events == 0) return;
    epoll_ctl(loop.epoll_fd, EPOLL_CTL_DEL, s, nullptr);
    loop.watches[index].events = 0;
    loop.watches[index].idle = false;
  }

  // CURLOPT_OPENSOCKETFUNCTION of the transfers on the I/O thread: their connections'
  // sockets, marked as such (see watch_socket), and closed on exec.
  static curl_socket_t open_socket(void* user, curlsocktype, curl_sockaddr* address) noexcept {
    auto& loop = *static_cast<Loop*>(user);
    const curl_socket_t s =
        socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (s < 0) return CURL_SOCKET_BAD;
    try {
      SocketWatch& watch = watch_of(loop, s);
      watch = SocketWatch{};
      watch.connection = true;
    } catch (...) {
      close(s);  // no room to note it: libcurl reports the connection as failed
      return CURL_SOCKET_BAD;
    }
    return s;
  }

  // CURLOPT_CLOSESOCKETFUNCTION of the transfers on the I/O thread (libcurl keeps it with
  // each connection they open): the socket leaves epoll before its number can be reused.
  static int close_socket(void* user, curl_socket_t s) noexcept {
    auto& loop = *static_cast<Loop*>(user);
    unwatch(loop, s);
    const auto index = static_cast<std::size_t>(s);
    if (s >= 0 && index < loop.watches.size()) loop.watches[index] = SocketWatch{};
    return close(s);
  }

  // libcurl's CURLMOPT_TIMERFUNCTION: when to call it back without socket activity (-1:
  // never). Never calls libcurl from here; the next turn does.
  static int set_curl_timer(CURLM*, long timeout_ms, void* user) {
    auto& loop = *static_cast<Loop*>(user);
    loop.curl_timer_set = timeout_ms >= 0;
    if (loop.curl_timer_set) {
      loop.curl_timer_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    return 0;
  }

  std::shared_ptr<Loop> start_loop() {
    std::lock_guard<std::mutex> guard(loop_mutex_);
    if (loop_ || closing_) return loop_;
    auto loop = std::make_shared<Loop>();
    loop->self = loop;
    loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event wake_event{};
    wake_event.events = EPOLLIN;
    wake_event.data.fd = loop->wake_fd;
    if (loop->epoll_fd < 0 || loop->wake_fd < 0 ||
        epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->wake_fd, &wake_event) != 0) {
      return nullptr;  // out of descriptors: async calls fail as on a closed transport
    }
    loop->ready.resize(64);
    loop->multi = curl_multi_init();
    // The multi handle's pool is the async calls' connections: at most one per call in
    // flight, kept open between calls.
    curl_multi_setopt(loop->multi, CURLMOPT_MAXCONNECTS, static_cast<long>(max_in_flight_));
    curl_multi_setopt(loop->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(max_in_flight_));
    curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, &CurlTransport::watch_socket);
    curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop.get());
    curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION, &CurlTransport::set_curl_timer);
    curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop.get());
    std::weak_ptr<HttpTransport> weak = weak_from_this();
    loop->thread = std::thread([loop, weak] { run_loop(loop, weak); });
    loop_ = loop;
    return loop;
  }

  static void run_loop(const std::shared_ptr<Loop>& loop,
                       const std::weak_ptr<HttpTransport>& weak) {
    pthread_setname_np(pthread_self(), "erpbridge-io");  // what ps, top and gdb show
    driven_loop = loop.get();
    bool looked_again = false;
    for (;;) {
      {
        std::lock_guard<std::mutex> guard(loop->mutex);
        if (loop->stopping) return;
      }
      // The transport stays alive while this turn runs; if a completion drops its last
      // reference, it is destroyed when `self` goes, on this thread, which then stops.
      std::shared_ptr<HttpTransport> self = weak.lock();
      if (!self) return;
      long wait_ms = 0;
      {
        // What this turn completes is handed to the completion threads with one wake-up.
        internal::ThreadPool::WakeBatch batch;
        wait_ms = static_cast<CurlTransport*>(self.get())->turn(*loop);
      }
      self.reset();
      if (loop->multi == nullptr) return;  // closed by this very turn (see stop_loop)
      wait_ms = std::min(wait_ms, queued_wait(*loop));
      if (wait_ms == 0 && !looked_again) {
        // Work this thread queued for itself (see wake): one more turn takes it at once.
        // Only once in a row, so that sockets are still looked at between such turns.
        looked_again = true;
        loop->ready_count = 0;
        continue;
      }
      looked_again = false;
      const int ready = epoll_wait(loop->epoll_fd, loop->ready.data(),
                                   static_cast<int>(loop->ready.size()), static_cast<int>(wait_ms));
      loop->ready_count = std::max(0, ready);
    }
  }

  // How long the loop may wait given what this thread queued for itself during the turn
  // (see wake): nothing if work is queued, else until the first timer.
  static long queued_wait(Loop& loop) {
    std::lock_guard<std::mutex> guard(loop.mutex);
    if (loop.stopping || !loop.incoming.empty() || !loop.cancels.empty() || !loop.resumes.empty()) {
      return 0;
    }
    if (loop.timers.empty()) return std::numeric_limits<long>::max();
    const auto until = std::chrono::ceil<std::chrono::milliseconds>(
        loop.timers.top().at - std::chrono::steady_clock::now());
    return std::max<long>(0, static_cast<long>(until.count()));
  }

  // One turn of the loop: new transfers, cancellations, due timers, progress, completions.
  // Returns how long the loop may wait for activity.
  long turn(Loop& loop) {
    // The wake-up is consumed before the queues are taken: a caller that queues after the
    // swap below writes the eventfd again, and the next wait returns at once. (Consumed
    // after the swap, it could swallow such a write and leave that call waiting.)
    for (int i = 0; i < loop.ready_count; ++i) {
      if (loop.ready[static_cast<std::size_t>(i)].data.fd != loop.wake_fd) continue;
      std::uint64_t count = 0;
      [[maybe_unused]] const ssize_t drained = read(loop.wake_fd, &count, sizeof count);
    }
    std::vector<std::unique_ptr<AsyncTransfer>> incoming;
    std::vector<std::uint64_t> cancels;
    std::vector<std::uint64_t> resumes;
    std::vector<std::function<void()>> due;
    long wait_ms = 1000;
    {
      std::lock_guard<std::mutex> guard(loop.mutex);
      incoming.swap(loop.incoming);
      cancels.swap(loop.cancels);
      resumes.swap(loop.resumes);
      const auto now = std::chrono::steady_clock::now();
      while (!loop.timers.empty() && loop.timers.top().at <= now) {
        due.push_back(std::move(const_cast<Timer&>(loop.timers.top()).task));
        loop.timers.pop();
      }
      if (!loop.timers.empty()) {
        const auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(loop.timers.top().at - now);
        wait_ms = std::min<long>(wait_ms, std::max<long>(1, static_cast<long>(until.count())));
      }
    }
    for (auto& exchange : incoming) {
      AsyncTransfer& async = *exchange;
      prepare(async.transfer, async.request, /*may_pause=*/async.request.body_stream != nullptr);
      if (async.request.body_stream) {
        async.transfer.stream = async.request.body_stream.get();
        async.transfer.resume = [weak = loop.self, id = async.id]() noexcept {
          const std::shared_ptr<Loop> target = weak.lock();
          if (!target) return;
          try {
            std::lock_guard<std::mutex> guard(target->mutex);
            target->resumes.push_back(id);
          } catch (...) {
            return;  // out of memory: the transfer stays paused until its timeout ends it
          }
          wake(*target);
        };
      }
      CURL* easy = async.transfer.handle->easy;
      curl_easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<char*>(async.id));
      curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlTransport::open_socket);
      curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &loop);
      curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlTransport::close_socket);
      curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, &loop);
      const CURLMcode added = curl_multi_add_handle(loop.multi, easy);
      if (added != CURLM_OK) {  // nothing was sent
        give_back(async.transfer, /*ended_whole=*/true);
        Error error = make_error(ErrorCode::Transport, std::string("starting the transfer: ") +
                                                           curl_multi_strerror(added));
        error.retryable = true;
        async.promise.complete(std::move(error));
        continue;
      }
      loop.active.emplace(async.id, std::move(exchange));
    }
    for (std::uint64_t id : cancels) {
      auto found = loop.active.find(id);
      if (found == loop.active.end()) continue;  // finished meanwhile
      std::unique_ptr<AsyncTransfer> async = std::move(found->second);
      loop.active.erase(found);
      CURL* easy = async->transfer.handle->easy;
      long request_bytes = 0;
      curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
      curl_multi_remove_handle(loop.multi, easy);
      end_stream_cut_short(async->transfer);
      give_back(async->transfer, /*ended_whole=*/false);
      Error error = make_error(ErrorCode::Cancelled, "cancelled");
      error.outcome_unknown = request_bytes > 0 && !async->request.idempotent;
      async->promise.complete(std::move(error));
    }
    for (std::uint64_t id : resumes) {
      auto found = loop.active.find(id);
      if (found == loop.active.end()) continue;  // finished or cancelled meanwhile
      // libcurl may hand the held-back bytes over at once, from within this call; if that
      // write fails (over the size cap, say), libcurl leaves the transfer to us: it ends here.
      const CURLcode resumed =
          curl_easy_pause(found->second->transfer.handle->easy, CURLPAUSE_CONT);
      if (resumed != CURLE_OK) complete_transfer(loop, id, resumed);
    }
    for (auto& task : due) task();
    // The sockets the last wait found ready, then libcurl's own timeouts (a transfer just
    // added is started this way: libcurl asks for a call back at once).
    int running = 0;
    for (int i = 0; i < loop.ready_count; ++i) {
      const epoll_event& event = loop.ready[static_cast<std::size_t>(i)];
      if (event.data.fd == loop.wake_fd) continue;  // consumed above
      const auto index = static_cast<std::size_t>(event.data.fd);
      if (index < loop.watches.size() && loop.watches[index].idle) {
        unwatch(loop, event.data.fd);  // no transfer waits on it; libcurl checks it on reuse
        continue;
      }
      int mask = 0;
      if ((event.events & EPOLLIN) != 0) mask |= CURL_CSELECT_IN;
      if ((event.events & EPOLLOUT) != 0) mask |= CURL_CSELECT_OUT;
      if ((event.events & (EPOLLERR | EPOLLHUP)) != 0) mask |= CURL_CSELECT_ERR;
      curl_multi_socket_action(loop.multi, event.data.fd, mask, &running);
    }
    loop.ready_count = 0;
    for (const curl_socket_t socket : std::vector<curl_socket_t>(loop.unwatched)) {
      curl_multi_socket_action(loop.multi, socket, 0, &running);
    }
    if (loop.curl_timer_set && loop.curl_timer_at <= std::chrono::steady_clock::now()) {
      loop.curl_timer_set = false;
      curl_multi_socket_action(loop.multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(loop.multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      char* id_pointer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &id_pointer);
      const auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(id_pointer));
      complete_transfer(loop, id, message->data.result);
    }
    if (loop.curl_timer_set) {
      // Rounded up: a wait that ended before libcurl's moment would only turn round again.
      const auto until = std::chrono::ceil<std::chrono::milliseconds>(
          loop.curl_timer_at - std::chrono::steady_clock::now());
      wait_ms = std::min<long>(wait_ms, std::max<long>(0, static_cast<long>(until.count())));
    }
    if (!loop.unwatched.empty()) wait_ms = std::min<long>(wait_ms, 10);
    return wait_ms;
  }

  // Ends the active transfer `id` with libcurl's verdict `code`.
  void complete_transfer(Loop& loop, std::uint64_t id, CURLcode code) {
    auto found = loop.active.find(id);
    if (found == loop.active.end()) return;
    std::unique_ptr<AsyncTransfer> async = std::move(found->second);
    loop.active.erase(found);
    curl_multi_remove_handle(loop.multi, async->transfer.handle->easy);
    Result<HttpResponse> outcome = finish(async->transfer, code);
    give_back(async->transfer, code == CURLE_OK);
    async->promise.complete(std::move(outcome));
  }

  // Stops the I/O thread; every transfer still pending completes with Cancelled.
  void stop_loop() {
    std::shared_ptr<Loop> loop;
    {
      std::lock_guard<std::mutex> guard(loop_mutex_);
      closing_ = true;  // no new loop from a completion run below
      loop = std::move(loop_);
    }
    if (!loop) return;
    std::vector<std::unique_ptr<AsyncTransfer>> incoming;
    {
      std::lock_guard<std::mutex> guard(loop->mutex);
      loop->stopping = true;
      incoming.swap(loop->incoming);
      while (!loop->timers.empty()) loop->timers.pop();
    }
    wake(*loop);
    if (loop->thread.get_id() == std::this_thread::get_id()) {
      loop->thread.detach();  // destroyed by a completion on the I/O thread itself
    } else {
      loop->thread.join();
    }
    auto closed = [] {
      return make_error(ErrorCode::Cancelled, "the transport was closed with the call pending");
    };
    for (auto& [id, async] : loop->active) {
      CURL* easy = async->transfer.handle->easy;
      long request_bytes = 0;
      curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
      curl_multi_remove_handle(loop->multi, easy);
      end_stream_cut_short(async->transfer);
      give_back(async->transfer, /*ended_whole=*/false);
      Error error = closed();
      error.outcome_unknown = request_bytes > 0 && !async->request.idempotent;
      async->promise.complete(std::move(error));
    }
    loop->active.clear();
    for (auto& async : incoming) async->promise.complete(closed());
    curl_multi_cleanup(loop->multi);
    loop->multi = nullptr;
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlTransport*>(user)->share_locks_[static_cast<std::size_t>(data) % kLocks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlTransport*>(user)
        ->share_locks_[static_cast<std::size_t>(data) % kLocks]
        .unlock();
  }

  // A multi handle for one batch at a time; its connections stay open for the next batch.
  CURLM* acquire_multi() {
    {
      std::lock_guard<std::mutex> guard(pool_mutex_);
      if (!idle_multis_.empty()) {
        CURLM* multi = idle_multis_.back();
        idle_multis_.pop_back();
        return multi;
      }
    }
    CURLM* multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, kMaxBatchConnections);
    return multi;
  }

  void release_multi(CURLM* multi) {
    std::lock_guard<std::mutex> guard(pool_mutex_);
    idle_multis_.push_back(multi);
  }

  std::unique_ptr<Handle> acquire() {
    {
      std::lock_guard<std::mutex> guard(pool_mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<Handle> handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    auto handle = std::make_unique<Handle>(curl_easy_init());
    configure(*handle);
    return handle;
  }

  // Handles keep the options that are the same for every request: setting them again per
  // call (after curl_easy_reset) cost more client CPU than the rest of a typed call.
  // Every path that ends a transfer gives its handle back here. One that was paused and did
  // not end whole is dropped, not pooled: libcurl may still hold its held-back bytes.
  void give_back(Transfer& transfer, bool ended_whole) {
    std::unique_ptr<Handle> handle = std::move(transfer.handle);
    if (!handle || (transfer.paused && !ended_whole)) return;
    // Nothing may point into the finished transfer or the caller's request.
    CURL* easy = handle->easy;
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, nullptr);  // connections it opens next
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, nullptr);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, nullptr);
    std::lock_guard<std::mutex> guard(pool_mutex_);
    idle_.push_back(std::move(handle));
  }

  // The options of every request, set once per handle.
  void configure(Handle& handle) {
    CURL* easy = handle.easy;
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle.error_buffer.data());
    curl_easy_setopt(easy, CURLOPT_SHARE, share_);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXCONNECTS, kMaxHandleConnections);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count()));
    curl_easy_setopt(easy, CURLOPT_PROXY, proxy_.c_str());  // "" disables environment proxies
    if (!ca_file_.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file_.c_str());
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, verify_tls_ ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, verify_tls_ ? 2L : 0L);
    if (accept_compressed_) curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    if (keep_alive_.count() > 0) {
      curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
      curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, static_cast<long>(keep_alive_.count()));
      curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, static_cast<long>(keep_alive_.count()));
    }
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes_));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
  }

  // The options that differ between requests; each is set for every request, so nothing
  // carries over from the handle's previous one.
  //
  // `may_pause`: the transfer may be paused while its stream catches up. It then keeps to
  // HTTP/1.1: libcurl of this era (7.88) could stall pausing one stream of a shared HTTP/2
  // connection (curl issues 10988, 6356); other transfers let libcurl choose.
  void prepare(Transfer& transfer, const HttpRequest& request, bool may_pause = false) {
    transfer.handle = acquire();
    transfer.request = &request;
    transfer.max_bytes = max_bytes_;
    Handle& handle = *transfer.handle;
    CURL* easy = handle.easy;
    handle.error_buffer[0] = '\0';
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    const auto timeout = request.timeout.count() > 0 ? request.timeout : default_timeout_;
    if (handle.timeout_ms != static_cast<long>(timeout.count())) {
      handle.timeout_ms = static_cast<long>(timeout.count());
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, handle.timeout_ms);
    }
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    // POST, PUT and PATCH always carry a body, if empty then as "Content-Length: 0": without
    // it servers wait for a body that never comes.
    const bool sends_body =
        request.method != HttpMethod::Get &&
        (!request.body.empty() || request.method == HttpMethod::Post ||
         request.method == HttpMethod::Put || request.method == HttpMethod::Patch);
    if (sends_body) {
      // POSTFIELDS makes the request a POST; CUSTOMREQUEST below renames PUT and the like.
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    } else {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    }
    const bool custom = request.method != HttpMethod::Get && request.method != HttpMethod::Post;
    if (custom || handle.custom_method) {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, custom ? to_string(request.method) : nullptr);
      handle.custom_method = custom;
    }
    if (may_pause != handle.http1_only) {
      curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                       may_pause ? static_cast<long>(CURL_HTTP_VERSION_1_1)
                                 : static_cast<long>(CURL_HTTP_VERSION_2TLS));  // the default
      handle.http1_only = may_pause;
    }
    set_header_list(handle, request.headers);
  }

  // The request's headers as libcurl's list, built in the handle's reused buffers rather
  // than with curl_slist_append, which allocates twice per line.
  void set_header_list(Handle& handle, const HttpHeaders& headers) {
    static constexpr std::string_view kNoExpect = "Expect:";  // no "100-continue" round trip
    // A header line rather than CURLOPT_USERAGENT, which libcurl formats anew per request.
    const bool add_user_agent =
        !user_agent_header_.empty() && find_header(headers, "User-Agent") == nullptr;
    std::size_t size = kNoExpect.size() + 1 + (add_user_agent ? user_agent_header_.size() + 1 : 0);
    for (const auto& header : headers) size += header.first.size() + 2 + header.second.size() + 1;
    std::string& text = handle.header_text;
    std::vector<curl_slist>& nodes = handle.header_nodes;
    text.clear();
    text.reserve(size);  // no reallocation below, so the nodes' pointers stay valid
    nodes.clear();
    auto add_line = [&](std::string_view name, std::string_view separator, std::string_view value) {
      const std::size_t start = text.size();
      text.append(name).append(separator).append(value).push_back('\0');
      nodes.push_back(curl_slist{&text[start], nullptr});
    };
    for (const auto& header : headers) add_line(header.first, ": ", header.second);
    add_line(kNoExpect, {}, {});
    if (add_user_agent) add_line(user_agent_header_, {}, {});
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) nodes[i].next = &nodes[i + 1];
    curl_easy_setopt(handle.easy, CURLOPT_HTTPHEADER, nodes.data());
  }

  // A transfer given up before its end: its stream's consumer stops.
  static void end_stream_cut_short(Transfer& transfer) {
    if (!transfer.streaming) return;
    transfer.streaming = false;
    transfer.stream->end(false);
  }

  Result<HttpResponse> finish(Transfer& transfer, CURLcode code) {
    if (transfer.streaming) {
      transfer.stream->end(code == CURLE_OK);
      transfer.response.body_streamed = true;
    }
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(transfer.handle->easy, CURLINFO_RESPONSE_CODE, &status);
      transfer.response.status = static_cast<int>(status);
      CURL* easy = transfer.handle->easy;
      auto phase = [easy](CURLINFO info) {
        curl_off_t microseconds = 0;
        curl_easy_getinfo(easy, info, &microseconds);
        return std::chrono::microseconds(microseconds);
      };
      TransferTimings& timings = transfer.response.timings;
      timings.name_lookup = phase(CURLINFO_NAMELOOKUP_TIME_T);
      timings.connect = phase(CURLINFO_CONNECT_TIME_T);
      timings.tls = phase(CURLINFO_APPCONNECT_TIME_T);
      timings.first_byte = phase(CURLINFO_STARTTRANSFER_TIME_T);
      timings.total = phase(CURLINFO_TOTAL_TIME_T);
      transfer.response.body_bytes =
          transfer.streaming ? transfer.streamed_bytes : transfer.response.body.size();
      return std::move(transfer.response);
    }
    const HttpRequest& request = *transfer.request;
    std::string target =
        std::string(to_string(request.method)) + " " + internal::RedactionPolicy().url(request.url);
    if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return make_error(ErrorCode::Transport, target + ": response body exceeds the limit of " +
                                                  std::to_string(max_bytes_) + " bytes");
    }
    if (transfer.callback_failure[0] != '\0') {
      // Not repeated by a retry loop (memory is not likely to come back at once), and
      // reported as possibly acted on: the request had gone out, the reply was lost here.
      Error error =
          make_error(ErrorCode::Transport, target + ": " + transfer.callback_failure.data());
      error.outcome_unknown = true;
      return error;
    }
    const auto& error_buffer = transfer.handle->error_buffer;
    std::string detail = error_buffer[0] != '\0' ? error_buffer.data() : curl_easy_strerror(code);
    Error error;
    error.retryable = true;
    // Once the request has gone out, the server may have acted on it whatever went wrong
    // afterwards; before that (connecting, TLS handshake) it cannot have.
    long request_bytes = 0;
    curl_easy_getinfo(transfer.handle->easy, CURLINFO_REQUEST_SIZE, &request_bytes);
    error.outcome_unknown = request_bytes > 0;
    if (code == CURLE_OPERATION_TIMEDOUT) {
      error.code = ErrorCode::Timeout;
      error.message = target + ": timed out: " + detail;
    } else {
      error.code = ErrorCode::Transport;
      error.message = target + ": " + detail + " (curl " + std::to_string(code) + ")";
      // TLS and protocol failures will fail the same way again.
      if (code == CURLE_SSL_CACERT || code == CURLE_PEER_FAILED_VERIFICATION ||
          code == CURLE_SSL_CERTPROBLEM || code == CURLE_UNSUPPORTED_PROTOCOL ||
          code == CURLE_URL_MALFORMAT) {
        error.retryable = false;
      }
    }
    return error;
  }

  static constexpr std::size_t kLocks = CURL_LOCK_DATA_LAST;
  // Linux refuses a longer TCP_KEEPIDLE or TCP_KEEPINTVL, and libcurl 7.88 then keeps the
  // kernel's defaults (2 h idle) without a word.
  static constexpr std::chrono::seconds kMaxKeepAlive{32767};
  // Idle connections kept by each pooled handle (one per server it talks to, typically) and
  // by each pooled multi handle (one per window of a batch).
  static constexpr long kMaxHandleConnections = 4;
  static constexpr long kMaxBatchConnections = 64;

  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds default_timeout_;
  std::string proxy_;
  std::string ca_file_;
  bool verify_tls_;
  std::string user_agent_header_;  // "User-Agent: ..." or empty for none
  bool accept_compressed_;
  std::chrono::seconds keep_alive_;  // zero: no TCP keep-alive probes
  std::size_t max_bytes_;

  CURLSH* share_ = nullptr;
  std::array<std::mutex, kLocks> share_locks_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Handle>> idle_;
  std::vector<CURLM*> idle_multis_;
  std::size_t max_in_flight_;
  std::mutex loop_mutex_;
  std::shared_ptr<Loop> loop_;  // started by the first async call
  bool closing_ = false;
};

}  // namespace

namespace internal {

void fail_next_body_writes(int count) {
  body_writes_to_fail.store(count);
}

int stale_epoll_watches(HttpTransport& transport) {
  auto* curl = dynamic_cast<CurlTransport*>(&transport);
  return curl != nullptr ? curl->stale_watches() : -1;
}

}  // namespace internal

void shutdown_curl_transport(HttpTransport& transport) {
  if (auto* curl = dynamic_cast<CurlTransport*>(&transport)) curl->close_async();
}

std::shared_ptr<HttpTransport> make_curl_transport(const ClientOptions& options) {
  return std::make_shared<CurlTransport>(options);
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
