// Directory changes of the access core: estates, gates, units, households, people, companies,
// service staff, grants and alternative credentials, each validated before it is stored.

#include <sodium.h>

#include "common/local_time.h"
#include "common/log.h"
#include "service/access_core.h"
#include "service/record_checks.h"

namespace menjin {

Status AccessCore::AddEstate(const Estate& estate) {
    MENJIN_RETURN_IF_ERROR(CheckId(estate.id, "estate_id"));
    MENJIN_RETURN_IF_ERROR(CheckEstateFields(estate));
    return store_->CreateEstate(estate);
}

Status AccessCore::AddGate(const Gate& gate) {
    MENJIN_RETURN_IF_ERROR(CheckId(gate.id, "gate_id"));
    MENJIN_RETURN_IF_ERROR(CheckOptionalText(gate.name, "name"));
    MENJIN_RETURN_IF_ERROR(store_->GetEstate(gate.estate_id).status());
    return store_->CreateGate(gate);
}

Status AccessCore::AddUnit(const Unit& unit) {
    MENJIN_RETURN_IF_ERROR(CheckId(unit.id, "unit_id"));
    MENJIN_RETURN_IF_ERROR(CheckText(unit.building, "building"));
    MENJIN_RETURN_IF_ERROR(CheckText(unit.number, "number"));
    MENJIN_RETURN_IF_ERROR(store_->GetEstate(unit.estate_id).status());
    return store_->CreateUnit(unit);
}

Status AccessCore::AddHousehold(const Household& household) {
    MENJIN_RETURN_IF_ERROR(CheckId(household.id, "household_id"));
    MENJIN_RETURN_IF_ERROR(store_->GetUnit(household.unit_id).status());
    if (household.tenant_person_id) {
        MENJIN_ASSIGN_OR_RETURN(Person tenant, store_->GetPerson(*household.tenant_person_id));
        if (tenant.role != PersonRole::kTenant) {
            return InvalidArgument(
                "person '" + tenant.id + "' is a " + PersonRoleName(tenant.role) + ", not a tenant",
                "tenant_person_id");
        }
    }
    return store_->CreateHousehold(household);
}

Status AccessCore::AddPerson(const Person& person) {
    MENJIN_RETURN_IF_ERROR(CheckId(person.id, "person_id"));
    MENJIN_RETURN_IF_ERROR(CheckPersonFields(person));
    const bool resident = person.role != PersonRole::kServiceStaff;
    if (resident && !person.household_id) {
        return InvalidArgument(
            "a " + std::string(PersonRoleName(person.role)) + " needs a household_id",
            "household_id");
    }
    if (!resident && person.household_id) {
        return InvalidArgument("service staff belong to no household", "household_id");
    }
    if (person.household_id) {
        MENJIN_RETURN_IF_ERROR(store_->GetHousehold(*person.household_id).status());
    }
    Person stored = person;
    stored.created_at = clock_->Now();
    return store_->CreatePerson(stored);
}

Status AccessCore::AddCompany(const ServiceCompany& company) {
    MENJIN_RETURN_IF_ERROR(CheckId(company.id, "company_id"));
    MENJIN_RETURN_IF_ERROR(CheckText(company.name, "name"));
    MENJIN_RETURN_IF_ERROR(CheckText(company.contact_name, "contact_name"));
    MENJIN_RETURN_IF_ERROR(CheckOptionalText(company.contact_phone, "contact_phone"));
    return store_->CreateCompany(company);
}

Status AccessCore::AddServiceStaff(const ServiceStaff& staff) {
    MENJIN_ASSIGN_OR_RETURN(Person person, store_->GetPerson(staff.person_id));
    if (person.role != PersonRole::kServiceStaff) {
        return InvalidArgument("person '" + person.id + "' is a " + PersonRoleName(person.role) +
                                   ", not service staff",
                               "person_id");
    }
    MENJIN_RETURN_IF_ERROR(CheckStaffVerification(staff));
    return store_->CreateServiceStaff(staff);
}

Status AccessCore::CheckStaffVerification(const ServiceStaff& staff) {
    MENJIN_RETURN_IF_ERROR(store_->GetCompany(staff.company_id).status());
    MENJIN_RETURN_IF_ERROR(CheckText(staff.verified_by, "verified_by"));
    MENJIN_RETURN_IF_ERROR(CheckText(staff.verified_contact, "verified_contact"));
    if (staff.verified_at <= 0)
        return InvalidArgument("missing verified_at", "verified_at");
    MENJIN_RETURN_IF_ERROR(CheckWindow(staff.valid_from, staff.valid_to, "staff validity"));
    if (staff.estate_ids.empty())
        return InvalidArgument("missing estate_ids", "estate_ids");
    for (const std::string& estate_id : staff.estate_ids) {
        MENJIN_RETURN_IF_ERROR(store_->GetEstate(estate_id).status());
    }
    return Status::Ok();
}

Status AccessCore::AddGrant(const AccessGrant& grant) {
    MENJIN_RETURN_IF_ERROR(CheckId(grant.id, "grant_id"));
    MENJIN_RETURN_IF_ERROR(CheckWindow(grant.valid_from, grant.valid_to, "grant"));
    MENJIN_ASSIGN_OR_RETURN(Person person, store_->GetPerson(grant.person_id));
    MENJIN_RETURN_IF_ERROR(store_->GetEstate(grant.estate_id).status());
    if (person.role == PersonRole::kServiceStaff) {
        // Staff are admitted only after their company confirmed them.
        Result<ServiceStaff> staff = store_->GetServiceStaff(person.id);
        if (!staff.ok()) {
            return Status(ErrorCode::kFailedPrecondition,
                          "service staff '" + person.id +
                              "' has no recorded verification: add it before granting access",
                          "person_id");
        }
    }
    std::lock_guard lock(membership_mutex_);
    return AddGrantLocked(grant);
}

Status AccessCore::AddGrantLocked(const AccessGrant& grant) {
    MENJIN_RETURN_IF_ERROR(store_->CreateGrant(grant));
    return AddPersonToGalleries(grant.person_id);
}

std::string AccessCore::DefaultGrantId(const std::string& person_id, const std::string& estate_id) {
    return "grant-" + person_id + "-" + estate_id;
}

Status AccessCore::AddUnitWithHousehold(const Unit& unit, const std::string& household_id) {
    Household household;
    household.id = household_id.empty() ? unit.id : household_id;
    household.unit_id = unit.id;
    return store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(AddUnit(unit));
        return AddHousehold(household);
    });
}

