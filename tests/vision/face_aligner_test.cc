#include "vision/face_aligner.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

namespace menjin {
namespace {

// Returns the ArcFace 112x112 reference points, which the shipped MobileFaceNet template uses.
AlignmentTemplate ArcFaceTemplate() {
    return {"arcface_112",
            {112, 112},
            {{{38.29f, 51.70f}, {73.53f, 51.50f}, {56.03f, 71.74f}, {56.14f, 92.28f}}}};
}

// A rotation by `degrees`, uniform `scale` and translation `shift`.
struct Similarity {
    double scale = 1;
    double degrees = 0;
    cv::Point2d shift;

    cv::Point2f Apply(cv::Point2f p) const {
        const double radians = degrees * std::numbers::pi / 180;
        const double a = scale * std::cos(radians);
        const double b = scale * std::sin(radians);
        return cv::Point2f(static_cast<float>(a * p.x - b * p.y + shift.x),
                           static_cast<float>(b * p.x + a * p.y + shift.y));
    }
};

std::array<cv::Point2f, 4> Transformed(const std::array<cv::Point2f, 4>& points,
                                       const Similarity& similarity) {
    std::array<cv::Point2f, 4> result;
    for (std::size_t i = 0; i < points.size(); ++i)
        result[i] = similarity.Apply(points[i]);
    return result;
}

// Returns a face whose four alignment points are `points`, with a box around them.
DetectedFace FaceAt(const std::array<cv::Point2f, 4>& points) {
    DetectedFace face;
    for (int k = 0; k < 4; ++k)
        face.keypoints[k] = points[k];
    face.keypoints[4] = points[0];
    face.keypoints[5] = points[1];
    cv::Point2f low = points[0];
    cv::Point2f high = points[0];
    for (const cv::Point2f& p : points) {
        low = cv::Point2f(std::min(low.x, p.x), std::min(low.y, p.y));
        high = cv::Point2f(std::max(high.x, p.x), std::max(high.y, p.y));
    }
    const cv::Rect2f tight(low, high);
    const float margin = tight.width * 0.5f;
    face.box = cv::Rect2f(tight.x - margin, tight.y - margin, tight.width + 2 * margin,
                          tight.height + 2 * margin);
    face.score = 1;
    return face;
}

// Returns a black BGR image with a Gaussian spot of standard deviation `sigma` pixels at each
// point.
cv::Mat SpotsImage(cv::Size size, const std::array<cv::Point2f, 4>& points, float sigma) {
    cv::Mat grey(size, CV_32F, cv::Scalar(0));
    for (int y = 0; y < size.height; ++y) {
        for (int x = 0; x < size.width; ++x) {
            float value = 0;
            for (const cv::Point2f& p : points) {
                const float dx = x - p.x;
                const float dy = y - p.y;
                value += 255.0f * std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            }
            grey.at<float>(y, x) = std::min(value, 255.0f);
        }
    }
    cv::Mat grey8;
    grey.convertTo(grey8, CV_8U);
    cv::Mat bgr;
    cv::merge(std::vector<cv::Mat>{grey8, grey8, grey8}, bgr);
    return bgr;
}

// Returns the intensity-weighted centre of the first channel within `radius` pixels of `guess`.
cv::Point2f SpotCentre(const cv::Mat& bgr, cv::Point2f guess, int radius) {
    double sum = 0;
    double sum_x = 0;
    double sum_y = 0;
    const int cx = cvRound(guess.x);
    const int cy = cvRound(guess.y);
    for (int y = std::max(0, cy - radius); y <= std::min(bgr.rows - 1, cy + radius); ++y) {
        for (int x = std::max(0, cx - radius); x <= std::min(bgr.cols - 1, cx + radius); ++x) {
            const double value = bgr.at<cv::Vec3b>(y, x)[0];
            sum += value;
            sum_x += value * x;
            sum_y += value * y;
        }
    }
    if (sum == 0)
        return {-1, -1};
    return cv::Point2f(static_cast<float>(sum_x / sum), static_cast<float>(sum_y / sum));
}

TEST(EstimateSimilarityTest, RecoversKnownTransform) {
    const std::array<cv::Point2f, 4> from = ArcFaceTemplate().points;
    const Similarity truth{1.7, 25, {12, -7}};
    const std::array<cv::Point2f, 4> to = Transformed(from, truth);

    const cv::Mat m = EstimateSimilarity(from, to);

    const double radians = truth.degrees * std::numbers::pi / 180;
    ASSERT_EQ(m.rows, 2);
    ASSERT_EQ(m.cols, 3);
    ASSERT_EQ(m.type(), CV_64F);
    EXPECT_NEAR(m.at<double>(0, 0), truth.scale * std::cos(radians), 1e-5);
    EXPECT_NEAR(m.at<double>(0, 1), -truth.scale * std::sin(radians), 1e-5);
    EXPECT_NEAR(m.at<double>(1, 0), truth.scale * std::sin(radians), 1e-5);
    EXPECT_NEAR(m.at<double>(1, 1), truth.scale * std::cos(radians), 1e-5);
    EXPECT_NEAR(m.at<double>(0, 2), truth.shift.x, 1e-3);
    EXPECT_NEAR(m.at<double>(1, 2), truth.shift.y, 1e-3);
}

TEST(EstimateSimilarityTest, RecoversShrinkWithNegativeRotation) {
    const std::array<cv::Point2f, 4> from = {{{400, 300}, {620, 280}, {510, 420}, {505, 540}}};
    const Similarity truth{0.15, -40, {-3, 20}};
    const std::array<cv::Point2f, 4> to = Transformed(from, truth);

    const cv::Mat m = EstimateSimilarity(from, to);

    for (const cv::Point2f& p : from) {
        const cv::Point2f expected = truth.Apply(p);
        const double x = m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2);
        const double y = m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2);
        EXPECT_NEAR(x, expected.x, 1e-3) << "point " << p;
        EXPECT_NEAR(y, expected.y, 1e-3) << "point " << p;
    }
}

