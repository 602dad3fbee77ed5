#pragma once

// A 3x3 depthwise convolution layer for OpenCV DNN that takes any padding, with an optional
// per-channel PReLU after it.
//
// OpenCV 4.6 splits a convolution with different padding before and after (TensorFlow's "SAME"
// padding at stride 2) into a Padding layer and a convolution, which copies the whole tensor
// once more. Its depthwise convolution is also slow for outputs narrower than 18 columns, which
// setup used to work around by computing extra columns and slicing them off. This layer handles
// both cases directly: it pads one channel plane at a time in cache and computes only the real
// output columns. models/convert/opencv_tuning.py writes such convolutions as ONNX nodes of
// this type, with the Conv's strides and pads attributes and inputs x, weights (C x 1 x 3 x 3),
// bias (C) and, when a PReLU is fused, its slopes (C).
//
// Thread safety: the layer keeps no state between calls besides its weights.

#include <span>

namespace menjin {

// Stride and zero padding of a depthwise convolution, in rows and columns.
struct DepthwiseGeometry {
    int stride = 1;  // 1 or 2, the same along both axes
    int pad_top = 0;
    int pad_left = 0;
    int pad_bottom = 0;
    int pad_right = 0;

    // Returns the output size along an axis of `size` input values with the given padding, 0
    // when the padded input is smaller than the kernel.
    int OutputSize(int size, int pad_before, int pad_after) const {
        const int span = size + pad_before + pad_after - 3;
        return span < 0 ? 0 : span / stride + 1;
    }
};

// Weights of one depthwise layer with `channels` channels.
struct DepthwiseWeights {
    int channels = 0;
    std::span<const float> kernel;  // channels x 3 x 3
    std::span<const float> bias;    // channels
    std::span<const float> slope;   // channels, or empty for no PReLU
};

// Computes the layer for a channels x height x width tensor `x` into `y`, which has the output
// size from `geometry`. Uses AVX2 and FMA where CpuHasAvx2Fma() allows, else plain loops that
// the compiler vectorises for the baseline instruction set. Both run channels in parallel.
void DepthwiseForward(const float* x, float* y, int height, int width,
                      const DepthwiseGeometry& geometry, const DepthwiseWeights& weights);

// The same layer computed directly from its definition, one output value at a time. It is slow,
// and the tests compare the fast path with it.
void DepthwiseReference(const float* x, float* y, int height, int width,
                        const DepthwiseGeometry& geometry, const DepthwiseWeights& weights);

}  // namespace menjin
