// The erpbridge command against the erpbridge-emulator program, as an operator uses it.
#include <catch2/catch.hpp>

#include "data/wms_sample.hpp"
#include "support/files.hpp"
#include "support/subprocess.hpp"

#include <sys/stat.h>
#include <sstream>
#include <string>

using erpbridge::test_support::EmulatorProgram;
using erpbridge::test_support::shell_output;
using erpbridge::test_support::TempFile;

namespace {

const std::string kCli = ERPBRIDGE_CLI_PROGRAM;

struct Run {
  std::string out;
  std::string err;
  int exit_code = -1;
};

// Runs the CLI with `environment` assignments and arguments; stdout and stderr apart.
Run cli(const std::string& environment, const std::string& arguments) {
  TempFile err_file("", ".err");
  std::string out = shell_output("env " + environment + " " + kCli + " " + arguments + " 2>" +
                                 err_file.path() + "; echo \"exit=$?\"");
  Run run;
  const std::size_t marker = out.rfind("exit=");
  run.exit_code = std::stoi(out.substr(marker + 5));
  run.out = out.substr(0, marker);
  run.err = shell_output("cat " + err_file.path());
  return run;
}

}  // namespace

TEST_CASE("CLI: ctc receipts over 90 days with progress lines, in every format") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  const std::string env =
      "ERPBRIDGE_CTC_URL=" + emulator.base_url + " ERPBRIDGE_CTC_KEY=erpbridge-demo-key";
  Run table =
      cli(env, "ctc receipts --type in --from '2020-03-01 00:00:00' --to '2020-05-30 00:00:00'");
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("CK1590583223368861321") != std::string::npos);
  CHECK(table.out.find("361 receipts\n") != std::string::npos);  // 359 generated + 2 samples
  CHECK(table.err ==
        "progress: 4/13 windows\nprogress: 8/13 windows\nprogress: 12/13 windows\nprogress: 13/13 "
        "windows\n");
  CHECK(table.out.find("erpbridge-demo-key") == std::string::npos);

  // 19 days against the emulator's strict 7 x 24 h reading: three windows, all accepted.
  // Receipts are seeded every 6 h from 2020-03-01 08:00: 08:00 + 6 h x 0..74 fall before
  // 2020-03-20 00:00, 75 of them.
  Run nineteen =
      cli(env, "ctc receipts --type in --from '2020-03-01 00:00:00' --to '2020-03-20 00:00:00'");
  REQUIRE(nineteen.exit_code == 0);
  CHECK(nineteen.out.find("75 receipts\n") != std::string::npos);
  CHECK(nineteen.err == "progress: 3/3 windows\n");

  Run csv = cli(env,
                "ctc receipts --type in --from '2020-05-27 20:40:23' --to '2020-05-27 20:49:12' "
                "--format csv");
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out ==
        "number,type,status,amount_of_money,created_at,work_order,creator,parts\n"
        "CK1590583223368861321,采购入库,已入库,1310.00,2020-05-27 20:40:23,CK1590583223910,admin,"
        "20.02.09.03.0063 x 10;20.02.09.03.0063 x 0\n"
        "RK1590583752235274571,维修入库,已结单,393.00,2020-05-27 20:49:12,WX2005055057034,测试员甲,"
        "20.02.09.03.0063 x 3\n");

  Run json = cli(env,
                 "ctc receipts --type out --from '2020-05-27 20:40:23' --to '2020-05-27 20:40:23' "
                 "--format json");
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.rfind(R"([{"out_number":"CK1590583223368861321","outtype":"核销出库")", 0) == 0);
}

