#include "frames/image_decoder.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "frames/test_images.h"
#include "support/test_paths.h"

namespace menjin {
namespace {

namespace fs = std::filesystem;
using ::menjin::testing::Bytes;
using ::menjin::testing::EncodeImage;
using ::testing::HasSubstr;

constexpr const char* kLabel = "test-image";

Result<DecodedImage> Decode(const Bytes& bytes, const DecodeLimits& limits = {}) {
    return DecodeImage(bytes, limits, kLabel);
}

// Largest absolute difference between two images of the same size and type.
double MaxDifference(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a, b, cv::NORM_INF);
}

// A smooth color gradient, which lossy codecs reproduce closely.
cv::Mat Gradient(int width, int height) {
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<std::uint8_t>(x * 255 / width),
                                                  static_cast<std::uint8_t>(y * 255 / height), 90);
        }
    }
    return image;
}

bool IsNear(const cv::Vec3b& actual, const cv::Vec3b& expected, int tolerance) {
    for (int c = 0; c < 3; ++c) {
        if (std::abs(actual[c] - expected[c]) > tolerance)
            return false;
    }
    return true;
}

// ---- Orientation pattern -------------------------------------------------------------------

// A 64x48 gray image with a red 16x16 block in the top-left corner and a green one in the
// top-right corner. The two blocks tell all eight EXIF orientations apart.
constexpr int kPatternWidth = 64;
constexpr int kPatternHeight = 48;
const cv::Vec3b kRed(0, 0, 255);
const cv::Vec3b kGreen(0, 255, 0);
const cv::Point kRedCenter(7, 7);
const cv::Point kGreenCenter(kPatternWidth - 8, 7);

cv::Mat OrientationPattern() {
    cv::Mat image(kPatternHeight, kPatternWidth, CV_8UC3, cv::Scalar(128, 128, 128));
    image(cv::Rect(0, 0, 16, 16)).setTo(cv::Scalar(kRed));
    image(cv::Rect(kPatternWidth - 16, 0, 16, 16)).setTo(cv::Scalar(kGreen));
    return image;
}

// Where stored pixel `p` of a width x height image appears once EXIF orientation `orientation`
// is applied. Orientations 2 and 4 mirror left-right and top-bottom, and 3 turns 180 degrees.
// 5 and 7 mirror along the main and the anti-diagonal. 6 and 8 turn 90 degrees clockwise and
// counterclockwise.
cv::Point UprightPoint(int orientation, cv::Point p, int width, int height) {
    switch (orientation) {
        case 2:
            return {width - 1 - p.x, p.y};
        case 3:
            return {width - 1 - p.x, height - 1 - p.y};
        case 4:
            return {p.x, height - 1 - p.y};
        case 5:
            return {p.y, p.x};
        case 6:
            return {height - 1 - p.y, p.x};
        case 7:
            return {height - 1 - p.y, width - 1 - p.x};
        case 8:
            return {p.y, width - 1 - p.x};
        default:
            return p;
    }
}

// Checks that `decoded` is the orientation pattern turned upright from orientation
// `orientation`.
void ExpectUprightPattern(const DecodedImage& decoded, int orientation, int tolerance) {
    SCOPED_TRACE("orientation " + std::to_string(orientation));
    ASSERT_EQ(decoded.bgr.type(), CV_8UC3);
    EXPECT_EQ(decoded.exif_orientation, orientation);
    const bool swapped = orientation >= 5;
    EXPECT_EQ(decoded.bgr.cols, swapped ? kPatternHeight : kPatternWidth);
    EXPECT_EQ(decoded.bgr.rows, swapped ? kPatternWidth : kPatternHeight);
    if (decoded.bgr.size() != cv::Size(swapped ? kPatternHeight : kPatternWidth,
                                       swapped ? kPatternWidth : kPatternHeight)) {
        return;
    }
    const cv::Point red = UprightPoint(orientation, kRedCenter, kPatternWidth, kPatternHeight);
    const cv::Point green = UprightPoint(orientation, kGreenCenter, kPatternWidth, kPatternHeight);
    EXPECT_TRUE(IsNear(decoded.bgr.at<cv::Vec3b>(red), kRed, tolerance))
        << "red marker expected at " << red << ", found " << decoded.bgr.at<cv::Vec3b>(red);
    EXPECT_TRUE(IsNear(decoded.bgr.at<cv::Vec3b>(green), kGreen, tolerance))
        << "green marker expected at " << green << ", found " << decoded.bgr.at<cv::Vec3b>(green);
}

// ---- Formats -------------------------------------------------------------------------------

struct EncodedCase {
    std::string name;
    Bytes bytes;
    ImageFormat format;
    double max_difference;  // max difference from the source, 0 if lossless
};

std::vector<EncodedCase> EncodedCases(const cv::Mat& image) {
    using testing::UncompressedTiff;
    return {
        {"jpeg", EncodeImage(image, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95}), ImageFormat::kJpeg,
         24},
        {"progressive jpeg",
         EncodeImage(image, ".jpg",
                     {cv::IMWRITE_JPEG_QUALITY, 95, cv::IMWRITE_JPEG_PROGRESSIVE, 1}),
         ImageFormat::kJpeg, 24},
        {"png", EncodeImage(image, ".png"), ImageFormat::kPng, 0},
        {"bmp", EncodeImage(image, ".bmp"), ImageFormat::kBmp, 0},
        {"lossy webp", EncodeImage(image, ".webp", {cv::IMWRITE_WEBP_QUALITY, 90}),
         ImageFormat::kWebp, 40},
        {"lossless webp", EncodeImage(image, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}),
         ImageFormat::kWebp, 0},
        {"lzw tiff", EncodeImage(image, ".tiff"), ImageFormat::kTiff, 0},
        {"uncompressed tiff", UncompressedTiff(image, 0), ImageFormat::kTiff, 0},
    };
}

