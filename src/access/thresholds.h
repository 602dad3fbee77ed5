#pragma once

#include "vision/score_calibration.h"

namespace menjin {

// Score thresholds of one estate's gate decisions.
struct Thresholds {
    float accept = 0;           // grant needs a top score at or above this
    float reject = 0;           // deny below this; scores in between ask for another frame
    double comparison_far = 0;  // false accept rate per comparison behind `accept`
    int gallery_people = 0;
};

// Returns thresholds that keep the false-positive identification rate of a search over
// `gallery_people` people at `target_fpir`.
//
// A stranger is falsely identified when any of the N enrolled people scores at or above the
// threshold, so with independent comparisons FPIR = 1 - (1 - FAR)^N, and the per-comparison
// target is FAR = 1 - (1 - FPIR)^(1/N) (about FPIR / N). The accept threshold is where the
// calibrated impostor tail reaches that FAR. The reject threshold is where it reaches
// `retry_factor` times that FAR, so only faces that are clearly not enrolled are denied at
// once and uncertain ones are asked for another frame. A gallery of fewer than one person
// counts as one.
Thresholds ComputeThresholds(const ImpostorTail& tail, double target_fpir, int gallery_people,
                             double retry_factor = 30);

}  // namespace menjin
