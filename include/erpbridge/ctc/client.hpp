// The CTC client: a cheap, copyable value over a Connection, adding long-range queries.
#pragma once

#include "erpbridge/ctc/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <string>
#include <vector>

#include "erpbridge/core/client_base.hpp"
#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/ctc/connection.hpp"

namespace erpbridge::ctc {

/// How list_receipts fetches its windows.
struct ERPBRIDGE_CTC_EXPORT ListOptions {
  std::size_t concurrency = 4;  ///< Windows in flight at once (at least 1).
  ProgressCallback progress;    ///< Optional: told (done, total) as windows finish.
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// CTC calls. Copies share one connection; safe to use from several threads.
class ERPBRIDGE_CTC_EXPORT Client : public ClientBase<Client, Connection> {
 public:
  using ClientBase::ClientBase;
  /// A client over make_connection(options), fetching options.window_concurrency at once.
  explicit Client(Options options);

  /// One query; its range is checked locally under the calendar-day reading of the 7-day
  /// rule (a strict server may still refuse more than 7 x 24 h: use list_receipts).
  Result<std::vector<Receipt>> query_receipts(const ReceiptQuery& query) const;
  /// Several queries, at most `max_concurrency` in flight; results in query order.
  std::vector<Result<std::vector<Receipt>>> query_receipts_batch(
      const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency) const;

  /// Receipts created in [from, to] (both included), any length: split into windows of at
  /// most 7 x 24 h sharing their boundary second, fetched concurrently, merged in
  /// creation-time order, each receipt number once. If any
  /// window fails (after retries) the call fails naming that window; nothing partial.
  Result<std::vector<Receipt>> list_receipts(Direction direction, const DateTime& from,
                                             const DateTime& to) const;
  /// The same with explicit concurrency and a progress callback.
  Result<std::vector<Receipt>> list_receipts(Direction direction, const DateTime& from,
                                             const DateTime& to, const ListOptions& options) const;

  /// Any other CTC interface; see Connection::call.
  Result<std::string> call(const std::string& path, const std::string& data_json,
                           bool idempotent = false) const;

  ///@{
  /// The async forms: each returns at once with a Future (see erpbridge/core/future.hpp).
  /// list_receipts_async keeps at most `concurrency` windows in flight, starting the next as
  /// one ends; the first failing window cancels the others and ends the call; `progress`
  /// is told after every `concurrency` windows and at the end, on the thread where a window
  /// ended (a completion thread of the client, or the caller's), one call at a time, with
  /// counts that only grow, and never after the call has ended.
  /// list_receipts() is list_receipts_async(...).get().
  Future<std::vector<Receipt>> query_receipts_async(const ReceiptQuery& query) const;
  Future<std::vector<Receipt>> list_receipts_async(Direction direction, const DateTime& from,
                                                   const DateTime& to) const;
  Future<std::vector<Receipt>> list_receipts_async(Direction direction, const DateTime& from,
                                                   const DateTime& to,
                                                   const ListOptions& options) const;
  Future<std::vector<Result<std::vector<Receipt>>>> query_receipts_batch_async(
      const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency) const;
  Future<std::string> call_async(const std::string& path, const std::string& data_json,
                                 bool idempotent = false) const;
  ///@}

 private:
  std::size_t default_concurrency_ = 4;
};

}  // namespace erpbridge::ctc