TEST(ImageDecoderTest, FormatNamesAreStable) {
    EXPECT_STREQ(ImageFormatName(ImageFormat::kJpeg), "JPEG");
    EXPECT_STREQ(ImageFormatName(ImageFormat::kPng), "PNG");
    EXPECT_STREQ(ImageFormatName(ImageFormat::kBmp), "BMP");
    EXPECT_STREQ(ImageFormatName(ImageFormat::kWebp), "WebP");
    EXPECT_STREQ(ImageFormatName(ImageFormat::kTiff), "TIFF");
}

TEST(ImageDecoderTest, DecodesEverySupportedFormat) {
    const cv::Mat source = Gradient(80, 60);
    for (const EncodedCase& c : EncodedCases(source)) {
        SCOPED_TRACE(c.name);
        auto decoded = Decode(c.bytes);
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        EXPECT_EQ(decoded->format, c.format);
        EXPECT_EQ(decoded->exif_orientation, 1);
        ASSERT_EQ(decoded->bgr.type(), CV_8UC3);
        ASSERT_EQ(decoded->bgr.size(), source.size());
        EXPECT_LE(MaxDifference(decoded->bgr, source), c.max_difference);
    }
}

TEST(ImageDecoderTest, FormatComesFromMagicBytes) {
    // The label looks like a GIF file name, but the bytes are a PNG.
    const Bytes png = EncodeImage(Gradient(8, 8), ".png");
    auto decoded = DecodeImage(png, {}, "photo.gif");
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->format, ImageFormat::kPng);
}

TEST(ImageDecoderTest, GrayscaleBecomesThreeChannels) {
    cv::Mat gray(30, 40, CV_8UC1);
    cv::randu(gray, 0, 256);
    const std::vector<std::pair<std::string, Bytes>> cases = {
        {"png", EncodeImage(gray, ".png")},
        {"bmp", EncodeImage(gray, ".bmp")},
        {"tiff", EncodeImage(gray, ".tiff")},
        {"jpeg", EncodeImage(gray, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 100})},
    };
    for (const auto& [name, bytes] : cases) {
        SCOPED_TRACE(name);
        auto decoded = Decode(bytes);
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        ASSERT_EQ(decoded->bgr.type(), CV_8UC3);
        std::vector<cv::Mat> planes;
        cv::split(decoded->bgr, planes);
        EXPECT_EQ(cv::countNonZero(planes[0] != planes[1]), 0);
        EXPECT_EQ(cv::countNonZero(planes[0] != planes[2]), 0);
        if (name != "jpeg") {
            EXPECT_EQ(MaxDifference(planes[0], gray), 0);
        }
    }
}

// ---- Alpha ---------------------------------------------------------------------------------

// A 20x10 BGRA image: the left half transparent red, the right half opaque blue.
cv::Mat HalfTransparent() {
    cv::Mat bgra(10, 20, CV_8UC4, cv::Scalar(0, 0, 255, 0));
    bgra(cv::Rect(10, 0, 10, 10)).setTo(cv::Scalar(255, 0, 0, 255));
    return bgra;
}

TEST(ImageDecoderTest, TransparentPixelsBecomeWhite) {
    const cv::Mat bgra = HalfTransparent();
    const std::vector<std::pair<std::string, Bytes>> cases = {
        {"png", EncodeImage(bgra, ".png")},
        {"webp", EncodeImage(bgra, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101})},
        {"lzw tiff", EncodeImage(bgra, ".tiff")},
        {"tiff unassociated", testing::UncompressedTiff(bgra, 0, 2)},
        {"tiff associated", testing::UncompressedTiff(bgra, 0, 1)},
        {"bmp v4", testing::Bmp32(bgra, /*alpha_mask=*/true)},
    };
    for (const auto& [name, bytes] : cases) {
        SCOPED_TRACE(name);
        auto decoded = Decode(bytes);
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        ASSERT_EQ(decoded->bgr.type(), CV_8UC3);
        EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(5, 2), cv::Vec3b(255, 255, 255));
        EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(5, 15), cv::Vec3b(255, 0, 0));
    }
}

TEST(ImageDecoderTest, TranslucentPixelsBlendWithWhite) {
    // Red at alpha 128 over white: R stays 255 * 128/255 + 127 = 255, G and B become 127.
    // Dark gray (60) at alpha 51: 60 * 51/255 + 204 = 216.
    cv::Mat bgra(2, 2, CV_8UC4, cv::Scalar(0, 0, 255, 128));
    bgra.at<cv::Vec4b>(1, 1) = cv::Vec4b(60, 60, 60, 51);
    const std::vector<std::pair<std::string, Bytes>> cases = {
        {"png", EncodeImage(bgra, ".png")},
        {"tiff unassociated", testing::UncompressedTiff(bgra, 0, 2)},
        {"bmp v4", testing::Bmp32(bgra, /*alpha_mask=*/true)},
    };
    for (const auto& [name, bytes] : cases) {
        SCOPED_TRACE(name);
        auto decoded = Decode(bytes);
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        // libtiff rounds while premultiplying, hence the tolerance of 1.
        EXPECT_TRUE(IsNear(decoded->bgr.at<cv::Vec3b>(0, 0), cv::Vec3b(127, 127, 255), 1))
            << decoded->bgr.at<cv::Vec3b>(0, 0);
        EXPECT_TRUE(IsNear(decoded->bgr.at<cv::Vec3b>(1, 1), cv::Vec3b(216, 216, 216), 1))
            << decoded->bgr.at<cv::Vec3b>(1, 1);
    }
}