TEST_CASE("CLI: errors are one line with the vendor's code, usage errors exit 2") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  Run denied =
      cli("ERPBRIDGE_CTC_URL=" + emulator.base_url + " ERPBRIDGE_CTC_KEY=TOP-SECRET-KEY",
          "ctc receipts --type in --from '2020-05-27 00:00:00' --to '2020-05-28 00:00:00'");
  CHECK(denied.exit_code == 1);
  CHECK(denied.err.find("erpbridge: Unauthenticated:") == 0);
  CHECK(denied.err.find("vendor code 1: 签名无效") != std::string::npos);
  CHECK(denied.err.find("TOP-SECRET-KEY") == std::string::npos);
  CHECK(denied.out.find("TOP-SECRET-KEY") == std::string::npos);

  CHECK(cli("ERPBRIDGE_CTC_URL=" + emulator.base_url, "ctc receipts --type in --from x --to y")
            .exit_code == 2);
  CHECK(cli("", "nosuchfamily").exit_code == 2);
  Run missing =
      cli("ERPBRIDGE_CTC_URL=" + emulator.base_url + " ERPBRIDGE_CTC_KEY=",
          "ctc receipts --type in --from '2020-05-27 00:00:00' --to '2020-05-28 00:00:00'");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("ERPBRIDGE_CTC_KEY") != std::string::npos);
}

TEST_CASE("CLI: --help for every command") {
  for (const char* command : {"--help", "ctc --help", "wms --help", "kingdee --help",
                              "aftersales --help", "ctc receipts --help", "aftersales list --help",
                              "wms serve --help", "wms inbox list --help"}) {
    INFO(command);
    Run help = cli("", command);
    CHECK(help.exit_code == 0);
    const std::string usage = std::string("Usage: erpbridge") +
                              (std::string(command) == "--help" ? "" : " ") +
                              std::string(command).substr(0, std::string(command).size() - 6);
    CHECK(help.out.find(usage) != std::string::npos);
  }
  CHECK(cli("", "ctc receipts --help").out.find("--key-file") != std::string::npos);
}

TEST_CASE("CLI: an unknown flag or a bad value is a usage error naming it") {
  Run unknown = cli("", "ctc receipts --type in --from x --to y --key SECRET-ON-ARGV");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("--key") != std::string::npos);
  CHECK(unknown.err.find("not expected") != std::string::npos);
  CHECK(unknown.out.empty());

  Run concurrency = cli("", "ctc receipts --type in --from x --to y --concurrency lots");
  CHECK(concurrency.exit_code == 2);
  CHECK(concurrency.err.find("--concurrency") != std::string::npos);
  CHECK(concurrency.err.find("lots") != std::string::npos);

  Run format = cli("", "ctc receipts --type in --from x --to y --format xml");
  CHECK(format.exit_code == 2);
  CHECK(format.err.find("--format") != std::string::npos);

  Run port = cli("ERPBRIDGE_WMS_TOKEN=t", "wms serve --port 70000");
  CHECK(port.exit_code == 2);
  CHECK(port.err.find("--port") != std::string::npos);
  Run store = cli("ERPBRIDGE_WMS_TOKEN=t", "wms serve --store mysql:x");
  CHECK(store.exit_code == 2);
  CHECK(store.err.find("--store must be memory, sqlite:PATH or postgres:CONNINFO") !=
        std::string::npos);
  CHECK(cli("", "wms").exit_code == 2);
}

TEST_CASE("CLI: secrets come from the environment, a private file or stdin, never argv") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  const std::string range = " --from '2020-05-27 20:40:23' --to '2020-05-27 20:40:23'";
  const std::string url = "ERPBRIDGE_CTC_URL=" + emulator.base_url;

  Run missing = cli(url, "ctc receipts --type in" + range);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("missing ctc key (ERPBRIDGE_CTC_KEY, --key-file FILE") !=
        std::string::npos);

  TempFile key("erpbridge-demo-key\n", ".key");
  Run from_file = cli(url, "ctc receipts --type in --key-file " + key.path() + range);
  CHECK(from_file.exit_code == 0);
  CHECK(from_file.out.find("1 receipts") != std::string::npos);

  Run from_stdin = cli(url, "ctc receipts --type in --key-file -" + range + " < " + key.path());
  CHECK(from_stdin.exit_code == 0);

  chmod(key.path().c_str(), 0644);
  Run readable = cli(url, "ctc receipts --type in --key-file " + key.path() + range);
  CHECK(readable.exit_code == 2);
  CHECK(readable.err.find("others may read it (mode 644): run chmod 600") != std::string::npos);
}

