#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"
#include "vision/face_pipeline.h"
#include "vision/model_manifest.h"
#include "vision/score_calibration.h"

namespace menjin {

// The loaded model manifest, score calibration and pipeline options from which pipelines are
// made. Read-only after loading, so threads can share one engine and each make its own
// pipeline.
struct RecognitionEngine {
    ModelManifest manifest;
    ScoreCalibration calibration;
    PipelineOptions options;

    // Returns a new pipeline; each thread needs its own.
    Result<std::unique_ptr<FacePipeline>> NewPipeline() const;
};

// Loads manifest.json and calibration.json from `model_dir`. The calibration may be absent
// (detection works without it); then accurate mode and threshold lookups report its absence.
// The calibration's per-embedder statistics are copied into `options`.
Result<RecognitionEngine> LoadRecognitionEngine(const std::filesystem::path& model_dir,
                                                PipelineOptions options);

}  // namespace menjin
