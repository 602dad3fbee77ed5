#include "domain/welfare_json.h"

#include "common/local_time.h"

namespace menjin {

namespace {

nlohmann::json OptionalInstant(const std::optional<UnixSeconds>& at) {
    return at ? nlohmann::json(FormatUtc(*at)) : nlohmann::json(nullptr);
}

nlohmann::json OptionalText(const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json ToJson(const WelfareAlert& a) {
    return {
        {"id", a.id},
        {"estate_id", a.estate_id},
        {"person_id", a.person_id},
        {"status", AlertStatusName(a.status)},
        {"days_required", a.days_required},
        {"days_since_seen", a.days_since_seen},
        {"last_seen_at", FormatUtc(a.last_seen_at)},
        {"last_passage_id", a.last_passage_id ? nlohmann::json(*a.last_passage_id) : nullptr},
        {"raised_at", FormatUtc(a.raised_at)},
        {"seen_again_at", OptionalInstant(a.seen_again_at)},
        {"acknowledged_by", OptionalText(a.acknowledged_by)},
        {"acknowledged_at", OptionalInstant(a.acknowledged_at)},
        {"acknowledge_note", a.acknowledge_note},
        {"resolved_by", OptionalText(a.resolved_by)},
        {"resolved_at", OptionalInstant(a.resolved_at)},
        {"outcome", a.outcome ? nlohmann::json(AlertOutcomeName(*a.outcome)) : nullptr},
        {"resolve_note", a.resolve_note},
        {"version", a.version},
    };
}

nlohmann::json ToJson(const Lead& l) {
    nlohmann::json evidence = nlohmann::json::parse(l.evidence, nullptr, false);
    if (evidence.is_discarded())
        evidence = nullptr;
    return {
        {"id", l.id},
        {"kind", LeadKindName(l.kind)},
        {"estate_id", OptionalText(l.estate_id)},
        {"subject", l.subject},
        {"evidence", evidence},
        {"status", LeadStatusName(l.status)},
        {"raised_at", FormatUtc(l.raised_at)},
        {"updated_at", FormatUtc(l.updated_at)},
        {"closed_by", OptionalText(l.closed_by)},
        {"closed_at", OptionalInstant(l.closed_at)},
        {"outcome", l.outcome ? nlohmann::json(LeadOutcomeName(*l.outcome)) : nullptr},
        {"close_note", l.close_note},
        {"version", l.version},
    };
}

nlohmann::json ToJson(const EstateWelfareSettings& s, bool with_webhook_url) {
    nlohmann::json out = {
        {"estate_id", s.estate_id},
        {"min_age", s.min_age},
        {"sublet_days", s.sublet_days},
        {"sublet_min_use_days", s.sublet_min_use_days},
        {"sublet_min_use_passages", s.sublet_min_use_passages},
        {"unknown_face_retention_days", s.unknown_face_retention_days},
        {"unknown_face_min_attempts", s.unknown_face_min_attempts},
        {"unknown_face_min_days", s.unknown_face_min_days},
        {"evaluation_interval_minutes", s.evaluation_interval_minutes},
        {"webhook_configured", !s.webhook_url.empty()},
        {"version", s.version},
    };
    if (with_webhook_url)
        out["webhook_url"] = OptionalText(s.webhook_url);
    return out;
}

}  // namespace menjin
