// Routes for leads: the per-estate list, the city-wide list for centre admins, details with
// the evidence resolved into passages and people, closing with an outcome, and CSV export.

#include <set>
#include <sstream>

#include "common/local_time.h"
#include "domain/welfare_json.h"
#include "server/request_parsing.h"
#include "server/routes.h"
#include "server/welfare_views.h"
#include "welfare/lead_finder.h"

namespace menjin {

namespace {

constexpr int kMaxPage = 1000;
constexpr int kMaxExportRows = 10000;
constexpr std::size_t kMaxNoteBytes = 2000;
// Passages of the evidence resolved in a lead's details; the evidence lists them all.
constexpr std::size_t kDetailPassages = 50;

Result<LeadQuery> ReadLeadFilter(const ApiRequest& request) {
    LeadQuery query;
    if (std::optional<std::string> kind = request.Query("kind")) {
        query.kind = ParseLeadKind(*kind);
        if (!query.kind) {
            return InvalidArgument("invalid query parameter 'kind': '" + kind->substr(0, 32) +
                                       "' is not a lead kind; use tenant_absent_unit_in_use, "
                                       "recurring_unknown_face or duplicate_identity",
                                   "kind");
        }
    }
    if (std::optional<std::string> status = request.Query("status")) {
        query.status = ParseLeadStatus(*status);
        if (!query.status) {
            return InvalidArgument("invalid query parameter 'status': '" + status->substr(0, 32) +
                                       "' is not a lead status; use open or closed",
                                   "status");
        }
    }
    MENJIN_ASSIGN_OR_RETURN(std::int64_t limit, QueryInteger(request, "limit", 100, 1, kMaxPage));
    MENJIN_ASSIGN_OR_RETURN(query.before_id, QueryInteger(request, "before_id", 0, 0, INT64_MAX));
    query.limit = static_cast<int>(limit);
    return query;
}

Result<ApiReply> LeadPage(ApiServices& s, const LeadQuery& query) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<Lead> leads, s.core.store().ListLeads(query));
    const bool more = leads.size() == static_cast<std::size_t>(query.limit);
    nlohmann::json items = nlohmann::json::array();
    for (const Lead& lead : leads)
        items.push_back(ToJson(lead));
    return JsonReply(
        {{"leads", items}, {"next_before_id", more ? nlohmann::json(leads.back().id) : nullptr}});
}

Result<ApiReply> ListEstateLeads(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(LeadQuery query, ReadLeadFilter(request));
    query.estate_id = estate.id;
    return LeadPage(s, query);
}

Result<ApiReply> ListAllLeads(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(LeadQuery query, ReadLeadFilter(request));
    MENJIN_ASSIGN_OR_RETURN(query.estate_id, QueryId(request, "estate_id"));
    return LeadPage(s, query);
}

// The people a lead names: the subject's ids and those in the evidence's users and person_ids.
std::set<std::string> NamedPeople(const Lead& lead, const nlohmann::json& evidence) {
    std::set<std::string> people;
    if (lead.kind == LeadKind::kTenantAbsentUnitInUse)
        people.insert(lead.subject);
    for (const char* field : {"users", "person_ids"}) {
        if (!evidence.contains(field) || !evidence[field].is_array())
            continue;
        for (const nlohmann::json& id : evidence[field]) {
            if (id.is_string())
                people.insert(id.get<std::string>());
        }
    }
    return people;
}

// The passage ids of the evidence: passage_ids of a sublet lead or the attempts' passages.
std::vector<std::int64_t> EvidencePassages(const nlohmann::json& evidence) {
    std::vector<std::int64_t> ids;
    auto add = [&](const nlohmann::json& id) {
        if (id.is_number_integer() && ids.size() < kDetailPassages)
            ids.push_back(id.get<std::int64_t>());
    };
    if (evidence.contains("passage_ids") && evidence["passage_ids"].is_array()) {
        for (const nlohmann::json& id : evidence["passage_ids"])
            add(id);
    }
    if (evidence.contains("attempts") && evidence["attempts"].is_array()) {
        for (const nlohmann::json& attempt : evidence["attempts"])
            add(attempt.value("passage_id", nlohmann::json()));
    }
    return ids;
}

