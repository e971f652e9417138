#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <set>

#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/mock_transport.hpp"
#include "support/threads.hpp"
#include "support/timing.hpp"

using erpbridge::DateTime;
using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::Result;
using erpbridge::testing::CtcEmulator;
using erpbridge::testing::Emulator;
using erpbridge::testing::EmulatorRequest;
using erpbridge::testing::EmulatorServer;
using erpbridge::testing::Fault;
using namespace erpbridge::ctc;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const char* kKey = "ctc-test-key";
DateTime at(const char* text) {
  return DateTime::parse(text).value();
}

struct CtcServer {
  std::shared_ptr<Emulator> emulator = std::make_shared<Emulator>();
  CtcEmulator ctc{kKey};
  std::unique_ptr<EmulatorServer> server;

  CtcServer() {
    ctc.install(*emulator);
    server = EmulatorServer::start(emulator).value();
  }

  Options options(std::string key = kKey) const {
    Options options;
    options.base_url = server->base_url();
    options.key = erpbridge::make_static_token(std::move(key));
    options.retry.initial_backoff = 10ms;
    return options;
  }
};

}  // namespace

TEST_CASE("CTC over HTTP: the spec's receipts come back typed") {
  CtcServer server;
  server.ctc.add_receipts(CtcEmulator::spec_samples());
  Client client(server.options());
  // (The spec's own sample request, 05-20 20:40:23 .. 05-27 20:49:12, exceeds 7 days.)
  auto in =
      client.query_receipts({Direction::In, at("2020-05-21 00:00:00"), at("2020-05-27 20:49:12")});
  REQUIRE(in.ok());
  REQUIRE(in->size() == 2);
  CHECK((*in)[0].amount_of_money.to_string() == "1310.00");
  CHECK((*in)[1].creator == "测试员甲");
  auto out =
      client.query_receipts({Direction::Out, at("2020-05-27 20:40:23"), at("2020-05-27 20:40:23")});
  REQUIRE(out.ok());
  REQUIRE(out->size() == 1);  // the bound is inclusive
  CHECK((*out)[0].type == ReceiptType::WriteOffOut);
  CHECK((*out)[0].direction == Direction::Out);
}

TEST_CASE("CTC over HTTP: a wrong key is Unauthenticated and the key never shows") {
  CtcServer server;
  Client client(server.options("wrong-key-SECRET"));
  auto result =
      client.query_receipts({Direction::In, at("2020-05-20 00:00:00"), at("2020-05-21 00:00:00")});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Unauthenticated);
  CHECK(result.error().vendor_message == "签名无效");
  CHECK(result.error().to_string().find("SECRET") == std::string::npos);
}

TEST_CASE(
    "CTC over HTTP: the key comes from a TokenProvider, a rotated key is fetched again "
    "once") {
  CtcServer server;
  server.ctc.add_receipts(CtcEmulator::spec_samples());
  // The first key the provider hands out is the old one: CTC refuses it (签名无效), the key
  // is invalidated and the query sent once more with the fresh one.
  std::vector<std::string> keys = {"rotated-away-key", kKey};
  std::atomic<int> fetches{0};
  Options options = server.options();
  options.key = erpbridge::make_cached_token([&]() -> Result<erpbridge::AccessToken> {
    const int n = fetches++;
    return erpbridge::AccessToken{keys[static_cast<std::size_t>(std::min(n, 1))], std::nullopt};
  });
  Client client(options);
  const ReceiptQuery query{Direction::In, at("2020-05-21 00:00:00"), at("2020-05-27 20:49:12")};
  auto in = client.query_receipts(query);
  REQUIRE(in.ok());
  CHECK(in->size() == 2);
  CHECK(fetches == 2);
  // Cached from now on; the batch path and the generic call use it as well.
  auto batch = client.query_receipts_batch({query, query}, 2);
  REQUIRE(batch.size() == 2);
  CHECK(batch[0].ok());
  CHECK(batch[1].ok());
  CHECK(fetches == 2);

  // A key that stays wrong: one refresh, then Unauthenticated (never a loop).
  std::atomic<int> wrong_fetches{0};
  options.key = erpbridge::make_cached_token([&]() -> Result<erpbridge::AccessToken> {
    ++wrong_fetches;
    return erpbridge::AccessToken{"always-wrong-key", std::nullopt};
  });
  auto refused = Client(options).query_receipts(query);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Unauthenticated);
  CHECK(wrong_fetches == 2);
  CHECK(refused.error().message.find("always-wrong-key") == std::string::npos);

  // No key at all is a usage error naming the option.
  options.key.reset();
  auto missing = Client(options).query_receipts(query);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::InvalidArgument);
  CHECK(missing.error().message.find("ctc::Options::key") != std::string::npos);
}

