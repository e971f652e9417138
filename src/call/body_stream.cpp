#include "call/body_stream.hpp"

#include "runtime/thread_pool.hpp"

#include <cstdlib>
#include <functional>
#include <memory>
#include <utility>

namespace erpbridge::internal {

void PieceQueue::push(std::string piece, bool wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (wait) changed_.wait(lock, [&] { return reader_stopped_ || queued_bytes_ < kMaxQueued; });
  if (reader_stopped_) return;
  queued_bytes_ += piece.size();
  pieces_.push_back(std::move(piece));
  changed_.notify_all();
}

bool PieceQueue::full_then_notify(const std::function<void()>& ready) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (reader_stopped_ || queued_bytes_ < kMaxQueued) return false;
  on_room_ = ready;  // copied only when it is kept
  return true;
}

void PieceQueue::close() {
  std::lock_guard<std::mutex> guard(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void PieceQueue::stop_reading() {
  std::function<void()> ready;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    reader_stopped_ = true;
    pieces_.clear();
    queued_bytes_ = 0;
    changed_.notify_all();
    ready.swap(on_room_);
  }
  if (ready) ready();  // outside the lock: it may take the transport's
}

bool PieceQueue::next(char*& begin, char*& end) {
  std::function<void()> ready;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !pieces_.empty() || closed_; });
    if (pieces_.empty()) return false;
    current_ = std::move(pieces_.front());  // the piece read before is released now
    pieces_.pop_front();
    queued_bytes_ -= current_.size();
    changed_.notify_all();
    if (queued_bytes_ < kMaxQueued) ready.swap(on_room_);
    begin = current_.data();
    end = current_.data() + current_.size();
  }
  if (ready) ready();  // outside the lock: it may take the transport's
  return true;
}

// A Job on a decoder thread: owned by the stream and the pool's task together, so that the
// stream can let go of a try it gave up while the decoder runs to its (early) end.
struct StreamingBody::Decoding {
  std::shared_ptr<Job> job;
  PieceQueue queue;
  std::mutex mutex;  // guards what follows
  std::condition_variable done;
  bool finished = false;
  std::exception_ptr thrown;  // what the decoder threw, for settle() to rethrow
};

StreamingBody::~StreamingBody() {
  abandon();
}

void StreamingBody::abandon() {
  if (!decoding_) return;
  decoding_->queue.stop_reading();  // what it made of the body is not used
  decoding_->queue.close();
  decoding_.reset();
}

bool StreamingBody::begin(int status, const HttpHeaders& headers) {
  abandon();  // a try cut short before this one
  job_.reset();
  decode_pending_ = false;
  kept_whole_ = false;
  pending_.clear();
  if (status < 200 || status >= 300) return false;
  announced_size_ = 0;
  if (const std::string* length = find_header(headers, "Content-Length")) {
    announced_size_ = std::strtoull(length->c_str(), nullptr, 10);
    if (announced_size_ < kStreamFrom) return false;
  }
  cutter_ = json::JsonCutter();
  return true;
}

void StreamingBody::write(const char* data, std::size_t size) {
  const std::size_t cut = cutter_.last_cut(data, size);
  pending_.append(data, size);
  if (cut == std::string::npos || kept_whole_) return;
  const std::size_t cut_at = pending_.size() - size + cut;
  if (cut_at < kPieceSize) return;
  if (!decoding_ && !start_decoder()) {
    kept_whole_ = true;  // the client is ending: no decoder thread is left for this try
    return;
  }
  std::string piece = std::move(pending_);
  pending_.reserve(kPieceSize + kPieceSize / 4);  // one allocation per piece, not doublings
  pending_.assign(piece, cut_at, std::string::npos);
  piece.resize(cut_at);
  decoding_->queue.push(std::move(piece));
}

void StreamingBody::end(bool complete) {
  if (!decoding_) {
    // Never reached a full piece: settle() decodes what there is, unless the try failed.
    decode_pending_ = complete;
    if (!complete) pending_.clear();
    return;
  }
  if (complete) {
    if (!pending_.empty()) decoding_->queue.push(std::move(pending_), /*wait=*/false);
    decoding_->queue.close();
  } else {
    abandon();
  }
  pending_.clear();
}

bool StreamingBody::would_wait(const std::function<void()>& ready) {
  return decoding_ && decoding_->queue.full_then_notify(ready);
}

std::shared_ptr<StreamingBody::Job> StreamingBody::settle() {
  if (decoding_) {
    std::shared_ptr<Decoding> decoding = std::move(decoding_);
    std::unique_lock<std::mutex> lock(decoding->mutex);
    decoding->done.wait(lock, [&] { return decoding->finished; });
    if (decoding->thrown) std::rethrow_exception(decoding->thrown);
    job_ = decoding->job;
  } else if (decode_pending_) {
    decode_pending_ = false;
    job_ = new_job();
    const std::size_t size = announced_size_ != 0 ? announced_size_ : pending_.size();
    json::OnePiece whole(pending_.data(), pending_.size());
    job_->decode(whole, size);
    pending_.clear();
  }
  return job_;
}

bool StreamingBody::start_decoder() {
  if (!decoders_) return false;
  auto decoding = std::make_shared<Decoding>();
  decoding->job = new_job();
  std::function<void()> task = [decoding, size = announced_size_] {
    std::exception_ptr thrown;
    try {
      decoding->job->decode(decoding->queue, size);
    } catch (...) {
      thrown = std::current_exception();  // settle() rethrows it on the taker's thread
    }
    decoding->queue.stop_reading();  // a decoder that stopped early must not hold the producer
    std::lock_guard<std::mutex> guard(decoding->mutex);
    decoding->thrown = thrown;
    decoding->finished = true;
    decoding->done.notify_all();
  };
  if (!decoders_->try_run(task)) return false;
  decoding_ = std::move(decoding);
  return true;
}

}  // namespace erpbridge::internal
