// The welfare alert, lead, settings and report routes over HTTP: the per-estate inbox, the alert
// lifecycle with its version and state conflicts, input errors that name the field and value,
// audited CSV exports and the report's series and figures. Each test gets a fresh server with
// the seeded alerts and leads of test_server.h.

#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "server/test_server.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

constexpr UnixSeconds kDay = 86400;

class WelfareRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::optional<std::filesystem::path> models = ModelDir();
        if (!models)
            GTEST_SKIP() << "needs the converted models (run the setup command)";
        Result<std::unique_ptr<TestServer>> started = TestServer::Start(*models);
        ASSERT_TRUE(started.ok()) << started.status().ToString();
        server_ = std::move(started).value();
    }

    const std::string& Var(const std::string& name) { return server_->vars.at(name); }

    HttpResult Post(Who who, const std::string& path, const nlohmann::json& body) {
        return server_->Send(who, "POST", path, body.dump());
    }

    // Returns the ids of the alerts or leads in a list reply.
    static std::set<std::string> Ids(const HttpResult& result, const char* list) {
        std::set<std::string> ids;
        const nlohmann::json json = result.Json();
        for (const nlohmann::json& item : json[list])
            ids.insert(std::to_string(item["id"].get<std::int64_t>()));
        return ids;
    }

    // Returns the newest audit entry.
    AuditEntry LastAuditEntry() {
        AuditQuery query;
        Result<std::int64_t> last = server_->core().store().LastAuditSeq();
        query.after_seq = last.ok() ? *last - 1 : 0;
        Result<std::vector<AuditEntry>> entries = server_->core().store().ListAuditEntries(query);
        return entries.ok() && !entries->empty() ? entries->back() : AuditEntry{};
    }

    std::unique_ptr<TestServer> server_;
};

TEST_F(WelfareRoutesTest, AlertInboxIsPerEstate) {
    HttpResult e1 = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts");
    ASSERT_EQ(e1.status, 200) << e1.body;
    const std::set<std::string> ids = Ids(e1, "alerts");
    EXPECT_TRUE(ids.count(Var("alert-e1")));
    EXPECT_TRUE(ids.count(Var("ack-staff")));
    EXPECT_FALSE(ids.count(Var("alert-e2")));
    const nlohmann::json e1_json = e1.Json();
    for (const nlohmann::json& alert : e1_json["alerts"])
        EXPECT_EQ(alert["estate_id"], "e1");

    HttpResult e2 = server_->Send(Who::kAdmin, "GET", "/api/v1/estates/e2/alerts");
    ASSERT_EQ(e2.status, 200);
    EXPECT_EQ(Ids(e2, "alerts"), std::set<std::string>{Var("alert-e2")});
    EXPECT_EQ(server_->Send(Who::kStaff, "GET", "/api/v1/estates/e2/alerts").status, 403);
}

TEST_F(WelfareRoutesTest, AlertListNamesPersonAndUnit) {
    HttpResult listed = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts?limit=100");
    ASSERT_EQ(listed.status, 200);
    bool found = false;
    const nlohmann::json listed_json = listed.Json();
    for (const nlohmann::json& alert : listed_json["alerts"]) {
        if (std::to_string(alert["id"].get<std::int64_t>()) != Var("alert-e1"))
            continue;
        found = true;
        EXPECT_EQ(alert["person"]["id"], "p1");
        EXPECT_EQ(alert["person"]["unit"]["id"], "u1");
    }
    EXPECT_TRUE(found);

    HttpResult detail = server_->Send(Who::kStaff, "GET", "/api/v1/alerts/" + Var("alert-e1"));
    ASSERT_EQ(detail.status, 200) << detail.body;
    EXPECT_EQ(detail.Json()["status"], "open");
    EXPECT_TRUE(detail.Json()["recent_passages"].is_array());
}

TEST_F(WelfareRoutesTest, AlertStatusFilterAndPaging) {
    HttpResult resolved =
        server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts?status=resolved");
    ASSERT_EQ(resolved.status, 200);
    EXPECT_TRUE(resolved.Json()["alerts"].empty());

    HttpResult first = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts?limit=2");
    ASSERT_EQ(first.status, 200);
    ASSERT_EQ(first.Json()["alerts"].size(), 2u);
    const std::int64_t next = first.Json()["next_before_id"];
    HttpResult second = server_->Send(
        Who::kStaff, "GET", "/api/v1/estates/e1/alerts?limit=2&before_id=" + std::to_string(next));
    ASSERT_EQ(second.status, 200);
    const nlohmann::json second_json = second.Json();
    for (const nlohmann::json& alert : second_json["alerts"])
        EXPECT_LT(alert["id"].get<std::int64_t>(), next);
}