TEST_CASE("CTC over HTTP: no data is an empty list") {
  CtcServer server;
  Client client(server.options());
  auto result =
      client.query_receipts({Direction::In, at("2021-01-01 00:00:00"), at("2021-01-02 00:00:00")});
  REQUIRE(result.ok());
  CHECK(result->empty());
}

TEST_CASE("CTC over HTTP: the 7-day rule is checked before sending, and by the emulator") {
  CtcServer server;
  server.ctc.add_receipts(CtcEmulator::spec_samples());
  Client client(server.options());
  // The document's own example request (7 days and 8 minutes) is sent unchanged: a caller's
  // range is accepted under the calendar-day reading. A strict server (the emulator's
  // default: 7 x 24 h) refuses it with res 4, and the failure is not read as "no data".
  const ReceiptQuery example_query{Direction::In, at("2020-05-20 20:40:23"),
                                   at("2020-05-27 20:49:12")};
  auto refused = client.query_receipts(example_query);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Api);
  CHECK(refused.error().vendor_code == "4");
  CHECK(server.emulator->total_requests() == 1);
  // A server reading calendar days answers it.
  server.ctc.set_window_rule(CtcEmulator::WindowRule::CalendarDays);
  auto example = client.query_receipts(example_query);
  REQUIRE(example.ok());
  CHECK(example->size() == 2);
  CHECK(server.emulator->total_requests() == 2);
  // list_receipts over the same range sends two windows of at most 7 x 24 h: a strict server
  // answers both.
  server.ctc.set_window_rule(CtcEmulator::WindowRule::SevenTimes24Hours);
  auto listed = client.list_receipts(Direction::In, example_query.start, example_query.end);
  REQUIRE(listed.ok());
  CHECK(listed->size() == 2);
  CHECK(server.emulator->total_requests() == 4);
  auto local =
      client.query_receipts({Direction::In, at("2020-05-20 00:00:00"), at("2020-05-28 00:00:00")});
  CHECK(local.error().code == ErrorCode::InvalidArgument);
  CHECK(server.emulator->total_requests() == 4);

  // Sent raw, the emulator refuses it too.
  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  erpbridge::HttpRequest raw;
  raw.method = HttpMethod::Post;
  raw.url = server.server->base_url() + "/doscall/oa/api/receipt_parts/";
  raw.body =
      std::string(R"({"key":")") + kKey +
      R"(","data":{"type":"in","inputtime_s":"2020-05-20 00:00:00","inputtime_e":"2020-05-28 00:00:00"}})";
  auto response = transport->send(raw);
  REQUIRE(response.ok());
  CHECK(response->body.find("\"res\":4") != std::string::npos);
  CHECK(response->body.find("7天") != std::string::npos);
}

TEST_CASE("CTC over HTTP: a 90-day query returns every seeded receipt once, in order") {
  CtcServer server;
  const DateTime from = at("2020-03-01 00:00:00");
  const DateTime to = from + 90 * 24h;
  // One receipt every 5 hours, including ones on window boundaries; out receipts too.
  auto seeded = CtcEmulator::generate(Direction::In, from, 90 * 24 / 5 + 1, 5h);
  server.ctc.add_receipts(seeded);
  server.ctc.add_receipts(CtcEmulator::generate(Direction::Out, from, 50, 7h));
  server.ctc.add_receipts(CtcEmulator::generate(Direction::In, to + 1s, 3, 1h));  // outside

  std::vector<std::pair<std::size_t, std::size_t>> progress;
  ListOptions options;
  options.concurrency = 4;
  options.progress = [&](std::size_t done, std::size_t total) {
    progress.emplace_back(done, total);
  };
  Client client(server.options());
  auto result = client.list_receipts(Direction::In, from, to, options);
  REQUIRE(result.ok());
  REQUIRE(result->size() == seeded.size());
  for (std::size_t i = 0; i < seeded.size(); ++i) {
    INFO(i);
    CHECK((*result)[i] == seeded[i]);
  }
  std::set<std::string> numbers;
  for (const auto& receipt : *result) numbers.insert(receipt.number);
  CHECK(numbers.size() == seeded.size());
  // 90 days: 12 windows of 7 x 24 h and one of 6 days.
  CHECK(server.emulator->request_count("/doscall/oa/api/receipt_parts/") == 13);
  CHECK(progress ==
        std::vector<std::pair<std::size_t, std::size_t>>{{4, 13}, {8, 13}, {12, 13}, {13, 13}});
}

