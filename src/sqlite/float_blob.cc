#include "sqlite/float_blob.h"

#include <bit>
#include <limits>

#include <fmt/format.h>

namespace menjin {

static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559,
              "templates are stored as IEEE 754 float32");

std::vector<std::uint8_t> EncodeFloats(const std::vector<float>& values) {
    std::vector<std::uint8_t> bytes;
    bytes.reserve(values.size() * 4);
    for (float value : values) {
        auto bits = std::bit_cast<std::uint32_t>(value);
        for (int shift = 0; shift < 32; shift += 8) {
            bytes.push_back(static_cast<std::uint8_t>(bits >> shift));
        }
    }
    return bytes;
}

Result<std::vector<float>> DecodeFloats(const std::vector<std::uint8_t>& bytes,
                                        std::string_view what) {
    if (bytes.size() % 4 != 0) {
        return Status(ErrorCode::kDataLoss, fmt::format("store: {} has {} bytes, not a multiple of 4",
                                                        what, bytes.size()));
    }
    std::vector<float> values(bytes.size() / 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::uint32_t bits = 0;
        for (int byte = 0; byte < 4; ++byte) {
            bits |= static_cast<std::uint32_t>(bytes[4 * i + byte]) << (8 * byte);
        }
        values[i] = std::bit_cast<float>(bits);
    }
    return values;
}

}  // namespace menjin
