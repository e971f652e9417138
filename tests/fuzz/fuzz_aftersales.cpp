// The after-service reply decoders: the fuzzer picks the endpoint, the status and the body.
#include "erpbridge/aftersales/client.hpp"
#include "fuzz_support.hpp"

using namespace erpbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  fuzz::Input data(bytes, size);
  const int status = fuzz::pick_status(data);
  const int endpoint = data.ConsumeIntegralInRange(0, 9);
  std::string body = data.ConsumeRemainingBytesAsString();

  // The bytes as the value of fields other than status, in replies whose status is 0: a
  // write the server accepted, and a list, succeed whatever those fields hold.
  static const char* kAccepted[] = {
      R"({"status":0,"message":@,"data":[{"id":@,"status":"waiting"}]})",
      R"({"status":"0","data":@})",
      R"({"status":0,"data":[{"created_at":@,"deductions":[{"has_receipt":@}],"duty_report":@}]})",
      R"({"status":0,"data":{"abnormal_products":@,"tracks":@,"summitted_at":@}})",
  };
  const std::string value = fuzz::as_json_value(body);
  const char* pattern = kAccepted[body.size() % std::size(kAccepted)];
  auto accepting = aftersales::make_connection(
      fuzz::canned_options<aftersales::Options>(200, fuzz::splice(pattern, value)));
  fuzz::require(accepting->create_order({"t", "c", "a", "n", "r", "m"}).ok(),
                "a create the server accepted succeeds whatever its other fields hold");
  fuzz::require(accepting->done_order(1, "remark", "operator").ok(),
                "a step the server accepted succeeds whatever its other fields hold");
  fuzz::require(accepting->list_orders({}).ok(), "a list succeeds whatever its items hold");
  auto listing = aftersales::make_connection(fuzz::canned_options<aftersales::Options>(
      200, fuzz::splice(R"({"data":[{"id":1,"updated_at":@},@]})", value)));
  fuzz::require(listing->list_orders({}).ok(), "a list without status succeeds");

  auto connection = aftersales::make_connection(
      fuzz::canned_options<aftersales::Options>(status, std::move(body)));
  aftersales::PageRequest page;
  switch (endpoint) {
    case 0:
      (void)connection->list_orders({});
      break;
    case 1:
      (void)connection->create_order({"t", "c", "a", "n", "r", "m"});
      break;
    case 2:
      (void)connection->submit_order(1, "remark", "operator");
      break;
    case 3:
      (void)connection->list_journals(1, page);
      break;
    case 4:
      (void)connection->list_products(page);
      break;
    case 5:
      (void)connection->match_supplier_users("k", page);
      break;
    case 6:
      (void)connection->add_abnormal_products(1, {aftersales::AbnormalProduct{}});
      break;
    case 7:
      (void)connection->update_duty_report(1, aftersales::DutyReport{});
      break;
    case 8:
      (void)connection->rank(aftersales::Rank::DutyParty);
      break;
    default:
      (void)connection->delete_order(1);
      break;
  }
  // The client's range: pages until the reply says there are no more (or fails).
  aftersales::Client client(connection);
  int seen = 0;
  for (const auto& item : client.all_products(5)) {
    (void)item;
    if (++seen > 1000) break;  // a server repeating the same page forever must not hang us
  }
  return 0;
}
