#include "vision/separable_residual_layer.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>
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
        // MAXPS returns its second operand when either is NaN, so a NaN passes through as it
        // does in OpenCV's own layers.
        __m256 value = _mm256_add_ps(sum, _mm256_loadu_ps(x));
        _mm256_storeu_ps(y, _mm256_max_ps(_mm256_setzero_ps(), value));
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

// Computes the pointwise convolution of one row of depthwise results `d` (channels x padded width)
// for four output channels from `first`, plus bias, residual and ReLU, written to row `row` of y.
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

// Computes the depthwise row without intrinsics, for processors without AVX2.
void DepthwiseRowPortable(const float* above, const float* middle, const float* below,
                          const float* k, float bias, int padded_width, float* __restrict out) {
    const float k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6],
                k7 = k[7], k8 = k[8];
    for (int p = 0; p < padded_width; ++p) {
        out[p] = bias + k0 * above[p] + k1 * above[p + 1] + k2 * above[p + 2] + k3 * middle[p] +
                 k4 * middle[p + 1] + k5 * middle[p + 2] + k6 * below[p] + k7 * below[p + 1] +
                 k8 * below[p + 2];
    }
}

// Adds the residual to `sum` (columns of one row of one output channel), applies the ReLU and
// stores the first `columns`. std::max returns its first argument for a NaN, so it passes.
void StoreRowPortable(const float* sum, const float* x, float* y, int columns) {
    for (int q = 0; q < columns; ++q)
        y[q] = std::max(sum[q] + x[q], 0.0f);
}

// Computes the pointwise row without AVX2, for output channels [first, end). Four output channels
// by eight columns accumulate in OpenCV's 128-bit vector type (SSE2, present on every x86-64), so
// each depthwise value is loaded once per four channels.
void PointwiseRowPortable(const float* d, const float* x, float* y, int row, int height, int width,
                          int first, int end, const SeparableResidualWeights& w) {
    const int channels = w.channels;
    const int padded = PaddedWidth(width);
    const std::size_t plane = static_cast<std::size_t>(height) * width;
    int k = first;
    for (; k + 4 <= end; k += 4) {
        const float* w0 = w.pointwise.data() + k * channels;
        const float* w1 = w0 + channels;
        const float* w2 = w1 + channels;
        const float* w3 = w2 + channels;
        for (int p = 0; p < width; p += 8) {
            cv::v_float32x4 s00 = cv::v_setall_f32(w.pointwise_bias[k]), s01 = s00;
            cv::v_float32x4 s10 = cv::v_setall_f32(w.pointwise_bias[k + 1]), s11 = s10;
            cv::v_float32x4 s20 = cv::v_setall_f32(w.pointwise_bias[k + 2]), s21 = s20;
            cv::v_float32x4 s30 = cv::v_setall_f32(w.pointwise_bias[k + 3]), s31 = s30;
            const float* column = d + p;
            for (int c = 0; c < channels; ++c, column += padded) {
                const cv::v_float32x4 d0 = cv::v_load(column), d1 = cv::v_load(column + 4);
                cv::v_float32x4 v = cv::v_setall_f32(w0[c]);
                s00 = cv::v_muladd(v, d0, s00);
                s01 = cv::v_muladd(v, d1, s01);
                v = cv::v_setall_f32(w1[c]);
                s10 = cv::v_muladd(v, d0, s10);
                s11 = cv::v_muladd(v, d1, s11);
                v = cv::v_setall_f32(w2[c]);
                s20 = cv::v_muladd(v, d0, s20);
                s21 = cv::v_muladd(v, d1, s21);
                v = cv::v_setall_f32(w3[c]);
                s30 = cv::v_muladd(v, d0, s30);
                s31 = cv::v_muladd(v, d1, s31);
            }
            const int columns = std::min(8, width - p);
            const std::size_t at = k * plane + static_cast<std::size_t>(row) * width + p;
            float sums[4][8];
            cv::v_store(sums[0], s00);
            cv::v_store(sums[0] + 4, s01);
            cv::v_store(sums[1], s10);
            cv::v_store(sums[1] + 4, s11);
            cv::v_store(sums[2], s20);
            cv::v_store(sums[2] + 4, s21);
            cv::v_store(sums[3], s30);
            cv::v_store(sums[3] + 4, s31);
            for (int i = 0; i < 4; ++i)
                StoreRowPortable(sums[i], x + at + i * plane, y + at + i * plane, columns);
        }
    }
    if (k == end)
        return;
    std::vector<float> sum(padded);  // only for channel counts that are not a multiple of 4
    for (; k < end; ++k) {
        std::fill(sum.begin(), sum.end(), w.pointwise_bias[k]);
        for (int c = 0; c < channels; ++c) {
            const float weight = w.pointwise[k * channels + c];
            const float* column = d + c * padded;
            for (int p = 0; p < padded; ++p)
                sum[p] += weight * column[p];
        }
        const std::size_t at = k * plane + static_cast<std::size_t>(row) * width;
        StoreRowPortable(sum.data(), x + at, y + at, width);
    }
}

// Computes output rows [first_row, end_row), with AVX2 kernels when `avx2` is set.
void ForwardRows(const float* x, float* y, int height, int width, int first_row, int end_row,
                 const SeparableResidualWeights& w, bool avx2) {
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
            const float* kernel = w.depthwise.data() + c * 9;
            if (avx2) {
                DepthwiseRow(above, ring.Slot(c, r), below, kernel, w.depthwise_bias[c], padded,
                             d + c * padded);
            } else {
                DepthwiseRowPortable(above, ring.Slot(c, r), below, kernel, w.depthwise_bias[c],
                                     padded, d + c * padded);
            }
        }
        // The AVX2 kernel takes four output channels at a time. The rest go the portable way.
        const int blocked = avx2 ? channels - channels % 4 : 0;
        for (int k = 0; k < blocked; k += 4)
            PointwiseRow(d, x, y, r, height, width, k, w);
        PointwiseRowPortable(d, x, y, r, height, width, blocked, channels, w);
    }
}

// OpenCV's side of the fused block: weights from the node's constant inputs, same output shape.
class SeparableResidualLayer : public cv::dnn::Layer {
  public:
    explicit SeparableResidualLayer(const cv::dnn::LayerParams& params) : Layer(params) {
        RejectOtherAttributes(params, {});
        const int channels = blobs.empty() || blobs[0].dims < 1 ? 0 : blobs[0].size[0];
        const std::size_t count = static_cast<std::size_t>(std::max(channels, 0));
        const WeightLayout expected[] = {{"depthwise, C x 1 x 3 x 3", count * 9},
                                         {"depthwise bias, C", count},
                                         {"pointwise, C x C x 1 x 1", count * count},
                                         {"pointwise bias, C", count}};
        const std::vector<std::span<const float>> values = CheckWeights(params, blobs, expected, 4);
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
    const bool avx2 = CpuHasAvx2Fma();
    // Bands of rows run in parallel when OpenCV has more than one thread. Each band keeps its
    // own rows in cache.
    const int bands = std::clamp(std::min(cv::getNumThreads(), height / 4), 1, height);
    cv::parallel_for_(cv::Range(0, bands), [&](const cv::Range& range) {
        for (int band = range.start; band < range.end; ++band) {
            const int first = static_cast<int>(static_cast<long>(height) * band / bands);
            const int end = static_cast<int>(static_cast<long>(height) * (band + 1) / bands);
            ForwardRows(x, y, height, width, first, end, weights, avx2);
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
