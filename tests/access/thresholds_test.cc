#include "access/thresholds.h"

#include <cmath>

#include <gtest/gtest.h>

#include "support/test_paths.h"
#include "vision/score_calibration.h"

namespace menjin {
namespace {

// A tail shaped like the shipped MobileFaceNet calibration, rounded.
ImpostorTail MakeTail() {
    ImpostorTail tail;
    tail.tail_start = 0.45f;
    tail.tail_fraction = 1e-3;
    tail.tail_scale = 0.037f;
    return tail;
}

// The accept threshold of docs/thresholds.md for a per-comparison rate `far`.
double FormulaThreshold(const ImpostorTail& tail, double far) {
    return tail.tail_start + tail.tail_scale * std::log(tail.tail_fraction / far);
}

TEST(ThresholdsTest, AcceptGrowsWithGallerySize) {
    const ImpostorTail tail = MakeTail();

    const Thresholds small = ComputeThresholds(tail, 0.003, 10);
    const Thresholds medium = ComputeThresholds(tail, 0.003, 1000);
    const Thresholds large = ComputeThresholds(tail, 0.003, 100000);

    EXPECT_LT(small.accept, medium.accept);
    EXPECT_LT(medium.accept, large.accept);
}

TEST(ThresholdsTest, AcceptGrowsAsFpirShrinks) {
    const ImpostorTail tail = MakeTail();

    const Thresholds loose = ComputeThresholds(tail, 0.01, 500);
    const Thresholds strict = ComputeThresholds(tail, 0.001, 500);
    const Thresholds stricter = ComputeThresholds(tail, 0.0001, 500);

    EXPECT_LT(loose.accept, strict.accept);
    EXPECT_LT(strict.accept, stricter.accept);
}

TEST(ThresholdsTest, RejectNeverAboveAccept) {
    const ImpostorTail tail = MakeTail();
    for (int people : {1, 2, 10, 130, 2250, 100000}) {
        for (double fpir : {0.3, 0.01, 0.003, 1e-5}) {
            const Thresholds t = ComputeThresholds(tail, fpir, people);
            EXPECT_LE(t.reject, t.accept) << "people " << people << " fpir " << fpir;
        }
    }
}

TEST(ThresholdsTest, RejectBelowAcceptWhenTailAllows) {
    const Thresholds t = ComputeThresholds(MakeTail(), 0.003, 1000);

    EXPECT_LT(t.reject, t.accept);
}

TEST(ThresholdsTest, EmptyGalleryCountsAsOne) {
    const ImpostorTail tail = MakeTail();
    const Thresholds single_person = ComputeThresholds(tail, 1e-5, 1);

    for (int people : {0, -1, -1000}) {
        const Thresholds t = ComputeThresholds(tail, 1e-5, people);
        EXPECT_EQ(t.gallery_people, 1) << people;
        EXPECT_FLOAT_EQ(t.accept, single_person.accept) << people;
        EXPECT_FLOAT_EQ(t.reject, single_person.reject) << people;
        EXPECT_DOUBLE_EQ(t.comparison_far, single_person.comparison_far) << people;
    }
}

TEST(ThresholdsTest, ComparisonFarIsAboutFpirOverN) {
    const ImpostorTail tail = MakeTail();
    for (int people : {10, 130, 2250, 100000}) {
        const Thresholds t = ComputeThresholds(tail, 0.003, people);
        const double approximate = 0.003 / people;
        EXPECT_NEAR(t.comparison_far, approximate, approximate * 0.01) << people;
        EXPECT_EQ(t.gallery_people, people);
    }
}

TEST(ThresholdsTest, ComparisonFarMeetsTargetExactly) {
    const Thresholds t = ComputeThresholds(MakeTail(), 0.2, 4);

    // 1 - (1 - FAR)^N must give back the target FPIR.
    EXPECT_NEAR(1 - std::pow(1 - t.comparison_far, 4), 0.2, 1e-12);
}

TEST(ThresholdsTest, AcceptAndRejectFollowTailFormula) {
    const ImpostorTail tail = MakeTail();
    const Thresholds t = ComputeThresholds(tail, 0.003, 2250);

    EXPECT_NEAR(t.accept, FormulaThreshold(tail, t.comparison_far), 1e-5);
    EXPECT_NEAR(t.reject, FormulaThreshold(tail, 30 * t.comparison_far), 1e-5);
}

TEST(ThresholdsTest, RetryFactorMovesOnlyReject) {
    const ImpostorTail tail = MakeTail();
    const Thresholds standard = ComputeThresholds(tail, 0.003, 2250);
    const Thresholds wide = ComputeThresholds(tail, 0.003, 2250, 300);

    EXPECT_FLOAT_EQ(wide.accept, standard.accept);
    EXPECT_LT(wide.reject, standard.reject);
    EXPECT_NEAR(wide.reject, FormulaThreshold(tail, 300 * wide.comparison_far), 1e-5);
}

TEST(ThresholdsTest, NeverBelowTailStart) {
    const ImpostorTail tail = MakeTail();

    // FAR* = 0.4 is far above the fitted tail, so both thresholds sit at its start.
    const Thresholds t = ComputeThresholds(tail, 0.4, 1);

    EXPECT_FLOAT_EQ(t.accept, tail.tail_start);
    EXPECT_FLOAT_EQ(t.reject, tail.tail_start);
}

TEST(ThresholdsTest, ShippedCalibrationGivesDocumentedTable) {
    Result<ScoreCalibration> calibration =
        ScoreCalibration::Load(::menjin::testing::SourceDir() / "models/calibration.json");
    ASSERT_TRUE(calibration.ok()) << calibration.status().ToString();
    Result<ImpostorTail> tail = calibration->Find("mobilefacenet");
    ASSERT_TRUE(tail.ok()) << tail.status().ToString();

    const Thresholds estate = ComputeThresholds(*tail, 0.003, 130);
    const Thresholds city = ComputeThresholds(*tail, 0.003, 2250);

    // The table in docs/thresholds.md rounds to three decimals.
    EXPECT_NEAR(estate.accept, 0.588, 0.0015);
    EXPECT_NEAR(estate.reject, 0.463, 0.0015);
    EXPECT_NEAR(city.accept, 0.692, 0.0015);
    EXPECT_NEAR(city.reject, 0.567, 0.0015);
    EXPECT_NEAR(estate.comparison_far, 2.3e-5, 0.05e-5);
    EXPECT_NEAR(city.comparison_far, 1.3e-6, 0.05e-6);
}

}  // namespace
}  // namespace menjin
