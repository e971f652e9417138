// The after-service client: workflow steps checked locally, lists as ranges.
#pragma once

#include "erpbridge/aftersales/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <string>

#include "erpbridge/aftersales/connection.hpp"

namespace erpbridge::aftersales {

/// After-service calls. Copies share one connection; safe to use from several threads.
class ERPBRIDGE_AFTERSALES_EXPORT Client {
 public:
  /// A client over any connection (make_connection's, or your mock).
  explicit Client(std::shared_ptr<Connection> connection);
  /// A client over make_connection(options).
  explicit Client(Options options);

  /// Creates an order (the six fields are checked first); it starts in_progress / waiting.
  Result<Order> create(const NewOrder& order) const;
  /// Changes only the fields set in `update`.
  Result<Order> update(std::int64_t id, const OrderUpdate& update) const;

  /// Workflow steps from the order's known state: an impossible step (next_status fails, or
  /// the workflow is not in_progress) is FailedPrecondition without a request.
  ///@{
  /// Submit (done at waiting), done (next status) and reject (previous status).
  Result<Order> submit(const Order& order, const std::string& remark,
                       const std::string& operator_name) const;
  Result<Order> done(const Order& order, const std::string& remark,
                     const std::string& operator_name) const;
  Result<Order> reject(const Order& order, const std::string& remark,
                       const std::string& operator_name) const;
  ///@}
  /// Deletes an order that is still in_progress / waiting.
  Result<void> remove(const Order& order) const;

  /// Every order matching `filter`, pages loaded on demand from filter.page.
  PaginatedRange<Order> list_all(const ListFilter& filter) const;
  /// Every journal entry of an order, oldest first.
  PaginatedRange<Journal> journals(std::int64_t order_id, int per_page = 50) const;
  /// Every product.
  PaginatedRange<Product> products(int per_page = 50) const;

  /// A copy of this client whose calls apply `options` over the client's settings:
  /// `client.with(options).call(...)` makes one call idempotent or not, or gives it its own
  /// timeouts or retry policy (see CallOptions). Copies share the connection.
  Client with(const CallOptions& options) const;

  /// The connection the client calls.
  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

 private:
  Result<Order> step(const Order& order, Operation operation, bool submission,
                     const std::string& remark, const std::string& operator_name) const;

  std::shared_ptr<Connection> connection_;
  CallOptions call_options_;  // applied around every call (see with())
};

}  // namespace erpbridge::aftersales
