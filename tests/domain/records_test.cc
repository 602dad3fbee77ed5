#include "domain/records.h"

#include <gtest/gtest.h>

namespace menjin {
namespace {

TEST(RecordsTest, IsValidIdAcceptsAllowedCharacters) {
    EXPECT_TRUE(IsValidId("a"));
    EXPECT_TRUE(IsValidId("Estate-7_gate.2"));
    EXPECT_TRUE(IsValidId(std::string(64, 'x')));
}

TEST(RecordsTest, IsValidIdRejectsOtherInput) {
    EXPECT_FALSE(IsValidId(""));
    EXPECT_FALSE(IsValidId(std::string(65, 'x')));
    EXPECT_FALSE(IsValidId("has space"));
    EXPECT_FALSE(IsValidId("slash/id"));
    EXPECT_FALSE(IsValidId("quote'id"));
    EXPECT_FALSE(IsValidId("\xe9\x97\xa8"));
}

TEST(RecordsTest, GateDirectionNamesRoundTrip) {
    for (GateDirection value :
         {GateDirection::kEntry, GateDirection::kExit, GateDirection::kBoth}) {
        EXPECT_EQ(ParseGateDirection(GateDirectionName(value)), value);
    }
    EXPECT_STREQ(GateDirectionName(GateDirection::kBoth), "both");
    EXPECT_FALSE(ParseGateDirection("Entry").has_value());
}

TEST(RecordsTest, PersonRoleNamesRoundTrip) {
    for (PersonRole value :
         {PersonRole::kTenant, PersonRole::kFamilyMember, PersonRole::kServiceStaff}) {
        EXPECT_EQ(ParsePersonRole(PersonRoleName(value)), value);
    }
    EXPECT_STREQ(PersonRoleName(PersonRole::kFamilyMember), "family_member");
    EXPECT_FALSE(ParsePersonRole("landlord").has_value());
}

TEST(RecordsTest, CompanyKindNamesRoundTrip) {
    for (CompanyKind value :
         {CompanyKind::kCourier, CompanyKind::kFoodDelivery, CompanyKind::kOther}) {
        EXPECT_EQ(ParseCompanyKind(CompanyKindName(value)), value);
    }
    EXPECT_STREQ(CompanyKindName(CompanyKind::kFoodDelivery), "food_delivery");
    EXPECT_FALSE(ParseCompanyKind("").has_value());
}

TEST(RecordsTest, CredentialKindNamesRoundTrip) {
    for (CredentialKind value :
         {CredentialKind::kCard, CredentialKind::kPin, CredentialKind::kQrToken}) {
        EXPECT_EQ(ParseCredentialKind(CredentialKindName(value)), value);
    }
    EXPECT_STREQ(CredentialKindName(CredentialKind::kQrToken), "qr");
    EXPECT_FALSE(ParseCredentialKind("qr_token").has_value());
}

TEST(RecordsTest, DecisionBandNames) {
    EXPECT_STREQ(DecisionBandName(DecisionBand::kGrant), "grant");
    EXPECT_STREQ(DecisionBandName(DecisionBand::kDeny), "deny");
    EXPECT_STREQ(DecisionBandName(DecisionBand::kRetry), "retry");
}

TEST(WeeklyScheduleTest, EmptyScheduleAllowsAlways) {
    WeeklySchedule schedule;
    EXPECT_TRUE(schedule.IsAlways());
    EXPECT_TRUE(schedule.Allows(0, 0));
    EXPECT_TRUE(schedule.Allows(6, 24 * 60 - 1));
}

TEST(WeeklyScheduleTest, RangesAreHalfOpen) {
    WeeklySchedule schedule;
    schedule.days[1] = {{8 * 60, 12 * 60}, {13 * 60, 18 * 60}};

    EXPECT_FALSE(schedule.IsAlways());
    EXPECT_FALSE(schedule.Allows(1, 8 * 60 - 1));
    EXPECT_TRUE(schedule.Allows(1, 8 * 60));
    EXPECT_TRUE(schedule.Allows(1, 12 * 60 - 1));
    EXPECT_FALSE(schedule.Allows(1, 12 * 60));
    EXPECT_TRUE(schedule.Allows(1, 13 * 60));
    EXPECT_FALSE(schedule.Allows(1, 18 * 60));
}

TEST(WeeklyScheduleTest, DaysWithoutRangesDeny) {
    WeeklySchedule schedule;
    schedule.days[1] = {{0, 24 * 60}};

    EXPECT_TRUE(schedule.Allows(1, 600));
    EXPECT_FALSE(schedule.Allows(0, 600));
    EXPECT_FALSE(schedule.Allows(2, 600));
}

TEST(WeeklyScheduleTest, OutOfRangeInputDenies) {
    WeeklySchedule schedule;
    schedule.days[0] = {{0, 24 * 60}};

    EXPECT_FALSE(schedule.Allows(-1, 600));
    EXPECT_FALSE(schedule.Allows(7, 600));
    EXPECT_FALSE(schedule.Allows(0, -1));
    EXPECT_FALSE(schedule.Allows(0, 24 * 60));
}

}  // namespace
}  // namespace menjin
