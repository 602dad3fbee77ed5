#include "evaluation/verification_metrics.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace menjin {
namespace {

ScoredPair Same(float score) {
    return {true, true, score};
}
ScoredPair Different(float score) {
    return {false, true, score};
}

// Four genuine and four impostor scores. Sorted thresholds give:
//   t = 0.6:  4 true accepts, 1 false accept (0.75) -> accuracy 7/8, the only maximum
//   t = 0.7:  FAR 1/4 = FRR 1/4                       -> EER 0.25
//   t > 0.75: no false accept, 2 true accepts        -> TAR 0.5 at FAR 0
std::vector<ScoredPair> HandMadePairs() {
    return {Same(0.9f),      Same(0.8f),      Same(0.7f),      Same(0.6f),
            Different(0.1f), Different(0.2f), Different(0.3f), Different(0.75f)};
}

TEST(ComputeVerificationMetricsTest, CountsPairs) {
    const VerificationMetrics m = ComputeVerificationMetrics(HandMadePairs());
    EXPECT_EQ(m.pairs, 8);
    EXPECT_EQ(m.same_pairs, 4);
    EXPECT_EQ(m.different_pairs, 4);
}

TEST(ComputeVerificationMetricsTest, AccuracyAtBestThreshold) {
    const VerificationMetrics m = ComputeVerificationMetrics(HandMadePairs());
    EXPECT_DOUBLE_EQ(m.accuracy, 7.0 / 8);
    EXPECT_FLOAT_EQ(m.best_threshold, 0.6f);
}

TEST(ComputeVerificationMetricsTest, EqualErrorRateWhereRatesCross) {
    const VerificationMetrics m = ComputeVerificationMetrics(HandMadePairs());
    EXPECT_DOUBLE_EQ(m.eer, 0.25);
}

TEST(ComputeVerificationMetricsTest, TrueAcceptRateAtFalseAcceptRate) {
    // With four impostors, FAR 1e-2 and 1e-3 both allow no false accept.
    const VerificationMetrics m = ComputeVerificationMetrics(HandMadePairs());
    EXPECT_DOUBLE_EQ(m.tar_at_far_1e2, 0.5);
    EXPECT_DOUBLE_EQ(m.tar_at_far_1e3, 0.5);
    EXPECT_GT(m.threshold_at_far_1e3, 0.75f);
    EXPECT_LT(m.threshold_at_far_1e3, 0.8f);
}

TEST(ComputeVerificationMetricsTest, SeparatedScoresArePerfect) {
    const VerificationMetrics m =
        ComputeVerificationMetrics({Same(0.9f), Same(0.8f), Different(0.2f), Different(0.1f)});
    EXPECT_DOUBLE_EQ(m.accuracy, 1.0);
    EXPECT_DOUBLE_EQ(m.eer, 0.0);
    EXPECT_DOUBLE_EQ(m.tar_at_far_1e3, 1.0);
}

TEST(ComputeVerificationMetricsTest, SamePairWithoutScoreIsRejected) {
    std::vector<ScoredPair> pairs = HandMadePairs();
    pairs.push_back({true, false, 0.99f});

    const VerificationMetrics m = ComputeVerificationMetrics(pairs);

    EXPECT_EQ(m.pairs, 9);
    EXPECT_EQ(m.same_pairs, 5);
    // The best threshold is still 0.6, where 4 of 5 genuine pairs are accepted and 3 of 4
    // impostors rejected.
    EXPECT_DOUBLE_EQ(m.accuracy, 7.0 / 9);
    EXPECT_DOUBLE_EQ(m.tar_at_far_1e3, 2.0 / 5);
}

TEST(ComputeVerificationMetricsTest, DifferentPairWithoutScoreIsRejected) {
    std::vector<ScoredPair> pairs = HandMadePairs();
    pairs.push_back({false, false, 0.99f});

    const VerificationMetrics m = ComputeVerificationMetrics(pairs);

    EXPECT_EQ(m.different_pairs, 5);
    // The unscored impostor counts as correctly rejected at every threshold.
    EXPECT_DOUBLE_EQ(m.accuracy, 8.0 / 9);
    EXPECT_DOUBLE_EQ(m.tar_at_far_1e3, 0.5);
}

TEST(ComputeVerificationMetricsTest, AllPairsWithoutScoreAcceptNothing) {
    const VerificationMetrics m = ComputeVerificationMetrics({{true, false, 0}, {false, false, 0}});
    // Only the impostor is classified correctly, and every genuine pair is a false reject.
    EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
    EXPECT_DOUBLE_EQ(m.eer, 0.5);
    EXPECT_DOUBLE_EQ(m.tar_at_far_1e3, 0.0);
}

TEST(ComputeVerificationMetricsTest, OnlySamePairsLeaveRatesZero) {
    const VerificationMetrics m = ComputeVerificationMetrics({Same(0.9f), Same(0.2f)});
    EXPECT_EQ(m.same_pairs, 2);
    EXPECT_DOUBLE_EQ(m.accuracy, 0.0);
    EXPECT_DOUBLE_EQ(m.eer, 0.0);
}

TEST(ComputeVerificationMetricsTest, EmptyInputLeavesRatesZero) {
    const VerificationMetrics m = ComputeVerificationMetrics({});
    EXPECT_EQ(m.pairs, 0);
    EXPECT_DOUBLE_EQ(m.accuracy, 0.0);
}

TEST(ThresholdAtFarTest, EmptyScoresGiveZero) {
    EXPECT_FLOAT_EQ(ThresholdAtFar({}, 1e-3), 0.0f);
}

TEST(ThresholdAtFarTest, ZeroAllowedSitsJustAboveHighestScore) {
    const float t = ThresholdAtFar({0.1f, 0.5f, 0.3f}, 1e-3);
    EXPECT_GT(t, 0.5f);
    EXPECT_EQ(t, std::nextafter(0.5f, std::numeric_limits<float>::infinity()));
}

TEST(ThresholdAtFarTest, AcceptsAllowedNumberOfImpostors) {
    // FAR 0.3 of ten scores allows three false accepts, so 1.0, 0.9 and 0.8 are accepted and
    // 0.7 is not.
    const std::vector<float> scores = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f};
    const float t = ThresholdAtFar(scores, 0.3);
    EXPECT_GT(t, 0.7f);
    EXPECT_LE(t, 0.8f);
}

TEST(ThresholdAtFarTest, FractionalAllowanceRoundsDown) {
    // FAR 0.29 of ten scores allows 2.9 impostors, so only two are accepted.
    const std::vector<float> scores = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f};
    const float t = ThresholdAtFar(scores, 0.29);
    EXPECT_GT(t, 0.8f);
    EXPECT_LE(t, 0.9f);
}

TEST(ThresholdAtFarTest, FullRateReturnsLowestScore) {
    EXPECT_FLOAT_EQ(ThresholdAtFar({0.4f, 0.2f, 0.9f}, 1.0), 0.2f);
}

TEST(ThresholdAtFarTest, TiedScoresAreNeverSplit) {
    // One impostor is allowed, but the three tied at 0.5 can only be accepted together.
    const float t = ThresholdAtFar({0.5f, 0.5f, 0.5f, 0.1f}, 0.25);
    EXPECT_GT(t, 0.5f);
}

}  // namespace
}  // namespace menjin
