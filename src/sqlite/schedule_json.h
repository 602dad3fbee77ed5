#pragma once

// WeeklySchedule as stored in access_grants.schedule: a JSON array of seven arrays (Monday
// first), each holding [start_minute, end_minute] pairs, e.g. [[[480,1200]],[],[],[],[],[],[]].

#include <optional>
#include <string>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Returns kInvalidArgument unless every range satisfies 0 <= start < end <= 1440.
Status ValidateSchedule(const WeeklySchedule& schedule);

std::string ScheduleToJson(const WeeklySchedule& schedule);

// Parses ScheduleToJson's output; nullopt when `json` does not have that shape.
std::optional<WeeklySchedule> ScheduleFromJson(const std::string& json);

}  // namespace menjin
