#include "server/authorizer.h"

#include <algorithm>
#include <charconv>

namespace menjin {

namespace {

Status Denied(std::string message) {
    return Status(ErrorCode::kPermissionDenied, std::move(message));
}

// Parses a record id of the path; kNotFound (not a parse error) for anything else, as for an
// unknown text id.
Result<std::int64_t> ParseRecordId(const std::string& text, const char* kind) {
    std::int64_t id = 0;
    const char* end = text.data() + text.size();
    auto [parsed_end, error] = std::from_chars(text.data(), end, id);
    if (error != std::errc() || parsed_end != end || id < 1)
        return NotFound(std::string(kind) + " '" + text.substr(0, 64) + "' not found");
    return id;
}

}  // namespace

Status Authorizer::CheckEstateId(const Caller& caller, const std::string& estate_id) const {
    switch (caller.kind) {
        case CallerKind::kAnonymous:
            return Status(ErrorCode::kUnauthenticated, "log in first");
        case CallerKind::kGateDevice:
            return Denied("a gate device may only use its own gate's routes");
        case CallerKind::kOperator:
            break;
    }
    if (caller.role != OperatorRole::kEstateStaff || caller.estate_id == estate_id)
        return Status::Ok();
    return Denied("estate staff of '" + caller.estate_id + "' may not access estate '" + estate_id +
                  "'");
}

Status Authorizer::CheckEstateIds(const Caller& caller,
                                  const std::vector<std::string>& estate_ids) const {
    for (const std::string& estate_id : estate_ids) {
        MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, estate_id));
    }
    return Status::Ok();
}

std::string Authorizer::EstateScope(const Caller& caller) const {
    return caller.IsOperator(OperatorRole::kEstateStaff) ? caller.estate_id : "";
}

Status Authorizer::CheckPersonalData(const Caller& caller, const std::string& what) const {
    if (caller.IsOperator(OperatorRole::kAuditor))
        return Denied("auditors do not see " + what);
    if (caller.kind == CallerKind::kGateDevice)
        return Denied("a gate device does not see " + what);
    return Status::Ok();
}

Result<Estate> Authorizer::EstateFor(const Caller& caller, const std::string& estate_id) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate, core_.store().GetEstate(estate_id));
    MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, estate.id));
    return estate;
}

Result<Gate> Authorizer::GateFor(const Caller& caller, const std::string& gate_id) {
    MENJIN_ASSIGN_OR_RETURN(Gate gate, core_.store().GetGate(gate_id));
    if (caller.kind == CallerKind::kGateDevice) {
        if (caller.gate_id != gate.id) {
            return Denied("the device of gate '" + caller.gate_id + "' may not act for gate '" +
                          gate.id + "'");
        }
        return gate;
    }
    MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, gate.estate_id));
    return gate;
}

Result<Unit> Authorizer::UnitFor(const Caller& caller, const std::string& unit_id) {
    MENJIN_ASSIGN_OR_RETURN(Unit unit, core_.store().GetUnit(unit_id));
    MENJIN_RETURN_IF_ERROR(CheckPersonalData(caller, "units and addresses"));
    MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, unit.estate_id));
    return unit;
}

Result<Household> Authorizer::HouseholdFor(const Caller& caller, const std::string& household_id) {
    MENJIN_ASSIGN_OR_RETURN(Household household, core_.store().GetHousehold(household_id));
    MENJIN_RETURN_IF_ERROR(CheckPersonalData(caller, "households"));
    MENJIN_ASSIGN_OR_RETURN(Unit unit, core_.store().GetUnit(household.unit_id));
    MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, unit.estate_id));
    return household;
}

Result<Person> Authorizer::PersonFor(const Caller& caller, const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(Person person, core_.store().GetPerson(person_id));
    MENJIN_RETURN_IF_ERROR(CheckPersonalData(caller, "personal data"));
    if (!caller.IsOperator(OperatorRole::kEstateStaff))
        return person;
    MENJIN_ASSIGN_OR_RETURN(std::vector<std::string> estates,
                            core_.ManagingEstatesOfPerson(person_id));
    if (std::find(estates.begin(), estates.end(), caller.estate_id) == estates.end()) {
        return Denied("person '" + person_id + "' does not belong to estate '" + caller.estate_id +
                      "'");
    }
    return person;
}

Result<AccessGrant> Authorizer::GrantFor(const Caller& caller, const std::string& grant_id) {
    MENJIN_ASSIGN_OR_RETURN(AccessGrant grant, core_.store().GetGrant(grant_id));
    MENJIN_RETURN_IF_ERROR(CheckPersonalData(caller, "grants"));
    MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, grant.estate_id));
    return grant;
}

Result<ServiceStaff> Authorizer::StaffFor(const Caller& caller, const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(ServiceStaff staff, core_.store().GetServiceStaff(person_id));
    MENJIN_RETURN_IF_ERROR(PersonFor(caller, person_id).status());
    return staff;
}

Result<WelfareAlert> Authorizer::AlertFor(const Caller& caller, const std::string& alert_id) {
    MENJIN_ASSIGN_OR_RETURN(std::int64_t id, ParseRecordId(alert_id, "welfare alert"));
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert alert, core_.store().GetWelfareAlert(id));
    MENJIN_RETURN_IF_ERROR(CheckPersonalData(caller, "welfare alerts"));
    MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, alert.estate_id));
    return alert;
}

Result<Lead> Authorizer::LeadFor(const Caller& caller, const std::string& lead_id) {
    MENJIN_ASSIGN_OR_RETURN(std::int64_t id, ParseRecordId(lead_id, "lead"));
    MENJIN_ASSIGN_OR_RETURN(Lead lead, core_.store().GetLead(id));
    MENJIN_RETURN_IF_ERROR(CheckPersonalData(caller, "leads"));
    if (lead.estate_id.empty() && !caller.IsOperator(OperatorRole::kCentreAdmin)) {
        return Denied("lead " + lead_id + " spans several estates; only centre admins see it");
    }
    MENJIN_RETURN_IF_ERROR(CheckEstateId(caller, lead.estate_id));
    return lead;
}

}  // namespace menjin
