#include "erpbridge/aftersales/connection.hpp"

#include "aftersales/codec.hpp"
#include "call/call.hpp"
#include "erpbridge/core/async.hpp"

namespace erpbridge::aftersales {

// Default bodies: a mock overrides what it needs.
#define ERPBRIDGE_UNIMPLEMENTED(name) \
  return make_error(ErrorCode::Unimplemented, "aftersales::Connection::" name)

Result<Order> Connection::create_order(const NewOrder&) {
  ERPBRIDGE_UNIMPLEMENTED("create_order");
}
Result<Page<Order>> Connection::list_orders(const ListFilter&) {
  ERPBRIDGE_UNIMPLEMENTED("list_orders");
}
Result<Order> Connection::update_order(std::int64_t, const OrderUpdate&) {
  ERPBRIDGE_UNIMPLEMENTED("update_order");
}
Result<Order> Connection::submit_order(std::int64_t, const std::string&, const std::string&) {
  ERPBRIDGE_UNIMPLEMENTED("submit_order");
}
Result<Order> Connection::done_order(std::int64_t, const std::string&, const std::string&) {
  ERPBRIDGE_UNIMPLEMENTED("done_order");
}
Result<Order> Connection::reject_order(std::int64_t, const std::string&, const std::string&) {
  ERPBRIDGE_UNIMPLEMENTED("reject_order");
}
Result<void> Connection::delete_order(std::int64_t) {
  ERPBRIDGE_UNIMPLEMENTED("delete_order");
}
Result<Page<Journal>> Connection::list_journals(std::int64_t, const PageRequest&) {
  ERPBRIDGE_UNIMPLEMENTED("list_journals");
}
Result<Page<Product>> Connection::list_products(const PageRequest&) {
  ERPBRIDGE_UNIMPLEMENTED("list_products");
}
Result<Page<SupplierUserMatch>> Connection::match_supplier_users(const std::string&,
                                                                 const PageRequest&) {
  ERPBRIDGE_UNIMPLEMENTED("match_supplier_users");
}
Result<std::vector<AbnormalProduct>> Connection::add_abnormal_products(
    std::int64_t, const std::vector<AbnormalProduct>&) {
  ERPBRIDGE_UNIMPLEMENTED("add_abnormal_products");
}
Result<AbnormalProduct> Connection::update_abnormal_product(std::int64_t, std::int64_t,
                                                            const AbnormalProduct&) {
  ERPBRIDGE_UNIMPLEMENTED("update_abnormal_product");
}
Result<void> Connection::delete_abnormal_product(std::int64_t, std::int64_t) {
  ERPBRIDGE_UNIMPLEMENTED("delete_abnormal_product");
}
Result<DutyReport> Connection::update_duty_report(std::int64_t, const DutyReport&) {
  ERPBRIDGE_UNIMPLEMENTED("update_duty_report");
}
Result<std::vector<RankEntry>> Connection::rank(Rank) {
  ERPBRIDGE_UNIMPLEMENTED("rank");
}

#undef ERPBRIDGE_UNIMPLEMENTED

// Default async bodies: the blocking method on the connection's own worker threads.
#define ERPBRIDGE_IN_BACKGROUND(T, call) \
  return run_in_background_on<T>(this, background_, [=](Connection& self) { return self.call; })

Future<Order> Connection::create_order_async(const NewOrder& order) {
  ERPBRIDGE_IN_BACKGROUND(Order, create_order(order));
}
Future<Page<Order>> Connection::list_orders_async(const ListFilter& filter) {
  ERPBRIDGE_IN_BACKGROUND(Page<Order>, list_orders(filter));
}
Future<Order> Connection::update_order_async(std::int64_t id, const OrderUpdate& update) {
  ERPBRIDGE_IN_BACKGROUND(Order, update_order(id, update));
}
Future<Order> Connection::submit_order_async(std::int64_t id, const std::string& remark,
                                             const std::string& operator_name) {
  ERPBRIDGE_IN_BACKGROUND(Order, submit_order(id, remark, operator_name));
}
Future<Order> Connection::done_order_async(std::int64_t id, const std::string& remark,
                                           const std::string& operator_name) {
  ERPBRIDGE_IN_BACKGROUND(Order, done_order(id, remark, operator_name));
}
Future<Order> Connection::reject_order_async(std::int64_t id, const std::string& remark,
                                             const std::string& operator_name) {
  ERPBRIDGE_IN_BACKGROUND(Order, reject_order(id, remark, operator_name));
}
Future<void> Connection::delete_order_async(std::int64_t id) {
  ERPBRIDGE_IN_BACKGROUND(void, delete_order(id));
}
Future<Page<Journal>> Connection::list_journals_async(std::int64_t order_id,
                                                      const PageRequest& page) {
  ERPBRIDGE_IN_BACKGROUND(Page<Journal>, list_journals(order_id, page));
}
Future<Page<Product>> Connection::list_products_async(const PageRequest& page) {
  ERPBRIDGE_IN_BACKGROUND(Page<Product>, list_products(page));
}
Future<Page<SupplierUserMatch>> Connection::match_supplier_users_async(const std::string& key_word,
                                                                       const PageRequest& page) {
  ERPBRIDGE_IN_BACKGROUND(Page<SupplierUserMatch>, match_supplier_users(key_word, page));
}
Future<std::vector<AbnormalProduct>> Connection::add_abnormal_products_async(
    std::int64_t order_id, const std::vector<AbnormalProduct>& products) {
  ERPBRIDGE_IN_BACKGROUND(std::vector<AbnormalProduct>, add_abnormal_products(order_id, products));
}
Future<AbnormalProduct> Connection::update_abnormal_product_async(std::int64_t order_id,
                                                                  std::int64_t product_id,
                                                                  const AbnormalProduct& product) {
  ERPBRIDGE_IN_BACKGROUND(AbnormalProduct, update_abnormal_product(order_id, product_id, product));
}
Future<void> Connection::delete_abnormal_product_async(std::int64_t order_id,
                                                       std::int64_t product_id) {
  ERPBRIDGE_IN_BACKGROUND(void, delete_abnormal_product(order_id, product_id));
}
Future<DutyReport> Connection::update_duty_report_async(std::int64_t order_id,
                                                        const DutyReport& report) {
  ERPBRIDGE_IN_BACKGROUND(DutyReport, update_duty_report(order_id, report));
}
Future<std::vector<RankEntry>> Connection::rank_async(Rank rank) {
  ERPBRIDGE_IN_BACKGROUND(std::vector<RankEntry>, rank(rank));
}

#undef ERPBRIDGE_IN_BACKGROUND

namespace {

std::string query(
    std::initializer_list<std::pair<const char*, std::optional<std::string>>> params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!value) continue;
    out += out.empty() ? '?' : '&';
    out += name;
    out += '=';
    out += url_encode(*value);
  }
  return out;
}

