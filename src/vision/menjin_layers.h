#pragma once

// menjin's own OpenCV DNN layers and their registration.
//
// Setup writes some blocks of the converted models as ONNX nodes in the "menjin" domain
// (models/convert/menjin_layers.py defines them). OpenCV names the layer of such a node
// "<domain>.<op type>", and it can read the graph only once these layer types are registered.

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/dnn.hpp>

namespace menjin {

// BlazeFace's residual block in one pass (separable_residual_layer.h).
inline constexpr std::string_view kSeparableResidualLayerType = "menjin.SeparableResidualBlock";
// A 3x3 depthwise convolution with any padding and an optional PReLU (depthwise_layer.h).
inline constexpr std::string_view kDepthwiseLayerType = "menjin.Depthwise3x3";

// Returns true for a layer type that RegisterMenjinLayers registers.
bool IsMenjinLayerType(std::string_view type);

// Registers menjin's layer types with OpenCV DNN, once per process. Must run before a network
// that uses them is read. Safe to call from any thread.
void RegisterMenjinLayers();

// Each creates its layer from the parameters and constant inputs of an ONNX node. Both throw
// cv::Exception naming the layer and the tensor when the weights have the wrong size.
cv::Ptr<cv::dnn::Layer> CreateSeparableResidualLayer(cv::dnn::LayerParams& params);
cv::Ptr<cv::dnn::Layer> CreateDepthwiseLayer(cv::dnn::LayerParams& params);

// Helpers for the layers above.
//
// Returns "layer '<name>' (<type>)" for messages.
std::string LayerDescription(const cv::dnn::LayerParams& params);
// Throws cv::Exception for a node attribute other than `allowed` (as OpenCV's importer names
// them) and OpenCV's own bookkeeping entries.
void RejectOtherAttributes(const cv::dnn::LayerParams& params,
                           std::span<const std::string_view> allowed);
// Layout of one constant input of a layer, in terms of the channel count C that the first
// dimension of the first input gives.
struct WeightLayout {
    std::string_view text;  // e.g. "C x 1 x 3 x 3"
    std::size_t values = 0;
};
// Checks a node's constant inputs: at least `required` of them, at most expected.size(), each
// with the values of its layout in float32. Makes each contiguous and returns their values.
// Throws cv::Exception naming the layer, the tensor and its shape.
std::vector<std::span<const float>> CheckWeights(const cv::dnn::LayerParams& params,
                                                 std::vector<cv::Mat>& blobs,
                                                 std::span<const WeightLayout> expected,
                                                 std::size_t required);
// Throws cv::Exception unless `inputs` is one NCHW shape with `channels` channels.
void CheckChannelInput(const std::vector<cv::dnn::MatShape>& inputs, int channels,
                       const std::string& layer_name);
// Calls `compute(x, y, height, width)` for each item of the batch in a layer's forward().
void ForEachBatchItem(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
                      const std::function<void(const float*, float*, int, int)>& compute);

}  // namespace menjin
