// SqliteStore: the passage log and deletion receipts.

#include "sqlite/sqlite_store.h"

#include <fmt/format.h>

#include "sqlite/row_checks.h"
#include "sqlite/where_clause.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

constexpr const char* kPassageColumns =
    "id, gate_id, estate_id, at, direction, person_id, pseudonym, band, reason, score, "
    "credential";
constexpr const char* kReceiptColumns =
    "id, person_pseudonym, at, operator_id, templates_deleted, thumbnails_deleted, "
    "grants_deleted, credentials_deleted, gallery_entries_deleted, passages_pseudonymised, "
    "person_record_deleted, staff_record_deleted";

std::optional<DecisionBand> ParseBand(const std::string& text) {
    for (DecisionBand band : {DecisionBand::kGrant, DecisionBand::kDeny, DecisionBand::kRetry}) {
        if (text == DecisionBandName(band))
            return band;
    }
    return std::nullopt;
}

Result<Passage> ReadPassage(const SqliteStatement& row) {
    Passage passage;
    passage.id = row.ColumnInt64(0);
    passage.gate_id = row.ColumnText(1);
    passage.estate_id = row.ColumnText(2);
    passage.at = row.ColumnInt64(3);
    std::optional<GateDirection> direction = ParseGateDirection(row.ColumnText(4));
    std::optional<DecisionBand> band = ParseBand(row.ColumnText(7));
    if (!direction || !band) {
        return Status(
            ErrorCode::kDataLoss,
            fmt::format("store: passage {} has an unknown direction or band", passage.id));
    }
    passage.direction = *direction;
    passage.person_id = row.ColumnText(5);
    passage.pseudonym = row.ColumnText(6);
    passage.band = *band;
    passage.reason = row.ColumnText(8);
    passage.score = row.ColumnDouble(9);
    passage.credential = row.ColumnText(10);
    return passage;
}

Result<DeletionReceipt> ReadReceipt(const SqliteStatement& row) {
    DeletionReceipt receipt;
    receipt.id = row.ColumnText(0);
    receipt.person_pseudonym = row.ColumnText(1);
    receipt.at = row.ColumnInt64(2);
    receipt.operator_id = row.ColumnText(3);
    receipt.templates_deleted = row.ColumnInt(4);
    receipt.thumbnails_deleted = row.ColumnInt(5);
    receipt.grants_deleted = row.ColumnInt(6);
    receipt.credentials_deleted = row.ColumnInt(7);
    receipt.gallery_entries_deleted = row.ColumnInt(8);
    receipt.passages_pseudonymised = row.ColumnInt(9);
    receipt.person_record_deleted = row.ColumnInt(10) != 0;
    receipt.staff_record_deleted = row.ColumnInt(11) != 0;
    return receipt;
}

// The conditions of a PassageQuery.
WhereClause FilterOf(const PassageQuery& query) {
    WhereClause filter;
    if (!query.estate_id.empty())
        filter.Add("estate_id = ?", query.estate_id);
    if (!query.gate_id.empty())
        filter.Add("gate_id = ?", query.gate_id);
    if (!query.person_id.empty())
        filter.Add("person_id = ?", query.person_id);
    if (query.band)
        filter.Add("band = ?", std::string(DecisionBandName(*query.band)));
    if (query.from)
        filter.Add("at >= ?", *query.from);
    if (query.to)
        filter.Add("at < ?", *query.to);
    if (query.before_id > 0)
        filter.Add("id < ?", query.before_id);
    return filter;
}

Status ValidateQuery(const PassageQuery& query) {
    if (query.limit < 1 || query.limit > SqliteStore::kMaxPassagePage) {
        return InvalidArgument(fmt::format("store: passage query limit must be 1 to {}, got {}",
                                           SqliteStore::kMaxPassagePage, query.limit),
                               "limit");
    }
    if (query.before_id < 0) {
        return InvalidArgument(
            fmt::format("store: before_id must not be negative, got {}", query.before_id),
            "before_id");
    }
    return Status::Ok();
}

}  // namespace

// ---- Passages -------------------------------------------------------------------------------

Result<std::int64_t> SqliteStore::AppendPassage(const Passage& passage) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO passages (gate_id, estate_id, at, direction, person_id, "
                    "pseudonym, band, reason, score, credential) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.BindAll(passage.gate_id, passage.estate_id, passage.at,
                   GateDirectionName(passage.direction), passage.person_id, passage.pseudonym,
                   DecisionBandName(passage.band), passage.reason, passage.score,
                   passage.credential);
    RowRef row{"passage at gate", "passages", "id", passage.gate_id};
    MENJIN_RETURN_IF_ERROR(RunInsert(
        db_, insert, {"append", row, {GateRow(passage.gate_id), EstateRow(passage.estate_id)}}));
    return db_.LastInsertRowId();
}

Result<std::vector<Passage>> SqliteStore::QueryPassages(const PassageQuery& query) {
    MENJIN_RETURN_IF_ERROR(ValidateQuery(query));
    WhereClause filter = FilterOf(query);
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM passages WHERE {} ORDER BY id DESC LIMIT ?",
                                kPassageColumns, filter.where)));
    const int index = filter.BindTo(select);
    select.Bind(index + 1, query.limit);
    return CollectRows<Passage>(select, ReadPassage);
}