TEST_CASE("CLI: settings come from a TOML config file when no flag or variable is set") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  const std::string range = " --from '2020-05-27 20:40:23' --to '2020-05-27 20:40:23'";
  // Real TOML: comments after values, escapes in strings, a literal string.
  TempFile config("# erpbridge settings\n[ctc]\nurl = '" + emulator.base_url +
                      "'  # the emulator\nkey = \"erpbridge\\u002Ddemo-key\" # escaped dash\n",
                  ".toml");
  Run run = cli("", "--config " + config.path() + " ctc receipts --type in" + range);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("1 receipts") != std::string::npos);
  // The environment wins over the file.
  Run overridden = cli("ERPBRIDGE_CTC_KEY=wrong",
                       "--config " + config.path() + " ctc receipts --type in" + range);
  CHECK(overridden.exit_code == 1);
  CHECK(overridden.err.find("Unauthenticated") != std::string::npos);

  // A file holding a secret must be private.
  chmod(config.path().c_str(), 0640);
  Run exposed = cli("", "--config " + config.path() + " ctc receipts --type in" + range);
  CHECK(exposed.exit_code == 2);
  CHECK(exposed.err.find(config.path() + " holds secrets but others may read it (mode 640)") !=
        std::string::npos);

  TempFile broken("[ctc]\nurl = \"unterminated\n", ".toml");
  Run unreadable = cli("", "--config " + broken.path() + " ctc receipts --type in" + range);
  CHECK(unreadable.exit_code == 2);
  CHECK(unreadable.err.find(broken.path() + ":2:") != std::string::npos);

  TempFile wrong_type("[ctc]\nurl = 3.5\n", ".toml");
  Run typed = cli("", "--config " + wrong_type.path() + " ctc receipts --type in" + range);
  CHECK(typed.exit_code == 2);
  CHECK(typed.err.find("[ctc] url must be a string or an integer") != std::string::npos);

  CHECK(cli("", "--config /nonexistent/erpbridge.toml ctc receipts --type in" + range).exit_code ==
        2);
}

TEST_CASE("CLI: wms validate prints every violation, push prints the bill") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  TempFile sample(erpbridge::test_data::kWmsRequestSample);
  Run valid = cli("", "wms validate " + sample.path());
  CHECK(valid.exit_code == 0);
  CHECK(valid.out == "valid: RK230302000001, 1 lines\n");

  std::string long_code = erpbridge::test_data::kWmsRequestSample;
  const std::string code = "RK230302000001";
  const std::string replacement(101, 'R');
  for (std::size_t at = long_code.find(code); at != std::string::npos; at = long_code.find(code)) {
    long_code.replace(at, code.size(), replacement);
  }
  TempFile invalid(long_code);
  Run refused = cli("", "wms validate " + invalid.path());
  CHECK(refused.exit_code == 1);
  CHECK(refused.out ==
        "entry_order.entry_code: must be at most 100 characters, has 101\n"
        "order_lines[0].entry_code: must be at most 100 characters, has 101\n");

  Run pushed =
      cli("ERPBRIDGE_WMS_URL=" + emulator.base_url + " ERPBRIDGE_WMS_TOKEN=erpbridge-demo-token",
          "wms push " + sample.path());
  CHECK(pushed.exit_code == 0);
  CHECK(pushed.out == "bil_id PC\nbil_no PC000001\n");
  Run unauthorized =
      cli("ERPBRIDGE_WMS_URL=" + emulator.base_url + " ERPBRIDGE_WMS_TOKEN=NOT-THE-TOKEN",
          "wms push " + sample.path());
  CHECK(unauthorized.exit_code == 1);
  CHECK(unauthorized.err.find("NOT-THE-TOKEN") == std::string::npos);
}

