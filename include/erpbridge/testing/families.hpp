// Registers the emulators of every API family on one Emulator router.
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <string>
#include <vector>

#include "erpbridge/testing/emulator.hpp"

namespace erpbridge::testing {

/// Credentials and seed data of the family emulators.
struct ERPBRIDGE_TESTING_EXPORT FamilySettings {
  /// The CTC key the CTC emulator accepts.
  std::string ctc_key = "erpbridge-demo-key";
  /// The Authorization token the WMS receiver accepts.
  std::string wms_token = "erpbridge-demo-token";
  /// The app key and secret the Kingdee auth-token endpoint accepts.
  std::string kingdee_app_key = "erpbridge-demo-app";
  std::string kingdee_app_secret = "erpbridge-demo-secret";  ///< (see kingdee_app_key)
  /// The open platform client id and secret whose API 2.0 signature the auth endpoints
  /// require.
  std::string kingdee_client_id = "erpbridge-demo-client";
  std::string kingdee_client_secret = "erpbridge-demo-client-secret";  ///< (see client_id)
};

/// Adds "/_emulator/health" (GET: status and family names) and "/_emulator/echo" (POST:
/// answers with the request body), then every family emulator seeded with sample data:
///  - CTC: POST /doscall/oa/api/receipt_parts/ with the spec's samples and receipts every
///    6 hours for 90 days from 2020-03-01 08:00:00 (in) and 11:00:00 (out).
///  - WMS: POST /CreateEntryConfirmation, a receiver answering bil_id "PC".
///  - Kingdee: GET /jdyconnector/app_management/kingdee_auth_token and POST
///    /app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup (entry_pk 1634800180022794240 known).
///  - After-service: every endpoint under /api/v1/afterservice, with 24 products, 4
///    supplier matches and 12 orders at various workflow stages.
ERPBRIDGE_TESTING_EXPORT void install_all_families(Emulator& emulator,
                                                   const FamilySettings& settings = {});

/// Names of the family emulators install_all_families() adds.
ERPBRIDGE_TESTING_EXPORT std::vector<std::string> family_names();

}  // namespace erpbridge::testing