TEST(ImageDecoderTest, TransparentGrayPngBecomesWhite) {
    // 2x1 gray+alpha: gray 40 fully transparent, then gray 40 opaque.
    const Bytes png = testing::RawPng(2, 1, 8, 4, {0, 40, 0, 40, 255});
    auto decoded = Decode(png);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
    EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(0, 1), cv::Vec3b(40, 40, 40));
}

TEST(ImageDecoderTest, PngPaletteTransparencyBecomesWhite) {
    // 2x1 palette image: index 0 is fully transparent red, index 1 opaque blue.
    const Bytes png = testing::RawPng(
        2, 1, 8, 3, {0, 0, 1},
        {testing::PngChunk("PLTE", {255, 0, 0, 0, 0, 255}), testing::PngChunk("tRNS", {0})});
    auto decoded = Decode(png);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
    EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 0, 0));
}

TEST(ImageDecoderTest, BmpPaddingByteIsNotAlpha) {
    // A 40-byte BI_BITFIELDS header declares no alpha mask, yet OpenCV 4.6 returns the zero
    // padding bytes as a fourth channel.
    cv::Mat bgra(6, 8, CV_8UC4, cv::Scalar(30, 60, 90, 0));
    auto decoded = Decode(testing::Bmp32(bgra, /*alpha_mask=*/false));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(3, 3), cv::Vec3b(30, 60, 90));
}

TEST(ImageDecoderTest, BmpAllZeroAlphaCountsAsOpaque) {
    cv::Mat bgra(6, 8, CV_8UC4, cv::Scalar(30, 60, 90, 0));
    auto decoded = Decode(testing::Bmp32(bgra, /*alpha_mask=*/true));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(3, 3), cv::Vec3b(30, 60, 90));
}

// ---- Bit depth -----------------------------------------------------------------------------

TEST(ImageDecoderTest, SixteenBitSamplesBecomeEightBit) {
    cv::Mat wide(4, 6, CV_16UC3, cv::Scalar(65535, 32896, 0));
    cv::Mat wide_gray(4, 6, CV_16UC1, cv::Scalar(257 * 200));
    cv::Mat wide_bgra(4, 6, CV_16UC4, cv::Scalar(65535, 32896, 0, 65535));
    wide_bgra.at<cv::Vec4w>(0, 0) = cv::Vec4w(0, 0, 0, 0);
    const std::vector<std::tuple<std::string, Bytes, cv::Vec3b>> cases = {
        {"png", EncodeImage(wide, ".png"), cv::Vec3b(255, 128, 0)},
        {"gray png", EncodeImage(wide_gray, ".png"), cv::Vec3b(200, 200, 200)},
        {"rgba png", EncodeImage(wide_bgra, ".png"), cv::Vec3b(255, 128, 0)},
        {"tiff", EncodeImage(wide, ".tiff"), cv::Vec3b(255, 128, 0)},
        {"uncompressed tiff", testing::UncompressedTiff(wide, 0), cv::Vec3b(255, 128, 0)},
        {"rgba tiff", testing::UncompressedTiff(wide_bgra, 0, 2), cv::Vec3b(255, 128, 0)},
    };
    for (const auto& [name, bytes, expected] : cases) {
        SCOPED_TRACE(name);
        auto decoded = Decode(bytes);
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        ASSERT_EQ(decoded->bgr.type(), CV_8UC3);
        EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(2, 3), expected);
        if (name.starts_with("rgba")) {
            EXPECT_EQ(decoded->bgr.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
        }
    }
}

// ---- EXIF orientation ----------------------------------------------------------------------