TEST_CASE(
    "CTC list_receipts merges windows: in time order, each number once, numberless "
    "copies of the same second once") {
  // Hand-written windows from a connection of the test's own: the first window out of time
  // order and with a numberless receipt twice; the second repeats the boundary receipt.
  auto receipt = [](const char* number, const char* created, const char* creator) {
    Receipt r;
    r.number = number;
    r.created_at = at(created);
    r.creator = creator;
    return r;
  };
  const Receipt late = receipt("RK2", "2020-03-02 10:00:00", "甲");
  const Receipt early = receipt("RK1", "2020-03-01 09:00:00", "甲");
  const Receipt unnumbered_x = receipt("", "2020-03-03 12:00:00", "x");
  const Receipt unnumbered_y = receipt("", "2020-03-03 12:00:00", "y");
  const Receipt boundary = receipt("RK3", "2020-03-08 00:00:00", "乙");
  const Receipt after = receipt("RK4", "2020-03-09 08:00:00", "乙");
  struct Windows : Connection {
    std::vector<std::vector<Receipt>> replies;
    std::atomic<std::size_t> asked{0};
    Result<std::vector<Receipt>> query_receipts(const ReceiptQuery& query) override {
      ++asked;
      return replies[query.start < at("2020-03-08 00:00:00") ? 0 : 1];
    }
  };
  auto windows = std::make_shared<Windows>();
  windows->replies = {{late, early, unnumbered_x, unnumbered_x, unnumbered_y, boundary},
                      {boundary, after}};
  Client client(windows);
  auto merged =
      client.list_receipts(Direction::In, at("2020-03-01 00:00:00"), at("2020-03-10 00:00:00"));
  REQUIRE(merged.ok());
  CHECK(windows->asked.load() == 2);
  CHECK(*merged == std::vector<Receipt>{early, late, unnumbered_x, unnumbered_y, boundary, after});

  // One window (kept in place) with a number twice, and a third window repeating a number of
  // the first away from any boundary: the first copy of each number stays, in its place.
  Receipt late_again = late;
  late_again.creator = "丙";
  Receipt early_again = early;
  early_again.creator = "丁";
  windows->replies = {{early, late, late_again, unnumbered_x, unnumbered_x}};
  merged =
      client.list_receipts(Direction::In, at("2020-03-01 00:00:00"), at("2020-03-05 00:00:00"));
  REQUIRE(merged.ok());
  CHECK(*merged == std::vector<Receipt>{early, late, unnumbered_x});
  windows->replies = {{early, late}, {boundary, early_again, after}};
  merged =
      client.list_receipts(Direction::In, at("2020-03-01 00:00:00"), at("2020-03-10 00:00:00"));
  REQUIRE(merged.ok());
  CHECK(*merged == std::vector<Receipt>{early, late, boundary, after});
}

TEST_CASE("CTC list_receipts merge as a property: 200 random window sets against a plain oracle") {
  // Windows drawn from a small pool of numbers and seconds, so that numbers repeat within and
  // across windows and numberless receipts repeat; the oracle keeps the first of each number
  // and each numberless receipt not already kept, then orders them stably by time.
  std::mt19937 random(20261207);
  const DateTime base = at("2020-03-01 00:00:00");
  auto draw = [&](std::size_t window) {
    Receipt r;
    const int pick = static_cast<int>(random() % 24);
    if (pick >= 3) r.number = "RK" + std::to_string(pick);
    r.created_at = base + std::chrono::hours(24 * 7 * window) +
                   std::chrono::seconds(static_cast<int>(random() % 5) * 3600);
    r.creator = random() % 2 == 0 ? "甲" : "乙";
    return r;
  };
  struct Windows : Connection {
    std::vector<std::vector<Receipt>> replies;
    Result<std::vector<Receipt>> query_receipts(const ReceiptQuery& query) override {
      std::size_t week = 0;
      while (!(query.start < at("2020-03-01 00:00:00") + std::chrono::hours(24 * 7 * (week + 1)))) {
        ++week;
      }
      return replies.at(week);
    }
  };
  auto windows = std::make_shared<Windows>();
  Client client(windows);
  for (int round = 0; round < 200; ++round) {
    const std::size_t count = 1 + random() % 3;
    windows->replies.assign(count, {});
    for (std::size_t w = 0; w < count; ++w) {
      const std::size_t size = random() % 40;
      for (std::size_t i = 0; i < size; ++i) windows->replies[w].push_back(draw(w));
    }
    std::vector<Receipt> expected;
    std::set<std::string> numbers;
    for (const auto& reply : windows->replies) {
      for (const Receipt& r : reply) {
        if (!r.number.empty() ? numbers.insert(r.number).second
                              : std::find(expected.begin(), expected.end(), r) == expected.end()) {
          expected.push_back(r);
        }
      }
    }
    std::stable_sort(expected.begin(), expected.end(), [](const Receipt& a, const Receipt& b) {
      return a.created_at < b.created_at;
    });
    const DateTime to = base + std::chrono::hours(24 * 7 * count) - std::chrono::seconds(1);
    auto merged = client.list_receipts(Direction::In, base, to);
    REQUIRE(merged.ok());
    INFO("round " << round);
    REQUIRE(*merged == expected);
  }
}

