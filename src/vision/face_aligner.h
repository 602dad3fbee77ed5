#pragma once

#include <array>

#include <opencv2/core.hpp>

#include "vision/face.h"
#include "vision/model_manifest.h"

namespace menjin {

// Returns the 2x3 similarity transform (rotation, uniform scale, translation; CV_64F) that
// maps `from` onto `to` with the least squared error (Umeyama's closed form). The points must
// not all coincide; if they do the identity is returned.
cv::Mat EstimateSimilarity(const std::array<cv::Point2f, 4>& from,
                           const std::array<cv::Point2f, 4>& to);

// Returns the eyes, nose tip and mouth centre of `face`, the four points alignment uses.
std::array<cv::Point2f, 4> AlignmentPoints(const DetectedFace& face);

// Warps the face in `bgr` so that its four alignment points land on the template's, and
// returns a new crop of the template's size. Pixels outside the image are replicated from its
// border, which embeds faces cut by the frame edge better than black.
cv::Mat AlignFace(const cv::Mat& bgr, const DetectedFace& face, const AlignmentTemplate& tmpl);

}  // namespace menjin