TEST_CASE("CLI: kingdee push-spare-parts and call") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  const std::string env = "ERPBRIDGE_KINGDEE_URL=" + emulator.base_url +
                          " ERPBRIDGE_KINGDEE_APP_KEY=erpbridge-demo-app"
                          " ERPBRIDGE_KINGDEE_APP_SECRET=erpbridge-demo-secret"
                          " ERPBRIDGE_KINGDEE_CLIENT_ID=erpbridge-demo-client"
                          " ERPBRIDGE_KINGDEE_CLIENT_SECRET=erpbridge-demo-client-secret"
                          " ERPBRIDGE_KINGDEE_GROUP_NAME=g ERPBRIDGE_KINGDEE_ACCOUNT_ID=a"
                          " ERPBRIDGE_KINGDEE_ROUTER_ADDR=r";
  Run pushed = cli(env, "kingdee push-spare-parts 1634800180022794240");
  CHECK(pushed.exit_code == 0);
  CHECK(pushed.out.rfind("bill BJLL-20230306-0001 status Z date 2023-03-06 00:00:00 customer "
                         "某某生产制造有限公司\n",
                         0) == 0);
  CHECK(pushed.out.find("erpbridge-demo-secret") == std::string::npos);
  Run unknown = cli(env, "kingdee push-spare-parts 42");
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("vendor code bos.billnotexist") != std::string::npos);
  TempFile body("{}");
  Run call = cli(env, "kingdee call /app/none " + body.path());
  CHECK(call.exit_code == 1);
  CHECK(call.err.find("NotFound") != std::string::npos);
  Run wrong_secret =
      cli(env + " ERPBRIDGE_KINGDEE_APP_SECRET=WRONG-APP-SECRET", "kingdee push-spare-parts 1");
  CHECK(wrong_secret.exit_code == 1);
  CHECK(wrong_secret.err.find("WRONG-APP-SECRET") == std::string::npos);

  // An instance-authorised app: the client id and secret, the instance id; no app key or
  // router address given (the authorisation names the domain), the client secret from a file.
  TempFile client_secret("erpbridge-demo-client-secret");
  ::chmod(client_secret.path().c_str(), 0600);
  const std::string instance_env = "ERPBRIDGE_KINGDEE_URL=" + emulator.base_url +
                                   " ERPBRIDGE_KINGDEE_GROUP_NAME=g ERPBRIDGE_KINGDEE_ACCOUNT_ID=a";
  Run instance = cli(instance_env,
                     "kingdee push-spare-parts 1634800180022794240 --client-id "
                     "erpbridge-demo-client --client-secret-file " +
                         client_secret.path() + " --outer-instance-id 509132114453729280");
  CHECK(instance.exit_code == 0);
  INFO(instance.out << instance.err);
  CHECK(instance.out.rfind("bill BJLL-20230306-0002", 0) == 0);  // the second bill
  CHECK(instance.err.find("erpbridge-demo-client-secret") == std::string::npos);
  Run no_client =
      cli(instance_env, "kingdee push-spare-parts 1634800180022794240 --outer-instance-id 5091");
  CHECK(no_client.exit_code == 2);
  CHECK(no_client.err.find("--client-id") != std::string::npos);
}

