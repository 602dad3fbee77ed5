#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace menjin {

// One labelled pair of photos from a pairs file, with paths already resolved.
struct LabelledPair {
    std::filesystem::path file_a;
    std::filesystem::path file_b;
    bool same = false;
};

// Reads a tab-separated pairs file whose header row names the columns file_a, file_b and label
// (other columns are ignored). Labels are "same" or "different". Relative paths are resolved
// against `root`. Fails with kNotFound for a missing file and kInvalidArgument naming the line
// and value for a missing column, a short row or an unknown label.
Result<std::vector<LabelledPair>> ReadPairsFile(const std::filesystem::path& path,
                                                const std::filesystem::path& root);

}  // namespace menjin
