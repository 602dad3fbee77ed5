#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/face.h"

namespace menjin {

// Measurements behind the quality gate, all from the image and the detector's keypoints.
struct QualityMeasures {
    float inter_eye_px = 0;  // distance between the eye keypoints in image pixels
    float sharpness = 0;     // variance of the Laplacian of a 112x112 grey aligned crop
    float yaw_deg = 0;       // estimated head turn; positive towards the subject's left
    float pitch_deg = 0;     // estimated nod; positive when looking down
    float roll_deg = 0;      // in-plane tilt of the eye line
    float brightness = 0;    // mean grey level of the face's centre, 0 to 255
};

// Limits of the quality gate. Enrolment() is the strictest; Gate() accepts the faces a gate
// camera can still recognise.
struct QualityPolicy {
    float min_inter_eye_px = 20;
    float min_sharpness = 20;
    float max_yaw_deg = 45;
    float max_pitch_deg = 35;
    float max_roll_deg = 35;
    float min_brightness = 40;
    float max_brightness = 225;

    static QualityPolicy Enrolment();
    static QualityPolicy Gate();
};

// Result of the gate. `reasons` holds one stable code per failed check: "face_too_small",
// "blurred", "pose_yaw", "pose_pitch", "pose_roll", "too_dark" or "too_bright".
struct QualityReport {
    QualityMeasures measures;
    std::vector<std::string> reasons;

    bool passed() const { return reasons.empty(); }
};

// Estimates yaw, pitch and roll in degrees from the keypoints alone. The estimate assumes
// average face proportions and is coarse beyond about 45 degrees.
void EstimatePose(const DetectedFace& face, QualityMeasures& measures);

// Measures `face` in `bgr` and checks it against `policy`. Pure function, safe to call from
// several threads.
QualityReport AssessQuality(const cv::Mat& bgr, const DetectedFace& face,
                            const QualityPolicy& policy);

// Returns an English sentence for a reason code, for people at a console or command line.
std::string DescribeQualityReason(const std::string& code);

}  // namespace menjin
