#pragma once

#include <string>
#include <vector>

#include "access/grant_check.h"
#include "access/thresholds.h"
#include "domain/records.h"

namespace menjin {

// One enrolled person's scores against every usable frame of one approach, in the pipeline's
// calibrated score units (FacePipeline::Score).
struct CandidateScores {
    std::string person_id;
    std::vector<float> frame_scores;
};

// Outcome of matching an approach against an estate gallery, before grants are checked.
struct MatchOutcome {
    enum class Kind {
        kNoUsableFace,  // no frame had a face that passed the gate's quality policy
        kUnknown,       // best fused score below the reject threshold
        kUncertain,     // best fused score between the reject and accept thresholds
        kAmbiguous,     // accepted score, but too close to a different person's
        kMatch,         // accepted score with enough margin
    };
    Kind kind = Kind::kUnknown;
    std::string person_id;  // best candidate; empty when the gallery had none
    float score = 0;        // its fused score
    float margin = 0;       // over the best different person (score - second)
    int frames = 0;         // usable frames fused
};

// Fuses the frames of one approach and compares the result with the thresholds. Each
// candidate's fused score is the mean of its per-frame scores: averaging keeps the false
// accept rate of the calibration (a maximum over frames would multiply it by the frame count)
// and steadies genuine scores. `frames` is the number of usable frames; candidates whose
// frame_scores have another length are ignored. An empty candidate list is kUnknown.
MatchOutcome MatchCandidates(const std::vector<CandidateScores>& candidates, int frames,
                             const Thresholds& thresholds, float min_margin);

// A gate decision: what the gate does and why, with the score behind it.
struct AccessDecision {
    DecisionBand band = DecisionBand::kDeny;
    // Stable code: "granted"; for deny "unknown_face" or a GrantCheck reason; for retry
    // "no_usable_face", "uncertain_match" or "ambiguous_match".
    std::string reason;
    std::string person_id;  // the matched person for grant and grant-based deny
    float score = 0;
    float margin = 0;
};

// Turns a match and, for kMatch, the matched person's grant check into a decision.
AccessDecision Decide(const MatchOutcome& match, const GrantCheck& grant);

}  // namespace menjin
