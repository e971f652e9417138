// Paged lists as an input range of Result<T> that loads pages on demand.
#pragma once

#include "erpbridge/version.hpp"

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "erpbridge/core/result.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// One page of a list, and the total if the server says it.
template <typename T>
struct Page {
  std::vector<T> items;               ///< The page's items.
  std::optional<std::int64_t> total;  ///< Items in all pages, if the server says.
  /// Elements the server sent on this page, those that did not decode (see the notes)
  /// included; 0 when not counted (items.size() then stands for it).
  std::size_t received = 0;
};

/// Where a paged list provably ends, page by page: at an empty page, once a stated total is
/// reached, or at a page shorter than the largest page seen so far. Never at the first page
/// shorter than the page size asked for: a server may cap its pages below it (asked for 50,
/// it sends 20 a page), and stopping there would silently truncate the list.
class PageStop {
 public:
  /// Takes in the next page: `received` elements on it (failed ones included), the total
  /// the server stated if any. True when no further page should be loaded.
  bool last_page(std::size_t received, std::optional<std::int64_t> total) {
    delivered_ += static_cast<std::int64_t>(received);
    if (received == 0) return true;
    if (total && delivered_ >= *total) return true;
    const bool shorter = received < largest_;
    if (received > largest_) largest_ = received;
    return shorter;
  }
  /// The same for a page as decoded.
  template <typename T>
  bool last_page(const Page<T>& page) {
    return last_page(page.received > page.items.size() ? page.received : page.items.size(),
                     page.total);
  }

 private:
  std::int64_t delivered_ = 0;
  std::size_t largest_ = 0;
};

/// Iterates every item of a paged list. Pages are fetched by `load(page_number)` as the
/// iteration reaches them; it stops where PageStop says the list ends (an empty page, the
/// stated total, a page shorter than the largest one seen). A failed load yields one Result
/// holding the error, then ends.
/// The decode notes of a page (Result::notes()) ride on the first item taken from it.
/// Single-threaded: iterate a range from one thread at a time.
///
///   for (const Result<Order>& order : client.list_all(filter)) {
///     if (!order) { handle(order.error()); break; }
///     use(*order);
///   }
template <typename T>
class PaginatedRange {
  struct State;  // declared before iterator names it (clang requires it)

 public:
  /// Fetches page number `page`.
  using Loader = std::function<Result<Page<T>>(int page)>;

  /// A range starting at `first_page`. `per_page`, the page size asked for, does not decide
  /// where the list ends (a server may send fewer a page): PageStop does.
  PaginatedRange(Loader load, int first_page, int /*per_page*/)
      : state_(std::make_shared<State>()) {
    state_->load = std::move(load);
    state_->next_page = first_page;
  }

  /// An input iterator over Result<T>; loads the next page when needed.
  class iterator {
   public:
    ///@{
    /// Standard traits of an input iterator over Result<T>.
    using iterator_category = std::input_iterator_tag;
    using value_type = Result<T>;
    using difference_type = std::ptrdiff_t;
    using pointer = const Result<T>*;
    using reference = const Result<T>&;
    ///@}

    /// The end iterator.
    iterator() = default;
    ///@{
    /// The current item, the next one (loading a page when needed), and comparison.
    reference operator*() const { return *current_; }
    pointer operator->() const { return &*current_; }
    iterator& operator++() {
      advance();
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.state_ == b.state_;  // only end() compares equal to an exhausted iterator
    }
    friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }
    ///@}

   private:
    friend class PaginatedRange;
    explicit iterator(std::shared_ptr<State> state) : state_(std::move(state)) { advance(); }

    void advance() {
      auto& s = *state_;
      if (s.failed) return finish();
      if (s.index < s.items.size()) {
        current_.emplace(std::move(s.items[s.index++]));
        return;
      }
      // A page whose every element failed to decode is not the end unless PageStop says so:
      // the next page is loaded, and the notes ride on the first item that follows.
      DecodeNotes page_notes;
      while (s.index >= s.items.size()) {
        if (s.exhausted) return finish();
        Result<Page<T>> page = s.load(s.next_page);
        if (!page.ok()) {
          s.failed = true;
          current_.emplace(std::move(page).error());
          if (!page_notes.empty()) current_->add_notes(std::move(page_notes));
          return;
        }
        ++s.next_page;
        s.exhausted = s.stop.last_page(*page);
        s.items = std::move(page->items);
        s.index = 0;
        page_notes.insert(page_notes.end(), page.notes().begin(), page.notes().end());
      }
      current_.emplace(std::move(s.items[s.index++]));
      // A page's decode notes ride on its first item.
      if (!page_notes.empty()) current_->add_notes(std::move(page_notes));
    }
    void finish() {
      state_.reset();
      current_.reset();
    }

    std::shared_ptr<State> state_;
    std::optional<Result<T>> current_;
  };

  /// Starts the iteration (loads the first page). An input range: iterate it once.
  iterator begin() { return iterator(state_); }
  /// The end of the range.
  iterator end() { return iterator(); }

 private:
  struct State {
    Loader load;
    int next_page = 1;
    std::vector<T> items;
    std::size_t index = 0;
    PageStop stop;
    bool exhausted = false;
    bool failed = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
