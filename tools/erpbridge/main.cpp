// erpbridge: the SDK from a shell. Exit codes: 0 ok, 1 API or transport error, 2 usage.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/kingdee/client.hpp"
#include "erpbridge/wms/client.hpp"
#include "settings.hpp"

namespace erpbridge::cli {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

const char* kMainHelp =
    "usage: erpbridge [--config FILE] <family> <command> [options]\n"
    "\n"
    "  ctc receipts --type in|out --from T --to T [--format table|json|csv]\n"
    "  wms validate FILE.json | wms push FILE.json\n"
    "  kingdee push-spare-parts ENTRY_PK | kingdee call PATH BODY.json\n"
    "  aftersales list|create|submit|done|reject|delete|journals|ranks ...\n"
    "\n"
    "Settings come from flags (--url, --key, --token ...), then environment variables\n"
    "(ERPBRIDGE_CTC_URL, ERPBRIDGE_CTC_KEY, ERPBRIDGE_WMS_URL, ERPBRIDGE_WMS_TOKEN,\n"
    "ERPBRIDGE_KINGDEE_URL, ERPBRIDGE_KINGDEE_TOKEN, ERPBRIDGE_KINGDEE_APP_KEY,\n"
    "ERPBRIDGE_KINGDEE_APP_SECRET, ERPBRIDGE_KINGDEE_GROUP_NAME, ERPBRIDGE_KINGDEE_ACCOUNT_ID,\n"
    "ERPBRIDGE_KINGDEE_ROUTER_ADDR, ERPBRIDGE_AFTERSALES_URL), then the config file\n"
    "(~/.config/erpbridge/config.toml, [ctc] url = \"...\" and so on).\n"
    "Run 'erpbridge <family> --help' for a family's commands.\n";

struct Context {
  Arguments arguments;
  Settings settings;
};

int usage(const std::string& message, const char* help) {
  std::fprintf(stderr, "erpbridge: %s\n\n%s", message.c_str(), help);
  return kUsage;
}

int help(const char* text) {
  std::printf("%s", text);
  return kOk;
}

int failed(const Error& error) {
  std::fprintf(stderr, "erpbridge: %s\n", error.to_string().c_str());
  return kFailed;
}

// A required setting, or a usage error naming where it can come from.
bool require(const Context& context, const std::string& family, const std::string& name,
             std::string& out, std::string& error) {
  auto value = context.settings.get(family, name, context.arguments);
  if (value && !value->empty()) {
    out = *value;
    return true;
  }
  std::string flag = name;
  for (char& c : flag) c = c == '_' ? '-' : c;
  std::string env = "ERPBRIDGE_" + family + "_" + name;
  for (char& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  error = "missing " + family + " " + name + " (--" + flag + ", " + env + " or the config file)";
  return false;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// ---- ctc ----

const char* kCtcHelp =
    "usage: erpbridge ctc receipts --type in|out --from \"YYYY-MM-DD HH:MM:SS\" --to \"...\"\n"
    "                              [--format table|json|csv] [--concurrency N]\n"
    "                              [--url URL] [--key KEY]\n"
    "Lists warehouse receipts over any range (split into 7-day windows). Progress goes to\n"
    "stderr: a bar on a terminal, plain lines otherwise.\n";

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

int ctc_command(Context& context) {
  const auto& args = context.arguments;
  if (args.help) return help(kCtcHelp);
  if (args.positional.size() < 2) return usage("ctc: which command?", kCtcHelp);
  if (args.positional[1] != "receipts")
    return usage("ctc: unknown command " + args.positional[1], kCtcHelp);
  std::string url, key, error;
  if (!require(context, "ctc", "url", url, error) || !require(context, "ctc", "key", key, error)) {
    return usage(error, kCtcHelp);
  }
  const std::string type = args.flag("type").value_or("");
  if (type != "in" && type != "out")
    return usage("ctc receipts: --type must be in or out", kCtcHelp);
  auto from = DateTime::parse(args.flag("from").value_or(""));
  auto to = DateTime::parse(args.flag("to").value_or(""));
  if (!from.ok()) return usage("--from: " + from.error().message, kCtcHelp);
  if (!to.ok()) return usage("--to: " + to.error().message, kCtcHelp);
  const std::string format = args.flag("format").value_or("table");
  if (format != "table" && format != "json" && format != "csv") {
    return usage("--format must be table, json or csv", kCtcHelp);
  }
  ctc::Options options;
  options.base_url = url;
  options.key = key;
  ctc::ListOptions list;
  list.concurrency = static_cast<std::size_t>(std::stoul(args.flag("concurrency").value_or("4")));
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
      type == "in" ? ctc::Direction::In : ctc::Direction::Out, *from, *to, list);
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

// ---- wms ----

const char* kWmsHelp =
    "usage: erpbridge wms validate FILE.json\n"
    "       erpbridge wms push FILE.json [--url URL] [--token TOKEN]\n"
    "validate prints every violation of the spec's rules (exit 1 if any); push validates,\n"
    "sends the order to {url}/CreateEntryConfirmation and prints bil_id and bil_no.\n";

int wms_command(Context& context) {
  const auto& args = context.arguments;
  if (args.help) return help(kWmsHelp);
  if (args.positional.size() < 3) return usage("wms: which command and file?", kWmsHelp);
  const std::string& command = args.positional[1];
  if (command != "validate" && command != "push")
    return usage("wms: unknown command " + command, kWmsHelp);
  std::string text;
  if (!read_file(args.positional[2], text))
    return usage("cannot read " + args.positional[2], kWmsHelp);
  auto order = wms::parse_entry_confirmation(text);
  if (!order.ok()) return failed(order.error());
  if (command == "validate") {
    auto violations = wms::validate(*order);
    for (const auto& violation : violations) std::printf("%s\n", violation.to_string().c_str());
    if (violations.empty())
      std::printf("valid: %s, %zu lines\n", order->order.entry_code.c_str(), order->lines.size());
    return violations.empty() ? kOk : kFailed;
  }
  std::string url, token, error;
  if (!require(context, "wms", "url", url, error) ||
      !require(context, "wms", "token", token, error)) {
    return usage(error, kWmsHelp);
  }
  wms::Options options;
  options.base_url = url;
  options.token = make_static_token(token);
  auto reply = wms::Client(options).push(*order);
  if (!reply.ok()) return failed(reply.error());
  std::printf("bil_id %s\nbil_no %s\n", reply->bil_id.c_str(), reply->bil_no.c_str());
  return kOk;
}

// ---- kingdee ----

const char* kKingdeeHelp =
    "usage: erpbridge kingdee push-spare-parts ENTRY_PK\n"
    "       erpbridge kingdee call PATH BODY.json\n"
    "options: --url URL --group-name G --account-id A --router-addr R, and either\n"
    "         --token TOKEN or --app-key K --app-secret S [--auth-url URL]\n";

int kingdee_command(Context& context) {
  const auto& args = context.arguments;
  if (args.help) return help(kKingdeeHelp);
  if (args.positional.size() < 3) return usage("kingdee: which command?", kKingdeeHelp);
  const std::string& command = args.positional[1];
  if (command != "push-spare-parts" && command != "call") {
    return usage("kingdee: unknown command " + command, kKingdeeHelp);
  }
  kingdee::Options options;
  std::string error;
  if (!require(context, "kingdee", "url", options.base_url, error) ||
      !require(context, "kingdee", "group_name", options.group_name, error) ||
      !require(context, "kingdee", "account_id", options.account_id, error) ||
      !require(context, "kingdee", "router_addr", options.router_addr, error)) {
    return usage(error, kKingdeeHelp);
  }
  if (auto token = context.settings.get("kingdee", "token", args); token && !token->empty()) {
    options.token = make_static_token(*token);
  } else {
    kingdee::GatewayAuth auth;
    if (!require(context, "kingdee", "app_key", auth.app_key, error) ||
        !require(context, "kingdee", "app_secret", auth.app_secret, error)) {
      return usage("kingdee: give --token, or --app-key and --app-secret (" + error + ")",
                   kKingdeeHelp);
    }
    auth.client.base_url =
        context.settings.get("kingdee", "auth_url", args).value_or(options.base_url);
    options.token = kingdee::make_gateway_token(auth);
  }
  kingdee::Client client(options);
  if (command == "call") {
    if (args.positional.size() < 4) return usage("kingdee call: PATH and BODY.json", kKingdeeHelp);
    std::string body;
    if (!read_file(args.positional[3], body))
      return usage("cannot read " + args.positional[3], kKingdeeHelp);
    auto data = client.call(args.positional[2], body);
    if (!data.ok()) return failed(data.error());
    std::printf("%s\n", data->c_str());
    return kOk;
  }
  auto bill = client.push_spare_parts(args.positional[2]);
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
  return kOk;
}

// ---- aftersales ----

const char* kAftersalesHelp =
    "usage: erpbridge aftersales list [--status S] [--workflow-status W] [--creator NAME]\n"
    "       erpbridge aftersales create --type T --customer C --accuser A --creator NAME\n"
    "                                   --reason R --remark TEXT\n"
    "       erpbridge aftersales submit|done|reject ID [--remark TEXT] [--operator NAME]\n"
    "       erpbridge aftersales delete ID\n"
    "       erpbridge aftersales journals ID\n"
    "       erpbridge aftersales ranks [--rank type|reason|duty|compensation|publishment]\n"
    "options: --url URL (the server up to and excluding /api/v1)\n";

void print_order(const aftersales::Order& order) {
  std::printf("%lld %s %s/%s %s %s %s\n", static_cast<long long>(order.id),
              order.serial_number.c_str(), order.status.label().c_str(),
              order.workflow_status.label().c_str(), order.type.c_str(),
              order.customer_name.c_str(), order.creator_name.c_str());
}

int aftersales_command(Context& context) {
  const auto& args = context.arguments;
  if (args.help) return help(kAftersalesHelp);
  if (args.positional.size() < 2) return usage("aftersales: which command?", kAftersalesHelp);
  const std::string& command = args.positional[1];
  aftersales::Options options;
  std::string error;
  if (!require(context, "aftersales", "url", options.base_url, error))
    return usage(error, kAftersalesHelp);
  aftersales::Client client(options);

  if (command == "list") {
    aftersales::ListFilter filter;
    if (auto s = args.flag("status"))
      filter.status = Labeled<aftersales::Status>::from_label(*s).value();
    if (auto w = args.flag("workflow-status")) {
      filter.workflow_status = Labeled<aftersales::WorkflowStatus>::from_label(*w).value();
    }
    filter.creator_name = args.flag("creator");
    std::size_t count = 0;
    for (const auto& order : client.list_all(filter)) {
      if (!order.ok()) return failed(order.error());
      print_order(*order);
      ++count;
    }
    std::printf("%zu orders\n", count);
    return kOk;
  }
  if (command == "create") {
    aftersales::NewOrder order{
        args.flag("type").value_or(""),    args.flag("customer").value_or(""),
        args.flag("accuser").value_or(""), args.flag("creator").value_or(""),
        args.flag("reason").value_or(""),  args.flag("remark").value_or("")};
    if (auto valid = aftersales::validate(order); !valid.ok())
      return usage(valid.error().message, kAftersalesHelp);
    auto created = client.create(order);
    if (!created.ok()) return failed(created.error());
    print_order(*created);
    return kOk;
  }
  if (command == "ranks") {
    static const std::map<std::string, aftersales::Rank> kRanks = {
        {"type", aftersales::Rank::AbnormalType},
        {"reason", aftersales::Rank::Reason},
        {"duty", aftersales::Rank::DutyParty},
        {"compensation", aftersales::Rank::Compensation},
        {"publishment", aftersales::Rank::Publishment}};
    for (const auto& [name, rank] : kRanks) {
      if (args.flag("rank") && *args.flag("rank") != name) continue;
      auto rows = client.connection()->rank(rank);
      if (!rows.ok()) return failed(rows.error());
      std::printf("%s:\n", name.c_str());
      for (const auto& row : *rows) {
        std::printf("  %s %lld%s\n", row.name.c_str(), static_cast<long long>(row.count),
                    row.total ? (" " + row.total->to_string()).c_str() : "");
      }
    }
    return kOk;
  }
  if (args.positional.size() < 3)
    return usage("aftersales " + command + ": which order ID?", kAftersalesHelp);
  std::int64_t id = 0;
  try {
    id = std::stoll(args.positional[2]);
  } catch (...) {
    return usage("order ID must be a number", kAftersalesHelp);
  }
  if (command == "journals") {
    for (const auto& entry : client.journals(id)) {
      if (!entry.ok()) return failed(entry.error());
      std::printf("%s %s %s -> %s %s %s\n",
                  entry->created_at ? entry->created_at->to_string().c_str() : "-",
                  entry->operation.c_str(),
                  entry->from_status.empty() ? "-" : entry->from_status.c_str(),
                  entry->to_status.c_str(), entry->operator_name.c_str(), entry->remark.c_str());
    }
    return kOk;
  }
  if (command != "submit" && command != "done" && command != "reject" && command != "delete") {
    return usage("aftersales: unknown command " + command, kAftersalesHelp);
  }
  // No endpoint reads one order: find it in the list to check the step locally.
  std::optional<aftersales::Order> order;
  for (const auto& candidate : client.list_all(aftersales::ListFilter{})) {
    if (!candidate.ok()) return failed(candidate.error());
    if (candidate->id == id) {
      order = *candidate;
      break;
    }
  }
  if (!order)
    return failed(make_error(ErrorCode::NotFound, "order " + std::to_string(id) + " not found"));
  if (command == "delete") {
    auto removed = client.remove(*order);
    if (!removed.ok()) return failed(removed.error());
    std::printf("deleted %lld\n", static_cast<long long>(id));
    return kOk;
  }
  const std::string remark = args.flag("remark").value_or("");
  const std::string operator_name = args.flag("operator").value_or("erpbridge");
  auto next = command == "submit" ? client.submit(*order, remark, operator_name)
              : command == "done" ? client.done(*order, remark, operator_name)
                                  : client.reject(*order, remark, operator_name);
  if (!next.ok()) return failed(next.error());
  print_order(*next);
  return kOk;
}

}  // namespace
}  // namespace erpbridge::cli

int main(int argc, char** argv) {
  using namespace erpbridge::cli;
  Context context;
  std::string error;
  if (!context.arguments.parse(argc, argv, 1, error)) return usage(error, kMainHelp);
  if (context.arguments.positional.empty()) {
    if (context.arguments.help) {
      std::printf("%s", kMainHelp);
      return kOk;
    }
    return usage("which family?", kMainHelp);
  }
  if (!context.settings.load(context.arguments.flag("config"), error))
    return usage(error, kMainHelp);
  static const std::map<std::string, std::function<int(Context&)>> kFamilies = {
      {"ctc", ctc_command},
      {"wms", wms_command},
      {"kingdee", kingdee_command},
      {"aftersales", aftersales_command}};
  auto family = kFamilies.find(context.arguments.positional[0]);
  if (family == kFamilies.end()) {
    return usage("unknown family " + context.arguments.positional[0], kMainHelp);
  }
  try {
    return family->second(context);
  } catch (const std::exception& e) {  // e.g. a non-numeric --concurrency
    return usage(e.what(), kMainHelp);
  }
}
