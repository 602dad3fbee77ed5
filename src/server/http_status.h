#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace menjin {

// The one table from error codes to HTTP statuses, used for every error the API returns.
// Returns 200 for kOk.
int HttpStatusOf(ErrorCode code);

// Returns the error code name for a status that the HTTP library produced by itself, such as
// for a malformed request or a body over the size limit. 413 is "too_large", 404 "not_found",
// other 4xx "invalid_argument", 503 "unavailable" and other 5xx "internal".
std::string ErrorNameOfHttpStatus(int status);

// Returns {"error": {"code": ..., "message": ..., "field": ... or null}}, the shape of every
// error body. `code` is a snake_case name such as ErrorCodeName() returns.
nlohmann::json ErrorBody(const std::string& code, const std::string& message,
                         const std::string& field);

}  // namespace menjin
