#include "welfare/absence_rule.h"

#include <gtest/gtest.h>

#include "common/local_time.h"

namespace menjin {
namespace {

constexpr UnixSeconds kHour = 3600;
constexpr UnixSeconds kDay = 24 * kHour;

UnixSeconds At(const std::string& utc) {
    return ParseUtc(utc).value();
}

ResidentActivity Elderly(UnixSeconds last_seen) {
    ResidentActivity r;
    r.person_id = "p1";
    r.birth_year = 1940;
    r.last_seen = last_seen;
    r.since = last_seen - 100 * kDay;
    return r;
}

// Monday 2026-11-02 20:00 in Shanghai (UTC+8, no daylight saving).
const UnixSeconds kMondayEvening = At("2026-11-02T12:00:00Z");

TEST(AbsenceRuleTest, NotAbsentOnThirdDay) {
    // Thursday 23:00 local: Tuesday and Wednesday passed without a passage, Thursday not over.
    auto check =
        CheckAbsence(Elderly(kMondayEvening), {}, At("2026-11-05T15:00:00Z"), "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->watched);
    EXPECT_FALSE(check->absent);
    EXPECT_EQ(check->days_since_seen, 3);
}

TEST(AbsenceRuleTest, AbsentFromStartOfFourthDay) {
    // Friday 00:30 local: Tuesday, Wednesday and Thursday were full days without a passage.
    auto check =
        CheckAbsence(Elderly(kMondayEvening), {}, At("2026-11-05T16:30:00Z"), "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->absent);
    EXPECT_EQ(check->days_required, 3);
}

TEST(AbsenceRuleTest, YoungResidentNotWatched) {
    ResidentActivity r = Elderly(kMondayEvening);
    r.birth_year = 1990;
    auto check = CheckAbsence(r, {}, kMondayEvening + 30 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_FALSE(check->watched);
    EXPECT_FALSE(check->absent);
}

TEST(AbsenceRuleTest, WatchFlagOverridesAgeAndDays) {
    ResidentActivity r = Elderly(kMondayEvening);
    r.birth_year = 1990;
    r.watch_days = 1;
    // Wednesday 00:30 local: Tuesday was a full day without a passage.
    auto check = CheckAbsence(r, {}, At("2026-11-03T16:30:00Z"), "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->watched);
    EXPECT_TRUE(check->absent);
    EXPECT_EQ(check->days_required, 1);
}

TEST(AbsenceRuleTest, PolicyThresholdApplies) {
    WelfarePolicy policy;
    policy.default_days = 5;
    auto check =
        CheckAbsence(Elderly(kMondayEvening), policy, At("2026-11-06T16:30:00Z"), "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_FALSE(check->absent);
}

TEST(AbsenceRuleTest, NeverSeenCountsFromEnrolment) {
    ResidentActivity r = Elderly(kMondayEvening);
    r.last_seen.reset();
    r.since = kMondayEvening;
    auto check = CheckAbsence(r, {}, At("2026-11-05T16:30:00Z"), "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->absent);
    EXPECT_EQ(check->last_sign_of_life, kMondayEvening);
}

TEST(AbsenceRuleTest, ResolvedAlertNotRaisedWithoutNewPassage) {
    ResidentActivity r = Elderly(kMondayEvening);
    r.last_resolved = kMondayEvening + 5 * kDay;
    auto check = CheckAbsence(r, {}, kMondayEvening + 20 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_FALSE(check->absent);
}

TEST(AbsenceRuleTest, ResolvedAlertRaisedAfterNewAbsence) {
    ResidentActivity r = Elderly(kMondayEvening + 10 * kDay);
    r.last_resolved = kMondayEvening + 5 * kDay;
    auto check = CheckAbsence(r, {}, kMondayEvening + 15 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->absent);
}

TEST(AbsenceRuleTest, SpringForwardDayStillCountsOnce) {
    // Berlin moves from 02:00 to 03:00 on Sunday 2026-03-29, a 23-hour day. Seen Friday
    // 2026-03-27 at 22:00 local (21:00 UTC): Saturday, Sunday and Monday are the three days.
    const UnixSeconds friday = At("2026-03-27T21:00:00Z");
    auto monday_night = CheckAbsence(Elderly(friday), {}, At("2026-03-30T21:30:00Z"),
                                     "Europe/Berlin");  // Monday 23:30 CEST
    auto tuesday = CheckAbsence(Elderly(friday), {}, At("2026-03-30T22:30:00Z"),
                                "Europe/Berlin");  // Tuesday 00:30 CEST
    ASSERT_TRUE(monday_night.ok());
    ASSERT_TRUE(tuesday.ok());
    EXPECT_FALSE(monday_night->absent);
    EXPECT_TRUE(tuesday->absent);
}

TEST(AbsenceRuleTest, FallBackDayStillCountsOnce) {
    // New York moves from 02:00 back to 01:00 on Sunday 2026-11-01, a 25-hour day. Seen
    // Friday 2026-10-30 at 21:00 EDT (01:00 UTC Saturday).
    const UnixSeconds friday = At("2026-10-31T01:00:00Z");
    auto monday_night = CheckAbsence(Elderly(friday), {}, At("2026-11-03T04:30:00Z"),
                                     "America/New_York");  // Monday 23:30 EST
    auto tuesday = CheckAbsence(Elderly(friday), {}, At("2026-11-03T05:30:00Z"),
                                "America/New_York");  // Tuesday 00:30 EST
    ASSERT_TRUE(monday_night.ok());
    ASSERT_TRUE(tuesday.ok());
    EXPECT_FALSE(monday_night->absent);
    EXPECT_TRUE(tuesday->absent);
}

TEST(AbsenceRuleTest, LocalMidnightDecidesNotUtcMidnight) {
    // Seen at 07:00 UTC Monday = 15:00 Shanghai Monday; at 17:00 UTC Thursday it is already
    // Friday 01:00 in Shanghai but still Thursday in UTC.
    const UnixSeconds seen = At("2026-11-02T07:00:00Z");
    auto shanghai = CheckAbsence(Elderly(seen), {}, At("2026-11-05T17:00:00Z"), "Asia/Shanghai");
    auto utc = CheckAbsence(Elderly(seen), {}, At("2026-11-05T17:00:00Z"), "UTC");
    ASSERT_TRUE(shanghai.ok());
    ASSERT_TRUE(utc.ok());
    EXPECT_TRUE(shanghai->absent);
    EXPECT_FALSE(utc->absent);
}

TEST(AbsenceRuleTest, UnknownTimeZoneFails) {
    auto check = CheckAbsence(Elderly(kMondayEvening), {}, kMondayEvening, "Mars/Olympus");
    EXPECT_FALSE(check.ok());
}

}  // namespace
}  // namespace menjin
