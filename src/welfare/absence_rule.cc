#include "welfare/absence_rule.h"

#include "common/local_time.h"

namespace menjin {

namespace {

bool IsWatched(const ResidentActivity& resident, const WelfarePolicy& policy, int year) {
    if (resident.watch_days)
        return true;
    if (policy.min_age <= 0)
        return true;
    return resident.birth_year > 0 && year - resident.birth_year >= policy.min_age;
}

}  // namespace

Result<AbsenceCheck> CheckAbsence(const ResidentActivity& resident, const WelfarePolicy& policy,
                                  UnixSeconds now, const std::string& time_zone) {
    MENJIN_ASSIGN_OR_RETURN(LocalTime today, ToLocalTime(now, time_zone));
    AbsenceCheck check;
    check.watched = IsWatched(resident, policy, today.year);
    check.days_required = resident.watch_days.value_or(policy.default_days);
    check.last_sign_of_life = resident.last_seen.value_or(resident.since);
    if (!check.watched || check.days_required < 1)
        return check;

    MENJIN_ASSIGN_OR_RETURN(LocalTime seen, ToLocalTime(check.last_sign_of_life, time_zone));
    // Days strictly between the day of the last sign of life and today, plus today once it has
    // begun, are the full days without a passage.
    check.days_since_seen = static_cast<int>(today.local_day_number - seen.local_day_number);
    const bool long_enough = check.days_since_seen > check.days_required;
    // A resolved alert stays quiet until the person has been seen after the resolution.
    const bool seen_since_resolution =
        !resident.last_resolved ||
        (resident.last_seen && *resident.last_seen > *resident.last_resolved);
    check.absent = long_enough && seen_since_resolution;
    return check;
}

}  // namespace menjin
