// A fake third-party receiver for WMS pushes, built on wms::Receiver (the same rules).
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "erpbridge/testing/emulator.hpp"
#include "erpbridge/wms/receiver.hpp"

namespace erpbridge::testing {

/// A CreateEntryConfirmation receiver; copies share the same deliveries.
class ERPBRIDGE_TESTING_EXPORT WmsEmulator {
 public:
  /// Accepts pushes carrying `token`; answers bil_id "PC" and bil_no "PC" + a sequence.
  explicit WmsEmulator(std::string token);

  /// Routes POST /CreateEntryConfirmation on `emulator`.
  void install(Emulator& emulator) const;

  /// Orders handed to the application so far, in delivery order.
  std::vector<wms::EntryConfirmation> delivered() const;
  /// The receiver answering the pushes (for its stats()).
  const wms::Receiver& receiver() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::testing