Status AccessCore::AddResident(const Person& person, int grant_days) {
    // Gallery changes come after the commit, so this lock is taken before the transaction
    // everywhere; the other order could deadlock with Enrol.
    std::lock_guard lock(membership_mutex_);
    MENJIN_RETURN_IF_ERROR(
        store_->Transaction([&] { return AddResidentLocked(person, grant_days); }));
    return AddPersonToGalleries(person.id);
}

Status AccessCore::AddResidentLocked(const Person& person, int grant_days) {
    if (person.role == PersonRole::kServiceStaff) {
        return InvalidArgument(
            "service staff are added with their verification, not as "
            "residents",
            "role");
    }
    if (grant_days < 1) {
        return InvalidArgument("invalid grant_days " + std::to_string(grant_days), "grant_days");
    }
    return store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(AddPerson(person));
        MENJIN_ASSIGN_OR_RETURN(Household household, store_->GetHousehold(*person.household_id));
        MENJIN_ASSIGN_OR_RETURN(Unit unit, store_->GetUnit(household.unit_id));
        if (person.role == PersonRole::kTenant && !household.tenant_person_id) {
            household.tenant_person_id = person.id;
            MENJIN_RETURN_IF_ERROR(store_->UpdateHousehold(household).status());
        }
        AccessGrant grant;
        grant.id = DefaultGrantId(person.id, unit.estate_id);
        grant.person_id = person.id;
        grant.estate_id = unit.estate_id;
        grant.valid_from = clock_->Now();
        grant.valid_to = grant.valid_from + static_cast<UnixSeconds>(grant_days) * 86400;
        // Galleries change only after the commit, so a rollback cannot leave them ahead.
        return store_->CreateGrant(grant);
    });
}

Status AccessCore::AddServiceStaffWithGrants(const ServiceStaff& staff) {
    std::lock_guard lock(membership_mutex_);
    MENJIN_RETURN_IF_ERROR(store_->Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(AddServiceStaff(staff));
        for (const std::string& estate_id : staff.estate_ids) {
            AccessGrant grant;
            grant.id = DefaultGrantId(staff.person_id, estate_id);
            grant.person_id = staff.person_id;
            grant.estate_id = estate_id;
            grant.valid_from = staff.valid_from;
            grant.valid_to = staff.valid_to;
            MENJIN_RETURN_IF_ERROR(store_->CreateGrant(grant));
        }
        return Status::Ok();
    }));
    return AddPersonToGalleries(staff.person_id);
}

Status AccessCore::RemoveGrant(const std::string& grant_id) {
    std::lock_guard lock(membership_mutex_);
    MENJIN_ASSIGN_OR_RETURN(AccessGrant grant, store_->GetGrant(grant_id));
    MENJIN_RETURN_IF_ERROR(store_->DeleteGrant(grant_id));
    MENJIN_ASSIGN_OR_RETURN(std::vector<AccessGrant> remaining,
                            store_->ListGrantsOfPerson(grant.person_id));
    for (const AccessGrant& other : remaining) {
        if (other.estate_id == grant.estate_id)
            return Status::Ok();
    }
    return galleries_->RemovePersonFromEstate(grant.estate_id, grant.person_id).status();
}

Result<AltCredential> AccessCore::AddAltCredential(const std::string& person_id,
                                                   CredentialKind kind, const std::string& secret) {
    MENJIN_RETURN_IF_ERROR(store_->GetPerson(person_id).status());
    const std::size_t min_length = kind == CredentialKind::kPin ? 6 : 8;
    if (secret.size() < min_length || secret.size() > 256) {
        return InvalidArgument(std::string("invalid ") + CredentialKindName(kind) + ": use " +
                                   std::to_string(min_length) + " to 256 characters",
                               "secret");
    }
    AltCredential credential;
    unsigned char random[8];
    randombytes_buf(random, sizeof(random));
    char hex[sizeof(random) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
    credential.id = std::string("cred-") + hex;
    credential.person_id = person_id;
    credential.kind = kind;
    credential.secret_hash = cipher_.CredentialHash(CredentialKindName(kind), secret);
    credential.created_at = clock_->Now();
    MENJIN_ASSIGN_OR_RETURN(std::optional<AltCredential> existing,
                            store_->FindAltCredential(kind, credential.secret_hash));
    if (existing) {
        return Status(ErrorCode::kAlreadyExists,
                      std::string("this ") + CredentialKindName(kind) +
                          " is already issued to another credential holder",
                      "secret");
    }
    MENJIN_RETURN_IF_ERROR(store_->CreateAltCredential(credential));
    return credential;
}

}  // namespace menjin
