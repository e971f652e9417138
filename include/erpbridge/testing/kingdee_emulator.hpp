// An in-process Kingdee gateway: the auth-token endpoint, token and header checks, and the
// spare-parts push answered with the spec's sample bill.
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "erpbridge/testing/emulator.hpp"

namespace erpbridge::testing {

/// The spec's response example for the push: its shape and values, with made-up personal
/// data (name "示例用户", phone "13800000000").
ERPBRIDGE_TESTING_EXPORT const char* kingdee_spec_sample();

/// Credentials and behaviour of a KingdeeEmulator.
struct ERPBRIDGE_TESTING_EXPORT KingdeeEmulatorSettings {
  std::string app_key = "erpbridge-demo-app";        ///< The app key it accepts.
  std::string app_secret = "erpbridge-demo-secret";  ///< The secret signatures are checked with.
  std::chrono::milliseconds token_lifetime = std::chrono::hours(2);  ///< Validity of a token.
  /// Work-order executions the push knows; others get success:false.
  std::vector<std::string> known_entry_pks = {"1634800180022794240"};
};

/// The Kingdee gateway in memory; copies share tokens and bills.
class ERPBRIDGE_TESTING_EXPORT KingdeeEmulator {
 public:
  /// A gateway with `settings`.
  explicit KingdeeEmulator(KingdeeEmulatorSettings settings = {});

  /// Routes GET /jdyconnector/app_management/kingdee_auth_token and
  /// POST /app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup on `emulator`.
  void install(Emulator& emulator) const;

  /// A valid token, as if fetched (for tests using a static token).
  std::string issue_token() const;
  /// Makes every token issued so far expired.
  void expire_tokens() const;
  /// Requests to the auth-token endpoint so far.
  std::size_t auth_requests() const;
  /// Bills created by pushes so far.
  std::size_t bills_created() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::testing
