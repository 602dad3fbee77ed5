// Routes for service companies, verified service staff (couriers, delivery workers) and
// access grants.

#include <cstdint>

#include <sodium.h>

#include "domain/record_json.h"
#include "domain/schedule_text.h"
#include "server/request_parsing.h"
#include "server/routes.h"

namespace menjin {

namespace {

constexpr std::int64_t kDaysAhead = 30;

// ---- Service companies

Result<CompanyKind> ReadCompanyKind(JsonFields& in, CompanyKind fallback) {
    std::optional<CompanyKind> kind =
        ParseCompanyKind(in.OptionalText("kind", CompanyKindName(fallback), 32));
    if (!kind)
        return InvalidArgument("invalid field 'kind': use courier, food_delivery or other", "kind");
    return *kind;
}

Result<ApiReply> ListCompanies(ApiServices& s, ApiRequest&) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<ServiceCompany> companies, s.core.store().ListCompanies());
    return JsonReply({{"companies", JsonArray(companies)}});
}

Result<ApiReply> CreateCompany(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    ServiceCompany company;
    company.id = in.Id("id");
    company.name = in.Text("name");
    Result<CompanyKind> kind = ReadCompanyKind(in, CompanyKind::kCourier);
    in.Check(kind.status());
    company.contact_name = in.Text("contact_name", 100);
    company.contact_phone = in.OptionalText("contact_phone", "", 40);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    company.kind = *kind;
    MENJIN_RETURN_IF_ERROR(s.core.AddCompany(company));
    MENJIN_ASSIGN_OR_RETURN(ServiceCompany stored, s.core.store().GetCompany(company.id));
    ApiReply reply = JsonReply(ToJson(stored), 201);
    reply.audit_record_id = stored.id;
    return reply;
}

Result<ApiReply> GetCompany(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(ServiceCompany company,
                            s.core.store().GetCompany(request.Path("company_id")));
    return JsonReply(ToJson(company));
}

