// The libcurl transport: a pool of easy handles sharing one connection cache, so calls
// from any thread reuse warm keep-alive connections; batches go through the multi API.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/redact.hpp"
#include "erpbridge/core/options.hpp"

namespace erpbridge {
namespace {

void init_curl_once() {
  static std::once_flag once;
  // Never paired with curl_global_cleanup: handles may outlive static destruction order.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State of one transfer, reachable from libcurl callbacks.
struct Transfer {
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpResponse response;
  std::size_t max_bytes = 0;
  bool too_large = false;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  const HttpRequest* request = nullptr;

  ~Transfer() {
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->response.body.size() + bytes > transfer->max_bytes) {
    transfer->too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
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
  transfer->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return bytes;
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
        max_bytes_(options.max_response_bytes) {
    init_curl_once();
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlTransport::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlTransport::unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  }

  ~CurlTransport() override {
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_share_cleanup(share_);
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override {
    Transfer transfer;
    prepare(transfer, request);
    CURLcode code = curl_easy_perform(transfer.easy);
    Result<HttpResponse> result = finish(transfer, code);
    release(transfer.easy);
    return result;
  }

  std::vector<Result<HttpResponse>> send_all(const std::vector<HttpRequest>& requests,
                                             std::size_t max_concurrency) override {
    std::vector<Result<HttpResponse>> results(
        requests.size(), Result<HttpResponse>(make_error(ErrorCode::Cancelled, "not sent")));
    if (requests.empty()) return results;
    max_concurrency = std::max<std::size_t>(1, max_concurrency);
    std::vector<Transfer> transfers(requests.size());
    CURLM* multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, kMaxCachedConnections);
    std::size_t next = 0;
    std::size_t active = 0;
    auto start_next = [&] {
      Transfer& transfer = transfers[next];
      prepare(transfer, requests[next]);
      curl_easy_setopt(transfer.easy, CURLOPT_PRIVATE, reinterpret_cast<char*>(next));
      curl_multi_add_handle(multi, transfer.easy);
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
        curl_multi_remove_handle(multi, transfers[index].easy);
        results[index] = finish(transfers[index], code);
        release(transfers[index].easy);
        transfers[index].easy = nullptr;
        --active;
        if (next < requests.size()) start_next();
      }
      if (active > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    curl_multi_cleanup(multi);
    return results;
  }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlTransport*>(user)->share_locks_[static_cast<std::size_t>(data) % kLocks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlTransport*>(user)
        ->share_locks_[static_cast<std::size_t>(data) % kLocks]
        .unlock();
  }

  CURL* acquire() {
    {
      std::lock_guard<std::mutex> guard(pool_mutex_);
      if (!idle_.empty()) {
        CURL* easy = idle_.back();
        idle_.pop_back();
        return easy;
      }
    }
    CURL* easy = curl_easy_init();
    configure(easy);
    return easy;
  }

  // Handles keep the options that are the same for every request: setting them again per
  // call (after curl_easy_reset) cost more client CPU than the rest of a typed call.
  void release(CURL* easy) {
    // Nothing may point into the finished transfer.
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
    std::lock_guard<std::mutex> guard(pool_mutex_);
    idle_.push_back(easy);
  }

  // The options of every request, set once per handle.
  void configure(CURL* easy) {
    curl_easy_setopt(easy, CURLOPT_SHARE, share_);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXCONNECTS, kMaxCachedConnections);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count()));
    curl_easy_setopt(easy, CURLOPT_PROXY, proxy_.c_str());  // "" disables environment proxies
    if (!ca_file_.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file_.c_str());
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, verify_tls_ ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, verify_tls_ ? 2L : 0L);
    if (accept_compressed_) curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes_));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
  }

  // The options that differ between requests; each is set for every request, so nothing
  // carries over from the handle's previous one.
  void prepare(Transfer& transfer, const HttpRequest& request) {
    transfer.easy = acquire();
    transfer.request = &request;
    transfer.max_bytes = max_bytes_;
    CURL* easy = transfer.easy;
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error_buffer.data());
    const auto timeout = request.timeout.count() > 0 ? request.timeout : default_timeout_;
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    const bool sends_body = request.method != HttpMethod::Get &&
                            (!request.body.empty() || request.method == HttpMethod::Post);
    if (sends_body) {
      // POSTFIELDS makes the request a POST; CUSTOMREQUEST below renames PUT and the like.
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    } else {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    }
    const bool custom = request.method != HttpMethod::Get && request.method != HttpMethod::Post;
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, custom ? to_string(request.method) : nullptr);
    for (const auto& header : request.headers) {
      std::string line = header.first + ": " + header.second;
      transfer.header_list = curl_slist_append(transfer.header_list, line.c_str());
    }
    transfer.header_list = curl_slist_append(transfer.header_list, "Expect:");
    // A header line rather than CURLOPT_USERAGENT, which libcurl formats anew per request.
    if (!user_agent_header_.empty() && find_header(request.headers, "User-Agent") == nullptr) {
      transfer.header_list = curl_slist_append(transfer.header_list, user_agent_header_.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer.header_list);
  }

  Result<HttpResponse> finish(Transfer& transfer, CURLcode code) {
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
      transfer.response.status = static_cast<int>(status);
      return std::move(transfer.response);
    }
    const HttpRequest& request = *transfer.request;
    std::string target =
        std::string(to_string(request.method)) + " " + internal::RedactionPolicy().url(request.url);
    if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return make_error(ErrorCode::Transport, target + ": response body exceeds the limit of " +
                                                  std::to_string(max_bytes_) + " bytes");
    }
    std::string detail =
        transfer.error_buffer[0] != '\0' ? transfer.error_buffer.data() : curl_easy_strerror(code);
    Error error;
    error.retryable = true;
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
  // Idle connections kept for reuse (libcurl's default of 4 per handle is too few for
  // several threads sharing one cache).
  static constexpr long kMaxCachedConnections = 64;

  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds default_timeout_;
  std::string proxy_;
  std::string ca_file_;
  bool verify_tls_;
  std::string user_agent_header_;  // "User-Agent: ..." or empty for none
  bool accept_compressed_;
  std::size_t max_bytes_;

  CURLSH* share_ = nullptr;
  std::array<std::mutex, kLocks> share_locks_;
  std::mutex pool_mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(const ClientOptions& options) {
  return std::make_shared<CurlTransport>(options);
}

}  // namespace erpbridge
