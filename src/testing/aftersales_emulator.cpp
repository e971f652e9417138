#include "erpbridge/testing/aftersales_emulator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "aftersales/codec.hpp"
#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {

using namespace aftersales;

struct AftersalesEmulator::State {
  std::mutex mutex;
  std::int64_t next_order = 1;
  std::int64_t next_product = 1;
  std::int64_t next_journal = 1;
  std::map<std::int64_t, Order> orders;
  std::map<std::int64_t, std::vector<Journal>> journals;
  std::vector<Product> products;
  std::vector<SupplierUserMatch> matches;

  // China wall-clock time now.
  static DateTime now() {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    return DateTime::from_seconds_since_epoch(seconds + 8 * 3600);
  }

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
    entry.created_at = now();
    journals[order.id].push_back(std::move(entry));
  }

  // The order a path's id names, or nullptr (also for an id that is not a number).
  // The caller holds the mutex.
  Order* order_at(const std::string& id_text);

  Order create(const NewOrder& input) {
    Order order;
    order.id = next_order++;
    const DateTime created = now();
    char serial[48];
    std::snprintf(serial, sizeof serial, "AS%04d%02d%02d%06lld", created.date().year(),
                  created.date().month(), created.date().day(), static_cast<long long>(order.id));
    order.serial_number = serial;
    order.type = input.type;
    order.customer_name = input.customer_name;
    order.accuser_name = input.accuser_name;
    order.creator_name = input.creator_name;
    order.reason = input.reason;
    order.remark = input.remark;
    order.status = Status::Waiting;
    order.workflow_status = WorkflowStatus::InProgress;
    order.created_at = created;
    order.updated_at = created;
    orders[order.id] = order;
    journal(order, input.creator_name, "create", "", input.remark);
    return order;
  }
};

namespace {

HttpResponse reply_error(int status, const std::string& message) {
  return json_response(status, wire::encode_envelope<RawJson>(status, message, {}));
}

template <typename T>
HttpResponse reply(const std::vector<T>& data) {
  return json_response(200, wire::encode_envelope<T>(0, "success", data));
}

// page and per_page from the query (defaults 1 and 20); false for bad values.
bool paging(const EmulatorRequest& in, int& page, int& per_page) {
  page = 1;
  per_page = 20;
  for (auto [name, target] : {std::pair{"page", &page}, std::pair{"per_page", &per_page}}) {
    const std::string text = in.query_value(name);
    if (text.empty()) continue;
    try {
      *target = std::stoi(text);
    } catch (...) {
      return false;
    }
  }
  return page >= 1 && per_page >= 1 && per_page <= 1000;
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

}  // namespace

Order* AftersalesEmulator::State::order_at(const std::string& id_text) {
  std::int64_t id = 0;
  if (!parse_id(id_text, id)) return nullptr;
  auto found = orders.find(id);
  return found == orders.end() ? nullptr : &found->second;
}

AftersalesEmulator::AftersalesEmulator() : state_(std::make_shared<State>()) {}

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
    Order order = s.create(NewOrder{i % 2 ? "质量异常" : "交付异常", kSuppliers[i % 4],
                                    kSuppliers[(i + 1) % 4], i % 3 ? "张三" : "张亚楠",
                                    i % 2 ? "破损" : "延期", "演示订单"});
    // Walk some orders forward so every stage has examples.
    for (int step = 0; step < i % 9; ++step) {
      Order& stored = s.orders[order.id];
      const std::string from = stored.status.label();
      stored.status = next_status(stored.status.value(), Operation::Done).value();
      if (from == "waiting") stored.submitted_at = State::now();
      if (stored.status == Status::End) stored.workflow_status = WorkflowStatus::Done;
      s.journal(stored, "演示", "done", from, "");
    }
  }
}

