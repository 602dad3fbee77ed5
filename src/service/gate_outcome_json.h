#pragma once

#include <nlohmann/json.hpp>

#include "service/access_core.h"

namespace menjin {

// Returns what a gate may show and log about a decision: decision band, reason, masked name,
// a reference to the display thumbnail when there is one, score and thresholds. It never
// contains an address, unit or unmasked name.
nlohmann::json GateOutcomeToJson(const GateOutcome& outcome);

}  // namespace menjin
