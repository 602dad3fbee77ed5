#pragma once

// Existence checks and the error messages built from them, shared by the SqliteStore files.
// All functions run statements on `db`, so the caller must hold the store's lock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sqlite/sqlite_connection.h"

namespace menjin {

// A row named by its table and key, for existence checks and messages.
struct RowRef {
    std::string_view kind;        // singular noun for messages, e.g. "gate"
    std::string_view table;       // a constant of this module, never user input
    std::string_view key_column;  // the table's primary key
    std::string id;
};

RowRef EstateRow(std::string id);
RowRef GateRow(std::string id);
RowRef UnitRow(std::string id);
RowRef HouseholdRow(std::string id);
RowRef PersonRow(std::string id);
RowRef CompanyRow(std::string id);
RowRef StaffRow(std::string person_id);
RowRef GrantRow(std::string id);
RowRef CredentialRow(std::string id);
RowRef ReceiptRow(std::string id);

// A write that failed, for DescribeWriteFailure.
struct WriteTarget {
    std::string_view action;  // "create", "update" or "delete"
    RowRef row;
    // Rows the write refers to, checked in order to name the missing one after a FOREIGN KEY
    // failure. References with an empty id are skipped.
    std::vector<RowRef> references = {};
    // Message for a UNIQUE violation on a key other than the row's own id.
    std::string unique_message = {};
};

// Returns "store: <kind> '<id>' not found" as kNotFound.
Status NotFoundError(const RowRef& row);

// Returns whether the row exists.
Result<bool> RowExists(const SqliteConnection& db, const RowRef& row);

// Returns ok when the row exists, kNotFound when it does not.
Status RequireRow(const SqliteConnection& db, const RowRef& row);

// Returns kInvalidArgument unless `id` passes IsValidId, naming the kind and the field.
Status ValidateId(std::string_view kind, const std::string& id);

// Rewrites the Status of a failed INSERT, UPDATE or DELETE into a message that names the
// record and, after a FOREIGN KEY failure, the first missing reference. Keeps the code.
Status DescribeWriteFailure(const SqliteConnection& db, const Status& failure,
                            const WriteTarget& target);

// Checks the outcome of "UPDATE ... WHERE <key> = ? AND version = ?" that just ran: ok when
// it changed a row, else kNotFound when the row is missing or kConflict naming both versions.
Status CheckUpdated(const SqliteConnection& db, const RowRef& row, std::int64_t expected_version);

// Runs an INSERT; on failure returns DescribeWriteFailure's Status.
Status RunInsert(const SqliteConnection& db, SqliteStatement& insert, const WriteTarget& target);

// Runs an optimistic "UPDATE ... WHERE <key> = ? AND version = ?"; on failure returns
// DescribeWriteFailure's Status, and when no row changed, CheckUpdated's.
Status RunUpdate(const SqliteConnection& db, SqliteStatement& update, const WriteTarget& target,
                 std::int64_t expected_version);

// Runs a DELETE of one row by key; kNotFound naming `row` when nothing was deleted.
Status RunDelete(const SqliteConnection& db, SqliteStatement& remove, const RowRef& row);

// Runs a statement that deletes or updates many rows and returns how many changed.
Result<int> RunCounted(const SqliteConnection& db, SqliteStatement& statement);

// Runs `select`, whose parameters are already bound, and converts its first row with `read`,
// a callable taking `const SqliteStatement&` and returning Result<Row>. Returns kNotFound
// naming `row` when there is no row.
template <typename Row, typename Read>
Result<Row> ReadRow(SqliteStatement& select, const RowRef& row, Read read) {
    MENJIN_ASSIGN_OR_RETURN(std::optional<Row> found, FirstRow<Row>(select, read));
    if (!found)
        return NotFoundError(row);
    return std::move(*found);
}

// Returns how many rows of `table` have `column` equal to `id`. `table` and `column` must be
// constants of this module.
Result<int> CountRows(const SqliteConnection& db, std::string_view table, std::string_view column,
                      const std::string& id);

}  // namespace menjin
