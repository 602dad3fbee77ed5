#pragma once

// Records of the welfare and lead features: per-estate settings, welfare alerts with their
// lifecycle, leads of possible subletting or misuse with their evidence, the short-lived
// templates of unknown faces, and the webhook outbox. Plain data, no I/O; conventions as in
// domain/records.h (Unix seconds, versions that increase by one on each update).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/records.h"

namespace menjin {

// Welfare and lead settings of one estate. The default number of days without a passage is
// Estate::welfare_days; everything else is here. Stored in its own table (one row per estate,
// created on the first change), so each value is typed, range-checked and versioned.
struct EstateWelfareSettings {
    std::string estate_id;
    // Residents at least this old (from birth_year) are watched; 0 watches every resident.
    int min_age = 70;
    // "Tenant absent, unit in use": the tenant unseen for this many whole local days, while others
    // used the unit on at least sublet_min_use_days days with sublet_min_use_passages passages.
    int sublet_days = 30;
    int sublet_min_use_days = 7;
    int sublet_min_use_passages = 10;
    // Days an unknown face's template is kept for finding recurring strangers; 0 keeps none.
    int unknown_face_retention_days = 14;
    // A recurring unknown face needs this many attempts on at least this many local days.
    int unknown_face_min_attempts = 3;
    int unknown_face_min_days = 2;
    // http:// or https:// URL that receives a JSON POST for each new alert and lead; empty
    // for none. It may carry a secret token, so it is never logged.
    std::string webhook_url;
    // Minutes between scheduled evaluations of this estate inside `menjin serve`.
    int evaluation_interval_minutes = 15;
    // 0 while the estate still uses the defaults (no stored row).
    std::int64_t version = 0;
};

enum class AlertStatus { kOpen, kAcknowledged, kResolved };
const char* AlertStatusName(AlertStatus status);
std::optional<AlertStatus> ParseAlertStatus(const std::string& text);

// Outcome that staff record when they resolve a welfare alert.
enum class AlertOutcome { kVisitedWell, kInHospital, kAwayWithFamily, kOther };
const char* AlertOutcomeName(AlertOutcome outcome);
std::optional<AlertOutcome> ParseAlertOutcome(const std::string& text);

// A watched resident who has not passed any gate for their number of days. The system only
// raises it; staff acknowledge and resolve it.
struct WelfareAlert {
    std::int64_t id = 0;
    std::string estate_id;
    // The resident, or their pseudonym after a move-out.
    std::string person_id;
    AlertStatus status = AlertStatus::kOpen;
    // Evidence at raising time: the days required and the whole local days without a passage.
    int days_required = 0;
    int days_since_seen = 0;
    // Last sign of life: the last passage naming the person, or when they were added.
    UnixSeconds last_seen_at = 0;
    std::optional<std::int64_t> last_passage_id;  // none when never seen at a gate
    UnixSeconds raised_at = 0;
    // First passage of the person after the alert was raised, found by a later evaluation.
    std::optional<UnixSeconds> seen_again_at;
    std::string acknowledged_by;  // operator id
    std::optional<UnixSeconds> acknowledged_at;
    std::string acknowledge_note;
    std::string resolved_by;
    std::optional<UnixSeconds> resolved_at;
    std::optional<AlertOutcome> outcome;
    std::string resolve_note;
    std::int64_t version = 1;
};

enum class LeadKind { kTenantAbsentUnitInUse, kRecurringUnknownFace, kDuplicateIdentity };
const char* LeadKindName(LeadKind kind);
std::optional<LeadKind> ParseLeadKind(const std::string& text);

enum class LeadStatus { kOpen, kClosed };
const char* LeadStatusName(LeadStatus status);
std::optional<LeadStatus> ParseLeadStatus(const std::string& text);

// Outcome that staff record when they close a lead.
enum class LeadOutcome { kConfirmed, kNoIssue, kRecognitionError, kOther };
const char* LeadOutcomeName(LeadOutcome outcome);
std::optional<LeadOutcome> ParseLeadOutcome(const std::string& text);

// A lead for staff to review: a possible sublet, a recurring stranger or one face enrolled as
// two people. `evidence` is a JSON object whose fields depend on the kind (see
// docs/welfare.md). It contains ids, counts and times, never names, addresses or templates.
struct Lead {
    std::int64_t id = 0;
    LeadKind kind = LeadKind::kTenantAbsentUnitInUse;
    // The estate whose inbox shows the lead; empty for a duplicate identity across estates,
    // which only centre admins see.
    std::string estate_id;
    // Subject of the lead: the tenant's person id, "unknown:<first attempt id>", or the two
    // person ids of a duplicate joined by '|' in sorted order.
    std::string subject;
    std::string evidence;  // JSON object text
    LeadStatus status = LeadStatus::kOpen;
    UnixSeconds raised_at = 0;
    UnixSeconds updated_at = 0;  // last time an evaluation refreshed the evidence
    std::string closed_by;
    std::optional<UnixSeconds> closed_at;
    std::optional<LeadOutcome> outcome;
    std::string close_note;
    std::int64_t version = 1;
};

// A face at a gate that matched no enrolled person, kept (encrypted) only for the estate's
// retention window so that a recurring stranger can be found. No image is kept.
struct UnknownFaceAttempt {
    std::int64_t id = 0;
    std::string estate_id;
    std::string gate_id;
    std::int64_t passage_id = 0;
    UnixSeconds at = 0;
    std::vector<float> values;  // the face template, decrypted
};

enum class WebhookStatus { kPending, kFailed };

// One notification waiting in the persistent outbox. Delivered messages are deleted.
struct WebhookMessage {
    std::int64_t id = 0;
    std::string estate_id;
    std::string event;    // e.g. "alert.raised"
    std::string payload;  // JSON object text
    UnixSeconds created_at = 0;
    int attempts = 0;
    UnixSeconds next_attempt_at = 0;
    std::string last_error;
    WebhookStatus status = WebhookStatus::kPending;
};

}  // namespace menjin
