#pragma once

// Aggregate reports for the console's charts: passages per local day, hour or hour of day, and
// per-estate alert and lead figures. They carry counts and durations only, no person ids, so
// auditors may read them.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "storage/store.h"

namespace menjin {

enum class PassageBucket {
    kDay,        // local calendar days, labelled "YYYY-MM-DD"
    kHour,       // local hours, labelled "YYYY-MM-DDTHH:00"
    kHourOfDay,  // hours of the local day summed over the window, labelled "00" to "23"
};
std::optional<PassageBucket> ParsePassageBucket(const std::string& text);
// Returns the longest window a series may cover, in seconds: 31 days for hours, 400 otherwise.
UnixSeconds MaxSeriesWindow(PassageBucket bucket);

// Passages of one bucket by band. `start` is the first instant of the bucket inside the window
// (0 for hours of the day).
struct PassageSeriesPoint {
    std::string label;
    UnixSeconds start = 0;
    std::int64_t grant = 0;
    std::int64_t deny = 0;
    std::int64_t retry = 0;
};

// Counts the passages of `query` in [from, to) per bucket of `time_zone`, with a zero point for
// every bucket without passages, in time order. A local hour that a daylight-saving change
// repeats is one point; a skipped one has none. Needs query.from and query.to set, with
// to - from at most MaxSeriesWindow (kInvalidArgument naming "from" otherwise).
Result<std::vector<PassageSeriesPoint>> CountPassageSeries(Store& store, const PassageQuery& query,
                                                           PassageBucket bucket,
                                                           const std::string& time_zone);

nlohmann::json ToJson(const PassageSeriesPoint& point);

// Welfare alert and lead figures of one estate.
struct WelfareReport {
    std::string estate_id;
    UnixSeconds from = 0;  // window of "raised" counts and acknowledgement times
    UnixSeconds to = 0;
    // Current totals, whenever raised.
    std::int64_t open_alerts = 0;
    std::int64_t acknowledged_alerts = 0;
    std::map<std::string, std::int64_t> open_leads_by_kind;
    // Raised in the window.
    std::int64_t alerts_raised = 0;
    std::int64_t alerts_resolved = 0;  // of those raised in the window
    std::map<std::string, std::int64_t> resolved_by_outcome;
    std::int64_t leads_raised = 0;
    // Seconds from raising to acknowledgement of the window's acknowledged alerts.
    std::int64_t acknowledged = 0;
    std::optional<double> mean_seconds_to_acknowledge;
    std::optional<double> median_seconds_to_acknowledge;
    // Webhook messages of the estate waiting for delivery and given up.
    std::int64_t webhooks_pending = 0;
    std::int64_t webhooks_failed = 0;
};

Result<WelfareReport> BuildWelfareReport(Store& store, const std::string& estate_id,
                                         UnixSeconds from, UnixSeconds to);

nlohmann::json ToJson(const WelfareReport& report);

}  // namespace menjin
