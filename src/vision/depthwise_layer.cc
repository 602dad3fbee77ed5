#include "vision/depthwise_layer.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "vision/cpu_kernels.h"
#include "vision/menjin_layers.h"

namespace menjin {
namespace {

// Returns `width` rounded up to whole 8-column blocks (one AVX register).
int BlockWidth(int width) {
    return (width + 7) & ~7;
}

// Splits 8 pairs of columns at a time from column 2q - pad while all 16 exist, and returns the
// first q it did not split.
__attribute__((target("avx2,fma"))) int SplitColumnsAvx2(const float* in, int width, int pad, int q,
                                                         int end, float* even, float* odd) {
    for (; q + 8 <= end && 2 * q - pad + 16 <= width; q += 8) {
        const float* from = in + 2 * q - pad;
        const __m256 low = _mm256_loadu_ps(from);
        const __m256 high = _mm256_loadu_ps(from + 8);
        const __m256 evens = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
        const __m256 odds = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(3, 1, 3, 1));
        // The shuffles interleave 128-bit halves: put the four 64-bit pairs back in order.
        _mm256_storeu_ps(even + q, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                       _mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0))));
        _mm256_storeu_ps(odd + q, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(odds),
                                                                         _MM_SHUFFLE(3, 1, 2, 0))));
    }
    return q;
}

// One input channel copied into cache with its zero padding. For stride 1 each padded row is
// stored as it is. For stride 2 each padded row is split into its even and odd columns, so the
// three taps of a row read contiguous values: columns 2p, 2p + 1 and 2p + 2 are even[p],
// odd[p] and even[p + 1].
struct PaddedPlane {
    int rows = 0;
    int halves = 1;      // 2 for stride 2: even and odd columns
    int row_length = 0;  // floats per stored row or half row
    std::vector<float> values;

    void Fill(const float* x, int height, int width, const DepthwiseGeometry& g, int out_height,
              int out_width) {
        rows = g.stride * (out_height - 1) + 3;
        row_length = g.stride == 1 ? BlockWidth(out_width) + 8 : BlockWidth(out_width) + 16;
        halves = g.stride == 1 ? 1 : 2;
        values.assign(static_cast<std::size_t>(rows) * halves * row_length, 0.0f);
        for (int i = 0; i < rows; ++i) {
            const int source_row = i - g.pad_top;
            if (source_row < 0 || source_row >= height)
                continue;
            const float* in = x + static_cast<std::size_t>(source_row) * width;
            float* out = Row(i, 0);
            if (g.stride == 1) {
                const int first = std::max(0, -g.pad_left);
                const int count = std::min(width, row_length - g.pad_left) - first;
                if (count > 0)
                    std::memcpy(out + g.pad_left + first, in + first, sizeof(float) * count);
                continue;
            }
            SplitColumns(in, width, g.pad_left, out, Row(i, 1));
        }
    }

    // Writes in[2q - pad] to even[q] and in[2q + 1 - pad] to odd[q] wherever those columns
    // exist. The rest of both rows stays zero.
    void SplitColumns(const float* in, int width, int pad, float* even, float* odd) const {
        int q = 0;
        for (; q < row_length && 2 * q - pad < 0; ++q) {
            if (2 * q + 1 - pad >= 0 && 2 * q + 1 - pad < width)
                odd[q] = in[2 * q + 1 - pad];
        }
        if (CpuHasAvx2Fma())
            q = SplitColumnsAvx2(in, width, pad, q, row_length, even, odd);
        for (; q < row_length && 2 * q - pad < width; ++q) {
            even[q] = in[2 * q - pad];
            if (2 * q + 1 - pad < width)
                odd[q] = in[2 * q + 1 - pad];
        }
    }

    std::size_t Offset(int i, int half) const {
        return (static_cast<std::size_t>(i) * halves + half) * row_length;
    }
    float* Row(int i, int half) { return values.data() + Offset(i, half); }
    const float* Row(int i, int half) const { return values.data() + Offset(i, half); }
};

__attribute__((target("avx2,fma"))) inline __m256 Activate(__m256 v, __m256 slope, bool prelu) {
    if (!prelu)
        return v;
    // MAXPS and MINPS return their second operand when either is NaN, so a NaN passes through.
    const __m256 zero = _mm256_setzero_ps();
    return _mm256_add_ps(_mm256_max_ps(zero, v), _mm256_mul_ps(slope, _mm256_min_ps(zero, v)));
}