Result<ApiReply> UpdateCompany(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(ServiceCompany company,
                            s.core.store().GetCompany(request.Path("company_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    company.version = in.Integer("version", 1, INT64_MAX);
    company.name = in.OptionalText("name", company.name);
    Result<CompanyKind> kind = ReadCompanyKind(in, company.kind);
    in.Check(kind.status());
    company.contact_name = in.OptionalText("contact_name", company.contact_name, 100);
    company.contact_phone = in.OptionalText("contact_phone", company.contact_phone, 40);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    company.kind = *kind;
    MENJIN_ASSIGN_OR_RETURN(ServiceCompany updated, s.core.UpdateCompany(company));
    return JsonReply(ToJson(updated));
}

// ---- Service staff

// Reads the verification and validity fields; `staff` keeps its values for absent ones. The
// verifying operator and time are always the caller and now.
void ReadVerification(JsonFields& in, ServiceStaff& staff, bool required) {
    staff.company_id =
        required ? in.Id("company_id") : in.OptionalId("company_id").value_or(staff.company_id);
    staff.verified_contact = required
                                 ? in.Text("verified_contact", 100)
                                 : in.OptionalText("verified_contact", staff.verified_contact, 100);
    staff.valid_from = required ? in.Instant("valid_from")
                                : in.OptionalInstant("valid_from").value_or(staff.valid_from);
    staff.valid_to =
        required ? in.Instant("valid_to") : in.OptionalInstant("valid_to").value_or(staff.valid_to);
    if (required || in.Has("estate_ids"))
        staff.estate_ids = in.IdList("estate_ids");
}

nlohmann::json StaffJson(const Person& person, const ServiceStaff& staff) {
    return {{"person", ToJson(person)}, {"staff", ToJson(staff)}};
}

Result<ApiReply> CreateStaff(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    JsonFields person_in = in.Object("person");
    Person person;
    person.role = PersonRole::kServiceStaff;
    person.id = person_in.Id("id");
    person.name = person_in.Text("name", 100);
    person.phone = person_in.OptionalText("phone", "", 40);
    person.birth_year =
        static_cast<int>(person_in.OptionalInteger("birth_year", 0, 2100).value_or(0));
    in.Check(person_in.Finish());
    ServiceStaff staff;
    staff.person_id = person.id;
    ReadVerification(in, staff, true);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(s.authorizer.CheckEstateIds(request.caller, staff.estate_ids));
    staff.verified_by = request.caller.operator_id;
    staff.verified_at = s.core.clock().Now();
    MENJIN_RETURN_IF_ERROR(s.core.AddServiceStaffPerson(person, staff));
    MENJIN_ASSIGN_OR_RETURN(Person stored_person, s.core.store().GetPerson(person.id));
    MENJIN_ASSIGN_OR_RETURN(ServiceStaff stored, s.core.store().GetServiceStaff(person.id));
    ApiReply reply = JsonReply(StaffJson(stored_person, stored), 201);
    reply.audit_record_id = person.id;
    return reply;
}

Result<ApiReply> GetStaff(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(ServiceStaff staff,
                            s.authorizer.StaffFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(Person person, s.core.store().GetPerson(staff.person_id));
    return JsonReply(StaffJson(person, staff));
}

Result<ApiReply> RenewStaff(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(ServiceStaff staff,
                            s.authorizer.StaffFor(request.caller, request.Path("person_id")));
    // Estate staff may change only what lies entirely within their estate.
    MENJIN_RETURN_IF_ERROR(s.authorizer.CheckEstateIds(request.caller, staff.estate_ids));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    staff.version = in.Integer("version", 1, INT64_MAX);
    ReadVerification(in, staff, false);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(s.authorizer.CheckEstateIds(request.caller, staff.estate_ids));
    staff.verified_by = request.caller.operator_id;
    staff.verified_at = s.core.clock().Now();
    MENJIN_ASSIGN_OR_RETURN(ServiceStaff updated, s.core.UpdateServiceStaff(staff));
    MENJIN_ASSIGN_OR_RETURN(Person person, s.core.store().GetPerson(updated.person_id));
    return JsonReply(StaffJson(person, updated));
}

Result<ApiReply> ListExpiringStaff(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(std::optional<UnixSeconds> before, QueryInstant(request, "before"));
    const UnixSeconds cutoff = before.value_or(s.core.clock().Now() + kDaysAhead * 86400);
    MENJIN_ASSIGN_OR_RETURN(std::vector<ServiceStaff> staff,
                            s.core.store().ListStaffExpiringBefore(cutoff, estate.id));
    return JsonReply({{"service_staff", JsonArray(staff)}});
}

// ---- Grants

std::string NewGrantId() {
    unsigned char random[6];
    randombytes_buf(random, sizeof(random));
    char hex[sizeof(random) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
    return std::string("grant-") + hex;
}

Result<ApiReply> CreateGrant(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    AccessGrant grant;
    grant.id = in.OptionalId("id").value_or(NewGrantId());
    grant.person_id = in.Id("person_id");
    grant.estate_id = in.Id("estate_id");
    grant.valid_from = in.Instant("valid_from");
    grant.valid_to = in.Instant("valid_to");
    Result<WeeklySchedule> schedule = ParseWeeklySchedule(in.OptionalText("schedule", "", 400));
    if (!schedule.ok())
        in.Check(InvalidArgument("invalid field 'schedule': " + schedule.status().message(),
                                 "schedule"));
    MENJIN_RETURN_IF_ERROR(in.Finish());
    grant.schedule = *schedule;
    MENJIN_RETURN_IF_ERROR(s.authorizer.EstateFor(request.caller, grant.estate_id).status());
    MENJIN_RETURN_IF_ERROR(s.authorizer.PersonFor(request.caller, grant.person_id).status());
    MENJIN_RETURN_IF_ERROR(s.core.AddGrant(grant));
    MENJIN_ASSIGN_OR_RETURN(AccessGrant stored, s.core.store().GetGrant(grant.id));
    ApiReply reply = JsonReply(ToJson(stored), 201);
    reply.audit_record_id = stored.id;
    return reply;
}

Result<ApiReply> GetGrant(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(AccessGrant grant,
                            s.authorizer.GrantFor(request.caller, request.Path("grant_id")));
    return JsonReply(ToJson(grant));
}

Result<ApiReply> DeleteGrant(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(AccessGrant grant,
                            s.authorizer.GrantFor(request.caller, request.Path("grant_id")));
    MENJIN_RETURN_IF_ERROR(s.core.RemoveGrant(grant.id));
    return JsonReply({{"deleted", grant.id}});
}

Result<ApiReply> ListEstateGrants(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<AccessGrant> grants,
                            s.core.store().ListGrantsOfEstate(estate.id));
    return JsonReply({{"grants", JsonArray(grants)}});
}

}  // namespace

std::vector<Route> StaffRoutes(ApiServices& s) {
    const std::size_t json = s.limits.json_bytes;
    return {
        {HttpMethod::kGet, "/api/v1/companies", kEstateOperators, "", "", "", 0,
         [&s](ApiRequest& r) { return ListCompanies(s, r); }},
        {HttpMethod::kPost, "/api/v1/companies", kCentreAdmin, "company.create", "company", "",
         json, [&s](ApiRequest& r) { return CreateCompany(s, r); }},
        {HttpMethod::kGet, "/api/v1/companies/{company_id}", kEstateOperators, "", "", "", 0,
         [&s](ApiRequest& r) { return GetCompany(s, r); }},
        {HttpMethod::kPatch, "/api/v1/companies/{company_id}", kCentreAdmin, "company.update",
         "company", "company_id", json, [&s](ApiRequest& r) { return UpdateCompany(s, r); }},
        {HttpMethod::kPost, "/api/v1/service-staff", kEstateOperators, "service_staff.create",
         "person", "", json, [&s](ApiRequest& r) { return CreateStaff(s, r); }},
        {HttpMethod::kGet, "/api/v1/service-staff/{person_id}", kEstateOperators,
         "service_staff.read", "person", "person_id", 0,
         [&s](ApiRequest& r) { return GetStaff(s, r); }},
        {HttpMethod::kPatch, "/api/v1/service-staff/{person_id}", kEstateOperators,
         "service_staff.update", "person", "person_id", json,
         [&s](ApiRequest& r) { return RenewStaff(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/service-staff/expiring", kEstateOperators,
         "service_staff.list", "estate", "estate_id", 0,
         [&s](ApiRequest& r) { return ListExpiringStaff(s, r); }},
        {HttpMethod::kPost, "/api/v1/grants", kEstateOperators, "grant.create", "grant", "", json,
         [&s](ApiRequest& r) { return CreateGrant(s, r); }},
        {HttpMethod::kGet, "/api/v1/grants/{grant_id}", kEstateOperators, "grant.read", "grant",
         "grant_id", 0, [&s](ApiRequest& r) { return GetGrant(s, r); }},
        {HttpMethod::kDelete, "/api/v1/grants/{grant_id}", kEstateOperators, "grant.delete",
         "grant", "grant_id", 0, [&s](ApiRequest& r) { return DeleteGrant(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/grants", kEstateOperators, "grant.list",
         "estate", "estate_id", 0, [&s](ApiRequest& r) { return ListEstateGrants(s, r); }},
    };
}

}  // namespace menjin
