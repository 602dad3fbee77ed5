// SqliteStore: face templates and thumbnails, sealed with the RecordCipher.

#include "sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <sodium.h>

#include "sqlite/float_blob.h"
#include "sqlite/row_checks.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kTemplateColumns =
    "template_id, person_id, template_kind, sealed, created_at";

std::string TemplateAssociatedData(std::int64_t template_id, const std::string& person_id) {
    return fmt::format("template:{}:{}", template_id, person_id);
}

std::string ThumbnailAssociatedData(const std::string& person_id) {
    return "thumbnail:" + person_id;
}

RowRef TemplatesOf(const std::string& person_id) {
    return {"face template of person", "face_templates", "person_id", person_id};
}

RowRef ThumbnailOf(const std::string& person_id) {
    return {"thumbnail of person", "thumbnails", "person_id", person_id};
}

Status ValidateTemplate(const FaceTemplateRecord& record) {
    MENJIN_RETURN_IF_ERROR(ValidateId("person", record.person_id));
    if (record.template_kind.empty()) {
        return InvalidArgument("store: face template has an empty template_kind", "template_kind");
    }
    if (record.values.empty()) {
        return InvalidArgument("store: face template has no values", "values");
    }
    return Status::Ok();
}

}  // namespace

// ---- Templates ------------------------------------------------------------------------------

// The template id comes from AUTOINCREMENT, but the associated data needs it before sealing.
// So one transaction inserts the row with an empty blob, reads the id and then stores the
// sealed blob. No reader ever sees the empty blob, because the transaction holds the lock.
Result<FaceTemplateRecord> SqliteStore::AddTemplate(const FaceTemplateRecord& record) {
    MENJIN_RETURN_IF_ERROR(ValidateTemplate(record));
    FaceTemplateRecord stored = record;
    Status status = Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement insert,
            db_.Prepare("INSERT INTO face_templates (person_id, template_kind, sealed, "
                        "created_at) VALUES (?, ?, X'', ?)"));
        insert.BindAll(stored.person_id, stored.template_kind, stored.created_at);
        MENJIN_RETURN_IF_ERROR(RunInsert(
            db_, insert, {"add", TemplatesOf(stored.person_id), {PersonRow(stored.person_id)}}));
        stored.template_id = db_.LastInsertRowId();
        return SealTemplate(stored);
    });
    if (!status.ok())
        return status;
    return stored;
}

// Seals `record.values` into the row `record.template_id`. Runs inside a transaction.
Status SqliteStore::SealTemplate(FaceTemplateRecord& record) {
    std::vector<std::uint8_t> plaintext = EncodeFloats(record.values);
    std::vector<std::uint8_t> sealed =
        cipher_.Seal(plaintext, TemplateAssociatedData(record.template_id, record.person_id));
    sodium_memzero(plaintext.data(), plaintext.size());
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE face_templates SET sealed = ? WHERE template_id = ?"));
    update.BindAll(sealed, record.template_id);
    return update.Run();
}

Result<std::vector<FaceTemplateRecord>> SqliteStore::OpenTemplates(SqliteStatement& statement) {
    return CollectRows<FaceTemplateRecord>(
        statement, [this](const SqliteStatement& row) -> Result<FaceTemplateRecord> {
            FaceTemplateRecord record;
            record.template_id = row.ColumnInt64(0);
            record.person_id = row.ColumnText(1);
            record.template_kind = row.ColumnText(2);
            record.created_at = row.ColumnInt64(4);
            MENJIN_ASSIGN_OR_RETURN(
                std::vector<std::uint8_t> plaintext,
                cipher_.Open(row.ColumnBlob(3),
                             TemplateAssociatedData(record.template_id, record.person_id)));
            MENJIN_ASSIGN_OR_RETURN(
                record.values,
                DecodeFloats(plaintext, fmt::format("face template {}", record.template_id)));
            sodium_memzero(plaintext.data(), plaintext.size());
            return record;
        });
}

Result<std::vector<FaceTemplateRecord>> SqliteStore::ListTemplatesOfPerson(
    const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM face_templates WHERE person_id = ? ORDER BY template_id",
                        kTemplateColumns)));
    select.Bind(1, person_id);
    return OpenTemplates(select);
}

Result<std::vector<FaceTemplateRecord>> SqliteStore::ListTemplatesOfKind(
    const std::string& template_kind) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format(
            "SELECT {} FROM face_templates WHERE template_kind = ? ORDER BY template_id",
            kTemplateColumns)));
    select.Bind(1, template_kind);
    return OpenTemplates(select);
}

Result<int> SqliteStore::DeleteTemplatesOfPerson(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM face_templates WHERE person_id = ?"));
    remove.Bind(1, person_id);
    return RunCounted(db_, remove);
}

// ---- Thumbnails -----------------------------------------------------------------------------

Status SqliteStore::PutThumbnail(const std::string& person_id,
                                 const std::vector<std::uint8_t>& jpeg) {
    if (jpeg.empty())
        return InvalidArgument("store: thumbnail is empty", "jpeg");
    std::vector<std::uint8_t> sealed = cipher_.Seal(jpeg, ThumbnailAssociatedData(person_id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement upsert,
        db_.Prepare("INSERT INTO thumbnails (person_id, sealed) VALUES (?, ?) "
                    "ON CONFLICT (person_id) DO UPDATE SET sealed = excluded.sealed"));
    upsert.BindAll(person_id, sealed);
    return RunInsert(db_, upsert, {"store", ThumbnailOf(person_id), {PersonRow(person_id)}});
}

Result<std::optional<std::vector<std::uint8_t>>> SqliteStore::GetThumbnail(
    const std::string& person_id) {
    using Jpeg = std::vector<std::uint8_t>;
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement select,
                            db_.Prepare("SELECT sealed FROM thumbnails WHERE person_id = ?"));
    select.Bind(1, person_id);
    return FirstRow<Jpeg>(select, [&](const SqliteStatement& row) -> Result<Jpeg> {
        return cipher_.Open(row.ColumnBlob(0), ThumbnailAssociatedData(person_id));
    });
}

Result<int> SqliteStore::DeleteThumbnail(const std::string& person_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, PersonRow(person_id)));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM thumbnails WHERE person_id = ?"));
    remove.Bind(1, person_id);
    return RunCounted(db_, remove);
}

}  // namespace menjin