// Computes one output channel plane from its padded input plane.
__attribute__((target("avx2,fma"))) void PlaneAvx2(const PaddedPlane& plane, float* y,
                                                   int out_height, int out_width, int stride,
                                                   const float* kernel, float bias, float slope,
                                                   bool prelu) {
    __m256 k[9];
    for (int i = 0; i < 9; ++i)
        k[i] = _mm256_set1_ps(kernel[i]);
    const __m256 b = _mm256_set1_ps(bias);
    const __m256 a = _mm256_set1_ps(slope);
    for (int r = 0; r < out_height; ++r) {
        float* out = y + static_cast<std::size_t>(r) * out_width;
        for (int p = 0; p < out_width; p += 8) {
            __m256 s = b;
            __m256 t = _mm256_setzero_ps();
            for (int i = 0; i < 3; ++i) {
                const int row = stride * r + i;
                if (stride == 1) {
                    const float* in = plane.Row(row, 0) + p;
                    s = _mm256_fmadd_ps(k[3 * i], _mm256_loadu_ps(in), s);
                    t = _mm256_fmadd_ps(k[3 * i + 1], _mm256_loadu_ps(in + 1), t);
                    s = _mm256_fmadd_ps(k[3 * i + 2], _mm256_loadu_ps(in + 2), s);
                } else {
                    const float* even = plane.Row(row, 0) + p;
                    const float* odd = plane.Row(row, 1) + p;
                    s = _mm256_fmadd_ps(k[3 * i], _mm256_loadu_ps(even), s);
                    t = _mm256_fmadd_ps(k[3 * i + 1], _mm256_loadu_ps(odd), t);
                    s = _mm256_fmadd_ps(k[3 * i + 2], _mm256_loadu_ps(even + 1), s);
                }
            }
            const __m256 v = Activate(_mm256_add_ps(s, t), a, prelu);
            if (p + 8 <= out_width) {
                _mm256_storeu_ps(out + p, v);
            } else {
                alignas(32) float lanes[8];
                _mm256_store_ps(lanes, v);
                std::memcpy(out + p, lanes, sizeof(float) * (out_width - p));
            }
        }
    }
}

// Computes the plane without intrinsics, for processors without AVX2.
void PlanePortable(const PaddedPlane& plane, float* y, int out_height, int out_width, int stride,
                   const float* k, float bias, float slope, bool prelu) {
    // Each row is one loop over columns with the three input rows as plain pointers, which the
    // compiler vectorises. std::max and std::min return their first argument for a NaN, so a
    // NaN passes through.
    const float negative_scale = prelu ? slope : 1.0f;
    const int odd_half = stride == 1 ? 0 : 1;
    const int third_tap = stride == 1 ? 2 : 1;  // offset of tap 2 in the row or its even half
    // Local copies and restrict pointers tell the compiler that the output aliases nothing.
    const float k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6],
                k7 = k[7], k8 = k[8];
    for (int r = 0; r < out_height; ++r) {
        float* __restrict out = y + static_cast<std::size_t>(r) * out_width;
        const float* a0 = plane.Row(stride * r, 0);
        const float* a1 = plane.Row(stride * r, odd_half) + (stride == 1 ? 1 : 0);
        const float* b0 = plane.Row(stride * r + 1, 0);
        const float* b1 = plane.Row(stride * r + 1, odd_half) + (stride == 1 ? 1 : 0);
        const float* c0 = plane.Row(stride * r + 2, 0);
        const float* c1 = plane.Row(stride * r + 2, odd_half) + (stride == 1 ? 1 : 0);
        for (int p = 0; p < out_width; ++p) {
            const float sum = bias + k0 * a0[p] + k1 * a1[p] + k2 * a0[p + third_tap] + k3 * b0[p] +
                              k4 * b1[p] + k5 * b0[p + third_tap] + k6 * c0[p] + k7 * c1[p] +
                              k8 * c0[p + third_tap];
            out[p] = std::max(sum, 0.0f) + negative_scale * std::min(sum, 0.0f);
        }
    }
}

// Returns the integers of an attribute as "[a, b, ...]" for messages.
std::string IntList(const cv::dnn::DictValue& value) {
    std::string text = "[";
    for (int i = 0; i < value.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += std::to_string(value.get<int>(i));
    }
    return text + "]";
}

