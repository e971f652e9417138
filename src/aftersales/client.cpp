#include "erpbridge/aftersales/client.hpp"

#include "call/unnested.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace erpbridge::aftersales {

Client::Client(Options options) : ClientBase(make_connection(std::move(options))) {}

Result<Order> Client::create_order(const NewOrder& order) const {
  CallOptionsScope scope(call_options());
  Result<void> valid = validate(order);
  if (!valid.ok()) return std::move(valid).error();
  return connection()->create_order(order);
}

Result<Order> Client::find_created(const NewOrder& order) const {
  ListFilter filter;
  filter.creator_name = order.creator_name;
  filter.per_page = 50;
  std::optional<Order> newest;
  for (const Result<Order>& listed : all_orders(filter)) {
    if (!listed.ok()) return listed.error();
    const Order& candidate = *listed;
    const bool same = candidate.type == order.type &&
                      candidate.customer_name == order.customer_name &&
                      candidate.accuser_name == order.accuser_name &&
                      candidate.creator_name == order.creator_name &&
                      candidate.reason == order.reason && candidate.remark == order.remark;
    if (same && candidate.id != 0 && (!newest || candidate.id > newest->id)) newest = candidate;
  }
  if (!newest) {
    return make_error(ErrorCode::NotFound, "find_created: no order of creator " +
                                               order.creator_name + " matches the fields sent");
  }
  return *newest;
}

Result<Order> Client::update_order(std::int64_t id, const OrderUpdate& update) const {
  return forward(&Connection::update_order, id, update);
}

namespace {

// The local check of a workflow step, where the document restricts it: a submission only
// from in_progress / waiting ("下面字段更新仅限制于 workflow_status == in_progress && status ==
// waitting"). Done and reject are the server's to judge (the document lists no restriction
// on them); the status the document's transitions lead to, when there is one, fills in a
// reply that does not say it.
Result<std::optional<Status>> check_step(const Order& order, Operation operation, bool submission) {
  if (submission) {
    if (order.workflow_status != WorkflowStatus::InProgress || order.status != Status::Waiting) {
      return make_error(ErrorCode::FailedPrecondition,
                        "cannot submit order " + std::to_string(order.id) + " in status " +
                            order.status.label() + " / " + order.workflow_status.label() +
                            ": only an in_progress / waiting order is submitted");
    }
  }
  Result<Status> next = next_status(order.status.value(), operation);
  if (!next.ok()) return std::optional<Status>();
  return std::optional<Status>(*next);
}

// The server accepted the step without saying the order's new state (an empty `data`):
// what is known is the order as given, moved to the status the step leads to (when the
// document's transitions say which).
Result<Order> filled_in(Result<Order> moved, const Order& order, std::optional<Status> next) {
  if (!moved.ok() || !moved->status.label().empty() || !next) return moved;
  Order known = order;
  known.status = *next;
  if (*next == Status::End) known.workflow_status = WorkflowStatus::Done;
  Result<Order> filled(std::move(known));
  filled.add_notes(moved.notes());
  return filled;
}

Result<void> check_delete(const Order& order) {
  if (order.workflow_status != WorkflowStatus::InProgress || order.status != Status::Waiting) {
    return make_error(ErrorCode::FailedPrecondition,
                      "cannot delete order " + std::to_string(order.id) + " in status " +
                          order.status.label() + " / " + order.workflow_status.label() +
                          ": only in_progress / waiting orders are deleted");
  }
  return ok();
}

// Every page of a list, one request after another, ending where PaginatedRange ends (the
// same PageStop).
template <typename T>
struct PageCollector : std::enable_shared_from_this<PageCollector<T>> {
  std::function<Future<Page<T>>(int page)> load;
  int page = 1;
  PageStop stop;
  std::vector<T> items;
  DecodeNotes notes;
  Promise<std::vector<T>> promise;
  std::mutex mutex;
  Future<Page<T>> current;

  void next() {
    Future<Page<T>> loading = load(page);
    {
      std::lock_guard<std::mutex> guard(mutex);
      current = loading;
    }
    if (promise.cancel_requested()) loading.cancel();
    auto self = this->shared_from_this();
    (void)loading.then([self](Result<Page<T>> result) -> Result<void> {
      if (!result.ok()) {
        Result<std::vector<T>> failed(std::move(result).error());
        failed.add_notes(std::move(self->notes));
        self->finish(std::move(failed));
        return ok();
      }
      for (const auto& note : result.notes()) self->notes.push_back(note);
      Page<T>& got = *result;
      const bool last = self->stop.last_page(got);
      for (T& item : got.items) self->items.push_back(std::move(item));
      if (last) {
        Result<std::vector<T>> all(std::move(self->items));
        all.add_notes(std::move(self->notes));
        self->finish(std::move(all));
        return ok();
      }
      ++self->page;
      // A page that is ready at once (a mock, a cache) would otherwise load the next inside
      // this continuation, one stack frame deeper per page.
      internal::run_unnested([self] { self->next(); });
      return ok();
    });
  }

