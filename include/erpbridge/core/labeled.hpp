// Vendor enums that arrive as labels ("采购入库", "waiting", "01").
#pragma once

#include "erpbridge/version.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// One (enum value, vendor label) pair of a label table.
template <typename E>
struct LabelEntry {
  E value;                 ///< The enum value.
  std::string_view label;  ///< The vendor's label for it.
};

/// Specialise for each vendor enum E:
///   static constexpr E unknown = E::Unknown;
///   static constexpr LabelEntry<E> entries[] = {{E::A, "a"}, ...};
/// The first entry of a value is its canonical label; later entries for the same value are
/// alternative spellings accepted when decoding.
template <typename E>
struct LabelTraits;

/// An enum value together with the exact label the vendor sent. An unknown label is kept
/// (value() is the enum's Unknown) and re-encoded unchanged.
template <typename E>
class Labeled {
 public:
  using Traits = LabelTraits<E>;  ///< The label table of E.

  /// The enum's Unknown value with an empty label.
  Labeled() : value_(Traits::unknown) {}
  /// A known value with its canonical label.
  Labeled(E value) : value_(value), label_(canonical_label(value)) {}  // NOLINT implicit

  /// Decodes a vendor label; never fails.
  static Labeled from_label(std::string_view label) {
    Labeled result;
    result.label_.assign(label.data(), label.size());
    for (const auto& entry : Traits::entries) {
      if (entry.label == label) {
        result.value_ = entry.value;
        break;
      }
    }
    return result;
  }

  /// The canonical label of a value ("" for one not in the table).
  static std::string canonical_label(E value) {
    for (const auto& entry : Traits::entries) {
      if (entry.value == value) return std::string(entry.label);
    }
    return std::string();
  }

  /// The enum value (E's Unknown for a label not in the table).
  E value() const noexcept { return value_; }
  /// The label exactly as received (or the canonical one for a value set in code).
  const std::string& label() const noexcept { return label_; }
  /// Whether the label is in the table.
  bool known() const noexcept { return value_ != Traits::unknown; }

  ///@{
  /// Equal to another Labeled in value and label, or to an enum value in value only.
  friend bool operator==(const Labeled& a, const Labeled& b) {
    return a.value_ == b.value_ && a.label_ == b.label_;
  }
  friend bool operator!=(const Labeled& a, const Labeled& b) { return !(a == b); }
  friend bool operator==(const Labeled& a, E b) { return a.value_ == b; }
  friend bool operator!=(const Labeled& a, E b) { return a.value_ != b; }
  ///@}

 private:
  E value_;
  std::string label_;
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
