// Routes for estates, gates and their device credentials, units and households.

#include <cstdint>

#include "domain/record_json.h"
#include "domain/security_json.h"
#include "server/request_parsing.h"
#include "server/routes.h"

namespace menjin {

namespace {

// ---- Estates

void ReadEstateSettings(JsonFields& in, Estate& estate) {
    estate.timezone = in.OptionalText("timezone", estate.timezone, 64);
    estate.target_fpir = in.OptionalNumber("target_fpir", estate.target_fpir, 0, 1);
    estate.min_margin = in.OptionalNumber("min_margin", estate.min_margin, 0, 10);
    estate.welfare_days =
        static_cast<int>(in.OptionalInteger("welfare_days", 1, 365).value_or(estate.welfare_days));
}

Result<ApiReply> ListEstates(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<Estate> estates, s.core.store().ListEstates());
    const std::string scope = s.authorizer.EstateScope(request.caller);
    nlohmann::json out = nlohmann::json::array();
    for (const Estate& estate : estates) {
        if (scope.empty() || estate.id == scope)
            out.push_back(ToJson(estate));
    }
    return JsonReply({{"estates", out}});
}

Result<ApiReply> CreateEstate(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    Estate estate;
    estate.id = in.Id("id");
    estate.name = in.Text("name");
    ReadEstateSettings(in, estate);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(s.core.AddEstate(estate));
    MENJIN_ASSIGN_OR_RETURN(Estate stored, s.core.store().GetEstate(estate.id));
    ApiReply reply = JsonReply(ToJson(stored), 201);
    reply.audit_record_id = stored.id;
    return reply;
}

Result<ApiReply> GetEstate(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    return JsonReply(ToJson(estate));
}

Result<ApiReply> UpdateEstate(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    estate.version = in.Integer("version", 1, INT64_MAX);
    estate.name = in.OptionalText("name", estate.name);
    ReadEstateSettings(in, estate);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_ASSIGN_OR_RETURN(Estate updated, s.core.UpdateEstate(estate));
    return JsonReply(ToJson(updated));
}

// ---- Gates

Result<GateDirection> ReadDirection(JsonFields& in, GateDirection fallback) {
    const std::string text = in.OptionalText("direction", GateDirectionName(fallback), 16);
    std::optional<GateDirection> direction = ParseGateDirection(text);
    if (!direction)
        return InvalidArgument("invalid field 'direction': use entry, exit or both", "direction");
    return *direction;
}

Result<ApiReply> ListGates(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<Gate> gates, s.core.store().ListGates(estate.id));
    return JsonReply({{"gates", JsonArray(gates)}});
}

Result<ApiReply> CreateGate(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    Gate gate;
    gate.id = in.Id("id");
    gate.estate_id = in.Id("estate_id");
    gate.name = in.OptionalText("name", "");
    Result<GateDirection> direction = ReadDirection(in, GateDirection::kBoth);
    in.Check(direction.status());
    MENJIN_RETURN_IF_ERROR(in.Finish());
    gate.direction = *direction;
    MENJIN_RETURN_IF_ERROR(s.authorizer.EstateFor(request.caller, gate.estate_id).status());
    MENJIN_RETURN_IF_ERROR(s.core.AddGate(gate));
    MENJIN_ASSIGN_OR_RETURN(Gate stored, s.core.store().GetGate(gate.id));
    ApiReply reply = JsonReply(ToJson(stored), 201);
    reply.audit_record_id = stored.id;
    return reply;
}

Result<ApiReply> GetGate(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    return JsonReply(ToJson(gate));
}

Result<ApiReply> UpdateGate(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    gate.version = in.Integer("version", 1, INT64_MAX);
    gate.name = in.OptionalText("name", gate.name);
    Result<GateDirection> direction = ReadDirection(in, gate.direction);
    in.Check(direction.status());
    MENJIN_RETURN_IF_ERROR(in.Finish());
    gate.direction = *direction;
    MENJIN_ASSIGN_OR_RETURN(Gate updated, s.core.UpdateGate(gate));
    return JsonReply(ToJson(updated));
}

// ---- Gate device credentials

Result<ApiReply> ListDeviceCredentials(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<DeviceCredential> credentials,
                            s.core.store().ListDeviceCredentials(gate.id));
    return JsonReply({{"device_credentials", JsonArray(credentials)}});
}

