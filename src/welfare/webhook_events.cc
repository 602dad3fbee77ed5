#include "welfare/webhook_events.h"

#include <nlohmann/json.hpp>

#include "common/local_time.h"

namespace menjin {

std::string AlertRaisedPayload(const WelfareAlert& alert) {
    return nlohmann::json{{"event", kAlertRaisedEvent},
                          {"alert_id", alert.id},
                          {"estate_id", alert.estate_id},
                          {"person_id", alert.person_id},
                          {"raised_at", FormatUtc(alert.raised_at)},
                          {"link", "/api/v1/alerts/" + std::to_string(alert.id)}}
        .dump();
}

std::string LeadRaisedPayload(const Lead& lead, const std::vector<std::string>& person_ids) {
    return nlohmann::json{{"event", kLeadRaisedEvent},
                          {"lead_id", lead.id},
                          {"kind", LeadKindName(lead.kind)},
                          {"estate_id", lead.estate_id},
                          {"person_ids", person_ids},
                          {"raised_at", FormatUtc(lead.raised_at)},
                          {"link", "/api/v1/leads/" + std::to_string(lead.id)}}
        .dump();
}

Status EnqueueNotification(Store& store, const std::string& estate_id, const std::string& event,
                           const std::string& payload, UnixSeconds now) {
    if (estate_id.empty())
        return Status::Ok();
    MENJIN_ASSIGN_OR_RETURN(EstateWelfareSettings settings, store.GetWelfareSettings(estate_id));
    if (settings.webhook_url.empty())
        return Status::Ok();
    WebhookMessage message;
    message.estate_id = estate_id;
    message.event = event;
    message.payload = payload;
    message.created_at = now;
    message.next_attempt_at = now;
    return store.EnqueueWebhook(message).status();
}

}  // namespace menjin
