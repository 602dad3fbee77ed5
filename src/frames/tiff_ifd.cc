#include "frames/tiff_ifd.h"

#include <string>

namespace menjin {
namespace {

constexpr std::uint16_t kClassicVersion = 42;
constexpr std::uint16_t kBigTiffVersion = 43;

// Returns the byte size of one value of TIFF field type `type`, or 0 for the types FirstValue
// does not read (ASCII, RATIONAL, floating point, ...).
std::size_t UnsignedTypeSize(std::uint16_t type) {
    switch (type) {
        case 1:
            return 1;  // BYTE
        case 3:
            return 2;  // SHORT
        case 4:
            return 4;  // LONG
        case 16:
            return 8;  // LONG8 (BigTIFF only)
        default:
            return 0;
    }
}

Status Malformed(const std::string& detail) {
    return Status(ErrorCode::kUnprocessable, detail);
}

}  // namespace

Result<TiffIfd> TiffIfd::Parse(std::span<const std::uint8_t> tiff) {
    ByteReader probe(tiff, Endian::kLittle);
    Endian endian;
    if (probe.Matches(0, "II")) {
        endian = Endian::kLittle;
    } else if (probe.Matches(0, "MM")) {
        endian = Endian::kBig;
    } else {
        return Malformed("missing byte-order mark II or MM");
    }
    ByteReader reader(tiff, endian);
    auto version = reader.U16(2);
    if (!version)
        return Malformed("header is shorter than 8 bytes");

    bool big_tiff = false;
    std::optional<std::uint64_t> ifd_offset;
    if (*version == kClassicVersion) {
        ifd_offset = reader.U32(4);
    } else if (*version == kBigTiffVersion) {
        big_tiff = true;
        // BigTIFF: offset byte size (always 8), a zero word, then the 8-byte IFD0 offset.
        if (reader.U16(4) != 8 || reader.U16(6) != 0) {
            return Malformed("BigTIFF header has an offset size other than 8");
        }
        ifd_offset = reader.U64(8);
    } else {
        return Malformed("unknown version " + std::to_string(*version) + " (expected 42 or 43)");
    }
    if (!ifd_offset)
        return Malformed("header is truncated before the IFD0 offset");

    const std::size_t count_size = big_tiff ? 8 : 2;
    const std::uint64_t entry_size = big_tiff ? 20 : 12;
    auto entry_count = reader.Unsigned(*ifd_offset, count_size);
    if (!entry_count) {
        return Malformed("IFD0 offset " + std::to_string(*ifd_offset) + " is past the end of the " +
                         std::to_string(tiff.size()) + "-byte data");
    }
    const std::uint64_t first_entry = *ifd_offset + count_size;
    // Dividing instead of multiplying keeps a huge BigTIFF entry count from overflowing.
    const std::uint64_t room = reader.Contains(first_entry, 0) ? tiff.size() - first_entry : 0;
    if (*entry_count > room / entry_size) {
        return Malformed("IFD0 declares " + std::to_string(*entry_count) +
                         " entries but the data ends after " + std::to_string(room / entry_size));
    }
    return TiffIfd(reader, big_tiff, first_entry, *entry_count);
}

std::optional<std::uint64_t> TiffIfd::FirstValue(std::uint16_t tag) const {
    const std::uint64_t entry_size = big_tiff_ ? 20 : 12;
    for (std::uint64_t i = 0; i < entry_count_; ++i) {
        const std::uint64_t entry = first_entry_ + i * entry_size;
        if (reader_.U16(entry) == tag)
            return ReadEntryValue(entry);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> TiffIfd::ReadEntryValue(std::uint64_t entry) const {
    auto type = reader_.U16(entry + 2);
    const std::size_t type_size = type ? UnsignedTypeSize(*type) : 0;
    if (type_size == 0)
        return std::nullopt;

    const std::size_t count_size = big_tiff_ ? 8 : 4;
    auto count = reader_.Unsigned(entry + 4, count_size);
    if (!count || *count == 0)
        return std::nullopt;

    // The value field contains the values themselves when they fit in it (4 bytes in classic TIFF,
    // 8 in BigTIFF), else the offset of the values from the start of the TIFF data.
    const std::uint64_t value_field = entry + 4 + count_size;
    const std::size_t field_size = big_tiff_ ? 8 : 4;
    if (*count <= field_size / type_size)
        return reader_.Unsigned(value_field, type_size);
    auto values_offset = reader_.Unsigned(value_field, field_size);
    if (!values_offset)
        return std::nullopt;
    return reader_.Unsigned(*values_offset, type_size);
}

}  // namespace menjin
