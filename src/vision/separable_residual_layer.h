#pragma once

// A fused OpenCV DNN layer for BlazeFace's residual blocks.
//
// Each stride-1 block of BlazeFace computes relu(x + pointwise(depthwise3x3(x))): a 3x3
// depthwise convolution with padding 1 and a bias, a 1x1 convolution back to the same number of
// channels with a bias, the residual addition and a ReLU. OpenCV 4.6 runs these as three layers,
// and each writes a whole tensor that the next reads back: at 24x96x128 the tensors do not fit in
// the core's cache, so the block is bound by memory. The fused layer works one output row at a
// time and keeps the depthwise result of that row in cache, so it reads x and writes y once.
// models/convert/opencv_tuning.py writes each such block as one ONNX node of this type. The
// node's inputs are x and then the four weight tensors in the order of SeparableResidualWeights.
//
// Thread safety: the layer keeps no state between calls besides its weights. menjin_layers.h
// registers it with OpenCV.

#include <span>

namespace menjin {

// Weights of one block with `channels` channels, as the ONNX node stores them.
struct SeparableResidualWeights {
    int channels = 0;
    std::span<const float> depthwise;       // channels x 3 x 3
    std::span<const float> depthwise_bias;  // channels
    std::span<const float> pointwise;       // channels (out) x channels (in)
    std::span<const float> pointwise_bias;  // channels
};

// Computes one block for a channels x height x width tensor `x` into `y` (same size, not
// overlapping `x`). Uses AVX2 and FMA where CpuHasAvx2Fma() allows, else plain loops that the
// compiler vectorises for the baseline instruction set. Both run row bands in parallel.
void SeparableResidualForward(const float* x, float* y, int height, int width,
                              const SeparableResidualWeights& weights);

// The same block computed directly from its definition, one output value at a time. It is slow,
// and the tests compare the fast path with it.
void SeparableResidualReference(const float* x, float* y, int height, int width,
                                const SeparableResidualWeights& weights);

}  // namespace menjin
