#include "welfare/welfare_monitor.h"

#include <fmt/format.h>

#include "common/log.h"
#include "welfare/estate_records.h"
#include "welfare/webhook_events.h"
#include "welfare/welfare_settings.h"

namespace menjin {

namespace {

bool IsResident(const Person& person) {
    return person.role == PersonRole::kTenant || person.role == PersonRole::kFamilyMember;
}

bool IsUnresolved(const std::optional<WelfareAlert>& alert) {
    return alert && alert->status != AlertStatus::kResolved;
}

}  // namespace

nlohmann::json ToJson(const WelfareEvaluation& e) {
    return {{"estate_id", e.estate_id}, {"residents", e.residents}, {"watched", e.watched},
            {"absent", e.absent},       {"raised", e.raised},       {"seen_again", e.seen_again}};
}

Result<WelfareEvaluation> WelfareMonitor::EvaluateEstate(const std::string& estate_id) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate, store_.GetEstate(estate_id));
    const UnixSeconds now = clock_.Now();
    MENJIN_ASSIGN_OR_RETURN(std::vector<ResidentWelfare> residents, AssessResidents(estate, now));
    WelfareEvaluation evaluation;
    evaluation.estate_id = estate.id;
    for (const ResidentWelfare& resident : residents) {
        ++evaluation.residents;
        evaluation.watched += resident.check.watched ? 1 : 0;
        evaluation.absent += resident.check.absent ? 1 : 0;
        if (IsUnresolved(resident.alert)) {
            MENJIN_ASSIGN_OR_RETURN(bool seen, NoteSeenAgain(resident));
            evaluation.seen_again += seen ? 1 : 0;
            continue;
        }
        if (!resident.check.absent)
            continue;
        MENJIN_ASSIGN_OR_RETURN(std::optional<std::int64_t> raised,
                                RaiseAlert(resident, estate.id, now));
        if (raised)
            evaluation.raised.push_back(*raised);
    }
    MENJIN_LOG_INFO("welfare: estate {}: {} residents, {} watched, {} absent, {} alerts raised",
                    estate.id, evaluation.residents, evaluation.watched, evaluation.absent,
                    evaluation.raised.size());
    return evaluation;
}

Result<std::vector<WelfareEvaluation>> WelfareMonitor::EvaluateAll() {
    MENJIN_ASSIGN_OR_RETURN(std::vector<Estate> estates, store_.ListEstates());
    std::vector<WelfareEvaluation> evaluations;
    for (const Estate& estate : estates) {
        Result<WelfareEvaluation> evaluation = EvaluateEstate(estate.id);
        if (!evaluation.ok()) {
            MENJIN_LOG_ERROR("welfare: evaluation of estate {} failed: {}", estate.id,
                             evaluation.status().ToString());
            continue;
        }
        evaluations.push_back(std::move(evaluation).value());
    }
    return evaluations;
}

Result<std::vector<ResidentWelfare>> WelfareMonitor::WatchedResidents(
    const std::string& estate_id) {
    MENJIN_ASSIGN_OR_RETURN(Estate estate, store_.GetEstate(estate_id));
    MENJIN_ASSIGN_OR_RETURN(std::vector<ResidentWelfare> residents,
                            AssessResidents(estate, clock_.Now()));
    std::erase_if(residents, [](const ResidentWelfare& r) { return !r.check.watched; });
    return residents;
}

Result<std::vector<ResidentWelfare>> WelfareMonitor::AssessResidents(const Estate& estate,
                                                                     UnixSeconds now) {
    MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings, store_.GetWelfareSettings(estate.id));
    const WelfarePolicy policy = WelfarePolicyOf(estate, settings);
    MENJIN_ASSIGN_OR_RETURN(std::vector<EstateHousehold> households,
                            ListEstateHouseholds(store_, estate.id));
    std::vector<ResidentWelfare> residents;
    for (const EstateHousehold& household : households) {
        for (const Person& person : household.members) {
            if (!IsResident(person))
                continue;
            MENJIN_ASSIGN_OR_RETURN(ResidentWelfare resident, Assess(person, estate, policy, now));
            residents.push_back(std::move(resident));
        }
    }
    return residents;
}

Result<ResidentWelfare> WelfareMonitor::Assess(const Person& person, const Estate& estate,
                                               const WelfarePolicy& policy, UnixSeconds now) {
    ResidentWelfare resident;
    resident.person = person;
    MENJIN_ASSIGN_OR_RETURN(resident.last_passage, store_.LastPassageOfPerson(person.id, now));
    AlertQuery latest;
    latest.person_id = person.id;
    latest.limit = 1;
    MENJIN_ASSIGN_OR_RETURN(std::vector<WelfareAlert> alerts, store_.ListWelfareAlerts(latest));
    if (!alerts.empty())
        resident.alert = alerts.front();

    ResidentActivity activity;
    activity.person_id = person.id;
    activity.birth_year = person.birth_year;
    activity.watch_days = person.welfare_days;
    activity.since = person.created_at;
    if (resident.last_passage)
        activity.last_seen = resident.last_passage->at;
    if (resident.alert && resident.alert->resolved_at)
        activity.last_resolved = resident.alert->resolved_at;
    MENJIN_ASSIGN_OR_RETURN(resident.check, CheckAbsence(activity, policy, now, estate.timezone));
    return resident;
}

