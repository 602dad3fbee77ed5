#include "common/local_time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace menjin {
namespace {

using ::testing::HasSubstr;

constexpr int kSunday = 6;
constexpr int kMonday = 0;

::testing::AssertionResult IsOk(const Result<std::int64_t>& result) {
    if (result.ok())
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << result.status().ToString();
}

// Parses a UTC time that the test expects to be valid.
std::int64_t Utc(const std::string& text) {
    Result<std::int64_t> parsed = ParseUtc(text);
    EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    return parsed.ok() ? *parsed : 0;
}

LocalTime Local(const std::string& utc, const std::string& zone) {
    Result<LocalTime> local = ToLocalTime(Utc(utc), zone);
    EXPECT_TRUE(local.ok()) << utc << " in " << zone << ": " << local.status().ToString();
    return local.ok() ? *local : LocalTime{};
}

// Returns the local day number of the calendar date `date` (YYYY-MM-DD).
std::int64_t DayNumber(const std::string& date) {
    return Utc(date) / 86400;
}

TEST(ParseUtcTest, DateIsMidnightUtc) {
    EXPECT_EQ(Utc("1970-01-01"), 0);
    EXPECT_EQ(Utc("2024-03-10"), 1710028800);
}

TEST(ParseUtcTest, TimeWithAndWithoutSeconds) {
    EXPECT_EQ(Utc("2024-03-10T16:30Z"), 1710088200);
    EXPECT_EQ(Utc("2024-03-10T16:30:15Z"), 1710088215);
    EXPECT_EQ(Utc("2024-02-29T23:59:59Z"), Utc("2024-03-01") - 1);
}

TEST(ParseUtcTest, RejectsInvalidText) {
    for (const char* text :
         {"", "yesterday", "2024-13-01", "2024-02-30", "2023-02-29", "2024-03-10T16:30",
          "2024-03-10T16:30:00", "2024-03-10 16:30:00Z", "2024-03-10T24:00:00Z",
          "2024-03-10T16:60Z", "2024-03-10T16:30+08:00", "2024-03-10x", "10/03/2024"}) {
        Result<std::int64_t> parsed = ParseUtc(text);
        ASSERT_FALSE(parsed.ok()) << text;
        EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << text;
        EXPECT_THAT(parsed.status().message(), HasSubstr(std::string("'") + text + "'"));
    }
}

TEST(FormatUtcTest, FormatsIso8601) {
    EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(FormatUtc(1710088215), "2024-03-10T16:30:15Z");
}

TEST(FormatUtcTest, RoundTripsThroughParse) {
    for (std::int64_t t : {std::int64_t{0}, std::int64_t{951782400}, std::int64_t{1710088215},
                           std::int64_t{4102444799}}) {
        EXPECT_EQ(Utc(FormatUtc(t)), t) << t;
    }
}

TEST(ToLocalTimeTest, ShanghaiCrossesMidnight) {
    const LocalTime local = Local("2024-03-10T16:30:00Z", "Asia/Shanghai");

    EXPECT_EQ(local.year, 2024);
    EXPECT_EQ(local.month, 3);
    EXPECT_EQ(local.day, 11);
    EXPECT_EQ(local.weekday, kMonday);
    EXPECT_EQ(local.minute_of_day, 30);
    EXPECT_EQ(local.local_day_number, DayNumber("2024-03-11"));
}

TEST(ToLocalTimeTest, UtcEpochIsDayZero) {
    const LocalTime local = Local("1970-01-01T00:00:00Z", "UTC");

    EXPECT_EQ(local.local_day_number, 0);
    EXPECT_EQ(local.weekday, 3);  // a Thursday
    EXPECT_EQ(local.minute_of_day, 0);
}

TEST(ToLocalTimeTest, BerlinSpringForward) {
    // On 2024-03-31 Berlin's clocks jump from 02:00 CET to 03:00 CEST (01:00 UTC).
    const LocalTime before = Local("2024-03-31T00:59:00Z", "Europe/Berlin");
    const LocalTime after = Local("2024-03-31T01:00:00Z", "Europe/Berlin");

    EXPECT_EQ(before.minute_of_day, 1 * 60 + 59);
    EXPECT_EQ(after.minute_of_day, 3 * 60);
    EXPECT_EQ(after.weekday, kSunday);
    EXPECT_EQ(after.local_day_number, before.local_day_number);
}

TEST(ToLocalTimeTest, BerlinFallBack) {
    // On 2024-10-27 Berlin's clocks go back from 03:00 CEST to 02:00 CET (01:00 UTC), so
    // 02:30 happens twice.
    const LocalTime first = Local("2024-10-27T00:30:00Z", "Europe/Berlin");
    const LocalTime second = Local("2024-10-27T01:30:00Z", "Europe/Berlin");

    EXPECT_EQ(first.minute_of_day, 2 * 60 + 30);
    EXPECT_EQ(second.minute_of_day, 2 * 60 + 30);
    EXPECT_EQ(second.day, 27);
}

TEST(ToLocalTimeTest, NewYorkSpringForward) {
    // On 2024-03-10 New York's clocks jump from 02:00 EST to 03:00 EDT (07:00 UTC).
    const LocalTime before = Local("2024-03-10T06:59:00Z", "America/New_York");
    const LocalTime after = Local("2024-03-10T07:00:00Z", "America/New_York");

    EXPECT_EQ(before.minute_of_day, 1 * 60 + 59);
    EXPECT_EQ(after.minute_of_day, 3 * 60);
    EXPECT_EQ(after.weekday, kSunday);
}

TEST(ToLocalTimeTest, NewYorkFallBack) {
    // On 2024-11-03 New York's clocks go back from 02:00 EDT to 01:00 EST (06:00 UTC).
    const LocalTime first = Local("2024-11-03T05:30:00Z", "America/New_York");
    const LocalTime second = Local("2024-11-03T06:30:00Z", "America/New_York");

    EXPECT_EQ(first.minute_of_day, 1 * 60 + 30);
    EXPECT_EQ(second.minute_of_day, 1 * 60 + 30);
    EXPECT_EQ(second.local_day_number, DayNumber("2024-11-03"));
}

TEST(ToLocalTimeTest, UnknownZoneIsInvalidArgument) {
    Result<LocalTime> local = ToLocalTime(0, "Mars/Olympus_Mons");

    ASSERT_FALSE(local.ok());
    EXPECT_EQ(local.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(local.status().message(), HasSubstr("'Mars/Olympus_Mons'"));
}

TEST(ValidateTimeZoneTest, KnownAndUnknownZones) {
    EXPECT_TRUE(ValidateTimeZone("Asia/Shanghai").ok());
    EXPECT_TRUE(ValidateTimeZone("Europe/Berlin").ok());
    EXPECT_EQ(ValidateTimeZone("").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(ValidateTimeZone("Asia/Atlantis").code(), ErrorCode::kInvalidArgument);
}

TEST(LocalMidnightTest, Shanghai) {
    Result<std::int64_t> midnight = LocalMidnight(DayNumber("2024-03-11"), "Asia/Shanghai");

    ASSERT_TRUE(midnight.ok()) << midnight.status().ToString();
    EXPECT_EQ(*midnight, Utc("2024-03-10T16:00:00Z"));
}

TEST(LocalMidnightTest, BerlinDaysAroundDaylightSaving) {
    const std::string zone = "Europe/Berlin";
    Result<std::int64_t> spring = LocalMidnight(DayNumber("2024-03-31"), zone);
    Result<std::int64_t> after_spring = LocalMidnight(DayNumber("2024-04-01"), zone);
    Result<std::int64_t> autumn = LocalMidnight(DayNumber("2024-10-27"), zone);
    Result<std::int64_t> after_autumn = LocalMidnight(DayNumber("2024-10-28"), zone);
    ASSERT_TRUE(IsOk(spring));
    ASSERT_TRUE(IsOk(after_spring));
    ASSERT_TRUE(IsOk(autumn));
    ASSERT_TRUE(IsOk(after_autumn));

    EXPECT_EQ(*spring, Utc("2024-03-30T23:00:00Z"));
    EXPECT_EQ(*after_spring, Utc("2024-03-31T22:00:00Z"));
    EXPECT_EQ(*after_spring - *spring, 23 * 3600);
    EXPECT_EQ(*autumn, Utc("2024-10-26T22:00:00Z"));
    EXPECT_EQ(*after_autumn - *autumn, 25 * 3600);
}

TEST(LocalMidnightTest, NewYorkDaysAroundDaylightSaving) {
    const std::string zone = "America/New_York";
    Result<std::int64_t> spring = LocalMidnight(DayNumber("2024-03-10"), zone);
    Result<std::int64_t> after_spring = LocalMidnight(DayNumber("2024-03-11"), zone);
    Result<std::int64_t> autumn = LocalMidnight(DayNumber("2024-11-03"), zone);
    Result<std::int64_t> after_autumn = LocalMidnight(DayNumber("2024-11-04"), zone);
    ASSERT_TRUE(IsOk(spring));
    ASSERT_TRUE(IsOk(after_spring));
    ASSERT_TRUE(IsOk(autumn));
    ASSERT_TRUE(IsOk(after_autumn));

    EXPECT_EQ(*spring, Utc("2024-03-10T05:00:00Z"));
    EXPECT_EQ(*after_spring, Utc("2024-03-11T04:00:00Z"));
    EXPECT_EQ(*autumn, Utc("2024-11-03T04:00:00Z"));
    EXPECT_EQ(*after_autumn - *autumn, 25 * 3600);
}

TEST(LocalMidnightTest, SkippedMidnightGivesFirstInstantOfDay) {
    // Chile started daylight saving at local midnight of 2024-09-08 (04:00 UTC): the clocks
    // went from 23:59:59 on Saturday to 01:00 on Sunday.
    Result<std::int64_t> midnight = LocalMidnight(DayNumber("2024-09-08"), "America/Santiago");

    ASSERT_TRUE(midnight.ok()) << midnight.status().ToString();
    EXPECT_EQ(*midnight, Utc("2024-09-08T04:00:00Z"));
    const LocalTime local = Local(FormatUtc(*midnight), "America/Santiago");
    EXPECT_EQ(local.local_day_number, DayNumber("2024-09-08"));
    EXPECT_EQ(local.minute_of_day, 60);
}

TEST(LocalMidnightTest, MidnightRoundTripsThroughToLocalTime) {
    for (const char* zone : {"Asia/Shanghai", "Europe/Berlin", "America/New_York"}) {
        for (const char* date : {"2024-01-15", "2024-03-31", "2024-10-27", "2024-11-03"}) {
            Result<std::int64_t> midnight = LocalMidnight(DayNumber(date), zone);
            ASSERT_TRUE(midnight.ok()) << zone << " " << date;
            const LocalTime local = Local(FormatUtc(*midnight), zone);
            EXPECT_EQ(local.local_day_number, DayNumber(date)) << zone << " " << date;
            EXPECT_EQ(local.minute_of_day, 0) << zone << " " << date;
        }
    }
}

TEST(LocalMidnightTest, UnknownZoneIsInvalidArgument) {
    Result<std::int64_t> midnight = LocalMidnight(0, "Nowhere/City");

    ASSERT_FALSE(midnight.ok());
    EXPECT_EQ(midnight.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(midnight.status().message(), HasSubstr("'Nowhere/City'"));
}

}  // namespace
}  // namespace menjin
