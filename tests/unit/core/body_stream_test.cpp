// A reply decoded while it arrives (core/body_stream) against the same bytes decoded whole:
// the same receipts, notes and verdict, whatever the blocks the transport hands over; the
// producer never waits on a decoder that has stopped; small replies are not streamed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>

#include "call/body_stream.hpp"
#include "ctc/codec.hpp"

using erpbridge::HttpHeaders;
using erpbridge::ctc::wire::ReceiptsReply;
using erpbridge::internal::EnvelopeStream;
using erpbridge::internal::StreamingBody;
using erpbridge::internal::ThreadPool;

namespace {

// The decoder threads of these tests (a client's are its executor's).
std::shared_ptr<ThreadPool> test_decoders() {
  static const auto pool = std::make_shared<ThreadPool>("test-decoder", 0);
  return pool;
}

// A receipts reply of `count` receipts in the wire form, with escapes and Chinese text, and
// in every tenth an unknown key and a count that is not a number (a decode note).
std::string receipts_reply(std::size_t count) {
  std::string text = R"({"res":0,"msg":"","data":[)";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) text += ',';
    text += R"({"in_number":"RK)" + std::to_string(1000000 + i) + R"(","intype":"维修入库",)";
    text += i % 10 == 0 ? R"("amount":"many",)" : R"("amount":3,)";
    text += R"("amount_of_money":"393.00","status":"已结单",)"
            R"("number":"WX\"quoted\" \\ \u4e2d","inputuser":"测试员乙",)"
            R"("inputtime":"2020-05-27 20:49:12",)"
            R"("parts_details":[{"yunmi_code":"20.02.09.03.0063","amount":3}])";
    if (i % 10 == 0) text += R"(,"amount_of_money_x":{"nested":[1,2]})";
    text += '}';
  }
  return text + "]}";
}

HttpHeaders length_header(std::size_t size) {
  return {{"Content-Length", std::to_string(size)}};
}

// Feeds `text` to `stream` in random blocks of 1 byte to 64 KiB.
void feed(StreamingBody& stream, const std::string& text, std::mt19937& random) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t size = std::min<std::size_t>(text.size() - at, 1 + random() % 65536);
    stream.write(text.data() + at, size);
    at += size;
  }
}

}  // namespace

TEST_CASE("A streamed reply decodes to what the whole body decodes to") {
  const std::string text = receipts_reply(12000);  // about 4 MB: several pieces
  REQUIRE(text.size() > 3 * StreamingBody::kStreamFrom);
  ReceiptsReply whole;
  erpbridge::DecodeNotes whole_notes;
  REQUIRE(erpbridge::json::decode_reply(text, whole, whole_notes).ok());
  REQUIRE(whole.data.size() == 12000);
  REQUIRE(whole_notes.size() == 1200);
  // The whole-body decode is the oracle here; it is anchored to the text written above.
  CHECK(whole.data[11999].number == "RK1011999");
  CHECK(whole.data[7].work_order_number == "WX\"quoted\" \\ 中");
  CHECK(whole.data[7].creator == "测试员乙");
  CHECK(whole_notes[1].path == "data[10].amount");

  std::mt19937 random(42);
  EnvelopeStream<ReceiptsReply> stream(test_decoders());
  for (int round = 0; round < 3; ++round) {  // the same stream serves each try of a call
    REQUIRE(stream.begin(200, length_header(text.size())));
    feed(stream, text, random);
    stream.end(true);
    auto decoded = stream.take();
    REQUIRE(decoded.status.ok());
    CHECK(decoded.envelope.data == whole.data);
    CHECK(decoded.envelope.res == "0");
    REQUIRE(decoded.notes.size() == whole_notes.size());
    for (std::size_t i = 0; i < whole_notes.size(); ++i) {
      CHECK(decoded.notes[i].path == whole_notes[i].path);
    }
  }
}

