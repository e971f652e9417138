// erpbridge: the SDK from a shell. Exit codes: 0 ok, 1 API or transport error, 2 usage.
// Arguments are declared with CLI11: an unknown flag or a bad value is a usage error naming
// it, and every command has a generated --help.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/kingdee/client.hpp"
#include "erpbridge/wms/client.hpp"
#include "settings.hpp"

namespace erpbridge::cli {
namespace {

// --timings: each try's phase times and each call's outcome, one line each on stderr.
class TimingsPrinter : public CallObserver {
 public:
  void on_try(const TryEvent& e) override {
    const auto ms = [](std::chrono::microseconds d) {
      return static_cast<double>(d.count()) / 1e3;
    };
    std::string outcome = e.ok ? std::to_string(e.http_status) : to_string(e.error);
    if (e.retry != RetryReason::None) {
      outcome += ", retry (" + std::string(to_string(e.retry)) + ") after " +
                 std::to_string(e.retry_delay.count()) + " ms";
    }
    std::lock_guard<std::mutex> guard(mutex_);
    std::fprintf(stderr,
                 "timing: %.*s %.*s try %d: %s; dns %.3f ms, connect %.3f ms, tls %.3f ms, "
                 "first byte %.3f ms, total %.3f ms; sent %llu B, received %llu B\n",
                 static_cast<int>(e.family.size()), e.family.data(),
                 static_cast<int>(e.endpoint.size()), e.endpoint.data(), e.attempt, outcome.c_str(),
                 ms(e.timings.name_lookup), ms(e.timings.connect), ms(e.timings.tls),
                 ms(e.timings.first_byte), ms(e.timings.total),
                 static_cast<unsigned long long>(e.bytes_sent),
                 static_cast<unsigned long long>(e.bytes_received));
  }
  void on_call(const CallEvent& e) override {
    std::lock_guard<std::mutex> guard(mutex_);
    std::fprintf(stderr, "timing: %.*s %.*s call: %s after %d tr%s in %.3f ms (decode %.3f ms)\n",
                 static_cast<int>(e.family.size()), e.family.data(),
                 static_cast<int>(e.endpoint.size()), e.endpoint.data(),
                 e.ok ? "ok" : to_string(e.error), e.attempts, e.attempts == 1 ? "y" : "ies",
                 static_cast<double>(e.duration.count()) / 1e3,
                 static_cast<double>(e.decode_time.count()) / 1e3);
  }

