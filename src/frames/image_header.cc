#include "frames/image_header.h"

#include <algorithm>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "frames/byte_reader.h"
#include "frames/tiff_ifd.h"

namespace menjin {
namespace {

using namespace std::literals::string_view_literals;

constexpr const char* kSupportedFormats = "use JPEG, PNG, BMP, WebP or TIFF";

Status Malformed(ImageFormat format, std::string_view label, std::string_view detail) {
    return Status(ErrorCode::kUnprocessable, fmt::format("frames: invalid {} header in '{}': {}",
                                                         ImageFormatName(format), label, detail));
}

Status Truncated(ImageFormat format, std::string_view label, std::string_view detail) {
    return Status(ErrorCode::kUnprocessable, fmt::format("frames: truncated {} data in '{}': {}",
                                                         ImageFormatName(format), label, detail));
}

// Returns the orientation (1..8) stored in the IFD0 of TIFF-format EXIF data, or 1 when the
// data is malformed or the tag is absent or out of range. A broken EXIF block leaves the image
// as stored instead of making it unusable.
int ExifOrientation(std::span<const std::uint8_t> exif_tiff) {
    auto ifd = TiffIfd::Parse(exif_tiff);
    if (!ifd.ok())
        return 1;
    auto orientation = ifd->FirstValue(kTiffTagOrientation);
    if (!orientation || *orientation < 1 || *orientation > 8)
        return 1;
    return static_cast<int>(*orientation);
}

// Returns `header` with `truncation` set when the pixel size is already known, else the
// truncation error itself, since limits cannot be checked without a size.
Result<ImageHeader> EndsEarly(ImageHeader header, bool have_size, Status truncation) {
    if (!have_size)
        return truncation;
    header.truncation = std::move(truncation);
    return header;
}

// ---- JPEG ----------------------------------------------------------------------------------

struct JpegMarker {
    std::uint8_t code;         // the byte after 0xFF, e.g. 0xC0 for SOF0
    std::uint64_t after_code;  // offset of the byte after `code`
};

bool IsSofMarker(std::uint8_t code) {
    // Marker codes C0..CF are SOF0..SOF15, except C4 (DHT), C8 (JPG) and CC (DAC).
    return code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
}

bool IsStandaloneMarker(std::uint8_t code) {
    // TEM, RST0..RST7 and SOI carry no length field.
    return code == 0x01 || (code >= 0xD0 && code <= 0xD8);
}

// Finds the next marker at or after `offset`. Skips 0xFF fill bytes and, like libjpeg, any
// stray bytes before a marker. Inside entropy-coded data (`in_scan`) 0xFF00 is a stuffed data
// byte and RST0..RST7 are part of the scan, so neither ends it.
std::optional<JpegMarker> FindJpegMarker(std::span<const std::uint8_t> bytes, std::uint64_t offset,
                                         bool in_scan) {
    while (offset < bytes.size()) {
        auto ff = std::find(bytes.begin() + static_cast<std::ptrdiff_t>(offset), bytes.end(), 0xFF);
        std::uint64_t next = static_cast<std::uint64_t>(ff - bytes.begin()) + 1;
        while (next < bytes.size() && bytes[next] == 0xFF)
            ++next;
        if (next >= bytes.size())
            return std::nullopt;
        const std::uint8_t code = bytes[next];
        if (code == 0x00 || (in_scan && code >= 0xD0 && code <= 0xD7)) {
            offset = next + 1;
            continue;
        }
        return JpegMarker{code, next + 1};
    }
    return std::nullopt;
}

// Walks the scans that start at `offset` (just after the first SOS segment) up to the EOI
// marker. Progressive files put DHT and further SOS segments between scans.
Status CheckJpegComplete(std::span<const std::uint8_t> bytes, std::uint64_t offset,
                         std::string_view label) {
    const ByteReader reader(bytes, Endian::kBig);
    for (;;) {
        auto marker = FindJpegMarker(bytes, offset, /*in_scan=*/true);
        if (!marker) {
            return Truncated(ImageFormat::kJpeg, label,
                             "the data ends inside the scan, before the end-of-image marker");
        }
        if (marker->code == 0xD9)
            return Status::Ok();
        offset = marker->after_code;
        if (IsStandaloneMarker(marker->code))
            continue;
        auto length = reader.U16(offset);
        if (!length || !reader.Contains(offset, *length)) {
            return Truncated(ImageFormat::kJpeg, label,
                             fmt::format("segment FF{:02X} at byte {} extends past the end",
                                         marker->code, offset - 2));
        }
        offset += *length;
    }
}

// Reads the size from the payload of a SOFn segment: sample precision (1 byte), height (2),
// width (2), then the components.
Status ReadJpegFrameSize(const ByteReader& reader, std::uint64_t payload,
                         std::uint64_t payload_size, std::string_view label, ImageHeader& header) {
    auto height = reader.U16(payload + 1);
    auto width = reader.U16(payload + 3);
    if (payload_size < 6 || !height || !width || *width == 0) {
        return Malformed(ImageFormat::kJpeg, label, "SOF segment is too short or has width 0");
    }
    if (*height == 0) {
        return Malformed(ImageFormat::kJpeg, label,
                         "height 0 (set later by a DNL marker) is not supported");
    }
    header.width = *width;
    header.height = *height;
    return Status::Ok();
}

Result<ImageHeader> ReadJpegHeader(std::span<const std::uint8_t> bytes, std::string_view label) {
    const ByteReader reader(bytes, Endian::kBig);
    ImageHeader header;
    header.format = ImageFormat::kJpeg;
    bool have_size = false;
    bool have_exif = false;
    std::uint64_t offset = 2;  // after SOI
    for (;;) {
        auto marker = FindJpegMarker(bytes, offset, /*in_scan=*/false);
        if (!marker) {
            return EndsEarly(header, have_size,
                             Truncated(ImageFormat::kJpeg, label, "the data ends before the scan"));
        }
        offset = marker->after_code;
        if (marker->code == 0xD9 || marker->code == 0xD8) {
            return Malformed(
                ImageFormat::kJpeg, label,
                fmt::format("unexpected marker FF{:02X} before the scan", marker->code));
        }
        if (IsStandaloneMarker(marker->code))
            continue;

        auto length = reader.U16(offset);
        if (!length || !reader.Contains(offset, *length)) {
            return EndsEarly(
                header, have_size,
                Truncated(ImageFormat::kJpeg, label,
                          fmt::format("segment FF{:02X} at byte {} extends past the end",
                                      marker->code, offset - 2)));
        }
        if (*length < 2) {
            return Malformed(ImageFormat::kJpeg, label,
                             fmt::format("segment FF{:02X} has length {}", marker->code, *length));
        }
        const std::uint64_t payload = offset + 2;
        const std::uint64_t payload_size = *length - 2u;
        offset += *length;

        if (marker->code == 0xE1 && !have_exif && payload_size >= 6 &&
            reader.Matches(payload, "Exif\0\0"sv)) {
            have_exif = true;
            header.exif_orientation = ExifOrientation(*reader.Bytes(payload + 6, payload_size - 6));
        } else if (IsSofMarker(marker->code) && !have_size) {
            MENJIN_RETURN_IF_ERROR(ReadJpegFrameSize(reader, payload, payload_size, label, header));
            have_size = true;
        } else if (marker->code == 0xDA) {
            if (!have_size)
                return Malformed(ImageFormat::kJpeg, label, "no SOF marker before SOS");
            header.truncation = CheckJpegComplete(bytes, offset, label);
            return header;
        }
    }
}

// ---- PNG -----------------------------------------------------------------------------------

// Returns a chunk type for a message, or "?" when it is not four ASCII letters.
std::string PrintableChunkType(std::span<const std::uint8_t> type) {
    std::string text(type.begin(), type.end());
    const bool letters = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    });
    return letters ? text : "?";
}

