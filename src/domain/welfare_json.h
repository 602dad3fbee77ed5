#pragma once

#include <nlohmann/json.hpp>

#include "domain/welfare_records.h"

namespace menjin {

// JSON forms of the welfare records for the command line and the HTTP API. Instants are
// "YYYY-MM-DDTHH:MM:SSZ" and unset optional values are null.

nlohmann::json ToJson(const WelfareAlert& alert);
// The evidence text is parsed back into an object; text that is not valid JSON (which the
// store never writes) becomes null.
nlohmann::json ToJson(const Lead& lead);
// The webhook URL may carry a secret token, so it is included only when `with_webhook_url` is
// true. "webhook_configured" is true whenever one is set.
nlohmann::json ToJson(const EstateWelfareSettings& settings, bool with_webhook_url);

}  // namespace menjin
