// SqliteStore: templates of unknown faces, sealed with the RecordCipher, and the webhook
// outbox.

#include <fmt/format.h>
#include <sodium.h>

#include "sqlite/float_blob.h"
#include "sqlite/row_checks.h"
#include "sqlite/sqlite_store.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kWebhookColumns =
    "id, estate_id, event, payload, created_at, attempts, next_attempt_at, last_error, status";

std::string AttemptAssociatedData(std::int64_t id, const std::string& estate_id) {
    return fmt::format("unknown_attempt:{}:{}", id, estate_id);
}

RowRef AttemptsOf(const std::string& estate_id) {
    return {"unknown face attempt of estate", "unknown_face_attempts", "estate_id", estate_id};
}

RowRef WebhookRow(std::int64_t id) {
    return {"webhook message", "webhook_outbox", "id", std::to_string(id)};
}

const char* WebhookStatusName(WebhookStatus status) {
    return status == WebhookStatus::kPending ? "pending" : "failed";
}

Result<WebhookMessage> ReadWebhook(const SqliteStatement& row) {
    WebhookMessage m;
    m.id = row.ColumnInt64(0);
    m.estate_id = row.ColumnText(1);
    m.event = row.ColumnText(2);
    m.payload = row.ColumnText(3);
    m.created_at = row.ColumnInt64(4);
    m.attempts = row.ColumnInt(5);
    m.next_attempt_at = row.ColumnInt64(6);
    m.last_error = row.ColumnText(7);
    m.status = row.ColumnText(8) == "failed" ? WebhookStatus::kFailed : WebhookStatus::kPending;
    return m;
}

}  // namespace

// ---- Unknown face attempts ------------------------------------------------------------------

// As in AddTemplate, the row is inserted with an empty blob inside a transaction so that its
// id can be bound into the associated data before the template is sealed.
Result<std::int64_t> SqliteStore::AddUnknownAttempt(const UnknownFaceAttempt& attempt) {
    if (attempt.values.empty())
        return InvalidArgument("store: unknown face attempt has no template values", "values");
    std::int64_t id = 0;
    MENJIN_RETURN_IF_ERROR(Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement insert,
            db_.Prepare("INSERT INTO unknown_face_attempts (estate_id, gate_id, passage_id, at, "
                        "sealed) VALUES (?, ?, ?, ?, X'')"));
        insert.BindAll(attempt.estate_id, attempt.gate_id, attempt.passage_id, attempt.at);
        MENJIN_RETURN_IF_ERROR(
            RunInsert(db_, insert,
                      {"add",
                       AttemptsOf(attempt.estate_id),
                       {EstateRow(attempt.estate_id), GateRow(attempt.gate_id)}}));
        id = db_.LastInsertRowId();
        std::vector<std::uint8_t> plaintext = EncodeFloats(attempt.values);
        std::vector<std::uint8_t> sealed =
            cipher_.Seal(plaintext, AttemptAssociatedData(id, attempt.estate_id));
        sodium_memzero(plaintext.data(), plaintext.size());
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement update,
            db_.Prepare("UPDATE unknown_face_attempts SET sealed = ? WHERE id = ?"));
        update.BindAll(sealed, id);
        return update.Run();
    }));
    return id;
}

Result<std::vector<UnknownFaceAttempt>> SqliteStore::ListUnknownAttempts(
    const std::string& estate_id, UnixSeconds since) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare("SELECT id, estate_id, gate_id, passage_id, at, sealed FROM "
                    "unknown_face_attempts WHERE estate_id = ? AND at >= ? ORDER BY at, id"));
    select.BindAll(estate_id, since);
    return CollectRows<UnknownFaceAttempt>(
        select, [this](const SqliteStatement& row) -> Result<UnknownFaceAttempt> {
            UnknownFaceAttempt attempt;
            attempt.id = row.ColumnInt64(0);
            attempt.estate_id = row.ColumnText(1);
            attempt.gate_id = row.ColumnText(2);
            attempt.passage_id = row.ColumnInt64(3);
            attempt.at = row.ColumnInt64(4);
            MENJIN_ASSIGN_OR_RETURN(
                std::vector<std::uint8_t> plaintext,
                cipher_.Open(row.ColumnBlob(5),
                             AttemptAssociatedData(attempt.id, attempt.estate_id)));
            MENJIN_ASSIGN_OR_RETURN(
                attempt.values,
                DecodeFloats(plaintext, fmt::format("unknown face attempt {}", attempt.id)));
            sodium_memzero(plaintext.data(), plaintext.size());
            return attempt;
        });
}

Result<int> SqliteStore::PurgeUnknownAttemptsBefore(const std::string& estate_id,
                                                    UnixSeconds before) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement remove,
        db_.Prepare("DELETE FROM unknown_face_attempts WHERE estate_id = ? AND at < ?"));
    remove.BindAll(estate_id, before);
    return RunCounted(db_, remove);
}

Status SqliteStore::DeleteUnknownAttempt(std::int64_t id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM unknown_face_attempts WHERE id = ?"));
    remove.Bind(1, id);
    return remove.Run();
}

// ---- Webhook outbox -------------------------------------------------------------------------

Result<std::int64_t> SqliteStore::EnqueueWebhook(const WebhookMessage& m) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare(fmt::format("INSERT INTO webhook_outbox ({}) VALUES (NULL, ?, ?, ?, ?, ?, "
                                "?, ?, 'pending')",
                                kWebhookColumns)));
    insert.BindAll(m.estate_id, m.event, m.payload, m.created_at, m.attempts, m.next_attempt_at,
                   m.last_error);
    MENJIN_RETURN_IF_ERROR(
        RunInsert(db_, insert, {"enqueue", WebhookRow(0), {EstateRow(m.estate_id)}}));
    return db_.LastInsertRowId();
}

Result<std::vector<WebhookMessage>> SqliteStore::ListDueWebhooks(UnixSeconds now, int limit) {
    if (limit < 1)
        return InvalidArgument(fmt::format("store: limit must be positive, got {}", limit),
                               "limit");
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM webhook_outbox WHERE status = 'pending' AND "
                                "next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                                kWebhookColumns)));
    select.BindAll(now, limit);
    return CollectRows<WebhookMessage>(select, ReadWebhook);
}

Status SqliteStore::UpdateWebhook(const WebhookMessage& m) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, "
                    "status = ? WHERE id = ?"));
    update.BindAll(m.attempts, m.next_attempt_at, m.last_error, WebhookStatusName(m.status), m.id);
    MENJIN_RETURN_IF_ERROR(update.Run());
    return db_.Changes() > 0 ? Status::Ok() : NotFoundError(WebhookRow(m.id));
}

Status SqliteStore::DeleteWebhook(std::int64_t id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM webhook_outbox WHERE id = ?"));
    remove.Bind(1, id);
    return remove.Run();
}

Result<std::vector<std::pair<WebhookStatus, std::int64_t>>> SqliteStore::CountWebhooks(
    const std::string& estate_id) {
    using Count = std::pair<WebhookStatus, std::int64_t>;
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare("SELECT status, COUNT(*) FROM webhook_outbox WHERE ?1 = '' OR estate_id = ?1 "
                    "GROUP BY status ORDER BY status"));
    select.Bind(1, estate_id);
    return CollectRows<Count>(select, [](const SqliteStatement& row) -> Result<Count> {
        const WebhookStatus status =
            row.ColumnText(0) == "failed" ? WebhookStatus::kFailed : WebhookStatus::kPending;
        return Count{status, row.ColumnInt64(1)};
    });
}

}  // namespace menjin