constexpr std::uint32_t kPngMaxInt = 0x7FFFFFFF;  // PNG's maximum size and chunk length

// Reads the size from the IHDR chunk, which must come first.
Result<ImageHeader> ReadPngIhdr(const ByteReader& reader, std::string_view label) {
    // IHDR must come first: length 13 at byte 8, type at 12, width at 16, height at 20.
    if (!reader.Contains(8, 8 + 13 + 4)) {
        return Truncated(ImageFormat::kPng, label, "the data ends inside the IHDR chunk");
    }
    if (reader.U32(8) != 13u || !reader.Matches(12, "IHDR"sv)) {
        return Malformed(ImageFormat::kPng, label, "the first chunk is not a 13-byte IHDR");
    }
    const std::uint32_t width = *reader.U32(16);
    const std::uint32_t height = *reader.U32(20);
    if (width == 0 || height == 0 || width > kPngMaxInt || height > kPngMaxInt) {
        return Malformed(ImageFormat::kPng, label,
                         fmt::format("IHDR size {}x{} is out of range", width, height));
    }
    ImageHeader header;
    header.format = ImageFormat::kPng;
    header.width = width;
    header.height = height;
    return header;
}

Result<ImageHeader> ReadPngHeader(std::span<const std::uint8_t> bytes, std::string_view label) {
    const ByteReader reader(bytes, Endian::kBig);
    MENJIN_ASSIGN_OR_RETURN(ImageHeader header, ReadPngIhdr(reader, label));

    // Walk the chunk list to IEND. The orientation counts only from an eXIf chunk before the
    // first IDAT, which is where libpng (and so OpenCV) reads it.
    bool before_idat = true;
    bool have_exif = false;
    std::uint64_t offset = 8;
    for (;;) {
        auto length = reader.U32(offset);
        auto type = reader.Bytes(offset + 4, 4);
        if (!length || !type) {
            header.truncation =
                Truncated(ImageFormat::kPng, label, "the data ends before the IEND chunk");
            return header;
        }
        if (*length > kPngMaxInt) {
            return Malformed(ImageFormat::kPng, label,
                             fmt::format("chunk at byte {} has length {}", offset, *length));
        }
        if (!reader.Contains(offset, 12ull + *length)) {
            header.truncation = Truncated(ImageFormat::kPng, label,
                                          fmt::format("chunk {} at byte {} extends past the end",
                                                      PrintableChunkType(*type), offset));
            return header;
        }
        const std::uint64_t data = offset + 8;
        if (reader.Matches(offset + 4, "IDAT"sv))
            before_idat = false;
        if (reader.Matches(offset + 4, "eXIf"sv) && before_idat && !have_exif) {
            have_exif = true;
            header.exif_orientation = ExifOrientation(*reader.Bytes(data, *length));
        }
        if (reader.Matches(offset + 4, "IEND"sv))
            return header;
        offset = data + *length + 4;  // data, then the 4-byte CRC
    }
}

