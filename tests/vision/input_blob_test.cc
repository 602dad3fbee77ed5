// MakeInputBlob: BGR pixels to the network's channel order, scaled per channel.

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "vision/onnx_net.h"

namespace menjin {
namespace {

ModelSpec SpecWith(bool rgb, cv::Scalar mean, cv::Scalar std_dev) {
    ModelSpec spec;
    spec.input_rgb = rgb;
    spec.mean = mean;
    spec.std_dev = std_dev;
    return spec;
}

cv::Mat RandomImage(cv::Size size, int seed) {
    cv::Mat image(size, CV_8UC3);
    cv::RNG rng(seed);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    return image;
}

TEST(InputBlobTest, ChannelOrderAndScaling) {
    const cv::Mat image = RandomImage({5, 3}, 1);
    const cv::Scalar mean(1, 2, 3);
    const cv::Scalar std_dev(2, 4, 8);
    for (bool rgb : {true, false}) {
        const cv::Mat blob = MakeInputBlob({image}, SpecWith(rgb, mean, std_dev));

        ASSERT_EQ(blob.dims, 4);
        EXPECT_EQ(blob.size[0], 1);
        EXPECT_EQ(blob.size[1], 3);
        EXPECT_EQ(blob.size[2], 3);
        EXPECT_EQ(blob.size[3], 5);
        for (int channel = 0; channel < 3; ++channel) {
            const int source = rgb ? 2 - channel : channel;
            for (int y = 0; y < 3; ++y) {
                for (int x = 0; x < 5; ++x) {
                    const float expected = static_cast<float>(
                        (image.at<cv::Vec3b>(y, x)[source] - mean[channel]) / std_dev[channel]);
                    EXPECT_NEAR(blob.ptr<float>(0, channel)[y * 5 + x], expected, 1e-5)
                        << "rgb " << rgb << " channel " << channel << " at " << x << "," << y;
                }
            }
        }
    }
}

TEST(InputBlobTest, MatchesOpenCvBlobForABatch) {
    const std::vector<cv::Mat> images = {RandomImage({112, 112}, 2), RandomImage({112, 112}, 3)};
    const cv::Scalar mean(127.5, 127.5, 127.5);

    const cv::Mat ours = MakeInputBlob(images, SpecWith(true, mean, cv::Scalar::all(128)));
    const cv::Mat reference =
        cv::dnn::blobFromImages(images, 1.0 / 128, cv::Size(), mean, true, false, CV_32F);

    ASSERT_EQ(ours.total(), reference.total());
    EXPECT_LE(cv::norm(ours.reshape(1, 1), reference.reshape(1, 1), cv::NORM_INF), 1e-6);
}

TEST(InputBlobTest, MixedSizesOrTypesThrow) {
    const ModelSpec spec = SpecWith(true, cv::Scalar(), cv::Scalar::all(1));
    const cv::Mat grey(4, 4, CV_8UC1, cv::Scalar(0));

    EXPECT_THROW(MakeInputBlob({RandomImage({4, 4}, 4), RandomImage({4, 5}, 5)}, spec),
                 cv::Exception);
    EXPECT_THROW(MakeInputBlob({grey}, spec), cv::Exception);
    EXPECT_THROW(MakeInputBlob({}, spec), cv::Exception);
}

}  // namespace
}  // namespace menjin
