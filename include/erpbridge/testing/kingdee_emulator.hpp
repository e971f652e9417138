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
  /// The open platform's client id and secret: the auth endpoints require the API 2.0
  /// signature made with them (checked by the emulator's own code), unless client_id is
  /// empty.
  std::string client_id = "erpbridge-demo-client";
  std::string client_secret = "erpbridge-demo-client-secret";  ///< (see client_id)
  /// How far X-Api-TimeStamp may be from the emulator's clock (the gateway's 5 minutes).
  std::chrono::seconds timestamp_window{300};
  /// The customer instance push_app_authorize knows; it answers with app_key/app_secret.
  std::string outer_instance_id = "509132114453729280";
  /// The IDC domain the authorisation reply names (a header value, never contacted).
  std::string domain = "https://gw-router.erpbridge.test";
  /// Whether the token reply names the domain too (some products' replies do).
  bool domain_in_token_reply = false;
  /// The key the token reply puts the token under: "app-token", "app_token" or
  /// "access_token".
  std::string token_key = "app-token";
  /// Whether the token reply carries `expires` (epoch milliseconds); Kingdee's usually does
  /// not (a token is valid 24 hours).
  bool send_expires = false;
  std::chrono::milliseconds token_lifetime = std::chrono::hours(24);  ///< Validity of a token.
  /// Header values the push requires when set (each must equal); empty: any non-empty value.
  std::string group_name;
  std::string account_id;   ///< (see group_name)
  std::string router_addr;  ///< (see group_name); the domain above is accepted as well
  /// Work-order executions the push knows; others get success:false.
  std::vector<std::string> known_entry_pks = {"1634800180022794240"};
};

/// The Kingdee gateway in memory; copies share tokens and bills.
class ERPBRIDGE_TESTING_EXPORT KingdeeEmulator {
 public:
  /// A gateway with `settings`.
  explicit KingdeeEmulator(KingdeeEmulatorSettings settings = {});

  /// Routes GET /jdyconnector/app_management/kingdee_auth_token, POST
  /// /jdyconnector/app_management/push_app_authorize and POST
  /// /app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup on `emulator`.
  void install(Emulator& emulator) const;

  /// A valid token, as if fetched (for tests using a static token).
  std::string issue_token() const;
  /// Makes every token issued so far expired.
  void expire_tokens() const;
  /// Requests to the auth-token endpoint so far.
  std::size_t auth_requests() const;
  /// Requests to push_app_authorize so far.
  std::size_t authorize_requests() const;
  /// Bills created by pushes so far.
  std::size_t bills_created() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::testing
