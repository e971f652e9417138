#include <catch2/catch.hpp>

#include <sstream>
#include <utility>

#include "ctc/codec.hpp"
#include "testing/wire_samples.hpp"

using erpbridge::DateTime;
using erpbridge::ErrorCode;
using erpbridge::HttpResponse;
using namespace erpbridge::ctc;

namespace {

// The spec's return samples (4.2.17) verbatim, '#' comments and all.
const char* kSpecInSample = R"({
"res":0,
"msg":"",
"data":[
{
"in_number":"CK1590583223368861321",
# 入库单号
"intype":"采购入库",
# 入库类型
"amount":10,
# 入库总数
"amount_of_money":"1310.00", # 入库总金额
"status":"已入库",
# 单据状态
"number":"CK1590583223910",
# 关联工单
"inputuser":"admin",
# 建单人
"inputtime":"2020-05-27 20:40:23", # 建单时间
"parts_details":[
# 配件入库明细
{
"yunmi_code":"20.02.09.03.0063",
# 云米配件编号
"amount":10
# 入库数量
},
{
"yunmi_code":"20.02.09.03.0063",
"amount":0
}
]
},
{
"in_number":"RK1590583752235274571",
"intype":"维修入库",
"amount":3,
"amount_of_money":"393.00",
"status":"已结单",
"number":"WX2005055057034",
"inputuser":"余喜田",
"inputtime":"2020-05-27 20:49:12",
"parts_details":[
{
"yunmi_code":"20.02.09.03.0063",
"amount":3
}
]
}
]
})";

const char* kSpecOutSample = R"({
"res":0,
"msg":"",
"data":[
{
"out_number":"CK1590583223368861321",
# 出库单号
"outtype":"核销出库",
# 出库类型
"amount":10,
# 出库总数
"amount_of_money":"1310.00", # 出库总金额
"status":"已出库",
# 单据状态
"number":"CK1590583223910",
# 关联工单
"inputuser":"admin",
# 建单人
"inputtime":"2020-05-27 20:40:23", # 建单时间
"parts_details":[
# 配件入库明细
{
"yunmi_code":"20.02.09.03.0063",
# 云米配件编号
"amount":10
# 出库数量
},
{
"yunmi_code":"20.02.09.03.0063",
"amount":0
}
]
},
{
"out_number":"RK1590583752235274571",
"outtype":"维修入库",
"amount":3,
"amount_of_money":"393.00",
"status":"已结单",
"number":"WX2005055057034",
"inputuser":"余喜田",
"inputtime":"2020-05-27 20:49:12",
"parts_details":[
{
"yunmi_code":"20.02.09.03.0063",
"amount":3
}
]
}
]
})";

// Drops "# ..." comments (none of the samples has '#' inside a string).
std::string strip_comments(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    std::size_t hash = line.find('#');
    out += line.substr(0, hash) + "\n";
  }
  return out;
}

HttpResponse ok_response(std::string body) {
  HttpResponse response;
  response.status = 200;
  response.body = std::move(body);
  return response;
}

}  // namespace

TEST_CASE("CTC: the spec's in sample decodes field by field") {
  auto receipts = wire::decode_receipts(ok_response(strip_comments(kSpecInSample)), Direction::In);
  REQUIRE(receipts.ok());
  REQUIRE(receipts->size() == 2);
  const Receipt& first = (*receipts)[0];
  CHECK(first.direction == Direction::In);
  CHECK(first.number == "CK1590583223368861321");
  CHECK(first.type == ReceiptType::PurchaseIn);
  CHECK(first.type.label() == "采购入库");
  CHECK(first.total_amount == 10);
  CHECK(first.amount_of_money.to_string() == "1310.00");
  CHECK(first.status == ReceiptStatus::Stocked);
  CHECK(first.status.label() == "已入库");
  CHECK(first.work_order_number == "CK1590583223910");
  CHECK(first.creator == "admin");
  CHECK(first.created_at.to_string() == "2020-05-27 20:40:23");
  REQUIRE(first.parts.size() == 2);
  CHECK(first.parts[0].yunmi_code == "20.02.09.03.0063");
  CHECK(first.parts[0].amount == 10);
  CHECK(first.parts[1].yunmi_code == "20.02.09.03.0063");
  CHECK(first.parts[1].amount == 0);

  const Receipt& second = (*receipts)[1];
  CHECK(second.number == "RK1590583752235274571");
  CHECK(second.type == ReceiptType::RepairIn);
  CHECK(second.total_amount == 3);
  CHECK(second.amount_of_money.to_string() == "393.00");
  CHECK(second.status == ReceiptStatus::Closed);
  CHECK(second.work_order_number == "WX2005055057034");
  CHECK(second.creator == "余喜田");
  CHECK(second.created_at.to_string() == "2020-05-27 20:49:12");
  REQUIRE(second.parts.size() == 1);
  CHECK(second.parts[0].amount == 3);
}

