// The CTC endpoints, one virtual method each. Subclass it to mock CTC in your own tests.
#pragma once

#include "erpbridge/ctc/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "erpbridge/core/background.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/ctc/types.hpp"

namespace erpbridge::ctc {

/// The raw CTC endpoints; every blocking method has a default body returning
/// Unimplemented. Each has an async twin (name_async) returning a Future; its default runs
/// the blocking method on the SDK's worker pool, so a mock that overrides only blocking
/// methods serves async calls too. Methods may be called from several threads at once (a
/// Client is shared between threads; list_receipts and the async forms overlap calls).
/// make_connection()'s connection sends them on the client's I/O thread and decodes their
/// replies on its completion threads (ClientOptions::completion_threads).
class ERPBRIDGE_CTC_EXPORT Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;

  /// POST /doscall/oa/api/receipt_parts/ for one query of at most 7 calendar days; retried
  /// on transport errors, timeouts and 408/429/5xx (it only reads). Only `res` decides the
  /// outcome (strict; a number or a string): only the documented empty answers (res 2, or
  /// msg exactly "2", "无数据" or "2:无数据") are an empty list, 签名无效 (1)
  /// Unauthenticated, other values Api errors whatever their text says. Other fields that do not
  /// fit their types are left empty and reported in Result::notes().
  virtual Result<std::vector<Receipt>> query_receipts(const ReceiptQuery& query);

  /// Several queries with at most `max_concurrency` in flight; results in query order.
  /// The default runs query_receipts() for each in turn.
  virtual std::vector<Result<std::vector<Receipt>>> query_receipts_batch(
      const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency);

  /// Any other CTC interface: POSTs {"key":…,"data":`data_json`} to `path` and returns the
  /// reply's `data` as JSON text, with the same error mapping. Only calls marked
  /// `idempotent` are retried; for the others an unreadable reply sets
  /// Error::outcome_unknown.
  virtual Result<std::string> call(const std::string& path, const std::string& data_json,
                                   bool idempotent = false);

  ///@{
  /// The async twins of the methods above.
  virtual Future<std::vector<Receipt>> query_receipts_async(const ReceiptQuery& query);
  /// (The default starts query_receipts_async() for each query, at most `max_concurrency`
  /// at once, the next as one ends.)
  virtual Future<std::vector<Result<std::vector<Receipt>>>> query_receipts_batch_async(
      const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency);
  virtual Future<std::string> call_async(const std::string& path, const std::string& data_json,
                                         bool idempotent = false);
  ///@}

 private:
  // Where the default async methods run the blocking ones: started on first use, joined
  // when the connection ends.
  BackgroundThreads background_;
};

/// A connection over HTTP (libcurl unless options.transport is set).
ERPBRIDGE_CTC_EXPORT std::shared_ptr<Connection> make_connection(Options options);

}  // namespace erpbridge::ctc