std::string page_query(const PageRequest& page) {
  return query({{"page", std::to_string(page.page)}, {"per_page", std::to_string(page.per_page)}});
}

// The fields of a new order that a reply left empty, from what was sent.
void fill_unset(Order& order, const Order& sent) {
  for (auto [field, value] :
       {std::pair{&order.type, &sent.type}, std::pair{&order.customer_name, &sent.customer_name},
        std::pair{&order.accuser_name, &sent.accuser_name},
        std::pair{&order.creator_name, &sent.creator_name}, std::pair{&order.reason, &sent.reason},
        std::pair{&order.remark, &sent.remark}}) {
    if (field->empty()) *field = *value;
  }
}

// What is known of an order after `update` was accepted without the order coming back.
Order order_from_update(std::int64_t id, const OrderUpdate& update) {
  Order order;
  order.id = id;
  for (auto [value, field] :
       {std::pair{&update.type, &order.type},
        std::pair{&update.customer_name, &order.customer_name},
        std::pair{&update.accuser_name, &order.accuser_name},
        std::pair{&update.creator_name, &order.creator_name},
        std::pair{&update.saler, &order.saler}, std::pair{&update.remark, &order.remark},
        std::pair{&update.reason, &order.reason},
        std::pair{&update.charge_number, &order.charge_number}}) {
    if (value->has_value()) *field = **value;
  }
  return order;
}

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : base_(internal::join_url(options.base_url, wire::kBasePath)),
        executor_(std::move(options)) {}

  // Each endpoint once, as a prepared call; the blocking and async methods run it.