TEST_CASE("CTC: the spec's out sample decodes into the same Receipt shape") {
  auto receipts =
      wire::decode_receipts(ok_response(strip_comments(kSpecOutSample)), Direction::Out);
  REQUIRE(receipts.ok());
  REQUIRE(receipts->size() == 2);
  const Receipt& first = (*receipts)[0];
  CHECK(first.direction == Direction::Out);
  CHECK(first.number == "CK1590583223368861321");
  CHECK(first.type == ReceiptType::WriteOffOut);
  CHECK(first.type.label() == "核销出库");
  CHECK(first.amount_of_money.to_string() == "1310.00");
  CHECK(first.status == ReceiptStatus::Shipped);
  CHECK(first.parts.size() == 2);
  const Receipt& second = (*receipts)[1];
  CHECK(second.type == ReceiptType::RepairIn);  // the sample's out receipt says 维修入库
  CHECK(second.creator == "余喜田");
  CHECK(second.amount_of_money.to_string() == "393.00");
}

TEST_CASE("CTC: every listed in and out type label is known") {
  for (const char* label :
       {"采购入库",     "维修入库",     "发放入库",     "返厂入库", "盘点入库",     "生产入库",
        "借调入库",     "红冲入库",     "其他入库",     "配件申请", "配件损耗入库", "发放出库",
        "返厂出库",     "盘点出库",     "残损出库",     "销售出库", "借调出库",     "网点配件申请",
        "配件维修出库", "配件损耗出库", "维修耗用出库", "核销出库"}) {
    INFO(label);
    CHECK(erpbridge::Labeled<ReceiptType>::from_label(label).known());
  }
  auto unknown = erpbridge::Labeled<ReceiptType>::from_label("调拨入库");
  CHECK_FALSE(unknown.known());
  CHECK(unknown.label() == "调拨入库");
}

TEST_CASE("CTC: receipts re-encode with the direction's keys and decode back equal") {
  auto in = wire::decode_receipts(ok_response(strip_comments(kSpecInSample)), Direction::In);
  std::string encoded =
      erpbridge::testing::wire_samples::ctc_receipts_reply("0", "", *in, Direction::In);
  CHECK(
      encoded.rfind(
          R"({"res":0,"msg":"","data":[{"in_number":"CK1590583223368861321","intype":"采购入库","amount":10,"amount_of_money":"1310.00",)",
          0) == 0);
  CHECK(*wire::decode_receipts(ok_response(encoded), Direction::In) == *in);
  auto out = wire::decode_receipts(ok_response(strip_comments(kSpecOutSample)), Direction::Out);
  std::string out_encoded =
      erpbridge::testing::wire_samples::ctc_receipts_reply("0", "", *out, Direction::Out);
  CHECK(out_encoded.find(R"("out_number":"CK1590583223368861321","outtype":"核销出库")") !=
        std::string::npos);
  CHECK(*wire::decode_receipts(ok_response(out_encoded), Direction::Out) == *out);
}

