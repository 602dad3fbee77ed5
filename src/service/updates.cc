// Updates of directory records with optimistic versions, the atomic addition of service staff,
// and the estate membership of a person that the HTTP layer scopes reads by.

#include <algorithm>
#include <set>

#include "common/log.h"
#include "service/access_core.h"
#include "service/record_checks.h"

namespace menjin {

namespace {

Status CheckUnchanged(const std::string& stored, const std::string& requested,
                      const std::string& field, const std::string& what) {
    if (stored == requested)
        return Status::Ok();
    return InvalidArgument(
        what + " cannot change its " + field + " ('" + stored + "' to '" + requested + "')", field);
}

bool Contains(const std::vector<std::string>& values, const std::string& value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

Result<Estate> AccessCore::UpdateEstate(const Estate& estate) {
    MENJIN_RETURN_IF_ERROR(CheckEstateFields(estate));
    return store_->UpdateEstate(estate);
}

Result<Gate> AccessCore::UpdateGate(const Gate& gate) {
    MENJIN_ASSIGN_OR_RETURN(Gate stored, store_->GetGate(gate.id));
    MENJIN_RETURN_IF_ERROR(CheckOptionalText(gate.name, "name"));
    MENJIN_RETURN_IF_ERROR(
        CheckUnchanged(stored.estate_id, gate.estate_id, "estate_id", "gate '" + gate.id + "'"));
    return store_->UpdateGate(gate);
}

Result<Unit> AccessCore::UpdateUnit(const Unit& unit) {
    MENJIN_ASSIGN_OR_RETURN(Unit stored, store_->GetUnit(unit.id));
    MENJIN_RETURN_IF_ERROR(
        CheckUnchanged(stored.estate_id, unit.estate_id, "estate_id", "unit '" + unit.id + "'"));
    MENJIN_RETURN_IF_ERROR(CheckText(unit.building, "building"));
    MENJIN_RETURN_IF_ERROR(CheckText(unit.number, "number"));
    return store_->UpdateUnit(unit);
}

Result<Person> AccessCore::UpdatePerson(const Person& person) {
    MENJIN_ASSIGN_OR_RETURN(Person stored, store_->GetPerson(person.id));
    const std::string what = "person '" + person.id + "'";
    MENJIN_RETURN_IF_ERROR(
        CheckUnchanged(PersonRoleName(stored.role), PersonRoleName(person.role), "role", what));
    MENJIN_RETURN_IF_ERROR(CheckUnchanged(stored.household_id.value_or(""),
                                          person.household_id.value_or(""), "household_id", what));
    MENJIN_RETURN_IF_ERROR(CheckPersonFields(person));
    return store_->UpdatePerson(person);
}

Result<ServiceCompany> AccessCore::UpdateCompany(const ServiceCompany& company) {
    MENJIN_RETURN_IF_ERROR(CheckText(company.name, "name"));
    MENJIN_RETURN_IF_ERROR(CheckText(company.contact_name, "contact_name"));
    MENJIN_RETURN_IF_ERROR(CheckOptionalText(company.contact_phone, "contact_phone"));
    return store_->UpdateCompany(company);
}

Result<Household> AccessCore::SetHouseholdTenant(const std::string& household_id,
                                                 const std::optional<std::string>& tenant_person_id,
                                                 std::int64_t version) {
    MENJIN_ASSIGN_OR_RETURN(Household household, store_->GetHousehold(household_id));
    if (tenant_person_id) {
        MENJIN_ASSIGN_OR_RETURN(Person tenant, store_->GetPerson(*tenant_person_id));
        if (tenant.role != PersonRole::kTenant || tenant.household_id != household_id) {
            return InvalidArgument(
                "person '" + tenant.id + "' is not a tenant of household '" + household_id + "'",
                "tenant_person_id");
        }
    }
    household.tenant_person_id = tenant_person_id;
    household.version = version;
    return store_->UpdateHousehold(household);
}

Status AccessCore::AddServiceStaffPerson(const Person& person, const ServiceStaff& staff) {
    if (person.role != PersonRole::kServiceStaff || person.id != staff.person_id) {
        return InvalidArgument("service staff need role service_staff and a matching person_id",
                               "person_id");
    }
    // AddServiceStaffWithGrants takes membership_mutex_ before its transaction; nesting it in
    // this transaction would take the lock after, so the steps are repeated here in that order.
    std::lock_guard lock(membership_mutex_);
    return store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(AddPerson(person));
        MENJIN_RETURN_IF_ERROR(AddServiceStaff(staff));
        for (const std::string& estate_id : staff.estate_ids) {
            AccessGrant grant;
            grant.id = DefaultGrantId(staff.person_id, estate_id);
            grant.person_id = staff.person_id;
            grant.estate_id = estate_id;
            grant.valid_from = staff.valid_from;
            grant.valid_to = staff.valid_to;
            MENJIN_RETURN_IF_ERROR(AddGrantLocked(grant));
        }
        return Status::Ok();
    });
}

Result<ServiceStaff> AccessCore::UpdateServiceStaff(const ServiceStaff& staff) {
    MENJIN_RETURN_IF_ERROR(CheckStaffVerification(staff));
    std::lock_guard lock(membership_mutex_);
    ServiceStaff updated;
    std::vector<std::string> dropped;
    MENJIN_RETURN_IF_ERROR(store_->Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(ServiceStaff before, store_->GetServiceStaff(staff.person_id));
        MENJIN_ASSIGN_OR_RETURN(updated, store_->UpdateServiceStaff(staff));
        MENJIN_ASSIGN_OR_RETURN(dropped, ReplaceStaffGrants(before, updated));
        return Status::Ok();
    }));
    MENJIN_RETURN_IF_ERROR(DropFromGalleriesWithoutGrant(staff.person_id, dropped));
    MENJIN_RETURN_IF_ERROR(AddPersonToGalleries(staff.person_id));
    MENJIN_LOG_INFO("core: service staff {} renewed until {} for {} estates", staff.person_id,
                    staff.valid_to, staff.estate_ids.size());
    return updated;
}

