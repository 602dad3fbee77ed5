#pragma once

// Small helpers for tests of menjin's OpenCV layers.

#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "vision/cpu_kernels.h"

namespace menjin::testing {

// Returns a float tensor of `shape` with values drawn uniformly from [-1, 1).
inline cv::Mat RandomTensor(std::vector<int> shape, cv::RNG& rng) {
    cv::Mat values(static_cast<int>(shape.size()), shape.data(), CV_32F);
    rng.fill(values, cv::RNG::UNIFORM, -1, 1);
    return values;
}

// Returns the largest absolute difference between two tensors of the same size.
inline double MaxDifference(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a.reshape(1, 1), b.reshape(1, 1), cv::NORM_INF);
}

// Checks that menjin's layers picked the kernels the environment requests. The portable runs of
// the layer tests set MENJIN_EXPECT_PORTABLE_LAYERS and switch AVX2 off through
// OPENCV_CPU_DISABLE, so they fail here if that switch stops working.
inline void ExpectLayerKernelsFollowEnvironment() {
    if (std::getenv("MENJIN_EXPECT_PORTABLE_LAYERS") != nullptr)
        EXPECT_FALSE(CpuHasAvx2Fma());
    else
        EXPECT_EQ(CpuHasAvx2Fma(), cv::checkHardwareSupport(CV_CPU_AVX2));
}

}  // namespace menjin::testing
