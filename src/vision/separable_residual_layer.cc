#include "vision/separable_residual_layer.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/dnn/layer.details.hpp>

#include "vision/cpu_kernels.h"
#include "vision/menjin_layers.h"

namespace menjin {
namespace {

// Returns `width` rounded up to a whole number of 16-column blocks (two AVX registers), the
// width of each row of depthwise results.
int PaddedWidth(int width) {
    return (width + 15) & ~15;
}

// The three input rows of one channel that the depthwise kernel reads, each with a zero column
// on the left and zeros past the right edge. Row q of the input lives in slot q % 3, so each
// input row is copied once as the output rows advance.
struct RowRing {
    int stride = 0;
    float* slots = nullptr;  // channels x 3 rows x stride floats
    const float* zeros = nullptr;

    float* Slot(int channel, int row) const { return slots + (channel * 3 + row % 3) * stride; }
};

__attribute__((target("avx2,fma"))) inline void StoreResidualRelu(float* y, const float* x,
                                                                  __m256 sum, int count) {
    if (count >= 8) {
        __m256 value = _mm256_add_ps(sum, _mm256_loadu_ps(x));
        _mm256_storeu_ps(y, _mm256_max_ps(value, _mm256_setzero_ps()));
        return;
    }
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, sum);
    for (int i = 0; i < count; ++i)
        y[i] = std::max(lanes[i] + x[i], 0.0f);
}

// Computes the depthwise 3x3 of one channel for one output row from three padded input rows.
__attribute__((target("avx2,fma"))) void DepthwiseRow(const float* above, const float* middle,
                                                      const float* below, const float* kernel,
                                                      float bias, int padded_width, float* out) {
    __m256 k[9];
    for (int i = 0; i < 9; ++i)
        k[i] = _mm256_set1_ps(kernel[i]);
    const __m256 b = _mm256_set1_ps(bias);
    for (int p = 0; p < padded_width; p += 8) {
        // Two chains of multiply-adds, so that they overlap in the pipeline.
        __m256 s = _mm256_fmadd_ps(k[0], _mm256_loadu_ps(above + p), b);
        s = _mm256_fmadd_ps(k[1], _mm256_loadu_ps(above + p + 1), s);
        s = _mm256_fmadd_ps(k[2], _mm256_loadu_ps(above + p + 2), s);
        __m256 t = _mm256_mul_ps(k[3], _mm256_loadu_ps(middle + p));
        t = _mm256_fmadd_ps(k[4], _mm256_loadu_ps(middle + p + 1), t);
        t = _mm256_fmadd_ps(k[5], _mm256_loadu_ps(middle + p + 2), t);
        s = _mm256_fmadd_ps(k[6], _mm256_loadu_ps(below + p), s);
        t = _mm256_fmadd_ps(k[7], _mm256_loadu_ps(below + p + 1), t);
        s = _mm256_fmadd_ps(k[8], _mm256_loadu_ps(below + p + 2), s);
        _mm256_storeu_ps(out + p, _mm256_add_ps(s, t));
    }
}

// Pointwise convolution of one row of depthwise results `d` (channels x padded width) for four
// output channels from `first`, plus bias, residual and ReLU, written to row `row` of y.
__attribute__((target("avx2,fma"))) void PointwiseRow(const float* d, const float* x, float* y,
                                                      int row, int height, int width, int first,
                                                      const SeparableResidualWeights& w) {
    const int channels = w.channels;
    const int padded = PaddedWidth(width);
    const float* w0 = w.pointwise.data() + first * channels;
    const float* w1 = w0 + channels;
    const float* w2 = w1 + channels;
    const float* w3 = w2 + channels;
    const std::size_t plane = static_cast<std::size_t>(height) * width;
    for (int p = 0; p < padded; p += 16) {
        __m256 a00 = _mm256_set1_ps(w.pointwise_bias[first]), a01 = a00;
        __m256 a10 = _mm256_set1_ps(w.pointwise_bias[first + 1]), a11 = a10;
        __m256 a20 = _mm256_set1_ps(w.pointwise_bias[first + 2]), a21 = a20;
        __m256 a30 = _mm256_set1_ps(w.pointwise_bias[first + 3]), a31 = a30;
        const float* column = d + p;
        for (int c = 0; c < channels; ++c, column += padded) {
            const __m256 d0 = _mm256_loadu_ps(column);
            const __m256 d1 = _mm256_loadu_ps(column + 8);
            __m256 v = _mm256_broadcast_ss(w0 + c);
            a00 = _mm256_fmadd_ps(v, d0, a00);
            a01 = _mm256_fmadd_ps(v, d1, a01);
            v = _mm256_broadcast_ss(w1 + c);
            a10 = _mm256_fmadd_ps(v, d0, a10);
            a11 = _mm256_fmadd_ps(v, d1, a11);
            v = _mm256_broadcast_ss(w2 + c);
            a20 = _mm256_fmadd_ps(v, d0, a20);
            a21 = _mm256_fmadd_ps(v, d1, a21);
            v = _mm256_broadcast_ss(w3 + c);
            a30 = _mm256_fmadd_ps(v, d0, a30);
            a31 = _mm256_fmadd_ps(v, d1, a31);
        }
        const int left = width - p;
        const std::size_t at =
            static_cast<std::size_t>(first) * plane + static_cast<std::size_t>(row) * width + p;
        StoreResidualRelu(y + at, x + at, a00, left);
        StoreResidualRelu(y + at + 8, x + at + 8, a01, left - 8);
        StoreResidualRelu(y + at + plane, x + at + plane, a10, left);
        StoreResidualRelu(y + at + plane + 8, x + at + plane + 8, a11, left - 8);
        StoreResidualRelu(y + at + 2 * plane, x + at + 2 * plane, a20, left);
        StoreResidualRelu(y + at + 2 * plane + 8, x + at + 2 * plane + 8, a21, left - 8);
        StoreResidualRelu(y + at + 3 * plane, x + at + 3 * plane, a30, left);
        StoreResidualRelu(y + at + 3 * plane + 8, x + at + 3 * plane + 8, a31, left - 8);
    }
}

// Output rows [first_row, end_row) with AVX2. Needs channels to be a multiple of 4.
__attribute__((target("avx2,fma"))) void ForwardRowsAvx2(const float* x, float* y, int height,
                                                         int width, int first_row, int end_row,
                                                         const SeparableResidualWeights& w) {
    const int channels = w.channels;
    const int padded = PaddedWidth(width);
    RowRing ring;
    ring.stride = padded + 8;
    std::vector<float> scratch(static_cast<std::size_t>(channels * 3 + 1) * ring.stride +
                                   static_cast<std::size_t>(channels) * padded,
                               0.0f);
    ring.slots = scratch.data();
    ring.zeros = ring.slots + static_cast<std::size_t>(channels) * 3 * ring.stride;
    float* d = scratch.data() + static_cast<std::size_t>(channels * 3 + 1) * ring.stride;
    const std::size_t plane = static_cast<std::size_t>(height) * width;
    const auto copy_row = [&](int channel, int row) {
        std::memcpy(ring.Slot(channel, row) + 1, x + channel * plane + row * width,
                    sizeof(float) * width);
    };
    for (int c = 0; c < channels; ++c) {
        if (first_row > 0)
            copy_row(c, first_row - 1);
        copy_row(c, first_row);
    }
    for (int r = first_row; r < end_row; ++r) {
        for (int c = 0; c < channels; ++c) {
            if (r + 1 < height)
                copy_row(c, r + 1);
            const float* above = r > 0 ? ring.Slot(c, r + 2) : ring.zeros;  // (r - 1) mod 3
            const float* below = r + 1 < height ? ring.Slot(c, r + 1) : ring.zeros;
            DepthwiseRow(above, ring.Slot(c, r), below, w.depthwise.data() + c * 9,
                         w.depthwise_bias[c], padded, d + c * padded);
        }
        for (int k = 0; k < channels; k += 4)
            PointwiseRow(d, x, y, r, height, width, k, w);
    }
}

// OpenCV's side of the fused block: weights from the node's constant inputs, same output shape.
class SeparableResidualLayer : public cv::dnn::Layer {
  public:
    explicit SeparableResidualLayer(const cv::dnn::LayerParams& params) : Layer(params) {
        const std::string where =
            "layer '" + name + "' (" + std::string(kSeparableResidualLayerType) + ")";
        const int channels = blobs.empty() || blobs[0].dims < 1 ? 0 : blobs[0].size[0];
        const std::size_t count = static_cast<std::size_t>(std::max(channels, 0));
        const std::size_t expected[] = {count * 9, count, count * count, count};
        const std::vector<std::span<const float>> values = CheckWeights(blobs, expected, 4, where);
        weights_.channels = channels;
        weights_.depthwise = values[0];
        weights_.depthwise_bias = values[1];
        weights_.pointwise = values[2];
        weights_.pointwise_bias = values[3];
    }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int,
                         std::vector<cv::dnn::MatShape>& outputs,
                         std::vector<cv::dnn::MatShape>&) const override {
        CheckChannelInput(inputs, weights_.channels, name);
        outputs.assign(1, inputs[0]);
        return false;
    }

