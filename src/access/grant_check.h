#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/local_time.h"
#include "domain/records.h"

namespace menjin {

// Whether a person may pass an estate's gates at one moment, and why not.
struct GrantCheck {
    bool allowed = false;
    // When not allowed, one of: "no_grant" (none for this estate), "grant_not_started",
    // "grant_expired", "outside_schedule", "staff_not_verified", "staff_validity_ended",
    // "staff_not_yet_valid", "staff_estate_not_served".
    std::string reason;
};

// Checks the person's grants for `estate_id` at `now` (whose local time in the estate is
// `local`). Service staff additionally need a recorded verification, a validity window that
// contains `now`, and `estate_id` among the estates they serve; pass their record as `staff`
// (nullptr for residents). Pure function.
GrantCheck CheckGrants(const std::vector<AccessGrant>& grants, const std::string& estate_id,
                       UnixSeconds now, const LocalTime& local, const ServiceStaff* staff);

}  // namespace menjin
