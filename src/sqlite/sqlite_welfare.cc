// SqliteStore: per-estate welfare settings, welfare alerts and leads.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sqlite/row_checks.h"
#include "sqlite/sqlite_store.h"
#include "sqlite/where_clause.h"

namespace menjin {

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// Largest page of alerts or leads that one list call returns.
constexpr int kMaxPage = 1000;

constexpr const char* kSettingsColumns =
    "estate_id, min_age, sublet_days, sublet_min_use_days, sublet_min_use_passages, "
    "unknown_face_retention_days, unknown_face_min_attempts, unknown_face_min_days, "
    "webhook_url, evaluation_interval_minutes, version";
constexpr const char* kAlertColumns =
    "id, estate_id, person_id, status, days_required, days_since_seen, last_seen_at, "
    "last_passage_id, raised_at, seen_again_at, acknowledged_by, acknowledged_at, "
    "acknowledge_note, resolved_by, resolved_at, outcome, resolve_note, version";
constexpr const char* kLeadColumns =
    "id, kind, estate_id, subject, evidence, status, raised_at, updated_at, closed_by, "
    "closed_at, outcome, close_note, version";

RowRef SettingsRow(std::string estate_id) {
    return {"welfare settings of estate", "estate_welfare_settings", "estate_id",
            std::move(estate_id)};
}
RowRef AlertRow(std::int64_t id) {
    return {"welfare alert", "welfare_alerts", "id", std::to_string(id)};
}
RowRef LeadRow(std::int64_t id) {
    return {"lead", "leads", "id", std::to_string(id)};
}

std::optional<std::int64_t> ColumnOptionalInt64(const SqliteStatement& row, int column) {
    if (row.ColumnIsNull(column))
        return std::nullopt;
    return row.ColumnInt64(column);
}

void BindOptional(SqliteStatement& statement, int index, const std::optional<std::int64_t>& v) {
    if (v) {
        statement.Bind(index, *v);
    } else {
        statement.BindNull(index);
    }
}

void BindOptional(SqliteStatement& statement, int index, const char* text) {
    if (text != nullptr) {
        statement.Bind(index, text);
    } else {
        statement.BindNull(index);
    }
}

Status CheckLimit(int limit, std::int64_t before_id) {
    if (limit < 1 || limit > kMaxPage) {
        return InvalidArgument(
            fmt::format("store: list limit must be 1 to {}, got {}", kMaxPage, limit), "limit");
    }
    if (before_id < 0) {
        return InvalidArgument(
            fmt::format("store: before_id must not be negative, got {}", before_id), "before_id");
    }
    return Status::Ok();
}

Result<EstateWelfareSettings> ReadSettings(const SqliteStatement& row) {
    EstateWelfareSettings s;
    s.estate_id = row.ColumnText(0);
    s.min_age = row.ColumnInt(1);
    s.sublet_days = row.ColumnInt(2);
    s.sublet_min_use_days = row.ColumnInt(3);
    s.sublet_min_use_passages = row.ColumnInt(4);
    s.unknown_face_retention_days = row.ColumnInt(5);
    s.unknown_face_min_attempts = row.ColumnInt(6);
    s.unknown_face_min_days = row.ColumnInt(7);
    s.webhook_url = row.ColumnText(8);
    s.evaluation_interval_minutes = row.ColumnInt(9);
    s.version = row.ColumnInt64(10);
    return s;
}

Result<WelfareAlert> ReadAlert(const SqliteStatement& row) {
    WelfareAlert a;
    a.id = row.ColumnInt64(0);
    a.estate_id = row.ColumnText(1);
    a.person_id = row.ColumnText(2);
    std::optional<AlertStatus> status = ParseAlertStatus(row.ColumnText(3));
    std::optional<AlertOutcome> outcome = ParseAlertOutcome(row.ColumnText(15));
    if (!status || (!row.ColumnIsNull(15) && !outcome)) {
        return Status(
            ErrorCode::kDataLoss,
            fmt::format("store: welfare alert {} has an unknown status or outcome", a.id));
    }
    a.status = *status;
    a.days_required = row.ColumnInt(4);
    a.days_since_seen = row.ColumnInt(5);
    a.last_seen_at = row.ColumnInt64(6);
    a.last_passage_id = ColumnOptionalInt64(row, 7);
    a.raised_at = row.ColumnInt64(8);
    a.seen_again_at = ColumnOptionalInt64(row, 9);
    a.acknowledged_by = row.ColumnText(10);
    a.acknowledged_at = ColumnOptionalInt64(row, 11);
    a.acknowledge_note = row.ColumnText(12);
    a.resolved_by = row.ColumnText(13);
    a.resolved_at = ColumnOptionalInt64(row, 14);
    a.outcome = outcome;
    a.resolve_note = row.ColumnText(16);
    a.version = row.ColumnInt64(17);
    return a;
}

Result<Lead> ReadLead(const SqliteStatement& row) {
    Lead l;
    l.id = row.ColumnInt64(0);
    std::optional<LeadKind> kind = ParseLeadKind(row.ColumnText(1));
    std::optional<LeadStatus> status = ParseLeadStatus(row.ColumnText(5));
    std::optional<LeadOutcome> outcome = ParseLeadOutcome(row.ColumnText(10));
    if (!kind || !status || (!row.ColumnIsNull(10) && !outcome)) {
        return Status(ErrorCode::kDataLoss,
                      fmt::format("store: lead {} has an unknown kind, status or outcome", l.id));
    }
    l.kind = *kind;
    l.estate_id = row.ColumnText(2);
    l.subject = row.ColumnText(3);
    l.evidence = row.ColumnText(4);
    l.status = *status;
    l.raised_at = row.ColumnInt64(6);
    l.updated_at = row.ColumnInt64(7);
    l.closed_by = row.ColumnText(8);
    l.closed_at = ColumnOptionalInt64(row, 9);
    l.outcome = outcome;
    l.close_note = row.ColumnText(11);
    l.version = row.ColumnInt64(12);
    return l;
}

// Binds the alert's fields from `status` on, in kAlertColumns order, from parameter `first`.
int BindAlertState(SqliteStatement& statement, int first, const WelfareAlert& a) {
    int i = first;
    statement.Bind(i++, AlertStatusName(a.status));
    statement.Bind(i++, a.days_required);
    statement.Bind(i++, a.days_since_seen);
    statement.Bind(i++, a.last_seen_at);
    BindOptional(statement, i++, a.last_passage_id);
    statement.Bind(i++, a.raised_at);
    BindOptional(statement, i++, a.seen_again_at);
    statement.Bind(i++, a.acknowledged_by);
    BindOptional(statement, i++, a.acknowledged_at);
    statement.Bind(i++, a.acknowledge_note);
    statement.Bind(i++, a.resolved_by);
    BindOptional(statement, i++, a.resolved_at);
    BindOptional(statement, i++, a.outcome ? AlertOutcomeName(*a.outcome) : nullptr);
    statement.Bind(i++, a.resolve_note);
    return i;
}

// Binds the lead's fields from `subject` on, in kLeadColumns order, from parameter `first`.
int BindLeadState(SqliteStatement& statement, int first, const Lead& l) {
    int i = first;
    statement.Bind(i++, l.subject);
    statement.Bind(i++, l.evidence);
    statement.Bind(i++, LeadStatusName(l.status));
    statement.Bind(i++, l.raised_at);
    statement.Bind(i++, l.updated_at);
    statement.Bind(i++, l.closed_by);
    BindOptional(statement, i++, l.closed_at);
    BindOptional(statement, i++, l.outcome ? LeadOutcomeName(*l.outcome) : nullptr);
    statement.Bind(i++, l.close_note);
    return i;
}

WhereClause AlertFilter(const AlertQuery& query) {
    WhereClause filter;
    if (!query.estate_id.empty())
        filter.Add("estate_id = ?", query.estate_id);
    if (!query.person_id.empty())
        filter.Add("person_id = ?", query.person_id);
    if (query.raised_from)
        filter.Add("raised_at >= ?", *query.raised_from);
    if (query.raised_to)
        filter.Add("raised_at < ?", *query.raised_to);
    if (query.before_id > 0)
        filter.Add("id < ?", query.before_id);
    if (!query.statuses.empty()) {
        std::string any = "(0";
        for (AlertStatus status : query.statuses)
            any += fmt::format(" OR status = '{}'", AlertStatusName(status));
        filter.where += " AND " + any + ")";
    }
    return filter;
}

WhereClause LeadFilter(const LeadQuery& query) {
    WhereClause filter;
    if (!query.estate_id.empty())
        filter.Add("estate_id = ?", query.estate_id);
    if (query.kind)
        filter.Add("kind = ?", std::string(LeadKindName(*query.kind)));
    if (query.status)
        filter.Add("status = ?", std::string(LeadStatusName(*query.status)));
    if (!query.subject.empty())
        filter.Add("subject = ?", query.subject);
    if (query.before_id > 0)
        filter.Add("id < ?", query.before_id);
    return filter;
}

// Returns `subject` with each '|'-separated part equal to `person_id` replaced.
std::string ReplaceSubjectPart(const std::string& subject, const std::string& person_id,
                               const std::string& pseudonym) {
    std::string out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = subject.find('|', start);
        const std::string part = subject.substr(start, end - start);
        out += part == person_id ? pseudonym : part;
        if (end == std::string::npos)
            return out;
        out += '|';
        start = end + 1;
    }
}