  // `load` holds the client's connection: it goes before the caller sees the outcome, so
  // that the caller, not this completion thread, holds the client's last reference (see
  // SlidingRun::settle_now).
  void finish(Result<std::vector<T>> outcome) {
    load = nullptr;
    promise.complete(std::move(outcome));
  }
};

template <typename T>
Future<std::vector<T>> collect_pages(std::function<Future<Page<T>>(int)> load, int first_page) {
  auto collector = std::make_shared<PageCollector<T>>();
  collector->load = std::move(load);
  collector->page = first_page;
  Future<std::vector<T>> future = collector->promise.future();
  std::weak_ptr<PageCollector<T>> weak = collector;
  collector->promise.on_cancel([weak] {
    auto pending = weak.lock();
    if (!pending) return;
    Future<Page<T>> current;
    {
      std::lock_guard<std::mutex> guard(pending->mutex);
      current = pending->current;
    }
    current.cancel();  // its Cancelled ends the collection
  });
  collector->next();
  return future;
}

}  // namespace

Result<Order> Client::step(const Order& order, Operation operation, bool submission,
                           const std::string& remark, const std::string& operator_name) const {
  CallOptionsScope scope(call_options());
  Result<std::optional<Status>> next = check_step(order, operation, submission);
  if (!next.ok()) return std::move(next).error();
  Result<Order> moved = submission ? connection()->submit_order(order.id, remark, operator_name)
                        : operation == Operation::Done
                            ? connection()->done_order(order.id, remark, operator_name)
                            : connection()->reject_order(order.id, remark, operator_name);
  return filled_in(std::move(moved), order, *next);
}

Future<Order> Client::step_async(const Order& order, Operation operation, bool submission,
                                 const std::string& remark,
                                 const std::string& operator_name) const {
  CallOptionsScope scope(call_options());
  Result<std::optional<Status>> next = check_step(order, operation, submission);
  if (!next.ok()) return ready_future<Order>(std::move(next).error());
  Future<Order> moved = submission
                            ? connection()->submit_order_async(order.id, remark, operator_name)
                        : operation == Operation::Done
                            ? connection()->done_order_async(order.id, remark, operator_name)
                            : connection()->reject_order_async(order.id, remark, operator_name);
  return moved.then([order, status = *next](Result<Order> result) {
    return filled_in(std::move(result), order, status);
  });
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
  CallOptionsScope scope(call_options());
  Result<void> allowed = check_delete(order);
  if (!allowed.ok()) return allowed;
  return connection()->delete_order(order.id);
}

PaginatedRange<Order> Client::all_orders(const ListFilter& filter) const {
  std::shared_ptr<Connection> connection = this->connection();
  return PaginatedRange<Order>(
      [connection, filter, call = call_options()](int page) {
        CallOptionsScope scope(call);
        ListFilter request = filter;
        request.page = page;
        return connection->list_orders(request);
      },
      filter.page, filter.per_page);
}

PaginatedRange<Journal> Client::all_journals(std::int64_t order_id, int per_page) const {
  std::shared_ptr<Connection> connection = this->connection();
  return PaginatedRange<Journal>(
      [connection, order_id, per_page, call = call_options()](int page) {
        CallOptionsScope scope(call);
        return connection->list_journals(order_id, PageRequest{page, per_page});
      },
      1, per_page);
}

PaginatedRange<Product> Client::all_products(int per_page) const {
  std::shared_ptr<Connection> connection = this->connection();
  return PaginatedRange<Product>(
      [connection, per_page, call = call_options()](int page) {
        CallOptionsScope scope(call);
        return connection->list_products(PageRequest{page, per_page});
      },
      1, per_page);
}

Result<Page<Order>> Client::list_orders(const ListFilter& filter) const {
  return forward(&Connection::list_orders, filter);
}

Result<Page<Journal>> Client::list_journals(std::int64_t order_id, const PageRequest& page) const {
  return forward(&Connection::list_journals, order_id, page);
}

Result<Page<Product>> Client::list_products(const PageRequest& page) const {
  return forward(&Connection::list_products, page);
}

Result<Page<SupplierUserMatch>> Client::match_supplier_users(const std::string& key_word,
                                                             const PageRequest& page) const {
  return forward(&Connection::match_supplier_users, key_word, page);
}

Result<std::vector<AbnormalProduct>> Client::add_abnormal_products(
    std::int64_t order_id, const std::vector<AbnormalProduct>& products) const {
  return forward(&Connection::add_abnormal_products, order_id, products);
}

Result<AbnormalProduct> Client::update_abnormal_product(std::int64_t order_id,
                                                        std::int64_t product_id,
                                                        const AbnormalProduct& product) const {
  return forward(&Connection::update_abnormal_product, order_id, product_id, product);
}

