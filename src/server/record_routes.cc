// Routes for the records kept about the system's use: passages (query and export), aggregate
// passage reports, the audit log with its chain check, and deletion receipts.

#include <cstdint>
#include <sstream>

#include "common/local_time.h"
#include "domain/record_json.h"
#include "domain/security_json.h"
#include "server/request_parsing.h"
#include "server/routes.h"
#include "welfare/welfare_report.h"

namespace menjin {

namespace {

constexpr int kMaxExportRows = 10000;
// Largest page of passages read at once; the embedded store accepts up to 1000.
constexpr int kMaxPassagePage = 1000;

std::optional<DecisionBand> ParseBand(const std::string& text) {
    for (DecisionBand band : {DecisionBand::kGrant, DecisionBand::kDeny, DecisionBand::kRetry}) {
        if (text == DecisionBandName(band))
            return band;
    }
    return std::nullopt;
}

// Reads the passage filters and limits them to the caller's estate: estate staff see only
// their own estate's passages, and a gate filter must name a gate they may see.
Result<PassageQuery> ReadPassageFilter(ApiServices& s, const ApiRequest& request) {
    PassageQuery query;
    MENJIN_ASSIGN_OR_RETURN(query.estate_id, QueryId(request, "estate_id"));
    MENJIN_ASSIGN_OR_RETURN(query.gate_id, QueryId(request, "gate_id"));
    MENJIN_ASSIGN_OR_RETURN(query.person_id, QueryId(request, "person_id"));
    if (std::optional<std::string> band = request.Query("band")) {
        query.band = ParseBand(*band);
        if (!query.band)
            return InvalidArgument("invalid query parameter 'band': use grant, deny or retry",
                                   "band");
    }
    MENJIN_ASSIGN_OR_RETURN(query.from, QueryInstant(request, "from"));
    MENJIN_ASSIGN_OR_RETURN(query.to, QueryInstant(request, "to"));
    const std::string scope = s.authorizer.EstateScope(request.caller);
    if (!query.estate_id.empty()) {
        MENJIN_RETURN_IF_ERROR(s.authorizer.EstateFor(request.caller, query.estate_id).status());
    } else {
        query.estate_id = scope;
    }
    if (!query.gate_id.empty()) {
        MENJIN_RETURN_IF_ERROR(s.authorizer.GateFor(request.caller, query.gate_id).status());
    }
    return query;
}

std::string AuditedRecord(const PassageQuery& query) {
    return query.person_id.empty() ? query.estate_id : query.person_id;
}

Result<ApiReply> QueryPassages(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(PassageQuery query, ReadPassageFilter(s, request));
    MENJIN_ASSIGN_OR_RETURN(std::int64_t limit,
                            QueryInteger(request, "limit", 100, 1, kMaxPassagePage));
    MENJIN_ASSIGN_OR_RETURN(query.before_id, QueryInteger(request, "before_id", 0, 0, INT64_MAX));
    query.limit = static_cast<int>(limit);
    MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> passages, s.core.store().QueryPassages(query));
    const bool more = passages.size() == static_cast<std::size_t>(query.limit);
    ApiReply reply =
        JsonReply({{"passages", JsonArray(passages)},
                   {"next_before_id", more ? nlohmann::json(passages.back().id) : nullptr}});
    reply.audit_record_id = AuditedRecord(query);
    return reply;
}

void WriteCsvRow(std::ostringstream& out, const Passage& p) {
    out << p.id << ',' << FormatUtc(p.at) << ',' << p.estate_id << ',' << p.gate_id << ','
        << GateDirectionName(p.direction) << ',' << p.person_id << ',' << p.pseudonym << ','
        << DecisionBandName(p.band) << ',' << p.reason << ',' << p.score << ',' << p.credential
        << "\r\n";
}

Result<ApiReply> ExportPassages(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(PassageQuery query, ReadPassageFilter(s, request));
    MENJIN_ASSIGN_OR_RETURN(std::int64_t rows,
                            QueryInteger(request, "limit", kMaxExportRows, 1, kMaxExportRows));
    std::ostringstream csv;
    csv << "id,at,estate_id,gate_id,direction,person_id,pseudonym,band,reason,score,credential\r\n";
    std::int64_t written = 0;
    query.limit = kMaxPassagePage;
    while (written < rows) {
        query.limit = static_cast<int>(std::min<std::int64_t>(query.limit, rows - written));
        MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> page, s.core.store().QueryPassages(query));
        for (const Passage& passage : page)
            WriteCsvRow(csv, passage);
        written += static_cast<std::int64_t>(page.size());
        if (page.size() < static_cast<std::size_t>(query.limit))
            break;
        query.before_id = page.back().id;
    }
    ApiReply reply;
    reply.content_type = "text/csv; charset=utf-8";
    reply.bytes = csv.str();
    reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"passages.csv\"");
    reply.audit_record_id = AuditedRecord(query);
    return reply;
}

