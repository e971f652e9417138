#include "erpbridge/testing/ctc_emulator.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {

struct CtcEmulator::State {
  std::string key;
  mutable std::mutex mutex;
  std::vector<ctc::Receipt> receipts;  // kept sorted by creation time
  std::size_t answered = 0;
  CtcEmulator::WindowRule window_rule = CtcEmulator::WindowRule::SevenTimes24Hours;
};

CtcEmulator::CtcEmulator(std::string key) : state_(std::make_shared<State>()) {
  state_->key = std::move(key);
}

void CtcEmulator::add_receipts(const std::vector<ctc::Receipt>& receipts) {
  std::lock_guard<std::mutex> guard(state_->mutex);
  state_->receipts.insert(state_->receipts.end(), receipts.begin(), receipts.end());
  std::stable_sort(
      state_->receipts.begin(), state_->receipts.end(),
      [](const ctc::Receipt& a, const ctc::Receipt& b) { return a.created_at < b.created_at; });
}

std::size_t CtcEmulator::queries_answered() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->answered;
}

void CtcEmulator::set_window_rule(WindowRule rule) {
  std::lock_guard<std::mutex> guard(state_->mutex);
  state_->window_rule = rule;
}

namespace {

// Seconds since 1970-01-01 00:00:00 of "YYYY-MM-DD HH:MM:SS" (no zone: both ends are read
// alike), or nothing when the text is not exactly that form. The emulator's own arithmetic,
// so that it does not share the SDK's DateTime reading of the 7-day rule.
std::optional<std::int64_t> seconds_of(const std::string& text) {
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto number = [&](std::size_t at, std::size_t digits) -> std::int64_t {
    std::int64_t value = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const std::int64_t y = number(0, 4), m = number(5, 2), d = number(8, 2);
  const std::int64_t hh = number(11, 2), mm = number(14, 2), ss = number(17, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
      ss < 0 || ss > 59) {
    return std::nullopt;
  }
  // Days from the civil date (H. Hinnant's algorithm).
  const std::int64_t yy = m <= 2 ? y - 1 : y;
  const std::int64_t era = yy / 400;
  const std::int64_t yoe = yy - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

// A count as the document's sample writes it (a number), or in variance mode as a string.
void put_count(Writer& w, const char* key, std::int64_t value, bool variance) {
  w.Key(key);
  if (variance) {
    const std::string text = std::to_string(value);
    w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    w.Int64(value);
  }
}

// The reply in the document's shape (4.2.17 返回示例), with its keys written here.
HttpResponse receipts_reply(const char* res, const std::string& msg, ctc::Direction direction,
                            const std::vector<ctc::Receipt>& receipts, bool variance) {
  const bool in = direction == ctc::Direction::In;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("res");
  if (variance) {
    w.String(res);  // "0": the table types it loosely (0成功,其他值为失败)
  } else {
    w.Int(std::atoi(res));
  }
  put(w, "msg", msg);
  w.Key("data");
  w.StartArray();
  for (const ctc::Receipt& receipt : receipts) {
    w.StartObject();
    put(w, in ? "in_number" : "out_number", receipt.number);
    put(w, in ? "intype" : "outtype", receipt.type.label());
    put_count(w, "amount", receipt.total_amount, variance);
    put(w, "amount_of_money", receipt.amount_of_money.to_string());
    put(w, "status", receipt.status.label());
    put(w, "number", receipt.work_order_number);
    put(w, "inputuser", receipt.creator);
    put(w, "inputtime", receipt.created_at.to_string());
    w.Key("parts_details");
    w.StartArray();
    for (const ctc::PartLine& part : receipt.parts) {
      w.StartObject();
      put(w, "yunmi_code", part.yunmi_code);
      put_count(w, "amount", part.amount, variance);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json_response(200, std::string(buffer.GetString(), buffer.GetSize()));
}

std::string text(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return std::string();
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return std::string();
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

void CtcEmulator::install(Emulator& emulator) const {
  std::shared_ptr<State> state = state_;
  emulator.route(
      HttpMethod::Post, "/doscall/oa/api/receipt_parts/", [state](const EmulatorRequest& in) {
        auto reply = [&](const char* res, const std::string& msg, ctc::Direction direction,
                         const std::vector<ctc::Receipt>& data = {}) {
          return receipts_reply(res, msg, direction, data, in.variance);
        };
        // The request as the document's 参数示例 writes it: {"key":…,"data":{"type",
        // "inputtime_s","inputtime_e"}}, read here with the document's keys.
        rapidjson::Document request;
        request.Parse(in.body.c_str(), in.body.size());
        if (request.HasParseError() || !request.IsObject()) {
          return reply("3", "参数错误: 不是JSON对象", ctc::Direction::In);
        }
        if (text(request, "key") != state->key) return reply("1", "签名无效", ctc::Direction::In);
        auto data = request.FindMember("data");
        if (data == request.MemberEnd() || !data->value.IsObject()) {
          return reply("3", "参数错误: data", ctc::Direction::In);
        }
        const std::string type = text(data->value, "type");
        if (type != "in" && type != "out") {
          return reply("3", "参数错误: type 有效值 in, out", ctc::Direction::In);
        }
        const auto direction = type == "in" ? ctc::Direction::In : ctc::Direction::Out;
        Result<DateTime> start = DateTime::parse(text(data->value, "inputtime_s"));
        Result<DateTime> end = DateTime::parse(text(data->value, "inputtime_e"));
        const std::optional<std::int64_t> start_s = seconds_of(text(data->value, "inputtime_s"));
        const std::optional<std::int64_t> end_s = seconds_of(text(data->value, "inputtime_e"));
        if (!start.ok() || !end.ok() || !start_s || !end_s) {
          return reply("3", "参数错误: 时间格式", direction);
        }
        if (*end_s < *start_s) return reply("3", "结束时间不能早于起始时间", direction);
        // The document: 与结束时间范围不能超过7天. Read strictly (the default, as a strict server
        // would) it is 7 x 24 h, refused with res 4; read loosely, calendar days (the document's
        // own example spans 7 days and 8 minutes). Counted here with arithmetic of our own.
        const CtcEmulator::WindowRule rule = [&] {
          std::lock_guard<std::mutex> guard(state->mutex);
          return state->window_rule;
        }();
        if (rule == CtcEmulator::WindowRule::SevenTimes24Hours) {
          if (*end_s - *start_s > 7 * 86400) return reply("4", "时间范围不能超过7天", direction);
        } else if (*end_s / 86400 - *start_s / 86400 > 7) {
          return reply("4", "时间范围不能超过7天", direction);
        }

        std::vector<ctc::Receipt> matches;
        {
          std::lock_guard<std::mutex> guard(state->mutex);
          for (const ctc::Receipt& receipt : state->receipts) {
            if (receipt.direction == direction && receipt.created_at >= *start &&
                receipt.created_at <= *end) {
              matches.push_back(receipt);
            }
          }
          state->answered += matches.size();
        }
        // 无数据: in variance mode the code only in msg, as the table lists it (2:无数据).
        if (matches.empty())
          return in.variance ? reply("-1", "2", direction) : reply("2", "无数据", direction);
        return reply("0", "", direction, matches);
      });
}

std::vector<ctc::Receipt> CtcEmulator::spec_samples() {
  // The spec's samples (4.2.17), written out here field by field (not read with the SDK's
  // decoder, so that a misreading of the samples cannot hide in the emulator too).
  struct Sample {
    const char* number;
    const char* in_type;
    const char* out_type;
    std::int64_t amount;
    const char* money;
    const char* in_status;
    const char* out_status;
    const char* work_order;
    const char* creator;
    const char* time;
    std::vector<std::pair<const char*, std::int64_t>> parts;
  };
  const Sample samples[] = {
      {"CK1590583223368861321",
       "采购入库",
       "核销出库",
       10,
       "1310.00",
       "已入库",
       "已出库",
       "CK1590583223910",
       "admin",
       "2020-05-27 20:40:23",
       {{"20.02.09.03.0063", 10}, {"20.02.09.03.0063", 0}}},
      {"RK1590583752235274571",
       "维修入库",
       "维修入库",
       3,
       "393.00",
       "已结单",
       "已结单",
       "WX2005055057034",
       "测试员甲",
       "2020-05-27 20:49:12",
       {{"20.02.09.03.0063", 3}}},
  };
  std::vector<ctc::Receipt> all;
  for (const ctc::Direction direction : {ctc::Direction::In, ctc::Direction::Out}) {
    const bool in = direction == ctc::Direction::In;
    for (const Sample& sample : samples) {
      ctc::Receipt receipt;
      receipt.direction = direction;
      receipt.number = sample.number;
      receipt.type = Labeled<ctc::ReceiptType>::from_label(in ? sample.in_type : sample.out_type);
      receipt.total_amount = sample.amount;
      receipt.amount_of_money = Decimal::parse(sample.money).value();
      receipt.status =
          Labeled<ctc::ReceiptStatus>::from_label(in ? sample.in_status : sample.out_status);
      receipt.work_order_number = sample.work_order;
      receipt.creator = sample.creator;
      receipt.created_at = DateTime::parse(sample.time).value();
      for (const auto& [code, amount] : sample.parts) {
        ctc::PartLine part;
        part.yunmi_code = code;
        part.amount = amount;
        receipt.parts.push_back(part);
      }
      all.push_back(std::move(receipt));
    }
  }
  return all;
}

std::vector<ctc::Receipt> CtcEmulator::generate(ctc::Direction direction, const DateTime& first,
                                                std::size_t count, std::chrono::seconds step) {
  static const char* kInTypes[] = {"采购入库", "维修入库", "发放入库",    "返厂入库",
                                   "盘点入库", "生产入库", "借调入库",    "红冲入库",
                                   "其他入库", "配件申请", "配件损耗入库"};
  static const char* kOutTypes[] = {"发放出库",     "返厂出库",     "盘点出库",     "残损出库",
                                    "销售出库",     "借调出库",     "网点配件申请", "配件维修出库",
                                    "配件损耗出库", "维修耗用出库", "核销出库"};
  static const char* kUsers[] = {"admin", "测试员甲", "示例用户", "李师傅", "王仓管"};
  const bool in = direction == ctc::Direction::In;
  std::vector<ctc::Receipt> receipts;
  receipts.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    ctc::Receipt receipt;
    receipt.direction = direction;
    receipt.number = (in ? "RK" : "CK") + std::to_string(1590583223368861321ULL + i * 7919);
    receipt.type = Labeled<ctc::ReceiptType>::from_label(in ? kInTypes[i % 11] : kOutTypes[i % 11]);
    receipt.status =
        Labeled<ctc::ReceiptStatus>::from_label(i % 7 == 6 ? "已撤销" : (in ? "已入库" : "已出库"));
    receipt.work_order_number = "WX" + std::to_string(2005055057034ULL + i);
    receipt.creator = kUsers[i % 5];
    receipt.created_at = first + std::chrono::seconds(step.count() * static_cast<long long>(i));
    const std::size_t lines = 1 + i % 5;
    std::int64_t total = 0;
    for (std::size_t line = 0; line < lines; ++line) {
      ctc::PartLine part;
      part.yunmi_code = "20.02.09.03." + std::to_string(1000 + (i * 31 + line * 7) % 9000);
      part.amount = static_cast<std::int64_t>((i + line) % 12);
      total += part.amount;
      receipt.parts.push_back(part);
    }
    receipt.total_amount = total;
    receipt.amount_of_money =
        Decimal::parse(std::to_string(total * 131 + static_cast<std::int64_t>(i % 100)) + "." +
                       (i % 2 ? "50" : "00"))
            .value();
    receipts.push_back(std::move(receipt));
  }
  return receipts;
}

}  // namespace erpbridge::testing
