// SqliteStore: operator accounts and their sessions.

#include <fmt/format.h>

#include "sqlite/row_checks.h"
#include "sqlite/sqlite_store.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kOperatorColumns =
    "id, display_name, role, estate_id, password_hash, failed_logins, locked_until, disabled, "
    "created_at, version";
constexpr const char* kSessionColumns =
    "token_hash, operator_id, created_at, expires_at, remote_address";

RowRef OperatorRow(std::string id) {
    return {"operator", "operators", "id", std::move(id)};
}

std::optional<std::string> OptionalEstate(const Operator& account) {
    if (account.estate_id.empty())
        return std::nullopt;
    return account.estate_id;
}

WriteTarget OperatorTarget(std::string_view action, const Operator& account) {
    return {action, OperatorRow(account.id), {EstateRow(account.estate_id)}};
}

Result<Operator> ReadOperator(const SqliteStatement& row) {
    Operator account;
    account.id = row.ColumnText(0);
    account.display_name = row.ColumnText(1);
    std::optional<OperatorRole> role = ParseOperatorRole(row.ColumnText(2));
    if (!role) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: operator '{}' has an unknown role", account.id));
    }
    account.role = *role;
    account.estate_id = row.ColumnText(3);
    account.password_hash = row.ColumnText(4);
    account.failed_logins = row.ColumnInt(5);
    account.locked_until = row.ColumnInt64(6);
    account.disabled = row.ColumnInt(7) != 0;
    account.created_at = row.ColumnInt64(8);
    account.version = row.ColumnInt64(9);
    return account;
}

Result<OperatorSession> ReadSession(const SqliteStatement& row) {
    OperatorSession session;
    session.token_hash = row.ColumnText(0);
    session.operator_id = row.ColumnText(1);
    session.created_at = row.ColumnInt64(2);
    session.expires_at = row.ColumnInt64(3);
    session.remote_address = row.ColumnText(4);
    return session;
}

}  // namespace

// ---- Operators ------------------------------------------------------------------------------

Status SqliteStore::CreateOperator(const Operator& account) {
    MENJIN_RETURN_IF_ERROR(ValidateId("operator", account.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare(fmt::format("INSERT INTO operators ({}) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, 1)",
                                kOperatorColumns)));
    insert.BindAll(account.id, account.display_name, OperatorRoleName(account.role),
                   OptionalEstate(account), account.password_hash, account.disabled,
                   account.created_at);
    return RunInsert(db_, insert, OperatorTarget("create", account));
}

Result<Operator> SqliteStore::GetOperator(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM operators WHERE id = ?", kOperatorColumns)));
    select.Bind(1, id);
    return ReadRow<Operator>(select, OperatorRow(id), ReadOperator);
}

Result<std::vector<Operator>> SqliteStore::ListOperators() {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM operators ORDER BY id", kOperatorColumns)));
    return CollectRows<Operator>(select, ReadOperator);
}

Result<Operator> SqliteStore::UpdateOperator(const Operator& account) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE operators SET display_name = ?, role = ?, estate_id = ?, "
                    "password_hash = ?, disabled = ?, version = version + 1 "
                    "WHERE id = ? AND version = ?"));
    update.BindAll(account.display_name, OperatorRoleName(account.role), OptionalEstate(account),
                   account.password_hash, account.disabled, account.id, account.version);
    MENJIN_RETURN_IF_ERROR(
        RunUpdate(db_, update, OperatorTarget("update", account), account.version));
    return GetOperator(account.id);
}

Status SqliteStore::SetOperatorLoginState(const std::string& id, int failed_logins,
                                          UnixSeconds locked_until) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE operators SET failed_logins = ?, locked_until = ? WHERE id = ?"));
    update.BindAll(failed_logins, locked_until, id);
    MENJIN_ASSIGN_OR_RETURN(int changed, RunCounted(db_, update));
    if (changed == 0)
        return NotFoundError(OperatorRow(id));
    return Status::Ok();
}

// ---- Sessions -------------------------------------------------------------------------------

Status SqliteStore::CreateSession(const OperatorSession& session) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare(fmt::format("INSERT INTO operator_sessions ({}) VALUES (?, ?, ?, ?, ?)",
                                kSessionColumns)));
    insert.BindAll(session.token_hash, session.operator_id, session.created_at, session.expires_at,
                   session.remote_address);
    // The token hash is not an identifier to show, so messages name the operator instead.
    RowRef row{"session of operator", "operator_sessions", "operator_id", session.operator_id};
    return RunInsert(db_, insert, {"create", row, {OperatorRow(session.operator_id)}});
}

Result<std::optional<OperatorSession>> SqliteStore::FindSession(const std::string& token_hash) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM operator_sessions WHERE token_hash = ?", kSessionColumns)));
    select.Bind(1, token_hash);
    return FirstRow<OperatorSession>(select, ReadSession);
}

Status SqliteStore::DeleteSession(const std::string& token_hash) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM operator_sessions WHERE token_hash = ?"));
    remove.Bind(1, token_hash);
    return RunCounted(db_, remove).status();
}

Result<int> SqliteStore::DeleteSessionsOfOperator(const std::string& operator_id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM operator_sessions WHERE operator_id = ?"));
    remove.Bind(1, operator_id);
    return RunCounted(db_, remove);
}

Result<int> SqliteStore::PurgeExpiredSessions(UnixSeconds now) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM operator_sessions WHERE expires_at <= ?"));
    remove.Bind(1, now);
    return RunCounted(db_, remove);
}

}  // namespace menjin
