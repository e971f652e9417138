// The CTC endpoints, one virtual method each. Subclass it to mock CTC in your own tests.
#pragma once

#include "erpbridge/ctc/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "erpbridge/ctc/types.hpp"

namespace erpbridge::ctc {

/// The raw CTC endpoints; every method has a default body returning Unimplemented.
class ERPBRIDGE_CTC_EXPORT Connection {
 public:
  virtual ~Connection() = default;

  /// POST /doscall/oa/api/receipt_parts/ for one query of at most 7 calendar days; retried
  /// on transport errors, timeouts and 408/429/5xx (it only reads). Only `res` decides the
  /// outcome (strict; a number or a string): 无数据 (2, in res or msg) is an empty list,
  /// 签名无效 (1) Unauthenticated, other values Api errors. Other fields that do not fit
  /// their types are left empty and reported in Result::notes().
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
};

/// A connection over HTTP (libcurl unless options.transport is set).
ERPBRIDGE_CTC_EXPORT std::shared_ptr<Connection> make_connection(Options options);

}  // namespace erpbridge::ctc