Result<std::vector<std::string>> AccessCore::ReplaceStaffGrants(const ServiceStaff& before,
                                                                const ServiceStaff& staff) {
    std::vector<std::string> dropped;
    for (const std::string& estate_id : before.estate_ids) {
        if (Contains(staff.estate_ids, estate_id))
            continue;
        Status removed = store_->DeleteGrant(DefaultGrantId(staff.person_id, estate_id));
        if (!removed.ok() && removed.code() != ErrorCode::kNotFound)
            return removed;
        dropped.push_back(estate_id);
    }
    for (const std::string& estate_id : staff.estate_ids) {
        AccessGrant grant;
        grant.id = DefaultGrantId(staff.person_id, estate_id);
        Result<AccessGrant> existing = store_->GetGrant(grant.id);
        if (existing.ok()) {
            grant.schedule = existing->schedule;
            MENJIN_RETURN_IF_ERROR(store_->DeleteGrant(grant.id));
        } else if (existing.status().code() != ErrorCode::kNotFound) {
            return existing.status();
        }
        grant.person_id = staff.person_id;
        grant.estate_id = estate_id;
        grant.valid_from = staff.valid_from;
        grant.valid_to = staff.valid_to;
        MENJIN_RETURN_IF_ERROR(store_->CreateGrant(grant));
    }
    return dropped;
}

Status AccessCore::DropFromGalleriesWithoutGrant(const std::string& person_id,
                                                 const std::vector<std::string>& estate_ids) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<AccessGrant> grants, store_->ListGrantsOfPerson(person_id));
    for (const std::string& estate_id : estate_ids) {
        const bool still_granted =
            std::any_of(grants.begin(), grants.end(),
                        [&](const AccessGrant& grant) { return grant.estate_id == estate_id; });
        if (!still_granted) {
            MENJIN_RETURN_IF_ERROR(
                galleries_->RemovePersonFromEstate(estate_id, person_id).status());
        }
    }
    return Status::Ok();
}

Result<std::vector<std::string>> AccessCore::EstatesOfPerson(const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(Person person, store_->GetPerson(person_id));
    std::set<std::string> estates;
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::string> home, store_->ResidentEstateOf(person_id));
    if (home)
        estates.insert(*home);
    if (person.role == PersonRole::kServiceStaff) {
        Result<ServiceStaff> staff = store_->GetServiceStaff(person_id);
        if (!staff.ok() && staff.status().code() != ErrorCode::kNotFound)
            return staff.status();
        if (staff.ok())
            estates.insert(staff->estate_ids.begin(), staff->estate_ids.end());
    }
    MENJIN_ASSIGN_OR_RETURN(std::vector<AccessGrant> grants, store_->ListGrantsOfPerson(person_id));
    for (const AccessGrant& grant : grants)
        estates.insert(grant.estate_id);
    return std::vector<std::string>(estates.begin(), estates.end());
}

Result<std::vector<std::string>> AccessCore::ManagingEstatesOfPerson(const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(Person person, store_->GetPerson(person_id));
    MENJIN_ASSIGN_OR_RETURN(std::optional<std::string> home, store_->ResidentEstateOf(person_id));
    if (home)
        return std::vector<std::string>{*home};
    if (person.role == PersonRole::kServiceStaff) {
        Result<ServiceStaff> staff = store_->GetServiceStaff(person_id);
        if (!staff.ok() && staff.status().code() != ErrorCode::kNotFound)
            return staff.status();
        if (staff.ok()) {
            std::set<std::string> served(staff->estate_ids.begin(), staff->estate_ids.end());
            return std::vector<std::string>(served.begin(), served.end());
        }
    }
    return EstatesOfPerson(person_id);
}

}  // namespace menjin
