// The after-service client: workflow steps checked locally, lists as ranges.
#pragma once

#include <memory>
#include <string>

#include "erpbridge/aftersales/connection.hpp"

namespace erpbridge::aftersales {

class Client {
 public:
  explicit Client(std::shared_ptr<Connection> connection);
  explicit Client(Options options);

  Result<Order> create(const NewOrder& order) const;
  Result<Order> update(std::int64_t id, const OrderUpdate& update) const;

  /// Workflow steps from the order's known state: an impossible step (next_status fails, or
  /// the workflow is not in_progress) is FailedPrecondition without a request.
  Result<Order> submit(const Order& order, const std::string& remark,
                       const std::string& operator_name) const;
  Result<Order> done(const Order& order, const std::string& remark,
                     const std::string& operator_name) const;
  Result<Order> reject(const Order& order, const std::string& remark,
                       const std::string& operator_name) const;
  /// Deletes an order that is still in_progress / waiting.
  Result<void> remove(const Order& order) const;

  /// Every order matching `filter`, pages loaded on demand from filter.page.
  PaginatedRange<Order> list_all(const ListFilter& filter) const;
  /// Every journal entry of an order, oldest first.
  PaginatedRange<Journal> journals(std::int64_t order_id, int per_page = 50) const;
  /// Every product.
  PaginatedRange<Product> products(int per_page = 50) const;

  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

 private:
  Result<Order> step(const Order& order, Operation operation, bool submission,
                     const std::string& remark, const std::string& operator_name) const;

  std::shared_ptr<Connection> connection_;
};

}  // namespace erpbridge::aftersales
