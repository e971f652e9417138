// The WMS third party's CreateEntryConfirmation, written from the document alone: a DOM
// reader with the document's literal keys, its table as a table of this file, the token
// compared exactly, replies written by hand. Nothing of the SDK's receiver, codec or
// validator decides what is right here (Decimal and Timestamp only hold values for
// delivered(); both have literal tests of their own).
#include "erpbridge/testing/wms_emulator.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {
namespace {

using Value = rapidjson::Value;

std::string compact(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string quoted(const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

HttpResponse answer(int status, const std::string& code, const std::string& message) {
  return json_response(status, "{\"code\":" + quoted(code) + ",\"message\":" + quoted(message) +
                                   ",\"bil_id\":\"\",\"bil_no\":\"\"}");
}

// The same order whatever its key order and spacing: objects with sorted keys, compact.
std::string canonical(const Value& value) {
  if (value.IsObject()) {
    std::vector<std::pair<std::string, const Value*>> members;
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      members.emplace_back(std::string(it->name.GetString(), it->name.GetStringLength()),
                           &it->value);
    }
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out = "{";
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out += ',';
      out += quoted(members[i].first) + ':' + canonical(*members[i].second);
    }
    return out + '}';
  }
  if (value.IsArray()) {
    std::string out = "[";
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      if (i > 0) out += ',';
      out += canonical(value[i]);
    }
    return out + ']';
  }
  return compact(value);
}

// Characters (UTF-8 code points) of a text: the table's 长度 are lengths of text.
std::size_t characters(const std::string& text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

// One column of the document's table (三、请求参数): key, 长度 (0: none), 必填, and whether the
// type is text (String/Datatime) or a number (int/Integer/FLOAT).
struct Column {
  const char* key;
  std::size_t length;
  bool required;
  bool number;
};

// 表头 entry_order. entry_date and operate_time are Datatime (text); totalorderlines is int
// and the example spells it total_order_lines.
const Column kHeader[] = {
    {"ref_id", 20, true, false},          {"entry_code", 100, true, false},
    {"entry_date", 0, true, false},       {"owner_code", 30, true, false},
    {"order_type", 10, true, false},      {"department", 30, false, false},
    {"bill_type", 10, false, false},      {"supplier_code", 30, false, false},
    {"supplier_name", 100, false, false}, {"operate_time", 0, true, false},
    {"operator_code", 30, true, false},   {"remark", 0, false, false},
};

// 表身 order_lines.
const Column kLine[] = {
    {"entry_code", 100, true, false},
    {"entry_code_itm", 0, true, true},
    {"item_code", 50, true, false},
    {"item_name", 160, true, false},
    {"sku_property", 255, false, false},
    {"batch_code", 40, false, false},
    {"warehouse_code", 30, true, false},
    {"qty", 0, true, true},
    {"qty1", 0, false, true},
    {"rem", 0, false, false},
    {"request_id", 10, false, false},
    {"request_code", 100, true, false},
    {"request_itm", 100, true, false},
    {"source_bilid", 10, false, false},
    {"source_bilno", 100, false, false},
    {"source_bilitm", 100, false, false},
};

// 业务类型: 01=进货入库 ... 11=其他入库.
const std::set<std::string> kOrderTypes = {"01", "02", "03", "04", "05", "06",
                                           "07", "08", "09", "10", "11"};

std::string text_of(const Value& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd()) return std::string();
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsNumber()) return compact(it->value);
  return std::string();
}

// Every way `object` breaks `columns`, each "where.key: rule".
void check(const Value& object, const Column* columns, std::size_t count, const std::string& where,
           std::vector<std::string>& problems) {
  for (std::size_t i = 0; i < count; ++i) {
    const Column& column = columns[i];
    auto it = object.FindMember(column.key);
    const bool absent = it == object.MemberEnd() || it->value.IsNull() ||
                        (it->value.IsString() && it->value.GetStringLength() == 0);
    const std::string name = where + column.key;
    if (absent) {
      if (column.required) problems.push_back(name + ": 必填");
      continue;
    }
    if (column.number) {
      if (!it->value.IsNumber()) problems.push_back(name + ": 须为数字");
      continue;
    }
    if (!it->value.IsString()) {
      problems.push_back(name + ": 须为字符串");
      continue;
    }
    const std::string text(it->value.GetString(), it->value.GetStringLength());
    if (column.length > 0 && characters(text) > column.length) {
      problems.push_back(name + ": 长度不能超过" + std::to_string(column.length));
    }
  }
}

std::vector<std::string> problems_of(const Value& push) {
  std::vector<std::string> problems;
  auto header = push.FindMember("entry_order");
  auto lines = push.FindMember("order_lines");
  if (header == push.MemberEnd() || !header->value.IsObject()) {
    problems.push_back("entry_order: 必填");
    return problems;
  }
  check(header->value, kHeader, std::size(kHeader), "entry_order.", problems);
  const std::string order_type = text_of(header->value, "order_type");
  if (!order_type.empty() && kOrderTypes.count(order_type) == 0) {
    problems.push_back("entry_order.order_type: 须为 01..11");
  }
  if (lines == push.MemberEnd() || !lines->value.IsArray() || lines->value.Empty()) {
    problems.push_back("order_lines: 至少一行");
    return problems;
  }
  const std::string entry_code = text_of(header->value, "entry_code");
  for (rapidjson::SizeType i = 0; i < lines->value.Size(); ++i) {
    const Value& line = lines->value[i];
    const std::string where = "order_lines[" + std::to_string(i) + "].";
    if (!line.IsObject()) {
      problems.push_back(where + ": 须为对象");
      continue;
    }
    check(line, kLine, std::size(kLine), where, problems);
    if (text_of(line, "entry_code") != entry_code) {
      problems.push_back(where + "entry_code: 须与表头一致");
    }
  }
  return problems;
}