TEST_F(WelfareRoutesTest, BadStatusFilterNamesTheValue) {
    HttpResult result =
        server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts?status=open,gone");
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(result.Json()["error"]["field"], "status");
    EXPECT_NE(result.body.find("'gone'"), std::string::npos) << result.body;
}

TEST_F(WelfareRoutesTest, AcknowledgeThenResolve) {
    const std::string path = "/api/v1/alerts/" + Var("alert-e1");
    server_->clock().Advance(600);
    HttpResult acknowledged =
        Post(Who::kStaff, path + "/acknowledge", {{"version", 1}, {"note", "phoned the son"}});
    ASSERT_EQ(acknowledged.status, 200) << acknowledged.body;
    const nlohmann::json ack = acknowledged.Json();
    EXPECT_EQ(ack["status"], "acknowledged");
    EXPECT_EQ(ack["acknowledged_by"], "staff");
    EXPECT_EQ(ack["acknowledge_note"], "phoned the son");
    EXPECT_FALSE(ack["acknowledged_at"].is_null());
    EXPECT_EQ(ack["version"], 2);

    HttpResult resolved = Post(Who::kAdmin, path + "/resolve",
                               {{"version", 2}, {"outcome", "in_hospital"}, {"note", "ward 3"}});
    ASSERT_EQ(resolved.status, 200) << resolved.body;
    const nlohmann::json done = resolved.Json();
    EXPECT_EQ(done["status"], "resolved");
    EXPECT_EQ(done["resolved_by"], "admin");
    EXPECT_EQ(done["outcome"], "in_hospital");
    EXPECT_EQ(done["resolve_note"], "ward 3");
    EXPECT_EQ(done["version"], 3);
    EXPECT_EQ(LastAuditEntry().action, "alert.resolve");
}

TEST_F(WelfareRoutesTest, StaleVersionIsConflict) {
    const std::string path = "/api/v1/alerts/" + Var("alert-e1");
    HttpResult acknowledged = Post(Who::kStaff, path + "/acknowledge", {{"version", 7}});
    EXPECT_EQ(acknowledged.status, 409);
    EXPECT_EQ(acknowledged.ErrorCode(), "conflict");
    HttpResult resolved =
        Post(Who::kStaff, path + "/resolve", {{"version", 7}, {"outcome", "visited_well"}});
    EXPECT_EQ(resolved.status, 409);
    EXPECT_EQ(resolved.ErrorCode(), "conflict");
}

TEST_F(WelfareRoutesTest, WrongStateIsFailedPrecondition) {
    const std::string path = "/api/v1/alerts/" + Var("alert-e1");
    ASSERT_EQ(
        Post(Who::kStaff, path + "/resolve", {{"version", 1}, {"outcome", "visited_well"}}).status,
        200);
    HttpResult acknowledged = Post(Who::kStaff, path + "/acknowledge", {{"version", 2}});
    EXPECT_EQ(acknowledged.status, 409);
    EXPECT_EQ(acknowledged.ErrorCode(), "failed_precondition");
    EXPECT_NE(acknowledged.body.find("resolved"), std::string::npos) << acknowledged.body;
    HttpResult again = Post(Who::kStaff, path + "/resolve", {{"version", 2}, {"outcome", "other"}});
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.ErrorCode(), "failed_precondition");
}

