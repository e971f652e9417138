// The after-service server, written from the document and not from the client: requests are
// read with RapidJSON's DOM and literal keys, replies written with literal keys, and the
// workflow follows a transition table of its own. A bug shared with the client's codec or
// its next_status() therefore shows up as a failing test instead of passing on both sides.
#include "erpbridge/testing/aftersales_emulator.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {

using namespace aftersales;

namespace {

constexpr const char* kBase = "/api/v1/afterservice";

// The document's workflow: status = [created, waitting, service_approving, ..., end] (the
// rules' spelling of waiting, which is what this emulator stores and serves);
// 'done' 下一个流程, 'reject' 回到上一个流程; at waiting (提交) 'reject'会报错的; the
// last step's done reaches end (财务已审批(结束)). nullptr: the operation is refused there.
struct Transition {
  const char* from;
  const char* done;
  const char* reject;
};
constexpr Transition kWorkflow[] = {
    {"created", "waitting", nullptr},
    {"waitting", "service_approving", nullptr},
    {"service_approving", "service_approved", "waitting"},
    {"service_approved", "manager_reviewing", "service_approving"},
    {"manager_reviewing", "manager_reviewed", "service_approved"},
    {"manager_reviewed", "chief_reviewing", "manager_reviewing"},
    {"chief_reviewing", "chief_reviewed", "manager_reviewed"},
    {"chief_reviewed", "finance_reviewing", "chief_reviewing"},
    {"finance_reviewing", "end", "chief_reviewed"},
    {"end", nullptr, nullptr},
};

const Transition* transition_from(const std::string& status) {
  // The document's list of statuses spells it "waiting": an order stored so moves alike.
  const std::string canonical = status == "waiting" ? "waitting" : status;
  for (const Transition& t : kWorkflow) {
    if (canonical == t.from) return &t;
  }
  return nullptr;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

// China wall-clock time now.
DateTime now() {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  return DateTime::from_seconds_since_epoch(seconds + 8 * 3600);
}

// ---- reading requests: DOM, literal keys from the document ----

const Value* member(const Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// A string member, or "" (numbers are taken as their text, as a lenient server would).
std::string text(const Value& object, const char* key) {
  const Value* value = member(object, key);
  if (value == nullptr) return std::string();
  if (value->IsString()) return std::string(value->GetString(), value->GetStringLength());
  if (value->IsInt64()) return std::to_string(value->GetInt64());
  return std::string();
}

bool parse(const std::string& body, rapidjson::Document& document) {
  document.Parse(body.c_str(), body.size());
  return !document.HasParseError();
}

// ---- writing replies: literal keys from the document's 售后单数据结构 ----

void put(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void put_id(Writer& w, const char* key, std::int64_t id, bool variance) {
  w.Key(key);
  if (variance) {
    const std::string text = std::to_string(id);  // ids as strings: the document's "id": "id"
    w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    w.Int64(id);
  }
}

// A time as this server writes it: "YYYY-MM-DD HH:MM:SS", or in variance mode the ISO form
// with milliseconds and an offset (the document fixes no format).
void put_time(Writer& w, const char* key, const std::optional<Timestamp>& time, bool variance) {
  w.Key(key);
  if (!time) {
    w.String("");
    return;
  }
  std::string text = time->wall_clock().to_string();
  if (variance) {
    text[10] = 'T';
    text += ".250+08:00";
  }
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_product(Writer& w, const AbnormalProduct& product, bool variance) {
  w.StartObject();
  if (product.id) put_id(w, "id", *product.id, variance);
  put(w, "skuCode", product.sku_code);
  put(w, "remark", product.remark);
  w.EndObject();
}

void write_duty_report(Writer& w, const DutyReport& report) {
  w.StartObject();
  put(w, "abnormal_type", report.abnormal_type);
  put(w, "abnormal_reason", report.abnormal_reason);
  put(w, "publishment", report.publishment);
  put(w, "publish_to", report.publish_to);
  put(w, "compensation", report.compensation ? report.compensation->to_string() : "");
  put(w, "duty_to_id", report.duty_to_id);
  put(w, "duty_to", report.duty_to);
  put(w, "duty_date", report.duty_date);
  w.EndObject();
}

void write_order(Writer& w, const Order& order, bool variance) {
  w.StartObject();
  put_id(w, "id", order.id, variance);
  put(w, "serial_number", order.serial_number);
  put(w, "charge_number", order.charge_number);
  put(w, "type", order.type);
  put(w, "customer_name", order.customer_name);
  put(w, "status", order.status.label());
  put(w, "workflow_status", order.workflow_status.label());
  put_time(w, "summitted_at", order.submitted_at, variance);  // spelled so in the data structure
  put_time(w, "created_at", order.created_at, variance);
  put_time(w, "updated_at", order.updated_at, variance);
  put(w, "accuser_name", order.accuser_name);
  put(w, "creator_name", order.creator_name);
  put(w, "saler", order.saler);
  put(w, "remark", order.remark);
  put(w, "reason", order.reason);
  w.Key("abnormal_products");
  w.StartArray();
  for (const AbnormalProduct& product : order.abnormal_products) {
    write_product(w, product, variance);
  }
  w.EndArray();
  w.Key("duty_report");
  if (order.duty_report) {
    write_duty_report(w, *order.duty_report);
  } else {
    w.Null();
  }
  w.Key("tracks");
  w.StartArray();
  for (const Track& track : order.tracks) {
    w.StartObject();
    put(w, "remark", track.remark);
    w.EndObject();
  }
  w.EndArray();
  w.Key("deductions");
  w.StartArray();
  for (const Deduction& deduction : order.deductions) {
    w.StartObject();
    put(w, "compensation", deduction.compensation ? deduction.compensation->to_string() : "");
    w.Key("has_receipt");
    const bool receipt = deduction.has_receipt.value_or(false);
    if (variance) {
      w.String(receipt ? "是" : "否");  // 是否开票, as a form would send it
    } else {
      w.Bool(receipt);
    }
    put(w, "remark", deduction.remark);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void write_journal(Writer& w, const Journal& journal, bool variance) {
  w.StartObject();
  put_id(w, "id", journal.id.value_or(0), variance);
  put_id(w, "order_id", journal.order_id, variance);
  put(w, "operator_name", journal.operator_name);
  put(w, "operation", journal.operation);
  put(w, "from_status", journal.from_status);
  put(w, "to_status", journal.to_status);
  put(w, "remark", journal.remark);
  put_time(w, "created_at", journal.created_at, variance);
  if (variance) put(w, "operator_id", "u-" + std::to_string(journal.id.value_or(0)));
  w.EndObject();
}

void write_catalog_product(Writer& w, const Product& product, bool variance) {
  w.StartObject();
  put_id(w, "id", product.id.value_or(0), variance);
  put(w, "skuCode", product.sku_code);
  put(w, "name", product.name);
  w.EndObject();
}

void write_match(Writer& w, const SupplierUserMatch& match, bool variance) {
  w.StartObject();
  put_id(w, "id", match.id.value_or(0), variance);
  put(w, "supplier_name", match.supplier_name);
  put(w, "saler", match.user_name);
  w.EndObject();
}

void write_rank(Writer& w, const RankEntry& entry, bool variance) {
  w.StartObject();
  put(w, "name", entry.name);
  w.Key("count");
  w.Int64(entry.count);
  if (entry.total) put(w, "total", entry.total->to_string());
  if (variance) put(w, "share", "n/a");
  w.EndObject();
}

// {"status":0,"message":…,"data":[…]}. In variance mode a list leaves out status (the
// document's list example) and a write answers with an empty data (its envelope's
// `data: [] //相关操作数据`).
enum class Reply { List, Write };

template <typename T, typename Write>
HttpResponse envelope(const std::vector<T>& items, Reply kind, bool variance, Write write) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (!(variance && kind == Reply::List)) {
    w.Key("status");
    w.Int(0);
    w.Key("message");
    w.String(variance ? "操作成功" : "success");
  }
  w.Key("data");
  w.StartArray();
  if (!(variance && kind == Reply::Write)) {
    for (const T& item : items) write(w, item, variance);
  }
  w.EndArray();
  w.EndObject();
  return json_response(200, std::string(buffer.GetString(), buffer.GetSize()));
}

HttpResponse failure(int status, const std::string& message) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("status");
  w.Int(status);
  w.Key("message");
  w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("data");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return json_response(status, std::string(buffer.GetString(), buffer.GetSize()));
}

HttpResponse none(bool variance) {
  return json_response(200, variance ? R"({"status":"0","data":[]})"
                                     : R"({"status":0,"message":"success","data":[]})");
}

// page and per_page from the query (defaults 1 and 20); false for bad values. A server that
// caps its pages (`cap` > 0) sends at most `cap` items a page, whatever was asked.
bool paging(const EmulatorRequest& in, int cap, int& page, int& per_page) {
  page = 1;
  per_page = 20;
  for (auto [name, target] : {std::pair{"page", &page}, std::pair{"per_page", &per_page}}) {
    const std::string value = in.query_value(name);
    if (value.empty()) continue;
    try {
      *target = std::stoi(value);
    } catch (...) {
      return false;
    }
  }
  if (page < 1 || per_page < 1 || per_page > 1000) return false;
  if (cap > 0 && per_page > cap) per_page = cap;
  return true;
}

template <typename T>
std::vector<T> slice(const std::vector<T>& all, int page, int per_page) {
  const std::size_t first = static_cast<std::size_t>(page - 1) * static_cast<std::size_t>(per_page);
  if (first >= all.size()) return {};
  const std::size_t last = std::min(all.size(), first + static_cast<std::size_t>(per_page));
  return std::vector<T>(all.begin() + static_cast<std::ptrdiff_t>(first),
                        all.begin() + static_cast<std::ptrdiff_t>(last));
}

bool parse_id(const std::string& text, std::int64_t& id) {
  try {
    std::size_t used = 0;
    id = std::stoll(text, &used);
    return used == text.size();
  } catch (...) {
    return false;
  }
}

// An abnormal product as the document writes it: {"skuCode":…,"remark":…}.
AbnormalProduct abnormal_product_of(const Value& object) {
  AbnormalProduct product;
  product.sku_code = text(object, "skuCode");
  product.remark = text(object, "remark");
  return product;
}

}  // namespace

struct AftersalesEmulator::State {
  std::mutex mutex;
  std::atomic<int> max_per_page{0};  // 0: pages as large as asked
  std::int64_t next_order = 1;
  std::int64_t next_product = 1;
  std::int64_t next_journal = 1;
  std::map<std::int64_t, Order> orders;
  std::map<std::int64_t, std::vector<Journal>> journals;
  std::vector<Product> products;
  std::vector<SupplierUserMatch> matches;

  void journal(const Order& order, const std::string& operator_name, const std::string& operation,
               const std::string& from, const std::string& remark) {
    Journal entry;
    entry.id = next_journal++;
    entry.order_id = order.id;
    entry.operator_name = operator_name;
    entry.operation = operation;
    entry.from_status = from;
    entry.to_status = order.status.label();
    entry.remark = remark;
    entry.created_at = Timestamp(now());
    journals[order.id].push_back(std::move(entry));
  }

  // The order a path's id names, or nullptr (also for an id that is not a number).
  Order* order_at(const std::string& id_text) {
    std::int64_t id = 0;
    if (!parse_id(id_text, id)) return nullptr;
    auto found = orders.find(id);
    return found == orders.end() ? nullptr : &found->second;
  }

  // A new order: in_progress / waiting (the document's delete and submit rules start there).
  Order create(const std::map<std::string, std::string>& fields) {
    Order order;
    order.id = next_order++;
    const DateTime created = now();
    char serial[48];
    std::snprintf(serial, sizeof serial, "AS%04d%02d%02d%06lld", created.date().year(),
                  created.date().month(), created.date().day(), static_cast<long long>(order.id));
    order.serial_number = serial;
    order.type = fields.at("type");
    order.customer_name = fields.at("customer_name");
    order.accuser_name = fields.at("accuser_name");
    order.creator_name = fields.at("creator_name");
    order.reason = fields.at("reason");
    order.remark = fields.at("remark");
    order.status = Labeled<Status>::from_label("waitting");
    order.workflow_status = Labeled<WorkflowStatus>::from_label("in_progress");
    order.created_at = Timestamp(now());
    order.updated_at = order.created_at;
    orders[order.id] = order;
    journal(order, order.creator_name, "create", "", order.remark);
    return order;
  }

  // Moves an order by the table; the refusal text otherwise.
  std::string step(Order& order, const std::string& operation, const std::string& operator_name,
                   const std::string& remark) {
    if (order.workflow_status.label() != "in_progress") {
      return "workflow is " + order.workflow_status.label() + ", not in_progress";
    }
    const std::string from = order.status.label();
    const Transition* t = transition_from(from);
    if (t == nullptr) return "status " + from + " is not part of the workflow";
    const char* to = operation == "done" ? t->done : t->reject;
    if (to == nullptr) return "operation " + operation + " is not allowed in status " + from;
    order.status = Labeled<Status>::from_label(to);
    if (t->from == std::string("waitting")) order.submitted_at = Timestamp(now());  // 提交
    if (std::strcmp(to, "end") == 0) {
      order.workflow_status = Labeled<WorkflowStatus>::from_label("done");
    }
    order.updated_at = Timestamp(now());
    journal(order, operator_name, operation, from, remark);
    return std::string();
  }
};

AftersalesEmulator::AftersalesEmulator() : state_(std::make_shared<State>()) {}

void AftersalesEmulator::set_max_per_page(int max_per_page) const {
  state_->max_per_page.store(max_per_page);
}

std::size_t AftersalesEmulator::order_count() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->orders.size();
}

void AftersalesEmulator::seed_demo_data() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  State& s = *state_;
  static const char* kNames[] = {"轴承",   "密封圈", "滤芯", "电机",
                                 "控制板", "水泵",   "阀门", "外壳"};
  for (int i = 0; i < 24; ++i) {
    Product product;
    product.id = s.next_product++;
    product.sku_code = "SKU-" + std::to_string(1000 + i);
    product.name = kNames[i % 8] + std::string(" ") + std::to_string(i / 8 + 1) + "型";
    s.products.push_back(product);
  }
  static const char* kSuppliers[] = {"华东精密制造", "西安某某生产制造有限公司", "南方电机厂",
                                     "北辰物流"};
  static const char* kUsers[] = {"李四", "王五", "赵六", "钱七"};
  for (int i = 0; i < 4; ++i) {
    SupplierUserMatch match;
    match.id = i + 1;
    match.supplier_name = kSuppliers[i];
    match.user_name = kUsers[i];
    s.matches.push_back(match);
  }
  for (int i = 0; i < 12; ++i) {
    Order order = s.create({{"type", i % 2 ? "质量异常" : "交付异常"},
                            {"customer_name", kSuppliers[i % 4]},
                            {"accuser_name", kSuppliers[(i + 1) % 4]},
                            {"creator_name", i % 3 ? "张三" : "示例用户"},
                            {"reason", i % 2 ? "破损" : "延期"},
                            {"remark", "演示订单"}});
    Order& stored = s.orders[order.id];
    Deduction deduction;
    deduction.compensation = Decimal::parse(std::to_string(100 + i * 10) + ".00").value();
    deduction.has_receipt = i % 2 == 0;
    deduction.remark = "扣款";
    stored.deductions.push_back(deduction);
    // Walk some orders forward so every stage has examples.
    for (int step = 0; step < i % 9; ++step) s.step(stored, "done", "演示", "");
  }
}

void AftersalesEmulator::install(Emulator& emulator) const {
  std::shared_ptr<State> state = state_;
  const std::string base = kBase;

  emulator.route(HttpMethod::Post, base + "/orders", [state](const EmulatorRequest& in) {
    rapidjson::Document body;
    if (!parse(in.body, body) || !body.IsObject()) return failure(400, "invalid body");
    // The document's 创建售后单的接口: six fields, all 必填.
    std::map<std::string, std::string> fields;
    std::string missing;
    for (const char* key :
         {"type", "customer_name", "accuser_name", "creator_name", "reason", "remark"}) {
      fields[key] = text(body, key);
      if (fields[key].empty()) missing += missing.empty() ? key : std::string(", ") + key;
    }
    if (!missing.empty()) return failure(400, "required: " + missing);
    std::lock_guard<std::mutex> guard(state->mutex);
    return envelope(std::vector<Order>{state->create(fields)}, Reply::Write, in.variance,
                    write_order);
  });

  emulator.route(HttpMethod::Get, base + "/orders", [state](const EmulatorRequest& in) {
    int page = 0, per_page = 0;
    if (!paging(in, state->max_per_page.load(), page, per_page))
      return failure(400, "page and per_page must be positive");
    // Filtered by the exact label stored: a server that stores "waitting" finds nothing for
    // "waiting" (the SDK sends the rules' spelling unless told otherwise).
    const std::string status = in.query_value("status");
    const std::string workflow = in.query_value("workflow_status");
    const std::string creator = in.query_value("creator_name");
    std::vector<Order> matching;
    std::lock_guard<std::mutex> guard(state->mutex);
    for (const auto& entry : state->orders) {
      const Order& order = entry.second;
      if (!status.empty() && order.status.label() != status) continue;
      if (!workflow.empty() && order.workflow_status.label() != workflow) continue;
      if (!creator.empty() && order.creator_name != creator) continue;
      matching.push_back(order);
    }
    return envelope(slice(matching, page, per_page), Reply::List, in.variance, write_order);
  });

  emulator.route(HttpMethod::Put, base + "/orders/{id}", [state](const EmulatorRequest& in) {
    std::int64_t id = 0;
    if (!parse_id(in.path_params.at("id"), id)) return failure(400, "order id must be a number");
    rapidjson::Document body;
    if (!parse(in.body, body) || !body.IsObject()) return failure(400, "invalid body");
    std::lock_guard<std::mutex> guard(state->mutex);
    auto found = state->orders.find(id);
    if (found == state->orders.end()) {
      return failure(404, "order " + std::to_string(id) + " not found");
    }
    Order& order = found->second;
    const std::string operation = text(body, "operation");
    if (!operation.empty() && operation != "done" && operation != "reject") {
      return failure(400, "operation must be done or reject");
    }
    // 填那些内容更新那些内容 ("the data sent is basically the same; what is filled in is
    // updated"): every order field among the keys sent is set, on a workflow step too. So
    // an empty "remark" blanks the order's 异常描述, and a key not sent changes nothing.
    Order updated = order;
    for (auto [key, field] :
         {std::pair{"type", &updated.type}, std::pair{"customer_name", &updated.customer_name},
          std::pair{"accuser_name", &updated.accuser_name},
          std::pair{"creator_name", &updated.creator_name}, std::pair{"saler", &updated.saler},
          std::pair{"remark", &updated.remark}, std::pair{"reason", &updated.reason},
          std::pair{"charge_number", &updated.charge_number}}) {
      if (member(body, key) != nullptr) *field = text(body, key);
    }
    if (!operation.empty()) {
      const std::string refused =
          state->step(updated, operation, text(body, "operator_name"), text(body, "remark"));
      if (!refused.empty()) return failure(409, refused);
      order = std::move(updated);
      return envelope(std::vector<Order>{order}, Reply::Write, in.variance, write_order);
    }
    const std::string from = order.status.label();
    order = std::move(updated);
    order.updated_at = Timestamp(now());
    state->journal(order, text(body, "operator_name"), "update", from, text(body, "remark"));
    return envelope(std::vector<Order>{order}, Reply::Write, in.variance, write_order);
  });

  emulator.route(HttpMethod::Delete, base + "/orders/{id}", [state](const EmulatorRequest& in) {
    std::int64_t id = 0;
    if (!parse_id(in.path_params.at("id"), id)) return failure(400, "order id must be a number");
    std::lock_guard<std::mutex> guard(state->mutex);
    auto found = state->orders.find(id);
    if (found == state->orders.end()) {
      return failure(404, "order " + std::to_string(id) + " not found");
    }
    const Order& order = found->second;
    // 只是要求在{workflow_status: "in_progress", status: "waitting"}的条件下才适用.
    const std::string& status = order.status.label();
    if (order.workflow_status.label() != "in_progress" ||
        (status != "waiting" && status != "waitting")) {
      return failure(409, "order " + std::to_string(id) + " is " + status + " / " +
                              order.workflow_status.label() +
                              ": only in_progress / waiting orders can be deleted");
    }
    state->orders.erase(found);
    state->journals.erase(id);
    return none(in.variance);
  });

  emulator.route(HttpMethod::Get, base + "/{id}/journals", [state](const EmulatorRequest& in) {
    std::int64_t id = 0;
    int page = 0, per_page = 0;
    if (!parse_id(in.path_params.at("id"), id)) return failure(404, "no such order");
    if (!paging(in, state->max_per_page.load(), page, per_page))
      return failure(400, "page and per_page must be positive");
    std::lock_guard<std::mutex> guard(state->mutex);
    if (state->orders.count(id) == 0) {
      return failure(404, "order " + std::to_string(id) + " not found");
    }
    return envelope(slice(state->journals[id], page, per_page), Reply::List, in.variance,
                    write_journal);
  });

  emulator.route(HttpMethod::Get, base + "/all-products", [state](const EmulatorRequest& in) {
    int page = 0, per_page = 0;
    if (!paging(in, state->max_per_page.load(), page, per_page))
      return failure(400, "page and per_page must be positive");
    std::lock_guard<std::mutex> guard(state->mutex);
    return envelope(slice(state->products, page, per_page), Reply::List, in.variance,
                    write_catalog_product);
  });

  emulator.route(
      HttpMethod::Get, base + "/supplier_user_matcher", [state](const EmulatorRequest& in) {
        int page = 0, per_page = 0;
        if (!paging(in, state->max_per_page.load(), page, per_page)) {
          return failure(400, "page and per_page must be positive");
        }
        const std::string word = in.query_value("key_word");
        std::vector<SupplierUserMatch> matching;
        std::lock_guard<std::mutex> guard(state->mutex);
        for (const auto& match : state->matches) {
          if (word.empty() || match.supplier_name.find(word) != std::string::npos ||
              match.user_name.find(word) != std::string::npos) {
            matching.push_back(match);
          }
        }
        return envelope(slice(matching, page, per_page), Reply::List, in.variance, write_match);
      });

  emulator.route(HttpMethod::Post, base + "/orders/{id}/abnormal-products",
                 [state](const EmulatorRequest& in) {
                   std::int64_t id = 0;
                   if (!parse_id(in.path_params.at("id"), id))
                     return failure(400, "order id must be a number");
                   rapidjson::Document body;
                   if (!parse(in.body, body)) return failure(400, "invalid body");
                   // post(批量或单个): an array of products, or one.
                   std::vector<AbnormalProduct> added;
                   if (body.IsArray()) {
                     for (const Value& item : body.GetArray())
                       added.push_back(abnormal_product_of(item));
                   } else if (body.IsObject()) {
                     added.push_back(abnormal_product_of(body));
                   }
                   if (added.empty()) return failure(400, "no abnormal product given");
                   for (std::size_t i = 0; i < added.size(); ++i) {
                     if (added[i].sku_code.empty()) {
                       return failure(400, "[" + std::to_string(i) + "].skuCode is required");
                     }
                   }
                   std::lock_guard<std::mutex> guard(state->mutex);
                   auto found = state->orders.find(id);
                   if (found == state->orders.end()) {
                     return failure(404, "order " + std::to_string(id) + " not found");
                   }
                   for (AbnormalProduct& product : added) {
                     product.id = state->next_product++;
                     found->second.abnormal_products.push_back(product);
                   }
                   state->journal(found->second, "", "add_abnormal_products",
                                  found->second.status.label(),
                                  std::to_string(added.size()) + " product(s)");
                   return envelope(added, Reply::Write, in.variance, write_product);
                 });

  auto product_of = [](Order& order, const std::string& id_text) -> AbnormalProduct* {
    std::int64_t product_id = 0;
    if (!parse_id(id_text, product_id)) return nullptr;
    for (AbnormalProduct& product : order.abnormal_products) {
      if (product.id == product_id) return &product;
    }
    return nullptr;
  };

  emulator.route(HttpMethod::Put, base + "/orders/{id}/abnormal-products/{pid}",
                 [state, product_of](const EmulatorRequest& in) {
                   rapidjson::Document body;
                   if (!parse(in.body, body) || !body.IsObject()) {
                     return failure(400, "invalid body");
                   }
                   std::lock_guard<std::mutex> guard(state->mutex);
                   Order* order = state->order_at(in.path_params.at("id"));
                   if (order == nullptr) return failure(404, "order not found");
                   AbnormalProduct* product = product_of(*order, in.path_params.at("pid"));
                   if (product == nullptr) return failure(404, "abnormal product not found");
                   // Only the keys sent change (填那些内容更新那些内容).
                   if (member(body, "skuCode") != nullptr)
                     product->sku_code = text(body, "skuCode");
                   if (member(body, "remark") != nullptr) product->remark = text(body, "remark");
                   AbnormalProduct result = *product;
                   state->journal(*order, "", "update_abnormal_product", order->status.label(),
                                  result.sku_code);
                   return envelope(std::vector<AbnormalProduct>{result}, Reply::Write, in.variance,
                                   write_product);
                 });

  emulator.route(HttpMethod::Delete, base + "/orders/{id}/abnormal-products/{pid}",
                 [state, product_of](const EmulatorRequest& in) {
                   std::lock_guard<std::mutex> guard(state->mutex);
                   Order* order = state->order_at(in.path_params.at("id"));
                   if (order == nullptr) return failure(404, "order not found");
                   AbnormalProduct* product = product_of(*order, in.path_params.at("pid"));
                   if (product == nullptr) return failure(404, "abnormal product not found");
                   auto& list = order->abnormal_products;
                   const std::string sku = product->sku_code;
                   list.erase(list.begin() + (product - list.data()));
                   state->journal(*order, "", "delete_abnormal_product", order->status.label(),
                                  sku);
                   return none(in.variance);
                 });

  emulator.route(
      HttpMethod::Put, base + "/orders/{id}/duty-report", [state](const EmulatorRequest& in) {
        rapidjson::Document body;
        if (!parse(in.body, body) || !body.IsObject()) return failure(400, "invalid body");
        std::lock_guard<std::mutex> guard(state->mutex);
        Order* order = state->order_at(in.path_params.at("id"));
        if (order == nullptr) return failure(404, "order not found");
        // Only the keys sent change (填那些内容更新那些内容): the stored report is updated.
        DutyReport report = order->duty_report ? *order->duty_report : DutyReport{};
        for (auto [key, field] :
             {std::pair{"abnormal_type", &report.abnormal_type},
              std::pair{"abnormal_reason", &report.abnormal_reason},
              std::pair{"publishment", &report.publishment},
              std::pair{"publish_to", &report.publish_to}, std::pair{"duty_to", &report.duty_to}}) {
          if (member(body, key) != nullptr) *field = text(body, key);
        }
        if (member(body, "compensation") != nullptr) {
          const std::string compensation = text(body, "compensation");
          if (compensation.empty()) {
            report.compensation.reset();
          } else {
            Result<Decimal> amount = Decimal::parse(compensation);
            if (!amount.ok()) return failure(400, "compensation: " + amount.error().message);
            report.compensation = *amount;
          }
        }
        // The PUT example spells the date DutyDate; the data structure duty_date.
        if (member(body, "DutyDate") != nullptr) {
          report.duty_date = text(body, "DutyDate");
        } else if (member(body, "duty_date") != nullptr) {
          report.duty_date = text(body, "duty_date");
        }
        // duty_to_id is the server's (不用填): derived from the duty party's name.
        report.duty_to_id = report.duty_to.empty()
                                ? std::string()
                                : std::to_string(std::hash<std::string>{}(report.duty_to) % 100000);
        order->duty_report = report;
        state->journal(*order, "", "update_duty_report", order->status.label(),
                       report.abnormal_type);
        return envelope(std::vector<DutyReport>{report}, Reply::Write, in.variance,
                        [](Writer& w, const DutyReport& r, bool) { write_duty_report(w, r); });
      });

  for (const char* segment :
       {"typerank", "reasonrank", "dutyrank", "compensationrank", "publishmentrank"}) {
    const std::string rank = segment;
    emulator.route(
        HttpMethod::Get, base + "/dutyreports/" + rank, [state, rank](const EmulatorRequest& in) {
          std::map<std::string, RankEntry> groups;
          std::lock_guard<std::mutex> guard(state->mutex);
          for (const auto& entry : state->orders) {
            if (!entry.second.duty_report) continue;
            const DutyReport& report = *entry.second.duty_report;
            const std::string& key = rank == "typerank"          ? report.abnormal_type
                                     : rank == "reasonrank"      ? report.abnormal_reason
                                     : rank == "publishmentrank" ? report.publishment
                                                                 : report.duty_to;
            RankEntry& row = groups[key];
            row.name = key;
            ++row.count;
            if (rank == "compensationrank") {
              Decimal amount = report.compensation.value_or(Decimal());
              row.total = row.total ? row.total->add(amount).value() : amount;
            }
          }
          std::vector<RankEntry> rows;
          for (auto& group : groups) rows.push_back(std::move(group.second));
          std::stable_sort(rows.begin(), rows.end(), [&](const RankEntry& a, const RankEntry& b) {
            if (rank == "compensationrank" && a.total && b.total && *a.total != *b.total) {
              return *a.total > *b.total;
            }
            return a.count > b.count;
          });
          return envelope(rows, Reply::List, in.variance, write_rank);
        });
  }
}

}  // namespace erpbridge::testing
