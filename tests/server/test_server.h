#pragma once

// An in-process `menjin serve` for the HTTP tests: a fresh data folder with the built models, a
// ManualClock, seeded estates, people and operators, and an ApiServer on 127.0.0.1 with a free
// port. Requests go through a real HTTP client.
//
// Seed (estate e1 and e2, both Asia/Shanghai):
//   gates g1 (e1), g2 (e2), gm-admin and gm-staff (e1)
//   units with households u1, um-admin, um-staff, hm-admin, hm-staff (e1) and u2 (e2)
//   people p1 (tenant of u1, enrolled with the astronaut photo), p2 (tenant of u2),
//     pm-admin, pm-staff, mo-admin, mo-staff (family of u1), mo2-admin, mo2-staff (family of u2)
//   companies c1 and cm-admin; service staff s1 (e1), s2 (e2), sm-admin and sm-staff (e1)
//   grants grd-admin and grd-staff (p1 on e1); cards of p1 (ids in vars "altcred-admin",
//     "altcred-staff")
//   operators admin (centre admin), staff (estate staff of e1), staff2 (of e2), auditor and
//     opm-admin, all with password kPassword, logged in as bearer tokens
//   device credentials of g1: the gate caller's token and two more (ids in vars "cred-admin",
//     "cred-staff")
//   open welfare alerts (ids in vars): "alert-e1" (p1), "alert-e2" (p2), "ack-admin",
//     "ack-staff", "res-admin" and "res-staff" (e1)
//   open leads with empty evidence (ids in vars): "lead-e1", "lead-e2", "close-admin" and
//     "close-staff" (e1), and "lead-city", a duplicate identity without an estate

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "server/api_server.h"
#include "service/access_core.h"
#include "support/temp_dir.h"

namespace menjin::testing {

inline constexpr const char* kPassword = "test password 12345";

// The callers of the role matrix.
enum class Who { kAnonymous, kAdmin, kStaff, kAuditor, kGate };
const char* WhoName(Who who);

struct HttpResult {
    // HTTP status, or 0 when the request failed before a response.
    int status = 0;
    std::string body;
    httplib::Headers headers;
    std::string error;  // the client error when status is 0

    // Parses the body as JSON; a discarded value when it is not JSON.
    nlohmann::json Json() const;
    // Returns true when the body is {"error": {"code": string, "message": string, "field":
    // string or null}} and nothing else.
    bool HasErrorShape() const;
    std::string ErrorCode() const;
};

class TestServer {
  public:
    // Fails with the Status of the first step that failed.
    static Result<std::unique_ptr<TestServer>> Start(const std::filesystem::path& model_dir,
                                                     ApiServerOptions options = {});
    ~TestServer();

    int port() const { return server_->port(); }
    ManualClock& clock() { return *clock_; }
    AccessCore& core() { return *core_; }
    ApiServer& server() { return *server_; }
    const std::filesystem::path& data_dir() const { return dir_.path(); }
    const std::string& Token(Who who) const;

    // Sends a request with the bearer token of `who` (none for kAnonymous).
    HttpResult Send(Who who, const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::string& content_type = "application/json");
    // Sends a request with an explicit Authorization value ("" for none) and extra headers.
    HttpResult SendRaw(const std::string& authorization, const std::string& method,
                       const std::string& path, const std::string& body,
                       const std::string& content_type, const httplib::Headers& extra = {});
    // Posts a multipart upload with one part per item of `parts` (name, bytes).
    HttpResult Upload(Who who, const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& parts);

    // Logs the seeded callers in again, for tests that move the clock past the session life.
    Status RefreshLogins();
    // Logs `operator_id` in with `password` and returns the bearer token ("" on failure).
    std::string Login(const std::string& operator_id, const std::string& password = kPassword);

    // Returns a client for the server: HTTPS that trusts the server's certificate when it
    // serves TLS, else HTTP.
    std::unique_ptr<httplib::Client> NewClient() const;

    // Ids the seed generated, by name.
    std::map<std::string, std::string> vars;

  private:
    TestServer() = default;
    Status Seed();
    Status SeedPeople();
    Status SeedStaffAndGrants();
    Status SeedOperators();
    Status SeedWelfare();

    TempDir dir_;
    std::shared_ptr<ManualClock> clock_;
    std::unique_ptr<AccessCore> core_;
    std::unique_ptr<ApiServer> server_;
    std::map<Who, std::string> tokens_;
    // The server's certificate, which clients trust, when it serves TLS.
    std::filesystem::path tls_certificate_;
};

// The shipped astronaut portrait (one upright face) and a plain grey JPEG without a face.
std::string AstronautJpeg();
std::string FacelessJpeg();

}  // namespace menjin::testing