    void forward(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
                 cv::OutputArrayOfArrays) override {
        ForEachBatchItem(inputs, outputs, [this](const float* x, float* y, int height, int width) {
            SeparableResidualForward(x, y, height, width, weights_);
        });
    }

  private:
    SeparableResidualWeights weights_;
};

}  // namespace

cv::Ptr<cv::dnn::Layer> CreateSeparableResidualLayer(cv::dnn::LayerParams& params) {
    return cv::makePtr<SeparableResidualLayer>(params);
}

void SeparableResidualForward(const float* x, float* y, int height, int width,
                              const SeparableResidualWeights& weights) {
    if (!CpuHasAvx2Fma() || weights.channels % 4 != 0) {
        SeparableResidualReference(x, y, height, width, weights);
        return;
    }
    // Bands of rows run in parallel when OpenCV has more than one thread; each band keeps its
    // own rows of cache.
    const int bands = std::clamp(std::min(cv::getNumThreads(), height / 4), 1, height);
    cv::parallel_for_(cv::Range(0, bands), [&](const cv::Range& range) {
        for (int band = range.start; band < range.end; ++band) {
            const int first = static_cast<int>(static_cast<long>(height) * band / bands);
            const int end = static_cast<int>(static_cast<long>(height) * (band + 1) / bands);
            ForwardRowsAvx2(x, y, height, width, first, end, weights);
        }
    });
}