// ---- BMP -----------------------------------------------------------------------------------

constexpr std::uint32_t kBmpBitfields = 3;       // BI_BITFIELDS
constexpr std::uint32_t kBmpAlphaBitfields = 6;  // BI_ALPHABITFIELDS

Result<ImageHeader> ReadBmpHeader(std::span<const std::uint8_t> bytes, std::string_view label) {
    const ByteReader reader(bytes, Endian::kLittle);
    // A 14-byte file header, then an info header whose first field is its own size.
    auto info_size = reader.U32(14);
    if (!info_size || !reader.Contains(14, *info_size)) {
        return Truncated(ImageFormat::kBmp, label, "the data ends inside the info header");
    }
    ImageHeader header;
    header.format = ImageFormat::kBmp;
    if (*info_size == 12) {
        // BITMAPCOREHEADER: unsigned 16-bit width and height.
        header.width = *reader.U16(18);
        header.height = *reader.U16(20);
    } else if (*info_size >= 40) {
        // BITMAPINFOHEADER and its V2..V5 extensions: signed 32-bit width and height, where a
        // negative height marks rows stored top-down.
        header.width = static_cast<std::int32_t>(*reader.U32(18));
        header.height = static_cast<std::int32_t>(*reader.U32(22));
        header.height = header.height < 0 ? -header.height : header.height;
        const std::uint16_t bits_per_pixel = *reader.U16(28);
        const std::uint32_t compression = *reader.U32(30);
        // The alpha mask is at byte 66 both in V3+ headers and after a 40-byte header with
        // BI_ALPHABITFIELDS. A 40-byte header with BI_BITFIELDS has only red, green and blue.
        const bool has_mask_field =
            compression == kBmpAlphaBitfields || (compression == kBmpBitfields && *info_size >= 56);
        const std::uint32_t alpha_mask = has_mask_field ? reader.U32(66).value_or(0) : 0;
        header.alpha_declared = bits_per_pixel == 32 && alpha_mask != 0;
    } else {
        return Malformed(ImageFormat::kBmp, label,
                         fmt::format("info header size {} is not 12 or at least 40", *info_size));
    }
    if (header.width <= 0 || header.height <= 0) {
        return Malformed(ImageFormat::kBmp, label,
                         fmt::format("size {}x{} is out of range", header.width, header.height));
    }
    return header;
}

// ---- WebP ----------------------------------------------------------------------------------

struct RiffChunk {
    std::uint64_t offset;   // of the four-character code
    std::uint64_t payload;  // offset of the payload
    std::uint32_t size;     // declared payload size, without the pad byte
    bool complete;          // whether the whole payload is present
};

