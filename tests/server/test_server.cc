#include "server/test_server.h"

#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

#include <sodium.h>
#include <opencv2/imgcodecs.hpp>

#include "common/log.h"
#include "support/test_paths.h"

namespace menjin::testing {

namespace {

constexpr const char* kTimezone = "Asia/Shanghai";

void InitOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        InitLogging("warn");
        if (sodium_init() < 0)
            std::abort();
    });
}

std::span<const std::uint8_t> Bytes(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Status AddUnit(AccessCore& core, const std::string& id, const std::string& estate_id) {
    Unit unit;
    unit.id = id;
    unit.estate_id = estate_id;
    unit.building = "1";
    unit.number = id;
    unit.address = "test address of " + id;
    return core.AddUnitWithHousehold(unit, "");
}

Status AddResident(AccessCore& core, const std::string& id, const std::string& household,
                   PersonRole role) {
    Person person;
    person.id = id;
    person.name = "测试" + id;
    person.phone = "13800000000";
    person.role = role;
    person.household_id = household;
    return core.AddResident(person, 3650);
}

Status AddStaff(AccessCore& core, const std::string& id, const std::string& estate_id) {
    Person person;
    person.id = id;
    person.name = "快递" + id;
    person.role = PersonRole::kServiceStaff;
    ServiceStaff staff;
    staff.person_id = id;
    staff.company_id = "c1";
    staff.verified_by = "seed";
    staff.verified_at = core.clock().Now();
    staff.verified_contact = "dispatcher";
    staff.valid_from = core.clock().Now() - 86400;
    staff.valid_to = core.clock().Now() + 30 * 86400;
    staff.estate_ids = {estate_id};
    return core.AddServiceStaffPerson(person, staff);
}

HttpResult ToResult(const httplib::Result& response) {
    HttpResult result;
    if (!response) {
        result.error = httplib::to_string(response.error());
        return result;
    }
    result.status = response->status;
    result.body = response->body;
    result.headers = response->headers;
    return result;
}

}  // namespace

const char* WhoName(Who who) {
    switch (who) {
        case Who::kAnonymous:
            return "anonymous";
        case Who::kAdmin:
            return "admin";
        case Who::kStaff:
            return "staff";
        case Who::kAuditor:
            return "auditor";
        case Who::kGate:
            return "gate";
    }
    return "?";
}

nlohmann::json HttpResult::Json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

bool HttpResult::HasErrorShape() const {
    const nlohmann::json json = Json();
    if (!json.is_object() || json.size() != 1 || !json.contains("error"))
        return false;
    const nlohmann::json& error = json["error"];
    return error.is_object() && error.size() == 3 &&
           error.value("code", nlohmann::json()).is_string() &&
           error.value("message", nlohmann::json()).is_string() && error.contains("field") &&
           (error["field"].is_string() || error["field"].is_null());
}

std::string HttpResult::ErrorCode() const {
    const nlohmann::json json = Json();
    if (!HasErrorShape())
        return "";
    return json["error"]["code"].get<std::string>();
}

