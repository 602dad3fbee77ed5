#include "evaluation/verification_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace menjin {

namespace {

// Counts of accepted pairs at one threshold.
struct Counts {
    int true_accepts = 0;
    int false_accepts = 0;
};

Counts CountAt(const std::vector<ScoredPair>& pairs, float threshold) {
    Counts counts;
    for (const ScoredPair& p : pairs) {
        if (!p.has_score || p.score < threshold)
            continue;
        (p.same ? counts.true_accepts : counts.false_accepts)++;
    }
    return counts;
}

}  // namespace

float ThresholdAtFar(std::vector<float> impostor_scores, double target_far) {
    if (impostor_scores.empty())
        return 0;
    std::sort(impostor_scores.begin(), impostor_scores.end(), std::greater<>());
    const auto allowed = static_cast<std::size_t>(
        std::floor(target_far * static_cast<double>(impostor_scores.size()) + 1e-9));
    if (allowed >= impostor_scores.size())
        return impostor_scores.back();
    // Accept at most `allowed` impostors: the threshold sits just above the next one.
    return std::nextafter(impostor_scores[allowed], std::numeric_limits<float>::infinity());
}

VerificationMetrics ComputeVerificationMetrics(const std::vector<ScoredPair>& pairs) {
    VerificationMetrics m;
    std::vector<float> thresholds;
    std::vector<float> impostors;
    for (const ScoredPair& p : pairs) {
        ++m.pairs;
        (p.same ? m.same_pairs : m.different_pairs)++;
        if (!p.has_score)
            continue;
        thresholds.push_back(p.score);
        if (!p.same)
            impostors.push_back(p.score);
    }
    if (m.same_pairs == 0 || m.different_pairs == 0)
        return m;
    thresholds.push_back(std::numeric_limits<float>::infinity());
    std::sort(thresholds.begin(), thresholds.end());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());

    double best_gap = std::numeric_limits<double>::infinity();
    for (float t : thresholds) {
        const Counts c = CountAt(pairs, t);
        const double tar = static_cast<double>(c.true_accepts) / m.same_pairs;
        const double far = static_cast<double>(c.false_accepts) / m.different_pairs;
        const double accuracy =
            static_cast<double>(c.true_accepts + m.different_pairs - c.false_accepts) / m.pairs;
        if (accuracy > m.accuracy) {
            m.accuracy = accuracy;
            m.best_threshold = t;
        }
        const double frr = 1 - tar;
        if (std::abs(far - frr) < best_gap) {
            best_gap = std::abs(far - frr);
            m.eer = (far + frr) / 2;
        }
    }
    auto tar_at = [&](float t) {
        return static_cast<double>(CountAt(pairs, t).true_accepts) / m.same_pairs;
    };
    m.tar_at_far_1e2 = tar_at(ThresholdAtFar(impostors, 1e-2));
    m.threshold_at_far_1e3 = ThresholdAtFar(impostors, 1e-3);
    m.tar_at_far_1e3 = tar_at(m.threshold_at_far_1e3);
    return m;
}

}  // namespace menjin
