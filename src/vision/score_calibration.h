#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "common/status.h"
#include "vision/face_pipeline.h"

namespace menjin {

// Impostor score distribution of one template kind, measured on photos of strangers.
struct ImpostorTail {
    int impostor_pairs = 0;
    float mean = 0;
    float std_dev = 0;
    // Score threshold at which the measured false accept rate is 1e-3.
    float threshold_far_1e3 = 0;
    // Exponential fit of the tail above `tail_start`: P(score >= t) = tail_fraction *
    // exp(-(t - tail_start) / tail_scale). It extrapolates false accept rates below the
    // resolution of the measured pairs.
    float tail_start = 0;
    double tail_fraction = 0;
    float tail_scale = 0;

    // Returns the estimated false accept rate of one comparison at `threshold`, from the
    // exponential tail; at or below tail_start it returns tail_fraction, so it never claims
    // more than was measured.
    double FalseAcceptRate(float threshold) const;

    // Returns the lowest threshold whose estimated false accept rate is at most `far`, never
    // below tail_start (a `far` at or below 0 counts as 1e-15). The exponential tail falls off
    // more slowly than the real impostor scores, so the threshold errs on the high side.
    float ThresholdForFar(double far) const;
};

// The shipped score calibration (calibration.json beside the models): per-embedder impostor
// statistics for score fusion, and per-template-kind impostor tails for thresholds.
struct ScoreCalibration {
    std::map<std::string, ImpostorStats> embedders;
    std::map<std::string, ImpostorTail> kinds;
    std::string description;

    // Reads `path`. Fails with kNotFound when it is missing and kInvalidArgument naming the
    // problem when it is malformed.
    static Result<ScoreCalibration> Load(const std::filesystem::path& path);

    // Returns the tail of `template_kind`, or kNotFound naming the kinds that exist.
    Result<ImpostorTail> Find(const std::string& template_kind) const;
};

}  // namespace menjin