TEST(ImageDecoderTest, JpegExifOrientationIsApplied) {
    const Bytes jpeg = EncodeImage(OrientationPattern(), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
    for (bool big_endian : {true, false}) {
        SCOPED_TRACE(big_endian ? "big-endian EXIF" : "little-endian EXIF");
        for (int orientation = 1; orientation <= 8; ++orientation) {
            const Bytes exif = testing::ExifWithOrientation(orientation, big_endian);
            auto decoded = Decode(testing::JpegWithExif(jpeg, exif));
            ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
            ExpectUprightPattern(*decoded, orientation, 60);
        }
    }
}

TEST(ImageDecoderTest, JpegMatchesOpenCvOwnOrientation) {
    // cv::imdecode with IMREAD_COLOR applies JPEG EXIF orientation with its own code, an
    // independent reference for ours.
    const Bytes jpeg = EncodeImage(Gradient(64, 48), ".jpg");
    for (int orientation = 1; orientation <= 8; ++orientation) {
        SCOPED_TRACE("orientation " + std::to_string(orientation));
        const Bytes tagged = testing::JpegWithExif(jpeg, testing::ExifWithOrientation(orientation));
        auto decoded = Decode(tagged);
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        const cv::Mat reference = cv::imdecode(tagged, cv::IMREAD_COLOR);
        ASSERT_EQ(decoded->bgr.size(), reference.size());
        EXPECT_EQ(MaxDifference(decoded->bgr, reference), 0);
    }
}

TEST(ImageDecoderTest, PngExifOrientationIsApplied) {
    const Bytes png = EncodeImage(OrientationPattern(), ".png");
    for (int orientation = 1; orientation <= 8; ++orientation) {
        const Bytes chunk = testing::PngChunk("eXIf", testing::ExifWithOrientation(orientation));
        auto decoded = Decode(testing::PngWithChunkAfterIhdr(png, chunk));
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        ExpectUprightPattern(*decoded, orientation, 0);
    }
}

TEST(ImageDecoderTest, RgbaPngExifOrientationIsApplied) {
    // The alpha path decodes with IMREAD_UNCHANGED, where OpenCV skips orientation.
    cv::Mat bgra;
    cv::cvtColor(OrientationPattern(), bgra, cv::COLOR_BGR2BGRA);
    bgra.at<cv::Vec4b>(kPatternHeight - 1, 0)[3] = 0;  // one transparent pixel
    const Bytes png = EncodeImage(bgra, ".png");
    for (int orientation = 1; orientation <= 8; ++orientation) {
        const Bytes chunk = testing::PngChunk("eXIf", testing::ExifWithOrientation(orientation));
        auto decoded = Decode(testing::PngWithChunkAfterIhdr(png, chunk));
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        ExpectUprightPattern(*decoded, orientation, 0);
    }
}

TEST(ImageDecoderTest, WebpExifOrientationIsApplied) {
    const std::vector<std::pair<std::string, Bytes>> cases = {
        {"lossless", EncodeImage(OrientationPattern(), ".webp", {cv::IMWRITE_WEBP_QUALITY, 101})},
        {"lossy", EncodeImage(OrientationPattern(), ".webp", {cv::IMWRITE_WEBP_QUALITY, 95})},
    };
    for (const auto& [name, webp] : cases) {
        SCOPED_TRACE(name);
        for (int orientation = 1; orientation <= 8; ++orientation) {
            const Bytes exif = testing::ExifWithOrientation(orientation);
            auto decoded = Decode(testing::WebpWithExif(webp, exif));
            ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
            ExpectUprightPattern(*decoded, orientation, 60);
        }
    }
}

TEST(ImageDecoderTest, TiffOrientationIsAppliedOnce) {
    // OpenCV 4.6 applies the TIFF Orientation tag itself, so the decoder must not apply it again.
    cv::Mat wide;
    OrientationPattern().convertTo(wide, CV_16U, 257);
    cv::Mat bgra;
    cv::cvtColor(OrientationPattern(), bgra, cv::COLOR_BGR2BGRA);
    const std::vector<std::pair<std::string, cv::Mat>> cases = {
        {"8-bit", OrientationPattern()}, {"16-bit", wide}, {"8-bit rgba", bgra}};
    for (const auto& [name, image] : cases) {
        SCOPED_TRACE(name);
        for (int orientation = 1; orientation <= 8; ++orientation) {
            auto decoded = Decode(testing::UncompressedTiff(image, orientation));
            ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
            ExpectUprightPattern(*decoded, orientation, 0);
        }
    }
}

TEST(ImageDecoderTest, BigTiffOrientationIsApplied) {
    for (int orientation = 1; orientation <= 8; ++orientation) {
        const Bytes tiff = testing::UncompressedTiff(OrientationPattern(), orientation, 2,
                                                     /*big_tiff=*/true);
        auto decoded = Decode(tiff);
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        EXPECT_EQ(decoded->format, ImageFormat::kTiff);
        ExpectUprightPattern(*decoded, orientation, 0);
    }
}

TEST(ImageDecoderTest, PngExifAfterIdatIsIgnored) {
    // libpng, and so OpenCV, reads eXIf only before the image data.
    const Bytes png = EncodeImage(OrientationPattern(), ".png");
    const Bytes chunk = testing::PngChunk("eXIf", testing::ExifWithOrientation(6));
    Bytes late(png.begin(), png.end() - 12);  // all but IEND
    late.insert(late.end(), chunk.begin(), chunk.end());
    late.insert(late.end(), png.end() - 12, png.end());
    auto decoded = Decode(late);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ExpectUprightPattern(*decoded, 1, 0);
}

TEST(ImageDecoderTest, InvalidExifLeavesImageAsStored) {
    const Bytes jpeg = EncodeImage(OrientationPattern(), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
    Bytes ifd_past_end = testing::ExifWithOrientation(6);
    ifd_past_end[7] = 200;  // IFD0 offset beyond the 26 bytes of EXIF data
    Bytes huge_entry_count = testing::ExifWithOrientation(6);
    huge_entry_count[8] = 0xFF;  // 65280+ entries of 12 bytes in 26 bytes
    Bytes wrong_type = testing::ExifWithOrientation(6);
    wrong_type[13] = 2;  // ASCII instead of SHORT
    Bytes bad_magic = testing::ExifWithOrientation(6);
    bad_magic[0] = 'X';
    const Bytes valid = testing::ExifWithOrientation(6);
    const std::vector<std::pair<std::string, Bytes>> cases = {
        {"orientation 0", testing::ExifWithOrientation(0)},
        {"orientation 9", testing::ExifWithOrientation(9)},
        {"orientation 65535", testing::ExifWithOrientation(65535)},
        {"truncated", Bytes(valid.begin(), valid.begin() + 12)},
        {"empty", {}},
        {"ifd past end", ifd_past_end},
        {"huge entry count", huge_entry_count},
        {"wrong type", wrong_type},
        {"bad magic", bad_magic},
    };
    for (const auto& [name, exif] : cases) {
        SCOPED_TRACE(name);
        auto decoded = Decode(testing::JpegWithExif(jpeg, exif));
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        ExpectUprightPattern(*decoded, 1, 60);
    }
}

// ---- Broken and unsupported input ----------------------------------------------------------

void ExpectUnprocessable(const Result<DecodedImage>& result, std::string_view label = kLabel) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kUnprocessable) << result.status().ToString();
    EXPECT_THAT(result.status().message(), HasSubstr(fmt::format("'{}'", label)));
    EXPECT_THAT(result.status().message(), ::testing::StartsWith("frames: "));
}

