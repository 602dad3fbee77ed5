#include "service/enrolment_json.h"

#include <cmath>

namespace menjin {

namespace {

double Rounded(double value, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

std::string DescribeReason(const std::string& reason) {
    if (reason == "no_face")
        return "no face was found in the photo";
    if (reason == "multiple_faces")
        return "the photo shows more than one face: use a photo of one person";
    if (reason == "already_enrolled")
        return "this face is already enrolled as another person";
    return DescribeQualityReason(reason);
}

nlohmann::json FaceJson(const AssessedFace& assessed) {
    const cv::Rect2f& box = assessed.face.box;
    const QualityMeasures& m = assessed.quality.measures;
    return {{"box",
             {{"x", Rounded(box.x, 1)},
              {"y", Rounded(box.y, 1)},
              {"width", Rounded(box.width, 1)},
              {"height", Rounded(box.height, 1)}}},
            {"score", Rounded(assessed.face.score, 4)},
            {"quality",
             {{"passed", assessed.quality.passed()},
              {"reasons", assessed.quality.reasons},
              {"inter_eye_px", Rounded(m.inter_eye_px, 1)},
              {"sharpness", Rounded(m.sharpness, 1)},
              {"yaw_deg", Rounded(m.yaw_deg, 1)},
              {"pitch_deg", Rounded(m.pitch_deg, 1)},
              {"roll_deg", Rounded(m.roll_deg, 1)},
              {"brightness", Rounded(m.brightness, 1)}}}};
}

}  // namespace

nlohmann::json EnrolmentToJson(const EnrolmentResult& result, bool show_duplicate) {
    nlohmann::json out = {{"accepted", result.accepted},
                          {"reasons", result.reasons},
                          {"faces_found", result.faces_found}};
    nlohmann::json messages = nlohmann::json::array();
    for (const std::string& reason : result.reasons)
        messages.push_back(DescribeReason(reason));
    out["messages"] = messages;
    out["face"] = result.face ? FaceJson(*result.face) : nlohmann::json(nullptr);
    if (show_duplicate && !result.duplicate_person_id.empty()) {
        out["duplicate_person_id"] = result.duplicate_person_id;
        out["duplicate_score"] = Rounded(result.duplicate_score, 4);
    }
    if (result.accepted)
        out["template_id"] = result.template_id;
    return out;
}

}  // namespace menjin
