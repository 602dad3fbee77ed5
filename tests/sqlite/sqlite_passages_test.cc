#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sqlite/store_fixture.h"

namespace menjin {
namespace {

using ::menjin::testing::IsOk;
using ::menjin::testing::MakeEstate;
using ::menjin::testing::MakeGate;
using ::testing::ElementsAre;

class SqlitePassagesTest : public ::menjin::testing::SqliteStoreTest {
  protected:
    void SetUp() override {
        SqliteStoreTest::SetUp();
        ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
        ASSERT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e2"))));
        ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g1", "e1"))));
        ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g2", "e1"))));
        ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g3", "e2"))));
    }

    std::int64_t Append(const std::string& gate_id, const std::string& estate_id, UnixSeconds at,
                        const std::string& person_id, DecisionBand band) {
        Passage passage;
        passage.gate_id = gate_id;
        passage.estate_id = estate_id;
        passage.at = at;
        passage.direction = GateDirection::kExit;
        passage.person_id = person_id;
        passage.band = band;
        passage.reason = band == DecisionBand::kGrant ? "granted" : "unknown_face";
        passage.score = 0.75;
        passage.credential = "face";
        Result<std::int64_t> id = store_->AppendPassage(passage);
        EXPECT_TRUE(IsOk(id));
        return id.ok() ? *id : -1;
    }

