// SqliteStore: service companies and their staff.

#include "sqlite/sqlite_store.h"

#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "sqlite/row_checks.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kCompanyColumns = "id, name, kind, contact_name, contact_phone, version";
constexpr const char* kStaffColumns =
    "person_id, company_id, verified_by, verified_at, verified_contact, valid_from, valid_to, "
    "version";

Result<ServiceCompany> ReadCompany(const SqliteStatement& row) {
    ServiceCompany company;
    company.id = row.ColumnText(0);
    company.name = row.ColumnText(1);
    std::optional<CompanyKind> kind = ParseCompanyKind(row.ColumnText(2));
    if (!kind) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: service company '{}' has an unknown kind", company.id));
    }
    company.kind = *kind;
    company.contact_name = row.ColumnText(3);
    company.contact_phone = row.ColumnText(4);
    company.version = row.ColumnInt64(5);
    return company;
}

// Reads the service_staff columns; estate_ids come from service_staff_estates separately.
Result<ServiceStaff> ReadStaffRow(const SqliteStatement& row) {
    ServiceStaff staff;
    staff.person_id = row.ColumnText(0);
    staff.company_id = row.ColumnText(1);
    staff.verified_by = row.ColumnText(2);
    staff.verified_at = row.ColumnInt64(3);
    staff.verified_contact = row.ColumnText(4);
    staff.valid_from = row.ColumnInt64(5);
    staff.valid_to = row.ColumnInt64(6);
    staff.version = row.ColumnInt64(7);
    return staff;
}

WriteTarget StaffTarget(std::string_view action, const ServiceStaff& staff) {
    return {action,
            StaffRow(staff.person_id),
            {PersonRow(staff.person_id), CompanyRow(staff.company_id)}};
}

Status ValidateStaffEstates(const ServiceStaff& staff) {
    std::set<std::string> seen;
    for (const std::string& estate_id : staff.estate_ids) {
        if (!seen.insert(estate_id).second) {
            return InvalidArgument(fmt::format("store: service staff '{}' lists estate '{}' twice",
                                               staff.person_id, estate_id),
                                   "estate_ids");
        }
    }
    return Status::Ok();
}

}  // namespace

// ---- Companies ------------------------------------------------------------------------------

Status SqliteStore::CreateCompany(const ServiceCompany& company) {
    MENJIN_RETURN_IF_ERROR(ValidateId("service company", company.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO service_companies (id, name, kind, contact_name, contact_phone, "
                    "version) VALUES (?, ?, ?, ?, ?, 1)"));
    insert.BindAll(company.id, company.name, CompanyKindName(company.kind), company.contact_name,
                   company.contact_phone);
    return RunInsert(db_, insert, {"create", CompanyRow(company.id)});
}

Result<ServiceCompany> SqliteStore::GetCompany(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM service_companies WHERE id = ?", kCompanyColumns)));
    select.Bind(1, id);
    return ReadRow<ServiceCompany>(select, CompanyRow(id), ReadCompany);
}

Result<std::vector<ServiceCompany>> SqliteStore::ListCompanies() {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM service_companies ORDER BY id", kCompanyColumns)));
    return CollectRows<ServiceCompany>(select, ReadCompany);
}

Result<ServiceCompany> SqliteStore::UpdateCompany(const ServiceCompany& company) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE service_companies SET name = ?, kind = ?, contact_name = ?, "
                    "contact_phone = ?, version = version + 1 WHERE id = ? AND version = ?"));
    update.BindAll(company.name, CompanyKindName(company.kind), company.contact_name,
                   company.contact_phone, company.id, company.version);
    MENJIN_RETURN_IF_ERROR(
        RunUpdate(db_, update, {"update", CompanyRow(company.id)}, company.version));
    return GetCompany(company.id);
}

// ---- Staff ----------------------------------------------------------------------------------

Status SqliteStore::CreateServiceStaff(const ServiceStaff& staff) {
    MENJIN_RETURN_IF_ERROR(ValidateStaffEstates(staff));
    return Transaction([&]() -> Status {
        Result<Person> person = GetPerson(staff.person_id);
        if (person.status().code() == ErrorCode::kNotFound) {
            return Status(ErrorCode::kFailedPrecondition,
                          fmt::format("store: cannot create service staff '{}': person not found",
                                      staff.person_id));
        }
        MENJIN_RETURN_IF_ERROR(person.status());
        if (person->role != PersonRole::kServiceStaff) {
            return Status(ErrorCode::kFailedPrecondition,
                          fmt::format("store: cannot create service staff '{}': the person's role "
                                      "is {}, not service_staff",
                                      staff.person_id, PersonRoleName(person->role)));
        }
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement insert,
            db_.Prepare("INSERT INTO service_staff (person_id, company_id, verified_by, "
                        "verified_at, verified_contact, valid_from, valid_to, version) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, 1)"));
        insert.BindAll(staff.person_id, staff.company_id, staff.verified_by, staff.verified_at,
                       staff.verified_contact, staff.valid_from, staff.valid_to);
        MENJIN_RETURN_IF_ERROR(RunInsert(db_, insert, StaffTarget("create", staff)));
        return WriteStaffEstates(staff);
    });
}