TEST(EstimateSimilarityTest, CoincidentPointsGiveIdentity) {
    const std::array<cv::Point2f, 4> from = {{{5, 5}, {5, 5}, {5, 5}, {5, 5}}};
    const std::array<cv::Point2f, 4> to = ArcFaceTemplate().points;

    const cv::Mat m = EstimateSimilarity(from, to);

    const cv::Mat identity = (cv::Mat_<double>(2, 3) << 1, 0, 0, 0, 1, 0);
    EXPECT_EQ(cv::norm(m, identity, cv::NORM_INF), 0.0);
}

TEST(AlignmentPointsTest, TakesEyesNoseAndMouthInOrder) {
    DetectedFace face;
    for (int k = 0; k < kKeypointCount; ++k)
        face.keypoints[k] = cv::Point2f(k * 10.0f, k);

    const std::array<cv::Point2f, 4> points = AlignmentPoints(face);

    EXPECT_EQ(points[0], face.point(Keypoint::kRightEye));
    EXPECT_EQ(points[1], face.point(Keypoint::kLeftEye));
    EXPECT_EQ(points[2], face.point(Keypoint::kNoseTip));
    EXPECT_EQ(points[3], face.point(Keypoint::kMouthCentre));
}

TEST(AlignFaceTest, CropHasTemplateSize) {
    const AlignmentTemplate tmpl = ArcFaceTemplate();
    const std::array<cv::Point2f, 4> points = Transformed(tmpl.points, {2, 0, {50, 40}});
    const cv::Mat image = SpotsImage({400, 300}, points, 3);

    const cv::Mat crop = AlignFace(image, FaceAt(points), tmpl);

    EXPECT_EQ(crop.size(), tmpl.size);
    EXPECT_EQ(crop.type(), CV_8UC3);
}

TEST(AlignFaceTest, PlacesKeypointsOnTemplate) {
    const AlignmentTemplate tmpl = ArcFaceTemplate();
    const std::array<cv::Point2f, 4> points = Transformed(tmpl.points, {1.6, 15, {100, 60}});
    const cv::Mat image = SpotsImage({400, 300}, points, 3);

    const cv::Mat crop = AlignFace(image, FaceAt(points), tmpl);

    for (int k = 0; k < 4; ++k) {
        const cv::Point2f found = SpotCentre(crop, tmpl.points[k], 6);
        EXPECT_NEAR(found.x, tmpl.points[k].x, 0.5f) << "alignment point " << k;
        EXPECT_NEAR(found.y, tmpl.points[k].y, 0.5f) << "alignment point " << k;
    }
}

