#include "vision/face_pipeline.h"

#include <cmath>

#include "common/log.h"

namespace menjin {

namespace {

std::string DetectorName(const ModelManifest& manifest, const PipelineOptions& options) {
    if (!options.detector_model.empty())
        return options.detector_model;
    const std::string& base = manifest.default_detector();
    return options.range == DetectorRange::kShort ? base + "_short" : base;
}

std::vector<std::string> EmbedderNames(const ModelManifest& manifest,
                                       const PipelineOptions& options) {
    if (!options.embedder_models.empty())
        return options.embedder_models;
    if (options.mode == RecognitionMode::kAccurate && !manifest.accurate_embedders().empty()) {
        return manifest.accurate_embedders();
    }
    return {manifest.default_embedder()};
}

}  // namespace

Result<std::unique_ptr<FacePipeline>> FacePipeline::Create(const ModelManifest& manifest,
                                                           const PipelineOptions& options) {
    std::unique_ptr<FacePipeline> pipeline(new FacePipeline());
    pipeline->options_ = options;
    MENJIN_ASSIGN_OR_RETURN(ModelSpec detector_spec,
                            manifest.Find(DetectorName(manifest, options)));
    MENJIN_ASSIGN_OR_RETURN(pipeline->detector_,
                            CreateFaceDetector(detector_spec, options.detector));

    const std::vector<std::string> names = EmbedderNames(manifest, options);
    const bool fused = names.size() > 1;
    const float count = static_cast<float>(names.size());
    for (const std::string& name : names) {
        MENJIN_ASSIGN_OR_RETURN(ModelSpec spec, manifest.Find(name));
        MENJIN_ASSIGN_OR_RETURN(std::unique_ptr<FaceEmbedder> embedder,
                                FaceEmbedder::Create(manifest, spec));
        ImpostorStats stats;
        if (fused) {
            auto it = options.impostor_stats.find(name);
            if (it == options.impostor_stats.end()) {
                return Status(ErrorCode::kFailedPrecondition,
                              "pipeline: no impostor statistics for embedder '" + name +
                                  "', which accurate mode needs: check calibration.json");
            }
            stats = it->second;
        }
        pipeline->weights_.push_back(std::sqrt(1.0f / (count * stats.std_dev)));
        pipeline->score_offset_ += stats.mean / (count * stats.std_dev);
        pipeline->template_dim_ += embedder->dim();
        if (!pipeline->template_kind_.empty())
            pipeline->template_kind_ += "+";
        pipeline->template_kind_ += name;
        pipeline->embedders_.push_back(std::move(embedder));
    }
    if (options.mode == RecognitionMode::kAccurate)
        pipeline->template_kind_ += "/mirror";
    return pipeline;
}

Result<std::vector<DetectedFace>> FacePipeline::Detect(const cv::Mat& bgr) {
    return detector_->Detect(bgr);
}

Result<std::vector<AssessedFace>> FacePipeline::DetectAndAssess(const cv::Mat& bgr,
                                                                const QualityPolicy& policy) {
    MENJIN_ASSIGN_OR_RETURN(std::vector<DetectedFace> faces, Detect(bgr));
    std::vector<AssessedFace> assessed;
    assessed.reserve(faces.size());
    for (const DetectedFace& face : faces) {
        assessed.push_back({face, AssessQuality(bgr, face, policy)});
    }
    return assessed;
}

Result<cv::Mat> FacePipeline::Templates(const cv::Mat& bgr,
                                        const std::vector<DetectedFace>& faces) {
    const bool mirror = options_.mode == RecognitionMode::kAccurate;
    cv::Mat templates(static_cast<int>(faces.size()), template_dim_, CV_32F);
    int column = 0;
    for (std::size_t i = 0; i < embedders_.size(); ++i) {
        MENJIN_ASSIGN_OR_RETURN(cv::Mat part, embedders_[i]->Embed(bgr, faces, mirror));
        part *= weights_[i];
        part.copyTo(templates.colRange(column, column + part.cols));
        column += part.cols;
    }
    return templates;
}

float FacePipeline::Score(std::span<const float> a, std::span<const float> b) const {
    float dot = 0;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i)
        dot += a[i] * b[i];
    return dot - score_offset_;
}

Result<RecognitionMode> ParseRecognitionMode(const std::string& text) {
    if (text == "default")
        return RecognitionMode::kDefault;
    if (text == "accurate")
        return RecognitionMode::kAccurate;
    return InvalidArgument("invalid mode '" + text + "': use default or accurate", "mode");
}

Result<DetectorRange> ParseDetectorRange(const std::string& text) {
    if (text == "full")
        return DetectorRange::kFull;
    if (text == "short")
        return DetectorRange::kShort;
    return InvalidArgument("invalid detector range '" + text + "': use full or short", "range");
}

}  // namespace menjin
