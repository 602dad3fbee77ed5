#include "support/test_paths.h"

#include <cstdlib>

namespace menjin::testing {

namespace fs = std::filesystem;

std::optional<fs::path> SharedFacesDir() {
    if (const char* env = std::getenv("MENJIN_FACES_DIR"); env && *env) {
        if (fs::is_directory(env))
            return fs::path(env);
        return std::nullopt;
    }
    fs::path beside = fs::path(MENJIN_SOURCE_DIR).parent_path() / "shared" / "faces";
    if (fs::is_directory(beside))
        return beside;
    return std::nullopt;
}

std::optional<fs::path> ModelDir() {
    fs::path dir = MENJIN_BINARY_DIR "/models";
    if (const char* env = std::getenv("MENJIN_MODEL_DIR"); env && *env)
        dir = env;
    if (fs::exists(dir / "manifest.json"))
        return dir;
    return std::nullopt;
}

fs::path SourceDir() {
    return MENJIN_SOURCE_DIR;
}

}  // namespace menjin::testing
