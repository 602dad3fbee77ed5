#pragma once

#include <array>

#include <opencv2/core.hpp>

namespace menjin {

// Indexes into DetectedFace::keypoints. "Right" and "left" are the subject's own sides, so the
// right eye appears on the left of an unmirrored image.
enum class Keypoint { kRightEye = 0, kLeftEye, kNoseTip, kMouthCentre, kRightEar, kLeftEar };

inline constexpr int kKeypointCount = 6;

// One face found in an image, in that image's pixel coordinates.
struct DetectedFace {
    cv::Rect2f box;
    std::array<cv::Point2f, kKeypointCount> keypoints;
    // Detector confidence in [0, 1].
    float score = 0;
    // False when the detector gives no ear points (YuNet); the ear entries are then the eyes.
    bool has_ears = true;

    const cv::Point2f& point(Keypoint which) const { return keypoints[static_cast<int>(which)]; }
};

}  // namespace menjin
