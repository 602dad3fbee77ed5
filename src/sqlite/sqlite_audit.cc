// SqliteStore: gate device credentials and the hash-chained audit log.

#include <fmt/format.h>

#include "domain/audit_chain.h"
#include "sqlite/row_checks.h"
#include "sqlite/sqlite_store.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kDeviceColumns =
    "id, gate_id, token_hash, created_at, created_by, revoked_at";
constexpr const char* kAuditColumns =
    "seq, at, actor, actor_role, action, record_type, record_id, remote_address, outcome, "
    "prev_hash, hash";
constexpr int kMaxAuditPage = 1000;

RowRef DeviceRow(std::string id) {
    return {"device credential", "gate_device_credentials", "id", std::move(id)};
}

Result<DeviceCredential> ReadDevice(const SqliteStatement& row) {
    DeviceCredential credential;
    credential.id = row.ColumnText(0);
    credential.gate_id = row.ColumnText(1);
    credential.token_hash = row.ColumnText(2);
    credential.created_at = row.ColumnInt64(3);
    credential.created_by = row.ColumnText(4);
    if (!row.ColumnIsNull(5))
        credential.revoked_at = row.ColumnInt64(5);
    return credential;
}

Result<AuditEntry> ReadAudit(const SqliteStatement& row) {
    AuditEntry entry;
    entry.seq = row.ColumnInt64(0);
    entry.at = row.ColumnInt64(1);
    entry.actor = row.ColumnText(2);
    entry.actor_role = row.ColumnText(3);
    entry.action = row.ColumnText(4);
    entry.record_type = row.ColumnText(5);
    entry.record_id = row.ColumnText(6);
    entry.remote_address = row.ColumnText(7);
    entry.outcome = row.ColumnText(8);
    entry.prev_hash = row.ColumnText(9);
    entry.hash = row.ColumnText(10);
    return entry;
}

}  // namespace

// ---- Gate device credentials ----------------------------------------------------------------

Status SqliteStore::CreateDeviceCredential(const DeviceCredential& credential) {
    MENJIN_RETURN_IF_ERROR(ValidateId("device credential", credential.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare(
            fmt::format("INSERT INTO gate_device_credentials ({}) VALUES (?, ?, ?, ?, ?, NULL)",
                        kDeviceColumns)));
    insert.BindAll(credential.id, credential.gate_id, credential.token_hash, credential.created_at,
                   credential.created_by);
    return RunInsert(db_, insert,
                     {"create", DeviceRow(credential.id), {GateRow(credential.gate_id)}});
}

Result<std::optional<DeviceCredential>> SqliteStore::FindDeviceCredential(
    const std::string& token_hash) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement select,
                            db_.Prepare(fmt::format("SELECT {} FROM gate_device_credentials "
                                                    "WHERE token_hash = ? AND revoked_at IS NULL",
                                                    kDeviceColumns)));
    select.Bind(1, token_hash);
    return FirstRow<DeviceCredential>(select, ReadDevice);
}

Result<std::vector<DeviceCredential>> SqliteStore::ListDeviceCredentials(
    const std::string& gate_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, GateRow(gate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM gate_device_credentials WHERE gate_id = ? "
                                "ORDER BY created_at, id",
                                kDeviceColumns)));
    select.Bind(1, gate_id);
    return CollectRows<DeviceCredential>(select, ReadDevice);
}

Result<DeviceCredential> SqliteStore::GetDeviceCredential(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM gate_device_credentials WHERE id = ?", kDeviceColumns)));
    select.Bind(1, id);
    return ReadRow<DeviceCredential>(select, DeviceRow(id), ReadDevice);
}

Status SqliteStore::RevokeDeviceCredential(const std::string& id, UnixSeconds at) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, DeviceRow(id)));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement update,
                            db_.Prepare("UPDATE gate_device_credentials SET revoked_at = ? "
                                        "WHERE id = ? AND revoked_at IS NULL"));
    update.BindAll(at, id);
    return update.Run();
}

// ---- Audit log ------------------------------------------------------------------------------

Result<AuditEntry> SqliteStore::AppendAuditEntry(const AuditEntry& entry) {
    AuditEntry stored = entry;
    // The read of the previous hash and the insert must not interleave with another append,
    // also from another process, so both run in one IMMEDIATE transaction.
    Status appended = Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement last,
            db_.Prepare("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
        MENJIN_ASSIGN_OR_RETURN(bool has_last, last.Step());
        stored.prev_hash = has_last ? last.ColumnText(0) : AuditGenesisHash();
        MENJIN_ASSIGN_OR_RETURN(std::int64_t issued, LastAuditSeq());
        stored.seq = issued + 1;
        stored.hash = AuditEntryHash(stored.prev_hash, stored);
        MENJIN_ASSIGN_OR_RETURN(SqliteStatement insert,
                                db_.Prepare(fmt::format("INSERT INTO audit_log ({}) "
                                                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                                        kAuditColumns)));
        insert.BindAll(stored.seq, stored.at, stored.actor, stored.actor_role, stored.action,
                       stored.record_type, stored.record_id, stored.remote_address, stored.outcome,
                       stored.prev_hash, stored.hash);
        RowRef row{"audit entry", "audit_log", "seq", std::to_string(stored.seq)};
        return RunInsert(db_, insert, {"append", row});
    });
    MENJIN_RETURN_IF_ERROR(appended);
    return stored;
}

Result<std::vector<AuditEntry>> SqliteStore::ListAuditEntries(const AuditQuery& query) {
    if (query.limit < 1 || query.limit > kMaxAuditPage) {
        return InvalidArgument(fmt::format("store: audit query limit must be 1 to {}, got {}",
                                           kMaxAuditPage, query.limit),
                               "limit");
    }
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM audit_log WHERE seq > ?1 "
                                "AND (?2 = '' OR actor = ?2) AND (?3 = '' OR action = ?3) "
                                "AND (?4 = '' OR record_id = ?4) ORDER BY seq LIMIT ?5",
                                kAuditColumns)));
    select.BindAll(query.after_seq, query.actor, query.action, query.record_id, query.limit);
    return CollectRows<AuditEntry>(select, ReadAudit);
}

Result<std::int64_t> SqliteStore::LastAuditSeq() {
    Lock lock(mutex_);
    // sqlite_sequence keeps the highest AUTOINCREMENT value even after its row is deleted;
    // the MAX covers a sqlite_sequence row that was removed by hand.
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence "
            "WHERE name = 'audit_log'), 0), COALESCE((SELECT MAX(seq) FROM audit_log), 0))"));
    MENJIN_ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row)
        return Internal("store: the audit sequence query returned no row");
    return select.ColumnInt64(0);
}

}  // namespace menjin
