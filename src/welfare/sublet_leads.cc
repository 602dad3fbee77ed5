// LeadFinder: the "tenant absent, unit in use" signal.
//
// The tenant counts as present only by their face, because a card, PIN or QR token can be lent.
// The tenant's last sign of life is their last granted face passage, and passages with the
// tenant's alternative credentials after it count as use of the unit by someone else. A tenant
// without an enrolled face can only be seen through their credentials, so for them every
// granted passage counts as presence. Only granted passages count on either side.

#include <algorithm>
#include <map>

#include "common/local_time.h"
#include "welfare/lead_finder.h"
#include "welfare/sublet_rule.h"
#include "welfare/welfare_settings.h"

namespace menjin {

namespace {

// Passages read per person; the passage retention period bounds them anyway.
constexpr int kMaxPassagesPerPerson = 20000;
// Passage ids listed in the evidence, newest first.
constexpr std::size_t kMaxEvidencePassages = 100;

struct TenantActivity {
    UnixSeconds last_seen = 0;
    std::vector<Passage> credential_uses;  // granted non-face passages after last_seen
};

Result<TenantActivity> ReadTenantActivity(AccessCore& core, const Person& tenant, UnixSeconds now) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<FaceTemplateRecord> templates,
                            core.store().ListTemplatesOfPerson(tenant.id));
    PassageQuery query;
    query.person_id = tenant.id;
    query.band = DecisionBand::kGrant;
    query.to = now + 1;
    MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> passages,
                            CollectPassages(core.store(), query, kMaxPassagesPerPerson));
    TenantActivity activity;
    activity.last_seen = tenant.created_at;
    const bool has_face = !templates.empty();
    for (const Passage& passage : passages) {  // newest first
        if (!has_face || passage.credential == "face") {
            activity.last_seen = std::max(activity.last_seen, passage.at);
            break;
        }
    }
    for (const Passage& passage : passages) {
        if (passage.at > activity.last_seen && passage.credential != "face")
            activity.credential_uses.push_back(passage);
    }
    return activity;
}

nlohmann::json SubletEvidenceJson(const EstateHousehold& household, const std::string& tenant_id,
                                  const SubletEvidence& e, const std::vector<Passage>& uses) {
    std::map<std::string, int> credentials;
    nlohmann::json passage_ids = nlohmann::json::array();
    for (const Passage& use : uses) {
        ++credentials[use.credential];
        if (passage_ids.size() < kMaxEvidencePassages)
            passage_ids.push_back(use.id);
    }
    return {{"household_id", household.household.id},
            {"unit_id", household.unit.id},
            {"tenant_person_id", tenant_id},
            {"tenant_last_seen", FormatUtc(e.tenant_last_seen)},
            {"tenant_absent_days", e.tenant_absent_days},
            {"use_passages", e.use_passages},
            {"use_days", e.use_days},
            {"users", e.users},
            {"credentials", credentials},
            {"first_use", FormatUtc(e.first_use)},
            {"last_use", FormatUtc(e.last_use)},
            {"passage_ids", passage_ids}};
}

}  // namespace

Status LeadFinder::FindSublets(const Estate& estate, const EstateWelfareSettings& settings,
                               LeadEvaluation& evaluation) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<EstateHousehold> households,
                            ListEstateHouseholds(core_.store(), estate.id));
    for (const EstateHousehold& household : households) {
        if (!household.household.tenant_person_id)
            continue;
        ++evaluation.households;
        MENJIN_RETURN_IF_ERROR(CheckHousehold(estate, settings, household, evaluation));
    }
    return Status::Ok();
}

Status LeadFinder::CheckHousehold(const Estate& estate, const EstateWelfareSettings& settings,
                                  const EstateHousehold& household, LeadEvaluation& evaluation) {
    const std::string& tenant_id = *household.household.tenant_person_id;
    auto tenant = std::find_if(household.members.begin(), household.members.end(),
                               [&](const Person& p) { return p.id == tenant_id; });
    if (tenant == household.members.end())
        return Status::Ok();
    const UnixSeconds now = core_.clock().Now();
    MENJIN_ASSIGN_OR_RETURN(TenantActivity activity, ReadTenantActivity(core_, *tenant, now));

    std::vector<Passage> uses = activity.credential_uses;
    for (const Person& member : household.members) {
        if (member.id == tenant_id)
            continue;
        PassageQuery query;
        query.person_id = member.id;
        query.band = DecisionBand::kGrant;
        query.from = activity.last_seen + 1;
        query.to = now + 1;
        MENJIN_ASSIGN_OR_RETURN(std::vector<Passage> passages,
                                CollectPassages(core_.store(), query, kMaxPassagesPerPerson));
        uses.insert(uses.end(), passages.begin(), passages.end());
    }
    std::sort(uses.begin(), uses.end(),
              [](const Passage& a, const Passage& b) { return a.at > b.at; });
    std::vector<HouseholdUse> rule_input;
    for (const Passage& use : uses)
        rule_input.push_back({use.person_id, use.credential, use.at});
    MENJIN_ASSIGN_OR_RETURN(
        std::optional<SubletEvidence> evidence,
        CheckTenantAbsentUnitInUse(activity.last_seen, rule_input, SubletPolicyOf(settings), now,
                                   estate.timezone));
    if (!evidence)
        return Status::Ok();

    const std::string evidence_text =
        SubletEvidenceJson(household, tenant_id, *evidence, uses).dump();
    return core_.store().Transaction([&]() -> Status {
        LeadQuery query;
        query.estate_id = estate.id;
        query.kind = LeadKind::kTenantAbsentUnitInUse;
        query.subject = tenant_id;
        query.limit = 1;
        MENJIN_ASSIGN_OR_RETURN(std::vector<Lead> existing, core_.store().ListLeads(query));
        if (!existing.empty() && existing.front().status == LeadStatus::kOpen)
            return Refresh(existing.front(), evidence_text, evaluation);
        // Closed: raised again only once the tenant has passed a gate after the closing.
        if (!existing.empty() && existing.front().closed_at &&
            activity.last_seen <= *existing.front().closed_at) {
            return Status::Ok();
        }
        Lead lead;
        lead.kind = LeadKind::kTenantAbsentUnitInUse;
        lead.estate_id = estate.id;
        lead.subject = tenant_id;
        lead.evidence = evidence_text;
        return Raise(std::move(lead), {tenant_id}, evaluation);
    });
}

}  // namespace menjin