// Evidence fields that hold person ids, as a string or an array of strings (docs/welfare.md).
bool IsPersonField(const std::string& key) {
    return key == "tenant_person_id" || key == "users" || key == "person_ids";
}

// Replaces `person_id` in `value`, a string or an array; returns true when it changed.
bool ReplacePersonIds(nlohmann::json& value, const std::string& person_id,
                      const std::string& pseudonym) {
    if (value.is_string() && value.get<std::string>() == person_id) {
        value = pseudonym;
        return true;
    }
    bool changed = false;
    if (value.is_array()) {
        for (nlohmann::json& element : value)
            changed = ReplacePersonIds(element, person_id, pseudonym) || changed;
    }
    return changed;
}

// Returns the evidence with `person_id` replaced in its person fields. Unchanged evidence, and
// text that is not a JSON object (which the store never writes), keep their stored text.
std::string ReplaceEvidencePersonIds(const std::string& evidence, const std::string& person_id,
                                     const std::string& pseudonym) {
    nlohmann::json parsed = nlohmann::json::parse(evidence, nullptr, false);
    if (!parsed.is_object())
        return evidence;
    bool changed = false;
    for (auto& [key, value] : parsed.items()) {
        if (IsPersonField(key))
            changed = ReplacePersonIds(value, person_id, pseudonym) || changed;
    }
    return changed ? parsed.dump() : evidence;
}

