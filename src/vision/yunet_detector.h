#pragma once

#include <opencv2/objdetect.hpp>

#include "vision/face_detector.h"

namespace menjin {

// OpenCV's YuNet face detector (cv::FaceDetectorYN), for users who drop in the standard
// face_detection_yunet ONNX file from the OpenCV model zoo. YuNet gives mouth corners instead
// of a mouth centre and no ears; the mouth centre is their midpoint. Not thread-safe.
class YuNetDetector : public FaceDetector {
  public:
    YuNetDetector(cv::Ptr<cv::FaceDetectorYN> detector, DetectorOptions options);

    Result<std::vector<DetectedFace>> Detect(const cv::Mat& bgr) override;

  private:
    cv::Ptr<cv::FaceDetectorYN> detector_;
    DetectorOptions options_;
};

}  // namespace menjin
