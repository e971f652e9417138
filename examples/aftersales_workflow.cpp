// aftersales_workflow: creates an after-service order, records its abnormal products and
// duty report, walks it through every approval step to the end, and prints its journal.
//   aftersales_workflow <base_url> <operator_name>     (base_url excludes /api/v1)
#include <cstdio>
#include <string>

#include "erpbridge/aftersales/client.hpp"

namespace {
int fail(const char* what, const erpbridge::Error& error) {
  std::fprintf(stderr, "aftersales_workflow: %s: %s\n", what, error.to_string().c_str());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: aftersales_workflow <base_url> <operator_name>\n");
    return 2;
  }
  namespace as = erpbridge::aftersales;
  as::Options options;
  options.base_url = argv[1];
  const std::string operator_name = argv[2];
  as::Client client(options);

  auto order = client.create_order(
      {"质量异常", "华东精密制造", "南方电机厂", operator_name, "破损", "到货外箱破损, 内件划伤"});
  if (!order.ok()) return fail("create", order.error());
  std::printf("created order %lld (%s), status %s\n", static_cast<long long>(order->id),
              order->serial_number.c_str(), order->status.label().c_str());

  auto products = client.connection()->add_abnormal_products(
      order->id,
      {{std::nullopt, "SKU-1001", "外壳划伤"}, {std::nullopt, "SKU-1002", "密封圈缺失"}});
  if (!products.ok()) return fail("abnormal products", products.error());
  as::DutyReport report{
      "包装", "运输破损", "罚款",      "物流", erpbridge::Decimal::parse("120.50").value(),
      "",     "北辰物流", "2023-03-05"};
  auto duty = client.connection()->update_duty_report(order->id, report);
  if (!duty.ok()) return fail("duty report", duty.error());
  std::printf("recorded %zu abnormal products, duty report against %s for %s\n", products->size(),
              duty->duty_to.c_str(), duty->compensation->to_string().c_str());

  // A submission (and a delete) is checked locally first, as the document restricts them;
  // done and reject are judged by the server.
  auto current = client.submit_order(*order, "提交审核", operator_name);
  while (current.ok() && current->status != as::Status::End) {
    current = client.done_order(*current, "同意", operator_name);
  }
  if (!current.ok()) return fail("workflow", current.error());
  std::printf("final status %s, workflow %s\n", current->status.label().c_str(),
              current->workflow_status.label().c_str());

  for (const auto& entry : client.all_journals(order->id)) {
    if (!entry.ok()) return fail("journals", entry.error());
    std::printf("journal %s %s %s -> %s %s\n",
                entry->created_at ? entry->created_at->to_string().c_str() : "-",
                entry->operation.c_str(),
                entry->from_status.empty() ? "-" : entry->from_status.c_str(),
                entry->to_status.c_str(), entry->operator_name.c_str());
  }
  return 0;
}
