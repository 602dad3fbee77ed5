// SqliteStore: operators, sessions, gate device credentials, the append-only audit log, and the
// city-wide people search and passage counts.

#include <gtest/gtest.h>

#include "domain/audit_chain.h"
#include "sqlite/store_fixture.h"

namespace menjin::testing {
namespace {

class SqliteSecurityTest : public SqliteStoreTest {
  protected:
    static Operator MakeOperator(const std::string& id, OperatorRole role,
                                 const std::string& estate_id = "") {
        Operator account;
        account.id = id;
        account.display_name = "Name of " + id;
        account.role = role;
        account.estate_id = estate_id;
        account.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$salt$hash";
        account.created_at = 1767225600;
        return account;
    }

    static AuditEntry MakeEntry(const std::string& record_id) {
        AuditEntry entry;
        entry.at = 1767225600;
        entry.actor = "admin";
        entry.actor_role = "centre_admin";
        entry.action = "person.read";
        entry.record_type = "person";
        entry.record_id = record_id;
        entry.remote_address = "127.0.0.1";
        entry.outcome = "ok";
        return entry;
    }
};

TEST_F(SqliteSecurityTest, OperatorRoundTripAndVersionCheck) {
    CreateResidentFixture();
    ASSERT_TRUE(
        IsOk(store_->CreateOperator(MakeOperator("staff", OperatorRole::kEstateStaff, "e1"))));
    Result<Operator> stored = store_->GetOperator("staff");
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->estate_id, "e1");
    EXPECT_EQ(stored->version, 1);
    Operator edited = *stored;
    edited.display_name = "Renamed";
    ASSERT_TRUE(IsOk(store_->UpdateOperator(edited)));
    EXPECT_EQ(store_->UpdateOperator(edited).status().code(), ErrorCode::kConflict);
}

TEST_F(SqliteSecurityTest, OperatorRoleAndEstateMustAgree) {
    CreateResidentFixture();
    EXPECT_EQ(store_->CreateOperator(MakeOperator("x", OperatorRole::kEstateStaff)).code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->CreateOperator(MakeOperator("y", OperatorRole::kAuditor, "e1")).code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->CreateOperator(MakeOperator("z", OperatorRole::kEstateStaff, "nope")).code(),
              ErrorCode::kFailedPrecondition);
}

TEST_F(SqliteSecurityTest, LoginStateDoesNotChangeTheVersion) {
    ASSERT_TRUE(IsOk(store_->CreateOperator(MakeOperator("admin", OperatorRole::kCentreAdmin))));
    ASSERT_TRUE(IsOk(store_->SetOperatorLoginState("admin", 3, 1767229200)));
    Result<Operator> stored = store_->GetOperator("admin");
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->failed_logins, 3);
    EXPECT_EQ(stored->locked_until, 1767229200);
    EXPECT_EQ(stored->version, 1);
    EXPECT_EQ(store_->SetOperatorLoginState("nobody", 1, 0).code(), ErrorCode::kNotFound);
}

TEST_F(SqliteSecurityTest, SessionsAreFoundByHashAndPurged) {
    ASSERT_TRUE(IsOk(store_->CreateOperator(MakeOperator("admin", OperatorRole::kCentreAdmin))));
    OperatorSession session{"hash-1", "admin", 100, 200, "127.0.0.1"};
    ASSERT_TRUE(IsOk(store_->CreateSession(session)));
    ASSERT_TRUE(IsOk(store_->CreateSession({"hash-2", "admin", 100, 300, "127.0.0.1"})));
    Result<std::optional<OperatorSession>> found = store_->FindSession("hash-1");
    ASSERT_TRUE(IsOk(found));
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->expires_at, 200);
    EXPECT_EQ(*store_->PurgeExpiredSessions(200), 1);
    EXPECT_FALSE(store_->FindSession("hash-1")->has_value());
    EXPECT_EQ(*store_->DeleteSessionsOfOperator("admin"), 1);
    EXPECT_TRUE(IsOk(store_->DeleteSession("unknown")));
}

