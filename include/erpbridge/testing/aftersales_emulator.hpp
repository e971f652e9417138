// An in-process after-service server with the full workflow state machine.
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <memory>

#include "erpbridge/aftersales/types.hpp"
#include "erpbridge/testing/emulator.hpp"

namespace erpbridge::testing {

/// After-service orders in memory; copies share the same data.
class ERPBRIDGE_TESTING_EXPORT AftersalesEmulator {
 public:
  /// No orders, products or matches yet.
  AftersalesEmulator();

  /// Routes every documented endpoint under /api/v1/afterservice on `emulator`:
  /// create (six required fields), list with filters and pages, field updates, the workflow
  /// (submit only from waiting, done/reject one step, done at finance_reviewing ends it),
  /// delete only while in_progress / waiting, journals of every change, abnormal products,
  /// duty reports, and the five rank statistics over the stored duty reports.
  void install(Emulator& emulator) const;

  /// Adds sample products, supplier matches and a dozen orders in various states.
  void seed_demo_data() const;

  /// Caps every list's pages at `max_per_page` items whatever per_page asks, as servers
  /// that limit page sizes do (0, the default: pages as large as asked, up to 1000).
  void set_max_per_page(int max_per_page) const;

  /// Orders stored now.
  std::size_t order_count() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::testing