TEST_F(WelfareRoutesTest, BadOutcomeNamesTheValue) {
    const std::string path = "/api/v1/alerts/" + Var("alert-e1") + "/resolve";
    HttpResult bad = Post(Who::kStaff, path, {{"version", 1}, {"outcome", "all_fine"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.Json()["error"]["field"], "outcome");
    EXPECT_NE(bad.body.find("'all_fine'"), std::string::npos) << bad.body;
    EXPECT_NE(bad.body.find("visited_well"), std::string::npos) << bad.body;

    HttpResult missing = Post(Who::kStaff, path, {{"version", 1}});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.Json()["error"]["field"], "outcome");

    HttpResult lead = Post(Who::kStaff, "/api/v1/leads/" + Var("lead-e1") + "/close",
                           {{"version", 1}, {"outcome", "sublet"}});
    EXPECT_EQ(lead.status, 400);
    EXPECT_EQ(lead.Json()["error"]["field"], "outcome");
    EXPECT_NE(lead.body.find("'sublet'"), std::string::npos) << lead.body;
}

TEST_F(WelfareRoutesTest, UnknownAlertIsNotFound) {
    for (const char* id : {"999999", "0", "-1", "abc", "1x"}) {
        SCOPED_TRACE(id);
        HttpResult result = server_->Send(Who::kAdmin, "GET", std::string("/api/v1/alerts/") + id);
        EXPECT_EQ(result.status, 404);
        EXPECT_EQ(result.ErrorCode(), "not_found");
    }
    HttpResult acknowledged =
        Post(Who::kAdmin, "/api/v1/alerts/999999/acknowledge", {{"version", 1}});
    EXPECT_EQ(acknowledged.status, 404);
    EXPECT_EQ(server_->Send(Who::kAdmin, "GET", "/api/v1/leads/999999").status, 404);
}

TEST_F(WelfareRoutesTest, SettingsPatchErrorsNameTheField) {
    const std::string path = "/api/v1/estates/e1/welfare-settings";
    const std::pair<nlohmann::json, const char*> cases[] = {
        {{{"version", 0}, {"min_age", 200}}, "min_age"},
        {{{"version", 0}, {"sublet_days", 0}}, "sublet_days"},
        {{{"version", 0}, {"unknown_face_retention_days", 91}}, "unknown_face_retention_days"},
        {{{"version", 0}, {"unknown_face_min_attempts", 1}}, "unknown_face_min_attempts"},
        {{{"version", 0}, {"evaluation_interval_minutes", 0}}, "evaluation_interval_minutes"},
        {{{"version", 0}, {"default_days", 0}}, "default_days"},
        {{{"version", 0}, {"webhook_url", "ftp://127.0.0.1/hook"}}, "webhook_url"},
        {{{"version", 0}, {"min_age", "seventy"}}, "min_age"},
        {{{"version", 0}, {"colour", "red"}}, "colour"},
        {{{"min_age", 60}}, "version"},
    };
    for (const auto& [body, field] : cases) {
        SCOPED_TRACE(body.dump());
        HttpResult result = server_->Send(Who::kAdmin, "PATCH", path, body.dump());
        EXPECT_EQ(result.status, 400);
        EXPECT_EQ(result.Json()["error"]["field"], field) << result.body;
        EXPECT_TRUE(result.HasErrorShape());
    }
    HttpResult url = server_->Send(Who::kAdmin, "PATCH", path,
                                   R"({"version":0,"webhook_url":"ftp://127.0.0.1/s3cret"})");
    EXPECT_EQ(url.body.find("s3cret"), std::string::npos) << "the error repeats the URL";
}

TEST_F(WelfareRoutesTest, SettingsPatchStoresAndHidesUrl) {
    const std::string path = "/api/v1/estates/e1/welfare-settings";
    HttpResult initial = server_->Send(Who::kStaff, "GET", path);
    ASSERT_EQ(initial.status, 200);
    EXPECT_EQ(initial.Json()["version"], 0);
    EXPECT_EQ(initial.Json()["default_days"], 3);

    const nlohmann::json change = {{"version", 0},
                                   {"min_age", 0},
                                   {"default_days", 5},
                                   {"webhook_url", "http://127.0.0.1:9/hook?token=abc"}};
    HttpResult patched = server_->Send(Who::kAdmin, "PATCH", path, change.dump());
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.Json()["version"], 1);
    EXPECT_EQ(patched.Json()["min_age"], 0);
    EXPECT_EQ(patched.Json()["default_days"], 5);
    EXPECT_EQ(patched.Json()["webhook_url"], "http://127.0.0.1:9/hook?token=abc");

    HttpResult staff_view = server_->Send(Who::kStaff, "GET", path);
    EXPECT_EQ(staff_view.Json()["webhook_configured"], true);
    EXPECT_FALSE(staff_view.Json().contains("webhook_url"));

    HttpResult stale = server_->Send(Who::kAdmin, "PATCH", path, change.dump());
    EXPECT_EQ(stale.status, 409);
    EXPECT_EQ(stale.ErrorCode(), "conflict");
}

TEST_F(WelfareRoutesTest, EvaluationRaisesAlertsForAbsentResidents) {
    ASSERT_EQ(server_
                  ->Send(Who::kAdmin, "PATCH", "/api/v1/estates/e1/welfare-settings",
                         R"({"version":0,"min_age":0})")
                  .status,
              200);
    server_->clock().Advance(5 * kDay);
    ASSERT_TRUE(server_->RefreshLogins().ok());
    HttpResult evaluated = Post(Who::kStaff, "/api/v1/estates/e1/welfare-evaluations", {});
    ASSERT_EQ(evaluated.status, 200) << evaluated.body;
    // mo-admin and mo-staff of u1 have no alert yet; the other residents have seeded ones.
    EXPECT_EQ(evaluated.Json()["alerts"]["raised"].size(), 2u) << evaluated.body;
    EXPECT_EQ(evaluated.Json()["leads"]["estate_id"], "e1");

    HttpResult open = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts?status=open");
    std::set<std::string> people;
    const nlohmann::json open_json = open.Json();
    for (const nlohmann::json& alert : open_json["alerts"])
        people.insert(alert["person_id"].get<std::string>());
    EXPECT_TRUE(people.count("mo-admin"));
    EXPECT_TRUE(people.count("mo-staff"));

    HttpResult watched = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/watched-residents");
    ASSERT_EQ(watched.status, 200);
    EXPECT_EQ(watched.Json()["residents"].size(), 5u) << watched.body;
}

TEST_F(WelfareRoutesTest, LeadsListedPerEstateAndClosed) {
    HttpResult e1 = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/leads");
    ASSERT_EQ(e1.status, 200);
    const std::set<std::string> ids = Ids(e1, "leads");
    EXPECT_TRUE(ids.count(Var("lead-e1")));
    EXPECT_FALSE(ids.count(Var("lead-e2")));
    EXPECT_FALSE(ids.count(Var("lead-city")));

    HttpResult city =
        server_->Send(Who::kAdmin, "GET", "/api/v1/leads?kind=duplicate_identity&status=open");
    ASSERT_EQ(city.status, 200);
    EXPECT_EQ(Ids(city, "leads"), std::set<std::string>{Var("lead-city")});
    HttpResult bad_kind = server_->Send(Who::kAdmin, "GET", "/api/v1/leads?kind=sublet");
    EXPECT_EQ(bad_kind.status, 400);
    EXPECT_EQ(bad_kind.Json()["error"]["field"], "kind");
    EXPECT_NE(bad_kind.body.find("'sublet'"), std::string::npos);

    HttpResult detail = server_->Send(Who::kStaff, "GET", "/api/v1/leads/" + Var("lead-e1"));
    ASSERT_EQ(detail.status, 200) << detail.body;
    ASSERT_EQ(detail.Json()["people"].size(), 1u);
    EXPECT_EQ(detail.Json()["people"][0]["id"], "p1");
    EXPECT_TRUE(detail.Json()["passages"].is_array());

    const std::string close = "/api/v1/leads/" + Var("lead-e1") + "/close";
    HttpResult closed =
        Post(Who::kStaff, close, {{"version", 1}, {"outcome", "confirmed"}, {"note", "visited"}});
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(closed.Json()["status"], "closed");
    EXPECT_EQ(closed.Json()["closed_by"], "staff");
    EXPECT_EQ(closed.Json()["outcome"], "confirmed");
    HttpResult again = Post(Who::kStaff, close, {{"version", 2}, {"outcome", "other"}});
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.ErrorCode(), "failed_precondition");
    HttpResult stale = Post(Who::kStaff, close, {{"version", 1}, {"outcome", "other"}});
    EXPECT_EQ(stale.status, 409);

    HttpResult still_open =
        server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/leads?status=open");
    EXPECT_FALSE(Ids(still_open, "leads").count(Var("lead-e1")));
}

