#include "welfare/sublet_rule.h"

#include <algorithm>
#include <set>

#include "common/local_time.h"

namespace menjin {

Result<std::optional<SubletEvidence>> CheckTenantAbsentUnitInUse(
    UnixSeconds tenant_last_seen, const std::vector<HouseholdUse>& uses, const SubletPolicy& policy,
    UnixSeconds now, const std::string& time_zone) {
    MENJIN_ASSIGN_OR_RETURN(LocalTime today, ToLocalTime(now, time_zone));
    MENJIN_ASSIGN_OR_RETURN(LocalTime seen, ToLocalTime(tenant_last_seen, time_zone));
    SubletEvidence evidence;
    evidence.tenant_last_seen = tenant_last_seen;
    evidence.tenant_absent_days = static_cast<int>(today.local_day_number - seen.local_day_number);
    // As in the welfare rule, the days strictly between the local day of the last sign of life
    // and today are the whole days of absence, so the signal needs one day more than that.
    if (evidence.tenant_absent_days <= policy.tenant_absent_days) {
        return std::optional<SubletEvidence>();
    }

    std::set<std::int64_t> days;
    std::set<std::string> users;
    for (const HouseholdUse& use : uses) {
        if (use.at <= tenant_last_seen || use.at > now)
            continue;
        MENJIN_ASSIGN_OR_RETURN(LocalTime local, ToLocalTime(use.at, time_zone));
        days.insert(local.local_day_number);
        users.insert(use.person_id);
        ++evidence.use_passages;
        evidence.first_use =
            evidence.first_use == 0 ? use.at : std::min(evidence.first_use, use.at);
        evidence.last_use = std::max(evidence.last_use, use.at);
    }
    evidence.use_days = static_cast<int>(days.size());
    evidence.users.assign(users.begin(), users.end());
    if (evidence.use_days < policy.min_use_days ||
        evidence.use_passages < policy.min_use_passages) {
        return std::optional<SubletEvidence>();
    }
    return std::optional<SubletEvidence>(std::move(evidence));
}

}  // namespace menjin
