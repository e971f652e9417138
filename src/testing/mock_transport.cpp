#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {

std::string url_path(const std::string& url) {
  std::size_t start = 0;
  std::size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    start = url.find('/', scheme + 3);
    if (start == std::string::npos) return "/";
  }
  std::size_t end = url.find_first_of("?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

MockTransport& MockTransport::expect(HttpMethod method, std::string path, HttpResponse response,
                                     BodyMatcher body_matcher) {
  std::lock_guard<std::mutex> guard(mutex_);
  expectations_.push_back(
      Expectation{method, std::move(path), std::move(body_matcher), std::move(response)});
  return *this;
}

MockTransport& MockTransport::expect_error(HttpMethod method, std::string path, Error error,
                                           BodyMatcher body_matcher) {
  std::lock_guard<std::mutex> guard(mutex_);
  expectations_.push_back(
      Expectation{method, std::move(path), std::move(body_matcher), std::move(error)});
  return *this;
}

Result<HttpResponse> MockTransport::send(const HttpRequest& request) {
  std::lock_guard<std::mutex> guard(mutex_);
  requests_.push_back(request);
  const std::string path = url_path(request.url);
  const std::string arrived = std::string(to_string(request.method)) + " " + path;
  std::string failure;
  if (next_ >= expectations_.size()) {
    failure = "unexpected request " + arrived + ": no expectation left";
  } else {
    const Expectation& expected = expectations_[next_];
    const std::string wanted = std::string(to_string(expected.method)) + " " + expected.path;
    if (expected.method != request.method || expected.path != path) {
      failure = "unexpected request " + arrived + ": expected " + wanted;
    } else if (expected.body_matcher && !expected.body_matcher(request.body)) {
      failure = "request " + arrived + ": body does not match the expectation";
    } else {
      ++next_;
      return expected.reply;
    }
  }
  failures_.push_back(failure);
  return make_error(ErrorCode::Unimplemented, "MockTransport: " + failure);
}

std::vector<HttpRequest> MockTransport::requests() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return requests_;
}

std::vector<std::string> MockTransport::failures() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return failures_;
}

std::size_t MockTransport::pending() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return expectations_.size() - next_;
}

bool MockTransport::satisfied() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return next_ == expectations_.size() && failures_.empty();
}

MockTransport::BodyMatcher body_contains(std::string needle) {
  return [needle = std::move(needle)](const std::string& body) {
    return body.find(needle) != std::string::npos;
  };
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  response.body = std::move(body);
  return response;
}

}  // namespace erpbridge::testing
