#pragma once

// The notifications that alerts and leads put into the webhook outbox. A payload carries ids,
// the kind and the time only, never names, phone numbers, addresses or faces:
//
//   {"event": "alert.raised", "alert_id": 7, "estate_id": "e1", "person_id": "p1",
//    "raised_at": "2025-03-09T00:10:00Z", "link": "/api/v1/alerts/7"}
//   {"event": "lead.raised", "lead_id": 3, "kind": "recurring_unknown_face",
//    "estate_id": "e1", "person_ids": [], "raised_at": "...", "link": "/api/v1/leads/3"}

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/welfare_records.h"
#include "storage/store.h"

namespace menjin {

inline constexpr const char* kAlertRaisedEvent = "alert.raised";
inline constexpr const char* kLeadRaisedEvent = "lead.raised";

std::string AlertRaisedPayload(const WelfareAlert& alert);
// `person_ids` are the people the lead names (the tenant, or both people of a duplicate).
std::string LeadRaisedPayload(const Lead& lead, const std::vector<std::string>& person_ids);

// Puts the message into the outbox, due at `now`, when the estate has a webhook URL, and does
// nothing otherwise (also for the empty estate of a city-wide lead). Returns the store's error.
Status EnqueueNotification(Store& store, const std::string& estate_id, const std::string& event,
                           const std::string& payload, UnixSeconds now);

}  // namespace menjin
