#pragma once

#include <nlohmann/json.hpp>

#include "domain/security_records.h"

namespace menjin {

// JSON forms of the security records for the command line and the HTTP API, with instants as
// "YYYY-MM-DDTHH:MM:SSZ". Password and token hashes never appear in them.
nlohmann::json ToJson(const Operator& account);
nlohmann::json ToJson(const DeviceCredential& credential);
nlohmann::json ToJson(const AuditEntry& entry);

}  // namespace menjin