std::string AstronautJpeg() {
    std::ifstream in(SourceDir() / "tests" / "data" / "astronaut.jpg", std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

std::string FacelessJpeg() {
    cv::Mat grey(240, 320, CV_8UC3, cv::Scalar(128, 128, 128));
    std::vector<std::uint8_t> jpeg;
    cv::imencode(".jpg", grey, jpeg);
    return std::string(jpeg.begin(), jpeg.end());
}

Result<std::unique_ptr<TestServer>> TestServer::Start(const std::filesystem::path& model_dir,
                                                      ApiServerOptions options) {
    InitOnce();
    std::unique_ptr<TestServer> test(new TestServer());
    test->clock_ = std::make_shared<ManualClock>(std::time(nullptr));
    MENJIN_RETURN_IF_ERROR(AccessCore::InitDataDir(test->dir_.path(), RecognitionMode::kDefault));
    AccessCoreOptions core_options;
    core_options.data_dir = test->dir_.path();
    core_options.model_dir = model_dir;
    MENJIN_ASSIGN_OR_RETURN(test->core_, AccessCore::Open(core_options, test->clock_));
    MENJIN_RETURN_IF_ERROR(test->Seed());
    test->tls_certificate_ = options.tls_certificate;
    options.host = "127.0.0.1";
    options.port = 0;
    MENJIN_ASSIGN_OR_RETURN(test->server_, ApiServer::Create(*test->core_, options));
    MENJIN_RETURN_IF_ERROR(test->server_->Start());
    MENJIN_RETURN_IF_ERROR(test->RefreshLogins());
    return test;
}

Status TestServer::RefreshLogins() {
    for (auto [who, name] : {std::pair{Who::kAdmin, "admin"}, std::pair{Who::kStaff, "staff"},
                             std::pair{Who::kAuditor, "auditor"}}) {
        tokens_[who] = Login(name);
        if (tokens_[who].empty())
            return Internal(std::string("test server: login of ") + name + " failed");
    }
    return Status::Ok();
}

TestServer::~TestServer() {
    if (server_) {
        server_->Stop();
        server_->Wait();
    }
    server_.reset();
    core_.reset();
}

Status TestServer::Seed() {
    for (const char* id : {"e1", "e2"}) {
        Estate estate;
        estate.id = id;
        estate.name = std::string("Estate ") + id;
        estate.timezone = kTimezone;
        MENJIN_RETURN_IF_ERROR(core_->AddEstate(estate));
    }
    for (auto [id, estate] : {std::pair{"g1", "e1"}, std::pair{"g2", "e2"},
                              std::pair{"gm-admin", "e1"}, std::pair{"gm-staff", "e1"}}) {
        Gate gate;
        gate.id = id;
        gate.estate_id = estate;
        gate.direction = GateDirection::kEntry;
        MENJIN_RETURN_IF_ERROR(core_->AddGate(gate));
    }
    for (auto [id, estate] :
         {std::pair{"u1", "e1"}, std::pair{"u2", "e2"}, std::pair{"um-admin", "e1"},
          std::pair{"um-staff", "e1"}, std::pair{"hm-admin", "e1"}, std::pair{"hm-staff", "e1"}}) {
        MENJIN_RETURN_IF_ERROR(AddUnit(*core_, id, estate));
    }
    MENJIN_RETURN_IF_ERROR(SeedPeople());
    MENJIN_RETURN_IF_ERROR(SeedStaffAndGrants());
    MENJIN_RETURN_IF_ERROR(SeedWelfare());
    return SeedOperators();
}

Status TestServer::SeedWelfare() {
    Store& store = core_->store();
    const UnixSeconds now = clock_->Now();
    struct SeededAlert {
        const char* var;
        const char* estate;
        const char* person;
    };
    for (const SeededAlert& seeded :
         {SeededAlert{"alert-e1", "e1", "p1"}, SeededAlert{"alert-e2", "e2", "p2"},
          SeededAlert{"ack-admin", "e1", "pm-admin"}, SeededAlert{"ack-staff", "e1", "pm-staff"},
          SeededAlert{"res-admin", "e1", "w-res-admin"},
          SeededAlert{"res-staff", "e1", "w-res-staff"}}) {
        WelfareAlert alert;
        alert.estate_id = seeded.estate;
        alert.person_id = seeded.person;
        alert.days_required = 3;
        alert.days_since_seen = 4;
        alert.last_seen_at = now - 4 * 86400;
        alert.raised_at = now;
        MENJIN_ASSIGN_OR_RETURN(WelfareAlert stored, store.CreateWelfareAlert(alert));
        vars[seeded.var] = std::to_string(stored.id);
    }
    struct SeededLead {
        const char* var;
        const char* estate;
        LeadKind kind;
        const char* subject;
    };
    for (const SeededLead& seeded :
         {SeededLead{"lead-e1", "e1", LeadKind::kTenantAbsentUnitInUse, "p1"},
          SeededLead{"lead-e2", "e2", LeadKind::kTenantAbsentUnitInUse, "p2"},
          SeededLead{"lead-city", "", LeadKind::kDuplicateIdentity, "p1|p2"},
          SeededLead{"close-admin", "e1", LeadKind::kRecurringUnknownFace, "unknown:1"},
          SeededLead{"close-staff", "e1", LeadKind::kRecurringUnknownFace, "unknown:2"}}) {
        Lead lead;
        lead.kind = seeded.kind;
        lead.estate_id = seeded.estate;
        lead.subject = seeded.subject;
        lead.evidence = "{}";
        lead.raised_at = now;
        lead.updated_at = now;
        MENJIN_ASSIGN_OR_RETURN(Lead stored, store.CreateLead(lead));
        vars[seeded.var] = std::to_string(stored.id);
    }
    return Status::Ok();
}

Status TestServer::SeedPeople() {
    MENJIN_RETURN_IF_ERROR(AddResident(*core_, "p1", "u1", PersonRole::kTenant));
    MENJIN_RETURN_IF_ERROR(AddResident(*core_, "p2", "u2", PersonRole::kTenant));
    for (const char* id : {"pm-admin", "pm-staff", "mo-admin", "mo-staff"}) {
        MENJIN_RETURN_IF_ERROR(AddResident(*core_, id, "u1", PersonRole::kFamilyMember));
    }
    for (const char* id : {"mo2-admin", "mo2-staff"}) {
        MENJIN_RETURN_IF_ERROR(AddResident(*core_, id, "u2", PersonRole::kFamilyMember));
    }
    const std::string photo = AstronautJpeg();
    MENJIN_ASSIGN_OR_RETURN(EnrolmentResult enrolled, core_->Enrol("p1", Bytes(photo)));
    if (!enrolled.accepted)
        return Internal("test server: the astronaut photo was not enrolled");
    for (const char* who : {"admin", "staff"}) {
        MENJIN_ASSIGN_OR_RETURN(
            AltCredential card,
            core_->AddAltCredential("p1", CredentialKind::kCard, std::string("seed-card-") + who));
        vars[std::string("altcred-") + who] = card.id;
    }
    return Status::Ok();
}

Status TestServer::SeedStaffAndGrants() {
    for (const char* id : {"c1", "cm-admin"}) {
        ServiceCompany company;
        company.id = id;
        company.name = std::string("Company ") + id;
        company.contact_name = "dispatcher";
        MENJIN_RETURN_IF_ERROR(core_->AddCompany(company));
    }
    for (auto [id, estate] : {std::pair{"s1", "e1"}, std::pair{"s2", "e2"},
                              std::pair{"sm-admin", "e1"}, std::pair{"sm-staff", "e1"}}) {
        MENJIN_RETURN_IF_ERROR(AddStaff(*core_, id, estate));
    }
    for (const char* id : {"grd-admin", "grd-staff"}) {
        AccessGrant grant;
        grant.id = id;
        grant.person_id = "p1";
        grant.estate_id = "e1";
        grant.valid_from = clock_->Now();
        grant.valid_to = clock_->Now() + 86400;
        MENJIN_RETURN_IF_ERROR(core_->AddGrant(grant));
    }
    return Status::Ok();
}

Status TestServer::SeedOperators() {
    MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<OperatorAccounts> accounts,
                            OperatorAccounts::Create(core_->store(), *clock_, LoginPolicy{}));
    struct Seeded {
        const char* id;
        OperatorRole role;
        const char* estate;
    };
    for (const Seeded& seeded : {Seeded{"admin", OperatorRole::kCentreAdmin, ""},
                                 Seeded{"staff", OperatorRole::kEstateStaff, "e1"},
                                 Seeded{"staff2", OperatorRole::kEstateStaff, "e2"},
                                 Seeded{"auditor", OperatorRole::kAuditor, ""},
                                 Seeded{"opm-admin", OperatorRole::kAuditor, ""}}) {
        Operator account;
        account.id = seeded.id;
        account.display_name = std::string("Operator ") + seeded.id;
        account.role = seeded.role;
        account.estate_id = seeded.estate;
        MENJIN_RETURN_IF_ERROR(accounts->AddOperator(account, kPassword));
    }
    GateDevices devices(core_->store(), *clock_);
    MENJIN_ASSIGN_OR_RETURN(IssuedDeviceCredential gate, devices.Issue("g1", "seed"));
    tokens_[Who::kGate] = gate.token;
    for (const char* who : {"admin", "staff"}) {
        MENJIN_ASSIGN_OR_RETURN(IssuedDeviceCredential extra, devices.Issue("g1", "seed"));
        vars[std::string("cred-") + who] = extra.credential.id;
    }
    return Status::Ok();
}

const std::string& TestServer::Token(Who who) const {
    static const std::string kNone;
    auto it = tokens_.find(who);
    return it == tokens_.end() ? kNone : it->second;
}

std::unique_ptr<httplib::Client> TestServer::NewClient() const {
    const std::string scheme = server_->tls() ? "https://" : "http://";
    auto client =
        std::make_unique<httplib::Client>(scheme + "127.0.0.1:" + std::to_string(server_->port()));
    if (server_->tls())
        client->set_ca_cert_path(tls_certificate_.string());
    client->set_read_timeout(60);
    client->set_write_timeout(60);
    return client;
}

HttpResult TestServer::SendRaw(const std::string& authorization, const std::string& method,
                               const std::string& path, const std::string& body,
                               const std::string& content_type, const httplib::Headers& extra) {
    std::unique_ptr<httplib::Client> client = NewClient();
    httplib::Headers headers = extra;
    if (!authorization.empty())
        headers.emplace("Authorization", authorization);
    if (method == "GET")
        return ToResult(client->Get(path, headers));
    if (method == "HEAD")
        return ToResult(client->Head(path, headers));
    if (method == "DELETE")
        return ToResult(client->Delete(path, headers, body, content_type));
    if (method == "PATCH")
        return ToResult(client->Patch(path, headers, body, content_type));
    if (method == "PUT")
        return ToResult(client->Put(path, headers, body, content_type));
    return ToResult(client->Post(path, headers, body, content_type));
}

HttpResult TestServer::Send(Who who, const std::string& method, const std::string& path,
                            const std::string& body, const std::string& content_type) {
    const std::string& token = Token(who);
    return SendRaw(token.empty() ? "" : "Bearer " + token, method, path, body, content_type);
}

HttpResult TestServer::Upload(Who who, const std::string& path,
                              const std::vector<std::pair<std::string, std::string>>& parts) {
    httplib::MultipartFormDataItems items;
    for (const auto& [name, bytes] : parts)
        items.push_back({name, bytes, name + ".jpg", "image/jpeg"});
    httplib::Headers headers;
    if (!Token(who).empty())
        headers.emplace("Authorization", "Bearer " + Token(who));
    return ToResult(NewClient()->Post(path, headers, items));
}

std::string TestServer::Login(const std::string& operator_id, const std::string& password) {
    const nlohmann::json body = {
        {"operator_id", operator_id}, {"password", password}, {"session", "token"}};
    HttpResult result = SendRaw("", "POST", "/api/v1/auth/login", body.dump(), "application/json");
    if (result.status != 200)
        return "";
    return result.Json().value("token", "");
}

}  // namespace menjin::testing
