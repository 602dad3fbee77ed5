#include "domain/schedule_text.h"

#include <cstdio>
#include <sstream>

namespace menjin {

namespace {

constexpr const char* kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

Status Invalid(const std::string& part) {
    return InvalidArgument(
        "invalid schedule part '" + part + "': use e.g. 'mon-fri 07:00-22:00; sat 09:00-12:00'",
        "schedule");
}

int DayIndex(const std::string& name) {
    for (int i = 0; i < 7; ++i) {
        if (name == kDayNames[i])
            return i;
    }
    return -1;
}

// Parses "mon", "mon-fri" or "sat,sun" into a set of days.
bool ParseDays(const std::string& text, std::array<bool, 7>& days) {
    std::stringstream groups(text);
    std::string group;
    while (std::getline(groups, group, ',')) {
        const std::size_t dash = group.find('-');
        const int first = DayIndex(group.substr(0, dash));
        const int last = dash == std::string::npos ? first : DayIndex(group.substr(dash + 1));
        if (first < 0 || last < 0)
            return false;
        for (int d = first;; d = (d + 1) % 7) {
            days[d] = true;
            if (d == last)
                break;
        }
    }
    return true;
}

// Parses "HH:MM-HH:MM" into minutes since midnight.
bool ParseRange(const std::string& text, WeeklySchedule::Range& range) {
    int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4) {
        return false;
    }
    range.start_minute = h1 * 60 + m1;
    range.end_minute = h2 * 60 + m2;
    const bool valid_clock = h1 <= 23 && m1 <= 59 && m2 <= 59 && h2 <= 24 && h1 >= 0 && h2 >= 0;
    return valid_clock && range.end_minute <= 24 * 60 && range.start_minute < range.end_minute;
}

std::string Clock(int minute) {
    char text[16];
    std::snprintf(text, sizeof(text), "%02d:%02d", minute / 60, minute % 60);
    return text;
}

}  // namespace

Result<WeeklySchedule> ParseWeeklySchedule(const std::string& text) {
    WeeklySchedule schedule;
    if (text.empty() || text == "always")
        return schedule;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ';')) {
        std::stringstream words(part);
        std::string day_text;
        if (!(words >> day_text))
            continue;
        std::array<bool, 7> days{};
        if (!ParseDays(day_text, days))
            return Invalid(part);
        std::string range_text;
        bool any_range = false;
        while (words >> range_text) {
            WeeklySchedule::Range range;
            if (!ParseRange(range_text, range))
                return Invalid(part);
            for (int d = 0; d < 7; ++d) {
                if (days[d])
                    schedule.days[d].push_back(range);
            }
            any_range = true;
        }
        if (!any_range)
            return Invalid(part);
    }
    if (schedule.IsAlways())
        return Invalid(text);
    return schedule;
}

std::string FormatWeeklySchedule(const WeeklySchedule& schedule) {
    if (schedule.IsAlways())
        return "always";
    std::string text;
    for (int d = 0; d < 7; ++d) {
        if (schedule.days[d].empty())
            continue;
        if (!text.empty())
            text += "; ";
        text += kDayNames[d];
        for (const WeeklySchedule::Range& r : schedule.days[d]) {
            text += ' ';
            text += Clock(r.start_minute);
            text += '-';
            text += Clock(r.end_minute);
        }
    }
    return text;
}

}  // namespace menjin
