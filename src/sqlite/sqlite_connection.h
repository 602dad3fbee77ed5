#pragma once

// RAII wrappers for one SQLite database connection and its prepared statements. Every SQLite
// failure becomes a Status here, so no other file looks at SQLite result codes.
//
// Error mapping: PRIMARY KEY and UNIQUE violations -> kAlreadyExists, FOREIGN KEY violations ->
// kFailedPrecondition, CHECK and NOT NULL violations -> kInvalidArgument, SQLITE_BUSY and
// SQLITE_LOCKED -> kUnavailable, corruption -> kDataLoss, file and disk errors -> kIoError,
// anything else (such as an SQL syntax error) -> kInternal. Messages carry SQLite's own text
// and the start of the statement.
//
// Thread safety: neither class locks. The owner serialises all use of a connection and of the
// statements prepared on it (SqliteStore does with its mutex).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace menjin {

// A prepared statement. Bind* record the first binding error, which the next Step or Run
// returns, so that call sites can bind a whole row before checking once. Parameter indexes
// start at 1, column indexes at 0, as in the SQLite C API. Move-only.
class SqliteStatement {
  public:
    explicit SqliteStatement(sqlite3_stmt* statement) : statement_(statement) {}
    ~SqliteStatement();

    SqliteStatement(SqliteStatement&& other) noexcept;
    SqliteStatement& operator=(SqliteStatement&& other) noexcept;
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // Text and blobs are copied by SQLite, so the arguments need not outlive the call.
    SqliteStatement& Bind(int index, std::string_view text);
    SqliteStatement& Bind(int index, const std::string& text) {
        return Bind(index, std::string_view(text));
    }
    SqliteStatement& Bind(int index, const char* text) {
        return Bind(index, std::string_view(text));
    }
    SqliteStatement& Bind(int index, std::int64_t value);
    SqliteStatement& Bind(int index, int value) { return Bind(index, std::int64_t{value}); }
    SqliteStatement& Bind(int index, bool value) {
        return Bind(index, std::int64_t{value ? 1 : 0});
    }
    SqliteStatement& Bind(int index, double value);
    SqliteStatement& Bind(int index, std::span<const std::uint8_t> blob);
    // Binds NULL for nullopt.
    SqliteStatement& Bind(int index, const std::optional<std::string>& text);
    SqliteStatement& Bind(int index, const std::optional<int>& value);
    SqliteStatement& BindNull(int index);

    // Binds `values` to parameters 1, 2, ... in order.
    template <typename... Values>
    SqliteStatement& BindAll(const Values&... values) {
        int index = 0;
        (Bind(++index, values), ...);
        return *this;
    }

    // Advances to the next row. Returns true when a row is ready, false when the statement
    // has finished.
    Result<bool> Step();
    // Steps until the statement has finished, skipping any rows (PRAGMAs return some).
    Status Run();

    bool ColumnIsNull(int column) const;
    std::string ColumnText(int column) const;  // "" for NULL
    std::int64_t ColumnInt64(int column) const;
    int ColumnInt(int column) const;
    double ColumnDouble(int column) const;
    std::vector<std::uint8_t> ColumnBlob(int column) const;
    std::optional<std::string> ColumnOptionalText(int column) const;
    std::optional<int> ColumnOptionalInt(int column) const;

  private:
    void RecordBindResult(int result, int index);
    Status ErrorStatus(int result) const;

    sqlite3_stmt* statement_ = nullptr;
    Status bind_status_;
};

// An open database connection with extended result codes enabled. Move-only. The destructor
// closes with sqlite3_close_v2, which waits until the last SqliteStatement is finalised.
class SqliteConnection {
  public:
    // Opens or creates `file` for reading and writing. Returns kIoError naming the file.
    static Result<SqliteConnection> Open(const std::filesystem::path& file);
    ~SqliteConnection();

    SqliteConnection(SqliteConnection&& other) noexcept;
    SqliteConnection& operator=(SqliteConnection&& other) noexcept;
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    // Compiles one SQL statement; kInternal for invalid SQL.
    Result<SqliteStatement> Prepare(std::string_view sql) const;
    // Runs one or more SQL statements without parameters, discarding any rows.
    Status Execute(const std::string& sql) const;
    // Runs a statement that returns one row with one text column, e.g. "PRAGMA journal_mode".
    Result<std::string> QueryText(std::string_view sql) const;

    std::int64_t LastInsertRowId() const;
    // Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    int Changes() const;
    // True between BEGIN and COMMIT or ROLLBACK, including after SQLite rolled back on its own.
    bool InTransaction() const;

    const std::filesystem::path& file() const { return file_; }

  private:
    SqliteConnection(sqlite3* db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}
    void Close();

    sqlite3* db_ = nullptr;
    std::filesystem::path file_;
};

// Steps `statement` to the end and converts each row with `read`, a callable taking
// `const SqliteStatement&` and returning Result<Row>. Returns the first failure.
template <typename Row, typename Read>
Result<std::vector<Row>> CollectRows(SqliteStatement& statement, Read read) {
    std::vector<Row> rows;
    while (true) {
        MENJIN_ASSIGN_OR_RETURN(bool has_row, statement.Step());
        if (!has_row)
            return rows;
        MENJIN_ASSIGN_OR_RETURN(Row row, read(static_cast<const SqliteStatement&>(statement)));
        rows.push_back(std::move(row));
    }
}

// Converts the first row of `statement` with `read`; nullopt when there is none.
template <typename Row, typename Read>
Result<std::optional<Row>> FirstRow(SqliteStatement& statement, Read read) {
    MENJIN_ASSIGN_OR_RETURN(bool has_row, statement.Step());
    if (!has_row)
        return std::optional<Row>();
    MENJIN_ASSIGN_OR_RETURN(Row row, read(static_cast<const SqliteStatement&>(statement)));
    return std::optional<Row>(std::move(row));
}

}  // namespace menjin
