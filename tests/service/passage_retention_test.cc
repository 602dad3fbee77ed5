// Passage retention: PurgeExpiredPassages deletes passages older than the retention period,
// 180 days unless the setting "passage_retention_days" sets another number of days.

#include <gtest/gtest.h>

#include "service/core_fixture.h"

namespace menjin::testing {
namespace {

class PassageRetentionTest : public AccessCoreTest {
  protected:
    void SetUp() override {
        AccessCoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        AddEstatesAndUnit();
    }

    // Appends a passage at gate g1 that happened `age` seconds before now.
    void AppendPassageAged(UnixSeconds age) {
        Result<Gate> gate = core_->store().GetGate("g1");
        ASSERT_TRUE(IsOk(gate));
        Passage passage;
        passage.gate_id = gate->id;
        passage.estate_id = gate->estate_id;
        passage.at = clock_->Now() - age;
        passage.band = DecisionBand::kDeny;
        passage.reason = "unknown_face";
        passage.credential = "face";
        ASSERT_TRUE(IsOk(core_->store().AppendPassage(passage)));
    }

    // Returns the times of the stored passages, oldest first.
    std::vector<UnixSeconds> PassageTimes() {
        Result<std::vector<Passage>> passages = core_->store().QueryPassages(PassageQuery{});
        EXPECT_TRUE(IsOk(passages));
        std::vector<UnixSeconds> times;
        if (passages.ok()) {
            for (const Passage& passage : *passages)
                times.insert(times.begin(), passage.at);
        }
        return times;
    }
};

TEST_F(PassageRetentionTest, DefaultKeeps180Days) {
    for (UnixSeconds age :
         {400 * kDay, 181 * kDay, 180 * kDay + 1, 180 * kDay, 179 * kDay, UnixSeconds{0}}) {
        AppendPassageAged(age);
    }

    Result<int> purged = core_->PurgeExpiredPassages();

    ASSERT_TRUE(IsOk(purged));
    EXPECT_EQ(*purged, 3);
    const UnixSeconds now = clock_->Now();
    EXPECT_EQ(PassageTimes(), (std::vector<UnixSeconds>{now - 180 * kDay, now - 179 * kDay, now}));
}

TEST_F(PassageRetentionTest, FollowsClock) {
    AppendPassageAged(100 * kDay);
    ASSERT_TRUE(IsOk(core_->PurgeExpiredPassages()));
    ASSERT_EQ(PassageTimes().size(), 1u);

    clock_->Advance(81 * kDay);
    Result<int> purged = core_->PurgeExpiredPassages();

    ASSERT_TRUE(IsOk(purged));
    EXPECT_EQ(*purged, 1);
    EXPECT_TRUE(PassageTimes().empty());
}

TEST_F(PassageRetentionTest, SettingOverridesDefault) {
    ASSERT_TRUE(IsOk(core_->store().PutSetting("passage_retention_days", "30")));
    for (UnixSeconds age : {31 * kDay, 30 * kDay + 1, 30 * kDay, 29 * kDay})
        AppendPassageAged(age);

    Result<int> purged = core_->PurgeExpiredPassages();

    ASSERT_TRUE(IsOk(purged));
    EXPECT_EQ(*purged, 2);
    const UnixSeconds now = clock_->Now();
    EXPECT_EQ(PassageTimes(), (std::vector<UnixSeconds>{now - 30 * kDay, now - 29 * kDay}));
}

TEST_F(PassageRetentionTest, LongerSettingKeepsMore) {
    ASSERT_TRUE(IsOk(core_->store().PutSetting("passage_retention_days", "365")));
    AppendPassageAged(200 * kDay);
    AppendPassageAged(366 * kDay);

    Result<int> purged = core_->PurgeExpiredPassages();

    ASSERT_TRUE(IsOk(purged));
    EXPECT_EQ(*purged, 1);
    EXPECT_EQ(PassageTimes(), (std::vector<UnixSeconds>{clock_->Now() - 200 * kDay}));
}

TEST_F(PassageRetentionTest, InvalidSettingDeletesNothing) {
    ASSERT_TRUE(IsOk(core_->store().PutSetting("passage_retention_days", "half a year")));
    AppendPassageAged(400 * kDay);

    Result<int> purged = core_->PurgeExpiredPassages();

    ASSERT_FALSE(purged.ok());
    EXPECT_EQ(purged.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(PassageTimes().size(), 1u);
}

TEST_F(PassageRetentionTest, PurgedPassagesLeaveDatabase) {
    AppendPassageAged(200 * kDay);
    AppendPassageAged(0);

    Result<int> purged = core_->PurgeExpiredPassages();

    ASSERT_TRUE(IsOk(purged));
    EXPECT_EQ(TableRowCounts(db_file())["passages"], 1);
}

}  // namespace
}  // namespace menjin::testing
