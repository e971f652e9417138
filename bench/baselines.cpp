#include "baselines.hpp"

#include <rapidjson/document.h>

namespace erpbridge::bench {

std::vector<ctc::Receipt> receipts_from_dom(const char* text, std::size_t size) {
  rapidjson::Document document;
  document.Parse(text, size);
  std::vector<ctc::Receipt> receipts;
  const auto& data = document["data"];
  receipts.reserve(data.Size());
  for (const auto& item : data.GetArray()) {
    ctc::Receipt r;
    r.number.assign(item["in_number"].GetString(), item["in_number"].GetStringLength());
    r.type = Labeled<ctc::ReceiptType>::from_label(item["intype"].GetString());
    r.total_amount = item["amount"].GetInt64();
    r.amount_of_money = Decimal::parse(item["amount_of_money"].GetString()).value();
    r.status = Labeled<ctc::ReceiptStatus>::from_label(item["status"].GetString());
    r.work_order_number = item["number"].GetString();
    r.creator = item["inputuser"].GetString();
    r.created_at = DateTime::parse(item["inputtime"].GetString()).value();
    for (const auto& part : item["parts_details"].GetArray()) {
      r.parts.push_back({part["yunmi_code"].GetString(), part["amount"].GetInt64()});
    }
    receipts.push_back(std::move(r));
  }
  return receipts;
}

}  // namespace erpbridge::bench
