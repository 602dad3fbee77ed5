#pragma once

#include <vector>

#include "common/status.h"
#include "sqlite/sqlite_connection.h"

namespace menjin {

// Returns the schema version this build creates and understands.
int LatestSchemaVersion();

// Brings the schema of `db` up to LatestSchemaVersion(). The missing migrations run in one
// BEGIN IMMEDIATE transaction, and each is recorded in `schema_migrations` (version,
// applied_at in Unix seconds), so a failure leaves the previous schema and re-running is a
// no-op. Returns kFailedPrecondition when the database has a newer schema than this build
// supports, or the failing statement's Status (nothing applied). Call outside any transaction.
Status ApplyMigrations(const SqliteConnection& db);

// Returns the versions recorded in `schema_migrations`, in ascending order.
Result<std::vector<int>> AppliedMigrations(const SqliteConnection& db);

}  // namespace menjin
