// Routes for people: search within an estate or (centre admins) the city, add residents,
// read and edit personal data, grants of a person and alternative credentials.

#include <cstdint>

#include "domain/record_json.h"
#include "server/request_parsing.h"
#include "server/routes.h"

namespace menjin {

namespace {

constexpr int kMaxSearchResults = 500;
constexpr int kDefaultGrantDays = 3650;

Result<ApiReply> SearchPeople(ApiServices& s, ApiRequest& request, const std::string& estate_id) {
    const std::string text = request.Query("q").value_or("");
    if (text.size() > 100)
        return InvalidArgument("invalid query parameter 'q': use at most 100 bytes", "q");
    MENJIN_ASSIGN_OR_RETURN(std::int64_t limit,
                            QueryInteger(request, "limit", 100, 1, kMaxSearchResults));
    const int count = static_cast<int>(limit);
    MENJIN_ASSIGN_OR_RETURN(std::vector<Person> people,
                            estate_id.empty()
                                ? s.core.store().SearchPeople(text, count)
                                : s.core.store().ListPeopleInEstate(estate_id, text, count));
    return JsonReply({{"people", JsonArray(people)}});
}

Result<ApiReply> ListEstatePeople(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    return SearchPeople(s, request, estate.id);
}

Result<ApiReply> SearchCity(ApiServices& s, ApiRequest& request) {
    return SearchPeople(s, request, "");
}

void ReadPersonFields(JsonFields& in, Person& person) {
    person.birth_year =
        static_cast<int>(in.OptionalInteger("birth_year", 0, 2100).value_or(person.birth_year));
    person.phone = in.OptionalText("phone", person.phone, 40);
    if (in.Contains("welfare_days")) {
        std::optional<std::int64_t> days = in.OptionalInteger("welfare_days", 1, 365);
        person.welfare_days = days ? std::optional<int>(static_cast<int>(*days)) : std::nullopt;
    }
}

Result<ApiReply> CreateResident(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    Person person;
    person.id = in.Id("id");
    person.name = in.Text("name", 100);
    ReadPersonFields(in, person);
    const std::string role = in.OptionalText("role", "tenant", 32);
    std::optional<PersonRole> parsed = ParsePersonRole(role);
    if (!parsed || *parsed == PersonRole::kServiceStaff) {
        in.Check(
            InvalidArgument("invalid field 'role': use tenant or family_member (service "
                            "staff are added under /api/v1/service-staff)",
                            "role"));
    }
    person.role = parsed.value_or(PersonRole::kTenant);
    person.household_id = in.Id("household_id");
    const int grant_days =
        static_cast<int>(in.OptionalInteger("grant_days", 1, 36500).value_or(kDefaultGrantDays));
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(
        s.authorizer.HouseholdFor(request.caller, *person.household_id).status());
    MENJIN_RETURN_IF_ERROR(s.core.AddResident(person, grant_days));
    MENJIN_ASSIGN_OR_RETURN(Person stored, s.core.store().GetPerson(person.id));
    ApiReply reply = JsonReply(ToJson(stored), 201);
    reply.audit_record_id = stored.id;
    return reply;
}

Result<ApiReply> GetPerson(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<std::string> estates, s.core.EstatesOfPerson(person.id));
    MENJIN_ASSIGN_OR_RETURN(std::vector<FaceTemplateRecord> templates,
                            s.core.store().ListTemplatesOfPerson(person.id));
    nlohmann::json out = ToJson(person);
    out["estate_ids"] = estates;
    out["face_templates"] = templates.size();
    return JsonReply(out);
}

Result<ApiReply> UpdatePerson(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    person.version = in.Integer("version", 1, INT64_MAX);
    person.name = in.OptionalText("name", person.name, 100);
    ReadPersonFields(in, person);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_ASSIGN_OR_RETURN(Person updated, s.core.UpdatePerson(person));
    return JsonReply(ToJson(updated));
}

Result<ApiReply> ListPersonGrants(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<AccessGrant> grants,
                            s.core.store().ListGrantsOfPerson(person.id));
    return JsonReply({{"grants", JsonArray(grants)}});
}

Result<ApiReply> ListCredentials(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<AltCredential> credentials,
                            s.core.store().ListAltCredentials(person.id));
    return JsonReply({{"credentials", JsonArray(credentials)}});
}

Result<ApiReply> CreateCredential(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    std::optional<CredentialKind> kind = ParseCredentialKind(in.Text("kind", 16));
    if (!kind)
        in.Check(InvalidArgument("invalid field 'kind': use card, pin or qr", "kind"));
    const std::string secret = in.Text("secret", 256);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_ASSIGN_OR_RETURN(AltCredential credential,
                            s.core.AddAltCredential(person.id, *kind, secret));
    ApiReply reply = JsonReply(ToJson(credential), 201);
    reply.audit_record_id = credential.id;
    return reply;
}

Result<ApiReply> RevokeCredential(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Person person,
                            s.authorizer.PersonFor(request.caller, request.Path("person_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<AltCredential> credentials,
                            s.core.store().ListAltCredentials(person.id));
    const std::string& id = request.Path("credential_id");
    for (AltCredential& credential : credentials) {
        if (credential.id != id)
            continue;
        MENJIN_RETURN_IF_ERROR(s.core.store().RevokeAltCredential(id));
        credential.revoked = true;
        return JsonReply(ToJson(credential));
    }
    return NotFound("credential '" + id + "' of person '" + person.id + "' not found");
}

}  // namespace

std::vector<Route> PeopleRoutes(ApiServices& s) {
    const std::size_t json = s.limits.json_bytes;
    return {
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/people", kEstateOperators, "person.search",
         "estate", "estate_id", 0, [&s](ApiRequest& r) { return ListEstatePeople(s, r); }},
        {HttpMethod::kGet, "/api/v1/people", kCentreAdmin, "person.search", "city", "", 0,
         [&s](ApiRequest& r) { return SearchCity(s, r); }},
        {HttpMethod::kPost, "/api/v1/people", kEstateOperators, "person.create", "person", "", json,
         [&s](ApiRequest& r) { return CreateResident(s, r); }},
        {HttpMethod::kGet, "/api/v1/people/{person_id}", kEstateOperators, "person.read", "person",
         "person_id", 0, [&s](ApiRequest& r) { return GetPerson(s, r); }},
        {HttpMethod::kPatch, "/api/v1/people/{person_id}", kEstateOperators, "person.update",
         "person", "person_id", json, [&s](ApiRequest& r) { return UpdatePerson(s, r); }},
        {HttpMethod::kGet, "/api/v1/people/{person_id}/grants", kEstateOperators,
         "person.grants.read", "person", "person_id", 0,
         [&s](ApiRequest& r) { return ListPersonGrants(s, r); }},
        {HttpMethod::kGet, "/api/v1/people/{person_id}/credentials", kEstateOperators,
         "person.credentials.read", "person", "person_id", 0,
         [&s](ApiRequest& r) { return ListCredentials(s, r); }},
        {HttpMethod::kPost, "/api/v1/people/{person_id}/credentials", kEstateOperators,
         "credential.create", "credential", "", json,
         [&s](ApiRequest& r) { return CreateCredential(s, r); }},
        {HttpMethod::kDelete, "/api/v1/people/{person_id}/credentials/{credential_id}",
         kEstateOperators, "credential.revoke", "credential", "credential_id", 0,
         [&s](ApiRequest& r) { return RevokeCredential(s, r); }},
    };
}

}  // namespace menjin
