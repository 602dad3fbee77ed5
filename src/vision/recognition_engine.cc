#include "vision/recognition_engine.h"

#include <atomic>

#include "common/log.h"

namespace menjin {

Result<std::unique_ptr<FacePipeline>> RecognitionEngine::NewPipeline() const {
    return FacePipeline::Create(manifest, options);
}

std::string CalibrationKey(const std::string& template_kind, DetectorRange range) {
    return range == DetectorRange::kShort ? template_kind + "@short" : template_kind;
}

Result<ImpostorTail> RecognitionEngine::ImpostorTailOf(const std::string& template_kind) const {
    const std::string key = CalibrationKey(template_kind, options.range);
    if (key != template_kind && calibration.kinds.count(key) == 0) {
        // Thresholds are looked up for every decision, so the warning is written once.
        static std::atomic<bool> warned{false};
        if (!warned.exchange(true))
            MENJIN_LOG_WARN(
                "calibration: no entry '{}', using the full-range '{}': run `menjin "
                "calibrate` with these models",
                key, template_kind);
        return calibration.Find(template_kind);
    }
    return calibration.Find(key);
}

Result<RecognitionEngine> LoadRecognitionEngine(const std::filesystem::path& model_dir,
                                                PipelineOptions options) {
    MENJIN_ASSIGN_OR_RETURN(ModelManifest manifest,
                            ModelManifest::Load(model_dir / "manifest.json"));
    Result<ScoreCalibration> loaded = ScoreCalibration::Load(model_dir / "calibration.json");
    if (!loaded.ok() && loaded.status().code() != ErrorCode::kNotFound)
        return loaded.status();
    ScoreCalibration calibration = loaded.ok() ? std::move(loaded).value() : ScoreCalibration{};
    options.impostor_stats = calibration.embedders;
    return RecognitionEngine{std::move(manifest), std::move(calibration), std::move(options)};
}

}  // namespace menjin
