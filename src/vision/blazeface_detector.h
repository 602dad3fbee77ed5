#pragma once

#include <map>
#include <vector>

#include <opencv2/dnn.hpp>

#include "vision/blazeface_decoder.h"
#include "vision/face_detector.h"

namespace menjin {

// MediaPipe BlazeFace run through OpenCV DNN. The image is letterboxed into the model input, so
// a large image is downscaled for detection and the coordinates are mapped back to its own
// pixels. When the model allows it (ModelSpec::input_height_step), a frame wider than tall is
// letterboxed into fewer rows than a square. Not thread-safe (see FaceDetector).
class BlazeFaceDetector : public FaceDetector {
  public:
    BlazeFaceDetector(cv::dnn::Net net, ModelSpec spec, DetectorOptions options);

    Result<std::vector<DetectedFace>> Detect(const cv::Mat& bgr) override;

  private:
    // Anchor centres for an input of this size, made once per input height.
    const std::vector<cv::Point2f>& AnchorsFor(cv::Size input);

    cv::dnn::Net net_;
    ModelSpec spec_;
    DetectorOptions options_;
    std::map<int, std::vector<cv::Point2f>> anchors_;  // by input height
    std::vector<cv::String> output_names_;
};

}  // namespace menjin