TEST_CASE("A stream whose client has closed its decoders keeps the body whole and decodes it") {
  const std::string text = receipts_reply(6000);  // about 2 MB: a decoder would start
  REQUIRE(text.size() > StreamingBody::kStreamFrom);
  auto closed = std::make_shared<ThreadPool>("test-closed", 0);
  closed->close();
  std::mt19937 random(7);
  EnvelopeStream<ReceiptsReply> stream(closed);
  REQUIRE(stream.begin(200, length_header(text.size())));
  feed(stream, text, random);
  CHECK(closed->threads() == 0);
  CHECK_FALSE(stream.would_wait([] {}));  // no decoder to wait for: never paused
  stream.end(true);
  auto decoded = stream.take();
  REQUIRE(decoded.status.ok());
  REQUIRE(decoded.envelope.data.size() == 6000);
  CHECK(decoded.envelope.data[5999].number == "RK1005999");
}

TEST_CASE("A streamed reply of unannounced length, and one that never grows past a piece") {
  std::mt19937 random(1);
  EnvelopeStream<ReceiptsReply> stream(test_decoders());
  const std::string big = receipts_reply(5000);
  REQUIRE(stream.begin(200, {}));  // chunked: no Content-Length
  feed(stream, big, random);
  stream.end(true);
  auto decoded = stream.take();
  REQUIRE(decoded.status.ok());
  CHECK(decoded.envelope.data.size() == 5000);

  const std::string small = receipts_reply(3);
  REQUIRE(stream.begin(200, {}));
  feed(stream, small, random);
  stream.end(true);
  decoded = stream.take();
  REQUIRE(decoded.status.ok());
  CHECK(decoded.envelope.data.size() == 3);
}

TEST_CASE("Small replies and failures are not streamed") {
  EnvelopeStream<ReceiptsReply> stream(test_decoders());
  CHECK_FALSE(stream.begin(200, length_header(1000)));
  CHECK_FALSE(stream.begin(503, length_header(10u << 20)));
  CHECK_FALSE(stream.begin(404, {}));
  CHECK(stream.begin(200, length_header(10u << 20)));
  stream.end(false);  // cut short before any byte: nothing to wait for
}

TEST_CASE("A decoder that fails early never holds up the transfer") {
  // Invalid JSON at the start of a 20 MB body: the decoder stops at once, and the rest of
  // the body must still go through without waiting on a full queue.
  std::string text = R"({"res":0,"data":[{"in_number":"x",]})";
  text.resize(20u << 20, ' ');
  text.back() = '"';
  std::mt19937 random(3);
  EnvelopeStream<ReceiptsReply> stream(test_decoders());
  REQUIRE(stream.begin(200, length_header(text.size())));
  for (std::size_t at = 0; at < text.size(); at += 1u << 16) {
    stream.write(text.data() + at, std::min<std::size_t>(1u << 16, text.size() - at));
    const char quote[] = "\"x\"";  // string ends, so that pieces are handed over
    stream.write(quote, 3);
  }
  stream.end(true);
  auto decoded = stream.take();
  REQUIRE_FALSE(decoded.status.ok());
  CHECK(decoded.status.error().message.find("invalid JSON at offset 34") != std::string::npos);
}

TEST_CASE("A try cut short mid-body leaves the stream ready for the next try") {
  // Decoder threads of the test's own, joined at its end: the first try's decoder is
  // abandoned (the stream never waits for it), and on the shared pool it could still be
  // reading the decode schemas when the process exits and destroys them (TSan saw it once).
  auto decoders = std::make_shared<ThreadPool>("test-decoder", 0);
  const std::string text = receipts_reply(8000);
  std::mt19937 random(9);
  EnvelopeStream<ReceiptsReply> stream(decoders);
  REQUIRE(stream.begin(200, length_header(text.size())));
  stream.write(text.data(), text.size() / 2);
  stream.end(false);
  REQUIRE(stream.begin(200, length_header(text.size())));
  feed(stream, text, random);
  stream.end(true);
  auto decoded = stream.take();
  REQUIRE(decoded.status.ok());
  CHECK(decoded.envelope.data.size() == 8000);
  decoders->close();  // the abandoned decoder ends here, within the test
}

