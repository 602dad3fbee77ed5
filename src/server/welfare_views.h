#pragma once

// JSON and CSV pieces that the alert and lead routes share. The callers have already checked
// that the caller may see the records.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "storage/store.h"

namespace menjin {

// Returns `text` as one CSV field: quoted when it contains a comma, quote or line break, and
// prefixed with an apostrophe when it starts with '=', '+', '-' or '@', so that a spreadsheet
// does not run a free-text note as a formula.
std::string CsvField(std::string_view text);

// Returns {id, name, role, birth_year, welfare_days, household_id, unit} of the person, where
// unit is {id, building, number} of their household's unit, or null when the person no longer
// exists (the id is then a move-out pseudonym).
Result<nlohmann::json> PersonSummary(Store& store, const std::string& person_id);

// Returns the passages with these ids that still exist, newest first.
Result<nlohmann::json> PassagesById(Store& store, const std::vector<std::int64_t>& ids);

}  // namespace menjin
