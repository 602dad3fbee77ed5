#pragma once

// Decoding of untrusted image files (uploads, enrolment photos) into upright 8-bit BGR frames.
//
// Thread safety: DecodeImage and DecodeImageFile are reentrant. They keep no state between
// calls and change no process-wide setting, so any number of threads may call them at once.
//
// For a damaged file, OpenCV 4.6 and the codec libraries may also print messages to stderr.
// OpenCV's own lines follow cv::utils::logging::setLogLevel, which is process-wide and so left to
// the application. libjpeg and libpng messages cannot be turned off through OpenCV 4.6.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include <opencv2/core.hpp>

#include "common/status.h"
#include "frames/image_format.h"

namespace menjin {

// Limits checked before any pixel is decoded, against decompression bombs.
struct DecodeLimits {
    // Maximum encoded size in bytes.
    std::size_t max_bytes = 25 * 1024 * 1024;
    // Maximum width * height in pixels, as declared by the file header.
    std::int64_t max_pixels = 50'000'000;
    // Maximum width and maximum height in pixels.
    int max_side = 20000;
};

// An image decoded by DecodeImage or DecodeImageFile.
struct DecodedImage {
    // Upright pixels: CV_8UC3 in BGR order, with EXIF orientation applied, grayscale expanded to
    // three channels, 16-bit samples scaled to 8 bits and transparency composited over white
    // (except in gray+alpha TIFFs, whose alpha OpenCV 4.6 drops). Owns its pixel buffer and
    // never aliases the encoded input.
    cv::Mat bgr;
    // Format detected from the magic bytes.
    ImageFormat format = ImageFormat::kJpeg;
    // EXIF orientation 1..8 found in the file and already applied to `bgr`, or 1 when the file
    // has none or an invalid value. Read from the JPEG APP1 segment, PNG eXIf chunk, WebP EXIF
    // chunk or TIFF IFD0. BMP files never carry one.
    int exif_orientation = 1;
};

// Decodes a JPEG, PNG, BMP, WebP or TIFF image held in `bytes`, identified by its magic bytes.
// Reads only `bytes` during the call and keeps no reference to it. `label` names the input in
// error messages (a file name, "upload", ...).
//
// Before calling the decoder, checks the byte size against `limits.max_bytes` (kTooLarge), then
// the format (kUnprocessable, naming the format when known, e.g. GIF), then the header's pixel
// size against `limits.max_side` and `limits.max_pixels` (kTooLarge, with the size in the
// message). Fails with kUnprocessable for a malformed, truncated or undecodable file and with
// kInvalidArgument when `limits.max_pixels` or `limits.max_side` is not positive.
Result<DecodedImage> DecodeImage(std::span<const std::uint8_t> bytes, const DecodeLimits& limits,
                                 std::string_view label);

// Reads the file at `path` and decodes it as DecodeImage does, naming `path` in errors. Rejects
// a file larger than `limits.max_bytes` from its size before reading it (kTooLarge). Fails with
// kNotFound when the file does not exist, kInvalidArgument when it is not a regular file, and
// kIoError, with the OS error text, when it cannot be opened or read.
Result<DecodedImage> DecodeImageFile(const std::filesystem::path& path, const DecodeLimits& limits);

}  // namespace menjin
