// Registers the emulators of every API family on one Emulator router.
#pragma once

#include <string>
#include <vector>

#include "erpbridge/testing/emulator.hpp"

namespace erpbridge::testing {

/// Adds the built-in emulator routes: "/_emulator/health" (GET, lists the families) and
/// "/_emulator/echo" (POST, answers with the request body), then each family's routes.
void install_all_families(Emulator& emulator);

/// Names of the family emulators install_all_families() adds.
std::vector<std::string> family_names();

}  // namespace erpbridge::testing
