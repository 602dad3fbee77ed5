// Operator login over HTTP: Argon2id password hashes, lockout after repeated failures, cookie
// and bearer sessions, expiry, logout, password change, disabled accounts, and gate device
// credentials that can be revoked.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "server/test_server.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

std::string FileBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

class AuthTest : public ::testing::Test {
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

    // Creates an estate staff operator of e1 through the API.
    static void CreateOperator(const std::string& id) {
        const nlohmann::json body = {{"id", id},
                                     {"display_name", "Test " + id},
                                     {"role", "estate_staff"},
                                     {"estate_id", "e1"},
                                     {"password", kPassword}};
        HttpResult created = server_->Send(Who::kAdmin, "POST", "/api/v1/operators", body.dump());
        ASSERT_EQ(created.status, 201) << created.body;
    }

    static HttpResult LoginAttempt(const std::string& id, const std::string& password,
                                   const std::string& session = "token") {
        const nlohmann::json body = {
            {"operator_id", id}, {"password", password}, {"session", session}};
        return server_->SendRaw("", "POST", "/api/v1/auth/login", body.dump(), "application/json");
    }

    static nlohmann::json OperatorRecord(const std::string& id) {
        HttpResult list = server_->Send(Who::kAdmin, "GET", "/api/v1/operators");
        const nlohmann::json json = list.Json();
        for (const nlohmann::json& account : json["operators"]) {
            if (account["id"] == id)
                return account;
        }
        return nullptr;
    }

    static std::unique_ptr<TestServer> server_;
};

std::unique_ptr<TestServer> AuthTest::server_;

TEST_F(AuthTest, PasswordsAreStoredAsArgon2idHashes) {
    Result<Operator> admin = server_->core().store().GetOperator("admin");
    ASSERT_TRUE(admin.ok());
    EXPECT_EQ(admin->password_hash.rfind("$argon2id$", 0), 0u);
    EXPECT_EQ(admin->password_hash.find(kPassword), std::string::npos);
    const std::string token = server_->Login("admin");
    ASSERT_FALSE(token.empty());
    const std::string database = FileBytes(DatabasePath(server_->data_dir())) +
                                 FileBytes(DatabasePath(server_->data_dir()).string() + "-wal");
    EXPECT_EQ(database.find(kPassword), std::string::npos);
    EXPECT_EQ(database.find(token), std::string::npos);
}

TEST_F(AuthTest, RepeatedFailuresLockTheAccount) {
    CreateOperator("lock-me");
    for (int i = 0; i < 5; ++i) {
        HttpResult failed = LoginAttempt("lock-me", "wrong password " + std::to_string(i));
        EXPECT_EQ(failed.status, 401);
        EXPECT_EQ(failed.ErrorCode(), "unauthenticated");
    }
    HttpResult locked = LoginAttempt("lock-me", kPassword);
    EXPECT_EQ(locked.status, 401);
    // The reply is the same as for an unknown id, so it does not reveal that the account exists.
    HttpResult unknown = LoginAttempt("no-such-operator", kPassword);
    EXPECT_EQ(locked.body, unknown.body);
    EXPECT_NE(locked.body.find("locked after repeated failures"), std::string::npos) << locked.body;
    EXPECT_EQ(OperatorRecord("lock-me")["failed_logins"], 5);

    server_->clock().Advance(15 * 60 + 1);
    EXPECT_EQ(LoginAttempt("lock-me", kPassword).status, 200);
    EXPECT_EQ(OperatorRecord("lock-me")["failed_logins"], 0);
}

TEST_F(AuthTest, AdminCanUnlockAnAccount) {
    CreateOperator("unlock-me");
    for (int i = 0; i < 5; ++i)
        LoginAttempt("unlock-me", "wrong password x");
    EXPECT_EQ(LoginAttempt("unlock-me", kPassword).status, 401);
    const nlohmann::json account = OperatorRecord("unlock-me");
    const nlohmann::json body = {{"version", account["version"]}, {"unlock", true}};
    HttpResult unlocked =
        server_->Send(Who::kAdmin, "PATCH", "/api/v1/operators/unlock-me", body.dump());
    ASSERT_EQ(unlocked.status, 200) << unlocked.body;
    EXPECT_EQ(LoginAttempt("unlock-me", kPassword).status, 200);
}

TEST_F(AuthTest, FailedLoginsAreAudited) {
    CreateOperator("audited-login");
    LoginAttempt("audited-login", "wrong password y");
    LoginAttempt("audited-login", kPassword);
    LoginAttempt("no-such-operator", "whatever password");
    AuditQuery query;
    query.limit = 1000;
    query.record_id = "audited-login";
    Result<std::vector<AuditEntry>> entries = server_->core().store().ListAuditEntries(query);
    ASSERT_TRUE(entries.ok());
    std::vector<std::string> actions;
    for (const AuditEntry& entry : *entries)
        actions.push_back(entry.action);
    EXPECT_EQ(actions, (std::vector<std::string>{"operator.create", "login.failed", "login"}));
    query.record_id = "";
    query.action = "login.failed";
    entries = server_->core().store().ListAuditEntries(query);
    ASSERT_TRUE(entries.ok());
    ASSERT_FALSE(entries->empty());
    EXPECT_EQ(entries->back().actor, "anonymous");
    EXPECT_EQ(entries->back().remote_address, "127.0.0.1");
}