TEST_CASE("CTC over HTTP: windows are fetched concurrently") {
  CtcServer server;
  server.emulator->set_global_latency(100ms);
  const DateTime from = at("2020-03-01 00:00:00");
  server.ctc.add_receipts(CtcEmulator::generate(Direction::In, from, 100, 21h));
  Client client(server.options());
  ListOptions options;
  options.concurrency = 4;
  auto started = Clock::now();
  auto result = client.list_receipts(Direction::In, from, from + 90 * 24h, options);
  auto elapsed = Clock::now() - started;
  REQUIRE(result.ok());
  CHECK(result->size() == 100);
  INFO(
      "90-day query took " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                           << " ms");
  // Concurrency seen by the server itself (every answer takes 100 ms, so windows overlap),
  // and a wall-clock bound only against the sequential time (13 x 100 ms), scaled for a
  // loaded machine: a concurrent run takes about 4 x 100 ms.
  CHECK(server.emulator->max_concurrent_requests() >= 2);
  CHECK(server.emulator->max_concurrent_requests() <= 4);
  CHECK(elapsed < erpbridge::test_support::scaled(1300ms));
}

TEST_CASE("CTC over HTTP: one failing window fails the whole call and is named") {
  CtcServer server;
  const DateTime from = at("2020-03-01 00:00:00");
  server.ctc.add_receipts(CtcEmulator::generate(Direction::In, from, 100, 21h));
  Fault broken;
  broken.status = 500;
  // Window 3 runs from 03-15 00:00:00 to 03-22 00:00:00 (7 x 24 h each).
  broken.body_contains = "\"inputtime_s\":\"2020-03-15 00:00:00\"";
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", broken);
  Client client(server.options());
  auto result = client.list_receipts(Direction::In, from, from + 90 * 24h);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Http);
  CHECK(result.error().http_status == 500);
  CHECK(result.error().message.rfind("window 3 of 13 (2020-03-15 00:00:00 .. 2020-03-22 00:00:00)",
                                     0) == 0);
  // One window at a time: windows 1 and 2, then window 3 tried up to the attempt limit (3),
  // and no window after the failing one is asked. On a server of its own: a window the call
  // above cancelled may still reach its server after that call has returned.
  CtcServer quiet;
  quiet.ctc.add_receipts(CtcEmulator::generate(Direction::In, from, 100, 21h));
  quiet.emulator->set_fault("/doscall/oa/api/receipt_parts/", broken);
  ListOptions one_at_a_time;
  one_at_a_time.concurrency = 1;
  auto sequential =
      Client(quiet.options()).list_receipts(Direction::In, from, from + 90 * 24h, one_at_a_time);
  REQUIRE_FALSE(sequential.ok());
  CHECK(sequential.error().message.rfind("window 3 of 13", 0) == 0);
  CHECK(quiet.emulator->request_count("/doscall/oa/api/receipt_parts/") == 2 + 3);
}

