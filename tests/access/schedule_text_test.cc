#include "domain/schedule_text.h"

#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace menjin {
namespace {

using ::testing::HasSubstr;
using Range = WeeklySchedule::Range;

constexpr int kMonday = 0;
constexpr int kTuesday = 1;
constexpr int kThursday = 3;
constexpr int kFriday = 4;
constexpr int kSaturday = 5;
constexpr int kSunday = 6;

using Minutes = std::pair<int, int>;

// Returns the ranges as (start, end) minute pairs, which GoogleTest can compare and print.
std::vector<Minutes> Ranges(const std::vector<Range>& ranges) {
    std::vector<Minutes> pairs;
    for (const Range& range : ranges)
        pairs.emplace_back(range.start_minute, range.end_minute);
    return pairs;
}

WeeklySchedule Parse(const std::string& text) {
    Result<WeeklySchedule> schedule = ParseWeeklySchedule(text);
    EXPECT_TRUE(schedule.ok()) << text << ": " << schedule.status().ToString();
    return schedule.ok() ? *schedule : WeeklySchedule{};
}

TEST(ParseWeeklyScheduleTest, DayRangeAndList) {
    const WeeklySchedule schedule = Parse("mon-fri 07:00-22:00; sat,sun 09:00-12:00 14:00-18:00");

    for (int day = kMonday; day <= kFriday; ++day) {
        EXPECT_THAT(Ranges(schedule.days[day]), ::testing::ElementsAre(Minutes{7 * 60, 22 * 60}))
            << day;
    }
    for (int day : {kSaturday, kSunday}) {
        EXPECT_THAT(Ranges(schedule.days[day]),
                    ::testing::ElementsAre(Minutes{9 * 60, 12 * 60}, Minutes{14 * 60, 18 * 60}))
            << day;
    }
}

TEST(ParseWeeklyScheduleTest, SingleDay) {
    const WeeklySchedule schedule = Parse("thu 08:30-09:45");

    EXPECT_THAT(Ranges(schedule.days[kThursday]),
                ::testing::ElementsAre(Minutes{8 * 60 + 30, 9 * 60 + 45}));
    EXPECT_TRUE(schedule.days[kMonday].empty());
    EXPECT_TRUE(schedule.days[kSunday].empty());
}

TEST(ParseWeeklyScheduleTest, DayRangeWrapsOverWeekEnd) {
    const WeeklySchedule schedule = Parse("fri-mon 08:00-10:00");

    for (int day : {kFriday, kSaturday, kSunday, kMonday}) {
        EXPECT_EQ(schedule.days[day].size(), 1u) << day;
    }
    for (int day : {kTuesday, 2, kThursday}) {
        EXPECT_TRUE(schedule.days[day].empty()) << day;
    }
}

TEST(ParseWeeklyScheduleTest, MidnightEndIsAllowed) {
    const WeeklySchedule schedule = Parse("sun 22:00-24:00");

    EXPECT_THAT(Ranges(schedule.days[kSunday]), ::testing::ElementsAre(Minutes{22 * 60, 24 * 60}));
    EXPECT_TRUE(schedule.Allows(kSunday, 24 * 60 - 1));
}

TEST(ParseWeeklyScheduleTest, RepeatedDayAddsRanges) {
    const WeeklySchedule schedule = Parse("mon 08:00-09:00; mon 17:00-18:00");

    EXPECT_THAT(Ranges(schedule.days[kMonday]),
                ::testing::ElementsAre(Minutes{8 * 60, 9 * 60}, Minutes{17 * 60, 18 * 60}));
}

TEST(ParseWeeklyScheduleTest, EmptyAndAlwaysMeanNoRestriction) {
    EXPECT_TRUE(Parse("").IsAlways());
    EXPECT_TRUE(Parse("always").IsAlways());
}

TEST(ParseWeeklyScheduleTest, ExtraSpacesAreIgnored) {
    const WeeklySchedule schedule = Parse("  mon   07:00-08:00 ;  tue 09:00-10:00  ");

    EXPECT_EQ(schedule.days[kMonday].size(), 1u);
    EXPECT_EQ(schedule.days[kTuesday].size(), 1u);
}

TEST(ParseWeeklyScheduleTest, BadInputQuotesBadPart) {
    // Each input, with the part that the error message must quote. A part after ';' may
    // keep its leading space, so those are matched from the part's first letter.
    const std::pair<std::string, std::string> cases[] = {
        {"mon-fri 7-22", "'mon-fri 7-22'"},
        {"mon-fri 07:00-22:00; funday 09:00-10:00", "funday 09:00-10:00'"},
        {"mon", "'mon'"},
        {"mon 08:00-07:00", "'mon 08:00-07:00'"},
        {"mon 08:00-08:00", "'mon 08:00-08:00'"},
        {"mon 25:00-26:00", "'mon 25:00-26:00'"},
        {"mon 08:60-09:00", "'mon 08:60-09:00'"},
        {"mon 08:00-24:01", "'mon 08:00-24:01'"},
        {"mon 24:00-24:00", "'mon 24:00-24:00'"},
        {"mon 08:00-09:00x", "'mon 08:00-09:00x'"},
        {"sat 09:00-10:00; mon- 08:00-09:00", "mon- 08:00-09:00'"},
        {"mon,,tue 08:00-09:00", "'mon,,tue 08:00-09:00'"},
        {"Mon 08:00-09:00", "'Mon 08:00-09:00'"},
        {"mon 08:00 09:00", "'mon 08:00 09:00'"},
        {";", "';'"},
        {"never", "'never'"},
    };
    for (const auto& [text, quoted] : cases) {
        Result<WeeklySchedule> schedule = ParseWeeklySchedule(text);
        ASSERT_FALSE(schedule.ok()) << text;
        EXPECT_EQ(schedule.status().code(), ErrorCode::kInvalidArgument) << text;
        EXPECT_THAT(schedule.status().message(), HasSubstr(quoted)) << text;
        EXPECT_EQ(schedule.status().field(), "schedule") << text;
    }
}

TEST(FormatWeeklyScheduleTest, AlwaysForNoRestriction) {
    EXPECT_EQ(FormatWeeklySchedule(WeeklySchedule{}), "always");
}

TEST(FormatWeeklyScheduleTest, OneGroupPerDay) {
    const WeeklySchedule schedule = Parse("sat,sun 09:00-12:00 14:00-24:00");

    EXPECT_EQ(FormatWeeklySchedule(schedule),
              "sat 09:00-12:00 14:00-24:00; sun 09:00-12:00 14:00-24:00");
}

TEST(FormatWeeklyScheduleTest, RoundTripsThroughParse) {
    for (const char* text : {"mon-fri 07:00-22:00; sat,sun 09:00-12:00 14:00-18:00",
                             "fri-mon 00:00-24:00", "wed 00:05-00:10 23:59-24:00"}) {
        const WeeklySchedule schedule = Parse(text);
        const std::string formatted = FormatWeeklySchedule(schedule);
        const WeeklySchedule reparsed = Parse(formatted);
        for (int day = 0; day < 7; ++day) {
            EXPECT_EQ(Ranges(reparsed.days[day]), Ranges(schedule.days[day]))
                << text << " day " << day;
        }
        EXPECT_EQ(FormatWeeklySchedule(reparsed), formatted) << text;
    }
}

}  // namespace
}  // namespace menjin