// The order as delivered to the application, read with the document's keys.
wms::EntryConfirmation delivered_order(const Value& push) {
  wms::EntryConfirmation out;
  const Value& h = push["entry_order"];
  out.order.ref_id = text_of(h, "ref_id");
  out.order.entry_code = text_of(h, "entry_code");
  if (auto date = Timestamp::parse(text_of(h, "entry_date")); date.ok())
    out.order.entry_date = *date;
  out.order.owner_code = text_of(h, "owner_code");
  out.order.order_type = Labeled<wms::OrderType>::from_label(text_of(h, "order_type"));
  out.order.department = text_of(h, "department");
  out.order.bill_type = text_of(h, "bill_type");
  out.order.supplier_code = text_of(h, "supplier_code");
  out.order.supplier_name = text_of(h, "supplier_name");
  if (auto time = DateTime::parse(text_of(h, "operate_time")); time.ok()) {
    out.order.operate_time = *time;
  }
  out.order.operator_code = text_of(h, "operator_code");
  out.order.remark = text_of(h, "remark");
  for (const Value& l : push["order_lines"].GetArray()) {
    wms::OrderLine line;
    line.entry_code = text_of(l, "entry_code");
    if (l.HasMember("entry_code_itm") && l["entry_code_itm"].IsInt64()) {
      line.entry_code_itm = l["entry_code_itm"].GetInt64();
    }
    line.item_code = text_of(l, "item_code");
    line.item_name = text_of(l, "item_name");
    line.sku_property = text_of(l, "sku_property");
    line.batch_code = text_of(l, "batch_code");
    line.warehouse_code = text_of(l, "warehouse_code");
    if (auto qty = Decimal::parse(text_of(l, "qty")); qty.ok()) line.qty = *qty;
    if (auto qty1 = Decimal::parse(text_of(l, "qty1")); qty1.ok()) line.qty1 = *qty1;
    line.rem = text_of(l, "rem");
    line.request_id = text_of(l, "request_id");
    line.request_code = text_of(l, "request_code");
    line.request_itm = text_of(l, "request_itm");
    line.source_bilid = text_of(l, "source_bilid");
    line.source_bilno = text_of(l, "source_bilno");
    line.source_bilitm = text_of(l, "source_bilitm");
    out.lines.push_back(std::move(line));
  }
  return out;
}

// The reply as a third party may write it within the document's table (code 成功标识 string;
// bil_id 第三方单据ID string, sent as a number by systems whose ids are numbers): code as a
// string, a numeric bil_id as a number, and a key the table does not list.
std::string loosely_typed(const std::string& number) {
  const std::size_t digits = number.find_first_of("0123456789");
  const long long id = digits == std::string::npos ? 0 : std::atoll(number.c_str() + digits);
  return "{\"code\":\"0\",\"message\":\"新增成功\",\"bil_id\":" + std::to_string(id) +
         ",\"bil_no\":" + quoted(number) + ",\"trace_id\":\"emulator-variance\"}";
}

constexpr std::size_t kMaxBody = 8u * 1024u * 1024u;

}  // namespace

struct WmsEmulator::State {
  std::string token;
  std::mutex mutex;
  std::vector<wms::EntryConfirmation> delivered;
  // entry_code -> the accepted order's canonical form and its bil_no.
  std::map<std::string, std::pair<std::string, std::string>> accepted;
};

WmsEmulator::WmsEmulator(std::string token) : state_(std::make_shared<State>()) {
  state_->token = std::move(token);
}

void WmsEmulator::install(Emulator& emulator) const {
  std::shared_ptr<State> state = state_;
  emulator.route(HttpMethod::Post, "/CreateEntryConfirmation", [state](const EmulatorRequest& in) {
    // Authorization: the token value itself, compared exactly.
    const std::string* authorization = in.header("Authorization");
    if (authorization == nullptr || *authorization != state->token) {
      return answer(401, "401", "Authorization 无效");
    }
    if (in.body.size() > kMaxBody) return answer(413, "413", "请求过大");
    rapidjson::Document push;
    push.Parse(in.body.c_str(), in.body.size());
    if (push.HasParseError() || !push.IsObject()) return answer(400, "400", "不是 JSON 对象");
    const std::vector<std::string> problems = problems_of(push);
    if (!problems.empty()) {
      std::string message;
      for (const std::string& problem : problems)
        message += (message.empty() ? "" : "; ") + problem;
      return answer(400, "400", message);
    }
    const std::string entry_code = text_of(push["entry_order"], "entry_code");
    const std::string form = canonical(push);
    std::string number;
    {
      std::lock_guard<std::mutex> guard(state->mutex);
      auto found = state->accepted.find(entry_code);
      if (found != state->accepted.end()) {
        // WMS入库单号,必须唯一: the same order again gets the first reply; other content under
        // the same number is a conflict.
        if (found->second.first != form) {
          return answer(409, "409", "entry_code " + entry_code + " 已用于其他内容");
        }
        number = found->second.second;
      } else {
        state->delivered.push_back(delivered_order(push));
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "PC%06zu", state->delivered.size());
        number = buffer;
        state->accepted.emplace(entry_code, std::make_pair(form, number));
      }
    }
    if (in.variance) return json_response(200, loosely_typed(number));
    return json_response(200, "{\"code\":0,\"message\":\"新增成功\",\"bil_id\":\"PC\",\"bil_no\":" +
                                  quoted(number) + "}");
  });
}

std::vector<wms::EntryConfirmation> WmsEmulator::delivered() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->delivered;
}

}  // namespace erpbridge::testing
