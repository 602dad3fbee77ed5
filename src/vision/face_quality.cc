#include "vision/face_quality.h"

#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "vision/face_aligner.h"

namespace menjin {

namespace {

constexpr float kDegrees = 180.0f / std::numbers::pi_v<float>;

// Depth of the nose tip in front of the eyes, relative to the eye distance, and relative to
// the eye-to-mouth height. They turn the nose's shift in the image into head angles. The first
// was set so that news photos of faces turned about 30 degrees (judged by eye) read about 30;
// with BlazeFace keypoints it is larger than anatomy alone would give.
constexpr float kNoseDepthPerEyeDistance = 0.7f;
constexpr float kNoseDepthPerFaceHeight = 0.5f;
// Nose position between eye line and mouth on a frontal face (ArcFace reference points).
constexpr float kFrontalNoseRatio = 0.494f;

// A 112x112 crop with the eyes 35 px apart, so sharpness is measured at one scale whatever
// the face size in the image.
const AlignmentTemplate& SharpnessTemplate() {
    static const AlignmentTemplate kTemplate{
        "quality112",
        {112, 112},
        {{{38.29f, 51.70f}, {73.53f, 51.50f}, {56.03f, 71.74f}, {56.14f, 92.28f}}}};
    return kTemplate;
}

}  // namespace

QualityPolicy QualityPolicy::Enrolment() {
    QualityPolicy policy;
    policy.min_inter_eye_px = 28;
    policy.min_sharpness = 40;
    policy.max_yaw_deg = 25;
    policy.max_pitch_deg = 25;
    policy.max_roll_deg = 20;
    policy.min_brightness = 50;
    policy.max_brightness = 215;
    return policy;
}

QualityPolicy QualityPolicy::Gate() {
    return QualityPolicy();
}

void EstimatePose(const DetectedFace& face, QualityMeasures& measures) {
    const cv::Point2f right_eye = face.point(Keypoint::kRightEye);
    const cv::Point2f left_eye = face.point(Keypoint::kLeftEye);
    const cv::Point2f eye_line = left_eye - right_eye;
    const float eye_distance = std::hypot(eye_line.x, eye_line.y);
    measures.inter_eye_px = eye_distance;
    if (eye_distance < 1e-3f)
        return;
    const float roll = std::atan2(eye_line.y, eye_line.x);
    measures.roll_deg = roll * kDegrees;

    // Express nose and mouth in a frame where the eye line is horizontal.
    const cv::Point2f eye_mid = (right_eye + left_eye) * 0.5f;
    const float c = std::cos(-roll);
    const float s = std::sin(-roll);
    auto upright = [&](cv::Point2f p) {
        const cv::Point2f d = p - eye_mid;
        return cv::Point2f(c * d.x - s * d.y, s * d.x + c * d.y);
    };
    const cv::Point2f nose = upright(face.point(Keypoint::kNoseTip));
    const cv::Point2f mouth = upright(face.point(Keypoint::kMouthCentre));
    measures.yaw_deg = std::atan(nose.x / (kNoseDepthPerEyeDistance * eye_distance)) * kDegrees;
    if (mouth.y > 1e-3f) {
        const float ratio = nose.y / mouth.y;
        measures.pitch_deg =
            std::atan((ratio - kFrontalNoseRatio) / kNoseDepthPerFaceHeight) * kDegrees;
    }
}

QualityReport AssessQuality(const cv::Mat& bgr, const DetectedFace& face,
                            const QualityPolicy& policy) {
    QualityReport report;
    QualityMeasures& m = report.measures;
    EstimatePose(face, m);

    cv::Mat grey;
    cv::cvtColor(AlignFace(bgr, face, SharpnessTemplate()), grey, cv::COLOR_BGR2GRAY);
    cv::Mat laplacian;
    cv::Laplacian(grey, laplacian, CV_32F);
    cv::Scalar mean;
    cv::Scalar deviation;
    // The central region holds eyes, nose and mouth, without background or hair.
    const cv::Rect centre(28, 36, 56, 64);
    cv::meanStdDev(laplacian(centre), mean, deviation);
    m.sharpness = static_cast<float>(deviation[0] * deviation[0]);
    m.brightness = static_cast<float>(cv::mean(grey(centre))[0]);

    if (m.inter_eye_px < policy.min_inter_eye_px)
        report.reasons.push_back("face_too_small");
    if (m.sharpness < policy.min_sharpness)
        report.reasons.push_back("blurred");
    if (std::abs(m.yaw_deg) > policy.max_yaw_deg)
        report.reasons.push_back("pose_yaw");
    if (std::abs(m.pitch_deg) > policy.max_pitch_deg)
        report.reasons.push_back("pose_pitch");
    if (std::abs(m.roll_deg) > policy.max_roll_deg)
        report.reasons.push_back("pose_roll");
    if (m.brightness < policy.min_brightness)
        report.reasons.push_back("too_dark");
    if (m.brightness > policy.max_brightness)
        report.reasons.push_back("too_bright");
    return report;
}

std::string DescribeQualityReason(const std::string& code) {
    if (code == "face_too_small")
        return "the face is too small: move closer or use a larger photo";
    if (code == "blurred")
        return "the face is blurred: hold still and keep the lens clean";
    if (code == "pose_yaw")
        return "the head is turned sideways: look straight at the camera";
    if (code == "pose_pitch")
        return "the head is tilted up or down: look straight at the camera";
    if (code == "pose_roll")
        return "the head is tilted to one side: hold it upright";
    if (code == "too_dark")
        return "the face is too dark: add light in front of the face";
    if (code == "too_bright")
        return "the face is overexposed: reduce the light or backlight";
    return code;
}

}  // namespace menjin