// Adds "series" to a passage report: the passages of one estate per local day, local hour or
// hour of the day (?bucket=day|hour|hour_of_day), in the estate's time zone. The window
// defaults to the 30 days (2 days for hours) before `to`, which defaults to now.
Status AddPassageSeries(ApiServices& s, const ApiRequest& request, PassageQuery query,
                        nlohmann::json& out) {
    std::optional<PassageBucket> bucket = ParsePassageBucket(request.Query("bucket").value_or(""));
    if (!bucket) {
        return InvalidArgument("invalid query parameter 'bucket': use day, hour or hour_of_day",
                               "bucket");
    }
    if (query.estate_id.empty()) {
        return InvalidArgument("a passage series is per estate: add estate_id, whose time zone "
                               "defines the days and hours",
                               "estate_id");
    }
    MENJIN_ASSIGN_OR_RETURN(Estate estate, s.core.store().GetEstate(query.estate_id));
    const UnixSeconds day = 86400;
    query.to = query.to.value_or(s.core.clock().Now());
    query.from = query.from.value_or(*query.to - (*bucket == PassageBucket::kHour ? 2 : 30) * day);
    MENJIN_ASSIGN_OR_RETURN(std::vector<PassageSeriesPoint> series,
                            CountPassageSeries(s.core.store(), query, *bucket, estate.timezone));
    out["bucket"] = request.Query("bucket").value_or("");
    out["timezone"] = estate.timezone;
    out["from"] = FormatUtc(*query.from);
    out["to"] = FormatUtc(*query.to);
    out["series"] = JsonArray(series);
    return Status::Ok();
}

Result<ApiReply> PassageReport(ApiServices& s, ApiRequest& request) {
    if (request.Query("person_id"))
        return InvalidArgument("reports count passages and take no person_id", "person_id");
    MENJIN_ASSIGN_OR_RETURN(PassageQuery query, ReadPassageFilter(s, request));
    MENJIN_ASSIGN_OR_RETURN(std::vector<PassageCount> counts, s.core.store().CountPassages(query));
    nlohmann::json rows = nlohmann::json::array();
    nlohmann::json totals = {{"grant", 0}, {"deny", 0}, {"retry", 0}};
    for (const PassageCount& count : counts) {
        rows.push_back({{"estate_id", count.estate_id},
                        {"gate_id", count.gate_id},
                        {"band", DecisionBandName(count.band)},
                        {"count", count.count}});
        totals[DecisionBandName(count.band)] =
            totals[DecisionBandName(count.band)].get<std::int64_t>() + count.count;
    }
    nlohmann::json out = {{"counts", rows}, {"totals", totals}};
    if (request.Query("bucket"))
        MENJIN_RETURN_IF_ERROR(AddPassageSeries(s, request, query, out));
    return JsonReply(out);
}

Result<ApiReply> ReadAuditLog(ApiServices& s, ApiRequest& request) {
    AuditQuery query;
    MENJIN_ASSIGN_OR_RETURN(query.after_seq, QueryInteger(request, "after_seq", 0, 0, INT64_MAX));
    MENJIN_ASSIGN_OR_RETURN(std::int64_t limit, QueryInteger(request, "limit", 100, 1, 1000));
    query.limit = static_cast<int>(limit);
    query.actor = request.Query("actor").value_or("").substr(0, 200);
    query.action = request.Query("action").value_or("").substr(0, 200);
    query.record_id = request.Query("record_id").value_or("").substr(0, 200);
    MENJIN_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries,
                            s.core.store().ListAuditEntries(query));
    const bool more = entries.size() == static_cast<std::size_t>(query.limit);
    return JsonReply({{"entries", JsonArray(entries)},
                      {"next_after_seq", more ? nlohmann::json(entries.back().seq) : nullptr}});
}

Result<ApiReply> VerifyAudit(ApiServices& s, ApiRequest&) {
    MENJIN_ASSIGN_OR_RETURN(AuditVerification check, VerifyAuditLog(s.core.store()));
    return JsonReply(
        {{"ok", check.ok},
         {"entries", check.entries},
         {"last_seq", check.last_seq},
         {"head_hash", check.head_hash},
         {"first_bad_seq", check.first_bad_seq ? nlohmann::json(*check.first_bad_seq) : nullptr},
         {"problem",
          check.problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(check.problem)}});
}

Result<ApiReply> ListReceipts(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(std::int64_t limit, QueryInteger(request, "limit", 100, 1, 1000));
    MENJIN_ASSIGN_OR_RETURN(std::vector<DeletionReceipt> receipts,
                            s.core.store().ListReceipts(static_cast<int>(limit)));
    return JsonReply({{"receipts", JsonArray(receipts)}});
}

Result<ApiReply> GetReceipt(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(DeletionReceipt receipt,
                            s.core.store().GetReceipt(request.Path("receipt_id")));
    return JsonReply(ToJson(receipt));
}

}  // namespace

std::vector<Route> RecordRoutes(ApiServices& s) {
    const unsigned auditors = kCentreAdmin | kAuditor;
    return {
        {HttpMethod::kGet, "/api/v1/passages", kEstateOperators, "passage.query", "passages", "", 0,
         [&s](ApiRequest& r) { return QueryPassages(s, r); }},
        {HttpMethod::kGet, "/api/v1/passages/export", kEstateOperators, "passage.export",
         "passages", "", 0, [&s](ApiRequest& r) { return ExportPassages(s, r); }},
        {HttpMethod::kGet, "/api/v1/reports/passages", kAllOperators, "", "", "", 0,
         [&s](ApiRequest& r) { return PassageReport(s, r); }},
        {HttpMethod::kGet, "/api/v1/audit", auditors, "audit.read", "audit_log", "", 0,
         [&s](ApiRequest& r) { return ReadAuditLog(s, r); }},
        {HttpMethod::kGet, "/api/v1/audit/verify", auditors, "audit.verify", "audit_log", "", 0,
         [&s](ApiRequest& r) { return VerifyAudit(s, r); }},
        {HttpMethod::kGet, "/api/v1/receipts", auditors, "", "", "", 0,
         [&s](ApiRequest& r) { return ListReceipts(s, r); }},
        {HttpMethod::kGet, "/api/v1/receipts/{receipt_id}", auditors, "", "", "", 0,
         [&s](ApiRequest& r) { return GetReceipt(s, r); }},
    };
}

}  // namespace menjin
