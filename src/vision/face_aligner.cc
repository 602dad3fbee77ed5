#include "vision/face_aligner.h"

#include <algorithm>
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
    // Side of the pixel blocks averaged below, at most the image's shorter side.
    const double shortest = static_cast<double>(std::min(bgr.cols, bgr.rows));
    const int block = static_cast<int>(std::min(std::ceil(0.5 / std::max(scale, 1e-6)), shortest));
    cv::Mat crop;
    if (scale >= 0.5 || block < 2) {
        cv::warpAffine(bgr, crop, transform, tmpl.size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        return crop;
    }
    // Bilinear warping from a face many times larger than the crop aliases. Average the region
    // that the crop covers in whole blocks first, so the warp itself scales by 1/2 to 1. OpenCV
    // averages whole blocks on a fast path: 0.02 ms against 0.53 ms for a fractional area resize
    // of a 254 px region, measured here.
    cv::Mat inverse;
    cv::invertAffineTransform(transform, inverse);
    std::vector<cv::Point2f> corners = {
        {0, 0},
        {static_cast<float>(tmpl.size.width), 0},
        {0, static_cast<float>(tmpl.size.height)},
        {static_cast<float>(tmpl.size.width), static_cast<float>(tmpl.size.height)}};
    cv::transform(corners, corners, inverse);
    // One block of margin keeps bilinear sampling at the crop edge inside the region.
    cv::Rect region =
        cv::boundingRect(corners) + cv::Size(2 * block, 2 * block) - cv::Point(block, block);
    region &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (region.width < block || region.height < block)
        region = cv::Rect(0, 0, bgr.cols, bgr.rows);
    region.width -= region.width % block;
    region.height -= region.height % block;
    cv::Mat small;
    cv::resize(bgr(region), small, cv::Size(), 1.0 / block, 1.0 / block, cv::INTER_AREA);

    // Small pixel u averages image columns region.x + u*block onwards, so its centre is at
    // region.x + u*block + (block-1)/2. Compose: small pixel -> image pixel -> crop pixel.
    const double centre = (block - 1) / 2.0;
    cv::Mat to_image = (cv::Mat_<double>(3, 3) << block, 0, region.x + centre,  //
                        0, block, region.y + centre,                            //
                        0, 0, 1);
    cv::Mat full;
    cv::vconcat(transform, cv::Mat((cv::Mat_<double>(1, 3) << 0, 0, 1)), full);
    cv::Mat composed = full * to_image;
    cv::warpAffine(small, crop, composed.rowRange(0, 2), tmpl.size, cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
    return crop;
}

}  // namespace menjin