struct LeadText {
    std::int64_t id = 0;
    std::string subject;
    std::string evidence;
};

// Rewrites the subject and evidence of every lead that names `person_id`; returns how many
// changed. The query finds each lead whose evidence contains the quoted id or whose subject has
// it as a '|'-separated part; the rewrite then checks field by field.
Result<int> PseudonymiseLeads(const SqliteConnection& db, const std::string& person_id,
                              const std::string& pseudonym) {
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db.Prepare("SELECT id, subject, evidence FROM leads WHERE instr(evidence, ?1) > 0 OR "
                   "instr('|' || subject || '|', '|' || ?2 || '|') > 0"));
    select.BindAll("\"" + person_id + "\"", person_id);
    MENJIN_ASSIGN_OR_RETURN(
        std::vector<LeadText> leads,
        CollectRows<LeadText>(select, [](const SqliteStatement& row) -> Result<LeadText> {
            return LeadText{row.ColumnInt64(0), row.ColumnText(1), row.ColumnText(2)};
        }));
    int changed = 0;
    for (const LeadText& lead : leads) {
        const std::string subject = ReplaceSubjectPart(lead.subject, person_id, pseudonym);
        const std::string evidence = ReplaceEvidencePersonIds(lead.evidence, person_id, pseudonym);
        if (subject == lead.subject && evidence == lead.evidence)
            continue;
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement update,
            db.Prepare("UPDATE leads SET subject = ?, evidence = ? WHERE id = ?"));
        update.BindAll(subject, evidence, lead.id);
        MENJIN_RETURN_IF_ERROR(update.Run());
        ++changed;
    }
    return changed;
}

