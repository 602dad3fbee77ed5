#include "sqlite/row_checks.h"

#include <utility>

#include <fmt/format.h>

#include "domain/records.h"

namespace menjin {

RowRef EstateRow(std::string id) {
    return {"estate", "estates", "id", std::move(id)};
}
RowRef GateRow(std::string id) {
    return {"gate", "gates", "id", std::move(id)};
}
RowRef UnitRow(std::string id) {
    return {"unit", "units", "id", std::move(id)};
}
RowRef HouseholdRow(std::string id) {
    return {"household", "households", "id", std::move(id)};
}
RowRef PersonRow(std::string id) {
    return {"person", "people", "id", std::move(id)};
}

RowRef CompanyRow(std::string id) {
    return {"service company", "service_companies", "id", std::move(id)};
}

RowRef StaffRow(std::string person_id) {
    return {"service staff", "service_staff", "person_id", std::move(person_id)};
}

RowRef GrantRow(std::string id) {
    return {"grant", "access_grants", "id", std::move(id)};
}

RowRef CredentialRow(std::string id) {
    return {"credential", "alt_credentials", "id", std::move(id)};
}

RowRef ReceiptRow(std::string id) {
    return {"deletion receipt", "deletion_receipts", "id", std::move(id)};
}

Status NotFoundError(const RowRef& row) {
    return NotFound(fmt::format("store: {} '{}' not found", row.kind, row.id));
}

Result<bool> RowExists(const SqliteConnection& db, const RowRef& row) {
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement statement,
        db.Prepare(fmt::format("SELECT 1 FROM {} WHERE {} = ?", row.table, row.key_column)));
    statement.Bind(1, row.id);
    return statement.Step();
}

Status RequireRow(const SqliteConnection& db, const RowRef& row) {
    MENJIN_ASSIGN_OR_RETURN(bool exists, RowExists(db, row));
    return exists ? Status::Ok() : NotFoundError(row);
}

Status ValidateId(std::string_view kind, const std::string& id) {
    if (IsValidId(id))
        return Status::Ok();
    return InvalidArgument(fmt::format("store: invalid {} id '{}': use 1 to 64 letters, digits, "
                                       "'-', '_' or '.'",
                                       kind, id),
                           "id");
}

namespace {

std::string Subject(const WriteTarget& target) {
    return fmt::format("store: cannot {} {} '{}'", target.action, target.row.kind, target.row.id);
}

Status DescribeDuplicate(const SqliteConnection& db, const Status& failure,
                         const WriteTarget& target) {
    if (target.action == "create") {
        Result<bool> exists = RowExists(db, target.row);
        if (exists.ok() && *exists) {
            return Status(ErrorCode::kAlreadyExists, fmt::format("store: {} '{}' already exists",
                                                                 target.row.kind, target.row.id));
        }
    }
    std::string detail = target.unique_message.empty() ? failure.message() : target.unique_message;
    return Status(ErrorCode::kAlreadyExists, Subject(target) + ": " + detail);
}

Status DescribeMissingReference(const SqliteConnection& db, const Status& failure,
                                const WriteTarget& target) {
    for (const RowRef& reference : target.references) {
        if (reference.id.empty())
            continue;
        Result<bool> exists = RowExists(db, reference);
        if (exists.ok() && !*exists) {
            return Status(ErrorCode::kFailedPrecondition,
                          fmt::format("{}: {} '{}' not found", Subject(target), reference.kind,
                                      reference.id));
        }
    }
    return Status(ErrorCode::kFailedPrecondition, Subject(target) + ": " + failure.message());
}

}  // namespace

Status DescribeWriteFailure(const SqliteConnection& db, const Status& failure,
                            const WriteTarget& target) {
    switch (failure.code()) {
        case ErrorCode::kAlreadyExists:
            return DescribeDuplicate(db, failure, target);
        case ErrorCode::kFailedPrecondition:
            return DescribeMissingReference(db, failure, target);
        default:
            return Status(failure.code(), Subject(target) + ": " + failure.message());
    }
}

Status CheckUpdated(const SqliteConnection& db, const RowRef& row, std::int64_t expected_version) {
    if (db.Changes() > 0)
        return Status::Ok();
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement statement,
        db.Prepare(fmt::format("SELECT version FROM {} WHERE {} = ?", row.table, row.key_column)));
    statement.Bind(1, row.id);
    MENJIN_ASSIGN_OR_RETURN(bool has_row, statement.Step());
    if (!has_row)
        return NotFoundError(row);
    return Status(ErrorCode::kConflict,
                  fmt::format("store: {} '{}' was changed concurrently: expected version {}, "
                              "stored version {}; reload it and retry",
                              row.kind, row.id, expected_version, statement.ColumnInt64(0)));
}

Status RunInsert(const SqliteConnection& db, SqliteStatement& insert, const WriteTarget& target) {
    Status status = insert.Run();
    return status.ok() ? status : DescribeWriteFailure(db, status, target);
}

Status RunUpdate(const SqliteConnection& db, SqliteStatement& update, const WriteTarget& target,
                 std::int64_t expected_version) {
    Status status = update.Run();
    if (!status.ok())
        return DescribeWriteFailure(db, status, target);
    return CheckUpdated(db, target.row, expected_version);
}

Status RunDelete(const SqliteConnection& db, SqliteStatement& remove, const RowRef& row) {
    Status status = remove.Run();
    if (!status.ok())
        return DescribeWriteFailure(db, status, WriteTarget{"delete", row});
    return db.Changes() > 0 ? Status::Ok() : NotFoundError(row);
}

Result<int> RunCounted(const SqliteConnection& db, SqliteStatement& statement) {
    MENJIN_RETURN_IF_ERROR(statement.Run());
    return db.Changes();
}

Result<int> CountRows(const SqliteConnection& db, std::string_view table, std::string_view column,
                      const std::string& id) {
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement statement,
        db.Prepare(fmt::format("SELECT COUNT(*) FROM {} WHERE {} = ?", table, column)));
    statement.Bind(1, id);
    MENJIN_ASSIGN_OR_RETURN(bool has_row, statement.Step());
    return has_row ? statement.ColumnInt(0) : 0;
}

}  // namespace menjin
