#include "sqlite/schedule_json.h"

#include <gtest/gtest.h>

namespace menjin {
namespace {

TEST(ScheduleJsonTest, RoundTripKeepsRanges) {
    WeeklySchedule schedule;
    schedule.days[0] = {{480, 720}, {780, 1080}};
    schedule.days[5] = {{0, 1440}};

    std::optional<WeeklySchedule> parsed = ScheduleFromJson(ScheduleToJson(schedule));

    ASSERT_TRUE(parsed.has_value());
    ASSERT_EQ(parsed->days[0].size(), 2u);
    EXPECT_EQ(parsed->days[0][1].start_minute, 780);
    EXPECT_EQ(parsed->days[0][1].end_minute, 1080);
    EXPECT_TRUE(parsed->days[1].empty());
    ASSERT_EQ(parsed->days[5].size(), 1u);
    EXPECT_EQ(parsed->days[5][0].end_minute, 1440);
}

TEST(ScheduleJsonTest, EmptyScheduleIsSevenEmptyDays) {
    EXPECT_EQ(ScheduleToJson(WeeklySchedule{}), "[[],[],[],[],[],[],[]]");
}

TEST(ScheduleJsonTest, MalformedJsonIsRejected) {
    for (const char* json : {"", "{}", "[[],[],[]]", "[[],[],[],[],[],[],[[1]]]",
                             "[[],[],[],[],[],[],[[\"a\",2]]]", "[[],[],[],[],[],[],7]", "[[]"}) {
        EXPECT_FALSE(ScheduleFromJson(json).has_value()) << json;
    }
}

TEST(ScheduleJsonTest, ValidationChecksRangeBounds) {
    WeeklySchedule valid;
    valid.days[2] = {{0, 1440}};
    EXPECT_TRUE(ValidateSchedule(valid).ok());

    WeeklySchedule empty_range;
    empty_range.days[2] = {{600, 600}};
    EXPECT_EQ(ValidateSchedule(empty_range).code(), ErrorCode::kInvalidArgument);

    WeeklySchedule negative;
    negative.days[2] = {{-1, 600}};
    EXPECT_EQ(ValidateSchedule(negative).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace menjin