// Replaces `person_id` by `pseudonym` in the "person_id" and "person_ids" fields of the webhook
// messages still waiting in the outbox, so a receiver never gets the id of someone who moved
// out. Returns how many messages changed.
Result<int> PseudonymiseOutbox(const SqliteConnection& db, const std::string& person_id,
                               const std::string& pseudonym) {
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db.Prepare("SELECT id, payload FROM webhook_outbox WHERE instr(payload, ?) > 0"));
    select.Bind(1, "\"" + person_id + "\"");
    using IdPayload = std::pair<std::int64_t, std::string>;
    MENJIN_ASSIGN_OR_RETURN(
        std::vector<IdPayload> messages,
        CollectRows<IdPayload>(select, [](const SqliteStatement& row) -> Result<IdPayload> {
            return IdPayload{row.ColumnInt64(0), row.ColumnText(1)};
        }));
    int changed = 0;
    for (const auto& [id, payload] : messages) {
        nlohmann::json message = nlohmann::json::parse(payload, nullptr, false);
        if (!message.is_object())
            continue;
        bool replaced = false;
        if (message.value("person_id", "") == person_id) {
            message["person_id"] = pseudonym;
            replaced = true;
        }
        if (message.contains("person_ids") && message["person_ids"].is_array()) {
            for (nlohmann::json& each : message["person_ids"]) {
                if (each.is_string() && each.get<std::string>() == person_id) {
                    each = pseudonym;
                    replaced = true;
                }
            }
        }
        if (!replaced)
            continue;
        MENJIN_ASSIGN_OR_RETURN(SqliteStatement update,
                                db.Prepare("UPDATE webhook_outbox SET payload = ? WHERE id = ?"));
        update.BindAll(message.dump(), id);
        MENJIN_RETURN_IF_ERROR(update.Run());
        ++changed;
    }
    return changed;
}

}  // namespace

// ---- Settings -------------------------------------------------------------------------------

Result<EstateWelfareSettings> SqliteStore::GetWelfareSettings(const std::string& estate_id) {
    Lock lock(mutex_);
    MENJIN_RETURN_IF_ERROR(RequireRow(db_, EstateRow(estate_id)));
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement select,
                            db_.Prepare(fmt::format("SELECT {} FROM estate_welfare_settings "
                                                    "WHERE estate_id = ?",
                                                    kSettingsColumns)));
    select.Bind(1, estate_id);
    MENJIN_ASSIGN_OR_RETURN(std::optional<EstateWelfareSettings> stored,
                            FirstRow<EstateWelfareSettings>(select, ReadSettings));
    if (stored)
        return *stored;
    EstateWelfareSettings defaults;
    defaults.estate_id = estate_id;
    return defaults;
}

