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

    // Returns the impostor tail of templates of `template_kind` made with this engine's detector
    // range. Short-range templates have their own entry (CalibrationKey), since their keypoints
    // align faces a little differently. When the calibration lacks it, the full-range tail is
    // used and a warning is logged once.
    Result<ImpostorTail> ImpostorTailOf(const std::string& template_kind) const;
};

// Names the calibration entry of `template_kind` for a detector range: the kind itself for full
// range, "<kind>@short" for short range.
std::string CalibrationKey(const std::string& template_kind, DetectorRange range);

// Loads manifest.json and calibration.json from `model_dir`. The calibration may be absent
// (detection works without it); then accurate mode and threshold lookups report its absence.
// The calibration's per-embedder statistics are copied into `options`.
Result<RecognitionEngine> LoadRecognitionEngine(const std::filesystem::path& model_dir,
                                                PipelineOptions options);

}  // namespace menjin
