// The WMS push endpoint as a virtual method. Subclass it to mock pushes in your tests.
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/export.hpp"

#include <memory>

#include "erpbridge/core/background.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/wms/types.hpp"

namespace erpbridge::wms {

/// The raw WMS push endpoints; every blocking method has a default body returning
/// Unimplemented, and an async twin (name_async) whose default runs it on the SDK's worker
/// pool (so a mock overriding blocking methods serves async calls too).
class ERPBRIDGE_WMS_EXPORT Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;

  /// Validates, then POSTs the order to {base_url}/CreateEntryConfirmation with the
  /// Authorization token (refreshed once after a 401). entry_code makes a push safe to
  /// repeat, so failed tries are retried. Only `code` decides the outcome (strict; a number
  /// or a string): code != 0 is an Api error carrying code and message. message, bil_id and
  /// bil_no are read leniently; a success without bil_id/bil_no carries a decode note.
  virtual Result<PushReply> push(const EntryConfirmation& confirmation);
  /// The async twin of push().
  virtual Future<PushReply> push_async(const EntryConfirmation& confirmation);

 private:
  // Where the default async methods run the blocking ones: started on first use, joined
  // when the connection ends.
  BackgroundThreads background_;
};

/// A connection over HTTP (libcurl unless options.transport is set).
ERPBRIDGE_WMS_EXPORT std::shared_ptr<Connection> make_connection(Options options);

}  // namespace erpbridge::wms
