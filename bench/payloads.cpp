#include "payloads.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ctc/codec.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"

namespace erpbridge::bench {

std::string ctc_receipts_reply(std::size_t count, bool escape_unicode) {
  auto receipts = testing::CtcEmulator::generate(ctc::Direction::In,
                                                 DateTime::parse("2020-03-01 00:00:00").value(),
                                                 count, std::chrono::seconds(60));
  std::string json = ctc::wire::encode_receipts_reply("0", "", receipts, ctc::Direction::In);
  if (!escape_unicode) return json;
  // Re-write the same document with ASCII output (\uXXXX for every non-ASCII character).
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::ASCII<>> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace erpbridge::bench
