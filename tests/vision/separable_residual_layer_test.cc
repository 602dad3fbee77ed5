// The fused residual block: its fast path against the direct computation, and the layer inside
// OpenCV against the same block built from OpenCV's own layers.

#include <algorithm>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "support/layer_testing.h"
#include "vision/menjin_layers.h"
#include "vision/separable_residual_layer.h"

namespace menjin {
namespace {

using ::menjin::testing::MaxDifference;
using ::menjin::testing::RandomTensor;

struct Block {
    int channels;
    cv::Mat depthwise, depthwise_bias, pointwise, pointwise_bias;

    SeparableResidualWeights Weights() const {
        return {channels,
                {depthwise.ptr<float>(), depthwise.total()},
                {depthwise_bias.ptr<float>(), depthwise_bias.total()},
                {pointwise.ptr<float>(), pointwise.total()},
                {pointwise_bias.ptr<float>(), pointwise_bias.total()}};
    }
};

Block RandomBlock(int channels, cv::RNG& rng) {
    return {channels, RandomTensor({channels, 1, 3, 3}, rng), RandomTensor({channels}, rng),
            RandomTensor({channels, channels, 1, 1}, rng), RandomTensor({channels}, rng)};
}

TEST(SeparableResidualTest, FastPathMatchesDefinition) {
    cv::RNG rng(11);
    // Widths around the 8- and 16-column blocks, single rows, and BlazeFace's own shapes.
    // Channel counts that are not a multiple of 4 take the portable loops for the remainder.
    const int shapes[][3] = {{4, 1, 1},    {4, 2, 7},    {3, 4, 9},    {6, 5, 20},  {8, 5, 8},
                             {8, 3, 9},    {12, 4, 15},  {16, 6, 16},  {16, 7, 17}, {24, 9, 33},
                             {48, 24, 32}, {96, 12, 16}, {24, 96, 128}};
    for (const auto& [channels, height, width] : shapes) {
        const Block block = RandomBlock(channels, rng);
        const cv::Mat x = RandomTensor({channels, height, width}, rng);
        cv::Mat fast(x.dims, x.size.p, CV_32F), direct(x.dims, x.size.p, CV_32F);
        SeparableResidualForward(x.ptr<float>(), fast.ptr<float>(), height, width, block.Weights());
        SeparableResidualReference(x.ptr<float>(), direct.ptr<float>(), height, width,
                                   block.Weights());
        EXPECT_LT(MaxDifference(fast, direct), 1e-4)
            << channels << " channels, " << height << "x" << width;
    }
}

TEST(SeparableResidualTest, KernelsFollowOpenCvSwitch) {
    ::menjin::testing::ExpectLayerKernelsFollowEnvironment();
}

TEST(SeparableResidualTest, NanPassesThrough) {
    cv::RNG rng(16);
    const Block block = RandomBlock(8, rng);
    cv::Mat x = RandomTensor({8, 3, 20}, rng);
    x.ptr<float>()[25] = std::numeric_limits<float>::quiet_NaN();
    cv::Mat y(x.dims, x.size.p, CV_32F);
    SeparableResidualForward(x.ptr<float>(), y.ptr<float>(), 3, 20, block.Weights());
    const float* values = y.ptr<float>();
    EXPECT_TRUE(std::any_of(values, values + y.total(), [](float v) { return std::isnan(v); }));
}

TEST(SeparableResidualTest, ParallelBandsMatchOneThread) {
    cv::RNG rng(12);
    const Block block = RandomBlock(24, rng);
    const cv::Mat x = RandomTensor({24, 37, 40}, rng);
    cv::Mat one(x.dims, x.size.p, CV_32F), several(x.dims, x.size.p, CV_32F);
    const int threads = cv::getNumThreads();
    cv::setNumThreads(1);
    SeparableResidualForward(x.ptr<float>(), one.ptr<float>(), 37, 40, block.Weights());
    cv::setNumThreads(4);
    SeparableResidualForward(x.ptr<float>(), several.ptr<float>(), 37, 40, block.Weights());
    cv::setNumThreads(threads);
    EXPECT_EQ(MaxDifference(one, several), 0.0);
}

// The block from OpenCV's own layers: depthwise convolution, 1x1 convolution, sum and ReLU.
cv::dnn::Net StandardNet(const Block& block) {
    cv::dnn::Net net;
    cv::dnn::LayerParams depthwise;
    depthwise.set("kernel_size", 3);
    depthwise.set("pad", 1);
    depthwise.set("num_output", block.channels);
    depthwise.set("group", block.channels);
    depthwise.set("bias_term", true);
    depthwise.blobs = {block.depthwise, block.depthwise_bias.reshape(1, block.channels)};
    const int d = net.addLayerToPrev("depthwise", "Convolution", depthwise);
    cv::dnn::LayerParams pointwise;
    pointwise.set("kernel_size", 1);
    pointwise.set("num_output", block.channels);
    pointwise.set("bias_term", true);
    pointwise.blobs = {block.pointwise, block.pointwise_bias.reshape(1, block.channels)};
    const int p = net.addLayer("pointwise", "Convolution", pointwise);
    net.connect(d, 0, p, 0);
    cv::dnn::LayerParams sum;
    sum.set("operation", "sum");
    const int s = net.addLayer("sum", "Eltwise", sum);
    net.connect(0, 0, s, 0);
    net.connect(p, 0, s, 1);
    cv::dnn::LayerParams relu;
    const int r = net.addLayer("relu", "ReLU", relu);
    net.connect(s, 0, r, 0);
    return net;
}

cv::dnn::Net FusedNet(const Block& block) {
    RegisterMenjinLayers();
    cv::dnn::Net net;
    cv::dnn::LayerParams params;
    params.blobs = {block.depthwise, block.depthwise_bias, block.pointwise, block.pointwise_bias};
    net.addLayerToPrev("block", std::string(kSeparableResidualLayerType), params);
    return net;
}

TEST(SeparableResidualTest, LayerMatchesOpenCvLayers) {
    cv::RNG rng(13);
    const Block block = RandomBlock(24, rng);
    const cv::Mat x = RandomTensor({2, 24, 20, 30}, rng);
    cv::dnn::Net standard = StandardNet(block);
    cv::dnn::Net fused = FusedNet(block);
    standard.setInput(x);
    fused.setInput(x);
    const cv::Mat want = standard.forward("relu").clone();
    const cv::Mat got = fused.forward("block").clone();
    ASSERT_EQ(got.size, want.size);
    EXPECT_LT(MaxDifference(got, want), 1e-4);
}

TEST(SeparableResidualTest, WrongWeightsRejectedByName) {
    cv::RNG rng(14);
    Block block = RandomBlock(8, rng);
    block.pointwise = RandomTensor({8, 4, 1, 1}, rng);
    cv::dnn::Net fused = FusedNet(block);
    fused.setInput(RandomTensor({1, 8, 4, 4}, rng));
    try {
        fused.forward();
        FAIL() << "a 8x4 pointwise tensor was accepted";
    } catch (const cv::Exception& e) {
        EXPECT_NE(std::string(e.what()).find("weight tensor 2 (pointwise, C x C x 1 x 1) has shape "
                                             "8x4x1x1, 32 values, expected 64"),
                  std::string::npos)
            << e.what();
    }
}

TEST(SeparableResidualTest, AttributesAreRejectedByName) {
    cv::RNG rng(17);
    const Block block = RandomBlock(8, rng);
    RegisterMenjinLayers();
    cv::dnn::Net net;
    cv::dnn::LayerParams params;
    params.blobs = {block.depthwise, block.depthwise_bias, block.pointwise, block.pointwise_bias};
    params.set("stride", 2);
    net.addLayerToPrev("block", std::string(kSeparableResidualLayerType), params);
    net.setInput(RandomTensor({1, 8, 4, 4}, rng));
    try {
        net.forward();
        FAIL() << "a stride attribute was accepted";
    } catch (const cv::Exception& e) {
        EXPECT_NE(std::string(e.what()).find("attribute 'stride' is not supported"),
                  std::string::npos)
            << e.what();
    }
}

TEST(SeparableResidualTest, OtherChannelCountRejected) {
    cv::RNG rng(15);
    cv::dnn::Net fused = FusedNet(RandomBlock(8, rng));
    fused.setInput(RandomTensor({1, 6, 4, 4}, rng));
    EXPECT_THROW(fused.forward(), cv::Exception);
}

}  // namespace
}  // namespace menjin