TEST_F(WelfareRoutesTest, CsvExportWritesAuditEntry) {
    HttpResult alerts = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts/export");
    ASSERT_EQ(alerts.status, 200);
    EXPECT_EQ(alerts.body.rfind("id,estate_id,person_id,status,", 0), 0u) << alerts.body;
    EXPECT_NE(alerts.body.find(",p1,open,"), std::string::npos);
    EXPECT_EQ(alerts.body.find("p2"), std::string::npos) << "another estate's alert";
    const AuditEntry alert_entry = LastAuditEntry();
    EXPECT_EQ(alert_entry.action, "alert.export");
    EXPECT_EQ(alert_entry.actor, "staff");
    EXPECT_EQ(alert_entry.record_type, "estate");
    EXPECT_EQ(alert_entry.record_id, "e1");
    EXPECT_EQ(alert_entry.outcome, "ok");

    HttpResult leads = server_->Send(Who::kAdmin, "GET", "/api/v1/estates/e2/leads/export");
    ASSERT_EQ(leads.status, 200);
    EXPECT_EQ(leads.body.rfind("id,kind,estate_id,subject,", 0), 0u) << leads.body;
    const AuditEntry lead_entry = LastAuditEntry();
    EXPECT_EQ(lead_entry.action, "lead.export");
    EXPECT_EQ(lead_entry.actor, "admin");
    EXPECT_EQ(lead_entry.record_id, "e2");
}

