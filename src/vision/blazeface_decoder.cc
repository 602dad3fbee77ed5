#include "vision/blazeface_decoder.h"

#include <algorithm>
#include <cmath>

namespace menjin {

std::vector<cv::Point2f> MakeAnchorCentres(const BlazeFaceAnchors& layout) {
    std::vector<cv::Point2f> centres;
    for (std::size_t g = 0; g < layout.grids.size(); ++g) {
        const int grid = layout.grids[g];
        for (int y = 0; y < grid; ++y) {
            for (int x = 0; x < grid; ++x) {
                for (int k = 0; k < layout.per_cell[g]; ++k) {
                    centres.emplace_back((x + 0.5f) / grid, (y + 0.5f) / grid);
                }
            }
        }
    }
    return centres;
}

Letterbox Letterbox::Fit(cv::Size image, int side) {
    Letterbox box;
    box.input_side = side;
    box.scale = static_cast<float>(side) / static_cast<float>(std::max(image.width, image.height));
    box.pad_x = (side - image.width * box.scale) / 2;
    box.pad_y = (side - image.height * box.scale) / 2;
    return box;
}

cv::Point2f Letterbox::ToImage(cv::Point2f normalised) const {
    return {(normalised.x * input_side - pad_x) / scale,
            (normalised.y * input_side - pad_y) / scale};
}

std::vector<DetectedFace> DecodeBlazeFace(const float* scores, const float* regressors,
                                          const std::vector<cv::Point2f>& anchors,
                                          const Letterbox& letterbox, float score_threshold) {
    // Compare logits rather than sigmoids so that most anchors cost one comparison.
    const float logit_threshold = std::log(score_threshold / (1 - score_threshold));
    const float side = static_cast<float>(letterbox.input_side);
    std::vector<DetectedFace> faces;
    for (std::size_t i = 0; i < anchors.size(); ++i) {
        if (scores[i] < logit_threshold)
            continue;
        const float* r = regressors + i * 16;
        const cv::Point2f& anchor = anchors[i];
        cv::Point2f centre(anchor.x + r[0] / side, anchor.y + r[1] / side);
        const float half_w = r[2] / side / 2;
        const float half_h = r[3] / side / 2;
        cv::Point2f top_left = letterbox.ToImage({centre.x - half_w, centre.y - half_h});
        cv::Point2f bottom_right = letterbox.ToImage({centre.x + half_w, centre.y + half_h});
        DetectedFace face;
        face.box = cv::Rect2f(top_left, bottom_right);
        for (int k = 0; k < kKeypointCount; ++k) {
            face.keypoints[k] =
                letterbox.ToImage({anchor.x + r[4 + 2 * k] / side, anchor.y + r[5 + 2 * k] / side});
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
