#include "sqlite/migrations.h"

#include <iterator>
#include <string>

#include <fmt/format.h>

#include "common/log.h"

namespace menjin {

namespace {

struct Migration {
    int version;
    const char* sql;
};

// Version 1: the first schema.
//
// Face templates and thumbnails are kept in their own tables, away from names (people) and
// addresses (units), and hold only sealed (encrypted) blobs. face_templates and passages use
// AUTOINCREMENT so that an id is never reused after a delete: a template id is also the id in
// the estate galleries, and passage ids are the paging key.
//
// households.tenant_person_id is set to NULL when the tenant's person row is deleted, so a
// move-out does not have to edit the household first. Every other reference blocks the
// delete of the row it points to.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE estates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    target_fpir REAL NOT NULL,
    min_margin REAL NOT NULL,
    welfare_days INTEGER NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE gates (
    id TEXT PRIMARY KEY,
    estate_id TEXT NOT NULL REFERENCES estates (id),
    name TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('entry', 'exit', 'both')),
    version INTEGER NOT NULL
);
CREATE INDEX gates_by_estate ON gates (estate_id);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    estate_id TEXT NOT NULL REFERENCES estates (id),
    building TEXT NOT NULL,
    number TEXT NOT NULL,
    address TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX units_by_estate ON units (estate_id);

CREATE TABLE households (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL UNIQUE REFERENCES units (id),
    tenant_person_id TEXT REFERENCES people (id) ON DELETE SET NULL,
    version INTEGER NOT NULL
);
CREATE INDEX households_by_tenant ON households (tenant_person_id);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    phone TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('tenant', 'family_member', 'service_staff')),
    household_id TEXT REFERENCES households (id),
    welfare_days INTEGER,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX people_by_household ON people (household_id);

