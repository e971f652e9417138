// `erpbridge wms serve`: the CreateEntryConfirmation receiver as a program, on a durable
// claim store; `erpbridge wms inbox`: what it accepted.
#include <fcntl.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "commands.hpp"
#include "erpbridge/wms/postgres_store.hpp"
#include "erpbridge/wms/receiver.hpp"
#include "erpbridge/wms/sqlite_store.hpp"
#include "erpbridge/wms/token_issuer.hpp"
#include "metrics.hpp"

namespace erpbridge::cli {
namespace {

// "memory", "sqlite:PATH" or "postgres:CONNINFO".
std::shared_ptr<wms::ReceiverStore> open_store(const std::string& spec) {
  Result<std::shared_ptr<wms::ReceiverStore>> store = Error{};
  if (spec == "memory") {
    store = wms::make_memory_store();
  } else if (spec.rfind("sqlite:", 0) == 0 && spec.size() > 7) {
    store = wms::open_sqlite_store(spec.substr(7));
  } else if (spec.rfind("postgres:", 0) == 0 && spec.size() > 9) {
    store = wms::open_postgres_store(spec.substr(9));
  } else {
    throw UsageError{"--store must be memory, sqlite:PATH or postgres:CONNINFO, not " + spec};
  }
  if (!store.ok()) throw UsageError{"--store: " + store.error().to_string()};
  return *store;
}

// Connections being served, shared by the server's task queue (which httplib owns and
// deletes when listening ends) and the drain that waits for them to end.
struct ConnectionSlots {
  std::mutex mutex;
  std::condition_variable freed;
  std::size_t active = 0;

  /// Waits until no connection is being served, at most until `deadline`; true if none is.
  bool wait_idle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex);
    return freed.wait_until(lock, deadline, [this] { return active == 0; });
  }
};

