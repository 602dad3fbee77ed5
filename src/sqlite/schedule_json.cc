#include "sqlite/schedule_json.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace menjin {

namespace {

using Json = nlohmann::json;

constexpr int kMinutesPerDay = 24 * 60;

// Reads one [start, end] pair without throwing; nullopt for any other shape.
std::optional<WeeklySchedule::Range> RangeFromJson(const Json& pair) {
    if (!pair.is_array() || pair.size() != 2)
        return std::nullopt;
    if (!pair[0].is_number_integer() || !pair[1].is_number_integer())
        return std::nullopt;
    WeeklySchedule::Range range;
    range.start_minute = pair[0].get<int>();
    range.end_minute = pair[1].get<int>();
    return range;
}

}  // namespace

Status ValidateSchedule(const WeeklySchedule& schedule) {
    for (std::size_t day = 0; day < schedule.days.size(); ++day) {
        for (const WeeklySchedule::Range& range : schedule.days[day]) {
            if (range.start_minute >= 0 && range.start_minute < range.end_minute &&
                range.end_minute <= kMinutesPerDay) {
                continue;
            }
            return InvalidArgument(
                fmt::format("store: schedule range [{}, {}) of day {} must satisfy "
                            "0 <= start < end <= {}",
                            range.start_minute, range.end_minute, day, kMinutesPerDay),
                "schedule");
        }
    }
    return Status::Ok();
}

std::string ScheduleToJson(const WeeklySchedule& schedule) {
    Json days = Json::array();
    for (const std::vector<WeeklySchedule::Range>& ranges : schedule.days) {
        Json day = Json::array();
        for (const WeeklySchedule::Range& range : ranges) {
            day.push_back(Json::array({range.start_minute, range.end_minute}));
        }
        days.push_back(std::move(day));
    }
    return days.dump();
}

std::optional<WeeklySchedule> ScheduleFromJson(const std::string& json) {
    // parse() with allow_exceptions = false returns a discarded value instead of throwing.
    Json days = Json::parse(json, nullptr, false);
    WeeklySchedule schedule;
    if (days.is_discarded() || !days.is_array() || days.size() != schedule.days.size()) {
        return std::nullopt;
    }
    for (std::size_t day = 0; day < schedule.days.size(); ++day) {
        if (!days[day].is_array())
            return std::nullopt;
        for (const Json& pair : days[day]) {
            std::optional<WeeklySchedule::Range> range = RangeFromJson(pair);
            if (!range)
                return std::nullopt;
            schedule.days[day].push_back(*range);
        }
    }
    return schedule;
}

}  // namespace menjin
