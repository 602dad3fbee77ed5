// The role matrix: every route of the API against every kind of caller (anonymous, centre admin,
// estate staff of e1, auditor, the device of gate g1), with the expected HTTP status of each.
// Rows that name e2's records check that estate staff of e1 get 403 there. Every error
// response must have the one error shape.
//
// "{who}" in a path or body becomes the caller's name, so that each caller creates or edits
// its own record. "{name}" becomes the seeded id vars[name].

#include <array>
#include <cstdlib>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "server/test_server.h"
#include "support/test_paths.h"

namespace menjin::testing {
namespace {

enum class Body { kJson, kAstronaut, kFacelessUpload, kStream, kFreshSession };

constexpr std::array<Who, 5> kCallers = {Who::kAnonymous, Who::kAdmin, Who::kStaff, Who::kAuditor,
                                         Who::kGate};

struct MatrixRow {
    const char* method;
    const char* path;
    const char* body;
    // Expected status for anonymous, admin, staff (e1), auditor, gate device (g1).
    std::array<int, 5> expected;
    Body kind = Body::kJson;
};

// clang-format off
const MatrixRow kMatrix[] = {
    // Authentication and operators.
    {"POST", "/api/v1/auth/login", R"({"operator_id":"nobody","password":"wrong password 1"})", {401, 401, 401, 401, 401}},
    {"POST", "/api/v1/auth/logout", "", {401, 200, 200, 200, 403}, Body::kFreshSession},
    {"GET", "/api/v1/auth/session", "", {401, 200, 200, 200, 403}},
    {"POST", "/api/v1/auth/password", R"({"current_password":"not the password","new_password":"another password 1"})", {401, 403, 403, 403, 403}},
    {"GET", "/api/v1/operators", "", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/operators", R"({"id":"op-{who}","display_name":"New","role":"auditor","password":"a long password 1"})", {401, 201, 403, 403, 403}},
    {"PATCH", "/api/v1/operators/opm-{who}", R"({"version":1,"display_name":"Renamed"})", {401, 200, 403, 403, 403}},
    // Estates and gates.
    {"GET", "/api/v1/estates", "", {401, 200, 200, 200, 403}},
    {"POST", "/api/v1/estates", R"({"id":"e-{who}","name":"New estate"})", {401, 201, 403, 403, 403}},
    {"GET", "/api/v1/estates/e1", "", {401, 200, 200, 200, 403}},
    {"GET", "/api/v1/estates/e2", "", {401, 200, 403, 200, 403}},
    {"PATCH", "/api/v1/estates/e-admin", R"({"version":1,"welfare_days":5})", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/estates/e1/gates", "", {401, 200, 200, 200, 403}},
    {"GET", "/api/v1/estates/e2/gates", "", {401, 200, 403, 200, 403}},
    {"POST", "/api/v1/gates", R"({"id":"g-{who}","estate_id":"e1","direction":"entry"})", {401, 201, 201, 403, 403}},
    {"POST", "/api/v1/gates", R"({"id":"gx-{who}","estate_id":"e2"})", {401, 201, 403, 403, 403}},
    {"GET", "/api/v1/gates/g1", "", {401, 200, 200, 200, 200}},
    {"GET", "/api/v1/gates/g2", "", {401, 200, 403, 200, 403}},
    {"PATCH", "/api/v1/gates/gm-{who}", R"({"version":1,"name":"Renamed"})", {401, 200, 200, 403, 403}},
    {"PATCH", "/api/v1/gates/g2", R"({"version":1,"name":"Renamed"})", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/gates/g1/device-credentials", "", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/gates/g1/device-credentials", "", {401, 201, 201, 403, 403}},
    {"POST", "/api/v1/gates/g2/device-credentials", "", {401, 201, 403, 403, 403}},
    {"DELETE", "/api/v1/gates/g1/device-credentials/{cred-{who}}", "", {401, 200, 200, 403, 403}},
    // Units and households.
    {"GET", "/api/v1/estates/e1/units", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/units", "", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/units", R"({"id":"u-{who}","estate_id":"e1","building":"9","number":"901"})", {401, 201, 201, 403, 403}},
    {"POST", "/api/v1/units", R"({"id":"ux-{who}","estate_id":"e2","building":"9","number":"901"})", {401, 201, 403, 403, 403}},
    {"GET", "/api/v1/units/u1", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/units/u2", "", {401, 200, 403, 403, 403}},
    {"PATCH", "/api/v1/units/um-{who}", R"({"version":1,"number":"1203"})", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/households/u1", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/households/u2", "", {401, 200, 403, 403, 403}},
    {"PATCH", "/api/v1/households/hm-{who}", R"({"version":1,"tenant_person_id":null})", {401, 200, 200, 403, 403}},
    // People, enrolment, thumbnails, move-out and credentials.
    {"GET", "/api/v1/estates/e1/people?q=p", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/people", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/people?q=p1", "", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/people", R"({"id":"p-{who}","name":"新人","role":"family_member","household_id":"u1"})", {401, 201, 201, 403, 403}},
    {"POST", "/api/v1/people", R"({"id":"px-{who}","name":"新人","role":"family_member","household_id":"u2"})", {401, 201, 403, 403, 403}},
    {"GET", "/api/v1/people/p1", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/people/p2", "", {401, 200, 403, 403, 403}},
    {"PATCH", "/api/v1/people/pm-{who}", R"({"version":1,"phone":"13900000000"})", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/people/p1/grants", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/people/p2/grants", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/people/p1/credentials", "", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/people/p1/credentials", R"({"kind":"card","secret":"card-of-{who}-1"})", {401, 201, 201, 403, 403}},
    {"POST", "/api/v1/people/p2/credentials", R"({"kind":"card","secret":"card-x-of-{who}-1"})", {401, 201, 403, 403, 403}},
    {"DELETE", "/api/v1/people/p1/credentials/{altcred-{who}}", "", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/people/pm-{who}/enrolment", "", {401, 200, 200, 403, 403}, Body::kFacelessUpload},
    {"POST", "/api/v1/people/p2/enrolment", "", {401, 200, 403, 403, 403}, Body::kFacelessUpload},
    {"GET", "/api/v1/people/p1/thumbnail-link", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/people/p2/thumbnail-link", "", {401, 404, 403, 403, 403}},
    {"POST", "/api/v1/people/mo-{who}/move-out", "", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/people/mo2-{who}/move-out", "", {401, 200, 403, 403, 403}},
    // Service companies, staff and grants.
    {"GET", "/api/v1/companies", "", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/companies", R"({"id":"c-{who}","name":"New company","kind":"food_delivery","contact_name":"Desk"})", {401, 201, 403, 403, 403}},
    {"GET", "/api/v1/companies/c1", "", {401, 200, 200, 403, 403}},
    {"PATCH", "/api/v1/companies/cm-{who}", R"({"version":1,"contact_phone":"010-1"})", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/service-staff", R"({"person":{"id":"s-{who}","name":"骑手"},"company_id":"c1","verified_contact":"Desk","valid_from":"2025-01-01","valid_to":"2035-01-01","estate_ids":["e1"]})", {401, 201, 201, 403, 403}},
    {"POST", "/api/v1/service-staff", R"({"person":{"id":"sx-{who}","name":"骑手"},"company_id":"c1","verified_contact":"Desk","valid_from":"2025-01-01","valid_to":"2035-01-01","estate_ids":["e2"]})", {401, 201, 403, 403, 403}},
    {"GET", "/api/v1/service-staff/s1", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/service-staff/s2", "", {401, 200, 403, 403, 403}},
    {"PATCH", "/api/v1/service-staff/sm-{who}", R"({"version":1,"verified_contact":"Another desk"})", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e1/service-staff/expiring", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/service-staff/expiring", "", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/grants", R"({"id":"gr-{who}","person_id":"p1","estate_id":"e1","valid_from":"2025-01-01","valid_to":"2035-01-01","schedule":"mon-fri 07:00-22:00"})", {401, 201, 201, 403, 403}},
    {"POST", "/api/v1/grants", R"({"id":"grx-{who}","person_id":"p2","estate_id":"e2","valid_from":"2025-01-01","valid_to":"2035-01-01"})", {401, 201, 403, 403, 403}},
    {"GET", "/api/v1/grants/grant-p1-e1", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/grants/grant-p2-e2", "", {401, 200, 403, 403, 403}},
    {"DELETE", "/api/v1/grants/grd-{who}", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e1/grants", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/grants", "", {401, 200, 403, 403, 403}},
    // Gate devices.
    {"POST", "/api/v1/gates/g1/decisions", "", {401, 403, 403, 403, 200}, Body::kAstronaut},
    {"POST", "/api/v1/gates/g2/decisions", "", {401, 403, 403, 403, 403}, Body::kAstronaut},
    {"POST", "/api/v1/gates/g1/credential-decisions", R"({"kind":"card","secret":"seed-card-admin"})", {401, 403, 403, 403, 200}},
    {"POST", "/api/v1/gates/g2/credential-decisions", R"({"kind":"pin","secret":"123456"})", {401, 403, 403, 403, 403}},
    {"GET", "/api/v1/gates/g1/events", "", {401, 200, 200, 403, 200}, Body::kStream},
    {"GET", "/api/v1/gates/g2/events", "", {401, 200, 403, 403, 403}, Body::kStream},
    {"GET", "/api/v1/thumbnails/not-a-token", "", {404, 404, 404, 404, 404}},
    // Records.
    {"GET", "/api/v1/passages", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/passages?estate_id=e2", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/passages?gate_id=g2", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/passages/export", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/reports/passages", "", {401, 200, 200, 200, 403}},
    {"GET", "/api/v1/reports/passages?estate_id=e2", "", {401, 200, 403, 200, 403}},
    {"GET", "/api/v1/audit", "", {401, 200, 403, 200, 403}},
    {"GET", "/api/v1/audit/verify", "", {401, 200, 403, 200, 403}},
    {"GET", "/api/v1/receipts", "", {401, 200, 403, 200, 403}},
    {"GET", "/api/v1/receipts/rcpt-unknown", "", {401, 404, 403, 404, 403}},
    // Welfare alerts, settings, evaluations and reports. Alerts name people, so auditors never
    // see them; the report has counts only.
    {"GET", "/api/v1/estates/e1/alerts?status=open,acknowledged", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/alerts", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/estates/e1/alerts/export", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/alerts/export", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/alerts/{alert-e1}", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/alerts/{alert-e2}", "", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/alerts/{ack-{who}}/acknowledge", R"({"version":1,"note":"called"})", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/alerts/{alert-e2}/acknowledge", R"({"version":1})", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/alerts/{res-{who}}/resolve", R"({"version":1,"outcome":"visited_well"})", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/alerts/{alert-e2}/resolve", R"({"version":2,"outcome":"other","note":"moved"})", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/estates/e1/watched-residents", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/watched-residents", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/estates/e1/welfare-settings", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/welfare-settings", "", {401, 200, 403, 403, 403}},
    {"PATCH", "/api/v1/estates/e2/welfare-settings", R"({"version":0,"min_age":65})", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/estates/e1/welfare-evaluations", "", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/estates/e2/welfare-evaluations", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/estates/e1/reports/welfare", "", {401, 200, 200, 200, 403}},
    {"GET", "/api/v1/estates/e2/reports/welfare", "", {401, 200, 403, 200, 403}},
    // Leads. A duplicate identity across estates has no estate and is for centre admins only.
    {"GET", "/api/v1/estates/e1/leads", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/leads", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/estates/e1/leads/export", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/estates/e2/leads/export", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/leads?kind=duplicate_identity", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/leads/{lead-e1}", "", {401, 200, 200, 403, 403}},
    {"GET", "/api/v1/leads/{lead-e2}", "", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/leads/{lead-city}", "", {401, 200, 403, 403, 403}},
    {"POST", "/api/v1/leads/{close-{who}}/close", R"({"version":1,"outcome":"no_issue"})", {401, 200, 200, 403, 403}},
    {"POST", "/api/v1/leads/{lead-city}/close", R"({"version":1,"outcome":"recognition_error"})", {401, 200, 403, 403, 403}},
    {"GET", "/api/v1/openapi.json", "", {200, 200, 200, 200, 200}},
    {"GET", "/api/v1/health", "", {200, 200, 200, 200, 200}},
};
// clang-format on

std::string Substitute(std::string text, Who who, const std::map<std::string, std::string>& vars) {
    for (std::size_t at; (at = text.find("{who}")) != std::string::npos;)
        text.replace(at, 5, WhoName(who));
    for (const auto& [name, value] : vars) {
        const std::string key = "{" + name + "}";
        for (std::size_t at; (at = text.find(key)) != std::string::npos;)
            text.replace(at, key.size(), value);
    }
    return text;
}

const char* OperatorName(Who who) {
    switch (who) {
        case Who::kAdmin:
            return "admin";
        case Who::kStaff:
            return "staff";
        case Who::kAuditor:
            return "auditor";
        default:
            return "";
    }
}

// Opens the event stream and returns its status without waiting for events.
int StreamStatus(TestServer& server, const std::string& token, const std::string& path) {
    std::unique_ptr<httplib::Client> client = server.NewClient();
    httplib::Headers headers;
    if (!token.empty())
        headers.emplace("Authorization", "Bearer " + token);
    int status = 0;
    client->Get(
        path, headers,
        [&](const httplib::Response& response) {
            status = response.status;
            return false;
        },
        [](const char*, std::size_t) { return false; });
    return status;
}

HttpResult RunRow(TestServer& server, const MatrixRow& row, Who who) {
    const std::string path = Substitute(row.path, who, server.vars);
    const std::string body = Substitute(row.body, who, server.vars);
    std::string token = server.Token(who);
    switch (row.kind) {
        case Body::kAstronaut:
            return server.SendRaw(token.empty() ? "" : "Bearer " + token, row.method, path,
                                  AstronautJpeg(), "image/jpeg");
        case Body::kFacelessUpload:
            return server.Upload(who, path, {{"photo", FacelessJpeg()}});
        case Body::kStream:
            return HttpResult{StreamStatus(server, token, path), "", {}, ""};
        case Body::kFreshSession:
            if (*OperatorName(who) != '\0')
                token = server.Login(OperatorName(who));
            break;
        case Body::kJson:
            break;
    }
    return server.SendRaw(token.empty() ? "" : "Bearer " + token, row.method, path, body,
                          "application/json");
}

// Appends one markdown row per route, when MENJIN_ROLE_MATRIX_OUT names a file.
void WriteTableRow(const MatrixRow& row, const std::array<int, 5>& got) {
    const char* out = std::getenv("MENJIN_ROLE_MATRIX_OUT");
    if (out == nullptr)
        return;
    std::ofstream file(out, std::ios::app);
    file << "| " << row.method << " " << row.path << " |";
    for (int status : got)
        file << " " << status << " |";
    file << "\n";
}

TEST(RoleMatrixTest, EveryRouteAgainstEveryCaller) {
    MENJIN_REQUIRE_MODELS(models);
    Result<std::unique_ptr<TestServer>> server = TestServer::Start(models);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    for (const MatrixRow& row : kMatrix) {
        std::array<int, 5> got{};
        for (std::size_t i = 0; i < kCallers.size(); ++i) {
            SCOPED_TRACE(std::string(row.method) + " " + row.path + " as " + WhoName(kCallers[i]));
            HttpResult result = RunRow(**server, row, kCallers[i]);
            got[i] = result.status;
            EXPECT_EQ(result.status, row.expected[i]) << result.body.substr(0, 300);
            if (result.status >= 400 && row.kind != Body::kStream) {
                EXPECT_TRUE(result.HasErrorShape()) << result.body.substr(0, 300);
            }
        }
        WriteTableRow(row, got);
    }
}

// Every route of the server appears in the matrix, so a new route cannot skip it.
TEST(RoleMatrixTest, CoversEveryRoute) {
    MENJIN_REQUIRE_MODELS(models);
    Result<std::unique_ptr<TestServer>> server = TestServer::Start(models);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    std::set<std::string> covered;
    for (const Route& route : (*server)->server().router().routes()) {
        const std::string name = std::string(HttpMethodName(route.method)) + " " + route.path;
        bool found = false;
        for (const MatrixRow& row : kMatrix) {
            found = found || (std::string(row.method) == HttpMethodName(route.method) &&
                              (*server)->server().router().Matches(route, row.path));
        }
        EXPECT_TRUE(found) << name << " has no row in the role matrix";
    }
}

}  // namespace
}  // namespace menjin::testing