TEST_CASE("CLI: aftersales create, workflow, delete, journals and ranks") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  const std::string env = "ERPBRIDGE_AFTERSALES_URL=" + emulator.base_url;
  Run created = cli(env,
                    "aftersales create --type 质量异常 --customer 供应商A --accuser 供应商B "
                    "--creator 操作员 --reason 破损 --remark 外箱破损");
  REQUIRE(created.exit_code == 0);
  const std::string id = created.out.substr(0, created.out.find(' '));
  CHECK(created.out.find(" waitting/in_progress ") != std::string::npos);
  // --status is sent as spelled; the emulator stores the rules' spelling and filters by it.
  CHECK(cli(env, "aftersales list --creator 操作员 --status waitting").out.find("1 orders\n") !=
        std::string::npos);
  CHECK(cli(env, "aftersales list --creator 操作员 --status waiting").out.find("0 orders\n") !=
        std::string::npos);

  // Reject at waitting: sent (the document restricts only submit and delete), refused by
  // the emulator's own table.
  Run rejected = cli(env, "aftersales reject " + id);
  CHECK(rejected.exit_code == 1);
  CHECK(rejected.err.find("not allowed in status waitting") != std::string::npos);
  Run submitted = cli(env, "aftersales submit " + id + " --remark 提交 --operator 操作员");
  CHECK(submitted.exit_code == 0);
  CHECK(submitted.out.find("service_approving/in_progress") != std::string::npos);
  CHECK(cli(env, "aftersales done " + id).out.find("service_approved/") != std::string::npos);
  CHECK(cli(env, "aftersales reject " + id).out.find("service_approving/") != std::string::npos);
  Run refused = cli(env, "aftersales delete " + id);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("FailedPrecondition") != std::string::npos);

  Run journal = cli(env, "aftersales journals " + id);
  CHECK(journal.exit_code == 0);
  CHECK(journal.out.find("create - -> waitting 操作员") != std::string::npos);
  CHECK(journal.out.find("reject service_approved -> service_approving") != std::string::npos);

  Run listed = cli(env, "aftersales list --creator 操作员");
  CHECK(listed.out.find("1 orders\n") != std::string::npos);
  Run other = cli(
      env,
      "aftersales create --type t --customer c --accuser a --creator 临时 --reason r --remark x");
  const std::string other_id = other.out.substr(0, other.out.find(' '));
  CHECK(cli(env, "aftersales delete " + other_id).out == "deleted " + other_id + "\n");
  Run ranks = cli(env, "aftersales ranks --rank type");
  CHECK(ranks.exit_code == 0);
  CHECK(ranks.out.rfind("type:\n", 0) == 0);
  CHECK(cli(env, "aftersales create --type only").exit_code == 2);
}

TEST_CASE("CLI: --timings prints each try's phases and each call's outcome to stderr") {
  EmulatorProgram emulator;
  const std::string env =
      "ERPBRIDGE_CTC_URL=" + emulator.base_url + " ERPBRIDGE_CTC_KEY=erpbridge-demo-key";
  // Three 7-day windows: three calls of one try each.
  Run run = cli(env,
                "--timings ctc receipts --type in --from '2020-03-01 00:00:00' --to "
                "'2020-03-20 00:00:00'");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("75 receipts\n") != std::string::npos);
  std::istringstream lines(run.err);
  int tries = 0, calls = 0, progress = 0;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    if (line.rfind("timing: ctc receipt_parts try 1: 200; dns ", 0) == 0) {
      ++tries;
      CHECK(line.find(" ms, first byte ") != std::string::npos);
      CHECK(line.find("; sent ") != std::string::npos);
      CHECK(line.find(" received 0 B") == std::string::npos);
    } else if (line.rfind("timing: ctc receipt_parts call: ok after 1 try in ", 0) == 0) {
      ++calls;
    } else if (line.rfind("progress: ", 0) == 0) {
      ++progress;
    } else {
      FAIL("unexpected line");
    }
  }
  CHECK(tries == 3);
  CHECK(calls == 3);
  CHECK(progress == 1);
  CHECK(run.err.find("erpbridge-demo-key") == std::string::npos);

  // Without the flag, nothing of it.
  Run quiet = cli(env,
                  "ctc receipts --type in --from '2020-03-01 00:00:00' --to '2020-03-02 "
                  "00:00:00'");
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.find("timing:") == std::string::npos);
}
