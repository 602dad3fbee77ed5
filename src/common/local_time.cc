#include "common/local_time.h"

#include <chrono>
#include <cstdio>

#include <date/date.h>
#include <date/tz.h>

namespace menjin {

namespace {

using Seconds = std::chrono::seconds;
using SysSeconds = date::sys_time<Seconds>;

Result<const date::time_zone*> Zone(const std::string& time_zone) {
    try {
        return date::locate_zone(time_zone);
    } catch (const std::exception&) {
        return InvalidArgument(
            "time: unknown time zone '" + time_zone + "': use an IANA name such as Asia/Shanghai",
            "timezone");
    }
}

}  // namespace

Result<LocalTime> ToLocalTime(std::int64_t unix_seconds, const std::string& time_zone) {
    MENJIN_ASSIGN_OR_RETURN(const date::time_zone* zone, Zone(time_zone));
    const auto local = zone->to_local(SysSeconds(Seconds(unix_seconds)));
    const auto day = date::floor<date::days>(local);
    const date::year_month_day ymd(day);
    const date::weekday weekday(day);
    LocalTime result;
    result.year = static_cast<int>(ymd.year());
    result.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    result.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    result.weekday = static_cast<int>((weekday.c_encoding() + 6) % 7);
    result.minute_of_day =
        static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
    result.local_day_number = day.time_since_epoch().count();
    return result;
}

Status ValidateTimeZone(const std::string& time_zone) {
    return Zone(time_zone).status();
}

Result<std::int64_t> LocalMidnight(std::int64_t local_day_number, const std::string& time_zone) {
    MENJIN_ASSIGN_OR_RETURN(const date::time_zone* zone, Zone(time_zone));
    const date::local_seconds midnight{date::local_days(date::days(local_day_number))};
    const date::local_info info = zone->get_info(midnight);
    SysSeconds instant;
    if (info.result == date::local_info::nonexistent) {
        instant = info.second.begin;  // the clock jumped over midnight: the day starts there
    } else {
        instant = zone->to_sys(midnight, date::choose::earliest);
    }
    return static_cast<std::int64_t>(instant.time_since_epoch().count());
}

std::string FormatUtc(std::int64_t unix_seconds) {
    return date::format("%FT%TZ", SysSeconds(Seconds(unix_seconds)));
}

Result<std::int64_t> ParseUtc(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char tail = 0;
    const int date_fields = std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail);
    bool ok = false;
    if (date_fields == 3) {
        ok = true;
    } else if (date_fields == 4 && tail == 'T') {
        char zone = 0;
        const int n =
            std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &zone);
        const int short_n = n == 7 ? 0
                                   : std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d,
                                                 &h, &mi, &zone);
        if (n != 7)
            s = 0;
        ok = (n == 7 || short_n == 6) && zone == 'Z';
    }
    const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                                   date::day(static_cast<unsigned>(d))};
    if (!ok || !ymd.ok() || h > 23 || mi > 59 || s > 60) {
        return InvalidArgument("time: invalid time '" + text +
                               "': use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
    }
    const auto day = date::sys_days(ymd);
    return static_cast<std::int64_t>(day.time_since_epoch().count()) * 86400 + h * 3600 + mi * 60 +
           s;
}

}  // namespace menjin
