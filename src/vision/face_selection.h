#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/face.h"

namespace menjin {

// Returns the index of the face a one-person photo is about: the largest face, with faces far
// from the image centre counting for less. Returns nullopt when `faces` is empty.
std::optional<std::size_t> PrimaryFaceIndex(const std::vector<DetectedFace>& faces,
                                            cv::Size image_size);

}  // namespace menjin