TEST(ImageDecoderTest, TruncatedDataIsRejectedAtEveryCut) {
    const cv::Mat source = Gradient(24, 16);
    for (const EncodedCase& c : EncodedCases(source)) {
        SCOPED_TRACE(c.name);
        for (std::size_t cut = 0; cut < c.bytes.size(); ++cut) {
            SCOPED_TRACE("cut at byte " + std::to_string(cut) + " of " +
                         std::to_string(c.bytes.size()));
            const Bytes truncated(c.bytes.begin(), c.bytes.begin() + static_cast<long>(cut));
            auto decoded = Decode(truncated);
            ExpectUnprocessable(decoded);
            if (::testing::Test::HasFailure())
                return;  // one failing cut is enough to report
        }
    }
}

TEST(ImageDecoderTest, TruncatedJpegNamesTheMissingEnd) {
    Bytes jpeg = EncodeImage(Gradient(64, 64), ".jpg");
    jpeg.resize(jpeg.size() * 2 / 3);
    auto decoded = Decode(jpeg);
    ExpectUnprocessable(decoded);
    EXPECT_THAT(decoded.status().message(), HasSubstr("truncated JPEG"));
    EXPECT_THAT(decoded.status().message(), HasSubstr("end-of-image marker"));
}

TEST(ImageDecoderTest, JpegWithTrailingDataDecodes) {
    Bytes jpeg = EncodeImage(Gradient(16, 16), ".jpg");
    for (int i = 0; i < 100; ++i)
        jpeg.push_back(static_cast<std::uint8_t>(i));
    auto decoded = Decode(jpeg);
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
}

TEST(ImageDecoderTest, EmptyInputIsRejected) {
    auto decoded = Decode({});
    ExpectUnprocessable(decoded);
    EXPECT_THAT(decoded.status().message(), HasSubstr("empty"));
}

TEST(ImageDecoderTest, GifIsRejectedAsUnsupported) {
    const Bytes gif = testing::ToBytes(std::string_view("GIF89a\x02\x00\x02\x00\x00\x00\x00;", 14));
    auto decoded = DecodeImage(gif, {}, "x.gif");
    ExpectUnprocessable(decoded, "x.gif");
    EXPECT_EQ(decoded.status().message(),
              "frames: unsupported image format GIF in 'x.gif': use JPEG, PNG, BMP, WebP or TIFF");
}

TEST(ImageDecoderTest, OtherKnownFormatsAreNamed) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {std::string("\0\0\0\x18"
                     "ftypheic\0\0\0\0",
                     16),
         "HEIF"},
        {std::string("\0\0\0\x18"
                     "ftypavif\0\0\0\0",
                     16),
         "AVIF"},
        {std::string("\0\0\0\x0CjP  \r\n\x87\n", 12), "JPEG 2000"},
        {"%PDF-1.7\n", "PDF"},
        {"8BPS\0\1", "PSD"},
        {"P6\n2 2\n255\n", "Netpbm"},
        {std::string("RIFF\x04\0\0\0WAVE", 12), "RIFF (not WebP)"},
    };
    for (const auto& [bytes, name] : cases) {
        SCOPED_TRACE(name);
        auto decoded = Decode(testing::ToBytes(bytes));
        ExpectUnprocessable(decoded);
        EXPECT_THAT(decoded.status().message(), HasSubstr("unsupported image format " + name));
    }
}

TEST(ImageDecoderTest, TextIsRejectedAsUnrecognized) {
    auto decoded = Decode(testing::ToBytes("hello"));
    ExpectUnprocessable(decoded);
    EXPECT_THAT(decoded.status().message(), HasSubstr("unrecognized image format"));
    EXPECT_THAT(decoded.status().message(), HasSubstr("use JPEG, PNG, BMP, WebP or TIFF"));
}

TEST(ImageDecoderTest, RandomBytesAreRejected) {
    std::mt19937 random(1234);
    for (int i = 0; i < 300; ++i) {
        Bytes bytes(1 + random() % 4096);
        for (std::uint8_t& b : bytes)
            b = static_cast<std::uint8_t>(random());
        auto decoded = Decode(bytes);
        ASSERT_FALSE(decoded.ok()) << "buffer " << i;
        EXPECT_EQ(decoded.status().code(), ErrorCode::kUnprocessable)
            << decoded.status().ToString();
    }
}

TEST(ImageDecoderTest, RandomBytesAfterMagicAreRejected) {
    std::mt19937 random(99);
    const std::vector<std::string> magics = {"\xFF\xD8\xFF",
                                             "\x89PNG\r\n\x1A\n",
                                             "BM",
                                             std::string("II*\0", 4),
                                             std::string("MM\0*", 4),
                                             std::string("II+\0\x08\0\0\0", 8),
                                             std::string("RIFF\x40\0\0\0WEBPVP8X", 16)};
    for (const std::string& magic : magics) {
        for (int i = 0; i < 200; ++i) {
            Bytes bytes = testing::ToBytes(magic);
            bytes.resize(bytes.size() + random() % 256);
            for (std::size_t j = magic.size(); j < bytes.size(); ++j) {
                bytes[j] = static_cast<std::uint8_t>(random());
            }
            auto decoded = Decode(bytes);
            if (decoded.ok())
                continue;  // random bytes may happen to form a tiny valid image
            EXPECT_THAT(decoded.status().code(),
                        ::testing::AnyOf(ErrorCode::kUnprocessable, ErrorCode::kTooLarge))
                << decoded.status().ToString();
        }
    }
}

