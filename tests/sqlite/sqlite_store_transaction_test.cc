#include <stdexcept>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sqlite/store_fixture.h"

namespace menjin {
namespace {

using ::menjin::testing::IsOk;
using ::menjin::testing::MakeEstate;
using ::menjin::testing::MakeGate;

using SqliteStoreTransactionTest = ::menjin::testing::SqliteStoreTest;

constexpr int kThreads = 4;
constexpr int kUpdatesPerThread = 50;

Passage MakePassage(UnixSeconds at) {
    Passage passage;
    passage.gate_id = "g1";
    passage.estate_id = "e1";
    passage.at = at;
    passage.band = DecisionBand::kGrant;
    passage.reason = "granted";
    passage.credential = "face";
    return passage;
}

TEST_F(SqliteStoreTransactionTest, SuccessfulBodyCommits) {
    Status status = store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(store_->CreateEstate(MakeEstate("e1")));
        return store_->CreateGate(MakeGate("g1", "e1"));
    });

    ASSERT_TRUE(IsOk(status));
    Reopen();
    EXPECT_TRUE(IsOk(store_->GetGate("g1")));
}

TEST_F(SqliteStoreTransactionTest, FailedBodyRollsBackEverything) {
    Status status = store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(store_->CreateEstate(MakeEstate("e1")));
        MENJIN_RETURN_IF_ERROR(store_->CreateGate(MakeGate("g1", "e1")));
        MENJIN_RETURN_IF_ERROR(store_->PutSetting("retention.days", "30"));
        return store_->CreateGate(MakeGate("g2", "missing-estate"));
    });

    EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(store_->GetEstate("e1").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->GetGate("g1").status().code(), ErrorCode::kNotFound);
    Result<std::optional<std::string>> setting = store_->GetSetting("retention.days");
    ASSERT_TRUE(IsOk(setting));
    EXPECT_FALSE(setting->has_value());
}

TEST_F(SqliteStoreTransactionTest, ThrowingBodyRollsBack) {
    EXPECT_THROW((void)store_->Transaction([&]() -> Status {
        EXPECT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e1"))));
        throw std::runtime_error("body failed");
    }),
                 std::runtime_error);

    EXPECT_EQ(store_->GetEstate("e1").status().code(), ErrorCode::kNotFound);
    EXPECT_TRUE(IsOk(store_->CreateEstate(MakeEstate("e2"))));
}

TEST_F(SqliteStoreTransactionTest, FailedNestedBodyRollsBackOnlyItself) {
    Status status = store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(store_->CreateEstate(MakeEstate("e1")));
        Status inner = store_->Transaction([&]() -> Status {
            MENJIN_RETURN_IF_ERROR(store_->CreateEstate(MakeEstate("e2")));
            return Status(ErrorCode::kInvalidArgument, "test: inner body failed");
        });
        EXPECT_EQ(inner.code(), ErrorCode::kInvalidArgument);
        return Status::Ok();
    });

    ASSERT_TRUE(IsOk(status));
    EXPECT_TRUE(IsOk(store_->GetEstate("e1")));
    EXPECT_EQ(store_->GetEstate("e2").status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTransactionTest, FailedOuterBodyRollsBackNestedWork) {
    Status status = store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(store_->Transaction(
            [&]() -> Status { return store_->CreateEstate(MakeEstate("e1")); }));
        return Status(ErrorCode::kInvalidArgument, "test: outer body failed");
    });

    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->GetEstate("e1").status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTransactionTest, CompactInsideTransactionFails) {
    Status status = store_->Transaction([&]() -> Status { return store_->Compact(); });
    EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
}

// Each thread increments the estate's welfare_days inside a transaction and appends a
// passage, so every update reads the latest version and none is lost.
TEST_F(SqliteStoreTransactionTest, ConcurrentTransactionsLoseNoUpdate) {
    Estate estate = MakeEstate("e1");
    estate.welfare_days = 0;
    ASSERT_TRUE(IsOk(store_->CreateEstate(estate)));
    ASSERT_TRUE(IsOk(store_->CreateGate(MakeGate("g1", "e1"))));

    std::vector<Status> failures[kThreads];
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kUpdatesPerThread; ++i) {
                Status status = store_->Transaction([&]() -> Status {
                    MENJIN_ASSIGN_OR_RETURN(Estate current, store_->GetEstate("e1"));
                    ++current.welfare_days;
                    MENJIN_RETURN_IF_ERROR(store_->UpdateEstate(current).status());
                    return store_->AppendPassage(MakePassage(1700000000 + i)).status();
                });
                if (!status.ok())
                    failures[t].push_back(status);
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();

    for (int t = 0; t < kThreads; ++t) {
        EXPECT_TRUE(failures[t].empty()) << "thread " << t << ": " << failures[t][0].ToString();
    }
    Result<Estate> final_estate = store_->GetEstate("e1");
    ASSERT_TRUE(IsOk(final_estate));
    EXPECT_EQ(final_estate->welfare_days, kThreads * kUpdatesPerThread);
    EXPECT_EQ(final_estate->version, 1 + kThreads * kUpdatesPerThread);
    PassageQuery query;
    query.limit = SqliteStore::kMaxPassagePage;
    Result<std::vector<Passage>> passages = store_->QueryPassages(query);
    ASSERT_TRUE(IsOk(passages));
    EXPECT_EQ(passages->size(), static_cast<std::size_t>(kThreads * kUpdatesPerThread));
}

// Without a transaction the threads race, and the version check turns each lost race into
// kConflict; retrying from a fresh read still loses no update.
TEST_F(SqliteStoreTransactionTest, ConcurrentOptimisticUpdatesRetryOnConflict) {
    Estate estate = MakeEstate("e1");
    estate.welfare_days = 0;
    ASSERT_TRUE(IsOk(store_->CreateEstate(estate)));

    std::vector<Status> failures[kThreads];
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kUpdatesPerThread; ++i) {
                while (true) {
                    Result<Estate> current = store_->GetEstate("e1");
                    if (!current.ok()) {
                        failures[t].push_back(current.status());
                        break;
                    }
                    ++current->welfare_days;
                    Status status = store_->UpdateEstate(*current).status();
                    if (status.code() == ErrorCode::kConflict)
                        continue;
                    if (!status.ok())
                        failures[t].push_back(status);
                    break;
                }
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();

    for (int t = 0; t < kThreads; ++t) {
        EXPECT_TRUE(failures[t].empty()) << "thread " << t << ": " << failures[t][0].ToString();
    }
    Result<Estate> final_estate = store_->GetEstate("e1");
    ASSERT_TRUE(IsOk(final_estate));
    EXPECT_EQ(final_estate->welfare_days, kThreads * kUpdatesPerThread);
}

}  // namespace
}  // namespace menjin