TEST_CASE("CTC: the request encodes byte for byte as the spec shows") {
  ReceiptQuery query{Direction::In, DateTime::parse("2020-05-20 20:40:23").value(),
                     DateTime::parse("2020-05-27 20:49:12").value()};
  CHECK(
      wire::encode_query("k-123", query) ==
      R"({"key":"k-123","data":{"type":"in","inputtime_s":"2020-05-20 20:40:23","inputtime_e":"2020-05-27 20:49:12"}})");
  query.direction = Direction::Out;
  CHECK(
      wire::encode_query("k", query) ==
      R"({"key":"k","data":{"type":"out","inputtime_s":"2020-05-20 20:40:23","inputtime_e":"2020-05-27 20:49:12"}})");
  CHECK(*wire::encode_call("k", R"({ "number": "WX1" })") ==
        R"({"key":"k","data":{"number":"WX1"}})");
  auto bad = wire::encode_call("k", "{not json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("CTC: res values map to errors, 无数据 to an empty list") {
  auto unsigned_reply =
      wire::decode_receipts(ok_response(R"({"res":1,"msg":"签名无效","data":[]})"), Direction::In);
  REQUIRE_FALSE(unsigned_reply.ok());
  CHECK(unsigned_reply.error().code == ErrorCode::Unauthenticated);
  CHECK(unsigned_reply.error().vendor_code == "1");
  CHECK(unsigned_reply.error().vendor_message == "签名无效");

  auto in_msg = wire::decode_receipts(ok_response(R"({"res":"9","msg":"1:签名无效","data":""})"),
                                      Direction::In);
  CHECK(in_msg.error().code == ErrorCode::Unauthenticated);

  auto no_data =
      wire::decode_receipts(ok_response(R"({"res":2,"msg":"无数据","data":""})"), Direction::In);
  REQUIRE(no_data.ok());
  CHECK(no_data->empty());

  // The table's "1:签名无效;2:无数据": the code in res or msg, as a number or as text.
  const std::pair<const char*, ErrorCode> auth_forms[] = {
      {R"({"res":"1","msg":""})", ErrorCode::Unauthenticated},
      {R"({"res":-1,"msg":1})", ErrorCode::Unauthenticated},
      {R"({"res":-1,"msg":"1"})", ErrorCode::Unauthenticated},
      {R"({"res":-1,"msg":"1：签名无效"})", ErrorCode::Unauthenticated},
      {R"({"res":"签名无效","msg":""})", ErrorCode::Unauthenticated},
      {R"({"res":-1,"msg":"12 other"})", ErrorCode::Api},
  };
  for (const auto& [body, code] : auth_forms) {
    INFO(body);
    auto reply = wire::decode_receipts(ok_response(body), Direction::In);
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == code);
  }
  // Only the documented empty answers are an empty list: res 2, or msg exactly "2",
  // "无数据" or "2:无数据".
  for (const char* body : {R"({"res":"2","msg":""})", R"({"res":2})", R"({"res":-1,"msg":2})",
                           R"({"res":-1,"msg":"2"})", R"({"res":-1,"msg":"2:无数据"})",
                           R"({"res":9,"msg":"无数据"})"}) {
    INFO(body);
    auto reply = wire::decode_receipts(ok_response(body), Direction::In);
    REQUIRE(reply.ok());
    CHECK(reply->empty());
  }
  // Any other failure is a failure, whatever its text mentions: never "no receipts".
  for (const char* body :
       {R"({"res":"无数据"})", R"({"res":5,"msg":"查询无数据权限"})", R"({"res":-1,"msg":"20"})",
        R"({"res":-1,"msg":"2 无数据"})", R"({"res":3,"msg":"无数据源: 数据库不可用"})",
        R"({"res":-1,"msg":"2：无数据"})", R"({"res":4,"msg":"时间范围不能超过7天,无数据"})"}) {
    INFO(body);
    auto reply = wire::decode_receipts(ok_response(body), Direction::In);
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == ErrorCode::Api);
  }

  auto other = wire::decode_receipts(ok_response(R"({"res":5,"msg":"系统繁忙"})"), Direction::Out);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::Api);
  CHECK(other.error().vendor_code == "5");
  CHECK(other.error().message.find("系统繁忙") != std::string::npos);
}

TEST_CASE("CTC: only res decides, other misfits are notes, HTTP errors by status") {
  auto wrong = wire::decode_receipts(
      ok_response(
          R"({"res":0,"msg":"","data":[{"in_number":"a","parts_details":[{"amount":"x"}]}]})"),
      Direction::In);
  REQUIRE(wrong.ok());
  REQUIRE(wrong->size() == 1);
  CHECK((*wrong)[0].number == "a");
  CHECK((*wrong)[0].parts[0].amount == 0);
  REQUIRE(wrong.notes().size() == 1);
  CHECK(wrong.notes()[0].path == "data[0].parts_details[0].amount");
  CHECK(wrong.notes()[0].raw == R"("x")");

  auto money = wire::decode_receipts(
      ok_response(R"({"res":0,"data":[{"amount_of_money":"13,10"}]})"), Direction::In);
  REQUIRE(money.ok());
  CHECK(money.notes()[0].problem.find("invalid decimal") != std::string::npos);

  auto missing_res = wire::decode_receipts(ok_response(R"({"msg":"","data":[]})"), Direction::In);
  REQUIRE_FALSE(missing_res.ok());
  CHECK(missing_res.error().message == "CTC receipt_parts reply: res: missing required field");
  auto object_res = wire::decode_receipts(ok_response(R"({"res":{},"data":[]})"), Direction::In);
  CHECK(object_res.error().code == ErrorCode::Decode);

  CHECK(wire::decode_receipts(ok_response("<html>"), Direction::In).error().code ==
        ErrorCode::Decode);
  CHECK(wire::decode_receipts(ok_response(""), Direction::In).error().code == ErrorCode::Decode);
  HttpResponse unavailable;
  unavailable.status = 503;
  auto status = wire::decode_receipts(std::move(unavailable), Direction::In);
  CHECK(status.error().code == ErrorCode::Http);
  CHECK(status.error().http_status == 503);
  CHECK(status.error().retryable);
}
