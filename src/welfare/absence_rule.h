#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Settings of the welfare rule of one estate: whom it watches and for how many days.
struct WelfarePolicy {
    // Days without any passage before an alert, for watched residents without their own value.
    int default_days = 3;
    // Residents at least this old (by birth year) are watched by default; 0 watches everyone.
    int min_age = 70;
};

// The activity of one resident, as the welfare rule reads it.
struct ResidentActivity {
    std::string person_id;
    int birth_year = 0;  // 0 when unknown: then only a watch flag makes the person watched
    // The person's own number of days (the watch flag); set for residents who live alone,
    // who are frail, or whose family asked, whatever their age.
    std::optional<int> watch_days;
    // Last passage of the person at any gate of the estate, with any credential.
    std::optional<UnixSeconds> last_seen;
    // When the person was added. It replaces last_seen until their first passage.
    UnixSeconds since = 0;
    // When the person's last welfare alert was resolved, if ever.
    std::optional<UnixSeconds> last_resolved;
};

// The rule's verdict for one resident.
struct AbsenceCheck {
    bool watched = false;
    bool absent = false;  // raise (or keep) an alert
    int days_required = 0;
    // Whole local calendar days since the local day of the last sign of life.
    int days_since_seen = 0;
    UnixSeconds last_sign_of_life = 0;
};

// Applies the welfare rule at `now` in the estate's time zone.
//
// A watched resident is absent when `days_required` whole local calendar days have passed
// without a passage. For example, with 3 days required and a last passage on Monday, the alert
// is due from the start of Friday, after no passage on Tuesday, Wednesday and Thursday.
// Counting local days rather than 24-hour periods keeps the rule right across daylight-saving
// changes.
//
// After an alert is resolved, the person is not flagged again until they have passed a gate
// after the resolution and then stayed away again: someone in hospital is not re-raised every
// evaluation. Fails only for an unknown time zone.
Result<AbsenceCheck> CheckAbsence(const ResidentActivity& resident, const WelfarePolicy& policy,
                                  UnixSeconds now, const std::string& time_zone);

}  // namespace menjin
