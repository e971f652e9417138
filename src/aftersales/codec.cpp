#include "aftersales/codec.hpp"

namespace erpbridge::aftersales::wire {
namespace {

template <typename T>
internal::Verdict judge(const Envelope<T>& envelope, const HttpResponse& response,
                        const internal::CallContext& call) {
  if (!envelope.status) {
    return call.write ? internal::Verdict::missing() : internal::Verdict::success();
  }
  const std::string& status = *envelope.status;
  if (status == "0") return internal::Verdict::success();
  ErrorCode code = ErrorCode::Api;
  if (status.size() == 3 && status[0] >= '1' && status[0] <= '5') {
    const ErrorCode mapped = internal::code_for_status(std::stoi(status));
    if (mapped != ErrorCode::Http) code = mapped;
  }
  return internal::Verdict::failure(
      internal::vendor_error(code, "status", status, envelope.message, response, call));
}

}  // namespace

template <typename T>
Result<Envelope<T>> decode(HttpResponse&& response, const internal::CallContext& call) {
  return internal::read_reply<Envelope<T>>(
      response, call, [&](const Envelope<T>& e) { return judge(e, response, call); });
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
  return json::encode(product);
}

std::string encode_duty_report(const DutyReport& report) {
  return json::encode(DutyReportUpdate{report});
}

}  // namespace erpbridge::aftersales::wire
