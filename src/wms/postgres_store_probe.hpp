// What tests may read of a PostgreSQL store's settings as it worked them out.
#pragma once

#include <chrono>

#include "erpbridge/wms/receiver.hpp"

namespace erpbridge::wms::internal {

/// How long `store` (one from open_postgres_store) waits for an answer: zero for no limit,
/// -1 ms for a store that is not PostgreSQL's.
std::chrono::milliseconds postgres_answer_timeout(ClaimStore& store);

}  // namespace erpbridge::wms::internal
