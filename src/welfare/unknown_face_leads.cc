// LeadFinder: the recurring unknown face signal. The kept templates of unknown faces are
// clustered with the recognition engine's score (unknown_face_clusters.h). A cluster with
// enough attempts on enough local days becomes a lead. The evidence lists each attempt's id,
// time, gate and passage, never a template.

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "common/local_time.h"
#include "welfare/lead_finder.h"
#include "welfare/unknown_face_clusters.h"

namespace menjin {

namespace {

// Most recent leads of the estate compared with each cluster; older ones name attempts that
// the retention purge has removed, so they cannot overlap.
constexpr int kLeadsCompared = 1000;

nlohmann::json AttemptEntry(const UnknownFaceAttempt& attempt) {
    return {{"id", attempt.id},
            {"at", FormatUtc(attempt.at)},
            {"gate_id", attempt.gate_id},
            {"passage_id", attempt.passage_id}};
}

std::set<std::int64_t> AttemptIds(const nlohmann::json& entries) {
    std::set<std::int64_t> ids;
    for (const nlohmann::json& entry : entries)
        ids.insert(entry.value("id", std::int64_t{0}));
    return ids;
}

// Returns the "attempts" array of a stored lead's evidence, or an empty array.
nlohmann::json StoredAttempts(const Lead& lead) {
    nlohmann::json evidence = nlohmann::json::parse(lead.evidence, nullptr, false);
    if (!evidence.is_object() || !evidence.contains("attempts") ||
        !evidence["attempts"].is_array()) {
        return nlohmann::json::array();
    }
    return evidence["attempts"];
}

bool Overlaps(const std::set<std::int64_t>& a, const std::set<std::int64_t>& b) {
    return std::any_of(a.begin(), a.end(), [&](std::int64_t id) { return b.count(id) > 0; });
}

// The evidence of a cluster: the attempts in time order with their count, local days, gates
// and first and last time, and the threshold that joined them.
Result<nlohmann::json> DescribeAttempts(nlohmann::json entries, const std::string& time_zone,
                                        float threshold) {
    std::sort(entries.begin(), entries.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a.value("at", "") < b.value("at", "");
    });
    std::set<std::int64_t> days;
    std::set<std::string> gates;
    for (const nlohmann::json& entry : entries) {
        MENJIN_ASSIGN_OR_RETURN(UnixSeconds at, ParseUtc(entry.value("at", "")));
        MENJIN_ASSIGN_OR_RETURN(LocalTime local, ToLocalTime(at, time_zone));
        days.insert(local.local_day_number);
        gates.insert(entry.value("gate_id", ""));
    }
    return nlohmann::json{
        {"attempt_count", entries.size()},
        {"distinct_days", days.size()},
        {"gates", gates},
        {"first_at", entries.empty() ? nlohmann::json(nullptr) : entries.front()["at"]},
        {"last_at", entries.empty() ? nlohmann::json(nullptr) : entries.back()["at"]},
        {"threshold", threshold},
        {"comparison_far", LeadFinder::kClusterFar},
        {"attempts", entries},
    };
}

bool Qualifies(const nlohmann::json& evidence, const EstateWelfareSettings& settings) {
    return evidence.value("attempt_count", 0) >= settings.unknown_face_min_attempts &&
           evidence.value("distinct_days", 0) >= settings.unknown_face_min_days;
}

// Adds the entries of `more` whose id `entries` lacks.
void MergeEntries(nlohmann::json& entries, const nlohmann::json& more) {
    const std::set<std::int64_t> known = AttemptIds(entries);
    for (const nlohmann::json& entry : more) {
        if (!known.count(entry.value("id", std::int64_t{0})))
            entries.push_back(entry);
    }
}

// Returns the entries of `attempts` that closed leads did not name (`closed_ids`) and that
// came after the last closing (`closed_at`, 0 when none).
Result<nlohmann::json> UnreviewedAttempts(const nlohmann::json& attempts,
                                          const std::set<std::int64_t>& closed_ids,
                                          UnixSeconds closed_at) {
    nlohmann::json fresh = nlohmann::json::array();
    for (const nlohmann::json& entry : attempts) {
        MENJIN_ASSIGN_OR_RETURN(UnixSeconds at, ParseUtc(entry.value("at", "")));
        if (!closed_ids.count(entry.value("id", std::int64_t{0})) && at > closed_at)
            fresh.push_back(entry);
    }
    return fresh;
}

}  // namespace