#define ERPBRIDGE_ENDPOINT(T, name, params, args) \
  Result<T> name params override {                \
    return run(#name, name##_call args);          \
  }                                               \
  Future<T> name##_async params override {        \
    return run_async(#name, name##_call args);    \
  }

  ERPBRIDGE_ENDPOINT(Order, create_order, (const NewOrder& order), (order))
  ERPBRIDGE_ENDPOINT(Page<Order>, list_orders, (const ListFilter& filter), (filter))
  ERPBRIDGE_ENDPOINT(Order, update_order, (std::int64_t id, const OrderUpdate& update),
                     (id, update))
  ERPBRIDGE_ENDPOINT(Order, submit_order,
                     (std::int64_t id, const std::string& remark, const std::string& operator_name),
                     (id, Operation::Done, remark, operator_name, "submit order "))
  ERPBRIDGE_ENDPOINT(Order, done_order,
                     (std::int64_t id, const std::string& remark, const std::string& operator_name),
                     (id, Operation::Done, remark, operator_name, "done order "))
  ERPBRIDGE_ENDPOINT(Order, reject_order,
                     (std::int64_t id, const std::string& remark, const std::string& operator_name),
                     (id, Operation::Reject, remark, operator_name, "reject order "))
  ERPBRIDGE_ENDPOINT(void, delete_order, (std::int64_t id), (id))
  ERPBRIDGE_ENDPOINT(Page<Journal>, list_journals, (std::int64_t order_id, const PageRequest& page),
                     (order_id, page))
  ERPBRIDGE_ENDPOINT(Page<Product>, list_products, (const PageRequest& page), (page))
  ERPBRIDGE_ENDPOINT(Page<SupplierUserMatch>, match_supplier_users,
                     (const std::string& key_word, const PageRequest& page), (key_word, page))
  ERPBRIDGE_ENDPOINT(std::vector<AbnormalProduct>, add_abnormal_products,
                     (std::int64_t order_id, const std::vector<AbnormalProduct>& products),
                     (order_id, products))
  ERPBRIDGE_ENDPOINT(AbnormalProduct, update_abnormal_product,
                     (std::int64_t order_id, std::int64_t product_id,
                      const AbnormalProduct& product),
                     (order_id, product_id, product))
  ERPBRIDGE_ENDPOINT(void, delete_abnormal_product,
                     (std::int64_t order_id, std::int64_t product_id), (order_id, product_id))
  ERPBRIDGE_ENDPOINT(DutyReport, update_duty_report,
                     (std::int64_t order_id, const DutyReport& report), (order_id, report))
  ERPBRIDGE_ENDPOINT(std::vector<RankEntry>, rank, (Rank which), (which))
#undef ERPBRIDGE_ENDPOINT

 private:
  template <typename T>
  using Prepared = Result<internal::PreparedCall<T>>;

  template <typename T>
  Result<T> run(std::string_view endpoint, Prepared<T> call) {
    if (!call.ok()) return std::move(call).error();
    call->label = {"aftersales", endpoint};
    return internal::run_call(executor_, *call);
  }
  template <typename T>
  Future<T> run_async(std::string_view endpoint, Prepared<T> call) {
    if (!call.ok()) return ready_future<T>(std::move(call).error());
    call->label = {"aftersales", endpoint};
    return internal::run_call_async(executor_, std::move(call).value());
  }

  // Writes are never repeated: each one may add an order, a product or a journal entry.
  Prepared<Order> create_order_call(const NewOrder& order) {
    Result<void> valid = validate(order);
    if (!valid.ok()) return std::move(valid).error();
    // Accepted with an empty `data`: the order as sent, its id unknown.
    Order sent;
    sent.type = order.type;
    sent.customer_name = order.customer_name;
    sent.accuser_name = order.accuser_name;
    sent.creator_name = order.creator_name;
    sent.reason = order.reason;
    sent.remark = order.remark;
    return envelope_call<Order, Order>(
        HttpMethod::Post, "/orders", wire::encode_new_order(order), {"create order", true},
        [sent = std::move(sent)](const internal::Executor& executor,
                                 const internal::CallContext& context,
                                 Result<wire::Envelope<Order>> envelope) {
          if (!envelope.ok()) return Result<Order>(envelope.error());
          const bool came_back = !envelope->data.empty();
          Result<Order> result = internal::with_notes_of(
              Result<Order>(came_back ? std::move(envelope->data.front()) : sent), envelope);
          if (came_back && result->id != 0) return result;
          // Accepted, but the new order's id did not come back: what was sent is known, and
          // Client::find_created() finds the id among the creator's newest orders.
          if (came_back) fill_unset(*result, sent);
          note(executor, result, context, "data.id",
               "the created order's id is missing from the reply: the result holds what was "
               "sent; Client::find_created(order) finds the id");
          return result;
        });
  }

  Prepared<Page<Order>> list_orders_call(const ListFilter& filter) {
    // The spelling the caller chose (the label it carries), never normalised.
    auto label = [](const auto& value) -> std::optional<std::string> {
      if (!value || value->label().empty()) return std::nullopt;
      return value->label();
    };
    const std::string path = "/orders" + query({{"status", label(filter.status)},
                                                {"workflow_status", label(filter.workflow_status)},
                                                {"creator_name", filter.creator_name},
                                                {"page", std::to_string(filter.page)},
                                                {"per_page", std::to_string(filter.per_page)}});
    return page<Order>(path, "list orders");
  }

  Prepared<Order> update_order_call(std::int64_t id, const OrderUpdate& update) {
    // Not repeated: the server writes a journal entry for each update it receives.
    return single<Order>(HttpMethod::Put, order_path(id), wire::encode_order_update(update),
                         {"update order " + std::to_string(id), true},
                         order_from_update(id, update));
  }

  Prepared<Order> submit_order_call(std::int64_t id, Operation operation, const std::string& remark,
                                    const std::string& operator_name, const std::string& what) {
    return workflow(id, operation, remark, operator_name, what);
  }
  Prepared<Order> done_order_call(std::int64_t id, Operation operation, const std::string& remark,
                                  const std::string& operator_name, const std::string& what) {
    return workflow(id, operation, remark, operator_name, what);
  }
  Prepared<Order> reject_order_call(std::int64_t id, Operation operation, const std::string& remark,
                                    const std::string& operator_name, const std::string& what) {
    return workflow(id, operation, remark, operator_name, what);
  }

  Prepared<void> delete_order_call(std::int64_t id) {
    return none(HttpMethod::Delete, order_path(id), "delete order " + std::to_string(id));
  }

  Prepared<Page<Journal>> list_journals_call(std::int64_t order_id, const PageRequest& request) {
    // The spec's path: /api/v1/afterservice/<id>/journals, without orders/.
    return page<Journal>("/" + std::to_string(order_id) + "/journals" + page_query(request),
                         "journals of order " + std::to_string(order_id));
  }

  Prepared<Page<Product>> list_products_call(const PageRequest& request) {
    return page<Product>("/all-products" + page_query(request), "all-products");
  }

  Prepared<Page<SupplierUserMatch>> match_supplier_users_call(const std::string& key_word,
                                                              const PageRequest& request) {
    const std::string path =
        "/supplier_user_matcher" + query({{"key_word", key_word},
                                          {"page", std::to_string(request.page)},
                                          {"per_page", std::to_string(request.per_page)}});
    return page<SupplierUserMatch>(path, "supplier_user_matcher");
  }

  Prepared<std::vector<AbnormalProduct>> add_abnormal_products_call(
      std::int64_t order_id, const std::vector<AbnormalProduct>& products) {
    if (products.empty()) {
      return make_error(ErrorCode::InvalidArgument, "add_abnormal_products: no product given");
    }
    const internal::CallContext call{
        "after-service add abnormal products to order " + std::to_string(order_id), true};
    // Accepted without the stored products: the ones sent, their ids unknown.
    std::vector<AbnormalProduct> sent = products;
    for (AbnormalProduct& product : sent) product.id.reset();
    return envelope_call<AbnormalProduct, std::vector<AbnormalProduct>>(
        HttpMethod::Post, order_path(order_id) + "/abnormal-products",
        wire::encode_abnormal_products(products), call,
        [sent = std::move(sent)](const internal::Executor& executor,
                                 const internal::CallContext& context,
                                 Result<wire::Envelope<AbnormalProduct>> envelope) {
          if (!envelope.ok()) return Result<std::vector<AbnormalProduct>>(envelope.error());
          if (envelope->data.empty()) {
            auto result =
                internal::with_notes_of(Result<std::vector<AbnormalProduct>>(sent), envelope);
            note_empty_data(executor, result, context);
            return result;
          }
          return internal::with_notes_of(
              Result<std::vector<AbnormalProduct>>(std::move(envelope->data)), envelope);
        });
  }

  Prepared<AbnormalProduct> update_abnormal_product_call(std::int64_t order_id,
                                                         std::int64_t product_id,
                                                         const AbnormalProduct& product) {
    AbnormalProduct body = product;
    body.id.reset();
    AbnormalProduct sent = body;
    sent.id = product_id;
    return single<AbnormalProduct>(
        HttpMethod::Put, product_path(order_id, product_id), wire::encode_abnormal_product(body),
        {"update abnormal product " + std::to_string(product_id), true}, std::move(sent));
  }

  Prepared<void> delete_abnormal_product_call(std::int64_t order_id, std::int64_t product_id) {
    return none(HttpMethod::Delete, product_path(order_id, product_id),
                "delete abnormal product " + std::to_string(product_id));
  }

  Prepared<DutyReport> update_duty_report_call(std::int64_t order_id, const DutyReport& report) {
    return single<DutyReport>(
        HttpMethod::Put, order_path(order_id) + "/duty-report", wire::encode_duty_report(report),
        {"update duty report of order " + std::to_string(order_id), true}, report);
  }

  Prepared<std::vector<RankEntry>> rank_call(Rank which) {
    return envelope_call<RankEntry, std::vector<RankEntry>>(
        HttpMethod::Get, std::string("/dutyreports/") + path_segment(which), {},
        {std::string("after-service ") + path_segment(which), false},
        [](const internal::Executor&, const internal::CallContext&,
           Result<wire::Envelope<RankEntry>> envelope) {
          if (!envelope.ok()) return Result<std::vector<RankEntry>>(envelope.error());
          return internal::with_notes_of(Result<std::vector<RankEntry>>(std::move(envelope->data)),
                                         envelope);
        });
  }

  static std::string order_path(std::int64_t id) {
    return "/orders/" + std::to_string(id);
  }
  static std::string product_path(std::int64_t order_id, std::int64_t product_id) {
    return order_path(order_id) + "/abnormal-products/" + std::to_string(product_id);
  }

  // A note of this family's own, logged like the decoder's.
  template <typename T>
  static void note(const internal::Executor& executor, Result<T>& result,
                   const internal::CallContext& call, std::string path, std::string problem) {
    DecodeNotes added{DecodeNote{std::move(path), std::move(problem), std::string()}};
    executor.log_notes(call.what, added);
    result.add_notes(std::move(added));
  }

  template <typename T>
  static void note_empty_data(const internal::Executor& executor, Result<T>& result,
                              const internal::CallContext& call) {
    note(executor, result, call, "data",
         "empty in a successful reply: the result holds what was sent, and what only the "
         "server knows (ids, times) is unset");
  }

  // A call whose reply is the {status, message, data} envelope of Ts, turned into an R by
  // `finish`. GETs are safe to repeat; every other call is a write and is tried once.
  template <typename T, typename R, typename Finish>
  Prepared<R> envelope_call(HttpMethod method, const std::string& path, std::string body,
                            internal::CallContext call, Finish finish) {
    call.what =
        call.what.rfind("after-service ", 0) == 0 ? call.what : "after-service " + call.what;
    internal::PreparedCall<R> prepared;
    prepared.build = [method, url = base_ + path,
                      body = std::move(body)](const std::string&) -> Result<HttpRequest> {
      HttpRequest request;
      request.method = method;
      request.url = url;
      if (!body.empty()) request.headers = {{"Content-Type", "application/json"}};
      request.body = body;
      request.idempotent = method == HttpMethod::Get;
      return request;
    };
    prepared.decode = [executor = executor_.shared(), call,
                       finish = std::move(finish)](HttpResponse& response) {
      return finish(*executor, call,
                    executor->noted(call.what, wire::decode<T>(std::move(response), call)));
    };
    return prepared;
  }

  // A write whose reply holds one object; `sent` is what is known if its data is empty.
  template <typename T>
  Prepared<T> single(HttpMethod method, const std::string& path, std::string body,
                     internal::CallContext call, T sent) {
    return envelope_call<T, T>(
        method, path, std::move(body), std::move(call),
        [sent = std::move(sent)](const internal::Executor& executor,
                                 const internal::CallContext& context,
                                 Result<wire::Envelope<T>> envelope) {
          if (!envelope.ok()) return Result<T>(envelope.error());
          if (envelope->data.empty()) {
            Result<T> result = internal::with_notes_of(Result<T>(sent), envelope);
            note_empty_data(executor, result, context);
            return result;
          }
          if (envelope->data.size() > 1) {
            auto result =
                internal::with_notes_of(Result<T>(std::move(envelope->data.front())), envelope);
            note(executor, result, context, "data",
                 std::to_string(envelope->data.size()) +
                     " objects where one was expected: the first is returned");
            return result;
          }
          return internal::with_notes_of(Result<T>(std::move(envelope->data.front())), envelope);
        });
  }

  template <typename T>
  Prepared<Page<T>> page(const std::string& path, const std::string& context) {
    return envelope_call<T, Page<T>>(
        HttpMethod::Get, path, {}, {context, false},
        [](const internal::Executor&, const internal::CallContext&,
           Result<wire::Envelope<T>> envelope) {
          if (!envelope.ok()) return Result<Page<T>>(envelope.error());
          const std::size_t received = wire::elements_received(envelope->data, envelope.notes());
          return internal::with_notes_of(
              Result<Page<T>>(Page<T>{std::move(envelope->data), envelope->total, received}),
              envelope);
        });
  }

  Prepared<void> none(HttpMethod method, const std::string& path, const std::string& context) {
    return envelope_call<RawJson, void>(method, path, {}, {context, true},
                                        [](const internal::Executor&, const internal::CallContext&,
                                           Result<wire::Envelope<RawJson>> envelope) {
                                          if (!envelope.ok()) return Result<void>(envelope.error());
                                          Result<void> done;
                                          done.add_notes(envelope.notes());
                                          return done;
                                        });
  }

  Prepared<Order> workflow(std::int64_t id, Operation operation, const std::string& remark,
                           const std::string& operator_name, const std::string& what) {
    wire::WorkflowAction action{to_string(operation), wire::if_set(remark),
                                wire::if_set(operator_name)};
    // Accepted with an empty `data`: only the id is known here; Client fills in the status
    // the step leads to from the order it was given.
    Order sent;
    sent.id = id;
    return single<Order>(HttpMethod::Put, order_path(id), wire::encode_workflow(action),
                         {what + std::to_string(id), true}, std::move(sent));
  }

  std::string base_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::aftersales
