#include "vision/face_quality.h"

#include <cmath>
#include <numbers>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace menjin {
namespace {

using ::testing::Contains;
using ::testing::Not;

constexpr float kEyeY = 50;
constexpr float kMouthY = 90;
// Height of the nose tip below the eye line on a frontal face, as a fraction of the
// eye-to-mouth height.
constexpr float kFrontalNoseRatio = 0.494f;

// Returns a frontal face with the eyes 40 px apart and the nose tip at
// (60 + nose_dx, 50 + nose_ratio * 40).
DetectedFace SyntheticFace(float nose_dx = 0, float nose_ratio = kFrontalNoseRatio) {
    DetectedFace face;
    face.keypoints[static_cast<int>(Keypoint::kRightEye)] = {40, kEyeY};
    face.keypoints[static_cast<int>(Keypoint::kLeftEye)] = {80, kEyeY};
    face.keypoints[static_cast<int>(Keypoint::kNoseTip)] = {60 + nose_dx,
                                                            kEyeY + nose_ratio * (kMouthY - kEyeY)};
    face.keypoints[static_cast<int>(Keypoint::kMouthCentre)] = {60, kMouthY};
    face.keypoints[static_cast<int>(Keypoint::kRightEar)] = {20, 60};
    face.keypoints[static_cast<int>(Keypoint::kLeftEar)] = {100, 60};
    face.box = cv::Rect2f(20, 20, 80, 90);
    face.score = 0.9f;
    return face;
}

// Rotates every keypoint of `face` by `degrees` (clockwise on screen, since image y points
// down) around the middle of the eyes.
DetectedFace Rolled(DetectedFace face, float degrees) {
    const float radians = degrees * std::numbers::pi_v<float> / 180;
    const cv::Point2f centre =
        (face.point(Keypoint::kRightEye) + face.point(Keypoint::kLeftEye)) * 0.5f;
    for (cv::Point2f& p : face.keypoints) {
        const cv::Point2f d = p - centre;
        p = centre + cv::Point2f(std::cos(radians) * d.x - std::sin(radians) * d.y,
                                 std::sin(radians) * d.x + std::cos(radians) * d.y);
    }
    return face;
}

// Scales every keypoint and the box of `face` by `factor` around the origin.
DetectedFace Scaled(DetectedFace face, float factor) {
    for (cv::Point2f& p : face.keypoints)
        p *= factor;
    face.box = cv::Rect2f(face.box.tl() * factor, face.box.br() * factor);
    return face;
}

// Returns a 160x160 BGR image of uniform noise between `low` and `high` grey levels, which has
// sharp detail everywhere and a known mean brightness.
cv::Mat NoiseImage(int low, int high) {
    cv::Mat grey(160, 160, CV_8U);
    cv::RNG rng(12345);
    rng.fill(grey, cv::RNG::UNIFORM, low, high + 1);
    cv::Mat bgr;
    cv::cvtColor(grey, bgr, cv::COLOR_GRAY2BGR);
    return bgr;
}

TEST(EstimatePoseTest, FrontalFaceHasZeroAngles) {
    QualityMeasures m;
    EstimatePose(SyntheticFace(), m);
    EXPECT_NEAR(m.yaw_deg, 0.0f, 0.1f);
    EXPECT_NEAR(m.pitch_deg, 0.0f, 0.1f);
    EXPECT_NEAR(m.roll_deg, 0.0f, 0.1f);
    EXPECT_NEAR(m.inter_eye_px, 40.0f, 1e-4f);
}

TEST(EstimatePoseTest, TurnTowardsSubjectsLeftIsPositiveYaw) {
    // The subject's left is the image right, so the nose tip moves right in the image.
    QualityMeasures m;
    EstimatePose(SyntheticFace(14), m);
    EXPECT_GT(m.yaw_deg, 20.0f);
}

TEST(EstimatePoseTest, TurnTowardsSubjectsRightIsNegativeYaw) {
    QualityMeasures m;
    EstimatePose(SyntheticFace(-14), m);
    EXPECT_LT(m.yaw_deg, -20.0f);
}

TEST(EstimatePoseTest, NodDownIsPositivePitch) {
    QualityMeasures m;
    EstimatePose(SyntheticFace(0, 0.7f), m);
    EXPECT_GT(m.pitch_deg, 15.0f);
    EXPECT_NEAR(m.yaw_deg, 0.0f, 0.1f);
}

TEST(EstimatePoseTest, NodUpIsNegativePitch) {
    QualityMeasures m;
    EstimatePose(SyntheticFace(0, 0.3f), m);
    EXPECT_LT(m.pitch_deg, -15.0f);
}

TEST(EstimatePoseTest, RollFollowsEyeLineAngle) {
    QualityMeasures m;
    EstimatePose(Rolled(SyntheticFace(), 20), m);
    EXPECT_NEAR(m.roll_deg, 20.0f, 0.01f);
}

TEST(EstimatePoseTest, CounterClockwiseTiltIsNegativeRoll) {
    QualityMeasures m;
    EstimatePose(Rolled(SyntheticFace(), -30), m);
    EXPECT_NEAR(m.roll_deg, -30.0f, 0.01f);
}

TEST(EstimatePoseTest, RollLeavesYawAndPitchUnchanged) {
    QualityMeasures upright;
    QualityMeasures rolled;
    EstimatePose(SyntheticFace(6, 0.6f), upright);
    EstimatePose(Rolled(SyntheticFace(6, 0.6f), 25), rolled);
    EXPECT_NEAR(rolled.yaw_deg, upright.yaw_deg, 0.01f);
    EXPECT_NEAR(rolled.pitch_deg, upright.pitch_deg, 0.01f);
}

TEST(EstimatePoseTest, CoincidentEyesGiveZeroAngles) {
    DetectedFace face = SyntheticFace(10, 0.7f);
    face.keypoints[static_cast<int>(Keypoint::kLeftEye)] = face.point(Keypoint::kRightEye);
    QualityMeasures m;
    EstimatePose(face, m);
    EXPECT_EQ(m.inter_eye_px, 0.0f);
    EXPECT_EQ(m.yaw_deg, 0.0f);
    EXPECT_EQ(m.pitch_deg, 0.0f);
}

TEST(AssessQualityTest, SharpFrontalFacePasses) {
    const QualityReport report =
        AssessQuality(NoiseImage(60, 200), SyntheticFace(), QualityPolicy::Gate());
    EXPECT_TRUE(report.passed()) << "first reason: "
                                 << (report.reasons.empty() ? "" : report.reasons[0]);
    EXPECT_GT(report.measures.sharpness, 1000.0f);
    EXPECT_NEAR(report.measures.brightness, 130.0f, 10.0f);
}

TEST(AssessQualityTest, TinyFaceIsTooSmall) {
    const QualityReport report =
        AssessQuality(NoiseImage(60, 200), Scaled(SyntheticFace(), 0.25f), QualityPolicy::Gate());
    EXPECT_THAT(report.reasons, Contains("face_too_small"));
    EXPECT_NEAR(report.measures.inter_eye_px, 10.0f, 1e-4f);
}

TEST(AssessQualityTest, EnrolmentRejectsFaceTheGateAccepts) {
    // Eyes 24 px apart are above the gate's 20 px minimum and below enrolment's 28 px.
    const DetectedFace face = Scaled(SyntheticFace(), 0.6f);
    const cv::Mat image = NoiseImage(60, 200);
    EXPECT_THAT(AssessQuality(image, face, QualityPolicy::Gate()).reasons,
                Not(Contains("face_too_small")));
    EXPECT_THAT(AssessQuality(image, face, QualityPolicy::Enrolment()).reasons,
                Contains("face_too_small"));
}

TEST(AssessQualityTest, BlurredImageIsBlurred) {
    cv::Mat blurred;
    cv::GaussianBlur(NoiseImage(60, 200), blurred, cv::Size(), 6);
    const QualityReport report = AssessQuality(blurred, SyntheticFace(), QualityPolicy::Gate());
    EXPECT_THAT(report.reasons, Contains("blurred"));
    EXPECT_THAT(report.reasons, Not(Contains("too_dark")));
}

TEST(AssessQualityTest, DarkImageIsTooDark) {
    const QualityReport report =
        AssessQuality(NoiseImage(0, 30), SyntheticFace(), QualityPolicy::Gate());
    EXPECT_THAT(report.reasons, Contains("too_dark"));
    EXPECT_THAT(report.reasons, Not(Contains("blurred")));
    EXPECT_THAT(report.reasons, Not(Contains("too_bright")));
}

TEST(AssessQualityTest, BrightImageIsTooBright) {
    const QualityReport report =
        AssessQuality(NoiseImage(235, 255), SyntheticFace(), QualityPolicy::Gate());
    EXPECT_THAT(report.reasons, Contains("too_bright"));
    EXPECT_THAT(report.reasons, Not(Contains("too_dark")));
}

TEST(AssessQualityTest, TurnedHeadFailsYaw) {
    const QualityReport report =
        AssessQuality(NoiseImage(60, 200), SyntheticFace(35), QualityPolicy::Gate());
    EXPECT_THAT(report.reasons, Contains("pose_yaw"));
    EXPECT_THAT(report.reasons, Not(Contains("pose_roll")));
}

TEST(AssessQualityTest, TiltedHeadFailsRoll) {
    const QualityReport report =
        AssessQuality(NoiseImage(60, 200), Rolled(SyntheticFace(), 45), QualityPolicy::Gate());
    EXPECT_THAT(report.reasons, Contains("pose_roll"));
    EXPECT_THAT(report.reasons, Not(Contains("pose_yaw")));
}

TEST(DescribeQualityReasonTest, KnownCodeGivesSentence) {
    EXPECT_NE(DescribeQualityReason("too_dark"), "too_dark");
}

TEST(DescribeQualityReasonTest, UnknownCodeIsReturnedUnchanged) {
    EXPECT_EQ(DescribeQualityReason("no_such_reason"), "no_such_reason");
}

}  // namespace
}  // namespace menjin
