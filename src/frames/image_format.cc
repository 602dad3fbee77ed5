#include "frames/image_format.h"

#include <string_view>

#include "frames/byte_reader.h"

namespace menjin {
namespace {

using namespace std::literals::string_view_literals;

struct Signature {
    std::size_t offset;
    std::string_view magic;
    const char* name;
};

// Magic numbers of formats that users commonly upload by mistake. Some of them OpenCV could
// decode, but the module accepts only the five formats whose headers it checks for size limits.
constexpr Signature kUnsupportedSignatures[] = {
    {0, "GIF87a"sv, "GIF"},
    {0, "GIF89a"sv, "GIF"},
    {0, "\x00\x00\x00\x0CjP  \r\n\x87\n"sv, "JPEG 2000"},
    {0, "\xFF\x4F\xFF\x51"sv, "JPEG 2000"},
    {0, "\x00\x00\x00\x0CJXL \r\n\x87\n"sv, "JPEG XL"},
    {0, "\xFF\x0A"sv, "JPEG XL"},
    {4, "ftypavif"sv, "AVIF"},
    {4, "ftypavis"sv, "AVIF"},
    {4, "ftypheic"sv, "HEIF"},
    {4, "ftypheix"sv, "HEIF"},
    {4, "ftyphevc"sv, "HEIF"},
    {4, "ftypheim"sv, "HEIF"},
    {4, "ftypheis"sv, "HEIF"},
    {4, "ftypmif1"sv, "HEIF"},
    {4, "ftypmsf1"sv, "HEIF"},
    {0, "8BPS"sv, "PSD"},
    {0, "%PDF-"sv, "PDF"},
    {0, "\x76\x2F\x31\x01"sv, "OpenEXR"},
    {0, "#?RADIANCE"sv, "Radiance HDR"},
    {0, "#?RGBE"sv, "Radiance HDR"},
    {0, "qoif"sv, "QOI"},
    {0, "RIFF"sv, "RIFF (not WebP)"},  // checked after WebP, so only other RIFF files get here
};

bool IsNetpbm(const ByteReader& reader) {
    auto p = reader.U8(0);
    auto digit = reader.U8(1);
    auto space = reader.U8(2);
    if (!p || !digit || !space || *p != 'P' || *digit < '1' || *digit > '7')
        return false;
    return *space == ' ' || *space == '\n' || *space == '\r' || *space == '\t';
}

}  // namespace

const char* ImageFormatName(ImageFormat format) {
    switch (format) {
        case ImageFormat::kJpeg:
            return "JPEG";
        case ImageFormat::kPng:
            return "PNG";
        case ImageFormat::kBmp:
            return "BMP";
        case ImageFormat::kWebp:
            return "WebP";
        case ImageFormat::kTiff:
            return "TIFF";
    }
    return "unknown";
}

std::optional<ImageFormat> SniffImageFormat(std::span<const std::uint8_t> bytes) {
    const ByteReader reader(bytes, Endian::kBig);
    if (reader.Matches(0, "\xFF\xD8\xFF"sv))
        return ImageFormat::kJpeg;
    if (reader.Matches(0, "\x89PNG\r\n\x1A\n"sv))
        return ImageFormat::kPng;
    if (reader.Matches(0, "BM"sv))
        return ImageFormat::kBmp;
    if (reader.Matches(0, "RIFF"sv) && reader.Matches(8, "WEBP"sv))
        return ImageFormat::kWebp;
    // Classic TIFF (version 42) and BigTIFF (43), in both byte orders.
    if (reader.Matches(0, "II*\0"sv) || reader.Matches(0, "MM\0*"sv) ||
        reader.Matches(0, "II+\0"sv) || reader.Matches(0, "MM\0+"sv)) {
        return ImageFormat::kTiff;
    }
    return std::nullopt;
}

const char* SniffUnsupportedFormat(std::span<const std::uint8_t> bytes) {
    const ByteReader reader(bytes, Endian::kBig);
    for (const Signature& signature : kUnsupportedSignatures) {
        if (reader.Matches(signature.offset, signature.magic))
            return signature.name;
    }
    if (IsNetpbm(reader))
        return "Netpbm";
    return nullptr;
}

}  // namespace menjin
