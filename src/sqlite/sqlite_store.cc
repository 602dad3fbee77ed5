#include "sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/log.h"
#include "sqlite/migrations.h"
#include "sqlite/row_checks.h"

namespace menjin {

namespace {

namespace fs = std::filesystem;

// How long a statement waits for another process's lock before returning kUnavailable.
constexpr int kBusyTimeoutMs = 5000;

// A known plaintext sealed into store_meta when the database is created. Opening it with
// another key fails, which catches a wrong key at start instead of at the first template.
constexpr std::string_view kKeyCheckName = "key_check";
constexpr std::string_view kKeyCheckAssociatedData = "store_meta:key_check";
constexpr std::string_view kKeyCheckPlaintext = "menjin data key check";

// Creates the database file with mode 0600 when it is missing, because it contains names,
// phone numbers and addresses. SQLite gives the -wal and -shm files the database file's mode.
Status CreatePrivateFile(const fs::path& file) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::close(fd);
        return Status::Ok();
    }
    if (errno == EEXIST)
        return Status::Ok();
    return IoError(
        fmt::format("store: cannot create database '{}': {}", file.string(), std::strerror(errno)));
}

// Increments the transaction depth for the lifetime of the guard, also when the body throws.
class DepthGuard {
  public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

  private:
    int& depth_;
};

std::span<const std::uint8_t> AsBytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const fs::path& db_file,
                                                       RecordCipher cipher) {
    MENJIN_RETURN_IF_ERROR(CreatePrivateFile(db_file));
    MENJIN_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(db_file));
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db), std::move(cipher)));
    MENJIN_RETURN_IF_ERROR(store->ConfigureConnection());
    MENJIN_RETURN_IF_ERROR(ApplyMigrations(store->db_));
    MENJIN_RETURN_IF_ERROR(store->CheckDataKey());
    MENJIN_LOG_INFO("store: opened '{}' at schema version {}", db_file.string(),
                    LatestSchemaVersion());
    return store;
}

SqliteStore::SqliteStore(SqliteConnection db, RecordCipher cipher)
    : db_(std::move(db)), cipher_(std::move(cipher)) {}

SqliteStore::~SqliteStore() = default;

Status SqliteStore::ConfigureConnection() {
    MENJIN_RETURN_IF_ERROR(db_.Execute(fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs)));
    MENJIN_RETURN_IF_ERROR(db_.Execute("PRAGMA foreign_keys = ON"));
    MENJIN_RETURN_IF_ERROR(db_.Execute("PRAGMA secure_delete = ON"));
    // In WAL mode NORMAL already survives a crash of the process, but it may lose the last
    // commits on a power loss. FULL syncs the WAL at every commit, so a write that the server
    // acknowledged survives both, for one fsync per transaction.
    MENJIN_RETURN_IF_ERROR(db_.Execute("PRAGMA synchronous = FULL"));
    MENJIN_ASSIGN_OR_RETURN(std::string journal_mode, db_.QueryText("PRAGMA journal_mode = WAL"));
    if (journal_mode != "wal") {
        return IoError(
            fmt::format("store: cannot use WAL mode on '{}' (journal mode stays '{}'); "
                        "put the database on a local file system",
                        db_.file().string(), journal_mode));
    }
    // The foreign_keys pragma is silently ignored by builds without foreign-key support.
    MENJIN_ASSIGN_OR_RETURN(std::string foreign_keys, db_.QueryText("PRAGMA foreign_keys"));
    if (foreign_keys != "1") {
        return Internal("store: this SQLite build cannot enforce foreign keys");
    }
    return Status::Ok();
}

Status SqliteStore::CheckDataKey() {
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT OR IGNORE INTO store_meta (name, value) VALUES (?, ?)"));
    insert.BindAll(kKeyCheckName,
                   cipher_.Seal(AsBytes(kKeyCheckPlaintext), kKeyCheckAssociatedData));
    MENJIN_RETURN_IF_ERROR(insert.Run());

    MENJIN_ASSIGN_OR_RETURN(SqliteStatement select,
                            db_.Prepare("SELECT value FROM store_meta WHERE name = ?"));
    select.Bind(1, kKeyCheckName);
    MENJIN_ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row)
        return Internal("store: the data key check row is missing after insert");
    if (!cipher_.Open(select.ColumnBlob(0), kKeyCheckAssociatedData).ok()) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: the data key does not match database '{}': use the key "
                                  "file or MENJIN_DATA_KEY that the database was created with",
                                  db_.file().string()));
    }
    return Status::Ok();
}

// ---- Transactions ---------------------------------------------------------------------------

