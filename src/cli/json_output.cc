#include "cli/json_output.h"

#include <cmath>
#include <iostream>

namespace menjin::cli {

double Round(double value, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

nlohmann::json BoxToJson(const cv::Rect2f& box) {
    return {{"x", Round(box.x, 1)},
            {"y", Round(box.y, 1)},
            {"width", Round(box.width, 1)},
            {"height", Round(box.height, 1)}};
}

nlohmann::json KeypointsToJson(const DetectedFace& face) {
    static const char* kNames[kKeypointCount] = {"right_eye",    "left_eye",  "nose_tip",
                                                 "mouth_centre", "right_ear", "left_ear"};
    nlohmann::json points = nlohmann::json::object();
    const int count = face.has_ears ? kKeypointCount : 4;
    for (int i = 0; i < count; ++i) {
        points[kNames[i]] = {Round(face.keypoints[i].x, 1), Round(face.keypoints[i].y, 1)};
    }
    return points;
}

nlohmann::json QualityToJson(const QualityReport& report) {
    const QualityMeasures& m = report.measures;
    return {{"passed", report.passed()},
            {"reasons", report.reasons},
            {"inter_eye_px", Round(m.inter_eye_px, 1)},
            {"sharpness", Round(m.sharpness, 1)},
            {"yaw_deg", Round(m.yaw_deg, 1)},
            {"pitch_deg", Round(m.pitch_deg, 1)},
            {"roll_deg", Round(m.roll_deg, 1)},
            {"brightness", Round(m.brightness, 1)}};
}

void PrintJson(const nlohmann::json& value) {
    std::cout << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace menjin::cli