void AftersalesEmulator::install(Emulator& emulator) const {
  std::shared_ptr<State> state = state_;
  const std::string base = wire::kBasePath;

  emulator.route(HttpMethod::Post, base + "/orders", [state](const EmulatorRequest& in) {
    Result<NewOrder> input = json::decode<NewOrder>(in.body);
    if (!input.ok()) return reply_error(400, "invalid body: " + input.error().message);
    Result<void> valid = validate(*input);
    if (!valid.ok()) return reply_error(400, valid.error().message);
    std::lock_guard<std::mutex> guard(state->mutex);
    return reply(std::vector<Order>{state->create(*input)});
  });

  emulator.route(HttpMethod::Get, base + "/orders", [state](const EmulatorRequest& in) {
    int page = 0, per_page = 0;
    if (!paging(in, page, per_page)) return reply_error(400, "page and per_page must be positive");
    const std::string status = in.query_value("status");
    const std::string workflow = in.query_value("workflow_status");
    const std::string creator = in.query_value("creator_name");
    std::vector<Order> matching;
    std::lock_guard<std::mutex> guard(state->mutex);
    for (const auto& entry : state->orders) {
      const Order& order = entry.second;
      if (!status.empty() && order.status.value() != Labeled<Status>::from_label(status).value())
        continue;
      if (!workflow.empty() && order.workflow_status.label() != workflow) continue;
      if (!creator.empty() && order.creator_name != creator) continue;
      matching.push_back(order);
    }
    return reply(slice(matching, page, per_page));
  });

  emulator.route(HttpMethod::Put, base + "/orders/{id}", [state](const EmulatorRequest& in) {
    std::int64_t id = 0;
    if (!parse_id(in.path_params.at("id"), id))
      return reply_error(400, "order id must be a number");
    Result<wire::WorkflowAction> action = json::decode<wire::WorkflowAction>(in.body);
    Result<OrderUpdate> update = json::decode<OrderUpdate>(in.body);
    if (!action.ok() || !update.ok()) return reply_error(400, "invalid body");
    std::lock_guard<std::mutex> guard(state->mutex);
    auto found = state->orders.find(id);
    if (found == state->orders.end())
      return reply_error(404, "order " + std::to_string(id) + " not found");
    Order& order = found->second;
    const std::string from = order.status.label();
    if (!action->operation.empty()) {
      Operation operation;
      if (action->operation == "done") {
        operation = Operation::Done;
      } else if (action->operation == "reject") {
        operation = Operation::Reject;
      } else {
        return reply_error(400, "operation must be done or reject");
      }
      if (order.workflow_status != WorkflowStatus::InProgress) {
        return reply_error(409,
                           "workflow is " + order.workflow_status.label() + ", not in_progress");
      }
      Result<Status> next = next_status(order.status.value(), operation);
      if (!next.ok()) return reply_error(409, next.error().message);
      order.status = *next;
      if (from == "waiting" || from == "waitting") order.submitted_at = State::now();
      if (*next == Status::End) order.workflow_status = WorkflowStatus::Done;
      order.updated_at = State::now();
      state->journal(order, action->operator_name, action->operation, from, action->remark);
      return reply(std::vector<Order>{order});
    }
    const OrderUpdate& u = *update;
    for (auto [value, field] :
         {std::pair{&u.type, &order.type}, std::pair{&u.customer_name, &order.customer_name},
          std::pair{&u.accuser_name, &order.accuser_name},
          std::pair{&u.creator_name, &order.creator_name}, std::pair{&u.saler, &order.saler},
          std::pair{&u.remark, &order.remark}, std::pair{&u.reason, &order.reason},
          std::pair{&u.charge_number, &order.charge_number}}) {
      if (value->has_value()) *field = **value;
    }
    order.updated_at = State::now();
    state->journal(order, action->operator_name, "update", from, u.remark.value_or(""));
    return reply(std::vector<Order>{order});
  });

  emulator.route(HttpMethod::Delete, base + "/orders/{id}", [state](const EmulatorRequest& in) {
    std::int64_t id = 0;
    if (!parse_id(in.path_params.at("id"), id))
      return reply_error(400, "order id must be a number");
    std::lock_guard<std::mutex> guard(state->mutex);
    auto found = state->orders.find(id);
    if (found == state->orders.end())
      return reply_error(404, "order " + std::to_string(id) + " not found");
    const Order& order = found->second;
    if (order.workflow_status != WorkflowStatus::InProgress || order.status != Status::Waiting) {
      return reply_error(409, "order " + std::to_string(id) + " is " + order.status.label() +
                                  " / " + order.workflow_status.label() +
                                  ": only in_progress / waiting orders can be deleted");
    }
    state->orders.erase(found);
    state->journals.erase(id);
    return reply(std::vector<RawJson>{});
  });

  emulator.route(HttpMethod::Get, base + "/{id}/journals", [state](const EmulatorRequest& in) {
    std::int64_t id = 0;
    int page = 0, per_page = 0;
    if (!parse_id(in.path_params.at("id"), id)) return reply_error(404, "no such order");
    if (!paging(in, page, per_page)) return reply_error(400, "page and per_page must be positive");
    std::lock_guard<std::mutex> guard(state->mutex);
    if (state->orders.count(id) == 0)
      return reply_error(404, "order " + std::to_string(id) + " not found");
    return reply(slice(state->journals[id], page, per_page));
  });

  emulator.route(HttpMethod::Get, base + "/all-products", [state](const EmulatorRequest& in) {
    int page = 0, per_page = 0;
    if (!paging(in, page, per_page)) return reply_error(400, "page and per_page must be positive");
    std::lock_guard<std::mutex> guard(state->mutex);
    return reply(slice(state->products, page, per_page));
  });

  emulator.route(HttpMethod::Get, base + "/supplier_user_matcher",
                 [state](const EmulatorRequest& in) {
                   int page = 0, per_page = 0;
                   if (!paging(in, page, per_page))
                     return reply_error(400, "page and per_page must be positive");
                   const std::string word = in.query_value("key_word");
                   std::vector<SupplierUserMatch> matching;
                   std::lock_guard<std::mutex> guard(state->mutex);
                   for (const auto& match : state->matches) {
                     if (word.empty() || match.supplier_name.find(word) != std::string::npos ||
                         match.user_name.find(word) != std::string::npos) {
                       matching.push_back(match);
                     }
                   }
                   return reply(slice(matching, page, per_page));
                 });

  emulator.route(
      HttpMethod::Post, base + "/orders/{id}/abnormal-products",
      [state](const EmulatorRequest& in) {
        std::int64_t id = 0;
        if (!parse_id(in.path_params.at("id"), id))
          return reply_error(400, "order id must be a number");
        Result<std::vector<AbnormalProduct>> many =
            json::decode<std::vector<AbnormalProduct>>(in.body);
        if (!many.ok()) {
          Result<AbnormalProduct> one = json::decode<AbnormalProduct>(in.body);  // "批量或单个"
          if (!one.ok()) return reply_error(400, "invalid body: " + many.error().message);
          many = std::vector<AbnormalProduct>{*one};
        }
        if (many->empty()) return reply_error(400, "no abnormal product given");
        for (std::size_t i = 0; i < many->size(); ++i) {
          if ((*many)[i].sku_code.empty()) {
            return reply_error(400, "[" + std::to_string(i) + "].skuCode is required");
          }
        }
        std::lock_guard<std::mutex> guard(state->mutex);
        auto found = state->orders.find(id);
        if (found == state->orders.end())
          return reply_error(404, "order " + std::to_string(id) + " not found");
        for (AbnormalProduct& product : *many) {
          product.id = state->next_product++;
          found->second.abnormal_products.push_back(product);
        }
        state->journal(found->second, "", "add_abnormal_products", found->second.status.label(),
                       std::to_string(many->size()) + " product(s)");
        return reply(*many);
      });

  auto product_of = [](Order& order, const std::string& text) -> AbnormalProduct* {
    std::int64_t product_id = 0;
    if (!parse_id(text, product_id)) return nullptr;
    for (AbnormalProduct& product : order.abnormal_products) {
      if (product.id == product_id) return &product;
    }
    return nullptr;
  };

  emulator.route(HttpMethod::Put, base + "/orders/{id}/abnormal-products/{pid}",
                 [state, product_of](const EmulatorRequest& in) {
                   Result<AbnormalProduct> update = json::decode<AbnormalProduct>(in.body);
                   if (!update.ok())
                     return reply_error(400, "invalid body: " + update.error().message);
                   std::lock_guard<std::mutex> guard(state->mutex);
                   Order* order = state->order_at(in.path_params.at("id"));
                   if (order == nullptr) return reply_error(404, "order not found");
                   AbnormalProduct* product = product_of(*order, in.path_params.at("pid"));
                   if (product == nullptr) return reply_error(404, "abnormal product not found");
                   if (!update->sku_code.empty()) product->sku_code = update->sku_code;
                   product->remark = update->remark;
                   AbnormalProduct result = *product;
                   state->journal(*order, "", "update_abnormal_product", order->status.label(),
                                  result.sku_code);
                   return reply(std::vector<AbnormalProduct>{result});
                 });

  emulator.route(HttpMethod::Delete, base + "/orders/{id}/abnormal-products/{pid}",
                 [state, product_of](const EmulatorRequest& in) {
                   std::lock_guard<std::mutex> guard(state->mutex);
                   Order* order = state->order_at(in.path_params.at("id"));
                   if (order == nullptr) return reply_error(404, "order not found");
                   AbnormalProduct* product = product_of(*order, in.path_params.at("pid"));
                   if (product == nullptr) return reply_error(404, "abnormal product not found");
                   auto& list = order->abnormal_products;
                   const std::string sku = product->sku_code;
                   list.erase(list.begin() + (product - list.data()));
                   state->journal(*order, "", "delete_abnormal_product", order->status.label(),
                                  sku);
                   return reply(std::vector<RawJson>{});
                 });

  emulator.route(HttpMethod::Put, base + "/orders/{id}/duty-report",
                 [state](const EmulatorRequest& in) {
                   Result<DutyReport> report = json::decode<DutyReport>(in.body);
                   if (!report.ok())
                     return reply_error(400, "invalid body: " + report.error().message);
                   std::lock_guard<std::mutex> guard(state->mutex);
                   Order* order = state->order_at(in.path_params.at("id"));
                   if (order == nullptr) return reply_error(404, "order not found");
                   // duty_to_id is the server's: derived from the duty party's name.
                   report->duty_to_id =
                       report->duty_to.empty()
                           ? std::string()
                           : std::to_string(std::hash<std::string>{}(report->duty_to) % 100000);
                   order->duty_report = *report;
                   state->journal(*order, "", "update_duty_report", order->status.label(),
                                  report->abnormal_type);
                   return reply(std::vector<DutyReport>{*report});
                 });

  for (Rank rank :
       {Rank::AbnormalType, Rank::Reason, Rank::DutyParty, Rank::Compensation, Rank::Publishment}) {
    emulator.route(
        HttpMethod::Get, base + "/dutyreports/" + path_segment(rank),
        [state, rank](const EmulatorRequest&) {
          std::map<std::string, RankEntry> groups;
          std::lock_guard<std::mutex> guard(state->mutex);
          for (const auto& entry : state->orders) {
            if (!entry.second.duty_report) continue;
            const DutyReport& report = *entry.second.duty_report;
            const std::string& key = rank == Rank::AbnormalType  ? report.abnormal_type
                                     : rank == Rank::Reason      ? report.abnormal_reason
                                     : rank == Rank::Publishment ? report.publishment
                                                                 : report.duty_to;
            RankEntry& row = groups[key];
            row.name = key;
            ++row.count;
            if (rank == Rank::Compensation) {
              Decimal amount = report.compensation.value_or(Decimal());
              row.total = row.total ? row.total->add(amount).value() : amount;
            }
          }
          std::vector<RankEntry> rows;
          for (auto& group : groups) rows.push_back(std::move(group.second));
          std::stable_sort(
              rows.begin(), rows.end(), [rank](const RankEntry& a, const RankEntry& b) {
                if (rank == Rank::Compensation && a.total && b.total && *a.total != *b.total) {
                  return *a.total > *b.total;
                }
                return a.count > b.count;
              });
          return reply(rows);
        });
  }
}

}  // namespace erpbridge::testing
