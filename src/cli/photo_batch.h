#pragma once

#include <filesystem>
#include <map>
#include <vector>

#include "cli/engine_setup.h"

namespace menjin::cli {

// Outcome for one photo of a batch: its template, or the error that stopped it.
struct PhotoOutcome {
    Status status;
    PhotoTemplate photo;
};

// Computes TemplateOfPhoto for every file on `threads` threads (0 = all cores), each with its
// own pipeline. Returns one outcome per distinct file, or the first error that prevents making
// a pipeline. Each thread runs OpenCV single-threaded so the threads do not compete.
Result<std::map<std::filesystem::path, PhotoOutcome>> TemplatesOfPhotos(
    const Engine& engine, const std::vector<std::filesystem::path>& files, int threads);

}  // namespace menjin::cli
