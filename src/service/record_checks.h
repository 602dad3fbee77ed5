#pragma once

// Validation of directory records shared by the add and update paths of AccessCore. Each check
// returns kInvalidArgument naming the field, or ok.

#include <string>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Checks that `id` passes IsValidId; `field` names it in the error (e.g. "estate_id").
Status CheckId(const std::string& id, const std::string& field);
Status CheckNotEmpty(const std::string& value, const std::string& field);
// Checks from < to; `what` names the window in the error (e.g. "grant").
Status CheckWindow(UnixSeconds from, UnixSeconds to, const std::string& what);
// Checks the name, time zone, target FPIR, margin and welfare period (not the id).
Status CheckEstateFields(const Estate& estate);
// Checks the name, birth year and personal welfare period (not the id or household).
Status CheckPersonFields(const Person& person);

}  // namespace menjin
