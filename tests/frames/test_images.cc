#include "frames/test_images.h"

#include <array>
#include <cstdlib>
#include <iostream>

#include <opencv2/imgcodecs.hpp>

namespace menjin::testing {
namespace {

// Appends byte by byte: GCC 12 at -O2 reports false -Wstringop-overflow warnings for
// vector::insert of a range here.
void Append(Bytes& out, std::span<const std::uint8_t> more) {
    for (std::uint8_t byte : more)
        out.push_back(byte);
}

void AppendText(Bytes& out, std::string_view text) {
    for (char c : text)
        out.push_back(static_cast<std::uint8_t>(c));
}

void AppendLe(Bytes& out, std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i)
        out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void AppendBe(Bytes& out, std::uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint32_t ReadLe32(const Bytes& bytes, std::size_t offset) {
    return bytes[offset] | bytes[offset + 1] << 8 | bytes[offset + 2] << 16 |
           static_cast<std::uint32_t>(bytes[offset + 3]) << 24;
}

// CRC-32 as PNG defines it (polynomial 0xEDB88320, reflected), computed bit by bit.
std::uint32_t Crc32(std::span<const std::uint8_t> bytes) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::uint8_t byte : bytes) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

// Returns the pixel rows of `image` as TIFF wants them: RGB(A) order, native sample width.
Bytes TiffPixels(const cv::Mat& image) {
    cv::Mat ordered = image.clone();
    if (image.channels() >= 3) {
        // BGR(A) to RGB(A): swap channels 0 and 2.
        const int from_to[] = {0, 2, 1, 1, 2, 0, 3, 3};
        cv::mixChannels(&image, 1, &ordered, 1, from_to, image.channels());
    }
    const auto* data = ordered.ptr<std::uint8_t>();
    return Bytes(data, data + ordered.total() * ordered.elemSize());
}

}  // namespace

Bytes EncodeImage(const cv::Mat& image, const std::string& extension,
                  const std::vector<int>& params) {
    Bytes out;
    if (!cv::imencode(extension, image, out, params)) {
        std::cerr << "cv::imencode failed for " << extension << "\n";
        std::abort();
    }
    return out;
}

Bytes ToBytes(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

Bytes ExifWithOrientation(int orientation, bool big_endian) {
    Bytes out;
    auto put = [&](std::uint64_t value, int width) {
        big_endian ? AppendBe(out, value, width) : AppendLe(out, value, width);
    };
    AppendText(out, big_endian ? "MM" : "II");
    put(42, 2);
    put(8, 4);            // IFD0 right after the header
    put(1, 2);            // one entry
    put(0x0112, 2);       // Orientation
    put(3, 2);            // SHORT
    put(1, 4);            // one value
    put(orientation, 2);  // the value, left-aligned in the 4-byte field
    put(0, 2);
    put(0, 4);  // no next IFD
    return out;
}

Bytes JpegWithExif(const Bytes& jpeg, const Bytes& exif) {
    Bytes out(jpeg.begin(), jpeg.begin() + 2);  // SOI
    out.push_back(0xFF);
    out.push_back(0xE1);
    AppendBe(out, 2 + 6 + exif.size(), 2);
    AppendText(out, std::string_view("Exif\0\0", 6));
    Append(out, exif);
    Append(out, std::span(jpeg).subspan(2));
    return out;
}

Bytes PngChunk(std::string_view type, const Bytes& data) {
    Bytes out;
    AppendBe(out, data.size(), 4);
    Bytes typed;
    AppendText(typed, type);
    Append(typed, data);
    Append(out, typed);
    AppendBe(out, Crc32(typed), 4);
    return out;
}

Bytes RawPng(int width, int height, int bit_depth, int color_type, const Bytes& filtered_rows,
             const std::vector<Bytes>& extra_chunks) {
    Bytes ihdr;
    AppendBe(ihdr, width, 4);
    AppendBe(ihdr, height, 4);
    ihdr.insert(ihdr.end(), {static_cast<std::uint8_t>(bit_depth),
                             static_cast<std::uint8_t>(color_type), 0, 0, 0});

    // Zlib header 78 01, one final stored block (LEN, NLEN), the data, then Adler-32.
    Bytes zlib = {0x78, 0x01, 0x01};
    AppendLe(zlib, filtered_rows.size(), 2);
    AppendLe(zlib, ~filtered_rows.size() & 0xFFFF, 2);
    Append(zlib, filtered_rows);
    std::uint32_t a = 1;
    std::uint32_t b = 0;
    for (std::uint8_t byte : filtered_rows) {
        a = (a + byte) % 65521;
        b = (b + a) % 65521;
    }
    AppendBe(zlib, b << 16 | a, 4);

    Bytes out = ToBytes("\x89PNG\r\n\x1A\n");
    Append(out, PngChunk("IHDR", ihdr));
    for (const Bytes& chunk : extra_chunks)
        Append(out, chunk);
    Append(out, PngChunk("IDAT", zlib));
    Append(out, PngChunk("IEND", {}));
    return out;
}

Bytes PngWithChunkAfterIhdr(const Bytes& png, const Bytes& chunk) {
    constexpr std::size_t kAfterIhdr = 8 + 12 + 13;  // signature, then IHDR with 13 data bytes
    Bytes out(png.begin(), png.begin() + kAfterIhdr);
    Append(out, chunk);
    Append(out, std::span(png).subspan(kAfterIhdr));
    return out;
}

Bytes WebpWithExif(const Bytes& simple_webp, const Bytes& exif) {
    const std::uint32_t frame_size = ReadLe32(simple_webp, 16);
    const Bytes frame(simple_webp.begin() + 12,
                      simple_webp.begin() + 12 + 8 + frame_size + (frame_size & 1));
    const cv::Mat decoded = cv::imdecode(simple_webp, cv::IMREAD_UNCHANGED);

    Bytes body;
    AppendText(body, "WEBP");
    AppendText(body, "VP8X");
    AppendLe(body, 10, 4);
    body.push_back(0x08);  // EXIF present
    AppendLe(body, 0, 3);
    AppendLe(body, decoded.cols - 1, 3);
    AppendLe(body, decoded.rows - 1, 3);
    Append(body, frame);
    AppendText(body, "EXIF");
    AppendLe(body, exif.size(), 4);
    Append(body, exif);
    if (exif.size() % 2 == 1)
        body.push_back(0);

    Bytes out;
    AppendText(out, "RIFF");
    AppendLe(out, body.size(), 4);
    Append(out, body);
    return out;
}

Bytes UncompressedTiff(const cv::Mat& image, int orientation, int extra_samples, bool big_tiff) {
    const int channels = image.channels();
    const int bits = image.depth() == CV_16U ? 16 : 8;
    const Bytes pixels = TiffPixels(image);
    const bool has_alpha = channels == 2 || channels == 4;

    struct Entry {
        std::uint16_t tag;
        std::uint16_t type;  // 3 = SHORT, 4 = LONG
        std::uint64_t count;
        std::uint64_t value;  // inline value, or offset of BitsPerSample values that do not fit
    };
    std::vector<Entry> entries = {
        {256, 4, 1, static_cast<std::uint64_t>(image.cols)},
        {257, 4, 1, static_cast<std::uint64_t>(image.rows)},
        {258, 3, static_cast<std::uint64_t>(channels), 0},  // value set below
        {259, 3, 1, 1},                                     // no compression
        {262, 3, 1, channels >= 3 ? 2u : 1u},               // RGB or min-is-black
        {273, 4, 1, 0},                                     // strip offset, set below
        {274, 3, 1, static_cast<std::uint64_t>(orientation)},
        {277, 3, 1, static_cast<std::uint64_t>(channels)},
        {278, 4, 1, static_cast<std::uint64_t>(image.rows)},
        {279, 4, 1, pixels.size()},
        {284, 3, 1, 1},  // chunky planar configuration
        {338, 3, 1, static_cast<std::uint64_t>(extra_samples)},
    };
    std::erase_if(entries, [&](const Entry& e) {
        return (e.tag == 274 && orientation == 0) || (e.tag == 338 && !has_alpha);
    });

    // Classic TIFF: 8-byte header, 2-byte entry count, 12-byte entries, 4-byte offsets.
    // BigTIFF: 16-byte header, 8-byte entry count, 20-byte entries, 8-byte offsets.
    const int field_size = big_tiff ? 8 : 4;
    const std::uint64_t header_size = big_tiff ? 16 : 8;
    const std::uint64_t ifd_size =
        (big_tiff ? 8 : 2) + (big_tiff ? 20 : 12) * entries.size() + field_size;
    const std::uint64_t bits_offset = header_size + ifd_size;
    const std::uint64_t pixels_offset = bits_offset + 2 * channels;
    std::uint64_t inline_bits = 0;  // one SHORT per channel, first channel in the low bytes
    for (int c = 0; c < channels; ++c)
        inline_bits |= static_cast<std::uint64_t>(bits) << (16 * c);
    for (Entry& e : entries) {
        if (e.tag == 258)
            e.value = 2 * channels <= field_size ? inline_bits : bits_offset;
        if (e.tag == 273)
            e.value = pixels_offset;
    }

    Bytes out;
    AppendText(out, "II");
    if (big_tiff) {
        AppendLe(out, 43, 2);
        AppendLe(out, 8, 2);  // offset size
        AppendLe(out, 0, 2);
        AppendLe(out, header_size, 8);
    } else {
        AppendLe(out, 42, 2);
        AppendLe(out, header_size, 4);
    }
    AppendLe(out, entries.size(), big_tiff ? 8 : 2);
    for (const Entry& e : entries) {
        AppendLe(out, e.tag, 2);
        AppendLe(out, e.type, 2);
        AppendLe(out, e.count, field_size);
        AppendLe(out, e.value, field_size);  // little-endian, so a SHORT fills the first bytes
    }
    AppendLe(out, 0, field_size);  // no next IFD
    for (int c = 0; c < channels; ++c)
        AppendLe(out, bits, 2);
    Append(out, pixels);
    return out;
}

Bytes Bmp32(const cv::Mat& bgra, bool alpha_mask) {
    const std::uint32_t info_size = alpha_mask ? 108 : 40;
    const std::uint32_t masks_size = alpha_mask ? 0 : 12;  // V4 contains its masks
    const std::uint32_t pixel_offset = 14 + info_size + masks_size;
    const std::uint32_t pixel_size = static_cast<std::uint32_t>(bgra.total() * 4);

    Bytes out;
    AppendText(out, "BM");
    AppendLe(out, pixel_offset + pixel_size, 4);
    AppendLe(out, 0, 4);
    AppendLe(out, pixel_offset, 4);
    AppendLe(out, info_size, 4);
    AppendLe(out, bgra.cols, 4);
    AppendLe(out, bgra.rows, 4);  // positive: bottom-up rows
    AppendLe(out, 1, 2);          // planes
    AppendLe(out, 32, 2);         // bits per pixel
    AppendLe(out, 3, 4);          // BI_BITFIELDS
    AppendLe(out, pixel_size, 4);
    AppendLe(out, 2835, 4);  // 72 dpi
    AppendLe(out, 2835, 4);
    AppendLe(out, 0, 4);
    AppendLe(out, 0, 4);
    AppendLe(out, 0x00FF0000, 4);  // red, green and blue masks
    AppendLe(out, 0x0000FF00, 4);
    AppendLe(out, 0x000000FF, 4);
    if (alpha_mask) {
        AppendLe(out, 0xFF000000, 4);
        AppendText(out, "BGRs");                 // sRGB color space
        out.resize(out.size() + 36 + 12, 0x00);  // endpoints and gamma, unused for sRGB
    }
    for (int y = bgra.rows - 1; y >= 0; --y) {
        const auto* row = bgra.ptr<std::uint8_t>(y);
        Append(out, std::span(row, static_cast<std::size_t>(bgra.cols) * 4));
    }
    return out;
}

}  // namespace menjin::testing