Result<ApiReply> IssueDeviceCredential(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    MENJIN_ASSIGN_OR_RETURN(IssuedDeviceCredential issued,
                            s.devices.Issue(gate.id, request.caller.operator_id));
    ApiReply reply =
        JsonReply({{"device_credential", ToJson(issued.credential)}, {"token", issued.token}}, 201);
    reply.audit_record_id = issued.credential.id;
    return reply;
}

Result<ApiReply> RevokeDeviceCredential(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate,
                            s.authorizer.GateFor(request.caller, request.Path("gate_id")));
    MENJIN_ASSIGN_OR_RETURN(DeviceCredential credential,
                            s.core.store().GetDeviceCredential(request.Path("credential_id")));
    if (credential.gate_id != gate.id) {
        return NotFound("device credential '" + credential.id + "' not found at gate '" + gate.id +
                        "'");
    }
    MENJIN_RETURN_IF_ERROR(
        s.core.store().RevokeDeviceCredential(credential.id, s.core.clock().Now()));
    MENJIN_ASSIGN_OR_RETURN(DeviceCredential revoked,
                            s.core.store().GetDeviceCredential(credential.id));
    return JsonReply(ToJson(revoked));
}

// ---- Units and households

void ReadUnitFields(JsonFields& in, Unit& unit) {
    unit.building = in.OptionalText("building", unit.building, 64);
    unit.number = in.OptionalText("number", unit.number, 64);
    unit.address = in.OptionalText("address", unit.address, 400);
}

Result<nlohmann::json> HouseholdJson(ApiServices& s, const Household& household) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<Person> members,
                            s.core.store().ListHouseholdMembers(household.id));
    nlohmann::json out = ToJson(household);
    out["members"] = JsonArray(members);
    return out;
}

Result<ApiReply> ListUnits(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(std::vector<Unit> units, s.core.store().ListUnits(estate.id));
    return JsonReply({{"units", JsonArray(units)}});
}

Result<ApiReply> CreateUnit(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    Unit unit;
    unit.id = in.Id("id");
    unit.estate_id = in.Id("estate_id");
    unit.building = in.Text("building", 64);
    unit.number = in.Text("number", 64);
    unit.address = in.OptionalText("address", "", 400);
    const std::string household_id = in.OptionalId("household_id").value_or("");
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(s.authorizer.EstateFor(request.caller, unit.estate_id).status());
    MENJIN_RETURN_IF_ERROR(s.core.AddUnitWithHousehold(unit, household_id));
    MENJIN_ASSIGN_OR_RETURN(Unit stored, s.core.store().GetUnit(unit.id));
    MENJIN_ASSIGN_OR_RETURN(std::optional<Household> household,
                            s.core.store().FindHouseholdOfUnit(unit.id));
    ApiReply reply = JsonReply(
        {{"unit", ToJson(stored)}, {"household", household ? ToJson(*household) : nullptr}}, 201);
    reply.audit_record_id = stored.id;
    return reply;
}

Result<ApiReply> GetUnit(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Unit unit,
                            s.authorizer.UnitFor(request.caller, request.Path("unit_id")));
    MENJIN_ASSIGN_OR_RETURN(std::optional<Household> household,
                            s.core.store().FindHouseholdOfUnit(unit.id));
    nlohmann::json out = {{"unit", ToJson(unit)}, {"household", nullptr}};
    if (household) {
        MENJIN_ASSIGN_OR_RETURN(out["household"], HouseholdJson(s, *household));
    }
    return JsonReply(out);
}

