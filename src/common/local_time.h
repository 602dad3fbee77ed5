#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace menjin {

// A moment as a wall clock in some time zone shows it.
struct LocalTime {
    int year = 0;
    int month = 0;          // 1 to 12
    int day = 0;            // 1 to 31
    int weekday = 0;        // 0 = Monday ... 6 = Sunday
    int minute_of_day = 0;  // 0 to 1439
    // Days since 1970-01-01 of the local calendar date, for counting whole days.
    std::int64_t local_day_number = 0;
};

// Converts Unix seconds to the local time of the IANA zone `time_zone` (e.g. "Asia/Shanghai"),
// with the operating system's time zone database. Fails with kInvalidArgument naming the zone
// when it is unknown. Thread-safe.
Result<LocalTime> ToLocalTime(std::int64_t unix_seconds, const std::string& time_zone);

// Returns ok when `time_zone` names a zone in the database; kInvalidArgument otherwise.
Status ValidateTimeZone(const std::string& time_zone);

// Returns the Unix time of local midnight starting local day `local_day_number` in the zone.
// Where a daylight-saving change skips midnight, returns the first instant of that day.
Result<std::int64_t> LocalMidnight(std::int64_t local_day_number, const std::string& time_zone);

// Formats Unix seconds as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatUtc(std::int64_t unix_seconds);

// Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS]Z"; kInvalidArgument otherwise.
Result<std::int64_t> ParseUtc(const std::string& text);

}  // namespace menjin
