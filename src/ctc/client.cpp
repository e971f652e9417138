#include "erpbridge/ctc/client.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "call/sliding_run.hpp"

namespace erpbridge::ctc {

// The options are copied, not moved: the window concurrency is read after the base is built.
Client::Client(Options options)
    : ClientBase(make_connection(options)), default_concurrency_(options.window_concurrency) {}

Result<std::vector<Receipt>> Client::query_receipts(const ReceiptQuery& query) const {
  return forward(&Connection::query_receipts, query);
}

std::vector<Result<std::vector<Receipt>>> Client::query_receipts_batch(
    const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency) const {
  return forward(&Connection::query_receipts_batch, queries, max_concurrency);
}

Result<std::vector<Receipt>> Client::list_receipts(Direction direction, const DateTime& from,
                                                   const DateTime& to) const {
  ListOptions options;
  options.concurrency = default_concurrency_;
  return list_receipts(direction, from, to, options);
}

Result<std::vector<Receipt>> Client::list_receipts(Direction direction, const DateTime& from,
                                                   const DateTime& to,
                                                   const ListOptions& options) const {
  return list_receipts_async(direction, from, to, options).get();
}

Future<std::vector<Receipt>> Client::list_receipts_async(Direction direction, const DateTime& from,
                                                         const DateTime& to) const {
  ListOptions options;
  options.concurrency = default_concurrency_;
  return list_receipts_async(direction, from, to, options);
}

namespace {

// Where each receipt number was kept: open addressing over one array of positions, each
// beside its number's hash, so that a probe compares numbers only when the hashes agree. A
// std::unordered_set of 100k numbers spent ~40 ms of a one-window list on its nodes and
// cache misses, on the thread that hands the list to the caller.
class KeptNumbers {
 public:
  struct Slot {
    // In `kept`, or kFree: one list holds far fewer than 2^32 - 1 receipts (a window's reply
    // is capped by max_response_bytes).
    std::uint32_t position = kFree;
    std::uint32_t hash = 0;  // the number's hash, its upper half
  };
  static constexpr std::uint32_t kFree = 0xffffffffu;

  explicit KeptNumbers(std::size_t count) {
    std::size_t capacity = 16;
    while (capacity < 2 * count) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }

  static std::uint64_t hash_of(const std::string& number) {
    return std::hash<std::string_view>{}(number);
  }

  // Where the probe for `hash` starts, for a prefetch.
  const Slot* first_probe(std::uint64_t hash) const {
    return &slots_[static_cast<std::size_t>(hash) & mask_];
  }

  // The slot of `number` (whose hash_of is `hash`): free (its hash already set), or holding
  // the position in `kept` of a receipt with that number.
  Slot& slot_of(const std::string& number, std::uint64_t hash, const std::vector<Receipt>& kept) {
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    std::size_t at = static_cast<std::size_t>(hash) & mask_;
    for (;; at = (at + 1) & mask_) {
      Slot& slot = slots_[at];
      if (slot.position == kFree) {
        slot.hash = tag;
        return slot;
      }
      if (slot.hash == tag && kept[slot.position].number == number) return slot;
    }
  }

