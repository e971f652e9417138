// An in-process CTC server: key check, the 7-day rule, filtering by direction and time.
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "erpbridge/ctc/types.hpp"
#include "erpbridge/testing/emulator.hpp"

namespace erpbridge::testing {

/// CTC receipts in memory; copies share the same data.
class ERPBRIDGE_TESTING_EXPORT CtcEmulator {
 public:
  /// Serves receipts to callers presenting `key`.
  explicit CtcEmulator(std::string key);

  /// Adds receipts to the data set; each is served to queries of its own direction.
  void add_receipts(const std::vector<ctc::Receipt>& receipts);
  /// How the emulator reads the document's "范围不能超过7天".
  enum class WindowRule {
    SevenTimes24Hours,  ///< end - start <= 604,800 s (the default: the strictest reading)
    CalendarDays,       ///< the end's date at most 7 days after the start's
  };
  /// Sets the reading of the 7-day rule; a query beyond it is answered res 4.
  void set_window_rule(WindowRule rule);
  /// Receipts queries have been answered with so far, across all calls.
  std::size_t queries_answered() const;

  /// Routes POST /doscall/oa/api/receipt_parts/ on `emulator` to this data set.
  void install(Emulator& emulator) const;

  /// The two in and two out receipts of the spec's samples (the creator's name made up).
  static std::vector<ctc::Receipt> spec_samples();
  /// `count` receipts of `direction`, created `step` apart from `first`, with deterministic
  /// Chinese labels, amounts and 1-5 part lines.
  static std::vector<ctc::Receipt> generate(ctc::Direction direction, const DateTime& first,
                                            std::size_t count, std::chrono::seconds step);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::testing
