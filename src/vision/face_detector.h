#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "common/status.h"
#include "vision/face.h"
#include "vision/model_manifest.h"

namespace menjin {

// Tuning of a detector; the defaults suit gate cameras and ID-style photos.
struct DetectorOptions {
    // Minimum confidence in [0, 1] for a face to be kept.
    float score_threshold = 0.6f;
    // Boxes overlapping more than this intersection-over-union are merged.
    float nms_iou = 0.3f;
    // Faces whose box is narrower than this many image pixels are dropped.
    float min_face_px = 20;
    // At most this many faces are returned, highest score first.
    int max_faces = 64;
};

// Finds faces with keypoints in BGR images.
//
// A detector owns a cv::dnn::Net, which is not safe to run from two threads at once: give each
// thread its own detector.
class FaceDetector {
  public:
    virtual ~FaceDetector() = default;

    // Returns the faces in `bgr` (CV_8UC3, any size), sorted by descending score, with
    // coordinates in `bgr`'s pixels. An empty vector means no face was found. Fails with
    // kInvalidArgument for an empty or non-BGR image and kInternal when inference fails.
    virtual Result<std::vector<DetectedFace>> Detect(const cv::Mat& bgr) = 0;
};

// Creates the detector described by `spec` ("blazeface" or "yunet" family), loading and
// checking its ONNX file. Fails with kNotFound for a missing file, kDataLoss when the file's
// sha256 differs from the manifest's, and kInvalidArgument for an unknown family.
Result<std::unique_ptr<FaceDetector>> CreateFaceDetector(const ModelSpec& spec,
                                                         const DetectorOptions& options);

}  // namespace menjin