Result<EstateWelfareSettings> SqliteStore::UpdateWelfareSettings(const EstateWelfareSettings& s) {
    Lock lock(mutex_);
    const RowRef row = SettingsRow(s.estate_id);
    const char* sql =
        s.version == 0
            ? "INSERT INTO estate_welfare_settings (min_age, sublet_days, sublet_min_use_days, "
              "sublet_min_use_passages, unknown_face_retention_days, unknown_face_min_attempts, "
              "unknown_face_min_days, webhook_url, evaluation_interval_minutes, estate_id, "
              "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
            : "UPDATE estate_welfare_settings SET min_age = ?, sublet_days = ?, "
              "sublet_min_use_days = ?, sublet_min_use_passages = ?, "
              "unknown_face_retention_days = ?, unknown_face_min_attempts = ?, "
              "unknown_face_min_days = ?, webhook_url = ?, evaluation_interval_minutes = ?, "
              "version = version + 1 WHERE estate_id = ? AND version = ?";
    MENJIN_ASSIGN_OR_RETURN(SqliteStatement write, db_.Prepare(sql));
    write.BindAll(s.min_age, s.sublet_days, s.sublet_min_use_days, s.sublet_min_use_passages,
                  s.unknown_face_retention_days, s.unknown_face_min_attempts,
                  s.unknown_face_min_days, s.webhook_url, s.evaluation_interval_minutes,
                  s.estate_id);
    if (s.version == 0) {
        Status inserted = RunInsert(db_, write, {"create", row, {EstateRow(s.estate_id)}});
        if (inserted.code() == ErrorCode::kAlreadyExists) {
            return Status(ErrorCode::kConflict,
                          fmt::format("store: welfare settings of estate '{}' were stored "
                                      "concurrently; reload them and retry",
                                      s.estate_id));
        }
        MENJIN_RETURN_IF_ERROR(inserted);
    } else {
        write.Bind(11, s.version);
        MENJIN_RETURN_IF_ERROR(RunUpdate(db_, write, {"update", row}, s.version));
    }
    return GetWelfareSettings(s.estate_id);
}

// ---- Alerts ---------------------------------------------------------------------------------

Result<WelfareAlert> SqliteStore::CreateWelfareAlert(const WelfareAlert& alert) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare(fmt::format("INSERT INTO welfare_alerts ({}) VALUES (NULL, ?, ?, ?, ?, ?, "
                                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                                kAlertColumns)));
    insert.BindAll(alert.estate_id, alert.person_id);
    BindAlertState(insert, 3, alert);
    const WriteTarget target{
        "create",
        AlertRow(0),
        {EstateRow(alert.estate_id)},
        fmt::format("person '{}' already has an unresolved welfare alert", alert.person_id)};
    MENJIN_RETURN_IF_ERROR(RunInsert(db_, insert, target));
    return GetWelfareAlert(db_.LastInsertRowId());
}

Result<WelfareAlert> SqliteStore::GetWelfareAlert(std::int64_t id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM welfare_alerts WHERE id = ?", kAlertColumns)));
    select.Bind(1, id);
    return ReadRow<WelfareAlert>(select, AlertRow(id), ReadAlert);
}

Result<std::vector<WelfareAlert>> SqliteStore::ListWelfareAlerts(const AlertQuery& query) {
    MENJIN_RETURN_IF_ERROR(CheckLimit(query.limit, query.before_id));
    const WhereClause filter = AlertFilter(query);
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM welfare_alerts WHERE {} ORDER BY id DESC LIMIT ?",
                                kAlertColumns, filter.where)));
    const int index = filter.BindTo(select);
    select.Bind(index + 1, query.limit);
    return CollectRows<WelfareAlert>(select, ReadAlert);
}

Result<WelfareAlert> SqliteStore::UpdateWelfareAlert(const WelfareAlert& alert) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE welfare_alerts SET status = ?, days_required = ?, "
                    "days_since_seen = ?, last_seen_at = ?, last_passage_id = ?, raised_at = ?, "
                    "seen_again_at = ?, acknowledged_by = ?, acknowledged_at = ?, "
                    "acknowledge_note = ?, resolved_by = ?, resolved_at = ?, outcome = ?, "
                    "resolve_note = ?, version = version + 1 WHERE id = ? AND version = ?"));
    const int next = BindAlertState(update, 1, alert);
    update.Bind(next, alert.id);
    update.Bind(next + 1, alert.version);
    const WriteTarget target{
        "update",
        AlertRow(alert.id),
        {},
        fmt::format("person '{}' already has an unresolved welfare alert", alert.person_id)};
    MENJIN_RETURN_IF_ERROR(RunUpdate(db_, update, target, alert.version));
    return GetWelfareAlert(alert.id);
}