TEST(ImageDecoderTest, CorruptedBytesNeverCrash) {
    // Flips random bytes of valid files. The decoder may accept or reject each result, but must
    // return a value either way (run under AddressSanitizer to catch memory errors).
    std::mt19937 random(7);
    for (const EncodedCase& c : EncodedCases(Gradient(24, 16))) {
        SCOPED_TRACE(c.name);
        for (int i = 0; i < 150; ++i) {
            Bytes bytes = c.bytes;
            const int flips = 1 + static_cast<int>(random() % 4);
            for (int f = 0; f < flips; ++f) {
                bytes[random() % bytes.size()] = static_cast<std::uint8_t>(random());
            }
            auto decoded = Decode(bytes);
            if (decoded.ok()) {
                EXPECT_EQ(decoded->bgr.type(), CV_8UC3);
            } else {
                EXPECT_FALSE(decoded.status().message().empty());
            }
        }
    }
}

TEST(ImageDecoderTest, AnimatedWebpIsRejected) {
    Bytes webp = testing::WebpWithExif(EncodeImage(Gradient(8, 8), ".webp"), {});
    webp[20] |= 0x02;  // VP8X animation flag
    auto decoded = Decode(webp);
    ExpectUnprocessable(decoded);
    EXPECT_THAT(decoded.status().message(), HasSubstr("animated WebP"));
}

// ---- Limits --------------------------------------------------------------------------------

Bytes PngClaiming(std::uint32_t width, std::uint32_t height) {
    Bytes png = testing::ToBytes("\x89PNG\r\n\x1A\n");
    Bytes ihdr;
    for (std::uint32_t v : {width, height}) {
        for (int shift = 24; shift >= 0; shift -= 8)
            ihdr.push_back(static_cast<std::uint8_t>(v >> shift));
    }
    ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB
    for (const Bytes& chunk :
         {testing::PngChunk("IHDR", ihdr), testing::PngChunk("IDAT", {0x78, 0x01}),
          testing::PngChunk("IEND", {})}) {
        png.insert(png.end(), chunk.begin(), chunk.end());
    }
    return png;
}

Bytes JpegClaiming(std::uint16_t width, std::uint16_t height) {
    // SOI, SOF0 with three components, SOS, four bytes standing in for the scan, EOI.
    Bytes jpeg = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 17, 8};
    jpeg.insert(jpeg.end(),
                {static_cast<std::uint8_t>(height >> 8), static_cast<std::uint8_t>(height),
                 static_cast<std::uint8_t>(width >> 8), static_cast<std::uint8_t>(width), 3});
    jpeg.insert(jpeg.end(), {1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1});
    jpeg.insert(jpeg.end(), {0xFF, 0xDA, 0x00, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0});
    jpeg.insert(jpeg.end(), {0x12, 0x34, 0x56, 0x78, 0xFF, 0xD9});
    return jpeg;
}

Bytes BmpClaiming(std::int32_t width, std::int32_t height) {
    cv::Mat tiny(1, 1, CV_8UC3, cv::Scalar(1, 2, 3));
    Bytes bmp = EncodeImage(tiny, ".bmp");
    for (int i = 0; i < 4; ++i) {
        bmp[18 + i] = static_cast<std::uint8_t>(width >> (8 * i));
        bmp[22 + i] = static_cast<std::uint8_t>(height >> (8 * i));
    }
    return bmp;
}

Bytes WebpHeaderClaiming(std::uint32_t width, std::uint32_t height) {
    // Only the VP8X chunk of a file whose RIFF size promises much more.
    Bytes webp = testing::ToBytes(std::string_view("RIFF\x00\x00\x10\x00WEBPVP8X\x0A\0\0\0", 20));
    webp.insert(webp.end(), {0, 0, 0, 0});
    for (std::uint32_t v : {width - 1, height - 1}) {
        for (int i = 0; i < 3; ++i)
            webp.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    return webp;
}

Bytes TiffClaiming(std::uint32_t width, std::uint32_t height) {
    cv::Mat tiny(1, 1, CV_8UC3, cv::Scalar(1, 2, 3));
    Bytes tiff = testing::UncompressedTiff(tiny, 0);
    // Entries start at byte 10. The first two are ImageWidth and ImageLength, as LONG values.
    for (int i = 0; i < 4; ++i) {
        tiff[10 + 8 + i] = static_cast<std::uint8_t>(width >> (8 * i));
        tiff[22 + 8 + i] = static_cast<std::uint8_t>(height >> (8 * i));
    }
    return tiff;
}

TEST(ImageDecoderTest, HugeHeaderIsRejectedBeforeDecoding) {
    // None of these files contains pixel data, so only the header check can find them too large.
    const std::vector<std::tuple<std::string, Bytes, std::string>> cases = {
        {"png", PngClaiming(100000, 100000), "100000x100000"},
        {"jpeg", JpegClaiming(65000, 65000), "65000x65000"},
        {"bmp", BmpClaiming(100000, -100000), "100000x100000"},
        {"webp", WebpHeaderClaiming(100000, 100000), "100000x100000"},
        {"tiff", TiffClaiming(100000, 100000), "100000x100000"},
        {"png within sides", PngClaiming(10000, 10000), "(100000000 pixels)"},
    };
    for (const auto& [name, bytes, size_text] : cases) {
        SCOPED_TRACE(name);
        auto decoded = Decode(bytes);
        ASSERT_FALSE(decoded.ok());
        EXPECT_EQ(decoded.status().code(), ErrorCode::kTooLarge) << decoded.status().ToString();
        EXPECT_THAT(decoded.status().message(), HasSubstr(size_text));
        EXPECT_THAT(decoded.status().message(), HasSubstr(kLabel));
    }
}

TEST(ImageDecoderTest, ByteLimitIsCheckedFirst) {
    const Bytes png = EncodeImage(Gradient(32, 32), ".png");
    DecodeLimits limits;
    limits.max_bytes = png.size() - 1;
    auto decoded = Decode(png, limits);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), ErrorCode::kTooLarge);
    EXPECT_THAT(decoded.status().message(),
                HasSubstr(std::to_string(png.size()) + " bytes, over the limit of " +
                          std::to_string(png.size() - 1) + " bytes"));

    // Over the limit, even bytes of no known format count as too large, not as unrecognized.
    auto garbage = Decode(Bytes(png.size(), 'x'), limits);
    EXPECT_EQ(garbage.status().code(), ErrorCode::kTooLarge);

    limits.max_bytes = png.size();
    EXPECT_TRUE(Decode(png, limits).ok());
}

