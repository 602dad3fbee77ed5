#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"
#include "frames/image_format.h"

namespace menjin {

// Facts read from an image's header without decoding its pixels, so that size limits can be
// enforced before a decoder allocates memory.
struct ImageHeader {
    ImageFormat format = ImageFormat::kJpeg;
    // Stored size in pixels, before any EXIF orientation is applied. Always positive.
    std::int64_t width = 0;
    std::int64_t height = 0;
    // EXIF orientation 1..8 (TIFF tag 274), or 1 when absent or outside 1..8.
    int exif_orientation = 1;
    // False for a 32-bit BMP whose header declares no alpha mask. OpenCV 4.6 still returns its
    // padding byte as a fourth channel, which must not count as transparency.
    bool alpha_declared = true;
    // True for a TIFF whose ExtraSamples tag is 1 (associated alpha), meaning that its color
    // samples are premultiplied by alpha.
    bool tiff_associated_alpha = false;
    // Ok when the JPEG, PNG or WebP data is complete, else the kUnprocessable error saying
    // where it ends early. Recorded rather than returned so that a caller can check the size
    // limits first. Always Ok for BMP and TIFF, whose decoders detect truncation themselves.
    Status truncation;
};

// Identifies the format of `bytes` by its magic bytes and reads its header. The pixel size comes
// from the JPEG SOFn marker, PNG IHDR, BMP info header, WebP VP8/VP8L/VP8X chunk or TIFF IFD0.
// The EXIF orientation comes from a JPEG APP1 segment, PNG eXIf chunk, WebP EXIF chunk or TIFF
// IFD0.
// Also checks that JPEG, PNG and WebP data is complete (EOI marker, IEND chunk, RIFF size) and
// records the result in `truncation`, because OpenCV 4.6 decodes a truncated JPEG without
// reporting an error.
//
// Every read is bounds-checked, so any byte sequence is safe to pass. `label` names the input in
// error messages. Fails with kUnprocessable for empty input, an unsupported or unrecognized
// format (naming it when known), or a header that is malformed or ends before the pixel size.
Result<ImageHeader> ReadImageHeader(std::span<const std::uint8_t> bytes, std::string_view label);

}  // namespace menjin
