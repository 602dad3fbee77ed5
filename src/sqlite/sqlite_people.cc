// SqliteStore: people, and the queries that find them through households and grants.

#include "sqlite/sqlite_store.h"

#include <fmt/format.h>

#include "sqlite/row_checks.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kPersonColumns =
    "id, name, birth_year, phone, role, household_id, welfare_days, created_at, version";

// Tables whose rows block the delete of a person, for the error message.
struct PersonDependent {
    const char* table;
    const char* label;
};
constexpr PersonDependent kPersonDependents[] = {
    {"face_templates", "face templates"},       {"thumbnails", "thumbnails"},
    {"access_grants", "access grants"},         {"alt_credentials", "alternative credentials"},
    {"service_staff", "service staff records"},
};

Result<Person> ReadPerson(const SqliteStatement& row) {
    Person person;
    person.id = row.ColumnText(0);
    person.name = row.ColumnText(1);
    person.birth_year = row.ColumnInt(2);
    person.phone = row.ColumnText(3);
    std::optional<PersonRole> role = ParsePersonRole(row.ColumnText(4));
    if (!role) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: person '{}' has an unknown role", person.id));
    }
    person.role = *role;
    person.household_id = row.ColumnOptionalText(5);
    person.welfare_days = row.ColumnOptionalInt(6);
    person.created_at = row.ColumnInt64(7);
    person.version = row.ColumnInt64(8);
    return person;
}

WriteTarget PersonTarget(std::string_view action, const Person& person) {
    return {action, PersonRow(person.id), {HouseholdRow(person.household_id.value_or(""))}};
}

// Escapes LIKE wildcards so that `text` matches literally inside "%...%".
std::string ContainsPattern(const std::string& text) {
    std::string pattern = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            pattern += '\\';
        pattern += c;
    }
    return pattern + "%";
}

}  // namespace

Status SqliteStore::CreatePerson(const Person& person) {
    MENJIN_RETURN_IF_ERROR(ValidateId("person", person.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO people (id, name, birth_year, phone, role, household_id, "
                    "welfare_days, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)"));
    insert.BindAll(person.id, person.name, person.birth_year, person.phone,
                   PersonRoleName(person.role), person.household_id, person.welfare_days,
                   person.created_at);
    return RunInsert(db_, insert, PersonTarget("create", person));
}

Result<Person> SqliteStore::GetPerson(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM people WHERE id = ?", kPersonColumns)));
    select.Bind(1, id);
    return ReadRow<Person>(select, PersonRow(id), ReadPerson);
}

Result<Person> SqliteStore::UpdatePerson(const Person& person) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE people SET name = ?, birth_year = ?, phone = ?, role = ?, "
                    "household_id = ?, welfare_days = ?, version = version + 1 "
                    "WHERE id = ? AND version = ?"));
    update.BindAll(person.name, person.birth_year, person.phone, PersonRoleName(person.role),
                   person.household_id, person.welfare_days, person.id, person.version);
    MENJIN_RETURN_IF_ERROR(RunUpdate(db_, update, PersonTarget("update", person), person.version));
    return GetPerson(person.id);
}

Status SqliteStore::DeletePerson(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove, db_.Prepare("DELETE FROM people WHERE id = ?"));
    remove.Bind(1, id);
    Status status = RunDelete(db_, remove, PersonRow(id));
    if (status.code() == ErrorCode::kFailedPrecondition)
        return DescribePersonInUse(id);
    return status;
}

Status SqliteStore::DescribePersonInUse(const std::string& person_id) {
    std::string dependents;
    for (const PersonDependent& dependent : kPersonDependents) {
        MENJIN_ASSIGN_OR_RETURN(int count, CountRows(db_, dependent.table, "person_id", person_id));
        if (count == 0)
            continue;
        if (!dependents.empty())
            dependents += ", ";
        dependents += fmt::format("{} {}", count, dependent.label);
    }
    if (dependents.empty())
        dependents = "other rows";
    return Status(ErrorCode::kFailedPrecondition,
                  fmt::format("store: cannot delete person '{}': {} still refer to it; delete "
                              "them first",
                              person_id, dependents));
}

Result<std::vector<Person>> SqliteStore::ListHouseholdMembers(const std::string& household_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, HouseholdRow(household_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM people WHERE household_id = ? ORDER BY id",
                                kPersonColumns)));
    select.Bind(1, household_id);
    return CollectRows<Person>(select, ReadPerson);
}

Result<std::vector<Person>> SqliteStore::ListPeopleInEstate(const std::string& estate_id,
                                                            const std::string& text, int limit) {
    if (limit <= 0) {
        return InvalidArgument(fmt::format("store: limit must be positive, got {}", limit),
                               "limit");
    }
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format(
            "SELECT {} FROM people WHERE (household_id IN (SELECT h.id FROM households h "
            "JOIN units u ON u.id = h.unit_id WHERE u.estate_id = ?1) "
            "OR id IN (SELECT person_id FROM access_grants WHERE estate_id = ?1)) "
            "AND (?2 = '' OR name LIKE ?3 ESCAPE '\\' OR id LIKE ?3 ESCAPE '\\') "
            "ORDER BY id LIMIT ?4",
            kPersonColumns)));
    select.BindAll(estate_id, text, ContainsPattern(text), limit);
    return CollectRows<Person>(select, ReadPerson);
}

Result<std::vector<Person>> SqliteStore::SearchPeople(const std::string& text, int limit) {
    if (limit <= 0) {
        return InvalidArgument(fmt::format("store: limit must be positive, got {}", limit),
                               "limit");
    }
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM people WHERE ?1 = '' OR name LIKE ?2 ESCAPE '\\' "
                                "OR id LIKE ?2 ESCAPE '\\' ORDER BY id LIMIT ?3",
                                kPersonColumns)));
    select.BindAll(text, ContainsPattern(text), limit);
    return CollectRows<Person>(select, ReadPerson);
}

Result<std::optional<std::string>> SqliteStore::ResidentEstateOf(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement select,
                            db_.Prepare("SELECT u.estate_id FROM people p "
                                        "LEFT JOIN households h ON h.id = p.household_id "
                                        "LEFT JOIN units u ON u.id = h.unit_id WHERE p.id = ?"));
    select.Bind(1, person_id);
    return ReadRow<std::optional<std::string>>(
        select, PersonRow(person_id),
        [](const SqliteStatement& row) -> Result<std::optional<std::string>> {
            return row.ColumnOptionalText(0);
        });
}

}  // namespace menjin