// OpenCV's side of the layer: geometry from the node's attributes, weights from its constant
// inputs.
class DepthwiseLayer : public cv::dnn::Layer {
  public:
    explicit DepthwiseLayer(const cv::dnn::LayerParams& params) : Layer(params) {
        const std::string where = LayerDescription(params);
        static constexpr std::string_view kAttributes[] = {"stride", "pad"};
        RejectOtherAttributes(params, kAttributes);
        geometry_ = ReadGeometry(params, where);
        const int channels = blobs.empty() || blobs[0].dims < 1 ? 0 : blobs[0].size[0];
        const std::size_t count = static_cast<std::size_t>(std::max(channels, 0));
        const WeightLayout expected[] = {
            {"C x 1 x 3 x 3", count * 9}, {"bias, C", count}, {"PReLU slopes, C", count}};
        const std::vector<std::span<const float>> values = CheckWeights(params, blobs, expected, 2);
        weights_.channels = channels;
        weights_.kernel = values[0];
        weights_.bias = values[1];
        if (values.size() == 3)
            weights_.slope = values[2];
    }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int,
                         std::vector<cv::dnn::MatShape>& outputs,
                         std::vector<cv::dnn::MatShape>&) const override {
        CheckChannelInput(inputs, weights_.channels, name);
        cv::dnn::MatShape shape = inputs[0];
        shape[2] = geometry_.OutputSize(shape[2], geometry_.pad_top, geometry_.pad_bottom);
        shape[3] = geometry_.OutputSize(shape[3], geometry_.pad_left, geometry_.pad_right);
        if (shape[2] < 1 || shape[3] < 1) {
            CV_Error(cv::Error::StsBadArg,
                     "layer '" + name + "': a " + std::to_string(inputs[0][2]) + "x" +
                         std::to_string(inputs[0][3]) + " input is smaller than its 3x3 kernel");
        }
        outputs.assign(1, shape);
        return false;
    }

    void forward(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
                 cv::OutputArrayOfArrays) override {
        ForEachBatchItem(inputs, outputs, [this](const float* x, float* y, int height, int width) {
            DepthwiseForward(x, y, height, width, geometry_, weights_);
        });
    }

  private:
    // Reads strides and pads as OpenCV's importer passes them on: "stride" (2 values) and "pad"
    // (top, left, bottom, right).
    static DepthwiseGeometry ReadGeometry(const cv::dnn::LayerParams& params,
                                          const std::string& where) {
        DepthwiseGeometry g;
        if (params.has("stride")) {
            const cv::dnn::DictValue& stride = params.get("stride");
            g.stride = stride.get<int>(0);
            if (stride.size() != 2 || stride.get<int>(1) != g.stride || g.stride < 1 ||
                g.stride > 2) {
                CV_Error(cv::Error::StsBadArg,
                         where + ": strides must be [1, 1] or [2, 2], got " + IntList(stride));
            }
        }
        if (params.has("pad")) {
            const cv::dnn::DictValue& pad = params.get("pad");
            if (pad.size() != 4)
                CV_Error(cv::Error::StsBadArg,
                         where + ": pads must have 4 values, got " + IntList(pad));
            g.pad_top = pad.get<int>(0);
            g.pad_left = pad.get<int>(1);
            g.pad_bottom = pad.get<int>(2);
            g.pad_right = pad.get<int>(3);
            for (int i = 0; i < 4; ++i) {
                if (pad.get<int>(i) < 0 || pad.get<int>(i) > 2) {
                    CV_Error(cv::Error::StsBadArg,
                             where + ": each pad must be 0 to 2, got " + IntList(pad));
                }
            }
        }
        return g;
    }

    DepthwiseGeometry geometry_;
    DepthwiseWeights weights_;
};

}  // namespace

cv::Ptr<cv::dnn::Layer> CreateDepthwiseLayer(cv::dnn::LayerParams& params) {
    return cv::makePtr<DepthwiseLayer>(params);
}

void DepthwiseForward(const float* x, float* y, int height, int width,
                      const DepthwiseGeometry& geometry, const DepthwiseWeights& weights) {
    const bool avx2 = CpuHasAvx2Fma();
    const int out_height = geometry.OutputSize(height, geometry.pad_top, geometry.pad_bottom);
    const int out_width = geometry.OutputSize(width, geometry.pad_left, geometry.pad_right);
    const std::size_t in_plane = static_cast<std::size_t>(height) * width;
    const std::size_t out_plane = static_cast<std::size_t>(out_height) * out_width;
    const bool prelu = !weights.slope.empty();
    cv::parallel_for_(cv::Range(0, weights.channels), [&](const cv::Range& range) {
        PaddedPlane plane;
        for (int c = range.start; c < range.end; ++c) {
            plane.Fill(x + c * in_plane, height, width, geometry, out_height, out_width);
            const auto compute = avx2 ? PlaneAvx2 : PlanePortable;
            compute(plane, y + c * out_plane, out_height, out_width, geometry.stride,
                    weights.kernel.data() + c * 9, weights.bias[c], prelu ? weights.slope[c] : 0.0f,
                    prelu);
        }
    });
}

void DepthwiseReference(const float* x, float* y, int height, int width, const DepthwiseGeometry& g,
                        const DepthwiseWeights& w) {
    const int out_height = g.OutputSize(height, g.pad_top, g.pad_bottom);
    const int out_width = g.OutputSize(width, g.pad_left, g.pad_right);
    for (int c = 0; c < w.channels; ++c) {
        for (int r = 0; r < out_height; ++r) {
            for (int p = 0; p < out_width; ++p) {
                float sum = w.bias[c];
                for (int i = 0; i < 3; ++i) {
                    for (int j = 0; j < 3; ++j) {
                        const int row = g.stride * r + i - g.pad_top;
                        const int column = g.stride * p + j - g.pad_left;
                        if (row < 0 || row >= height || column < 0 || column >= width)
                            continue;
                        sum += w.kernel[c * 9 + i * 3 + j] *
                               x[(static_cast<std::size_t>(c) * height + row) * width + column];
                    }
                }
                if (!w.slope.empty() && sum < 0)
                    sum *= w.slope[c];
                y[(static_cast<std::size_t>(c) * out_height + r) * out_width + p] = sum;
            }
        }
    }
}

}  // namespace menjin