TEST(ImageDecoderTest, SideAndPixelLimitsApply) {
    const Bytes wide = EncodeImage(Gradient(300, 10), ".png");
    DecodeLimits limits;
    limits.max_side = 299;
    auto too_wide = Decode(wide, limits);
    ASSERT_FALSE(too_wide.ok());
    EXPECT_EQ(too_wide.status().code(), ErrorCode::kTooLarge);
    EXPECT_THAT(too_wide.status().message(), HasSubstr("300x10 px"));
    limits.max_side = 300;
    EXPECT_TRUE(Decode(wide, limits).ok());

    limits = DecodeLimits{};
    limits.max_pixels = 2999;
    auto too_many = Decode(wide, limits);
    ASSERT_FALSE(too_many.ok());
    EXPECT_EQ(too_many.status().code(), ErrorCode::kTooLarge);
    EXPECT_THAT(too_many.status().message(), HasSubstr("(3000 pixels)"));
    limits.max_pixels = 3000;
    EXPECT_TRUE(Decode(wide, limits).ok());
}

TEST(ImageDecoderTest, InvalidLimitsAreRejected) {
    const Bytes png = EncodeImage(Gradient(4, 4), ".png");
    DecodeLimits no_side;
    no_side.max_side = 0;
    EXPECT_EQ(Decode(png, no_side).status().code(), ErrorCode::kInvalidArgument);
    DecodeLimits no_pixels;
    no_pixels.max_pixels = -1;
    EXPECT_EQ(Decode(png, no_pixels).status().code(), ErrorCode::kInvalidArgument);
}

// ---- Ownership and threads -----------------------------------------------------------------

TEST(ImageDecoderTest, ResultDoesNotAliasInput) {
    Bytes bmp = EncodeImage(Gradient(16, 16), ".bmp");
    auto decoded = Decode(bmp);
    ASSERT_TRUE(decoded.ok());
    const cv::Mat before = decoded->bgr.clone();
    std::fill(bmp.begin(), bmp.end(), 0);
    EXPECT_EQ(MaxDifference(decoded->bgr, before), 0);
}

TEST(ImageDecoderTest, ConcurrentDecodesMatchSerialOnes) {
    const std::vector<EncodedCase> cases = EncodedCases(Gradient(120, 90));
    std::vector<cv::Mat> expected;
    for (const EncodedCase& c : cases)
        expected.push_back(Decode(c.bytes)->bgr);

    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 10; ++round) {
                for (std::size_t i = 0; i < cases.size(); ++i) {
                    auto decoded = Decode(cases[i].bytes);
                    if (!decoded.ok() || MaxDifference(decoded->bgr, expected[i]) != 0) {
                        ++mismatches[t];
                    }
                }
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    EXPECT_THAT(mismatches, ::testing::Each(0));
}

// ---- Files ---------------------------------------------------------------------------------

// A directory under the test temp dir, removed with its contents at the end of the test.
class ScratchDir {
  public:
    ScratchDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::path(::testing::TempDir()) /
                ("menjin_frames_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

void WriteFile(const fs::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

TEST(ImageDecoderTest, DecodesFile) {
    ScratchDir dir;
    const fs::path path = dir.path() / "photo.png";
    WriteFile(path, EncodeImage(Gradient(20, 10), ".png"));
    auto decoded = DecodeImageFile(path, {});
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bgr.size(), cv::Size(20, 10));
}

TEST(ImageDecoderTest, MissingFileNamesPathAndOsError) {
    ScratchDir dir;
    const fs::path path = dir.path() / "missing.jpg";
    auto decoded = DecodeImageFile(path, {});
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), ErrorCode::kNotFound);
    EXPECT_THAT(decoded.status().message(), HasSubstr(path.string()));
    EXPECT_THAT(decoded.status().message(), HasSubstr("No such file or directory"));
}

