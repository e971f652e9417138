#include "erpbridge/ctc/client.hpp"

#include <algorithm>

namespace erpbridge::ctc {

Client::Client(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}

Client::Client(Options options) : default_concurrency_(options.window_concurrency) {
  connection_ = make_connection(std::move(options));
}

Client Client::with(const CallOptions& options) const {
  Client copy = *this;
  copy.call_options_ = call_options_.overridden_by(options);
  return copy;
}

Result<std::vector<Receipt>> Client::query_receipts(const ReceiptQuery& query) const {
  CallOptionsScope scope(call_options_);
  return connection_->query_receipts(query);
}

std::vector<Result<std::vector<Receipt>>> Client::query_receipts_batch(
    const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency) const {
  CallOptionsScope scope(call_options_);
  return connection_->query_receipts_batch(queries, max_concurrency);
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
  CallOptionsScope scope(call_options_);
  Result<std::vector<ReceiptQuery>> windows = split_windows(direction, from, to);
  if (!windows.ok()) return std::move(windows).error();
  const std::size_t total = windows->size();
  const std::size_t concurrency = std::max<std::size_t>(1, options.concurrency);

  std::vector<Receipt> merged;
  // Windows go out in groups of `concurrency`, so progress can be reported between groups
  // and a failure stops the remaining windows from being fetched.
  for (std::size_t first = 0; first < total; first += concurrency) {
    const std::size_t last = std::min(total, first + concurrency);
    std::vector<ReceiptQuery> group(windows->begin() + static_cast<std::ptrdiff_t>(first),
                                    windows->begin() + static_cast<std::ptrdiff_t>(last));
    auto results = connection_->query_receipts_batch(group, concurrency);
    for (std::size_t k = 0; k < results.size(); ++k) {
      if (!results[k].ok()) {
        Error error = std::move(results[k]).error();
        error.message = "window " + std::to_string(first + k + 1) + " of " + std::to_string(total) +
                        " (" + group[k].start.to_string() + " .. " + group[k].end.to_string() +
                        "): " + error.message;
        return error;
      }
      std::vector<Receipt>& receipts = *results[k];
      merged.insert(merged.end(), std::make_move_iterator(receipts.begin()),
                    std::make_move_iterator(receipts.end()));
    }
    if (options.progress) options.progress(last, total);
  }

  std::stable_sort(merged.begin(), merged.end(),
                   [](const Receipt& a, const Receipt& b) { return a.created_at < b.created_at; });
  // Exact duplicates (returned by two windows) share a creation time, so they are neighbours
  // within a run of equal times.
  std::vector<Receipt> unique;
  unique.reserve(merged.size());
  std::size_t run_start = 0;
  for (Receipt& receipt : merged) {
    if (!unique.empty() && unique.back().created_at != receipt.created_at) {
      run_start = unique.size();
    }
    bool seen = std::any_of(unique.begin() + static_cast<std::ptrdiff_t>(run_start), unique.end(),
                            [&](const Receipt& kept) { return kept == receipt; });
    if (!seen) unique.push_back(std::move(receipt));
  }
  return unique;
}

Result<std::string> Client::call(const std::string& path, const std::string& data_json,
                                 bool idempotent) const {
  CallOptionsScope scope(call_options_);
  return connection_->call(path, data_json, idempotent);
}

}  // namespace erpbridge::ctc