TEST_F(AuthTest, CookieSessionEndsAtLogout) {
    HttpResult login = LoginAttempt("staff", kPassword, "cookie");
    ASSERT_EQ(login.status, 200);
    EXPECT_FALSE(login.Json().contains("token"));
    auto set_cookie = login.headers.find("Set-Cookie");
    ASSERT_NE(set_cookie, login.headers.end());
    const std::string& cookie = set_cookie->second;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    const std::string pair = cookie.substr(0, cookie.find(';'));
    const httplib::Headers with_cookie = {{"Cookie", "theme=dark; " + pair}};

    HttpResult session = server_->SendRaw("", "GET", "/api/v1/auth/session", "", "", with_cookie);
    ASSERT_EQ(session.status, 200);
    EXPECT_EQ(session.Json()["operator"]["id"], "staff");
    EXPECT_EQ(server_->SendRaw("", "POST", "/api/v1/auth/logout", "", "", with_cookie).status, 200);
    EXPECT_EQ(server_->SendRaw("", "GET", "/api/v1/auth/session", "", "", with_cookie).status, 401);
}

TEST_F(AuthTest, SessionsExpire) {
    const std::string token = server_->Login("auditor");
    ASSERT_FALSE(token.empty());
    EXPECT_EQ(server_->SendRaw("Bearer " + token, "GET", "/api/v1/estates", "", "").status, 200);
    server_->clock().Advance(12 * 3600 + 1);
    EXPECT_EQ(server_->SendRaw("Bearer " + token, "GET", "/api/v1/estates", "", "").status, 401);
    ASSERT_TRUE(server_->RefreshLogins().ok());
}

TEST_F(AuthTest, PasswordChangeEndsOldSessions) {
    CreateOperator("pw-change");
    const std::string old_session = server_->Login("pw-change");
    const nlohmann::json body = {{"current_password", kPassword},
                                 {"new_password", "a brand new password"}};
    HttpResult changed = server_->SendRaw("Bearer " + old_session, "POST", "/api/v1/auth/password",
                                          body.dump(), "application/json");
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(
        server_->SendRaw("Bearer " + old_session, "GET", "/api/v1/auth/session", "", "").status,
        401);
    EXPECT_EQ(LoginAttempt("pw-change", kPassword).status, 401);
    EXPECT_EQ(LoginAttempt("pw-change", "a brand new password").status, 200);
}

TEST_F(AuthTest, ShortPasswordsAreRejected) {
    const nlohmann::json body = {
        {"id", "short-pw"}, {"display_name", "x"}, {"role", "auditor"}, {"password", "short"}};
    HttpResult result = server_->Send(Who::kAdmin, "POST", "/api/v1/operators", body.dump());
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(result.Json()["error"]["field"], "password");
}

TEST_F(AuthTest, DisabledOperatorIsLockedOut) {
    CreateOperator("disable-me");
    const std::string session = server_->Login("disable-me");
    ASSERT_FALSE(session.empty());
    const nlohmann::json body = {{"version", OperatorRecord("disable-me")["version"]},
                                 {"disabled", true}};
    ASSERT_EQ(
        server_->Send(Who::kAdmin, "PATCH", "/api/v1/operators/disable-me", body.dump()).status,
        200);
    EXPECT_EQ(server_->SendRaw("Bearer " + session, "GET", "/api/v1/estates", "", "").status, 401);
    HttpResult disabled_login = LoginAttempt("disable-me", kPassword);
    EXPECT_EQ(disabled_login.status, 401);
    // The reply is that of a wrong password, so it confirms neither the id nor the password.
    EXPECT_EQ(disabled_login.body, LoginAttempt("disable-me", "wrong password").body);
}

TEST_F(AuthTest, RevokedDeviceCredentialStopsWorking) {
    HttpResult issued = server_->Send(Who::kStaff, "POST", "/api/v1/gates/g1/device-credentials");
    ASSERT_EQ(issued.status, 201) << issued.body;
    const std::string token = issued.Json()["token"];
    const std::string id = issued.Json()["device_credential"]["id"];
    const std::string body = R"({"kind":"pin","secret":"000000"})";
    EXPECT_EQ(server_
                  ->SendRaw("Bearer " + token, "POST", "/api/v1/gates/g1/credential-decisions",
                            body, "application/json")
                  .status,
              200);
    EXPECT_EQ(server_
                  ->SendRaw("Bearer " + token, "POST", "/api/v1/gates/g2/credential-decisions",
                            body, "application/json")
                  .status,
              403);
    HttpResult revoked =
        server_->Send(Who::kStaff, "DELETE", "/api/v1/gates/g1/device-credentials/" + id);
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_FALSE(revoked.Json()["revoked_at"].is_null());
    EXPECT_EQ(server_
                  ->SendRaw("Bearer " + token, "POST", "/api/v1/gates/g1/credential-decisions",
                            body, "application/json")
                  .status,
              401);
}

}  // namespace
}  // namespace menjin::testing