// Reads the RIFF chunk header at `offset`, or returns nullopt when the 8-byte header itself is
// incomplete.
std::optional<RiffChunk> ReadRiffChunk(const ByteReader& reader, std::uint64_t offset) {
    auto size = reader.U32(offset + 4);
    if (!size)
        return std::nullopt;
    return RiffChunk{offset, offset + 8, *size, reader.Contains(offset + 8, *size)};
}

std::uint64_t NextRiffChunk(const RiffChunk& chunk) {
    return chunk.payload + chunk.size + (chunk.size & 1u);  // payloads are padded to even size
}

Status WebpTruncated(std::string_view label, std::uint64_t offset) {
    return Truncated(ImageFormat::kWebp, label,
                     fmt::format("chunk at byte {} extends past the end", offset));
}

// Reads the frame size of a lossy "VP8 " or lossless "VP8L" chunk into `header`. Returns false
// when `chunk` is neither or its bitstream header is malformed.
bool ReadWebpFrameSize(const ByteReader& reader, const RiffChunk& chunk, ImageHeader& header) {
    if (reader.Matches(chunk.offset, "VP8 "sv)) {
        // Key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
        auto tag = reader.U8(chunk.payload);
        auto width = reader.U16(chunk.payload + 6);
        auto height = reader.U16(chunk.payload + 8);
        if (chunk.size < 10 || !tag || (*tag & 1u) != 0 || !width || !height ||
            !reader.Matches(chunk.payload + 3, "\x9D\x01\x2A"sv)) {
            return false;
        }
        header.width = *width & 0x3FFF;
        header.height = *height & 0x3FFF;
        return header.width > 0 && header.height > 0;
    }
    if (reader.Matches(chunk.offset, "VP8L"sv)) {
        // Signature 0x2F, then width-1 and height-1 in 14 bits each, little-endian.
        auto bits = reader.U32(chunk.payload + 1);
        if (chunk.size < 5 || reader.U8(chunk.payload) != 0x2F || !bits)
            return false;
        header.width = (*bits & 0x3FFF) + 1;
        header.height = ((*bits >> 14) & 0x3FFF) + 1;
        return true;
    }
    return false;
}

// Reads an extended (VP8X) file: the canvas size, the EXIF chunk and the frame, whose size must
// match the canvas.
Status ReadWebpExtended(const ByteReader& reader, const RiffChunk& vp8x, std::string_view label,
                        ImageHeader& header) {
    constexpr std::uint8_t kAnimationFlag = 0x02;
    auto flags = reader.U8(vp8x.payload);
    auto canvas_width = reader.U24(vp8x.payload + 4);
    auto canvas_height = reader.U24(vp8x.payload + 7);
    if (vp8x.size < 10 || !flags || !canvas_width || !canvas_height) {
        return Malformed(ImageFormat::kWebp, label, "VP8X chunk is shorter than 10 bytes");
    }
    if (*flags & kAnimationFlag) {
        return Status(
            ErrorCode::kUnprocessable,
            fmt::format("frames: unsupported animated WebP in '{}': {}", label, kSupportedFormats));
    }
    header.width = *canvas_width + 1;
    header.height = *canvas_height + 1;

    ImageHeader frame = header;
    bool have_frame = false;
    bool have_exif = false;
    for (std::uint64_t offset = NextRiffChunk(vp8x); offset < reader.size();) {
        auto chunk = ReadRiffChunk(reader, offset);
        if (!chunk || !chunk->complete) {
            if (header.truncation.ok())
                header.truncation = WebpTruncated(label, offset);
            return Status::Ok();  // the frame size cannot be cross-checked
        }
        if (reader.Matches(chunk->offset, "EXIF"sv) && !have_exif) {
            have_exif = true;
            auto exif = *reader.Bytes(chunk->payload, chunk->size);
            // Some writers keep the JPEG APP1 prefix, which the WebP container does not use.
            if (ByteReader(exif, Endian::kBig).Matches(0, "Exif\0\0"sv))
                exif = exif.subspan(6);
            header.exif_orientation = ExifOrientation(exif);
        } else if (!have_frame && ReadWebpFrameSize(reader, *chunk, frame)) {
            have_frame = true;
        }
        offset = NextRiffChunk(*chunk);
    }
    if (!have_frame && header.truncation.ok()) {
        return Malformed(ImageFormat::kWebp, label, "no VP8 or VP8L image chunk after VP8X");
    }
    if (have_frame && (frame.width != header.width || frame.height != header.height)) {
        return Malformed(ImageFormat::kWebp, label,
                         fmt::format("frame size {}x{} differs from canvas size {}x{}", frame.width,
                                     frame.height, header.width, header.height));
    }
    return Status::Ok();
}