namespace {

// A stream whose decoder reads one piece, then blocks until released (or throws 42, or a
// std::runtime_error): a decoder the transport must never wait for.
class BlockingStream final : public StreamingBody {
 public:
  enum class Then { Block, ThrowInt, ThrowRuntimeError };
  explicit BlockingStream(Then then)
      : StreamingBody(test_decoders()), state_(std::make_shared<State>()), then_(then) {}

  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    bool released = false;
    int started = 0;
    int finished = 0;
  };
  const std::shared_ptr<State>& state() const { return state_; }
  std::shared_ptr<Job> settled() { return settle(); }

 protected:
  std::shared_ptr<Job> new_job() override { return std::make_shared<BlockingJob>(state_, then_); }

 private:
  struct BlockingJob final : Job {
    BlockingJob(std::shared_ptr<State> state, Then then) : state(std::move(state)), then(then) {}
    void decode(erpbridge::json::ChunkSource& pieces, std::size_t) override {
      char* begin = nullptr;
      char* end = nullptr;
      (void)pieces.next(begin, end);
      if (then == Then::ThrowInt) throw 42;
      if (then == Then::ThrowRuntimeError) throw std::runtime_error("decoder broke");
      std::unique_lock<std::mutex> lock(state->mutex);
      ++state->started;
      state->changed.notify_all();
      state->changed.wait(lock, [&] { return state->released; });
      ++state->finished;
      state->changed.notify_all();
    }
    std::shared_ptr<State> state;
    Then then;
  };
  std::shared_ptr<State> state_;
  Then then_;
};

// Announces 4 MB and writes 1 MB of a JSON array of strings: enough to start a decoder.
void start_streaming(StreamingBody& stream) {
  REQUIRE(stream.begin(200, length_header(4u << 20)));
  std::string text = "[";
  while (text.size() < (1u << 20)) text += "\"0123456789abcdef\",";
  stream.write(text.data(), text.size());
}

}  // namespace

TEST_CASE("A try given up is abandoned, never waited for: a new try and the stream's end") {
  using Clock = std::chrono::steady_clock;
  auto stream = std::make_unique<BlockingStream>(BlockingStream::Then::Block);
  const std::shared_ptr<BlockingStream::State> state = stream->state();
  start_streaming(*stream);
  {
    std::unique_lock<std::mutex> lock(state->mutex);
    REQUIRE(state->changed.wait_for(lock, std::chrono::seconds(10),
                                    [&] { return state->started == 1; }));
  }
  // The transport's thread: the try is cut short, the next one begins, then the call ends
  // and the stream goes. None of it waits for the blocked decoder.
  const auto started = Clock::now();
  stream->end(false);
  CHECK_FALSE(stream->begin(503, {}));  // the retry's reply is not streamed
  stream->end(true);
  start_streaming(*stream);  // a third try streams again: a second decoder
  stream->end(false);
  stream.reset();
  CHECK(Clock::now() - started < std::chrono::milliseconds(500));
  {
    std::unique_lock<std::mutex> lock(state->mutex);
    REQUIRE(state->changed.wait_for(lock, std::chrono::seconds(10),
                                    [&] { return state->started == 2; }));
    CHECK(state->finished == 0);
    state->released = true;  // the abandoned decoders run to their end on their own
    state->changed.notify_all();
    REQUIRE(state->changed.wait_for(lock, std::chrono::seconds(10),
                                    [&] { return state->finished == 2; }));
  }
}

TEST_CASE("What a decoder thread throws is rethrown to the thread that takes the result") {
  for (auto then : {BlockingStream::Then::ThrowInt, BlockingStream::Then::ThrowRuntimeError}) {
    BlockingStream stream(then);
    start_streaming(stream);
    stream.end(true);
    if (then == BlockingStream::Then::ThrowInt) {
      CHECK_THROWS_AS(stream.settled(), int);
    } else {
      CHECK_THROWS_WITH(stream.settled(), "decoder broke");
    }
  }
}
