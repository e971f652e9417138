// Settings that arrive after an options struct's layout is frozen for a major version.
#pragma once

#include <memory>
#include <typeindex>
#include <typeinfo>
#include <utility>

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// A set of settings keyed by type, in the manner of google-cloud-cpp's `Options`: each
/// setting is a tag type with a nested `Type`, e.g.
///
///     struct TcpKeepAliveOption { using Type = std::chrono::seconds; };
///     options.extensions.set<TcpKeepAliveOption>(std::chrono::seconds(30));
///
/// Why it exists: the fields of ClientOptions and of each family's Options keep their
/// layout for the whole of a major version (docs/ARCHITECTURE.md, "Options and the ABI"),
/// and every setting added later goes in here. The bag is one pointer whatever it holds, so
/// adding a setting moves no field's offset and an application built against an older
/// minor release keeps working with the newer library.
///
/// A client reads its settings once, when it is built; a lookup is a short linear search
/// over the settings that were set (see BM_OptionBag_* in bench/).
class ERPBRIDGE_CORE_EXPORT OptionBag {
 public:
  /// @{
  /// An empty bag. A copy holds copies of the settings; a move takes them.
  OptionBag() noexcept;
  OptionBag(const OptionBag& other);
  OptionBag(OptionBag&& other) noexcept;
  OptionBag& operator=(const OptionBag& other);
  OptionBag& operator=(OptionBag&& other) noexcept;
  ~OptionBag();
  /// @}

  /// Sets `Option` to `value`, replacing what was set before.
  template <typename Option>
  OptionBag& set(typename Option::Type value) {
    put(typeid(Option), std::make_unique<Held<typename Option::Type>>(std::move(value)));
    return *this;
  }

  /// Whether `Option` was set.
  template <typename Option>
  bool has() const noexcept {
    return find(typeid(Option)) != nullptr;
  }

  /// The value `Option` was set to, or `fallback` if it was not.
  template <typename Option>
  typename Option::Type get_or(typename Option::Type fallback) const {
    const Value* value = find(typeid(Option));
    if (value == nullptr) return fallback;
    return static_cast<const Held<typename Option::Type>*>(value)->value;
  }

  /// Removes `Option`, so that its default applies again.
  template <typename Option>
  OptionBag& unset() noexcept {
    erase(typeid(Option));
    return *this;
  }

  /// Sets every setting `other` holds to its value there, keeping the rest of this bag.
  OptionBag& override_with(const OptionBag& other);

  /// How many settings are set.
  std::size_t size() const noexcept;

 private:
  // Value and Held are instantiated in the application's code (set, get_or, copies), so
  // their layout and Value's virtual functions are as frozen for a major as any field.
  struct Value {
    virtual ~Value() = default;
    virtual std::unique_ptr<Value> clone() const = 0;
  };
  template <typename T>
  struct Held final : Value {
    explicit Held(T held) : value(std::move(held)) {}
    std::unique_ptr<Value> clone() const override { return std::make_unique<Held>(value); }
    T value;
  };
  struct Entries;

  void put(std::type_index key, std::unique_ptr<Value> value);
  const Value* find(std::type_index key) const noexcept;
  void erase(std::type_index key) noexcept;

  std::unique_ptr<Entries> entries_;  // null while empty: an unused bag allocates nothing
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
