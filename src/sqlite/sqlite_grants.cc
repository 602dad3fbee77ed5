// SqliteStore: access grants and alternative credentials.

#include "sqlite/sqlite_store.h"

#include <fmt/format.h>

#include "sqlite/row_checks.h"
#include "sqlite/schedule_json.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kGrantColumns =
    "id, person_id, estate_id, valid_from, valid_to, schedule, version";
constexpr const char* kCredentialColumns = "id, person_id, kind, secret_hash, created_at, revoked";

Result<AccessGrant> ReadGrant(const SqliteStatement& row) {
    AccessGrant grant;
    grant.id = row.ColumnText(0);
    grant.person_id = row.ColumnText(1);
    grant.estate_id = row.ColumnText(2);
    grant.valid_from = row.ColumnInt64(3);
    grant.valid_to = row.ColumnInt64(4);
    std::optional<WeeklySchedule> schedule = ScheduleFromJson(row.ColumnText(5));
    if (!schedule) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: grant '{}' has a malformed schedule", grant.id));
    }
    grant.schedule = std::move(*schedule);
    grant.version = row.ColumnInt64(6);
    return grant;
}

Result<AltCredential> ReadCredential(const SqliteStatement& row) {
    AltCredential credential;
    credential.id = row.ColumnText(0);
    credential.person_id = row.ColumnText(1);
    std::optional<CredentialKind> kind = ParseCredentialKind(row.ColumnText(2));
    if (!kind) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: credential '{}' has an unknown kind", credential.id));
    }
    credential.kind = *kind;
    credential.secret_hash = row.ColumnText(3);
    credential.created_at = row.ColumnInt64(4);
    credential.revoked = row.ColumnInt(5) != 0;
    return credential;
}

Status ValidateGrant(const AccessGrant& grant) {
    MENJIN_RETURN_IF_ERROR(ValidateId("grant", grant.id));
    if (grant.valid_to <= grant.valid_from) {
        return InvalidArgument(fmt::format("store: grant '{}' must end after it starts "
                                           "(valid_from {}, valid_to {})",
                                           grant.id, grant.valid_from, grant.valid_to),
                               "valid_to");
    }
    return ValidateSchedule(grant.schedule);
}

}  // namespace

// ---- Grants ---------------------------------------------------------------------------------

Status SqliteStore::CreateGrant(const AccessGrant& grant) {
    MENJIN_RETURN_IF_ERROR(ValidateGrant(grant));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO access_grants (id, person_id, estate_id, valid_from, valid_to, "
                    "schedule, version) VALUES (?, ?, ?, ?, ?, ?, 1)"));
    insert.BindAll(grant.id, grant.person_id, grant.estate_id, grant.valid_from, grant.valid_to,
                   ScheduleToJson(grant.schedule));
    WriteTarget target{
        "create", GrantRow(grant.id), {PersonRow(grant.person_id), EstateRow(grant.estate_id)}};
    return RunInsert(db_, insert, target);
}

Result<AccessGrant> SqliteStore::GetGrant(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM access_grants WHERE id = ?", kGrantColumns)));
    select.Bind(1, id);
    return ReadRow<AccessGrant>(select, GrantRow(id), ReadGrant);
}

Result<std::vector<AccessGrant>> SqliteStore::ListGrantsOfPerson(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM access_grants WHERE person_id = ? ORDER BY valid_from, id",
                        kGrantColumns)));
    select.Bind(1, person_id);
    return CollectRows<AccessGrant>(select, ReadGrant);
}

Result<std::vector<AccessGrant>> SqliteStore::ListGrantsOfEstate(const std::string& estate_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format(
            "SELECT {} FROM access_grants WHERE estate_id = ? ORDER BY person_id, valid_from, id",
            kGrantColumns)));
    select.Bind(1, estate_id);
    return CollectRows<AccessGrant>(select, ReadGrant);
}

Status SqliteStore::DeleteGrant(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM access_grants WHERE id = ?"));
    remove.Bind(1, id);
    return RunDelete(db_, remove, GrantRow(id));
}

Result<int> SqliteStore::DeleteGrantsOfPerson(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM access_grants WHERE person_id = ?"));
    remove.Bind(1, person_id);
    return RunCounted(db_, remove);
}

// ---- Alternative credentials ----------------------------------------------------------------

Status SqliteStore::CreateAltCredential(const AltCredential& credential) {
    MENJIN_RETURN_IF_ERROR(ValidateId("credential", credential.id));
    if (credential.secret_hash.empty()) {
        return InvalidArgument(
            fmt::format("store: credential '{}' has an empty secret hash", credential.id),
            "secret_hash");
    }
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO alt_credentials (id, person_id, kind, secret_hash, created_at, "
                    "revoked) VALUES (?, ?, ?, ?, ?, ?)"));
    insert.BindAll(credential.id, credential.person_id, CredentialKindName(credential.kind),
                   credential.secret_hash, credential.created_at, credential.revoked);
    WriteTarget target{"create", CredentialRow(credential.id), {PersonRow(credential.person_id)}};
    target.unique_message =
        fmt::format("an unrevoked {} credential with the same secret already exists",
                    CredentialKindName(credential.kind));
    return RunInsert(db_, insert, target);
}

Result<std::optional<AltCredential>> SqliteStore::FindAltCredential(
    CredentialKind kind, const std::string& secret_hash) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM alt_credentials WHERE kind = ? AND "
                                "secret_hash = ? AND revoked = 0",
                                kCredentialColumns)));
    select.BindAll(CredentialKindName(kind), secret_hash);
    return FirstRow<AltCredential>(select, ReadCredential);
}

Result<std::vector<AltCredential>> SqliteStore::ListAltCredentials(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format(
            "SELECT {} FROM alt_credentials WHERE person_id = ? ORDER BY created_at, id",
            kCredentialColumns)));
    select.Bind(1, person_id);
    return CollectRows<AltCredential>(select, ReadCredential);
}

Status SqliteStore::RevokeAltCredential(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement update,
                            db_.Prepare("UPDATE alt_credentials SET revoked = 1 WHERE id = ?"));
    update.Bind(1, id);
    MENJIN_RETURN_IF_ERROR(update.Run());
    // SQLite counts a matched row as changed even when revoked was already 1.
    return db_.Changes() > 0 ? Status::Ok() : NotFoundError(CredentialRow(id));
}

Result<int> SqliteStore::DeleteAltCredentialsOfPerson(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM alt_credentials WHERE person_id = ?"));
    remove.Bind(1, person_id);
    return RunCounted(db_, remove);
}

}  // namespace menjin