Status LeadFinder::FindRecurringStrangers(const Estate& estate,
                                          const EstateWelfareSettings& settings,
                                          LeadEvaluation& evaluation) {
    if (settings.unknown_face_retention_days <= 0)
        return Status::Ok();
    const UnixSeconds since =
        core_.clock().Now() -
        static_cast<UnixSeconds>(settings.unknown_face_retention_days) * 86400;
    MENJIN_ASSIGN_OR_RETURN(std::vector<UnknownFaceAttempt> kept,
                            core_.store().ListUnknownAttempts(estate.id, since));
    evaluation.unknown_attempts = static_cast<int>(kept.size());
    MENJIN_ASSIGN_OR_RETURN(const float threshold, ClusterThreshold());
    std::map<std::int64_t, nlohmann::json> entries;
    std::vector<UnknownAttempt> attempts;
    for (UnknownFaceAttempt& attempt : kept) {
        entries[attempt.id] = AttemptEntry(attempt);
        attempts.push_back({attempt.id, attempt.gate_id, attempt.at, std::move(attempt.values)});
    }
    const TemplateScorer score = [this](std::span<const float> a, std::span<const float> b) {
        return core_.Score(a, b);
    };
    MENJIN_ASSIGN_OR_RETURN(
        std::vector<UnknownCluster> clusters,
        ClusterUnknownAttempts(std::move(attempts), score, threshold, estate.timezone));
    evaluation.unknown_clusters = static_cast<int>(clusters.size());
    for (const UnknownCluster& cluster : clusters) {
        nlohmann::json members = nlohmann::json::array();
        for (std::int64_t id : cluster.attempt_ids)
            members.push_back(entries[id]);
        MENJIN_RETURN_IF_ERROR(RecordCluster(estate, settings, members, threshold, evaluation));
    }
    return Status::Ok();
}

// Attempts that staff already reviewed never count again: after a closed lead that shares
// attempts with the cluster, only the cluster's attempts after its closing that it did not name
// count. An open lead that shares an attempt with the cluster takes those attempts, whatever
// their number. Otherwise they become a new lead when there are enough of them on enough days.
Status LeadFinder::RecordCluster(const Estate& estate, const EstateWelfareSettings& settings,
                                 const nlohmann::json& attempts, float threshold,
                                 LeadEvaluation& evaluation) {
    const std::set<std::int64_t> ids = AttemptIds(attempts);
    return core_.store().Transaction([&]() -> Status {
        LeadQuery query;
        query.estate_id = estate.id;
        query.kind = LeadKind::kRecurringUnknownFace;
        query.limit = kLeadsCompared;
        MENJIN_ASSIGN_OR_RETURN(std::vector<Lead> leads, core_.store().ListLeads(query));
        std::optional<Lead> open;  // the newest open lead sharing an attempt
        std::set<std::int64_t> closed_ids;
        UnixSeconds closed_at = 0;
        for (const Lead& lead : leads) {
            const std::set<std::int64_t> stored_ids = AttemptIds(StoredAttempts(lead));
            if (!Overlaps(ids, stored_ids))
                continue;
            if (lead.status == LeadStatus::kOpen) {
                if (!open)
                    open = lead;
                continue;
            }
            closed_ids.insert(stored_ids.begin(), stored_ids.end());
            closed_at = std::max(closed_at, lead.closed_at.value_or(0));
        }
        MENJIN_ASSIGN_OR_RETURN(nlohmann::json fresh,
                                UnreviewedAttempts(attempts, closed_ids, closed_at));
        if (open) {
            nlohmann::json stored = StoredAttempts(*open);
            MergeEntries(stored, fresh);
            MENJIN_ASSIGN_OR_RETURN(nlohmann::json evidence,
                                    DescribeAttempts(stored, estate.timezone, threshold));
            return Refresh(*open, evidence.dump(), evaluation);
        }
        MENJIN_ASSIGN_OR_RETURN(nlohmann::json evidence,
                                DescribeAttempts(fresh, estate.timezone, threshold));
        if (!Qualifies(evidence, settings))
            return Status::Ok();
        Lead lead;
        lead.kind = LeadKind::kRecurringUnknownFace;
        lead.estate_id = estate.id;
        lead.subject =
            "unknown:" + std::to_string(evidence["attempts"][0].value("id", std::int64_t{0}));
        lead.evidence = evidence.dump();
        return Raise(std::move(lead), {}, evaluation);
    });
}

}  // namespace menjin
