#include "erpbridge/testing/emulator.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <thread>

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    segments.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return segments;
}

bool is_placeholder(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_placeholder(pattern[i])) {
      if (params != nullptr) (*params)[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// {"status":N,"message":"..."}, with the message escaped (it may quote a request path).
HttpResponse error_reply(int status, const std::string& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("status");
  writer.Int(status);
  writer.Key("message");
  writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  writer.EndObject();
  return json_response(status, std::string(buffer.GetString(), buffer.GetSize()));
}

// Everything the request carried, as text: what an echoing server would put in its answer.
std::string describe(const EmulatorRequest& request) {
  std::string text = request.path;
  std::string encoded;
  for (const auto& [name, value] : request.query) {
    text += (text.size() == request.path.size() ? "?" : "&") + name + "=" + value;
    encoded += "&" + url_encode(name) + "=" + url_encode(value);
  }
  text += " (encoded: " + encoded + ")";
  for (const auto& [name, value] : request.headers) text += " " + name + ": " + value;
  text += " body: " + request.body;
  return text;
}

// `text` with "{{echo}}" replaced by the request, escaped for a JSON string.
std::string with_echo(const std::string& text, const EmulatorRequest& request) {
  const std::string marker = "{{echo}}";
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return text;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const std::string echo = describe(request);
  writer.String(echo.data(), static_cast<rapidjson::SizeType>(echo.size()));
  const std::string quoted(buffer.GetString(), buffer.GetSize());
  std::string out = text;
  out.replace(at, marker.size(), quoted.substr(1, quoted.size() - 2));
  return out;
}

}  // namespace

std::string EmulatorRequest::query_value(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

void Emulator::route(HttpMethod method, std::string pattern, Handler handler) {
  std::lock_guard<std::mutex> guard(mutex_);
  routes_.push_back(Route{method, split_path(pattern), std::move(handler)});
}

void Emulator::set_fault(std::string pattern, Fault fault, std::optional<HttpMethod> method) {
  std::lock_guard<std::mutex> guard(mutex_);
  faults_.push_back(FaultRule{split_path(pattern), method, std::move(fault)});
}

void Emulator::clear_faults() {
  std::lock_guard<std::mutex> guard(mutex_);
  faults_.clear();
}

void Emulator::set_variance(std::string pattern, bool on, std::optional<HttpMethod> method) {
  std::lock_guard<std::mutex> guard(mutex_);
  variance_.push_back(
      VarianceRule{pattern == "*" ? std::vector<std::string>() : split_path(pattern), method, on});
}

void Emulator::set_global_latency(std::chrono::milliseconds latency) {
  std::lock_guard<std::mutex> guard(mutex_);
  global_latency_ = latency;
}

void Emulator::set_global_bandwidth(std::uint64_t bytes_per_second) {
  std::lock_guard<std::mutex> guard(mutex_);
  global_bandwidth_ = bytes_per_second;
}

void Emulator::cut_latency_waits() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    ++latency_cuts_;
  }
  latency_cut_.notify_all();
}

EmulatorRequest Emulator::to_emulator_request(const HttpRequest& request) {
  EmulatorRequest out;
  out.method = request.method;
  out.headers = request.headers;
  out.body = request.body;
  out.path = url_decode(url_path(request.url));
  std::size_t q = request.url.find('?');
  if (q != std::string::npos) {
    std::string query = request.url.substr(q + 1);
    std::size_t hash = query.find('#');
    if (hash != std::string::npos) query.resize(hash);
    std::size_t pos = 0;
    while (pos < query.size()) {
      std::size_t end = query.find('&', pos);
      if (end == std::string::npos) end = query.size();
      std::string pair = query.substr(pos, end - pos);
      std::size_t eq = pair.find('=');
      if (!pair.empty()) {
        out.query[url_decode(pair.substr(0, eq))] =
            eq == std::string::npos ? std::string() : url_decode(pair.substr(eq + 1));
      }
      pos = end + 1;
    }
  }
  return out;
}

