// A decoder that throws fails its call with Internal, on the blocking and the async path
// alike; the reply came, so a write it answered is reported with its outcome unknown (the
// caller must not simply send it again), and a read is not.
#include <catch2/catch.hpp>

#include <new>
#include <optional>
#include <stdexcept>
#include <string>

#include "call/call.hpp"
#include "erpbridge/testing/mock_transport.hpp"

using erpbridge::CallOptions;
using erpbridge::CallOptionsScope;
using erpbridge::ClientOptions;
using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::HttpRequest;
using erpbridge::HttpResponse;
using erpbridge::Result;
using erpbridge::internal::Executor;
using erpbridge::internal::PreparedCall;

namespace {

enum class Thrown { Exception, BadAlloc, NotAnException };

// One call to /x, answered 200, whose decoder throws `thrown`.
PreparedCall<int> throwing_call(HttpMethod method, bool idempotent, Thrown thrown) {
  PreparedCall<int> call;
  call.label = {"test", "decode"};
  call.build = [method, idempotent](const std::string&) -> Result<HttpRequest> {
    HttpRequest request;
    request.method = method;
    request.url = "http://127.0.0.1:1/x";
    request.idempotent = idempotent;
    return request;
  };
  call.decode = [thrown](HttpResponse&) -> Result<int> {
    switch (thrown) {
      case Thrown::Exception:
        throw std::runtime_error("field 7 is not what the decoder expected");
      case Thrown::BadAlloc:
        throw std::bad_alloc();
      case Thrown::NotAnException:
        throw 42;
    }
    return 0;
  };
  return call;
}

struct Case {
  const char* name;
  HttpMethod method;
  bool idempotent;
  std::optional<bool> scope_idempotent;  // a CallOptionsScope saying otherwise
  bool outcome_unknown;                  // expected
};

}  // namespace

TEST_CASE("A throwing decoder fails its call with Internal, a write's outcome unknown") {
  // Hand-written: a write (not idempotent, as sent) leaves its outcome unknown; a read not.
  const Case cases[] = {
      {"POST write", HttpMethod::Post, false, std::nullopt, true},
      {"PUT write", HttpMethod::Put, false, std::nullopt, true},
      {"DELETE write", HttpMethod::Delete, false, std::nullopt, true},
      {"GET read", HttpMethod::Get, true, std::nullopt, false},
      {"POST query marked idempotent", HttpMethod::Post, true, std::nullopt, false},
      {"read the caller's scope calls a write", HttpMethod::Get, true, false, true},
      {"write the caller's scope calls idempotent", HttpMethod::Post, false, true, false},
  };
  for (const Case& c : cases) {
    for (Thrown thrown : {Thrown::Exception, Thrown::BadAlloc, Thrown::NotAnException}) {
      for (bool async : {false, true}) {
        INFO(c.name << (async ? ", async" : ", blocking") << ", thrown kind "
                    << static_cast<int>(thrown));
        auto transport = std::make_shared<erpbridge::testing::MockTransport>();
        transport->expect(c.method, "/x", HttpResponse{200, {}, R"({"ok":true})"});
        ClientOptions options;
        options.transport = transport;
        Executor executor(options);
        CallOptions scope_options;
        scope_options.idempotent = c.scope_idempotent;
        CallOptionsScope scope(scope_options);
        PreparedCall<int> call = throwing_call(c.method, c.idempotent, thrown);
        Result<int> result = async ? erpbridge::internal::run_call_async(executor, call).get()
                                   : erpbridge::internal::run_call(executor, call);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().code == ErrorCode::Internal);
        CHECK(result.error().message.find("decoding the reply threw") != std::string::npos);
        if (thrown == Thrown::Exception) {
          CHECK(result.error().message.find("field 7 is not what the decoder expected") !=
                std::string::npos);
        }
        CHECK(result.error().outcome_unknown == c.outcome_unknown);
        CHECK(transport->requests().size() == 1);  // sent once, never repeated
      }
    }
  }
}
