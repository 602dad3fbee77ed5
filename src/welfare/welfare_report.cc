#include "welfare/welfare_report.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "common/local_time.h"

namespace menjin {

namespace {

// Every time zone in use today is offset from UTC by a multiple of 15 minutes, so counting
// passages per UTC quarter hour and labelling each quarter in local time puts every passage in
// its local hour and day.
constexpr int kQuarterHour = 900;
constexpr UnixSeconds kDay = 86400;
// Alerts and leads read per page.
constexpr int kPage = 1000;

Result<std::string> LabelOf(UnixSeconds at, PassageBucket bucket, const std::string& time_zone) {
    MENJIN_ASSIGN_OR_RETURN(LocalTime local, ToLocalTime(at, time_zone));
    const int hour = local.minute_of_day / 60;
    switch (bucket) {
        case PassageBucket::kDay:
            return fmt::format("{:04}-{:02}-{:02}", local.year, local.month, local.day);
        case PassageBucket::kHour:
            return fmt::format("{:04}-{:02}-{:02}T{:02}:00", local.year, local.month, local.day,
                               hour);
        case PassageBucket::kHourOfDay:
            return fmt::format("{:02}", hour);
    }
    return Internal("report: unknown passage bucket");
}

// The empty points of the window in time order, and the index of each label.
Result<std::vector<PassageSeriesPoint>> EmptySeries(UnixSeconds from, UnixSeconds to,
                                                    PassageBucket bucket,
                                                    const std::string& time_zone,
                                                    std::map<std::string, std::size_t>& index) {
    std::vector<PassageSeriesPoint> points;
    if (bucket == PassageBucket::kHourOfDay) {
        for (int hour = 0; hour < 24; ++hour) {
            index[fmt::format("{:02}", hour)] = points.size();
            points.push_back({fmt::format("{:02}", hour)});
        }
        return points;
    }
    for (UnixSeconds t = from - from % kQuarterHour; t < to; t += kQuarterHour) {
        MENJIN_ASSIGN_OR_RETURN(std::string label, LabelOf(t, bucket, time_zone));
        if (index.emplace(label, points.size()).second)
            points.push_back({label, std::max(t, from)});
    }
    return points;
}

void AddCount(PassageSeriesPoint& point, DecisionBand band, std::int64_t count) {
    switch (band) {
        case DecisionBand::kGrant:
            point.grant += count;
            break;
        case DecisionBand::kDeny:
            point.deny += count;
            break;
        case DecisionBand::kRetry:
            point.retry += count;
            break;
    }
}

Result<std::vector<WelfareAlert>> AlertsRaisedIn(Store& store, const std::string& estate_id,
                                                 UnixSeconds from, UnixSeconds to) {
    AlertQuery query;
    query.estate_id = estate_id;
    query.raised_from = from;
    query.raised_to = to;
    query.limit = kPage;
    std::vector<WelfareAlert> alerts;
    while (true) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> page, store.ListWelfareAlerts(query));
        alerts.insert(alerts.end(), page.begin(), page.end());
        if (page.size() < static_cast<std::size_t>(kPage))
            return alerts;
        query.before_id = page.back().id;
    }
}

Result<std::int64_t> CountAlerts(Store& store, const std::string& estate_id, AlertStatus status) {
    AlertQuery query;
    query.estate_id = estate_id;
    query.statuses = {status};
    query.limit = kPage;
    std::int64_t count = 0;
    while (true) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> page, store.ListWelfareAlerts(query));
        count += static_cast<std::int64_t>(page.size());
        if (page.size() < static_cast<std::size_t>(kPage))
            return count;
        query.before_id = page.back().id;
    }
}

// Adds the estate's open leads per kind and the leads raised in the window.
Status CountLeads(Store& store, WelfareReport& report) {
    LeadQuery query;
    query.estate_id = report.estate_id;
    query.limit = kPage;
    while (true) {
        MENJIN_ASSIGN_OR_RETURN(std::vector<Lead> page, store.ListLeads(query));
        for (const Lead& lead : page) {
            if (lead.status == LeadStatus::kOpen)
                ++report.open_leads_by_kind[LeadKindName(lead.kind)];
            if (lead.raised_at >= report.from && lead.raised_at < report.to)
                ++report.leads_raised;
        }
        if (page.size() < static_cast<std::size_t>(kPage))
            return Status::Ok();
        query.before_id = page.back().id;
    }
}

