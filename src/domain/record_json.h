#pragma once

#include <nlohmann/json.hpp>

#include "domain/records.h"

namespace menjin {

// JSON forms of the records for the command line and the HTTP API. Instants are written as
// "YYYY-MM-DDTHH:MM:SSZ". Secrets never appear: an AltCredential has no hash in its JSON.
// Callers decide which records a reader may see; a Unit's JSON includes its address.
nlohmann::json ToJson(const Estate& estate);
nlohmann::json ToJson(const Gate& gate);
nlohmann::json ToJson(const Unit& unit);
nlohmann::json ToJson(const Household& household);
nlohmann::json ToJson(const Person& person);
nlohmann::json ToJson(const ServiceCompany& company);
nlohmann::json ToJson(const ServiceStaff& staff);
nlohmann::json ToJson(const AccessGrant& grant);
nlohmann::json ToJson(const AltCredential& credential);
nlohmann::json ToJson(const Passage& passage);
nlohmann::json ToJson(const DeletionReceipt& receipt);

}  // namespace menjin
