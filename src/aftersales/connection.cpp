#include "erpbridge/aftersales/connection.hpp"

#include "aftersales/codec.hpp"
#include "core/executor.hpp"

namespace erpbridge::aftersales {

namespace wire {

Error failure(const std::string& status, const std::string& message, int http_status,
              const std::string& context) {
  const auto is = [&](int code) { return http_status == code || status == std::to_string(code); };
  Error error;
  if (is(404)) {
    error.code = ErrorCode::NotFound;
  } else if (is(409) || is(412)) {
    error.code = ErrorCode::FailedPrecondition;
  } else if (is(400) || is(422)) {
    error.code = ErrorCode::InvalidArgument;
  } else if (is(401) || is(403)) {
    error.code = ErrorCode::Unauthenticated;
  } else if (status.empty() || status == "0" || http_status < 200 || http_status >= 300) {
    // No envelope to speak of, or a failure status (500, 429...): the HTTP status is the
    // answer, as in the other families; the envelope's text stays in vendor_message.
    error.code = ErrorCode::Http;
  } else {
    error.code = ErrorCode::Api;
  }
  error.http_status = http_status;
  error.retryable = internal::is_retryable_status(http_status);
  error.vendor_code = status;
  error.vendor_message = message;
  error.message = context + " failed: " +
                  (status.empty() ? "HTTP " + std::to_string(http_status)
                                  : "status " + status + (message.empty() ? "" : " " + message));
  return error;
}

}  // namespace wire

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

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : base_(internal::join_url(options.base_url, wire::kBasePath)),
        executor_(std::move(options)) {}

  Result<Order> create_order(const NewOrder& order) override {
    Result<void> valid = validate(order);
    if (!valid.ok()) return std::move(valid).error();
    return single<Order>(HttpMethod::Post, "/orders", json::encode(order), false, "create order");
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
    // Setting fields to the same values twice is harmless: retried like a read.
    return single<Order>(HttpMethod::Put, order_path(id), json::encode(update), true,
                         "update order " + std::to_string(id));
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
    Result<wire::Envelope<AbnormalProduct>> envelope = send<AbnormalProduct>(
        HttpMethod::Post, order_path(order_id) + "/abnormal-products", json::encode(products),
        false, "add abnormal products to order " + std::to_string(order_id));
    if (!envelope.ok()) return std::move(envelope).error();
    return std::move(envelope->data);
  }

  Result<AbnormalProduct> update_abnormal_product(std::int64_t order_id, std::int64_t product_id,
                                                  const AbnormalProduct& product) override {
    AbnormalProduct body = product;
    body.id.reset();
    return single<AbnormalProduct>(HttpMethod::Put, product_path(order_id, product_id),
                                   json::encode(body), true,
                                   "update abnormal product " + std::to_string(product_id));
  }

  Result<void> delete_abnormal_product(std::int64_t order_id, std::int64_t product_id) override {
    return none(HttpMethod::Delete, product_path(order_id, product_id),
                "delete abnormal product " + std::to_string(product_id));
  }

  Result<DutyReport> update_duty_report(std::int64_t order_id, const DutyReport& report) override {
    return single<DutyReport>(HttpMethod::Put, order_path(order_id) + "/duty-report",
                              json::encode(wire::DutyReportUpdate{report}), true,
                              "update duty report of order " + std::to_string(order_id));
  }

  Result<std::vector<RankEntry>> rank(Rank rank) override {
    Result<wire::Envelope<RankEntry>> envelope =
        send<RankEntry>(HttpMethod::Get, std::string("/dutyreports/") + path_segment(rank), {},
                        true, path_segment(rank));
    if (!envelope.ok()) return std::move(envelope).error();
    return std::move(envelope->data);
  }

 private:
  static std::string order_path(std::int64_t id) { return "/orders/" + std::to_string(id); }
  static std::string product_path(std::int64_t order_id, std::int64_t product_id) {
    return order_path(order_id) + "/abnormal-products/" + std::to_string(product_id);
  }

  template <typename T>
  Result<wire::Envelope<T>> send(HttpMethod method, const std::string& path, std::string body,
                                 bool idempotent, const std::string& context) {
    HttpRequest request;
    request.method = method;
    request.url = base_ + path;
    if (!body.empty()) request.headers = {{"Content-Type", "application/json"}};
    request.body = std::move(body);
    request.idempotent = idempotent;
    Result<HttpResponse> response = executor_.execute(std::move(request));
    if (!response.ok()) return std::move(response).error();
    return wire::decode<T>(*response, "after-service " + context);
  }

  template <typename T>
  Result<T> single(HttpMethod method, const std::string& path, std::string body, bool idempotent,
                   const std::string& context) {
    Result<wire::Envelope<T>> envelope =
        send<T>(method, path, std::move(body), idempotent, context);
    if (!envelope.ok()) return std::move(envelope).error();
    if (envelope->data.empty()) {
      return make_error(ErrorCode::Decode, "after-service " + context + " reply: data is empty");
    }
    return std::move(envelope->data.front());
  }

  template <typename T>
  Result<Page<T>> page(const std::string& path, const std::string& context) {
    Result<wire::Envelope<T>> envelope = send<T>(HttpMethod::Get, path, {}, true, context);
    if (!envelope.ok()) return std::move(envelope).error();
    return Page<T>{std::move(envelope->data), envelope->total};
  }

  Result<void> none(HttpMethod method, const std::string& path, const std::string& context) {
    Result<wire::Envelope<RawJson>> envelope = send<RawJson>(method, path, {}, false, context);
    if (!envelope.ok()) return std::move(envelope).error();
    return ok();
  }

  Result<Order> workflow(std::int64_t id, Operation operation, const std::string& remark,
                         const std::string& operator_name, const std::string& what) {
    wire::WorkflowAction action{to_string(operation), remark, operator_name};
    return single<Order>(HttpMethod::Put, order_path(id), json::encode(action), false,
                         what + std::to_string(id));
  }

  std::string base_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::aftersales
