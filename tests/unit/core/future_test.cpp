// Future and Promise: a dropped promise and a throwing continuation end in errors, never in a
// hang or an exception on the completing thread.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <thread>

#include "erpbridge/core/future.hpp"

using erpbridge::ErrorCode;
using erpbridge::Future;
using erpbridge::Promise;
using erpbridge::Result;
using namespace std::chrono_literals;

TEST_CASE("Future: a promise dropped unfulfilled completes its future with Cancelled") {
  Future<int> future;
  {
    Promise<int> promise;
    future = promise.future();
    Promise<int> copy = promise;  // copies share it: only the last one's end counts
  }
  REQUIRE(future.wait_for(1s));
  Result<int> result = future.get();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Cancelled);
  CHECK(result.error().message.find("producer went away") != std::string::npos);

  // A promise fulfilled and then dropped keeps its value.
  Future<int> kept;
  {
    Promise<int> promise;
    kept = promise.future();
    promise.complete(7);
  }
  CHECK(*kept.get() == 7);

  // A copy kept alive elsewhere (a producer thread) still completes it.
  Promise<int> producer;
  Future<int> later = producer.future();
  std::thread worker([producer] {
    std::this_thread::yield();
    producer.complete(42);
  });
  producer = Promise<int>();  // this copy goes; the thread's copy remains
  worker.join();
  CHECK(*later.get() == 42);
}

TEST_CASE("Future: a continuation that throws completes its own future with Internal") {
  Promise<int> promise;
  Future<int> chained = promise.future().then(
      [](Result<int>) -> Result<int> { throw std::runtime_error("bad continuation"); });
  promise.complete(1);  // the continuation runs here, on the completing thread: no throw
  Result<int> result = chained.get();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Internal);
  CHECK(result.error().message == "a continuation threw: bad continuation");
  CHECK(std::string(erpbridge::to_string(ErrorCode::Internal)) == "Internal");

  // On an executor too.
  Promise<int> other;
  erpbridge::Executor inline_executor = [](std::function<void()> work) { work(); };
  Future<int> on_executor = other.future().then(inline_executor, [](Result<int>) -> Result<int> {
    throw 5;  // not even a std::exception
  });
  other.complete(2);
  Result<int> thrown = on_executor.get();
  REQUIRE_FALSE(thrown.ok());
  CHECK(thrown.error().code == ErrorCode::Internal);
}
