#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace menjin {

enum class Endian { kLittle, kBig };

// Bounds-checked random-access reads of unsigned integers from untrusted bytes. Every read
// returns nullopt when any byte of it lies outside the buffer, so a truncated or lying header
// can never cause an out-of-bounds read. Does not own the bytes, which must outlive the reader.
class ByteReader {
  public:
    ByteReader(std::span<const std::uint8_t> bytes, Endian endian)
        : bytes_(bytes), endian_(endian) {}

    std::size_t size() const { return bytes_.size(); }
    Endian endian() const { return endian_; }

    // Returns true when `count` bytes starting at `offset` lie inside the buffer.
    bool Contains(std::uint64_t offset, std::uint64_t count) const {
        return offset <= bytes_.size() && count <= bytes_.size() - offset;
    }

    // Returns the `count` bytes at `offset`, or nullopt when they pass the end of the buffer.
    std::optional<std::span<const std::uint8_t>> Bytes(std::uint64_t offset,
                                                       std::uint64_t count) const {
        if (!Contains(offset, count))
            return std::nullopt;
        return bytes_.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(count));
    }

    // Returns true when the bytes at `offset` equal `text` (compared byte by byte).
    bool Matches(std::uint64_t offset, std::string_view text) const {
        auto span = Bytes(offset, text.size());
        if (!span)
            return false;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if ((*span)[i] != static_cast<std::uint8_t>(text[i]))
                return false;
        }
        return true;
    }

    std::optional<std::uint8_t> U8(std::uint64_t offset) const { return Unsigned(offset, 1); }
    std::optional<std::uint16_t> U16(std::uint64_t offset) const {
        return Narrow<std::uint16_t>(Unsigned(offset, 2));
    }
    std::optional<std::uint32_t> U24(std::uint64_t offset) const {
        return Narrow<std::uint32_t>(Unsigned(offset, 3));
    }
    std::optional<std::uint32_t> U32(std::uint64_t offset) const {
        return Narrow<std::uint32_t>(Unsigned(offset, 4));
    }
    std::optional<std::uint64_t> U64(std::uint64_t offset) const { return Unsigned(offset, 8); }

    // Reads an unsigned integer of `width` bytes (1 to 8) in the reader's byte order.
    std::optional<std::uint64_t> Unsigned(std::uint64_t offset, std::size_t width) const {
        auto span = Bytes(offset, width);
        if (!span || width == 0 || width > 8)
            return std::nullopt;
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            const std::size_t index = endian_ == Endian::kBig ? i : width - 1 - i;
            value = (value << 8) | (*span)[index];
        }
        return value;
    }

  private:
    template <typename T>
    static std::optional<T> Narrow(std::optional<std::uint64_t> value) {
        if (!value)
            return std::nullopt;
        return static_cast<T>(*value);
    }

    std::span<const std::uint8_t> bytes_;
    Endian endian_;
};

}  // namespace menjin