 private:
  std::mutex mutex_;
};

// Set by --timings, given to every client the command makes.
std::shared_ptr<CallObserver> timings_observer;

int failed(const Error& error) {
  std::fprintf(stderr, "erpbridge: %s\n", error.to_string().c_str());
  return kFailed;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError{"cannot read " + path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

DateTime date_time(const std::string& flag, const std::string& text) {
  auto parsed = DateTime::parse(text);
  if (!parsed.ok()) throw UsageError{flag + ": " + parsed.error().message};
  return *parsed;
}

// ---- ctc ----

struct CtcReceipts {
  std::optional<std::string> url;
  std::optional<std::string> key_file;
  std::string type;
  std::string from;
  std::string to;
  std::string format = "table";
  std::size_t concurrency = 4;

  int run(const Settings& settings) const {
    ctc::Options options;
    options.base_url = settings.required("ctc", "url", url);
    options.observer = timings_observer;
    options.key = make_static_token(settings.required_secret("ctc", "key", key_file));
    const DateTime start = date_time("--from", from);
    const DateTime end = date_time("--to", to);
    ctc::ListOptions list;
    list.concurrency = concurrency;
    const bool terminal = isatty(STDERR_FILENO) != 0;
    list.progress = [terminal](std::size_t done, std::size_t total) {
      if (terminal) {
        const int width = 30;
        const int filled = static_cast<int>(width * done / (total == 0 ? 1 : total));
        std::fprintf(stderr, "\r[%s%s] %zu/%zu windows", std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), done, total);
        if (done == total) std::fprintf(stderr, "\n");
      } else {
        std::fprintf(stderr, "progress: %zu/%zu windows\n", done, total);
      }
    };
    auto receipts = ctc::Client(options).list_receipts(
        type == "in" ? ctc::Direction::In : ctc::Direction::Out, start, end, list);
    if (!receipts.ok()) return failed(receipts.error());
    if (format == "json") {
      std::printf("%s\n", ctc::to_json(*receipts).c_str());
      return kOk;
    }
    if (format == "csv") {
      std::printf("number,type,status,amount_of_money,created_at,work_order,creator,parts\n");
    }
    for (const auto& r : *receipts) {
      std::string parts;
      for (const auto& part : r.parts) {
        if (!parts.empty()) parts += format == "csv" ? ";" : ", ";
        parts += part.yunmi_code + " x " + std::to_string(part.amount);
      }
      if (format == "csv") {
        std::printf("%s,%s,%s,%s,%s,%s,%s,%s\n", csv_field(r.number).c_str(),
                    csv_field(r.type.label()).c_str(), csv_field(r.status.label()).c_str(),
                    r.amount_of_money.to_string().c_str(), r.created_at.to_string().c_str(),
                    csv_field(r.work_order_number).c_str(), csv_field(r.creator).c_str(),
                    csv_field(parts).c_str());
      } else {
        std::printf("%-24s %-8s %-6s %12s  %s  %s\n", r.number.c_str(), r.type.label().c_str(),
                    r.status.label().c_str(), r.amount_of_money.to_string().c_str(),
                    r.created_at.to_string().c_str(), parts.c_str());
      }
    }
    if (format == "table") std::printf("%zu receipts\n", receipts->size());
    return kOk;
  }
};

// ---- wms ----

struct WmsOrderFile {
  std::optional<std::string> url;
  std::optional<std::string> token_file;
  std::string file;

  wms::EntryConfirmation order() const {
    auto parsed = wms::parse_entry_confirmation(read_file(file));
    if (!parsed.ok()) throw UsageError{file + ": " + parsed.error().message};
    return *parsed;
  }

  int validate() const {
    const wms::EntryConfirmation confirmation = order();
    auto violations = wms::validate(confirmation);
    for (const auto& violation : violations) std::printf("%s\n", violation.to_string().c_str());
    if (violations.empty()) {
      std::printf("valid: %s, %zu lines\n", confirmation.order.entry_code.c_str(),
                  confirmation.lines.size());
    }
    return violations.empty() ? kOk : kFailed;
  }

  int push(const Settings& settings) const {
    const wms::EntryConfirmation confirmation = order();
    wms::Options options;
    options.base_url = settings.required("wms", "url", url);
    options.observer = timings_observer;
    options.token = make_static_token(settings.required_secret("wms", "token", token_file));
    auto reply = wms::Client(options).push(confirmation);
    if (!reply.ok()) return failed(reply.error());
    std::printf("bil_id %s\nbil_no %s\n", reply->bil_id.c_str(), reply->bil_no.c_str());
    return kOk;
  }
};

// ---- kingdee ----

struct Kingdee {
  std::optional<std::string> url;
  std::optional<std::string> auth_url;
  std::optional<std::string> group_name;
  std::optional<std::string> account_id;
  std::optional<std::string> router_addr;
  std::optional<std::string> app_key;
  std::optional<std::string> token_file;
  std::optional<std::string> app_secret_file;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret_file;
  std::optional<std::string> outer_instance_id;
  std::string entry_pk;
  std::string path;
  std::string body_file;

  kingdee::Client client(const Settings& settings) const {
    kingdee::Options options;
    options.base_url = settings.required("kingdee", "url", url);
    options.observer = timings_observer;
    options.group_name = settings.required("kingdee", "group_name", group_name);
    options.account_id = settings.required("kingdee", "account_id", account_id);
    // Learned from the authorisation (or token) reply's domain when not given.
    options.router_addr = settings.value("kingdee", "router_addr", router_addr).value_or("");
    // The open platform's client id and secret sign the token calls (API 2.0).
    kingdee::ApiCredentials api;
    api.client_id = settings.value("kingdee", "client_id", client_id).value_or("");
    if (!api.client_id.empty()) {
      api.client_secret = settings.required_secret("kingdee", "client_secret", client_secret_file);
    }
    const std::string auth_base =
        settings.value("kingdee", "auth_url", auth_url).value_or(options.base_url);
    const auto instance = settings.value("kingdee", "outer_instance_id", outer_instance_id);
    if (auto token = settings.secret("kingdee", "token", token_file); token && !token->empty()) {
      if (options.router_addr.empty()) {
        throw UsageError{
            "--router-addr is required with a fixed token (ERPBRIDGE_KINGDEE_ROUTER_ADDR)"};
      }
      options.token = make_static_token(*token);
    } else if (instance && !instance->empty()) {
      kingdee::InstanceAuth auth;
      auth.client.base_url = auth_base;
      auth.client.observer = timings_observer;
      auth.api = api;
      auth.outer_instance_id = *instance;
      if (auth.api.client_id.empty()) {
        throw UsageError{"--outer-instance-id needs --client-id (ERPBRIDGE_KINGDEE_CLIENT_ID)"};
      }
      options.token = kingdee::make_instance_token(auth);
    } else {
      kingdee::GatewayAuth auth;
      auth.app_key = settings.required("kingdee", "app_key", app_key);
      auth.app_secret = settings.required_secret("kingdee", "app_secret", app_secret_file);
      auth.client.base_url = auth_base;
      auth.client.observer = timings_observer;
      auth.api = api;
      options.token = kingdee::make_gateway_token(auth);
    }
    return kingdee::Client(options);
  }

  int push(const Settings& settings) const {
    auto bill = client(settings).push_spare_parts(entry_pk);
    if (!bill.ok()) return failed(bill.error());
    std::printf("bill %s status %s date %s customer %s\n", bill->bill_number.c_str(),
                bill->bill_status.c_str(),
                bill->bill_date ? bill->bill_date->to_string().c_str() : "-",
                bill->customer_name.c_str());
    for (const auto& line : bill->materials) {
      std::printf("  line %lld material %s %s qty %s unit cost %s\n",
                  static_cast<long long>(line.seq.value_or(0)), line.material_number.c_str(),
                  line.material_name.c_str(), line.qty ? line.qty->to_string().c_str() : "-",
                  line.unit_cost ? line.unit_cost->to_string().c_str() : "-");
    }
    for (const auto& note : bill.notes()) {
      std::fprintf(stderr, "note: %s\n", note.to_string().c_str());
    }
    return kOk;
  }

  int call(const Settings& settings) const {
    const std::string body = read_file(body_file);
    auto data = client(settings).call(path, body);
    if (!data.ok()) return failed(data.error());
    std::printf("%s\n", data->c_str());
    return kOk;
  }
};

// ---- aftersales ----

void print_order(const aftersales::Order& order) {
  std::printf("%lld %s %s/%s %s %s %s\n", static_cast<long long>(order.id),
              order.serial_number.c_str(), order.status.label().c_str(),
              order.workflow_status.label().c_str(), order.type.c_str(),
              order.customer_name.c_str(), order.creator_name.c_str());
}

struct Aftersales {
  std::optional<std::string> url;
  std::optional<std::string> status;
  std::optional<std::string> workflow_status;
  std::optional<std::string> creator;
  aftersales::NewOrder order;
  std::int64_t id = 0;
  std::string remark;
  std::string operator_name = "erpbridge";
  std::optional<std::string> rank;

  aftersales::Client client(const Settings& settings) const {
    aftersales::Options options;
    options.base_url = settings.required("aftersales", "url", url);
    options.observer = timings_observer;
    return aftersales::Client(options);
  }

  int list(const Settings& settings) const {
    aftersales::ListFilter filter;
    // Passed through as spelled: the document spells one status two ways (waitting,
    // waiting), and a server filters by the label it stores.
    if (status) filter.status = Labeled<aftersales::Status>::from_label(*status);
    if (workflow_status) {
      filter.workflow_status = Labeled<aftersales::WorkflowStatus>::from_label(*workflow_status);
    }
    filter.creator_name = creator;
    std::size_t count = 0;
    for (const auto& item : client(settings).all_orders(filter)) {
      if (!item.ok()) return failed(item.error());
      print_order(*item);
      ++count;
    }
    std::printf("%zu orders\n", count);
    return kOk;
  }

  int create(const Settings& settings) const {
    if (auto valid = aftersales::validate(order); !valid.ok()) {
      throw UsageError{valid.error().message};
    }
    auto created = client(settings).create_order(order);
    if (!created.ok()) return failed(created.error());
    print_order(*created);
    return kOk;
  }

  int ranks(const Settings& settings) const {
    static const std::map<std::string, aftersales::Rank> kRanks = {
        {"type", aftersales::Rank::AbnormalType},
        {"reason", aftersales::Rank::Reason},
        {"duty", aftersales::Rank::DutyParty},
        {"compensation", aftersales::Rank::Compensation},
        {"publishment", aftersales::Rank::Publishment}};
    const aftersales::Client c = client(settings);
    for (const auto& [name, which] : kRanks) {
      if (rank && *rank != name) continue;
      auto rows = c.rank(which);
      if (!rows.ok()) return failed(rows.error());
      std::printf("%s:\n", name.c_str());
      for (const auto& row : *rows) {
        std::printf("  %s %lld%s\n", row.name.c_str(), static_cast<long long>(row.count),
                    row.total ? (" " + row.total->to_string()).c_str() : "");
      }
    }
    return kOk;
  }

  int journals(const Settings& settings) const {
    for (const auto& entry : client(settings).all_journals(id)) {
      if (!entry.ok()) return failed(entry.error());
      std::printf("%s %s %s -> %s %s %s\n",
                  entry->created_at ? entry->created_at->to_string().c_str() : "-",
                  entry->operation.c_str(),
                  entry->from_status.empty() ? "-" : entry->from_status.c_str(),
                  entry->to_status.c_str(), entry->operator_name.c_str(), entry->remark.c_str());
    }
    return kOk;
  }

  // submit, done, reject or delete the order `id`.
  int step(const Settings& settings, const std::string& command) const {
    const aftersales::Client c = client(settings);
    // No endpoint reads one order: find it in the list to check the step locally.
    std::optional<aftersales::Order> found;
    for (const auto& candidate : c.all_orders(aftersales::ListFilter{})) {
      if (!candidate.ok()) return failed(candidate.error());
      if (candidate->id == id) {
        found = *candidate;
        break;
      }
    }
    if (!found) {
      return failed(make_error(ErrorCode::NotFound, "order " + std::to_string(id) + " not found"));
    }
    if (command == "delete") {
      auto removed = c.delete_order(*found);
      if (!removed.ok()) return failed(removed.error());
      std::printf("deleted %lld\n", static_cast<long long>(id));
      return kOk;
    }
    auto next = command == "submit" ? c.submit_order(*found, remark, operator_name)
                : command == "done" ? c.done_order(*found, remark, operator_name)
                                    : c.reject_order(*found, remark, operator_name);
    if (!next.ok()) return failed(next.error());
    print_order(*next);
    return kOk;
  }
};

}  // namespace
}  // namespace erpbridge::cli

int main(int argc, char** argv) {
  using namespace erpbridge::cli;
  CLI::App app{
      "The erpbridge SDK from a shell: CTC receipts, WMS entry orders (pushing, validating and "
      "receiving them), Kingdee spare-parts bills and after-service orders.\n"
      "Settings come from flags, then environment variables (ERPBRIDGE_CTC_URL, "
      "ERPBRIDGE_CTC_KEY, ...), then the config file (TOML, [ctc] url = \"...\"). Secrets "
      "(keys, tokens, app secrets) are never taken from the command line.\n"
      "Exit codes: 0 ok, 1 API or transport error, 2 usage.",
      "erpbridge"};
  app.require_subcommand(1);
  std::optional<std::string> config;
  app.add_option("--config", config,
                 "TOML settings file (default $ERPBRIDGE_CONFIG or "
                 "~/.config/erpbridge/config.toml)");
  bool timings = false;
  app.add_flag("--timings", timings,
               "print each try's phase times (DNS, connect, TLS, first byte, total) and each "
               "call's outcome to stderr");
  Settings settings;
  std::function<int()> run;

  // ctc
  CtcReceipts receipts;
  CLI::App* ctc = app.add_subcommand("ctc", "CTC after-sales platform")->require_subcommand(1);
  CLI::App* ctc_receipts = ctc->add_subcommand(
      "receipts",
      "Warehouse receipts over any range (split into 7-day windows); progress on stderr");
  ctc_receipts->add_option("--type", receipts.type, "in or out")
      ->required()
      ->check(CLI::IsMember({"in", "out"}));
  ctc_receipts->add_option("--from", receipts.from, "\"YYYY-MM-DD HH:MM:SS\"")->required();
  ctc_receipts->add_option("--to", receipts.to, "\"YYYY-MM-DD HH:MM:SS\"")->required();
  ctc_receipts->add_option("--format", receipts.format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  ctc_receipts->add_option("--concurrency", receipts.concurrency, "windows fetched at once")
      ->check(CLI::Range(1, 64));
  ctc_receipts->add_option("--url", receipts.url, "the CTC host (ERPBRIDGE_CTC_URL)");
  ctc_receipts->add_option("--key-file", receipts.key_file,
                           "a file holding the CTC key, - for standard input (ERPBRIDGE_CTC_KEY)");
  ctc_receipts->callback([&] { run = [&] { return receipts.run(settings); }; });

  // wms
  CLI::App* wms = app.add_subcommand("wms", "AI-WMS PLUS entry orders")->require_subcommand(1);
  WmsOrderFile wms_file;
  CLI::App* wms_validate = wms->add_subcommand(
      "validate", "Print every violation of the document's rules (exit 1 if any)");
  wms_validate->add_option("file", wms_file.file, "the order as JSON")->required();
  wms_validate->callback([&] { run = [&] { return wms_file.validate(); }; });
  CLI::App* wms_push = wms->add_subcommand(
      "push", "Validate, push to {url}/CreateEntryConfirmation, print bil_id and bil_no");
  wms_push->add_option("file", wms_file.file, "the order as JSON")->required();
  wms_push->add_option("--url", wms_file.url, "the receiver (ERPBRIDGE_WMS_URL)");
  wms_push->add_option("--token-file", wms_file.token_file,
                       "a file holding the Authorization token, - for standard input "
                       "(ERPBRIDGE_WMS_TOKEN)");
  wms_push->callback([&] { run = [&] { return wms_file.push(settings); }; });
  ServeOptions serve;
  add_serve_command(*wms, serve, settings, run);
  InboxOptions inbox;
  add_inbox_command(*wms, inbox, run);

  // kingdee
  Kingdee kd;
  CLI::App* kingdee_app =
      app.add_subcommand("kingdee", "Kingdee cloud gateway")->require_subcommand(1);
  auto kingdee_options = [&kd](CLI::App* command) {
    command->add_option("--url", kd.url, "the gateway (ERPBRIDGE_KINGDEE_URL)");
    command->add_option("--auth-url", kd.auth_url, "the token server (default: --url)");
    command->add_option("--group-name", kd.group_name, "header groupName");
    command->add_option("--account-id", kd.account_id, "header accountid");
    command->add_option("--router-addr", kd.router_addr,
                        "header X-GW-Router-Addr (default: the domain the authorisation names)");
    command->add_option("--client-id", kd.client_id,
                        "the open platform client id that signs token calls "
                        "(ERPBRIDGE_KINGDEE_CLIENT_ID)");
    command->add_option("--client-secret-file", kd.client_secret_file,
                        "a file holding the client secret, - for standard input "
                        "(ERPBRIDGE_KINGDEE_CLIENT_SECRET)");
    command->add_option("--outer-instance-id", kd.outer_instance_id,
                        "authorise this customer instance first (push_app_authorize)");
    command->add_option("--app-key", kd.app_key, "the app key (ERPBRIDGE_KINGDEE_APP_KEY)");
    command->add_option("--app-secret-file", kd.app_secret_file,
                        "a file holding the app secret, - for standard input "
                        "(ERPBRIDGE_KINGDEE_APP_SECRET)");
    command->add_option("--token-file", kd.token_file,
                        "a file holding an access_token instead (ERPBRIDGE_KINGDEE_TOKEN)");
  };
  CLI::App* kd_push = kingdee_app->add_subcommand(
      "push-spare-parts", "Push a work-order execution down into a spare-parts bill");
  kd_push->add_option("entry_pk", kd.entry_pk, "the work-order execution's id")->required();
  kingdee_options(kd_push);
  kd_push->callback([&] { run = [&] { return kd.push(settings); }; });
  CLI::App* kd_call = kingdee_app->add_subcommand("call", "POST a body to any gateway path");
  kd_call->add_option("path", kd.path, "the gateway path")->required();
  kd_call->add_option("body", kd.body_file, "a file holding the JSON body")->required();
  kingdee_options(kd_call);
  kd_call->callback([&] { run = [&] { return kd.call(settings); }; });

  // aftersales
  Aftersales as;
  CLI::App* aftersales_app =
      app.add_subcommand("aftersales", "After-service orders")->require_subcommand(1);
  auto url_option = [&as](CLI::App* command) {
    command->add_option("--url", as.url,
                        "the server up to and excluding /api/v1 (ERPBRIDGE_AFTERSALES_URL)");
  };
  CLI::App* as_list = aftersales_app->add_subcommand("list", "Orders, all pages");
  as_list->add_option("--status", as.status,
                      "only this status, sent as spelled (waitting, end, ...)");
  as_list->add_option("--workflow-status", as.workflow_status, "only this workflow status");
  as_list->add_option("--creator", as.creator, "only orders this person created");
  url_option(as_list);
  as_list->callback([&] { run = [&] { return as.list(settings); }; });
  CLI::App* as_create = aftersales_app->add_subcommand("create", "Create an order");
  as_create->add_option("--type", as.order.type, "订单类型")->required();
  as_create->add_option("--customer", as.order.customer_name, "被告供应商")->required();
  as_create->add_option("--accuser", as.order.accuser_name, "原告供应商")->required();
  as_create->add_option("--creator", as.order.creator_name, "创建人")->required();
  as_create->add_option("--reason", as.order.reason, "异常原因")->required();
  as_create->add_option("--remark", as.order.remark, "异常描述")->required();
  url_option(as_create);
  as_create->callback([&] { run = [&] { return as.create(settings); }; });
  for (const char* step : {"submit", "done", "reject", "delete"}) {
    const std::string name = step;
    CLI::App* command = aftersales_app->add_subcommand(
        name, name == "delete" ? "Delete an order still in_progress / waiting"
                               : "Move an order one workflow step (checked locally first)");
    command->add_option("id", as.id, "the order's id")->required();
    if (name != "delete") {
      command->add_option("--remark", as.remark, "remark sent with the step");
      command->add_option("--operator", as.operator_name, "operator_name sent with the step");
    }
    url_option(command);
    command->callback([&, name] { run = [&, name] { return as.step(settings, name); }; });
  }
  CLI::App* as_journals = aftersales_app->add_subcommand("journals", "An order's journal");
  as_journals->add_option("id", as.id, "the order's id")->required();
  url_option(as_journals);
  as_journals->callback([&] { run = [&] { return as.journals(settings); }; });
  CLI::App* as_ranks = aftersales_app->add_subcommand("ranks", "Duty-report rank statistics");
  as_ranks->add_option("--rank", as.rank, "only one rank")
      ->check(CLI::IsMember({"type", "reason", "duty", "compensation", "publishment"}));
  url_option(as_ranks);
  as_ranks->callback([&] { run = [&] { return as.ranks(settings); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "erpbridge: %s\nRun with --help for the usage.\n", error.what());
    return kUsage;
  }
  if (timings) timings_observer = std::make_shared<TimingsPrinter>();
  try {
    settings.load(config);
    return run ? run() : kUsage;
  } catch (const UsageError& error) {
    std::fprintf(stderr, "erpbridge: %s\n", error.message.c_str());
    return kUsage;
  }
}