TEST_CASE("CTC over HTTP: a reply of megabytes is decoded while it arrives, same as whole") {
  CtcServer server;
  const DateTime from = at("2020-03-01 00:00:00");
  // About 4 MB; under a sanitizer about 1.4 MB, still past the 1 MiB that streams.
  const long count = erpbridge::test_support::time_scale() > 1 ? 7000 : 20000;
  server.ctc.add_receipts(CtcEmulator::generate(Direction::In, from, count,
                                                std::chrono::seconds(7 * 24 * 3600 / count)));
  const ReceiptQuery week{Direction::In, from, from + 7 * 24h - 1s};
  // The oracle: the same emulator in process, whose reply arrives whole.
  Options in_process = server.options();
  in_process.transport = server.emulator;
  auto expected = Client(in_process).query_receipts(week);
  REQUIRE(expected.ok());
  REQUIRE(expected->size() == static_cast<std::size_t>(count));

  Client client(server.options());
  auto streamed = client.query_receipts(week);
  REQUIRE(streamed.ok());
  CHECK(*streamed == *expected);

  // Cut short once: retried from the start, and the second try streams as well.
  Fault cut;
  cut.truncate = true;
  cut.times = 1;
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", cut);
  const std::size_t before = server.emulator->request_count("/doscall/oa/api/receipt_parts/");
  auto retried = client.query_receipts(week);
  REQUIRE(retried.ok());
  CHECK(*retried == *expected);
  CHECK(server.emulator->request_count("/doscall/oa/api/receipt_parts/") - before == 2);

  // Broken JSON a megabyte in: a Decode error with the offset, not a partial list.
  Fault broken;
  broken.body = R"({"res":0,"msg":"","data":[)" + std::string(2u << 20, ' ') + R"({"in_number":})";
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", broken);
  auto refused = client.query_receipts(week);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Decode);
  CHECK(refused.error().message.find("offset " + std::to_string(26 + (2u << 20) + 13)) !=
        std::string::npos);
}

TEST_CASE(
    "CTC over HTTP: list_receipts decodes windows of megabytes while they arrive, on decoder "
    "threads, never on the I/O thread") {
  CtcServer server;
  const DateTime from = at("2020-03-01 00:00:00");
  // Four 7-day windows of about 4 MB each; under a sanitizer (which took a minute over
  // these) about 1.4 MB each, still past the 1 MiB a reply must announce to stream.
  const long per_window = erpbridge::test_support::time_scale() > 1 ? 7000 : 20000;
  const std::chrono::seconds spacing(7 * 24 * 3600 / per_window);
  server.ctc.add_receipts(CtcEmulator::generate(Direction::In, from, 4 * per_window, spacing));
  const DateTime to = from + 4 * 7 * 24h - 1s;
  Options in_process = server.options();
  in_process.transport = server.emulator;  // the oracle: replies arrive whole
  auto expected = Client(in_process).list_receipts(Direction::In, from, to);
  REQUIRE(expected.ok());
  REQUIRE(expected->size() == static_cast<std::size_t>(4 * per_window));

  Client client(server.options());
  const std::size_t asked = server.emulator->request_count("/doscall/oa/api/receipt_parts/");
  const auto before = erpbridge::test_support::thread_cpu();
  auto streamed = client.list_receipts(Direction::In, from, to);
  const auto after = erpbridge::test_support::thread_cpu();
  REQUIRE(streamed.ok());
  CHECK(*streamed == *expected);
  CHECK(server.emulator->request_count("/doscall/oa/api/receipt_parts/") - asked == 4);
  const double io_ms = erpbridge::test_support::cpu_between(before, after, "erpbridge-io") / 1e6;
  const double decoders_ms =
      erpbridge::test_support::cpu_between(before, after, "erpbridge-dec") / 1e6;
  INFO("I/O thread " << io_ms << " ms CPU, decoder threads " << decoders_ms << " ms");
  // The decoders parsed the 16 MB; the I/O thread only moved the bytes and cut them into
  // pieces. (Before async calls streamed, the decoder threads ran nothing here: each window
  // was buffered whole and decoded after it had arrived.)
  CHECK(decoders_ms > 0);
  CHECK(io_ms * 2 < decoders_ms);

  // A window cut short is retried and streams again; broken JSON is a Decode error.
  Fault cut;
  cut.truncate = true;
  cut.times = 1;
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", cut);
  auto retried = client.list_receipts(Direction::In, from, to);
  REQUIRE(retried.ok());
  CHECK(*retried == *expected);
  Fault broken;
  broken.body = R"({"res":0,"msg":"","data":[)" + std::string(2u << 20, ' ') + R"({"in_number":})";
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", broken);
  auto refused = client.list_receipts(Direction::In, from, to);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Decode);
}