void AddAcknowledgeTimes(const std::vector<WelfareAlert>& alerts, WelfareReport& report) {
    std::vector<double> seconds;
    for (const WelfareAlert& alert : alerts) {
        if (alert.acknowledged_at)
            seconds.push_back(static_cast<double>(*alert.acknowledged_at - alert.raised_at));
    }
    report.acknowledged = static_cast<std::int64_t>(seconds.size());
    if (seconds.empty())
        return;
    std::sort(seconds.begin(), seconds.end());
    report.mean_seconds_to_acknowledge =
        std::accumulate(seconds.begin(), seconds.end(), 0.0) / static_cast<double>(seconds.size());
    const std::size_t middle = seconds.size() / 2;
    report.median_seconds_to_acknowledge =
        seconds.size() % 2 == 1 ? seconds[middle] : (seconds[middle - 1] + seconds[middle]) / 2;
}

nlohmann::json OptionalNumber(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::optional<PassageBucket> ParsePassageBucket(const std::string& text) {
    if (text == "day")
        return PassageBucket::kDay;
    if (text == "hour")
        return PassageBucket::kHour;
    if (text == "hour_of_day")
        return PassageBucket::kHourOfDay;
    return std::nullopt;
}

UnixSeconds MaxSeriesWindow(PassageBucket bucket) {
    return bucket == PassageBucket::kHour ? 31 * kDay : 400 * kDay;
}

Result<std::vector<PassageSeriesPoint>> CountPassageSeries(Store& store, const PassageQuery& query,
                                                           PassageBucket bucket,
                                                           const std::string& time_zone) {
    if (!query.from || !query.to || *query.to <= *query.from ||
        *query.to - *query.from > MaxSeriesWindow(bucket)) {
        return InvalidArgument(
            fmt::format("report: a passage series needs from before to, at most {} days apart",
                        MaxSeriesWindow(bucket) / kDay),
            "from");
    }
    std::map<std::string, std::size_t> index;
    MENJIN_ASSIGN_OR_RETURN(std::vector<PassageSeriesPoint> points,
                            EmptySeries(*query.from, *query.to, bucket, time_zone, index));
    MENJIN_ASSIGN_OR_RETURN(std::vector<PassageIntervalCount> counts,
                            store.CountPassagesPerInterval(query, kQuarterHour));
    for (const PassageIntervalCount& count : counts) {
        MENJIN_ASSIGN_OR_RETURN(std::string label, LabelOf(count.start, bucket, time_zone));
        auto found = index.find(label);
        if (found != index.end())
            AddCount(points[found->second], count.band, count.count);
    }
    return points;
}

nlohmann::json ToJson(const PassageSeriesPoint& p) {
    nlohmann::json out = {
        {"label", p.label}, {"grant", p.grant}, {"deny", p.deny}, {"retry", p.retry}};
    if (p.start != 0)
        out["start"] = FormatUtc(p.start);
    return out;
}

Result<WelfareReport> BuildWelfareReport(Store& store, const std::string& estate_id,
                                         UnixSeconds from, UnixSeconds to) {
    WelfareReport report;
    report.estate_id = estate_id;
    report.from = from;
    report.to = to;
    MENJIN_ASSIGN_OR_RETURN(report.open_alerts, CountAlerts(store, estate_id, AlertStatus::kOpen));
    MENJIN_ASSIGN_OR_RETURN(report.acknowledged_alerts,
                            CountAlerts(store, estate_id, AlertStatus::kAcknowledged));
    MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> raised,
                            AlertsRaisedIn(store, estate_id, from, to));
    report.alerts_raised = static_cast<std::int64_t>(raised.size());
    for (const WelfareAlert& alert : raised) {
        if (alert.outcome) {
            ++report.alerts_resolved;
            ++report.resolved_by_outcome[AlertOutcomeName(*alert.outcome)];
        }
    }
    AddAcknowledgeTimes(raised, report);
    MENJIN_RETURN_IF_ERROR(CountLeads(store, report));
    MENJIN_ASSIGN_OR_RETURN(auto webhooks, store.CountWebhooks(estate_id));
    for (const auto& [status, count] : webhooks) {
        (status == WebhookStatus::kPending ? report.webhooks_pending : report.webhooks_failed) =
            count;
    }
    return report;
}

nlohmann::json ToJson(const WelfareReport& r) {
    return {
        {"estate_id", r.estate_id},
        {"from", FormatUtc(r.from)},
        {"to", FormatUtc(r.to)},
        {"alerts",
         {{"open", r.open_alerts},
          {"acknowledged", r.acknowledged_alerts},
          {"raised", r.alerts_raised},
          {"resolved", r.alerts_resolved},
          {"resolved_by_outcome", r.resolved_by_outcome}}},
        {"time_to_acknowledge",
         {{"acknowledged", r.acknowledged},
          {"mean_seconds", OptionalNumber(r.mean_seconds_to_acknowledge)},
          {"median_seconds", OptionalNumber(r.median_seconds_to_acknowledge)}}},
        {"leads", {{"open_by_kind", r.open_leads_by_kind}, {"raised", r.leads_raised}}},
        {"webhooks", {{"pending", r.webhooks_pending}, {"failed", r.webhooks_failed}}},
    };
}

}  // namespace menjin
