#pragma once

#include <string>

#include "common/status.h"
#include "domain/records.h"

namespace menjin {

// Parses a weekly schedule written as day groups and time ranges separated by ';', e.g.
// "mon-fri 07:00-22:00; sat,sun 09:00-12:00 14:00-18:00". Days are mon, tue, wed, thu, fri,
// sat, sun (ranges wrap: "fri-mon"); times are HH:MM with 24:00 allowed as an end. An empty
// text or "always" means no restriction. Fails with kInvalidArgument quoting the bad part.
Result<WeeklySchedule> ParseWeeklySchedule(const std::string& text);

// Formats a schedule in the form ParseWeeklySchedule reads, one group per day; "always" when
// the schedule has no restriction.
std::string FormatWeeklySchedule(const WeeklySchedule& schedule);

}  // namespace menjin
