#include "erpbridge/aftersales/connection.hpp"

#include "aftersales/codec.hpp"

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

  // Writes are never repeated: each one may add an order, a product or a journal entry.
  Result<Order> create_order(const NewOrder& order) override {
    Result<void> valid = validate(order);
    if (!valid.ok()) return std::move(valid).error();
    // Accepted with an empty `data`: the order as sent, its id unknown.
    return single<Order>(HttpMethod::Post, "/orders", wire::encode_new_order(order),
                         {"create order", true}, [&] {
                           Order sent;
                           sent.type = order.type;
                           sent.customer_name = order.customer_name;
                           sent.accuser_name = order.accuser_name;
                           sent.creator_name = order.creator_name;
                           sent.reason = order.reason;
                           sent.remark = order.remark;
                           return sent;
                         });
  }

  Result<Page<Order>> list_orders(const ListFilter& filter) override {
    auto label = [](auto value) -> std::optional<std::string> {
      if (!value) return std::nullopt;
      return std::string(to_string(*value));
    };
    const std::string path = "/orders" + query({{"status", label(filter.status)},
                                                {"workflow_status", label(filter.workflow_status)},
                                                {"creator_name", filter.creator_name},
                                                {"page", std::to_string(filter.page)},
                                                {"per_page", std::to_string(filter.per_page)}});
    return page<Order>(path, "list orders");
  }

  Result<Order> update_order(std::int64_t id, const OrderUpdate& update) override {
    // Not repeated: the server writes a journal entry for each update it receives.
    return single<Order>(HttpMethod::Put, order_path(id), wire::encode_order_update(update),
                         {"update order " + std::to_string(id), true},
                         [&] { return order_from_update(id, update); });
  }

  Result<Order> submit_order(std::int64_t id, const std::string& remark,
                             const std::string& operator_name) override {
    return workflow(id, Operation::Done, remark, operator_name, "submit order ");
  }
  Result<Order> done_order(std::int64_t id, const std::string& remark,
                           const std::string& operator_name) override {
    return workflow(id, Operation::Done, remark, operator_name, "done order ");
  }
  Result<Order> reject_order(std::int64_t id, const std::string& remark,
                             const std::string& operator_name) override {
    return workflow(id, Operation::Reject, remark, operator_name, "reject order ");
  }

  Result<void> delete_order(std::int64_t id) override {
    return none(HttpMethod::Delete, order_path(id), "delete order " + std::to_string(id));
  }

  Result<Page<Journal>> list_journals(std::int64_t order_id, const PageRequest& request) override {
    // The spec's path: /api/v1/afterservice/<id>/journals, without orders/.
    return page<Journal>("/" + std::to_string(order_id) + "/journals" + page_query(request),
                         "journals of order " + std::to_string(order_id));
  }

  Result<Page<Product>> list_products(const PageRequest& request) override {
    return page<Product>("/all-products" + page_query(request), "all-products");
  }

  Result<Page<SupplierUserMatch>> match_supplier_users(const std::string& key_word,
                                                       const PageRequest& request) override {
    const std::string path =
        "/supplier_user_matcher" + query({{"key_word", key_word},
                                          {"page", std::to_string(request.page)},
                                          {"per_page", std::to_string(request.per_page)}});
    return page<SupplierUserMatch>(path, "supplier_user_matcher");
  }

  Result<std::vector<AbnormalProduct>> add_abnormal_products(
      std::int64_t order_id, const std::vector<AbnormalProduct>& products) override {
    if (products.empty()) {
      return make_error(ErrorCode::InvalidArgument, "add_abnormal_products: no product given");
    }
    const internal::CallContext call{
        "after-service add abnormal products to order " + std::to_string(order_id), true};
    Result<wire::Envelope<AbnormalProduct>> envelope =
        send<AbnormalProduct>(HttpMethod::Post, order_path(order_id) + "/abnormal-products",
                              wire::encode_abnormal_products(products), call);
    if (!envelope.ok()) return std::move(envelope).error();
    if (envelope->data.empty()) {
      // Accepted without the stored products: the ones sent, their ids unknown.
      std::vector<AbnormalProduct> sent = products;
      for (AbnormalProduct& product : sent) product.id.reset();
      auto result =
          internal::with_notes_of(Result<std::vector<AbnormalProduct>>(std::move(sent)), envelope);
      note_empty_data(result, call);
      return result;
    }
    return internal::with_notes_of(Result<std::vector<AbnormalProduct>>(std::move(envelope->data)),
                                   envelope);
  }

  Result<AbnormalProduct> update_abnormal_product(std::int64_t order_id, std::int64_t product_id,
                                                  const AbnormalProduct& product) override {
    AbnormalProduct body = product;
    body.id.reset();
    return single<AbnormalProduct>(
        HttpMethod::Put, product_path(order_id, product_id), wire::encode_abnormal_product(body),
        {"update abnormal product " + std::to_string(product_id), true}, [&] {
          AbnormalProduct sent = body;
          sent.id = product_id;
          return sent;
        });
  }

  Result<void> delete_abnormal_product(std::int64_t order_id, std::int64_t product_id) override {
    return none(HttpMethod::Delete, product_path(order_id, product_id),
                "delete abnormal product " + std::to_string(product_id));
  }

  Result<DutyReport> update_duty_report(std::int64_t order_id, const DutyReport& report) override {
    return single<DutyReport>(
        HttpMethod::Put, order_path(order_id) + "/duty-report", wire::encode_duty_report(report),
        {"update duty report of order " + std::to_string(order_id), true}, [&] { return report; });
  }

  Result<std::vector<RankEntry>> rank(Rank rank) override {
    Result<wire::Envelope<RankEntry>> envelope =
        send<RankEntry>(HttpMethod::Get, std::string("/dutyreports/") + path_segment(rank), {},
                        {std::string("after-service ") + path_segment(rank), false});
    if (!envelope.ok()) return std::move(envelope).error();
    return internal::with_notes_of(Result<std::vector<RankEntry>>(std::move(envelope->data)),
                                   envelope);
  }

 private:
  static std::string order_path(std::int64_t id) { return "/orders/" + std::to_string(id); }
  static std::string product_path(std::int64_t order_id, std::int64_t product_id) {
    return order_path(order_id) + "/abnormal-products/" + std::to_string(product_id);
  }

  // A note of this family's own, logged like the decoder's.
  template <typename T>
  void note(Result<T>& result, const internal::CallContext& call, std::string path,
            std::string problem) const {
    DecodeNotes added{DecodeNote{std::move(path), std::move(problem), std::string()}};
    executor_.log_notes(call.what, added);
    result.add_notes(std::move(added));
  }

  template <typename T>
  void note_empty_data(Result<T>& result, const internal::CallContext& call) const {
    note(result, call, "data",
         "empty in a successful reply: the result holds what was sent, and what only the "
         "server knows (ids, times) is unset");
  }

  // GETs are safe to repeat; every other call is a write and is tried once.
  template <typename T>
  Result<wire::Envelope<T>> send(HttpMethod method, const std::string& path, std::string body,
                                 const internal::CallContext& call) {
    HttpRequest request;
    request.method = method;
    request.url = base_ + path;
    if (!body.empty()) request.headers = {{"Content-Type", "application/json"}};
    request.body = std::move(body);
    request.idempotent = method == HttpMethod::Get;
    Result<HttpResponse> response = executor_.execute(request);
    if (!response.ok()) return std::move(response).error();
    return executor_.noted(call.what, wire::decode<T>(*response, call));
  }

  // A write whose reply holds one object; `sent()` makes what is known if its data is empty.
  template <typename T, typename Sent>
  Result<T> single(HttpMethod method, const std::string& path, std::string body,
                   internal::CallContext call, Sent&& sent) {
    call.what = "after-service " + call.what;
    Result<wire::Envelope<T>> envelope = send<T>(method, path, std::move(body), call);
    if (!envelope.ok()) return std::move(envelope).error();
    if (envelope->data.empty()) {
      Result<T> result = internal::with_notes_of(Result<T>(sent()), envelope);
      note_empty_data(result, call);
      return result;
    }
    if (envelope->data.size() > 1) {
      auto result = internal::with_notes_of(Result<T>(std::move(envelope->data.front())), envelope);
      note(result, call, "data",
           std::to_string(envelope->data.size()) +
               " objects where one was expected: the first is returned");
      return result;
    }
    return internal::with_notes_of(Result<T>(std::move(envelope->data.front())), envelope);
  }

  template <typename T>
  Result<Page<T>> page(const std::string& path, const std::string& context) {
    Result<wire::Envelope<T>> envelope =
        send<T>(HttpMethod::Get, path, {}, {"after-service " + context, false});
    if (!envelope.ok()) return std::move(envelope).error();
    return internal::with_notes_of(
        Result<Page<T>>(Page<T>{std::move(envelope->data), envelope->total}), envelope);
  }

  Result<void> none(HttpMethod method, const std::string& path, const std::string& context) {
    Result<wire::Envelope<RawJson>> envelope =
        send<RawJson>(method, path, {}, {"after-service " + context, true});
    if (!envelope.ok()) return std::move(envelope).error();
    Result<void> done;
    done.add_notes(envelope.notes());
    return done;
  }

  Result<Order> workflow(std::int64_t id, Operation operation, const std::string& remark,
                         const std::string& operator_name, const std::string& what) {
    wire::WorkflowAction action{to_string(operation), remark, operator_name};
    // Accepted with an empty `data`: only the id is known here; Client fills in the status
    // the step leads to from the order it was given.
    return single<Order>(HttpMethod::Put, order_path(id), wire::encode_workflow(action),
                         {what + std::to_string(id), true}, [id] {
                           Order sent;
                           sent.id = id;
                           return sent;
                         });
  }

  std::string base_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::aftersales
