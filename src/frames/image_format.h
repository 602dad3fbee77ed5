#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace menjin {

// Image file formats the frames module decodes.
enum class ImageFormat { kJpeg, kPng, kBmp, kWebp, kTiff };

// Returns the usual name of `format`: "JPEG", "PNG", "BMP", "WebP" or "TIFF".
const char* ImageFormatName(ImageFormat format);

// Identifies a supported format from the magic bytes at the start of `bytes` (never from a file
// extension). Returns nullopt when the bytes start with no supported signature.
std::optional<ImageFormat> SniffImageFormat(std::span<const std::uint8_t> bytes);

// Names a well-known format this module rejects ("GIF", "HEIF", "JPEG 2000", ...) from its
// magic bytes, for error messages. Returns nullptr when the bytes match none of them. The
// returned string is a literal with static storage.
const char* SniffUnsupportedFormat(std::span<const std::uint8_t> bytes);

}  // namespace menjin
