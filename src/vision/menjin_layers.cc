#include "vision/menjin_layers.h"

#include <algorithm>
#include <mutex>
#include <string>

namespace menjin {

bool IsMenjinLayerType(std::string_view type) {
    return type == kSeparableResidualLayerType || type == kDepthwiseLayerType;
}

namespace {

// Returns a shape as "2x3x4" for messages.
std::string ShapeText(const int* sizes, int dims) {
    std::string text;
    for (int i = 0; i < dims; ++i) {
        if (i > 0)
            text += "x";
        text += std::to_string(sizes[i]);
    }
    return dims == 0 ? "empty" : text;
}

}  // namespace

std::string LayerDescription(const cv::dnn::LayerParams& params) {
    return "layer '" + params.name + "' (" + params.type + ")";
}

void RejectOtherAttributes(const cv::dnn::LayerParams& params,
                           std::span<const std::string_view> allowed) {
    for (auto it = params.begin(); it != params.end(); ++it) {
        const std::string& key = it->first;
        if (key == "has_dynamic_shapes" ||
            std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
            continue;
        }
        CV_Error(cv::Error::StsBadArg, LayerDescription(params) + ": attribute '" + key +
                                           "' is not supported by this layer");
    }
}

std::vector<std::span<const float>> CheckWeights(const cv::dnn::LayerParams& params,
                                                 std::vector<cv::Mat>& blobs,
                                                 std::span<const WeightLayout> expected,
                                                 std::size_t required) {
    const std::string where = LayerDescription(params);
    if (blobs.size() < required || blobs.size() > expected.size()) {
        const std::string counts =
            required == expected.size()
                ? std::to_string(required)
                : std::to_string(required) + " or " + std::to_string(expected.size());
        CV_Error(cv::Error::StsBadArg, where + " needs " + counts +
                                           " constant weight inputs, the node has " +
                                           std::to_string(blobs.size()));
    }
    const int channels = blobs[0].dims > 0 ? blobs[0].size[0] : 0;
    std::vector<std::span<const float>> values;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        const std::string tensor = where + ": weight tensor " + std::to_string(i) + " (" +
                                   std::string(expected[i].text) + ")";
        if (channels < 1 || blobs[i].total() != expected[i].values) {
            CV_Error(cv::Error::StsBadArg,
                     tensor + " has shape " + ShapeText(blobs[i].size.p, blobs[i].dims) + ", " +
                         std::to_string(blobs[i].total()) + " values, expected " +
                         std::to_string(expected[i].values) + " with C = " +
                         std::to_string(channels) + " from the first dimension of tensor 0");
        }
        if (blobs[i].type() != CV_32F)
            CV_Error(cv::Error::StsBadArg, tensor + " is not float32");
        if (!blobs[i].isContinuous())
            blobs[i] = blobs[i].clone();
        values.emplace_back(blobs[i].ptr<float>(), expected[i].values);
    }
    return values;
}

void CheckChannelInput(const std::vector<cv::dnn::MatShape>& inputs, int channels,
                       const std::string& layer_name) {
    if (inputs.size() != 1 || inputs[0].size() != 4 || inputs[0][1] != channels) {
        const std::string got =
            inputs.size() != 1
                ? std::to_string(inputs.size()) + " inputs"
                : "shape " + ShapeText(inputs[0].data(), static_cast<int>(inputs[0].size()));
        CV_Error(cv::Error::StsBadArg, "layer '" + layer_name + "' expects one NCHW input with " +
                                           std::to_string(channels) + " channels, got " + got);
    }
}

void ForEachBatchItem(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
                      const std::function<void(const float*, float*, int, int)>& compute) {
    std::vector<cv::Mat> in, out;
    inputs.getMatVector(in);
    outputs.getMatVector(out);
    const cv::Mat& x = in[0];
    cv::Mat& y = out[0];
    CV_Assert(x.type() == CV_32F && x.isContinuous() && y.isContinuous());
    const std::size_t in_item = x.total() / x.size[0];
    const std::size_t out_item = y.total() / y.size[0];
    for (int n = 0; n < x.size[0]; ++n)
        compute(x.ptr<float>() + n * in_item, y.ptr<float>() + n * out_item, x.size[2], x.size[3]);
}

void RegisterMenjinLayers() {
    static std::once_flag once;
    std::call_once(once, [] {
        cv::dnn::LayerFactory::registerLayer(std::string(kSeparableResidualLayerType),
                                             CreateSeparableResidualLayer);
        cv::dnn::LayerFactory::registerLayer(std::string(kDepthwiseLayerType),
                                             CreateDepthwiseLayer);
    });
}

}  // namespace menjin
