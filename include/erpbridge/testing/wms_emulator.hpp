// A fake third-party receiver for WMS pushes, built on wms::Receiver (the same rules).
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "erpbridge/testing/emulator.hpp"
#include "erpbridge/wms/types.hpp"

namespace erpbridge::testing {

/// A CreateEntryConfirmation endpoint written from the document alone (not the SDK's
/// receiver): the token compared exactly (401), bodies over 8 MiB refused (413), the
/// document's table enforced on its own -- required fields, lengths in characters, order_type
/// 01..11, each line's entry_code equal to the header's (400, every problem listed) --, each
/// entry_code accepted once (a repeat gets the first reply, other content under it 409);
/// copies share the same deliveries.
class ERPBRIDGE_TESTING_EXPORT WmsEmulator {
 public:
  /// Accepts pushes carrying `token`; answers bil_id "PC" and bil_no "PC" + a sequence.
  explicit WmsEmulator(std::string token);

  /// Routes POST /CreateEntryConfirmation on `emulator`.
  void install(Emulator& emulator) const;

  /// Orders accepted so far, in delivery order (read with the document's keys).
  std::vector<wms::EntryConfirmation> delivered() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::testing