TEST(AlignFaceTest, PlacesKeypointsOfLargeFaceOnTemplate) {
    // Eyes about 200 px apart, so the crop is less than half the face's size and AlignFace
    // shrinks a region around the face before warping.
    const AlignmentTemplate tmpl = ArcFaceTemplate();
    const std::array<cv::Point2f, 4> points = Transformed(tmpl.points, {6, -10, {150, 300}});
    const cv::Mat image = SpotsImage({1000, 1100}, points, 12);

    const cv::Mat crop = AlignFace(image, FaceAt(points), tmpl);

    for (int k = 0; k < 4; ++k) {
        const cv::Point2f found = SpotCentre(crop, tmpl.points[k], 6);
        EXPECT_NEAR(found.x, tmpl.points[k].x, 1.0f) << "alignment point " << k;
        EXPECT_NEAR(found.y, tmpl.points[k].y, 1.0f) << "alignment point " << k;
    }
}

TEST(AlignFaceTest, LargeFaceKeepsSubpixelPosition) {
    // Block averaging and bilinear warping reproduce a horizontal ramp exactly, so a slip in
    // where the averaged region maps to shows up as a bias. This face is 2.5 times the crop's
    // size, so it is averaged in 2x2 blocks, and a half-pixel slip would add 0.4 to every value.
    // A float ramp keeps 8-bit rounding from hiding such a slip.
    const AlignmentTemplate tmpl = ArcFaceTemplate();
    const std::array<cv::Point2f, 4> points = Transformed(tmpl.points, {2.5, 0, {120, 150}});
    cv::Mat image(600, 600, CV_32FC3);
    for (int x = 0; x < image.cols; ++x)
        image.col(x).setTo(cv::Scalar::all(0.8 * (x - 100)));

    const cv::Mat crop = AlignFace(image, FaceAt(points), tmpl);

    double bias = 0;
    double worst = 0;
    int count = 0;
    for (int v = 4; v < crop.rows - 4; ++v) {
        for (int u = 4; u < crop.cols - 4; ++u) {
            // Crop pixel u sits at image x = 2.5 u + 120, where the ramp is 2 u + 16.
            const double error = crop.at<cv::Vec3f>(v, u)[0] - (2.0 * u + 16);
            bias += error;
            worst = std::max(worst, std::abs(error));
            ++count;
        }
    }
    EXPECT_LT(std::abs(bias / count), 0.05);
    EXPECT_LE(worst, 0.1);
}

TEST(AlignFaceTest, TinyImageStillGivesCrop) {
    // Keypoints far outside a 3x3 image ask for a shrink larger than the image itself.
    const AlignmentTemplate tmpl = ArcFaceTemplate();
    const std::array<cv::Point2f, 4> points = Transformed(tmpl.points, {400, 0, {-9000, -9000}});
    const cv::Mat image(3, 3, CV_8UC3, cv::Scalar::all(90));

    const cv::Mat crop = AlignFace(image, FaceAt(points), tmpl);

    EXPECT_EQ(crop.size(), tmpl.size);
    EXPECT_EQ(crop.at<cv::Vec3b>(56, 56), cv::Vec3b(90, 90, 90));
}

TEST(AlignFaceTest, UprightsRotatedFace) {
    // A face turned by 90 degrees in the image still comes out with the eyes on a level line.
    const AlignmentTemplate tmpl = ArcFaceTemplate();
    const std::array<cv::Point2f, 4> points = Transformed(tmpl.points, {1.2, 90, {250, 20}});
    const cv::Mat image = SpotsImage({300, 300}, points, 3);

    const cv::Mat crop = AlignFace(image, FaceAt(points), tmpl);

    const cv::Point2f right_eye = SpotCentre(crop, tmpl.points[0], 6);
    const cv::Point2f left_eye = SpotCentre(crop, tmpl.points[1], 6);
    EXPECT_NEAR(right_eye.y, left_eye.y, 1.0f);
    EXPECT_LT(right_eye.x, left_eye.x);
}

}  // namespace
}  // namespace menjin
