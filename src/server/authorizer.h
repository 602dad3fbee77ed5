#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/records.h"
#include "domain/welfare_records.h"
#include "server/caller.h"
#include "service/access_core.h"

namespace menjin {

// Decides, in one place, whether a caller may touch a record, by the estate the record
// belongs to. Every route that names a record goes through here, so that estate staff never
// reach another estate's people, auditors never reach personal data and a gate device only
// reaches its own gate.
//
// Rules: a centre admin may touch every record. Estate staff may touch records of their own
// estate; a person belongs to the estates of AccessCore::ManagingEstatesOfPerson (a visitor
// grant does not make a resident belong to the visited estate). An auditor may read estates and
// gates but no unit, household, person, grant, welfare alert or lead. A gate device may touch
// its own gate and nothing else.
//
// Each XFor method loads the record and returns it, kNotFound for an unknown id (before any
// estate check, so that 404 and 403 are distinct as the API promises) and kPermissionDenied
// for a record the caller may not touch. Holds a reference to `core`, which must outlive it.
// Thread-safe.
class Authorizer {
  public:
    explicit Authorizer(AccessCore& core) : core_(core) {}

    // Returns ok when the caller may work on estate `estate_id` (which is not loaded).
    Status CheckEstateId(const Caller& caller, const std::string& estate_id) const;
    // Returns ok when the caller may work on every estate in `estate_ids`.
    Status CheckEstateIds(const Caller& caller, const std::vector<std::string>& estate_ids) const;
    // Returns the estate that limits the caller's searches and queries, or "" for callers who
    // may search every estate (centre admins and, for aggregate reports, auditors).
    std::string EstateScope(const Caller& caller) const;

    Result<Estate> EstateFor(const Caller& caller, const std::string& estate_id);
    Result<Gate> GateFor(const Caller& caller, const std::string& gate_id);
    Result<Unit> UnitFor(const Caller& caller, const std::string& unit_id);
    Result<Household> HouseholdFor(const Caller& caller, const std::string& household_id);
    Result<Person> PersonFor(const Caller& caller, const std::string& person_id);
    Result<AccessGrant> GrantFor(const Caller& caller, const std::string& grant_id);
    Result<ServiceStaff> StaffFor(const Caller& caller, const std::string& person_id);
    // Alerts and leads name people, so auditors and gate devices never reach them. A lead
    // without an estate (a duplicate identity across estates) is for centre admins only. A
    // path id that is not a positive integer is kNotFound.
    Result<WelfareAlert> AlertFor(const Caller& caller, const std::string& alert_id);
    Result<Lead> LeadFor(const Caller& caller, const std::string& lead_id);

  private:
    // Denies auditors and gate devices, who never see personal data.
    Status CheckPersonalData(const Caller& caller, const std::string& what) const;

    AccessCore& core_;
};

}  // namespace menjin
