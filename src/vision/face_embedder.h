#pragma once

#include <memory>
#include <vector>

#include <opencv2/dnn.hpp>

#include "common/status.h"
#include "vision/face.h"
#include "vision/model_manifest.h"

namespace menjin {

// Turns faces into L2-normalised embeddings with one ONNX model, aligning each face to the
// model's template first. Owns a cv::dnn::Net, so it is not safe to use from two threads at
// once: give each thread its own embedder.
class FaceEmbedder {
  public:
    // Loads the model of `spec` and its alignment template from `manifest`. Fails as
    // LoadOnnxNet does, or with kNotFound for an unknown template.
    static Result<std::unique_ptr<FaceEmbedder>> Create(const ModelManifest& manifest,
                                                        const ModelSpec& spec);

    // Returns one row per face (CV_32F, n x dim), each L2-normalised. With `mirror`, each face
    // is also embedded flipped left-right and the two embeddings are summed before the
    // normalisation, which makes the result steadier against small pose changes at twice the
    // cost. All faces go through the network as one batch. Fails with kInternal when
    // inference fails or the output has the wrong size.
    Result<cv::Mat> Embed(const cv::Mat& bgr, const std::vector<DetectedFace>& faces, bool mirror);

    // Same as Embed, for crops that are already aligned to this model's template.
    Result<cv::Mat> EmbedAligned(const std::vector<cv::Mat>& crops, bool mirror);

    const ModelSpec& spec() const { return spec_; }
    const AlignmentTemplate& alignment_template() const { return template_; }
    int dim() const { return spec_.output_dim; }

  private:
    FaceEmbedder(cv::dnn::Net net, ModelSpec spec, AlignmentTemplate tmpl);

    cv::dnn::Net net_;
    ModelSpec spec_;
    AlignmentTemplate template_;
    cv::String output_name_;
};

}  // namespace menjin
