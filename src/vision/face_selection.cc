#include "vision/face_selection.h"

#include <cmath>

namespace menjin {

std::optional<std::size_t> PrimaryFaceIndex(const std::vector<DetectedFace>& faces,
                                            cv::Size image_size) {
    if (faces.empty())
        return std::nullopt;
    const cv::Point2f centre(image_size.width / 2.0f, image_size.height / 2.0f);
    const float half_diagonal = std::hypot(centre.x, centre.y);
    std::size_t best = 0;
    float best_weight = -1;
    for (std::size_t i = 0; i < faces.size(); ++i) {
        const cv::Rect2f& box = faces[i].box;
        const cv::Point2f middle(box.x + box.width / 2, box.y + box.height / 2);
        const float offset = std::hypot(middle.x - centre.x, middle.y - centre.y) / half_diagonal;
        // A face at a corner weighs half as much as the same face in the middle.
        const float weight = box.area() * (1.0f - 0.5f * std::min(offset, 1.0f));
        if (weight > best_weight) {
            best_weight = weight;
            best = i;
        }
    }
    return best;
}

}  // namespace menjin