    std::vector<std::int64_t> Ids(const PassageQuery& query) {
        Result<std::vector<Passage>> passages = store_->QueryPassages(query);
        EXPECT_TRUE(IsOk(passages));
        std::vector<std::int64_t> ids;
        if (!passages.ok())
            return ids;
        for (const Passage& passage : *passages)
            ids.push_back(passage.id);
        return ids;
    }
};

TEST_F(SqlitePassagesTest, AppendAndReadBack) {
    std::int64_t id = Append("g1", "e1", 1000, "p1", DecisionBand::kGrant);

    Result<std::vector<Passage>> passages = store_->QueryPassages(PassageQuery{});

    ASSERT_TRUE(IsOk(passages));
    ASSERT_EQ(passages->size(), 1u);
    const Passage& passage = (*passages)[0];
    EXPECT_EQ(passage.id, id);
    EXPECT_EQ(passage.gate_id, "g1");
    EXPECT_EQ(passage.estate_id, "e1");
    EXPECT_EQ(passage.at, 1000);
    EXPECT_EQ(passage.direction, GateDirection::kExit);
    EXPECT_EQ(passage.person_id, "p1");
    EXPECT_EQ(passage.band, DecisionBand::kGrant);
    EXPECT_EQ(passage.reason, "granted");
    EXPECT_DOUBLE_EQ(passage.score, 0.75);
    EXPECT_EQ(passage.credential, "face");
}

TEST_F(SqlitePassagesTest, AppendAtUnknownGateFails) {
    Passage passage;
    passage.gate_id = "g9";
    passage.estate_id = "e1";
    Result<std::int64_t> id = store_->AppendPassage(passage);
    EXPECT_EQ(id.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(id.status().message(), ::testing::HasSubstr("gate 'g9' not found"));
}

TEST_F(SqlitePassagesTest, QueryFiltersCombine) {
    std::int64_t a = Append("g1", "e1", 1000, "p1", DecisionBand::kGrant);
    std::int64_t b = Append("g2", "e1", 2000, "p2", DecisionBand::kDeny);
    std::int64_t c = Append("g3", "e2", 3000, "p1", DecisionBand::kGrant);
    std::int64_t d = Append("g1", "e1", 4000, "", DecisionBand::kDeny);
    std::int64_t e = Append("g1", "e1", 5000, "p1", DecisionBand::kRetry);

    PassageQuery by_estate;
    by_estate.estate_id = "e1";
    EXPECT_THAT(Ids(by_estate), ElementsAre(e, d, b, a));

    PassageQuery by_gate;
    by_gate.gate_id = "g1";
    EXPECT_THAT(Ids(by_gate), ElementsAre(e, d, a));

    PassageQuery by_person;
    by_person.person_id = "p1";
    EXPECT_THAT(Ids(by_person), ElementsAre(e, c, a));

    PassageQuery by_band;
    by_band.band = DecisionBand::kDeny;
    EXPECT_THAT(Ids(by_band), ElementsAre(d, b));

    PassageQuery by_time;
    by_time.from = 2000;
    by_time.to = 4000;
    EXPECT_THAT(Ids(by_time), ElementsAre(c, b));

    PassageQuery combined;
    combined.estate_id = "e1";
    combined.person_id = "p1";
    combined.band = DecisionBand::kGrant;
    EXPECT_THAT(Ids(combined), ElementsAre(a));
}

TEST_F(SqlitePassagesTest, PagesWithBeforeId) {
    std::vector<std::int64_t> appended;
    for (int i = 0; i < 25; ++i) {
        appended.push_back(Append("g1", "e1", 1000 + i, "p1", DecisionBand::kGrant));
    }
    PassageQuery query;
    query.limit = 10;

    std::vector<std::int64_t> seen;
    for (int page = 0; page < 4; ++page) {
        std::vector<std::int64_t> ids = Ids(query);
        if (ids.empty())
            break;
        EXPECT_LE(ids.size(), 10u);
        seen.insert(seen.end(), ids.begin(), ids.end());
        query.before_id = ids.back();
    }

    std::vector<std::int64_t> expected(appended.rbegin(), appended.rend());
    EXPECT_EQ(seen, expected);
}

TEST_F(SqlitePassagesTest, QueryLimitIsValidated) {
    PassageQuery zero;
    zero.limit = 0;
    EXPECT_EQ(store_->QueryPassages(zero).status().code(), ErrorCode::kInvalidArgument);
    PassageQuery huge;
    huge.limit = SqliteStore::kMaxPassagePage + 1;
    EXPECT_EQ(store_->QueryPassages(huge).status().code(), ErrorCode::kInvalidArgument);
    PassageQuery negative_before;
    negative_before.before_id = -1;
    EXPECT_EQ(store_->QueryPassages(negative_before).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqlitePassagesTest, PseudonymiseReplacesPersonId) {
    Append("g1", "e1", 1000, "p1", DecisionBand::kGrant);
    Append("g1", "e1", 2000, "p1", DecisionBand::kGrant);
    std::int64_t other = Append("g1", "e1", 3000, "p2", DecisionBand::kGrant);
    std::int64_t unknown = Append("g1", "e1", 4000, "", DecisionBand::kDeny);

    Result<int> count = store_->PseudonymisePassages("p1", "anon-0123456789abcdef");

    ASSERT_TRUE(IsOk(count));
    EXPECT_EQ(*count, 2);
    PassageQuery by_person;
    by_person.person_id = "p1";
    EXPECT_TRUE(Ids(by_person).empty());
    Result<std::vector<Passage>> all = store_->QueryPassages(PassageQuery{});
    ASSERT_TRUE(IsOk(all));
    ASSERT_EQ(all->size(), 4u);
    for (const Passage& passage : *all) {
        if (passage.id == other) {
            EXPECT_EQ(passage.person_id, "p2");
            EXPECT_EQ(passage.pseudonym, "");
        } else if (passage.id == unknown) {
            EXPECT_EQ(passage.pseudonym, "");
        } else {
            EXPECT_EQ(passage.person_id, "");
            EXPECT_EQ(passage.pseudonym, "anon-0123456789abcdef");
        }
    }
}

TEST_F(SqlitePassagesTest, PseudonymiseRejectsEmptyIds) {
    Append("g1", "e1", 4000, "", DecisionBand::kDeny);
    EXPECT_EQ(store_->PseudonymisePassages("", "anon-x").status().code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->PseudonymisePassages("p1", "").status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqlitePassagesTest, PurgeDeletesOlderPassages) {
    Append("g1", "e1", 1000, "p1", DecisionBand::kGrant);
    Append("g1", "e1", 1999, "p1", DecisionBand::kGrant);
    std::int64_t kept = Append("g1", "e1", 2000, "p1", DecisionBand::kGrant);

    Result<int> purged = store_->PurgePassagesBefore(2000);

    ASSERT_TRUE(IsOk(purged));
    EXPECT_EQ(*purged, 2);
    EXPECT_THAT(Ids(PassageQuery{}), ElementsAre(kept));
}

}  // namespace
}  // namespace menjin
