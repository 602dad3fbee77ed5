#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "common/status.h"
#include "frames/byte_reader.h"

namespace menjin {

// TIFF tags this module reads.
inline constexpr std::uint16_t kTiffTagImageWidth = 256;
inline constexpr std::uint16_t kTiffTagImageLength = 257;
inline constexpr std::uint16_t kTiffTagOrientation = 274;
inline constexpr std::uint16_t kTiffTagExtraSamples = 338;

// The first image file directory (IFD0) of a TIFF structure: a whole TIFF file, or the
// TIFF-format payload of an EXIF block. Reads classic TIFF (version 42) and BigTIFF (43).
// Refers to the parsed bytes without owning them, so they must outlive the TiffIfd.
class TiffIfd {
  public:
    // Reads the byte-order mark and version and locates IFD0 in `tiff`. Fails with
    // kUnprocessable, naming the broken field in the message, when the header is malformed or
    // the directory lies outside `tiff`.
    static Result<TiffIfd> Parse(std::span<const std::uint8_t> tiff);

    // Returns the first value of `tag` when it has an unsigned integer type (BYTE, SHORT, LONG
    // or LONG8), or nullopt when the tag is absent, has another type, or its value lies outside
    // the data. When a tag occurs twice, the first entry wins.
    std::optional<std::uint64_t> FirstValue(std::uint16_t tag) const;

    bool big_tiff() const { return big_tiff_; }

  private:
    TiffIfd(ByteReader reader, bool big_tiff, std::uint64_t first_entry, std::uint64_t entry_count)
        : reader_(reader),
          big_tiff_(big_tiff),
          first_entry_(first_entry),
          entry_count_(entry_count) {}

    std::optional<std::uint64_t> ReadEntryValue(std::uint64_t entry) const;

    ByteReader reader_;
    bool big_tiff_;
    std::uint64_t first_entry_;  // byte offset of the first 12- or 20-byte entry
    std::uint64_t entry_count_;
};

}  // namespace menjin