// ---- Leads ----------------------------------------------------------------------------------

Result<Lead> SqliteStore::CreateLead(const Lead& lead) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare(
            fmt::format("INSERT INTO leads ({}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                        kLeadColumns)));
    insert.Bind(1, LeadKindName(lead.kind));
    BindOptional(insert, 2, lead.estate_id.empty() ? nullptr : lead.estate_id.c_str());
    BindLeadState(insert, 3, lead);
    MENJIN_RETURN_IF_ERROR(
        RunInsert(db_, insert, {"create", LeadRow(0), {EstateRow(lead.estate_id)}}));
    return GetLead(db_.LastInsertRowId());
}

Result<Lead> SqliteStore::GetLead(std::int64_t id) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM leads WHERE id = ?", kLeadColumns)));
    select.Bind(1, id);
    return ReadRow<Lead>(select, LeadRow(id), ReadLead);
}

Result<std::vector<Lead>> SqliteStore::ListLeads(const LeadQuery& query) {
    MENJIN_RETURN_IF_ERROR(CheckLimit(query.limit, query.before_id));
    const WhereClause filter = LeadFilter(query);
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_.Prepare(fmt::format("SELECT {} FROM leads WHERE {} ORDER BY id DESC LIMIT ?",
                                kLeadColumns, filter.where)));
    const int index = filter.BindTo(select);
    select.Bind(index + 1, query.limit);
    return CollectRows<Lead>(select, ReadLead);
}

Result<Lead> SqliteStore::UpdateLead(const Lead& lead) {
    Lock lock(mutex_);
    MENJIN_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db_.Prepare("UPDATE leads SET subject = ?, evidence = ?, status = ?, raised_at = ?, "
                    "updated_at = ?, closed_by = ?, closed_at = ?, outcome = ?, close_note = ?, "
                    "version = version + 1 WHERE id = ? AND version = ?"));
    const int next = BindLeadState(update, 1, lead);
    update.Bind(next, lead.id);
    update.Bind(next + 1, lead.version);
    MENJIN_RETURN_IF_ERROR(RunUpdate(db_, update, {"update", LeadRow(lead.id)}, lead.version));
    return GetLead(lead.id);
}

// Alerts name the person in person_id only. Leads name people in their subject (a tenant's id,
// or the two halves of a duplicate's "a|b") and in the evidence fields of IsPersonField. Only
// those are rewritten, because the same text may be a gate, unit or
// household id elsewhere in the evidence, and those must stay.
Result<int> SqliteStore::PseudonymiseWelfareRecords(const std::string& person_id,
                                                    const std::string& pseudonym) {
    if (person_id.empty() || pseudonym.empty()) {
        return InvalidArgument(
            "store: pseudonymising welfare records needs a person id and a "
            "pseudonym",
            person_id.empty() ? "person_id" : "pseudonym");
    }
    int changed = 0;
    MENJIN_RETURN_IF_ERROR(Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(
            SqliteStatement alerts,
            db_.Prepare("UPDATE welfare_alerts SET person_id = ? WHERE person_id = ?"));
        alerts.BindAll(pseudonym, person_id);
        MENJIN_ASSIGN_OR_RETURN(int alert_rows, RunCounted(db_, alerts));
        MENJIN_ASSIGN_OR_RETURN(int lead_rows, PseudonymiseLeads(db_, person_id, pseudonym));
        MENJIN_ASSIGN_OR_RETURN(int message_rows, PseudonymiseOutbox(db_, person_id, pseudonym));
        changed = alert_rows + lead_rows + message_rows;
        return Status::Ok();
    }));
    return changed;
}

}  // namespace menjin