TEST_F(WelfareRoutesTest, CsvExportNeutralisesFormulaNotes) {
    ASSERT_EQ(Post(Who::kStaff, "/api/v1/alerts/" + Var("alert-e1") + "/acknowledge",
                   {{"version", 1}, {"note", "=HYPERLINK(\"x\"),1"}})
                  .status,
              200);
    HttpResult csv = server_->Send(Who::kStaff, "GET", "/api/v1/estates/e1/alerts/export");
    ASSERT_EQ(csv.status, 200);
    EXPECT_NE(csv.body.find("\"'=HYPERLINK(\"\"x\"\"),1\""), std::string::npos) << csv.body;
}

TEST_F(WelfareRoutesTest, ReportHasSeriesAndFigures) {
    // One granted passage by card at g1 (estate e1), then an acknowledgement after 10 minutes.
    HttpResult decision = server_->Send(Who::kGate, "POST", "/api/v1/gates/g1/credential-decisions",
                                        R"({"kind":"card","secret":"seed-card-admin"})");
    ASSERT_EQ(decision.status, 200) << decision.body;
    server_->clock().Advance(600);
    ASSERT_EQ(
        Post(Who::kStaff, "/api/v1/alerts/" + Var("alert-e1") + "/acknowledge", {{"version", 1}})
            .status,
        200);
    server_->clock().Advance(60);

    HttpResult report = server_->Send(Who::kAuditor, "GET", "/api/v1/estates/e1/reports/welfare");
    ASSERT_EQ(report.status, 200) << report.body;
    const nlohmann::json json = report.Json();
    EXPECT_EQ(json["estate_id"], "e1");
    EXPECT_EQ(json["alerts"]["open"], 4);
    EXPECT_EQ(json["alerts"]["acknowledged"], 1);
    EXPECT_EQ(json["alerts"]["raised"], 5);
    EXPECT_EQ(json["leads"]["open_by_kind"]["tenant_absent_unit_in_use"], 1);
    EXPECT_EQ(json["leads"]["open_by_kind"]["recurring_unknown_face"], 2);
    EXPECT_EQ(json["time_to_acknowledge"]["acknowledged"], 1);
    EXPECT_DOUBLE_EQ(json["time_to_acknowledge"]["mean_seconds"].get<double>(), 600.0);
    EXPECT_DOUBLE_EQ(json["time_to_acknowledge"]["median_seconds"].get<double>(), 600.0);

    const nlohmann::json& passages = json["passages"];
    EXPECT_EQ(passages["timezone"], "Asia/Shanghai");
    // 30 days that need not start at local midnight touch 30 or 31 local days.
    EXPECT_GE(passages["per_day"].size(), 30u);
    EXPECT_LE(passages["per_day"].size(), 31u);
    ASSERT_EQ(passages["per_hour_of_day"].size(), 24u);
    auto granted = [](const nlohmann::json& series) {
        return std::accumulate(series.begin(), series.end(), std::int64_t{0},
                               [](std::int64_t sum, const nlohmann::json& point) {
                                   return sum + point["grant"].get<std::int64_t>();
                               });
    };
    EXPECT_EQ(granted(passages["per_day"]), 1);
    EXPECT_EQ(granted(passages["per_hour_of_day"]), 1);
    EXPECT_EQ(passages["per_hour_of_day"][0]["label"], "00");
}

TEST_F(WelfareRoutesTest, ReportWindowIsChecked) {
    HttpResult reversed = server_->Send(
        Who::kAdmin, "GET", "/api/v1/estates/e1/reports/welfare?from=2026-02-01&to=2026-01-01");
    EXPECT_EQ(reversed.status, 400);
    EXPECT_EQ(reversed.Json()["error"]["field"], "from");
    HttpResult too_long = server_->Send(
        Who::kAdmin, "GET", "/api/v1/estates/e1/reports/welfare?from=2024-01-01&to=2026-01-01");
    EXPECT_EQ(too_long.status, 400);
}

}  // namespace
}  // namespace menjin::testing
