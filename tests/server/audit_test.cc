// The audit log: which API actions write entries and what they record, and the hash chain that
// `menjin audit verify` checks, which must fail after an entry is edited or deleted in the
// SQLite file.

#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "crypto/data_key.h"
#include "domain/audit_chain.h"
#include "server/audit_log.h"
#include "server/test_server.h"
#include "sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

// ---- Entries written by API actions ---------------------------------------------------------

class AuditedActionsTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::optional<std::filesystem::path> models = ModelDir();
        if (!models)
            return;
        Result<std::unique_ptr<TestServer>> started = TestServer::Start(*models);
        ASSERT_TRUE(started.ok()) << started.status().ToString();
        server_ = std::move(started).value();
    }
    static void TearDownTestSuite() { server_.reset(); }
    void SetUp() override {
        if (!server_)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
    }

    // Returns the newest entry, or a default entry when the log is empty.
    static AuditEntry LastEntry() {
        AuditQuery query;
        Result<std::int64_t> last = server_->core().store().LastAuditSeq();
        query.after_seq = last.ok() ? *last - 1 : 0;
        Result<std::vector<AuditEntry>> entries = server_->core().store().ListAuditEntries(query);
        return entries.ok() && !entries->empty() ? entries->back() : AuditEntry{};
    }

    static std::unique_ptr<TestServer> server_;
};

std::unique_ptr<TestServer> AuditedActionsTest::server_;

TEST_F(AuditedActionsTest, PersonalDataReadRecordsWhoWhatWhenWhere) {
    const UnixSeconds before = server_->clock().Now();
    ASSERT_EQ(server_->Send(Who::kStaff, "GET", "/api/v1/people/p1").status, 200);
    const AuditEntry entry = LastEntry();
    EXPECT_EQ(entry.actor, "staff");
    EXPECT_EQ(entry.actor_role, "estate_staff");
    EXPECT_EQ(entry.action, "person.read");
    EXPECT_EQ(entry.record_type, "person");
    EXPECT_EQ(entry.record_id, "p1");
    EXPECT_EQ(entry.remote_address, "127.0.0.1");
    EXPECT_EQ(entry.outcome, "ok");
    EXPECT_GE(entry.at, before);
    EXPECT_EQ(entry.hash.size(), 64u);
}

TEST_F(AuditedActionsTest, ThumbnailLinkAndFetchAreRecorded) {
    HttpResult link = server_->Send(Who::kStaff, "GET", "/api/v1/people/p1/thumbnail-link");
    ASSERT_EQ(link.status, 200);
    EXPECT_EQ(LastEntry().action, "person.thumbnail_link");
    const std::string url = link.Json()["url"];
    ASSERT_EQ(server_->Send(Who::kAnonymous, "GET", url).status, 200);
    const AuditEntry fetched = LastEntry();
    EXPECT_EQ(fetched.action, "person.thumbnail.read");
    EXPECT_EQ(fetched.record_id, "p1");
    EXPECT_EQ(fetched.actor, "thumbnail-link");
}

TEST_F(AuditedActionsTest, DeniedReadIsRecordedWithItsOutcome) {
    ASSERT_EQ(server_->Send(Who::kStaff, "GET", "/api/v1/people/p2").status, 403);
    EXPECT_EQ(LastEntry().outcome, "permission_denied");
    ASSERT_EQ(server_->Send(Who::kAuditor, "GET", "/api/v1/people/p1").status, 403);
    EXPECT_EQ(LastEntry().actor, "auditor");
    EXPECT_EQ(LastEntry().outcome, "permission_denied");
}

TEST_F(AuditedActionsTest, ChangesExportsAndMoveOutsAreRecorded) {
    HttpResult unit =
        server_->Send(Who::kStaff, "POST", "/api/v1/units",
                      R"({"id":"audit-unit","estate_id":"e1","building":"2","number":"1"})");
    ASSERT_EQ(unit.status, 201);
    EXPECT_EQ(LastEntry().action, "unit.create");
    EXPECT_EQ(LastEntry().record_id, "audit-unit");

    ASSERT_EQ(server_->Send(Who::kAdmin, "GET", "/api/v1/passages/export?estate_id=e1").status,
              200);
    EXPECT_EQ(LastEntry().action, "passage.export");
    EXPECT_EQ(LastEntry().record_id, "e1");

    HttpResult moved = server_->Send(Who::kAdmin, "POST", "/api/v1/people/mo-admin/move-out");
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(LastEntry().action, "person.move_out");
    EXPECT_EQ(LastEntry().record_id, "mo-admin");
    EXPECT_FALSE(moved.Json()["receipt"]["person_pseudonym"].get<std::string>().empty());
}

TEST_F(AuditedActionsTest, EntriesHoldNoNamesOrAddresses) {
    ASSERT_EQ(server_->Send(Who::kAdmin, "GET", "/api/v1/units/u1").status, 200);
    ASSERT_EQ(server_->Send(Who::kAdmin, "GET", "/api/v1/estates/e1/people?q=测试").status, 200);
    AuditQuery query;
    query.limit = 1000;
    Result<std::vector<AuditEntry>> entries = server_->core().store().ListAuditEntries(query);
    ASSERT_TRUE(entries.ok());
    for (const AuditEntry& entry : *entries) {
        const std::string text = AuditCanonicalText(entry);
        EXPECT_EQ(text.find("测试"), std::string::npos) << text;
        EXPECT_EQ(text.find("test address"), std::string::npos) << text;
    }
}

