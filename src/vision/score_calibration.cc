#include "vision/score_calibration.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

namespace menjin {

double ImpostorTail::FalseAcceptRate(float threshold) const {
    if (threshold <= tail_start)
        return tail_fraction;
    return tail_fraction * std::exp(-(threshold - tail_start) / tail_scale);
}

float ImpostorTail::ThresholdForFar(double far) const {
    if (far >= tail_fraction)
        return tail_start;
    far = std::max(far, 1e-15);
    return tail_start + tail_scale * static_cast<float>(std::log(tail_fraction / far));
}

Result<ScoreCalibration> ScoreCalibration::Load(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        return NotFound("calibration: '" + path.string() +
                        "' not found: run the setup command or `menjin calibrate`");
    }
    ScoreCalibration calibration;
    try {
        const nlohmann::json doc = nlohmann::json::parse(in);
        calibration.description = doc.value("description", "");
        for (const auto& [name, entry] : doc.at("embedders").items()) {
            calibration.embedders[name] = {entry.at("impostor_mean").get<float>(),
                                           entry.at("impostor_std").get<float>()};
        }
        for (const auto& [kind, entry] : doc.at("template_kinds").items()) {
            ImpostorTail tail;
            tail.impostor_pairs = entry.at("impostor_pairs").get<int>();
            tail.mean = entry.at("mean").get<float>();
            tail.std_dev = entry.at("std").get<float>();
            tail.threshold_far_1e3 = entry.at("threshold_far_1e-3").get<float>();
            tail.tail_start = entry.at("tail_start").get<float>();
            tail.tail_fraction = entry.at("tail_fraction").get<double>();
            tail.tail_scale = entry.at("tail_scale").get<float>();
            calibration.kinds[kind] = tail;
        }
    } catch (const nlohmann::json::exception& e) {
        return InvalidArgument("calibration: invalid '" + path.string() + "': " + e.what());
    }
    return calibration;
}

Result<ImpostorTail> ScoreCalibration::Find(const std::string& template_kind) const {
    auto it = kinds.find(template_kind);
    if (it != kinds.end())
        return it->second;
    std::string known;
    for (const auto& [kind, tail] : kinds)
        known += (known.empty() ? "" : ", ") + kind;
    return NotFound("calibration: no calibration for template kind '" + template_kind +
                    "' (calibrated: " + known + "): run `menjin calibrate`");
}

}  // namespace menjin