// Serves at most `limit` connections at a time: the listener waits for a free worker instead
// of queueing without bound, so further clients wait in the kernel's backlog.
class BoundedQueue : public httplib::TaskQueue {
 public:
  BoundedQueue(std::size_t limit, std::shared_ptr<ConnectionSlots> slots)
      : limit_(limit), slots_(std::move(slots)), pool_(limit) {}
  void enqueue(std::function<void()> fn) override {
    {
      std::unique_lock<std::mutex> lock(slots_->mutex);
      slots_->freed.wait(lock, [this] { return slots_->active < limit_; });
      ++slots_->active;
    }
    pool_.enqueue([slots = slots_, fn = std::move(fn)] {
      fn();
      {
        std::lock_guard<std::mutex> guard(slots->mutex);
        --slots->active;
      }
      slots->freed.notify_all();
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  std::size_t limit_;
  std::shared_ptr<ConnectionSlots> slots_;
  httplib::ThreadPool pool_;
};

// Handler mode's application: each delivered order appended to a log file as one line
// "ENTRY_CODE BIL_NO", synced before the reply is stored. The receiver runs a handler again
// only when its holder died before storing the reply; this one is idempotent by entry_code
// (it reads its log on start and answers an order already in it with the logged bill), so
// the log holds each order once even then.
class DeliveryLog {
 public:
  explicit DeliveryLog(const std::string& path) {
    std::ifstream existing(path);
    for (std::string line; std::getline(existing, line);) {
      const std::size_t space = line.find(' ');
      if (space != std::string::npos) logged_[line.substr(0, space)] = line.substr(space + 1);
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) throw UsageError{"cannot open --log " + path};
  }
  ~DeliveryLog() { ::close(fd_); }
  DeliveryLog(const DeliveryLog&) = delete;
  DeliveryLog& operator=(const DeliveryLog&) = delete;

  /// The bill logged for `entry_code` by an earlier delivery, if any.
  std::optional<std::string> logged(const std::string& entry_code) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto found = logged_.find(entry_code);
    if (found == logged_.end()) return std::nullopt;
    return found->second;
  }

  Result<void> append(const std::string& entry_code, const std::string& bil_no) {
    std::lock_guard<std::mutex> guard(mutex_);
    const std::string text = entry_code + " " + bil_no + "\n";
    if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::fdatasync(fd_) != 0) {
      return make_error(ErrorCode::Transport, "cannot write the delivery log");
    }
    logged_[entry_code] = bil_no;
    return ok();
  }

 private:
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> logged_;
};

// A request's header fields as the SDK's endpoints take them.
HttpHeaders headers_of(const httplib::Request& in) {
  HttpHeaders headers;
  for (const auto& header : in.headers) headers.emplace_back(header.first, header.second);
  return headers;
}

std::string stamp(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Which Authorization tokens pushes may carry: tokens this server issued (--issue-tokens),
// the static token, or either.
wms::TokenChecker token_checker(const ServeOptions& options, const Settings& settings,
                                std::unique_ptr<wms::TokenIssuer>& issuer) {
  std::vector<wms::TokenChecker> checkers;
  if (options.issue_tokens) {
    wms::TokenIssuerOptions issuing;
    issuing.client_id = settings.required("wms", "client_id", options.client_id);
    issuing.client_secret =
        settings.required_secret("wms", "client_secret", options.client_secret_file);
    if (issuing.client_secret.size() < 16) {
      throw UsageError{"the wms client_secret must be at least 16 characters"};
    }
    issuing.lifetime = std::chrono::seconds(options.token_lifetime);
    issuer = std::make_unique<wms::TokenIssuer>(issuing);
    checkers.push_back(issuer->checker());
    std::optional<std::string> fixed = settings.secret("wms", "token", options.token_file);
    if (fixed && !fixed->empty()) checkers.push_back(wms::expect_token(*fixed));
  } else {
    checkers.push_back(
        wms::expect_token(settings.required_secret("wms", "token", options.token_file)));
  }
  return wms::accept_any(std::move(checkers));
}

int serve(const ServeOptions& options, const Settings& settings) {
  std::unique_ptr<wms::TokenIssuer> issuer;
  const wms::TokenChecker checker = token_checker(options, settings, issuer);
  if (options.tls_cert.has_value() != options.tls_key.has_value()) {
    throw UsageError{"--tls-cert and --tls-key go together"};
  }
  if (options.mode == "log" && options.log_file.empty()) {
    throw UsageError{"--mode log needs --log FILE"};
  }
  // Stop signals are taken by the main thread alone (sigwait below): blocked before any
  // thread starts (the stores start theirs), since every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::shared_ptr<wms::ReceiverStore> store = open_store(options.store);
  wms::ReceiverOptions limits;
  limits.max_body_bytes = options.max_body;
  limits.lease = std::chrono::seconds(options.lease_seconds);

  std::unique_ptr<DeliveryLog> log;
  std::unique_ptr<wms::Receiver> receiver;
  if (options.mode == "inbox") {
    receiver = std::make_unique<wms::Receiver>(wms::InboxMode{}, checker, store, limits);
  } else {
    log = std::make_unique<DeliveryLog>(options.log_file);
    DeliveryLog* sink = log.get();
    auto numbers = store;
    receiver = std::make_unique<wms::Receiver>(
        [sink, numbers](const wms::EntryConfirmation& order) -> Result<wms::PushReply> {
          const std::string& code = order.order.entry_code;
          if (auto bil_no = sink->logged(code))
            return wms::PushReply{"0", "新增成功", "LG", *bil_no};
          Result<std::int64_t> sequence = numbers->next_sequence("log");
          if (!sequence.ok()) return std::move(sequence).error();
          wms::PushReply reply{"0", "新增成功", "LG", "LG" + std::to_string(*sequence)};
          Result<void> written = sink->append(code, reply.bil_no);
          if (!written.ok()) return std::move(written).error();
          return reply;
        },
        checker, store, limits);
  }

  std::unique_ptr<httplib::Server> server;
  if (options.tls_cert) {
    server =
        std::make_unique<httplib::SSLServer>(options.tls_cert->c_str(), options.tls_key->c_str());
    if (!server->is_valid()) throw UsageError{"cannot load --tls-cert/--tls-key"};
  } else {
    server = std::make_unique<httplib::Server>();
  }
  const std::size_t workers = std::max<std::size_t>(1, options.max_connections);
  auto connections = std::make_shared<ConnectionSlots>();
  server->new_task_queue = [workers, connections] {
    return new BoundedQueue(workers, connections);
  };
  // SO_REUSEADDR only (httplib's default adds SO_REUSEPORT, which would let a second serve
  // share the port silently); the socket is kept to raise httplib's backlog of 5 below.
  int listen_fd = -1;
  server->set_socket_options([&listen_fd](socket_t fd) {
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    listen_fd = fd;
  });
  server->set_tcp_nodelay(true);
  server->set_read_timeout(options.read_timeout, 0);
  server->set_write_timeout(options.write_timeout, 0);
  server->set_keep_alive_timeout(5);
  // WMS's connections are kept for many pushes (httplib's default closes one after 5).
  server->set_keep_alive_max_count(1000);
  // Bodies a little over the limit still reach the receiver, which answers 413 in the
  // document's shape; far larger ones are refused by the server itself.
  server->set_payload_max_length(options.max_body + 1024 * 1024);
  wms::Receiver* handler = receiver.get();
  ServeMetrics metrics(*receiver);
  ServeMetrics* measured = &metrics;
  server->Post("/CreateEntryConfirmation", [handler, measured](const httplib::Request& in,
                                                               httplib::Response& out) {
    const auto started = std::chrono::steady_clock::now();
    measured->push_started();
    wms::ReceiverReply reply = handler->handle(headers_of(in), in.body);
    measured->push_finished(reply.http_status, std::chrono::steady_clock::now() - started);
    out.status = reply.http_status;
    if (reply.retry_after_seconds) {
      out.set_header("Retry-After", std::to_string(*reply.retry_after_seconds));
    }
    // Draining: the client's next push goes out on a new connection, which a
    // successor or another replica takes once this one stops listening.
    if (reply.close_connection) out.set_header("Connection", "close");
    out.set_content(reply.body, "application/json; charset=utf-8");
  });
  if (issuer) {
    const wms::TokenIssuer* tokens = issuer.get();
    server->Post("/auth/token", [tokens](const httplib::Request& in, httplib::Response& out) {
      const wms::ReceiverReply reply = tokens->handle(headers_of(in), in.body);
      out.status = reply.http_status;
      out.set_content(reply.body, "application/json; charset=utf-8");
    });
  }
  // Liveness: the process answers. Readiness: it takes pushes (not draining, store answers).
  auto alive = [](const httplib::Request&, httplib::Response& out) {
    out.set_content(R"({"status":"ok"})", "application/json");
  };
  server->Get("/healthz", alive);
  server->Get("/health", alive);
  // Counters, gauges and push durations in the Prometheus text format.
  server->Get("/metrics", [measured](const httplib::Request&, httplib::Response& out) {
    out.set_content(measured->scrape(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server->Get("/readyz", [handler](const httplib::Request&, httplib::Response& out) {
    Result<void> ready = handler->ready();
    if (ready.ok()) {
      out.set_content(R"({"status":"ready"})", "application/json");
      return;
    }
    // The store's error may name its host and user: it goes to the log, not to the prober.
    out.status = 503;
    if (handler->draining()) {
      out.set_content(R"({"status":"draining"})", "application/json");
    } else {
      std::fprintf(stderr, "erpbridge wms serve: not ready: %s\n",
                   ready.error().to_string().c_str());
      out.set_content(R"({"status":"store unavailable"})", "application/json");
    }
  });
  const int port = options.port == 0
                       ? server->bind_to_any_port(options.bind)
                       : (server->bind_to_port(options.bind, options.port) ? options.port : -1);
  if (port <= 0) {
    std::fprintf(stderr, "erpbridge: cannot listen on %s:%d\n", options.bind.c_str(), options.port);
    return kFailed;
  }
  // A burst of WMS connections (a shift change) would overflow a backlog of 5, and each
  // dropped SYN costs its sender a second: listening again raises it.
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  // Listening ends only through stop() below; if it ends by itself (an accept error), the
  // main thread is woken as by SIGTERM and the process exits with a failure.
  const pthread_t main_thread = pthread_self();
  std::atomic<bool> stopping{false};
  std::atomic<bool> listen_failed{false};
  std::thread serving([&] {
    server->listen_after_bind();
    if (!stopping) {
      listen_failed = true;
      pthread_kill(main_thread, SIGTERM);
    }
  });
  std::printf("erpbridge wms serve: listening on %s://%s:%d (%s mode, store %s)\n",
              options.tls_cert ? "https" : "http", options.bind.c_str(), port, options.mode.c_str(),
              options.store.rfind("postgres:", 0) == 0 ? "postgres" : options.store.c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  // Graceful, in two steps. First drain: still listening, every new push is answered 503
  // with Retry-After and Connection: close (its body unused), /readyz says draining, and
  // pushes in progress finish; this lasts until no connection is left or --drain-seconds
  // passed. Then stop listening: requests already being read are still answered (503), and
  // only a connection the kernel took at the last moment is dropped unanswered (its sender
  // pushes again; nothing was stored for it).
  const auto drain_until =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.drain_seconds);
  receiver->drain();
  // A second SIGTERM or SIGINT while draining means "now": the process ends at once, as if
  // it had crashed. Everything answered 200 is stored; a push in progress gets no answer
  // and its sender pushes it again.
  bool pushes_done = false;
  bool connections_done = false;
  for (;;) {
    pushes_done = receiver->wait_idle(std::chrono::milliseconds(0));
    connections_done = connections->wait_idle(std::chrono::steady_clock::now());
    if ((pushes_done && connections_done) || std::chrono::steady_clock::now() >= drain_until) {
      break;
    }
    const timespec slice{0, 50 * 1000 * 1000};
    const int again = sigtimedwait(&stop_signals, nullptr, &slice);
    if (again == SIGTERM || again == SIGINT) {
      std::fprintf(stderr, "erpbridge wms serve: drain cut short by a second %s; stopping now\n",
                   again == SIGINT ? "SIGINT" : "SIGTERM");
      std::fflush(stderr);
      std::_Exit(kFailed);
    }
  }
  stopping = true;
  server->stop();
  serving.join();
  if (listen_failed) {
    std::fprintf(stderr, "erpbridge wms serve: listening ended unexpectedly\n");
    return kFailed;
  }
  const wms::ReceiverStats stats = receiver->stats();
  std::fprintf(stderr,
               "erpbridge wms serve: stopped on %s after %zu accepted, %zu duplicates, "
               "%zu conflicts, %zu rejected, %zu failed, %zu turned away while the store did "
               "not answer, %zu turned away while draining%s\n",
               received == SIGINT ? "SIGINT" : "SIGTERM", stats.delivered, stats.duplicates,
               stats.conflicts, stats.rejected, stats.failed, stats.unavailable, stats.drained,
               pushes_done && connections_done ? "" : " (drain bound reached)");
  return kOk;
}

int inbox_list(const InboxOptions& options) {
  auto store = open_store(options.store);
  auto entries = store->list(options.after, options.limit, options.all);
  if (!entries.ok()) {
    std::fprintf(stderr, "erpbridge: %s\n", entries.error().to_string().c_str());
    return kFailed;
  }
  for (const auto& entry : *entries) {
    std::printf("%lld %s %s %s%s\n", static_cast<long long>(entry.id), entry.entry_code.c_str(),
                entry.reply.bil_no.c_str(), stamp(entry.received_at).c_str(),
                entry.acknowledged ? " acknowledged" : "");
  }
  std::printf("%zu entries\n", entries->size());
  return kOk;
}

int inbox_show(const InboxOptions& options) {
  auto store = open_store(options.store);
  for (long long id : options.ids) {
    auto entries = store->list(id - 1, 1, true);
    if (!entries.ok()) {
      std::fprintf(stderr, "erpbridge: %s\n", entries.error().to_string().c_str());
      return kFailed;
    }
    if (entries->empty() || entries->front().id != id) {
      std::fprintf(stderr, "erpbridge: NotFound: no inbox entry %lld\n", id);
      return kFailed;
    }
    std::printf("%s\n", entries->front().body.c_str());
  }
  return kOk;
}

int inbox_ack(const InboxOptions& options) {
  auto store = open_store(options.store);
  for (long long id : options.ids) {
    auto acknowledged = store->acknowledge(id);
    if (!acknowledged.ok()) {
      std::fprintf(stderr, "erpbridge: %s\n", acknowledged.error().to_string().c_str());
      return kFailed;
    }
    std::printf("acknowledged %lld\n", id);
  }
  return kOk;
}

}  // namespace

void add_serve_command(CLI::App& wms, ServeOptions& options, const Settings& settings,
                       std::function<int()>& run) {
  CLI::App* serve_app = wms.add_subcommand(
      "serve",
      "Receive AI-WMS PLUS pushes (POST /CreateEntryConfirmation) until SIGTERM; each entry_code "
      "accepted once, across restarts and replicas sharing the store");
  serve_app->add_option("--port", options.port, "port to listen on (0: any free one)")
      ->check(CLI::Range(0, 65535));
  serve_app->add_option("--bind", options.bind, "address to listen on");
  serve_app->add_option("--token-file", options.token_file,
                        "a file holding the Authorization token WMS sends, - for standard "
                        "input (ERPBRIDGE_WMS_TOKEN); optional with --issue-tokens");
  serve_app->add_flag("--issue-tokens", options.issue_tokens,
                      "serve POST /auth/token: WMS obtains its token there with a client id "
                      "and secret, and pushes must carry such a token (or the static one)");
  serve_app->add_option("--client-id", options.client_id,
                        "the client allowed to obtain tokens (ERPBRIDGE_WMS_CLIENT_ID)");
  serve_app->add_option("--client-secret-file", options.client_secret_file,
                        "a file holding that client's secret (ERPBRIDGE_WMS_CLIENT_SECRET); "
                        "changing it revokes every token issued");
  serve_app
      ->add_option("--token-lifetime", options.token_lifetime,
                   "seconds an issued token is accepted")
      ->check(CLI::Range(300, 30 * 24 * 3600));
  serve_app->add_option("--store", options.store,
                        "memory, sqlite:PATH (one machine) or postgres:CONNINFO (replicas)");
  serve_app
      ->add_option("--mode", options.mode,
                   "inbox: keep accepted orders for `wms inbox`; log: append each "
                   "delivered order to --log")
      ->check(CLI::IsMember({"inbox", "log"}));
  serve_app->add_option("--log", options.log_file, "the delivery log of --mode log");
  serve_app->add_option("--tls-cert", options.tls_cert, "PEM certificate: serve HTTPS");
  serve_app->add_option("--tls-key", options.tls_key, "PEM private key of --tls-cert");
  serve_app->add_option("--read-timeout", options.read_timeout, "seconds")
      ->check(CLI::Range(1, 3600));
  serve_app->add_option("--write-timeout", options.write_timeout, "seconds")
      ->check(CLI::Range(1, 3600));
  serve_app->add_option("--max-body", options.max_body, "bytes; larger bodies get 413")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  serve_app
      ->add_option("--max-connections", options.max_connections,
                   "connections served at once; more wait")
      ->check(CLI::Range(1, 4096));
  serve_app
      ->add_option("--drain-seconds", options.drain_seconds,
                   "on SIGTERM, how long pushes in progress and open connections may take "
                   "to finish (new pushes get 503) before the server stops")
      ->check(CLI::Range(0, 3600));
  serve_app
      ->add_option("--lease", options.lease_seconds,
                   "seconds a delivery in progress holds its entry_code")
      ->check(CLI::Range(1, 86400));
  serve_app->callback([&] { run = [&] { return serve(options, settings); }; });
}

void add_inbox_command(CLI::App& wms, InboxOptions& options, std::function<int()>& run) {
  CLI::App* inbox = wms.add_subcommand("inbox", "Orders `wms serve` accepted in inbox mode")
                        ->require_subcommand(1);
  auto store_option = [&options](CLI::App* command) {
    command->add_option("--store", options.store, "sqlite:PATH or postgres:CONNINFO");
  };
  CLI::App* list = inbox->add_subcommand("list", "Entries not yet acknowledged, oldest first");
  list->add_flag("--all", options.all, "acknowledged ones too");
  list->add_option("--after", options.after, "only entries after this id");
  list->add_option("--limit", options.limit, "at most this many")->check(CLI::Range(1, 100000));
  store_option(list);
  list->callback([&] { run = [&] { return inbox_list(options); }; });
  CLI::App* show = inbox->add_subcommand("show", "Print entries' orders as received");
  show->add_option("ids", options.ids, "entry ids")->required();
  store_option(show);
  show->callback([&] { run = [&] { return inbox_show(options); }; });
  CLI::App* ack = inbox->add_subcommand("ack", "Acknowledge entries: they are done");
  ack->add_option("ids", options.ids, "entry ids")->required();
  store_option(ack);
  ack->callback([&] { run = [&] { return inbox_ack(options); }; });
}

}  // namespace erpbridge::cli