TEST_CASE("CTC over HTTP: a client's decoder threads are its own, joined when it ends") {
  CtcServer server;
  const DateTime from = at("2020-03-01 00:00:00");
  server.ctc.add_receipts(CtcEmulator::generate(Direction::In, from, 8000, 60s));
  const ReceiptQuery week{Direction::In, from, from + 7 * 24h - 1s};
  auto decoder_threads = [] {
    std::size_t count = 0;
    for (const std::string& name : erpbridge::test_support::thread_names()) {
      if (name == "erpbridge-dec") ++count;
    }
    return count;
  };
  REQUIRE(decoder_threads() == 0);
  {
    Client client(server.options());
    auto blocking = client.query_receipts(week);  // about 2 MB: streamed
    REQUIRE(blocking.ok());
    CHECK(blocking->size() == 8000);
    auto async = client.query_receipts_async(week).get();
    REQUIRE(async.ok());
    CHECK(*async == *blocking);
    CHECK(decoder_threads() >= 1);  // kept for the client's next reply
  }
  (void)erpbridge::test_support::thread_names_settled(
      [&](const std::vector<std::string>&) { return decoder_threads() == 0; });
  CHECK(decoder_threads() == 0);
}

TEST_CASE("CTC over HTTP: a transient 503 on a query is retried") {
  CtcServer server;
  server.ctc.add_receipts(CtcEmulator::spec_samples());
  Fault busy;
  busy.status = 503;
  busy.times = 2;
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", busy);
  Client client(server.options());
  auto result =
      client.query_receipts({Direction::In, at("2020-05-27 00:00:00"), at("2020-05-28 00:00:00")});
  REQUIRE(result.ok());
  CHECK(result->size() == 2);
  CHECK(server.emulator->request_count("/doscall/oa/api/receipt_parts/") == 3);
}

TEST_CASE("CTC over HTTP: the signed generic call returns the raw data") {
  CtcServer server;
  server.emulator->route(
      HttpMethod::Post, "/doscall/oa/api/order_list/", [](const EmulatorRequest& request) {
        bool signed_ok = request.body.find(std::string("\"key\":\"") + kKey) != std::string::npos;
        return erpbridge::testing::json_response(
            200, signed_ok ? R"({"res":0,"msg":"","data":{"orders":[{"number":"WX1"}]}})"
                           : R"({"res":1,"msg":"签名无效"})");
      });
  Client client(server.options());
  auto data = client.call("/doscall/oa/api/order_list/", R"({"page":1})");
  REQUIRE(data.ok());
  CHECK(*data == R"({"orders":[{"number":"WX1"}]})");
  Client unsigned_client(server.options("nope"));
  CHECK(unsigned_client.call("/doscall/oa/api/order_list/", "{}").error().code ==
        ErrorCode::Unauthenticated);
  CHECK(client.call("/doscall/oa/api/missing/", "{}").error().code == ErrorCode::NotFound);
}

namespace {
// A user's mock: answers every window with the same two receipts, so windows overlap. Like
// every Connection it may be called from several threads at once (list_receipts fetches
// windows concurrently).
class OverlappingConnection : public Connection {
 public:
  Result<std::vector<Receipt>> query_receipts(const ReceiptQuery& query) override {
    ++calls;
    Receipt a;
    a.number = "A";
    a.created_at = at("2020-03-02 00:00:00");
    Receipt b = a;
    b.number = "B";
    b.created_at = query.start;  // differs per window
    return std::vector<Receipt>{b, a};
  }
  std::atomic<int> calls{0};
};
}  // namespace

TEST_CASE("CTC client: a receipt number returned by several windows is kept once, by time") {
  auto connection = std::make_shared<OverlappingConnection>();
  Client client(connection);
  auto result =
      client.list_receipts(Direction::In, at("2020-03-01 00:00:00"), at("2020-03-20 00:00:00"));
  REQUIRE(result.ok());
  CHECK(connection->calls == 3);  // 03-01..03-08, 03-08..03-15, 03-15..03-20
  REQUIRE(result->size() == 2);   // A once, B once (the first window's copy)
  CHECK((*result)[0].number == "B");
  CHECK((*result)[0].created_at == at("2020-03-01 00:00:00"));
  CHECK((*result)[1].number == "A");
  CHECK((*result)[1].created_at == at("2020-03-02 00:00:00"));
  for (std::size_t i = 1; i < result->size(); ++i) {
    CHECK((*result)[i - 1].created_at <= (*result)[i].created_at);
  }
}

TEST_CASE("CTC client: an unimplemented mock endpoint says so") {
  Client client(std::make_shared<Connection>());
  CHECK(client.call("/x", "{}").error().code == ErrorCode::Unimplemented);
  CHECK(client.query_receipts({}).error().code == ErrorCode::Unimplemented);
}
