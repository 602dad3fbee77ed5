#pragma once

#include <nlohmann/json.hpp>

#include "vision/face.h"
#include "vision/face_quality.h"

namespace menjin::cli {

// Returns {"x","y","width","height"} in pixels, rounded to 0.1 px.
nlohmann::json BoxToJson(const cv::Rect2f& box);

// Returns the keypoints as {"right_eye":[x,y], ...}, without ears when the detector has none.
nlohmann::json KeypointsToJson(const DetectedFace& face);

// Returns {"passed":bool, "reasons":[...], "inter_eye_px":..., "sharpness":..., ...}.
nlohmann::json QualityToJson(const QualityReport& report);

// Rounds to `digits` decimals so that JSON output stays readable.
double Round(double value, int digits);

// Prints `value` as one JSON line on stdout. Text that is not UTF-8 (such as a file name in
// another encoding) is printed with replacement characters instead of aborting.
void PrintJson(const nlohmann::json& value);

}  // namespace menjin::cli