Status SqliteStore::Transaction(const std::function<Status()>& body) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (transaction_depth_ == 0)
        return RunOutermostTransaction(body);
    return RunNestedTransaction(body);
}

Status SqliteStore::RunOutermostTransaction(const std::function<Status()>& body) {
    auto roll_back = [this] {
        // SQLite ends the transaction by itself after some errors (disk full, I/O error).
        if (!db_.InTransaction())
            return;
        Status status = db_.Execute("ROLLBACK");
        if (!status.ok()) {
            MENJIN_LOG_ERROR("store: rollback failed on '{}': {}", db_.file().string(),
                             status.ToString());
        }
    };
    // IMMEDIATE takes the write lock at BEGIN, waiting up to the busy timeout. A DEFERRED
    // transaction would instead fail at its first write with SQLITE_BUSY_SNAPSHOT, without
    // waiting, when another process wrote after the transaction's first read.
    MENJIN_RETURN_IF_ERROR(db_.Execute("BEGIN IMMEDIATE"));
    Status status;
    try {
        DepthGuard depth(transaction_depth_);
        status = body();
    } catch (...) {
        roll_back();
        throw;
    }
    if (status.ok() && !db_.InTransaction()) {
        status = IoError("store: SQLite rolled the transaction back after an earlier error");
    }
    if (status.ok())
        status = db_.Execute("COMMIT");
    if (!status.ok())
        roll_back();
    return status;
}

// A nested body runs in a savepoint, so that its failure undoes only its own changes and the
// outer body can still decide to go on.
Status SqliteStore::RunNestedTransaction(const std::function<Status()>& body) {
    const std::string savepoint = fmt::format("menjin_{}", transaction_depth_);
    auto roll_back = [this, &savepoint] {
        if (!db_.InTransaction())
            return;
        Status status = db_.Execute("ROLLBACK TO " + savepoint + "; RELEASE " + savepoint);
        if (!status.ok()) {
            MENJIN_LOG_ERROR("store: rollback to savepoint failed on '{}': {}", db_.file().string(),
                             status.ToString());
        }
    };
    MENJIN_RETURN_IF_ERROR(db_.Execute("SAVEPOINT " + savepoint));
    Status status;
    try {
        DepthGuard depth(transaction_depth_);
        status = body();
    } catch (...) {
        roll_back();
        throw;
    }
    if (status.ok())
        status = db_.Execute("RELEASE " + savepoint);
    if (!status.ok())
        roll_back();
    return status;
}

// ---- Maintenance ----------------------------------------------------------------------------

Status SqliteStore::CheckpointWal() {
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement checkpoint,
                            db_.Prepare("PRAGMA wal_checkpoint(TRUNCATE)"));
    MENJIN_ASSIGN_OR_RETURN(bool has_row, checkpoint.Step());
    // The first column is 1 when another connection kept the checkpoint from finishing.
    if (has_row && checkpoint.ColumnInt(0) != 0) {
        return Status(ErrorCode::kUnavailable,
                      fmt::format("store: WAL checkpoint of '{}' did not finish because another "
                                  "connection is using the database; retry later",
                                  db_.file().string()));
    }
    return Status::Ok();
}

Status SqliteStore::Compact() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (transaction_depth_ > 0) {
        return Status(ErrorCode::kFailedPrecondition,
                      "store: Compact() cannot run inside a transaction");
    }
    // The first checkpoint moves committed pages into the database file so that VACUUM
    // rewrites them. VACUUM writes the new file through the WAL, and the second checkpoint
    // copies it back and truncates the WAL to zero bytes.
    MENJIN_RETURN_IF_ERROR(CheckpointWal());
    MENJIN_RETURN_IF_ERROR(db_.Execute("VACUUM"));
    return CheckpointWal();
}

// ---- Settings -------------------------------------------------------------------------------

Result<std::optional<std::string>> SqliteStore::GetSetting(const std::string& key) {
    MENJIN_RETURN_IF_ERROR(ValidateId("setting", key));
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement select,
                            db_.Prepare("SELECT value FROM settings WHERE key = ?"));
    select.Bind(1, key);
    return FirstRow<std::string>(select, [](const SqliteStatement& row) -> Result<std::string> {
        return row.ColumnText(0);
    });
}

Status SqliteStore::PutSetting(const std::string& key, const std::string& value) {
    MENJIN_RETURN_IF_ERROR(ValidateId("setting", key));
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement upsert,
                            db_.Prepare("INSERT INTO settings (key, value) VALUES (?, ?) "
                                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    upsert.BindAll(key, value);
    Status status = upsert.Run();
    if (status.ok())
        return status;
    return Status(status.code(),
                  fmt::format("store: cannot store setting '{}': {}", key, status.message()));
}

}  // namespace menjin