// Replaces the staff member's estate list. Runs inside a transaction.
Status SqliteStore::WriteStaffEstates(const ServiceStaff& staff) {
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement clear,
                            db_.Prepare("DELETE FROM service_staff_estates WHERE person_id = ?"));
    clear.Bind(1, staff.person_id);
    MENJIN_RETURN_IF_ERROR(clear.Run());
    for (std::size_t i = 0; i < staff.estate_ids.size(); ++i) {
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement insert,
            db_.Prepare("INSERT INTO service_staff_estates (person_id, estate_id, position) "
                        "VALUES (?, ?, ?)"));
        insert.BindAll(staff.person_id, staff.estate_ids[i], static_cast<int>(i));
        MENJIN_RETURN_IF_ERROR(RunInsert(
            db_, insert, {"save", StaffRow(staff.person_id), {EstateRow(staff.estate_ids[i])}}));
    }
    return Status::Ok();
}

Result<std::vector<std::string>> SqliteStore::ReadStaffEstates(const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare("SELECT estate_id FROM service_staff_estates WHERE person_id = ? "
                    "ORDER BY position"));
    select.Bind(1, person_id);
    return CollectRows<std::string>(select, [](const SqliteStatement& row) -> Result<std::string> {
        return row.ColumnText(0);
    });
}

Result<ServiceStaff> SqliteStore::ReadStaff(const std::string& person_id) {
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM service_staff WHERE person_id = ?", kStaffColumns)));
    select.Bind(1, person_id);
    MENJIN_ASSIGN_OR_RETURN(ServiceStaff staff,
                            ReadRow<ServiceStaff>(select, StaffRow(person_id), ReadStaffRow));
    MENJIN_ASSIGN_OR_RETURN(staff.estate_ids, ReadStaffEstates(person_id));
    return staff;
}

Result<ServiceStaff> SqliteStore::GetServiceStaff(const std::string& person_id) {
    Lock lock(mutex_);
    return ReadStaff(person_id);
}

Result<ServiceStaff> SqliteStore::UpdateServiceStaff(const ServiceStaff& staff) {
    MENJIN_RETURN_IF_ERROR(ValidateStaffEstates(staff));
    std::optional<ServiceStaff> updated;
    Status status = Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement update,
            db_.Prepare("UPDATE service_staff SET company_id = ?, verified_by = ?, "
                        "verified_at = ?, verified_contact = ?, valid_from = ?, valid_to = ?, "
                        "version = version + 1 WHERE person_id = ? AND version = ?"));
        update.BindAll(staff.company_id, staff.verified_by, staff.verified_at,
                       staff.verified_contact, staff.valid_from, staff.valid_to, staff.person_id,
                       staff.version);
        MENJIN_RETURN_IF_ERROR(RunUpdate(db_, update, StaffTarget("update", staff), staff.version));
        MENJIN_RETURN_IF_ERROR(WriteStaffEstates(staff));
        MENJIN_ASSIGN_OR_RETURN(updated, ReadStaff(staff.person_id));
        return Status::Ok();
    });
    if (!status.ok())
        return status;
    return std::move(*updated);
}

Status SqliteStore::DeleteServiceStaff(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM service_staff WHERE person_id = ?"));
    remove.Bind(1, person_id);
    return RunDelete(db_, remove, StaffRow(person_id));
}

Result<std::vector<ServiceStaff>> SqliteStore::ListStaffExpiringBefore(
    UnixSeconds before, const std::string& estate_id) {
    Lock lock(mutex_);
    if (!estate_id.empty())
        MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format(
            "SELECT {} FROM service_staff WHERE valid_to < ?1 AND (?2 = '' OR person_id IN "
            "(SELECT person_id FROM service_staff_estates WHERE estate_id = ?2)) "
            "ORDER BY valid_to, person_id",
            kStaffColumns)));
    select.BindAll(before, estate_id);
    MENJIN_ASSIGN_OR_RETURN(std::vector<ServiceStaff> staff,
                            CollectRows<ServiceStaff>(select, ReadStaffRow));
    for (ServiceStaff& member : staff) {
        MENJIN_ASSIGN_OR_RETURN(member.estate_ids, ReadStaffEstates(member.person_id));
    }
    return staff;
}

}  // namespace menjin
