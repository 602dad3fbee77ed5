// LeadFinder: the estate evaluation, the unknown-face purge and the lead lifecycle. The three
// signals are in sublet_leads.cc, unknown_face_leads.cc and duplicate_sweep.cc.

#include "welfare/lead_finder.h"

#include <limits>

#include <fmt/format.h>

#include "common/log.h"
#include "welfare/webhook_events.h"

namespace menjin {

nlohmann::json ToJson(const LeadEvaluation& e) {
    return {
        {"estate_id", e.estate_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.estate_id)},
        {"raised", e.raised},
        {"updated", e.updated},
        {"households", e.households},
        {"unknown_attempts", e.unknown_attempts},
        {"unknown_clusters", e.unknown_clusters},
        {"attempts_purged", e.attempts_purged},
        {"templates_checked", e.templates_checked}};
}

Result<LeadEvaluation> LeadFinder::EvaluateEstate(const std::string& estate_id) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate, core_.store().GetEstate(estate_id));
    MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings,
                            core_.store().GetWelfareSettings(estate.id));
    LeadEvaluation evaluation;
    evaluation.estate_id = estate.id;
    MENJIN_ASSIGN_OR_RETURN(evaluation.attempts_purged, PurgeUnknownAttempts(estate.id));
    MENJIN_RETURN_IF_ERROR(FindSublets(estate, settings, evaluation));
    MENJIN_RETURN_IF_ERROR(FindRecurringStrangers(estate, settings, evaluation));
    MENJIN_LOG_INFO(
        "leads: estate {}: {} households, {} unknown faces in {} clusters, {} purged, {} leads "
        "raised, {} updated",
        estate.id, evaluation.households, evaluation.unknown_attempts, evaluation.unknown_clusters,
        evaluation.attempts_purged, evaluation.raised.size(), evaluation.updated.size());
    return evaluation;
}

Result<std::vector<LeadEvaluation>> LeadFinder::EvaluateAll() {
    MENJIN_ASSIGN_OR_RETURN(std::vector<Estate> estates, core_.store().ListEstates());
    std::vector<LeadEvaluation> evaluations;
    for (const Estate& estate : estates) {
        Result<LeadEvaluation> evaluation = EvaluateEstate(estate.id);
        if (!evaluation.ok()) {
            MENJIN_LOG_ERROR("leads: evaluation of estate {} failed: {}", estate.id,
                             evaluation.status().ToString());
            continue;
        }
        evaluations.push_back(std::move(evaluation).value());
    }
    return evaluations;
}

Result<int> LeadFinder::PurgeUnknownAttempts(const std::string& estate_id) {
    MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings,
                            core_.store().GetWelfareSettings(estate_id));
    const UnixSeconds now = core_.clock().Now();
    // With retention off nothing may stay, also attempts stamped ahead of the clock.
    const UnixSeconds cutoff =
        settings.unknown_face_retention_days > 0
            ? now - static_cast<UnixSeconds>(settings.unknown_face_retention_days) * 86400
            : std::numeric_limits<UnixSeconds>::max();
    MENJIN_ASSIGN_OR_RETURN(int purged,
                            core_.store().PurgeUnknownAttemptsBefore(estate_id, cutoff));
    if (purged > 0 && settings.unknown_face_retention_days > 0) {
        MENJIN_LOG_INFO("leads: estate {}: purged {} unknown faces older than {} days", estate_id,
                        purged, settings.unknown_face_retention_days);
    } else if (purged > 0) {
        MENJIN_LOG_INFO("leads: estate {}: purged {} unknown faces because retention is off",
                        estate_id, purged);
    }
    return purged;
}

Result<float> LeadFinder::ClusterThreshold() const {
    MENJIN_ASSIGN_OR_RETURN(ImpostorTail tail, core_.ImpostorTailOfKind());
    return tail.ThresholdForFar(kClusterFar);
}

Result<Lead> LeadFinder::Close(std::int64_t lead_id, std::int64_t version,
                               const std::string& operator_id, LeadOutcome outcome,
                               const std::string& note) {
    MENJIN_ASSIGN_OR_RETURN(Lead lead, core_.store().GetLead(lead_id));
    if (lead.version != version) {
        return Status(ErrorCode::kConflict,
                      fmt::format("leads: lead {} was changed concurrently: expected version {}, "
                                  "stored version {}; reload it and retry",
                                  lead_id, version, lead.version));
    }
    if (lead.status != LeadStatus::kOpen) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("leads: lead {} is already closed", lead_id));
    }
    lead.status = LeadStatus::kClosed;
    lead.closed_by = operator_id;
    lead.closed_at = core_.clock().Now();
    lead.outcome = outcome;
    lead.close_note = note;
    MENJIN_ASSIGN_OR_RETURN(Lead stored, core_.store().UpdateLead(lead));
    MENJIN_LOG_INFO("leads: lead {} closed by {} as {}", lead_id, operator_id,
                    LeadOutcomeName(outcome));
    return stored;
}

Status LeadFinder::Raise(Lead lead, const std::vector<std::string>& person_ids,
                         LeadEvaluation& evaluation) {
    const UnixSeconds now = core_.clock().Now();
    lead.status = LeadStatus::kOpen;
    lead.raised_at = now;
    lead.updated_at = now;
    MENJIN_ASSIGN_OR_RETURN(Lead stored, core_.store().CreateLead(lead));
    MENJIN_RETURN_IF_ERROR(EnqueueNotification(core_.store(), stored.estate_id, kLeadRaisedEvent,
                                               LeadRaisedPayload(stored, person_ids), now));
    evaluation.raised.push_back(stored.id);
    MENJIN_LOG_INFO("leads: raised lead {} ({}) in estate {} about {}", stored.id,
                    LeadKindName(stored.kind),
                    stored.estate_id.empty() ? "(all)" : stored.estate_id, stored.subject);
    return Status::Ok();
}

Status LeadFinder::Refresh(Lead lead, const std::string& evidence, LeadEvaluation& evaluation) {
    if (lead.evidence == evidence)
        return Status::Ok();
    lead.evidence = evidence;
    lead.updated_at = core_.clock().Now();
    Result<Lead> stored = core_.store().UpdateLead(lead);
    // Staff closed or edited the lead meanwhile, so the next evaluation reads the new state.
    if (stored.status().code() == ErrorCode::kConflict)
        return Status::Ok();
    MENJIN_RETURN_IF_ERROR(stored.status());
    evaluation.updated.push_back(lead.id);
    return Status::Ok();
}

}  // namespace menjin