Result<ImageHeader> ReadWebpHeader(std::span<const std::uint8_t> bytes, std::string_view label) {
    // "RIFF", the size of everything after these 8 bytes, "WEBP", then the chunks.
    const std::uint64_t riff_end = 8ull + *ByteReader(bytes, Endian::kLittle).U32(4);
    ImageHeader header;
    header.format = ImageFormat::kWebp;
    if (riff_end > bytes.size()) {
        header.truncation =
            Truncated(ImageFormat::kWebp, label,
                      fmt::format("the RIFF header declares {} bytes but only {} are present",
                                  riff_end, bytes.size()));
    }
    // Bytes after the RIFF size are not part of the file, so reads stop there.
    const ByteReader reader(bytes.first(std::min<std::uint64_t>(riff_end, bytes.size())),
                            Endian::kLittle);
    auto first = ReadRiffChunk(reader, 12);
    if (!first)
        return WebpTruncated(label, 12);
    if (!first->complete && header.truncation.ok())
        header.truncation = WebpTruncated(label, 12);

    if (reader.Matches(first->offset, "VP8X"sv)) {
        MENJIN_RETURN_IF_ERROR(ReadWebpExtended(reader, *first, label, header));
    } else if (!ReadWebpFrameSize(reader, *first, header)) {
        if (!header.truncation.ok())
            return header.truncation;
        return Malformed(ImageFormat::kWebp, label,
                         "the first chunk is not a valid VP8, VP8L or VP8X chunk");
    }
    return header;
}

// ---- TIFF ----------------------------------------------------------------------------------

Result<ImageHeader> ReadTiffHeader(std::span<const std::uint8_t> bytes, std::string_view label) {
    auto ifd = TiffIfd::Parse(bytes);
    if (!ifd.ok())
        return Malformed(ImageFormat::kTiff, label, ifd.status().message());
    auto width = ifd->FirstValue(kTiffTagImageWidth);
    auto height = ifd->FirstValue(kTiffTagImageLength);
    if (!width || !height) {
        return Malformed(ImageFormat::kTiff, label,
                         "IFD0 lacks a readable ImageWidth or ImageLength");
    }
    constexpr std::uint64_t kMaxSide = std::numeric_limits<std::uint32_t>::max();
    if (*width == 0 || *height == 0 || *width > kMaxSide || *height > kMaxSide) {
        return Malformed(ImageFormat::kTiff, label,
                         fmt::format("size {}x{} is out of range", *width, *height));
    }
    ImageHeader header;
    header.format = ImageFormat::kTiff;
    header.width = static_cast<std::int64_t>(*width);
    header.height = static_cast<std::int64_t>(*height);
    auto orientation = ifd->FirstValue(kTiffTagOrientation);
    if (orientation && *orientation >= 1 && *orientation <= 8) {
        header.exif_orientation = static_cast<int>(*orientation);
    }
    header.tiff_associated_alpha = ifd->FirstValue(kTiffTagExtraSamples) == 1u;
    return header;
}

}  // namespace

Result<ImageHeader> ReadImageHeader(std::span<const std::uint8_t> bytes, std::string_view label) {
    if (bytes.empty()) {
        return Status(
            ErrorCode::kUnprocessable,
            fmt::format("frames: image '{}' is empty (0 bytes): {}", label, kSupportedFormats));
    }
    auto format = SniffImageFormat(bytes);
    if (!format) {
        if (const char* name = SniffUnsupportedFormat(bytes)) {
            return Status(ErrorCode::kUnprocessable,
                          fmt::format("frames: unsupported image format {} in '{}': {}", name,
                                      label, kSupportedFormats));
        }
        return Status(ErrorCode::kUnprocessable,
                      fmt::format("frames: unrecognized image format in '{}' ({} bytes): {}", label,
                                  bytes.size(), kSupportedFormats));
    }
    switch (*format) {
        case ImageFormat::kJpeg:
            return ReadJpegHeader(bytes, label);
        case ImageFormat::kPng:
            return ReadPngHeader(bytes, label);
        case ImageFormat::kBmp:
            return ReadBmpHeader(bytes, label);
        case ImageFormat::kWebp:
            return ReadWebpHeader(bytes, label);
        case ImageFormat::kTiff:
            return ReadTiffHeader(bytes, label);
    }
    return Internal("frames: unhandled image format");
}

}  // namespace menjin
