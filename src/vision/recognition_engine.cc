#include "vision/recognition_engine.h"

namespace menjin {

Result<std::unique_ptr<FacePipeline>> RecognitionEngine::NewPipeline() const {
    return FacePipeline::Create(manifest, options);
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