Result<ApiReply> UpdateUnit(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Unit unit,
                            s.authorizer.UnitFor(request.caller, request.Path("unit_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    unit.version = in.Integer("version", 1, INT64_MAX);
    ReadUnitFields(in, unit);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_ASSIGN_OR_RETURN(Unit updated, s.core.UpdateUnit(unit));
    return JsonReply(ToJson(updated));
}

Result<ApiReply> GetHousehold(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Household household, s.authorizer.HouseholdFor(
                                                     request.caller, request.Path("household_id")));
    MENJIN_ASSIGN_OR_RETURN(nlohmann::json out, HouseholdJson(s, household));
    return JsonReply(out);
}

Result<ApiReply> UpdateHousehold(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Household household, s.authorizer.HouseholdFor(
                                                     request.caller, request.Path("household_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    const std::int64_t version = in.Integer("version", 1, INT64_MAX);
    if (!in.Contains("tenant_person_id")) {
        in.Check(InvalidArgument("missing field 'tenant_person_id' (null clears the tenant)",
                                 "tenant_person_id"));
    }
    const std::optional<std::string> tenant = in.OptionalId("tenant_person_id");
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_ASSIGN_OR_RETURN(Household updated,
                            s.core.SetHouseholdTenant(household.id, tenant, version));
    return JsonReply(ToJson(updated));
}

}  // namespace

std::vector<Route> DirectoryRoutes(ApiServices& s) {
    const std::size_t json = s.limits.json_bytes;
    const unsigned readers = kAllOperators;
    return {
        {HttpMethod::kGet, "/api/v1/estates", readers, "", "", "", 0,
         [&s](ApiRequest& r) { return ListEstates(s, r); }},
        {HttpMethod::kPost, "/api/v1/estates", kCentreAdmin, "estate.create", "estate", "", json,
         [&s](ApiRequest& r) { return CreateEstate(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}", readers, "", "", "", 0,
         [&s](ApiRequest& r) { return GetEstate(s, r); }},
        {HttpMethod::kPatch, "/api/v1/estates/{estate_id}", kCentreAdmin, "estate.update", "estate",
         "estate_id", json, [&s](ApiRequest& r) { return UpdateEstate(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/gates", readers, "", "", "", 0,
         [&s](ApiRequest& r) { return ListGates(s, r); }},
        {HttpMethod::kPost, "/api/v1/gates", kEstateOperators, "gate.create", "gate", "", json,
         [&s](ApiRequest& r) { return CreateGate(s, r); }},
        {HttpMethod::kGet, "/api/v1/gates/{gate_id}", readers | kGateDevice, "", "", "", 0,
         [&s](ApiRequest& r) { return GetGate(s, r); }},
        {HttpMethod::kPatch, "/api/v1/gates/{gate_id}", kEstateOperators, "gate.update", "gate",
         "gate_id", json, [&s](ApiRequest& r) { return UpdateGate(s, r); }},
        {HttpMethod::kGet, "/api/v1/gates/{gate_id}/device-credentials", kEstateOperators, "", "",
         "", 0, [&s](ApiRequest& r) { return ListDeviceCredentials(s, r); }},
        {HttpMethod::kPost, "/api/v1/gates/{gate_id}/device-credentials", kEstateOperators,
         "gate.device_credential.issue", "device_credential", "", json,
         [&s](ApiRequest& r) { return IssueDeviceCredential(s, r); }},
        {HttpMethod::kDelete, "/api/v1/gates/{gate_id}/device-credentials/{credential_id}",
         kEstateOperators, "gate.device_credential.revoke", "device_credential", "credential_id", 0,
         [&s](ApiRequest& r) { return RevokeDeviceCredential(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/units", kEstateOperators, "unit.list",
         "estate", "estate_id", 0, [&s](ApiRequest& r) { return ListUnits(s, r); }},
        {HttpMethod::kPost, "/api/v1/units", kEstateOperators, "unit.create", "unit", "", json,
         [&s](ApiRequest& r) { return CreateUnit(s, r); }},
        {HttpMethod::kGet, "/api/v1/units/{unit_id}", kEstateOperators, "unit.read", "unit",
         "unit_id", 0, [&s](ApiRequest& r) { return GetUnit(s, r); }},
        {HttpMethod::kPatch, "/api/v1/units/{unit_id}", kEstateOperators, "unit.update", "unit",
         "unit_id", json, [&s](ApiRequest& r) { return UpdateUnit(s, r); }},
        {HttpMethod::kGet, "/api/v1/households/{household_id}", kEstateOperators, "household.read",
         "household", "household_id", 0, [&s](ApiRequest& r) { return GetHousehold(s, r); }},
        {HttpMethod::kPatch, "/api/v1/households/{household_id}", kEstateOperators,
         "household.update", "household", "household_id", json,
         [&s](ApiRequest& r) { return UpdateHousehold(s, r); }},
    };
}

}  // namespace menjin
