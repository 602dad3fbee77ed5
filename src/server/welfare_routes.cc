// Routes for welfare alerts (the per-estate inbox, details with evidence, acknowledge and
// resolve, CSV export), the watched residents of an estate, the estate's welfare settings,
// an evaluation on demand and the per-estate welfare report.

#include <sstream>

#include "common/local_time.h"
#include "domain/record_json.h"
#include "domain/welfare_json.h"
#include "server/request_parsing.h"
#include "server/routes.h"
#include "server/welfare_views.h"
#include "welfare/lead_finder.h"
#include "welfare/welfare_monitor.h"
#include "welfare/welfare_report.h"
#include "welfare/welfare_settings.h"

namespace menjin {

namespace {

constexpr int kMaxPage = 1000;
constexpr int kMaxExportRows = 10000;
constexpr std::size_t kMaxNoteBytes = 2000;
constexpr int kRecentPassages = 10;
constexpr UnixSeconds kDay = 86400;

// Reads ?status=open,acknowledged; every status when absent.
Result<std::vector<AlertStatus>> QueryStatuses(const ApiRequest& request) {
    std::vector<AlertStatus> statuses;
    std::string text = request.Query("status").value_or("");
    std::stringstream parts(text);
    for (std::string part; std::getline(parts, part, ',');) {
        std::optional<AlertStatus> status = ParseAlertStatus(part);
        if (!status) {
            return InvalidArgument("invalid query parameter 'status': '" + part.substr(0, 32) +
                                       "' is not an alert status; use open, acknowledged or "
                                       "resolved, separated by commas",
                                   "status");
        }
        statuses.push_back(*status);
    }
    return statuses;
}

Result<nlohmann::json> AlertListItem(ApiServices& s, const WelfareAlert& alert) {
    nlohmann::json out = ToJson(alert);
    MENJIN_ASSIGN_OR_RETURN(out["person"], PersonSummary(s.core.store(), alert.person_id));
    return out;
}

Result<ApiReply> ListAlerts(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    AlertQuery query;
    query.estate_id = estate.id;
    MENJIN_ASSIGN_OR_RETURN(query.statuses, QueryStatuses(request));
    MENJIN_ASSIGN_OR_RETURN(std::int64_t limit, QueryInteger(request, "limit", 100, 1, kMaxPage));
    MENJIN_ASSIGN_OR_RETURN(query.before_id, QueryInteger(request, "before_id", 0, 0, INT64_MAX));
    query.limit = static_cast<int>(limit);
    MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> alerts,
                            s.core.store().ListWelfareAlerts(query));
    nlohmann::json items = nlohmann::json::array();
    for (const WelfareAlert& alert : alerts) {
        MENJIN_ASSIGN_OR_RETURN(nlohmann::json item, AlertListItem(s, alert));
        items.push_back(std::move(item));
    }
    const bool more = alerts.size() == static_cast<std::size_t>(query.limit);
    return JsonReply(
        {{"alerts", items}, {"next_before_id", more ? nlohmann::json(alerts.back().id) : nullptr}});
}

// The alert with the person, their unit and their latest passages as evidence.
Result<nlohmann::json> AlertDetail(ApiServices& s, const WelfareAlert& alert) {
    MENJIN_ASSIGN_OR_RETURN(nlohmann::json out, AlertListItem(s, alert));
    PassageQuery query;
    query.person_id = alert.person_id;
    query.limit = kRecentPassages;
    MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> passages, s.core.store().QueryPassages(query));
    out["recent_passages"] = JsonArray(passages);
    return out;
}

Result<ApiReply> GetAlert(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert alert,
                            s.authorizer.AlertFor(request.caller, request.Path("alert_id")));
    MENJIN_ASSIGN_OR_RETURN(nlohmann::json out, AlertDetail(s, alert));
    return JsonReply(out);
}

