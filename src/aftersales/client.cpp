#include "erpbridge/aftersales/client.hpp"

namespace erpbridge::aftersales {

Client::Client(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
Client::Client(Options options) : connection_(make_connection(std::move(options))) {}

Client Client::with(const CallOptions& options) const {
  Client copy = *this;
  copy.call_options_ = call_options_.overridden_by(options);
  return copy;
}

Result<Order> Client::create_order(const NewOrder& order) const {
  CallOptionsScope scope(call_options_);
  Result<void> valid = validate(order);
  if (!valid.ok()) return std::move(valid).error();
  return connection_->create_order(order);
}

Result<Order> Client::update_order(std::int64_t id, const OrderUpdate& update) const {
  CallOptionsScope scope(call_options_);
  return connection_->update_order(id, update);
}

Result<Order> Client::step(const Order& order, Operation operation, bool submission,
                           const std::string& remark, const std::string& operator_name) const {
  CallOptionsScope scope(call_options_);
  if (order.workflow_status != WorkflowStatus::InProgress) {
    return make_error(ErrorCode::FailedPrecondition,
                      std::string("cannot ") + (submission ? "submit" : to_string(operation)) +
                          " order " + std::to_string(order.id) + ": workflow is " +
                          order.workflow_status.label() + ", not in_progress");
  }
  if (submission && order.status != Status::Waiting) {
    return make_error(ErrorCode::FailedPrecondition,
                      "cannot submit order " + std::to_string(order.id) + " in status " +
                          order.status.label() + ": only a waiting order is submitted");
  }
  Result<Status> next = next_status(order.status.value(), operation);
  if (!next.ok()) {
    Error error = std::move(next).error();
    error.message = "order " + std::to_string(order.id) + ": " + error.message;
    return error;
  }
  Result<Order> moved = submission ? connection_->submit_order(order.id, remark, operator_name)
                        : operation == Operation::Done
                            ? connection_->done_order(order.id, remark, operator_name)
                            : connection_->reject_order(order.id, remark, operator_name);
  if (moved.ok() && moved->status.label().empty()) {
    // The server accepted the step without saying the order's new state (an empty `data`):
    // what is known is the order as given, moved to the status the step leads to.
    Order known = order;
    known.status = *next;
    if (*next == Status::End) known.workflow_status = WorkflowStatus::Done;
    Result<Order> filled(std::move(known));
    filled.add_notes(moved.notes());
    return filled;
  }
  return moved;
}

Result<Order> Client::submit_order(const Order& order, const std::string& remark,
                                   const std::string& operator_name) const {
  return step(order, Operation::Done, true, remark, operator_name);
}

Result<Order> Client::done_order(const Order& order, const std::string& remark,
                                 const std::string& operator_name) const {
  return step(order, Operation::Done, false, remark, operator_name);
}

Result<Order> Client::reject_order(const Order& order, const std::string& remark,
                                   const std::string& operator_name) const {
  return step(order, Operation::Reject, false, remark, operator_name);
}

Result<void> Client::delete_order(const Order& order) const {
  CallOptionsScope scope(call_options_);
  if (order.workflow_status != WorkflowStatus::InProgress || order.status != Status::Waiting) {
    return make_error(ErrorCode::FailedPrecondition,
                      "cannot delete order " + std::to_string(order.id) + " in status " +
                          order.status.label() + " / " + order.workflow_status.label() +
                          ": only in_progress / waiting orders are deleted");
  }
  return connection_->delete_order(order.id);
}

PaginatedRange<Order> Client::all_orders(const ListFilter& filter) const {
  std::shared_ptr<Connection> connection = connection_;
  return PaginatedRange<Order>(
      [connection, filter, call = call_options_](int page) {
        CallOptionsScope scope(call);
        ListFilter request = filter;
        request.page = page;
        return connection->list_orders(request);
      },
      filter.page, filter.per_page);
}

PaginatedRange<Journal> Client::all_journals(std::int64_t order_id, int per_page) const {
  std::shared_ptr<Connection> connection = connection_;
  return PaginatedRange<Journal>(
      [connection, order_id, per_page, call = call_options_](int page) {
        CallOptionsScope scope(call);
        return connection->list_journals(order_id, PageRequest{page, per_page});
      },
      1, per_page);
}

PaginatedRange<Product> Client::all_products(int per_page) const {
  std::shared_ptr<Connection> connection = connection_;
  return PaginatedRange<Product>(
      [connection, per_page, call = call_options_](int page) {
        CallOptionsScope scope(call);
        return connection->list_products(PageRequest{page, per_page});
      },
      1, per_page);
}

Result<Page<Order>> Client::list_orders(const ListFilter& filter) const {
  CallOptionsScope scope(call_options_);
  return connection_->list_orders(filter);
}

Result<Page<Journal>> Client::list_journals(std::int64_t order_id, const PageRequest& page) const {
  CallOptionsScope scope(call_options_);
  return connection_->list_journals(order_id, page);
}

Result<Page<Product>> Client::list_products(const PageRequest& page) const {
  CallOptionsScope scope(call_options_);
  return connection_->list_products(page);
}

Result<Page<SupplierUserMatch>> Client::match_supplier_users(const std::string& key_word,
                                                             const PageRequest& page) const {
  CallOptionsScope scope(call_options_);
  return connection_->match_supplier_users(key_word, page);
}

Result<std::vector<AbnormalProduct>> Client::add_abnormal_products(
    std::int64_t order_id, const std::vector<AbnormalProduct>& products) const {
  CallOptionsScope scope(call_options_);
  return connection_->add_abnormal_products(order_id, products);
}

Result<AbnormalProduct> Client::update_abnormal_product(std::int64_t order_id,
                                                        std::int64_t product_id,
                                                        const AbnormalProduct& product) const {
  CallOptionsScope scope(call_options_);
  return connection_->update_abnormal_product(order_id, product_id, product);
}

Result<void> Client::delete_abnormal_product(std::int64_t order_id, std::int64_t product_id) const {
  CallOptionsScope scope(call_options_);
  return connection_->delete_abnormal_product(order_id, product_id);
}

Result<DutyReport> Client::update_duty_report(std::int64_t order_id,
                                              const DutyReport& report) const {
  CallOptionsScope scope(call_options_);
  return connection_->update_duty_report(order_id, report);
}

Result<std::vector<RankEntry>> Client::rank(Rank rank) const {
  CallOptionsScope scope(call_options_);
  return connection_->rank(rank);
}

}  // namespace erpbridge::aftersales
