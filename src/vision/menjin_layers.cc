#include "vision/menjin_layers.h"

#include <mutex>
#include <string>

namespace menjin {

bool IsMenjinLayerType(std::string_view type) {
    return type == kSeparableResidualLayerType || type == kDepthwiseLayerType;
}

std::vector<std::span<const float>> CheckWeights(std::vector<cv::Mat>& blobs,
                                                 std::span<const std::size_t> expected,
                                                 std::size_t required, const std::string& where) {
    if (blobs.size() < required || blobs.size() > expected.size()) {
        const std::string counts =
            required == expected.size()
                ? std::to_string(required)
                : std::to_string(required) + " or " + std::to_string(expected.size());
        CV_Error(cv::Error::StsBadArg, where + " needs " + counts +
                                           " weight tensors, the node has " +
                                           std::to_string(blobs.size()));
    }
    std::vector<std::span<const float>> values;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        const std::string tensor = where + ": weight tensor " + std::to_string(i);
        if (blobs[i].total() != expected[i] || expected[i] == 0) {
            CV_Error(cv::Error::StsBadArg, tensor + " has " + std::to_string(blobs[i].total()) +
                                               " values, expected " + std::to_string(expected[i]));
        }
        if (blobs[i].type() != CV_32F)
            CV_Error(cv::Error::StsBadArg, tensor + " is not float32");
        if (!blobs[i].isContinuous())
            blobs[i] = blobs[i].clone();
        values.emplace_back(blobs[i].ptr<float>(), expected[i]);
    }
    return values;
}

void CheckChannelInput(const std::vector<cv::dnn::MatShape>& inputs, int channels,
                       const std::string& layer_name) {
    if (inputs.size() != 1 || inputs[0].size() != 4 || inputs[0][1] != channels) {
        CV_Error(cv::Error::StsBadArg, "layer '" + layer_name + "' expects one NCHW input with " +
                                           std::to_string(channels) + " channels");
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