Result<std::vector<PassageCount>> SqliteStore::CountPassages(const PassageQuery& query) {
    PassageQuery unpaged = query;
    unpaged.before_id = 0;
    WhereClause filter = FilterOf(unpaged);
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT estate_id, gate_id, band, COUNT(*) FROM passages WHERE {} "
                                "GROUP BY estate_id, gate_id, band "
                                "ORDER BY estate_id, gate_id, band",
                                filter.where)));
    filter.BindTo(select);
    return CollectRows<PassageCount>(
        select, [](const SqliteStatement& row) -> Result<PassageCount> {
            std::optional<DecisionBand> band = ParseBand(row.ColumnText(2));
            if (!band)
                return Status(ErrorCode::kDataLoss, "store: a passage has an unknown band");
            return PassageCount{row.ColumnText(0), row.ColumnText(1), *band, row.ColumnInt64(3)};
        });
}

Result<std::optional<Passage>> SqliteStore::LastPassageOfPerson(const std::string& person_id,
                                                                 UnixSeconds until) {
    // An empty person_id would match every unknown-face passage.
    if (person_id.empty())
        return InvalidArgument("store: the person id of a passage lookup is empty", "person_id");
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM passages WHERE person_id = ? AND at <= ? "
                                "ORDER BY at DESC, id DESC LIMIT 1",
                                kPassageColumns)));
    select.BindAll(person_id, until);
    return FirstRow<Passage>(select, ReadPassage);
}

Result<std::vector<PassageIntervalCount>> SqliteStore::CountPassagesPerInterval(
    const PassageQuery& query, int interval_seconds) {
    if (interval_seconds < 1) {
        return InvalidArgument(
            fmt::format("store: the interval must be positive, got {} s", interval_seconds),
            "interval_seconds");
    }
    PassageQuery unpaged = query;
    unpaged.before_id = 0;
    WhereClause filter = FilterOf(unpaged);
    Lock lock(mutex_);
    // Integer division rounds towards zero, so instants before 1970 would share the bucket
    // of the first interval; passages never carry them.
    // The interval is a checked integer, so it can be part of the SQL text.
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT (at / {0}) * {0} AS start, band, COUNT(*) FROM passages "
                                "WHERE {1} GROUP BY start, band ORDER BY start, band",
                                interval_seconds, filter.where)));
    filter.BindTo(select);
    return CollectRows<PassageIntervalCount>(
        select, [](const SqliteStatement& row) -> Result<PassageIntervalCount> {
            std::optional<DecisionBand> band = ParseBand(row.ColumnText(1));
            if (!band)
                return Status(ErrorCode::kDataLoss, "store: a passage has an unknown band");
            return PassageIntervalCount{row.ColumnInt64(0), *band, row.ColumnInt64(2)};
        });
}

Result<int> SqliteStore::PseudonymisePassages(const std::string& person_id,
                                              const std::string& pseudonym) {
    // An empty person_id would match every unknown-face passage.
    if (person_id.empty()) {
        return InvalidArgument("store: cannot pseudonymise passages of an empty person id",
                               "person_id");
    }
    if (pseudonym.empty()) {
        return InvalidArgument("store: the pseudonym for passages must not be empty", "pseudonym");
    }
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE passages SET person_id = '', pseudonym = ? WHERE person_id = ?"));
    update.BindAll(pseudonym, person_id);
    return RunCounted(db_, update);
}

Result<int> SqliteStore::PurgePassagesBefore(UnixSeconds before) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement remove,
                            db_.Prepare("DELETE FROM passages WHERE at < ?"));
    remove.Bind(1, before);
    return RunCounted(db_, remove);
}

// ---- Deletion receipts ----------------------------------------------------------------------

Status SqliteStore::AddReceipt(const DeletionReceipt& receipt) {
    MENJIN_RETURN_IF_ERROR(ValidateId("deletion receipt", receipt.id));
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement insert,
                            db_.Prepare(fmt::format("INSERT INTO deletion_receipts ({}) "
                                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                                    kReceiptColumns)));
    insert.BindAll(receipt.id, receipt.person_pseudonym, receipt.at, receipt.operator_id,
                   receipt.templates_deleted, receipt.thumbnails_deleted, receipt.grants_deleted,
                   receipt.credentials_deleted, receipt.gallery_entries_deleted,
                   receipt.passages_pseudonymised, receipt.person_record_deleted,
                   receipt.staff_record_deleted);
    return RunInsert(db_, insert, {"add", ReceiptRow(receipt.id)});
}

Result<DeletionReceipt> SqliteStore::GetReceipt(const std::string& id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM deletion_receipts WHERE id = ?", kReceiptColumns)));
    select.Bind(1, id);
    return ReadRow<DeletionReceipt>(select, ReceiptRow(id), ReadReceipt);
}

Result<std::vector<DeletionReceipt>> SqliteStore::ListReceipts(int limit) {
    if (limit <= 0) {
        return InvalidArgument(fmt::format("store: limit must be positive, got {}", limit),
                               "limit");
    }
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(
            fmt::format("SELECT {} FROM deletion_receipts ORDER BY at DESC, id DESC LIMIT ?",
                        kReceiptColumns)));
    select.Bind(1, limit);
    return CollectRows<DeletionReceipt>(select, ReadReceipt);
}

}  // namespace menjin
