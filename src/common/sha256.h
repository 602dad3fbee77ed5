#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "common/status.h"

namespace menjin {

// Returns the lower-case hex sha256 of `data`.
std::string Sha256Hex(std::span<const std::uint8_t> data);

// Returns the lower-case hex sha256 of the file at `path`, read in blocks, or kIoError naming
// the path and the OS error.
Result<std::string> Sha256OfFile(const std::filesystem::path& path);

}  // namespace menjin
