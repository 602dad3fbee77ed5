#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "domain/records.h"
#include "server/json_fields.h"
#include "server/route.h"

namespace menjin {

// Helpers that route handlers share to read requests and build replies. Every parse failure is
// kInvalidArgument with the name of the parameter or field.

// Parses the request body as a JSON object.
Result<JsonFields> ReadJsonBody(const ApiRequest& request);

// Reads an integer query parameter in [min, max]; `fallback` when absent.
Result<std::int64_t> QueryInteger(const ApiRequest& request, const std::string& name,
                                  std::int64_t fallback, std::int64_t min, std::int64_t max);
// Reads an instant query parameter (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).
Result<std::optional<UnixSeconds>> QueryInstant(const ApiRequest& request, const std::string& name);
// Reads an id query parameter; "" when absent.
Result<std::string> QueryId(const ApiRequest& request, const std::string& name);

// Returns a JSON array of ToJson(record) for each record.
template <typename Record>
nlohmann::json JsonArray(const std::vector<Record>& records) {
    nlohmann::json out = nlohmann::json::array();
    for (const Record& record : records)
        out.push_back(ToJson(record));
    return out;
}

}  // namespace menjin
