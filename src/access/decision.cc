#include "access/decision.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace menjin {

MatchOutcome MatchCandidates(const std::vector<CandidateScores>& candidates, int frames,
                             const Thresholds& thresholds, float min_margin) {
    MatchOutcome outcome;
    outcome.frames = frames;
    if (frames <= 0) {
        outcome.kind = MatchOutcome::Kind::kNoUsableFace;
        return outcome;
    }
    float best = -std::numeric_limits<float>::infinity();
    float second = -std::numeric_limits<float>::infinity();
    for (const CandidateScores& c : candidates) {
        if (static_cast<int>(c.frame_scores.size()) != frames)
            continue;
        const float fused =
            std::accumulate(c.frame_scores.begin(), c.frame_scores.end(), 0.0f) / frames;
        if (fused > best) {
            second = best;
            best = fused;
            outcome.person_id = c.person_id;
        } else if (fused > second) {
            second = fused;
        }
    }
    if (outcome.person_id.empty()) {
        outcome.kind = MatchOutcome::Kind::kUnknown;
        return outcome;
    }
    outcome.score = best;
    // With a single enrolled person there is no competitor, so the margin is unbounded.
    outcome.margin = std::isinf(second) ? std::numeric_limits<float>::max() : best - second;
    if (best < thresholds.reject) {
        outcome.kind = MatchOutcome::Kind::kUnknown;
    } else if (best < thresholds.accept) {
        outcome.kind = MatchOutcome::Kind::kUncertain;
    } else if (outcome.margin < min_margin) {
        outcome.kind = MatchOutcome::Kind::kAmbiguous;
    } else {
        outcome.kind = MatchOutcome::Kind::kMatch;
    }
    return outcome;
}

AccessDecision Decide(const MatchOutcome& match, const GrantCheck& grant) {
    AccessDecision decision;
    decision.score = match.score;
    decision.margin = match.margin;
    switch (match.kind) {
        case MatchOutcome::Kind::kNoUsableFace:
            decision.band = DecisionBand::kRetry;
            decision.reason = "no_usable_face";
            break;
        case MatchOutcome::Kind::kUnknown:
            decision.band = DecisionBand::kDeny;
            decision.reason = "unknown_face";
            break;
        case MatchOutcome::Kind::kUncertain:
            decision.band = DecisionBand::kRetry;
            decision.reason = "uncertain_match";
            break;
        case MatchOutcome::Kind::kAmbiguous:
            decision.band = DecisionBand::kRetry;
            decision.reason = "ambiguous_match";
            break;
        case MatchOutcome::Kind::kMatch:
            decision.person_id = match.person_id;
            decision.band = grant.allowed ? DecisionBand::kGrant : DecisionBand::kDeny;
            decision.reason = grant.allowed ? "granted" : grant.reason;
            break;
    }
    return decision;
}

}  // namespace menjin
