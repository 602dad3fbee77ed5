#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "domain/welfare_records.h"
#include "service/access_core.h"
#include "welfare/estate_records.h"

namespace menjin {

// Result of one lead evaluation of an estate, or of the city-wide duplicate sweep.
struct LeadEvaluation {
    std::string estate_id;              // empty for the duplicate sweep
    std::vector<std::int64_t> raised;   // leads created
    std::vector<std::int64_t> updated;  // open leads whose evidence changed
    int households = 0;                 // households checked for the sublet signal
    int unknown_attempts = 0;           // unknown faces in the retention window, clustered
    int unknown_clusters = 0;           // clusters among them (any size)
    int attempts_purged = 0;            // unknown faces deleted as older than the window
    int templates_checked = 0;          // templates searched by the duplicate sweep
};

nlohmann::json ToJson(const LeadEvaluation& evaluation);

// Finds leads for staff to review, each with the evidence that raised it, and keeps their
// lifecycle (open -> closed with an outcome). The system never acts on a lead by itself.
//
// Three signals (docs/welfare.md describes the evidence of each):
//   - tenant absent, unit in use: sublet_rule.h over the registered tenant's face passages and
//     the passages of the other household members and of the tenant's alternative credentials;
//   - recurring unknown face: the estate's kept unknown-face templates, clustered with the
//     recognition engine's score (unknown_face_clusters.h);
//   - duplicate identity: one face enrolled as two people, in any estates.
//
// A lead is not duplicated by later evaluations: an open lead of the same subject (the tenant,
// the pair of people, or a cluster sharing an attempt) gets the new evidence instead. A closed
// lead is not raised again for the same evidence: a sublet lead only after the tenant passed a
// gate after the closing, a recurring stranger only with enough new attempts after the
// closing, and a duplicate pair never. Each new lead is committed together with its webhook
// message when the estate has a webhook URL.
//
// Holds a reference to `core`, which must outlive it. Thread-safe as far as the core and store
// are. Each lead is created or updated inside a store transaction, so concurrent evaluations
// (also from another process on the same SQLite file) do not create the same lead twice.
class LeadFinder {
  public:
    // Per-comparison false accept rate behind the clustering threshold. Each new unknown face
    // is compared with every cluster of the window (tens to hundreds in a busy estate). A lead
    // also needs several attempts on two days, so a rate ten times below the calibration's
    // 1e-3 point keeps false merges rare. The exponential tail overestimates the
    // real impostor tail of these embedders (docs/thresholds.md), so the threshold errs high.
    static constexpr double kClusterFar = 1e-4;

    explicit LeadFinder(AccessCore& core) : core_(core) {}

    // Purges the estate's unknown faces older than its retention window (all of them when
    // retention is 0), then looks for the sublet and recurring-stranger signals at the core
    // clock's time. kNotFound for an unknown estate.
    Result<LeadEvaluation> EvaluateEstate(const std::string& estate_id);
    // Evaluates every estate; an estate that fails is logged and left out.
    Result<std::vector<LeadEvaluation>> EvaluateAll();
    // Searches every enrolled template against the all-estates gallery and raises one lead per
    // unordered pair of people scoring at or above the enrolment duplicate threshold.
    Result<LeadEvaluation> SweepDuplicates();

    // Deletes the estate's unknown faces older than its retention window and returns the count.
    Result<int> PurgeUnknownAttempts(const std::string& estate_id);
    // Returns the score at or above which two unknown faces count as one person.
    Result<float> ClusterThreshold() const;

    // Closes an open lead with an outcome and a note. kConflict when `version` is not the
    // stored version, kFailedPrecondition when the lead is closed, kNotFound for an unknown id.
    Result<Lead> Close(std::int64_t lead_id, std::int64_t version, const std::string& operator_id,
                       LeadOutcome outcome, const std::string& note);

  private:
    Status FindSublets(const Estate& estate, const EstateWelfareSettings& settings,
                       LeadEvaluation& evaluation);
    Status CheckHousehold(const Estate& estate, const EstateWelfareSettings& settings,
                          const EstateHousehold& household, LeadEvaluation& evaluation);
    Status FindRecurringStrangers(const Estate& estate, const EstateWelfareSettings& settings,
                                  LeadEvaluation& evaluation);
    Status RecordCluster(const Estate& estate, const EstateWelfareSettings& settings,
                         const nlohmann::json& attempts, float threshold,
                         LeadEvaluation& evaluation);
    Status RecordDuplicate(const std::string& first, const std::string& second,
                           const nlohmann::json& evidence, LeadEvaluation& evaluation);

    // Creates `lead` with its webhook message naming `person_ids`. Runs inside the caller's
    // transaction; adds the id to evaluation.raised.
    Status Raise(Lead lead, const std::vector<std::string>& person_ids, LeadEvaluation& evaluation);
    // Stores new evidence on an open lead when it differs; adds the id to evaluation.updated.
    Status Refresh(Lead lead, const std::string& evidence, LeadEvaluation& evaluation);

    AccessCore& core_;
};

}  // namespace menjin
