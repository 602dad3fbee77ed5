#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Thresholds of the "tenant absent, unit in use" signal.
struct SubletPolicy {
    // The registered tenant has passed no gate on at least this many whole local days: with
    // 30 and a last passage on 1 March, the signal is due from the start of 1 April.
    int tenant_absent_days = 30;
    // Meanwhile other household members or the unit's alternative credentials were used on at
    // least this many distinct local days...
    int min_use_days = 7;
    // ...with at least this many passages in all.
    int min_use_passages = 10;
};

// One passage by someone of the household other than the tenant, or by one of the unit's
// alternative credentials.
struct HouseholdUse {
    std::string person_id;
    std::string credential;  // "face", "card", "pin" or "qr"
    UnixSeconds at = 0;
};

// Evidence that a unit may be sublet or lent out: the tenant has been away while the unit's
// other members or credentials kept being used.
struct SubletEvidence {
    UnixSeconds tenant_last_seen = 0;  // or when the tenant was added, if never seen
    // Local calendar days from the day of tenant_last_seen to today (31 on 1 April after a
    // passage on 1 March), as WelfareAlert::days_since_seen counts them.
    int tenant_absent_days = 0;
    int use_passages = 0;
    int use_days = 0;
    std::vector<std::string> users;  // distinct person ids seen using the unit meanwhile
    UnixSeconds first_use = 0;
    UnixSeconds last_use = 0;
};

// Returns evidence when the policy's thresholds are met at `now`, nullopt otherwise. Only uses
// after the tenant's last sign of life count. Days are local calendar days of `time_zone`.
// Fails only for an unknown time zone. Pure function.
Result<std::optional<SubletEvidence>> CheckTenantAbsentUnitInUse(
    UnixSeconds tenant_last_seen, const std::vector<HouseholdUse>& uses, const SubletPolicy& policy,
    UnixSeconds now, const std::string& time_zone);

}  // namespace menjin
