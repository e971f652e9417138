// Decoding a large reply while it downloads: the transport's write callback cuts the body
// into pieces at string ends (json::JsonCutter) and hands them through a bounded queue to a
// decoder on a pooled thread of its own, so the body never exists whole and the decode overlaps
// the transfer. Small replies (a Content-Length under kStreamFrom) are left to the usual
// whole-body decode, and so is a reply whose length is not announced until it is that big.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "erpbridge/core/http.hpp"
#include "json/chunks.hpp"
#include "json/decoder.hpp"
#include "runtime/thread_pool.hpp"

namespace erpbridge::internal {

/// Pieces from the transport's thread to the decoder's: a producer ahead of its decoder waits
/// while kMaxQueued bytes or more are queued, so at most kMaxQueued bytes plus one piece are.
class PieceQueue final : public json::ChunkSource {
 public:
  static constexpr std::size_t kMaxQueued = 1u << 20;

  /// Queues a piece, waiting while the queue is full (unless `wait` is false: the last piece
  /// of a body may exceed the bound); dropped if the reader has stopped.
  void push(std::string piece, bool wait = true);
  /// Whether push() would wait now; if so, `ready` is called once when it no longer would.
  bool full_then_notify(const std::function<void()>& ready);
  /// No more pieces: the reader sees the end of the text.
  void close();
  /// The reader stops taking pieces (it has finished or failed): push() no longer waits.
  void stop_reading();

  bool next(char*& begin, char*& end) override;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> pieces_;
  std::size_t queued_bytes_ = 0;
  std::function<void()> on_room_;  // full_then_notify's, until there is room
  bool closed_ = false;
  bool reader_stopped_ = false;
  std::string current_;  // the piece being read (the reader's pointers point into it)
};

/// A BodyStream that decodes each try's body with a Job of the subclass's (new_job()), for
/// one call and each of its tries. Nothing it does on the transport's thread waits for a
/// decoder: end() only closes the queue, a try given up (a new begin(), the stream's end) is
/// left to stop on its own, and a body too short for a decoder thread is decoded by settle(),
/// on the thread that takes the result. A Job writes only into itself, never into the
/// stream, which is what lets a try be abandoned rather than waited for.
///
/// Decoders run on the client's pool (Executor::decoders()), which the client joins when it
/// ends. Once that pool is closed, a body is kept whole and settle() decodes it: a decoder
/// must never run on the thread that feeds it.
class StreamingBody : public BodyStream {
 public:
  /// Replies announced shorter than this are not streamed.
  static constexpr std::size_t kStreamFrom = 1u << 20;
  /// The size of the pieces handed to the decoder (at least; a piece ends after a string).
  static constexpr std::size_t kPieceSize = 256u << 10;

  explicit StreamingBody(std::shared_ptr<ThreadPool> decoders) : decoders_(std::move(decoders)) {}
  ~StreamingBody() override;

  bool begin(int status, const HttpHeaders& headers) override;
  void write(const char* data, std::size_t size) override;
  void end(bool complete) override;
  bool would_wait(const std::function<void()>& ready) override;

 protected:
  /// One try's decode, and what it decoded.
  struct Job {
    virtual ~Job() = default;
    /// Decodes the body from `pieces` (size: the announced length, 0 if none); called on a
    /// decoder thread, or in settle() for a body that never reached a full piece.
    virtual void decode(json::ChunkSource& pieces, std::size_t size) = 0;
  };
  virtual std::shared_ptr<Job> new_job() = 0;

  /// Waits for the last try's decoder, or decodes its short body here, and returns its Job
  /// (null if the last try's body was not taken). What the decoder threw is rethrown here.
  std::shared_ptr<Job> settle();

 private:
  struct Decoding;       // a Job on a decoder thread, with its queue
  bool start_decoder();  // false if the pool is closed
  void abandon();        // the try in hand, if any, is left to stop on its own

  std::shared_ptr<ThreadPool> decoders_;
  bool kept_whole_ = false;  // this try's decoder could not start: settle() decodes the body
  std::size_t announced_size_ = 0;
  json::JsonCutter cutter_;
  std::string pending_;          // received, not yet handed over
  bool decode_pending_ = false;  // a complete body never handed to a decoder: settle() decodes
  std::shared_ptr<Job> job_;     // the last try's, once settled
  std::shared_ptr<Decoding> decoding_;  // the try on a decoder thread, if any
};

/// An envelope decoded leniently (json::decode_reply), with how that went and its notes.
template <typename Envelope>
struct DecodedEnvelope {
  Result<void> status = ok();
  Envelope envelope{};
  DecodeNotes notes;
};

/// A StreamingBody that decodes a reply's body into an Envelope as it arrives.
template <typename Envelope>
class EnvelopeStream final : public StreamingBody {
 public:
  using StreamingBody::StreamingBody;
  /// What the last streamed try decoded (once the transport has returned): waits for its
  /// decoder.
  DecodedEnvelope<Envelope> take() {
    std::shared_ptr<Job> job = settle();
    if (!job) return DecodedEnvelope<Envelope>{};
    return std::move(static_cast<EnvelopeJob&>(*job).decoded);
  }

 protected:
  std::shared_ptr<Job> new_job() override { return std::make_shared<EnvelopeJob>(); }

 private:
  struct EnvelopeJob final : Job {
    DecodedEnvelope<Envelope> decoded;
    void decode(json::ChunkSource& pieces, std::size_t size) override {
      decoded.status = json::decode_value_chunks(pieces, size, json::codec_of<Envelope>(),
                                                 &decoded.envelope, &decoded.notes);
    }
  };
};

}  // namespace erpbridge::internal
