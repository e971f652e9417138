// The Kingdee gateway endpoints as virtual methods. Subclass it to mock Kingdee in tests.
#pragma once

#include "erpbridge/kingdee/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <string>

#include "erpbridge/core/background.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/kingdee/types.hpp"

namespace erpbridge::kingdee {

/// The raw Kingdee gateway endpoints; every blocking method has a default body returning
/// Unimplemented, and an async twin (name_async) whose default runs it on the SDK's worker
/// pool (so a mock overriding blocking methods serves async calls too).
class ERPBRIDGE_KINGDEE_EXPORT Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;

  /// Pushes the work-order execution `entry_pk` down into a spare-parts requisition bill.
  /// Not idempotent: never repeated once it may have reached the server (an auth rejection,
  /// which the server did not act on, is retried once with a fresh token). Only `success`
  /// decides the outcome: missing or unreadable, the call fails with Error::outcome_unknown.
  /// Every bill field is read leniently: a value that does not fit its typed member leaves
  /// it empty with a decode note (Result::notes()), so a created bill is never a failure.
  virtual Result<SparePartsBill> push_spare_parts(const std::string& entry_pk);

  /// POSTs `body_json` to any other gateway `path` with the same token, headers and
  /// envelope handling; returns the envelope's `data` as JSON text. Not retried either.
  virtual Result<std::string> call(const std::string& path, const std::string& body_json);

  ///@{
  /// The async twins of the methods above.
  virtual Future<SparePartsBill> push_spare_parts_async(const std::string& entry_pk);
  virtual Future<std::string> call_async(const std::string& path, const std::string& body_json);
  ///@}

 private:
  // Where the default async methods run the blocking ones: started on first use, joined
  // when the connection ends.
  BackgroundThreads background_;
};

/// A connection over HTTP (libcurl unless options.transport is set).
ERPBRIDGE_KINGDEE_EXPORT std::shared_ptr<Connection> make_connection(Options options);

}  // namespace erpbridge::kingdee
