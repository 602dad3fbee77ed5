#include "vision/yunet_detector.h"

namespace menjin {

YuNetDetector::YuNetDetector(cv::Ptr<cv::FaceDetectorYN> detector, DetectorOptions options)
    : detector_(std::move(detector)), options_(options) {}

Result<std::vector<DetectedFace>> YuNetDetector::Detect(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3) {
        return InvalidArgument("detector: expected a non-empty 8-bit BGR image");
    }
    cv::Mat rows;
    try {
        detector_->setInputSize(bgr.size());
        detector_->detect(bgr, rows);
    } catch (const cv::Exception& e) {
        return Internal(std::string("detector: YuNet inference failed: ") + e.what());
    }
    std::vector<DetectedFace> faces;
    for (int i = 0; i < rows.rows; ++i) {
        const float* r = rows.ptr<float>(i);
        DetectedFace face;
        face.box = cv::Rect2f(r[0], r[1], r[2], r[3]);
        face.keypoints[0] = {r[4], r[5]};
        face.keypoints[1] = {r[6], r[7]};
        face.keypoints[2] = {r[8], r[9]};
        face.keypoints[3] = {(r[10] + r[12]) / 2, (r[11] + r[13]) / 2};
        face.keypoints[4] = face.keypoints[0];
        face.keypoints[5] = face.keypoints[1];
        face.has_ears = false;
        face.score = r[14];
        if (face.box.width >= options_.min_face_px)
            faces.push_back(face);
    }
    std::sort(faces.begin(), faces.end(),
              [](const DetectedFace& a, const DetectedFace& b) { return a.score > b.score; });
    if (static_cast<int>(faces.size()) > options_.max_faces)
        faces.resize(options_.max_faces);
    return faces;
}

}  // namespace menjin
