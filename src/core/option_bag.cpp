#include "erpbridge/core/option_bag.hpp"

#include <algorithm>
#include <vector>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

// A few settings at most: a vector searched in order beats a hash map at this size.
struct OptionBag::Entries {
  std::vector<std::pair<std::type_index, std::unique_ptr<Value>>> items;

  // The slot that holds `key`'s value, or null.
  std::unique_ptr<Value>* slot(std::type_index key) noexcept {
    for (auto& item : items) {
      if (item.first == key) return &item.second;
    }
    return nullptr;
  }
};

OptionBag::OptionBag() noexcept = default;
OptionBag::OptionBag(OptionBag&& other) noexcept = default;
OptionBag& OptionBag::operator=(OptionBag&& other) noexcept = default;
OptionBag::~OptionBag() = default;

OptionBag::OptionBag(const OptionBag& other) {
  override_with(other);
}

OptionBag& OptionBag::operator=(const OptionBag& other) {
  if (this != &other) *this = OptionBag(other);
  return *this;
}

OptionBag& OptionBag::override_with(const OptionBag& other) {
  if (other.entries_ == nullptr || &other == this) return *this;
  if (entries_ == nullptr) entries_ = std::make_unique<Entries>();
  entries_->items.reserve(entries_->items.size() + other.entries_->items.size());
  for (const auto& [key, value] : other.entries_->items) put(key, value->clone());
  return *this;
}

std::size_t OptionBag::size() const noexcept {
  return entries_ == nullptr ? 0 : entries_->items.size();
}

void OptionBag::put(std::type_index key, std::unique_ptr<Value> value) {
  if (entries_ == nullptr) entries_ = std::make_unique<Entries>();
  if (std::unique_ptr<Value>* slot = entries_->slot(key)) {
    *slot = std::move(value);
  } else {
    entries_->items.emplace_back(key, std::move(value));
  }
}

const OptionBag::Value* OptionBag::find(std::type_index key) const noexcept {
  if (entries_ == nullptr) return nullptr;
  std::unique_ptr<Value>* slot = entries_->slot(key);
  return slot == nullptr ? nullptr : slot->get();
}

void OptionBag::erase(std::type_index key) noexcept {
  if (entries_ == nullptr) return;
  auto& items = entries_->items;
  items.erase(std::remove_if(items.begin(), items.end(),
                             [&](const auto& item) { return item.first == key; }),
              items.end());
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
