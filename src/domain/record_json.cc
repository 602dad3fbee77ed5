#include "domain/record_json.h"

#include "common/local_time.h"
#include "domain/schedule_text.h"

namespace menjin {

namespace {

nlohmann::json OptionalText(const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json ToJson(const Estate& e) {
    return {{"id", e.id},
            {"name", e.name},
            {"timezone", e.timezone},
            {"target_fpir", e.target_fpir},
            {"min_margin", e.min_margin},
            {"welfare_days", e.welfare_days},
            {"version", e.version}};
}

nlohmann::json ToJson(const Gate& g) {
    return {{"id", g.id},
            {"estate_id", g.estate_id},
            {"name", g.name},
            {"direction", GateDirectionName(g.direction)},
            {"version", g.version}};
}

nlohmann::json ToJson(const Unit& u) {
    return {{"id", u.id},         {"estate_id", u.estate_id}, {"building", u.building},
            {"number", u.number}, {"address", u.address},     {"version", u.version}};
}

nlohmann::json ToJson(const Household& h) {
    return {{"id", h.id},
            {"unit_id", h.unit_id},
            {"tenant_person_id", OptionalText(h.tenant_person_id)},
            {"version", h.version}};
}

nlohmann::json ToJson(const Person& p) {
    return {{"id", p.id},
            {"name", p.name},
            {"birth_year", p.birth_year},
            {"phone", p.phone},
            {"role", PersonRoleName(p.role)},
            {"household_id", OptionalText(p.household_id)},
            {"welfare_days", p.welfare_days ? nlohmann::json(*p.welfare_days) : nullptr},
            {"created_at", FormatUtc(p.created_at)},
            {"version", p.version}};
}

nlohmann::json ToJson(const ServiceCompany& c) {
    return {{"id", c.id},
            {"name", c.name},
            {"kind", CompanyKindName(c.kind)},
            {"contact_name", c.contact_name},
            {"contact_phone", c.contact_phone},
            {"version", c.version}};
}

nlohmann::json ToJson(const ServiceStaff& s) {
    return {{"person_id", s.person_id},
            {"company_id", s.company_id},
            {"verified_by", s.verified_by},
            {"verified_at", FormatUtc(s.verified_at)},
            {"verified_contact", s.verified_contact},
            {"valid_from", FormatUtc(s.valid_from)},
            {"valid_to", FormatUtc(s.valid_to)},
            {"estate_ids", s.estate_ids},
            {"version", s.version}};
}

nlohmann::json ToJson(const AccessGrant& g) {
    return {{"id", g.id},
            {"person_id", g.person_id},
            {"estate_id", g.estate_id},
            {"valid_from", FormatUtc(g.valid_from)},
            {"valid_to", FormatUtc(g.valid_to)},
            {"schedule", FormatWeeklySchedule(g.schedule)},
            {"version", g.version}};
}

nlohmann::json ToJson(const AltCredential& c) {
    return {{"id", c.id},
            {"person_id", c.person_id},
            {"kind", CredentialKindName(c.kind)},
            {"created_at", FormatUtc(c.created_at)},
            {"revoked", c.revoked}};
}

nlohmann::json ToJson(const Passage& p) {
    return {
        {"id", p.id},
        {"gate_id", p.gate_id},
        {"estate_id", p.estate_id},
        {"at", FormatUtc(p.at)},
        {"direction", GateDirectionName(p.direction)},
        {"person_id", p.person_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.person_id)},
        {"pseudonym", p.pseudonym.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.pseudonym)},
        {"band", DecisionBandName(p.band)},
        {"reason", p.reason},
        {"score", p.score},
        {"credential", p.credential}};
}

nlohmann::json ToJson(const DeletionReceipt& r) {
    return {{"id", r.id},
            {"person_pseudonym", r.person_pseudonym},
            {"at", FormatUtc(r.at)},
            {"operator_id", r.operator_id},
            {"templates_deleted", r.templates_deleted},
            {"thumbnails_deleted", r.thumbnails_deleted},
            {"grants_deleted", r.grants_deleted},
            {"credentials_deleted", r.credentials_deleted},
            {"gallery_entries_deleted", r.gallery_entries_deleted},
            {"passages_pseudonymised", r.passages_pseudonymised},
            {"person_record_deleted", r.person_record_deleted},
            {"staff_record_deleted", r.staff_record_deleted}};
}

}  // namespace menjin