CREATE TABLE service_companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('courier', 'food_delivery', 'other')),
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE service_staff (
    person_id TEXT PRIMARY KEY REFERENCES people (id),
    company_id TEXT NOT NULL REFERENCES service_companies (id),
    verified_by TEXT NOT NULL,
    verified_at INTEGER NOT NULL,
    verified_contact TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX service_staff_by_company ON service_staff (company_id);
CREATE INDEX service_staff_by_valid_to ON service_staff (valid_to);

-- ServiceStaff.estate_ids, in their original order (position).
CREATE TABLE service_staff_estates (
    person_id TEXT NOT NULL REFERENCES service_staff (person_id) ON DELETE CASCADE,
    estate_id TEXT NOT NULL REFERENCES estates (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (person_id, estate_id)
) WITHOUT ROWID;
CREATE INDEX service_staff_estates_by_estate ON service_staff_estates (estate_id);

-- schedule is WeeklySchedule as JSON: seven arrays (Monday first) of [start, end) minutes.
CREATE TABLE access_grants (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    estate_id TEXT NOT NULL REFERENCES estates (id),
    valid_from INTEGER NOT NULL,
    valid_to INTEGER NOT NULL,
    schedule TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX access_grants_by_person ON access_grants (person_id);
CREATE INDEX access_grants_by_estate ON access_grants (estate_id);

-- One active credential per kind and secret, so that a lookup by hash finds one person.
CREATE TABLE alt_credentials (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    kind TEXT NOT NULL CHECK (kind IN ('card', 'pin', 'qr')),
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL CHECK (revoked IN (0, 1))
);
CREATE INDEX alt_credentials_by_person ON alt_credentials (person_id);
CREATE UNIQUE INDEX alt_credentials_active ON alt_credentials (kind, secret_hash)
    WHERE revoked = 0;

CREATE TABLE face_templates (
    template_id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id TEXT NOT NULL REFERENCES people (id),
    template_kind TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX face_templates_by_person ON face_templates (person_id);
CREATE INDEX face_templates_by_kind ON face_templates (template_kind);

CREATE TABLE thumbnails (
    person_id TEXT PRIMARY KEY REFERENCES people (id),
    sealed BLOB NOT NULL
);

-- person_id is '' for unknown faces and after pseudonymisation, so it references nothing.
CREATE TABLE passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gate_id TEXT NOT NULL REFERENCES gates (id),
    estate_id TEXT NOT NULL REFERENCES estates (id),
    at INTEGER NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('entry', 'exit', 'both')),
    person_id TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    band TEXT NOT NULL CHECK (band IN ('grant', 'deny', 'retry')),
    reason TEXT NOT NULL,
    score REAL NOT NULL,
    credential TEXT NOT NULL
);
CREATE INDEX passages_by_estate ON passages (estate_id, id);
CREATE INDEX passages_by_gate ON passages (gate_id, id);
CREATE INDEX passages_by_person ON passages (person_id, id);
CREATE INDEX passages_by_band ON passages (band, id);
CREATE INDEX passages_by_time ON passages (at);

-- Receipts outlive the person, so they reference nothing.
CREATE TABLE deletion_receipts (
    id TEXT PRIMARY KEY,
    person_pseudonym TEXT NOT NULL,
    at INTEGER NOT NULL,
    operator_id TEXT NOT NULL,
    templates_deleted INTEGER NOT NULL,
    thumbnails_deleted INTEGER NOT NULL,
    grants_deleted INTEGER NOT NULL,
    credentials_deleted INTEGER NOT NULL,
    gallery_entries_deleted INTEGER NOT NULL,
    passages_pseudonymised INTEGER NOT NULL,
    person_record_deleted INTEGER NOT NULL,
    staff_record_deleted INTEGER NOT NULL
);
CREATE INDEX deletion_receipts_by_time ON deletion_receipts (at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Values the store keeps for itself, such as the sealed data-key check.
CREATE TABLE store_meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
)sql";

// Version 2: operator accounts, their sessions, gate device credentials and the audit log.
//
// Sessions and device credentials are keyed by the SHA-256 of their random token, never the
// token. audit_log uses AUTOINCREMENT so that sqlite_sequence keeps the highest seq ever
// assigned, which reveals entries deleted from the end of the log. Triggers make the table
// append-only for every connection; dropping them needs write access to the file, which the
// hash chain then exposes.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE operators (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('centre_admin', 'estate_staff', 'auditor')),
    estate_id TEXT REFERENCES estates (id),
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    CHECK ((role = 'estate_staff') = (estate_id IS NOT NULL))
);
CREATE INDEX operators_by_estate ON operators (estate_id);

CREATE TABLE operator_sessions (
    token_hash TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    remote_address TEXT NOT NULL
);
CREATE INDEX operator_sessions_by_operator ON operator_sessions (operator_id);
CREATE INDEX operator_sessions_by_expiry ON operator_sessions (expires_at);

CREATE TABLE gate_device_credentials (
    id TEXT PRIMARY KEY,
    gate_id TEXT NOT NULL REFERENCES gates (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX gate_device_credentials_by_gate ON gate_device_credentials (gate_id);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    remote_address TEXT NOT NULL,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_by_record ON audit_log (record_id, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
)sql";

// Version 3: welfare alerts, leads, per-estate welfare settings, templates of unknown faces
// and the webhook outbox.
//
// Person ids in welfare_alerts and leads are not references, because a move-out replaces them
// by the person's pseudonym, as in passages. last_passage_id and passage_id do not reference
// passages either, which the retention purge deletes. Every table uses AUTOINCREMENT so that
// an id is never reused: alert and lead ids appear in webhook messages, and an unknown
// attempt's id is bound into its sealed template and named in lead evidence.
//
// One alert per person may be unresolved at a time (welfare_alerts_active). The CHECKs keep
// the lifecycle fields consistent with the status.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE estate_welfare_settings (
    estate_id TEXT PRIMARY KEY REFERENCES estates (id),
    min_age INTEGER NOT NULL CHECK (min_age >= 0),
    sublet_days INTEGER NOT NULL CHECK (sublet_days >= 1),
    sublet_min_use_days INTEGER NOT NULL CHECK (sublet_min_use_days >= 1),
    sublet_min_use_passages INTEGER NOT NULL CHECK (sublet_min_use_passages >= 1),
    unknown_face_retention_days INTEGER NOT NULL CHECK (unknown_face_retention_days >= 0),
    unknown_face_min_attempts INTEGER NOT NULL CHECK (unknown_face_min_attempts >= 2),
    unknown_face_min_days INTEGER NOT NULL CHECK (unknown_face_min_days >= 1),
    webhook_url TEXT NOT NULL,
    evaluation_interval_minutes INTEGER NOT NULL CHECK (evaluation_interval_minutes >= 1),
    version INTEGER NOT NULL
);

CREATE TABLE welfare_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id TEXT NOT NULL REFERENCES estates (id),
    person_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    days_required INTEGER NOT NULL,
    days_since_seen INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    last_passage_id INTEGER,
    raised_at INTEGER NOT NULL,
    seen_again_at INTEGER,
    acknowledged_by TEXT NOT NULL,
    acknowledged_at INTEGER,
    acknowledge_note TEXT NOT NULL,
    resolved_by TEXT NOT NULL,
    resolved_at INTEGER,
    outcome TEXT CHECK (outcome IN ('visited_well', 'in_hospital', 'away_with_family', 'other')),
    resolve_note TEXT NOT NULL,
    version INTEGER NOT NULL,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND outcome IS NOT NULL)),
    CHECK ((status = 'acknowledged') <= (acknowledged_at IS NOT NULL))
);
CREATE INDEX welfare_alerts_by_estate ON welfare_alerts (estate_id, id);
CREATE INDEX welfare_alerts_by_person ON welfare_alerts (person_id, id);
CREATE UNIQUE INDEX welfare_alerts_active ON welfare_alerts (person_id)
    WHERE status <> 'resolved';

