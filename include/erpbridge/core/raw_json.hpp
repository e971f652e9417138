// JSON kept as text: free-form vendor objects and fields a struct does not name.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <string>
#include <utility>
#include <vector>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// One JSON value kept verbatim (compact text, e.g. "{}" or "[1,2]" or "\"x\"").
/// Empty text means absent and encodes as null.
struct ERPBRIDGE_CORE_EXPORT RawJson {
  std::string text;  ///< Compact JSON text.

  /// No value (encodes as null).
  bool empty() const noexcept { return text.empty(); }
  ///@{
  /// Equal texts.
  friend bool operator==(const RawJson& a, const RawJson& b) { return a.text == b.text; }
  friend bool operator!=(const RawJson& a, const RawJson& b) { return a.text != b.text; }
  ///@}
};

/// Keys a struct does not name, with their values, in the order they arrived. Decoders fill
/// it and encoders write it back, so nothing the server sent is lost.
using JsonExtras = std::vector<std::pair<std::string, RawJson>>;

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