Result<ApiReply> AcknowledgeAlert(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert alert,
                            s.authorizer.AlertFor(request.caller, request.Path("alert_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    const std::int64_t version = in.Integer("version", 1, INT64_MAX);
    const std::string note = in.OptionalText("note", "", kMaxNoteBytes);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    WelfareMonitor monitor(s.core.store(), s.core.clock());
    MENJIN_ASSIGN_OR_RETURN(
        WelfareAlert stored,
        monitor.Acknowledge(alert.id, version, request.caller.operator_id, note));
    return JsonReply(ToJson(stored));
}

Result<ApiReply> ResolveAlert(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert alert,
                            s.authorizer.AlertFor(request.caller, request.Path("alert_id")));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    const std::int64_t version = in.Integer("version", 1, INT64_MAX);
    const std::string outcome_text = in.Text("outcome", 32);
    std::optional<AlertOutcome> outcome = ParseAlertOutcome(outcome_text);
    if (!outcome) {
        in.Check(InvalidArgument("invalid field 'outcome': '" + outcome_text +
                                     "' is not an outcome; use visited_well, in_hospital, "
                                     "away_with_family or other",
                                 "outcome"));
    }
    const std::string note = in.OptionalText("note", "", kMaxNoteBytes);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    WelfareMonitor monitor(s.core.store(), s.core.clock());
    MENJIN_ASSIGN_OR_RETURN(
        WelfareAlert stored,
        monitor.Resolve(alert.id, version, request.caller.operator_id, *outcome, note));
    return JsonReply(ToJson(stored));
}

std::string OptionalInstantText(const std::optional<UnixSeconds>& at) {
    return at ? FormatUtc(*at) : "";
}

void WriteAlertCsvRow(std::ostringstream& out, const WelfareAlert& a) {
    out << a.id << ',' << a.estate_id << ',' << CsvField(a.person_id) << ','
        << AlertStatusName(a.status) << ',' << a.days_required << ',' << a.days_since_seen << ','
        << FormatUtc(a.last_seen_at) << ',' << FormatUtc(a.raised_at) << ','
        << OptionalInstantText(a.seen_again_at) << ',' << CsvField(a.acknowledged_by) << ','
        << OptionalInstantText(a.acknowledged_at) << ',' << CsvField(a.acknowledge_note) << ','
        << CsvField(a.resolved_by) << ',' << OptionalInstantText(a.resolved_at) << ','
        << (a.outcome ? AlertOutcomeName(*a.outcome) : "") << ',' << CsvField(a.resolve_note)
        << "\r\n";
}

Result<ApiReply> ExportAlerts(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    AlertQuery query;
    query.estate_id = estate.id;
    MENJIN_ASSIGN_OR_RETURN(query.statuses, QueryStatuses(request));
    query.limit = kMaxPage;
    std::ostringstream csv;
    csv << "id,estate_id,person_id,status,days_required,days_since_seen,last_seen_at,raised_at,"
           "seen_again_at,acknowledged_by,acknowledged_at,acknowledge_note,resolved_by,"
           "resolved_at,outcome,resolve_note\r\n";
    for (int written = 0; written < kMaxExportRows;) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> page,
                                s.core.store().ListWelfareAlerts(query));
        for (const WelfareAlert& alert : page)
            WriteAlertCsvRow(csv, alert);
        written += static_cast<int>(page.size());
        if (page.size() < static_cast<std::size_t>(query.limit))
            break;
        query.before_id = page.back().id;
    }
    ApiReply reply;
    reply.content_type = "text/csv; charset=utf-8";
    reply.bytes = csv.str();
    reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"alerts.csv\"");
    return reply;
}

nlohmann::json ResidentJson(const ResidentWelfare& r) {
    nlohmann::json last = nullptr;
    if (r.last_passage) {
        last = {{"id", r.last_passage->id},
                {"at", FormatUtc(r.last_passage->at)},
                {"gate_id", r.last_passage->gate_id},
                {"credential", r.last_passage->credential}};
    }
    nlohmann::json alert = nullptr;
    if (r.alert)
        alert = {{"id", r.alert->id}, {"status", AlertStatusName(r.alert->status)}};
    return {{"person_id", r.person.id},
            {"name", r.person.name},
            {"role", PersonRoleName(r.person.role)},
            {"birth_year", r.person.birth_year},
            {"welfare_days", r.person.welfare_days ? nlohmann::json(*r.person.welfare_days)
                                                   : nlohmann::json(nullptr)},
            {"household_id", r.person.household_id.value_or("")},
            {"days_required", r.check.days_required},
            {"days_since_seen", r.check.days_since_seen},
            {"last_sign_of_life", FormatUtc(r.check.last_sign_of_life)},
            {"absent", r.check.absent},
            {"last_passage", last},
            {"latest_alert", alert}};
}

