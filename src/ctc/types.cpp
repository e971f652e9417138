#include "erpbridge/ctc/types.hpp"

#include <algorithm>

#include "ctc/codec.hpp"

namespace erpbridge::ctc {

const char* to_string(Direction direction) noexcept {
  return direction == Direction::In ? "in" : "out";
}

Result<void> validate(const ReceiptQuery& query) {
  auto range = [&] {
    return "inputtime_s " + query.start.to_string() + " and inputtime_e " + query.end.to_string();
  };
  if (query.end < query.start) {
    return make_error(ErrorCode::InvalidArgument,
                      range() + ": the end must not be before the start");
  }
  if (query.end.date().days_since_epoch() - query.start.date().days_since_epoch() > kMaxQueryDays) {
    return make_error(ErrorCode::InvalidArgument,
                      range() +
                          ": CTC allows at most 7 calendar days per query, the end's date minus "
                          "the start's (use list_receipts)");
  }
  return ok();
}

Result<std::vector<ReceiptQuery>> split_windows(Direction direction, const DateTime& from,
                                                const DateTime& to) {
  if (to < from) {
    return make_error(ErrorCode::InvalidArgument, "range " + from.to_string() + " .. " +
                                                      to.to_string() +
                                                      ": the end must not be before the start");
  }
  std::vector<ReceiptQuery> windows;
  DateTime start = from;
  for (;;) {
    // Conservative in what we send: every window spans at most 7 x 24 h, whatever the server
    // counts "7 days" as. The next window starts on this one's last second, so both readings
    // of the bounds (inclusive or exclusive) leave no second out; a receipt created on a
    // shared second comes back twice and is dropped by its number when merging.
    const DateTime last_allowed = start + kMaxWindowSpan;
    const DateTime end = to < last_allowed ? to : last_allowed;
    windows.push_back(ReceiptQuery{direction, start, end});
    if (end == to) break;
    start = end;
  }
  return windows;
}

std::string to_json(const std::vector<Receipt>& receipts) {
  const bool all_out = !receipts.empty() &&
                       std::all_of(receipts.begin(), receipts.end(), [](const Receipt& receipt) {
                         return receipt.direction == Direction::Out;
                       });
  if (!all_out) return json::encode(receipts);
  return json::encode(wire::as_out(receipts));
}

}  // namespace erpbridge::ctc
