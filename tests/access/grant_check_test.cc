#include "access/grant_check.h"

#include <gtest/gtest.h>

namespace menjin {
namespace {

constexpr UnixSeconds kDay = 86400;
// An arbitrary instant. CheckGrants takes the estate's local time separately.
constexpr UnixSeconds kNow = 1'700'000'000;

LocalTime Local(int weekday, int minute_of_day) {
    LocalTime local;
    local.weekday = weekday;
    local.minute_of_day = minute_of_day;
    return local;
}

const LocalTime kWednesdayMorning = Local(2, 10 * 60);

AccessGrant MakeGrant(const std::string& estate_id, UnixSeconds from, UnixSeconds to) {
    AccessGrant grant;
    grant.id = "grant-" + estate_id;
    grant.person_id = "alice";
    grant.estate_id = estate_id;
    grant.valid_from = from;
    grant.valid_to = to;
    return grant;
}

AccessGrant ValidGrant(const std::string& estate_id) {
    return MakeGrant(estate_id, kNow - kDay, kNow + kDay);
}

AccessGrant ExpiredGrant() {
    return MakeGrant("east", kNow - 10 * kDay, kNow - kDay);
}

AccessGrant FutureGrant() {
    return MakeGrant("east", kNow + kDay, kNow + 10 * kDay);
}

// A valid grant that opens only on weekdays from 18:00 to 22:00.
AccessGrant EveningGrant() {
    AccessGrant grant = ValidGrant("east");
    for (int day = 0; day < 5; ++day)
        grant.schedule.days[day] = {{18 * 60, 22 * 60}};
    return grant;
}

ServiceStaff MakeStaff() {
    ServiceStaff staff;
    staff.person_id = "alice";
    staff.company_id = "express";
    staff.verified_by = "operator-1";
    staff.verified_at = kNow - 30 * kDay;
    staff.verified_contact = "dispatch desk";
    staff.valid_from = kNow - 20 * kDay;
    staff.valid_to = kNow + 20 * kDay;
    staff.estate_ids = {"east", "west"};
    return staff;
}

GrantCheck Check(const std::vector<AccessGrant>& grants, const ServiceStaff* staff = nullptr,
                 UnixSeconds now = kNow, const LocalTime& local = kWednesdayMorning) {
    return CheckGrants(grants, "east", now, local, staff);
}

TEST(CheckGrantsTest, ValidGrantAllows) {
    const GrantCheck check = Check({ValidGrant("east")});

    EXPECT_TRUE(check.allowed);
    EXPECT_TRUE(check.reason.empty());
}

TEST(CheckGrantsTest, NoGrantsDenies) {
    const GrantCheck check = Check({});

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "no_grant");
}

TEST(CheckGrantsTest, GrantForOtherEstateDenies) {
    const GrantCheck check = Check({ValidGrant("west")});

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "no_grant");
}

TEST(CheckGrantsTest, GrantNotStartedDenies) {
    const GrantCheck check = Check({FutureGrant()});

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "grant_not_started");
}

TEST(CheckGrantsTest, ExpiredGrantDenies) {
    const GrantCheck check = Check({ExpiredGrant()});

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "grant_expired");
}

TEST(CheckGrantsTest, WindowStartIsInclusiveAndEndExclusive) {
    const AccessGrant grant = MakeGrant("east", kNow, kNow + kDay);

    EXPECT_TRUE(Check({grant}, nullptr, kNow).allowed);
    EXPECT_TRUE(Check({grant}, nullptr, kNow + kDay - 1).allowed);
    EXPECT_EQ(Check({grant}, nullptr, kNow + kDay).reason, "grant_expired");
    EXPECT_EQ(Check({grant}, nullptr, kNow - 1).reason, "grant_not_started");
}

TEST(CheckGrantsTest, OutsideScheduleDenies) {
    const GrantCheck check = Check({EveningGrant()});

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "outside_schedule");
}