Result<ApiReply> ListWatchedResidents(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    WelfareMonitor monitor(s.core.store(), s.core.clock());
    MENJIN_ASSIGN_OR_RETURN(std::vector<ResidentWelfare> residents,
                            monitor.WatchedResidents(estate.id));
    nlohmann::json out = nlohmann::json::array();
    for (const ResidentWelfare& resident : residents)
        out.push_back(ResidentJson(resident));
    return JsonReply({{"residents", out}});
}

// ---- Settings, evaluation and report

Result<nlohmann::json> SettingsJson(ApiServices& s, const Caller& caller, const Estate& estate) {
    MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings,
                            s.core.store().GetWelfareSettings(estate.id));
    nlohmann::json out = ToJson(settings, caller.IsOperator(OperatorRole::kCentreAdmin));
    out["default_days"] = estate.welfare_days;
    return out;
}

Result<ApiReply> GetSettings(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(nlohmann::json out, SettingsJson(s, request.caller, estate));
    return JsonReply(out);
}

void ReadIntegerField(JsonFields& in, const char* name, int min, int max, int& value) {
    value = static_cast<int>(in.OptionalInteger(name, min, max).value_or(value));
}

void ReadSettingsFields(JsonFields& in, EstateWelfareSettings& settings) {
    ReadIntegerField(in, "min_age", 0, 150, settings.min_age);
    ReadIntegerField(in, "sublet_days", 1, 3650, settings.sublet_days);
    ReadIntegerField(in, "sublet_min_use_days", 1, 3650, settings.sublet_min_use_days);
    ReadIntegerField(in, "sublet_min_use_passages", 1, 100000, settings.sublet_min_use_passages);
    ReadIntegerField(in, "unknown_face_retention_days", 0, 90,
                     settings.unknown_face_retention_days);
    ReadIntegerField(in, "unknown_face_min_attempts", 2, 1000, settings.unknown_face_min_attempts);
    ReadIntegerField(in, "unknown_face_min_days", 1, 90, settings.unknown_face_min_days);
    ReadIntegerField(in, "evaluation_interval_minutes", 1, 24 * 60,
                     settings.evaluation_interval_minutes);
    if (in.Contains("webhook_url"))
        settings.webhook_url = in.OptionalText("webhook_url", "", 500);
}

// Stores the settings and, when default_days is given, the estate's welfare_days, together.
// Switching retention off deletes the kept unknown faces at once and compacts the store.
Result<ApiReply> UpdateSettings(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings,
                            s.core.store().GetWelfareSettings(estate.id));
    MENJIN_ASSIGN_OR_RETURN(JsonFields in, ReadJsonBody(request));
    settings.version = in.Integer("version", 0, INT64_MAX);
    const std::optional<std::int64_t> default_days = in.OptionalInteger("default_days", 1, 365);
    ReadSettingsFields(in, settings);
    MENJIN_RETURN_IF_ERROR(in.Finish());
    MENJIN_RETURN_IF_ERROR(ValidateWelfareSettings(settings));
    MENJIN_RETURN_IF_ERROR(s.core.store().Transaction([&]() -> Status {
        MENJIN_RETURN_IF_ERROR(s.core.store().UpdateWelfareSettings(settings).status());
        if (!default_days || *default_days == estate.welfare_days)
            return Status::Ok();
        MENJIN_ASSIGN_OR_RETURN(Estate current, s.core.store().GetEstate(estate.id));
        current.welfare_days = static_cast<int>(*default_days);
        return s.core.UpdateEstate(current).status();
    }));
    if (settings.unknown_face_retention_days == 0) {
        MENJIN_ASSIGN_OR_RETURN(int purged, LeadFinder(s.core).PurgeUnknownAttempts(estate.id));
        if (purged > 0)
            MENJIN_RETURN_IF_ERROR(s.core.store().Compact());
    }
    MENJIN_ASSIGN_OR_RETURN(Estate updated, s.core.store().GetEstate(estate.id));
    MENJIN_ASSIGN_OR_RETURN(nlohmann::json out, SettingsJson(s, request.caller, updated));
    return JsonReply(out);
}

Result<ApiReply> EvaluateNow(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(
        WelfareEvaluation alerts,
        WelfareMonitor(s.core.store(), s.core.clock()).EvaluateEstate(estate.id));
    MENJIN_ASSIGN_OR_RETURN(LeadEvaluation leads, LeadFinder(s.core).EvaluateEstate(estate.id));
    return JsonReply({{"alerts", ToJson(alerts)}, {"leads", ToJson(leads)}});
}