EmulatorReply Emulator::dispatch(const EmulatorRequest& incoming) {
  struct InFlight {
    Emulator& emulator;
    explicit InFlight(Emulator& e) : emulator(e) {
      std::lock_guard<std::mutex> guard(emulator.mutex_);
      emulator.max_in_flight_ = std::max(emulator.max_in_flight_, ++emulator.in_flight_);
    }
    ~InFlight() {
      std::lock_guard<std::mutex> guard(emulator.mutex_);
      --emulator.in_flight_;
    }
  } in_flight(*this);
  EmulatorRequest request = incoming;
  const std::vector<std::string> segments = split_path(request.path);
  std::optional<Fault> fault;
  Handler handler;
  bool path_known = false;
  std::chrono::milliseconds latency{0};
  std::uint64_t bandwidth = 0;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    ++counts_[request.path];
    ++total_;
    latency = global_latency_;
    bandwidth = global_bandwidth_;
    // The last matching rule wins, so a route can be switched back off.
    for (const VarianceRule& rule : variance_) {
      if (rule.method && *rule.method != request.method) continue;
      if (!rule.segments.empty() && !match(rule.segments, segments, nullptr)) continue;
      request.variance = rule.on;
    }
    for (FaultRule& rule : faults_) {
      if (rule.fault.times == 0) continue;
      if (rule.method && *rule.method != request.method) continue;
      if (!match(rule.segments, segments, nullptr)) continue;
      if (!rule.fault.body_contains.empty() &&
          request.body.find(rule.fault.body_contains) == std::string::npos) {
        continue;
      }
      if (rule.fault.times > 0) --rule.fault.times;
      fault = rule.fault;
      break;
    }
    for (const Route& route : routes_) {
      std::map<std::string, std::string> params;
      if (!match(route.segments, segments, &params)) continue;
      path_known = true;
      if (route.method != request.method) continue;
      handler = route.handler;
      request.path_params = std::move(params);
      break;
    }
  }
  if (fault) latency += fault->latency;
  if (latency.count() > 0) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t cuts = latency_cuts_;
    latency_cut_.wait_for(lock, latency, [&] { return latency_cuts_ != cuts; });
  }

  EmulatorReply reply;
  reply.bytes_per_second =
      fault && fault->bytes_per_second != 0 ? fault->bytes_per_second : bandwidth;
  if (fault && fault->reset) {
    reply.reset = true;
    return reply;
  }
  if (fault && fault->non_json) {
    reply.response.status = 200;
    reply.response.headers.emplace_back("Content-Type", "text/html");
    reply.response.body = "<html><body>502 Bad Gateway</body></html>";
  } else if (fault && fault->status != 0) {
    reply.response = error_reply(fault->status, "fault injected");
  } else if (handler) {
    reply.response = handler(request);
  } else if (path_known) {
    reply.response = error_reply(405, "method not allowed");
  } else {
    reply.response = error_reply(404, "no route for " + request.path);
  }
  if (fault) {
    if (fault->retry_after) {
      reply.response.headers.emplace_back("Retry-After", std::to_string(*fault->retry_after));
    }
    if (fault->body) reply.response.body = with_echo(*fault->body, request);
    for (const auto& [name, value] : fault->headers) {
      std::string echoed = with_echo(value, request);
      for (char& c : echoed) {
        if (c == '\r' || c == '\n') c = ' ';
      }
      reply.response.headers.emplace_back(name, std::move(echoed));
    }
    reply.truncate = fault->truncate;
  }
  return reply;
}

Result<HttpResponse> Emulator::send(const HttpRequest& request) {
  EmulatorReply reply = dispatch(to_emulator_request(request));
  if (reply.reset) {
    Error error = make_error(ErrorCode::Transport, "connection reset by the emulator");
    error.retryable = true;
    error.outcome_unknown = true;  // as a client over a socket sees it: the request went out
    return error;
  }
  if (reply.truncate) {
    Error error = make_error(ErrorCode::Transport, "response body truncated by the emulator");
    error.retryable = true;
    error.outcome_unknown = true;
    return error;
  }
  if (reply.bytes_per_second != 0) {
    std::this_thread::sleep_for(
        std::chrono::microseconds(reply.response.body.size() * 1000000 / reply.bytes_per_second));
  }
  return std::move(reply.response);
}

std::size_t Emulator::request_count(const std::string& path) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = counts_.find(path);
  return it == counts_.end() ? 0 : it->second;
}

std::size_t Emulator::max_concurrent_requests() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return max_in_flight_;
}

std::size_t Emulator::total_requests() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return total_;
}

}  // namespace erpbridge::testing