Result<ApiReply> GetLead(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Lead lead,
                            s.authorizer.LeadFor(request.caller, request.Path("lead_id")));
    nlohmann::json out = ToJson(lead);
    const nlohmann::json& evidence =
        out["evidence"].is_object() ? out["evidence"] : nlohmann::json::object();
    nlohmann::json people = nlohmann::json::array();
    for (const std::string& person_id : NamedPeople(lead, evidence)) {
        MENJIN_ASSIGN_OR_RETURN(nlohmann::json person, PersonSummary(s.core.store(), person_id));
        if (!person.is_null())
            people.push_back(std::move(person));
    }
    out["people"] = people;
    MENJIN_ASSIGN_OR_RETURN(out["passages"],
                            PassagesById(s.core.store(), EvidencePassages(evidence)));
    return JsonReply(out);
}

Result<ApiReply> CloseLead(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Lead lead,
                            s.authorizer.LeadFor(request.caller, request.Path("lead_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    const std::int64_t version = in.Integer("version", 1, INT64_MAX);
    const std::string outcome_text = in.Text("outcome", 32);
    std::optional<LeadOutcome> outcome = ParseLeadOutcome(outcome_text);
    if (!outcome) {
        in.Check(InvalidArgument("invalid field 'outcome': '" + outcome_text +
                                     "' is not an outcome; use confirmed, no_issue, "
                                     "recognition_error or other",
                                 "outcome"));
    }
    const std::string note = in.OptionalText("note", "", kMaxNoteBytes);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_ASSIGN_OR_RETURN(
        Lead closed,
        LeadFinder(s.core).Close(lead.id, version, request.caller.operator_id, *outcome, note));
    return JsonReply(ToJson(closed));
}

void WriteLeadCsvRow(std::ostringstream& out, const Lead& l) {
    out << l.id << ',' << LeadKindName(l.kind) << ',' << l.estate_id << ',' << CsvField(l.subject)
        << ',' << LeadStatusName(l.status) << ',' << FormatUtc(l.raised_at) << ','
        << FormatUtc(l.updated_at) << ',' << CsvField(l.closed_by) << ','
        << (l.closed_at ? FormatUtc(*l.closed_at) : "") << ','
        << (l.outcome ? LeadOutcomeName(*l.outcome) : "") << ',' << CsvField(l.close_note) << ','
        << CsvField(l.evidence) << "\r\n";
}

Result<ApiReply> ExportLeads(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(LeadQuery query, ReadLeadFilter(request));
    query.estate_id = estate.id;
    query.limit = kMaxPage;
    std::ostringstream csv;
    csv << "id,kind,estate_id,subject,status,raised_at,updated_at,closed_by,closed_at,outcome,"
           "close_note,evidence\r\n";
    for (int written = 0; written < kMaxExportRows;) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<Lead> page, s.core.store().ListLeads(query));
        for (const Lead& lead : page)
            WriteLeadCsvRow(csv, lead);
        written += static_cast<int>(page.size());
        if (page.size() < static_cast<std::size_t>(query.limit))
            break;
        query.before_id = page.back().id;
    }
    ApiReply reply;
    reply.content_type = "text/csv; charset=utf-8";
    reply.bytes = csv.str();
    reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"leads.csv\"");
    return reply;
}

}  // namespace

std::vector<Route> LeadRoutes(ApiServices& s) {
    const std::size_t json = s.limits.json_bytes;
    return {
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/leads", kEstateOperators, "lead.list",
         "estate", "estate_id", 0, [&s](ApiRequest& r) { return ListEstateLeads(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/leads/export", kEstateOperators,
         "lead.export", "estate", "estate_id", 0,
         [&s](ApiRequest& r) { return ExportLeads(s, r); }},
        {HttpMethod::kGet, "/api/v1/leads", kCentreAdmin, "lead.list", "city", "", 0,
         [&s](ApiRequest& r) { return ListAllLeads(s, r); }},
        {HttpMethod::kGet, "/api/v1/leads/{lead_id}", kEstateOperators, "lead.read", "lead",
         "lead_id", 0, [&s](ApiRequest& r) { return GetLead(s, r); }},
        {HttpMethod::kPost, "/api/v1/leads/{lead_id}/close", kEstateOperators, "lead.close", "lead",
         "lead_id", json, [&s](ApiRequest& r) { return CloseLead(s, r); }},
    };
}

}  // namespace menjin