// The estate's passages in [from, to) per local day and per hour of the local day, summed
// over the window, in the estate's time zone.
Result<nlohmann::json> PassageSeriesJson(ApiServices& s, const Estate& estate, UnixSeconds from,
                                         UnixSeconds to) {
    PassageQuery query;
    query.estate_id = estate.id;
    query.from = from;
    query.to = to;
    MENJIN_ASSIGN_OR_RETURN(
        std::vector<PassageSeriesPoint> per_day,
        CountPassageSeries(s.core.store(), query, PassageBucket::kDay, estate.timezone));
    MENJIN_ASSIGN_OR_RETURN(
        std::vector<PassageSeriesPoint> per_hour,
        CountPassageSeries(s.core.store(), query, PassageBucket::kHourOfDay, estate.timezone));
    return nlohmann::json{{"timezone", estate.timezone},
                          {"per_day", JsonArray(per_day)},
                          {"per_hour_of_day", JsonArray(per_hour)}};
}

Result<ApiReply> WelfareReportRoute(ApiServices& s, ApiRequest& request) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate,
                            s.authorizer.EstateFor(request.caller, request.Path("estate_id")));
    MENJIN_ASSIGN_OR_RETURN(std::optional<UnixSeconds> to, QueryInstant(request, "to"));
    MENJIN_ASSIGN_OR_RETURN(std::optional<UnixSeconds> from, QueryInstant(request, "from"));
    const UnixSeconds end = to.value_or(s.core.clock().Now());
    const UnixSeconds start = from.value_or(end - 30 * kDay);
    if (start >= end || end - start > 400 * kDay) {
        return InvalidArgument(
            "invalid query parameter 'from': use a time before 'to', at most "
            "400 days earlier",
            "from");
    }
    MENJIN_ASSIGN_OR_RETURN(WelfareReport report,
                            BuildWelfareReport(s.core.store(), estate.id, start, end));
    nlohmann::json out = ToJson(report);
    MENJIN_ASSIGN_OR_RETURN(out["passages"], PassageSeriesJson(s, estate, start, end));
    return JsonReply(out);
}

}  // namespace

std::vector<Route> WelfareRoutes(ApiServices& s) {
    const std::size_t json = s.limits.json_bytes;
    return {
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/alerts", kEstateOperators, "alert.list",
         "estate", "estate_id", 0, [&s](ApiRequest& r) { return ListAlerts(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/alerts/export", kEstateOperators,
         "alert.export", "estate", "estate_id", 0,
         [&s](ApiRequest& r) { return ExportAlerts(s, r); }},
        {HttpMethod::kGet, "/api/v1/alerts/{alert_id}", kEstateOperators, "alert.read",
         "welfare_alert", "alert_id", 0, [&s](ApiRequest& r) { return GetAlert(s, r); }},
        {HttpMethod::kPost, "/api/v1/alerts/{alert_id}/acknowledge", kEstateOperators,
         "alert.acknowledge", "welfare_alert", "alert_id", json,
         [&s](ApiRequest& r) { return AcknowledgeAlert(s, r); }},
        {HttpMethod::kPost, "/api/v1/alerts/{alert_id}/resolve", kEstateOperators, "alert.resolve",
         "welfare_alert", "alert_id", json, [&s](ApiRequest& r) { return ResolveAlert(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/watched-residents", kEstateOperators,
         "welfare.watched.read", "estate", "estate_id", 0,
         [&s](ApiRequest& r) { return ListWatchedResidents(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/welfare-settings", kEstateOperators, "", "",
         "", 0, [&s](ApiRequest& r) { return GetSettings(s, r); }},
        {HttpMethod::kPatch, "/api/v1/estates/{estate_id}/welfare-settings", kCentreAdmin,
         "welfare_settings.update", "estate", "estate_id", json,
         [&s](ApiRequest& r) { return UpdateSettings(s, r); }},
        {HttpMethod::kPost, "/api/v1/estates/{estate_id}/welfare-evaluations", kEstateOperators,
         "welfare.evaluate", "estate", "estate_id", json,
         [&s](ApiRequest& r) { return EvaluateNow(s, r); }},
        {HttpMethod::kGet, "/api/v1/estates/{estate_id}/reports/welfare", kAllOperators, "", "", "",
         0, [&s](ApiRequest& r) { return WelfareReportRoute(s, r); }},
    };
}

}  // namespace menjin
