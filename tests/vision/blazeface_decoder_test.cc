#include "vision/blazeface_decoder.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace menjin {
namespace {

constexpr float kTolerance = 1e-4f;
constexpr int kRegressorsPerAnchor = 16;

// Raw model outputs in which every anchor scores far below any threshold.
struct RawOutputs {
    std::vector<float> scores;
    std::vector<float> regressors;

    explicit RawOutputs(std::size_t anchors)
        : scores(anchors, -20.0f), regressors(anchors * kRegressorsPerAnchor, 0.0f) {}

    // Sets anchor `index` to a face `side` input pixels wide centred on the anchor, with
    // keypoint k at (k, -k) input pixels from the anchor centre.
    void SetFace(std::size_t index, float logit, float side) {
        scores[index] = logit;
        float* r = &regressors[index * kRegressorsPerAnchor];
        r[2] = side;
        r[3] = side;
        for (int k = 0; k < kKeypointCount; ++k) {
            r[4 + 2 * k] = static_cast<float>(k);
            r[5 + 2 * k] = static_cast<float>(-k);
        }
    }
};

DetectedFace FaceWithBox(float x, float y, float side, float score) {
    DetectedFace face;
    face.box = cv::Rect2f(x, y, side, side);
    for (int k = 0; k < kKeypointCount; ++k) {
        face.keypoints[k] = cv::Point2f(x + side / 2, y + side / 2);
    }
    face.score = score;
    return face;
}

TEST(MakeAnchorCentresTest, MediaPipeLayoutHas896Anchors) {
    EXPECT_EQ(MakeAnchorCentres(BlazeFaceAnchors{}).size(), 896u);
}

TEST(MakeAnchorCentresTest, FirstAnchorIsCentreOfTopLeftCell) {
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    EXPECT_NEAR(anchors.front().x, 0.5f / 16, kTolerance);
    EXPECT_NEAR(anchors.front().y, 0.5f / 16, kTolerance);
}

TEST(MakeAnchorCentresTest, LastAnchorIsBottomRightCentre) {
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    EXPECT_NEAR(anchors.back().x, 7.5f / 8, kTolerance);
    EXPECT_NEAR(anchors.back().y, 7.5f / 8, kTolerance);
}

TEST(MakeAnchorCentresTest, CoarseGridStartsAfterFineGrid) {
    // 16 x 16 cells with 2 anchors each come first, then the 8 x 8 grid.
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    EXPECT_NEAR(anchors[511].x, 15.5f / 16, kTolerance);
    EXPECT_NEAR(anchors[512].x, 0.5f / 8, kTolerance);
    EXPECT_NEAR(anchors[512].y, 0.5f / 8, kTolerance);
}

TEST(MakeAnchorCentresTest, AnchorsOfOneCellShareCentre) {
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    EXPECT_EQ(anchors[0], anchors[1]);
    EXPECT_NE(anchors[1], anchors[2]);
}

TEST(LetterboxTest, FitScalesLongerSideToInput) {
    const Letterbox box = Letterbox::Fit(cv::Size(640, 480), 256);
    EXPECT_FLOAT_EQ(box.scale, 0.4f);
    EXPECT_FLOAT_EQ(box.pad_x, 0.0f);
    EXPECT_FLOAT_EQ(box.pad_y, 32.0f);
    EXPECT_EQ(box.input, cv::Size(256, 256));
}

TEST(LetterboxTest, HeightStepDropsPaddingRowsOfWideFrame) {
    const Letterbox box = Letterbox::Fit(cv::Size(640, 480), 256, 32);
    EXPECT_FLOAT_EQ(box.scale, 0.4f);
    EXPECT_EQ(box.input, cv::Size(256, 192));
    EXPECT_FLOAT_EQ(box.pad_y, 0.0f);
}

TEST(LetterboxTest, HeightStepRoundsUpAndCentres) {
    // 1280x720 scales to 256x144, which needs 160 rows: 8 padding rows above and below.
    const Letterbox box = Letterbox::Fit(cv::Size(1280, 720), 256, 32);
    EXPECT_EQ(box.input, cv::Size(256, 160));
    EXPECT_FLOAT_EQ(box.pad_y, 8.0f);
}

TEST(LetterboxTest, HeightStepKeepsSquareForPanorama) {
    // 2:1 and wider frames get the square input.
    const Letterbox wide = Letterbox::Fit(cv::Size(1024, 512), 256, 32);
    const Letterbox panorama = Letterbox::Fit(cv::Size(3072, 512), 256, 32);
    EXPECT_EQ(wide.input, cv::Size(256, 256));
    EXPECT_EQ(panorama.input, cv::Size(256, 256));
    EXPECT_NEAR(panorama.pad_y, (256 - 512 / 12.0f) / 2, 1e-3f);
}

TEST(LetterboxTest, HeightStepKeepsSquareForPortraitFrame) {
    const Letterbox box = Letterbox::Fit(cv::Size(480, 640), 256, 32);
    EXPECT_EQ(box.input, cv::Size(256, 256));
    EXPECT_FLOAT_EQ(box.pad_x, 32.0f);
}

TEST(MakeAnchorCentresTest, WideInputHasFewerRows) {
    // 256x192: 16x12 cells with 2 anchors, then 8x6 cells with 6.
    const std::vector<cv::Point2f> anchors =
        MakeAnchorCentres(BlazeFaceAnchors{}, cv::Size(256, 192));
    ASSERT_EQ(anchors.size(), 16u * 12 * 2 + 8u * 6 * 6);
    EXPECT_NEAR(anchors[383].x, 15.5f / 16, kTolerance);
    EXPECT_NEAR(anchors[383].y, 11.5f / 12, kTolerance);
    EXPECT_NEAR(anchors.back().y, 5.5f / 6, kTolerance);
}

TEST(LetterboxTest, FitPadsPortraitImageLeftAndRight) {
    const Letterbox box = Letterbox::Fit(cv::Size(100, 200), 128);
    EXPECT_FLOAT_EQ(box.scale, 0.64f);
    EXPECT_FLOAT_EQ(box.pad_x, 32.0f);
    EXPECT_FLOAT_EQ(box.pad_y, 0.0f);
}

TEST(LetterboxTest, ToImageInvertsFit) {
    const cv::Size image(640, 480);
    const Letterbox box = Letterbox::Fit(image, 256);
    const std::vector<cv::Point2f> points = {{0, 0}, {639, 479}, {100, 200}, {320.5f, 17.25f}};
    for (const cv::Point2f& point : points) {
        // Forward mapping written out: image pixel -> input pixel -> [0, 1].
        const cv::Point2f normalised((point.x * box.scale + box.pad_x) / box.input.width,
                                     (point.y * box.scale + box.pad_y) / box.input.height);
        const cv::Point2f back = box.ToImage(normalised);
        EXPECT_NEAR(back.x, point.x, 1e-3f) << "point " << point;
        EXPECT_NEAR(back.y, point.y, 1e-3f) << "point " << point;
    }
}

TEST(LetterboxTest, ToImageMapsPaddingEdgeToImageEdge) {
    const Letterbox box = Letterbox::Fit(cv::Size(640, 480), 256);
    const cv::Point2f top_left = box.ToImage({0.0f, 32.0f / 256});
    const cv::Point2f bottom_right = box.ToImage({1.0f, 224.0f / 256});
    EXPECT_NEAR(top_left.x, 0.0f, kTolerance);
    EXPECT_NEAR(top_left.y, 0.0f, kTolerance);
    EXPECT_NEAR(bottom_right.x, 640.0f, 1e-3f);
    EXPECT_NEAR(bottom_right.y, 480.0f, 1e-3f);
}

TEST(DecodeBlazeFaceTest, AnchorAboveThresholdBecomesFace) {
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    RawOutputs raw(anchors.size());
    const std::size_t index = 600;
    raw.SetFace(index, 2.0f, 32.0f);
    const Letterbox box = Letterbox::Fit(cv::Size(256, 256), 256);

    const std::vector<DetectedFace> faces =
        DecodeBlazeFace(raw.scores.data(), raw.regressors.data(), anchors, box, 0.5f);

    ASSERT_EQ(faces.size(), 1u);
    const cv::Point2f centre = anchors[index] * 256.0f;
    EXPECT_NEAR(faces[0].box.x, centre.x - 16, 1e-3f);
    EXPECT_NEAR(faces[0].box.y, centre.y - 16, 1e-3f);
    EXPECT_NEAR(faces[0].box.width, 32.0f, 1e-3f);
    EXPECT_NEAR(faces[0].box.height, 32.0f, 1e-3f);
    EXPECT_NEAR(faces[0].score, 1.0f / (1.0f + std::exp(-2.0f)), 1e-5f);
}

TEST(DecodeBlazeFaceTest, KeypointsAreOffsetsFromAnchor) {
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    RawOutputs raw(anchors.size());
    const std::size_t index = 100;
    raw.SetFace(index, 3.0f, 20.0f);
    const Letterbox box = Letterbox::Fit(cv::Size(256, 256), 256);

    const std::vector<DetectedFace> faces =
        DecodeBlazeFace(raw.scores.data(), raw.regressors.data(), anchors, box, 0.5f);

    ASSERT_EQ(faces.size(), 1u);
    const cv::Point2f centre = anchors[index] * 256.0f;
    for (int k = 0; k < kKeypointCount; ++k) {
        EXPECT_NEAR(faces[0].keypoints[k].x, centre.x + k, 1e-3f) << "keypoint " << k;
        EXPECT_NEAR(faces[0].keypoints[k].y, centre.y - k, 1e-3f) << "keypoint " << k;
    }
}

TEST(DecodeBlazeFaceTest, LetterboxMapsFaceToImagePixels) {
    // A 512x256 image is halved into the 256 input with 64 rows of padding on top.
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    RawOutputs raw(anchors.size());
    const std::size_t index = 700;
    raw.SetFace(index, 1.0f, 40.0f);
    const Letterbox box = Letterbox::Fit(cv::Size(512, 256), 256);

    const std::vector<DetectedFace> faces =
        DecodeBlazeFace(raw.scores.data(), raw.regressors.data(), anchors, box, 0.5f);

    ASSERT_EQ(faces.size(), 1u);
    const cv::Point2f centre = anchors[index] * 256.0f;
    EXPECT_NEAR(faces[0].box.x, (centre.x - 20) * 2, 1e-2f);
    EXPECT_NEAR(faces[0].box.y, (centre.y - 20 - 64) * 2, 1e-2f);
    EXPECT_NEAR(faces[0].box.width, 80.0f, 1e-2f);
}

TEST(DecodeBlazeFaceTest, AnchorBelowThresholdIsSkipped) {
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    RawOutputs raw(anchors.size());
    raw.SetFace(10, -1.0f, 32.0f);  // sigmoid(-1) = 0.27
    const Letterbox box = Letterbox::Fit(cv::Size(256, 256), 256);

    const std::vector<DetectedFace> faces =
        DecodeBlazeFace(raw.scores.data(), raw.regressors.data(), anchors, box, 0.5f);

    EXPECT_TRUE(faces.empty());
}

TEST(DecodeBlazeFaceTest, ThresholdAppliesToSigmoidScore) {
    const std::vector<cv::Point2f> anchors = MakeAnchorCentres(BlazeFaceAnchors{});
    RawOutputs raw(anchors.size());
    raw.SetFace(10, 0.5f, 32.0f);  // sigmoid(0.5) = 0.62
    raw.SetFace(20, 0.3f, 32.0f);  // sigmoid(0.3) = 0.57
    const Letterbox box = Letterbox::Fit(cv::Size(256, 256), 256);

    const std::vector<DetectedFace> faces =
        DecodeBlazeFace(raw.scores.data(), raw.regressors.data(), anchors, box, 0.6f);

    ASSERT_EQ(faces.size(), 1u);
    EXPECT_NEAR(faces[0].score, 0.6225f, 1e-3f);
}

TEST(IntersectionOverUnionTest, IdenticalBoxesGiveOne) {
    const cv::Rect2f box(10, 20, 30, 40);
    EXPECT_FLOAT_EQ(IntersectionOverUnion(box, box), 1.0f);
}

TEST(IntersectionOverUnionTest, DisjointBoxesGiveZero) {
    EXPECT_FLOAT_EQ(IntersectionOverUnion({0, 0, 10, 10}, {20, 20, 10, 10}), 0.0f);
}

TEST(IntersectionOverUnionTest, HalfShiftedBoxesGiveOneThird) {
    // Overlap 50, union 150.
    EXPECT_NEAR(IntersectionOverUnion({0, 0, 10, 10}, {5, 0, 10, 10}), 1.0f / 3, 1e-6f);
}

TEST(IntersectionOverUnionTest, EmptyBoxesGiveZero) {
    EXPECT_FLOAT_EQ(IntersectionOverUnion({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0f);
}

TEST(WeightedNonMaxSuppressionTest, MergesOverlappingBoxes) {
    // IoU of the two boxes is 81 / 119 = 0.68.
    std::vector<DetectedFace> faces = {FaceWithBox(0, 0, 10, 0.6f), FaceWithBox(1, 1, 10, 0.9f)};

    const std::vector<DetectedFace> kept = WeightedNonMaxSuppression(faces, 0.3f);

    ASSERT_EQ(kept.size(), 1u);
    EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
    // Score-weighted mean: (0.9 * 1 + 0.6 * 0) / 1.5 = 0.6.
    EXPECT_NEAR(kept[0].box.x, 0.6f, 1e-5f);
    EXPECT_NEAR(kept[0].box.y, 0.6f, 1e-5f);
    EXPECT_NEAR(kept[0].box.width, 10.0f, 1e-5f);
    EXPECT_NEAR(kept[0].keypoints[0].x, 5.6f, 1e-5f);
}

TEST(WeightedNonMaxSuppressionTest, KeepsSeparateBoxesSortedByScore) {
    std::vector<DetectedFace> faces = {FaceWithBox(0, 0, 10, 0.7f), FaceWithBox(50, 0, 10, 0.8f)};

    const std::vector<DetectedFace> kept = WeightedNonMaxSuppression(faces, 0.3f);

    ASSERT_EQ(kept.size(), 2u);
    EXPECT_FLOAT_EQ(kept[0].score, 0.8f);
    EXPECT_FLOAT_EQ(kept[0].box.x, 50.0f);
    EXPECT_FLOAT_EQ(kept[1].score, 0.7f);
    EXPECT_FLOAT_EQ(kept[1].box.x, 0.0f);
}

TEST(WeightedNonMaxSuppressionTest, OverlapAtThresholdStaysSeparate) {
    // IoU of 1/3 is not above a threshold of 0.4.
    std::vector<DetectedFace> faces = {FaceWithBox(0, 0, 10, 0.7f), FaceWithBox(5, 0, 10, 0.8f)};

    EXPECT_EQ(WeightedNonMaxSuppression(faces, 0.4f).size(), 2u);
}

TEST(WeightedNonMaxSuppressionTest, EmptyInputGivesEmptyOutput) {
    EXPECT_TRUE(WeightedNonMaxSuppression({}, 0.3f).empty());
}

}  // namespace
}  // namespace menjin
