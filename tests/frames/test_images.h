#pragma once

// Builders for encoded test images, including the variants cv::imencode cannot write: EXIF
// orientation in JPEG, PNG and WebP, TIFF Orientation and ExtraSamples tags, and 32-bit BMPs
// with and without an alpha mask.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

namespace menjin::testing {

using Bytes = std::vector<std::uint8_t>;

// Encodes `image` with cv::imencode for `extension` (".jpg", ".png", ...). Aborts the test
// binary on failure, since every caller passes a valid image.
Bytes EncodeImage(const cv::Mat& image, const std::string& extension,
                  const std::vector<int>& params = {});

// Returns the bytes of `text`, which may contain NUL characters.
Bytes ToBytes(std::string_view text);

// Returns EXIF data in TIFF format (the part after "Exif\0\0" in a JPEG APP1 segment) whose
// IFD0 contains only the Orientation tag with `orientation`.
Bytes ExifWithOrientation(int orientation, bool big_endian = true);

// Returns `jpeg` with an APP1 segment "Exif\0\0" + `exif` inserted after SOI.
Bytes JpegWithExif(const Bytes& jpeg, const Bytes& exif);

// Returns a PNG chunk: length, `type`, `data` and a correct CRC-32.
Bytes PngChunk(std::string_view type, const Bytes& data);

// Writes a PNG of the given IHDR fields whose image data is `filtered_rows` (each row starting
// with its filter type byte) in one uncompressed deflate block. `extra_chunks` (PngChunk
// results, such as PLTE and tRNS) go between IHDR and IDAT.
Bytes RawPng(int width, int height, int bit_depth, int color_type, const Bytes& filtered_rows,
             const std::vector<Bytes>& extra_chunks = {});

// Returns `png` with `chunk` inserted right after the IHDR chunk.
Bytes PngWithChunkAfterIhdr(const Bytes& png, const Bytes& chunk);

// Rewraps a simple WebP file (one VP8 or VP8L chunk) as an extended VP8X file with an EXIF
// chunk containing `exif` after the image chunk.
Bytes WebpWithExif(const Bytes& simple_webp, const Bytes& exif);

// Writes an uncompressed little-endian TIFF, or BigTIFF when `big_tiff`, with one strip.
// `image` is CV_8U or CV_16U with 1, 2, 3 or 4 channels in OpenCV order (gray, gray+alpha, BGR,
// BGRA). Writes the Orientation tag when `orientation` is not 0 and ExtraSamples =
// `extra_samples` when there is an alpha channel.
Bytes UncompressedTiff(const cv::Mat& image, int orientation, int extra_samples = 2,
                       bool big_tiff = false);

// Writes a bottom-up 32-bit BI_BITFIELDS BMP of CV_8UC4 `bgra`. With `alpha_mask` it uses a
// 108-byte V4 header whose alpha mask is 0xFF000000. Otherwise it uses a 40-byte header with
// red, green and blue masks only, so the fourth byte of each pixel is padding.
Bytes Bmp32(const cv::Mat& bgra, bool alpha_mask);

}  // namespace menjin::testing