TEST(CheckGrantsTest, InsideScheduleAllows) {
    EXPECT_TRUE(Check({EveningGrant()}, nullptr, kNow, Local(2, 19 * 60)).allowed);
    EXPECT_EQ(Check({EveningGrant()}, nullptr, kNow, Local(5, 19 * 60)).reason, "outside_schedule");
    EXPECT_EQ(Check({EveningGrant()}, nullptr, kNow, Local(2, 22 * 60)).reason, "outside_schedule");
}

TEST(CheckGrantsTest, AnyAllowingGrantWins) {
    const GrantCheck check =
        Check({ExpiredGrant(), EveningGrant(), ValidGrant("west"), ValidGrant("east")});

    EXPECT_TRUE(check.allowed);
}

TEST(CheckGrantsTest, OutsideScheduleBeatsExpired) {
    EXPECT_EQ(Check({ExpiredGrant(), EveningGrant()}).reason, "outside_schedule");
    EXPECT_EQ(Check({EveningGrant(), ExpiredGrant()}).reason, "outside_schedule");
}

TEST(CheckGrantsTest, OutsideScheduleBeatsNotStarted) {
    EXPECT_EQ(Check({FutureGrant(), EveningGrant()}).reason, "outside_schedule");
    EXPECT_EQ(Check({EveningGrant(), FutureGrant()}).reason, "outside_schedule");
}

TEST(CheckGrantsTest, NotStartedBeatsExpired) {
    EXPECT_EQ(Check({ExpiredGrant(), FutureGrant()}).reason, "grant_not_started");
    EXPECT_EQ(Check({FutureGrant(), ExpiredGrant()}).reason, "grant_not_started");
}

TEST(CheckGrantsTest, ExpiredBeatsOtherEstate) {
    EXPECT_EQ(Check({ValidGrant("west"), ExpiredGrant()}).reason, "grant_expired");
}

TEST(CheckGrantsTest, VerifiedStaffWithGrantAllows) {
    const ServiceStaff staff = MakeStaff();

    EXPECT_TRUE(Check({ValidGrant("east")}, &staff).allowed);
}

TEST(CheckGrantsTest, StaffWithoutVerifierDenies) {
    ServiceStaff staff = MakeStaff();
    staff.verified_by.clear();

    const GrantCheck check = Check({ValidGrant("east")}, &staff);

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "staff_not_verified");
}

TEST(CheckGrantsTest, StaffWithoutVerificationTimeDenies) {
    ServiceStaff staff = MakeStaff();
    staff.verified_at = 0;

    EXPECT_EQ(Check({ValidGrant("east")}, &staff).reason, "staff_not_verified");
}

TEST(CheckGrantsTest, StaffValidityEndedDenies) {
    ServiceStaff staff = MakeStaff();
    staff.valid_to = kNow;

    const GrantCheck check = Check({ValidGrant("east")}, &staff);

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "staff_validity_ended");
}

TEST(CheckGrantsTest, StaffNotYetValidDenies) {
    ServiceStaff staff = MakeStaff();
    staff.valid_from = kNow + 1;

    const GrantCheck check = Check({ValidGrant("east")}, &staff);

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "staff_not_yet_valid");
}

TEST(CheckGrantsTest, StaffEstateNotServedDenies) {
    ServiceStaff staff = MakeStaff();
    staff.estate_ids = {"west"};

    const GrantCheck check = Check({ValidGrant("east")}, &staff);

    EXPECT_FALSE(check.allowed);
    EXPECT_EQ(check.reason, "staff_estate_not_served");
}

TEST(CheckGrantsTest, StaffProblemBeatsGrantProblem) {
    ServiceStaff staff = MakeStaff();
    staff.valid_to = kNow - kDay;

    EXPECT_EQ(Check({ExpiredGrant()}, &staff).reason, "staff_validity_ended");
}

TEST(CheckGrantsTest, ValidStaffStillNeedsGrant) {
    const ServiceStaff staff = MakeStaff();

    EXPECT_EQ(Check({}, &staff).reason, "no_grant");
    EXPECT_EQ(Check({ExpiredGrant()}, &staff).reason, "grant_expired");
}

}  // namespace
}  // namespace menjin
