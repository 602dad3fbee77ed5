#include "sqlite/sqlite_connection.h"

#include <utility>

#include <fmt/format.h>
#include <sqlite3.h>

namespace menjin {

namespace {

// Maximum number of SQL characters quoted in an error message.
constexpr std::size_t kSqlExcerptLength = 60;

ErrorCode ErrorCodeOf(int extended_result) {
    switch (extended_result) {
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_ROWID:
            return ErrorCode::kAlreadyExists;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return ErrorCode::kFailedPrecondition;
        default:
            break;
    }
    switch (extended_result & 0xff) {
        case SQLITE_CONSTRAINT:
            return ErrorCode::kInvalidArgument;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return ErrorCode::kUnavailable;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return ErrorCode::kDataLoss;
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_PERM:
            return ErrorCode::kIoError;
        default:
            return ErrorCode::kInternal;
    }
}

std::string SqlExcerpt(std::string_view sql) {
    std::string excerpt(sql.substr(0, kSqlExcerptLength));
    for (char& c : excerpt) {
        if (c == '\n')
            c = ' ';
    }
    if (sql.size() > kSqlExcerptLength)
        excerpt += "...";
    return excerpt;
}

Status SqliteError(sqlite3* db, int result, std::string_view sql) {
    const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result);
    return Status(ErrorCodeOf(result),
                  fmt::format("sqlite: {} (code {}) in \"{}\"", message, result, SqlExcerpt(sql)));
}

}  // namespace

// ---- SqliteStatement ------------------------------------------------------------------------

SqliteStatement::~SqliteStatement() {
    sqlite3_finalize(statement_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)),
      bind_status_(std::move(other.bind_status_)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(statement_);
        statement_ = std::exchange(other.statement_, nullptr);
        bind_status_ = std::move(other.bind_status_);
    }
    return *this;
}

void SqliteStatement::RecordBindResult(int result, int index) {
    if (result == SQLITE_OK || !bind_status_.ok())
        return;
    Status error = ErrorStatus(result);
    bind_status_ = Status(error.code(), fmt::format("{} (parameter {})", error.message(), index));
}

Status SqliteStatement::ErrorStatus(int result) const {
    const char* sql = sqlite3_sql(statement_);
    return SqliteError(sqlite3_db_handle(statement_), result, sql != nullptr ? sql : "");
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view text) {
    // A non-null pointer for empty text, so that "" binds as an empty string, not as NULL.
    const char* data = text.empty() ? "" : text.data();
    RecordBindResult(
        sqlite3_bind_text64(statement_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        index);
    return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::int64_t value) {
    RecordBindResult(sqlite3_bind_int64(statement_, index, value), index);
    return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, double value) {
    RecordBindResult(sqlite3_bind_double(statement_, index, value), index);
    return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::span<const std::uint8_t> blob) {
    // SQLite binds a null pointer as NULL, so an empty blob needs a valid address.
    static const std::uint8_t kEmpty = 0;
    const void* data = blob.empty() ? &kEmpty : blob.data();
    RecordBindResult(sqlite3_bind_blob64(statement_, index, data, blob.size(), SQLITE_TRANSIENT),
                     index);
    return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, const std::optional<std::string>& text) {
    return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

SqliteStatement& SqliteStatement::Bind(int index, const std::optional<int>& value) {
    return value ? Bind(index, *value) : BindNull(index);
}

SqliteStatement& SqliteStatement::BindNull(int index) {
    RecordBindResult(sqlite3_bind_null(statement_, index), index);
    return *this;
}

Result<bool> SqliteStatement::Step() {
    MENJIN_RETURN_IF_ERROR(bind_status_);
    int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW)
        return true;
    if (result == SQLITE_DONE)
        return false;
    return ErrorStatus(result);
}

Status SqliteStatement::Run() {
    while (true) {
        MENJIN_ASSIGN_OR_RETURN(bool has_row, Step());
        if (!has_row)
            return Status::Ok();
    }
}

bool SqliteStatement::ColumnIsNull(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string SqliteStatement::ColumnText(int column) const {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    if (text == nullptr)
        return {};
    auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    return std::string(reinterpret_cast<const char*>(text), size);
}

std::int64_t SqliteStatement::ColumnInt64(int column) const {
    return sqlite3_column_int64(statement_, column);
}

int SqliteStatement::ColumnInt(int column) const {
    return sqlite3_column_int(statement_, column);
}

double SqliteStatement::ColumnDouble(int column) const {
    return sqlite3_column_double(statement_, column);
}

std::vector<std::uint8_t> SqliteStatement::ColumnBlob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
    auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    if (data == nullptr)
        return {};
    return std::vector<std::uint8_t>(data, data + size);
}

std::optional<std::string> SqliteStatement::ColumnOptionalText(int column) const {
    if (ColumnIsNull(column))
        return std::nullopt;
    return ColumnText(column);
}

std::optional<int> SqliteStatement::ColumnOptionalInt(int column) const {
    if (ColumnIsNull(column))
        return std::nullopt;
    return ColumnInt(column);
}

// ---- SqliteConnection -----------------------------------------------------------------------

Result<SqliteConnection> SqliteConnection::Open(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    // FULLMUTEX keeps SQLite's own state consistent even if a caller forgets its lock.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    int result = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    SqliteConnection connection(db, file);
    if (result != SQLITE_OK) {
        std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result);
        return IoError(
            fmt::format("sqlite: cannot open database '{}': {}", file.string(), message));
    }
    sqlite3_extended_result_codes(db, 1);
    return connection;
}

SqliteConnection::~SqliteConnection() {
    Close();
}

SqliteConnection::SqliteConnection(SqliteConnection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), file_(std::move(other.file_)) {}

SqliteConnection& SqliteConnection::operator=(SqliteConnection&& other) noexcept {
    if (this != &other) {
        Close();
        db_ = std::exchange(other.db_, nullptr);
        file_ = std::move(other.file_);
    }
    return *this;
}

void SqliteConnection::Close() {
    // sqlite3_close_v2 defers the close until unfinalised statements are gone instead of
    // failing with SQLITE_BUSY.
    if (db_ != nullptr)
        sqlite3_close_v2(db_);
    db_ = nullptr;
}

Result<SqliteStatement> SqliteConnection::Prepare(std::string_view sql) const {
    sqlite3_stmt* statement = nullptr;
    int result =
        sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
    if (result != SQLITE_OK) {
        sqlite3_finalize(statement);
        return SqliteError(db_, result, sql);
    }
    return SqliteStatement(statement);
}

Status SqliteConnection::Execute(const std::string& sql) const {
    int result = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    if (result != SQLITE_OK)
        return SqliteError(db_, result, sql);
    return Status::Ok();
}

Result<std::string> SqliteConnection::QueryText(std::string_view sql) const {
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement statement, Prepare(sql));
    MENJIN_ASSIGN_OR_RETURN(bool has_row, statement.Step());
    if (!has_row)
        return Internal(fmt::format("sqlite: \"{}\" returned no row", SqlExcerpt(sql)));
    return statement.ColumnText(0);
}

std::int64_t SqliteConnection::LastInsertRowId() const {
    return sqlite3_last_insert_rowid(db_);
}

int SqliteConnection::Changes() const {
    return sqlite3_changes(db_);
}

bool SqliteConnection::InTransaction() const {
    return sqlite3_get_autocommit(db_) == 0;
}

}  // namespace menjin