TEST(ImageDecoderTest, DirectoryIsNotAnImageFile) {
    ScratchDir dir;
    auto decoded = DecodeImageFile(dir.path(), {});
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(decoded.status().message(), HasSubstr("not a regular file"));
}

TEST(ImageDecoderTest, OversizedFileIsRejectedBeforeReading) {
    ScratchDir dir;
    const fs::path path = dir.path() / "huge.jpg";
    WriteFile(path, {});
    // A sparse 8 GiB file: reading it would take long and exhaust memory.
    fs::resize_file(path, std::uintmax_t{8} << 30);
    auto decoded = DecodeImageFile(path, {});
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), ErrorCode::kTooLarge);
    EXPECT_THAT(decoded.status().message(), HasSubstr(path.string()));
    EXPECT_THAT(decoded.status().message(), HasSubstr("8589934592 bytes"));
}

TEST(ImageDecoderTest, FileErrorsNameThePath) {
    ScratchDir dir;
    const fs::path path = dir.path() / "notes.txt";
    WriteFile(path, testing::ToBytes("not an image"));
    ExpectUnprocessable(DecodeImageFile(path, {}), path.string());
}

// ---- Shared photo set ----------------------------------------------------------------------

std::vector<fs::path> FilesIn(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file())
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(ImageDecoderTest, SharedFormatsDecodeExceptGif) {
    MENJIN_REQUIRE_FACES(faces);
    const std::map<std::string, ImageFormat> formats = {
        {".bmp", ImageFormat::kBmp},  {".jpg", ImageFormat::kJpeg},  {".png", ImageFormat::kPng},
        {".tif", ImageFormat::kTiff}, {".tiff", ImageFormat::kTiff}, {".webp", ImageFormat::kWebp}};
    const std::vector<fs::path> files = FilesIn(faces / "detection" / "formats");
    ASSERT_FALSE(files.empty());
    for (const fs::path& file : files) {
        SCOPED_TRACE(file.filename().string());
        auto decoded = DecodeImageFile(file, {});
        if (file.extension() == ".gif") {
            ExpectUnprocessable(decoded, file.string());
            EXPECT_THAT(decoded.status().message(), HasSubstr("unsupported image format GIF"));
            continue;
        }
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        ASSERT_TRUE(formats.contains(file.extension().string()));
        EXPECT_EQ(decoded->format, formats.at(file.extension().string()));
        ASSERT_EQ(decoded->bgr.type(), CV_8UC3);
        // These files are opaque (their alpha channels are all 255), so OpenCV's plain color
        // decode is a reference.
        const cv::Mat reference = cv::imread(file.string(), cv::IMREAD_COLOR);
        ASSERT_EQ(decoded->bgr.size(), reference.size());
        EXPECT_LE(MaxDifference(decoded->bgr, reference), 1);
    }
}

TEST(ImageDecoderTest, SharedBrokenFilesAreRejected) {
    MENJIN_REQUIRE_FACES(faces);
    const std::vector<fs::path> files = FilesIn(faces / "detection" / "broken");
    ASSERT_FALSE(files.empty());
    for (const fs::path& file : files) {
        SCOPED_TRACE(file.filename().string());
        ExpectUnprocessable(DecodeImageFile(file, {}), file.string());
    }
}

// Returns file -> orientation for the rows of detection_index.tsv tagged exif-orientation-N.
std::map<std::string, int> IndexedOrientations(const fs::path& faces) {
    std::map<std::string, int> orientations;
    std::ifstream index(faces / "detection_index.tsv");
    std::string line;
    const std::string tag = "exif-orientation-";
    while (std::getline(index, line)) {
        const std::size_t at = line.find(tag);
        if (at == std::string::npos)
            continue;
        orientations[line.substr(0, line.find('\t'))] = std::stoi(line.substr(at + tag.size()));
    }
    return orientations;
}

TEST(ImageDecoderTest, SharedExifFilesDecodeUpright) {
    MENJIN_REQUIRE_FACES(faces);
    const std::map<std::string, int> orientations = IndexedOrientations(faces);
    ASSERT_FALSE(orientations.empty());
    for (const auto& [file, orientation] : orientations) {
        SCOPED_TRACE(file);
        const fs::path path = faces / file;
        auto decoded = DecodeImageFile(path, {});
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        EXPECT_EQ(decoded->exif_orientation, orientation);

        const cv::Mat stored = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
        const bool swapped = orientation >= 5;
        EXPECT_EQ(decoded->bgr.cols, swapped ? stored.rows : stored.cols);
        EXPECT_EQ(decoded->bgr.rows, swapped ? stored.cols : stored.rows);
        // OpenCV's own EXIF handling for JPEG (IMREAD_COLOR) is an independent reference.
        const cv::Mat reference = cv::imread(path.string(), cv::IMREAD_COLOR);
        ASSERT_EQ(decoded->bgr.size(), reference.size());
        EXPECT_EQ(MaxDifference(decoded->bgr, reference), 0);
        if (orientation != 1 && stored.size() == decoded->bgr.size()) {
            EXPECT_GT(MaxDifference(decoded->bgr, stored), 0);
        }
    }
}

TEST(ImageDecoderTest, LargeIdentityPhotoFitsDefaultLimits) {
    MENJIN_REQUIRE_FACES(faces);
    auto decoded = DecodeImageFile(faces / "identities" / "p1307" / "3.jpg", {});
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bgr.cols, 3061);
    EXPECT_EQ(decoded->bgr.rows, 4600);
    EXPECT_EQ(decoded->bgr.type(), CV_8UC3);
}

}  // namespace
}  // namespace menjin
