#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "common/status.h"
#include "vision/face.h"
#include "vision/face_detector.h"
#include "vision/face_embedder.h"
#include "vision/face_quality.h"
#include "vision/model_manifest.h"

namespace menjin {

// Default uses one embedder (MobileFaceNet). Accurate fuses every embedder the manifest lists
// for it, each also run on the mirrored crop, at several times the cost.
enum class RecognitionMode { kDefault, kAccurate };

// Full range finds small and distant faces (256x256 BlazeFace). Short range is several times
// faster and suits gate cameras that see faces from within about two metres (128x128).
enum class DetectorRange { kFull, kShort };

// Impostor score statistics of one embedder, used to bring several embedders onto one scale
// (z-normalisation) before fusing them.
struct ImpostorStats {
    float mean = 0;
    float std_dev = 1;
};

struct PipelineOptions {
    RecognitionMode mode = RecognitionMode::kDefault;
    DetectorRange range = DetectorRange::kFull;
    DetectorOptions detector;
    // Model names overriding the manifest's defaults; empty keeps the defaults.
    std::string detector_model;
    std::vector<std::string> embedder_models;
    // Impostor statistics per embedder name; only accurate mode uses them.
    std::map<std::string, ImpostorStats> impostor_stats;
};

// A face with its quality result.
struct AssessedFace {
    DetectedFace face;
    QualityReport quality;
};

// Detection, quality and embedding in one object.
//
// A face template is a float vector of template_dim() values. Score(a, b) of two templates is
// their inner product minus score_offset(), so an inner-product index (FAISS) returns the same
// ranking and, after subtracting the offset, the same scores. In default mode a template is
// the L2-normalised embedding and the score is the cosine similarity. In accurate mode it
// concatenates each embedder's normalised embedding scaled by sqrt(1 / (k * std_dev)), so the
// score is the mean of the embedders' z-normalised cosine similarities.
//
// Not thread-safe: it owns OpenCV DNN networks. Create one pipeline per thread.
class FacePipeline {
  public:
    // Loads the models named by `options` (or the manifest's defaults). Fails when a model or
    // its template is missing or does not load.
    static Result<std::unique_ptr<FacePipeline>> Create(const ModelManifest& manifest,
                                                        const PipelineOptions& options);

    // Finds faces in `bgr` (CV_8UC3), highest score first, in its pixels.
    Result<std::vector<DetectedFace>> Detect(const cv::Mat& bgr);

    // Finds faces and runs the quality gate on each.
    Result<std::vector<AssessedFace>> DetectAndAssess(const cv::Mat& bgr,
                                                      const QualityPolicy& policy);

    // Returns one template per face (rows of a CV_32F matrix, n x template_dim()). The faces
    // are embedded as one batch per embedder.
    Result<cv::Mat> Templates(const cv::Mat& bgr, const std::vector<DetectedFace>& faces);

    // Returns the similarity score of two templates of this pipeline's kind.
    float Score(std::span<const float> a, std::span<const float> b) const;

    int template_dim() const { return template_dim_; }
    float score_offset() const { return score_offset_; }
    // Names the template kind, e.g. "mobilefacenet" or "mobilefacenet+dlib_resnet/mirror".
    // Templates of different kinds must never be compared.
    const std::string& template_kind() const { return template_kind_; }
    RecognitionMode mode() const { return options_.mode; }
    const FaceDetector& detector() const { return *detector_; }
    std::size_t embedder_count() const { return embedders_.size(); }
    // Returns embedder `index` (0 <= index < embedder_count()), owned by the pipeline.
    FaceEmbedder& embedder(std::size_t index) { return *embedders_.at(index); }

  private:
    FacePipeline() = default;

    PipelineOptions options_;
    std::unique_ptr<FaceDetector> detector_;
    std::vector<std::unique_ptr<FaceEmbedder>> embedders_;
    std::vector<float> weights_;  // scale applied to each embedder's part of the template
    float score_offset_ = 0;
    int template_dim_ = 0;
    std::string template_kind_;
};

// Parses "default" or "accurate"; kInvalidArgument otherwise.
Result<RecognitionMode> ParseRecognitionMode(const std::string& text);
// Parses "full" or "short"; kInvalidArgument otherwise.
Result<DetectorRange> ParseDetectorRange(const std::string& text);

}  // namespace menjin
