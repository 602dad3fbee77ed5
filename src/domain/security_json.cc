#include "domain/security_json.h"

#include "common/local_time.h"

namespace menjin {

namespace {

nlohmann::json OptionalInstant(UnixSeconds at) {
    return at > 0 ? nlohmann::json(FormatUtc(at)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json ToJson(const Operator& a) {
    return {
        {"id", a.id},
        {"display_name", a.display_name},
        {"role", OperatorRoleName(a.role)},
        {"estate_id", a.estate_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.estate_id)},
        {"failed_logins", a.failed_logins},
        {"locked_until", OptionalInstant(a.locked_until)},
        {"disabled", a.disabled},
        {"created_at", FormatUtc(a.created_at)},
        {"version", a.version}};
}

nlohmann::json ToJson(const DeviceCredential& c) {
    return {{"id", c.id},
            {"gate_id", c.gate_id},
            {"created_at", FormatUtc(c.created_at)},
            {"created_by", c.created_by},
            {"revoked_at", c.revoked_at ? OptionalInstant(*c.revoked_at) : nullptr}};
}

nlohmann::json ToJson(const AuditEntry& e) {
    return {{"seq", e.seq},
            {"at", FormatUtc(e.at)},
            {"actor", e.actor},
            {"actor_role", e.actor_role},
            {"action", e.action},
            {"record_type", e.record_type},
            {"record_id", e.record_id},
            {"remote_address", e.remote_address},
            {"outcome", e.outcome},
            {"prev_hash", e.prev_hash},
            {"hash", e.hash}};
}

}  // namespace menjin