-- estate_id is NULL for a duplicate identity across estates. evidence is a JSON object.
CREATE TABLE leads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('tenant_absent_unit_in_use', 'recurring_unknown_face',
                                       'duplicate_identity')),
    estate_id TEXT REFERENCES estates (id),
    subject TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    raised_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_by TEXT NOT NULL,
    closed_at INTEGER,
    outcome TEXT CHECK (outcome IN ('confirmed', 'no_issue', 'recognition_error', 'other')),
    close_note TEXT NOT NULL,
    version INTEGER NOT NULL,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX leads_by_estate ON leads (estate_id, id);
CREATE INDEX leads_by_subject ON leads (kind, subject);

-- sealed is the template sealed with associated data "unknown_attempt:<id>:<estate_id>".
CREATE TABLE unknown_face_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id TEXT NOT NULL REFERENCES estates (id),
    gate_id TEXT NOT NULL REFERENCES gates (id),
    passage_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX unknown_face_attempts_by_estate ON unknown_face_attempts (estate_id, at);

CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id TEXT NOT NULL REFERENCES estates (id),
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'failed'))
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at);
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
};

constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at INTEGER NOT NULL
))sql";

Result<int> CurrentVersion(const SqliteConnection& db) {
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement statement,
                            db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    MENJIN_ASSIGN_OR_RETURN(bool has_row, statement.Step());
    if (!has_row)
        return Internal("store: schema_migrations returned no row");
    return statement.ColumnInt(0);
}

Status ApplyMigration(const SqliteConnection& db, const Migration& migration) {
    MENJIN_RETURN_IF_ERROR(db.Execute(migration.sql));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement record,
                            db.Prepare("INSERT INTO schema_migrations (version, applied_at) "
                                       "VALUES (?, CAST(strftime('%s', 'now') AS INTEGER))"));
    record.Bind(1, migration.version);
    MENJIN_RETURN_IF_ERROR(record.Run());
    MENJIN_LOG_INFO("store: applied schema migration {} to '{}'", migration.version,
                    db.file().string());
    return Status::Ok();
}

// Runs inside the migration transaction.
Status ApplyMissingMigrations(const SqliteConnection& db) {
    MENJIN_RETURN_IF_ERROR(db.Execute(kCreateMigrationsTable));
    MENJIN_ASSIGN_OR_RETURN(int current, CurrentVersion(db));
    if (current > LatestSchemaVersion()) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("store: database '{}' has schema version {}, but this build "
                                  "knows versions up to {}: upgrade menjin",
                                  db.file().string(), current, LatestSchemaVersion()));
    }
    for (const Migration& migration : kMigrations) {
        if (migration.version > current)
            MENJIN_RETURN_IF_ERROR(ApplyMigration(db, migration));
    }
    return Status::Ok();
}

}  // namespace

int LatestSchemaVersion() {
    return std::prev(std::end(kMigrations))->version;
}

Status ApplyMigrations(const SqliteConnection& db) {
    // IMMEDIATE takes the write lock at once, so two processes opening a new file cannot both
    // decide to create the schema.
    MENJIN_RETURN_IF_ERROR(db.Execute("BEGIN IMMEDIATE"));
    Status status = ApplyMissingMigrations(db);
    if (status.ok())
        status = db.Execute("COMMIT");
    if (!status.ok() && db.InTransaction()) {
        // The original failure matters more than a failed rollback.
        (void)db.Execute("ROLLBACK");
    }
    return status;
}

Result<std::vector<int>> AppliedMigrations(const SqliteConnection& db) {
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement statement,
                            db.Prepare("SELECT version FROM schema_migrations ORDER BY version"));
    return CollectRows<int>(
        statement, [](const SqliteStatement& row) -> Result<int> { return row.ColumnInt(0); });
}

}  // namespace menjin
