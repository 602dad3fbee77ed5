#pragma once

#include <vector>

namespace menjin {

// One scored comparison. A pair whose face was not found has no score and counts as rejected
// at every threshold.
struct ScoredPair {
    bool same = false;
    bool has_score = false;
    float score = 0;
};

// Verification figures over a set of scored pairs. Rates are fractions in [0, 1].
struct VerificationMetrics {
    int pairs = 0;
    int same_pairs = 0;
    int different_pairs = 0;
    // Accuracy at the single threshold that maximises it, and that threshold.
    double accuracy = 0;
    float best_threshold = 0;
    // Equal error rate: where the false accept and false reject rates cross.
    double eer = 0;
    // True accept rate at the lowest threshold whose false accept rate is at most 1e-2 / 1e-3.
    double tar_at_far_1e2 = 0;
    double tar_at_far_1e3 = 0;
    float threshold_at_far_1e3 = 0;
};

// Computes the metrics. A pair is accepted when its score is >= the threshold. Needs at least
// one same and one different pair; otherwise the rates stay 0.
VerificationMetrics ComputeVerificationMetrics(const std::vector<ScoredPair>& pairs);

// Returns the lowest threshold t such that at most floor(target_far * n) of the n impostor
// scores are >= t; just above the highest impostor score when that floor is 0.
float ThresholdAtFar(std::vector<float> impostor_scores, double target_far);

}  // namespace menjin
