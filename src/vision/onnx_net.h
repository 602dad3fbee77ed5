#pragma once

#include <opencv2/dnn.hpp>

#include "common/status.h"
#include "vision/model_manifest.h"

namespace menjin {

// Checks that the file of `spec` exists and, when the manifest gives a sha256, matches it.
// Fails with kNotFound for a missing file and kDataLoss for a hash mismatch.
Status VerifyModelFile(const ModelSpec& spec);

// Loads the ONNX file of `spec` into an OpenCV DNN network on the CPU backend. When the
// manifest gives a sha256 the file must match it. Fails with kNotFound for a missing file,
// kDataLoss for a hash mismatch and kInvalidArgument when OpenCV rejects the graph.
Result<cv::dnn::Net> LoadOnnxNet(const ModelSpec& spec);

// Builds an NCHW float blob from same-sized 8-bit BGR images, converting to the channel order
// of `spec` and applying (pixel - mean) / std per channel. Throws cv::Exception when the images
// differ in size or type.
cv::Mat MakeInputBlob(const std::vector<cv::Mat>& bgr_images, const ModelSpec& spec);

}  // namespace menjin