Result<std::optional<std::int64_t>> WelfareMonitor::RaiseAlert(const ResidentWelfare& resident,
                                                               const std::string& estate_id,
                                                               UnixSeconds now) {
    WelfareAlert alert;
    alert.estate_id = estate_id;
    alert.person_id = resident.person.id;
    alert.days_required = resident.check.days_required;
    alert.days_since_seen = resident.check.days_since_seen;
    alert.last_seen_at = resident.check.last_sign_of_life;
    if (resident.last_passage)
        alert.last_passage_id = resident.last_passage->id;
    alert.raised_at = now;
    Status status = store_.Transaction([&]() -> Status {
        MENJIN_ASSIGN_OR_RETURN(alert, store_.CreateWelfareAlert(alert));
        return EnqueueNotification(store_, estate_id, kAlertRaisedEvent, AlertRaisedPayload(alert),
                                   now);
    });
    if (status.code() == ErrorCode::kAlreadyExists)
        return std::optional<std::int64_t>();
    MENJIN_RETURN_IF_ERROR(status);
    MENJIN_LOG_INFO(
        "welfare: estate {}: raised alert {} for person {} ({} days without a "
        "passage, {} required)",
        estate_id, alert.id, alert.person_id, alert.days_since_seen, alert.days_required);
    return std::optional<std::int64_t>(alert.id);
}

Result<bool> WelfareMonitor::NoteSeenAgain(const ResidentWelfare& resident) {
    WelfareAlert alert = *resident.alert;
    if (alert.seen_again_at || !resident.last_passage ||
        resident.last_passage->at <= alert.raised_at) {
        return false;
    }
    alert.seen_again_at = resident.last_passage->at;
    Result<WelfareAlert> updated = store_.UpdateWelfareAlert(alert);
    // Staff changed the alert meanwhile; the next evaluation notes the passage.
    if (updated.status().code() == ErrorCode::kConflict)
        return false;
    MENJIN_RETURN_IF_ERROR(updated.status());
    MENJIN_LOG_INFO("welfare: alert {}: person {} passed a gate again (passage {})", alert.id,
                    alert.person_id, resident.last_passage->id);
    return true;
}

Result<WelfareAlert> WelfareMonitor::LoadForChange(std::int64_t alert_id, std::int64_t version) {
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert alert, store_.GetWelfareAlert(alert_id));
    if (alert.version != version) {
        return Status(ErrorCode::kConflict,
                      fmt::format("welfare: alert {} was changed concurrently: expected version "
                                  "{}, stored version {}; reload it and retry",
                                  alert_id, version, alert.version));
    }
    return alert;
}

Result<WelfareAlert> WelfareMonitor::Acknowledge(std::int64_t alert_id, std::int64_t version,
                                                 const std::string& operator_id,
                                                 const std::string& note) {
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert alert, LoadForChange(alert_id, version));
    if (alert.status != AlertStatus::kOpen) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("welfare: alert {} is {}; only an open alert can be "
                                  "acknowledged",
                                  alert_id, AlertStatusName(alert.status)));
    }
    alert.status = AlertStatus::kAcknowledged;
    alert.acknowledged_by = operator_id;
    alert.acknowledged_at = clock_.Now();
    alert.acknowledge_note = note;
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert stored, store_.UpdateWelfareAlert(alert));
    MENJIN_LOG_INFO("welfare: alert {} acknowledged by {}", alert_id, operator_id);
    return stored;
}

Result<WelfareAlert> WelfareMonitor::Resolve(std::int64_t alert_id, std::int64_t version,
                                             const std::string& operator_id, AlertOutcome outcome,
                                             const std::string& note) {
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert alert, LoadForChange(alert_id, version));
    if (alert.status == AlertStatus::kResolved) {
        return Status(ErrorCode::kFailedPrecondition,
                      fmt::format("welfare: alert {} is already resolved", alert_id));
    }
    alert.status = AlertStatus::kResolved;
    alert.resolved_by = operator_id;
    alert.resolved_at = clock_.Now();
    alert.outcome = outcome;
    alert.resolve_note = note;
    MENJIN_ASSIGN_OR_RETURN(WelfareAlert stored, store_.UpdateWelfareAlert(alert));
    MENJIN_LOG_INFO("welfare: alert {} resolved by {} as {}", alert_id, operator_id,
                    AlertOutcomeName(outcome));
    return stored;
}

}  // namespace menjin
