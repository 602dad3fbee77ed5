// The depthwise layer: its fast path against the direct computation for every stride and
// padding it takes, and the layer inside OpenCV against OpenCV's own convolution and PReLU.

#include <algorithm>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "support/layer_testing.h"
#include "vision/depthwise_layer.h"
#include "vision/menjin_layers.h"

namespace menjin {
namespace {

using ::menjin::testing::MaxDifference;
using ::menjin::testing::RandomTensor;

struct Layer {
    cv::Mat kernel, bias, slope;

    DepthwiseWeights Weights(bool prelu) const {
        DepthwiseWeights weights;
        weights.channels = kernel.size[0];
        weights.kernel = {kernel.ptr<float>(), kernel.total()};
        weights.bias = {bias.ptr<float>(), bias.total()};
        if (prelu)
            weights.slope = {slope.ptr<float>(), slope.total()};
        return weights;
    }
};

Layer RandomLayer(int channels, cv::RNG& rng) {
    return {RandomTensor({channels, 1, 3, 3}, rng), RandomTensor({channels}, rng),
            RandomTensor({channels}, rng)};
}

TEST(DepthwiseLayerTest, KernelsFollowOpenCvSwitch) {
    ::menjin::testing::ExpectLayerKernelsFollowEnvironment();
}

TEST(DepthwiseLayerTest, FastPathMatchesDefinition) {
    cv::RNG rng(21);
    const int sizes[][2] = {{1, 1}, {2, 3}, {5, 8}, {7, 7}, {14, 14}, {9, 17}, {28, 28}, {13, 40}};
    const DepthwiseGeometry geometries[] = {{1, 1, 1, 1, 1}, {1, 0, 0, 0, 0}, {1, 1, 1, 1, 5},
                                            {2, 0, 0, 1, 1}, {2, 1, 1, 1, 1}, {2, 1, 2, 1, 0},
                                            {2, 0, 0, 0, 0}, {2, 2, 0, 1, 2}, {1, 2, 2, 2, 2}};
    for (const auto& [height, width] : sizes) {
        for (const DepthwiseGeometry& g : geometries) {
            const int out_height = g.OutputSize(height, g.pad_top, g.pad_bottom);
            const int out_width = g.OutputSize(width, g.pad_left, g.pad_right);
            if (out_height < 1 || out_width < 1)
                continue;
            for (const bool prelu : {false, true}) {
                const Layer layer = RandomLayer(6, rng);
                const cv::Mat x = RandomTensor({6, height, width}, rng);
                cv::Mat fast = RandomTensor({6, out_height, out_width}, rng);
                cv::Mat direct = fast.clone();
                DepthwiseForward(x.ptr<float>(), fast.ptr<float>(), height, width, g,
                                 layer.Weights(prelu));
                DepthwiseReference(x.ptr<float>(), direct.ptr<float>(), height, width, g,
                                   layer.Weights(prelu));
                EXPECT_LT(MaxDifference(fast, direct), 1e-5)
                    << height << "x" << width << " stride " << g.stride << " pads " << g.pad_top
                    << g.pad_left << g.pad_bottom << g.pad_right << " prelu " << prelu;
            }
        }
    }
}

cv::dnn::LayerParams DepthwiseParams(const Layer& layer, int stride, std::vector<int> pads) {
    cv::dnn::LayerParams params;
    const int strides[] = {stride, stride};
    params.set("stride", cv::dnn::DictValue::arrayInt(strides, 2));
    params.set("pad", cv::dnn::DictValue::arrayInt(pads.data(), static_cast<int>(pads.size())));
    params.blobs = {layer.kernel, layer.bias, layer.slope};
    return params;
}

TEST(DepthwiseLayerTest, LayerMatchesOpenCvLayers) {
    RegisterMenjinLayers();
    cv::RNG rng(22);
    const Layer layer = RandomLayer(16, rng);
    cv::dnn::Net standard;
    cv::dnn::LayerParams conv;
    conv.set("kernel_size", 3);
    conv.set("pad", 1);
    conv.set("stride", 2);
    conv.set("num_output", 16);
    conv.set("group", 16);
    conv.set("bias_term", true);
    conv.blobs = {layer.kernel, layer.bias.reshape(1, 16)};
    standard.addLayerToPrev("conv", "Convolution", conv);
    cv::dnn::LayerParams prelu;
    prelu.blobs = {layer.slope.reshape(1, 16)};
    standard.addLayerToPrev("prelu", "PReLU", prelu);

    cv::dnn::Net fused;
    cv::dnn::LayerParams params = DepthwiseParams(layer, 2, {1, 1, 1, 1});
    fused.addLayerToPrev("depthwise", std::string(kDepthwiseLayerType), params);

    const cv::Mat x = RandomTensor({2, 16, 15, 22}, rng);
    standard.setInput(x);
    fused.setInput(x);
    const cv::Mat want = standard.forward("prelu").clone();
    const cv::Mat got = fused.forward("depthwise").clone();
    ASSERT_EQ(got.size, want.size);
    EXPECT_LT(MaxDifference(got, want), 1e-5);
}

TEST(DepthwiseLayerTest, NanPassesThroughPrelu) {
    cv::RNG rng(25);
    const Layer layer = RandomLayer(4, rng);
    cv::Mat x = RandomTensor({4, 6, 10}, rng);
    x.ptr<float>()[13] = std::numeric_limits<float>::quiet_NaN();
    const DepthwiseGeometry g{1, 1, 1, 1, 1};
    cv::Mat y(x.dims, x.size.p, CV_32F);
    DepthwiseForward(x.ptr<float>(), y.ptr<float>(), 6, 10, g, layer.Weights(true));
    const float* values = y.ptr<float>();
    EXPECT_TRUE(std::any_of(values, values + y.total(), [](float v) { return std::isnan(v); }));
}

TEST(DepthwiseLayerTest, BadGeometryIsRejectedByName) {
    RegisterMenjinLayers();
    cv::RNG rng(23);
    const Layer layer = RandomLayer(4, rng);
    const std::pair<cv::dnn::LayerParams, std::string> cases[] = {
        {DepthwiseParams(layer, 3, {1, 1, 1, 1}), "strides must be [1, 1] or [2, 2], got [3, 3]"},
        {DepthwiseParams(layer, 1, {1, 1, 1}), "pads must have 4 values, got [1, 1, 1]"},
        {DepthwiseParams(layer, 1, {0, 3, 0, 0}), "each pad must be 0 to 2, got [0, 3, 0, 0]"},
    };
    for (auto [params, message] : cases) {
        cv::dnn::Net net;
        net.addLayerToPrev("depthwise", std::string(kDepthwiseLayerType), params);
        net.setInput(RandomTensor({1, 4, 8, 8}, rng));
        try {
            net.forward();
            ADD_FAILURE() << "accepted: " << message;
        } catch (const cv::Exception& e) {
            EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
        }
    }
}

TEST(DepthwiseLayerTest, InputSmallerThanKernelIsRejected) {
    RegisterMenjinLayers();
    cv::RNG rng(24);
    cv::dnn::LayerParams params = DepthwiseParams(RandomLayer(4, rng), 1, {0, 0, 0, 0});
    cv::dnn::Net net;
    net.addLayerToPrev("depthwise", std::string(kDepthwiseLayerType), params);
    net.setInput(RandomTensor({1, 4, 2, 8}, rng));
    EXPECT_THROW(net.forward(), cv::Exception);

    // At stride 2 a padded side of 2 must not round up to one output.
    cv::dnn::LayerParams strided = DepthwiseParams(RandomLayer(4, rng), 2, {0, 0, 0, 0});
    cv::dnn::Net strided_net;
    strided_net.addLayerToPrev("depthwise", std::string(kDepthwiseLayerType), strided);
    strided_net.setInput(RandomTensor({1, 4, 2, 9}, rng));
    EXPECT_THROW(strided_net.forward(), cv::Exception);
}

}  // namespace
}  // namespace menjin
