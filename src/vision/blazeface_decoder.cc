#include "vision/blazeface_decoder.h"

#include <algorithm>
#include <cmath>

namespace menjin {

std::vector<cv::Point2f> MakeAnchorCentres(const BlazeFaceAnchors& layout, cv::Size input) {
    std::vector<cv::Point2f> centres;
    for (std::size_t g = 0; g < layout.grids.size(); ++g) {
        const int columns = layout.grids[g];
        const int rows = std::max(1, columns * input.height / input.width);
        for (int y = 0; y < rows; ++y) {
            for (int x = 0; x < columns; ++x) {
                for (int k = 0; k < layout.per_cell[g]; ++k) {
                    centres.emplace_back((x + 0.5f) / columns, (y + 0.5f) / rows);
                }
            }
        }
    }
    return centres;
}

Letterbox Letterbox::Fit(cv::Size image, int side, int height_step) {
    Letterbox box;
    box.scale = static_cast<float>(side) / static_cast<float>(std::max(image.width, image.height));
    const float scaled_height = image.height * box.scale;
    int height = side;
    // Only frames no wider than 16:9 get fewer rows. On wider ones the detector lost faces and
    // ranked misshapen boxes first (6:1 and 8:1 frames with 64 or 128 rows).
    if (height_step > 0 && scaled_height * 16 >= side * 9) {
        const int steps = static_cast<int>(std::ceil(scaled_height / height_step - 1e-4f));
        height = std::clamp(steps * height_step, height_step, side);
    }
    box.input = cv::Size(side, height);
    box.pad_x = (side - image.width * box.scale) / 2;
    box.pad_y = (height - scaled_height) / 2;
    return box;
}

cv::Point2f Letterbox::ToImage(cv::Point2f normalised) const {
    return {(normalised.x * input.width - pad_x) / scale,
            (normalised.y * input.height - pad_y) / scale};
}

std::vector<DetectedFace> DecodeBlazeFace(const float* scores, const float* regressors,
                                          const std::vector<cv::Point2f>& anchors,
                                          const Letterbox& letterbox, float score_threshold) {
    // Compare logits rather than sigmoids so that most anchors cost one comparison.
    const float logit_threshold = std::log(score_threshold / (1 - score_threshold));
    const float width = static_cast<float>(letterbox.input.width);
    const float height = static_cast<float>(letterbox.input.height);
    std::vector<DetectedFace> faces;
    for (std::size_t i = 0; i < anchors.size(); ++i) {
        if (scores[i] < logit_threshold)
            continue;
        const float* r = regressors + i * 16;
        const cv::Point2f& anchor = anchors[i];
        cv::Point2f centre(anchor.x + r[0] / width, anchor.y + r[1] / height);
        const float half_w = r[2] / width / 2;
        const float half_h = r[3] / height / 2;
        cv::Point2f top_left = letterbox.ToImage({centre.x - half_w, centre.y - half_h});
        cv::Point2f bottom_right = letterbox.ToImage({centre.x + half_w, centre.y + half_h});
        DetectedFace face;
        face.box = cv::Rect2f(top_left, bottom_right);
        for (int k = 0; k < kKeypointCount; ++k) {
            face.keypoints[k] = letterbox.ToImage(
                {anchor.x + r[4 + 2 * k] / width, anchor.y + r[5 + 2 * k] / height});
        }
        const float logit = std::clamp(scores[i], -80.0f, 80.0f);
        face.score = 1.0f / (1.0f + std::exp(-logit));
        faces.push_back(face);
    }
    return faces;
}

float IntersectionOverUnion(const cv::Rect2f& a, const cv::Rect2f& b) {
    const float overlap = (a & b).area();
    const float united = a.area() + b.area() - overlap;
    return united > 0 ? overlap / united : 0;
}

std::vector<DetectedFace> WeightedNonMaxSuppression(std::vector<DetectedFace> faces, float iou) {
    std::sort(faces.begin(), faces.end(),
              [](const DetectedFace& a, const DetectedFace& b) { return a.score > b.score; });
    std::vector<DetectedFace> kept;
    std::vector<bool> used(faces.size(), false);
    for (std::size_t i = 0; i < faces.size(); ++i) {
        if (used[i])
            continue;
        float weight_sum = 0;
        cv::Point2f top_left(0, 0);
        cv::Point2f bottom_right(0, 0);
        std::array<cv::Point2f, kKeypointCount> points{};
        for (std::size_t j = i; j < faces.size(); ++j) {
            const bool same_cluster =
                j == i || IntersectionOverUnion(faces[i].box, faces[j].box) > iou;
            if (used[j] || !same_cluster)
                continue;
            used[j] = true;
            const float w = faces[j].score;
            weight_sum += w;
            top_left += w * faces[j].box.tl();
            bottom_right += w * faces[j].box.br();
            for (int k = 0; k < kKeypointCount; ++k)
                points[k] += w * faces[j].keypoints[k];
        }
        DetectedFace merged = faces[i];
        merged.box = cv::Rect2f(top_left / weight_sum, bottom_right / weight_sum);
        for (int k = 0; k < kKeypointCount; ++k)
            merged.keypoints[k] = points[k] / weight_sum;
        kept.push_back(merged);
    }
    return kept;
}

}  // namespace menjin
