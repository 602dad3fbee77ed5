#pragma once

// The byte form of face templates before sealing, shared by the face template and unknown
// attempt tables: little-endian IEEE 754 float32 values, independent of the host's byte order.

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace menjin {

std::vector<std::uint8_t> EncodeFloats(const std::vector<float>& values);

// Returns kDataLoss naming `what` (e.g. "face template 12") when the size is not a multiple
// of 4 bytes.
Result<std::vector<float>> DecodeFloats(const std::vector<std::uint8_t>& bytes,
                                        std::string_view what);

}  // namespace menjin
