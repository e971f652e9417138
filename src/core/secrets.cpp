#include "erpbridge/core/secrets.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>
#include <vector>

#include "erpbridge/core/http.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

constexpr std::size_t kMinSecretLength = 6;
// Tokens rotate; the oldest are forgotten past this many (an echo of a token retired that
// long ago is unlikely, and each scrub looks for all of them).
constexpr std::size_t kMaxSecrets = 512;

std::string json_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '/') out += '\\';
    out += c;
  }
  return out;
}

class Registry {
 public:
  void add(std::string_view secret) {
    if (secret.size() < kMinSecretLength) return;
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      if (known_.count(std::string(secret)) != 0) return;
    }
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (!known_.insert(std::string(secret)).second) return;
    order_.emplace_back(secret);
    if (order_.size() > kMaxSecrets) {
      known_.erase(order_.front());
      order_.pop_front();
    }
    rebuild_forms();
    any_.store(true, std::memory_order_release);
  }

  std::string scrub(std::string text) const {
    if (text.empty() || !any_.load(std::memory_order_acquire)) return text;
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const std::string& form : forms_) {
      for (std::size_t at = text.find(form); at != std::string::npos;
           at = text.find(form, at + 3)) {
        text.replace(at, form.size(), "***");
      }
    }
    return text;
  }

 private:
  // Longest first, so that a secret containing another is masked whole.
  void rebuild_forms() {
    forms_.clear();
    std::unordered_set<std::string> seen;
    for (const std::string& secret : order_) {
      for (std::string form : {secret, url_encode(secret), json_escaped(secret)}) {
        if (seen.insert(form).second) forms_.push_back(std::move(form));
      }
    }
    std::sort(forms_.begin(), forms_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  }

  mutable std::shared_mutex mutex_;
  std::unordered_set<std::string> known_;
  std::deque<std::string> order_;
  std::vector<std::string> forms_;
  std::atomic<bool> any_{false};
};

Registry& registry() {
  static Registry* instance = new Registry();  // never destroyed: used until exit
  return *instance;
}

}  // namespace

void remember_secret(std::string_view secret) {
  registry().add(secret);
}

std::string scrub(std::string text) {
  return registry().scrub(std::move(text));
}

void scrub(Error& error) {
  error.message = scrub(std::move(error.message));
  error.vendor_code = scrub(std::move(error.vendor_code));
  error.vendor_message = scrub(std::move(error.vendor_message));
}

void scrub(DecodeNote& note) {
  note.path = scrub(std::move(note.path));
  note.problem = scrub(std::move(note.problem));
  note.raw = scrub(std::move(note.raw));
}

Error scrubbed(Error error) {
  scrub(error);
  return error;
}

DecodeNotes scrubbed(DecodeNotes notes) {
  for (DecodeNote& note : notes) scrub(note);
  return notes;
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