Result<void> Client::delete_abnormal_product(std::int64_t order_id, std::int64_t product_id) const {
  return forward(&Connection::delete_abnormal_product, order_id, product_id);
}

Result<DutyReport> Client::update_duty_report(std::int64_t order_id,
                                              const DutyReport& report) const {
  return forward(&Connection::update_duty_report, order_id, report);
}

Result<std::vector<RankEntry>> Client::rank(Rank rank) const {
  return forward(&Connection::rank, rank);
}

// ---- async forms ----

Future<Order> Client::create_order_async(const NewOrder& order) const {
  CallOptionsScope scope(call_options());
  Result<void> valid = validate(order);
  if (!valid.ok()) return ready_future<Order>(std::move(valid).error());
  return connection()->create_order_async(order);
}

Future<Page<Order>> Client::list_orders_async(const ListFilter& filter) const {
  return forward(&Connection::list_orders_async, filter);
}

Future<std::vector<Order>> Client::all_orders_async(const ListFilter& filter) const {
  std::shared_ptr<Connection> connection = this->connection();
  CallOptions call = CallOptionsScope::current().overridden_by(call_options());
  return collect_pages<Order>(
      [connection, filter, call](int page) {
        CallOptionsScope scope(call);
        ListFilter request = filter;
        request.page = page;
        return connection->list_orders_async(request);
      },
      filter.page);
}

Future<Order> Client::update_order_async(std::int64_t id, const OrderUpdate& update) const {
  return forward(&Connection::update_order_async, id, update);
}

Future<Order> Client::submit_order_async(const Order& order, const std::string& remark,
                                         const std::string& operator_name) const {
  return step_async(order, Operation::Done, true, remark, operator_name);
}

Future<Order> Client::done_order_async(const Order& order, const std::string& remark,
                                       const std::string& operator_name) const {
  return step_async(order, Operation::Done, false, remark, operator_name);
}

Future<Order> Client::reject_order_async(const Order& order, const std::string& remark,
                                         const std::string& operator_name) const {
  return step_async(order, Operation::Reject, false, remark, operator_name);
}

Future<void> Client::delete_order_async(const Order& order) const {
  CallOptionsScope scope(call_options());
  Result<void> allowed = check_delete(order);
  if (!allowed.ok()) return ready_future<void>(std::move(allowed));
  return connection()->delete_order_async(order.id);
}

Future<Page<Journal>> Client::list_journals_async(std::int64_t order_id,
                                                  const PageRequest& page) const {
  return forward(&Connection::list_journals_async, order_id, page);
}

Future<std::vector<Journal>> Client::all_journals_async(std::int64_t order_id, int per_page) const {
  std::shared_ptr<Connection> connection = this->connection();
  CallOptions call = CallOptionsScope::current().overridden_by(call_options());
  return collect_pages<Journal>(
      [connection, order_id, per_page, call](int page) {
        CallOptionsScope scope(call);
        return connection->list_journals_async(order_id, PageRequest{page, per_page});
      },
      1);
}

Future<Page<Product>> Client::list_products_async(const PageRequest& page) const {
  return forward(&Connection::list_products_async, page);
}

Future<std::vector<Product>> Client::all_products_async(int per_page) const {
  std::shared_ptr<Connection> connection = this->connection();
  CallOptions call = CallOptionsScope::current().overridden_by(call_options());
  return collect_pages<Product>(
      [connection, per_page, call](int page) {
        CallOptionsScope scope(call);
        return connection->list_products_async(PageRequest{page, per_page});
      },
      1);
}

Future<Page<SupplierUserMatch>> Client::match_supplier_users_async(const std::string& key_word,
                                                                   const PageRequest& page) const {
  return forward(&Connection::match_supplier_users_async, key_word, page);
}

Future<std::vector<AbnormalProduct>> Client::add_abnormal_products_async(
    std::int64_t order_id, const std::vector<AbnormalProduct>& products) const {
  return forward(&Connection::add_abnormal_products_async, order_id, products);
}

Future<AbnormalProduct> Client::update_abnormal_product_async(
    std::int64_t order_id, std::int64_t product_id, const AbnormalProduct& product) const {
  return forward(&Connection::update_abnormal_product_async, order_id, product_id, product);
}

Future<void> Client::delete_abnormal_product_async(std::int64_t order_id,
                                                   std::int64_t product_id) const {
  return forward(&Connection::delete_abnormal_product_async, order_id, product_id);
}

Future<DutyReport> Client::update_duty_report_async(std::int64_t order_id,
                                                    const DutyReport& report) const {
  return forward(&Connection::update_duty_report_async, order_id, report);
}

Future<std::vector<RankEntry>> Client::rank_async(Rank rank) const {
  return forward(&Connection::rank_async, rank);
}

}  // namespace erpbridge::aftersales
