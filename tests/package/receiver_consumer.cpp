// A consumer of the durable receiver components: erpbridge::wms_sqlite and
// erpbridge::wms_postgres, found through find_package and linked as installed.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "erpbridge/wms/postgres_store.hpp"
#include "erpbridge/wms/receiver.hpp"
#include "erpbridge/wms/sqlite_store.hpp"

namespace {

const char* kOrder = R"({"entry_order":{"ref_id":"Other","entry_code":"RK-PACKAGE-1",
  "entry_date":"2023-03-02","owner_code":"OWNER","order_type":"01","department":"00000000",
  "bill_type":"","supplier_code":"SUP01","supplier_name":"Sample Supplier",
  "operate_time":"2023-03-02 11:25:13","operator_code":"ADMIN","last_modified_date":null,
  "remark":"","total_order_lines":1,"extend_props":{}},
  "order_lines":[{"entry_code":"RK-PACKAGE-1","entry_code_itm":1,"item_code":"P001",
  "item_name":"P001","sku_property":"","batch_code":"","warehouse_code":"A","qty":100.0,
  "qty1":0.0,"rem":"","request_id":"TI","request_code":"TI33010001","request_itm":"1",
  "source_bilid":"PO","source_bilno":"PO33010001","source_bilitm":"1","extend_props":{}}]})";

int fail(const std::string& what) {
  std::fprintf(stderr, "receiver consumer: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return fail("usage: erpbridge_receiver_consumer DIRECTORY");
  namespace wms = erpbridge::wms;
  auto store = wms::open_sqlite_store(std::string(argv[1]) + "/receiver.db");
  if (!store.ok()) return fail(store.error().to_string());
  wms::Receiver receiver(wms::InboxMode{}, wms::expect_token("package-token"), *store);
  const erpbridge::HttpHeaders headers = {{"Authorization", "package-token"}};
  auto first = receiver.handle(headers, kOrder);
  auto again = receiver.handle(headers, kOrder);
  if (first.http_status != 200 || again.body != first.body) return fail("not accepted once");
  auto entries = wms::Inbox(*store).next(10);
  if (!entries.ok() || entries->size() != 1) return fail("the inbox does not hold the order");

  // The PostgreSQL component links and answers; nothing listens on port 1.
  auto unreachable = wms::open_postgres_store("host=127.0.0.1 port=1 connect_timeout=2");
  if (unreachable.ok()) return fail("a store on a closed port opened");
  std::printf("receiver consumer: %s accepted once into the SQLite inbox; PostgreSQL: %s\n",
              entries->front().entry_code.c_str(), unreachable.error().message.c_str());
  return 0;
}