 private:
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

inline void prefetch(const char* data) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(data);
#else
  (void)data;
#endif
}

// Receipts in creation-time order, each receipt number once: adjacent windows share their
// boundary second, so a receipt created on it comes back from both (the first copy is kept).
// A receipt whose number did not decode is dropped only as an exact copy of one kept, looked
// for among those of the same second. Linear, and in place: the windows are appended to the
// first (one window, the common case, is never copied), kept receipts move down over dropped
// ones, and windows that come back in order are not sorted again.
std::vector<Receipt> merged_in_order(std::vector<std::vector<Receipt>>& parts) {
  std::vector<Receipt> merged;
  if (parts.empty()) return merged;
  std::size_t count = 0;
  for (const auto& part : parts) count += part.size();
  merged = std::move(parts.front());
  merged.reserve(count);
  for (std::size_t part = 1; part < parts.size(); ++part) {
    merged.insert(merged.end(), std::make_move_iterator(parts[part].begin()),
                  std::make_move_iterator(parts[part].end()));
  }
  KeptNumbers numbers(count);
  std::unordered_multimap<std::int64_t, std::size_t> numberless;  // by second: position kept
  std::size_t kept = 0;  // merged[0, kept) holds the receipts kept so far
  bool in_order = true;  // merged[0, kept) by creation time: no sort needed
  // Three cache misses a receipt, each asked for ahead so that they come while earlier
  // receipts are looked up: the receipt itself (16 ahead), its number's characters, which
  // live apart (8 ahead), and the number's slot in the table, 2 MB for 100k receipts (4
  // ahead, its hash kept for when the receipt's turn comes). 100k receipts, one window:
  // 14 ms with none, 9-12 ms with the characters' alone, 5.8-7.3 ms with all three.
  constexpr std::size_t kHashesAhead = 4;
  std::array<std::uint64_t, kHashesAhead> hashes{};  // of receipts next .. next + 3
  const auto hash_ahead = [&](std::size_t at) {
    const std::string& number = merged[at].number;
    if (number.empty()) return;
    const std::uint64_t hash = KeptNumbers::hash_of(number);
    hashes[at % kHashesAhead] = hash;
    prefetch(reinterpret_cast<const char*>(numbers.first_probe(hash)));
  };
  for (std::size_t at = 0; at < kHashesAhead && at < merged.size(); ++at) hash_ahead(at);
  for (std::size_t next = 0; next < merged.size(); ++next) {
    if (next + 16 < merged.size()) {
      const Receipt& ahead = merged[next + 16];
      prefetch(reinterpret_cast<const char*>(&ahead.number));
      prefetch(reinterpret_cast<const char*>(&ahead.created_at));
    }
    if (next + 8 < merged.size()) prefetch(merged[next + 8].number.data());
    const std::uint64_t hash = hashes[next % kHashesAhead];
    if (next + kHashesAhead < merged.size()) hash_ahead(next + kHashesAhead);
    Receipt& receipt = merged[next];
    KeptNumbers::Slot* slot = nullptr;
    std::int64_t second = 0;
    if (receipt.number.empty()) {
      second = receipt.created_at.seconds_since_epoch();
      const auto same_second = numberless.equal_range(second);
      if (std::any_of(same_second.first, same_second.second,
                      [&](const auto& earlier) { return merged[earlier.second] == receipt; })) {
        continue;
      }
    } else {
      slot = &numbers.slot_of(receipt.number, hash, merged);
      if (slot->position != KeptNumbers::kFree) continue;
    }
    if (kept != 0 && receipt.created_at < merged[kept - 1].created_at) in_order = false;
    if (next != kept) merged[kept] = std::move(receipt);
    if (slot != nullptr) {
      slot->position = static_cast<std::uint32_t>(kept);
    } else {
      numberless.emplace(second, kept);
    }
    ++kept;
  }
  merged.erase(merged.begin() + static_cast<std::ptrdiff_t>(kept), merged.end());
  if (!in_order) {
    std::stable_sort(merged.begin(), merged.end(), [](const Receipt& a, const Receipt& b) {
      return a.created_at < b.created_at;
    });
  }
  return merged;
}

}  // namespace

Future<std::vector<Receipt>> Client::list_receipts_async(Direction direction, const DateTime& from,
                                                         const DateTime& to,
                                                         const ListOptions& options) const {
  Result<std::vector<ReceiptQuery>> split = split_windows(direction, from, to);
  if (!split.ok()) return ready_future<std::vector<Receipt>>(std::move(split).error());
  auto windows = std::make_shared<const std::vector<ReceiptQuery>>(std::move(split).value());
  const std::size_t concurrency = std::max<std::size_t>(1, options.concurrency);
  // Progress after every `concurrency` windows and at the end.
  internal::SlidingRun<std::vector<Receipt>>::Progress progress;
  if (options.progress) {
    progress = [concurrency, report = options.progress](std::size_t done, std::size_t total) {
      if (done % concurrency == 0 || done == total) report(done, total);
    };
  }
  auto start = [connection = this->connection(),
                call_options = CallOptionsScope::current().overridden_by(call_options()),
                windows](std::size_t index) {
    CallOptionsScope scope(call_options);
    return connection->query_receipts_async((*windows)[index]);
  };
  return internal::SlidingRun<std::vector<Receipt>>::run(windows->size(), concurrency,
                                                         /*stop_at_failure=*/true, start,
                                                         std::move(progress))
      // Merging and sorting a long range is real work: it runs where the last window
      // completed, a completion thread of the client, never the I/O thread.
      .then([windows](Result<internal::SlidingOutcome<std::vector<Receipt>>> outcome)
                -> Result<std::vector<Receipt>> {
        if (!outcome.ok()) return std::move(outcome).error();  // cancelled
        if (outcome->failed) {
          const std::size_t index = *outcome->failed;
          const ReceiptQuery& window = (*windows)[index];
          Error error = std::move(outcome->results[index]).error();
          error.message = "window " + std::to_string(index + 1) + " of " +
                          std::to_string(windows->size()) + " (" + window.start.to_string() +
                          " .. " + window.end.to_string() + "): " + error.message;
          return error;
        }
        std::vector<std::vector<Receipt>> parts;
        parts.reserve(outcome->results.size());
        for (auto& part : outcome->results) parts.push_back(std::move(part).value());
        return merged_in_order(parts);
      });
}

Future<std::vector<Result<std::vector<Receipt>>>> Client::query_receipts_batch_async(
    const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency) const {
  return forward(&Connection::query_receipts_batch_async, queries, max_concurrency);
}

Future<std::vector<Receipt>> Client::query_receipts_async(const ReceiptQuery& query) const {
  return forward(&Connection::query_receipts_async, query);
}

Future<std::string> Client::call_async(const std::string& path, const std::string& data_json,
                                       bool idempotent) const {
  return forward(&Connection::call_async, path, data_json, idempotent);
}

Result<std::string> Client::call(const std::string& path, const std::string& data_json,
                                 bool idempotent) const {
  return forward(&Connection::call, path, data_json, idempotent);
}

}  // namespace erpbridge::ctc
