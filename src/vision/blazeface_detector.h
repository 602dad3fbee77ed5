#pragma once

#include <vector>

#include <opencv2/dnn.hpp>

#include "vision/blazeface_decoder.h"
#include "vision/face_detector.h"

namespace menjin {

// MediaPipe BlazeFace run through OpenCV DNN. The image is letterboxed into the square model
// input, so a large image is downscaled for detection and the coordinates are mapped back to
// its own pixels. Not thread-safe (see FaceDetector).
class BlazeFaceDetector : public FaceDetector {
  public:
    BlazeFaceDetector(cv::dnn::Net net, ModelSpec spec, DetectorOptions options);

    Result<std::vector<DetectedFace>> Detect(const cv::Mat& bgr) override;

  private:
    cv::dnn::Net net_;
    ModelSpec spec_;
    DetectorOptions options_;
    std::vector<cv::Point2f> anchors_;
    std::vector<cv::String> output_names_;
};

}  // namespace menjin
