#include "welfare/sublet_rule.h"

#include <gtest/gtest.h>

#include "common/local_time.h"

namespace menjin {
namespace {

constexpr UnixSeconds kDay = 86400;
const UnixSeconds kTenantSeen = ParseUtc("2026-09-01T02:00:00Z").value();

// Two uses a day by `person` on each of `days` days after the tenant was last seen.
std::vector<HouseholdUse> DailyUses(const std::string& person, int days) {
    std::vector<HouseholdUse> uses;
    for (int d = 1; d <= days; ++d) {
        uses.push_back({person, "face", kTenantSeen + d * kDay});
        uses.push_back({person, "card", kTenantSeen + d * kDay + 3600});
    }
    return uses;
}

TEST(SubletRuleTest, TenantAwayAndUnitUsedGivesEvidence) {
    auto result = CheckTenantAbsentUnitInUse(kTenantSeen, DailyUses("p2", 20), {},
                                             kTenantSeen + 40 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(result.ok());
    ASSERT_TRUE(result->has_value());
    const SubletEvidence& e = **result;
    EXPECT_EQ(e.tenant_absent_days, 40);
    EXPECT_EQ(e.use_days, 20);
    EXPECT_EQ(e.use_passages, 40);
    EXPECT_EQ(e.users, std::vector<std::string>{"p2"});
}

TEST(SubletRuleTest, TenantRecentlySeenGivesNothing) {
    auto result = CheckTenantAbsentUnitInUse(kTenantSeen, DailyUses("p2", 20), {},
                                             kTenantSeen + 20 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(result.ok());
    EXPECT_FALSE(result->has_value());
}

TEST(SubletRuleTest, DueAfterWholeLocalDays) {
    // Seen 10:00 Shanghai on 1 September: 2 September to 1 October are the thirty whole
    // days, so the signal is due from 00:00 local on 2 October (16:00 UTC on 1 October).
    const UnixSeconds due = ParseUtc("2026-10-01T16:00:00Z").value();
    auto before =
        CheckTenantAbsentUnitInUse(kTenantSeen, DailyUses("p2", 20), {}, due - 1, "Asia/Shanghai");
    auto at =
        CheckTenantAbsentUnitInUse(kTenantSeen, DailyUses("p2", 20), {}, due, "Asia/Shanghai");
    ASSERT_TRUE(before.ok());
    ASSERT_TRUE(at.ok());
    EXPECT_FALSE(before->has_value());
    ASSERT_TRUE(at->has_value());
    EXPECT_EQ((*at)->tenant_absent_days, 31);
}

TEST(SubletRuleTest, EmptyUnitGivesNothing) {
    auto result =
        CheckTenantAbsentUnitInUse(kTenantSeen, {}, {}, kTenantSeen + 60 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(result.ok());
    EXPECT_FALSE(result->has_value());
}

TEST(SubletRuleTest, OccasionalUseGivesNothing) {
    auto result = CheckTenantAbsentUnitInUse(kTenantSeen, DailyUses("p2", 3), {},
                                             kTenantSeen + 60 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(result.ok());
    EXPECT_FALSE(result->has_value());
}

TEST(SubletRuleTest, UsesBeforeTenantLeftDoNotCount) {
    std::vector<HouseholdUse> uses = DailyUses("p2", 20);
    for (HouseholdUse& use : uses)
        use.at -= 25 * kDay;
    auto result =
        CheckTenantAbsentUnitInUse(kTenantSeen, uses, {}, kTenantSeen + 40 * kDay, "Asia/Shanghai");
    ASSERT_TRUE(result.ok());
    EXPECT_FALSE(result->has_value());
}

}  // namespace
}  // namespace menjin