TEST_F(AuditedActionsTest, ChainVerifiesOverTheApi) {
    HttpResult check = server_->Send(Who::kAuditor, "GET", "/api/v1/audit/verify");
    ASSERT_EQ(check.status, 200);
    EXPECT_EQ(check.Json()["ok"], true);
    EXPECT_GT(check.Json()["entries"].get<int>(), 0);
    HttpResult page = server_->Send(Who::kAuditor, "GET", "/api/v1/audit?limit=2");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.Json()["entries"].size(), 2u);
    EXPECT_EQ(page.Json()["next_after_seq"], 2);
}

// ---- Tampering with the database file -------------------------------------------------------

constexpr int kEntries = 10;

struct CommandResult {
    int exit_code = -1;
    std::string out;
};

CommandResult RunVerify(const std::filesystem::path& data_dir) {
    const std::filesystem::path out = data_dir / "verify.out";
    const std::string command = std::string("'") + MENJIN_EXECUTABLE + "' audit verify --data '" +
                                data_dir.string() + "' >'" + out.string() + "' 2>/dev/null";
    const int status = std::system(command.c_str());
    CommandResult result;
    if (status != -1 && WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    result.out = text.str();
    return result;
}

// Runs SQL on the file through a connection of its own; returns SQLite's error text or "".
std::string ExecuteSql(const std::filesystem::path& db_file, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(db_file.c_str(), &db);
    char* error = nullptr;
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    return message;
}

class AuditTamperTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<DataKey> key = DataKey::LoadOrCreate(KeyFilePath(dir_.path()));
        ASSERT_TRUE(key.ok()) << key.status().ToString();
        Result<std::unique_ptr<SqliteStore>> store =
            SqliteStore::Open(db_file(), RecordCipher(*key));
        ASSERT_TRUE(store.ok()) << store.status().ToString();
        ManualClock clock(1767225600);
        AuditLog log(**store, clock);
        for (int i = 1; i <= kEntries; ++i) {
            clock.Advance(60);
            ASSERT_TRUE(log.Record(AuditEvent{"admin", "centre_admin", "person.read", "person",
                                              "p" + std::to_string(i), "10.0.0.1", "ok"})
                            .ok());
        }
    }

    std::filesystem::path db_file() const { return DatabasePath(dir_.path()); }

    TempDir dir_;
};

TEST_F(AuditTamperTest, IntactLogVerifies) {
    CommandResult result = RunVerify(dir_.path());
    EXPECT_EQ(result.exit_code, 0) << result.out;
    const nlohmann::json out = nlohmann::json::parse(result.out, nullptr, false);
    EXPECT_EQ(out["ok"], true);
    EXPECT_EQ(out["entries"], kEntries);
}

TEST_F(AuditTamperTest, TriggersRejectUpdateAndDelete) {
    EXPECT_NE(ExecuteSql(db_file(), "UPDATE audit_log SET record_id = 'x' WHERE seq = 3")
                  .find("append-only"),
              std::string::npos);
    EXPECT_NE(ExecuteSql(db_file(), "DELETE FROM audit_log WHERE seq = 3").find("append-only"),
              std::string::npos);
    EXPECT_EQ(RunVerify(dir_.path()).exit_code, 0);
}

TEST_F(AuditTamperTest, EditedEntryFailsVerify) {
    ASSERT_EQ(ExecuteSql(db_file(),
                         "DROP TRIGGER audit_log_no_update; "
                         "UPDATE audit_log SET record_id = 'someone-else' WHERE seq = 4"),
              "");
    CommandResult result = RunVerify(dir_.path());
    EXPECT_EQ(result.exit_code, 1);
    const nlohmann::json out = nlohmann::json::parse(result.out, nullptr, false);
    EXPECT_EQ(out["ok"], false);
    EXPECT_EQ(out["first_bad_seq"], 4) << result.out;
}

TEST_F(AuditTamperTest, EditWithRecomputedHashStillFails) {
    // Rewriting one entry's hash to match its new content breaks the link to the next entry.
    AuditEntry edited;
    edited.seq = 4;
    edited.at = 1767225600 + 4 * 60;
    edited.actor = "admin";
    edited.actor_role = "centre_admin";
    edited.action = "person.read";
    edited.record_type = "person";
    edited.record_id = "someone-else";
    edited.remote_address = "10.0.0.1";
    edited.outcome = "ok";
    sqlite3* db = nullptr;
    sqlite3_open(db_file().c_str(), &db);
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(db, "SELECT prev_hash FROM audit_log WHERE seq = 4", -1, &select, nullptr);
    ASSERT_EQ(sqlite3_step(select), SQLITE_ROW);
    const std::string prev(reinterpret_cast<const char*>(sqlite3_column_text(select, 0)));
    sqlite3_finalize(select);
    sqlite3_close(db);
    ASSERT_EQ(ExecuteSql(db_file(),
                         "DROP TRIGGER audit_log_no_update; "
                         "UPDATE audit_log SET record_id = 'someone-else', hash = '" +
                             AuditEntryHash(prev, edited) + "' WHERE seq = 4"),
              "");
    CommandResult result = RunVerify(dir_.path());
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(nlohmann::json::parse(result.out, nullptr, false)["first_bad_seq"], 5) << result.out;
}

TEST_F(AuditTamperTest, DeletedEntryFailsVerify) {
    ASSERT_EQ(ExecuteSql(db_file(),
                         "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 6"),
              "");
    CommandResult result = RunVerify(dir_.path());
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(nlohmann::json::parse(result.out, nullptr, false)["first_bad_seq"], 6) << result.out;
}

TEST_F(AuditTamperTest, DeletedLastEntryFailsVerify) {
    ASSERT_EQ(ExecuteSql(db_file(),
                         "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log "
                         "WHERE seq = " +
                             std::to_string(kEntries)),
              "");
    CommandResult result = RunVerify(dir_.path());
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(nlohmann::json::parse(result.out, nullptr, false)["first_bad_seq"], kEntries)
        << result.out;
}

}  // namespace
}  // namespace menjin::testing
