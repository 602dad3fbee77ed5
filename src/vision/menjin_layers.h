#pragma once

// menjin's own OpenCV DNN layers and their registration.
//
// Setup writes some blocks of the converted models as ONNX nodes in the "menjin" domain
// (models/convert/menjin_layers.py defines them). OpenCV names the layer of such a node
// "<domain>.<op type>", and it can read the graph only once these layer types are registered.

#include <string_view>

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

// Create the layers from the parameters and constant inputs of their ONNX nodes. Both throw
// cv::Exception naming the layer and the tensor when the weights have the wrong size.
cv::Ptr<cv::dnn::Layer> CreateSeparableResidualLayer(cv::dnn::LayerParams& params);
cv::Ptr<cv::dnn::Layer> CreateDepthwiseLayer(cv::dnn::LayerParams& params);

}  // namespace menjin
