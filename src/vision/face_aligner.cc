#include "vision/face_aligner.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace menjin {

cv::Mat EstimateSimilarity(const std::array<cv::Point2f, 4>& from,
                           const std::array<cv::Point2f, 4>& to) {
    constexpr int kCount = 4;
    cv::Point2d mean_from(0, 0);
    cv::Point2d mean_to(0, 0);
    for (int i = 0; i < kCount; ++i) {
        mean_from += cv::Point2d(from[i]);
        mean_to += cv::Point2d(to[i]);
    }
    mean_from /= kCount;
    mean_to /= kCount;

    // With complex numbers z = x + iy, the best similarity is to = a * from + b where
    // a = sum(conj(from_c) * to_c) / sum(|from_c|^2) over centred points.
    double re = 0;
    double im = 0;
    double norm = 0;
    for (int i = 0; i < kCount; ++i) {
        const cv::Point2d f = cv::Point2d(from[i]) - mean_from;
        const cv::Point2d t = cv::Point2d(to[i]) - mean_to;
        re += f.x * t.x + f.y * t.y;
        im += f.x * t.y - f.y * t.x;
        norm += f.x * f.x + f.y * f.y;
    }
    cv::Mat transform = (cv::Mat_<double>(2, 3) << 1, 0, 0, 0, 1, 0);
    if (norm < 1e-12)
        return transform;
    const double a = re / norm;
    const double b = im / norm;
    transform.at<double>(0, 0) = a;
    transform.at<double>(0, 1) = -b;
    transform.at<double>(1, 0) = b;
    transform.at<double>(1, 1) = a;
    transform.at<double>(0, 2) = mean_to.x - (a * mean_from.x - b * mean_from.y);
    transform.at<double>(1, 2) = mean_to.y - (b * mean_from.x + a * mean_from.y);
    return transform;
}

std::array<cv::Point2f, 4> AlignmentPoints(const DetectedFace& face) {
    return {face.point(Keypoint::kRightEye), face.point(Keypoint::kLeftEye),
            face.point(Keypoint::kNoseTip), face.point(Keypoint::kMouthCentre)};
}

cv::Mat AlignFace(const cv::Mat& bgr, const DetectedFace& face, const AlignmentTemplate& tmpl) {
    cv::Mat transform = EstimateSimilarity(AlignmentPoints(face), tmpl.points);
    const double scale = std::hypot(transform.at<double>(0, 0), transform.at<double>(1, 0));
    cv::Mat crop;
    if (scale >= 0.5) {
        cv::warpAffine(bgr, crop, transform, tmpl.size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        return crop;
    }
    // Bilinear warping from a face many times larger than the crop aliases. Shrink the part of
    // the image that the crop covers with area averaging first, so the warp itself scales by
    // about 1/2.
    const double shrink = scale * 2;
    cv::Mat inverse;
    cv::invertAffineTransform(transform, inverse);
    std::vector<cv::Point2f> corners = {
        {0, 0},
        {static_cast<float>(tmpl.size.width), 0},
        {0, static_cast<float>(tmpl.size.height)},
        {static_cast<float>(tmpl.size.width), static_cast<float>(tmpl.size.height)}};
    cv::transform(corners, corners, inverse);
    // Two pixels of margin keep bilinear sampling at the crop edge inside the region.
    cv::Rect region = cv::boundingRect(corners) + cv::Size(4, 4) - cv::Point(2, 2);
    region &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (region.width < 2 || region.height < 2)
        region = cv::Rect(0, 0, bgr.cols, bgr.rows);
    cv::Mat small;
    cv::resize(bgr(region), small, cv::Size(), shrink, shrink, cv::INTER_AREA);
    const double fx = static_cast<double>(small.cols) / region.width;
    const double fy = static_cast<double>(small.rows) / region.height;
    // Compose: small pixel -> region pixel -> image pixel -> crop pixel.
    cv::Mat to_image =
        (cv::Mat_<double>(3, 3) << 1 / fx, 0, region.x, 0, 1 / fy, region.y, 0, 0, 1);
    cv::Mat full;
    cv::vconcat(transform, cv::Mat((cv::Mat_<double>(1, 3) << 0, 0, 1)), full);
    cv::Mat composed = full * to_image;
    cv::warpAffine(small, crop, composed.rowRange(0, 2), tmpl.size, cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
    return crop;
}

}  // namespace menjin
