#include "call/unnested.hpp"

#include <deque>
#include <exception>
#include <utility>

namespace erpbridge::internal {

namespace {
thread_local std::deque<std::function<void()>>* queued_steps = nullptr;
}  // namespace

void run_unnested(std::function<void()> step) {
  if (queued_steps != nullptr) {
    queued_steps->push_back(std::move(step));
    return;
  }
  std::deque<std::function<void()>> steps;
  steps.push_back(std::move(step));
  queued_steps = &steps;
  std::exception_ptr first_failure;
  while (!steps.empty()) {
    std::function<void()> next = std::move(steps.front());
    steps.pop_front();
    try {
      next();
    } catch (...) {
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  queued_steps = nullptr;
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace erpbridge::internal