TEST_F(SqliteSecurityTest, RevokedDeviceCredentialIsNotFound) {
    CreateResidentFixture();
    DeviceCredential credential{"dev-1", "g1", "token-hash", 100, "admin", std::nullopt};
    ASSERT_TRUE(IsOk(store_->CreateDeviceCredential(credential)));
    EXPECT_TRUE(store_->FindDeviceCredential("token-hash")->has_value());
    ASSERT_TRUE(IsOk(store_->RevokeDeviceCredential("dev-1", 150)));
    ASSERT_TRUE(IsOk(store_->RevokeDeviceCredential("dev-1", 999)));
    EXPECT_FALSE(store_->FindDeviceCredential("token-hash")->has_value());
    Result<DeviceCredential> stored = store_->GetDeviceCredential("dev-1");
    ASSERT_TRUE(IsOk(stored));
    EXPECT_EQ(stored->revoked_at, 150);
    EXPECT_EQ(store_->ListDeviceCredentials("g1")->size(), 1u);
    EXPECT_EQ(store_->RevokeDeviceCredential("dev-9", 1).code(), ErrorCode::kNotFound);
    credential.id = "dev-2";
    EXPECT_EQ(store_->CreateDeviceCredential(credential).code(), ErrorCode::kAlreadyExists);
    credential.token_hash = "other-token-hash";
    credential.gate_id = "no-gate";
    EXPECT_EQ(store_->CreateDeviceCredential(credential).code(), ErrorCode::kFailedPrecondition);
}

TEST_F(SqliteSecurityTest, AuditAppendChainsEntries) {
    Result<AuditEntry> first = store_->AppendAuditEntry(MakeEntry("p1"));
    Result<AuditEntry> second = store_->AppendAuditEntry(MakeEntry("p2"));
    ASSERT_TRUE(IsOk(first));
    ASSERT_TRUE(IsOk(second));
    EXPECT_EQ(first->seq, 1);
    EXPECT_EQ(first->prev_hash, AuditGenesisHash());
    EXPECT_EQ(second->seq, 2);
    EXPECT_EQ(second->prev_hash, first->hash);
    EXPECT_EQ(second->hash, AuditEntryHash(first->hash, *second));
    EXPECT_EQ(*store_->LastAuditSeq(), 2);
    AuditQuery query;
    query.record_id = "p2";
    Result<std::vector<AuditEntry>> found = store_->ListAuditEntries(query);
    ASSERT_TRUE(IsOk(found));
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ((*found)[0].hash, second->hash);
}

TEST_F(SqliteSecurityTest, AuditLogIsAppendOnly) {
    ASSERT_TRUE(IsOk(store_->AppendAuditEntry(MakeEntry("p1"))));
    SqliteConnection raw = RawConnection();
    EXPECT_EQ(raw.Execute("UPDATE audit_log SET outcome = 'x'").code(),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(raw.Execute("DELETE FROM audit_log").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->ListAuditEntries(AuditQuery{})->size(), 1u);
}

TEST_F(SqliteSecurityTest, SearchPeopleAcrossEstates) {
    CreateResidentFixture();
    Result<std::vector<Person>> all = store_->SearchPeople("", 10);
    ASSERT_TRUE(IsOk(all));
    EXPECT_EQ(all->size(), 1u);
    EXPECT_EQ(store_->SearchPeople("P1", 10)->size(), 1u);
    EXPECT_TRUE(store_->SearchPeople("%", 10)->empty());
    EXPECT_EQ(store_->SearchPeople("", 0).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SqliteSecurityTest, CountPassagesGroupsByGateAndBand) {
    CreateResidentFixture();
    for (DecisionBand band : {DecisionBand::kGrant, DecisionBand::kGrant, DecisionBand::kDeny}) {
        Passage passage;
        passage.gate_id = "g1";
        passage.estate_id = "e1";
        passage.at = 1767225600;
        passage.band = band;
        passage.reason = "test";
        ASSERT_TRUE(IsOk(store_->AppendPassage(passage)));
    }
    PassageQuery query;
    query.estate_id = "e1";
    Result<std::vector<PassageCount>> counts = store_->CountPassages(query);
    ASSERT_TRUE(IsOk(counts));
    ASSERT_EQ(counts->size(), 2u);
    EXPECT_EQ((*counts)[0].band, DecisionBand::kDeny);
    EXPECT_EQ((*counts)[0].count, 1);
    EXPECT_EQ((*counts)[1].band, DecisionBand::kGrant);
    EXPECT_EQ((*counts)[1].count, 2);
}

}  // namespace
}  // namespace menjin::testing
