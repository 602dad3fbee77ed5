// LeadFinder: the duplicate identity sweep. Enrolment already rejects a face that matches
// another person, but the check's threshold rises as the city's gallery grows, and imports or
// data recovered from elsewhere may bypass it. The sweep searches every template against the
// all-estates gallery with the same threshold the enrolment check uses now.

#include <algorithm>
#include <limits>
#include <map>

#include "common/log.h"
#include "welfare/lead_finder.h"

namespace menjin {

namespace {

// People returned per search; the person of the query itself is usually the first.
constexpr int kPeoplePerSearch = 4;

struct PairMatch {
    float score = -std::numeric_limits<float>::infinity();
    std::int64_t first_template = 0;
    std::int64_t second_template = 0;
};

using PersonPair = std::pair<std::string, std::string>;  // sorted

// Returns the first estate both people belong to, or "" when they share none.
Result<std::string> CommonEstate(AccessCore& core, const PersonPair& pair) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<std::string> first, core.EstatesOfPerson(pair.first));
    MENJIN_ASSIGN_OR_RETURN(std::vector<std::string> second, core.EstatesOfPerson(pair.second));
    for (const std::string& estate : first) {
        if (std::find(second.begin(), second.end(), estate) != second.end())
            return estate;
    }
    return std::string();
}

}  // namespace

Result<LeadEvaluation> LeadFinder::SweepDuplicates() {
    MENJIN_ASSIGN_OR_RETURN(const Thresholds thresholds, core_.DuplicateThresholds());
    MENJIN_ASSIGN_OR_RETURN(std::vector<GalleryEntry> entries,
                            core_.galleries().Entries(kAllEstatesGallery));
    LeadEvaluation evaluation;
    evaluation.templates_checked = static_cast<int>(entries.size());
    std::map<PersonPair, PairMatch> matches;
    for (const GalleryEntry& entry : entries) {
        MENJIN_ASSIGN_OR_RETURN(
            std::vector<PersonHit> hits,
            core_.galleries().Search(kAllEstatesGallery, entry.values, kPeoplePerSearch));
        for (const PersonHit& hit : hits) {
            if (hit.person_id == entry.person_id)
                continue;
            const float hit_score = hit.inner_product - core_.score_offset();
            if (hit_score < thresholds.accept)
                continue;
            const bool in_order = entry.person_id < hit.person_id;
            const PersonPair pair = in_order ? PersonPair{entry.person_id, hit.person_id}
                                             : PersonPair{hit.person_id, entry.person_id};
            PairMatch& match = matches[pair];
            if (hit_score > match.score) {
                match.score = hit_score;
                match.first_template = in_order ? entry.template_id : hit.template_id;
                match.second_template = in_order ? hit.template_id : entry.template_id;
            }
        }
    }
    for (const auto& [pair, match] : matches) {
        nlohmann::json evidence = {{"person_ids", {pair.first, pair.second}},
                                   {"score", match.score},
                                   {"threshold", thresholds.accept},
                                   {"template_ids", {match.first_template, match.second_template}}};
        MENJIN_RETURN_IF_ERROR(RecordDuplicate(pair.first, pair.second, evidence, evaluation));
    }
    MENJIN_LOG_INFO(
        "leads: duplicate sweep: {} templates, {} pairs at or above {:.3f}, {} leads "
        "raised",
        entries.size(), matches.size(), thresholds.accept, evaluation.raised.size());
    return evaluation;
}

Status LeadFinder::RecordDuplicate(const std::string& first, const std::string& second,
                                   const nlohmann::json& evidence, LeadEvaluation& evaluation) {
    const PersonPair pair{first, second};
    MENJIN_ASSIGN_OR_RETURN(std::string estate_id, CommonEstate(core_, pair));
    const std::string subject = first + "|" + second;
    return core_.store().Transaction([&]() -> Status {
        LeadQuery query;
        query.kind = LeadKind::kDuplicateIdentity;
        query.subject = subject;
        query.limit = 1;
        MENJIN_ASSIGN_OR_RETURN(std::vector<Lead> existing, core_.store().ListLeads(query));
        if (!existing.empty()) {
            // A closed pair stays closed: staff decided about these two people.
            if (existing.front().status != LeadStatus::kOpen)
                return Status::Ok();
            return Refresh(existing.front(), evidence.dump(), evaluation);
        }
        Lead lead;
        lead.kind = LeadKind::kDuplicateIdentity;
        lead.estate_id = estate_id;
        lead.subject = subject;
        lead.evidence = evidence.dump();
        return Raise(std::move(lead), {first, second}, evaluation);
    });
}

}  // namespace menjin