void SeparableResidualReference(const float* x, float* y, int height, int width,
                                const SeparableResidualWeights& w) {
    const int channels = w.channels;
    const std::size_t plane = static_cast<std::size_t>(height) * width;
    std::vector<float> d(static_cast<std::size_t>(channels) * width);
    for (int r = 0; r < height; ++r) {
        for (int c = 0; c < channels; ++c) {
            for (int p = 0; p < width; ++p) {
                float sum = w.depthwise_bias[c];
                for (int i = -1; i <= 1; ++i) {
                    for (int j = -1; j <= 1; ++j) {
                        const int row = r + i, column = p + j;
                        if (row < 0 || row >= height || column < 0 || column >= width)
                            continue;
                        sum += w.depthwise[c * 9 + (i + 1) * 3 + (j + 1)] *
                               x[c * plane + row * width + column];
                    }
                }
                d[c * width + p] = sum;
            }
        }
        for (int k = 0; k < channels; ++k) {
            for (int p = 0; p < width; ++p) {
                float sum = w.pointwise_bias[k];
                for (int c = 0; c < channels; ++c)
                    sum += w.pointwise[k * channels + c] * d[c * width + p];
                const std::size_t at = k * plane + r * width + p;
                y[at] = std::max(sum + x[at], 0.0f);
            }
        }
    }
}

}  // namespace menjin
