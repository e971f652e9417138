#include "aftersales/codec.hpp"

namespace erpbridge::aftersales::wire {
namespace {

// A status that is an order's own ("waitting", "end"...): the body holding it is the
// resource, not the {status, message, data} envelope.
bool is_order_status(const std::string& status) {
  return Labeled<Status>::from_label(status).known();
}

template <typename T>
internal::Verdict judge(const Envelope<T>& envelope, const HttpResponse& response,
                        const internal::CallContext& call) {
  // No status at all: a 2xx says the request succeeded (a list, the document's example; a
  // write answered with the resource itself). Judged on the HTTP status by read_reply.
  if (!envelope.status) return internal::Verdict::success();
  const std::string& status = *envelope.status;
  if (is_order_status(status)) return internal::Verdict::success();
  if (status == "0") return internal::Verdict::success();
  ErrorCode code = ErrorCode::Api;
  if (status.size() == 3 && status[0] >= '1' && status[0] <= '5') {
    const ErrorCode mapped = internal::code_for_status(std::stoi(status));
    if (mapped != ErrorCode::Http) code = mapped;
  }
  return internal::Verdict::failure(
      internal::vendor_error(code, "status", status, envelope.message, response, call));
}

// The first character of a body that is not white space, or 0.
char first_significant(const std::string& body) {
  for (char c : body) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  }
  return 0;
}

}  // namespace

template <typename T>
Result<Envelope<T>> decode(HttpResponse&& response, const internal::CallContext& call) {
  const bool success_status = response.status >= 200 && response.status < 300;
  const char first = first_significant(response.body);
  if (success_status && call.write && first == 0) {
    // 204 No Content (or an empty 2xx): the write was applied and nothing came back.
    return Envelope<T>{};
  }
  if (success_status && first == '[') {
    // The resources themselves, without the envelope.
    Envelope<T> bare;
    Result<std::vector<T>> list = internal::read_reply<std::vector<T>>(
        response, call, [](const std::vector<T>&) { return internal::Verdict::success(); });
    if (!list.ok()) return std::move(list).error();
    bare.data = std::move(list).value();
    return internal::with_notes_of(Result<Envelope<T>>(std::move(bare)), list);
  }
  // A write answered 2xx with an object that has no status may be the resource itself:
  // kept to be read as one (the envelope is decoded in place).
  std::string body_copy;
  if (success_status && call.write) body_copy = response.body;
  Result<Envelope<T>> envelope = internal::read_reply<Envelope<T>>(
      response, call, [&](const Envelope<T>& e) { return judge(e, response, call); });
  const bool resource_status =
      envelope.ok() && envelope->status && is_order_status(*envelope->status);
  if (!envelope.ok() || (envelope->status && !resource_status) || !call.write ||
      !envelope->data.empty()) {
    return envelope;
  }
  T resource{};
  DecodeNotes notes;
  Result<void> read = json::decode_reply(body_copy, resource, notes);
  if (!read.ok()) return envelope;
  Envelope<T> bare;
  bare.data.push_back(std::move(resource));
  Result<Envelope<T>> result(std::move(bare));
  if (!notes.empty()) result.add_notes(scrubbed(std::move(notes)));
  return result;
}

// Every reply the connection reads.
template Result<Envelope<Order>> decode(HttpResponse&&, const internal::CallContext&);
template Result<Envelope<Journal>> decode(HttpResponse&&, const internal::CallContext&);
template Result<Envelope<Product>> decode(HttpResponse&&, const internal::CallContext&);
template Result<Envelope<SupplierUserMatch>> decode(HttpResponse&&, const internal::CallContext&);
template Result<Envelope<AbnormalProduct>> decode(HttpResponse&&, const internal::CallContext&);
template Result<Envelope<DutyReport>> decode(HttpResponse&&, const internal::CallContext&);
template Result<Envelope<RankEntry>> decode(HttpResponse&&, const internal::CallContext&);
template Result<Envelope<RawJson>> decode(HttpResponse&&, const internal::CallContext&);

std::string encode_new_order(const NewOrder& order) {
  return json::encode(order);
}

std::string encode_order_update(const OrderUpdate& update) {
  return json::encode(update);
}

std::string encode_workflow(const WorkflowAction& action) {
  return json::encode(action);
}

std::string encode_abnormal_products(const std::vector<AbnormalProduct>& products) {
  return json::encode(products);
}

std::string encode_abnormal_product(const AbnormalProduct& product) {
  return json::encode(AbnormalProductPatch{if_set(product.sku_code), if_set(product.remark)});
}

std::string encode_duty_report(const DutyReport& report) {
  return json::encode(DutyReportPatch{if_set(report.abnormal_type), if_set(report.abnormal_reason),
                                      if_set(report.publishment), if_set(report.publish_to),
                                      report.compensation, if_set(report.duty_to),
                                      if_set(report.duty_date)});
}

}  // namespace erpbridge::aftersales::wire
